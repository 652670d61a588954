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
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from ..core.money import round_half_up

from .charts import EXTERNAL_COLOR, INTERNAL_COLOR, LINE_COLORS, PEER_COLOR, ROLE_WORDS, role_label  # noqa: F401 - re-exported


def esc(value) -> str:
    """HTML-escape any value for text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


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
               row_classes: Sequence[str] | None = None, row_keys: Sequence[str] | None = None, note: str = "",
               dates_on_one_line: bool = False, stack: bool = False) -> str:
    """A titled, escaped table; ``units`` (same length as ``columns``) show under each header.

    Numeric-looking cells are right-aligned. ``row_keys`` become ``data-key`` attributes so a
    test (or a reader's script) can find a row without parsing its text. ``stack``: on a phone
    each row becomes a card of "header: value" lines (``data-label``), so no figure is off screen.
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
            attrs = (' scope="row"' if j == 0 else "") + (' class="num"' if num else ' style="white-space:nowrap"' if dates_on_one_line and _DATE.match(str(cell)) else "")
            if stack and j > 0:
                label = columns[j] + (f" ({units[j]})" if units[j] else "")
                attrs += f' data-label="{esc(label)}"' + ("" if str(cell).strip() else ' data-empty=""')
            cells.append(f"<{tag}{attrs}>{text}</{tag}>")
        body.append(f"<tr{cls}{key}>{''.join(cells)}</tr>")
    foot = f'<p class="note">{esc(note)}</p>' if note else ""
    caption = f"<caption>{esc(title)}</caption>" if title else ""
    klass = ' class="stack"' if stack else ""
    return (f"<div class=\"table-wrap\"><table{klass}>{caption}"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{foot}")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")  # a date or a date and time: kept on one line


def _numeric(cell) -> bool:
    text = str(cell).replace("$", "").replace(",", "").replace("%", "").replace("(band)", "").replace("–", "").strip()
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
        if f.get("sha256") else f'<tr><th scope="row">{esc(f["file"])}</th><td>input (named only: a published page carries no hash of a private file)</td></tr>'
        for f in record.get("inputs", [])
    )
    return f"<div class=\"table-wrap\"><table class=\"record\"><tbody>{items}{files}</tbody></table></div>"


WIDE = ' style="max-width:none"'  # <main> of a page that uses the window's whole width


def fact_sheet_page(title: str, headline: Sequence[str], sections: Sequence[tuple[str, str]],
                    run_record: Mapping | None = None, *, subtitle: str = "", with_run_record: bool = True, wide: bool = False,
                    caveats: Sequence[str] = ()) -> str:
    """The whole document. ``sections`` are (heading, trusted HTML built by the helpers here).

    ``wide``: the page uses the window's whole width (a report of wide tables, not a fact sheet).

    ``with_run_record=False``: no run-record section (a worker's back-pay statement, whose
    inputs are the whole organisation's files, not the worker's). ``caveats``: short sentences
    shown after the headline (the finding comes first).
    """
    heads = "".join(f"<p class=\"headline\">{esc(s)}</p>" for s in headline)
    heads += "".join(f"<p class=\"caveat\">{esc(s)}</p>" for s in caveats)
    body = "".join(f"<section><h2>{esc(h)}</h2>{content}</section>" for h, content in sections)
    record = f"<section class=\"run\"><h2>Run record</h2>{run_record_section(run_record)}</section>" if with_run_record else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main{WIDE if wide else ''}><header><h1>{esc(title)}</h1>"
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
.caveat{color:var(--muted);margin:.35rem 0 .2rem;font-size:.92rem}
figure svg.chart-narrow{display:none}
@media (max-width:40rem){body{font-size:14px}.headline{font-size:1rem}table{font-size:.78rem}table.record th,table.record td{width:auto;white-space:normal}}
@media (max-width:30rem){
 main{padding:1rem .75rem 1.5rem}
 figure svg.chart-wide{display:none}
 figure svg.chart-narrow{display:block}
 table.stack{font-size:.9rem}
 table.stack thead{display:none}
 table.stack tbody,table.stack tr{display:block;width:100%}
 table.stack tr{border-bottom:1px solid var(--rule);padding:.4rem .2rem}
 table.stack th[scope=row]{display:block;border:0;padding:0 0 .1rem}
 table.stack td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.05rem 0;white-space:normal;text-align:right}
 table.stack td,table.stack th{overflow-wrap:anywhere;min-width:0}
 table.stack td::before{content:attr(data-label);color:var(--muted);text-align:left}
 table.stack td[data-empty]{display:none}
}
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
 figure svg.chart-narrow{display:none}
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


