"""Handout PDFs: snapshot + choices + clinic profile -> HTML from templates/handouts/pdf/ ->
WeasyPrint -> PDF bytes. The same input gives the same bytes.

WeasyPrint is imported on first use (it costs about 360 ms), and one FontConfiguration and the
parsed print stylesheets are shared by every render in the process: a FontConfiguration per
render leaks memory, and parsing the stylesheet loads the fonts.
"""

import datetime
import functools
import logging
import mimetypes
import ssl
import threading
import types
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation

from handouts.models import Handout
from handouts.pdf.fonts import HANDOUT_FONTS, font_families, font_file
from handouts.plan import (
    help_tiers,
    how_long,
    how_often,
    ongoing_limits,
    personal_plan,
    timeline_activity,
)
from handouts.timeline import back_to_activity_from, treatment_timeline
from portal.models import ClinicProfile

if TYPE_CHECKING:  # imported on first use at run time (see above)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

logger = logging.getLogger(__name__)

STATIC_SCHEME = "portal-static:"
FONT_SCHEME = "portal-font:"
LOGO_URL = "portal-logo:clinic"
STYLESHEET_TEMPLATE = "handouts/pdf/handout.css"
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class PdfRenderError(Exception):
    """The PDF could not be produced; the message is safe to log (no patient data)."""


class PdfRenderBusy(PdfRenderError):
    """PDF_RENDER_CONCURRENCY renders were already running in this process, and none finished
    within PDF_RENDER_WAIT_SECONDS: nothing was rendered, and trying again later will work."""


def render_handout_pdf(handout: Handout, clinic: ClinicProfile, *, preview_note: str = "") -> bytes:
    """`preview_note` marks a PDF that is never given to a patient (a draft's preview)."""
    note_language = handout.note_language_if_different
    return render_pdf(
        handout_html(handout, clinic, preview_note=preview_note),
        logo=clinic_logo(clinic),
        identifier=handout.public_id.hex.encode(),
        paper_size=handout.paper_size,
        quotes_in=[(handout.clinician_note, note_language)] if note_language else [],
    )


def render_access_slip_pdf(
    handout: Handout,
    clinic: ClinicProfile,
    *,
    url: str,
    display_code: str,
    created_at: datetime.datetime,
    expires_at: datetime.datetime,
) -> bytes:
    """One page telling the patient how to open their handout online. It names neither the
    patient nor the condition: a lost slip must not reveal whose handout it opens."""
    with translation.override(handout.language):
        qr_title = translation.gettext("QR code that opens your handout online")
    context = {
        "language": handout.language,
        "clinic": clinic,
        "logo_url": LOGO_URL if clinic.has_logo else "",
        "url": url,
        "code": display_code,
        "created_at": created_at,
        "expires_at": expires_at,
        "qr_svg": segno.make(url, error="m").svg_inline(omitsize=True, border=2, title=qr_title),
    }
    with translation.override(handout.language):
        html = render_to_string("handouts/pdf/access_slip.html", context)
    return render_pdf(
        html, logo=clinic_logo(clinic), identifier=url.encode(), paper_size=handout.paper_size
    )


