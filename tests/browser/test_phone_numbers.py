"""On a phone, the patient's reading view never splits a phone number across lines ("+1 555 /
0199" is easy to misdial), in the text or on the call buttons, from 320 px up."""

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from education.models import Article
from handouts.models import Handout
from handouts.sharing import create_share_link
from portal.models import ClinicProfile
from tests.handouts.helpers import open_url

pytestmark = pytest.mark.django_db(transaction=True)

# Each place a number is printed in the handout: how many lines its letters take, and whether
# it is a call button's label.
NUMBER_LINES_JS = """(numbers) => {
  const found = [];
  const root = document.querySelector('.patient-handout');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const number of numbers) {
      for (let at = node.textContent.indexOf(number); at !== -1;
           at = node.textContent.indexOf(number, at + number.length)) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + number.length);
        const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        const link = node.parentElement.closest('a[href^="tel:"]');
        found.push({number, lines: tops.size, button: link ? link.getAttribute('href') : ''});
      }
    }
  }
  return found;
}"""


@pytest.fixture
def reading_view(
    live_server: LiveServer,
    pages: Callable[..., Page],
    issue: Callable[..., Handout],
    sample_article: Article,
    clinic: ClinicProfile,
    clinician: User,
) -> tuple[Page, ClinicProfile]:
    """The patient's reading view on a phone, the code already entered."""
    clinic.phone, clinic.after_hours_phone = "+1 (555) 010-0100", "+1 (555) 010-0199"
    clinic.save()
    shared = create_share_link(issue(sample_article), staff=clinician)
    phone = pages(viewport={"width": 320, "height": 800}, is_mobile=True, has_touch=True)
    phone.goto(live_server.url + open_url(shared.token))
    phone.get_by_label("Access code").fill(shared.code)
    phone.get_by_role("button", name="Open handout").click()
    phone.wait_for_url(re.compile(r"/handout/$"))
    return phone, clinic


def test_no_phone_number_breaks_across_lines_in_the_reading_view_from_320_px(
    reading_view: tuple[Page, ClinicProfile],
) -> None:
    phone, clinic = reading_view
    numbers = [clinic.phone, clinic.after_hours_phone, clinic.emergency_number]
    for width in range(320, 420, 6):
        phone.set_viewport_size({"width": width, "height": 800})
        found = phone.evaluate(NUMBER_LINES_JS, numbers)
        split = [place for place in found if place["lines"] > 1]  # 0: not shown at this width
        assert split == [], width
        buttons = {place["button"] for place in found if place["button"]}
        assert buttons == {"tel:+15550100100", "tel:911"}, width
        # Kept whole, and still nothing wider than the screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= width, width
