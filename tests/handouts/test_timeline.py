import datetime

from handouts.models import Handout
from handouts.timeline import back_to_activity_from, treatment_timeline


def handout(rest_weeks=2, therapies=(("heat", 2), ("water", 3)), follow_up=None) -> Handout:
    return Handout(
        visit_date=datetime.date(2027, 2, 2),
        rest_weeks=rest_weeks,
        follow_up_date=follow_up,
        snapshot={"therapies": [{"key": key, "name": key.title()} for key, _ in therapies]},
        therapy_plan=[
            {"key": key, "times_per_week": 2, "weeks": weeks} for key, weeks in therapies
        ],
    )


def test_weeks_with_the_same_plan_are_grouped_and_every_week_is_covered():
    rows = treatment_timeline(handout())
    assert [(r.first_week, r.last_week, r.rest, r.therapies) for r in rows] == [
        (1, 2, True, []),
        (3, 4, False, ["Heat", "Water"]),
        (5, 5, False, ["Water"]),
    ]
    assert rows[0].starts_on == datetime.date(2027, 2, 2)
    assert rows[0].ends_on == datetime.date(2027, 2, 15)
    assert rows[-1].ends_on == datetime.date(2027, 3, 8)


def test_follow_up_is_marked_in_the_week_it_falls_in():
    rows = treatment_timeline(handout(follow_up=datetime.date(2027, 2, 24)))
    assert [row.follow_up_on for row in rows] == [None, datetime.date(2027, 2, 24), None]


def test_no_rest_and_no_therapy_gives_an_empty_plan_from_the_visit_date():
    plain = handout(rest_weeks=0, therapies=())
    assert treatment_timeline(plain) == []
    assert back_to_activity_from(treatment_timeline(plain), plain.visit_date) == datetime.date(
        2027, 2, 2
    )


def test_back_to_activity_starts_the_day_after_the_last_planned_week():
    planned = handout()
    assert back_to_activity_from(treatment_timeline(planned), planned.visit_date) == datetime.date(
        2027, 3, 9
    )


def test_rest_until_is_visit_date_plus_rest_weeks():
    assert handout(rest_weeks=6).rest_until == datetime.date(2027, 3, 16)
