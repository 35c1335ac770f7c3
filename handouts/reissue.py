"""Updating a handout: the same patient's choices, carried over to the article's newer version.

Therapies, prevention tips and sections are matched by their key in the snapshots: their
lineage, which a part keeps from version to version (education.snapshot).
"""

import datetime
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education.models import Article
from education.plan_blocks import PlanChoices, PlanOffer
from education.snapshot import Snapshot, plan_offer_of
from handouts.forms import PERSONAL_FIELDS, plan_initial, therapy_field
from handouts.models import Handout, HandoutCondition


@dataclass(frozen=True)
class CarriedOver:
    """The builder's initial values, and what the clinician should know about them."""

    initial: dict
    # Chosen for the old handout, but no longer in the article.
    dropped: list[str]
    # New in this version: therapies start unticked, tips follow the article's default.
    added: list[str]
    # Chosen therapies whose suggested frequency changed; the clinician's numbers are kept.
    suggestion_changed: list[str]


def reissue_problem(old: Handout, article: Article) -> str | None:
    """Why `old` cannot be updated from `article`, or None when it can."""
    if old.purged_at:
        return _(
            "This handout's personal data was removed at the end of the retention "
            "period, so its choices cannot be carried over. Start a new handout instead."
        )
    first = old.condition_list[0]
    if first.article.condition_id != article.condition_id or old.language != article.language:
        return _(
            "That handout is for another condition or language, so its choices cannot be "
            "carried over."
        )
    return None


def carry_over_choices(old: Handout, article: Article, snapshot: Snapshot) -> CarriedOver:
    """HandoutForm initial values for `article` (whose snapshot is `snapshot`) with the
    personal choices of `old`, made from an earlier version: the visit's, and those of its
    first condition (carry_over_condition)."""
    carried = carry_over_condition(old.condition_list[0], snapshot)
    visit = {name: getattr(old, name) for name in PERSONAL_FIELDS if hasattr(old, name)}
    return replace(carried, initial=visit | carried.initial | {"replaces": old.public_id})


def carry_over_condition(old: HandoutCondition, snapshot: Snapshot) -> CarriedOver:
    """The builder's initial values of one condition, for the article whose snapshot is
    `snapshot`, with the choices `old` made from an earlier version."""
    offered_before, offered_now = _keys(old.snapshot), _keys(snapshot)
    initial: dict = {"follow_up_date": old.follow_up_date}
    offer = plan_offer_of(snapshot)
    initial |= plan_initial(offer, carry_over_plan(old.plan_choices, offer, old.visit_date))
    added: list[str] = []
    suggestion_changed: list[str] = []

    old_therapies = {t["key"]: t for t in old.snapshot["therapies"]}
    plans = {plan["key"]: plan for plan in old.therapy_plan}
    for therapy in snapshot["therapies"]:
        key = therapy["key"]
        plan = plans.get(key)
        initial[therapy_field(key, "include")] = plan is not None
        if plan is not None:
            initial[therapy_field(key, "times_per_week")] = plan["times_per_week"]
            initial[therapy_field(key, "weeks")] = plan["weeks"]
            before = old_therapies.get(key, therapy)
            if (before["times_per_week"], before["weeks"]) != (
                therapy["times_per_week"],
                therapy["weeks"],
            ):
                suggestion_changed.append(
                    ngettext(
                        "%(therapy)s (now %(times)d× a week for %(weeks)d week)",
                        "%(therapy)s (now %(times)d× a week for %(weeks)d weeks)",
                        therapy["weeks"],
                    )
                    % {
                        "therapy": therapy["name"],
                        "times": therapy["times_per_week"],
                        "weeks": therapy["weeks"],
                    }
                )
        if key not in offered_before:
            added.append(therapy["name"])

    chosen_tips = set(old.prevention_tip_keys)
    initial["prevention_tips"] = []
    for tip in snapshot["prevention_tips"]:
        key = tip["key"]
        if key not in offered_before:
            added.append(tip["text"])
        if key in chosen_tips or (key not in offered_before and tip["selected_by_default"]):
            initial["prevention_tips"].append(key)

    # Background sections: the old choice by lineage (every section for handouts issued before
    # the choice existed); sections new in this version follow the article's default.
    chosen_sections = old.background_section_keys
    initial["background_sections"] = [
        section["key"]
        for section in snapshot["sections"]
        if chosen_sections is None
        or section["key"] in chosen_sections
        or (section["key"] not in offered_before and section.get("printed_by_default", True))
    ]

    dropped = [t["name"] for t in old.chosen_therapies() if t["key"] not in offered_now]
    dropped += [t["text"] for t in old.chosen_prevention_tips() if t["key"] not in offered_now]
    return CarriedOver(initial, dropped, added, suggestion_changed)


# The blocks of a plan, each carried over on its own: (its fields in PlanChoices).
PLAN_BLOCKS = (
    ("site", "side"),
    ("activity", "rest_weeks"),
    ("load",),
    ("aids",),
    ("self_care",),
    ("physio_start",),
    ("back_to",),
)


def carry_over_plan(old: PlanChoices, offer: PlanOffer, visit_date: datetime.date) -> PlanChoices:
    """The old plan's choices within the new offer: each block as the clinician chose it
    where the new offer allows that choice, else at the new offer's default; aids and
    self-care item by item."""
    plan = PlanChoices.defaults(offer, visit_date)
    offered_aids = {a.kind for a in offer.aids}
    offered_care = {s.kind for s in offer.self_care}
    for fields in PLAN_BLOCKS:
        values = {name: getattr(old, name) for name in fields}
        if fields == ("aids",):
            values["aids"] = tuple(a for a in old.aids if a.kind in offered_aids)
        elif fields == ("self_care",):
            values["self_care"] = tuple(s for s in old.self_care if s.kind in offered_care)
        candidate = replace(plan, **values)
        if _problem_paths(candidate, offer) <= _problem_paths(plan, offer):
            plan = candidate
    return plan


def _problem_paths(plan: PlanChoices, offer: PlanOffer) -> set[str]:
    return {problem.path for problem in plan.problems(offer)}


def _keys(snapshot: Snapshot) -> set[str]:
    """The keys of the parts a handout's choices name: therapies, tips and sections."""
    return {
        item["key"]
        for part in ("therapies", "prevention_tips", "sections")
        for item in snapshot[part]
    }
