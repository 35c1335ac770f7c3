"""The builder's plan fields follow the article's offer: one fieldset per offered block, at the
offer's defaults; the clinician's choices become the handout's plan; every error names its
field and keeps what was typed. (Offers from the shipped content packs, set on a snapshot.)"""

import datetime
import json
from pathlib import Path

import pytest
from crispy_forms.utils import render_crispy_form

from education.models import Article
from education.plan_blocks import (
    Activity,
    Aid,
    AidChoice,
    ArmLoad,
    BackToChoice,
    BackToWhen,
    LegLoad,
    PlanChoices,
    PlanOffer,
    SelfCare,
    SelfCareChoice,
    Side,
    Site,
)
from education.snapshot import Snapshot, build_snapshot
from handouts.forms import HandoutForm
from handouts.reissue import carry_over_plan
from portal.models import ClinicProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]

PACKS = Path(__file__).parents[2] / "education" / "content_packs"


def snapshot_offering(article: Article, pack: str) -> Snapshot:
    snapshot = build_snapshot(article)
    snapshot["plan"] = json.loads((PACKS / f"{pack}.json").read_text())["articles"]["en"]["plan"]
    return snapshot


def posted(form: HandoutForm, **changes: str | None) -> dict[str, object]:
    """What the browser posts for the unchanged form, with `changes`."""
    data: dict[str, object] = {}
    for field in form:
        value = field.value()
        if value is True:
            data[field.name] = "on"
        elif value in (None, False):
            continue
        elif isinstance(value, list):
            data[field.name] = value
        else:
            data[field.name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    data |= {"patient_name": "Ann Lee", "visit_date": "2027-02-02"}
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_an_ankle_builder_offers_its_blocks_at_their_defaults(
    sample_article: Article, clinic: ClinicProfile
) -> None:
    form = HandoutForm(snapshot=snapshot_offering(sample_article, "ankle-sprain"), clinic=clinic)
    initial = form.initial
    assert (initial["site"], initial["side"], initial["activity"]) == ("ankle", "", "relative")
    assert initial["load"] == "as_tolerated"
    assert initial["aid-brace"] is True and initial["aid-brace-weeks"] == 4
    assert initial["aid-crutches"] is False
    assert initial["care-cold"] is True and initial["care-cold-minutes"] == 15
    html = render_crispy_form(form)
    for name in ("site", "side", "rest_weeks", "load", "aid-walking_boot-weeks", "care-raise-days"):
        assert html.count(f'name="{name}"') == 1, name
    assert html.count('name="activity"') == 3  # one radio button per activity offered


def test_a_back_builder_has_no_load_aid_or_side_fields(
    sample_article: Article, clinic: ClinicProfile
) -> None:
    form = HandoutForm(snapshot=snapshot_offering(sample_article, "low-back-pain"), clinic=clinic)
    assert not {"load", "side"} & set(form.fields)
    assert not [name for name in form.fields if name.startswith("aid-")]
    assert "weight" not in render_crispy_form(form).lower()


def test_the_clinicians_choices_become_the_handouts_plan(
    sample_article: Article, clinic: ClinicProfile
) -> None:
    snapshot = snapshot_offering(sample_article, "ankle-sprain")
    data = posted(
        HandoutForm(snapshot=snapshot, clinic=clinic),
        side="left",
        activity="rest",
        rest_weeks="2",
        load="partial",
        **{"aid-crutches": "on", "aid-crutches-weeks": "", "care-raise": None},
        physio_start="2027-02-20",
        back_to="date",
        back_to_date="2027-03-01",
    )
    form = HandoutForm(data, snapshot=snapshot, clinic=clinic)
    assert form.is_valid(), form.errors
    assert PlanChoices.from_json(form.handout_choices()["plan"]) == PlanChoices(
        site=Site.ANKLE,
        side=Side.LEFT,
        activity=Activity.REST,
        rest_weeks=2,
        load=LegLoad.PARTIAL,
        aids=(AidChoice(Aid.BRACE, 4), AidChoice(Aid.CRUTCHES, None)),
        self_care=(SelfCareChoice(SelfCare.COLD, 4, 15, 3),),
        physio_start=datetime.date(2027, 2, 20),
        back_to=BackToChoice(BackToWhen.DATE, datetime.date(2027, 3, 1)),
    )


def test_an_elbow_plan_chooses_how_much_to_use_the_arm(
    sample_article: Article, clinic: ClinicProfile
) -> None:
    snapshot = snapshot_offering(sample_article, "tennis-elbow")
    data = posted(HandoutForm(snapshot=snapshot, clinic=clinic), load="light")
    form = HandoutForm(data, snapshot=snapshot, clinic=clinic)
    assert form.is_valid(), form.errors
    assert PlanChoices.from_json(form.handout_choices()["plan"]).load == ArmLoad.LIGHT


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"activity": "rest", "rest_weeks": ""}, "rest_weeks", "Say for how many weeks"),
        ({"side": "up"}, "side", "Select a valid choice."),
        ({"care-cold-minutes": ""}, "care-cold-minutes", "Fill this in, or untick Cold pack."),
        ({"aid-brace-weeks": "60"}, "aid-brace-weeks", "less than or equal to 52"),
        ({"back_to": "date", "back_to_date": ""}, "back_to_date", "Give the date"),
        ({"physio_start": "2027-01-20"}, "physio_start", "cannot start before the visit"),
    ],
)
def test_every_plan_error_names_its_field_and_keeps_what_was_typed(
    sample_article: Article, clinic: ClinicProfile, changes: dict, field: str, message: str
) -> None:
    snapshot = snapshot_offering(sample_article, "ankle-sprain")
    data = posted(HandoutForm(snapshot=snapshot, clinic=clinic), **({"side": "right"} | changes))
    form = HandoutForm(data, snapshot=snapshot, clinic=clinic)
    assert not form.is_valid()
    assert message in " ".join(str(error) for error in form.errors[field])
    html = render_crispy_form(form)
    assert message.replace("“", "&ldquo;") in html or message in html
    assert 'aria-invalid="true"' in html  # the field says so to screen readers too
    if "side" not in changes:
        assert 'value="right" selected' in html


