"""The patient's own plan, composed only from the clinician's choices.

The plan is made of blocks (education.plan_blocks): each is printed only when the article
version offers it and the clinician kept it. Every sentence here is an approved template, one
per meaningful combination of choices (a rest period or none, each load, each aid timed or
not, each kind of self-care, follow-up or not), filled with typed values and translated
through the catalogs. Article prose never reaches the plan, so the plan cannot contradict what
the clinician chose; the article is printed after it as general information.

Call these inside `translation.override(handout.language)`: the sentences are written in the
language active when they are built.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from education.plan_blocks import (
    Activity,
    Aid,
    AidChoice,
    ArmLoad,
    BackToActivity,
    BackToWhen,
    LegLoad,
    PlanChoices,
    SelfCare,
    SelfCareChoice,
    Side,
    Site,
)
from handouts.models import Handout, HandoutCondition
from portal.dates import long_date
from portal.models import ClinicProfile


@dataclass(frozen=True)
class PlanItem:
    """One row of the "Your plan" box: a pictogram, a short label and its sentences."""

    icon: str
    label: str
    sentences: list[str]
    details: list[str] = field(default_factory=list)
    # Which block the row shows (PLAN_ROWS): its anchor in the handout, which teach-back
    # questions point to (handouts.plan_questions).
    key: str = ""


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


# --- The patient's site ----------------------------------------------------------------------

# How the plan names the patient's site: one phrase per site and side, so each language can
# inflect it as a whole ("su rodilla izquierda", "ambas rodillas"). Sites that have no sides
# (the back, the neck) have only the phrase without one.
SITE_PHRASES = {
    (Site.FOOT, None): gettext_lazy("your foot"),
    (Site.FOOT, Side.LEFT): gettext_lazy("your left foot"),
    (Site.FOOT, Side.RIGHT): gettext_lazy("your right foot"),
    (Site.FOOT, Side.BOTH): gettext_lazy("both feet"),
    (Site.HEEL, None): gettext_lazy("your heel"),
    (Site.HEEL, Side.LEFT): gettext_lazy("your left heel"),
    (Site.HEEL, Side.RIGHT): gettext_lazy("your right heel"),
    (Site.HEEL, Side.BOTH): gettext_lazy("both heels"),
    (Site.ANKLE, None): gettext_lazy("your ankle"),
    (Site.ANKLE, Side.LEFT): gettext_lazy("your left ankle"),
    (Site.ANKLE, Side.RIGHT): gettext_lazy("your right ankle"),
    (Site.ANKLE, Side.BOTH): gettext_lazy("both ankles"),
    (Site.ACHILLES_TENDON, None): gettext_lazy("your Achilles tendon"),
    (Site.ACHILLES_TENDON, Side.LEFT): gettext_lazy("your left Achilles tendon"),
    (Site.ACHILLES_TENDON, Side.RIGHT): gettext_lazy("your right Achilles tendon"),
    (Site.ACHILLES_TENDON, Side.BOTH): gettext_lazy("both Achilles tendons"),
    (Site.SHIN, None): gettext_lazy("your shin"),
    (Site.SHIN, Side.LEFT): gettext_lazy("your left shin"),
    (Site.SHIN, Side.RIGHT): gettext_lazy("your right shin"),
    (Site.SHIN, Side.BOTH): gettext_lazy("both shins"),
    (Site.KNEE, None): gettext_lazy("your knee"),
    (Site.KNEE, Side.LEFT): gettext_lazy("your left knee"),
    (Site.KNEE, Side.RIGHT): gettext_lazy("your right knee"),
    (Site.KNEE, Side.BOTH): gettext_lazy("both knees"),
    (Site.THIGH, None): gettext_lazy("your thigh"),
    (Site.THIGH, Side.LEFT): gettext_lazy("your left thigh"),
    (Site.THIGH, Side.RIGHT): gettext_lazy("your right thigh"),
    (Site.THIGH, Side.BOTH): gettext_lazy("both thighs"),
    (Site.HIP, None): gettext_lazy("your hip"),
    (Site.HIP, Side.LEFT): gettext_lazy("your left hip"),
    (Site.HIP, Side.RIGHT): gettext_lazy("your right hip"),
    (Site.HIP, Side.BOTH): gettext_lazy("both hips"),
    (Site.LOWER_BACK, None): gettext_lazy("your lower back"),
    (Site.NECK, None): gettext_lazy("your neck"),
    (Site.SHOULDER, None): gettext_lazy("your shoulder"),
    (Site.SHOULDER, Side.LEFT): gettext_lazy("your left shoulder"),
    (Site.SHOULDER, Side.RIGHT): gettext_lazy("your right shoulder"),
    (Site.SHOULDER, Side.BOTH): gettext_lazy("both shoulders"),
    (Site.ELBOW, None): gettext_lazy("your elbow"),
    (Site.ELBOW, Side.LEFT): gettext_lazy("your left elbow"),
    (Site.ELBOW, Side.RIGHT): gettext_lazy("your right elbow"),
    (Site.ELBOW, Side.BOTH): gettext_lazy("both elbows"),
    (Site.FOREARM, None): gettext_lazy("your forearm"),
    (Site.FOREARM, Side.LEFT): gettext_lazy("your left forearm"),
    (Site.FOREARM, Side.RIGHT): gettext_lazy("your right forearm"),
    (Site.FOREARM, Side.BOTH): gettext_lazy("both forearms"),
    (Site.WRIST, None): gettext_lazy("your wrist"),
    (Site.WRIST, Side.LEFT): gettext_lazy("your left wrist"),
    (Site.WRIST, Side.RIGHT): gettext_lazy("your right wrist"),
    (Site.WRIST, Side.BOTH): gettext_lazy("both wrists"),
    (Site.HAND, None): gettext_lazy("your hand"),
    (Site.HAND, Side.LEFT): gettext_lazy("your left hand"),
    (Site.HAND, Side.RIGHT): gettext_lazy("your right hand"),
    (Site.HAND, Side.BOTH): gettext_lazy("both hands"),
}
# Names no body part the article did not: for plans without a site.
INJURED_PART = pgettext_lazy("a plan's name for the patient's site", "the injured part")


def injured_part(handout: HandoutCondition) -> str:
    """How the plan names the patient's site (part_named)."""
    return part_named(handout.plan_choices, handout.snapshot)


