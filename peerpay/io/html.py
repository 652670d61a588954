"""The advocate's fact sheet: one self-contained HTML page (pure string building, no file I/O).

Why one file with nothing outside it: advocates paste it into blog posts, attach it to
testimony and print it. So the page carries its own CSS, draws its chart as inline SVG, loads
no fonts, scripts or images, prints on one or two Letter/A4 pages and reads on a phone.

Building blocks, reusable by ``cost`` and ``backpay`` summaries:

* :func:`html_table` — a titled table with units in the header, every value escaped;
* :func:`fact_sheet_page` — title, headline sentences, sections, run record -> the document;
* :func:`run_record` — version, options and each input's SHA-256 (the run can be repeated
  and checked).

:func:`gap_fact_sheet` assembles the gap report (the dict ``peerpay gap --format json``
prints) into a page. Every value that reaches the page goes through :func:`esc`. The gap
report carries no names or employee ids, and nothing here adds any.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from ..core.money import round_half_up

PEER_COLOR = "#c2410c"  # the one bar in colour (as in peerpay/charts.py)
INTERNAL_COLOR = "#6b7280"
EXTERNAL_COLOR = "#bfc5cd"
HALO = ' stroke="#fff" stroke-width="3" paint-order="stroke"'  # text stays readable across lines
LINE_COLORS = {"poverty": "#7c3aed", "housing": "#1d4ed8", "minimum_wage": "#047857", "user": "#b45309"}

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


def esc(value) -> str:
    """HTML-escape any value for text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def role_label(role: str) -> str:
    """``rn`` -> ``registered nurse``; ``BLS: registered_nurse`` -> ``registered nurse``."""
    key = role.split(":", 1)[1].strip() if role.startswith("BLS:") else role
    return ROLE_WORDS.get(key.lower(), key.replace("_", " ").strip())


def display_url(text: str) -> str:
    """Sources are shown as text, never as links: drop the scheme so nothing on the page is a URL to fetch."""
    return text.replace("https://", "").replace("http://", "")


def money(value, places: int = 2) -> str:
    if value is None:
        return ""
    amount = round_half_up(value, places)
    return f"-${-amount:,}" if amount < 0 else f"${amount:,}"


def number(value, places: int = 1) -> str:
    return "" if value is None else f"{round_half_up(value, places):,}"


def whole(value) -> int:
    """The headline's whole numbers: half-up to a whole (41.9 cents -> 42; 95.56 hours -> 96)."""
    return int(round_half_up(value, 0))


# --------------------------------------------------------------------------- building blocks


