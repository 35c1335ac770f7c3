"""What we print must never contradict the clinician: one engine for the contradiction rules,
with the rules as data per language (education.plan_rules.en, .es).

Two uses, the same rules:
- `conflicts(text, language, choices)`: a composed handout's text (PDF or reading view)
  against the choices it was made with.
- `article_conflicts(article)`: before a version is published, the parts of it a handout
  prints (warning signs, therapy instructions, prevention tips, the rest guidance's note)
  against every choice its plan offer lets a clinician make, block by block. A reviewer sees
  each one; publishing with any needs a stated reason (education.workflow).
"""

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from education.models import Article
from education.plan_blocks import (
    Activity,
    Aid,
    ArmLoad,
    BackToWhen,
    LegLoad,
    Limb,
    PlanChoices,
    PlanOffer,
    SelfCare,
    label,
)
from education.plan_rules import en, es
from education.plan_rules.book import WHERE, Part, Rule, RuleBook, Value

BOOKS: dict[str, RuleBook] = {book.language: book for book in (en.BOOK, es.BOOK)}

BODY_PART_RULE = "a body part the article did not name"
OTHER_WEEKS_RULE = "rest part names other week counts"
MISSING_WEEKS_RULE = "rest part does not say the weeks chosen"


@dataclass(frozen=True)
class Conflict:
    """Printed words (`found`, in `text`, the part's text or the sentence around them) that
    contradict a plan choice (`choice`, in plain words), by the rule named `rule`."""

    rule: str
    part: str
    text: str
    found: str
    choice: str

    def __str__(self) -> str:
        return gettext("%(part)s: “%(text)s” says “%(found)s”, against the choice: %(choice)s.") % {
            "part": self.part,
            "text": self.text,
            "found": self.found,
            "choice": self.choice,
        }


# --- The facts a rule's `when` names ---------------------------------------------------------
#
# Each fact gives, for one patient's choices, the values that hold; and for an offer, the values
# some clinician could choose. Values are strings ("yes" / "no" for True / False).


# Every value each fact can take: a rule naming another never applies (check_book).
FACT_VALUES: dict[str, set[str]] = {
    "activity": {str(a) for a in Activity},
    "rest": {"set", "none"},
    "leg_load": {str(v) for v in LegLoad},
    "arm_load": {str(v) for v in ArmLoad},
    "aid_present": {str(a) for a in Aid},
    "aid_absent": {str(a) for a in Aid},
    "self_care_present": {str(s) for s in SelfCare},
    "self_care_absent": {str(s) for s in SelfCare},
    "physiotherapy": {"yes", "no"},
    "back_to": {str(w) for w in BackToWhen},
    "follow_up": {"yes", "no"},
}


def _chosen_facts(plan: PlanChoices, follow_up: bool | None) -> dict[str, set[str]]:
    """What holds for one patient's choices. `follow_up` None: not known, and the follow-up
    rules are not run."""
    aids = {str(a.kind) for a in plan.aids}
    care = {str(s.kind) for s in plan.self_care}
    return {
        "activity": {str(plan.activity)} if plan.activity else set(),
        "rest": set() if plan.activity is None else {"set" if plan.rest_weeks else "none"},
        "leg_load": {str(plan.load)} if isinstance(plan.load, LegLoad) else set(),
        "arm_load": {str(plan.load)} if isinstance(plan.load, ArmLoad) else set(),
        "aid_present": aids,
        "aid_absent": FACT_VALUES["aid_absent"] - aids,
        "self_care_present": care,
        "self_care_absent": FACT_VALUES["self_care_absent"] - care,
        "physiotherapy": {"yes" if plan.physio_start else "no"},
        "back_to": {str(plan.back_to.when)} if plan.back_to else set(),
        "follow_up": set() if follow_up is None else {_value(follow_up)},
    }


def _offered_facts(offer: PlanOffer) -> dict[str, set[str]]:
    """What some clinician could choose within `offer`."""
    activities = set(offer.activity.offered) if offer.activity else set()
    limb = offer.load.limb if offer.load else None
    return {
        "activity": {str(a) for a in activities},
        "rest": ({"set"} if Activity.REST in activities else set())
        | ({"none"} if activities - {Activity.REST} else set()),
        "leg_load": {str(v) for v in LegLoad} if limb == Limb.LEG else set(),
        "arm_load": {str(v) for v in ArmLoad} if limb == Limb.ARM else set(),
        "aid_present": {str(a.kind) for a in offer.aids},
        # Any aid or self-care may be left out: the clinician unticks it, or the article never
        # offers it.
        "aid_absent": FACT_VALUES["aid_absent"],
        "self_care_present": {str(s.kind) for s in offer.self_care},
        "self_care_absent": FACT_VALUES["self_care_absent"],
        "physiotherapy": {"no"} | ({"yes"} if offer.physiotherapy else set()),
        "back_to": FACT_VALUES["back_to"] if offer.back_to else set(),
        "follow_up": {"yes", "no"},
    }