def part_named(choices: PlanChoices, snapshot: Mapping[str, Any]) -> str:
    """The site and side the clinician chose (without a side when none was chosen); else, on
    handouts issued before sites, the article's own words; else a neutral phrase."""
    if choices.site is not None:
        phrase = (
            SITE_PHRASES.get((choices.site, choices.side)) or SITE_PHRASES[(choices.site, None)]
        )
        return str(phrase)
    rest = snapshot.get("rest_guidance") or {}
    return rest.get("body_part") or str(INJURED_PART)


def _until(handout: HandoutCondition) -> dict[str, str]:
    """The values every sentence may name: the site, and the last day of rest."""
    last_rest_day = handout.last_rest_day
    return {
        "part": injured_part(handout),
        "date": long_date(last_rest_day) if last_rest_day else "",
    }


# --- Activity --------------------------------------------------------------------------------


def activity_sentence(handout: HandoutCondition) -> str | None:
    choices = handout.plan_choices
    match choices.activity:
        case Activity.REST if choices.rest_weeks:
            weeks = choices.rest_weeks
            return ngettext(
                "Rest %(part)s for %(weeks)d week, until %(date)s: no sport, running or heavy "
                "lifting.",
                "Rest %(part)s for %(weeks)d weeks, until %(date)s: no sport, running or heavy "
                "lifting.",
                weeks,
            ) % (_until(handout) | {"weeks": weeks})
        case Activity.RELATIVE | Activity.REST:
            return _(
                "Keep up your daily activities, but no sport, running or heavy lifting until "
                "your care team says you can."
            )
        case Activity.ACTIVE:
            return _(
                "Keep moving and keep up your daily activities as much as you can: staying in "
                "bed slows healing."
            )
    return None


# --- Load ------------------------------------------------------------------------------------


