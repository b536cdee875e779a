"""Bar charts as server-side SVG: no JavaScript, nothing from a CDN.

Each chart is an accessible image (role="img" with a title); the page shows the same
numbers in a table beside it (templates/_macros/charts.html).
"""

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 180
COLUMN_CHART_HEIGHT = 220


def _fmt(value: float) -> str:
    return f"{value:g}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_max(value: float) -> float:
    """Return a round axis maximum at or above value."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return value


def _ticks(top: float, *, counts: bool) -> tuple[float, ...]:
    """Return the value axis ticks: 0, the middle and the top; counts get whole numbers only
    (a middle of 2.5 books is left out)."""
    middle = top / 2
    if counts and not float(middle).is_integer():
        return (0, top)
    return (0, middle, top)


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, testid: str = "") -> Markup:
    """Return a horizontal bar chart (one bar per labelled value) as inline SVG."""
    items = list(items)
    height = max(1, len(items)) * (BAR_HEIGHT + 6) + 10
    top = _nice_max(max((v for _l, v in items), default=0))
    span = WIDTH - LABEL_WIDTH - 60
    parts = [_open(title, WIDTH, height, testid, "chart-bars")]
    for i, (label, value) in enumerate(items):
        y = 5 + i * (BAR_HEIGHT + 6)
        w = span * value / top if top else 0
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.1f}" '
            f'text-anchor="end">{escape(_short(str(label), 24))}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" '
            f'height="{BAR_HEIGHT}"><title>{escape(str(label))}: {_fmt(value)}</title></rect>'
            f'<text class="chart-value" x="{LABEL_WIDTH + w + 6:.1f}" '
            f'y="{y + BAR_HEIGHT * 0.7:.1f}">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 (every text above is escaped)


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    testid: str = "",
) -> Markup:
    """Return a vertical column chart over time (one or more series side by side)."""
    labels = list(labels)
    height = COLUMN_CHART_HEIGHT
    left, bottom, top_pad = 40, 40, 10
    plot_h = height - bottom - top_pad
    plot_w = WIDTH - left - 10
    top = _nice_max(max((v for _n, values in series for v in values), default=0))
    slot = plot_w / max(1, len(labels))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    parts = [_open(title, WIDTH, height, testid, "chart-columns")]
    for tick in _ticks(top, counts=all(float(v).is_integer() for _n, vs in series for v in vs)):
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{left - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_fmt(tick)}</text>'
        )
    every = max(1, len(labels) // 12)  # at most about 12 axis labels
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        for s, (name, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / top
            parts.append(
                f'<rect class="chart-bar chart-series-{s}" x="{x0 + s * bar_w:.1f}" '
                f'y="{top_pad + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(str(label))} · {escape(str(name))}: {_fmt(value)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text class="chart-axis" x="{left + i * slot + slot / 2:.1f}" '
                f'y="{height - bottom + 16}" text-anchor="middle">{escape(str(label))}</text>'
            )
    if len(series) > 1:
        for s, (name, _values) in enumerate(series):
            x = left + s * 140
            parts.append(
                f'<rect class="chart-bar chart-series-{s}" x="{x}" y="{height - 14}" '
                f'width="10" height="10"/><text class="chart-axis" x="{x + 14}" '
                f'y="{height - 5}">{escape(str(name))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 (every text above is escaped)


def _open(title: str, width: int, height: int, testid: str, kind: str) -> str:
    ident = f"chart-{abs(hash((title, testid))) % 10**8}"
    test = f' data-testid="{escape(testid)}"' if testid else ""
    return (
        f'<svg class="chart {kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMinYMin meet"{test}>'
        f'<title id="{ident}">{escape(str(title))}</title>'
    )
