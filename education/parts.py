"""Every part an article owns, in one list: PARTS.

The admin's inlines, a new draft's copy, the editors' permissions, content packs
(education.packs), the snapshot handouts are made from and the diff between versions all read
it. Adding a part to
articles is one entry here (and its model); tests/education/test_parts.py fails when a model
that belongs to an article is missing.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from education.models import (
    MAX_CHECK_QUESTIONS,
    MIN_CHECK_QUESTIONS,
    Article,
    CheckQuestion,
    ConditionCode,
    ConditionName,
    PartOfArticle,
    PreventionTip,
    Section,
    Source,
    Therapy,
    WarningSign,
)

# The field every part links to its article by.
ARTICLE_FIELD = "article"
# What the diff shows of a part: (label, the field's value as text).
DiffFields = Sequence[tuple[Promise, Callable[[Any], str]]]


@dataclass(frozen=True)
class Part:
    """One kind of part an article owns, and what each reader of the list needs of it."""

    model: type[PartOfArticle]
    # The admin inline's fields (a tuple puts fields on one line).
    admin_fields: Sequence[str | tuple[str, ...]]
    # One part as a handout's snapshot freezes it (education.snapshot), without its key: the
    # snapshot adds the lineage of parts that have one. None: the snapshot holds it elsewhere
    # (the condition's name and codes, under "condition").
    snapshot: Callable[[Any], dict[str, Any]] | None
    # How the diff between two versions names a group of these parts, counts the unchanged
    # ones (None: an article has at most one), names one part, and which fields it compares.
    diff_name: Promise
    diff_unchanged_count: Promise | None
    diff_label: Callable[[Any], str]
    diff_fields: DiffFields
    # What a snapshot holds for an article that has none of a part it has at most one of.
    snapshot_when_missing: dict[str, Any] | None = None
    # Whether snapshots of format 1, which handouts were issued with, had this part. Parts
    # added since are left out of the content fingerprint while empty, so adding one does not
    # mark every older handout as made from changed content.
    in_format_1: bool = False
    # Whether handouts print it. The fingerprint is of what a handout reads, so a part not
    # printed (check questions, until the teach-back prints them) leaves it as it is.
    printed: bool = True
    # The admin inline's heading, where the model's plural does not read right.
    admin_heading: Promise | None = None
    # The fields a content pack holds of each part, in the pack's order (education.packs);
    # empty: packs hold the part elsewhere (the condition's name and codes) or not at all.
    pack_fields: Sequence[str] = ()
    # Whether packs name each part by a key, the same in every language ("calf-raises").
    pack_keyed: bool = True
    # How many an article has, when it has any (checked on import and in the admin).
    count_when_present: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The article's related name for these parts: also their key in a snapshot, in the
        sample files and in the admin's form."""
        return self.field.remote_field.get_accessor_name() or ""

    @property
    def field(self) -> models.ForeignObject:
        """The part's link to its article."""
        field = self.model._meta.get_field(ARTICLE_FIELD)
        assert isinstance(field, models.ForeignObject)
        return field

    @property
    def many(self) -> bool:
        """Whether an article has any number of these (ordered), rather than at most one."""
        return not self.field.one_to_one

    @property
    def has_lineage(self) -> bool:
        return any(field.name == "lineage" for field in self.model._meta.concrete_fields)

    @property
    def ordered(self) -> bool:
        """Whether the editor orders these parts (they have a position)."""
        return any(field.name == "position" for field in self.model._meta.concrete_fields)

    def identity(self, part: Any) -> object:
        """What makes two versions' parts the same part: the lineage a copy keeps, or for parts
        without one (a condition's codes) the label the diff shows."""
        return part.lineage if self.has_lineage else self.diff_label(part)

    def create(self, article: Article, **fields: Any) -> PartOfArticle:
        """A new part of `article`, with `fields` (`position` among them, for a part an
        article has many of)."""
        return self.model.objects.create(**{ARTICLE_FIELD: article, **fields})

    def of(self, article: Article, *, fresh: bool = False) -> list[Any]:
        """The article's parts of this kind, in the editor's order: as prefetched or cached on
        the article if they are (a library's snapshots are built from prefetched articles),
        from the database if not or when `fresh`."""
        if not fresh and self.many:
            return list(getattr(article, self.name).all())
        related = self.field.remote_field
        if not fresh and related.is_cached(article):
            cached = related.get_cached_value(article)
            return [cached] if cached is not None else []
        return list(self.model._default_manager.filter(**{ARTICLE_FIELD: article}))


