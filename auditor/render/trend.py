"""The trend chart of the HTML report: findings by severity and the matched ratio over
a history's runs, drawn as inline SVG (no script, no network, no font to load).

Two panels share the runs as their x axis, oldest left: the counted findings of
each severity as lines (left scale), and below them the share of source items
matched (0-100 %). Every point has a tooltip (an SVG ``<title>``) with the run's
time and numbers, and the chart has a text alternative for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from auditor.model import Severity, TrendPoint

WIDTH = 720
LEFT = 48
RIGHT = 16
COUNTS_TOP, COUNTS_HEIGHT = 24, 150
RATIO_TOP, RATIO_HEIGHT = 218, 70
HEIGHT = RATIO_TOP + RATIO_HEIGHT + 34

COLOURS = {
    Severity.ERROR: "#b3261e",
    Severity.WARNING: "#9a6700",
    Severity.INFO: "#1f6feb",
}
RATIO_COLOUR = "#1a7f37"
GRID = "#d0d7de"


GRIDLINES = 4
"""Intervals of the counts' scale."""


def scale_top(value: int) -> int:
    """The top of the counts' scale: four times 1, 2 or 5 times a power of ten, at least
    ``value`` (and 4), so that every gridline falls on a whole, round number."""
    power = 1
    while True:
        for step in (1, 2, 5):
            if GRIDLINES * step * power >= value:
                return GRIDLINES * step * power
        power *= 10


def _x(index: int, runs: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if runs == 1 else span * index / (runs - 1))


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _tooltip(p: TrendPoint) -> str:
    ratio = p.matched_ratio
    matched = f"{ratio:.1%} matched ({p.matched} of {p.source})" if ratio is not None else "-"
    return f"{p.generated_at}: {p.error} error, {p.warning} warning, {p.info} info; {matched}"


def summary(points: Sequence[TrendPoint]) -> str:
    """The chart in one sentence: its text alternative."""
    first, last = points[0], points[-1]
    return (
        f"{len(points)} runs from {first.generated_at} to {last.generated_at}: errors"
        f" {first.error} to {last.error}, warnings {first.warning} to {last.warning},"
        f" info {first.info} to {last.info}."
    )


def svg(points: Sequence[TrendPoint]) -> Markup:
    """The chart of ``points`` (oldest first) as an ``<svg>`` element. Every text in it
    is escaped: the times come from report files."""
    runs = len(points)
    top = scale_top(max(max(p.error, p.warning, p.info) for p in points))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="trend-title"'
        ' font-family="sans-serif" font-size="11">',
        f'<title id="trend-title">{escape(summary(points))}</title>',
        f'<text x="{LEFT}" y="14" font-weight="bold">Findings by severity</text>',
    ]
    # The counts' scale.
    for step in range(GRIDLINES + 1):
        label = str(top * step // GRIDLINES)
        y = COUNTS_TOP + COUNTS_HEIGHT * (1 - step / GRIDLINES)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"'
            f' stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for severity, colour in COLOURS.items():
        coords = [
            (_x(i, runs), COUNTS_TOP + COUNTS_HEIGHT * (1 - p.count(severity) / top))
            for i, p in enumerate(points)
        ]
        out.append(
            f'<polyline class="trend-{severity.value}" points="{_path(coords)}" fill="none"'
            f' stroke="{colour}" stroke-width="2"/>'
        )
        for (x, y), p in zip(coords, points, strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(_tooltip(p))}</title></circle>"
            )
    # The legend, right-aligned above the counts.
    legend_x = WIDTH - RIGHT - 3 * 90
    for i, (severity, colour) in enumerate(COLOURS.items()):
        x = legend_x + i * 90
        out.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="15">{severity.value}</text>'
        )
    out.append(f'<text x="{LEFT}" y="{RATIO_TOP - 10}" font-weight="bold">Matched</text>')
    for share in (0, 50, 100):
        y = RATIO_TOP + RATIO_HEIGHT * (1 - share / 100)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"'
            f' stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{share}%</text>'
        )
    ratios = [
        (_x(i, runs), RATIO_TOP + RATIO_HEIGHT * (1 - ratio), p)
        for i, p in enumerate(points)
        if (ratio := p.matched_ratio) is not None
    ]
    if ratios:
        out.append(
            f'<polyline class="trend-matched" points="{_path([(x, y) for x, y, _ in ratios])}"'
            f' fill="none" stroke="{RATIO_COLOUR}" stroke-width="2"/>'
        )
        for x, y, p in ratios:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{RATIO_COLOUR}">'
                f"<title>{escape(_tooltip(p))}</title></circle>"
            )
    # The runs' times under the x axis: the first and the last.
    baseline = RATIO_TOP + RATIO_HEIGHT + 18
    out.append(f'<text x="{LEFT}" y="{baseline}">{escape(points[0].generated_at)}</text>')
    if runs > 1:
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="{baseline}" text-anchor="end">'
            f"{escape(points[-1].generated_at)}</text>"
        )
    out.append("</svg>")
    return Markup("\n".join(out))
