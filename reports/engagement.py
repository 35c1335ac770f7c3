"""What reached patients: engagement figures of the handouts issued in a period, counted by
the database (aggregate queries over handouts and their events, never a loop over handouts).

Every figure follows the handouts issued in the period (a cohort): of the handouts issued in a
week, how many got a patient link, were opened, opened within 72 hours, downloaded, and how
long the first open took. A handout is opened when its patient entered the access code
(CODE_ACCEPTED): every way into the handout, reading or downloading, passes through it.

Two queries per table, whatever the number of handouts or events: one over the period's
handouts (issued, links, downloads; the delivery way and the flags are IN-subqueries over the
events' (kind, at, handout) index, which the database reads once and hashes), one over their
first opens (opened, within 72 hours, the median wait; an anti-join over the events'
(handout, kind, at) index). Each row is a group, never a handout.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim, TruncWeek
from django.utils.translation import gettext_lazy as _

from handouts.models import CheckAnswer, Handout, HandoutEvent

Kind = HandoutEvent.Kind
OPENED_WITHIN = datetime.timedelta(hours=72)
EMAILED = [Kind.EMAIL_SENT, Kind.EMAIL_FAILED]


class DeliveryWay(models.TextChoices):
    """How the handout reached the patient: on paper only, with a patient link (shown or on
    its printed slip), or with the link emailed (sent, or tried and not delivered)."""

    PRINT_ONLY = "print", _("Print only")
    LINK = "link", _("Patient link")
    EMAIL = "email", _("Link by email")


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


# --- Figures per group: two queries, one over handouts, one over their first opens ---------


def _events_since(kinds: Sequence[str], since: datetime.datetime) -> models.QuerySet[Any, Any]:
    """The handouts (ids) with an event of one of `kinds`, for an uncorrelated IN-subquery the
    database reads once from the (kind, at) index: events of handouts issued since `since`
    happen after it."""
    return HandoutEvent.objects.filter(kind__in=kinds, at__gte=since).values("handout_id")


def delivery_way(handout: str, since: datetime.datetime) -> Case:
    """The delivery way of the handout at path `handout` ("pk" from a handout, "handout__pk"
    from an event): email wins over a link, a link over print only."""
    emailed = Q(**{f"{handout}__in": _events_since(EMAILED, since)})
    linked = Q(**{f"{handout}__in": _events_since([Kind.LINK_CREATED], since)})
    return Case(
        When(emailed, then=Value(DeliveryWay.EMAIL)),
        When(linked, then=Value(DeliveryWay.LINK)),
        default=Value(DeliveryWay.PRINT_ONLY),
    )


def issued_in(since: datetime.datetime, until: datetime.datetime, to_handout: str = "") -> Q:
    """Handouts issued from `since` up to `until` (excluded), from a handout or, with
    `to_handout` "handout__", from an event."""
    return Q(**{f"{to_handout}issued_at__gte": since, f"{to_handout}issued_at__lt": until})


def first_opens(
    since: datetime.datetime, until: datetime.datetime
) -> models.QuerySet[HandoutEvent]:
    """The first open of each handout issued from `since` to `until`: its CODE_ACCEPTED
    events with none earlier. Both read only events since `since` (from the (kind, at,
    handout) index); the database answers the NOT EXISTS as an anti-join."""
    opens = HandoutEvent.objects.filter(kind=Kind.CODE_ACCEPTED, at__gte=since)
    earlier = opens.filter(handout=OuterRef("handout"), at__lt=OuterRef("at"))
    return opens.filter(issued_in(since, until, "handout__")).exclude(Exists(earlier))


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


# --- Groupings: each one small function, so what a figure is grouped by has one home ------


@dataclass(frozen=True)
class Grouping:
    """What to group by, from a handout (`to_handout` is "" from a handout, "handout__" from
    an event): `key` and `label` expressions for values()."""

    key: Callable[[str, datetime.datetime], Any]
    label: Callable[[str, datetime.datetime], Any]


def _field(name: str) -> Callable[[str, datetime.datetime], Any]:
    return lambda to_handout, since: F(f"{to_handout}{name}")


def _week(to_handout: str, since: datetime.datetime) -> Any:
    return TruncWeek(f"{to_handout}issued_at")


def _account_name(to_handout: str) -> Any:
    user = f"{to_handout}issued_by__"
    full_name = Trim(Concat(F(f"{user}first_name"), Value(" "), F(f"{user}last_name")))
    return Coalesce(NullIf(full_name, Value("")), F(f"{user}username"))


def _delivery(to_handout: str, since: datetime.datetime) -> Any:
    return delivery_way(f"{to_handout}pk" if to_handout else "pk", since)


# The conditions of a handout (a visit holds one to three): a packet counts once in each of
# its conditions' rows, never twice in one (a handout holds a condition once).
CONDITION = "conditions__article__condition"

GROUPINGS: dict[str, Grouping] = {
    "weeks": Grouping(_week, _week),
    "conditions": Grouping(_field(f"{CONDITION}__slug"), _field(f"{CONDITION}__name")),
    # Grouped by the account, named by its name today (handouts.issuing.display_name: the
    # full name, else the username), read from the small accounts table: the name each
    # handout holds would have to be read from the handouts' wide rows.
    "clinicians": Grouping(
        _field("issued_by_id"), lambda to_handout, since: _account_name(to_handout)
    ),
    "languages": Grouping(_field("language"), _field("language")),
    "delivery": Grouping(_delivery, _delivery),
}


def _grouped(
    rows: models.QuerySet[Any],
    grouping: Grouping | None,
    to_handout: str,
    since: datetime.datetime,
    aggregates: dict[str, Any],
) -> list[dict[str, Any]]:
    if grouping is None:
        return [{"group_key": None, "group_label": "", **rows.aggregate(**aggregates)}]
    label = grouping.label(to_handout, since)
    rows = rows.values(group_key=grouping.key(to_handout, since))
    rows = rows.annotate(group_label=label).values("group_key", "group_label")
    return list(rows.annotate(**aggregates))


def figures_by(
    since: datetime.datetime, until: datetime.datetime, grouping: Grouping | None
) -> list[Figures]:
    """The figures of the handouts issued from `since` up to `until`: one row per group, in
    the groups' order; without a grouping, the whole period's. Two queries: the handouts'
    counts, and their first opens."""
    counted = _grouped(
        Handout.objects.filter(issued_in(since, until)).order_by(),
        grouping,
        "",
        since,
        {
            "issued": Count("pk"),
            "links": Count("pk", filter=Q(pk__in=_events_since([Kind.LINK_CREATED], since))),
            "downloaded": Count(
                "pk", filter=Q(pk__in=_events_since([Kind.PATIENT_DOWNLOADED], since))
            ),
        },
    )
    wait = F("at") - F("handout__issued_at")
    opened = _grouped(
        first_opens(since, until),
        grouping,
        "handout__",
        since,
        {
            # Counted by handout_id, which the index holds, not by the events' own ids.
            "opened": Count("handout_id"),
            "opened_72h": Count(
                "handout_id", filter=Q(at__lt=F("handout__issued_at") + OPENED_WITHIN)
            ),
            "median_to_open": Median(wait),
        },
    )
    opens = {row.pop("group_key"): row for row in opened}
    figures = []
    for row in sorted(counted, key=lambda row: (row["group_key"] is None, row["group_key"])):
        key = row.pop("group_key")
        open_row = opens.get(key, {})
        open_row.pop("group_label", None)
        figures.append(Figures(key=key, label=row.pop("group_label"), **row, **open_row))
    return figures


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
