"""From the admin, an editor previews any version of an article (a draft before it is
published) as the handout PDF, for a sample patient; nothing is saved."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from handouts.models import Handout, HandoutEvent
from portal.models import ClinicProfile
from tests.helpers import pdf_text, present

pytestmark = pytest.mark.django_db

NEW_SENTENCE = "Swimming gently twice a week keeps the joint moving."


def preview_url(article: Article) -> str:
    return reverse("handouts:article_preview_pdf", args=[article.pk])


@pytest.fixture
def changed_draft(draft: Article) -> Article:
    section = present(draft.sections.first())
    section.body = f"{section.body}\n\n{NEW_SENTENCE}"
    section.save()
    return draft


def test_the_preview_pdf_shows_the_drafts_new_text_for_a_sample_patient(
    client: Client,
    editor: User,
    clinic: ClinicProfile,
    sample_article: Article,
    changed_draft: Article,
) -> None:
    client.force_login(editor)
    response = client.get(preview_url(changed_draft))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "preview-bone-marrow-edema-en-draft.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert NEW_SENTENCE in text
    assert "Sample Patient" in text
    assert "Clinician Editor" in text  # the editor previewing stands in for the clinician
    assert "Preview of the draft, for a sample patient." in text
    assert "never give it to a patient" in text
    assert "Riverside Sports Clinic" in text
    # The published version is untouched and still reads as before.
    assert NEW_SENTENCE not in pdf_text(client.get(preview_url(sample_article)).content)


def test_previewing_saves_no_handout_and_records_no_event(
    client: Client, administrator: User, changed_draft: Article
) -> None:
    client.force_login(administrator)
    assert client.get(preview_url(changed_draft)).status_code == 200
    assert not Handout.objects.exists()
    assert not HandoutEvent.objects.exists()


def test_a_published_version_is_marked_with_its_version_number(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    text = pdf_text(client.get(preview_url(sample_article)).content)
    assert "Preview of version 1 (published)" in text


def test_handouts_given_to_patients_carry_no_preview_mark(handout: Handout) -> None:
    assert "Preview of" not in pdf_text(bytes(handout.stored_pdf.pdf))


@pytest.mark.parametrize("persona", ["clinician", "front_desk", "outsider"])
def test_only_admin_site_staff_may_preview_drafts(
    client: Client, personas: dict[str, User], changed_draft: Article, persona: str
) -> None:
    client.force_login(personas[persona])
    assert client.get(preview_url(changed_draft)).status_code == 403


def test_staff_status_without_an_admin_role_does_not_open_the_preview(
    client: Client, clinician: User, changed_draft: Article
) -> None:
    clinician.is_staff = True
    clinician.save()
    client.force_login(clinician)
    assert client.get(preview_url(changed_draft)).status_code == 403


def test_an_unknown_article_is_not_found(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    assert client.get(reverse("handouts:article_preview_pdf", args=[999999])).status_code == 404