def test_updating_a_handout_carries_each_choice_the_new_offer_allows() -> None:
    plan = json.loads((PACKS / "ankle-sprain.json").read_text())["articles"]["en"]["plan"]
    before = PlanOffer.from_json(plan)
    old = PlanChoices(
        site=Site.ANKLE,
        side=Side.LEFT,
        activity=Activity.REST,
        rest_weeks=2,
        load=LegLoad.PARTIAL,
        aids=(AidChoice(Aid.BRACE, 3), AidChoice(Aid.CRUTCHES, None)),
        self_care=(SelfCareChoice(SelfCare.COLD, 2, 10, 5),),
        physio_start=datetime.date(2027, 2, 20),
    )
    assert old.problems(before) == []
    # The new version drops rest and crutches, and no longer offers the clinician's cold pack.
    newer = PlanOffer.from_json(
        plan
        | {
            "activity": {"offered": ["relative", "active"], "default": "active"},
            "aids": [{"kind": "brace", "weeks": 6, "selected": False}],
            "self_care": [
                {"kind": "raise", "times_per_day": 3, "minutes": 20, "days": 3, "selected": True}
            ],
        }
    )
    carried = carry_over_plan(old, newer, datetime.date(2027, 2, 2))
    assert carried.problems(newer) == []
    assert (carried.site, carried.side, carried.load) == (Site.ANKLE, Side.LEFT, LegLoad.PARTIAL)
    assert (carried.activity, carried.rest_weeks) == (Activity.ACTIVE, 0)  # the new default
    assert carried.aids == (AidChoice(Aid.BRACE, 3),)
    assert carried.self_care == ()  # the clinician chose none of what is offered now
    assert carried.physio_start == datetime.date(2027, 2, 20)
