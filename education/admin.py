"""The Django admin is the content editor: a whole article, with its sections, sources and
care-plan options, on one page, and every change kept in history."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from education.models import (
    Article,
    Condition,
    PreventionTip,
    RestGuidance,
    Section,
    Source,
    Therapy,
    WarningSign,
)
from education.readability import article_readability
from portal.models import ClinicProfile

ARTICLE_PARTS = [Section, Source, RestGuidance, Therapy, PreventionTip, WarningSign]


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "icd10_codes", "updated_at"]
    search_fields = ["name", "synonyms", "icd10_codes", "snomed_codes", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["updated_at"]


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("kind", "heading", "position"), "body"]


# Stacked, not tabular: tabular inlines give their fields no labels, which screen readers need.
class SourceInline(admin.StackedInline):
    model = Source
    extra = 0
    fields = ["citation", ("url", "accessed_on", "position")]


class RestGuidanceInline(admin.StackedInline):
    model = RestGuidance
    fields = [("default_weeks", "crutches_advised", "weight_bearing"), "note"]


class TherapyInline(admin.StackedInline):
    model = Therapy
    extra = 0
    fields = [("name", "times_per_week", "weeks", "position"), "instructions"]


class PreventionTipInline(admin.StackedInline):
    model = PreventionTip
    extra = 0
    fields = [("text", "selected_by_default", "position")]


class WarningSignInline(admin.StackedInline):
    model = WarningSign
    extra = 0
    fields = [("text", "urgency", "position")]


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("current", "Up to date")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "current":
            return queryset.exclude(pk__in=queryset.review_overdue())
        return queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "condition",
        "language",
        "state",
        "last_reviewed_on",
        "next_review_due",
        "review_overdue",
    ]
    list_filter = ["state", "language", ReviewOverdueFilter, "needs_clinical_review"]
    list_select_related = ["condition"]
    search_fields = [
        "title",
        "condition__name",
        "condition__synonyms",
        "condition__icd10_codes",
        "condition__snomed_codes",
    ]
    readonly_fields = ["created_at", "updated_at", "readability_panel"]
    fieldsets = [
        (None, {"fields": [("condition", "language"), "title", "summary", "state"]}),
        (
            "Review",
            {
                "fields": [
                    "needs_clinical_review",
                    "reviewed_by",
                    ("last_reviewed_on", "next_review_due"),
                    ("created_at", "updated_at"),
                ]
            },
        ),
        ("Readability (of the saved text; save to update)", {"fields": ["readability_panel"]}),
    ]
    inlines = [
        SectionInline,
        SourceInline,
        RestGuidanceInline,
        TherapyInline,
        PreventionTipInline,
        WarningSignInline,
    ]
    object_history_template = "admin/education/article/object_history.html"
    # Titles are sentences; the admin's default text box shows only a few words of one.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 80})}}

    @admin.display(description="Reading level")
    def readability_panel(self, article: Article) -> str:
        if not article.pk:
            return "Shown once the article is saved."
        whole, sections = article_readability(article)
        return render_to_string("admin/education/article/readability.html", {
            "whole": whole, "sections": sections,
            "maximum": ClinicProfile.load().max_reading_grade,
        })

    @admin.display(boolean=True, description="Review overdue")
    def review_overdue(self, article: Article) -> bool:
        return article.is_review_overdue()

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        context = {"part_changes": article_part_changes(object_id), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)


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
    for part in ARTICLE_PARTS:
        records = part.history.filter(article_id=article_id).select_related("history_user")
        history_url_name = f"admin:{part._meta.app_label}_{part._meta.model_name}_history"
        changes += [
            PartChange(
                when=record.history_date,
                part=str(part._meta.verbose_name).capitalize(),
                description=str(record.instance),
                change=record.get_history_type_display(),
                user=record.history_user,
                history_url=reverse(history_url_name, args=[record.id]),
            )
            for record in records.order_by("-history_date")[:limit]
        ]
    return sorted(changes, key=lambda change: change.when, reverse=True)[:limit]


class ArticlePartHistoryAdmin(SimpleHistoryAdmin):
    """History and revert pages for an article's parts. They are edited inline on the article,
    so they stay out of the admin index; the article's history page links to them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False


for part_model in ARTICLE_PARTS:
    admin.site.register(part_model, ArticlePartHistoryAdmin)
