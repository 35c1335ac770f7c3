"""A visit's packet in a real browser: "Add a condition" fetches the condition's block and
inserts it without reloading the page (the test client covers the builder without
JavaScript, tests/handouts/test_packets.py), and the packet is issued as one handout."""

import re

import pytest
from playwright.sync_api import expect

from education.packs import load_shipped
from tests.browser.helpers import check_accessibility
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(live_server, clinic, clinician):
    for slug in ["ankle-sprain", "low-back-pain"]:
        load_shipped(slug, ["en"])
    return live_server.url


def test_a_clinician_adds_a_condition_in_place_and_issues_one_packet(portal, pages, html_validator):
    page = pages(viewport={"width": 1280, "height": 900})
    page.goto(portal + "/login/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(portal + "/handouts/new/ankle-sprain/en/")
    page.get_by_label("Patient's name, as it should be printed").fill("Ana Demo")
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Condition name, synonym or code").fill("low back pain")
    page.get_by_role("button", name="Add a condition").click()
    heading = page.get_by_role("heading", name="Low back pain", exact=True)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    assert page.evaluate("window.notReloaded") is True  # inserted, not a new page
    expect(page.get_by_label("Patient's name, as it should be printed")).to_have_value("Ana Demo")
    check_accessibility(page, strict=False)
    html_validator(page)

    # Removed in place, and added again by pressing Enter in the search.
    page.get_by_role("button", name="Remove Low back pain from this handout").click()
    expect(heading).to_have_count(0)
    page.get_by_label("Condition name, synonym or code").fill("low back pain")
    page.get_by_label("Condition name, synonym or code").press("Enter")
    expect(heading).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Issue handout").click()
    page.wait_for_url(re.compile(r"/handouts/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", name="Ankle sprain + Low back pain")).to_be_visible()
