"""What changed between two versions of an article, for editors and reviewers.

Parts are matched by lineage, not position or text, so an edited section reads as "changed"
and a reordered one as "moved" rather than as one removed and another added. Text is compared
word by word as editors typed it (Markdown, not HTML). Everything here reads the models
directly: the snapshot format is frozen into issued handouts and carries no lineage.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from education.models import Article, ArticlePart, RestGuidance

# Words, single punctuation marks and runs of white space: a changed full stop is not a
# changed word.
TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
WORD = re.compile(r"\w")


def inline_diff(old: str, new: str) -> SafeString:
    """`new` as HTML, with words removed since `old` in <del> and words added in <ins>.
    Both texts are untrusted: every piece of them is escaped."""
    pieces: list[SafeString] = []
    for same, removed, added in _chunks(TOKEN.findall(old), TOKEN.findall(new)):
        if same:
            pieces.append(escape(added))
        elif (removed + added).isspace():
            pieces.append(_whitespace_change(removed, added))
        else:
            if removed:
                pieces.append(format_html("<del>{}</del>", removed))
            if added:
                pieces.append(format_html("<ins>{}</ins>", added))
    # Each piece is already safe, so joining them escapes nothing twice.
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _chunks(old: list[str], new: list[str]) -> list[tuple[bool, str, str]]:
    """(unchanged?, removed text, added text) runs. A bracket or a space left standing
    between two changes belongs to them: a rewritten sentence reads as one change, not as
    confetti."""
    matcher = difflib.SequenceMatcher(str.isspace, old, new, autojunk=False)
    raw = [(op == "equal", "".join(old[i1:i2]), "".join(new[j1:j2]))
           for op, i1, i2, j1, j2 in matcher.get_opcodes()]
    chunks: list[tuple[bool, str, str]] = []
    for index, (same, removed, added) in enumerate(raw):
        if same and 0 < index < len(raw) - 1 and not WORD.search(added):
            same = False
        if chunks and not same and not chunks[-1][0]:
            _same, before_removed, before_added = chunks.pop()
            removed, added = before_removed + removed, before_added + added
        chunks.append((same, removed, added))
    return chunks


def _whitespace_change(removed: str, added: str) -> SafeString:
    # Only a paragraph or line break changes what a reader sees; mark it, or it is invisible.
    if added.count("\n") > removed.count("\n"):
        return format_html("<ins>¶</ins>{}", added)
    if added.count("\n") < removed.count("\n"):
        return format_html("<del>¶</del>{}", added)
    return escape(added)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def html(self) -> SafeString:
        return inline_diff(self.old, self.new)


@dataclass(frozen=True)
class PartChange:
    """One section, source, therapy, ... as it was (old) and is (new); positions count from 1
    and are None on the side where the part does not exist."""

    label: str
    fields: list[FieldChange]
    old_position: int | None = None
    new_position: int | None = None
    moved: bool = False

    @property
    def status(self) -> str:
        if self.old_position is None:
            return "added"
        if self.new_position is None:
            return "removed"
        if self.changed_fields:
            return "changed"
        return "moved" if self.moved else "unchanged"

    @property
    def changed_fields(self) -> list[FieldChange]:
        return [f for f in self.fields if f.changed]


@dataclass(frozen=True)
class PartGroup:
    """All the parts of one kind, in the new version's order, removed ones where they were."""

    name: str
    parts: list[PartChange]
    singular: str = ""
    plural: str = ""

    @property
    def changes(self) -> list[PartChange]:
        return [p for p in self.parts if p.status != "unchanged"]

    @property
    def unchanged(self) -> list[PartChange]:
        return [p for p in self.parts if p.status == "unchanged"]

    @property
    def unchanged_summary(self) -> str:
        """E.g. "3 unchanged sections"; empty for groups of one part (title, rest)."""
        count = len(self.unchanged)
        if not count or not self.plural:
            return ""
        return f"{count} unchanged {self.singular if count == 1 else self.plural}"


@dataclass(frozen=True)
class ArticleDiff:
    old: Article
    new: Article
    groups: list[PartGroup]

    @property
    def has_changes(self) -> bool:
        return any(group.changes for group in self.groups)


