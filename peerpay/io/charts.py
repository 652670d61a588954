"""Charts for reports: one chart model, one layout, drawn as inline SVG (pages) or by matplotlib (PNG/SVG files).

:class:`ChartModel` says what is shown (bars, banded bars, labelled vertical lines);
:func:`layout` places every bar, label and line once, in pixels, for a desktop width or a
phone width; :func:`svg` writes a layout as SVG text and :func:`draw` paints it with matplotlib,
returning the image *and* the data read back from the matplotlib artists, so tests assert what is
on the chart rather than pixels.

The layout keeps its promises by construction, and tests/test_charts.py checks them on the
boxes: no label overlaps another, no line or gridline crosses a label (a line that would is
broken around it), nothing leaves the drawing, the comparison lines' labels are packed in rows
above the bars (each line starts under its own label) or, when they do not fit (always on a
phone), listed in a key under the chart. Text widths are DejaVu Sans's advance widths (the font
matplotlib draws with and the one a page falls back to), so the boxes are the ones drawn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from itertools import product

from ..core.money import to_decimal

PEER_COLOR = "#c2410c"  # the peer role: the one bar in colour
INTERNAL_COLOR = "#6b7280"  # comparators in the organisation: grey
EXTERNAL_COLOR = "#bfc5cd"  # external reference rows: light grey (hatched in the PNG)
REFERENCE_COLOR = "#1d4ed8"
INK, MUTED, GRID = "#1f2937", "#4b5563", "#e5e7eb"
LINE_COLORS = {"poverty": "#7c3aed", "housing": "#1d4ed8", "minimum_wage": "#047857", "user": "#b45309"}
LINE_DASHES = {"poverty": "6 3", "housing": "2 3", "minimum_wage": "9 3 2 3", "user": "5 3"}
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"

#: Abbreviated role keys spelled out for readers (others: underscores become spaces).
ROLE_WORDS = {
    "rn": "registered nurse",
    "lpn": "licensed practical nurse",
    "lvn": "licensed vocational nurse",
    "cna": "certified nursing assistant",
    "chw": "community health worker",
    "mh_sa_social_worker": "mental health & substance use social worker",
    "substance_abuse_counselor": "substance use counselor",
    "social_human_service_assistant": "social and human service assistant",
}


def role_label(role: str) -> str:
    """``rn`` -> ``registered nurse``; ``BLS: registered_nurse`` -> ``registered nurse``."""
    key = role.split(":", 1)[1].strip() if ":" in role else role
    return ROLE_WORDS.get(key.lower(), key.replace("_", " ").strip())


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
    band: tuple[float, float] | None = None  # a banded figure [low, high]: drawn as a band; the bar's value is high


@dataclass
class ChartModel:
    """The one chart model: horizontal bars and labelled vertical lines.

    Drawn by :func:`draw` (PNG/SVG through matplotlib) and :func:`svg` (inline SVG for pages);
    built by :func:`gap_chart_model` (gap, fact sheet) and ``cli/cost.gap_chart_model`` (the gap
    before and after each proposal). ``ticks``: an axis with gridlines and numbers (a published
    chart has none: each bar carries its own figure, and a round axis number is nobody's pay but
    could read as one).
    """

    title: str
    xlabel: str
    bars: list[Bar]  # top to bottom
    lines: list[dict] = field(default_factory=list)  # label, value, kind ("poverty", "housing", "minimum_wage", "user")
    money: bool = True  # values are dollars (gridlines "$10"); else plain numbers
    ticks: bool = True


def gap_chart_model(report: dict, reference_line=None, label=None) -> ChartModel:
    """The gap report as a chart model: each shown group's median (a banded group as its band),
    sorted from the highest; ``label`` turns a group into its bar label (default: readable words,
    "(U.S., BLS)" for a reference row, "(pooled)" for a declared comparison group)."""
    annual = report["basis"] == "annual"
    key = "median_annual" if annual else "median_hourly"
    pooled = report.get("comparison_groups") or {}

    def words(g):
        if g.get("source") == "external":
            text = role_label(g["role"]) + " (U.S., BLS)"
        else:
            text = f"{g['role'].replace('_', ' ')} (pooled)" if g["role"] in pooled else role_label(g["role"])
        return text[:1].upper() + text[1:]

    label = label or words
    bars = []
    for g in report["groups"]:
        pair = g.get(f"{key}_band")
        if g.get(key) is None and not pair:
            continue
        peer = g["role"] == report["peer_role"]
        if pair:
            low, high = float(pair[0]), float(pair[1])
            text = f"{_money(low, annual, whole=True)}–{_money(high, annual, sign=False, whole=True)} (band)"
            bars.append(Bar(label(g), high, peer, g.get("source") == "external", text, (low, high)))
        else:
            bars.append(Bar(label(g), g[key], peer, g.get("source") == "external", _money(g[key], annual)))
    bars.sort(key=lambda b: (-(b.band[0] if b.band else b.value), b.label))
    per_year = 2080 if annual else 1
    lines = [{"label": x.label, "value": float(x.hourly) * per_year, "kind": x.kind} if hasattr(x, "hourly")
             else {"label": x[0], "value": float(x[1]) * per_year, "kind": "user"} if isinstance(x, tuple)
             else {"label": x["label"], "value": float(x["hourly"]) * per_year, "kind": x.get("kind", "user")}
             for x in _line_items(reference_line)]
    unit = "USD per year" if annual else "USD per hour"
    return ChartModel(f"Median pay by role vs {role_label(report['peer_role'])} ({report['basis'].replace('_', ' ')}, as of {report.get('as_of', '')})",
                      f"median pay, {unit}" + (" (comparison lines at 2,080 hours a year)" if annual and lines else ""), bars, lines,
                      ticks=not report.get("publish"))


def _money(value: float, annual: bool = False, sign: bool = True, whole: bool = False) -> str:
    """$46.90 an hour, $40,352 a year; ``whole``: a band's edge, $18 (its cents only when it has some: $12.50)."""
    v = float(value)
    text = f"{v:,.0f}" if annual or (whole and v.is_integer()) else f"{v:,.2f}"
    return ("$" if sign else "") + text


