"""The patient's own plan, composed only from the clinician's choices.

Every sentence here is an approved template, one per meaningful combination of choices (rest
weeks none / one / several, each weight-bearing choice, crutches or not, therapies, follow-up
or not), filled with typed values and translated through the catalogs. Article prose never
reaches the plan, so the plan cannot contradict what the clinician chose; the article is
printed after it as general information.

Call these inside `translation.override(handout.language)`: the sentences are written in the
language active when they are built.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education.models import DEFAULT_BODY_PART, WeightBearing
from handouts.models import Handout
from portal.dates import long_date
from portal.models import ClinicProfile


@dataclass(frozen=True)
class PlanItem:
    """One row of the "Your plan" box: a pictogram, a short label and its sentences."""

    icon: str
    label: str
    sentences: list[str]
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HelpTier:
    """One tier of "When to get help": whom to call, and the signs that mean it is time."""

    kind: str  # "call_clinic" or "emergency": the print style
    icon: str
    label: str  # the pictogram's alternative text
    lead: str
    signs: list[str]
    phone: str = ""  # the number to call, as printed

    @property
    def dial(self) -> str:
        """The number for a tel: link: digits and a leading plus only."""
        return re.sub(r"(?!^\+)\D", "", self.phone.strip())


def injured_part(handout: Handout) -> str:
    """How the plan names the injured part: the article's own words, or a neutral phrase."""
    return handout.snapshot["rest_guidance"].get("body_part") or str(DEFAULT_BODY_PART)


def rest_sentence(handout: Handout) -> str:
    weeks = handout.rest_weeks
    if not weeks:
        return _("You do not need a set period of rest.")
    return ngettext(
        "Rest %(part)s for %(weeks)d week, until %(date)s: no sport, running or heavy lifting.",
        "Rest %(part)s for %(weeks)d weeks, until %(date)s: no sport, running or heavy lifting.",
        weeks,
    ) % {"part": injured_part(handout), "weeks": weeks, "date": long_date(handout.last_rest_day)}


def weight_sentence(handout: Handout) -> str:
    values = {"part": injured_part(handout), "date": long_date(handout.last_rest_day)}
    timed = bool(handout.rest_weeks)
    match handout.weight_bearing:
        case WeightBearing.NONE:
            sentence = (
                _("Until %(date)s, do not put any weight on %(part)s.")
                if timed
                else _("Do not put any weight on %(part)s until your care team says you can.")
            )
        case WeightBearing.PARTIAL:
            sentence = (
                _("Until %(date)s, put only some of your weight on %(part)s.")
                if timed
                else _(
                    "Put only some of your weight on %(part)s until your care "
                    "team says you can put more."
                )
            )
        case WeightBearing.AS_TOLERATED:
            sentence = (
                _("Until %(date)s, put only as much weight on %(part)s as your pain allows.")
                if timed
                else _("Put only as much weight on %(part)s as your pain allows.")
            )
        case _unknown:
            sentence = _("You can put your full weight on %(part)s.")
    return sentence % values


# What crutches are for, by how much weight the injured part may take: "to take some of your
# weight" would contradict full weight, "for balance" would undersell no weight at all.
def crutches_sentence(handout: Handout) -> str | None:
    """None when the clinician chose no crutches for a leg that must not take full weight:
    "you do not need crutches" would then be advice they did not give."""
    if not handout.crutches:
        if handout.weight_bearing in (WeightBearing.FULL, WeightBearing.AS_TOLERATED):
            return _("You do not need crutches.")
        return None
    values = {"part": injured_part(handout), "date": long_date(handout.last_rest_day)}
    timed = bool(handout.rest_weeks)
    match handout.weight_bearing:
        case WeightBearing.NONE:
            sentence = (
                _(
                    "Use crutches every time you walk, so that no weight goes on "
                    "%(part)s, until %(date)s."
                )
                if timed
                else _(
                    "Use crutches every time you walk, so that no weight goes on "
                    "%(part)s, until your care team says you can stop."
                )
            )
        case WeightBearing.PARTIAL:
            sentence = (
                _("Use crutches every time you walk, to take some of your weight, until %(date)s.")
                if timed
                else _(
                    "Use crutches every time you walk, to take some of your weight, "
                    "until your care team says you can stop."
                )
            )
        case WeightBearing.AS_TOLERATED:
            sentence = (
                _("Use crutches when you walk, as much as your pain needs them, until %(date)s.")
                if timed
                else _(
                    "Use crutches when you walk, as much as your pain needs them, until "
                    "your care team says you can stop."
                )
            )
        case _unknown:
            sentence = (
                _("Use crutches when you walk, for balance, until %(date)s.")
                if timed
                else _(
                    "Use crutches when you walk, for balance, until your care team "
                    "says you can stop."
                )
            )
    return sentence % values


