"""Choices that contradict each other across the conditions of one visit's packet: the rules as
data, next to each language's rules for printed words (education.plan_rules.en, .es), and the
one check that reads them.

A packet prints each condition's plan from its own choices, in approved sentences: each plan
is right on its own, but two can tell the patient opposite things ("no sport until 22
February" in one, "you can go back to sport on 10 February" in the other). The builder
refuses such a packet, naming both conditions, before anything is printed. The rules compare
choices, not printed words, so they hold in every language.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from education.plan_blocks import (
    Activity,
    Aid,
    BackToActivity,
    BackToWhen,
    LegLoad,
    PlanChoices,
    PlanOffer,
    Side,
)


@dataclass(frozen=True)
class PacketPlan:
    """One condition of a packet, as the rules see it."""

    name: str  # the condition's name, as the message names it
    choices: PlanChoices
    offer: PlanOffer
    visit_date: datetime.date


# --- What a rule asks of one condition, and of the other -------------------------------------


def no_sport_until(plan: PacketPlan) -> datetime.date | None:
    """The last day without sport, when the plan says "no sport": a set rest's last day, or
    no end (date.max) while the care team decides; else None."""
    choices = plan.choices
    if choices.activity == Activity.REST and choices.rest_weeks:
        return choices.rest_until(plan.visit_date)
    if choices.activity in (Activity.REST, Activity.RELATIVE):
        return datetime.date.max
    return None


def back_to_sport_on(plan: PacketPlan) -> datetime.date | None:
    """The day the plan says the patient can go back to sport, if it names one."""
    back_to, offer = plan.choices.back_to, plan.offer.back_to
    if back_to is None or offer is None or BackToActivity.SPORT not in offer.activities:
        return None
    return back_to.date if back_to.when == BackToWhen.DATE else None


def sport_before_rest_ends(one: PacketPlan, other: PacketPlan) -> bool:
    until, back = no_sport_until(one), back_to_sport_on(other)
    return until is not None and back is not None and back <= until


def same_or_unsaid_side(one: PacketPlan, other: PacketPlan) -> bool:
    """Both may be the same limb: unless they are on known, different sides (left, right)."""
    sides = {one.choices.side, other.choices.side}
    return sides != {Side.LEFT, Side.RIGHT}


def no_weight_against_weight(one: PacketPlan, other: PacketPlan) -> bool:
    return (
        one.choices.load == LegLoad.NONE
        and other.choices.load in (LegLoad.AS_TOLERATED, LegLoad.FULL)
        and same_or_unsaid_side(one, other)
    )


def crutches_against_no_crutches(one: PacketPlan, other: PacketPlan) -> bool:
    """One plan says to use crutches; the other, which offers them, says they are not needed
    (handouts.plan.crutches_sentence)."""
    uses = any(a.kind == Aid.CRUTCHES for a in one.choices.aids)
    offered = any(a.kind == Aid.CRUTCHES for a in other.offer.aids)
    declines = not any(a.kind == Aid.CRUTCHES for a in other.choices.aids)
    return uses and offered and declines


@dataclass(frozen=True)
class PacketRule:
    """`applies(one, other)`: the first condition's choices and the second's contradict each
    other. Checked both ways round. `message` names both (%(one)s, %(other)s)."""

    name: str
    applies: Callable[[PacketPlan, PacketPlan], bool]
    message: Promise


RULES: tuple[PacketRule, ...] = (
    PacketRule(
        "no sport in one, back to sport in another",
        sport_before_rest_ends,
        _(
            "%(one)s says no sport during rest, but %(other)s says the patient can go back to "
            "sport before that rest ends. Change the rest or the date so that both say the "
            "same."
        ),
    ),
    PacketRule(
        "no weight on the leg in one, weight in another",
        no_weight_against_weight,
        _(
            "%(one)s says to put no weight on the leg, but %(other)s allows weight on it. "
            "Choose the same weight bearing for both, or say which side each one is."
        ),
    ),
    PacketRule(
        "crutches in one, no crutches in another",
        crutches_against_no_crutches,
        _(
            "%(one)s says to use crutches, but %(other)s would say crutches are not needed. "
            "Tick crutches for both, or for neither."
        ),
    ),
)


@dataclass(frozen=True)
class PacketConflict:
    rule: str
    one: str
    other: str
    message: str

    def __str__(self) -> str:
        return self.message


def packet_conflicts(plans: Sequence[PacketPlan]) -> list[PacketConflict]:
    """Every pair of conditions whose choices contradict each other, by RULES, each pair and
    rule once, in the active language."""
    found = []
    for rule in RULES:
        for i, one in enumerate(plans):
            for j, other in enumerate(plans):
                if i == j or not rule.applies(one, other):
                    continue
                message = str(rule.message) % {"one": one.name, "other": other.name}
                found.append(PacketConflict(rule.name, one.name, other.name, message))
    return found
