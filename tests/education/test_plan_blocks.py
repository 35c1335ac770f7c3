"""Plan blocks: what an article offers and what a clinician chose, read from JSON, checked and
written back the same."""

import datetime
import json
from pathlib import Path

import pytest

from education.models import Article
from education.plan_blocks import (
    Activity,
    ActivityOffer,
    Aid,
    AidChoice,
    AidOffer,
    ArmLoad,
    LegLoad,
    Limb,
    LoadOffer,
    PhysioStart,
    PhysiotherapyOffer,
    PlanChoices,
    PlanError,
    PlanOffer,
    Side,
    Site,
    choices_from_rest_columns,
    choices_of,
    label,
    offer_from_rest_guidance,
)

PACKS = sorted((Path(__file__).parents[2] / "education" / "content_packs").glob("*.json"))
VISIT = datetime.date(2026, 12, 7)

ANKLE = {
    "site": {"sites": ["ankle"], "default": "ankle", "sided": True},
    "activity": {"offered": ["relative", "rest"], "default": "relative", "rest_weeks": 2},
    "load": {"limb": "leg", "default": "as_tolerated"},
    "aids": [
        {"kind": "brace", "weeks": 4, "selected": True},
        {"kind": "crutches", "weeks": 1, "selected": False},
    ],
    "self_care": [{"kind": "cold", "times_per_day": 4, "minutes": 15, "days": 3, "selected": True}],
    "physiotherapy": {"start": "at_visit", "start_after_days": 3},
    "back_to": {"activities": ["sport"], "default": "step"},
}


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.stem)
def test_every_shipped_pack_offers_a_plan_that_reads_back_the_same(pack: Path) -> None:
    for article in json.loads(pack.read_text())["articles"].values():
        offer = PlanOffer.from_json(article["plan"])
        assert PlanOffer.from_json(offer.to_json()) == offer
        choices = PlanChoices.defaults(offer, VISIT)
        assert choices.problems(offer) == []
        assert PlanChoices.from_json(json.loads(json.dumps(choices.to_json()))) == choices


def test_the_defaults_take_each_offered_block_at_the_articles_values() -> None:
    choices = PlanChoices.defaults(PlanOffer.from_json(ANKLE), VISIT)
    assert choices.site == Site.ANKLE
    assert choices.side is None
    assert choices.activity == Activity.RELATIVE
    assert choices.rest_weeks == 0
    assert choices.load == LegLoad.AS_TOLERATED
    assert choices.aids == (AidChoice(Aid.BRACE, 4),)
    assert choices.physio_start == datetime.date(2026, 12, 10)


def test_physiotherapy_after_rest_starts_the_day_after_rest_ends() -> None:
    offer = PlanOffer.from_json(
        {
            **ANKLE,
            "activity": {"offered": ["rest"], "default": "rest", "rest_weeks": 2},
            "physiotherapy": {"start": "after_rest"},
        }
    )
    choices = PlanChoices.defaults(offer, VISIT)
    assert choices.rest_until(VISIT) == datetime.date(2026, 12, 20)
    assert choices.physio_start == datetime.date(2026, 12, 21)


def test_a_plan_without_blocks_offers_nothing_and_chooses_nothing() -> None:
    offer = PlanOffer.from_json({})
    assert offer == PlanOffer()
    assert offer.to_json() == {"format": 1}
    assert PlanChoices.defaults(offer, VISIT).to_json() == {"format": 1}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"site": {"sites": ["knee"], "default": "ankle", "sided": True}}, "plan.site.default"),
        ({"site": {"sites": ["elbow"], "default": "elbow", "sided": True}}, "plan.site.sites[0]"),
        ({"activity": {"offered": ["nap"], "default": "nap"}}, "plan.activity.offered[0]"),
        ({"load": {"limb": "leg", "default": "light"}}, "plan.load.default"),
        ({"load": {"limb": "arm", "default": "light"}}, "plan.aids[1].kind"),
        ({"aids": [{"kind": "brace", "weeks": 0}]}, "plan.aids[0].weeks"),
        ({"physiotherapy": {"start": "after_rest"}, "activity": None}, "plan.physiotherapy.start"),
        ({"rest": {}}, "plan"),
    ],
)
def test_an_offer_that_does_not_fit_names_the_field(change: dict, path: str) -> None:
    with pytest.raises(PlanError) as error:
        PlanOffer.from_json({**ANKLE, **change})
    assert error.value.path == path


