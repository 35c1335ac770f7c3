"""Plan blocks on the handout: each block the article offers prints the clinician's choice in
approved sentences, in English and Spanish, in the PDF and the reading view alike; a block the
article does not offer, or that the clinician left out, prints nothing.

The offers are the shipped content packs' (ankle sprain: a sided leg; tennis elbow: a sided
arm; low back pain: no load, no aids), set on a snapshot of the sample article."""

import datetime
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from education.models import Article
from education.plan_blocks import (
    Activity,
    PlanChoices,
    PlanOffer,
    SelfCare,
    SelfCareChoice,
    Side,
)
from education.snapshot import build_snapshot, plan_offer_of
from handouts.issuing import build_handout
from handouts.models import Handout
from handouts.pdf.render import handout_context, render_handout_pdf
from handouts.plan import personal_plan
from portal.models import ClinicProfile
from tests.handouts.helpers import between, each_choice
from tests.helpers import default_choices, pdf_text, shipped_language

pytestmark = pytest.mark.django_db

PACKS = Path(__file__).parents[2] / "education" / "content_packs"
VISIT = datetime.date(2027, 2, 2)
LANGUAGES = ["en", "es"]
PLAN_ENDS = {"en": ["When to get help"], "es": ["Cuándo pedir ayuda"]}
PLAN_STARTS = {"en": "Your plan", "es": "Su plan"}


def offer_of(pack: str, language: str = "en") -> PlanOffer:
    data = json.loads((PACKS / f"{pack}.json").read_text())
    return PlanOffer.from_json(data["articles"][language]["plan"])


@pytest.fixture
def articles(sample_article: Article) -> dict[str, Article]:
    shipped_language("bone-marrow-edema", "es")
    return {language: Article.objects.get(language=language) for language in LANGUAGES}


def handout_with(
    article: Article, clinician: User, offer: PlanOffer, choices: PlanChoices
) -> Handout:
    snapshot = build_snapshot(article) | {"plan": offer.to_json()}
    assert choices.problems(offer) == [], choices.problems(offer)
    return build_handout(
        article,
        default_choices(article, visit_date=VISIT, plan=choices.to_json(), clinician_note=""),
        issued_by=clinician,
        snapshot=snapshot,
    )


def reading_plan(handout: Handout, clinic: ClinicProfile) -> str:
    context = handout_context(handout, clinic) | {"for_web": True}
    with translation.override(handout.language):
        html = render_to_string("handouts/includes/handout_content.html", context)
    return plan_box(" ".join(strip_tags(html).split()), handout)


def plan_box(text: str, handout: Handout) -> str:
    """The "Your plan" box: its heading and first row's label (after the jump links that
    name it too), up to "When to get help"."""
    with translation.override(handout.language):
        lead = (
            f"{PLAN_STARTS[handout.language]} {personal_plan(handout.condition_list[0])[0].label}"
        )
    return between(text, lead, PLAN_ENDS[handout.language])


def sentences(handout: Handout) -> list[str]:
    with translation.override(handout.language):
        return [s for item in personal_plan(handout.condition_list[0]) for s in item.sentences]


def expected_problems(text: str, choices: PlanChoices, language: str) -> list[str]:
    """What the plan box must and must not say for these choices (English rules; Spanish is
    checked against the sentences themselves)."""
    found: list[str] = []
    if language != "en":
        return found
    lower = text.lower()
    checks = [
        (choices.activity != Activity.REST, r"\brest (your|both|the)\b|for \d+ weeks?, until"),
        (choices.activity == Activity.REST and choices.rest_weeks, None),
        (choices.activity != Activity.ACTIVE, r"keep moving"),
        (choices.activity != Activity.RELATIVE, r"keep up your daily activities, but"),
        (choices.load is None, r"\bweight\b|use (your|both) .* only|normally"),
        (not any(a.kind == "crutches" for a in choices.aids), r"use crutches"),
        (not any(a.kind == "brace" for a in choices.aids), r"wear the brace"),
        (not any(a.kind == "walking_boot" for a in choices.aids), r"walking boot"),
        (not any(s.kind == "cold" for s in choices.self_care), r"cold pack"),
        (not any(s.kind == "heat" for s in choices.self_care), r"warm \(not hot\)"),
        (not any(s.kind == "raise" for s in choices.self_care), r"above the level of your heart"),
        (choices.back_to is None, r"go back to"),
        (True, r"\bbone\b"),
    ]
    for applies, forbidden in checks:
        if applies and forbidden:
            match = re.search(forbidden, lower)
            if match:
                found.append(f"{forbidden!r} printed: {match.group(0)!r}")
    rest_weeks = choices.rest_weeks if choices.activity == Activity.REST else 0
    if rest_weeks and f"for {rest_weeks} week" not in lower:
        found.append(f"rest of {choices.rest_weeks} weeks not printed")
    return found