def _value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _wanted(value: Value) -> set[str]:
    return {_value(v) for v in value} if isinstance(value, tuple) else {_value(value)}


def _describe(fact: str, value: str) -> str:
    """A choice, in plain words in the active language."""
    yes_no = {
        "yes": gettext("%(choice)s: yes"),
        "no": gettext("%(choice)s: no"),
    }
    match fact:
        case "activity":
            return label(Activity(value))
        case "rest":
            if value == "set":
                return gettext("A set period of rest")
            return gettext("No set period of rest")
        case "leg_load":
            return label(LegLoad(value))
        case "arm_load":
            return label(ArmLoad(value))
        case "aid_present" | "aid_absent":
            answer = "yes" if fact == "aid_present" else "no"
            return yes_no[answer] % {"choice": label(Aid(value))}
        case "self_care_present" | "self_care_absent":
            answer = "yes" if fact == "self_care_present" else "no"
            return yes_no[answer] % {"choice": label(SelfCare(value))}
        case "physiotherapy":
            return yes_no[value] % {"choice": gettext("Physiotherapy")}
        case "back_to":
            return gettext("Back to work, school or sport: %(when)s") % {
                "when": label(BackToWhen(value))
            }
        case _follow_up:
            return yes_no[value] % {"choice": gettext("Follow-up visit")}


def _matching(rule: Rule, facts: Mapping[str, set[str]]) -> dict[str, set[str]] | None:
    """The values of each fact the rule names that hold (or can be chosen), or None when some
    fact has none: the rule does not apply."""
    found = {fact: _wanted(value) & facts[fact] for fact, value in rule.when.items()}
    return found if all(found.values()) else None


def _choice_words(found: Mapping[str, set[str]]) -> str:
    return "; ".join(
        _describe(fact, value) for fact, values in found.items() for value in sorted(values)
    )


def check_book(book: RuleBook) -> None:
    """Refuse a rule book with a fact, value or place the engine does not know, or a pattern
    that does not compile: a typo would otherwise make a rule that never applies."""
    for rule in book.rules:
        if rule.where not in WHERE:
            raise ValueError(f"{book.language}: {rule.name!r}: no place {rule.where!r}")
        for fact, value in rule.when.items():
            if fact not in FACT_VALUES:
                raise ValueError(f"{book.language}: {rule.name!r}: no fact {fact!r}")
            unknown = _wanted(value) - FACT_VALUES[fact]
            if unknown:
                raise ValueError(f"{book.language}: {rule.name!r}: {fact} is never {unknown}")
        re.compile(rule.forbidden)


for _book in BOOKS.values():
    check_book(_book)


