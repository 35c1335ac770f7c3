"""Template helpers for handouts: pictograms, phone numbers kept on one line, and the
handout's content as one include. Dates come from portal's `dates` library."""

import re
from itertools import cycle

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

from handouts.pdf.pictograms import pictogram as pictogram_svg
from portal.models import ClinicProfile

register = template.Library()


@register.simple_tag
def pictogram(name: str, alt: str) -> SafeString:
    return pictogram_svg(name, alt)


@register.filter
def phone(number: str) -> SafeString:
    """A phone number that never breaks across lines: "+1 555 / 0199" is easy to misdial, on
    paper, on a narrow phone screen and on a call button alike (handout.css, site.css)."""
    return format_html('<span class="phone">{}</span>', number)


@register.filter
def numbers_kept_whole(text: str, clinic: ClinicProfile) -> SafeString:
    """The text, escaped, with every one of the clinic's numbers in it kept on one line."""
    numbers = {clinic.phone, clinic.after_hours_phone, clinic.emergency_number} - {""}
    if not numbers:
        return conditional_escape(text)
    # Longest first, in one pass: a short number inside a longer one ("112" in "+44 112 ...")
    # is never wrapped twice. The split keeps the numbers at the odd places.
    pattern = "|".join(re.escape(n) for n in sorted(numbers, key=len, reverse=True))
    parts = re.split(f"({pattern})", text)
    return format_html_join(
        "", "{}", ((phone(part) if odd else part,) for odd, part in zip(cycle([0, 1]), parts))
    )


@register.inclusion_tag("handouts/includes/handout_content.html")
def handout_content(context: dict) -> dict:
    """The handout's content from a context built by handouts.pdf.render.handout_context."""
    return context
