"""The patient's plan never contradicts the clinician: every combination of choices, rendered
as the PDF and as the reading view, checked by the portal's contradiction rules
(education.plan_rules, the rules as data per language)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.html import strip_tags

from education.models import Article
from education.plan_rules import conflicts
from handouts.issuing import build_handout
from handouts.pdf.render import render_handout_pdf
from handouts.plan import crutches_sentence, personal_plan, weight_sentence
from handouts.timeline import treatment_timeline
from portal.models import ClinicProfile
from tests.handouts.helpers import (
    MATRIX,
    WEIGHTS,
    Choices,
    between,
    contradictions,
    handout_for,
    reading_view_text,
)
from tests.helpers import default_choices, pdf_text, present

# Where the plan box starts, in the PDF and the reading view (after its jump links).
PLAN_LEAD = "Your plan Rest"
PLAN_LEADS = (PLAN_LEAD, "Your plan Activity")


def test_the_rules_catch_the_contradictions_the_old_handout_printed() -> None:
    old = (
        f"{PLAN_LEAD} Rest Rest and keep weight off the bone until Tuesday — 3 weeks. "
        "Use crutches for at least four weeks. When to get help"
    )
    found = contradictions(old, "en", Choices("full", False, 3, False))
    assert any("keep weight off" in p for p in found)
    assert any("use them" in p for p in found)
    assert any("body part" in p for p in found)
    assert any("other week counts: [4]" in p for p in found)
    no_rest = contradictions(
        f"{PLAN_LEAD} Rest You do not need a set period of rest. at least four "
        "weeks When to get help",
        "en",
        Choices("full", True, 0, True),
    )
    assert any("other week counts: [4]" in p for p in no_rest)


def test_every_combination_of_choices_reads_without_contradiction_in_the_reading_view(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    failures = {}
    for choices in MATRIX:
        handout = handout_for(sample_article, clinician, choices)
        found = contradictions(reading_view_text(handout, clinic), "en", choices)
        if found:
            failures[str(choices)] = found
    assert failures == {}


# One case per weight-bearing choice, so parallel test workers share the matrix's renders.
@pytest.mark.parametrize("weight", WEIGHTS)
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_every_combination_of_choices_prints_without_contradiction(
    sample_article: Article, clinician: User, clinic: ClinicProfile, large_print: bool, weight: str
) -> None:
    failures = {}
    for choices in (choices for choices in MATRIX if choices.weight == weight):
        choices = Choices(
            choices.weight, choices.crutches, choices.rest, choices.follow_up, large_print
        )
        handout = handout_for(sample_article, clinician, choices)
        found = contradictions(pdf_text(render_handout_pdf(handout, clinic)), "en", choices)
        if found:
            failures[str(choices)] = found
    assert failures == {}


def test_the_plan_names_the_injured_part_as_an_older_handouts_article_did(
    draft: Article, clinician: User, clinic: ClinicProfile
) -> None:
    handout = handout_for(draft, clinician, Choices("none", True, 3, True))
    handout.condition_list[0].snapshot["rest_guidance"]["body_part"] = (
        "your foot"  # rest guidance named it
    )
    text = reading_view_text(handout, clinic)
    assert "Rest your foot for 3 weeks" in text
    assert "do not put any weight on your foot" in text
    assert "the injured part" not in between(text, PLAN_LEAD, ["When to get help"])
    # The rules let the plan name the part in the article's words, and no other.
    choices = Choices("none", True, 3, True)
    plan = choices.plan()
    assert conflicts(text, "en", plan, follow_up=True, part_name="your foot") == []
    other = conflicts(text, "en", plan, follow_up=True, part_name="your leg")
    assert {(c.rule, c.found) for c in other} == {("a body part the article did not name", "foot")}


def test_article_prose_is_printed_only_under_general_information(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    handout = handout_for(sample_article, clinician, Choices("partial", True, 3, True))
    text = pdf_text(render_handout_pdf(handout, clinic))
    background_at = text.index("More to know This part is for everyone")
    for section in handout.condition_list[0].background_sections():
        first_words = " ".join(strip_tags(section["body_html"]).split()[:8])
        assert text.index(first_words) > background_at, section["heading"]
    week_by_week = between(text, "Your plan, week by week", ["Your physiotherapy"])
    for section in handout.condition_list[0].snapshot["sections"]:
        assert " ".join(strip_tags(section["body_html"]).split()[:8]) not in week_by_week


def test_the_plan_is_built_only_from_choices_not_from_article_prose(
    draft: Article, clinician: User
) -> None:
    draft.sections.create(kind="treatment", body="Use crutches for at least four weeks.")
    handout = handout_for(draft, clinician, Choices("full", False, 2, False))
    with translation.override("en"):
        sentences = " ".join(
            " ".join(item.sentences + item.details)
            for item in personal_plan(handout.condition_list[0])
        )
    assert "four weeks" not in sentences
    assert "crutches" in sentences.lower()  # "You do not need crutches."
    assert "You do not need crutches." in sentences


@pytest.mark.parametrize(
    ("weight", "purpose"),
    [
        ("none", "so that no weight goes on the injured part"),
        ("partial", "to take some of your weight"),
        ("as_tolerated", "as much as your pain needs them"),
        ("full", "for balance"),
    ],
)
def test_crutches_are_explained_by_the_weight_the_injured_part_may_take(
    sample_article: Article, clinician: User, weight: str, purpose: str
) -> None:
    handout = handout_for(sample_article, clinician, Choices(weight, True, 3, False))
    with translation.override("en"):
        crutches = next(
            item for item in personal_plan(handout.condition_list[0]) if item.icon == "crutches"
        )
    assert crutches.sentences == [
        f"Use crutches {'every time' if weight in ('none', 'partial') else 'when'} you walk, "
        f"{purpose}, until Monday 22 February 2027."
    ]


def test_rest_ends_on_the_day_before_sessions_start(
    sample_article: Article, clinician: User
) -> None:
    handout = handout_for(sample_article, clinician, Choices("partial", True, 3, False))
    with translation.override("en"):
        (
            rest,
            *_others,
        ) = personal_plan(handout.condition_list[0])
        physio = next(
            item for item in personal_plan(handout.condition_list[0]) if item.icon == "stretching"
        )
    assert "until Monday 22 February 2027" in rest.sentences[0]
    assert physio.sentences == ["Sessions start on Tuesday 23 February 2027."]


def test_therapy_lines_say_how_often_and_how_long(sample_article: Article, clinician: User) -> None:
    handout = handout_for(sample_article, clinician, Choices("partial", True, 3, True))
    with translation.override("en"):
        physio = next(
            item for item in personal_plan(handout.condition_list[0]) if item.icon == "stretching"
        )
    first = handout.condition_list[0].chosen_therapies()[0]
    assert physio.sentences == ["Sessions start on Tuesday 23 February 2027."]
    assert physio.details[0] == (
        f"{first['name']}: {first['times_per_week']} times a week, for {first['weeks']} weeks."
    )


def test_no_therapies_leaves_physiotherapy_out_of_the_plan(
    sample_article: Article, clinician: User
) -> None:
    handout = handout_for(sample_article, clinician, Choices("full", False, 0, False))
    handout.condition_list[0].therapy_plan = []
    with translation.override("en"):
        icons = [item.icon for item in personal_plan(handout.condition_list[0])]
    assert icons == ["walk", "crutches", "calendar-event"]


def test_with_no_set_rest_every_row_of_the_week_table_keeps_the_limits_page_one_sets(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    """The table says "find today's date, then do what that row says": with no rest weeks, a
    row of sessions alone would read as if the weight and crutch limits were over."""
    failures = {}
    for choices in MATRIX:
        if choices.rest or (choices.weight == "full" and not choices.crutches):
            continue
        handout = handout_for(sample_article, clinician, choices)
        rows = len(treatment_timeline(handout.condition_list[0]))
        assert rows, "the sample's default therapies give the table rows"
        table = between(
            reading_view_text(handout, clinic), "Your plan, week by week", ["Your physiotherapy"]
        )
        limits = [weight_sentence(handout.condition_list[0])] if choices.weight != "full" else []
        limits += (
            [present(crutches_sentence(handout.condition_list[0]))] if choices.crutches else []
        )
        for limit in limits:
            if table.count(limit) != rows + 1:  # every row, and "After that"
                failures[str(choices)] = (limit, table.count(limit), rows + 1)
    assert failures == {}


def test_a_week_table_that_runs_into_the_next_year_gives_each_date_its_year(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    def table_for(visit_date: datetime.date) -> str:
        handout = build_handout(
            sample_article,
            default_choices(sample_article, visit_date=visit_date, rest_weeks=8),
            issued_by=clinician,
        )
        return between(
            reading_view_text(handout, clinic), "Your plan, week by week", ["Your physiotherapy"]
        )

    across = table_for(datetime.date(2027, 11, 20))
    assert "20 Nov 2027 – 14 Jan 2028" in across  # weeks 1–8, resting
    assert "From 12 Feb 2028" in across
    within = table_for(datetime.date(2027, 2, 2))
    assert "2 Feb – 29 Mar" in within
    assert not re.search(r"\b\d{1,2} [A-Z][a-z]{2} 2027", within)