def _line_items(reference_line) -> list:
    if not reference_line:
        return []
    if isinstance(reference_line, tuple) and len(reference_line) == 2 and isinstance(reference_line[0], str):
        return [reference_line]
    return list(reference_line)


# --------------------------------------------------------------------------- text widths (DejaVu Sans)

_ADVANCE = {False: "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 337 337 "
                   "838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 684 989 "
                   "685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 "
                   "392 634 592 818 592 592 525 636 337 636 838",
            True: "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 696 696 400 400 "
                  "838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 774 1103 "
                  "771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 "
                  "478 712 652 924 645 652 582 712 365 712 838"}
_WIDTHS = {bold: [int(x) / 1000 for x in table.split()] for bold, table in _ADVANCE.items()}
_OTHER = {"–": 0.5, "—": 1.0, "¢": 0.636, "×": 0.838, "…": 1.0, "’": 0.318, "é": 0.615, "≥": 0.838}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in px of ``text`` at ``size`` px in DejaVu Sans (a wider font than most system fonts)."""
    table = _WIDTHS[bold]
    return size * sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else _OTHER.get(c, 0.75) for c in text)


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` px, broken at spaces (a word longer than a line stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# --------------------------------------------------------------------------- the layout


@dataclass
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str = "start"  # start, middle, end
    bold: bool = False
    fill: str = INK
    kind: str = "label"  # label, value, line, tick, axis, key
    index: int = -1  # the bar or line it belongs to

    def box(self, pad: float = 2.0) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the drawn text, padded."""
        w = text_width(self.text, self.size, self.bold)
        x0 = self.x - (w if self.anchor == "end" else w / 2 if self.anchor == "middle" else 0)
        return x0 - pad, self.y - 0.78 * self.size - pad, x0 + w + pad, self.y + 0.24 * self.size + pad


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    opacity: float = 1.0
    stroke: str | None = None
    hatch: str = ""
    title: str = ""
    index: int = -1  # the bar


