"""The dashboard's tables: what the page, its charts and its CSV downloads all show, with
small cells hidden, so that no one can be singled out and every view agrees."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.dates import short_date
from reports.engagement import DeliveryWay, Figures, TeachBack

# Fewer patients than this in a cell, and the cell shows HIDDEN instead of the count.
SMALL_CELL = 5
HIDDEN = "<5"


def count_cell(count: int) -> str:
    return HIDDEN if 0 < count < SMALL_CELL else str(count)


def hidden(count: int) -> bool:
    return 0 < count < SMALL_CELL


def median_cell(figures: Figures) -> str:
    """The median wait in hours, from at least SMALL_CELL opened handouts; none opened: ""."""
    if figures.median_to_open is None:
        return ""
    if figures.opened < SMALL_CELL:
        return HIDDEN
    return f"{figures.median_to_open / datetime.timedelta(hours=1):.1f}"


FIGURE_COLUMNS = [
    _("Handouts issued"),
    _("Patient link created"),
    _("Opened"),
    _("Opened within 72 hours"),
    _("Downloaded"),
    _("Median hours to first open"),
]


def figure_cells(figures: Figures) -> list[str]:
    counts = [
        figures.issued,
        figures.links,
        figures.opened,
        figures.opened_72h,
        figures.downloaded,
    ]
    return [count_cell(count) for count in counts] + [median_cell(figures)]


@dataclass(frozen=True)
class Table:
    slug: str
    caption: Any
    first_column: Any
    columns: list[Any]
    rows: list[list[str]]  # each: its label, then a cell per column
    total: list[str] | None = None  # the whole period's row, if the table has one


def figures_table(
    slug: str,
    caption: Any,
    first_column: Any,
    groups: list[Figures],
    label: Callable[[Any], str],
    total: Figures | None = None,
) -> Table:
    rows = [[label(group.label), *figure_cells(group)] for group in groups]
    total_row = [str(_("Whole period")), *figure_cells(total)] if total else None
    return Table(slug, caption, first_column, FIGURE_COLUMNS, rows, total_row)


def week_label(week: datetime.datetime | datetime.date) -> str:
    """The week's Monday, under the column "Week of"."""
    return short_date(_as_date(week), with_year=True)


def _as_date(value: datetime.datetime | datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def language_label(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def delivery_label(way: str) -> str:
    return str(DeliveryWay(way).label)


def teach_back_table(buckets: TeachBack) -> Table:
    rows = [
        [str(_("Understood on the first try")), count_cell(buckets.first_try)],
        [str(_("Understood after re-reading")), count_cell(buckets.after_rereading)],
        [str(_("Not answered")), count_cell(buckets.unanswered)],
    ]
    return Table(
        "teach_back",
        _("Did patients understand? Answers to the check questions"),
        _("Answer"),
        [_("Handouts")],
        rows,
    )
