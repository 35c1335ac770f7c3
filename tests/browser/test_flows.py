"""The portal as people use it, in a real browser: a clinician issues a handout, a patient
opens it on a phone, an editor drafts a change that a reviewer publishes, and the builder
works from the keyboard. Every page visited is checked with axe-core and the Nu HTML Checker."""

import datetime
import re
import subprocess
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from education.models import Article
from education.workflow import publish, submit_for_review
from portal.dates import long_date
from portal.demo import DEMO_LOGO
from portal.models import ClinicProfile
from tests.browser.helpers import ARTIFACTS, check_accessibility, screenshot
from tests.helpers import PASSWORD, import_translation, pdf_text, require_tool

pytestmark = pytest.mark.django_db(transaction=True)
PATIENT = "Zoë Núñez-O'Brien"


@pytest.fixture
def portal(
    live_server: LiveServer, sample_article: Article, clinic: ClinicProfile, clinician: User
) -> str:
    clinic.logo, clinic.logo_content_type = DEMO_LOGO.read_bytes(), "image/svg+xml"
    clinic.save()
    return live_server.url


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def checked(page: Page, html_validator: Callable[[Page], None], *, strict: bool = False) -> None:
    check_accessibility(page, strict=strict)
    html_validator(page)


def issue_handout_as_clinician(
    page: Page, base: str, html_validator: Callable[[Page], None]
) -> str:
    """Flow 1 up to the issued handout's page; returns its URL."""
    sign_in(page, base, "clinician")
    checked(page, html_validator)
    screenshot(page, "home")
    page.get_by_label("Find a condition by name, other name or ICD-10 code").fill("oedema")
    page.get_by_role("button", name="Search").click()
    checked(page, html_validator)
    screenshot(page, "library")
    page.get_by_role("link", name=re.compile("Bone marrow edema: a bruise")).first.click()
    checked(page, html_validator)
    screenshot(page, "article")
    page.get_by_role("link", name="Create handout").click()
    page.get_by_label("Patient's name, as it should be printed").fill(PATIENT)
    page.get_by_label("Rest (weeks)").fill("6")
    page.get_by_label("Muscle relaxation", exact=True).uncheck()
    page.get_by_label("Exercise in water").uncheck()
    checked(page, html_validator)
    screenshot(page, "builder")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_text(PATIENT).first).to_be_visible()
    checked(page, html_validator)
    page.get_by_role("button", name="Issue handout").first.click()
    page.wait_for_url(re.compile(r"/handouts/[0-9a-f-]{36}/$"))
    checked(page, html_validator)
    screenshot(page, "handout")
    return page.url


def test_a_clinician_issues_and_downloads_a_handout(
    portal: str, pages: Callable[..., Page], html_validator: Callable[[Page], None]
) -> None:
    page = pages(viewport={"width": 1280, "height": 900})
    issue_handout_as_clinician(page, portal, html_validator)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = download.value.path().read_bytes()
    text = pdf_text(pdf)
    last_rest_day = long_date(timezone.localdate() + datetime.timedelta(weeks=6, days=-1))
    assert PATIENT in text
    assert f"for 6 weeks, until {last_rest_day}" in text
    assert "Magnet treatment" in text and "Heat treatment" in text
    assert "Exercise in water" not in text
    first_page_image(pdf)


def first_page_image(pdf: bytes) -> None:
    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handout.pdf").write_bytes(pdf)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(folder / "handout.pdf"),
            str(folder / "handout-page-1"),
        ],
        check=True,
        timeout=60,
    )


