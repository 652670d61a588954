"""Charts for reports (matplotlib, Agg backend: no display needed).

Each chart function returns the image bytes *and* the data it plotted, read back from the
matplotlib artists, so tests assert what is on the chart rather than pixels.
"""

from __future__ import annotations

import io

import numpy as np
from dataclasses import dataclass, field

from ..core.money import to_decimal

PEER_COLOR = "#c2410c"  # the peer role: the one bar in colour
INTERNAL_COLOR = "#8c8c8c"  # comparators in the organisation: grey
EXTERNAL_COLOR = "#cfcfcf"  # external reference rows: light grey, hatched
REFERENCE_COLOR = "#1d4ed8"


@dataclass
class ChartData:
    bars: list[dict] = field(default_factory=list)  # label, value, color, hatch, text (bottom to top)
    reference_line: dict | None = None  # label, value (the first line)
    lines: list[dict] = field(default_factory=list)  # every line: label, value
    title: str = ""
    xlabel: str = ""


@dataclass
class Bar:
    """One bar of a chart model: what it shows, not how it is drawn."""

    label: str
    value: float
    highlight: bool = False  # the peer group: the one bar in colour
    external: bool = False  # a public reference row (BLS), or a secondary series: light grey, hatched in PNG
    text: str = ""  # the figure printed beside the bar
    band: tuple[int, int] | None = None  # a banded figure: [low, high) dollars; the bar's value is high


@dataclass
class ChartModel:
    """The one chart model (issue 10): horizontal bars and labelled vertical lines.

    Drawn by :func:`draw` (PNG/SVG through matplotlib) and :func:`peerpay.io.html.chart_svg`
    (inline SVG for pages); built by :func:`gap_chart_model` (gap, fact sheet) and
    ``cli/cost.gap_chart_model`` (the gap before and after each proposal).
    """

    title: str
    xlabel: str
    bars: list[Bar]  # top to bottom
    lines: list[dict] = field(default_factory=list)  # label, value, kind ("poverty", "housing", "minimum_wage", "user")
    money: bool = True  # values are dollars (gridlines "$10"); else plain numbers


def gap_chart_model(report: dict, reference_line=None, label=None) -> ChartModel:
    """The gap report as a chart model: shown groups' medians (the banded peer group as its band),
    sorted descending; ``label`` turns a group into its bar label (default: the role key, with
    " (external)" for a reference row)."""
    key = "median_annual" if report["basis"] == "annual" else "median_hourly"
    label = label or (lambda g: g["role"] + (" (external)" if g.get("source") == "external" else ""))
    bars = []
    for g in report["groups"]:
        band: tuple[int, int] | None = None
        if g.get("peer_median_band"):
            low, high = g["peer_median_band"].lstrip("$").split("–")
            band = (int(low), int(high))
        if band is None and (g.get("suppressed") or g.get(key) is None):
            continue
        peer = g["role"] == report["peer_role"]
        value = float(band[1]) if band else g[key]
        gap = g.get("gap_median_pct")
        money = f"${value:,.0f}" if report["basis"] == "annual" else f"${value:,.2f}"
        if band:
            text = f"{g['peer_median_band']} (band)"
        else:
            text = money if peer else f"{money}  ({'gap ' + format(gap, '.1f') + '%' if gap is not None else 'gap n/a'})"
        bars.append(Bar(label(g), value, peer, g.get("source") == "external", text, band))
    bars.sort(key=lambda b: (-b.value, b.label))
    lines = [{"label": x.label, "value": float(x.hourly), "kind": x.kind} if hasattr(x, "hourly")
             else {"label": x[0], "value": float(x[1]), "kind": "user"} if isinstance(x, tuple)
             else {"label": x["label"], "value": float(x["hourly"]), "kind": x.get("kind", "user")}
             for x in _line_items(reference_line)]
    unit = "USD per year" if report["basis"] == "annual" else "USD per hour"
    return ChartModel(f"Median pay by role vs {report['peer_role']} ({report['basis']}, as of {report.get('as_of', '')})",
                      f"median, {unit}; gap % = (role - peer) / role", bars, lines)


