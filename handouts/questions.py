"""A teach-back question as a handout asks it, whoever wrote it (handouts.teach_back).

A question is built for one condition's content (ConditionContent: its snapshot and the
clinician's choices), in that content's language. Its options are put in a fixed order taken
from the question's key and the options' text, so the page, the printed box and the grading
all see the same order, and the right answer is not always first. The answer key (`right`)
stays on the server: pages are given only the text and the options (Question.shown).
"""

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from education.plan_blocks import PlanChoices


@dataclass(frozen=True)
class ConditionContent:
    """One condition of a visit as teach-back reads it: what was given and what was chosen."""

    snapshot: Mapping[str, Any]
    choices: PlanChoices
    visit_date: datetime.date
    language: str
    follow_up_date: datetime.date | None = None
    # The anchors the handout shows for this condition ("plan-crutches", "section-…",
    # "get-help"): a question is asked only when the part that answers it is printed.
    shown: frozenset[str] = frozenset()
    emergency_number: str = ""
    # The visit's emergency signs as its "When to get help" prints them (handouts.plan
    # .warning_signs: every condition's, merged); None: this condition's own.
    emergency_signs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Option:
    text: str
    right: bool


# The keys of questions about the patient's own plan (handouts.plan_questions).
PLAN_KEY_PREFIX = "plan-"
# Between a packet's condition number and a question's key: "2:plan-rest" (for_condition).
CONDITION_SEPARATOR = ":"


def own_key(key: str) -> str:
    """A question's key within its condition: "plan-rest" for "2:plan-rest"."""
    return key.rpartition(CONDITION_SEPARATOR)[2]


@dataclass(frozen=True)
class ShownQuestion:
    """What a page may show of a question: never which option is right."""

    key: str
    text: str
    multiple: bool
    options: tuple[str, ...]
    anchor: str
    condition: str = ""  # the name of the condition it is about (a packet's heading)

    @property
    def printed_options(self) -> tuple[str, ...]:
        """The options the printed handout shows. None for a question about the plan: on
        paper nobody tells the patient an option was wrong, and what we print must never
        contradict the clinician ("Your full weight" for a leg that takes none). The patient
        answers in their own words and checks the page."""
        return () if own_key(self.key).startswith(PLAN_KEY_PREFIX) else self.options


@dataclass(frozen=True)
class Question:
    # Unique within the handout: "plan-rest", "article-<part key>"; a packet's later
    # conditions' are numbered ("2:plan-rest", for_condition).
    key: str
    text: str
    multiple: bool  # one or more options are right (checkboxes), else exactly one (radios)
    options: tuple[str, ...]  # in the order shown and printed
    right: frozenset[int]  # indices into options: the answer key, never sent to a page
    anchor: str  # the id of the part of the handout that answers it
    condition: str = ""  # the name of the condition it is about

    @property
    def shown(self) -> ShownQuestion:
        return ShownQuestion(
            self.key, self.text, self.multiple, self.options, self.anchor, self.condition
        )

    def is_right(self, chosen: Iterable[int]) -> bool:
        """Right when exactly the right options are chosen: all of them, and no other."""
        return frozenset(chosen) == self.right


def make_question(
    key: str, text: str, options: list[Option], anchor: str, *, multiple: bool = False
) -> Question:
    """A question with its options in their fixed order (the module's docstring). `multiple`:
    the patient may tick several (as they may whenever more than one is right)."""
    ordered = sorted(options, key=lambda option: _order_key(key, option.text))
    right = frozenset(index for index, option in enumerate(ordered) if option.right)
    return Question(
        key=key,
        text=text,
        multiple=multiple or len(right) > 1,
        options=tuple(option.text for option in ordered),
        right=right,
        anchor=anchor,
    )


def _order_key(key: str, text: str) -> str:
    return hashlib.sha256(f"{key}\n{text}".encode()).hexdigest()
