"""Validation of uploaded clinic logos (PNG or SVG), before they reach a handout.

Every handout and access slip draws the logo, so one logo that is slow to draw stops everyone
issuing. A PNG's size is read from its header before Pillow decodes anything. An SVG is parsed
by expat with any DTD refused (so no entities), rebuilt from an allow-list of elements and
attributes (shapes, paths, text, gradients, groups, same-document references), and its
references are counted as drawn; the rebuilt SVG is what is stored. Last, every logo is drawn
once on its own, in a child process killed at a limit, and refused if that takes over a second
of processor time.
"""

import functools
import io
import re
import struct
import time
import types
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, NoReturn
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from portal.models import ClinicProfile
from portal.time_limit import TimeLimitExceeded, WorkFailed, run_with_time_limit

if TYPE_CHECKING:
    import weasyprint

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A logo that takes longer than this to draw on its own is refused. It is processor time, so
# a busy server does not refuse a logo that a quiet one accepts.
MAX_LOGO_DRAW_SECONDS = 1.0
# The drawing process is killed after this long on the clock: the second above, room for a
# fresh process to load its fonts first (not counted), and for other work on the machine.
LOGO_DRAW_KILL_SECONDS = 5.0
LOGO_URL = "portal-logo:upload"  # the only resource the drawing page may load

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath",
    }
)  # fmt: skip
SVG_ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "transform", "version", "viewBox", "preserveAspectRatio",
        "x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "d", "points", "pathLength", "dx", "dy", "rotate", "textLength", "lengthAdjust",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
        "stroke-dashoffset", "opacity", "color", "display", "visibility", "paint-order",
        "clip-path", "clip-rule", "clipPathUnits", "vector-effect", "shape-rendering",
        "font-family", "font-size", "font-weight", "font-style", "font-variant",
        "letter-spacing", "word-spacing", "text-anchor", "dominant-baseline",
        "alignment-baseline", "baseline-shift", "text-decoration", "text-rendering",
        "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy", "fr", "offset",
        "stop-color", "stop-opacity", "role", "aria-label", "aria-labelledby", "aria-hidden",
    }
)  # fmt: skip
TEXT_ELEMENTS = frozenset({"text", "tspan", "title", "desc", "style"})
GRADIENTS = frozenset({"linearGradient", "radialGradient"})
# Refused with a message, in any namespace (a namespaced <s:script> too), rather than dropped
# like an editor's metadata: a logo that carries them was not exported as a plain drawing.
SVG_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
)
SVG_UNSAFE_VALUE = re.compile(r"javascript:|@import|expression\s*\(", re.IGNORECASE)
SVG_URL_REFERENCE = re.compile(r"url\(\s*['\"]?([^)'\"]*)", re.IGNORECASE)
# Drawn in full, with every reference expanded where it is used, a logo has at most this many
# parts (WeasyPrint draws about 1,500 a second), references nest at most this deep, and
# elements nest at most this deep.
MAX_SVG_DRAWN_PARTS = 1000
MAX_SVG_REFERENCE_DEPTH = 4
MAX_SVG_NESTING = 32


class _UnsafeSvg(Exception):
    pass