def weight_sentence(handout: HandoutCondition) -> str:
    """How much weight the leg may take: timed by the rest period when there is one."""
    timed = handout.last_rest_day is not None
    match handout.plan_choices.load:
        case LegLoad.NONE:
            sentence = (
                _("Until %(date)s, do not put any weight on %(part)s.")
                if timed
                else _("Do not put any weight on %(part)s until your care team says you can.")
            )
        case LegLoad.PARTIAL:
            sentence = (
                _("Until %(date)s, put only some of your weight on %(part)s.")
                if timed
                else _(
                    "Put only some of your weight on %(part)s until your care "
                    "team says you can put more."
                )
            )
        case LegLoad.AS_TOLERATED:
            sentence = (
                _("Until %(date)s, put only as much weight on %(part)s as your pain allows.")
                if timed
                else _("Put only as much weight on %(part)s as your pain allows.")
            )
        case _unknown:
            sentence = _("You can put your full weight on %(part)s.")
    return sentence % _until(handout)


def arm_sentence(handout: HandoutCondition) -> str:
    """How much the arm may do: timed by the rest period when there is one."""
    timed = handout.last_rest_day is not None
    match handout.plan_choices.load:
        case ArmLoad.NONE:
            sentence = (
                _("Until %(date)s, do not use %(part)s or lift anything with it.")
                if timed
                else _(
                    "Do not use %(part)s or lift anything with it until your care team "
                    "says you can."
                )
            )
        case ArmLoad.LIGHT:
            sentence = (
                _(
                    "Until %(date)s, use %(part)s only for light daily tasks: lift nothing "
                    "heavier than a cup."
                )
                if timed
                else _(
                    "Use %(part)s only for light daily tasks, and lift nothing heavier than a "
                    "cup, until your care team says you can do more."
                )
            )
        case ArmLoad.AS_TOLERATED:
            sentence = (
                _("Until %(date)s, use %(part)s only as much as your pain allows.")
                if timed
                else _("Use %(part)s only as much as your pain allows.")
            )
        case _unknown:
            sentence = _("You can use %(part)s normally.")
    return sentence % _until(handout)


def load_sentence(handout: HandoutCondition) -> str | None:
    load = handout.plan_choices.load
    if load is None:
        return None
    return weight_sentence(handout) if isinstance(load, LegLoad) else arm_sentence(handout)


# --- Aids ------------------------------------------------------------------------------------


def aid_last_day(handout: HandoutCondition, aid: AidChoice) -> datetime.date | None:
    return aid_until(aid, handout.visit_date)


def aid_until(aid: AidChoice, visit_date: datetime.date) -> datetime.date | None:
    """The last day of an aid the clinician set weeks for; None: until the care team says."""
    if aid.weeks is None:
        return None
    return visit_date + datetime.timedelta(weeks=aid.weeks, days=-1)


def _crutches(handout: HandoutCondition) -> AidChoice | None:
    return next((a for a in handout.plan_choices.aids if a.kind == Aid.CRUTCHES), None)


# What crutches are for, by how much weight the leg may take: "to take some of your weight"
# would contradict full weight, "for balance" would undersell no weight at all.
def crutches_sentence(handout: HandoutCondition) -> str | None:
    """None when the clinician chose no crutches for a leg that must not take full weight:
    "you do not need crutches" would then be advice they did not give; None as well when the
    article offers no crutches."""
    crutches = _crutches(handout)
    load = handout.plan_choices.load
    if crutches is None:
        offered = any(a.kind == Aid.CRUTCHES for a in handout.plan_offer.aids)
        if offered and load in (LegLoad.FULL, LegLoad.AS_TOLERATED):
            return _("You do not need crutches.")
        return None
    last_day = aid_last_day(handout, crutches)
    values = _until(handout) | {"date": long_date(last_day) if last_day else ""}
    timed = last_day is not None
    match load:
        case LegLoad.NONE:
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
        case LegLoad.PARTIAL:
            sentence = (
                _("Use crutches every time you walk, to take some of your weight, until %(date)s.")
                if timed
                else _(
                    "Use crutches every time you walk, to take some of your weight, "
                    "until your care team says you can stop."
                )
            )
        case LegLoad.AS_TOLERATED:
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


