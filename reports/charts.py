"""Charts drawn on the server as SVG geometry for the templates (templates/reports/includes/):
a weekly trend line and bars per condition. They plot the cells of the tables beside them, so a
hidden cell ("<5") is a gap in the line and a bar left out, never a number."""

import math
from dataclasses import dataclass

from reports.tables import HIDDEN

WIDTH = 400
LINE_HEIGHT = 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 12, 12, 36
MAX_X_LABELS = 6
BAR_ROW_HEIGHT = 44
BAR_THICKNESS = 14


def cell_value(cell: str) -> int | None:
    """A table cell as a number to plot; None for a hidden one."""
    return None if cell == HIDDEN else int(cell)


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2 or 5 times a power of ten, at least `value` (and at least 5)."""
    value = max(value, 5)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: list[Point]
    paths: list[str]  # one SVG path per unbroken run of shown values


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    series: list[Series]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def line_chart(x_labels: list[str], series: list[tuple[str, str, list[str]]]) -> LineChart:
    """`series`: (name, css class, cells) each, a cell per x label."""
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, LINE_HEIGHT - MARGIN_BOTTOM
    values = [[cell_value(cell) for cell in cells] for _, _, cells in series]
    top_value = nice_ceiling(max((v for row in values for v in row if v is not None), default=0))
    count = len(x_labels)

    def x_of(index: int) -> float:
        if count == 1:
            return (left + right) / 2
        return left + index * (right - left) / (count - 1)

    def y_of(value: int) -> float:
        return bottom - value * (bottom - top) / top_value

    drawn = []
    for (name, css_class, _), row in zip(series, values, strict=True):
        points = [
            Point(round(x_of(i), 1), round(y_of(v), 1), v)
            for i, v in enumerate(row)
            if v is not None
        ]
        paths: list[str] = []
        run: list[tuple[float, float]] = []
        for i, v in enumerate([*row, None]):
            if v is None:
                if len(run) > 1:
                    paths.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in run))
                run = []
            else:
                run.append((x_of(i), y_of(v)))
        drawn.append(Series(name, css_class, points, paths))
    every = max(1, math.ceil(count / MAX_X_LABELS))
    x_ticks = [Tick(round(x_of(i), 1), label) for i, label in enumerate(x_labels) if i % every == 0]
    y_ticks = [Tick(round(y_of(v), 1), str(v)) for v in (0, top_value // 2, top_value)]
    return LineChart(WIDTH, LINE_HEIGHT, left, right, top, bottom, drawn, y_ticks, x_ticks)


@dataclass(frozen=True)
class Bar:
    label: str
    y: float  # the top of the row: its label sits there, its bars below
    issued_width: float | None  # None: hidden
    opened_width: float | None
    issued: str
    opened: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_left: int
    thickness: int
    bars: list[Bar]


def bar_chart(rows: list[tuple[str, str, str]]) -> BarChart:
    """`rows`: (label, issued cell, opened cell) each; one row of bars per label."""
    issued = [cell_value(row[1]) for row in rows]
    top_value = nice_ceiling(max((v for v in issued if v is not None), default=0))
    span = WIDTH - MARGIN_RIGHT - 4

    def width_of(cell: str) -> float | None:
        value = cell_value(cell)
        return None if value is None else round(value * span / top_value, 1)

    bars = [
        Bar(label, index * BAR_ROW_HEIGHT, width_of(cells[0]), width_of(cells[1]), *cells)
        for index, (label, *cells) in enumerate(rows)
    ]
    return BarChart(WIDTH, max(len(rows), 1) * BAR_ROW_HEIGHT, 4, BAR_THICKNESS, bars)