def _cents(g: Mapping):
    """A row's cents on the dollar: a number, a [low, high] range, or None."""
    return g.get("cents_on_the_dollar") if g.get("cents_on_the_dollar") is not None else g.get("cents_on_the_dollar_band")


def _median_key(report: Mapping) -> str:
    return "median_annual" if report.get("basis") == "annual" else "median_hourly"


def _level(report: Mapping, g: Mapping) -> float:
    """Where a row sits for choosing the comparator: its median, or its band's low end."""
    key = _median_key(report)
    if g.get(key) is not None:
        return float(g[key])
    return float((g.get(f"{key}_band") or [0])[0])


def pick_comparator(report: Mapping, comparator: str | None = None) -> Mapping | None:
    """The group the headline names: ``comparator`` if given, else the best-paid comparable
    group in the organisation, else the best-paid external occupation."""
    groups = [g for g in report["groups"] if g["role"] != report["peer_role"] and _cents(g) is not None]
    if comparator is not None:
        return next((g for g in groups if g["role"] == comparator), None)
    internal = [g for g in groups if g.get("source") != "external"]
    pool = internal or groups
    return max(pool, key=lambda g: (_level(report, g), g["role"])) if pool else None


def _who(report: Mapping, g: Mapping) -> str:
    """A member of a group, in words: "registered nurse", "clinical worker" (a declared group)."""
    if g["role"] in (report.get("comparison_groups") or {}):
        return f"{g['role'].replace('_', ' ')} worker"
    return role_label(g["role"])


def _span(value, fmt=str) -> str:
    """46 or 56–72: a figure or its range, as the headline says it."""
    if isinstance(value, (list, tuple)):
        return f"{fmt(value[0])}–{fmt(value[1])}"
    return fmt(value)


def gap_headline(report: Mapping, reference_lines=(), comparator: str | None = None) -> list[str]:
    """The finding, in sentences generated from the report's own figures (whole numbers, half-up;
    a range when either side is a pay band).

    "For every dollar a registered nurse earns, a peer specialist here earns 46 cents." uses the
    table's ``cents on the dollar`` (45.6 -> 46); "works 88 hours ... in 40" uses ``hours to
    earn 40`` (87.8 -> 88). With a banded group: "Peer specialists here earn 56–72 cents for
    every dollar a clinical worker earns." tests/test_html_factsheet.py parses them back.
    """
    peer = _peer(report)
    peer_name = role_label(report["peer_role"])
    if peer.get("suppressed"):
        return [f"Pay for the {peer_name} group is not published: the group is too small, and any figure of it would be "
                "one person's pay."]
    out = []
    g = pick_comparator(report, comparator)
    if g is not None:
        other = _who(report, g)
        where = " nationally (BLS median)" if g.get("source") == "external" else ""
        cents = _cents(g)
        hours = g.get("peer_hours_for_40") if g.get("peer_hours_for_40") is not None else g.get("peer_hours_for_40_band")
        if isinstance(cents, list):
            out.append(f"{peer_name.capitalize()}s here earn {_span(cents)} cents for every dollar {_a(other)} {other} earns{where}.")
            if hours is not None:
                out.append(f"{_a(peer_name).capitalize()} {peer_name} works {_span(hours)} hours to earn what {_a(other)} {other}{where} "
                           "earns in 40.")
        else:
            out.append(f"For every dollar {_a(other)} {other} earns{where}, {_a(peer_name)} {peer_name} here earns {whole(cents)} cents.")
            if hours is not None:
                out.append(f"{_a(peer_name).capitalize()} {peer_name} works {whole(hours)} hours to earn what {_a(other)} {other}{where} "
                           "earns in 40.")
        if g.get("source") != "external":
            national = [x for x in report["groups"] if x.get("source") == "external" and _cents(x) is not None]
            same = next((x for x in national if role_label(x["role"]) == other), None)
            top = same or (max(national, key=lambda x: (_level(report, x), x["role"])) if isinstance(cents, list) and national else None)
            if top is not None:
                figure = _cents(top)
                out.append(f"Against the national median for {role_label(top['role'])}s (BLS), {_a(peer_name)} {peer_name} here earns "
                           f"{_span(figure) if isinstance(figure, list) else whole(figure)} cents on the dollar.")
    out += _below_lines(report, peer, peer_name, reference_lines)
    return out


