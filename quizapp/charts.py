"""Geometry for the server-rendered SVG charts; templates draw what these return."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from quizapp.facts import FactDate

SERIES = ("new", "learning", "young", "mature")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


def bar_chart(values: list[int], labels: list[str], width: int = 640, height: int = 160,
              label_every: int = 5) -> dict:
    """Vertical bars scaled to the largest value, with every n-th label shown."""
    top = max(values, default=0) or 1
    plot = height - 20
    step = width / max(len(values), 1)
    bars = [Bar(x=i * step + 1, y=plot - v / top * plot, width=max(step - 2, 1), height=v / top * plot,
                value=v, label=label, show_label=i % label_every == 0)
            for i, (v, label) in enumerate(zip(values, labels, strict=True))]
    return {"bars": bars, "width": width, "height": height, "top": top, "plot": plot}


def stacked_bars(rows: list[tuple[str, list[int]]], width: int = 640, row_height: int = 26) -> dict:
    """Horizontal bars, one per row, split into the ``SERIES`` segments."""
    label_width = 0.38 * width
    usable = width - label_width - 10
    out = []
    for i, (label, values) in enumerate(rows):
        total = sum(values) or 1
        x = label_width
        segments = []
        for name, v in zip(SERIES, values, strict=True):
            w = v / total * usable
            segments.append({"series": name, "x": x, "width": w, "value": v})
            x += w
        out.append({"label": label, "y": i * row_height, "segments": segments, "total": sum(values)})
    return {"rows": out, "width": width, "height": max(len(rows), 1) * row_height, "label_width": label_width,
            "bar_height": row_height - 8}


def timeline(points: list[tuple[str, str]], start_year: int, end_year: int, width: int = 640,
             height: int = 60) -> dict:
    """Dated events placed on an axis from ``start_year`` to ``end_year`` (ISO dates, any precision)."""
    first = dt.date(start_year, 1, 1).toordinal()
    span = dt.date(end_year, 12, 31).toordinal() - first or 1
    margin = 8
    placed = []
    for iso, label in sorted(points):
        date = FactDate.parse(iso)
        day = dt.date.fromordinal((date.first_day.toordinal() + date.last_day.toordinal()) // 2)
        x = margin + (day.toordinal() - first) / span * (width - 2 * margin)
        lane = sum(1 for p in placed if abs(p["x"] - x) < 6) % 3
        placed.append({"x": round(x, 1), "y": 18 + lane * 9, "date": iso, "label": label})
    years = end_year - start_year + 1
    every = next(n for n in (1, 2, 5, 10, 20, 25, 50, 100) if years / n <= 8)
    ticks = [{"x": round(margin + (dt.date(y, 1, 1).toordinal() - first) / span * (width - 2 * margin), 1),
              "year": y} for y in range(start_year, end_year + 1) if y % every == 0]
    return {"points": placed, "ticks": ticks, "width": width, "height": height}


def workload_chart(rows: list[list[float]], current: float | None = None, suggested: float | None = None,
                   width: int = 640, height: int = 220) -> dict:
    """Minutes of study a day and cards memorised against desired retention, each on its own scale.

    ``rows`` are [retention, reviews/day, minutes/day, memorised]; the learner's setting and the
    suggested retention are marked where they fall inside the simulated range.
    """
    left, right, top, bottom = 40, 48, 10, 28
    low, high = rows[0][0], rows[-1][0]
    minutes_top = max(r[2] for r in rows) or 1
    memorised_top = max(r[3] for r in rows) or 1

    def x(retention: float) -> float:
        return round(left + (retention - low) / ((high - low) or 1) * (width - left - right), 1)

    def y(value: float, scale: float) -> float:
        return round(top + (1 - value / scale) * (height - top - bottom), 1)

    def mark(value: float | None) -> float | None:
        return x(value) if value is not None and low <= value <= high else None

    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "base": height - bottom,
            "minutes": " ".join(f"{x(r[0])},{y(r[2], minutes_top)}" for r in rows),
            "memorised": " ".join(f"{x(r[0])},{y(r[3], memorised_top)}" for r in rows),
            "ticks": [{"x": x(r[0]), "label": f"{r[0]:.2f}"} for r in rows],
            "minutes_top": round(minutes_top, 1), "memorised_top": round(memorised_top),
            "current": mark(current), "suggested": mark(suggested)}
