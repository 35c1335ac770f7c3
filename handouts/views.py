import logging
import uuid
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from education.models import Article, Condition
from education.plan_rules.packets import PacketPlan, packet_conflicts
from education.readability import MIN_PATIENT_INFLESZ
from education.snapshot import Snapshot, build_snapshot
from education.views import get_published_article
from handouts.events import describe_events, record_event
from handouts.forms import (
    AccessSlipForm,
    ChangedHandoutFilterForm,
    HandoutFilterForm,
    HandoutForm,
    ShareLinkForm,
    default_choices,
)
from handouts.issuing import (
    ClinicNotReady,
    build_condition,
    build_handout,
    build_visit,
    display_name,
    issue_visit,
    split_choices,
)
from handouts.models import (
    MAX_CONDITIONS,
    Handout,
    HandoutCondition,
    HandoutEvent,
    live_version_of_outer_condition,
)
from handouts.packets import (
    PacketCondition,
    find_condition_to_add,
    packet_conditions,
    packet_slugs,
)
from handouts.pdf.render import (
    PdfRenderBusy,
    PdfRenderError,
    PdfRenderTooSlow,
    handout_content_html,
    handout_context,
    render_access_slip_pdf,
    render_handout_pdf,
)
from handouts.plan import personal_plan
from handouts.reading_level import (
    MAX_HANDOUT_GRADE,
    MAX_HANDOUT_SMOG,
    handout_reading_level,
    within_targets,
)
from handouts.reissue import CarriedOver, carry_over_choices, reissue_problem
from handouts.responses import pdf_response
from handouts.sharing import (
    format_code,
    link_matches,
    normalize_code,
    revoke_share_link,
    share_handout,
)
from handouts.teach_back import teach_back_of
from portal.audit import Action, record_audit
from portal.http import AuthenticatedHttpRequest
from portal.models import ClinicProfile
from portal.pagination import ListPage, page_of
from portal.roles import works_in_admin
from portal.save_failures import log_save_failure

logger = logging.getLogger(__name__)
HANDOUTS_PER_PAGE = 50
# The handout list shows how many handouts are from changed content up to this, then "99+".
CHANGED_COUNT_CAP = 99


def handout_page(handouts: QuerySet[Handout], number: str | None) -> ListPage[Handout]:
    """A page of a handout list, newest first; a page past the end (the list shrank since it
    was shown) starts again at the first."""
    page = page_of(handouts, number, HANDOUTS_PER_PAGE)
    if not page.object_list and page.number > 1:
        return page_of(handouts, None, HANDOUTS_PER_PAGE)
    return page


def get_handout_for_staff(request: HttpRequest, public_id: uuid.UUID) -> Handout:
    """The one access helper for handouts on staff pages. Every role that may view handouts
    sees the whole clinic's (front desk prints what clinicians issue)."""
    return get_object_or_404(
        Handout.objects.with_conditions().select_related("issued_by"), public_id=public_id
    )


@dataclass(frozen=True)
class Builder:
    """What every action of the builder needs, loaded once per request and passed down."""

    article: Article
    clinic: ClinicProfile
    snapshot: Snapshot
    form: HandoutForm
    updating: Handout | None = None  # the earlier handout this one updates
    carried: CarriedOver | None = None  # what carried over from it
    # The conditions added to the builder's own (a visit's packet), in their order.
    packet: list[PacketCondition] = field(default_factory=list)

    def choices(self) -> dict:
        """The form's validated choices, as Handout field values."""
        return self.form.handout_choices() | ({"replaces": self.updating} if self.updating else {})

    def conditions(self) -> tuple[list[HandoutCondition], dict]:
        """(the visit's conditions, built and unsaved, in order; the visit's choices)."""
        visit, first = split_choices(self.choices())
        conditions = [build_condition(self.article, first, snapshot=self.snapshot)]
        conditions += [
            build_condition(added.article, added.form.condition_choices(), snapshot=added.snapshot)
            for added in self.packet
        ]
        return conditions, visit

    def slugs(self) -> list[str]:
        return [self.article.condition.slug, *(added.slug for added in self.packet)]

    def is_valid(self) -> bool:
        """Every form valid (each one checked, so each shows its errors), and no choice that
        contradicts another condition's (education.plan_rules.packets)."""
        if not self.form.is_valid():
            return False
        if not all([added.form.is_valid() for added in self.packet]):
            return False
        if not self.packet:
            return True
        visit_date = self.form.cleaned_data["visit_date"]
        plans = [
            PacketPlan(
                form.snapshot["condition"]["name"], form.plan_choices(), form.offer, visit_date
            )
            for form in [self.form, *(added.form for added in self.packet)]
        ]
        for conflict in packet_conflicts(plans):
            self.form.add_error(None, str(conflict))
        return not self.form.non_field_errors()