@pytest.mark.parametrize("pack", ["ankle-sprain", "tennis-elbow", "low-back-pain"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_offered_choice_prints_its_own_sentences_and_nothing_it_did_not_choose(
    articles: dict[str, Article], clinician: User, clinic: ClinicProfile, pack: str, language: str
) -> None:
    offer = offer_of(pack, language)
    failures = {}
    for name, choices in each_choice(offer):
        handout = handout_with(articles[language], clinician, offer, choices)
        text = reading_plan(handout, clinic)
        found = expected_problems(text, choices, language)
        found += [f"missing: {s!r}" for s in sentences(handout) if s not in text]
        if found:
            failures[name] = found
    assert failures == {}


@pytest.mark.parametrize("pack", ["ankle-sprain", "tennis-elbow", "low-back-pain"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_prints_the_same_plan_sentences_as_the_reading_view(
    articles: dict[str, Article], clinician: User, clinic: ClinicProfile, pack: str, language: str
) -> None:
    offer = offer_of(pack, language)
    choices = PlanChoices.defaults(offer, VISIT)
    if offer.site and offer.site.sided:
        choices = replace(choices, side=Side.LEFT)
    handout = handout_with(articles[language], clinician, offer, choices)
    text = pdf_text(render_handout_pdf(handout, clinic))
    for sentence in sentences(handout):
        assert " ".join(sentence.split()) in text


@pytest.mark.parametrize(
    ("side", "english", "spanish"),
    [
        (None, "your ankle", "su tobillo"),
        (Side.LEFT, "your left ankle", "su tobillo izquierdo"),
        (Side.RIGHT, "your right ankle", "su tobillo derecho"),
        (Side.BOTH, "both ankles", "ambos tobillos"),
    ],
)
def test_the_plan_names_the_patients_site_and_side(
    articles: dict[str, Article],
    clinician: User,
    clinic: ClinicProfile,
    side: Side | None,
    english: str,
    spanish: str,
) -> None:
    for language, phrase in (("en", english), ("es", spanish)):
        offer = offer_of("ankle-sprain", language)
        choices = replace(PlanChoices.defaults(offer, VISIT), side=side)
        text = reading_plan(handout_with(articles[language], clinician, offer, choices), clinic)
        assert phrase in text
        if side is None:
            assert "left" not in text and "izquierd" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_back_plan_never_says_rest_weight_or_crutch_in_the_pdf_or_the_reading_view(
    articles: dict[str, Article], clinician: User, clinic: ClinicProfile, language: str
) -> None:
    offer = offer_of("low-back-pain", language)
    forbidden = {"en": r"\brest|weight|crutch", "es": r"reposo|descans|peso\b|muleta"}[language]
    for name, choices in each_choice(offer):
        handout = handout_with(articles[language], clinician, offer, choices)
        assert not re.search(forbidden, reading_plan(handout, clinic), re.IGNORECASE), name
    handout = handout_with(articles[language], clinician, offer, PlanChoices.defaults(offer, VISIT))
    printed = plan_box(pdf_text(render_handout_pdf(handout, clinic)), handout)
    assert not re.search(forbidden, printed, re.IGNORECASE)


def test_an_ankle_plan_never_names_a_bone(
    articles: dict[str, Article], clinician: User, clinic: ClinicProfile
) -> None:
    offer = offer_of("ankle-sprain")
    for name, choices in each_choice(offer):
        text = reading_plan(handout_with(articles["en"], clinician, offer, choices), clinic)
        assert not re.search(r"\bbones?\b", text, re.IGNORECASE), name


def test_cold_and_heat_say_how_often_how_long_and_how_to_stay_safe(
    articles: dict[str, Article], clinician: User
) -> None:
    offer = offer_of("low-back-pain")
    choices = replace(
        PlanChoices.defaults(offer, VISIT),
        self_care=(
            SelfCareChoice(SelfCare.HEAT, 3, 20, 14),
            SelfCareChoice(SelfCare.COLD, 1, 15, 2),
        ),
    )
    printed = sentences(handout_with(articles["en"], clinician, offer, choices))
    assert (
        "Put a warm (not hot) pack on your lower back 3 times a day, for 20 minutes each time, "
        "for the next 14 days. Wrap it in a towel, and do not sleep with it on."
    ) in printed
    assert (
        "Put a cold pack on your lower back once a day, for 15 minutes each time, for the next "
        "2 days. Wrap it in a towel: never put ice straight on your skin."
    ) in printed


def test_a_snapshot_without_a_plan_offers_what_its_rest_guidance_did(
    sample_article: Article,
) -> None:
    snapshot = build_snapshot(sample_article)
    offer = plan_offer_of(snapshot)
    assert offer.activity and offer.activity.offered == (Activity.REST, Activity.RELATIVE)
    assert offer.physiotherapy is not None
    assert plan_offer_of(snapshot | {"plan": offer_of("low-back-pain").to_json()}).load is None
