"""In a real browser: the patient's code form passes Django's CSRF check because patient
pages let the browser send their own origin, and the same form posted from another site is
refused."""

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from handouts.models import Handout, HandoutEvent, ShareLink
from handouts.sharing import create_share_link
from tests.browser.helpers import SERVED_DOCUMENTS

pytestmark = pytest.mark.django_db(transaction=True)
OTHER_SITE = "http://elsewhere.example"


@pytest.fixture
def shared(live_server: LiveServer, handout: Handout, clinician: User) -> tuple[str, str]:
    new = create_share_link(handout, staff=clinician)
    return f"{live_server.url}/p/{new.token}/", new.code


def test_the_code_form_is_posted_with_the_pages_own_origin_and_opens_the_handout(
    live_server: LiveServer, pages: Callable[..., Page], shared: tuple[str, str]
) -> None:
    link, code = shared
    page = pages(viewport={"width": 375, "height": 812})
    page.goto(link)
    headers = SERVED_DOCUMENTS[page].headers
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    page.get_by_label("Access code").fill(code)
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.get_by_role("button", name="Open handout").click()
    assert posted.value.headers["origin"] == live_server.url
    page.wait_for_url(re.compile(r"/handout/$"))
    expect(page.get_by_role("link", name="Download the PDF").first).to_be_visible()
    page.wait_for_load_state("networkidle")  # the logo too, before the database is flushed


def test_the_code_form_posted_from_another_site_is_refused(
    live_server: LiveServer, pages: Callable[..., Page], shared: tuple[str, str]
) -> None:
    link, code = shared
    page = pages()
    page.goto(link)  # the patient has the page open: their browser holds its CSRF cookie
    form = (
        f'<!doctype html><title>Elsewhere</title><form method="post" action="{link}">'
        f'<input name="code" value="{code}"><input name="csrfmiddlewaretoken" value="guess">'
        "<button>Send</button></form>"
    )
    page.route(
        f"{OTHER_SITE}/**",
        lambda route: route.fulfill(body=form, content_type="text/html; charset=utf-8"),
    )
    page.goto(f"{OTHER_SITE}/")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Send").click()
    assert answer.value.status == 403
    assert answer.value.headers["referrer-policy"] == "same-origin"
    expect(page.get_by_text("This form could not be sent")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert ShareLink.objects.get().failed_attempts == 0
    assert not HandoutEvent.objects.filter(kind=HandoutEvent.Kind.CODE_ACCEPTED).exists()
