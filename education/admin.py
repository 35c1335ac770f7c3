"""The Django admin is the content editor: a whole article, with its sections, sources and
care-plan options, on one page, and every change kept in history."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, transaction
from django.db.models import F, Model, Q, QuerySet
from django.forms.formsets import BaseFormSet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from education import packs, workflow
from education.diff import compare_articles
from education.models import (
    REVIEW_QUEUE_ORDER,
    REVIEW_SOON_DAYS,
    Article,
    ArticleQuerySet,
    Condition,
    PartOfArticle,
    plain_newlines,
)
from education.parts import PARTS, Part
from education.plan_blocks import BLOCK_NAMES, describe_offer
from education.plan_form import PlanOfferForm, plan_fieldset
from education.plan_rules import Conflict, article_conflicts, has_rules
from education.readability import article_readability
from portal.admin_audit import AuditedAdminMixin
from portal.http import AuthenticatedHttpRequest
from portal.models import ClinicProfile
from portal.save_failures import log_save_failure
from portal.widgets import NativeDateInput

logger = logging.getLogger(__name__)


@admin.register(Condition)
class ConditionAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    """A condition is created here; what it is called and coded is then changed in its
    articles' drafts, and goes live only when a reviewer publishes one."""

    list_display = ["name", "slug", "updated_at"]
    search_fields = ["name", "slug", "articles__condition_name__name", "articles__codes__code"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Condition | None = None
    ) -> list[str] | tuple[str, ...]:
        # Once it exists, its name follows its published articles (refresh_published_terms).
        return ["name", "updated_at"] if obj is not None else ["updated_at"]

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Condition | None = None
    ) -> dict[str, Any]:
        return {"slug": ["name"]} if obj is None else {}


class PlainNewlinesTextarea(AdminTextareaWidget):
    """Browsers send a text area's line ends as \r\n, stored as \n (education.models): reading
    them as stored lets a form sent back unchanged say so, so that nothing is saved, logged as
    changed or counted as a contribution."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return plain_newlines(value) if isinstance(value, str) else value


TEXT_AREAS: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"widget": PlainNewlinesTextarea}
}


def is_editable(article: Article | None) -> bool:
    """Whether an article's own page may change it and its parts: a draft (None: a new one)."""
    return article is None or article.is_editable


class DraftPartInline(admin.StackedInline):
    """Parts on their article's page: added, changed and deleted only while it is a draft."""

    formfield_overrides = TEXT_AREAS

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A field with a callable default (a check question's options) would also render a
        # hidden copy of its initial value carrying the field's aria-describedby, which HTML
        # forbids on hidden inputs; an unchanged JSON value compares equal without it.
        if field is not None:
            field.show_hidden_initial = False
        return field

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_add_permission(request, obj) and is_editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_change_permission(request, obj) and is_editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_delete_permission(request, obj) and is_editable(obj)


class CountedPartsFormSet(BaseInlineFormSet):
    """Parts an article has none of, or between `count_when_present` of (check questions)."""

    count_when_present: tuple[int, int]

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not getattr(form, "cleaned_data", {}).get("DELETE")
        ]
        low, high = self.count_when_present
        if kept and not low <= len(kept) <= high:
            raise forms.ValidationError(
                gettext("Give %(low)d to %(high)d of these, or none.") % {"low": low, "high": high}
            )


# Stacked, not tabular: tabular inlines give their fields no labels, which screen readers need.
def part_inline(part: Part) -> type[DraftPartInline]:
    """The inline that edits one kind of part on its article's page."""
    options: dict[str, Any] = {"model": part.model, "fields": part.admin_fields}
    if part.count_when_present:
        options["formset"] = type(
            f"{part.model.__name__}FormSet",
            (CountedPartsFormSet,),
            {"count_when_present": part.count_when_present},
        )
    if part.many:
        options["extra"] = 0
    if part.admin_heading:
        options["verbose_name"] = options["verbose_name_plural"] = part.admin_heading
    return type(f"{part.model.__name__}Inline", (DraftPartInline,), options)


