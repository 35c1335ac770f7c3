import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from education.models import Article
from education.views import get_published_article
from handouts.events import describe_events, record_event
from handouts.forms import AccessSlipForm, HandoutFilterForm, HandoutForm, ShareLinkForm
from handouts.issuing import build_handout, issue_handout
from handouts.models import Handout, HandoutEvent
from handouts.pdf import (
    PdfRenderError,
    handout_context,
    render_access_slip_pdf,
    render_handout_pdf,
)
from handouts.responses import pdf_response
from handouts.sharing import (
    format_code,
    link_matches,
    normalize_code,
    revoke_share_link,
    share_handout,
)
from handouts.snapshot import build_snapshot
from portal.audit import Action, record_audit
from portal.models import ClinicProfile

logger = logging.getLogger(__name__)
HANDOUTS_PER_PAGE = 50


def get_handout_for_staff(request: HttpRequest, public_id: uuid.UUID) -> Handout:
    """The one access helper for handouts on staff pages. Every role that may view handouts
    sees the whole clinic's (front desk prints what clinicians issue)."""
    return get_object_or_404(
        Handout.objects.select_related("article__condition", "issued_by"), public_id=public_id
    )


@never_cache
@sensitive_post_parameters("patient_name", "record_number", "clinician_note")
@login_required
@permission_required("handouts.add_handout", raise_exception=True)
def handout_new(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    article = get_published_article(slug, language)
    clinic = ClinicProfile.load()
    snapshot = build_snapshot(article)
    form = HandoutForm(request.POST or None, snapshot=snapshot, clinic=clinic)
    context = {
        "article": article,
        "form": form,
        "other_languages": article.condition.articles.published().exclude(pk=article.pk),
    }
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "preview")
        if action == "issue":
            try:
                handout, created = issue_handout(
                    article, form.handout_choices(), issued_by=request.user,
                    issue_token=form.cleaned_data["issue_token"], snapshot=snapshot,
                )
            except PdfRenderError:
                messages.error(request, "The handout could not be issued because its PDF failed "
                               "to render. Nothing was saved. Please try again; if it keeps "
                               "happening, tell your administrator.")
            else:
                if created:
                    messages.success(request, "Handout issued.")
                return redirect(handout)
        else:
            preview = build_handout(article, form.handout_choices(), issued_by=request.user,
                                    snapshot=snapshot)
            if action == "preview_pdf":
                try:
                    pdf = render_handout_pdf(preview, clinic)
                except PdfRenderError:
                    messages.error(request, "The preview PDF failed to render. Please try again.")
                else:
                    return pdf_response(pdf, preview.pdf_filename(), as_attachment=False)
            context["preview"] = {
                **handout_context(preview, clinic),
                "logo_url": reverse("clinic_logo") if clinic.has_logo else "",
            }
    return render(request, "handouts/handout_form.html", context)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    record_audit(request.user, Action.HANDOUT_VIEWED, obj=handout)
    return render(request, "handouts/handout_detail.html", detail_context(handout))


def detail_context(handout: Handout, **extra) -> dict:
    return {
        "handout": handout,
        "therapies": handout.chosen_therapies(),
        "content_has_changed": not handout.purged_at and handout.content_has_changed(),
        "active_link": handout.share_links.active().first(),
        "now": timezone.now(),
        "timeline": describe_events(handout),
        "share_form": ShareLinkForm(),
        **extra,
    }


