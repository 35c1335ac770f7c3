"""What changed between two versions of an article, for editors and reviewers.

Parts are matched by lineage, not position or text, so an edited section reads as "changed"
and a reordered one as "moved" rather than as one removed and another added. Text is compared
word by word as editors typed it (Markdown, not HTML), so this reads the models, not
snapshots. Which parts there are, and what of each is compared, is education.parts.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from education.models import Article
from education.parts import PARTS, DiffFields, Part
from education.plan_blocks import BLOCK_NAMES, describe_offer

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
    raw = [
        (op == "equal", "".join(old[i1:i2]), "".join(new[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
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
    def status_label(self) -> str:
        """The status for people: "Changed", "Moved", ..."""
        return {
            "added": gettext("Added"),
            "removed": gettext("Removed"),
            "changed": gettext("Changed"),
            "moved": gettext("Moved"),
            "unchanged": gettext("Unchanged"),
        }[self.status]

    @property
    def status_text(self) -> str:
        """The status with where the part moved, e.g. "Changed, moved from position 2 to 3"."""
        if not self.moved:
            return self.status_label
        # Only a part on both sides moves, so it is either just moved or changed as well.
        positions = {"old": self.old_position, "new": self.new_position}
        if self.status == "moved":
            return gettext("Moved from position %(old)s to %(new)s") % positions
        return gettext("Changed, moved from position %(old)s to %(new)s") % positions

    @property
    def changed_fields(self) -> list[FieldChange]:
        return [f for f in self.fields if f.changed]


@dataclass(frozen=True)
class PartGroup:
    """All the parts of one kind, in the new version's order, removed ones where they were."""

    name: str
    parts: list[PartChange]
    # ngettext_lazy(..., "count"): how to count the unchanged parts; None for groups of one
    # part (title, rest).
    unchanged_count: Promise | None = None

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
        if not count or self.unchanged_count is None:
            return ""
        return self.unchanged_count % {"count": count}


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
    groups = [
        PartGroup(
            gettext("Title and summary"),
            [
                PartChange(
                    "",
                    [
                        FieldChange(gettext("Title"), old.title, new.title),
                        FieldChange(gettext("Summary"), old.summary, new.summary),
                        FieldChange(gettext("In one sentence"), old.in_brief, new.in_brief),
                    ],
                    1,
                    1,
                )
            ],
        ),
        _compare_plans(old, new),
        # From the database, never from instances cached on the articles.
        *(
            _compare_group(part, part.of(old, fresh=True), part.of(new, fresh=True))
            for part in PARTS
        ),
    ]
    return ArticleDiff(old, new, groups)


def _compare_plans(old: Article, new: Article) -> PartGroup:
    """The plan offers block by block, in plain words: "Load: Leg; default Some weight" and
    the default it changed to. A block only one version offers is "Not offered" in the other."""
    old_words, new_words = (describe_offer(a.plan_offer()) for a in (old, new))
    not_offered = gettext("Not offered")
    fields = [
        FieldChange(str(block), old_words.get(name, not_offered), new_words.get(name, not_offered))
        for name, block in BLOCK_NAMES.items()
        if name in old_words or name in new_words
    ]
    return PartGroup(gettext("Patient's plan"), [PartChange("", fields, 1, 1)] if fields else [])


def _compare_group(part: Part, old_list: list[Any], new_list: list[Any]) -> PartGroup:
    """The parts of one kind: matched by identity (their lineage, most often) when an article
    may have many, else the one of each version, if any."""
    if not part.many:
        old, new = (items[0] if items else None for items in (old_list, new_list))
        changes = [
            _compare_part(
                "", old, new, 1 if old else None, 1 if new else None, False, part.diff_fields
            )
        ]
        return PartGroup(str(part.diff_name), changes if old or new else [])
    label, fields, same = part.diff_label, part.diff_fields, part.identity
    old_at = {same(p): i for i, p in enumerate(old_list)}
    new_at = {same(p): i for i, p in enumerate(new_list)}
    # The longest run of parts kept in the same order stays put; the others moved. Comparing
    # bare positions would call every part "moved" after one is inserted above them.
    old_common = [same(p) for p in old_list if same(p) in new_at]
    new_common = [same(p) for p in new_list if same(p) in old_at]
    matcher = difflib.SequenceMatcher(None, old_common, new_common, autojunk=False)
    in_order = {
        old_common[block.a + k]
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    }

    placed: list[tuple[tuple[int, int], PartChange]] = []
    for j, item in enumerate(new_list):
        i = old_at.get(same(item))
        before = old_list[i] if i is not None else None
        placed.append(
            (
                (j, 0),
                _compare_part(
                    label(item),
                    before,
                    item,
                    None if i is None else i + 1,
                    j + 1,
                    i is not None and same(item) not in in_order,
                    fields,
                ),
            )
        )
    for i, item in enumerate(old_list):
        if same(item) in new_at:
            continue
        # Show a removed part just after the nearest earlier part that is still there.
        kept = [new_at[same(p)] for p in old_list[:i] if same(p) in new_at]
        placed.append(
            (
                (max(kept, default=-1), i + 1),
                _compare_part(label(item), item, None, i + 1, None, False, fields),
            )
        )
    placed.sort(key=lambda placing: placing[0])
    return PartGroup(
        str(part.diff_name), [change for _key, change in placed], part.diff_unchanged_count
    )


def _compare_part(
    label: str,
    old: Any,
    new: Any,
    old_position: int | None,
    new_position: int | None,
    moved: bool,
    fields: DiffFields,
) -> PartChange:
    return PartChange(
        label,
        [
            FieldChange(
                str(name),
                value(old) if old is not None else "",
                value(new) if new is not None else "",
            )
            for name, value in fields
        ],
        old_position,
        new_position,
        moved,
    )
