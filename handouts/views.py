import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from education.models import Article
from education.views import get_published_article
from handouts.forms import HandoutFilterForm, HandoutForm
from handouts.issuing import build_handout, issue_handout
from handouts.models import Handout
from handouts.pdf import PdfRenderError, handout_context, render_handout_pdf
from handouts.snapshot import build_snapshot
from portal.models import ClinicProfile

logger = logging.getLogger(__name__)
HANDOUTS_PER_PAGE = 50


def get_handout_for_staff(request: HttpRequest, public_id: uuid.UUID) -> Handout:
    """The one access helper for handouts on staff pages. Every role that may view handouts
    sees the whole clinic's (front desk prints what clinicians issue)."""
    return get_object_or_404(
        Handout.objects.select_related("article__condition", "issued_by"), public_id=public_id
    )


def pdf_response(pdf: bytes, filename: str, *, as_attachment: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
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
    context = {
        "handout": handout,
        "therapies": handout.chosen_therapies(),
        "content_has_changed": handout.content_has_changed(),
    }
    return render(request, "handouts/handout_detail.html", context)


def _stored_pdf_response(handout: Handout, *, as_attachment: bool,
                         request: HttpRequest) -> HttpResponse:
    pdf = handout.verified_pdf()
    if pdf is None:
        logger.error("Stored PDF of handout %s failed its integrity check", handout.public_id)
        return render(request, "handouts/handout_pdf_unavailable.html",
                      {"handout": handout}, status=500)
    return pdf_response(pdf, handout.pdf_filename(), as_attachment=as_attachment)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(handout, as_attachment=True, request=request)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_print(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same stored PDF, opened in the browser's viewer to print."""
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(handout, as_attachment=False, request=request)


@never_cache
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