def test_a_patient_opens_their_handout_on_a_phone(
    portal: str, pages: Callable[..., Page], html_validator: Callable[[Page], None]
) -> None:
    staff = pages(viewport={"width": 1280, "height": 900})
    handout_url = issue_handout_as_clinician(staff, portal, html_validator)
    staff.goto(handout_url)
    staff.get_by_role("button", name="Create patient link").click()
    link = staff.locator("code.user-select-all").inner_text()
    code = staff.locator(".share-secret .fs-3").inner_text()
    checked(staff, html_validator)

    phone = pages(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile",
    )
    phone.goto(link)
    checked(phone, html_validator, strict=True)
    screenshot(phone, "patient-code", widths=(375, 320))
    phone.get_by_label("Access code").fill("AAAA-BBBB")
    phone.get_by_role("button", name="Open handout").click()
    expect(phone.get_by_text("That code did not work")).to_be_visible()
    checked(phone, html_validator, strict=True)
    phone.get_by_label("Access code").fill(code.lower())
    phone.get_by_role("button", name="Open handout").click()
    phone.wait_for_url(re.compile(r"/handout/$"))
    expect(phone.get_by_text(PATIENT).first).to_be_visible()
    checked(phone, html_validator, strict=True)
    screenshot(phone, "patient-handout", widths=(375, 320))
    for width in (320, 375, 414):
        reads_well_on_a_phone(phone, width)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download the PDF").first.click()
    assert PATIENT in pdf_text(download.value.path().read_bytes())

    staff.goto(handout_url)
    expect(staff.get_by_text("Read by the patient on a phone")).to_be_visible()


# Words (in the handout, outside the name and the note, which may hold one unbroken string
# wider than the screen) whose letters the browser spread over more than one line.
BROKEN_WORDS_JS = """() => {
  const broken = [];
  const root = document.querySelector('.patient-handout');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.patient-name, .clinician-note, svg')) continue;
    for (const match of node.textContent.matchAll(/[^\\s–—-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def reads_well_on_a_phone(page: Page, width: int) -> None:
    """At phone width: the plan comes first with jump links to the rest, nothing scrolls
    sideways, no word is split, tables are stacked rows, and the clinic logo shows."""
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, width
    assert page.evaluate(BROKEN_WORDS_JS) == [], width
    headings = page.locator(".patient-handout h2").all_inner_texts()
    assert headings[0] == "Your plan", headings
    jump_links = page.get_by_role("navigation", name="In this handout")
    expect(jump_links.get_by_role("link", name="When to get help")).to_be_visible()
    expect(jump_links.get_by_role("link", name="Week by week")).to_be_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.patient-handout td')).display")
        == "block"
    )
    assert page.evaluate(
        "(() => { const logo = document.querySelector('.patient-handout img.logo');"
        " return logo.complete && logo.naturalWidth > 0; })()"
    ), width


def sign_in_with_code(page: Page, base: str, user: User) -> None:
    sign_in(page, base, user.username)
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()


def test_an_editor_drafts_a_change_a_reviewer_publishes_it_and_clinicians_see_it(
    portal: str,
    pages: Callable[..., Page],
    html_validator: Callable[[Page], None],
    editor: User,
    reviewer: User,
    sample_article: Article,
) -> None:
    page = pages(viewport={"width": 1280, "height": 900})
    sign_in_with_code(page, portal, editor)
    page.goto(portal + f"/admin/education/article/{sample_article.pk}/change/")
    checked(page, html_validator)
    page.get_by_role("button", name="Start a new draft").click()
    expect(page.get_by_text("This draft is not seen by clinicians")).to_be_visible()
    checked(page, html_validator)
    body = page.locator("textarea[name='sections-0-body']")
    body.fill("Bone marrow edema is **fluid inside the bone**, like a bruise you cannot see.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Sent for review")).to_be_visible()
    draft_url = page.url
    page.goto(portal + sample_article.get_absolute_url())
    expect(page.locator("strong", has_text="fluid inside the bone")).to_have_count(0)

    review = pages(viewport={"width": 1280, "height": 900})
    sign_in_with_code(review, portal, reviewer)
    review.goto(draft_url)
    review.get_by_role("link", name="Review and publish…").click()
    expect(review.locator("ins", has_text="fluid inside the bone")).to_be_visible()
    checked(review, html_validator)
    screenshot(review, "admin-publish")
    review.get_by_role("button", name="Approve and publish").click()
    expect(review.get_by_text("Published as version 2.")).to_be_visible()
    review.get_by_role("link", name="Versions and changes").click()
    checked(review, html_validator)

    page.goto(portal + sample_article.get_absolute_url())
    expect(page.locator("strong", has_text="fluid inside the bone")).to_be_visible()
    checked(page, html_validator)


def tab_to(page: Page, description: str, test: str, limit: int = 120) -> None:
    """Press Tab until the focused element passes `test` (JavaScript on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"Tab never reached {description}")