class _TooComplexSvg(Exception):
    pass


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """The logo as it is to be stored, and its content type; or ValidationError saying what
    is wrong."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            gettext("The logo is %(size)d KB; the limit is %(limit)d KB.")
            % {"size": len(data) // 1024, "limit": MAX_LOGO_BYTES // 1024}
        )
    if data.startswith(PNG_SIGNATURE):
        logo = data, _validate_png(data)
    elif b"<svg" in data[:4096].lower():
        logo = _clean_svg(data), "image/svg+xml"
    else:
        raise ValidationError(gettext("The logo must be a PNG or SVG file."))
    _check_draw_time(*logo)
    return logo


def _validate_png(data: bytes) -> str:
    # The size comes from the header (IHDR, always the first chunk), before Pillow decodes
    # anything: a few bytes can claim a size whose decoding would exhaust the memory.
    if data[12:16] != b"IHDR":
        raise ValidationError(gettext("This PNG file is damaged or incomplete."))
    width, height = struct.unpack(">II", data[16:24])
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(
            gettext("The logo is %(width)d×%(height)d pixels; at most %(maximum)d.")
            % {"width": width, "height": height, "maximum": MAX_LOGO_PIXELS}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(gettext("This PNG file is damaged or incomplete.")) from None
    return "image/png"


def _clean_svg(data: bytes) -> bytes:
    try:
        root = _parse_svg(data)
        if _split(root.tag) not in {(SVG_NS, "svg"), ("", "svg")}:
            raise ValidationError(gettext("The logo must be a PNG or SVG file."))
        clean = _allowed_part(root, depth=0)
        assert clean is not None  # the root is an <svg>
        _check_references(clean)
    except _UnsafeSvg:
        raise ValidationError(
            gettext("This SVG contains scripts, external links or entities; export a plain SVG.")
        ) from None
    except (_TooComplexSvg, RecursionError):
        raise ValidationError(
            gettext(
                "This SVG is too complex for a logo: drawn in full, its parts refer to each "
                "other too often or too deeply. Simplify it, or upload a PNG instead."
            )
        ) from None
    except expat.ExpatError:
        raise ValidationError(gettext("This SVG file is not valid XML.")) from None
    clean.set("xmlns", SVG_NS)  # every part kept is SVG, written without a prefix
    return ET.tostring(clean, encoding="utf-8")


def _parse_svg(data: bytes) -> ET.Element:
    """The document's tree, from expat with any DTD refused: no entity is ever declared, so
    none can expand or reach outside the document."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> NoReturn:
        raise _UnsafeSvg

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = lambda name, attributes: builder.start(
        _qualified(name), {_qualified(key): value for key, value in attributes.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(_qualified(name))
    parser.CharacterDataHandler = builder.data
    parser.Parse(data, True)
    return builder.close()


def _qualified(expat_name: str) -> str:
    namespace, _, name = expat_name.rpartition(" ")
    return f"{{{namespace}}}{name}" if namespace else name


def _split(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _allowed_part(element: ET.Element, *, depth: int) -> ET.Element | None:
    """A copy of the element with only allowed children and attributes; None for an element
    that is not allowed (an editor's metadata). Raises _UnsafeSvg for anything that could run
    code or load something from elsewhere."""
    namespace, name = _split(element.tag)
    if name.lower() in SVG_FORBIDDEN_ELEMENTS:
        raise _UnsafeSvg
    attributes = {}
    for key, value in element.attrib.items():
        attribute_namespace, attribute = _split(key)
        if attribute.lower().startswith("on") or not _safe_value(value):
            raise _UnsafeSvg
        if attribute == "href" and attribute_namespace in {"", XLINK_NS}:
            if not value.strip().startswith("#"):
                raise _UnsafeSvg
            attributes["href"] = value.strip()  # SVG 2 reads a plain href
        elif not attribute_namespace and attribute in SVG_ATTRIBUTES:
            attributes[attribute] = value
    if namespace not in {SVG_NS, ""} or name not in SVG_ELEMENTS:
        return None
    if depth > MAX_SVG_NESTING:
        raise _TooComplexSvg
    clean = ET.Element(name, attributes)
    if name in TEXT_ELEMENTS:
        clean.text = element.text
        if not _safe_value(element.text or ""):
            raise _UnsafeSvg
    for child in element:
        kept = _allowed_part(child, depth=depth + 1)
        if kept is not None:
            kept.tail = child.tail if name in TEXT_ELEMENTS else None
            clean.append(kept)
    return clean


def _safe_value(value: str) -> bool:
    """No script, no style import, and url(...) only to a part of the same document."""
    return not SVG_UNSAFE_VALUE.search(value) and all(
        reference.strip().startswith("#") for reference in SVG_URL_REFERENCE.findall(value)
    )


def _references(element: ET.Element) -> list[str]:
    found = [value for key, value in element.attrib.items() if key == "href"]
    for value in [*element.attrib.values(), element.text or ""]:
        found += SVG_URL_REFERENCE.findall(value)
    return [reference.strip().removeprefix("#") for reference in found]


def _check_references(root: ET.Element) -> None:
    """Raise _TooComplexSvg when the logo, drawn with every reference expanded where it is
    used (as a renderer does), has too many parts, or references nest too deeply or loop."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    measured: dict[int, tuple[int, int]] = {}  # id(element) -> (parts drawn, nesting)
    open_now: set[int] = set()

    def measure(element: ET.Element) -> tuple[int, int]:
        key = id(element)
        if key in measured:
            return measured[key]
        if key in open_now:
            raise _TooComplexSvg  # a reference loop
        open_now.add(key)
        parts, nesting = 1, 0
        for child in element:
            child_parts, child_nesting = measure(child)
            parts, nesting = parts + child_parts, max(nesting, child_nesting)
        for reference in _references(element):
            target = by_id.get(reference)
            if target is not None:
                target_parts, target_nesting = measure(target)
                # A gradient is painted once, however many shapes it fills.
                parts += 1 if target.tag in GRADIENTS else target_parts
                nesting = max(nesting, target_nesting + 1)
        if parts > MAX_SVG_DRAWN_PARTS or nesting > MAX_SVG_REFERENCE_DEPTH:
            raise _TooComplexSvg
        open_now.discard(key)
        measured[key] = parts, nesting
        return parts, nesting

    measure(root)


def _check_draw_time(data: bytes, content_type: str) -> None:
    _weasyprint()  # imported here, so the drawing process does not import it again
    try:
        seconds = run_with_time_limit(
            functools.partial(logo_draw_seconds, data, content_type), LOGO_DRAW_KILL_SECONDS
        )
    except TimeLimitExceeded:
        seconds = LOGO_DRAW_KILL_SECONDS
    except WorkFailed:
        raise ValidationError(
            gettext("This logo could not be drawn; export it again as a plain PNG or SVG.")
        ) from None
    if seconds > MAX_LOGO_DRAW_SECONDS:
        raise ValidationError(
            gettext(
                "This logo takes more than a second to draw, and every handout draws it. "
                "Simplify it, or upload a PNG instead."
            )
        )


def logo_draw_seconds(data: bytes, content_type: str) -> float:
    """The processor time WeasyPrint takes to draw the logo alone on a page, after drawing an
    empty page first (a fresh process loads its fonts then, and that is not the logo's time)."""
    weasyprint = _weasyprint()
    fetcher = _logo_fetcher_class()(data, content_type)
    weasyprint.HTML(string="<p>", url_fetcher=fetcher).write_pdf()
    start = time.process_time()
    html = f'<img src="{LOGO_URL}" alt="" style="max-height: 44pt; max-width: 150pt">'
    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return time.process_time() - start


@functools.cache
def _weasyprint() -> types.ModuleType:
    import weasyprint

    return weasyprint


@functools.cache
def _logo_fetcher_class() -> "type[weasyprint.urls.URLFetcher]":
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LogoFetcher(URLFetcher):
        """Serves the logo and nothing else."""

        def __init__(self, data: bytes, content_type: str):
            super().__init__(allowed_protocols=())
            self.logo = data, content_type

        def fetch(
            self, url: str, headers: dict[str, str] | None = None
        ) -> "weasyprint.urls.URLFetcherResponse":
            if url != LOGO_URL:
                raise ValueError("Only the logo is drawn.")
            data, content_type = self.logo
            return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})

    return LogoFetcher


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