def handout_html(handout: Handout, clinic: ClinicProfile, *, preview_note: str = "") -> str:
    # The preview note is staff wording, in the language active before the handout's own.
    context = {
        **handout_context(handout, clinic),
        "preview_note": preview_note,
        "preview_note_language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    with translation.override(handout.language):
        return render_to_string("handouts/pdf/handout.html", context)


def handout_content_html(context: dict) -> str:
    """The handout's content (the include the PDF, the preview and the reading view share),
    from a context built by handout_context, in the handout's language."""
    with translation.override(context["handout"].language):
        return render_to_string("handouts/includes/handout_content.html", context)


def handout_context(handout: Handout, clinic: ClinicProfile) -> dict:
    snapshot = handout.snapshot
    article = snapshot["article"]
    with translation.override(handout.language):
        timeline = treatment_timeline(handout)  # its rows name aids in the handout's language
        back_to = back_to_activity_from(timeline, handout.visit_date)
        return {
            "handout": handout,
            "clinic": clinic,
            "logo_url": LOGO_URL if clinic.has_logo else "",
            "static": STATIC_SCHEME,
            "article": article,
            "condition": snapshot["condition"],
            "in_brief": article.get("in_brief") or article["summary"],
            "plan": personal_plan(handout),
            "help_tiers": help_tiers(handout, clinic),
            "timeline": timeline,
            "rest_activity": timeline_activity(handout),
            "ongoing_limits": ongoing_limits(handout),
            "back_to_activity_from": back_to,
            # A plan that runs into another year says which year each date is in.
            "timeline_years": back_to.year != handout.visit_date.year,
            "therapies": [
                {
                    **therapy,
                    "how_often": how_often(therapy["times_per_week"]),
                    "how_long": how_long(therapy["weeks"]),
                }
                for therapy in handout.chosen_therapies()
            ],
            "prevention_tips": handout.chosen_prevention_tips(),
            "background_sections": handout.background_sections(),
            "rest_note": snapshot["rest_guidance"]["note"],
            "sources": snapshot["sources"],
        }


PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def render_pdf(
    html: str,
    *,
    logo: tuple[bytes, str] | None = None,
    identifier: bytes,
    paper_size: str = "a4",
    quotes_in: Sequence[tuple[str, str]] = (),
) -> bytes:
    slots = render_slots()
    if not slots.acquire(timeout=settings.PDF_RENDER_WAIT_SECONDS):
        logger.warning("Handout PDF not rendered: every render slot stayed busy")
        raise PdfRenderBusy("Every PDF render slot is busy.")
    try:
        # Imported on first use, like WeasyPrint: pikepdf takes about 100 ms to import.
        from handouts.pdf.tagging import finish_tagged_pdf

        document = lay_out(html, logo=logo, paper_size=paper_size)
        return finish_tagged_pdf(
            document.write_pdf(pdf_identifier=identifier, **PDF_OPTIONS), quotes_in
        )
    except Exception as error:
        logger.exception("Handout PDF rendering failed (%s)", type(error).__name__)
        raise PdfRenderError("The PDF could not be rendered.") from error
    finally:
        slots.release()


def lay_out(
    html: str, *, logo: tuple[bytes, str] | None = None, paper_size: str = "a4"
) -> "weasyprint.Document":
    """WeasyPrint's laid-out pages for the HTML, before they are written as PDF."""
    return (
        _weasyprint()
        .HTML(string=html, url_fetcher=handout_url_fetcher(logo))
        .render(
            stylesheets=[_stylesheet(), _page_size_stylesheet(paper_size)],
            font_config=_font_configuration(),
            **PDF_OPTIONS,
        )
    )


def clinic_logo(clinic: ClinicProfile) -> tuple[bytes, str] | None:
    return (bytes(clinic.logo), clinic.logo_content_type) if clinic.has_logo else None


# --- Shared per process -------------------------------------------------------------------


@functools.cache
def render_slots() -> threading.BoundedSemaphore:
    """At most PDF_RENDER_CONCURRENCY renders at once in this process: a burst of issues queues
    for a slot instead of holding every render's memory at the same time."""
    return threading.BoundedSemaphore(settings.PDF_RENDER_CONCURRENCY)


@functools.cache
def _weasyprint() -> types.ModuleType:
    import weasyprint

    return weasyprint


@functools.cache
def _font_configuration() -> "FontConfiguration":
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def stylesheet_text() -> str:
    return render_to_string(
        STYLESHEET_TEMPLATE,
        {
            "static": STATIC_SCHEME,
            "fonts": FONT_SCHEME,
            "font_faces": HANDOUT_FONTS,
            "font_families": font_families(),
        },
    )


def page_size_css(paper_size: str) -> str:
    return f"@page {{ size: {PAGE_SIZES.get(paper_size, 'A4')}; }}"


@functools.cache
def _stylesheet() -> "weasyprint.CSS":
    return _weasyprint().CSS(
        string=stylesheet_text(),
        font_config=_font_configuration(),
        url_fetcher=handout_url_fetcher(),
    )


@functools.cache
def _page_size_stylesheet(paper_size: str) -> "weasyprint.CSS":
    return _weasyprint().CSS(string=page_size_css(paper_size), font_config=_font_configuration())


# --- Resources ----------------------------------------------------------------------------


def static_file_path(relative: str) -> Path | None:
    """Our own static file (fonts, images), or None. Never leaves the static directories."""
    try:
        found: str | Path | None = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
            root = Path(settings.STATIC_ROOT).resolve()
            found = candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


def own_file_path(url: str) -> Path | None:
    """The file behind one of our own resource URLs (static files, handout fonts), or None."""
    if url.startswith(STATIC_SCHEME):
        return static_file_path(url.removeprefix(STATIC_SCHEME))
    if url.startswith(FONT_SCHEME):
        return font_file(url.removeprefix(FONT_SCHEME))
    return None


def handout_url_fetcher(logo: tuple[bytes, str] | None = None) -> "weasyprint.urls.URLFetcher":
    """A WeasyPrint URL fetcher that loads our static files, the handout fonts and the clinic
    logo, and nothing else: no network, no other local files, no data: URLs. A refused
    resource is left out and the rest of the document still renders."""
    return _restricted_fetcher_class()(logo)


@functools.cache
def _unused_ssl_context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@functools.cache
def _restricted_fetcher_class() -> "type[weasyprint.urls.URLFetcher]":
    # Defined on first use so that importing this module does not import WeasyPrint.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):
        def __init__(self, logo: tuple[bytes, str] | None = None):
            # WeasyPrint's fetcher builds an HTTPS handler; without a context of its own that
            # loads the system's CA certificates, about 25 ms on every render. This fetcher
            # never opens a connection, so a bare context that is never used will do.
            super().__init__(allowed_protocols=(), ssl_context=_unused_ssl_context())
            self.logo = logo

        def fetch(
            self, url: str, headers: dict[str, str] | None = None
        ) -> "weasyprint.urls.URLFetcherResponse":
            path = own_file_path(url)
            if path:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": content_type}
                )
            if url == LOGO_URL and self.logo:
                data, content_type = self.logo
                return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})
            scheme = url.split(":", 1)[0][:20]
            logger.warning("Refused a %s: resource while rendering a handout", scheme)
            raise ValueError("Resource refused: handouts load only the portal's own files.")

    return RestrictedURLFetcher