def _below_lines(report: Mapping, peer: Mapping, peer_name: str, reference_lines) -> list[str]:
    """The comparison lines above the peer median (a band: above even its top)."""
    lines = _lines(reference_lines)
    if report.get("basis") == "annual" or not lines:
        return []
    band = peer.get("median_hourly_band")
    level = Decimal(str(band[1] if band else peer.get("median_hourly") or 0))
    below = [d for d in lines if (level <= d["hourly"] if band else level < d["hourly"])]
    if not below or not level:
        return []
    names = "; ".join(f"{d['label']} {money(d['hourly'])}" for d in below)
    of = "the comparison line" if len(below) == 1 else f"{len(below)} of the {len(lines)} comparison lines"
    if band:
        return [f"Even the top of the {peer_name} band, {money(level, 0) if level == level.to_integral() else money(level)} an hour, "
                f"is below {of}: {names}."]
    return [f"The {peer_name} median, {money(peer['median_hourly'])} an hour, is below {of}: {names}."]


def gap_caveats(report: Mapping) -> list[str]:
    """What the reader must know about the finding, after it: which groups are pay bands, and which are withheld."""
    key = _median_key(report)
    unit = " a year" if report.get("basis") == "annual" else " an hour"
    banded = [g for g in report["groups"] if g.get("banded")]
    withheld = [g for g in report["groups"] if g.get("suppressed")]
    out = []
    if banded:
        parts = [f"{_pooled_label(report, g['role'])} {band_money(g[f'{key}_band'])}" for g in banded]
        out.append(f"Ranges, not exact figures: {len(banded)} group{'s' if len(banded) > 1 else ''} with fewer than "
                   f"{report.get('min_group', '')} employees {'are' if len(banded) > 1 else 'is'} shown only as a pay band "
                   f"({'; '.join(parts)}{unit}), and each comparison as the range the bands allow.")
    if withheld:
        out.append(f"Not shown: {', '.join(_pooled_label(report, g['role']) for g in withheld)} (fewer than "
                   f"{report.get('band_min_group', 3)} employees: any figure would be one person's pay).")
    return out


def band_money(pair: Sequence, unit: str = "") -> str:
    """[18, 20] -> "$18–20"; [12.5, 16] -> "$12.50–16"; [40000, 45000] -> "$40,000–45,000"."""
    lo, hi = (f"{x:,}" if float(x).is_integer() else f"{x:,.2f}" for x in pair)
    lo, hi = (x.removesuffix(".0") for x in (lo, hi))
    return f"${lo}–{hi}{unit}"


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def gap_chart_model(report: Mapping, reference_lines=()):
    """The fact sheet's chart: the one chart model (:func:`peerpay.io.charts.gap_chart_model`) with the page's comparison lines."""
    from .charts import gap_chart_model as model

    return model(dict(report), [{**d, "hourly": float(d["hourly"])} for d in _lines(reference_lines)])


