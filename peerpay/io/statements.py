"""Printable per-employee back-pay statements: one self-contained HTML file each (the fact sheet's page skeleton and CSS).

Inline CSS, no scripts, no outside resources (fonts, images, links), so a worker can print it
or attach it to a complaint as it is. Every text cell is HTML-escaped. Names appear only when
the caller passes them (``--with-names``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core.backpay import CITATIONS
from ..core.report import hours
from .html import definition_list, fact_sheet_page, html_table, paragraphs

def safe_filename(employee_id: str) -> str:
    """``statement-<id>.html`` with anything but letters, digits, ``-`` and ``_`` replaced."""
    return "statement-" + (re.sub(r"[^A-Za-z0-9_-]", "_", str(employee_id))[:80] or "_") + ".html"


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def _local(minutes: int) -> str:
    return str(np.datetime64(int(minutes), "m")).replace("T", " ")


def statement_html(employee: dict, weeks: list[dict], rows: pd.DataFrame, report: dict, name: str | None = None) -> str:
    """One employee's statement: the unpaid rows, each week's arithmetic, the totals, the sources.

    Built on the fact sheet's page skeleton and CSS (:func:`peerpay.io.html.fact_sheet_page`),
    so every page peerpay writes looks and prints the same way; every cell is escaped there.
    """
    who = str(employee["employee_id"]) + (f" — {name}" if name else "")
    intro = (f"Workweeks ending on or after {report['lookback_from']} (as of {report['as_of']}, "
             f"{report['lookback_years']}-year lookback). Minimum wage: {report['minimum_wage']['basis']}.")
    unpaid = html_table(
        "", ["workweek", "from", "to", "kind", "hours", "activity", "log row"],
        [[str(np.datetime64(r.week_start, "D")), _local(r.start_local), _local(r.end_local), r.kind, f"{hours(int(r.minutes)):,.2f}",
          r.activity, int(r.row)] for r in rows.itertuples(index=False)],  # one employee's rows: tens, not millions
        ["", "", "", "", "h", "", ""])
    week_rows = [[w["week_start"], f"{w['unpaid_hours']:,.2f}",
                  f"owed gross {_usd(w['owed_gross'])} − paid gross {_usd(w['paid_gross'])} = {_usd(w['back_wages'])}",
                  (f"{_usd(w['minimum_wage'])}/h × {w['flsa_straight_hours']:,.2f} h + 1.5 × {w['flsa_regular_rate']:,.4f}/h × "
                   f"{w['flsa_overtime_hours']:,.2f} h = {_usd(w['flsa_minimum_back_wages'])}")] for w in weeks]
    week_rows.append(["total", f"{employee['unpaid_hours']:,.2f}", _usd(employee["back_wages"]), _usd(employee["flsa_minimum_back_wages"])])
    by_week = html_table("", ["workweek", "unpaid hours", "contract back wages", "FLSA minimum"], week_rows, ["", "h", "", ""],
                         row_classes=[""] * len(weeks) + ["total"])
    claimed = html_table("", ["", "amount"], [
        ["Back wages", _usd(employee["back_wages"])],
        ["Liquidated damages (equal amount, 29 U.S.C. 216(b))", _usd(employee["liquidated_damages"])],
        ["Total", _usd(employee["total_owed"])]], ["", "$"], row_classes=["", "", "total"])
    how = definition_list((k.replace("_", " "), v) for k, v in CITATIONS.items())
    caveat = paragraphs(["These are figures computed by peerpay from the records above. They are not legal advice; a "
                         "wage-and-hour advocate, union representative or lawyer can say what is owed."])
    sections = [("Unpaid work", unpaid), ("Back wages by workweek", by_week), ("Amount claimed", claimed),
                ("How these figures are computed", how + caveat)]
    return fact_sheet_page(f"Statement of unpaid work: {who}", [], sections, subtitle=intro, with_run_record=False)