@never_cache
@sensitive_post_parameters("patient_name", "record_number", "clinician_note")
@login_required
@permission_required("handouts.add_handout", raise_exception=True)
def handout_new(request: AuthenticatedHttpRequest, slug: str, language: str) -> HttpResponse:
    """The builder: shows the form, and hands a valid submission to the action its button
    names (preview, preview as PDF, issue), or adds or removes a condition of the visit's
    packet. One form and one URL, so it works without JavaScript."""
    try:
        article = get_published_article(slug, language)
    except Http404:
        return language_unavailable(request, slug, language)
    clinic = ClinicProfile.load()
    snapshot = build_snapshot(article)
    updating = _handout_to_update(request)
    carried = None
    if updating is not None:
        problem = reissue_problem(updating, article)
        if problem:
            messages.error(request, problem)
            return redirect(updating)
        carried = carry_over_choices(updating, article, snapshot)
    data = request.POST if request.method == "POST" else None
    form = HandoutForm(
        data, snapshot=snapshot, clinic=clinic, initial=carried.initial if carried else None
    )
    if data is not None:
        slugs = packet_slugs(data, slug)
    else:  # updating a packet: its other conditions too
        slugs = [c.slug for c in updating.condition_list[1:]] if updating else []
    earlier = {c.slug: c for c in updating.condition_list[1:]} if updating else {}
    if data is not None and data.get("remove"):
        slugs = [added for added in slugs if added != data["remove"]]
    packet, problems = packet_conditions(
        slugs, language, data=data, visit=form, clinic=clinic, carried=earlier
    )
    for problem in problems:
        messages.warning(request, problem)
    builder = Builder(article, clinic, snapshot, form, updating, carried, packet)
    if data is not None and (data.get("remove") or is_adding(data)):
        return _change_packet(request, builder)
    if data is not None and builder.is_valid():
        action = BUILDER_ACTIONS.get(data.get("action", ""), _preview)
        return action(request, builder)
    return _render_builder(request, builder)


def _change_packet(request: AuthenticatedHttpRequest, builder: Builder) -> HttpResponse:
    """Add the condition asked for (or offer the matches to choose from), or show the packet
    without the one removed; what was typed stays, unchecked until the next preview or issue."""
    extra: dict[str, object] = {}
    if is_adding(request.POST):
        found = find_condition_to_add(
            request.POST.get("condition_search", ""),
            request.POST.get("add_slug", ""),
            builder.article.language,
            builder.slugs(),
        )
        if found.article is not None:
            builder = _with_added(builder, found.article)
        else:  # the search stays, with the matches to choose from or why none was added
            extra["condition_matches"] = found.matches
            extra["add_problem"] = found.problem
            extra["condition_search"] = request.POST.get("condition_search", "")
    for form in [builder.form, *(added.form for added in builder.packet)]:
        form.show_without_checking()
    return _render_builder(request, builder, **extra)


def is_adding(data: QueryDict) -> bool:
    """The clinician asked to add a condition: by what they typed, or a match they chose."""
    return data.get("action") == "add_condition" or bool(data.get("add_slug"))


def _with_added(builder: Builder, article: Article) -> Builder:
    added, _problems = packet_conditions(
        [article.condition.slug],
        article.language,
        data=None,
        visit=builder.form,
        clinic=builder.clinic,
    )
    return replace(builder, packet=[*builder.packet, *added])


