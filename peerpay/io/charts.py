"""Charts for reports (matplotlib, Agg backend: no display needed).

Each chart function returns the image bytes *and* the data it plotted, read back from the
matplotlib artists, so tests assert what is on the chart rather than pixels.
"""

from __future__ import annotations

import io
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


def gap_bars(report: dict) -> list[dict]:
    """What the gap chart plots, bottom to top (ascending median): unsuppressed groups only."""
    key = "median_annual" if report["basis"] == "annual" else "median_hourly"
    bars = []
    for g in report["groups"]:
        if g.get("suppressed") or g.get(key) is None:
            continue
        external = g.get("source") == "external"
        peer = g["role"] == report["peer_role"]
        gap = g.get("gap_median_pct")
        money = f"${g[key]:,.0f}" if report["basis"] == "annual" else f"${g[key]:,.2f}"
        text = money if peer else f"{money}  ({'gap ' + format(gap, '.1f') + '%' if gap is not None else 'gap n/a'})"
        bars.append({
            "label": g["role"] + (" (external)" if external else ""),
            "value": g[key],
            "color": PEER_COLOR if peer else EXTERNAL_COLOR if external else INTERNAL_COLOR,
            "hatch": "//" if external else "",
            "text": text,
        })
    return sorted(bars, key=lambda b: (b["value"], b["label"]))


def chart_lines(reference_line) -> list[tuple[str, float]]:
    """None, one (label, value) pair, or a list of pairs / ReferenceLines -> [(label, value), …]."""
    if not reference_line:
        return []
    if isinstance(reference_line, tuple) and len(reference_line) == 2 and isinstance(reference_line[0], str):
        return [(reference_line[0], float(reference_line[1]))]
    return [(x.label, float(x.hourly)) if hasattr(x, "hourly") else (str(x[0]), float(x[1])) for x in reference_line]


def gap_chart(report: dict, fmt: str = "png", reference_line=None) -> tuple[bytes, ChartData]:
    """Horizontal bars of median pay by role, the peer role highlighted; returns (image, data).

    ``reference_line``: one (label, value) pair or a list of them (or of ReferenceLines); the
    first is ``data.reference_line``, all are ``data.lines``.
    """
    lines = chart_lines(reference_line)
    reference_line = lines[0] if lines else None
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    bars = gap_bars(report)
    unit = "USD per year" if report["basis"] == "annual" else "USD per hour"
    fig = Figure(figsize=(9, 0.45 * max(len(bars), 3) + 1.6), dpi=110)
    ax = fig.add_subplot()
    ys = list(range(len(bars)))
    ax.barh(ys, [b["value"] for b in bars], color=[b["color"] for b in bars], hatch=None, edgecolor="#555555", linewidth=0.4)
    for patch, b in zip(ax.patches, bars):
        patch.set_hatch(b["hatch"] or None)
    ax.set_yticks(ys, [b["label"] for b in bars])
    top = max([b["value"] for b in bars] + [v for _, v in lines] + [0]) or 1
    for y, b in zip(ys, bars):
        ax.text(b["value"] + top * 0.01, y, b["text"], va="center", fontsize=8)
    for k, (label, value) in enumerate(lines):
        ax.axvline(value, color=REFERENCE_COLOR, linestyle="--", linewidth=1.2, label=label)
        ax.text(value, len(bars) - 0.4 - 0.45 * k, f" {label} ${value:,.2f}", color=REFERENCE_COLOR, fontsize=8)
    ax.set_xlim(0, top * 1.3)
    title = f"Median pay by role vs {report['peer_role']} ({report['basis']}, as of {report.get('as_of', '')})"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(f"median, {unit}; gap % = (role - peer) / role")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    data = _read_back(ax, reference_line)
    data.lines = [{"label": ln.get_label(), "value": float(ln.get_xdata()[0])} for ln in ax.get_lines()]
    data.title, data.xlabel = title, ax.get_xlabel()
    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue(), data


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