@functools.cache
def _pattern(forbidden: str) -> re.Pattern[str]:
    return re.compile(forbidden, re.IGNORECASE)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` around [start, end)."""
    begin = text.rfind(". ", 0, start)
    begin = 0 if begin == -1 else begin + 2
    stop = text.find(". ", end)
    return text[begin : stop + 1 if stop != -1 else len(text)].strip()


# --- A composed handout -----------------------------------------------------------------------


def _between(text: str, part: Part) -> str | None:
    found = [(at, start) for start in part.starts if (at := text.find(start)) != -1]
    if not found:
        return None
    begin, start = min(found)
    stops = [text.find(end, begin + len(start)) for end in part.ends]
    stops = [stop for stop in stops if stop != -1]
    return text[begin : min(stops)] if stops else text[begin:]


def handout_parts(text: str, book: RuleBook) -> dict[str, str]:
    """The whole text and each part the book names; a part not printed is empty. Raises
    ValueError when the text has no plan box: it is not a composed handout."""
    parts = {"all": text}
    for name, part in book.parts.items():
        parts[name] = _between(parts[part.within], part) or ""
    if not parts.get("plan"):
        raise ValueError("The text has no plan box: it is not a composed handout.")
    return parts


def conflicts(
    text: str,
    language: str,
    choices: PlanChoices,
    *,
    follow_up: bool | None = None,
    part_name: str = "",
    quoted: Iterable[str] = (),
) -> list[Conflict]:
    """Everything in a composed handout's text that contradicts the choices it was made with.
    `part_name`: how the article names the injured part ("your foot"), which the plan may
    name besides the site chosen. `quoted`: the article's words the plan box repeats (its
    therapies' names, "Balance on one foot"), reviewed with the article: not the plan's own
    sentences, so the plan's body-part check passes over them."""
    book = BOOKS[language]
    parts = handout_parts(text, book)
    facts = _chosen_facts(choices, follow_up)
    found = []
    for rule in book.rules:
        matching = _matching(rule, facts)
        if matching is None:
            continue
        match = _pattern(rule.forbidden).search(parts[rule.where])
        if match:
            found.append(
                Conflict(
                    rule.name,
                    rule.where,
                    _sentence(parts[rule.where], match.start(), match.end()),
                    match.group(0),
                    _choice_words(matching),
                )
            )
    plan = parts["plan"]
    for words in quoted:
        plan = plan.replace(words, " ")
    if book.not_the_injured_part:
        plan = _pattern(book.not_the_injured_part).sub(" ", plan)
    found += _body_part_conflicts(plan, book, choices, part_name)
    if parts.get("rest"):
        found += _week_conflicts(parts["rest"], book, choices)
    return found


def _body_part_conflicts(
    plan: str, book: RuleBook, choices: PlanChoices, part_name: str
) -> list[Conflict]:
    """The plan names only the site chosen (one of those the article offers) and the
    article's own words for the injured part."""
    words = [w for site, w in book.site_words.items() if site != choices.site]
    words.append(book.other_body_parts)
    allowed = part_name.lower()
    found = []
    for match in re.finditer(rf"\b({'|'.join(words)})\b", plan, re.IGNORECASE):
        if not re.search(rf"\b{re.escape(match.group(0).lower())}\b", allowed):
            found.append(
                Conflict(
                    BODY_PART_RULE,
                    "plan",
                    _sentence(plan, match.start(), match.end()),
                    match.group(0),
                    label(choices.site) if choices.site else gettext("No site chosen"),
                )
            )
    return found


def _week_conflicts(rest: str, book: RuleBook, choices: PlanChoices) -> list[Conflict]:
    """The rest item names the weeks of rest chosen, and no other number of weeks."""
    counts = {
        int(n) if n.isdigit() else book.number_words[n.lower()]
        for n in re.findall(book.weeks, rest, re.IGNORECASE)
    }
    chosen = choices.rest_weeks
    words = gettext("A set period of rest") if chosen else gettext("No set period of rest")
    found = []
    others = counts - {chosen}
    if others:
        found.append(
            Conflict(OTHER_WEEKS_RULE, "rest", rest, str(sorted(others)), f"{words} ({chosen})")
        )
    if chosen and chosen not in counts:
        found.append(Conflict(MISSING_WEEKS_RULE, "rest", rest, "", f"{words} ({chosen})"))
    return found


# --- An article version -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedPart:
    """A part of an article that a handout prints as the editor wrote it."""

    label: str  # e.g. "Warning sign 2", in the active language
    text: str


def offer_conflicts(
    parts: Iterable[PrintedPart], offer: PlanOffer, language: str
) -> list[Conflict]:
    """Each part's text against every choice `offer` lets a clinician make: a rule applies
    when some choice it names can be made (each fact a rule names is one block, so blocks are
    enumerated one by one). Only rules over everything printed ("all") apply; the plan box is
    never article text."""
    book = BOOKS.get(language)
    if book is None:
        return []
    facts = _offered_facts(offer)
    applying = [
        (rule, matching)
        for rule in book.rules
        if rule.where == "all" and (matching := _matching(rule, facts)) is not None
    ]
    found = []
    for part in parts:
        for rule, matching in applying:
            match = _pattern(rule.forbidden).search(part.text)
            if match:
                found.append(
                    Conflict(
                        rule.name, part.label, part.text, match.group(0), _choice_words(matching)
                    )
                )
    return found


def printed_parts(article: Article) -> list[PrintedPart]:
    """What a handout of `article` prints in the editor's words, each with a label."""

    def numbered(kind: str, items: list[str]) -> list[PrintedPart]:
        return [PrintedPart(f"{kind} {n}", text) for n, text in enumerate(items, start=1) if text]

    parts = numbered(gettext("Warning sign"), [sign.text for sign in article.warning_signs.all()])
    parts += [
        PrintedPart(gettext("Therapy “%(name)s”") % {"name": therapy.name}, therapy.instructions)
        for therapy in article.therapies.all()
    ]
    parts += numbered(
        gettext("Prevention tip"), [tip.text for tip in article.prevention_tips.all()]
    )
    return parts


def article_conflicts(article: Article) -> list[Conflict]:
    """Everything `article` prints that contradicts a choice its plan offer allows."""
    return offer_conflicts(printed_parts(article), article.plan_offer(), article.language)


def has_rules(language: str) -> bool:
    return language in BOOKS
