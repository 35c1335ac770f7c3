"""English contradiction rules: what must not be printed beside each plan choice.

Patterns are regular expressions, matched without regard to case. Keep each one to words that
say the opposite of the choice (an instruction), not words that merely name the topic: "hold a
chair for balance" in an exercise is not "use crutches for balance".
"""

from education.plan_blocks import Site
from education.plan_rules.book import Part, Rule, RuleBook

BODY = r"(foot|leg|ankle|heel|knee|shin)"
ARM = r"(arm|hand|elbow|wrist|shoulder)"
NOT_FULL_WEIGHT = (
    r"keep (the )?weight off|do not put any weight|no weight on|only some (of your )?weight"
)
CANNOT_BEAR_WEIGHT = r"(no longer|cannot|can't|are unable to) (put|bear|take) (any )?weight"
STAND_ON_IT = rf"\bstand on (the|your) (injured|sore|hurt) {BODY}"
CRUTCHES_FOR_BALANCE = r"crutches[^.]{0,60}for balance"
ARM_NORMALLY = rf"use (it|your {ARM}|the {ARM}) (normally|as normal|as usual)"
ARM_NOT_AT_ALL = rf"(do not|don't) use (it|your {ARM}|the {ARM})\b(?! to)"
ARM_LIGHT_ONLY = r"nothing heavier than a cup|only light (daily )?tasks"
ARM_IN_SLING = rf"(keep|rest|wear) (your|the) {ARM} in (a|the|your) sling"
AS_PAIN_ALLOWS = r"as (much as )?(your )?pain allows"


def _use(aid: str) -> str:
    """Told to use an aid the patient was not given: "your / the" boot, not "a" boot."""
    return rf"\b(use|wear|keep on|put on|walk in) (your|the) {aid}\b"


def _not_needed(aid: str) -> str:
    return (
        rf"(do not|don't) need (a |an |the |your )?{aid}\b|no need for (a |an |the |your )?{aid}\b"
    )