def html_table(title: str, columns: Sequence[str], rows: Iterable[Sequence], units: Sequence[str] | None = None, *,
               row_classes: Sequence[str] | None = None, row_keys: Sequence[str] | None = None, note: str = "") -> str:
    """A titled, escaped table; ``units`` (same length as ``columns``) show under each header.

    Numeric-looking cells are right-aligned. ``row_keys`` become ``data-key`` attributes so a
    test (or a reader's script) can find a row without parsing its text.
    """
    units = list(units or [""] * len(columns))
    head = "".join('<th scope="col">' + esc(c) + (f'<span class="unit">{esc(u)}</span>' if u else "") + "</th>"
                   for c, u in zip(columns, units))
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        key = f' data-key="{esc(row_keys[i])}"' if row_keys else ""
        cells = []
        for j, cell in enumerate(row):
            text = esc(cell)
            num = j > 0 and _numeric(cell)
            tag = "th" if j == 0 else "td"
            attrs = (' scope="row"' if j == 0 else "") + (' class="num"' if num else "")
            cells.append(f"<{tag}{attrs}>{text}</{tag}>")
        body.append(f"<tr{cls}{key}>{''.join(cells)}</tr>")
    foot = f'<p class="note">{esc(note)}</p>' if note else ""
    caption = f"<caption>{esc(title)}</caption>" if title else ""
    return (f"<div class=\"table-wrap\"><table>{caption}"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{foot}")


def _numeric(cell) -> bool:
    text = str(cell).replace("$", "").replace(",", "").replace("%", "").replace("–", "").strip()
    try:
        float(text)
        return True
    except ValueError:
        return text in ("", "—")


def definition_list(items: Iterable[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in items) + "</dl>"


def paragraphs(texts: Iterable[str]) -> str:
    return "".join(f"<p>{esc(t)}</p>" for t in texts)


def run_record(version: str, inputs: Mapping[str, bytes | tuple[str, int]], options: Mapping[str, object] | None = None,
               command: str = "") -> dict:
    """What produced the page: peerpay's version, the options, each input's SHA-256 and size.

    ``inputs`` maps a file's *name* (no folders: a path can carry a person's name) to its bytes,
    or to its (SHA-256, size) when the caller hashed it already (a large timesheet, hashed while it was paid).
    """
    digests = {name: (hashlib.sha256(data).hexdigest(), len(data)) if isinstance(data, bytes) else data
               for name, data in inputs.items()}
    return {
        "peerpay_version": version,
        "command": command,
        "options": {k: v for k, v in (options or {}).items() if v not in (None, "", [], ())},
        "inputs": [{"file": name, "sha256": sha, "bytes": size} for name, (sha, size) in digests.items()],
    }


def run_record_section(record: Mapping | None) -> str:
    if not record:
        return "<p>No run record was supplied.</p>"
    rows = [("peerpay version", record.get("peerpay_version", ""))]
    if record.get("command"):
        rows.append(("command", record["command"]))
    rows += [(f"option {k}", ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in record.get("options", {}).items()]
    items = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    files = "".join(
        f'<tr><th scope="row">{esc(f["file"])}</th><td><code class="hash">sha256 {esc(f["sha256"])}</code> ({int(f["bytes"]):,} bytes)</td></tr>'
        for f in record.get("inputs", [])
    )
    return f"<div class=\"table-wrap\"><table class=\"record\"><tbody>{items}{files}</tbody></table></div>"


def fact_sheet_page(title: str, headline: Sequence[str], sections: Sequence[tuple[str, str]],
                    run_record: Mapping | None = None, *, subtitle: str = "", with_run_record: bool = True) -> str:
    """The whole document. ``sections`` are (heading, trusted HTML built by the helpers here).

    ``with_run_record=False``: no run-record section (a worker's back-pay statement, whose
    inputs are the whole organisation's files, not the worker's).
    """
    heads = "".join(f"<p class=\"headline\">{esc(s)}</p>" for s in headline)
    body = "".join(f"<section><h2>{esc(h)}</h2>{content}</section>" for h, content in sections)
    record = f"<section class=\"run\"><h2>Run record</h2>{run_record_section(run_record)}</section>" if with_run_record else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main><header><h1>{esc(title)}</h1>"
        + (f'<p class="subtitle">{esc(subtitle)}</p>' if subtitle else "") + f"{heads}</header>"
        f"{body}{record}</main></body></html>\n"
    )


CSS = """
:root{--ink:#1f2937;--muted:#4b5563;--rule:#d1d5db;--peer:#c2410c;--band:#fff7ed}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:60rem;margin:0 auto;padding:1.25rem 1rem 2rem}
h1{font-size:1.5rem;line-height:1.2;margin:0 0 .25rem}
h2{font-size:1.05rem;margin:1.4rem 0 .4rem;padding-bottom:.2rem;border-bottom:1px solid var(--rule)}
.subtitle{color:var(--muted);margin:0 0 .75rem}
.headline{font-size:1.15rem;font-weight:600;margin:.35rem 0;padding-left:.6rem;border-left:4px solid var(--peer)}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0 .35rem}
th,td{padding:.28rem .45rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid var(--ink);font-weight:600;vertical-align:bottom}
tbody th{font-weight:500}
.num{text-align:right;white-space:nowrap}
.unit{display:block;font-weight:400;color:var(--muted);font-size:.75rem}
tr.peer{background:var(--band)}
tbody td:nth-child(2){white-space:nowrap}
tr.peer th{color:var(--peer);font-weight:700}
tr.suppressed td,tr.suppressed th{color:var(--muted);font-style:italic}
tr.total td,tr.total th{font-weight:700;border-top:2px solid var(--ink)}
.note,.small{color:var(--muted);font-size:.8rem}
figure{margin:.5rem 0}
figure svg{width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.8rem}
dl{margin:0;font-size:.85rem}
dt{font-weight:600;margin-top:.35rem}
dd{margin:0 0 0 1rem;color:var(--muted)}
code{font-size:.8rem;word-break:break-all}
table.record th{width:11rem;white-space:nowrap}
@media (max-width:40rem){body{font-size:14px}.headline{font-size:1rem}table{font-size:.78rem}table.record th{width:auto;white-space:normal}}
@page{size:auto;margin:12mm}
@media print{
 body{font-size:9pt;line-height:1.3}
 main{max-width:none;padding:0}
 h1{font-size:15pt}h2{font-size:10.5pt;margin:.7rem 0 .25rem;break-after:avoid}
 .headline{font-size:10.5pt}
 table{font-size:7.2pt}
 th,td{padding:.1rem .3rem}
 .table-wrap{overflow:visible}
 tr,figure,dl dt,dl dd{break-inside:avoid}
 figure svg{max-height:68mm;width:auto;max-width:100%;margin:0 auto}
 .table-wrap td,.table-wrap th{line-height:1.2}
 .unit{font-size:6.5pt}
 p,figcaption,.note,.small,code{font-size:7.5pt}
 .headline{margin:.15rem 0}
 dl{font-size:7.5pt;columns:2;column-gap:1.2rem}
 section.run{break-inside:avoid}
}
"""


# --------------------------------------------------------------------------- the gap fact sheet


def _lines(reference_lines) -> list[dict]:
    out = []
    for line in reference_lines or ():
        d = line.as_dict() if hasattr(line, "as_dict") else dict(line)
        d["hourly"] = Decimal(str(d["hourly"]))
        out.append(d)
    return out


def _peer(report: Mapping) -> Mapping:
    return next(g for g in report["groups"] if g["role"] == report["peer_role"])


def pick_comparator(report: Mapping, comparator: str | None = None) -> Mapping | None:
    """The group the headline names: ``comparator`` if given, else the best-paid comparable
    role in the organisation, else the best-paid external occupation."""
    groups = [g for g in report["groups"] if g["role"] != report["peer_role"] and g.get("cents_on_the_dollar") is not None]
    if comparator is not None:
        return next((g for g in groups if g["role"] == comparator), None)
    internal = [g for g in groups if g.get("source") != "external"]
    pool = internal or groups
    return max(pool, key=lambda g: (g.get("median_hourly") or 0, g["role"])) if pool else None


def gap_headline(report: Mapping, reference_lines=(), comparator: str | None = None) -> list[str]:
    """Sentences generated from the report's own figures (whole numbers, half-up).

    "For every dollar a registered nurse earns, a peer specialist here earns 46 cents." uses the
    table's ``cents on the dollar`` (45.6 -> 46); "works 88 hours ... in 40" uses ``hours to
    earn 40`` (87.8 -> 88). tests/test_html_factsheet.py parses both back and checks them.
    """
    peer = _peer(report)
    peer_name = role_label(report["peer_role"])
    if peer.get("peer_median_band"):
        out = _banded_headline(report, peer, peer_name, comparator)
        high = Decimal(peer["peer_median_band"].split("–")[1])
        below = [d for d in _lines(reference_lines) if high <= d["hourly"]]
        if below:
            names = "; ".join(f"{d['label']} {money(d['hourly'])}" for d in below)
            of = "the comparison line" if len(below) == 1 else f"{len(below)} of the {len(_lines(reference_lines))} comparison lines"
            out.append(f"Even the top of the {peer_name} band, ${high} an hour, is below {of}: {names}.")
        return out
    if peer.get("suppressed") or peer.get("median_hourly") is None:
        return [(f"Pay for the {peer_name} group is not published: the group has fewer than "
                f"{report.get('min_group', '')} employees, and smaller groups are suppressed to protect privacy.")]
    out = []
    g = pick_comparator(report, comparator)
    if g is not None:
        other = role_label(g["role"])
        where = " nationally (BLS median)" if g.get("source") == "external" else ""
        out.append(f"For every dollar {_a(other)} {other} earns{where}, {_a(peer_name)} {peer_name} here earns "
                   f"{whole(g['cents_on_the_dollar'])} cents.")
        out.append(f"{_a(peer_name).capitalize()} {peer_name} works {whole(g['peer_hours_for_40'])} hours to earn what "
                   f"{_a(other)} {other}{where} earns in 40.")
        if g.get("source") != "external":
            national = next((x for x in report["groups"] if x.get("source") == "external"
                             and role_label(x["role"]) == other and x.get("cents_on_the_dollar") is not None), None)
            if national is not None:
                out.append(f"Against the national median for {other}s (BLS), {_a(peer_name)} {peer_name} here earns "
                           f"{whole(national['cents_on_the_dollar'])} cents on the dollar.")
    below = [d for d in _lines(reference_lines) if Decimal(str(peer["median_hourly"])) < d["hourly"]]
    if below:
        names = "; ".join(f"{d['label']} {money(d['hourly'])}" for d in below)
        of = "the comparison line" if len(below) == 1 else f"{len(below)} of the {len(_lines(reference_lines))} comparison lines"
        out.append(f"The {peer_name} median, {money(peer['median_hourly'])} an hour, is below {of}: {names}.")
    return out


def _banded_headline(report: Mapping, peer: Mapping, peer_name: str, comparator: str | None) -> list[str]:
    """The peer group is under the threshold: its median as a band, comparisons as ranges."""
    out = [f"The {peer_name} group is smaller than {report.get('min_group', '')} people, so its median is shown only as a "
           f"band: {peer['peer_median_band']} an hour."]
    shown = [g for g in report["groups"] if g.get("cents_on_the_dollar_band")]
    pool = [g for g in shown if g["role"] == comparator] if comparator else (
        [g for g in shown if g.get("source") != "external"] or shown)
    pooled = report.get("comparison_groups") or {}
    national = [g for g in shown if g.get("source") == "external"]
    for g in [max(pool, key=lambda x: (x.get("median_hourly") or 0, x["role"]))] if pool else []:
        if g["role"] in pooled:
            other = f"member of the {g['role']} group ({', '.join(role_label(r) for r in pooled[g['role']])})"
        else:
            other = role_label(g["role"])
        where = " nationally (BLS median)" if g.get("source") == "external" else ""
        lo, hi = g["cents_on_the_dollar_band"]
        out.append(f"For every dollar {_a(other)} {other} earns{where}, {_a(peer_name)} {peer_name} here earns "
                   f"{lo} to {hi} cents.")
        if g.get("source") != "external" and national:
            top = max(national, key=lambda x: (x.get("median_hourly") or 0, x["role"]))
            lo, hi = top["cents_on_the_dollar_band"]
            out.append(f"Against the national median for {role_label(top['role'])}s (BLS), {_a(peer_name)} {peer_name} here "
                       f"earns {lo} to {hi} cents on the dollar.")
    return out


def banded_cents(g: Mapping) -> str:
    lo, hi = g["cents_on_the_dollar_band"]
    return f"{lo}–{hi}"


def _band_caption(report: Mapping) -> str:
    banded = any(g.get("peer_median_band") for g in report["groups"])
    return " (its lighter end is the whole-dollar band that holds the median)" if banded else ""


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def gap_chart_svg(report: Mapping, reference_lines=()) -> str:
    """Horizontal bars of each role's median hourly pay, the peer group in colour, comparison
    lines drawn across the bars and labelled above them: the one chart model
    (:func:`peerpay.io.charts.gap_chart_model`) with readable labels, drawn by :func:`chart_svg`."""
    from .charts import gap_chart_model

    pooled = report.get("comparison_groups") or {}

    def label(g):
        if g.get("source") == "external":
            return role_label(g["role"]) + " (U.S., BLS)"
        return f"{g['role']} (pooled)" if g["role"] in pooled else role_label(g["role"])

    model = gap_chart_model(dict(report), [{**d, "hourly": float(d["hourly"])} for d in _lines(reference_lines)], label)
    for b in model.bars:
        b.text = f"{b.text.split(' ')[0]} (band)" if b.band else money(b.value)
    return chart_svg(model, f"Median hourly pay by role compared with {role_label(report['peer_role'])}",
                     "median pay, dollars per hour")


def chart_svg(model, title: str, axis: str) -> str:
    """A :class:`peerpay.io.charts.ChartModel` as inline SVG: hand-built, no fonts to embed."""
    bars = model.bars
    lines = sorted(model.lines, key=lambda d: d["value"])
    width, label_w, right_pad, bar_h, gap = 800, 365, 64, 15, 5
    top = 18 + 15 * len(lines)
    plot_w = width - label_w - right_pad
    top_value = max([float(b.value) for b in bars] + [float(d["value"]) for d in lines] + [1.0])
    scale = plot_w / (top_value * 1.05)
    height = top + len(bars) * (bar_h + gap) + 34
    x0 = label_w
    unit = "$" if model.money else ""
    parts = [(f"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" "
             f"aria-labelledby=\"chart-title\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" font-size=\"12\">"),
             f"<title id=\"chart-title\">{esc(title)}</title>"]
    step = 10 if top_value <= 80 else 20
    y_end = top + len(bars) * (bar_h + gap)
    for v in range(0, int(top_value * 1.05) + 1, step):
        x = x0 + v * scale
        parts.append(f"<line x1=\"{x:.1f}\" y1=\"{top - 4}\" x2=\"{x:.1f}\" y2=\"{y_end}\" stroke=\"#e5e7eb\" stroke-width=\"1\"/>")
        parts.append(f"<text x=\"{x:.1f}\" y=\"{y_end + 14}\" text-anchor=\"middle\" fill=\"#4b5563\" font-size=\"11\">{unit}{v}</text>")
    parts.append(f"<text x=\"{x0 + plot_w / 2:.1f}\" y=\"{y_end + 29}\" text-anchor=\"middle\" fill=\"#4b5563\" font-size=\"11\">{esc(axis)}</text>")
    for i, b in enumerate(bars):
        y = top + i * (bar_h + gap)
        color = PEER_COLOR if b.highlight else EXTERNAL_COLOR if b.external else INTERNAL_COLOR
        weight = " font-weight=\"700\"" if b.highlight else ""
        fill = PEER_COLOR if b.highlight else "#1f2937"
        w = max(float(b.value), 0.0) * scale  # a negative gap (peers paid more) draws no bar; its figure says so
        parts.append(f"<text x=\"{x0 - 8}\" y=\"{y + bar_h - 4}\" text-anchor=\"end\" fill=\"{fill}\"{weight} font-size=\"11.5\">{esc(b.label)}</text>")
        if b.band:  # under the threshold: a solid bar to the band's foot, the band itself lighter
            lo = b.band[0] * scale
            parts.append(f"<rect x=\"{x0}\" y=\"{y}\" width=\"{lo:.1f}\" height=\"{bar_h}\" fill=\"{color}\"/>"
                         f"<rect x=\"{x0 + lo:.1f}\" y=\"{y}\" width=\"{w - lo:.1f}\" height=\"{bar_h}\" fill=\"{color}\" fill-opacity=\"0.35\" "
                         f"stroke=\"{color}\"><title>{esc(b.label)}: median in the band ${b.band[0]}–{b.band[1]}</title></rect>")
        else:
            parts.append(f"<rect x=\"{x0}\" y=\"{y}\" width=\"{w:.1f}\" height=\"{bar_h}\" fill=\"{color}\"><title>{esc(b.label)}: {esc(b.text)}</title></rect>")
        parts.append(f"<text x=\"{x0 + w + 5:.1f}\" y=\"{y + bar_h - 4}\" fill=\"{fill}\"{weight} font-size=\"11\"{HALO}>{esc(b.text)}</text>")
    for k, d in enumerate(lines):
        color = LINE_COLORS.get(d.get("kind", "user"), "#b45309")
        x = x0 + float(d["value"]) * scale
        ly = 12 + 15 * k
        shown = f"{d['label']} {money(d['value']) if model.money else number(d['value'])}"
        parts.append(f"<line x1=\"{x:.1f}\" y1=\"{ly + 3}\" x2=\"{x:.1f}\" y2=\"{y_end}\" stroke=\"{color}\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"/>")
        text_w = 6.6 * len(shown)  # rough width at 11px bold
        anchor = "end" if x + text_w + 4 > width else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(f"<text x=\"{x + dx:.1f}\" y=\"{ly}\" text-anchor=\"{anchor}\" fill=\"{color}\" font-size=\"11\" font-weight=\"600\"{HALO}>"
                     f"{esc(shown)}</text>")
    parts.append("</svg>")
    return "".join(parts)


GAP_COLUMNS = [
    ("Role", ""), ("Source", ""), ("Employees", "n"), ("Median pay", "$/hour"), ("Gap", "% of role's median"),
    ("Gap", "$/hour"), ("Cents on the dollar", "¢ per $1"), ("Hours to earn the role's 40", "hours"),
    ("Yearly gap per worker", "$/year"),
]

def _pooled_label(report: Mapping, role: str) -> str:
    """A declared comparison group reads "clinical (pooled: registered nurse, lpn…)"; a role, its words."""
    members = (report.get("comparison_groups") or {}).get(role)
    return f"{role} (pooled: {', '.join(role_label(r) for r in members)})" if members else role_label(role)


#: The fact sheet's columns in the one gap-metrics table (core/gap.py GAP_METRICS), in table order.
SHEET_METRICS = ["n", "median_hourly", "gap_median_pct", "gap_median_dollars", "cents_on_the_dollar", "peer_hours_for_40",
                 "annual_gap_per_worker"]
BAND_METRICS = ["peer_median_band", "cents_on_the_dollar_band"]


def metric_definitions(report: Mapping) -> list[tuple[str, str]]:
    """(term, definition and source) for each figure on the page, from core's GAP_METRICS;
    then the report's own definitions of the quartiles and the decomposition."""
    from ..core.gap import GAP_METRICS

    by_key = {m.key: m for m in GAP_METRICS}
    keys = SHEET_METRICS + (BAND_METRICS if any(g.get("peer_median_band") for g in report["groups"]) else [])
    out = [(by_key[k].header or k.replace("_", " "),
            by_key[k].definition + (f" [{by_key[k].source}]" if by_key[k].source else "")) for k in keys]
    definitions = report.get("definitions", {})
    return out + [(k, definitions[k]) for k in ("quartiles", "decomposition") if k in definitions]


def gap_table(report: Mapping) -> str:
    rows, classes, keys = [], [], []
    for g in report["groups"]:
        external = g.get("source") == "external"
        hidden = g.get("suppressed")
        src = "BLS, U.S." if external else "here"
        if hidden and g.get("peer_median_band"):
            rows.append([_pooled_label(report, g["role"]), src, f"under {report.get('min_group', '')}", g["peer_median_band"] + " (band)",
                         "", "", "", "", ""])
        elif hidden:
            rows.append([_pooled_label(report, g["role"]), src, f"under {report.get('min_group', '')}", "suppressed", "", "", "", "", ""])
        elif g.get("cents_on_the_dollar_band"):
            rows.append([_pooled_label(report, g["role"]), src, "" if g.get("n") is None else g["n"], money(g.get("median_hourly")),
                         "", "", banded_cents(g), "", ""])
        else:
            rows.append([
                _pooled_label(report, g["role"]), src, "" if g.get("n") is None else g["n"], money(g.get("median_hourly")),
                number(g.get("gap_median_pct")), money(g.get("gap_median_dollars")), number(g.get("cents_on_the_dollar")),
                number(g.get("peer_hours_for_40")), money(g.get("annual_gap_per_worker"), 0),
            ])
        classes.append("peer" if g["role"] == report["peer_role"] else "suppressed" if hidden else "")
        keys.append(g["role"])
    unit = "USD per hour" if report.get("basis") != "annual" else "USD per year"
    title = f"Median pay by role vs {role_label(report['peer_role'])} ({report.get('basis', 'base_rate').replace('_', ' ')}, {unit}, as of {report.get('as_of', '')})"
    return html_table(title, [c for c, _ in GAP_COLUMNS], rows, [u for _, u in GAP_COLUMNS], row_classes=classes, row_keys=keys)


def lines_table(reference_lines) -> str:
    rows = [[d["label"], money(d["hourly"]), d.get("basis", ""), d.get("effective", ""), display_url(d.get("source", ""))]
            for d in _lines(reference_lines)]
    return html_table("", ["Line", "Hourly", "How it is derived", "Applies from", "Source"], rows,
                      ["", "$/hour", "", "", ""], row_keys=[d["key"] for d in _lines(reference_lines)])


def gap_fact_sheet(report: Mapping, reference_lines=(), run_record: Mapping | None = None, *,
                   sources: Sequence[tuple[str, str]] | None = None, title: str | None = None,
                   comparator: str | None = None) -> str:
    """The gap report as an advocate's fact sheet (see the module docstring).

    ``sources``: (name, what and when) pairs; by default the organisation's schedule on the
    report's as-of date and, when external rows are present, their ``reference_source``.
    """
    peer_name = role_label(report["peer_role"])
    title = title or f"What {peer_name}s are paid, compared"
    headline = gap_headline(report, reference_lines, comparator)
    figure = (f"<figure>{gap_chart_svg(report, reference_lines)}<figcaption>Median hourly pay by role. "
              f"The {esc(peer_name)} bar is in colour{_band_caption(report)}; national figures (BLS) in light grey; dashed lines are the "
              f"comparison lines listed below.</figcaption></figure>")
    sections = [("Median pay by role", figure), ("The numbers", gap_table(report) + _suppression_note(report))]
    if reference_lines:
        sections.append(("Comparison lines", lines_table(reference_lines)))
    if any(v is not None for x in report.get("quartiles") or [] for k, v in x.items() if k != "quartile"):
        q = report["quartiles"]
        if all("employees" in x for x in q):
            table = html_table(
                "Organisation-wide pay quartiles",
                ["Quartile", "Employees", "From", "To", f"{peer_name}s", f"{peer_name} share"],
                [[x["quartile"], x["employees"], money(x["min_hourly"]), money(x["max_hourly"]), number(x["peers"]),
                  number(x["peer_share_pct"])] for x in q],
                ["", "n", "$/hour", "$/hour", "n", "%"])
        else:  # a published report keeps shares only (docs/gap.md, publishing safety)
            table = html_table("Organisation-wide pay quartiles", ["Quartile", f"{peer_name} share"],
                               [[x["quartile"], number(x["peer_share_pct"])] for x in q], ["", "%"])
        sections.append(("Where peers sit in the organisation's pay", table))
    if report.get("certification"):
        from ..core.joint import CERTIFICATION_TITLE, certification_rows

        rows = certification_rows(report["certification"], report.get("min_group", 1))
        sections.append((CERTIFICATION_TITLE, html_table(
            CERTIFICATION_TITLE, ["Group", "Employees", "Mean", "Median", "Gap"],
            [[r["group"], r["n"], money(r["mean_hourly"]), money(r["median_hourly"]), number(r["gap_percent"])] for r in rows],
            ["", "n", "$/hour", "$/hour", "%"])))
    items = metric_definitions(report)
    sections.append(("What each figure means", definition_list(items) + _decomposition(report)))
    sources = list(sources or _default_sources(report))
    notes = list(report.get("notes", []))
    sections.append(("Data sources and notes", definition_list(sources) + paragraphs(display_url(n) for n in notes)))
    subtitle = f"Pay as of {report.get('as_of', '')}; {peer_name} median vs other roles here and national figures."
    return fact_sheet_page(title, headline, sections, run_record, subtitle=subtitle)


def _default_sources(report: Mapping) -> list[tuple[str, str]]:
    out = [("Organisation's wage schedule and roster",
            (f"{report.get('basis', 'base_rate').replace('_', ' ')} in effect on {report.get('as_of', '')} (the schedule's as-of date); "
            "no names or employee ids are used in this page."))]
    external = sorted({g.get("reference_source", "") for g in report["groups"] if g.get("source") == "external"})
    out += [(s, "national comparator occupations (SOC codes in the JSON report)") for s in external if s]
    return out


def _suppression_note(report: Mapping) -> str:
    hidden = [g for g in report["groups"] if g.get("suppressed")]
    if not hidden:
        return ""
    return (f"<p class=\"note\">{len(hidden)} group(s) with fewer than {esc(report.get('min_group', ''))} employees are "
            "suppressed: their figures could identify individual people's pay. Pooling roles into larger comparison "
            "groups, or comparing with public reference wages only, keeps more of the report publishable.</p>")


def _decomposition(report: Mapping) -> str:
    d = report.get("decomposition") or {}
    if d.get("status") != "ok":
        return ""
    return (f"<p class=\"small\">Explained/unexplained split (Oaxaca-Blinder, {esc(d.get('n_peer'))} {esc(role_label(report['peer_role']))}s vs "
            f"{esc(d.get('n_other'))} others; covariates {esc(', '.join(d.get('covariates', [])))}): mean hourly gap "
            f"{esc(money(d['gap']))} = explained {esc(money(d['explained']))} + unexplained {esc(money(d['unexplained']))}. "
            "With groups this small the split is unstable; read it as an indication only.</p>")