@never_cache
@sensitive_post_parameters("email")
@login_required
@require_POST
@permission_required("handouts.add_sharelink", raise_exception=True)
def handout_share(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Create the patient's link and code and show them, once: only hashes are kept."""
    handout = get_handout_for_staff(request, public_id)
    form = ShareLinkForm(request.POST)
    if handout.purged_at or not form.is_valid():
        status = 410 if handout.purged_at else 200
        return render(request, "handouts/handout_detail.html",
                      detail_context(handout, share_form=form), status=status)
    result = share_handout(
        handout, staff=request.user, days=form.cleaned_data["days"],
        email=form.cleaned_data["email"], clinic=ClinicProfile.load(),
        url_for=lambda token: request.build_absolute_uri(reverse("patient:open", args=[token])),
    )
    if result.email_sent is False:
        messages.error(request, "The email could not be sent. Give the patient the printed "
                       "access slip instead.")
    elif result.email_sent:
        messages.success(request, "The link was emailed to the patient.")
    context = {
        "handout": handout,
        "result": result,
        "slip_form": AccessSlipForm(initial={"token": result.new_link.token,
                                             "code": result.new_link.code}),
    }
    return render(request, "handouts/share_link_created.html", context)


@never_cache
@login_required
@require_POST
@permission_required("handouts.change_sharelink", raise_exception=True)
def handout_revoke_link(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    link = handout.share_links.active().first()
    if link:
        revoke_share_link(link, staff=request.user)
        messages.success(request, "The patient's link no longer works.")
    return redirect(handout)


@never_cache
@sensitive_post_parameters("token", "code")
@login_required
@require_POST
@permission_required("handouts.add_sharelink", raise_exception=True)
def handout_access_slip(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    form = AccessSlipForm(request.POST)
    link = handout.share_links.active().first()
    if not (form.is_valid() and link and link_matches(link, **form.cleaned_data)):
        messages.error(request, "That access slip can no longer be printed: the link was "
                       "replaced or revoked. Create a new link to print a new slip.")
        return redirect(handout)
    clinic = ClinicProfile.load()
    pdf = render_access_slip_pdf(
        handout, clinic, url=request.build_absolute_uri(
            reverse("patient:open", args=[form.cleaned_data["token"]])),
        display_code=format_code(normalize_code(form.cleaned_data["code"])),
        created_at=link.created_at, expires_at=link.expires_at,
    )
    with transaction.atomic():
        record_event(handout, HandoutEvent.Kind.SLIP_PRINTED, staff=request.user,
                     share_link=link)
    return pdf_response(pdf, "access-slip.pdf", as_attachment=False)


def _stored_pdf_response(request: HttpRequest, handout: Handout, *, event: str) -> HttpResponse:
    if handout.purged_at:
        messages.info(request, "This handout's PDF was removed at the end of the retention "
                      "period.")
        return redirect(handout)
    pdf = handout.verified_pdf()
    if pdf is None:
        logger.error("Stored PDF of handout %s failed its integrity check", handout.public_id)
        return render(request, "handouts/handout_pdf_unavailable.html",
                      {"handout": handout}, status=500)
    with transaction.atomic():
        record_event(handout, event, staff=request.user)
        record_audit(request.user, Action.HANDOUT_DOWNLOADED, obj=handout,
                     detail="print" if event == HandoutEvent.Kind.PRINTED else "download")
    return pdf_response(pdf, handout.pdf_filename(),
                        as_attachment=event == HandoutEvent.Kind.STAFF_DOWNLOADED)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(request, handout, event=HandoutEvent.Kind.STAFF_DOWNLOADED)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_print(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same stored PDF, opened in the browser's viewer to print."""
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(request, handout, event=HandoutEvent.Kind.PRINTED)


@never_cache
@sensitive_post_parameters("patient")
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.filter(handouts__isnull=False).distinct().select_related("condition")
    form = HandoutFilterForm(request.POST or None, articles=articles)
    handouts = Handout.objects.select_related("article__condition")
    if form.is_valid():
        filters = form.cleaned_data
        if filters["article"]:
            handouts = handouts.filter(article=filters["article"])
        if filters["issued_from"]:
            handouts = handouts.filter(issued_at__date__gte=filters["issued_from"])
        if filters["issued_to"]:
            handouts = handouts.filter(issued_at__date__lte=filters["issued_to"])
        handouts = handouts.search_patient(filters["patient"])
    page = Paginator(handouts.defer("pdf"), HANDOUTS_PER_PAGE).get_page(
        request.POST.get("page")
    )
    return render(request, "handouts/handout_list.html", {"form": form, "page": page})