RULES = (
    # Activity and rest.
    Rule(
        "keeping active, yet told to stay in bed",
        {"activity": ("active", "relative")},
        r"\b(stay|rest|remain) in bed\b|\bon bed rest\b"
        r"|\b(need|needs|take) (complete|total) rest\b",
    ),
    Rule(
        "staying active, yet told to stop all activity",
        {"activity": "active"},
        r"\bavoid all (activity|exercise|movement)\b|\b(do not|don't) move (it|your)\b",
    ),
    Rule(
        "rest from sport, yet told to carry on",
        {"activity": "rest"},
        r"\b(keep|carry on) (playing|doing|with) (your )?sports?\b|\bno need to rest\b"
        r"|\byou do not need to rest\b",
    ),
    Rule(
        "no rest, yet a rest period",
        {"rest": "none"},
        r"rest (the|your) [a-z ]+ for \d+ weeks?|rest for \d+ weeks?|rest: no sport",
    ),
    Rule(
        "rest chosen, yet told none is needed",
        {"rest": "set"},
        r"do not need a set period of rest",
    ),
    # Weight on a leg.
    Rule(
        "full weight, yet told to keep weight off",
        {"leg_load": "full"},
        NOT_FULL_WEIGHT + r"|" + AS_PAIN_ALLOWS + r"|no weight goes on|take some of your weight",
    ),
    Rule(
        "no weight, yet told weight is fine",
        {"leg_load": "none"},
        r"full weight|"
        + AS_PAIN_ALLOWS
        + r"|only some (of your )?weight|take some of your weight|"
        + "|".join([CRUTCHES_FOR_BALANCE, CANNOT_BEAR_WEIGHT, STAND_ON_IT]),
    ),
    Rule(
        "some weight, yet told all or none",
        {"leg_load": "partial"},
        r"full weight|do not put any weight|no weight on|no weight goes on|"
        + AS_PAIN_ALLOWS
        + "|"
        + CRUTCHES_FOR_BALANCE,
    ),
    Rule(
        "weight as pain allows, yet told otherwise",
        {"leg_load": "as_tolerated"},
        r"full weight|do not put any weight|no weight on|no weight goes on"
        r"|only some (of your )?weight|take some of your weight|" + CRUTCHES_FOR_BALANCE,
    ),
    # Use of an arm.
    Rule(
        "arm at rest, yet told to use it",
        {"arm_load": "none"},
        "|".join([ARM_NORMALLY, AS_PAIN_ALLOWS, ARM_LIGHT_ONLY, r"\byou can (lift|carry)\b"]),
    ),
    Rule(
        "light use of the arm, yet told otherwise",
        {"arm_load": "light"},
        "|".join([ARM_NORMALLY, AS_PAIN_ALLOWS, ARM_NOT_AT_ALL, ARM_IN_SLING])
        + r"|\byou can (lift|carry) heavy",
    ),
    Rule(
        "arm as pain allows, yet told otherwise",
        {"arm_load": "as_tolerated"},
        "|".join([ARM_NORMALLY, ARM_NOT_AT_ALL, ARM_LIGHT_ONLY, ARM_IN_SLING]),
    ),
    Rule(
        "normal use of the arm, yet told to rest it",
        {"arm_load": "full"},
        "|".join([ARM_NOT_AT_ALL, ARM_LIGHT_ONLY, ARM_IN_SLING, AS_PAIN_ALLOWS])
        + rf"|\brest (your|the) {ARM}\b",
    ),
    # Aids.
    Rule(
        "no crutches, yet told to use them",
        {"aid_absent": "crutches"},
        r"use (your )?crutches|crutches whenever",
    ),
    Rule(
        "crutches, yet told not to need them",
        {"aid_present": "crutches"},
        r"do not need crutches|without crutches",
    ),
    Rule(
        "no walking boot, yet told to use it",
        {"aid_absent": "walking_boot"},
        _use(r"(walking )?boot"),
    ),
    Rule(
        "walking boot, yet told not to need it",
        {"aid_present": "walking_boot"},
        _not_needed(r"(walking )?boot"),
    ),
    Rule("no brace, yet told to use it", {"aid_absent": "brace"}, _use("brace")),
    Rule("brace, yet told not to need it", {"aid_present": "brace"}, _not_needed("brace")),
    Rule("no splint, yet told to use it", {"aid_absent": "splint"}, _use("splint")),
    Rule("splint, yet told not to need it", {"aid_present": "splint"}, _not_needed("splint")),
    Rule(
        "no sling, yet told to use it",
        {"aid_absent": "sling"},
        _use(r"(arm )?sling") + "|" + ARM_IN_SLING,
    ),
    Rule("sling, yet told not to need it", {"aid_present": "sling"}, _not_needed("sling")),
    # Self-care. Advice the clinician left out is no contradiction; advice against their
    # choice is.
    Rule(
        "cold chosen, yet told to avoid it",
        {"self_care_present": "cold"},
        r"(do not|don't) (use|put) (ice|cold)|\bavoid (ice|cold packs?)\b|\bno (ice|cold packs?)\b",
    ),
    Rule(
        "heat chosen, yet told to avoid it",
        {"self_care_present": "heat"},
        r"(do not|don't) (use|put) (heat|a heat pack|a hot water bottle)"
        r"|\bavoid heat\b|\bno heat\b",
    ),
    Rule(
        "raising chosen, yet told not to",
        {"self_care_present": "raise"},
        rf"(do not|don't) raise (it|your|the)\b|keep (your|the) {BODY} down\b",
    ),
    # Physiotherapy.
    Rule(
        "no physiotherapy, yet sessions",
        {"physiotherapy": False},
        r"sessions start on|your physiotherapy sessions",
    ),
    Rule(
        "physiotherapy, yet told none is needed",
        {"physiotherapy": True},
        r"(do not|don't) need (any )?(physiotherapy|physio)\b|no (physiotherapy|physio) is needed",
    ),
    # Back to work, school and sport.
    Rule(
        "back when the care team says, yet a set time",
        {"back_to": "step"},
        r"\b(go|get|come) back to (work|school|sports?|training|running) (after|in|within) "
        r"(\d+|a few|two|three|four|six) (days?|weeks?|months?)"
        r"|\byou can (go back|return) to (work|school|sports?) (after|in) \d+",
    ),
    Rule(
        "back on a date, yet told to wait for the care team",
        {"back_to": "date"},
        r"\b(go|get|come) back to (work|school|sports?)[^.]{0,30}\bwhen your (care team|physio"
        r"|doctor) says",
    ),
    # Follow-up.
    Rule(
        "no follow-up, yet a follow-up date",
        {"follow_up": False},
        r"follow-up visit (is )?on",
    ),
    Rule(
        "a follow-up, yet told none is booked",
        {"follow_up": True},
        r"no follow-up visit is booked",
    ),
)

NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}

# The plan box's rows (handouts.plan.personal_plan): the first two start the rest item.
PLAN_ROWS = (
    "Rest",
    "Activity",
    "Weight on your leg",
    "Using your arm",
    "Crutches",
    "Walking boot",
    "Brace",
    "Splint",
    "Sling",
    "Care at home",
    "Physiotherapy",
    "Back to your activities",
    "Follow-up",
)

BOOK = RuleBook(
    language="en",
    rules=RULES,
    parts={
        # The plan box starts where its heading meets its first item (after its jump links).
        "plan": Part(tuple(f"Your plan {first}" for first in PLAN_ROWS), ("When to get help",)),
        # The first row: rest with a rest period, activity without (handouts.plan).
        "rest": Part(("Rest", "Activity"), PLAN_ROWS[2:], within="plan"),
    },
    site_words={
        Site.FOOT: r"foot|feet",
        Site.HEEL: r"heels?",
        Site.ANKLE: r"ankles?",
        Site.ACHILLES_TENDON: r"achilles|tendons?",
        Site.SHIN: r"shins?",
        Site.KNEE: r"knees?",
        Site.THIGH: r"thighs?",
        Site.HIP: r"hips?",
        Site.LOWER_BACK: r"lower back",
        Site.NECK: r"necks?",
        Site.SHOULDER: r"shoulders?",
        Site.ELBOW: r"elbows?",
        Site.FOREARM: r"forearms?",
        Site.WRIST: r"wrists?",
        Site.HAND: r"hands?",
    },
    other_body_parts=r"bones?|legs?|limbs?|arms?|toes?|fingers?",
    not_the_injured_part=r"weight on your leg|using your arm|on your feet",
    weeks=r"\b(\d+|" + "|".join(NUMBER_WORDS) + r") weeks?\b",
    number_words=NUMBER_WORDS,
)
