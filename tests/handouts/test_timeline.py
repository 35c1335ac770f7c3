import datetime
from collections.abc import Sequence

from education.plan_blocks import (
    Activity,
    Aid,
    AidChoice,
    PlanChoices,
    choices_from_rest_columns,
)
from handouts.models import Handout, HandoutCondition
from handouts.timeline import back_to_activity_from, treatment_timeline

VISIT = datetime.date(2027, 2, 2)


def handout(
    rest_weeks: int = 2,
    therapies: Sequence[tuple[str, int]] = (("heat", 2), ("water", 3)),
    follow_up: datetime.date | None = None,
    plan: PlanChoices | None = None,
) -> HandoutCondition:
    if plan is None:
        plan = choices_from_rest_columns(rest_weeks, "partial", False, bool(therapies), VISIT)
    return HandoutCondition(
        handout=Handout(visit_date=VISIT),
        plan=plan.to_json(),
        follow_up_date=follow_up,
        snapshot={
            "therapies": [{"key": key, "name": key.title()} for key, _ in therapies],
            "rest_guidance": {"default_weeks": 2, "weight_bearing": "partial"},
        },
        therapy_plan=[
            {"key": key, "times_per_week": 2, "weeks": weeks} for key, weeks in therapies
        ],
    )


def test_weeks_with_the_same_plan_are_grouped_and_every_week_is_covered() -> None:
    rows = treatment_timeline(handout())
    assert [(r.first_week, r.last_week, r.rest, r.therapies) for r in rows] == [
        (1, 2, True, []),
        (3, 4, False, ["Heat", "Water"]),
        (5, 5, False, ["Water"]),
    ]
    assert rows[0].starts_on == datetime.date(2027, 2, 2)
    assert rows[0].ends_on == datetime.date(2027, 2, 15)
    assert rows[-1].ends_on == datetime.date(2027, 3, 8)


def test_follow_up_is_marked_in_the_week_it_falls_in() -> None:
    rows = treatment_timeline(handout(follow_up=datetime.date(2027, 2, 24)))
    assert [row.follow_up_on for row in rows] == [None, datetime.date(2027, 2, 24), None]


def test_no_rest_and_no_therapy_gives_an_empty_plan_from_the_visit_date() -> None:
    plain = handout(rest_weeks=0, therapies=())
    assert treatment_timeline(plain) == []
    assert back_to_activity_from(treatment_timeline(plain), plain.visit_date) == datetime.date(
        2027, 2, 2
    )


def test_back_to_activity_starts_the_day_after_the_last_planned_week() -> None:
    planned = handout()
    assert back_to_activity_from(treatment_timeline(planned), planned.visit_date) == datetime.date(
        2027, 3, 9
    )


def test_the_last_rest_day_is_the_day_before_the_visit_weekday_after_the_rest_weeks() -> None:
    assert handout(rest_weeks=6).last_rest_day == datetime.date(2027, 3, 15)
    assert handout(rest_weeks=0).last_rest_day is None


def test_without_rest_no_row_is_a_rest_row_and_sessions_start_when_the_clinician_chose() -> None:
    plan = PlanChoices(activity=Activity.ACTIVE, physio_start=VISIT + datetime.timedelta(weeks=1))
    rows = treatment_timeline(handout(plan=plan))
    assert [(r.first_week, r.last_week, r.rest, r.therapies) for r in rows] == [
        (1, 1, False, []),
        (2, 3, False, ["Heat", "Water"]),
        (4, 4, False, ["Water"]),
    ]


def test_an_aid_with_weeks_is_in_the_rows_until_its_last_day_and_one_without_in_none() -> None:
    plan = PlanChoices(
        activity=Activity.REST,
        rest_weeks=1,
        aids=(AidChoice(Aid.BRACE, 3), AidChoice(Aid.CRUTCHES, None)),
        physio_start=VISIT + datetime.timedelta(weeks=1),
    )
    rows = treatment_timeline(handout(plan=plan, therapies=(("heat", 4),)))
    assert [(r.first_week, r.last_week, r.rest, r.aids) for r in rows] == [
        (1, 1, True, ["Wear the brace."]),
        (2, 3, False, ["Wear the brace."]),
        (4, 5, False, []),
    ]
