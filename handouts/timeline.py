"""The week-by-week plan printed on a handout, computed from the visit date and the choices.

Weeks with the same things to do are grouped into one row ("Weeks 7–10"), so a long plan stays
short on paper while every week is still covered. Rows follow the plan's blocks: rest weeks only
with a rest period, sessions from the day physiotherapy starts, each aid with an end date until
that date.
"""

import datetime
from dataclasses import dataclass, field

from handouts.models import HandoutCondition
from handouts.plan import aid_last_day, aid_week_note, physio_start


@dataclass
class TimelineRow:
    first_week: int
    last_week: int
    starts_on: datetime.date
    ends_on: datetime.date
    rest: bool
    therapies: list[str]
    follow_up_on: datetime.date | None = None
    aids: list[str] = field(default_factory=list)
    key: tuple = field(default=(), repr=False)

    @property
    def single_week(self) -> bool:
        return self.first_week == self.last_week


def treatment_timeline(handout: HandoutCondition) -> list[TimelineRow]:
    therapies = handout.chosen_therapies()
    rest_weeks = handout.rest_weeks if handout.last_rest_day else 0
    # Sessions start in the week that holds the start day.
    first_physio_week = max((physio_start(handout) - handout.visit_date).days // 7, 0)
    physio_weeks = max((therapy["weeks"] for therapy in therapies), default=0)
    aids = [
        (aid_week_note(aid.kind), aid_last_day(handout, aid))
        for aid in handout.plan_choices.aids
        if aid.weeks is not None
    ]
    aid_weeks = max((aid.weeks or 0 for aid in handout.plan_choices.aids), default=0)
    total_weeks = max(rest_weeks, first_physio_week + physio_weeks if therapies else 0, aid_weeks)
    rows: list[TimelineRow] = []
    for index in range(total_weeks):
        starts_on = handout.visit_date + datetime.timedelta(weeks=index)
        ends_on = starts_on + datetime.timedelta(days=6)
        physio_week = index - first_physio_week
        active = [t["name"] for t in therapies if 0 <= physio_week < t["weeks"]]
        in_use = [note for note, last_day in aids if last_day and starts_on <= last_day]
        rest = index < rest_weeks
        key = (rest, tuple(active), tuple(in_use))
        if rows and rows[-1].key == key:
            rows[-1].last_week, rows[-1].ends_on = index + 1, ends_on
        else:
            rows.append(
                TimelineRow(
                    index + 1, index + 1, starts_on, ends_on, rest, active, aids=in_use, key=key
                )
            )
    follow_up = handout.follow_up_date
    for row in rows:
        if follow_up and row.starts_on <= follow_up <= row.ends_on:
            row.follow_up_on = follow_up
    return rows


def back_to_activity_from(timeline: list[TimelineRow], visit_date: datetime.date) -> datetime.date:
    """The first day after the weeks of `timeline`."""
    return timeline[-1].ends_on + datetime.timedelta(days=1) if timeline else visit_date
