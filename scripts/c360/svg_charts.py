"""Small SVG charts for the HTML report: bars (grouped or stacked, vertical
or horizontal) and lines. Plain SVG text, no script and no external file, so
a report opens offline in any browser.

Every data mark (a bar, a point) carries class ``mark`` and a ``<title>``
with its label and value, so a test or a reader can count and read them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#2f6f9f", "#e07b39", "#4c9a5b", "#c0504d", "#8064a2", "#9a8b3d", "#3fa7b5", "#7f7f7f")
WIDTH, HEIGHT = 640, 300
MARGIN = {"left": 64, "right": 16, "top": 16, "bottom": 64}


def _number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = (low // step) * step
    ticks, value = [], start
    while value <= high + step * 0.001:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _legend(names: Sequence[str], y: float) -> list[str]:
    parts, x = [], MARGIN["left"]
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def _svg(parts: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{escape(label)}" font-family="sans-serif">'
            + "".join(parts) + "</svg>")


def bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, label: str, stacked: bool = False,
         horizontal: bool = False, fmt: Callable[[float], str] = _number) -> str:
    """Bars per label, one per series side by side (or stacked)."""
    names = list(series)
    values = [[float(series[name][i] or 0) for name in names] for i in range(len(labels))]
    top = max([sum(v) if stacked else max(v, default=0) for v in values] or [0]) or 1
    ticks = _ticks(0, top)
    top = ticks[-1]
    left, right, upper, lower = MARGIN["left"], WIDTH - MARGIN["right"], MARGIN["top"], HEIGHT - MARGIN["bottom"]
    if horizontal:
        left = 150
    parts: list[str] = []
    band = ((lower - upper) if horizontal else (right - left)) / max(len(labels), 1)
    per = 1 if stacked else len(names)
    thickness = band * 0.8 / per
    for tick in ticks:
        if horizontal:
            x = left + (right - left) * tick / top
            parts.append(f'<line x1="{x:.1f}" y1="{upper}" x2="{x:.1f}" y2="{lower}" stroke="#ddd"/>'
                         f'<text x="{x:.1f}" y="{lower + 14}" font-size="10" text-anchor="middle">{fmt(tick)}</text>')
        else:
            y = lower - (lower - upper) * tick / top
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ddd"/>'
                         f'<text x="{left - 6}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{fmt(tick)}</text>')
    for i, name in enumerate(labels):
        offset = 0.0
        for j, value in enumerate(values[i]):
            size = (((right - left) if horizontal else (lower - upper)) * value / top)
            slot = band * i + band * 0.1 + (0 if stacked else j * thickness)
            colour = PALETTE[j % len(PALETTE)]
            title = f"<title>{escape(str(name))}{' · ' + escape(names[j]) if len(names) > 1 else ''}: " \
                    f"{escape(fmt(value))}</title>"
            if horizontal:
                x, y, w, h = left + offset, upper + slot, size, thickness
            else:
                x, y, w, h = left + slot, lower - offset - size, thickness, size
            parts.append(f'<rect class="mark" data-value="{value}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
                         f'height="{h:.1f}" fill="{colour}">{title}</rect>')
            if stacked:
                offset += size
        if horizontal:
            parts.append(f'<text x="{left - 6}" y="{upper + band * (i + 0.5) + 4:.1f}" font-size="11" '
                         f'text-anchor="end">{escape(str(name))}</text>')
        else:
            x = left + band * (i + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{lower + 14}" font-size="10" text-anchor="end" '
                         f'transform="rotate(-30 {x:.1f} {lower + 14})">{escape(str(name))}</text>')
    parts.append(f'<line x1="{left}" y1="{lower}" x2="{right}" y2="{lower}" stroke="#333"/>')
    if len(names) > 1:
        parts += _legend(names, HEIGHT - 6)
    return _svg(parts, label)


def lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], *, label: str,
          low: float | None = None, high: float | None = None, fmt: Callable[[float], str] = _number) -> str:
    """One line per series over ``labels`` (gaps where a value is None)."""
    known = [float(v) for values in series.values() for v in values if v is not None]
    ticks = _ticks(min(known + ([low] if low is not None else [])) if known else 0,
                   max(known + ([high] if high is not None else [])) if known else 1)
    bottom, top = ticks[0], ticks[-1]
    left, right, upper, lower = MARGIN["left"], WIDTH - MARGIN["right"], MARGIN["top"], HEIGHT - MARGIN["bottom"]
    parts: list[str] = []
    step = (right - left) / max(len(labels) - 1, 1)

    def y_of(value: float) -> float:
        return lower - (lower - upper) * (value - bottom) / ((top - bottom) or 1)

    for tick in ticks:
        parts.append(f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{right}" y2="{y_of(tick):.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y_of(tick) + 3:.1f}" font-size="10" text-anchor="end">'
                     f"{fmt(tick)}</text>")
    every = max(1, len(labels) // 12)
    for i, name in enumerate(labels):
        if i % every == 0:
            x = left + step * i
            parts.append(f'<text x="{x:.1f}" y="{lower + 14}" font-size="10" text-anchor="end" '
                         f'transform="rotate(-30 {x:.1f} {lower + 14})">{escape(str(name))}</text>')
    for j, (name, values) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        path, pen = [], "M"
        for i, value in enumerate(values):
            if value is None:
                pen = "M"
                continue
            path.append(f"{pen}{left + step * i:.1f},{y_of(float(value)):.1f}")
            pen = "L"
            parts.append(f'<circle class="mark" data-value="{value}" cx="{left + step * i:.1f}" '
                         f'cy="{y_of(float(value)):.1f}" r="2.5" fill="{colour}"><title>{escape(str(labels[i]))} · '
                         f"{escape(name)}: {escape(fmt(float(value)))}</title></circle>")
        parts.insert(0, f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    parts.append(f'<line x1="{left}" y1="{lower}" x2="{right}" y2="{lower}" stroke="#333"/>')
    parts += _legend(list(series), HEIGHT - 6)
    return _svg(parts, label)
