"""In a real browser: the patient checks what they know on a 320 px phone, with JavaScript off,
in English and Spanish; a wrong answer shows the handout's words and a link to them, a right
one is done. The page passes axe-core with no violation at all, and the HTML checker."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from education.models import Article
from education.packs import load_shipped
from handouts.models import Handout
from handouts.sharing import create_share_link
from handouts.teach_back import handout_questions
from portal.models import ClinicProfile
from tests.browser.helpers import check_accessibility, screenshot
from tests.helpers import present

pytestmark = pytest.mark.django_db(transaction=True)
WORDS = {
    "en": {
        "code": "Access code",
        "open": "Open handout",
        "check": "Answer the questions",
        "send": "Check my answers",
        "not_quite": "Not quite. Here is what your handout says:",
        "read": "Read this part of your handout",
    },
    "es": {
        "code": "Código de acceso",
        "open": "Abrir la hoja informativa",
        "check": "Responder a las preguntas",
        "send": "Comprobar mis respuestas",
        "not_quite": "No del todo. Esto es lo que dice su hoja informativa:",
        "read": "Lea esta parte de su hoja informativa",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_gets_one_wrong_then_right_on_a_phone_without_javascript(
    live_server: LiveServer,
    pages: Callable[..., Page],
    html_validator: Callable[[Page], None],
    issue: Callable[..., Handout],
    clinician: User,
    language: str,
) -> None:
    load_shipped("bone-marrow-edema", [language])
    handout = issue(Article.objects.get(language=language))
    new = create_share_link(handout, staff=clinician)
    question = handout_questions(handout, ClinicProfile.load())[0]
    wrong = next(i for i in range(len(question.options)) if i not in question.right)
    words = WORDS[language]

    phone = pages(viewport={"width": 320, "height": 700}, is_mobile=True, java_script_enabled=False)
    phone.goto(f"{live_server.url}/p/{new.token}/")
    phone.get_by_label(words["code"]).fill(new.code)
    phone.get_by_role("button", name=words["open"]).click()
    phone.get_by_role("link", name=words["check"]).click()
    phone.get_by_label(question.options[wrong], exact=True).check()
    phone.get_by_role("button", name=words["send"]).click()

    expect(phone.get_by_text(words["not_quite"])).to_be_visible()
    read = phone.get_by_role("link", name=words["read"])
    assert present(read.get_attribute("href")).endswith(f"/handout/#{question.anchor}")
    html_validator(phone)
    screenshot(phone, f"patient-check-{language}", widths=(320,))
    for right in sorted(question.right):
        phone.get_by_label(question.options[right], exact=True).check()
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(f'input[name="q-{question.key}"]')).to_have_count(0)

    # axe needs JavaScript: the same page, in a phone that runs it.
    checking = pages(viewport={"width": 320, "height": 700}, is_mobile=True)
    checking.context.add_cookies(
        [
            {"name": c["name"], "value": c["value"], "url": live_server.url}
            for c in phone.context.cookies()
        ]
    )
    checking.goto(phone.url)
    check_accessibility(checking, strict=True)
    assert checking.evaluate("document.documentElement.scrollWidth") <= 320
    checking.wait_for_load_state("networkidle")