def gap_chart_svg(report: Mapping, reference_lines=(), *, narrow: bool = False) -> str:
    """Horizontal bars of each group's median pay, the peer group in colour, a banded group as its
    band, comparison lines labelled above the bars (or in a key); the desktop or the phone layout."""
    from .charts import svg

    m = gap_chart_model(report, reference_lines)
    title = f"Median {'annual' if report.get('basis') == 'annual' else 'hourly'} pay by role compared with {role_label(report['peer_role'])}"
    return svg(m, title, narrow=narrow, css_class="chart-narrow" if narrow else "chart-wide")


def chart_svg(model, title: str, axis: str) -> str:
    """A :class:`peerpay.io.charts.ChartModel` as inline SVG (desktop layout), ``axis`` under it."""
    from dataclasses import replace

    from .charts import svg

    return svg(replace(model, xlabel=axis), title)


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


def _figure(g: Mapping, key: str, fmt):
    """A cell: the exact figure formatted, its range, or blank."""
    if g.get(key) is not None:
        return fmt(g[key])
    band = g.get(f"{key}_band")
    if not band:
        return ""
    return band_money(band) if fmt in (money, _money0) else f"{number(band[0], 0)}–{number(band[1], 0)}"


def _money0(value) -> str:
    return money(value, 0)


def gap_table_rows(report: Mapping) -> tuple[list[list[str]], list[str], list[str]]:
    """The fact sheet's table: rows of text, the columns kept (none blank on every row), row classes."""
    annual = report.get("basis") == "annual"
    key = _median_key(report)
    rows, classes = [], []
    for g in report["groups"]:
        external = g.get("source") == "external"
        src = "BLS, U.S." if external else "here"
        n = g.get("n")
        size = "" if external else n if n is not None else f"under {report.get('band_min_group', 3)}" if g.get("suppressed") \
            else f"under {report.get('min_group', '')}"
        if g.get("suppressed"):
            row = [_pooled_label(report, g["role"]), src, size, "withheld", "", "", "", "", ""]
        else:
            median = _figure(g, key, _money0 if annual else money)
            if g.get(f"{key}_band"):
                median += " (band)"
            row = [_pooled_label(report, g["role"]), src, size, median, _figure(g, "gap_median_pct", number),
                   _figure(g, "gap_median_dollars", _money0 if annual else money), _figure(g, "cents_on_the_dollar", number),
                   "" if annual else _figure(g, "peer_hours_for_40", number), _figure(g, "annual_gap_per_worker", _money0)]
        rows.append([str(c) for c in row])
        classes.append("peer" if g["role"] == report["peer_role"] else "suppressed" if g.get("suppressed") else "")
    keep = [0] + [j for j in range(1, len(GAP_COLUMNS)) if any(r[j] for r in rows)]
    return [[r[j] for j in keep] for r in rows], [str(j) for j in keep], classes