def _issue(request: AuthenticatedHttpRequest, builder: Builder) -> HttpResponse:
    conditions, visit = builder.conditions()
    try:
        handout, created = issue_visit(
            conditions,
            visit,
            issued_by=request.user,
            issue_token=builder.form.cleaned_data["issue_token"],
            clinic=builder.clinic,
        )
    except ClinicNotReady:
        messages.error(
            request,
            _(
                "The handout was not issued: the clinic profile is "
                "missing details every handout must print (listed "
                "above). Nothing was saved, and your choices are "
                "still below."
            ),
        )
    except PdfRenderBusy:
        messages.error(request, BUSY_MESSAGE)
    except PdfRenderTooSlow:
        messages.error(
            request,
            " ".join(
                [
                    _("The handout could not be made."),
                    too_slow_reason(),
                    _("Nothing was saved, and your choices are still below."),
                ]
            ),
        )
    except PdfRenderError:
        messages.error(
            request,
            _(
                "The handout could not be issued because its PDF "
                "failed to render. Nothing was saved. Please try "
                "again; if it keeps happening, tell your "
                "administrator."
            ),
        )
    except DatabaseError as error:
        log_save_failure(logger, "Issuing a handout", error)
        messages.error(
            request,
            _(
                "The handout was not issued: the database could not save it. Nothing was "
                "saved, and your choices are still below. Please try again; if it keeps "
                "happening, tell your administrator."
            ),
        )
    else:
        if created:
            messages.success(request, _("Handout issued."))
        return redirect(handout)
    return _render_builder(request, builder)


BUSY_MESSAGE = gettext_lazy(
    "The portal is busy making other handouts. Nothing was saved, and your choices are still "
    "below. Please try again in a moment."
)


def too_slow_reason() -> str:
    """Why a PDF past PDF_RENDER_TIME_LIMIT_SECONDS was not made, and what will fix it."""
    return _(
        "Its PDF was still being drawn after %(seconds)d seconds, so it was stopped. A clinic "
        "logo too complex to draw is the usual cause: an administrator can replace it in the "
        "clinic profile."
    ) % {"seconds": settings.PDF_RENDER_TIME_LIMIT_SECONDS}


def _preview_pdf(request: AuthenticatedHttpRequest, builder: Builder) -> HttpResponse:
    """The PDF as it would be issued, opened in the browser; nothing is saved."""
    preview = _preview_handout(request, builder)
    try:
        pdf = render_handout_pdf(preview, builder.clinic)
    except PdfRenderBusy:
        messages.error(request, BUSY_MESSAGE)
        return _preview(request, builder)
    except PdfRenderTooSlow:
        messages.error(
            request,
            " ".join(
                [
                    _("The preview PDF could not be made."),
                    too_slow_reason(),
                    _("Your choices are still below."),
                ]
            ),
        )
        return _preview(request, builder)
    except PdfRenderError:
        messages.error(request, _("The preview PDF failed to render. Please try again."))
        return _preview(request, builder)
    return pdf_response(pdf, preview.pdf_filename(), as_attachment=False)


def _preview(request: AuthenticatedHttpRequest, builder: Builder) -> HttpResponse:
    """The handout as HTML above the form, with its reading level; nothing is saved."""
    preview = _preview_handout(request, builder)
    clinic = builder.clinic
    html = handout_content_html(
        {
            **handout_context(preview, clinic),
            "logo_url": reverse("clinic_logo") if clinic.has_logo else "",
        }
    )
    level = handout_reading_level(html, preview.language)
    return _render_builder(
        request,
        builder,
        preview={"handout": preview, "html": html},
        reading_level={
            "level": level,
            "ok": within_targets(level),
            "max_grade": MAX_HANDOUT_GRADE,
            "max_smog": MAX_HANDOUT_SMOG,
            "min_inflesz": MIN_PATIENT_INFLESZ,
        },
    )


# The builder's submit buttons name their action; any other value previews.
BUILDER_ACTIONS = {"issue": _issue, "preview_pdf": _preview_pdf, "preview": _preview}


def _preview_handout(request: AuthenticatedHttpRequest, builder: Builder) -> Handout:
    conditions, visit = builder.conditions()
    return build_visit(conditions, visit, issued_by=request.user)


def _render_builder(
    request: AuthenticatedHttpRequest, builder: Builder, **extra: object
) -> HttpResponse:
    article = builder.article
    context = {
        "article": article,
        "form": builder.form,
        "language_options": article.condition.language_options(),
        "review_overdue": article.is_review_overdue(),
        "updating": builder.updating,
        "carried": builder.carried,
        "clinic_blockers": builder.clinic.handout_blockers(),
        "can_edit_clinic": request.user.has_perm("portal.change_clinicprofile"),
        "packet": builder.packet,
        "can_add_condition": len(builder.packet) + 1 < MAX_CONDITIONS,
        "max_conditions": MAX_CONDITIONS,
        **extra,
    }
    return render(request, "handouts/handout_form.html", context)


