"""The engagement dashboard in a real browser: a Clinic lead reads it on a 320 px phone, and
it passes axe-core, the Nu HTML Checker and the Content Security Policy."""

import pytest

from benchmarks.scale import build_handouts
from tests.browser.helpers import check_accessibility, screenshot
from tests.browser.test_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clinic_lead_reads_the_dashboard_on_a_small_phone(
    live_server, pages, html_validator, clinic_lead, clinician, sample_article
):
    build_handouts(300)
    page = pages(viewport={"width": 320, "height": 640})
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    sign_in(page, live_server.url, "lead")
    page.get_by_role("link", name="Reports").click()

    check_accessibility(page, strict=False)
    html_validator(page)
    screenshot(page, "reports-dashboard", widths=(1280, 320))
    assert page.get_by_role("img", name="Handouts issued and opened, week by week").is_visible()
    assert page.get_by_role("img", name="Handouts issued and opened, by condition").is_visible()
    chart = page.locator("svg.chart").first.bounding_box()
    assert chart is not None and chart["width"] <= 320
    # Nothing but the tables (which scroll inside their own box) is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert not refused
