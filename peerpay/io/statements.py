"""Printable per-employee back-pay statements: one self-contained HTML file each.

Inline CSS, no scripts, no outside resources (fonts, images, links), so a worker can print it
or attach it to a complaint as it is. Every text cell is HTML-escaped. Names appear only when
the caller passes them (``--with-names``).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from ..core.backpay import CITATIONS
from ..core.report import hours

CSS = """
body{font-family:Georgia,'Times New Roman',serif;margin:2em auto;max-width:60em;color:#111}
h1{font-size:1.4em;margin-bottom:0}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border:1px solid #bbb;padding:.25em .45em;vertical-align:top}
th{background:#eee;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.small{font-size:.85em;color:#333}.total td{font-weight:bold}
@media print{body{margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def safe_filename(employee_id: str) -> str:
    """``statement-<id>.html`` with anything but letters, digits, ``-`` and ``_`` replaced."""
    return "statement-" + (re.sub(r"[^A-Za-z0-9_-]", "_", str(employee_id))[:80] or "_") + ".html"


def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def _local(minutes: int) -> str:
    return str(np.datetime64(int(minutes), "m")).replace("T", " ")


def statement_html(employee: dict, weeks: list[dict], rows: pd.DataFrame, report: dict, name: str | None = None) -> str:
    """One employee's statement: the unpaid rows, each week's arithmetic, the totals, the sources."""
    who = _e(employee["employee_id"]) + (f" &mdash; {_e(name)}" if name else "")
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>Statement of unpaid work: {_e(employee['employee_id'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Statement of unpaid work: {who}</h1>",
        (f"<p class=\"small\">Workweeks ending on or after {_e(report['lookback_from'])} (as of {_e(report['as_of'])}, "
        f"{report['lookback_years']}-year lookback). Minimum wage: {_e(report['minimum_wage']['basis'])}.</p>"),
        "<h2>Unpaid work</h2><table><tr><th>workweek</th><th>from</th><th>to</th><th>kind</th><th>hours</th><th>activity</th><th>log row</th></tr>",
    ]
    for r in rows.itertuples(index=False):  # one employee's rows: tens, not millions
        parts.append(
            f"<tr><td>{_e(str(np.datetime64(r.week_start, 'D')))}</td><td>{_e(_local(r.start_local))}</td><td>{_e(_local(r.end_local))}</td>"
            f"<td>{_e(r.kind)}</td><td class=\"n\">{hours(int(r.minutes)):,.2f}</td><td>{_e(r.activity)}</td><td class=\"n\">{int(r.row)}</td></tr>"
        )
    parts.append("</table><h2>Back wages by workweek</h2><table><tr><th>workweek</th><th>unpaid hours</th>"
                 "<th>contract back wages</th><th>FLSA minimum</th></tr>")
    for w in weeks:
        contract = (f"owed gross {_usd(w['owed_gross'])} &minus; paid gross {_usd(w['paid_gross'])} = "
                    f"<b>{_usd(w['back_wages'])}</b>")
        flsa = (f"{_usd(w['minimum_wage'])}/h &times; {w['flsa_straight_hours']:,.2f} h + 1.5 &times; "
                f"{w['flsa_regular_rate']:,.4f}/h &times; {w['flsa_overtime_hours']:,.2f} h = <b>{_usd(w['flsa_minimum_back_wages'])}</b>")
        parts.append(f"<tr><td>{_e(w['week_start'])}</td><td class=\"n\">{w['unpaid_hours']:,.2f}</td><td>{contract}</td><td>{flsa}</td></tr>")
    parts.append(
        f"<tr class=\"total\"><td>total</td><td class=\"n\">{employee['unpaid_hours']:,.2f}</td>"
        f"<td>{_usd(employee['back_wages'])}</td><td>{_usd(employee['flsa_minimum_back_wages'])}</td></tr></table>"
        "<h2>Amount claimed</h2><table>"
        f"<tr><td>Back wages</td><td class=\"n\">{_usd(employee['back_wages'])}</td></tr>"
        f"<tr><td>Liquidated damages (equal amount, 29 U.S.C. 216(b))</td><td class=\"n\">{_usd(employee['liquidated_damages'])}</td></tr>"
        f"<tr class=\"total\"><td>Total</td><td class=\"n\">{_usd(employee['total_owed'])}</td></tr></table>"
        "<h2>How these figures are computed</h2><ul class=\"small\">"
    )
    parts += [f"<li><b>{_e(k.replace('_', ' '))}</b>: {_e(v)}</li>" for k, v in CITATIONS.items()]
    parts.append("</ul><p class=\"small\">These are figures computed by peerpay from the records above. They are not legal "
                 "advice; a wage-and-hour advocate, union representative or lawyer can say what is owed.</p></body></html>\n")
    return "".join(parts)