def _line_items(reference_line) -> list:
    if not reference_line:
        return []
    if isinstance(reference_line, tuple) and len(reference_line) == 2 and isinstance(reference_line[0], str):
        return [reference_line]
    return list(reference_line)


def draw(model: ChartModel, fmt: str = "png") -> tuple[bytes, ChartData]:
    """A chart model as PNG or SVG (matplotlib); returns the image and the data read back from it."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    bars = list(reversed(model.bars))  # matplotlib draws bottom to top
    fig = Figure(figsize=(9, 0.45 * max(len(bars), 3) + 1.6), dpi=110)
    ax = fig.add_subplot()
    ys = list(range(len(bars)))
    colors = [PEER_COLOR if b.highlight else EXTERNAL_COLOR if b.external else INTERNAL_COLOR for b in bars]
    ax.barh(ys, [b.value for b in bars], color=colors, edgecolor="#555555", linewidth=0.4)
    for patch, b in zip(ax.patches, bars):
        patch.set_hatch("//" if b.external else ("xx" if b.band else ""))
    ax.set_yticks(ys, [b.label for b in bars])
    top = max([b.value for b in bars] + [d["value"] for d in model.lines] + [0]) or 1
    for y, b in zip(ys, bars):
        ax.text(b.value + top * 0.01, y, b.text, va="center", fontsize=8)
    for k, d in enumerate(model.lines):
        ax.axvline(d["value"], color=REFERENCE_COLOR, linestyle="--", linewidth=1.2, label=d["label"])
        ax.text(d["value"], len(bars) - 0.4 - 0.45 * k, f" {d['label']} " + (f"${d['value']:,.2f}" if model.money else f"{d['value']:,.1f}"),
                color=REFERENCE_COLOR, fontsize=8)
    low = min([b.value for b in bars] + [0])
    ax.set_xlim(low * 1.3, top * 1.3)
    ax.set_title(model.title, fontsize=10)
    ax.set_xlabel(model.xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    first = (model.lines[0]["label"], model.lines[0]["value"]) if model.lines else None
    data = _read_back(ax, first)
    data.lines = [{"label": ln.get_label(), "value": float(np.asarray(ln.get_xdata())[0])} for ln in ax.get_lines()]
    data.title, data.xlabel = model.title, ax.get_xlabel()
    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue(), data


def parse_reference_line(text: str) -> tuple[str, float]:
    """``'Living wage=24.50'`` -> ("Living wage", 24.5); a bare number gets the label "reference"."""
    label, sep, value = text.rpartition("=")
    if not sep:
        label, value = "reference", text
    try:
        amount = to_decimal(value)
    except ValueError:
        raise ValueError(f"--reference-line {text!r}: expected LABEL=AMOUNT, e.g. 'Living wage=24.50'") from None
    return (label.strip() or "reference"), float(amount)


def gap_chart(report: dict, fmt: str = "png", reference_line=None) -> tuple[bytes, ChartData]:
    """Horizontal bars of median pay by role, the peer role highlighted; returns (image, data).

    ``reference_line``: one (label, value) pair or a list of them (or of ReferenceLines); the
    first is ``data.reference_line``, all are ``data.lines``.
    """
    return draw(gap_chart_model(report, reference_line), fmt)


def _read_back(ax, reference_line) -> ChartData:
    """The bars, colours, labels and line as drawn (not as intended)."""
    from matplotlib.colors import to_hex

    labels = [t.get_text() for t in ax.get_yticklabels()]
    texts = [t.get_text() for t in ax.texts]
    bars = [
        {"label": lab, "value": float(p.get_width()), "color": to_hex(p.get_facecolor()), "hatch": p.get_hatch() or "", "text": txt}
        for lab, p, txt in zip(labels, ax.patches, texts)
    ]
    line = None
    if reference_line:
        ln = ax.get_lines()[0]
        line = {"label": ln.get_label(), "value": float(ln.get_xdata()[0])}
    return ChartData(bars=bars, reference_line=line)