class ReviewStatusFilter(admin.SimpleListFilter):
    """The review queue (drafts sent for review), and the review dates of published versions;
    earlier versions keep the dates they had."""

    title = _("review")
    parameter_name = "review"
    WAITING = "waiting"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        due_soon = ngettext(
            "Due within %(days)d day", "Due within %(days)d days", REVIEW_SOON_DAYS
        ) % {"days": REVIEW_SOON_DAYS}
        return [
            (self.WAITING, gettext("Waiting for review")),
            ("overdue", gettext("Overdue")),
            ("soon", due_soon),
            ("current", gettext("Up to date")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        articles = cast(ArticleQuerySet, queryset)
        published = articles.published()
        if self.value() == self.WAITING:
            return articles.waiting_for_review()  # ArticleAdmin.get_ordering keeps its order
        if self.value() == "overdue":
            return published.review_overdue()
        if self.value() == "soon":
            return published.review_due_soon()
        if self.value() == "current":
            return published.exclude(pk__in=published.review_overdue())
        return queryset

    @staticmethod
    def is_queue(request: HttpRequest) -> bool:
        return request.GET.get(ReviewStatusFilter.parameter_name) == ReviewStatusFilter.WAITING


class ArticleAdminForm(PlanOfferForm, forms.ModelForm):
    """An article's fields and the plan blocks it offers (education.plan_form)."""

    class Meta:
        model = Article
        fields = [f.name for f in Article._meta.get_fields() if f.concrete and f.editable]


@admin.register(Article)
class ArticleAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    """Only drafts are edited. Published and archived versions show read-only, with the steps
    of the workflow (education.workflow) as buttons."""

    list_display = [
        "title",
        "condition",
        "language",
        "version_display",
        "state",
        "next_review_due",
        "review_overdue",
    ]
    # Only the conditions that have articles: a shipped library's 26 drafts sort by condition.
    list_filter = [
        "state",
        ("condition", admin.RelatedOnlyFieldListFilter),
        "language",
        ReviewStatusFilter,
        "needs_clinical_review",
    ]
    list_select_related = ["condition", "submitted_by"]
    search_fields = [
        "title",
        "condition__name",
        "condition_name__name",
        "condition_name__synonyms",
        "codes__code",
    ]
    readonly_fields = [
        "state",
        "version",
        "based_on",
        "submitted_by",
        "submitted_at",
        "published_by",
        "published_at",
        "archived_at",
        "published_grade",
        "grade_override_reason",
        "plan_conflict_reason",
        "reviewed_by",
        "last_reviewed_on",
        "next_review_due",
        "created_at",
        "updated_at",
        "readability_panel",
        "plan_summary",
    ]
    form = ArticleAdminForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("condition", "language"),
                    "title",
                    "summary",
                    "in_brief",
                    "needs_clinical_review",
                ]
            },
        ),
        (_("Patient's plan"), {"fields": [*plan_fieldset()], "classes": ["plan-offer"]}),
        (
            _("Version"),
            {
                "fields": [
                    ("state", "version", "based_on"),
                    ("submitted_by", "submitted_at"),
                    ("published_by", "published_at", "archived_at"),
                    ("published_grade", "grade_override_reason"),
                    "plan_conflict_reason",
                ]
            },
        ),
        (
            _("Review (set when a reviewer approves)"),
            {
                "fields": [
                    "reviewed_by",
                    ("last_reviewed_on", "next_review_due"),
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (_("Readability (of the saved text; save to update)"), {"fields": ["readability_panel"]}),
    ]
    inlines = [part_inline(part) for part in PARTS]
    change_form_template = "admin/education/article/change_form.html"
    change_list_template = "admin/education/article/change_list.html"
    object_history_template = "admin/education/article/object_history.html"
    # Titles are sentences; the admin's default text box shows only a few words of one.
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 80})},
        **TEXT_AREAS,
    }

    @admin.display(description=_("Reading level"))
    def readability_panel(self, article: Article) -> str:
        if not article.pk:
            return gettext("Shown once the article is saved.")
        whole, sections = article_readability(article)
        return render_to_string(
            "admin/education/article/readability.html",
            {
                "whole": whole,
                "sections": sections,
                "maximum": ClinicProfile.load().max_reading_grade,
            },
        )

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> list[Any]:
        # A version that has left draft shows its plan in plain words, read-only.
        fieldsets = list(super().get_fieldsets(request, obj))
        if is_editable(obj):
            return fieldsets
        return [
            (name, {**options, "fields": ["plan_summary"]})
            if options.get("classes") == ["plan-offer"]
            else (name, options)
            for name, options in fieldsets
        ]

    @admin.display(description=_("Offered"))
    def plan_summary(self, article: Article) -> str:
        words = describe_offer(article.plan_offer())
        if not words:
            return gettext("No plan blocks: the plan has follow-up and when to get help only.")
        return format_html(
            '<dl class="plan-summary">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((BLOCK_NAMES[n], w) for n, w in words.items())
            ),
        )

    @admin.display(description=_("Version"), ordering="version")
    def version_display(self, article: Article) -> str:
        return article.version_label

    @admin.display(boolean=True, description=_("Review overdue"))
    def review_overdue(self, article: Article) -> bool | None:
        return article.is_review_overdue() if article.is_published else None

    # --- The review queue ------------------------------------------------------------------

    def get_ordering(self, request: HttpRequest) -> list[Any] | tuple[Any, ...]:
        # Reviewers work the queue oldest first, whatever the usual order of the list.
        if ReviewStatusFilter.is_queue(request):
            return list(REVIEW_QUEUE_ORDER)
        return super().get_ordering(request)

    def get_list_display(self, request: HttpRequest) -> list[Any] | tuple[Any, ...]:
        if ReviewStatusFilter.is_queue(request):
            return ["title", "condition", "language", "submitted_by", "submitted_at"]
        return super().get_list_display(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if workflow.can_publish(cast(User, request.user)):
            context["waiting_for_review"] = Article.objects.waiting_for_review().count()
        return super().changelist_view(request, extra_context=context)

    # --- Only drafts change ----------------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        # Every published version is kept; a draft that never went live may be thrown away.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.version is None)

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # Bulk deletion would not ask each row whether it is a kept version.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def save_model(  # type: ignore[override]  # the admin serves only signed-in staff
        self,
        request: AuthenticatedHttpRequest,
        obj: Article,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        stored = obj.stored()
        if stored is not None:
            # What the form does not edit stays as stored: a revert (a historical copy) brings
            # back an earlier text, never an earlier step of the workflow or review.
            edited = set(form.fields) | getattr(form, "edits_model_fields", set())
            for field in obj._meta.concrete_fields:
                if field.name not in edited:
                    setattr(obj, field.attname, getattr(stored, field.attname))
        super().save_model(request, obj, form, change)
        if stored is not None and obj.changed_fields(stored):
            # The revert page saves no inlines, so save_related is not called there.
            workflow.note_contribution(obj, request.user)

    def save_related(  # type: ignore[override]  # the admin serves only signed-in staff
        self,
        request: AuthenticatedHttpRequest,
        form: forms.ModelForm,
        formsets: list[BaseFormSet],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            workflow.note_contribution(form.instance, request.user)

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None or not is_draft(obj.pk) or super().revert_disabled(request, obj)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        refuse_revert_unless_draft(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"part_changes": article_part_changes(object_id), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)

    # --- Workflow --------------------------------------------------------------------------

    def change_view(  # type: ignore[override]  # the admin serves only signed-in staff
        self,
        request: AuthenticatedHttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        article = self.get_object(request, object_id)
        context = {**workflow_context(request, article), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponse], name: str) -> URLPattern:
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(function),
                name=f"education_article_{name.replace('-', '_')}",
            )

        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="education_article_import",
            ),
            view(self.submit_view, "submit"),
            view(self.return_view, "return"),
            view(self.publish_view, "publish"),
            view(self.archive_view, "archive"),
            view(self.new_draft_view, "new-draft"),
            view(self.versions_view, "versions"),
            *super().get_urls(),
        ]

    def _article_or_404(self, request: HttpRequest, object_id: str) -> Article:
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_permission(request, article):
            raise Http404("No such article.")
        return article

    def _step(
        self,
        request: AuthenticatedHttpRequest,
        object_id: str,
        step: Callable[[Article, User], Article],
        done: Callable[[Article], str],
    ) -> HttpResponse:
        """Run one POSTed workflow step and go to the article it leaves (a new draft is
        another article). `done(article)` says what happened, in the active language."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        try:
            # The step and its records (the admin's log, the audit event) commit together.
            with transaction.atomic():
                result = step(article, request.user)
                self.log_change(request, result, untranslated(done, result))
        except workflow.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(change_url(article))
        self.message_user(request, done(result), messages.SUCCESS)
        return redirect(change_url(result))

    def submit_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        def done(article: Article) -> str:
            sent = gettext("Sent for review. A reviewer can now approve and publish it.")
            conflicts = article_conflicts(article)
            if not conflicts:
                return sent
            return " ".join([sent, conflicts_note(conflicts)])

        return self._step(request, object_id, workflow.submit_for_review, done)

    def return_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request,
            object_id,
            workflow.return_to_draft,
            lambda article: gettext("Returned to draft: it can be edited again."),
        )

    def archive_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        """Withdrawing stops every clinician issuing from the article, so it asks first."""
        if request.method == "GET":
            article = self._article_or_404(request, object_id)
            # Who may withdraw is the workflow's rule (archive_problem asks can_publish too);
            # before asking, this page says who may rather than "no permission".
            if not workflow.can_publish(request.user):
                self.message_user(
                    request,
                    gettext(
                        "Only a content reviewer or an administrator "
                        "can withdraw published articles."
                    ),
                    messages.ERROR,
                )
                return redirect(change_url(article))
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Withdraw %(article)s?") % {"article": article},
                "article": article,
            }
            return TemplateResponse(request, "admin/education/article/archive.html", context)
        return self._step(
            request,
            object_id,
            workflow.archive,
            lambda article: (
                gettext("Archived %(article)s. Clinicians can no longer issue handouts from it.")
                % {"article": article}
            ),
        )

    def new_draft_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request,
            object_id,
            workflow.start_draft,
            lambda article: (
                gettext(
                    "Started a new draft from %(source)s. Published content is unchanged until the "
                    "draft is approved."
                )
                % {"source": article.based_on}
            ),
        )

    def publish_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        draft = self._article_or_404(request, object_id)
        clinic = ClinicProfile.load()
        readability = article_readability(draft)[0]
        conflicts = article_conflicts(draft)
        form = PublishForm(
            request.POST or None,
            clinic=clinic,
            above_maximum=readability.grade > clinic.max_reading_grade,
            with_conflicts=bool(conflicts),
        )
        problem = workflow.approval_problem(draft, request.user, clinic)
        if request.method == "POST" and problem is None and form.is_valid():

            def done(published: Article) -> str:
                if not published.grade_override_reason:
                    said = gettext("Published as version %(version)s.") % {
                        "version": published.version
                    }
                else:
                    said = gettext(
                        "Published as version %(version)s. Reading grade %(grade)g is above "
                        "the maximum of %(maximum)s; override reason: %(reason)s"
                    ) % {
                        "version": published.version,
                        "grade": published.published_grade,
                        "maximum": clinic.max_reading_grade,
                        "reason": published.grade_override_reason,
                    }
                if published.plan_conflict_reason:
                    said += " " + gettext(
                        "Published although its text contradicts plan choices it offers; "
                        "reason: %(reason)s"
                    ) % {"reason": published.plan_conflict_reason}
                return said

            try:
                # The publication and the admin's log entry commit together, or neither does.
                with transaction.atomic():
                    published = workflow.publish(
                        draft,
                        request.user,
                        override_reason=form.cleaned_data.get("override_reason", ""),
                        conflict_reason=form.cleaned_data.get("conflict_reason", ""),
                        next_review_due=form.cleaned_data["next_review_due"],
                    )
                    # publish() recorded the audit event itself.
                    self.log_change_without_audit(request, published, untranslated(done, published))
            except workflow.WorkflowError as error:
                form.add_error(None, str(error))
            except DatabaseError as error:
                log_save_failure(logger, "Publishing an article", error)
                form.add_error(
                    None,
                    gettext(
                        "The article was not published: the database could not save the "
                        "change. Nothing changed, and what you entered is still below. Please "
                        "try again; if it keeps happening, tell your administrator."
                    ),
                )
            else:
                self.message_user(request, done(published), messages.SUCCESS)
                return redirect(change_url(published))
        live = draft.live_version()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Approve and publish: %(article)s") % {"article": draft},
            "article": draft,
            "live": live,
            "changes": compare_articles(live, draft) if live else None,
            "readability": readability,
            "maximum": clinic.max_reading_grade,
            "plan_conflicts": conflicts,
            "plan_rules": has_rules(draft.language),
            "problem": problem,
            "form": form,
        }
        return TemplateResponse(request, "admin/education/article/publish.html", context)

    def versions_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        """Every version of this article, and a comparison of any two of them."""
        article = self._article_or_404(request, object_id)
        versions = list(
            article.siblings()
            .filter(Q(version__isnull=False) | Q(state__in=Article.OPEN_STATES))
            .select_related("published_by")
            .order_by(F("version").desc(nulls_first=True))
        )
        by_id = {str(version.pk): version for version in versions}
        old, new = by_id.get(request.GET.get("old", "")), by_id.get(request.GET.get("new", ""))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Versions of %(title)s (%(language)s)")
            % {"title": article.title, "language": article.language},
            "article": article,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": compare_articles(old, new) if old and new else None,
            "can_start_draft": workflow.can_start_draft(article, request.user),
        }
        return TemplateResponse(request, "admin/education/article/versions.html", context)

    def import_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        """Upload a content pack: first a preview of what it would create or change (nothing
        written), then, confirmed, its articles as drafts for review. Never live content."""
        if not request.user.has_perm(packs.IMPORT_PERMISSION):
            raise PermissionDenied
        upload, preview, problems = PackUploadForm(), None, []
        confirm = ConfirmPackForm()
        if request.method == "POST" and "confirm" in request.POST:
            confirm = ConfirmPackForm(request.POST)
            if confirm.is_valid():
                try:
                    pack = packs.read_pack(
                        confirm.cleaned_data["file_name"], confirm.cleaned_data["pack"]
                    )
                    with transaction.atomic():
                        result = packs.import_pack(pack, user=request.user)
                        for item in result.languages:
                            if item.article is not None:
                                self.log_addition(
                                    request, item.article, "Imported from a content pack."
                                )
                except packs.PackInvalid as invalid:
                    problems = invalid.problems
                except DatabaseError as error:  # a draft made at the same moment, an outage
                    log_save_failure(logger, "Importing a content pack", error)
                    self.message_user(
                        request,
                        gettext(
                            "The pack was not imported: the database could not save it. "
                            "Nothing changed. Upload it again to see what it would do now."
                        ),
                        messages.ERROR,
                    )
                    return redirect("admin:education_article_import")
                else:
                    self.message_user(request, import_message(result), messages.SUCCESS)
                    return redirect("admin:education_article_changelist")
        elif request.method == "POST":
            upload = PackUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                file = upload.cleaned_data["file"]
                try:
                    pack = packs.read_pack(file.name, file.read())
                except packs.PackInvalid as invalid:
                    problems = invalid.problems
                else:
                    preview = packs.plan_import(pack)
                    confirm = ConfirmPackForm(initial={"file_name": pack.file, "pack": pack.text()})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a content pack"),
            "upload": upload,
            "confirm": confirm,
            "preview": preview,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/education/article/import_pack.html", context)


# A pack is a few hundred kilobytes at most; anything far larger is not one.
MAX_PACK_BYTES = 2 * 1024 * 1024


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Content pack"),
        help_text=_("One condition's .json file, as manage.py export_content writes it."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_PACK_BYTES:
            raise forms.ValidationError(
                gettext("This file is larger than %(size)d MB: it is not a content pack.")
                % {"size": MAX_PACK_BYTES // (1024 * 1024)}
            )
        return file


class ConfirmPackForm(forms.Form):
    """The checked pack, carried from the preview to the import; checked again there."""

    file_name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    pack = forms.CharField(widget=forms.HiddenInput, max_length=MAX_PACK_BYTES, strip=False)


def import_message(result: packs.PackImport) -> str:
    drafts = result.count(packs.Outcome.DRAFT)
    unchanged = result.count(packs.Outcome.UNCHANGED)
    refused = result.count(packs.Outcome.REFUSED)
    return gettext(
        "%(file)s: %(drafts)d new draft(s) for review, %(unchanged)d unchanged, "
        "%(refused)d refused."
    ) % {"file": result.pack.file, "drafts": drafts, "unchanged": unchanged, "refused": refused}


class PublishForm(forms.Form):
    next_review_due = forms.DateField(
        label=_("Next review due"),
        widget=NativeDateInput(),
        help_text=_("Defaults to the clinic's review interval from today."),
    )
    override_reason = forms.CharField(
        label=_("Reason to publish above the maximum reading grade"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Recorded with the version and in the audit log."),
    )
    conflict_reason = forms.CharField(
        label=_("Reason to publish although the text contradicts plan choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Recorded with the version and in the audit log."),
    )

    def __init__(
        self,
        *args: Any,
        clinic: ClinicProfile,
        above_maximum: bool,
        with_conflicts: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.above_maximum = above_maximum
        self.with_conflicts = with_conflicts
        self.fields["next_review_due"].initial = workflow.default_next_review(
            clinic, timezone.localdate()
        )
        if not above_maximum:
            del self.fields["override_reason"]
        if not with_conflicts:
            del self.fields["conflict_reason"]

    def clean_next_review_due(self) -> datetime.date:
        due = self.cleaned_data["next_review_due"]
        if due <= timezone.localdate():
            raise forms.ValidationError(
                gettext("The next review must be after today."), code="not_after_today"
            )
        return due

    def clean_override_reason(self) -> str:
        reason = self.cleaned_data["override_reason"].strip()
        if self.above_maximum and not reason:
            raise forms.ValidationError(
                gettext(
                    "This article is above the clinic's maximum reading grade. Say why it "
                    "should be published anyway, or go back and simplify it."
                ),
                code="reason_required",
            )
        return reason

    def clean_conflict_reason(self) -> str:
        reason = self.cleaned_data["conflict_reason"].strip()
        if self.with_conflicts and not reason:
            raise forms.ValidationError(
                gettext(
                    "This article's text contradicts plan choices it offers (listed above). "
                    "Say why it should be published anyway, or go back and change the text."
                ),
                code="conflict_reason_required",
            )
        return reason


def conflicts_note(conflicts: list[Conflict]) -> str:
    """What an editor is told on sending a draft with conflicts for review."""
    return ngettext(
        "Its text has %(count)d conflict with plan choices it offers, listed on its page: "
        "the reviewer sees it, and publishing it needs a stated reason.",
        "Its text has %(count)d conflicts with plan choices it offers, listed on its page: "
        "the reviewer sees them, and publishing it needs a stated reason.",
        len(conflicts),
    ) % {"count": len(conflicts)}


def untranslated(describe: Callable[[Article], str], article: Article) -> str:
    """`describe(article)` in the source language, for the admin's log and the audit trail:
    records read the same whoever made them."""
    with translation.override(None):
        return describe(article)


def change_url(article: Article) -> str:
    return reverse("admin:education_article_change", args=[article.pk])


def workflow_context(request: AuthenticatedHttpRequest, article: Article | None) -> dict:
    """What the workflow box on an article's admin page shows, and the steps it offers: each
    exactly when the workflow would take it."""
    if article is None:
        return {}
    user = request.user
    submit_problem = workflow.submit_problem(article, user)
    is_open = article.state in Article.OPEN_STATES
    return {
        "workflow": {
            # Shown while the text can still change or is being reviewed.
            "plan_conflicts": article_conflicts(article) if is_open else [],
            "plan_rules": has_rules(article.language),
            "live": article.live_version(),
            "open_draft": article.siblings().open_drafts().exclude(pk=article.pk).first(),
            "can_submit": submit_problem is None,
            # What its editor must do before a draft can be sent (other states say it above).
            "submit_problem": submit_problem
            if article.is_editable and user.has_perm(workflow.EDIT_PERMISSION)
            else None,
            "can_return": workflow.can_return(article, user),
            # The review page, which says why when this reviewer may not approve it.
            "can_review": workflow.can_review(article, user),
            "can_archive": workflow.can_archive(article, user),
            "can_start_draft": workflow.can_start_draft(article, user),
        }
    }


def is_draft(article_id: int | str | None) -> bool:
    """Whether the article is a draft now (for an object that may be a historical copy)."""
    if article_id is None:
        return False
    return Article.objects.filter(pk=article_id, state=Article.State.DRAFT).exists()


def refuse_revert_unless_draft(request: HttpRequest, article_id: int | str | None) -> None:
    """simple-history saves a POSTed revert page even when it hides the button; published
    content must never change in place."""
    if request.method == "POST" and not is_draft(article_id):
        raise PermissionDenied("Only drafts can be changed. Start a new draft to revert.")


@dataclass(frozen=True)
class PartChange:
    when: datetime.datetime
    part: str
    description: str
    change: str
    user: object
    history_url: str


def article_part_changes(article_id: str, limit: int = 200) -> list[PartChange]:
    """The history of everything an article owns, newest first, as one timeline."""
    changes = []
    for model in (part.model for part in PARTS):
        history = model.history  # type: ignore[attr-defined]  # every part keeps history
        records = history.filter(article_id=article_id).select_related("history_user")
        history_url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}_history"
        changes += [
            PartChange(
                when=record.history_date,
                part=str(model._meta.verbose_name).capitalize(),
                description=str(record.instance),
                change=record.get_history_type_display(),
                user=record.history_user,
                history_url=reverse(history_url_name, args=[record.id]),
            )
            for record in records.order_by("-history_date")[:limit]
        ]
    return sorted(changes, key=lambda change: change.when, reverse=True)[:limit]


class ArticlePartHistoryAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    """History and revert pages for an article's parts. They are edited inline on the article,
    so they stay out of the admin index and cannot be added on their own; the article's history
    page links to them. Only a draft's parts can be changed, reverted or deleted here, and the
    article a part belongs to is never editable."""

    readonly_fields = ["article"]
    formfield_overrides = TEXT_AREAS

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or is_draft(obj.article_id))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or is_draft(obj.article_id))

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # Bulk deletion would not ask each part whether its article is a draft.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        part = self.get_object(request, object_id)
        if request.method == "GET" and part is not None and not is_draft(part.article_id):
            self.message_user(request, not_a_draft_message(part), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not is_draft(obj.article_id) or super().revert_disabled(request, obj)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        record = self.model.history.filter(id=object_id, history_id=version_id).first()
        refuse_revert_unless_draft(request, record.article_id if record else None)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # A change here (a revert, too) is a change to the draft, like one on the article's page:
    # whoever makes it may not approve the draft themselves.

    def save_model(  # type: ignore[override]  # the admin serves only signed-in staff
        self,
        request: AuthenticatedHttpRequest,
        obj: PartOfArticle,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        stored = obj.stored()
        super().save_model(request, obj, form, change)
        if stored is None or obj.changed_fields(stored):
            workflow.note_contribution(Article.objects.get(pk=obj.article_id), request.user)

    def delete_model(  # type: ignore[override]  # the admin serves only signed-in staff
        self, request: AuthenticatedHttpRequest, obj: PartOfArticle
    ) -> None:
        super().delete_model(request, obj)
        workflow.note_contribution(Article.objects.get(pk=obj.article_id), request.user)


def not_a_draft_message(part: PartOfArticle) -> str:
    article = Article.objects.get(pk=part.article_id)
    # Translators: %(part)s is a kind of part, e.g. "section"; %(state)s is the article's state
    # in lower case, e.g. "published".
    return gettext(
        "This %(part)s belongs to an article that is %(state)s, so it cannot be changed here. "
        "To change it, start a new draft of the article and have it reviewed."
    ) % {"part": part._meta.verbose_name, "state": article.get_state_display().lower()}


for part in PARTS:
    admin.site.register(part.model, ArticlePartHistoryAdmin)
