"""The shape of a language's rule book: plain data the engine in education.plan_rules reads.

A rule says: when a clinician makes this choice (`when`, facts named in FACTS below), these
words (`forbidden`, a regular expression matched without regard to case) must not be printed
in this part of the handout (`where`). Rules have the same name in every language, so each
language's book can be checked against the English one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from education.plan_blocks import Site

# The facts a rule's `when` may name, and the values each takes (besides True / False, which
# "physiotherapy" and "follow_up" take):
#   activity      rest | relative | active
#   rest          set (a number of weeks of rest) | none (no set period of rest)
#   leg_load      none | partial | as_tolerated | full
#   arm_load      none | light | as_tolerated | full
#   aid_present   crutches | walking_boot | brace | splint | sling (chosen for this patient)
#   aid_absent    the same kinds (not chosen, or not offered at all)
#   self_care_present / self_care_absent   cold | heat | raise
#   physiotherapy True | False
#   back_to       step | date
#   follow_up     True | False
# A value may be a list: the rule applies to any of them. Several facts: to all of them.
Value = str | bool | tuple[str, ...]

# Where a rule looks. "all": everything printed (a composed handout's whole text, and each
# part of an article that is printed: warning signs, therapy instructions, prevention tips,
# the rest guidance's note). "plan" and "rest": the plan box, and its rest item, of a composed
# handout only; article text never reaches them.
WHERE = ("all", "plan", "rest")


@dataclass(frozen=True)
class Rule:
    name: str
    when: Mapping[str, Value]
    forbidden: str
    where: str = "all"


@dataclass(frozen=True)
class Part:
    """A part of a composed handout's text: from the first of `starts` (inside `within`) to
    the first of `ends` after it."""

    starts: tuple[str, ...]
    ends: tuple[str, ...]
    within: str = "all"


@dataclass(frozen=True)
class RuleBook:
    language: str
    rules: tuple[Rule, ...]
    # Where the plan box and its rest item are in a composed handout's text.
    parts: Mapping[str, Part]
    # Words for each site, and for body parts that are no site; the plan names only the site
    # chosen and the words the article uses for the injured part.
    site_words: Mapping[Site, str]
    other_body_parts: str
    # "N weeks" in the rest item, with N in digits or words.
    weeks: str  # a pattern with one group, the number
    number_words: Mapping[str, int] = field(default_factory=dict)
    # The approved plan's phrases that name a body part without naming the injured one (a
    # row's label, "Weight on your leg"; "on your feet", standing): passed over by the plan's
    # body-part check.
    not_the_injured_part: str = ""
