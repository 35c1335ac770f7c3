"""Handout PDFs: snapshot + choices + clinic profile -> HTML from templates/handouts/pdf/ ->
WeasyPrint -> PDF bytes. The same input gives the same bytes.

WeasyPrint is imported on first use (it costs about 360 ms), and one FontConfiguration and the
parsed print stylesheets are shared by every render in the process: a FontConfiguration per
render leaks memory, and parsing the stylesheet loads the fonts.

The PDF is drawn in a child process (portal.time_limit), kept from one render to the next and
killed past PDF_RENDER_TIME_LIMIT_SECONDS: nothing else can stop WeasyPrint, and one PDF that
cannot be drawn (a pathological logo) must not hold the worker until gunicorn kills it.
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

from handouts.models import Handout, HandoutCondition
from handouts.pdf.fonts import HANDOUT_FONTS, font_families, font_file
from handouts.plan import (
    help_tiers,
    how_long,
    how_often,
    ongoing_limits,
    personal_plan,
    timeline_activity,
    whom_to_call,
)
from handouts.teach_back import grouped, handout_questions
from handouts.timeline import back_to_activity_from, treatment_timeline
from portal.models import ClinicProfile
from portal.time_limit import TimeLimitExceeded, WorkFailed, run_with_time_limit

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


class PdfRenderTooSlow(PdfRenderError):
    """The render ran past PDF_RENDER_TIME_LIMIT_SECONDS and was stopped: nothing was made.
    A clinic logo too complex to draw is the likely cause; trying again will not help."""


def render_handout_pdf(handout: Handout, clinic: ClinicProfile, *, preview_note: str = "") -> bytes:
    """`preview_note` marks a PDF that is never given to a patient (a draft's preview).

    A visit's packet prints whom to call before its plans from the start: its plans seldom
    leave room for the whole of "When to get help" on page 1, and trying first would lay the
    whole packet out twice."""
    note_language = handout.note_language_if_different
    packet = handout.is_packet
    return render_pdf(
        handout_html(handout, clinic, preview_note=preview_note, whom_to_call_first=packet),
        logo=clinic_logo(clinic),
        identifier=handout.public_id.hex.encode(),
        paper_size=handout.paper_size,
        quotes_in=[(handout.clinician_note, note_language)] if note_language else [],
        page_one_fallback=None
        if packet
        else handout_html(handout, clinic, preview_note=preview_note, whom_to_call_first=True),
    )


# The emergency tier of "When to get help", whole or in short (handout_content.html): never
# split, so where it starts it is. On page 1, the clinic's numbers are there too.
EMERGENCY_TIERS = ("help-emergency", "whom-to-call-emergency")


def help_starts_on_page_one(document: "weasyprint.Document") -> bool:
    """Page 1 holds "When to get help" up to its emergency number (issue 21): after the plan
    when the plan leaves room for it, else in short before the plan (whom_to_call)."""
    return any(anchor in document.pages[0].anchors for anchor in EMERGENCY_TIERS)


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


def handout_html(
    handout: Handout,
    clinic: ClinicProfile,
    *,
    preview_note: str = "",
    whom_to_call_first: bool = False,
) -> str:
    """`whom_to_call_first` prints whom to call before the plan, as large print always does:
    for a plan too long for the whole of "When to get help" to follow it on page 1."""
    # The preview note is staff wording, in the language active before the handout's own.
    context = {
        **handout_context(handout, clinic),
        "preview_note": preview_note,
        "preview_note_language": translation.get_language() or settings.LANGUAGE_CODE,
        "whom_to_call_first": whom_to_call_first or handout.large_print,
    }
    with translation.override(handout.language):
        return render_to_string("handouts/pdf/handout.html", context)


def handout_content_html(context: dict) -> str:
    """The handout's content (the include the PDF, the preview and the reading view share),
    from a context built by handout_context, in the handout's language."""
    with translation.override(context["handout"].language):
        return render_to_string("handouts/includes/handout_content.html", context)


def handout_context(handout: Handout, clinic: ClinicProfile) -> dict:
    """What handout_content.html shows: the visit's (patient, "When to get help" for all its
    conditions) and each condition's (`parts`, condition_context). The first condition's are
    also at the top level, as a one-condition handout's template reads them."""
    with translation.override(handout.language):
        parts = [condition_context(condition) for condition in handout.condition_list]
        packet = len(parts) > 1
        for part in parts:
            part["heading"], part["subheading"] = ("h3", "h4") if packet else ("h2", "h3")
        return {
            **parts[0],
            "parts": parts,
            "packet": packet,
            "handout": handout,
            "clinic": clinic,
            "logo_url": LOGO_URL if clinic.has_logo else "",
            "static": STATIC_SCHEME,
            "needs_clinical_review": any(p["article"].get("needs_clinical_review") for p in parts),
            # Printed as "Check yourself" (the reading view asks them on a page of its own).
            "check_questions": grouped(
                [q.shown for q in handout_questions(handout, clinic, [p["plan"] for p in parts])],
                lambda question: question.condition,
            ),
            "help_tiers": help_tiers(handout, clinic),
            "whom_to_call": whom_to_call(clinic),
            # Each source once, however many of the conditions cite it.
            "sources": list({s["citation"]: s for part in parts for s in part["sources"]}.values()),
        }


def condition_context(condition: HandoutCondition) -> dict:
    """One condition's part of the handout: its plan, tables and background. Called in the
    handout's language."""
    snapshot = condition.snapshot
    article = snapshot["article"]
    timeline = treatment_timeline(condition)  # its rows name aids in the handout's language
    back_to = back_to_activity_from(timeline, condition.visit_date)
    return {
        "article": article,
        "condition": snapshot["condition"],
        "name": snapshot["condition"]["name"],
        "anchor": condition.anchor,
        "in_brief": article.get("in_brief") or article["summary"],
        "plan": personal_plan(condition),
        "timeline": timeline,
        "rest_activity": timeline_activity(condition),
        "ongoing_limits": ongoing_limits(condition),
        "back_to_activity_from": back_to,
        # A plan that runs into another year says which year each date is in.
        "timeline_years": back_to.year != condition.visit_date.year,
        "therapies": [
            {
                **therapy,
                "how_often": how_often(therapy["times_per_week"]),
                "how_long": how_long(therapy["weeks"]),
            }
            for therapy in condition.chosen_therapies()
        ],
        "prevention_tips": condition.chosen_prevention_tips(),
        "background_sections": condition.background_sections(),
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
    page_one_fallback: str | None = None,
) -> bytes:
    """`page_one_fallback` is HTML laid out instead when the first layout's page 1 does not
    reach the help box's emergency number (help_starts_on_page_one): the same pages always
    choose the same way, so the same input still gives the same bytes. Both are made here
    and handed to the render child, which may not touch the database."""
    slots = render_slots()
    if not slots.acquire(timeout=settings.PDF_RENDER_WAIT_SECONDS):
        logger.warning("Handout PDF not rendered: every render slot stayed busy")
        raise PdfRenderBusy("Every PDF render slot is busy.")
    limit = settings.PDF_RENDER_TIME_LIMIT_SECONDS
    try:
        _warm_up(paper_size)
        return run_with_time_limit(
            functools.partial(
                _write_pdf,
                html,
                logo=logo,
                identifier=identifier,
                paper_size=paper_size,
                quotes_in=quotes_in,
                page_one_fallback=page_one_fallback,
            ),
            limit,
        )
    except TimeLimitExceeded as error:
        logger.error("Handout PDF not rendered: still drawing after %s s, so stopped", limit)
        raise PdfRenderTooSlow(f"The PDF took longer than {limit} s to render.") from error
    except WorkFailed as error:  # the child logged its traceback
        logger.error("Handout PDF rendering failed (%s)", error)
        raise PdfRenderError("The PDF could not be rendered.") from error
    except Exception as error:
        logger.exception("Handout PDF rendering failed (%s)", type(error).__name__)
        raise PdfRenderError("The PDF could not be rendered.") from error
    finally:
        slots.release()


def _write_pdf(
    html: str,
    *,
    logo: tuple[bytes, str] | None,
    identifier: bytes,
    paper_size: str,
    quotes_in: Sequence[tuple[str, str]],
    page_one_fallback: str | None = None,
) -> bytes:
    """The PDF itself: run in a child process, under the time limit (see render_pdf)."""
    from handouts.pdf.tagging import finish_tagged_pdf

    document = lay_out_choosing_page_one(
        html, logo=logo, paper_size=paper_size, page_one_fallback=page_one_fallback
    )
    return finish_tagged_pdf(
        document.write_pdf(pdf_identifier=identifier, **PDF_OPTIONS), quotes_in
    )


def lay_out_choosing_page_one(
    html: str,
    *,
    logo: tuple[bytes, str] | None = None,
    paper_size: str = "a4",
    page_one_fallback: str | None = None,
) -> "weasyprint.Document":
    """The pages as printed: `html`, or `page_one_fallback` when page 1 of `html` does not
    reach the help box's emergency number (see render_pdf)."""
    document = lay_out(html, logo=logo, paper_size=paper_size)
    if page_one_fallback and not help_starts_on_page_one(document):
        document = lay_out(page_one_fallback, logo=logo, paper_size=paper_size)
    return document


def _warm_up(paper_size: str) -> None:
    """Fill this process's caches before a render child is forked from it, so that a new
    child starts with WeasyPrint and pikepdf imported (about 460 ms), the fonts loaded and the
    stylesheets parsed. Once filled, this costs nothing."""
    import handouts.pdf.tagging  # noqa: F401

    _stylesheet()
    _page_size_stylesheet(paper_size)
    _restricted_fetcher_class()


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
