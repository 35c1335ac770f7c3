"""Teach-back: "Check what you know" after reading, a loop and not a test.

Each condition of a visit is asked 2 to 5 questions (as many as its content allows): at most
MAX_PLAN_QUESTIONS about the patient's own plan (handouts.plan_questions), then the article's
own check questions (written and reviewed with the article, frozen in its snapshot) that the
handout answers, up to MAX_CHECK_QUESTIONS in all. A wrong answer shows the part of the handout
that answers it, and the patient tries again. Answers are graded here, on the server: pages get
only the questions and their options (Question.shown), never which is right.

Each answer is a visit event (HandoutEvent.Kind.ANSWERED), with what was chosen kept apart in
CheckAnswer; the patient's own words (OwnWords) are patient data, removed by retention. Nothing
about an answer is logged.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education.models import MAX_CHECK_QUESTIONS
from handouts.events import record_event
from handouts.models import (
    CheckAnswer,
    Handout,
    HandoutCondition,
    HandoutEvent,
    OwnWords,
    ShareLink,
)
from handouts.plan import PlanItem, personal_plan, therapy_line, warning_signs
from handouts.plan_questions import plan_questions
from handouts.questions import (
    CONDITION_SEPARATOR,
    ConditionContent,
    Option,
    Question,
    make_question,
)
from portal.models import ClinicProfile

# Where the handout answers a question about one of the article's parts (its anchor).
HELP_ANCHOR = "get-help"
TOPIC_ANCHORS = {
    "warning_signs": HELP_ANCHOR,
    "prevention_tips": "prevention",
    "therapies": "physiotherapy",
}
# A patient who got a question wrong this many times, and not right since, is worth a call.
CALL_AFTER_WRONG = 2


def section_anchor(key: str) -> str:
    return f"section-{key}"


# --- The questions ---------------------------------------------------------------------------


def article_questions(content: ConditionContent) -> list[Question]:
    """The article's own questions whose answer the handout prints, in the article's order."""
    questions = []
    for question in content.snapshot.get("check_questions", []):
        anchor = _anchor_of(question, content.snapshot["sections"])
        if anchor is None or anchor not in content.shown:
            continue
        questions.append(
            make_question(
                f"article-{question['key']}",
                question["text"],
                [Option(o["text"], right=o["correct"]) for o in question["options"]],
                anchor,
                multiple=question["kind"] == "multiple",
            )
        )
    return questions


def _anchor_of(question: Mapping[str, Any], sections: list[dict]) -> str | None:
    """The part of the handout a question is about. Snapshots made before teach-back do not
    tie questions to sections: there, the one section of the kind it names, if any."""
    if question["about"] in TOPIC_ANCHORS:
        return TOPIC_ANCHORS[question["about"]]
    key = question.get("section_key")
    if key is None:
        kind = question["about"].replace("-", "_")
        matching = [section["key"] for section in sections if section["kind"] == kind]
        key = matching[0] if len(matching) == 1 else None
    return section_anchor(key) if key else None


def condition_questions(
    content: ConditionContent, *, ask_about_help: bool = True
) -> list[Question]:
    """One condition's questions: the plan's first, then the article's, 5 at most. The plan
    asks about getting help only when the article does not (nor, in a packet, an earlier
    condition: the visit has one "When to get help")."""
    article = article_questions(content)
    plan = plan_questions(
        content, ask_about_help=ask_about_help and all(q.anchor != HELP_ANCHOR for q in article)
    )
    return plan + article[: MAX_CHECK_QUESTIONS - len(plan)]


def shown_anchors(condition: HandoutCondition, plan: Iterable[PlanItem]) -> frozenset[str]:
    """The parts of the handout that a condition's questions may point to: its plan's rows,
    "When to get help", the chosen therapies and tips, the background sections printed."""
    anchors = {item.key for item in plan if item.key} | {HELP_ANCHOR}
    if condition.chosen_therapies():
        anchors.add(TOPIC_ANCHORS["therapies"])
    if condition.chosen_prevention_tips():
        anchors.add(TOPIC_ANCHORS["prevention_tips"])
    anchors |= {section_anchor(section["key"]) for section in condition.background_sections()}
    return frozenset(anchors)


def for_condition(question: Question, condition: HandoutCondition) -> Question:
    """A condition's question as the handout asks it: a packet's later conditions' keys are
    numbered and their anchors are the condition's own (the one "When to get help" is the
    visit's); the first condition's are a one-condition handout's, so nothing changes."""
    number = f"{condition.position + 1}{CONDITION_SEPARATOR}" if condition.position else ""
    the_visits = question.anchor == HELP_ANCHOR
    anchor = question.anchor if the_visits else question.anchor + condition.anchor
    return dataclasses.replace(
        question, key=number + question.key, anchor=anchor, condition=condition.name
    )


