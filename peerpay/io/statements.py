"""Printable per-employee back-pay statements: one self-contained HTML file each (the fact sheet's page skeleton and CSS).

Inline CSS, no scripts, no outside resources (fonts, images, links), so a worker can print it
or attach it to a complaint as it is. Every text cell is HTML-escaped. Names appear only when
the caller passes them (``--with-names``).

Every figure comes from the report dict the other formats render (docs/formats.md §6 plus the week's
arithmetic), so a statement always agrees with the table, JSON and workbook. Each week shows
its arithmetic in the order a worker can re-add it on a calculator: hours, pay, then each
measure's parts and total.
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


def _h(x: float) -> str:
    return f"{x:,.2f} h"


def _rate(x: float) -> str:
    """$/h with 2 decimals, or 4 where the figure has them (an hours-weighted minimum, a regular rate)."""
    return f"${x:,.2f}/h" if round(x * 100) == x * 100 else f"${x:,.4f}/h"


def _local(minutes: int) -> str:
    return str(np.datetime64(int(minutes), "m")).replace("T", " ")


def measure_rows(w: dict, prefix: str, label: str, minimum_key: str) -> list[tuple[str, list[str]]]:
    """One measure of one week as (row key, [item, amount, arithmetic]) rows a worker can re-add."""
    mw = _rate(w[minimum_key])
    total = _usd(w[f"{prefix}_back_wages"])
    if w[f"{prefix}_method"] == "averaging":
        return [(prefix, [f"{label} measure", total,
                          f"workweek averaging (29 CFR 776.4): minimum {mw} on the days worked x {_h(w['hours_worked'])} = "
                          f"{_usd(w[f'{prefix}_required'])} required - {_usd(w['straight_time_paid'])} paid, not below 0"])]
    return [
        (f"{prefix}-straight", [f"{label}: straight time", _usd(w[f"{prefix}_straight_time_due"]),
                                f"every hour at its own rate, or {mw} if higher: {_usd(w[f'{prefix}_required'])} - "
                                f"{_usd(w['straight_time_paid'])} paid, not below 0 (29 CFR 778.315)"]),
        (f"{prefix}-overtime", [f"{label}: overtime", _usd(w[f"{prefix}_overtime_due"]),
                                f"0.5 x regular rate {_rate(w[f'{prefix}_regular_rate'])} x {_h(w[f'{prefix}_overtime_hours'])} = "
                                f"{_usd(w[f'{prefix}_overtime_required'])} - {_usd(w['premium_credits'])} credited, not below 0"]),
        (prefix, [f"{label} measure", total, "straight time + overtime, computed exactly and rounded once"]),
    ]


LIQUIDATED = {"federal": "equal to the FLSA measure (29 U.S.C. 216(b))", "all": "equal to the claim (--liquidated all)",
              "none": "none (--no-liquidated)"}


def week_table(w: dict, liquidated: str = "federal") -> str:
    """A week's arithmetic: hours, rates and pay, the three measures, the claim."""
    rates = ", ".join(_rate(r) for r in w["base_rates"]) or "none"
    stipend = f" + stipend {_h(w['stipend_hours'])}" if w["stipend_hours"] else ""
    standby = f" (and {_h(w['unpaid_on_call_hours'])} of unpaid standby)" if w["unpaid_on_call_hours"] else ""
    other = round(w["premium_credits"] - w["overtime_premium_paid"], 2)
    rows: list[tuple[str, list[str]]] = [
        ("hours", ["Hours worked", _h(w["hours_worked"]), f"paid {_h(w['paid_hours'])} + unpaid {_h(w['unpaid_hours'])}{stipend}{standby}"]),
        ("rates", ["Base rate", rates, "the hourly base rate(s) of the week's hours, paid and unpaid"]),
        ("owed", ["Straight time at the policy's rates", "",
                  f"base {_usd(w['base_pay_owed'])} + differentials {_usd(w['differential_pay_owed'])} + standby "
                  f"{_usd(w['standby_pay_owed'])}, for all the hours (each part rounded on its own)"]),
        ("paid", ["Straight-time pay paid", _usd(w["straight_time_paid"]),
                  "base, differentials and standby of the paid hours" + (f", and stipends {_usd(w['stipend_pay'])}" if w["stipend_pay"] else "")]),
        ("credits", ["Creditable premiums paid", _usd(w["premium_credits"]),
                     f"overtime premiums {_usd(w['overtime_premium_paid'])} + holiday and call-back premiums at 1.5x or more "
                     f"{_usd(other)} (29 U.S.C. 207(h)(2))"]),
        ("contract", ["Contract measure", _usd(w["contract_back_wages"]),
                      f"owed gross {_usd(w['owed_gross'])} - paid gross {_usd(w['paid_gross'])}"]),
        *measure_rows(w, "flsa", "FLSA", "federal_minimum_wage"),
        *measure_rows(w, "state", "State", "state_minimum_wage"),
        ("claim", ["Claim", _usd(w["back_wages"]), "the largest of the three measures"]),
        ("liquidated", ["Liquidated damages", _usd(w["liquidated_damages"]), LIQUIDATED[liquidated]]),
    ]
    return html_table(f"Workweek starting {w['week_start']}", ["", "amount", "arithmetic"], [r for _, r in rows],
                      ["", "", ""], row_keys=[k for k, _ in rows], row_classes=["total" if k == "claim" else "" for k, _ in rows])


