"""A line chart of a plan's open, completed and overdue items over time, as SVG text.

Server-rendered, no script; every value escaped; the numbers are also in the chart's
description for screen readers.
"""

from __future__ import annotations

from datetime import date
from html import escape

SERIES = (("open", "#1d4ed8"), ("completed", "#047857"), ("overdue", "#b91c1c"))
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 260, 44, 36, 16, 120


def trend_svg(points: list[tuple[date, dict[str, int]]]) -> str:
    peak = max((counts[name] for _, counts in points for name, _ in SERIES), default=0) or 1
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (span_x * i / (len(points) - 1) if len(points) > 1 else span_x / 2)

    def y(value: int) -> float:
        return TOP + span_y * (1 - value / peak)

    last = points[-1] if points else None
    summary = (
        f"As at {last[0].isoformat()}: "
        + ", ".join(f"{last[1][name]} {name}" for name, _ in SERIES)
        if last
        else "No data"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="t d">',
        '<title id="t">Open, completed and overdue items over time</title>',
        f'<desc id="d">{escape(summary)}; {len(points)} points from '
        f"{escape(points[0][0].isoformat()) if points else '-'}.</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{TOP + span_y}" x2="{LEFT + span_x}" y2="{TOP + span_y}" '
        'stroke="#374151"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + span_y}" stroke="#374151"/>',
    ]
    for tick in sorted({0, peak // 2, peak}):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#111827">{tick}</text>'
        )
    if points:
        for i in sorted({0, len(points) // 2, len(points) - 1}):
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" font-size="11" text-anchor="middle" '
                f'fill="#111827">{points[i][0]:%b %Y}</text>'
            )
    for row, (name, colour) in enumerate(SERIES):
        line = " ".join(f"{x(i):.1f},{y(c[name]):.1f}" for i, (_, c) in enumerate(points))
        if line:
            parts.append(
                f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        legend_y = TOP + 14 + row * 20
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" y1="{legend_y - 4}" x2="{WIDTH - RIGHT + 32}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="3"/>'
            f'<text x="{WIDTH - RIGHT + 38}" y="{legend_y}" font-size="12" fill="#111827">'
            f"{name}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