def handout_questions(
    handout: Handout, clinic: ClinicProfile, plans: list[list[PlanItem]] | None = None
) -> list[Question]:
    """The handout's questions in its language, condition by condition. `plans`: each
    condition's plan rows, if already made."""
    with translation.override(handout.language):
        emergency_signs = tuple(warning_signs(handout, "emergency"))
        questions = []
        for condition in handout.condition_list:
            plan = plans[condition.position] if plans is not None else personal_plan(condition)
            content = ConditionContent(
                snapshot=condition.snapshot,
                choices=condition.plan_choices,
                visit_date=handout.visit_date,
                language=handout.language,
                follow_up_date=condition.follow_up_date,
                shown=shown_anchors(condition, plan),
                emergency_number=clinic.emergency_number,
                emergency_signs=emergency_signs,
            )
            questions += [
                for_condition(question, condition)
                for question in condition_questions(content, ask_about_help=condition.position == 0)
            ]
        return questions


@dataclass(frozen=True)
class QuestionGroup:
    """A condition's questions, as the printed box and the check page list them."""

    name: str
    start: int  # the number of its first question
    questions: list[Any]


def grouped(questions: Iterable[Any], condition_of: Callable[[Any], str]) -> list[QuestionGroup]:
    """Questions (or what is shown of them) under the condition they are about, in order."""
    groups: list[QuestionGroup] = []
    for number, question in enumerate(questions, start=1):
        name = condition_of(question)
        if not groups or groups[-1].name != name:
            groups.append(QuestionGroup(name, number, []))
        groups[-1].questions.append(question)
    return groups


# --- The part of the handout that answers a question ----------------------------------------


@dataclass(frozen=True)
class Passage:
    """What a wrong answer shows: the part of the handout that answers the question."""

    heading: str
    lines: list[str]
    html: str = ""  # a section's body, sanitized when it was saved


def passages(context: Mapping[str, Any]) -> dict[str, Passage]:
    """Each part of the handout a question may point to, by anchor, from the context the
    reading view is drawn from (handouts.pdf.render.handout_context), so it reads the same:
    every condition's parts, and the visit's "When to get help". Build inside
    `translation.override(handout.language)`."""
    found = {
        HELP_ANCHOR: Passage(
            _("When to get help"),
            [line for tier in context["help_tiers"] for line in (tier.lead, *tier.signs)],
        )
    }
    for part in context["parts"]:
        found |= {key + part["anchor"]: passage for key, passage in _part_passages(part).items()}
    return found


def _part_passages(part: Mapping[str, Any]) -> dict[str, Passage]:
    found = {
        item.key: Passage(item.label, [*item.sentences, *item.details])
        for item in part["plan"]
        if item.key
    }
    if part["therapies"]:
        found[TOPIC_ANCHORS["therapies"]] = Passage(
            _("Your physiotherapy"),
            [f"{therapy_line(t)} {t['instructions']}" for t in part["therapies"]],
        )
    if part["prevention_tips"]:
        found[TOPIC_ANCHORS["prevention_tips"]] = Passage(
            _("Help stop it coming back"), [tip["text"] for tip in part["prevention_tips"]]
        )
    for section in part["background_sections"]:
        found[section_anchor(section["key"])] = Passage(
            section["heading"], [], section["body_html"]
        )
    return found


# --- Answers ---------------------------------------------------------------------------------


def record_answer(
    handout: Handout,
    question: Question,
    chosen: Iterable[int],
    *,
    asked: int,
    share_link: ShareLink | None,
    device: str,
) -> bool:
    """Grade an answer and record it (an event, and what was chosen); returns whether it was
    right. `asked`: how many questions the handout asks."""
    picked = sorted(set(chosen))
    right = question.is_right(picked)
    with transaction.atomic():
        event = record_event(
            handout, HandoutEvent.Kind.ANSWERED, share_link=share_link, device=device
        )
        CheckAnswer.objects.create(
            event=event,
            handout=handout,
            question_key=question.key,
            chosen=picked,
            right=right,
            asked=asked,
        )
    return right