def aid_sentence(handout: HandoutCondition, aid: AidChoice) -> str:
    """Any aid but crutches (crutches_sentence): wear it until a date or until told."""
    last_day = aid_last_day(handout, aid)
    timed = last_day is not None
    match aid.kind:
        case Aid.WALKING_BOOT:
            sentence = (
                _("Wear the walking boot whenever you are on your feet, until %(date)s.")
                if timed
                else _(
                    "Wear the walking boot whenever you are on your feet, until your care "
                    "team says you can stop."
                )
            )
        case Aid.BRACE:
            sentence = (
                _("Wear the brace on %(part)s until %(date)s.")
                if timed
                else _("Wear the brace on %(part)s until your care team says you can stop.")
            )
        case Aid.SPLINT:
            sentence = (
                _("Wear the splint on %(part)s until %(date)s.")
                if timed
                else _("Wear the splint on %(part)s until your care team says you can stop.")
            )
        case _sling:
            sentence = (
                _("Wear the sling until %(date)s.")
                if timed
                else _("Wear the sling until your care team says you can stop.")
            )
    return sentence % (_until(handout) | {"date": long_date(last_day) if last_day else ""})


# The label of an aid's row in the plan box, and what the week-by-week table says while it is
# in use.
AID_LABELS = {
    Aid.CRUTCHES: gettext_lazy("Crutches"),
    Aid.WALKING_BOOT: gettext_lazy("Walking boot"),
    Aid.BRACE: gettext_lazy("Brace"),
    Aid.SPLINT: gettext_lazy("Splint"),
    Aid.SLING: gettext_lazy("Sling"),
}
AID_WEEK_NOTES = {
    Aid.CRUTCHES: gettext_lazy("Use crutches."),
    Aid.WALKING_BOOT: gettext_lazy("Wear the walking boot."),
    Aid.BRACE: gettext_lazy("Wear the brace."),
    Aid.SPLINT: gettext_lazy("Wear the splint."),
    Aid.SLING: gettext_lazy("Wear the sling."),
}


# --- Self-care -------------------------------------------------------------------------------


def times_a_day(n: int) -> str:
    return ngettext("once a day", "%(n)d times a day", n) % {"n": n}


def minutes(n: int) -> str:
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def self_care_sentence(handout: HandoutCondition, care: SelfCareChoice) -> str:
    """How often, how long and for how many days; cold and heat with how to stay safe."""
    values = {
        "part": injured_part(handout),
        "how_often": times_a_day(care.times_per_day),
        "minutes": minutes(care.minutes),
        "days": days(care.days),
    }
    match care.kind:
        case SelfCare.COLD:
            sentence = _(
                "Put a cold pack on %(part)s %(how_often)s, for %(minutes)s each time, for the "
                "next %(days)s. Wrap it in a towel: never put ice straight on your skin."
            )
        case SelfCare.HEAT:
            sentence = _(
                "Put a warm (not hot) pack on %(part)s %(how_often)s, for %(minutes)s each "
                "time, for the next %(days)s. Wrap it in a towel, and do not sleep with it on."
            )
        case _raise:
            sentence = _(
                "Raise %(part)s above the level of your heart %(how_often)s, for %(minutes)s "
                "each time, for the next %(days)s."
            )
    return sentence % values


SELF_CARE_ICONS = {
    SelfCare.COLD: "snowflake",
    SelfCare.HEAT: "flame",
    SelfCare.RAISE: "arrow-bar-up",
}


# --- Physiotherapy, back to activities, follow-up --------------------------------------------


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


def physio_start(handout: HandoutCondition) -> datetime.date:
    """The day sessions start, as the clinician chose it (the offer's default otherwise)."""
    choices = handout.plan_choices
    return (
        choices.physio_start
        or choices.default_physio_start(handout.plan_offer, handout.visit_date)
        or handout.visit_date
    )


