"""Teach-back questions about the patient's own plan, made from the clinician's typed choices.

Like the plan's sentences (handouts.plan), every question and every option is an approved
template filled with typed values and translated through the catalogs; the right answer is
what the clinician chose (their date, their load), never a fixed one. A block the clinician
did not choose asks nothing. Each template points to the row of the plan that answers it.

Distractors (the wrong options) are plausible but never dangerous: a patient who picks one is
told it is not right and shown their plan, so a wrong option must never be something that is
in fact a reason to get help (that would teach ignoring a red flag), nor a date or value that
the plan gives for something else. The rule of each template:

- rest_question: other dates (the rest ending sooner or later) that are no other date of the
  plan, and "until the pain stops", which teaches not to stop resting by pain alone.
- load_question: the other loads of the same limb, as the builder offers them; a load is an
  instruction, never a sign of trouble.
- aid_question: other dates that are no other date of the plan (or, for an aid kept until the
  care team says, "until the pain stops" and "for the first day only"): both end the aid too
  soon, so the page teaches to keep it.
- follow_up_question: the week before and the week after the visit (no other date of the
  plan), and "there is none", which teaches that there is one.
- emergency_question: the right option is the first emergency sign "When to get help" prints
  (in a packet, the visit's merged signs; ConditionContent.emergency_signs);
  the wrong ones are signs of getting better (EMERGENCY_DISTRACTORS), never a symptom, so no
  warning sign of any tier can ever be offered as "not a reason to get help".

Call these inside `translation.override(content.language)`.
"""

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from education.plan_blocks import Activity, Aid, AidChoice, ArmLoad, LegLoad
from handouts.plan import PLAN_ROWS, aid_row, aid_until, part_named
from handouts.questions import ConditionContent, Option, Question, make_question
from portal.dates import long_date

# At most this many questions about the plan per condition; the article's own fill the rest.
MAX_PLAN_QUESTIONS = 2

LEG_LOAD_ANSWERS = {
    LegLoad.NONE: gettext_lazy("No weight at all"),
    LegLoad.PARTIAL: gettext_lazy("Only some of your weight"),
    LegLoad.AS_TOLERATED: gettext_lazy("As much weight as your pain allows"),
    LegLoad.FULL: gettext_lazy("Your full weight"),
}
ARM_LOAD_ANSWERS = {
    ArmLoad.NONE: gettext_lazy("Do not use it at all"),
    ArmLoad.LIGHT: gettext_lazy("Only for light tasks: nothing heavier than a cup"),
    ArmLoad.AS_TOLERATED: gettext_lazy("As much as your pain allows"),
    ArmLoad.FULL: gettext_lazy("Normally"),
}
# Signs of getting better: never a reason to get help, whatever the condition.
EMERGENCY_DISTRACTORS = [
    gettext_lazy("Your pain is a little less each day."),
    gettext_lazy("You can do a little more each day than the day before."),
]
UNTIL_PAIN_STOPS = gettext_lazy("Until the pain stops")
AID_QUESTIONS = {
    Aid.CRUTCHES: gettext_lazy("Until when do you use the crutches?"),
    Aid.WALKING_BOOT: gettext_lazy("Until when do you wear the walking boot?"),
    Aid.BRACE: gettext_lazy("Until when do you wear the brace?"),
    Aid.SPLINT: gettext_lazy("Until when do you wear the splint?"),
    Aid.SLING: gettext_lazy("Until when do you wear the sling?"),
}


def plan_dates(content: ConditionContent) -> set[datetime.date]:
    """Every date the plan prints: no distractor may be one of them."""
    choices = content.choices
    dates = {content.visit_date}
    for day in (
        choices.rest_until(content.visit_date),
        content.follow_up_date,
        choices.physio_start,
        choices.back_to.date if choices.back_to else None,
        *(aid_until(aid, content.visit_date) for aid in choices.aids),
    ):
        if day is not None:
            dates.add(day)
    return dates


def other_dates(right: datetime.date, content: ConditionContent, count: int = 2) -> list[str]:
    """`count` dates a week or more before and after `right`, none a date of the plan."""
    taken = plan_dates(content) | {right}
    found: list[str] = []
    for weeks in (1, -1, 2, -2, 3, 4):
        day = right + datetime.timedelta(weeks=weeks)
        if day not in taken and day > content.visit_date and len(found) < count:
            found.append(long_date(day))
    return found


