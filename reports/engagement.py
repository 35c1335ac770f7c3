"""What reached patients: engagement figures of the handouts issued in a period, counted by
the database (aggregate queries over handouts and what reached their patients, never a loop
over handouts).

Every figure follows the handouts issued in the period (a cohort): of the handouts issued in a
week, how many got a patient link, were opened, opened within 72 hours, downloaded, and how
long the first open took. A handout is opened when its patient entered the access code
(CODE_ACCEPTED): every way into the handout, reading or downloading, passes through it.

One query per table, whatever the number of handouts or events, over one narrow stored row
per handout (handouts.models.HandoutEngagement: when, by whom and in which language it was
issued, and what reached its patient, kept as events are recorded): the period's rows,
grouped by a small key (by condition: joined to the visit's conditions, CONDITION) and
counted by the database; the groups' names come from their small tables afterwards. Events
and the handouts' wide rows are never read. Each row of an answer is a group, never a
handout.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import (
    Aggregate,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncWeek

from education.models import Condition
from handouts.issuing import display_name
from handouts.models import CheckAnswer, Handout, HandoutEngagement

OPENED_WITHIN = datetime.timedelta(hours=72)


# --- The median, in the database ----------------------------------------------------------


class Median(models.Aggregate):
    """The median of a duration: PostgreSQL's percentile_cont; on SQLite, MinuteMedian, which
    as_sqlite registers. NULLs (handouts never opened) are left out, as by every aggregate."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.DurationField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Registered on the connection that runs the query, whenever it was opened (a
        # quick call, as Django registers its own functions on every new connection).
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, MinuteMedian)
        return super().as_sql(
            compiler, connection, function=SQLITE_MEDIAN, template="%(function)s(%(expressions)s)"
        )


SQLITE_MEDIAN = "reports_median"