def metric_definitions(report: Mapping, shown: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(term, definition and source) for each figure on the page, from core's GAP_METRICS
    (``shown``: the metric keys of the columns on the page; default all of SHEET_METRICS); then the
    pay band when one is shown, and the report's own definitions of the quartiles and the decomposition."""
    from ..core.gap import GAP_METRICS
    from ..core.gap_publish import PAY_BAND_DEFINITION

    by_key = {m.key: m for m in GAP_METRICS}
    keys = [k for k in SHEET_METRICS if shown is None or k in shown]
    out = [(by_key[k].header or k.replace("_", " "),
            by_key[k].definition + (f" [{by_key[k].source}]" if by_key[k].source else "")) for k in keys]
    definitions = report.get("definitions", {})
    if any(g.get("banded") for g in report["groups"]):
        out.append(("pay band", definitions.get("pay band") or PAY_BAND_DEFINITION.format(low=3, high=9)))
    return out + [(k, definitions[k]) for k in ("quartiles", "decomposition") if k in definitions]


def gap_table(report: Mapping) -> tuple[str, list[str]]:
    """The table and the metric keys of its columns."""
    rows, keep, classes = gap_table_rows(report)
    columns = [GAP_COLUMNS[int(j)] for j in keep]
    annual = report.get("basis") == "annual"
    units = [("$/year" if annual and u == "$/hour" else u) for _, u in columns]
    unit = "USD per hour" if not annual else "USD per year"
    title = (f"Median pay by role vs {role_label(report['peer_role'])} ({report.get('basis', 'base_rate').replace('_', ' ')}, {unit}, "
             f"as of {report.get('as_of', '')})")
    shown = [SHEET_METRICS[int(j) - 2] for j in keep if int(j) >= 2]
    return html_table(title, [c for c, _ in columns], rows, units, row_classes=classes, row_keys=[g["role"] for g in report["groups"]],
                      stack=True), shown


def lines_table(reference_lines) -> str:
    rows = [[d["label"], money(d["hourly"]), d.get("basis", ""), d.get("effective", ""), display_url(d.get("source", ""))]
            for d in _lines(reference_lines)]
    return html_table("", ["Line", "Hourly", "How it is derived", "Applies from", "Source"], rows,
                      ["", "$/hour", "", "", ""], row_keys=[d["key"] for d in _lines(reference_lines)], stack=True)


def gap_fact_sheet(report: Mapping, reference_lines=(), run_record: Mapping | None = None, *,
                   sources: Sequence[tuple[str, str]] | None = None, title: str | None = None,
                   comparator: str | None = None) -> str:
    """The gap report as an advocate's fact sheet (see the module docstring): the finding first,
    then its caveats, the chart (a desktop and a phone layout), the table, and only the
    definitions of what is shown."""
    peer_name = role_label(report["peer_role"])
    title = title or f"What {peer_name}s are paid, compared"
    headline = gap_headline(report, reference_lines, comparator)
    banded = any(g.get("banded") for g in report["groups"])
    what = "annual" if report.get("basis") == "annual" else "hourly"
    figure = (f"<figure>{gap_chart_svg(report, reference_lines)}{gap_chart_svg(report, reference_lines, narrow=True)}"
              f"<figcaption>Median {what} pay by role. The {esc(peer_name)} bar is in colour"
              + ("; a group of 3 to 9 people is drawn as its pay band, a lighter box from the band's low end to its high end" if banded else "")
              + "; national figures (BLS) in light grey"
              + ("; dashed lines are the comparison lines listed below" if reference_lines else "") + ".</figcaption></figure>")
    table, shown = gap_table(report)
    sections = [("Median pay by role", figure), ("The numbers", table + _suppression_note(report))]
    if report.get("billing"):  # the billing share, through the same disclosure rule (io/billing_page.py)
        from .billing_page import billing_section

        line, html = billing_section(report)
        headline, sections = [*headline, *([line] if line else [])], [*sections, ("What the work bills, and the share paid", html)]
    if report.get("out_of_class"):  # out-of-class hours by role, through the same disclosure rule (io/out_of_class_page.py)
        from .billing_page import group_label
        from .out_of_class_page import TITLE, section_html

        line, html = section_html(report, lambda r: group_label(r, set(report.get("comparison_groups") or ())))
        headline, sections = [*headline, *([line] if line else [])], [*sections, (TITLE, html)]
    if reference_lines:
        sections.append(("Comparison lines", lines_table(reference_lines)))
    if any(v is not None for x in report.get("quartiles") or [] for k, v in x.items() if k != "quartile"):
        q = report["quartiles"]
        if all("employees" in x for x in q):
            qtable = html_table(
                "Organisation-wide pay quartiles",
                ["Quartile", "Employees", "From", "To", f"{peer_name}s", f"{peer_name} share"],
                [[x["quartile"], x["employees"], money(x["min_hourly"]), money(x["max_hourly"]), number(x["peers"]),
                  number(x["peer_share_pct"])] for x in q],
                ["", "n", "$/hour", "$/hour", "n", "%"], stack=True)
        else:  # a published report keeps shares only (docs/gap.md, the disclosure rule)
            qtable = html_table("Organisation-wide pay quartiles", ["Quartile", f"{peer_name} share"],
                                [[x["quartile"], number(x["peer_share_pct"])] for x in q], ["", "%"])
        sections.append(("Where peers sit in the organisation's pay", qtable))
    if report.get("certification"):
        from ..core.joint import CERTIFICATION_TITLE, certification_rows

        rows = certification_rows(report["certification"], report.get("min_group", 1))
        sections.append((CERTIFICATION_TITLE, html_table(
            CERTIFICATION_TITLE, ["Group", "Employees", "Mean", "Median", "Gap"],
            [[r["group"], r["n"], money(r["mean_hourly"]), money(r["median_hourly"]), number(r["gap_percent"])] for r in rows],
            ["", "n", "$/hour", "$/hour", "%"])))
    sections.append(("What each figure means", definition_list(metric_definitions(report, shown)) + _decomposition(report)))
    sources = list(sources or _default_sources(report))
    notes = list(report.get("notes", []))
    sections.append(("Data sources and notes", definition_list(sources) + paragraphs(display_url(n) for n in notes)))
    subtitle = f"Pay as of {report.get('as_of', '')}; {peer_name} median vs other roles here and national figures."
    return fact_sheet_page(title, headline, sections, run_record, subtitle=subtitle, caveats=gap_caveats(report))


def _default_sources(report: Mapping) -> list[tuple[str, str]]:
    out = [("Organisation's wage schedule and roster",
            (f"{report.get('basis', 'base_rate').replace('_', ' ')} in effect on {report.get('as_of', '')} (the schedule's as-of date); "
            "no names or employee ids are used in this page."))]
    external = sorted({g.get("reference_source", "") for g in report["groups"] if g.get("source") == "external"})
    out += [(s, "national comparator occupations (SOC codes in the JSON report)") for s in external if s]
    return out


def _suppression_note(report: Mapping) -> str:
    """Names what was withheld (and only that), and which groups are bands."""
    withheld = [_pooled_label(report, g["role"]) for g in report["groups"] if g.get("suppressed")]
    banded = [_pooled_label(report, g["role"]) for g in report["groups"] if g.get("banded")]
    if not withheld and not banded:
        return ""
    parts = []
    if withheld:
        parts.append(f"Withheld: {', '.join(withheld)} (fewer than {esc(report.get('band_min_group', 3))} employees; any figure of a "
                     "group this small is one person's pay, or lets a colleague work it out).")
    if banded:
        parts.append(f"Shown as pay bands: {', '.join(banded)} ({esc(report.get('band_min_group', 3))} to "
                     f"{int(report.get('min_group', 10)) - 1} employees): the band is the step of a fixed ladder of pay levels, "
                     "about 10 % wide, that holds the group's median.")
    parts.append("Pooling roles into larger comparison groups, or comparing with public reference wages only, keeps more of the "
                 "report exact.")
    return f"<p class=\"note\">{esc(' '.join(parts))}</p>"


def _decomposition(report: Mapping) -> str:
    d = report.get("decomposition") or {}
    if d.get("status") != "ok":
        return ""
    counts = (f"{esc(d['n_peer'])} {esc(role_label(report['peer_role']))}s vs {esc(d['n_other'])} others; "
              if d.get("n_peer") is not None else "")
    return (f"<p class=\"small\">Explained/unexplained split (Oaxaca-Blinder, {counts}covariates "
            f"{esc(', '.join(d.get('covariates', [])))}): mean hourly gap "
            f"{esc(money(d['gap']))} = explained {esc(money(d['explained']))} + unexplained {esc(money(d['unexplained']))}. "
            "With groups this small the split is unstable; read it as an indication only.</p>")