def rest_question(content: ConditionContent) -> Question | None:
    last_day = content.choices.rest_until(content.visit_date)
    if content.choices.activity != Activity.REST or last_day is None:
        return None
    return make_question(
        "plan-rest",
        _("Until when should you rest from sport, running and heavy lifting?"),
        [
            Option(_("Until %(date)s") % {"date": long_date(last_day)}, right=True),
            *(
                Option(_("Until %(date)s") % {"date": d}, right=False)
                for d in other_dates(last_day, content)
            ),
            Option(str(UNTIL_PAIN_STOPS), right=False),
        ][:4],
        PLAN_ROWS["activity"],
    )


def load_question(content: ConditionContent) -> Question | None:
    load = content.choices.load
    if load is None:
        return None
    values = {"part": part_named(content.choices, content.snapshot)}
    last_day = content.choices.rest_until(content.visit_date)
    if isinstance(load, LegLoad):
        answers: dict = LEG_LOAD_ANSWERS
        text = (
            _("Until %(date)s, how much weight can you put on %(part)s?")
            if last_day
            else _("How much weight can you put on %(part)s?")
        )
    else:
        answers = ARM_LOAD_ANSWERS
        text = (
            _("Until %(date)s, how much can you use %(part)s?")
            if last_day
            else _("How much can you use %(part)s?")
        )
    if last_day:
        values["date"] = long_date(last_day)
    return make_question(
        "plan-load",
        text % values,
        [Option(str(answer), right=kind == load) for kind, answer in answers.items()],
        PLAN_ROWS["activity"],
    )


def aid_question(content: ConditionContent) -> Question | None:
    """About the first aid chosen, crutches first (the plan's order)."""
    aids = sorted(content.choices.aids, key=lambda aid: aid.kind != Aid.CRUTCHES)
    if not aids:
        return None
    aid: AidChoice = aids[0]
    text = str(AID_QUESTIONS[aid.kind])
    last_day = aid_until(aid, content.visit_date)
    if last_day is None:
        options = [
            Option(_("Until your care team says you can stop"), right=True),
            Option(str(UNTIL_PAIN_STOPS), right=False),
            Option(_("For the first day only"), right=False),
        ]
    else:
        options = [
            Option(_("Until %(date)s") % {"date": long_date(last_day)}, right=True),
            *(
                Option(_("Until %(date)s") % {"date": d}, right=False)
                for d in other_dates(last_day, content)
            ),
            Option(str(UNTIL_PAIN_STOPS), right=False),
        ][:4]
    return make_question(f"plan-aid-{aid.kind.value}", text, options, aid_row(aid.kind))


def follow_up_question(content: ConditionContent) -> Question | None:
    follow_up = content.follow_up_date
    if follow_up is None:
        return None
    return make_question(
        "plan-follow-up",
        _("When is your follow-up visit?"),
        [
            Option(long_date(follow_up), right=True),
            *(Option(d, right=False) for d in other_dates(follow_up, content)),
            Option(_("There is none: I only call if I am not getting better"), right=False),
        ][:4],
        PLAN_ROWS["follow_up"],
    )


def emergency_question(content: ConditionContent) -> Question | None:
    signs = content.emergency_signs
    if signs is None:
        signs = tuple(
            s["text"] for s in content.snapshot["warning_signs"] if s["urgency"] == "emergency"
        )
    if not signs:
        return None
    return make_question(
        "plan-emergency",
        _("Which of these means you should call %(number)s or go to the emergency room now?")
        % {"number": content.emergency_number},
        [
            Option(signs[0], right=True),
            *(Option(str(text), right=False) for text in EMERGENCY_DISTRACTORS),
        ],
        "get-help",
    )


# In the plan's order, which is the order they are asked in.
TEMPLATES: list[Callable[[ConditionContent], Question | None]] = [
    rest_question,
    load_question,
    aid_question,
    follow_up_question,
    emergency_question,
]
# Which are kept when there are more than MAX_PLAN_QUESTIONS: getting help first.
PRIORITY = [emergency_question, rest_question, load_question, aid_question, follow_up_question]


def plan_questions(content: ConditionContent, *, ask_about_help: bool = True) -> list[Question]:
    """At most MAX_PLAN_QUESTIONS questions about the blocks the clinician chose, in the plan's
    order. `ask_about_help`: False when the article asks its own about the warning signs."""
    made = {
        template: question
        for template in TEMPLATES
        if (ask_about_help or template is not emergency_question)
        and (question := template(content)) is not None
    }
    kept = [template for template in PRIORITY if template in made][:MAX_PLAN_QUESTIONS]
    return [made[template] for template in TEMPLATES if template in kept]