def statement_html(employee: dict, weeks: list[dict], rows: pd.DataFrame, report: dict, name: str | None = None) -> str:
    """One employee's statement: the unpaid rows, each week's arithmetic, the totals, the sources.

    Built on the fact sheet's page skeleton and CSS (:func:`peerpay.io.html.fact_sheet_page`),
    so every page peerpay writes looks and prints the same way; every cell is escaped there.
    """
    who = str(employee["employee_id"]) + (f" — {name}" if name else "")
    intro = (f"As of {report['as_of']}. The federal measure counts workweeks ending on or after {report['lookback_from']} "
             f"({report['lookback_years']}-year lookback); the state and contract measures those ending on or after "
             f"{report['state_lookback_from']} ({report['state_lookback_years']} years).")
    unpaid = html_table(
        "", ["workweek", "from", "to", "kind", "hours", "rate", "activity", "log row"],
        [[str(np.datetime64(r.week_start, "D")), _local(r.start_local), _local(r.end_local), r.kind, f"{hours(int(r.minutes)):,.2f}",
          f"${int(r.rate_units) / 10_000:,.4f}", r.activity, int(r.row)]
         for r in rows.itertuples(index=False)],  # one employee's rows: tens, not millions
        ["", "", "", "", "h", "$/h", "", ""])
    summary_rows = [[w["week_start"], f"{w['unpaid_hours']:,.2f}", _usd(w["contract_back_wages"]), _usd(w["flsa_back_wages"]),
                     _usd(w["state_back_wages"]), _usd(w["back_wages"])] for w in weeks]
    summary_rows.append(["total", f"{employee['unpaid_hours']:,.2f}", _usd(employee["contract_back_wages"]),
                         _usd(employee["flsa_back_wages"]), _usd(employee["state_back_wages"]), _usd(employee["back_wages"])])
    by_week = html_table("", ["workweek", "unpaid hours", "contract", "FLSA", "state", "claim"], summary_rows,
                         ["", "h", "$", "$", "$", "$"], row_classes=[""] * len(weeks) + ["total"])
    claimed = html_table("", ["", "amount"], [
        ["Contract measure", _usd(employee["contract_back_wages"])],
        ["FLSA measure", _usd(employee["flsa_back_wages"])],
        ["State measure", _usd(employee["state_back_wages"])],
        ["Back wages claimed (each week's largest measure, added up)", _usd(employee["back_wages"])],
        ["Liquidated damages", _usd(employee["liquidated_damages"])],
        ["Total", _usd(employee["total_owed"])]], ["", "$"], row_classes=["", "", "", "", "", "total"],
        row_keys=["contract", "flsa", "state", "claim", "liquidated", "total"])
    mw = report["minimum_wage"]
    arithmetic = "".join(week_table(w, report["liquidated_damages_basis"]) for w in weeks) + paragraphs([
        f"FLSA: the {mw['federal']}. State: the {mw['state']}. Liquidated damages: {LIQUIDATED[report['liquidated_damages_basis']]}."])
    how = definition_list((k.replace("_", " "), v) for k, v in CITATIONS.items())
    caveat = paragraphs(["Each measure is computed exactly and rounded once per week; its parts are shown rounded on their own, "
                         "so they can differ from the total by a cent.",
                         "These are figures computed by peerpay from the records above. They are not legal advice; a "
                         "wage-and-hour advocate, union representative or lawyer can say what is owed."])
    sections = [("Unpaid work", unpaid), ("Back wages by workweek", by_week), ("Each week's arithmetic", arithmetic),
                ("Amount claimed", claimed), ("How these figures are computed", how + caveat)]
    return fact_sheet_page(f"Statement of unpaid work: {who}", [], sections, subtitle=intro, with_run_record=False)
