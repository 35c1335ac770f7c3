"""Every shipped article, in each of its languages, against every choice its plan offers, one
block at a time (tests.handouts.helpers.each_choice): the handout composed with that choice
prints its own plan sentences, and the contradiction rules (education.plan_rules) find nothing
in it but the parts a reviewer published with a reason, which the clinician leaves out for that
choice (tests.helpers.REVIEWED_CONFLICTS). Every combination is checked in the reading view's
text; one handout per article (its defaults) is also rendered as a PDF."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext

from education.models import Article
from education.packs import SHIPPED_DIR, load_shipped
from education.plan_blocks import PlanChoices, PlanOffer, Side
from education.plan_rules import Conflict, conflicts
from education.snapshot import build_snapshot, plan_offer_of
from handouts.forms import default_choices
from handouts.issuing import build_handout
from handouts.models import Handout, HandoutCondition
from handouts.pdf.render import render_handout_pdf
from handouts.plan import personal_plan
from portal.models import ClinicProfile
from tests.handouts.helpers import FOLLOW_UP, VISIT, each_choice, reading_view_text
from tests.helpers import REVIEWED_CONFLICTS, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]

PACKS = sorted(Path(SHIPPED_DIR).glob("*.json"))
LANGUAGES = ["en", "es"]


def reviewed_texts(pack: Path, language: str) -> list[tuple[str, str]]:
    """(rule, text) of each part the pack publishes with a reviewer's reason."""
    article = json.loads(pack.read_text())["articles"][language]
    texts = {t["key"]: t["instructions"] for t in article["therapies"]}
    texts |= {t["key"]: t["text"] for t in article["prevention_tips"]}
    return [(rule, texts[key]) for rule, key in REVIEWED_CONFLICTS.get(pack.stem, [])]


def unreviewed(found: list[Conflict], reviewed: list[tuple[str, str]]) -> list[str]:
    """The conflicts not explained by a reviewed part: its rule, in that part's words."""
    return [
        f"{conflict.rule}: {conflict.found!r} in {conflict.text!r}"
        for conflict in found
        if not any(
            conflict.rule == rule and conflict.found.casefold() in text.casefold()
            for rule, text in reviewed
        )
    ]


def handout_with(article: Article, clinician: User, choices: PlanChoices) -> Handout:
    """The builder's defaults for the article (every therapy, the default tips and sections),
    a follow-up, and these plan choices; unsaved, as the builder's preview makes it."""
    snapshot = build_snapshot(article)
    assert choices.problems(plan_offer_of(snapshot)) == []
    personal = default_choices(snapshot, ClinicProfile(), patient_name="Ana Demo") | {
        "visit_date": VISIT,
        "follow_up_date": FOLLOW_UP,
        "plan": choices.to_json(),
    }
    return build_handout(article, personal, issued_by=clinician, snapshot=snapshot)


def plan_sentences(condition: HandoutCondition) -> list[str]:
    with translation.override(condition.language):
        return [" ".join(s.split()) for item in personal_plan(condition) for s in item.sentences]


def problems_in(text: str, handout: Handout, reviewed: list[tuple[str, str]]) -> list[str]:
    (condition,) = handout.condition_list  # one article's handout (handout_with)
    therapies = [therapy["name"] for therapy in condition.snapshot["therapies"]]
    found = conflicts(
        text, condition.language, condition.plan_choices, follow_up=True, quoted=therapies
    )
    return unreviewed(found, reviewed) + [
        f"not printed: {s!r}" for s in plan_sentences(condition) if s not in text
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.stem)
def test_every_offered_choice_composes_a_handout_the_rules_find_no_contradiction_in(
    clinician: User, clinic: ClinicProfile, pack: Path, language: str
) -> None:
    load_shipped(pack.stem, [language])
    article = Article.objects.published().get(condition__slug=pack.stem, language=language)
    offer: PlanOffer = article.plan_offer()
    reviewed = reviewed_texts(pack, language)
    failures = {}
    for name, choices in each_choice(offer):
        handout = handout_with(article, clinician, choices)
        found = problems_in(reading_view_text(handout, clinic), handout, reviewed)
        if found:
            failures[name] = found
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())

    # A sample in print: the article's defaults, on the left side where it has sides.
    choices = PlanChoices.defaults(offer, VISIT)
    if offer.site and offer.site.sided:
        choices = replace(choices, side=Side.LEFT)
    handout = handout_with(article, clinician, choices)
    text = " ".join(pdf_text(render_handout_pdf(handout, clinic)).split())
    # Up to the "Check yourself" box: its questions (with "(page 1)" after each) are asked, not
    # told, and run on into the next line in the PDF's text.
    with translation.override(language):
        text = text.split(gettext("Check yourself"))[0]
    assert problems_in(text, handout, reviewed) == []


def test_a_conflict_outside_the_reviewed_parts_is_reported() -> None:
    """The allowance covers the reviewed part's words only: the same rule found elsewhere
    fails the matrix."""
    pack = next(p for p in PACKS if p.stem == "ankle-sprain")
    reviewed = reviewed_texts(pack, "en")
    rule = REVIEWED_CONFLICTS["ankle-sprain"][0][0]
    planted = Conflict(rule, "all", "Walk on it as much as you like.", "walk on it", "no weight")
    assert unreviewed([planted], reviewed) == [
        f"{rule}: 'walk on it' in 'Walk on it as much as you like.'"
    ]