def test_choices_outside_the_offer_are_each_named() -> None:
    offer = PlanOffer.from_json(
        {"activity": {"offered": ["active"], "default": "active"}, "load": ANKLE["load"]}
    )
    choices = PlanChoices(
        site=Site.KNEE,
        side=Side.LEFT,
        activity=Activity.REST,
        rest_weeks=3,
        load=ArmLoad.LIGHT,
        aids=(AidChoice(Aid.CRUTCHES, 2),),
    )
    assert [p.path for p in choices.problems(offer)] == [
        "site",
        "side",
        "activity",
        "load",
        "aids[0]",
    ]


def test_rest_needs_weeks_and_weeks_need_rest() -> None:
    offer = PlanOffer.from_json(ANKLE)
    assert [p.path for p in PlanChoices(activity=Activity.REST).problems(offer)] == ["rest_weeks"]
    relative = PlanChoices(activity=Activity.RELATIVE, rest_weeks=2)
    assert [p.path for p in relative.problems(offer)] == ["rest_weeks"]


def test_the_two_loads_keep_their_own_labels() -> None:
    assert label(LegLoad.NONE) == "No weight on the leg"
    assert label(ArmLoad.NONE) == "Rest the arm: do not use it"
    assert [value for value, _ in choices_of(LegLoad)] == [
        "none",
        "partial",
        "as_tolerated",
        "full",
    ]


def test_rest_guidance_offers_rest_or_none_the_four_leg_loads_and_crutches() -> None:
    rest = {"default_weeks": 4, "weight_bearing": "partial", "crutches_advised": True}
    offer = offer_from_rest_guidance(rest, has_therapies=True)
    assert offer.activity == ActivityOffer((Activity.REST, Activity.RELATIVE), Activity.REST, 4)
    assert offer.load == LoadOffer(Limb.LEG, LegLoad.PARTIAL)
    assert offer.aids == (AidOffer(Aid.CRUTCHES, 4, True),)
    assert offer.physiotherapy == PhysiotherapyOffer(PhysioStart.AFTER_REST)
    assert offer.site is None and offer.self_care == () and offer.back_to is None
    no_rest = offer_from_rest_guidance({**rest, "default_weeks": 0}, has_therapies=False)
    assert no_rest.activity and no_rest.activity.default == Activity.RELATIVE
    assert no_rest.physiotherapy is None


def test_an_article_offers_what_its_rest_guidance_says(sample_article: Article) -> None:
    offer = sample_article.plan_offer()
    assert offer.activity and offer.activity.default == Activity.REST
    assert offer.load == LoadOffer(Limb.LEG, LegLoad.PARTIAL)
    assert [aid.kind for aid in offer.aids] == [Aid.CRUTCHES]


def test_old_handout_choices_read_as_they_printed() -> None:
    visit = datetime.date(2026, 12, 7)
    rested = choices_from_rest_columns(2, "none", True, True, visit)
    assert rested.activity == Activity.REST and rested.rest_weeks == 2
    assert rested.aids == (AidChoice(Aid.CRUTCHES, 2),)
    assert rested.physio_start == datetime.date(2026, 12, 21)
    unrested = choices_from_rest_columns(0, "partial", True, False, visit)
    assert unrested.activity == Activity.RELATIVE and unrested.rest_weeks == 0
    assert unrested.aids == (AidChoice(Aid.CRUTCHES, None),)
    assert unrested.physio_start is None
    assert PlanChoices.from_json(unrested.to_json()) == unrested


def test_rest_as_the_default_needs_at_least_a_week() -> None:
    with pytest.raises(PlanError, match=r"plan.activity.rest_weeks: must be at least 1"):
        PlanOffer.from_json({"activity": {"offered": ["rest"], "default": "rest"}})
    relative = {"offered": ["rest", "relative"], "default": "relative", "rest_weeks": 0}
    assert PlanOffer.from_json({"activity": relative}).activity