@never_cache
@login_required
@permission_required("handouts.add_handout", raise_exception=True)
def packet_condition_block(
    request: AuthenticatedHttpRequest, slug: str, language: str
) -> HttpResponse:
    """The builder's block for a condition to add to the packet (the page's script inserts
    it without reloading), or the matches to choose from, or why none can be added: what
    the builder itself shows after "Add a condition" without JavaScript."""
    article = get_published_article(slug, language)
    packet = [slug, *packet_slugs(request.GET, slug)]
    found = find_condition_to_add(
        request.GET.get("condition_search", ""), request.GET.get("add_slug", ""), language, packet
    )
    context: dict[str, object] = {
        "article": article,
        "condition_search": request.GET.get("condition_search", ""),
    }
    if found.article is None:
        context |= {"condition_matches": found.matches, "add_problem": found.problem}
        return render(request, "handouts/includes/packet_add_result.html", context)
    clinic = ClinicProfile.load()
    visit = HandoutForm(snapshot=build_snapshot(article), clinic=clinic)
    added, _problems = packet_conditions(
        [found.article.condition.slug], language, data=None, visit=visit, clinic=clinic
    )
    return render(request, "handouts/includes/packet_condition.html", {"added": added[0]})


def language_unavailable(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The builder in a language the condition has no published article in: say so, and offer
    the languages it has."""
    condition = get_object_or_404(Condition, slug=slug)
    names = dict(settings.LANGUAGES)
    if language not in names:
        raise Http404
    return render(
        request,
        "handouts/handout_language_unavailable.html",
        {
            "condition": condition,
            "language": language,
            "language_name": names[language],
            "language_options": condition.language_options(),
        },
        status=404,
    )


def _handout_to_update(request: HttpRequest) -> Handout | None:
    """The earlier handout the builder updates: named by ?from= when the builder opens, then
    by the form's hidden field, and checked again on every request."""
    reference = (
        request.POST.get("replaces") if request.method == "POST" else request.GET.get("from")
    )
    if not reference:
        return None
    try:
        public_id = uuid.UUID(reference)
    except ValueError:
        raise Http404 from None
    return get_handout_for_staff(request, public_id)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_detail(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    record_audit(request.user, Action.HANDOUT_VIEWED, obj=handout)
    return render(request, "handouts/handout_detail.html", detail_context(handout))


def detail_context(handout: Handout, **extra: object) -> dict:
    conditions = [_condition_facts(handout, condition) for condition in handout.condition_list]
    return {
        "handout": handout,
        "conditions": conditions,
        # The first condition whose article now reads differently: its update link opens
        # the builder, which carries every condition of the visit over.
        "newer_version": next((c["newer_version"] for c in conditions if c["newer_version"]), None),
        "withdrawn": [c["title"] for c in conditions if c["withdrawn"]],
        "latest_replacement": handout.replacements.order_by("-issued_at").first(),
        "active_link": handout.share_links.active().first(),
        "now": timezone.now(),
        "timeline": describe_events(handout),
        "share_form": ShareLinkForm(),
        "teach_back": teach_back_of(handout, ClinicProfile.load()),
        **extra,
    }


def _condition_facts(handout: Handout, condition: HandoutCondition) -> dict:
    """What the staff's handout page lists for one condition of the visit."""
    live = None if handout.purged_at else condition.article.live_version()
    return {
        "record": condition,
        "title": condition.title,
        "therapies": condition.chosen_therapies(),
        # The plan's own sentences (physiotherapy and follow-up have rows of their own).
        "plan_sentences": [
            sentence
            for item in personal_plan(condition)
            if item.icon not in ("stretching", "calendar-event")
            for sentence in item.sentences
        ],
        "newer_version": live if live and condition.reads_differently_from(live) else None,
        "withdrawn": not handout.purged_at and live is None,
    }


@never_cache
@sensitive_post_parameters("email")
@login_required
@require_POST
@permission_required("handouts.add_sharelink", raise_exception=True)
def handout_share(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Create the patient's link and code and show them, once: only hashes are kept."""
    handout = get_handout_for_staff(request, public_id)
    form = ShareLinkForm(request.POST)
    if handout.purged_at or not form.is_valid():
        status = 410 if handout.purged_at else 200
        return render(
            request,
            "handouts/handout_detail.html",
            detail_context(handout, share_form=form),
            status=status,
        )
    try:
        result = share_handout(
            handout,
            staff=request.user,
            days=form.cleaned_data["days"],
            email=form.cleaned_data["email"],
            url_for=lambda token: request.build_absolute_uri(reverse("patient:open", args=[token])),
        )
    except DatabaseError as error:
        log_save_failure(logger, "Creating a patient link", error)
        form.add_error(
            None,
            _(
                "The link was not created: the database could not save it. Nothing was "
                "saved and no email was sent; any earlier link still works. Please try "
                "again; if it keeps happening, tell your administrator."
            ),
        )
        return render(
            request, "handouts/handout_detail.html", detail_context(handout, share_form=form)
        )
    context = {
        "handout": handout,
        "result": result,
        "slip_form": AccessSlipForm(
            initial={"token": result.new_link.token, "code": result.new_link.code}
        ),
    }
    return render(request, "handouts/share_link_created.html", context)


@never_cache
@login_required
@require_POST
@permission_required("handouts.change_sharelink", raise_exception=True)
def handout_revoke_link(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    link = handout.share_links.active().first()
    if link:
        revoke_share_link(link, staff=request.user)
        messages.success(request, _("The patient's link no longer works."))
    return redirect(handout)


@never_cache
@sensitive_post_parameters("token", "code")
@login_required
@require_POST
@permission_required("handouts.add_sharelink", raise_exception=True)
def handout_access_slip(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    form = AccessSlipForm(request.POST)
    link = handout.share_links.active().first()
    if not (form.is_valid() and link and link_matches(link, **form.cleaned_data)):
        messages.error(
            request,
            _(
                "That access slip can no longer be printed: the link was "
                "replaced or revoked. Create a new link to print a new "
                "slip."
            ),
        )
        return redirect(handout)
    clinic = ClinicProfile.load()
    try:
        pdf = render_access_slip_pdf(
            handout,
            clinic,
            url=request.build_absolute_uri(
                reverse("patient:open", args=[form.cleaned_data["token"]])
            ),
            display_code=format_code(normalize_code(form.cleaned_data["code"])),
            created_at=link.created_at,
            expires_at=link.expires_at,
        )
    except PdfRenderError as error:
        # The slip opens in a tab of its own: the page that shows the link and code is
        # still open behind it.
        messages.error(
            request,
            " ".join(
                [
                    _("The access slip could not be made."),
                    too_slow_reason()
                    if isinstance(error, PdfRenderTooSlow)
                    else _("Please try again in a moment."),
                    _(
                        "The link and code are still on the page you came from: write them "
                        "down for the patient."
                    ),
                ]
            ),
        )
        return redirect(handout)
    with transaction.atomic():
        record_event(handout, HandoutEvent.Kind.SLIP_PRINTED, staff=request.user, share_link=link)
    return pdf_response(pdf, "access-slip.pdf", as_attachment=False)


def _stored_pdf_response(
    request: AuthenticatedHttpRequest, handout: Handout, *, event: str
) -> HttpResponse:
    if handout.purged_at:
        messages.info(
            request, _("This handout's PDF was removed at the end of the retention period.")
        )
        return redirect(handout)
    pdf = handout.verified_pdf()
    if pdf is None:
        logger.error("Stored PDF of handout %s failed its integrity check", handout.public_id)
        return render(
            request, "handouts/handout_pdf_unavailable.html", {"handout": handout}, status=500
        )
    with transaction.atomic():
        record_event(handout, event, staff=request.user)
        record_audit(
            request.user,
            Action.HANDOUT_DOWNLOADED,
            obj=handout,
            detail="print" if event == HandoutEvent.Kind.PRINTED else "download",
        )
    return pdf_response(
        pdf, handout.pdf_filename(), as_attachment=event == HandoutEvent.Kind.STAFF_DOWNLOADED
    )


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_pdf(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(request, handout, event=HandoutEvent.Kind.STAFF_DOWNLOADED)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_print(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same stored PDF, opened in the browser's viewer to print."""
    handout = get_handout_for_staff(request, public_id)
    return _stored_pdf_response(request, handout, event=HandoutEvent.Kind.PRINTED)


@never_cache
@sensitive_post_parameters("patient")
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HandoutFilterForm(request.POST or None)
    handouts = Handout.objects.for_lists()
    if form.is_valid():
        filters = form.cleaned_data
        handouts = (
            handouts.for_conditions(filters["condition"])
            .issued_between(filters["issued_from"], filters["issued_to"])
            .search_patient(filters["patient"])
        )
    # Counted only up to a cap, and in no order: the link says whether there is work, not
    # how much exactly, and the database may then start from the archived versions' handouts.
    changed = Handout.objects.from_changed_content().order_by().values("pk")
    changed = changed[: CHANGED_COUNT_CAP + 1]
    changed_count = changed.count()
    context = {
        "form": form,
        "page": handout_page(handouts, request.POST.get("page")),
        "changed_count": min(changed_count, CHANGED_COUNT_CAP),
        "more_changed": changed_count > CHANGED_COUNT_CAP,
    }
    return render(request, "handouts/handout_list.html", context)


@never_cache
@login_required
@permission_required("handouts.view_handout", raise_exception=True)
def handout_changed_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Handouts made from a version that has since changed, for clinicians to update."""
    form = ChangedHandoutFilterForm(request.GET or None)
    # Of each handout, its first changed condition: the version it was made from and the
    # version now published.
    changed = (
        HandoutCondition.objects.changed()
        .filter(handout=OuterRef("pk"))
        .order_by("position")
        .annotate(
            live_version=Subquery(live_version_of_outer_condition().values("version")[:1]),
            live_published_at=Subquery(
                live_version_of_outer_condition().values("published_at")[:1]
            ),
        )
    )
    handouts = (
        Handout.objects.from_changed_content()
        .for_lists()
        .annotate(
            made_from_version=Subquery(changed.values("article__version")[:1]),
            live_version=Subquery(changed.values("live_version")[:1]),
            live_published_at=Subquery(changed.values("live_published_at")[:1]),
        )
    )
    if form.is_valid() and form.cleaned_data["mine"]:
        handouts = handouts.filter(issued_by=request.user)
    page = handout_page(handouts, request.GET.get("page"))
    return render(request, "handouts/handout_changed_list.html", {"form": form, "page": page})


# Printed as the patient's name, in the article's language.
SAMPLE_PATIENT_NAME = gettext_lazy("Sample Patient")


@never_cache
@login_required
@permission_required("education.view_article", raise_exception=True)
def article_preview_pdf(request: AuthenticatedHttpRequest, article_id: int) -> HttpResponse:
    """Any version of an article (draft, in review, published or archived) as the handout PDF
    a clinician would print with the builder's defaults, for a fictional patient. For the
    admin's content staff; nothing is saved and no handout event is recorded."""
    if not works_in_admin(request.user):  # drafts are seen only where they are edited: the admin
        raise PermissionDenied
    article = get_object_or_404(Article.objects.select_related("condition"), pk=article_id)
    clinic = ClinicProfile.load()
    snapshot = build_snapshot(article)
    with translation.override(article.language):
        sample_name = str(SAMPLE_PATIENT_NAME)
    choices = default_choices(snapshot, clinic, patient_name=sample_name)
    preview = build_handout(
        article,
        choices,
        issued_by=None,
        issued_by_name=display_name(request.user),
        snapshot=snapshot,
    )
    try:
        pdf = render_handout_pdf(preview, clinic, preview_note=_preview_note(article))
    except PdfRenderError as error:
        messages.error(
            request,
            " ".join([_("The preview PDF could not be made."), too_slow_reason()])
            if isinstance(error, PdfRenderTooSlow)
            else _(
                "The preview PDF could not be rendered. Check the article's "
                "content and try again; if it keeps happening, tell your "
                "administrator."
            ),
        )
        return redirect("admin:education_article_change", article.pk)
    filename = (
        f"preview-{article.condition.slug}-{article.language}-{slugify(article.version_label)}.pdf"
    )
    return pdf_response(pdf, filename, as_attachment=False)


def _preview_note(article: Article) -> str:
    """The staff's warning printed on a preview PDF, in the staff's language."""
    if article.state == Article.State.DRAFT:
        return _(
            "Preview of the draft, for a sample patient. Not a handout: never give it to a patient."
        )
    if article.state == Article.State.IN_REVIEW:
        return _(
            "Preview of the draft in review, for a sample patient. Not a handout: never "
            "give it to a patient."
        )
    return _(
        "Preview of %(version)s (%(state)s), for a sample patient. Not a handout: never "
        "give it to a patient."
    ) % {"version": article.version_label, "state": article.get_state_display().lower()}