def compare_articles(old: Article, new: Article) -> ArticleDiff:
    """Every part of `old` and `new`, matched and compared, grouped by kind."""
    # From the database like the other parts, never from an instance cached on the article.
    rest_old, rest_new = (RestGuidance.objects.filter(article=a).first() for a in (old, new))
    groups = [
        PartGroup("Title and summary", [PartChange("", [
            FieldChange("Title", old.title, new.title),
            FieldChange("Summary", old.summary, new.summary),
            FieldChange("In one sentence", old.in_brief, new.in_brief),
        ], 1, 1)]),
        _compare_parts("Sections", "section", "sections", old.sections.all(),
                       new.sections.all(), lambda s: s.display_heading, [
                           ("Kind", lambda s: s.get_kind_display()),
                           ("Heading", lambda s: s.display_heading),
                           ("Text", lambda s: s.body),
                           ("Printed by default", lambda s: _yes_no(s.printed_by_default)),
                       ]),
        _compare_parts("Sources", "source", "sources", old.sources.all(), new.sources.all(),
                       lambda s: _shorten(s.citation), [
                           ("Citation", lambda s: s.citation),
                           ("URL", lambda s: s.url),
                           ("Accessed on", lambda s: _iso(s.accessed_on)),
                       ]),
        PartGroup("Rest guidance", [_compare_part(
            "", rest_old, rest_new, 1 if rest_old else None, 1 if rest_new else None, False, [
                ("Default rest (weeks)", lambda r: str(r.default_weeks)),
                ("Crutches advised", lambda r: _yes_no(r.crutches_advised)),
                ("Weight bearing", lambda r: r.get_weight_bearing_display()),
                ("Injured part", lambda r: r.body_part),
                ("Note", lambda r: r.note),
            ])] if rest_old or rest_new else []),
        _compare_parts("Therapies", "therapy", "therapies", old.therapies.all(),
                       new.therapies.all(), lambda t: t.name, [
                           ("Name", lambda t: t.name),
                           ("Instructions", lambda t: t.instructions),
                           ("Times a week", lambda t: str(t.times_per_week)),
                           ("Weeks", lambda t: str(t.weeks)),
                       ]),
        _compare_parts("Prevention tips", "prevention tip", "prevention tips",
                       old.prevention_tips.all(), new.prevention_tips.all(),
                       lambda t: _shorten(t.text), [
                           ("Tip", lambda t: t.text),
                           ("Selected by default", lambda t: _yes_no(t.selected_by_default)),
                       ]),
        _compare_parts("Warning signs", "warning sign", "warning signs",
                       old.warning_signs.all(), new.warning_signs.all(),
                       lambda w: _shorten(w.text), [
                           ("Sign", lambda w: w.text),
                           ("Urgency", lambda w: w.get_urgency_display()),
                       ]),
    ]
    return ArticleDiff(old, new, groups)


Fields = list[tuple[str, Callable[[Any], str]]]


def _compare_parts(name: str, singular: str, plural: str, old_parts: Iterable[ArticlePart],
                   new_parts: Iterable[ArticlePart], label: Callable[[Any], str],
                   fields: Fields) -> PartGroup:
    old_list, new_list = list(old_parts), list(new_parts)
    old_at = {p.lineage: i for i, p in enumerate(old_list)}
    new_at = {p.lineage: i for i, p in enumerate(new_list)}
    # The longest run of parts kept in the same order stays put; the others moved. Comparing
    # bare positions would call every part "moved" after one is inserted above them.
    old_common = [p.lineage for p in old_list if p.lineage in new_at]
    new_common = [p.lineage for p in new_list if p.lineage in old_at]
    matcher = difflib.SequenceMatcher(None, old_common, new_common, autojunk=False)
    in_order = {old_common[block.a + k] for block in matcher.get_matching_blocks()
                for k in range(block.size)}

    placed: list[tuple[tuple[int, int], PartChange]] = []
    for j, part in enumerate(new_list):
        i = old_at.get(part.lineage)
        before = old_list[i] if i is not None else None
        placed.append(((j, 0), _compare_part(
            label(part), before, part, None if i is None else i + 1, j + 1,
            i is not None and part.lineage not in in_order, fields)))
    for i, part in enumerate(old_list):
        if part.lineage in new_at:
            continue
        # Show a removed part just after the nearest earlier part that is still there.
        kept = [new_at[p.lineage] for p in old_list[:i] if p.lineage in new_at]
        placed.append(((max(kept, default=-1), i + 1), _compare_part(
            label(part), part, None, i + 1, None, False, fields)))
    placed.sort(key=lambda item: item[0])
    return PartGroup(name, [change for _key, change in placed], singular, plural)


def _compare_part(label: str, old: Any, new: Any, old_position: int | None,
                  new_position: int | None, moved: bool, fields: Fields) -> PartChange:
    return PartChange(
        label,
        [FieldChange(name, value(old) if old is not None else "",
                     value(new) if new is not None else "") for name, value in fields],
        old_position, new_position, moved,
    )


def _shorten(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _iso(value) -> str:
    return value.isoformat() if value else ""
