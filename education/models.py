"""What we teach: conditions, their articles (one per language) and the care-plan options that
clinicians pick from when they personalize a handout."""

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from education.markup import render_markdown
from education.plan_blocks import PlanError, PlanOffer
from education.search import normalize_for_search
from portal.models import language_choices  # migration 0001 names it here too


class ConditionQuerySet(models.QuerySet["Condition"]):
    def search(self, query: str) -> Self:
        """Every word of the query appears in a published name, synonym or code (in any
        language); or the query is an ICD-10-CM code that a condition has, or has the parent
        of (for_code)."""
        words = Q()
        for word in normalize_for_search(query).split():
            words &= Q(search_text__contains=word)
        code = normalize_code(CodeSystem.ICD10_CM, query)
        if ICD10_CM_CODE.match(code):
            return self.filter(words | Q(_has_code(CodeSystem.ICD10_CM, code)))
        return self.filter(words)

    def for_code(self, system: str, code: str) -> Self:
        """The conditions whose published articles list `code` in `system`. An ICD-10-CM code
        that none lists finds the nearest parent some do list: M89.8X6, then M89.8X, M89.8,
        M89. One query, however many levels are tried."""
        return self.filter(_has_code(system, normalize_code(system, code)))

    def below_code(self, system: str, code: str) -> Self:
        """The conditions whose published articles list a code below `code`, more specific
        than it: ICD-10-CM M89.8 finds M89.8X6. SNOMED CT finds none: its hierarchy is not
        in the portal."""
        if system != CodeSystem.ICD10_CM:
            return self.none()
        code = normalize_code(system, code)
        # M89 is followed by a dot in every code below it; M89.8 by a character.
        prefix = code if "." in code else f"{code}."
        below = ConditionCode.objects.filter(
            system=system,
            article__state=Article.State.PUBLISHED,
            article__condition=models.OuterRef("pk"),
            code__startswith=prefix,
        ).exclude(code=code)
        return self.filter(models.Exists(below))

    def with_published_articles(self, language: str | None = None) -> Self:
        """Those with a published article (in `language`, if given)."""
        # EXISTS rather than a join and DISTINCT: each condition is checked once, through the
        # index of the one published article per condition and language, however many
        # articles the library holds.
        published = Article.objects.published().filter(condition=models.OuterRef("pk"))
        if language is not None:
            published = published.filter(language=language)
        return self.filter(models.Exists(published))

    def for_library(self) -> Self:
        """With what a library listing shows: each published article (as
        `published_articles`, by language) with the condition's name and codes in it
        (Condition.terms_in), and nothing that needs a query per condition."""
        return self.prefetch_related(
            models.Prefetch(
                "articles",
                queryset=Article.objects.published()
                .select_related("condition_name")
                .prefetch_related("codes")
                .order_by("language"),
                to_attr="published_articles",
            )
        )

    def recently_updated(self, count: int) -> list["Condition"]:
        """The `count` conditions whose published articles changed last, newest first."""
        # A few more articles than conditions are read: languages of one condition are often
        # published together. Read through the index on the published articles' updated_at.
        recent = Article.objects.published().order_by("-updated_at")
        ids = list(dict.fromkeys(recent.values_list("condition_id", flat=True)[: count * 4]))
        found = self.in_bulk(ids[:count])
        return [found[pk] for pk in ids[:count] if pk in found]


@dataclass(frozen=True)
class LanguageOption:
    """One of the portal's languages, with the condition's published article in it, if any."""

    code: str
    name: str
    article: "Article | None"


@dataclass(frozen=True)
class ConditionTerms:
    """What a condition is called, and coded, in one published article."""

    language: str
    name: str
    synonyms: list[str]
    icd10_codes: list[str]
    snomed_codes: list[str]