class MinuteMedian:
    """SQLite's median of durations (microseconds, as Django stores them there): counted a
    whole minute at a time, so what it holds is bounded by the minutes between issue and
    first open, not by the number of handouts. The answer is exact to the minute."""

    MINUTE = 60_000_000

    def __init__(self) -> None:
        self.minutes: Counter[int] = Counter()

    def step(self, value: int | None) -> None:
        if value is not None:
            self.minutes[round(value / self.MINUTE)] += 1

    def finalize(self) -> int | None:
        """The middle minute (or the mean of the middle two), found by walking the counted
        minutes in order: never a list of every value."""
        total = sum(self.minutes.values())
        if not total:
            return None
        middle = (self._minute_at((total - 1) // 2) + self._minute_at(total // 2)) / 2
        return round(middle * self.MINUTE)

    def _minute_at(self, position: int) -> int:
        """The minute at `position` (from 0) of the values in order."""
        seen = 0
        for minute, count in sorted(self.minutes.items()):
            seen += count
            if seen > position:
                return minute
        raise IndexError(position)


# --- Figures per group: one query over the handouts' engagement rows ----------------------


def issued_in(since: datetime.datetime, until: datetime.datetime) -> Q:
    """Handouts, or their engagement rows, issued from `since` up to `until` (excluded)."""
    return Q(issued_at__gte=since, issued_at__lt=until)


@dataclass(frozen=True)
class Figures:
    """One group's figures, as counted (small cells are hidden later, when shown)."""

    key: Any
    label: Any
    issued: int = 0
    links: int = 0
    opened: int = 0
    opened_72h: int = 0
    downloaded: int = 0
    median_to_open: datetime.timedelta | None = None


# --- Groupings: what a figure is grouped by has one home ---------------------------------


@dataclass(frozen=True)
class Grouping:
    """What to group the engagement rows by: a small `key` expression for values(), so the
    database groups and sorts by it alone; `names` names the groups afterwards from their
    keys in one query of a small table (None: the key names the group)."""

    key: Any
    names: Callable[[list[Any]], dict[Any, str]] | None = None


def account_names(pks: list[int]) -> dict[int, str]:
    """The accounts' names today (handouts.issuing.display_name: the full name, else the
    username), from the small accounts table."""
    return {user.pk: display_name(user) for user in User.objects.filter(pk__in=pks)}


def condition_names(pks: list[int]) -> dict[int, str]:
    return dict(Condition.objects.filter(pk__in=pks).values_list("pk", "name"))


# The conditions of a handout (a visit holds one to three): the one grouping that joins beyond
# the engagement rows, to the visit's condition rows by their handout (HandoutCondition's
# `engagement`, from its handout+article index) and their articles' conditions. A packet
# counts once in each of its conditions' rows, never twice in one (a handout holds a
# condition once).
CONDITION = "conditions__article__condition"

GROUPINGS: dict[str, Grouping] = {
    "weeks": Grouping(TruncWeek("issued_at")),
    "conditions": Grouping(F(CONDITION), condition_names),
    # Grouped by the account, named by its name today.
    "clinicians": Grouping(F("issued_by_id"), account_names),
    "languages": Grouping(F("language")),
    "delivery": Grouping(F("delivery")),
}


def _counted() -> dict[str, Any]:
    """The figures of a group of handouts, from their engagement rows."""
    return {
        "issued": Count("pk"),
        "links": Count("pk", filter=Q(link_created=True)),
        "opened": Count("first_opened_at"),
        "opened_72h": Count("pk", filter=Q(first_opened_at__lt=F("issued_at") + OPENED_WITHIN)),
        "downloaded": Count("pk", filter=Q(downloaded=True)),
        # NULLs, handouts never opened, are left out.
        "median_to_open": Median(F("first_opened_at") - F("issued_at")),
    }


def figures_by(
    since: datetime.datetime, until: datetime.datetime, grouping: Grouping | None
) -> list[Figures]:
    """The figures of the handouts issued from `since` up to `until`: one row per group, in
    the groups' order; without a grouping, the whole period's. One query."""
    rows = HandoutEngagement.objects.filter(issued_in(since, until)).order_by()
    if grouping is None:
        return [Figures(key=None, label="", **rows.aggregate(**_counted()))]
    grouped = rows.values(group_key=grouping.key).annotate(**_counted())
    found: list[dict[str, Any]] = sorted(
        (dict(row) for row in grouped),
        key=lambda row: (row["group_key"] is None, row["group_key"]),
    )
    keys = [row["group_key"] for row in found]
    names = grouping.names(keys) if grouping.names else {key: key for key in keys}
    return [
        Figures(key=row.pop("group_key"), label=names[key], **row)
        for key, row in zip(keys, found, strict=True)
    ]


# --- Teach-back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeachBack:
    """Of the handouts issued, how many patients answered the check questions right on the
    first try, right after re-reading, or did not answer."""

    first_try: int
    after_rereading: int
    unanswered: int


def teach_back(since: datetime.datetime, until: datetime.datetime) -> TeachBack:
    """Of the handouts issued from `since` up to `until`: understood on the first try (every
    question the handout asks answered right, none ever wrong), after re-reading (every one
    right in the end, some after a wrong answer), and the rest (some question never answered
    right, or none answered). A question answered right is not asked again (handouts
    .teach_back), so a question right on its first try is one with no wrong answer. One
    query: counts of each handout's answers, as subqueries."""

    def per_handout(total: Aggregate) -> Subquery:
        answers = CheckAnswer.objects.filter(handout=OuterRef("pk")).order_by().values("handout")
        return Subquery(answers.annotate(n=total).values("n"))

    right = Count("question_key", distinct=True, filter=Q(right=True))
    wrong = Count("question_key", distinct=True, filter=Q(right=False))
    handouts = Handout.objects.filter(issued_in(since, until)).annotate(
        asked=Coalesce(per_handout(Max("asked")), 0),
        right_keys=Coalesce(per_handout(right), 0),
        wrong_keys=Coalesce(per_handout(wrong), 0),
    )
    all_right = Q(asked__gt=0, right_keys__gte=F("asked"))
    counted = handouts.aggregate(
        first_try=Count("pk", filter=all_right & Q(wrong_keys=0)),
        after_rereading=Count("pk", filter=all_right & Q(wrong_keys__gt=0)),
        issued=Count("pk"),
    )
    return TeachBack(
        first_try=counted["first_try"],
        after_rereading=counted["after_rereading"],
        unanswered=counted["issued"] - counted["first_try"] - counted["after_rereading"],
    )
