"""The billing share on paper: its role table (every format) and its fact-sheet section (docs/billing.md).

Shared by ``peerpay billing`` and the gap fact sheet (``gap --billing``), so the one table and the
one headline sentence are written once.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..core.billing_report import billing_headline
from .charts import ROLE_WORDS, role_label
from .html import definition_list, esc, html_table, paragraphs

ROLE_COLUMNS = ["role", "n", "n_billing", "paid_hours", "gross_pay", "billed_units", "billed", "billed_per_paid_hour", "pay_per_paid_hour",
                "cents_per_dollar_billed", "median_cents_per_dollar_billed", "unbilled_hours", "unbilled_pct",
                "median_cents_per_dollar_billed_band", "unbilled_pct_band", "status"]
KINDS = {"gross_pay": "money", "billed": "money", "billed_per_paid_hour": "money", "pay_per_paid_hour": "money",
         "paid_hours": "hours", "unbilled_hours": "hours", "n": "count", "n_billing": "count", "billed_units": "count"}
#: the fact sheet's columns: (key, header, unit); a band key is shown in its figure's column
PAGE_COLUMNS = [("n", "Employees", "n"), ("median_cents_per_dollar_billed", "Paid per dollar billed", "¢, median person"),
                ("cents_per_dollar_billed", "All together", "¢"), ("pay_per_paid_hour", "Pay", "$/paid hour"),
                ("billed_per_paid_hour", "Billed", "$/paid hour"), ("unbilled_pct", "Unbilled time", "% of paid hours")]


def group_label(role: str, pools=()) -> str:
    """A role in words ("case manager"); a declared pool ("clinical") as "clinical worker"."""
    return f"{role.replace('_', ' ')} worker" if role in pools and role not in ROLE_WORDS else role_label(role)


def _band(v) -> str | None:
    return f"{v[0]:g}–{v[1]:g}" if isinstance(v, list) else v


def role_frame(section: Mapping) -> pd.DataFrame:
    """The roles of a billing report (or a gap report's ``billing`` key) as one flat table; a band as "40–45"."""
    rows = section["roles"]
    cols = [c for c in ROLE_COLUMNS if any(r.get(c) is not None for r in rows)]
    return pd.DataFrame([{c: _band(r.get(c)) for c in cols} for r in rows], columns=cols)


def _cell(row: Mapping, key: str) -> str:
    band = row.get(f"{key}_band")
    if band is not None:
        return f"{band[0]:g}–{band[1]:g}"
    v = row.get(key)
    if v is None:
        return "withheld" if row.get("suppressed") and key == "median_cents_per_dollar_billed" else ""
    return f"{v:,.2f}" if key.endswith("per_paid_hour") else f"{v:g}"


def billing_section(report: Mapping) -> tuple[str | None, str]:
    """(the headline sentence, the section's HTML) for a report carrying ``billing``."""
    section = report["billing"]
    rows = section["roles"]
    pools = set(report.get("comparison_groups") or ())
    line = billing_headline(rows, report["peer_role"], lambda r: group_label(r, pools))
    shown = [c for c in PAGE_COLUMNS if any(r.get(c[0]) is not None or r.get(f"{c[0]}_band") is not None for r in rows)]
    table = html_table("What the work bills, and the share of it paid",
                       ["Role", *(h for _, h, _ in shown)],
                       [[group_label(r["role"], pools), *(_cell(r, k) for k, _, _ in shown)] for r in rows],
                       ["", *(u for _, _, u in shown)])
    defs = definition_list([(k.replace("_", " "), v) for k, v in section["definitions"].items()])
    fees = paragraphs(f"{f['state']} {f['procedure_code']}{' ' + f['modifier'] if f['modifier'] else ''}: ${f['rate']:,.2f} per "
                      f"{f['unit_minutes']} minutes from {f['effective_date']} ({f['status'] or 'published'}; {f['source']})"
                      for f in section["fee_schedule"])
    return line, table + paragraphs(section["caveats"]) + paragraphs(section["notes"]) + "<h3>Definitions</h3>" + defs + \
        "<h3>Fee schedule</h3>" + fees + f"<p class=\"note\">{esc('Billing share: docs/billing.md.')}</p>"