class Condition(models.Model):
    """A condition, independent of language. What it is called and how it is coded belong to
    its articles (ConditionName, ConditionCode), so they change only through review; the name
    here is the published one in the portal's language, copied for sorting."""

    slug = models.SlugField(_("slug"), unique=True, max_length=100)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_(
            "Used in lists until an article is published; from then on, the name in the "
            "published article in the portal's language, which changes through review."
        ),
    )
    # Derived from the published articles' names, synonyms and codes (refresh_published_terms);
    # lets every database search accent- and case-insensitively without database extensions.
    search_text = models.TextField(_("search text"), editable=False, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # The library lists conditions by name a page at a time. (search_text has a trigram
        # index on PostgreSQL, added by migration 0007: SQLite cannot build one.)
        indexes = [models.Index(fields=["name"], name="condition_name")]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.normalized_search_text()
        super().save(*args, **kwargs)

    def published_terms(self) -> list[ConditionTerms]:
        articles = self.articles.published().select_related("condition_name")
        return [condition_terms(article) for article in articles.prefetch_related("codes")]

    def normalized_search_text(self, published: list[ConditionTerms] | None = None) -> str:
        """What search_text holds: the slug, the name, and every published name, synonym and
        code, normalized (education.search)."""
        if published is None:
            published = self.published_terms() if self.pk else []
        words = [self.slug, self.name]
        for terms in published:
            words += [terms.name, *terms.synonyms, *terms.icd10_codes, *terms.snomed_codes]
        return normalize_for_search(" ".join(words))

    def refresh_published_terms(self) -> None:
        """After a publication or withdrawal: search what is published now, and list the
        condition under its published name in the portal's language (or, without one, in
        another language). Only these two fields are written, whatever else this copy holds."""
        published = self.published_terms()
        by_language = {terms.language: terms for terms in published}
        shown = by_language.get(settings.LANGUAGE_CODE) or next(iter(published), None)
        if shown is not None:
            self.name = shown.name
        self.search_text = self.normalized_search_text(published)
        Condition.objects.filter(pk=self.pk).update(
            name=self.name, search_text=self.search_text, updated_at=timezone.now()
        )

    def terms_in(self, language: str) -> ConditionTerms:
        """Its name and codes for staff working in `language`: from the published article in
        that language, or else from the first published one, or else the name it was created
        with. Reads the articles for_library() prefetched."""
        articles = getattr(self, "published_articles", None)
        if articles is None:
            articles = list(
                self.articles.published().select_related("condition_name").prefetch_related("codes")
            )
        chosen = next((a for a in articles if a.language == language), None) or next(
            iter(articles), None
        )
        if chosen is None:
            return ConditionTerms(language, self.name, [], [], [])
        return condition_terms(chosen)

    def language_options(self) -> list[LanguageOption]:
        """Every language the portal offers, in settings order, with its published article."""
        published = {article.language: article for article in self.articles.published()}
        return [
            LanguageOption(code, name, published.get(code)) for code, name in language_choices()
        ]


# The review queue is worked oldest first.
REVIEW_QUEUE_ORDER = (F("submitted_at").asc(nulls_first=True), "pk")
# Reviews due within this many days are listed as "due soon" on staff home and in the admin.
REVIEW_SOON_DAYS = 60


def plain_newlines(text: str) -> str:
    """Text with \n line ends. Browsers send \r\n from text areas; without this, saving a form
    unchanged would make every paragraph differ from the version it was copied from."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class FrozenContentError(PermissionDenied):
    """Content that has left draft was about to change, or be deleted, other than by a step of
    education.workflow. Only a draft's content changes; to change published content, start a
    new draft and publish it. A PermissionDenied, so a request that gets this far is answered
    403, never 500."""


class VersionedContent(models.Model):
    """Something whose text reaches patients: kept with plain newlines, and changed only while
    it is a draft. Saving it unchanged writes nothing, so its history records only changes.

    Every way the portal writes content asks change_problem() or delete_problem(): save() and
    delete(), and update() and delete() of the default managers' querysets, which skip save().
    Django's base manager and raw SQL do not ask: Django uses the base manager itself (deleting
    a draft deletes its parts), and they stay a database administrator's way to repair data.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.TextField) and isinstance(value, str):
                setattr(self, field.attname, plain_newlines(value))
        stored = self.stored()
        problem = self.change_problem(stored)
        if problem is not None:
            raise FrozenContentError(problem)
        if stored is not None and not self.changed_fields(stored):
            return
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        problem = self.delete_problem(self.stored())
        if problem is not None:
            raise FrozenContentError(problem)
        return super().delete(*args, **kwargs)

    def stored(self) -> Self | None:
        """This row as the database has it now (None while unsaved), to judge a change by what
        is stored rather than by what this copy says."""
        return type(self)._base_manager.filter(pk=self.pk).first() if self.pk else None

    def change_problem(self, stored: Self | None) -> str | None:
        """Why saving this copy over `stored` (None: adding it) is refused, or None."""
        raise NotImplementedError

    def delete_problem(self, stored: Self | None) -> str | None:
        """Why deleting `stored` is refused, or None."""
        raise NotImplementedError

    def changed_fields(self, stored: Self) -> list[str]:
        """The fields whose value differs from the stored row (updated_at aside: saving sets it)."""
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.name != "updated_at"
            and field.to_python(getattr(self, field.attname))
            != field.to_python(getattr(stored, field.attname))
        ]


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> Self:
        return self.filter(state=Article.State.PUBLISHED)

    def open_drafts(self) -> Self:
        return self.filter(state__in=Article.OPEN_STATES)

    def versions(self) -> Self:
        """Every version that was ever published (the live one and the archived ones)."""
        return self.filter(version__isnull=False).order_by("-version")

    def waiting_for_review(self) -> Self:
        """Drafts sent for review, the longest waiting first."""
        return self.filter(state=Article.State.IN_REVIEW).order_by(*REVIEW_QUEUE_ORDER)

    def review_overdue(self, today: datetime.date | None = None) -> Self:
        """Past their next review, or never reviewed at all (Article.has_review_on_record)."""
        return self.filter(~REVIEW_ON_RECORD | Q(next_review_due__lt=today or timezone.localdate()))

    def review_due_soon(
        self, today: datetime.date | None = None, days: int = REVIEW_SOON_DAYS
    ) -> Self:
        """Not overdue yet, but due within `days`."""
        today = today or timezone.localdate()
        return self.filter(
            REVIEW_ON_RECORD,
            next_review_due__gte=today,
            next_review_due__lte=today + datetime.timedelta(days=days),
        )

    # Bulk changes skip save() and delete(), so they ask the same question here. Nothing in the
    # portal changes articles in bulk; the admin's bulk delete is switched off.

    def update(self, **kwargs: Any) -> int:
        if self.exclude(state=Article.State.DRAFT).exists():
            raise FrozenContentError("Only drafts change; education.workflow moves the others.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(state__in=Article.OPEN_STATES).exists():
            raise FrozenContentError("Published and archived versions are kept.")
        return super().delete()


# A clinician approved the text (publish() records when) and set when to look at it again.
# Sample content, and anything else published without a review, has none on record.
REVIEW_ON_RECORD = Q(
    last_reviewed_on__isnull=False, next_review_due__isnull=False, needs_clinical_review=False
)


class Article(VersionedContent):
    """One version of one condition explained in one language. Translations are sibling
    articles; so are the versions of one translation: the draft being written (at most one),
    the published version clinicians use (at most one) and every earlier published version,
    archived. Only drafts are ever edited; education.workflow moves an article between states,
    and save() refuses any other change (FrozenContentError).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    # States of the one draft an article may have open beside its published version.
    OPEN_STATES = [State.DRAFT, State.IN_REVIEW]
    # The steps education.workflow takes; save() refuses any other. A draft is published
    # directly only when loaded as sample content (workflow.publish_loaded_content).
    STEPS = {
        State.DRAFT: {State.DRAFT, State.IN_REVIEW, State.PUBLISHED},
        State.IN_REVIEW: {State.IN_REVIEW, State.DRAFT, State.PUBLISHED},
        State.PUBLISHED: {State.PUBLISHED, State.ARCHIVED},
        State.ARCHIVED: {State.ARCHIVED},
    }
    # What the reader reads. Fixed from the moment the draft is sent for review, so the
    # reviewer approves exactly the text they read; publishing then records its own fields.
    CONTENT_FIELDS = {"condition", "language", "title", "summary", "in_brief", "plan"}
    # All that may change once published: withdrawing it (archive) sets these.
    ARCHIVING_FIELDS = {"state", "archived_at"}

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="articles"
    )
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("One plain-language paragraph."))
    in_brief = models.CharField(
        _("in one sentence"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the patient has, in one short plain sentence. Printed at the top of "
            "page 1 of every handout, above the patient's plan; empty: the summary is "
            "printed."
        ),
    )
    # The blocks of the patient's plan this version offers clinicians, with their defaults:
    # PlanOffer.to_json(), read through plan_offer(). Empty: it offers none of them.
    plan = models.JSONField(
        _("patient's plan"),
        default=dict,
        blank=True,
        help_text=_("The blocks of the patient's plan this article offers, with their defaults."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    version = models.PositiveIntegerField(
        _("version"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Numbered when first published."),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="drafts",
        help_text=_("The version this draft was started from."),
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributors"),
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Who changed this draft's content; they may not approve it themselves."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    # Recorded when the version was published, so reports judge exactly the approved text and
    # lists never measure it again (migration 0006 recorded it for older versions). Drafts: null.
    published_grade = models.FloatField(_("published grade"), null=True, blank=True, editable=False)
    grade_override_reason = models.TextField(
        _("grade override reason"),
        blank=True,
        editable=False,
        help_text=_("Why this version was published above the clinic's maximum reading grade."),
    )
    plan_conflict_reason = models.TextField(
        _("plan conflict reason"),
        blank=True,
        editable=False,
        help_text=_(
            "Why this version was published although its text contradicts a plan choice it "
            "offers (education.plan_rules)."
        ),
    )
    # A fingerprint of what a handout made from this version reads (education.snapshot).
    fingerprint = models.CharField(_("fingerprint"), max_length=12, blank=True, editable=False)
    needs_clinical_review = models.BooleanField(
        _("needs clinical review"),
        default=False,
        help_text=_(
            "Sample or unreviewed content: shown with a warning until a clinician has reviewed it."
        ),
    )
    reviewed_by = models.CharField(
        _("reviewed by"),
        max_length=200,
        blank=True,
        help_text=_("Name and role of the clinical reviewer."),
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["condition__name", "language", "-version"]
        permissions = [("publish_article", "Can approve and publish articles")]
        indexes = [
            # "Recently updated" on staff home and the library: the newest published versions.
            models.Index(
                fields=["-updated_at"],
                condition=Q(state="published"),
                name="article_published_recent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "language"],
                condition=Q(state="published"),
                name="one_published_article_per_condition_and_language",
                violation_error_message=_(
                    "This condition already has a published article in "
                    "this language. Archive or unpublish that one first."
                ),
            ),
            models.UniqueConstraint(
                fields=["condition", "language"],
                condition=Q(state__in=["draft", "in_review"]),
                name="one_open_draft_per_condition_and_language",
                violation_error_message=_(
                    "This condition already has a draft in this "
                    "language. Finish or delete that draft first."
                ),
            ),
            models.UniqueConstraint(
                fields=["condition", "language", "version"],
                name="unique_version_per_condition_and_language",
            ),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, {self.version_label})"

    def get_absolute_url(self) -> str:
        return reverse(
            "education:article", kwargs={"slug": self.condition.slug, "language": self.language}
        )

    def clean(self) -> None:
        try:
            PlanOffer.from_json(self.plan)
        except PlanError as error:
            raise ValidationError(
                {"plan": ValidationError(str(error), code="invalid_plan")}
            ) from None
        # The database enforces these too; saying so here gives editors a message, because
        # `state` is not a form field and Django skips constraints on fields a form leaves out.
        if self.condition_id and self.language:
            others = self.siblings().exclude(pk=self.pk)
            if self.state in self.OPEN_STATES and others.open_drafts().exists():
                raise ValidationError(
                    gettext(
                        "This condition already has a draft in this language. Finish or "
                        "delete that draft first."
                    ),
                    code="open_draft_exists",
                )
        if (
            self.last_reviewed_on
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed_on
        ):
            raise ValidationError(
                {
                    "next_review_due": ValidationError(
                        gettext("The next review must be after the last review."),
                        code="review_before_last_review",
                    )
                }
            )

    @property
    def version_label(self) -> str:
        if self.version:
            return gettext("version %(number)s") % {"number": self.version}
        return gettext("draft")

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    def siblings(self) -> ArticleQuerySet:
        """Every version and draft of this article (same condition and language), itself too."""
        return Article.objects.filter(condition_id=self.condition_id, language=self.language)

    def plan_offer(self) -> PlanOffer:
        """The plan blocks this version offers clinicians, with their defaults."""
        return PlanOffer.from_json(self.plan)

    def live_version(self) -> "Article | None":
        return self.siblings().published().first()

    @property
    def has_review_on_record(self) -> bool:
        """Whether a clinician approved this text and set its next review (REVIEW_ON_RECORD)."""
        return bool(
            self.last_reviewed_on and self.next_review_due and not self.needs_clinical_review
        )

    def is_review_overdue(self, today: datetime.date | None = None) -> bool:
        """Past its next review, or never reviewed: such an article is never "within its
        review date"."""
        if not self.has_review_on_record:
            return True
        return bool(self.next_review_due and self.next_review_due < (today or timezone.localdate()))

    def change_problem(self, stored: Self | None) -> str | None:
        if stored is None or stored.state == self.State.DRAFT:
            return None
        if self.state not in self.STEPS[self.State(stored.state)]:
            return (
                f"Article {stored.pk} cannot go from {stored.state} to {self.state}; "
                "education.workflow moves articles between states."
            )
        frozen = set(self.changed_fields(stored)) - (
            self.ARCHIVING_FIELDS
            if stored.state != self.State.IN_REVIEW
            else {field.name for field in self._meta.concrete_fields} - self.CONTENT_FIELDS
        )
        if frozen:
            return (
                f"Article {stored.pk} is {stored.state} and only a draft changes: start a new "
                f"draft to change it. Refused: {', '.join(sorted(frozen))}."
            )
        return None

    def delete_problem(self, stored: Self | None) -> str | None:
        # Every version that was published is kept; a draft that never went live may go.
        if stored is not None and stored.state not in self.OPEN_STATES:
            return f"Article {stored.pk} is {stored.state}: every published version is kept."
        return None


class PartQuerySet[P: "PartOfArticle"](models.QuerySet[P]):
    # Bulk changes skip save() and delete(), so they ask the same question here. The portal
    # changes parts in bulk only in drafts; the admin's bulk delete is switched off.

    def update(self, **kwargs: Any) -> int:
        if self.exclude(article__state=Article.State.DRAFT).exists() or not _all_drafts(
            kwargs.get("article", kwargs.get("article_id"))
        ):
            raise FrozenContentError("Only a draft's parts change.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(article__state=Article.State.DRAFT).exists():
            raise FrozenContentError("Only a draft's parts can be deleted.")
        return super().delete()


def _all_drafts(*articles: Article | int | None) -> bool:
    """Whether every article given (an Article or its id; None: none given) is a draft now."""
    ids = [a.pk if isinstance(a, Article) else a for a in articles if a is not None]
    return not Article.objects.filter(pk__in=ids).exclude(state=Article.State.DRAFT).exists()


class PartOfArticle(VersionedContent):
    """Something an article owns: it changes only while its article is a draft, whether the
    part is saved, moved to another article or deleted."""

    article_id: int

    objects = PartQuerySet.as_manager()

    class Meta:
        abstract = True

    def change_problem(self, stored: Self | None) -> str | None:
        if _all_drafts(self.article_id, stored.article_id if stored else None):
            return None
        return (
            f"{self._meta.model_name} {self.pk or '(new)'} belongs to an article that is not a "
            "draft: only a draft's parts change. Start a new draft to change it."
        )

    def delete_problem(self, stored: Self | None) -> str | None:
        if stored is None or _all_drafts(stored.article_id):
            return None
        return (
            f"{self._meta.model_name} {stored.pk} belongs to an article that is not a draft: "
            "only a draft's parts can be deleted."
        )


class ArticlePart(PartOfArticle):
    """Something an article owns, kept in the order the editor gives it."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The same part across versions: a draft's copy keeps it, so a handout's choices can be
    # carried over to a newer version.
    lineage = models.UUIDField(_("lineage"), default=uuid.uuid4, editable=False)
    # The part's name in content packs (education.packs), the same in every language
    # ("calf-raises"); a draft's copy keeps it. Empty for parts written in the admin: a pack
    # names those by their lineage.
    pack_key = models.SlugField(_("pack key"), max_length=80, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    @property
    def key_in_packs(self) -> str:
        """How packs name the part: its pack key, or for a part written in the admin a key
        made from its lineage ("section-1a2b3c4d"). Check questions name sections by it."""
        return self.pack_key or f"{self._meta.model_name}-{self.lineage.hex[:8]}"


class Section(ArticlePart):
    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("Overview")
        CAUSES = "causes", _("Causes")
        SYMPTOMS = "symptoms", _("Symptoms")
        DIAGNOSIS = "diagnosis", _("Diagnosis")
        TREATMENT = "treatment", _("Treatment")
        PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
        PREVENTION = "prevention", _("Prevention")
        WHEN_TO_GET_HELP = "when_to_get_help", _("When to get help")
        OTHER = "other", _("Other")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    heading = models.CharField(
        _("heading"), max_length=200, blank=True, help_text=_("Leave empty to use the kind's name.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Paragraphs (separated by a blank line), lists (- or 1.), **bold**, "
            "*italic* and [links](https://example.org). Anything else is shown as "
            "text."
        ),
    )
    # Rendered from body on every save, so pages never parse Markdown per request.
    body_html = models.TextField(_("body html"), editable=False, default="")
    printed_by_default = models.BooleanField(
        _("printed by default"),
        default=True,
        help_text=_(
            "Ticked in the handout builder's background sections; the clinician can "
            "untick it for one patient."
        ),
    )

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.display_heading

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    @property
    def display_heading(self) -> str:
        return self.heading or self.get_kind_display()


class Source(ArticlePart):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sources"
    )
    citation = models.TextField(_("citation"))
    url = models.URLField(_("URL"), blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.citation[:80]


# The bounds of a care plan's numbers: the article's defaults below, and what a clinician may
# choose on a handout (handouts.models, handouts.forms).
MIN_REST_WEEKS, MAX_REST_WEEKS = 0, 52  # 0: no set period of rest
MIN_TIMES_PER_WEEK, MAX_TIMES_PER_WEEK = 1, 14
MIN_THERAPY_WEEKS, MAX_THERAPY_WEEKS = 1, 52


class WeightBearing(models.TextChoices):
    """How much weight a handout issued before plan blocks let the patient put on the injured
    part (Handout.weight_bearing). plan_blocks.LegLoad names the same four for a leg."""

    NONE = "none", _("No weight on the injured part")
    PARTIAL = "partial", _("Some weight (partial)")
    AS_TOLERATED = "as_tolerated", _("As much weight as pain allows")
    FULL = "full", _("Full weight")


# What the patient's plan calls the injured part while it names no site: a neutral phrase that
# names no body part the article did not.
DEFAULT_BODY_PART = _("the injured part")


class Therapy(ArticlePart):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="therapies"
    )
    name = models.CharField(_("name"), max_length=120)
    instructions = models.TextField(
        _("instructions"), help_text=_("Plain-language instructions for the patient.")
    )
    times_per_week = models.PositiveSmallIntegerField(
        _("times per week"),
        default=2,
        validators=[
            MinValueValidator(MIN_TIMES_PER_WEEK),
            MaxValueValidator(MAX_TIMES_PER_WEEK),
        ],
    )
    weeks = models.PositiveSmallIntegerField(
        _("for how many weeks"),
        default=6,
        validators=[
            MinValueValidator(MIN_THERAPY_WEEKS),
            MaxValueValidator(MAX_THERAPY_WEEKS),
        ],
    )

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("therapy")
        verbose_name_plural = _("therapies")

    def __str__(self) -> str:
        return self.name


class PreventionTip(ArticlePart):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="prevention_tips"
    )
    text = models.CharField(_("text"), max_length=300)
    selected_by_default = models.BooleanField(_("selected by default"), default=True)

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("prevention tip")
        verbose_name_plural = _("prevention tips")

    def __str__(self) -> str:
        return self.text


class WarningSign(ArticlePart):
    class Urgency(models.TextChoices):
        CALL_CLINIC = "call_clinic", _("Call the clinic")
        EMERGENCY = "emergency", _("Go to emergency care")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="warning_signs"
    )
    text = models.CharField(_("text"), max_length=300)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("warning sign")
        verbose_name_plural = _("warning signs")

    def __str__(self) -> str:
        return self.text


# Teach-back: a few questions a patient may answer to check they understood the article.
MIN_CHECK_QUESTIONS, MAX_CHECK_QUESTIONS = 2, 5
MIN_CHECK_OPTIONS, MAX_CHECK_OPTIONS = 3, 4
# What a question may be about besides one of the article's sections (by its pack key).
CHECK_QUESTION_TOPICS = ("warning_signs", "prevention_tips", "therapies")


class CheckQuestion(ArticlePart):
    """A teach-back question about the article (not about the patient's own plan: the portal
    asks those from the clinician's choices). Not printed yet."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer is right")
        MULTIPLE = "multiple", _("One or more answers are right")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="check_questions"
    )
    about = models.CharField(
        _("about"),
        max_length=80,
        help_text=_(
            "What it checks: warning_signs, prevention_tips, therapies, or a section's pack key."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(
        _("answers"),
        default=list,
        help_text=_('3 or 4 answers, e.g. [{"text": "Call the clinic", "correct": true}, …].'),
    )

    history = HistoricalRecords()

    class Meta(ArticlePart.Meta):
        verbose_name = _("check question")
        verbose_name_plural = _("check questions")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        problem = check_options_problem(self.kind, self.options)
        if problem is not None:
            raise ValidationError({"options": ValidationError(problem, code="invalid_options")})


def check_options_problem(kind: str, options: object) -> str | None:
    """Why `options` are not the answers of a question of `kind`, or None."""
    if not (
        isinstance(options, list)
        and all(
            isinstance(o, dict)
            and set(o) == {"text", "correct"}
            and isinstance(o["text"], str)
            and o["text"].strip()
            and isinstance(o["correct"], bool)
            for o in options
        )
    ):
        return gettext('Each answer is {"text": "…", "correct": true or false}.')
    if not MIN_CHECK_OPTIONS <= len(options) <= MAX_CHECK_OPTIONS:
        return gettext("Give %(low)d to %(high)d answers.") % {
            "low": MIN_CHECK_OPTIONS,
            "high": MAX_CHECK_OPTIONS,
        }
    correct = sum(o["correct"] for o in options)
    if kind == CheckQuestion.Kind.SINGLE and correct != 1:
        return gettext("A question with one right answer marks exactly one answer correct.")
    if correct < 1:
        return gettext("Mark at least one answer correct.")
    return None


# --- What a condition is called and how it is coded -------------------------------------------
#
# Both belong to an article version, like its text: an editor changes them in a draft, a
# reviewer approves them with it, and publishing makes them what staff search and what the
# Infobutton matches (Condition.refresh_published_terms). Codes are listed in every language's
# article; a condition has a code while any of its published articles lists it.


class CodeSystem(models.TextChoices):
    ICD10_CM = "icd10cm", "ICD-10-CM"
    SNOMED_CT = "snomedct", "SNOMED CT"


# ICD-10-CM: a letter, two digits or a digit and a letter, then optionally a dot and up to four
# characters (e.g. M89.8X6, S82.101A, R52).
ICD10_CM_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
# SNOMED CT concept ids are 6 to 18 digits, the last a Verhoeff check digit.
SNOMED_CT_CODE = re.compile(r"^[0-9]{6,18}$")
ICD10_CM_CATEGORY_LENGTH = 3


def normalize_code(system: str, code: str) -> str:
    """A code as stored and looked up: without spaces; ICD-10-CM in upper case with its dot
    (m898x6 -> M89.8X6). What does not look like a code is left as typed, for validation to
    name."""
    code = "".join(code.split())
    if system == CodeSystem.ICD10_CM:
        code = code.upper()
        dotted = f"{code[:ICD10_CM_CATEGORY_LENGTH]}.{code[ICD10_CM_CATEGORY_LENGTH:]}"
        if "." not in code and ICD10_CM_CODE.match(dotted):
            return dotted
    return code


def icd10_cm_parents(code: str) -> list[str]:
    """The code and each parent above it, nearest first: M89.8X6, M89.8X, M89.8, M89."""
    levels = [code]
    while len(code) > ICD10_CM_CATEGORY_LENGTH:
        code = code[:-1].rstrip(".")
        levels.append(code)
    return levels


# Verhoeff's dihedral-group tables, by which SNOMED CT checks the last digit of an id.
_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def has_verhoeff_check_digit(digits: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def code_problem(system: str, code: str) -> str | None:
    """Why `code` (normalized) is not a code of `system`, or None."""
    if system == CodeSystem.ICD10_CM and not ICD10_CM_CODE.match(code):
        return gettext("Not an ICD-10-CM code: %(code)s. Codes look like M89.8X6 or R52.") % {
            "code": code
        }
    if system == CodeSystem.SNOMED_CT and not (
        SNOMED_CT_CODE.match(code) and has_verhoeff_check_digit(code)
    ):
        return gettext(
            "Not a SNOMED CT concept id: %(code)s. Concept ids are 6 to 18 digits, the last "
            "one a check digit."
        ) % {"code": code}
    return None


def _has_code(system: str, code: str) -> models.Exists:
    """For a condition: one of its published articles lists `code`, or (ICD-10-CM) the nearest
    parent of it that any published article lists. The index on (system, code) serves both."""
    live = ConditionCode.objects.filter(system=system, article__state=Article.State.PUBLISHED)
    levels = icd10_cm_parents(code) if system == CodeSystem.ICD10_CM else [code]
    nearest = live.filter(code__in=levels).order_by(Length("code").desc()).values("code")[:1]
    return models.Exists(
        live.filter(article__condition=models.OuterRef("pk"), code=models.Subquery(nearest))
    )


class ConditionName(PartOfArticle):
    """What the condition is called in its article's language."""

    article = models.OneToOneField(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="condition_name"
    )
    name = models.CharField(_("name"), max_length=200)
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_("Other names patients or staff use in this language, one per line."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("condition name")
        verbose_name_plural = _("condition names")

    def __str__(self) -> str:
        return self.name

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]


class ConditionCode(PartOfArticle):
    """One code of the condition, as its article lists it."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="codes"
    )
    system = models.CharField(_("code system"), max_length=10, choices=CodeSystem.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("E.g. M89.8X6 (ICD-10-CM)."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "code"]
        indexes = [models.Index(fields=["system", "code"], name="condition_code_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "system", "code"],
                name="one_code_once_per_article",
                violation_error_message=_("This article already lists this code."),
            )
        ]
        verbose_name = _("code")
        verbose_name_plural = _("codes")

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = normalize_code(self.system, self.code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.code = normalize_code(self.system, self.code)
        problem = code_problem(self.system, self.code)
        if problem is not None:
            raise ValidationError({"code": ValidationError(problem, code="invalid_code")})


def condition_terms(article: Article, naming: ConditionName | None = None) -> ConditionTerms:
    """The condition's name and codes as `article` gives them (its `naming` if given, or else
    its condition_name); an article without a name gives the condition's own name."""
    naming = naming or getattr(article, "condition_name", None)
    codes = list(article.codes.all())
    return ConditionTerms(
        article.language,
        naming.name if naming else article.condition.name,
        naming.synonym_list if naming else [],
        [c.code for c in codes if c.system == CodeSystem.ICD10_CM],
        [c.code for c in codes if c.system == CodeSystem.SNOMED_CT],
    )
