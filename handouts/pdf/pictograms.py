"""Pictograms for the plan's key actions, from Tabler Icons (npm package @tabler/icons, MIT
licence; `make` installs it into node_modules).

Each is inlined as SVG: WeasyPrint tags it in the PDF as a figure whose alternative text is
the SVG's <title>; on web pages `aria-hidden` hides it from screen readers, because the text
beside it says the same.
"""

import functools
import re

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

PICTOGRAM_DIR = settings.BASE_DIR / "node_modules" / "@tabler" / "icons" / "icons" / "outline"
# What the plan uses; a test checks that each one is installed.
PICTOGRAMS = (
    "bed",
    "walk",
    "barbell",
    "crutches",
    "bandage",
    "snowflake",
    "flame",
    "arrow-bar-up",
    "stretching",
    "briefcase",
    "calendar-event",
    "phone",
    "ambulance",
)
_SVG_CONTENT = re.compile(r"<svg[^>]*>(.*)</svg>", re.DOTALL)


@functools.cache
def _drawing(name: str) -> str:
    """The shapes inside the icon's <svg> element (read once per process)."""
    if name not in PICTOGRAMS:
        raise ValueError(f"Unknown pictogram {name!r}")
    source = (PICTOGRAM_DIR / f"{name}.svg").read_text(encoding="utf-8")
    match = _SVG_CONTENT.search(source)
    if match is None:
        raise ValueError(f"{name}.svg has no <svg> element")
    return " ".join(match.group(1).split())


def pictogram(name: str, alt: str) -> SafeString:
    return format_html(
        '<svg class="pictogram pictogram-{}" xmlns="http://www.w3.org/2000/svg" width="24" '
        'height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
        "<title>{}</title>{}</svg>",
        name,
        alt,
        mark_safe(_drawing(name)),  # noqa: S308  (our own installed files)
    )
