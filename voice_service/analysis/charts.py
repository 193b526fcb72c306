"""Server-rendered SVG charts: no JavaScript, readable without colour, each with words and a table.

Every chart comes with:
* an SVG with role="img", a <title> and a <desc> (what a screen reader announces),
* a one-sentence text summary to print above it (what the chart says, in words),
* the same figures as a table (headers and rows of strings) to show under it,
* direct text labels on every bar, point and line, and shapes and dash patterns as well as
  colour, so nothing is told by colour alone. Colours are GOV.UK palette colours with at least
  3:1 contrast against white.

Hidden (suppressed) values draw nothing and are labelled "[c]" in the chart and the table.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SUPPRESSED_MARK = "[c]"
# (colour, dash pattern, marker) per series: distinguishable in greyscale and by shape.
SERIES_STYLES = (
    ("#1d70b8", "", "circle"),
    ("#d4351c", "8 4", "square"),
    ("#00703c", "2 4", "triangle"),
    ("#4c2c92", "12 4 2 4", "diamond"),
    ("#0b0c0c", "4 2", "circle"),
    ("#912b88", "1 3", "square"),
)
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
FONT = "font-family=\"Arial, Helvetica, sans-serif\""


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    svg: Markup
    table_head: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]


def count(value: float) -> str:
    return f"{int(value):,}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _show(value: float | None, fmt: Callable[[float], str]) -> str:
    return SUPPRESSED_MARK if value is None else fmt(value)


def _svg_open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}" {FONT} font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, float | None]], *,
              fmt: Callable[[float], str] = count, value_heading: str = "Number",
              label_heading: str = "", max_value: float | None = None, summary: str | None = None) -> Chart:
    """Horizontal bars, one per (label, value), each labelled with its value."""
    items = list(items)
    shown = [v for _, v in items if v is not None]
    top = max_value if max_value is not None else (max(shown) if shown else 0)
    if summary is None:
        summary = _bar_summary(title, items, fmt)
    label_w, bar_w, row_h, pad = 260, 330, 28, 8
    width, height = label_w + bar_w + 80, pad * 2 + row_h * max(len(items), 1)
    parts = _svg_open(chart_id, title, summary, width, height)
    for k, (label, value) in enumerate(items):
        y = pad + k * row_h
        text_y = y + row_h / 2 + 5
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{text_y:.0f}" text-anchor="end" fill="{TEXT_COLOUR}">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{text_y:.0f}" fill="{TEXT_COLOUR}" font-style="italic">'
                         f'{SUPPRESSED_MARK} hidden</text>')
            continue
        w = 0 if top <= 0 else bar_w * value / top
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{BAR_COLOUR}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{text_y:.0f}" fill="{TEXT_COLOUR}">{escape(fmt(value))}</text>')
    if not items:
        parts.append(f'<text x="8" y="{height / 2 + 5:.0f}" fill="{TEXT_COLOUR}">No data</text>')
    parts.append("</svg>")
    rows = tuple((label, _show(value, fmt)) for label, value in items)
    return Chart(chart_id, title, summary, Markup("".join(parts)), (label_heading, value_heading), rows)


def _bar_summary(title: str, items, fmt) -> str:
    shown = [(label, v) for label, v in items if v is not None]
    hidden = len(items) - len(shown)
    if not shown:
        return f"{title}: every figure is hidden to protect privacy, because the numbers are small."
    label, value = max(shown, key=lambda kv: kv[1])
    text = f"{title}: the highest is {label} ({fmt(value)})"
    if len(shown) > 1:
        low_label, low_value = min(shown, key=lambda kv: kv[1])
        text += f" and the lowest{' shown' if hidden else ''} is {low_label} ({fmt(low_value)})"
    if hidden:
        text += f"; {hidden} {'figure is' if hidden == 1 else 'figures are'} hidden to protect privacy"
    return text + "."


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    if shape == "triangle":
        return f'<polygon points="{x:.1f},{y - 6:.1f} {x + 5.5:.1f},{y + 4:.1f} {x - 5.5:.1f},{y + 4:.1f}" fill="{colour}"/>'
    if shape == "diamond":
        return f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'


def line_chart(chart_id: str, title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
               fmt: Callable[[float], str] = count, max_value: float | None = None, x_heading: str = "Month",
               summary: str | None = None) -> Chart:
    """Lines over `x_labels`, one per (name, values); a hidden value breaks its line."""
    x_labels = list(x_labels)
    series = [(name, list(values)) for name, values in series][: len(SERIES_STYLES)]
    shown = [v for _, values in series for v in values if v is not None]
    top = max_value if max_value is not None else (max(shown) if shown else 1) or 1
    if summary is None:
        summary = _line_summary(title, x_labels, series, fmt)
    left, right, top_pad, bottom = 60, 190, 20, 60
    plot_w = max(80 * max(len(x_labels) - 1, 1), 320)
    plot_h = 220
    width, height = left + plot_w + right, top_pad + plot_h + bottom
    parts = _svg_open(chart_id, title, summary, width, height)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (plot_w * i / max(len(x_labels) - 1, 1))
        return x, top_pad + plot_h - plot_h * v / top

    for frac in (0, 0.5, 1):  # light grid with its value labels
        y = top_pad + plot_h - plot_h * frac
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" fill="{TEXT_COLOUR}" font-size="12">{escape(fmt(top * frac))}</text>')
    for i, label in enumerate(x_labels):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 20}" text-anchor="middle" fill="{TEXT_COLOUR}" font-size="12">{escape(_short_month(label))}</text>')
    end_labels: list[tuple[float, str]] = []
    for (name, values), (colour, dash, shape) in zip(series, SERIES_STYLES):
        runs, run = [], []
        for i, v in enumerate(values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(xy(i, v))
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in r)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>')
            for x, y in r:
                parts.append(_marker(shape, x, y, colour))
        last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None), None)
        if last is not None:  # the series named at its last point, with its value
            end_labels.append((xy(*last)[1], f"{name} {fmt(last[1])}"))
    placed = -1e9
    for y, label in sorted(end_labels):  # names at the right, moved apart so none overlap
        y = max(y, placed + 18)
        placed = y
        parts.append(f'<text x="{left + plot_w + 10}" y="{y + 5:.1f}" fill="{TEXT_COLOUR}">{escape(label)}</text>')
    if any(v is None for _, values in series for v in values):
        parts.append(f'<text x="{left}" y="{height - 10}" fill="{TEXT_COLOUR}" font-size="12">'
                     f'Gaps: {SUPPRESSED_MARK} figures hidden to protect privacy</text>')
    parts.append("</svg>")
    head = (x_heading, *(name for name, _ in series))
    rows = tuple((label, *(_show(values[i], fmt) for _, values in series)) for i, label in enumerate(x_labels))
    return Chart(chart_id, title, summary, Markup("".join(parts)), head, rows)


def _short_month(label: str) -> str:
    parts = label.split()
    return f"{parts[0][:3]} {parts[1][2:]}" if len(parts) == 2 and parts[1].isdigit() else label


def _line_summary(title: str, x_labels, series, fmt) -> str:
    bits = []
    for name, values in series:
        known = [(x_labels[i], v) for i, v in enumerate(values) if v is not None]
        if len(known) >= 2:
            (x0, v0), (x1, v1) = known[0], known[-1]
            direction = "rose" if v1 > v0 else "fell" if v1 < v0 else "stayed"
            if direction == "stayed":
                bits.append(f"{name} stayed at {fmt(v1)} from {x0} to {x1}")
            else:
                bits.append(f"{name} {direction} from {fmt(v0)} in {x0} to {fmt(v1)} in {x1}")
        elif len(known) == 1:
            bits.append(f"{name} was {fmt(known[0][1])} in {known[0][0]}")
    if not bits:
        return f"{title}: every figure is hidden to protect privacy, because the numbers are small."
    hidden = sum(1 for _, values in series for v in values if v is None)
    text = f"{title}: " + "; ".join(bits)
    if hidden:
        text += f" ({hidden} {'figure' if hidden == 1 else 'figures'} hidden to protect privacy)"
    return text + "."