def save_own_words(
    handout: Handout, text: str, *, share_link: ShareLink | None, device: str
) -> None:
    """Keep the patient's own words (the latest replace any earlier), recording that they
    wrote some but not what."""
    with transaction.atomic():
        OwnWords.objects.update_or_create(
            handout=handout, defaults={"text": text, "written_at": timezone.now()}
        )
        record_event(handout, HandoutEvent.Kind.OWN_WORDS, share_link=share_link, device=device)


class Understood(StrEnum):
    FIRST_TRY = "first_try"
    AFTER_REREADING = "after_rereading"
    NOT_YET = "not_yet"  # answered, never right yet
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Result:
    question: Question
    understood: Understood
    attempts: int  # answers given until the first right one (all of them if none was)

    @property
    def needs_a_call(self) -> bool:
        return self.understood == Understood.NOT_YET and self.attempts >= CALL_AFTER_WRONG


def results(handout: Handout, questions: list[Question]) -> list[Result]:
    """How each question went, from the answers recorded."""
    answers: dict[str, list[bool]] = defaultdict(list)
    for key, right in handout.check_answers.values_list("question_key", "right"):
        answers[key].append(right)
    found = []
    for question in questions:
        given = answers.get(question.key, [])
        if not given:
            found.append(Result(question, Understood.UNANSWERED, 0))
        elif True in given:
            attempts = given.index(True) + 1
            understood = Understood.FIRST_TRY if attempts == 1 else Understood.AFTER_REREADING
            found.append(Result(question, understood, attempts))
        else:
            found.append(Result(question, Understood.NOT_YET, len(given)))
    return found


def describe_result(result: Result) -> str:
    """How a question went, for staff: "Understood after re-reading (3 attempts)"."""
    match result.understood:
        case Understood.FIRST_TRY:
            return _("Understood on the first try")
        case Understood.AFTER_REREADING:
            return ngettext(
                "Understood after re-reading (%(attempts)d attempt)",
                "Understood after re-reading (%(attempts)d attempts)",
                result.attempts,
            ) % {"attempts": result.attempts}
        case Understood.NOT_YET:
            return ngettext(
                "Not understood yet (%(attempts)d attempt)",
                "Not understood yet (%(attempts)d attempts)",
                result.attempts,
            ) % {"attempts": result.attempts}
    return _("Not answered yet")


@dataclass(frozen=True)
class TeachBack:
    """What the handout's page shows of teach-back: each question and how it went."""

    results: list[Result]
    own_words: "OwnWords | None"
    language: str

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "text": result.question.text,
                "condition": result.question.condition,
                "understood": result.understood.value,
                "status": describe_result(result),
                "needs_a_call": result.needs_a_call,
            }
            for result in self.results
        ]

    @property
    def groups(self) -> list[QuestionGroup]:
        return grouped(self.rows, lambda row: row["condition"])

    @property
    def packet(self) -> bool:
        return len(self.groups) > 1


def teach_back_of(handout: Handout, clinic: ClinicProfile) -> TeachBack:
    return TeachBack(
        results(handout, handout_questions(handout, clinic)),
        own_words_of(handout),
        handout.language,
    )


def own_words_of(handout: Handout) -> OwnWords | None:
    return OwnWords.objects.filter(handout=handout).first()


# --- Whom to call ----------------------------------------------------------------------------


def handouts_to_call(now: datetime.datetime, days: int) -> "models.QuerySet[Handout]":
    """Handouts whose patient got a question wrong CALL_AFTER_WRONG times and not right since,
    or who has a working link but has answered nothing `days` after the handout was issued.
    Purged handouts are left out (no one to call)."""
    stuck = (
        CheckAnswer.objects.filter(handout=models.OuterRef("pk"))
        .order_by()
        .values("question_key")
        .annotate(
            wrong=models.Count("pk", filter=models.Q(right=False)),
            rights=models.Count("pk", filter=models.Q(right=True)),
        )
        .filter(wrong__gte=CALL_AFTER_WRONG, rights=0)
    )
    open_link = ShareLink.objects.filter(
        handout=models.OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=now
    )
    answered = CheckAnswer.objects.filter(handout=models.OuterRef("pk"))
    unanswered = models.Q(
        models.Exists(open_link),
        ~models.Exists(answered),
        issued_at__lt=now - datetime.timedelta(days=days),
    )
    return (
        Handout.objects.for_lists()
        .filter(purged_at__isnull=True)
        .annotate(stuck=models.Exists(stuck))
        .filter(models.Q(stuck=True) | unanswered)
        .order_by("issued_at")
    )