def iso_date(value: datetime.date | None) -> str | None:
    """A date as snapshots hold it."""
    return value.isoformat() if value else None


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _shorten(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _answers(question: CheckQuestion) -> str:
    """A question's answers as the diff shows them, the right ones ticked."""
    return "\n".join(
        f"{'✓' if option.get('correct') else '✗'} {option.get('text', '')}"
        for option in question.options
    )


PARTS: list[Part] = [
    Part(
        ConditionName,
        admin_fields=["name", "synonyms"],
        snapshot=None,
        diff_name=_("Condition's name"),
        diff_unchanged_count=None,
        diff_label=lambda n: "",
        diff_fields=[(_("Name"), lambda n: n.name), (_("Synonyms"), lambda n: n.synonyms)],
        # One form, so the heading (the plural) reads as one thing too.
        admin_heading=_("condition's name in this language"),
    ),
    Part(
        ConditionCode,
        admin_fields=[("system", "code")],
        snapshot=None,
        diff_name=_("Condition's codes"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged code", "%(count)d unchanged codes", "count"
        ),
        diff_label=lambda c: f"{c.get_system_display()} {c.code}",
        diff_fields=[
            (_("Code system"), lambda c: c.get_system_display()),
            (_("Code"), lambda c: c.code),
        ],
    ),
    Part(
        Section,
        admin_fields=[("kind", "heading", "position"), "body", "printed_by_default"],
        # A section without a heading is printed under its kind's name, in the article's
        # language (education.snapshot builds parts in it).
        snapshot=lambda s: {
            "kind": s.kind,
            "heading": s.display_heading,
            "body_html": s.body_html,
            "printed_by_default": s.printed_by_default,
        },
        diff_name=_("Sections"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged section", "%(count)d unchanged sections", "count"
        ),
        diff_label=lambda s: s.display_heading,
        diff_fields=[
            (_("Kind"), lambda s: s.get_kind_display()),
            (_("Heading"), lambda s: s.display_heading),
            (_("Text"), lambda s: s.body),
            (_("Printed by default"), lambda s: _yes_no(s.printed_by_default)),
        ],
        in_format_1=True,
        pack_fields=["kind", "heading", "printed_by_default", "body"],
    ),
    Part(
        Source,
        admin_fields=["citation", ("url", "accessed_on", "position")],
        snapshot=lambda s: {
            "citation": s.citation,
            "url": s.url,
            "accessed_on": iso_date(s.accessed_on),
        },
        diff_name=_("Sources"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged source", "%(count)d unchanged sources", "count"
        ),
        diff_label=lambda s: _shorten(s.citation),
        diff_fields=[
            (_("Citation"), lambda s: s.citation),
            (_("URL"), lambda s: s.url),
            (_("Accessed on"), lambda s: iso_date(s.accessed_on) or ""),
        ],
        in_format_1=True,
        pack_fields=["citation", "url", "accessed_on"],
        pack_keyed=False,
    ),
    Part(
        Therapy,
        admin_fields=[("name", "times_per_week", "weeks", "position"), "instructions"],
        snapshot=lambda t: {
            "name": t.name,
            "instructions": t.instructions,
            "times_per_week": t.times_per_week,
            "weeks": t.weeks,
        },
        diff_name=_("Therapies"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged therapy", "%(count)d unchanged therapies", "count"
        ),
        diff_label=lambda t: t.name,
        diff_fields=[
            (_("Name"), lambda t: t.name),
            (_("Instructions"), lambda t: t.instructions),
            (_("Times a week"), lambda t: str(t.times_per_week)),
            (_("Weeks"), lambda t: str(t.weeks)),
        ],
        in_format_1=True,
        pack_fields=["name", "instructions", "times_per_week", "weeks"],
    ),
    Part(
        PreventionTip,
        admin_fields=[("text", "selected_by_default", "position")],
        snapshot=lambda t: {"text": t.text, "selected_by_default": t.selected_by_default},
        diff_name=_("Prevention tips"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged prevention tip", "%(count)d unchanged prevention tips", "count"
        ),
        diff_label=lambda t: _shorten(t.text),
        diff_fields=[
            (_("Tip"), lambda t: t.text),
            (_("Selected by default"), lambda t: _yes_no(t.selected_by_default)),
        ],
        in_format_1=True,
        pack_fields=["text", "selected_by_default"],
    ),
    Part(
        WarningSign,
        admin_fields=[("text", "urgency", "position")],
        snapshot=lambda w: {"text": w.text, "urgency": w.urgency},
        diff_name=_("Warning signs"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged warning sign", "%(count)d unchanged warning signs", "count"
        ),
        diff_label=lambda w: _shorten(w.text),
        diff_fields=[
            (_("Sign"), lambda w: w.text),
            (_("Urgency"), lambda w: w.get_urgency_display()),
        ],
        in_format_1=True,
        pack_fields=["text", "urgency"],
    ),
    Part(
        CheckQuestion,
        admin_fields=[("kind", "about", "position"), "text", "options"],
        # In snapshots, though not printed yet (so not in the fingerprint): a handout's
        # teach-back will ask what it was given.
        snapshot=lambda q: {"about": q.about, "kind": q.kind, "text": q.text, "options": q.options},
        diff_name=_("Check questions"),
        diff_unchanged_count=ngettext_lazy(
            "%(count)d unchanged check question", "%(count)d unchanged check questions", "count"
        ),
        diff_label=lambda q: _shorten(q.text),
        diff_fields=[
            (_("Question"), lambda q: q.text),
            (_("About"), lambda q: q.about),
            (_("Kind"), lambda q: q.get_kind_display()),
            (_("Answers"), _answers),
        ],
        pack_fields=["about", "kind", "text", "options"],
        count_when_present=(MIN_CHECK_QUESTIONS, MAX_CHECK_QUESTIONS),
        printed=False,
    ),
]

PARTS_BY_NAME = {part.name: part for part in PARTS}