def how_often(times_per_week: int) -> str:
    return ngettext("%(n)d time a week", "%(n)d times a week", times_per_week) % {
        "n": times_per_week
    }


def how_long(weeks: int) -> str:
    return ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}


def therapy_line(therapy: dict) -> str:
    return _("%(therapy)s: %(how_often)s, for %(how_long)s.") % {
        "therapy": therapy["name"],
        "how_often": how_often(therapy["times_per_week"]),
        "how_long": how_long(therapy["weeks"]),
    }


def follow_up_sentence(handout: Handout) -> str:
    if handout.follow_up_date:
        return _("Your follow-up visit is on %(date)s.") % {
            "date": long_date(handout.follow_up_date)
        }
    return _("No follow-up visit is booked. Call the clinic if you are not getting better.")


def personal_plan(handout: Handout) -> list[PlanItem]:
    """The rows of the "Your plan" box, in the order a patient acts on them."""
    rest = [rest_sentence(handout), weight_sentence(handout)]
    items = [PlanItem("bed", _("Rest"), rest)]
    crutches = crutches_sentence(handout)
    if crutches:
        items.append(PlanItem("crutches", _("Crutches"), [crutches]))
    therapies = handout.chosen_therapies()
    if therapies:
        items.append(
            PlanItem(
                "stretching",
                _("Physiotherapy"),
                [_("Sessions start on %(date)s.") % {"date": long_date(handout.rest_until)}],
                [therapy_line(therapy) for therapy in therapies],
            )
        )
    items.append(PlanItem("calendar-event", _("Follow-up"), [follow_up_sentence(handout)]))
    return items


def help_tiers(handout: Handout, clinic: ClinicProfile) -> list[HelpTier]:
    """ "When to get help", tiered: call the clinic, then emergency care. Both tiers are always
    there, with a general line when the article lists no signs for one."""
    signs = handout.snapshot["warning_signs"]
    call_signs = [s["text"] for s in signs if s["urgency"] == "call_clinic"]
    emergency_signs = [s["text"] for s in signs if s["urgency"] == "emergency"]
    values = {"phone": clinic.phone, "after_hours": clinic.after_hours_phone}
    if not clinic.phone:  # only on previews: issuing is refused while the clinic has none
        call_lead = (
            _("Call the clinic if:")
            if call_signs
            else _("Call the clinic if you are worried about how you are healing.")
        )
    elif clinic.after_hours_phone:
        call_lead = (
            _("Call the clinic on %(phone)s (after hours: %(after_hours)s) if:")
            if call_signs
            else _(
                "Call the clinic on %(phone)s (after hours: %(after_hours)s) if you are "
                "worried about how you are healing."
            )
        ) % values
    else:
        call_lead = (
            _("Call the clinic on %(phone)s if:")
            if call_signs
            else _("Call the clinic on %(phone)s if you are worried about how you are healing.")
        ) % values
    number = clinic.emergency_number
    if emergency_signs:
        emergency_lead = _("Call %(number)s or go to the emergency room now if:") % {
            "number": number
        }
    else:
        emergency_lead = _("In an emergency, call %(number)s.") % {"number": number}
    return [
        HelpTier("call_clinic", "phone", _("Call the clinic"), call_lead, call_signs, clinic.phone),
        HelpTier("emergency", "ambulance", _("Emergency"), emergency_lead, emergency_signs, number),
    ]


def timeline_activity(handout: Handout) -> str:
    """What a rest week in the week-by-week table says: the same choices, in short."""
    values = {"part": injured_part(handout)}
    match handout.weight_bearing:
        case WeightBearing.NONE:
            weight = _("No weight on %(part)s.") % values
        case WeightBearing.PARTIAL:
            weight = _("Only some weight on %(part)s.") % values
        case WeightBearing.AS_TOLERATED:
            weight = _("Weight as your pain allows.")
        case _unknown:
            weight = _("Full weight is fine.")
    parts = [_("Rest: no sport, running or heavy lifting."), weight]
    if handout.crutches:
        parts.append(_("Use crutches."))
    return " ".join(parts)


def ongoing_limits(handout: Handout) -> str:
    """With no set rest period, the weight and crutch limits the clinician chose hold until the
    care team lifts them: page 1's own sentences, repeated on every row of the week-by-week
    table (which says "do what that row says") so that no row reads as if there were none."""
    if handout.rest_weeks:
        return ""
    parts = []
    if handout.weight_bearing != WeightBearing.FULL:
        parts.append(weight_sentence(handout))
    if handout.crutches:
        parts.append(crutches_sentence(handout) or "")
    return " ".join(part for part in parts if part)
