"""The contradiction rules (education.plan_rules) catch what a composed handout must never
print: a contradiction planted in a real handout's text is found for every plan block, in
English and Spanish, and an editor's warning sign that contradicts the plan is found in the
PDF and the reading view of the handout it reaches."""

import dataclasses
from typing import Any

import pytest
from django.contrib.auth.models import User

from education.models import Article, WarningSign
from education.plan_blocks import (
    Activity,
    Aid,
    AidChoice,
    ArmLoad,
    BackToChoice,
    BackToWhen,
    PlanChoices,
    SelfCare,
    SelfCareChoice,
    Site,
)
from education.plan_rules import BOOKS, conflicts
from education.workflow import start_draft
from handouts.pdf.render import render_handout_pdf
from portal.models import ClinicProfile
from tests.handouts.helpers import Choices, contradictions, handout_for, reading_view_text
from tests.helpers import pdf_text, shipped_language

# The handout every case starts from: no set rest, full weight, no crutches, a follow-up,
# the sample's therapies. Its text contradicts none of the cases' choices until one sentence
# is planted in it.
BASE = Choices("full", False, 0, True)

# (block, the choices changed from BASE's, where the sentence goes, English, Spanish, rule)
CASES: list[tuple[str, dict[str, Any], str, str, str, str]] = [
    (
        "activity",
        {"activity": Activity.ACTIVE},
        "background",
        "Stay in bed for two days.",
        "Quédese en la cama dos días.",
        "keeping active, yet told to stay in bed",
    ),
    (
        "rest",
        {},
        "background",
        "Rest the injured part for 2 weeks.",
        "Deje en reposo la parte lesionada durante 2 semanas.",
        "no rest, yet a rest period",
    ),
    (
        "leg load",
        {},
        "background",
        "Keep weight off your foot.",
        "No apoye el pie.",
        "full weight, yet told to keep weight off",
    ),
    (
        "arm load",
        {"load": ArmLoad.NONE},
        "background",
        "Use your arm normally.",
        "Use el brazo con normalidad.",
        "arm at rest, yet told to use it",
    ),
    (
        "aids",
        {},
        "background",
        "Wear your brace when you walk.",
        "Lleve su tobillera cuando camine.",
        "no brace, yet told to use it",
    ),
    (
        "aids",
        {"aids": (AidChoice(Aid.SLING, None),)},
        "background",
        "You do not need a sling.",
        "No necesita un cabestrillo.",
        "sling, yet told not to need it",
    ),
    (
        "self-care",
        {"self_care": (SelfCareChoice(SelfCare.HEAT, 3, 15, 7),)},
        "background",
        "Do not use heat.",
        "No use calor.",
        "heat chosen, yet told to avoid it",
    ),
    (
        "physiotherapy",
        {},
        "background",
        "You do not need physiotherapy.",
        "No necesita fisioterapia.",
        "physiotherapy, yet told none is needed",
    ),
    (
        "back to",
        {"back_to": BackToChoice(BackToWhen.STEP)},
        "background",
        "You can go back to sport after 6 weeks.",
        "Puede volver al deporte después de 6 semanas.",
        "back when the care team says, yet a set time",
    ),
    (
        "follow-up",
        {},
        "background",
        "No follow-up visit is booked.",
        "No tiene una cita de control.",
        "a follow-up, yet told none is booked",
    ),
    (
        "site",
        {"site": Site.ANKLE},
        "plan",
        "Rest your knee.",
        "Deje la rodilla en reposo.",
        "a body part the article did not name",
    ),
]


def spanish_sample() -> Article:
    return shipped_language("bone-marrow-edema", "es")


def planted(text: str, language: str, where: str, sentence: str) -> str:
    """The text with the sentence in the plan box (after its first words) or at its end."""
    if where == "plan":
        lead = next(lead for lead in BOOKS[language].parts["plan"].starts if lead in text)
        return text.replace(lead, f"{lead} {sentence}", 1)
    return f"{text} {sentence}"


@pytest.fixture
def base_texts(sample_article: Article, clinician: User, clinic: ClinicProfile) -> dict[str, str]:
    return {
        article.language: reading_view_text(handout_for(article, clinician, BASE), clinic)
        for article in [sample_article, spanish_sample()]
    }


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("block", "changes", "where", "english", "spanish", "rule"),
    CASES,
    ids=[f"{case[0]}: {case[5]}" for case in CASES],
)
def test_a_contradiction_planted_in_a_handout_is_caught_for_every_block(
    base_texts: dict[str, str],
    language: str,
    block: str,
    changes: dict[str, Any],
    where: str,
    english: str,
    spanish: str,
    rule: str,
) -> None:
    choices: PlanChoices = dataclasses.replace(BASE.plan(), **changes)
    text = base_texts[language]
    assert conflicts(text, language, choices, follow_up=True) == [], "the handout agrees"
    sentence = english if language == "en" else spanish
    found = conflicts(planted(text, language, where, sentence), language, choices, follow_up=True)
    assert [conflict.rule for conflict in found] == [rule]
    assert found[0].found.lower() in sentence.lower()


def test_every_block_has_a_planted_case() -> None:
    assert {case[0] for case in CASES} >= {
        "activity",
        "rest",
        "leg load",
        "arm load",
        "aids",
        "self-care",
        "physiotherapy",
        "back to",
        "follow-up",
        "site",
    }


@pytest.mark.parametrize(
    ("language", "sign"),
    [
        ("en", "You cannot put any weight on your foot."),
        ("es", "Ya no puede apoyar nada de peso en el pie."),
    ],
)
def test_an_editors_sign_against_a_no_weight_plan_is_found_in_the_pdf_and_the_reading_view(
    sample_article: Article,
    editor: User,
    clinician: User,
    clinic: ClinicProfile,
    language: str,
    sign: str,
) -> None:
    """The issue's own case: an emergency sign "you cannot put any weight on your foot"
    printed beside a plan of no weight at all (a draft's, as its preview prints it)."""
    article = start_draft(sample_article if language == "en" else spanish_sample(), editor)
    WarningSign.objects.create(article=article, text=sign, urgency="emergency", position=99)
    no_weight = Choices("none", True, 3, True)
    handout = handout_for(article, clinician, no_weight)
    for text in [
        reading_view_text(handout, clinic),
        pdf_text(render_handout_pdf(handout, clinic)),
    ]:
        assert "no weight, yet told weight is fine" in " ".join(
            contradictions(text, language, no_weight)
        )