def back_to_sentence(activity: BackToActivity, when: BackToWhen, date: str) -> str:
    on_date = when == BackToWhen.DATE
    match activity:
        case BackToActivity.WORK:
            sentence = (
                _("You can go back to work on %(date)s.")
                if on_date
                else _("Go back to work when your care team says you can.")
            )
        case BackToActivity.SCHOOL:
            sentence = (
                _("You can go back to school on %(date)s.")
                if on_date
                else _("Go back to school when your care team says you can.")
            )
        case _sport:
            sentence = (
                _("You can go back to sport on %(date)s.")
                if on_date
                else _("Go back to sport when your care team says you can.")
            )
    return sentence % {"date": date}


def back_to_sentences(handout: HandoutCondition) -> list[str]:
    chosen, offer = handout.plan_choices.back_to, handout.plan_offer.back_to
    if chosen is None or offer is None:
        return []
    date = long_date(chosen.date) if chosen.date else ""
    return [back_to_sentence(activity, chosen.when, date) for activity in offer.activities]


def follow_up_sentence(handout: HandoutCondition) -> str:
    if handout.follow_up_date:
        return _("Your follow-up visit is on %(date)s.") % {
            "date": long_date(handout.follow_up_date)
        }
    return _("No follow-up visit is booked. Call the clinic if you are not getting better.")


def _first_row_label(choices: PlanChoices) -> tuple[str, str]:
    """The pictogram and label of the plan's first row: activity and load together."""
    if choices.activity == Activity.REST and choices.rest_weeks:
        return "bed", _("Rest")
    if choices.activity is not None:
        return "walk", _("Activity")
    if isinstance(choices.load, LegLoad):
        return "walk", _("Weight on your leg")
    return "barbell", _("Using your arm")


# The anchors of the plan's rows in the handout ("plan-activity"), by block.
PLAN_ROWS = {
    "activity": "plan-activity",
    "self_care": "plan-self-care",
    "physiotherapy": "plan-physiotherapy",
    "back_to": "plan-back-to",
    "follow_up": "plan-follow-up",
}


def aid_row(kind: Aid) -> str:
    """The anchor of an aid's row: "plan-crutches", "plan-walking-boot"."""
    return f"plan-{kind.value.replace('_', '-')}"


def personal_plan(handout: HandoutCondition) -> list[PlanItem]:
    """The rows of the "Your plan" box, in the order a patient acts on them. A block the
    clinician did not choose (or the article does not offer) has no row and no sentence."""
    choices = handout.plan_choices
    items = []
    first = [s for s in (activity_sentence(handout), load_sentence(handout)) if s]
    if first:
        icon, label = _first_row_label(choices)
        items.append(PlanItem(icon, label, first, key=PLAN_ROWS["activity"]))
    crutches = crutches_sentence(handout)
    if crutches:
        items.append(PlanItem("crutches", _("Crutches"), [crutches], key=aid_row(Aid.CRUTCHES)))
    for aid in choices.aids:
        if aid.kind != Aid.CRUTCHES:
            items.append(
                PlanItem(
                    "bandage",
                    str(AID_LABELS[aid.kind]),
                    [aid_sentence(handout, aid)],
                    key=aid_row(aid.kind),
                )
            )
    if choices.self_care:
        items.append(
            PlanItem(
                SELF_CARE_ICONS[choices.self_care[0].kind],
                _("Care at home"),
                [self_care_sentence(handout, care) for care in choices.self_care],
                key=PLAN_ROWS["self_care"],
            )
        )
    therapies = handout.chosen_therapies()
    if therapies:
        items.append(
            PlanItem(
                "stretching",
                _("Physiotherapy"),
                [_("Sessions start on %(date)s.") % {"date": long_date(physio_start(handout))}],
                [therapy_line(therapy) for therapy in therapies],
                key=PLAN_ROWS["physiotherapy"],
            )
        )
    back_to = back_to_sentences(handout)
    if back_to:
        items.append(
            PlanItem("briefcase", _("Back to your activities"), back_to, key=PLAN_ROWS["back_to"])
        )
    items.append(
        PlanItem(
            "calendar-event",
            _("Follow-up"),
            [follow_up_sentence(handout)],
            key=PLAN_ROWS["follow_up"],
        )
    )
    return items


