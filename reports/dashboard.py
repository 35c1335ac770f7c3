"""The engagement dashboard of a period: its tables and charts, from reports.engagement."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.dates import short_date
from reports.charts import BarChart, LineChart, bar_chart, line_chart
from reports.engagement import GROUPINGS, Figures, figures_by, teach_back
from reports.forms import Period
from reports.tables import (
    Table,
    delivery_label,
    figures_table,
    language_label,
    teach_back_table,
    week_label,
)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    total: Figures
    tables: dict[str, Table]  # by slug, in the page's order
    trend: LineChart
    by_condition: BarChart


def mondays(period: Period) -> list[datetime.date]:
    """The Monday of every week the period touches."""
    first = period.first_day - datetime.timedelta(days=period.first_day.weekday())
    weeks = (period.last_day - first).days // 7 + 1
    return [first + datetime.timedelta(weeks=n) for n in range(weeks)]


def every_week(period: Period, weeks: list[Figures]) -> list[Figures]:
    """A row for every week of the period, those without handouts too (a line with no gap
    where nothing was issued)."""
    found = {_as_date(figures.key): figures for figures in weeks}
    return [found.get(monday, Figures(key=monday, label=monday)) for monday in mondays(period)]


def _as_date(value: datetime.datetime | datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def build_dashboard(period: Period) -> Dashboard:
    since, until = period.since, period.until
    (total,) = figures_by(since, until, None)
    weeks = every_week(period, figures_by(since, until, GROUPINGS["weeks"]))
    conditions = sorted(
        figures_by(since, until, GROUPINGS["conditions"]), key=lambda f: (-f.issued, f.label)
    )
    tables = {
        "weeks": figures_table(
            "weeks", _("Week by week"), _("Week of"), weeks, week_label, total=total
        ),
        "conditions": figures_table(
            "conditions", _("By condition"), _("Condition"), conditions, str
        ),
        "clinicians": figures_table(
            "clinicians",
            _("By clinician"),
            _("Clinician"),
            figures_by(since, until, GROUPINGS["clinicians"]),
            str,
        ),
        "languages": figures_table(
            "languages",
            _("By language"),
            _("Language"),
            figures_by(since, until, GROUPINGS["languages"]),
            language_label,
        ),
        "delivery": figures_table(
            "delivery",
            _("By delivery way"),
            _("Delivery way"),
            figures_by(since, until, GROUPINGS["delivery"]),
            delivery_label,
        ),
        "teach_back": teach_back_table(teach_back(since, until)),
    }
    return Dashboard(
        period=period,
        total=total,
        tables=tables,
        trend=trend_chart(tables["weeks"], weeks),
        by_condition=condition_chart(tables["conditions"]),
    )


# The tables' columns the charts plot.
ISSUED, OPENED = 1, 3


def trend_chart(table: Table, weeks: list[Figures]) -> LineChart:
    labels = [short_date(_as_date(week.key)) for week in weeks]
    return line_chart(
        labels,
        [
            (str(_("Handouts issued")), "series-issued", [row[ISSUED] for row in table.rows]),
            (str(_("Opened")), "series-opened", [row[OPENED] for row in table.rows]),
        ],
    )


def condition_chart(table: Table) -> BarChart:
    return bar_chart([(row[0], row[ISSUED], row[OPENED]) for row in table.rows])
