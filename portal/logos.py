"""Validation of uploaded clinic logos (PNG or SVG), before they reach a handout."""

import io
import re
import xml.etree.ElementTree as ET

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from portal.models import ClinicProfile

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# SVG features that could run code, pull in other files or expand without bound.
SVG_FORBIDDEN = re.compile(
    rb"<!DOCTYPE|<!ENTITY|<script|<foreignObject|\son[a-z]+\s*=|javascript:|<iframe",
    re.IGNORECASE,
)
# Only same-document references (href="#id") are allowed.
SVG_EXTERNAL_HREF = re.compile(rb"href\s*=\s*[\"'](?!#)", re.IGNORECASE)


def validate_logo(data: bytes) -> str:
    """Return the logo's content type, or raise ValidationError saying what is wrong."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            gettext("The logo is %(size)d KB; the limit is %(limit)d KB.")
            % {"size": len(data) // 1024, "limit": MAX_LOGO_BYTES // 1024}
        )
    if data.startswith(PNG_SIGNATURE):
        return _validate_png(data)
    if b"<svg" in data[:4096].lower():
        return _validate_svg(data)
    raise ValidationError(gettext("The logo must be a PNG or SVG file."))


def _validate_png(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(gettext("This PNG file is damaged or incomplete.")) from None
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(
            gettext("The logo is %(width)d×%(height)d pixels; at most %(maximum)d.")
            % {"width": width, "height": height, "maximum": MAX_LOGO_PIXELS}
        )
    return "image/png"


def _validate_svg(data: bytes) -> str:
    if SVG_FORBIDDEN.search(data) or SVG_EXTERNAL_HREF.search(data):
        raise ValidationError(
            gettext("This SVG contains scripts, external links or entities; export a plain SVG.")
        )
    try:
        root = ET.fromstring(data)  # noqa: S314  (DOCTYPE and entities are refused above)
    except ET.ParseError:
        raise ValidationError(gettext("This SVG file is not valid XML.")) from None
    if not root.tag.endswith("svg"):
        raise ValidationError(gettext("The logo must be a PNG or SVG file."))
    return "image/svg+xml"


def logo_response(clinic: ClinicProfile) -> HttpResponse:
    """The clinic logo as an image response, for pages that show a handout (staff previews
    and the patient's reading view); 404 while there is none."""
    if not clinic.has_logo:
        raise Http404
    response = HttpResponse(bytes(clinic.logo), content_type=clinic.logo_content_type)
    # An SVG opened on its own must not be able to run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=300"
    return response