def warning_signs(handout: Handout, urgency: str) -> list[str]:
    """The signs of one urgency from every condition of the visit, each once (the same words
    in two articles are one sign), in the conditions' order. A sign that one condition lists
    as an emergency is printed only in the emergency tier."""
    signs = [sign for c in handout.condition_list for sign in c.snapshot["warning_signs"]]
    emergencies = {s["text"] for s in signs if s["urgency"] == "emergency"}
    found = dict.fromkeys(
        s["text"]
        for s in signs
        if s["urgency"] == urgency and (urgency == "emergency" or s["text"] not in emergencies)
    )
    return list(found)


def help_tiers(handout: Handout, clinic: ClinicProfile) -> list[HelpTier]:
    """ "When to get help", tiered: call the clinic, then emergency care. Both tiers are always
    there, with a general line when the articles list no signs for one. One box for the whole
    visit: the signs of all its conditions, each once, and the clinic's numbers once."""
    call_signs = warning_signs(handout, "call_clinic")
    emergency_signs = warning_signs(handout, "emergency")
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


def whom_to_call(clinic: ClinicProfile) -> list[HelpTier]:
    """The start of "When to get help" that the printed handout puts on page 1, before the
    plan: the clinic's numbers and the emergency number, without the signs. However long the
    plan and however large the print, a patient who reads only page 1 knows whom to call; the
    tiers with their signs follow the plan (help_tiers)."""
    values = {"phone": clinic.phone, "after_hours": clinic.after_hours_phone}
    if not clinic.phone:  # only on previews: issuing is refused while the clinic has none
        call = _("Call the clinic if you are worried about how you are healing.")
    elif clinic.after_hours_phone:
        call = _("Call the clinic on %(phone)s (after hours: %(after_hours)s).") % values
    else:
        call = _("Call the clinic on %(phone)s.") % values
    number = clinic.emergency_number
    emergency = _("In an emergency, call %(number)s.") % {"number": number}
    return [
        HelpTier("call_clinic", "phone", _("Call the clinic"), call, [], clinic.phone),
        HelpTier("emergency", "ambulance", _("Emergency"), emergency, [], number),
    ]


def aid_week_note(kind: Aid) -> str:
    """What a row of the week-by-week table says while a timed aid is in use."""
    return str(AID_WEEK_NOTES[kind])


def timeline_activity(handout: HandoutCondition) -> str:
    """What a rest week in the week-by-week table says: the same choices, in short. Aids are
    added by each row, for as long as each is used."""
    values = {"part": injured_part(handout)}
    match handout.plan_choices.load:
        case LegLoad.NONE:
            load = _("No weight on %(part)s.") % values
        case LegLoad.PARTIAL:
            load = _("Only some weight on %(part)s.") % values
        case LegLoad.AS_TOLERATED:
            load = _("Weight as your pain allows.")
        case LegLoad.FULL:
            load = _("Full weight is fine.")
        case ArmLoad.NONE:
            load = _("Do not use %(part)s.") % values
        case ArmLoad.LIGHT:
            load = _("Only light tasks with %(part)s.") % values
        case ArmLoad.AS_TOLERATED:
            load = _("Use %(part)s as your pain allows.") % values
        case ArmLoad.FULL:
            load = _("Normal use of %(part)s is fine.") % values
        case _none:
            load = ""
    return " ".join(part for part in [_("Rest: no sport, running or heavy lifting."), load] if part)


def ongoing_limits(handout: HandoutCondition) -> str:
    """The limits that hold until the care team lifts them (the load, with no set rest period,
    and the aids without an end date): page 1's own sentences, repeated on every row of the
    week-by-week table (which says "do what that row says") so that no row reads as if there
    were none."""
    choices = handout.plan_choices
    parts = []
    timed_by_rest = handout.last_rest_day is not None
    if not timed_by_rest and choices.load not in (None, LegLoad.FULL, ArmLoad.FULL):
        parts.append(load_sentence(handout))
    for aid in choices.aids:
        if aid.weeks is not None:
            continue  # in the rows of the weeks it is used
        parts.append(
            crutches_sentence(handout) if aid.kind == Aid.CRUTCHES else aid_sentence(handout, aid)
        )
    return " ".join(part for part in parts if part)