def test_the_builder_works_with_the_keyboard_alone(portal: str, pages: Callable[..., Page]) -> None:
    page = pages(viewport={"width": 1280, "height": 900})
    sign_in(page, portal, "clinician")
    page.goto(portal + "/handouts/new/bone-marrow-edema/en/")
    tab_to(page, "the name field", "el.name === 'patient_name'")
    page.keyboard.type("Keyboard Kim")
    tab_to(page, "the rest field", "el.name === 'rest_weeks'")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    tab_to(page, "a therapy checkbox", "el.type === 'checkbox' && el.name.endsWith('-include')")
    page.keyboard.press("Space")
    assert not page.evaluate("document.activeElement.checked")
    tab_to(
        page,
        "Issue handout",
        "el.tagName === 'BUTTON' && el.textContent.trim() === 'Issue handout'",
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/handouts/[0-9a-f-]{36}/$"))
    expect(page.get_by_text("Keyboard Kim")).to_be_visible()
    expect(page.get_by_text("5 weeks").first).to_be_visible()


def es(message: str) -> str:
    with translation.override("es"):
        return translation.gettext(message)


def test_a_clinician_working_in_spanish_gives_a_spanish_handout_read_on_a_phone(
    portal: str,
    pages: Callable[..., Page],
    html_validator: Callable[[Page], None],
    editor: User,
    reviewer: User,
) -> None:
    """The switcher turns the staff pages to Spanish; the builder's language line opens the
    Spanish article; the patient's pages are Spanish, accessible and fit a 320 px phone."""
    # The translation arrives as a content pack and is approved as every draft is.
    spanish = submit_for_review(import_translation("bone-marrow-edema", "es", editor), editor)
    publish(spanish, reviewer, override_reason="Sample content for the browser test.")
    staff = pages(viewport={"width": 1280, "height": 900})
    sign_in(staff, portal, "clinician")
    staff.get_by_label("Page language").select_option("es")
    staff.get_by_role("button", name="Change").click()
    expect(staff.locator("html")).to_have_attribute("lang", "es")
    expect(staff.get_by_role("button", name=es("Sign out"))).to_be_visible()
    checked(staff, html_validator)
    staff.goto(portal + "/handouts/new/bone-marrow-edema/en/")
    staff.get_by_role("link", name="Español").click()
    staff.get_by_label(es("Patient's name, as it should be printed")).fill(PATIENT)
    checked(staff, html_validator)
    screenshot(staff, "builder-es")
    staff.get_by_role("button", name=es("Issue handout")).first.click()
    staff.wait_for_url(re.compile(r"/handouts/[0-9a-f-]{36}/$"))
    staff.get_by_role("button", name=es("Create patient link")).click()
    link = staff.locator("code.user-select-all").inner_text()
    code = staff.locator(".share-secret .fs-3").inner_text()

    phone = pages(
        viewport={"width": 320, "height": 700}, is_mobile=True, has_touch=True, locale="en-US"
    )
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    checked(phone, html_validator, strict=True)
    phone.get_by_label(es("Access code")).fill(code)
    phone.get_by_role("button", name=es("Open handout")).click()
    phone.wait_for_url(re.compile(r"/handout/$"))
    expect(phone.get_by_text(PATIENT).first).to_be_visible()
    checked(phone, html_validator, strict=True)
    screenshot(phone, "patient-handout-es", widths=(320,))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    assert phone.evaluate(BROKEN_WORDS_JS) == []
    headings = phone.locator(".patient-handout h2").all_inner_texts()
    assert headings[0] == es("Your plan"), headings