@dataclass
class Stroke:
    x: float  # vertical: every stroke here is a line of constant x
    y1: float
    y2: float
    color: str
    dash: str = ""
    width: float = 1.0
    kind: str = "grid"  # grid, line, key
    index: int = -1  # the comparison line
    x2: float | None = None  # a horizontal key swatch ends here (then y1 == y2)


@dataclass
class Layout:
    width: float
    height: float
    texts: list[Text]
    boxes: list[Box]
    strokes: list[Stroke]
    x0: float  # where value 0 is
    scale: float  # px per unit


def nice_ticks(top: float, room: float, label_width: float) -> list[float]:
    """0, step, 2 step … up to ``top``: step 1, 2, 2.5 or 5 times a power of ten, as many as fit
    ``room`` px with labels ``label_width`` px wide (never more than 7: an annual axis gets a
    handful of numbers, not thousands)."""
    import math

    fit = max(2, min(7, int(room // (label_width + 12))))
    if top <= 0:
        return [0.0]
    magnitude = 10.0 ** math.floor(math.log10(top / (fit - 1)))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10, 20) if top / (m * magnitude) <= fit - 1)  # fit numbers: fit - 1 steps
    return [k * step for k in range(int(top / step + 1e-9) + 1)]


def layout(model: ChartModel, *, narrow: bool = False) -> Layout:
    """Every mark of the chart placed in px: desktop (800 wide, labels beside the bars) or phone
    (300 wide, each label on its own line above its bar, comparison lines in a key)."""
    return _narrow(model) if narrow else _wide(model)


def _line_text(d: dict, money: bool) -> str:
    return f"{d['label']} {_money(d['value'], annual=d['value'] >= 1000) if money else format(d['value'], ',.1f')}"


def _track(b: Bar, i: int, x0: float, scale: float, y: float, h: float) -> list[Stroke]:
    """A banded bar's faint track from zero to the band, so it still reads as a bar of its row."""
    if not b.band or b.band[0] <= 0:
        return []
    return [Stroke(x0, y + h / 2, y + h / 2, "#9ca3af", "2 3", 1.0, "track", i, x0 + b.band[0] * scale)]


def _bar_marks(b: Bar, i: int, x0: float, scale: float, y: float, h: float) -> Box:
    color = PEER_COLOR if b.highlight else EXTERNAL_COLOR if b.external else INTERNAL_COLOR
    if b.band:
        lo, hi = (max(v, 0.0) * scale for v in b.band)
        return Box(x0 + lo, y, max(hi - lo, 1.0), h, color, 0.35, color, "xx", f"{b.label}: {b.text}", i)
    return Box(x0, y, max(float(b.value), 0.0) * scale, h, color, 1.0, None, "//" if b.external else "", f"{b.label}: {b.text}", i)


def _wide(model: ChartModel) -> Layout:
    W, FS, VS, LS, TS = 800.0, 13.0, 12.5, 12.0, 12.0
    bars, lines = model.bars, sorted(model.lines, key=lambda d: d["value"])
    label_room = 0.42 * W - 8
    wrapped = [wrap(b.label, FS, label_room, b.highlight) for b in bars]
    label_col = min(label_room, max([text_width(t, FS, b.highlight) for b, ls in zip(bars, wrapped) for t in ls] + [40.0])) + 14
    value_w = max([text_width(b.text, VS, b.highlight) for b in bars] + [0.0])
    x0 = label_col + 6
    top_value = max([float(b.band[1] if b.band else b.value) for b in bars] + [float(d["value"]) for d in lines] + [0.0]) or 1.0
    scale = (W - 8 - x0 - value_w - 10) / top_value
    texts: list[Text] = []
    strokes: list[Stroke] = []
    rows_h = LS * 1.45
    packed = _pack_line_labels([(x0 + float(d["value"]) * scale, _line_text(d, model.money), LS) for d in lines], W) if lines else []
    legend = lines and packed is None
    n_rows = 0 if legend or not lines else max(r for r, _ in packed) + 1  # type: ignore[union-attr]
    top = 6 + n_rows * rows_h + (6 if n_rows else 0)
    boxes: list[Box] = []
    y = top
    bar_h, row_gap = 18.0, 8.0
    for i, (b, ls) in enumerate(zip(bars, wrapped)):
        row_h = max(bar_h, len(ls) * FS * 1.2)
        by = y + (row_h - bar_h) / 2
        boxes.append(_bar_marks(b, i, x0, scale, by, bar_h))
        strokes += _track(b, i, x0, scale, by, bar_h)
        first = y + row_h / 2 - (len(ls) - 1) * FS * 0.6 + FS * 0.35
        fill = PEER_COLOR if b.highlight else INK
        texts += [Text(label_col - 6, first + k * FS * 1.2, t, FS, "end", b.highlight, fill, "label", i) for k, t in enumerate(ls)]
        end = x0 + max(float(b.band[1] if b.band else b.value), 0.0) * scale
        texts.append(Text(end + 6, by + bar_h / 2 + VS * 0.35, b.text, VS, "start", b.highlight, fill, "value", i))
        y += row_h + row_gap
    bottom = y - row_gap + 4
    line_x = [x0 + float(d["value"]) * scale for d in lines]
    for t in (t for t in texts if t.kind == "value"):
        _clear_of_lines(t, line_x, W - 4)
    if lines and not legend:
        for k, (d, (row, anchor)) in enumerate(zip(lines, packed)):  # type: ignore[arg-type]
            color = LINE_COLORS.get(d.get("kind", "user"), LINE_COLORS["user"])
            base = 6 + (row + 1) * rows_h - 5
            texts.append(Text(line_x[k] + (-3 if anchor == "end" else 3), base, _line_text(d, model.money), LS, anchor, True, color, "line", k))
            strokes.append(Stroke(line_x[k], base + 0.24 * LS + 2, bottom, color, LINE_DASHES.get(d.get("kind", "user"), "5 3"), 1.6, "line", k))
    height = bottom
    if model.ticks:
        ticks = nice_ticks(top_value, W - 8 - x0 - value_w, max(text_width(_tick(top_value, model.money), TS), 20))
        for v in ticks:
            x = x0 + v * scale
            strokes.insert(0, Stroke(x, top - 4, bottom, GRID, "", 1.0, "grid"))
            texts.append(Text(x, bottom + 15, _tick(v, model.money), TS, "middle", False, MUTED, "tick"))
        texts.append(Text(x0 + (W - 8 - x0) / 2, bottom + 32, model.xlabel, TS, "middle", False, MUTED, "axis"))
        height = bottom + 40
    if legend:
        height = _key(model, lines, texts, strokes, 8.0, height + 10, W - 16, LS)
    strokes = _break_around(strokes, texts)
    return Layout(W, height + 6, texts, boxes, strokes, x0, scale)


def _narrow(model: ChartModel) -> Layout:
    W, FS = 300.0, 13.0
    bars, lines = model.bars, sorted(model.lines, key=lambda d: d["value"])
    x0 = 4.0
    top_value = max([float(b.band[1] if b.band else b.value) for b in bars] + [float(d["value"]) for d in lines] + [0.0]) or 1.0
    scale = (W - 8) / top_value
    texts: list[Text] = []
    boxes: list[Box] = []
    tracks: list[Stroke] = []
    y, bar_h = 4.0, 14.0
    for i, b in enumerate(bars):
        fill = PEER_COLOR if b.highlight else INK
        value_w = text_width(b.text, FS, b.highlight)
        ls = wrap(b.label, FS, W - 8 - value_w - 10, b.highlight)
        for k, t in enumerate(ls):
            texts.append(Text(x0, y + FS + k * FS * 1.2, t, FS, "start", b.highlight, fill, "label", i))
        texts.append(Text(W - 4, y + FS, b.text, FS, "end", b.highlight, fill, "value", i))
        y += len(ls) * FS * 1.2 + 4
        boxes.append(_bar_marks(b, i, x0, scale, y, bar_h))
        tracks += _track(b, i, x0, scale, y, bar_h)
        y += bar_h + 10
    bottom = y - 6
    strokes = [Stroke(x0 + float(d["value"]) * scale, 2, bottom, LINE_COLORS.get(d.get("kind", "user"), LINE_COLORS["user"]),
                      LINE_DASHES.get(d.get("kind", "user"), "5 3"), 1.6, "line", k) for k, d in enumerate(lines)] + tracks
    height = bottom
    if model.ticks:
        ticks = nice_ticks(top_value, W - 8, max(text_width(_tick(top_value, model.money), FS), 20))
        for v in ticks:
            x = x0 + v * scale
            strokes.insert(0, Stroke(x, 2, bottom, GRID, "", 1.0, "grid"))
            anchor = "start" if v == 0 else "end" if x > W - 30 else "middle"
            texts.append(Text(x, bottom + 16, _tick(v, model.money), FS, anchor, False, MUTED, "tick"))
        height = bottom + 22
        for k, t in enumerate(wrap(model.xlabel, FS, W - 8)):
            texts.append(Text(x0, height + FS + k * FS * 1.2, t, FS, "start", False, MUTED, "axis"))
        height += len(wrap(model.xlabel, FS, W - 8)) * FS * 1.2 + 6
    if lines:
        height = _key(model, lines, texts, strokes, x0, height + 8, W - 8, FS)
    strokes = _break_around(strokes, texts)
    return Layout(W, height + 6, texts, boxes, strokes, x0, scale)


def _tick(v: float, money: bool) -> str:
    text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return f"${text}" if money else text


def _key(model: ChartModel, lines: list[dict], texts: list[Text], strokes: list[Stroke], x: float, y: float, width: float, size: float) -> float:
    """The comparison lines listed under the chart: a swatch of each line's dash, then its label."""
    for k, d in enumerate(lines):
        color = LINE_COLORS.get(d.get("kind", "user"), LINE_COLORS["user"])
        ls = wrap(_line_text(d, model.money), size, width - 34, True)
        strokes.append(Stroke(x, y + size * 0.6, y + size * 0.6, color, LINE_DASHES.get(d.get("kind", "user"), "5 3"), 2.0, "key", k, x + 26))
        for j, t in enumerate(ls):
            texts.append(Text(x + 32, y + size * 0.95 + j * size * 1.2, t, size, "start", True, color, "key", k))
        y += len(ls) * size * 1.2 + 6
    return y


def _pack_line_labels(items: list[tuple[float, str, float]], width: float) -> list[tuple[int, str]] | None:
    """Rows and anchors for the labels of vertical lines at x, so that no label overlaps another and
    no line passes through another line's label: each line starts under its own label, so a label
    whose extent holds another line's x must sit in a higher row than that line's label.
    Tries every choice of anchors (a label ends at its line, or starts at it) for up to 6 lines;
    None when nothing fits (the caller lists the lines in a key instead)."""
    k = len(items)
    if k > 6:
        return None
    best = None
    for anchors in product(("end", "start"), repeat=k):
        ext = []
        for (x, text, size), a in zip(items, anchors):
            w = text_width(text, size, True) + 3
            ext.append((x - w - 4, x + 4) if a == "end" else (x - 4, x + w + 4))
        if any(lo < 1 or hi > width - 1 for lo, hi in ext):
            continue
        above = {(i, j) for i in range(k) for j in range(k) if i != j and ext[i][0] <= items[j][0] <= ext[i][1]}
        rows = _rows(k, above, ext)
        if rows is None:
            continue
        cost = (max(rows) + 1, sum(a == "start" for a in anchors))
        if best is None or cost < best[0]:
            best = (cost, [(r, a) for r, a in zip(rows, anchors)])
    return None if best is None else best[1]


def _rows(k: int, above: set[tuple[int, int]], ext: list[tuple[float, float]]) -> list[int] | None:
    """Row of each label (0 = top) with i above j for every (i, j) in ``above``; overlapping labels
    in one row are split (the one further right goes up). None on a cycle."""
    edges = set(above)
    for _ in range(4 * k * k + 1):
        rows = _longest_paths(k, edges)
        if rows is None:
            return None
        clash = next(((i, j) for i in range(k) for j in range(i + 1, k) if rows[i] == rows[j]
                      and ext[i][0] < ext[j][1] and ext[j][0] < ext[i][1]), None)
        if clash is None:
            return rows
        i, j = clash
        edges.add((i, j) if ext[i][0] > ext[j][0] else (j, i))
    return None


def _longest_paths(k: int, edges: set[tuple[int, int]]) -> list[int] | None:
    rows = [0] * k
    for _ in range(k + 1):
        changed = False
        for i, j in edges:
            if rows[j] < rows[i] + 1:
                rows[j] = rows[i] + 1
                changed = True
        if not changed:
            return rows
    return None  # a cycle


def _clear_of_lines(t: Text, line_x: list[float], right: float) -> None:
    """Move a bar's figure right past any comparison line through it, while it still fits."""
    for _ in range(len(line_x) + 1):
        x0, _, x1, _ = t.box(3)
        crossing = [x for x in line_x if x0 <= x <= x1]
        if not crossing:
            return
        shifted = max(crossing) + 6
        if shifted + text_width(t.text, t.size, t.bold) > right:
            return  # no room: the line is broken around the figure instead
        t.x = shifted


def _break_around(strokes: list[Stroke], texts: list[Text]) -> list[Stroke]:
    """Vertical lines with a gap wherever a label would sit on them: a line never crosses text."""
    out = []
    boxes = [t.box(2) for t in texts]
    for s in strokes:
        if s.x2 is not None:
            out.append(s)
            continue
        gaps = sorted((y0, y1) for x0, y0, x1, y1 in boxes if x0 <= s.x <= x1 and y0 < s.y2 and y1 > s.y1)
        y = s.y1
        for y0, y1 in gaps:
            if y0 - y > 1.5:
                out.append(Stroke(s.x, y, y0, s.color, s.dash, s.width, s.kind, s.index))
            y = max(y, y1)
        if s.y2 - y > 1.5:
            out.append(Stroke(s.x, y, s.y2, s.color, s.dash, s.width, s.kind, s.index))
    return out


# --------------------------------------------------------------------------- drawing a layout


def _esc(value) -> str:
    import html

    return html.escape("" if value is None else str(value), quote=True)


def svg(model: ChartModel, title: str, *, narrow: bool = False, css_class: str = "") -> str:
    """The chart as inline SVG text (no fonts, scripts or links): one ``<rect>`` per bar."""
    lay = layout(model, narrow=narrow)
    tid = f"chart-title-{'narrow' if narrow else 'wide'}"
    parts = [f"<svg viewBox=\"0 0 {lay.width:.0f} {lay.height:.0f}\" role=\"img\" aria-labelledby=\"{tid}\""
             + (f" class=\"{_esc(css_class)}\"" if css_class else "")
             + f" font-family=\"{_esc(FONT_FAMILY)}\"><title id=\"{tid}\">{_esc(title)}</title>"]
    for s in (s for s in lay.strokes if s.kind == "grid"):
        parts.append(f"<line x1=\"{s.x:.1f}\" y1=\"{s.y1:.1f}\" x2=\"{s.x:.1f}\" y2=\"{s.y2:.1f}\" stroke=\"{s.color}\" stroke-width=\"1\"/>")
    for b in lay.boxes:
        extra = f" fill-opacity=\"{b.opacity}\"" if b.opacity != 1 else ""
        extra += f" stroke=\"{b.stroke}\" stroke-width=\"1.5\"" if b.stroke else ""
        parts.append(f"<rect x=\"{b.x:.1f}\" y=\"{b.y:.1f}\" width=\"{b.w:.1f}\" height=\"{b.h:.1f}\" fill=\"{b.fill}\"{extra}>"
                     f"<title>{_esc(b.title)}</title></rect>")
    for s in (s for s in lay.strokes if s.kind != "grid"):
        x2 = s.x if s.x2 is None else s.x2
        parts.append(f"<line class=\"{s.kind}\" x1=\"{s.x:.1f}\" y1=\"{s.y1:.1f}\" x2=\"{x2:.1f}\" y2=\"{s.y2:.1f}\" stroke=\"{s.color}\" "
                     f"stroke-width=\"{s.width}\" stroke-dasharray=\"{s.dash}\"/>")
    for t in lay.texts:
        anchor = f" text-anchor=\"{t.anchor}\"" if t.anchor != "start" else ""
        weight = " font-weight=\"700\"" if t.bold else ""
        parts.append(f"<text class=\"{t.kind}\" x=\"{t.x:.1f}\" y=\"{t.y:.1f}\"{anchor} font-size=\"{t.size:g}\"{weight} fill=\"{t.fill}\">"
                     f"{_esc(t.text)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def draw(model: ChartModel, fmt: str = "png") -> tuple[bytes, ChartData]:
    """The chart's desktop layout painted by matplotlib as PNG or SVG (text kept as text); returns
    the image and the data read back from the artists."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    lay = layout(model)
    fig = Figure(figsize=(lay.width / 100, (lay.height + 30) / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height + 4, -26)  # y grows downwards, as in the layout; 26 px above it for the title
    ax.axis("off")
    ax.text(6, -10, model.title, fontsize=12 * 0.72, fontweight="bold", color=INK, va="baseline")
    px = 0.72  # 1 px at 100 dpi is 0.72 pt
    for s in lay.strokes:
        dash = tuple(float(v) / 1.6 for v in s.dash.split()) if s.dash else None
        (ln,) = ax.plot([s.x, s.x if s.x2 is None else s.x2], [s.y1, s.y2], color=s.color, linewidth=s.width * px,
                        linestyle=(0, dash) if dash else "-", solid_capstyle="butt")
        ln.set_gid(f"{s.kind}-{s.index}")
    for b in lay.boxes:
        patch = Rectangle((b.x, b.y), b.w, b.h, facecolor=b.fill, alpha=None, edgecolor=b.stroke or "#555555",
                          linewidth=(1.5 if b.stroke else 0.4) * px, hatch=b.hatch or None)
        if b.opacity != 1:
            patch.set_facecolor((*matplotlib.colors.to_rgb(b.fill), b.opacity))
        patch.set_gid(f"bar-{b.index}")
        ax.add_patch(patch)
    ha = {"start": "left", "middle": "center", "end": "right"}
    for t in lay.texts:
        ax.text(t.x, t.y, t.text, fontsize=t.size * px, ha=ha[t.anchor], va="baseline", color=t.fill,
                fontweight="bold" if t.bold else "normal", gid=f"{t.kind}-{t.index}")
    data = _read_back(ax, model, lay)
    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None} if fmt == "svg" else {}
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "peerpay"}):
        fig.savefig(buf, format=fmt, metadata=meta, dpi=150 if fmt == "png" else 100)
    return buf.getvalue(), data


def _read_back(ax, model: ChartModel, lay: Layout) -> ChartData:
    """The bars (bottom to top), their colours, hatches and figures, and the lines, as drawn."""
    from matplotlib.colors import to_hex

    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    bars = []
    for p in sorted((p for p in ax.patches if (p.get_gid() or "").startswith("bar-")), key=lambda p: -p.get_y()):
        i = int(p.get_gid().split("-")[1])
        value = round((p.get_x() + p.get_width() - lay.x0) / lay.scale, 6) if lay.scale else 0.0
        if not model.bars[i].band and model.bars[i].value <= 0:
            value = float(model.bars[i].value)  # a negative figure draws no bar: its figure says it
        bars.append({"label": model.bars[i].label, "value": value, "color": to_hex(p.get_facecolor(), keep_alpha=False),
                     "hatch": p.get_hatch() or "", "text": texts.get(f"value-{i}", "")})
    lines = []
    for k, d in enumerate(sorted(model.lines, key=lambda d: d["value"])):
        drawn = [ln for ln in ax.get_lines() if ln.get_gid() in (f"line-{k}", f"key-{k}")]
        xs = [ln for ln in ax.get_lines() if ln.get_gid() == f"line-{k}"]
        value = round((float(xs[0].get_xdata()[0]) - lay.x0) / lay.scale, 6) if xs else float(d["value"])
        if drawn:
            lines.append({"label": d["label"], "value": value})
    by_label = {ln["label"]: ln for ln in lines}
    first = by_label.get(model.lines[0]["label"]) if model.lines else None
    return ChartData(bars=bars, reference_line=first, lines=lines, title=model.title, xlabel=model.xlabel)


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
