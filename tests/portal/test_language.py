"""Staff pages speak the language each person chose, else their browser's; the choice follows
the person, not the browser, and the admin follows it too."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from handouts.models import Handout
from portal.models import StaffPreference
from tests.helpers import TestResponse

pytestmark = pytest.mark.django_db


def spanish(message: str) -> str:
    with translation.override("es"):
        translated = translation.gettext(message)
    assert translated != message, f"no Spanish translation for {message!r}"
    return translated


def choose(client: Client, language: str, next_url: str = "/") -> TestResponse:
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_staff_pages_follow_the_browser_until_a_language_is_chosen(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    english = client.get(reverse("home"))
    assert b'<html lang="en">' in english.content
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es")
    assert b'<html lang="es">' in response.content
    assert spanish("Sign out") in response.content.decode()


def test_a_chosen_language_is_kept_on_the_account_and_wins_over_the_browser(
    client: Client, clinician: User, editor: User
) -> None:
    client.force_login(clinician)
    response = choose(client, "es", reverse("education:library"))
    assert response.status_code == 302
    assert response["Location"] == reverse("education:library")
    assert StaffPreference.objects.get(user=clinician).language == "es"

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert b'<html lang="es">' in page.content
    assert spanish("Sign out") in page.content.decode()

    # On another device (a new session, no cookie) the choice still holds.
    client.logout()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(clinician)
    assert b'<html lang="es">' in client.get(reverse("home")).content

    # Someone else's pages are not affected.
    client.logout()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(editor)
    assert b'<html lang="en">' in client.get(reverse("home")).content


def test_choosing_the_browsers_language_again_forgets_the_choice(
    client: Client, clinician: User
) -> None:
    client.force_login(clinician)
    choose(client, "es")
    choose(client, "")
    assert StaffPreference.objects.get(user=clinician).language == ""
    assert b'<html lang="en">' in client.get(reverse("home")).content


def test_the_admin_follows_the_chosen_language(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    choose(client, "es")
    response = client.get(reverse("admin:index"))
    assert b'<html lang="es"' in response.content
    assert spanish("Content and administration") in response.content.decode()


def test_the_sign_in_page_follows_the_switcher_before_anyone_signs_in(client: Client) -> None:
    choose(client, "es", reverse("login"))
    response = client.get(reverse("login"))
    assert b'<html lang="es">' in response.content
    assert spanish("Sign in") in response.content.decode()


def test_unknown_languages_and_outside_targets_are_refused(client: Client, clinician: User) -> None:
    client.force_login(clinician)
    response = choose(client, "xx", "https://evil.example/")
    assert response["Location"] == reverse("home")
    assert StaffPreference.objects.get(user=clinician).language == ""


def test_patient_pages_do_not_follow_the_staff_choice(
    client: Client, clinician: User, handout: Handout
) -> None:
    from handouts.sharing import create_share_link

    link = create_share_link(handout, staff=clinician)
    client.force_login(clinician)
    choose(client, "es")
    response = client.get(reverse("patient:open", args=[link.token]))
    assert b'<html lang="en">' in response.content


def test_on_the_article_form_only_the_articles_language_is_labelled_language(
    client: Client, editor: User
) -> None:
    """The header's switcher is labelled apart, so that "Language" on the article form (its
    label, a screen reader's field list) never leads to the switcher's "Browser's language"."""
    client.force_login(editor)
    page = client.get(reverse("admin:education_article_add")).content.decode()
    labelled = re.findall(r'<label[^>]*for="([^"]+)"[^>]*>\s*Language:?\s*</label>', page)
    assert labelled == ["id_language"]
