"""The audit's figures as report tables and the JSON report (docs/formats.md, "peerpay audit").

Pure: the frames of :mod:`peerpay.core.audit` (cents and minutes) in; flat tables of dollars and
hours (floats that are exact cents and ten-thousandths of an hour, as the pay report's) and the
JSON-ready dict out. A long list of lines stays a table (:class:`AuditLines`), written column by
column by the JSON writer, never as 200,000 dicts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .audit import HOURS_COLUMN, HOURS_NAME
from .report import LineTable, _dollars_array, _hours_array, iso_dates


def lines_table(lines: pd.DataFrame, comps: Sequence[str]) -> pd.DataFrame:
    """One row per employee and period: status, gross owed/paid/difference, hours, then each
    component's owed, paid and difference (the CSV and the workbook's "lines" sheet)."""
    cols: dict[str, object] = {
        "employee_id": lines["employee_id"].to_numpy(dtype=object),
        "period_start": iso_dates(lines["period_start"].to_numpy(dtype="int64")),
        "period_end": iso_dates(lines["period_end"].to_numpy(dtype="int64")),
        "status": lines["status"].to_numpy(dtype=object),
        "flagged": lines["flagged"].to_numpy(dtype=object),
    }
    for side in ("owed", "paid", "difference"):
        cols[f"{side}:gross"] = _dollars_array(lines[f"{side}:gross"].to_numpy())
    for c in HOURS_COLUMN:
        for side in ("owed", "paid"):
            cols[f"{side}_hours:{HOURS_NAME[c]}"] = _hours_array(lines[f"{side}_minutes:{c}"].to_numpy())
    for c in comps:
        for side in ("owed", "paid", "difference"):
            cols[f"{side}:{c}"] = _dollars_array(lines[f"{side}:{c}"].to_numpy())
    return pd.DataFrame(cols)


class AuditLines(LineTable):
    """The lines as JSON records: scalars, then ``owed``, ``paid``, ``difference`` (per component
    and ``gross``), ``owed_hours`` and ``paid_hours`` (``worked``, ``overtime``, ``on_call``)."""

    def __init__(self, table: pd.DataFrame, comps: Sequence[str]):
        names = [*comps, "gross"]
        layout: list = [(c, c) for c in ("employee_id", "period_start", "period_end", "status", "flagged")]
        layout += [(side, [(c, f"{side}:{c}") for c in names]) for side in ("owed", "paid", "difference")]
        layout += [(f"{side}_hours", [(h, f"{side}_hours:{h}") for h in HOURS_NAME.values()]) for side in ("owed", "paid")]
        self.table, self.layout = table, layout


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    """The components off by more than the tolerance: where payroll and the policy part."""
    has_hours = findings["owed_minutes"].to_numpy() >= 0 if len(findings) else np.zeros(0, dtype=bool)
    return pd.DataFrame({
        "employee_id": findings["employee_id"].to_numpy(dtype=object),
        "period_start": iso_dates(findings["period_start"].to_numpy(dtype="int64")),
        "period_end": iso_dates(findings["period_end"].to_numpy(dtype="int64")),
        "component": findings["component"].to_numpy(dtype=object),
        "status": findings["status"].to_numpy(dtype=object),
        "owed": _dollars_array(findings["owed"].to_numpy()),
        "paid": _dollars_array(findings["paid"].to_numpy()),
        "difference": _dollars_array(findings["difference"].to_numpy()),
        "owed_hours": np.where(has_hours, _hours_array(np.maximum(findings["owed_minutes"].to_numpy(dtype="int64"), 0)), np.nan),
        "paid_hours": np.where(has_hours, _hours_array(np.maximum(findings["paid_minutes"].to_numpy(dtype="int64"), 0)), np.nan),
    })


def employees_table(employees: pd.DataFrame) -> pd.DataFrame:
    out = employees.copy()
    for c in ("owed", "paid", "difference", "underpaid", "overpaid"):
        out[c] = _dollars_array(out[c].to_numpy())
    return out.rename(columns={"flagged": "periods_flagged"})


def _records(frame: pd.DataFrame) -> list[dict]:
    """Small tables (findings, employees) as JSON records: NaN hours become null."""
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def audit_payload(*, lines: pd.DataFrame, comps: Sequence[str], findings: pd.DataFrame, employees: pd.DataFrame, totals: dict,
                  tolerance_cents: int, register: dict, rejected: list[dict], not_audited: dict, notes: list[str],
                  reconciliation: dict) -> dict:
    """The JSON report: keys in the order docs/formats.md lists them."""
    table = lines_table(lines, comps)
    found = findings_table(findings)
    money = ("owed", "paid", "difference", "underpaid", "overpaid")
    return {
        "register": register,
        "tolerance": tolerance_cents / 100,
        "components": list(comps),
        "lines": AuditLines(table, comps) if len(table) else [],
        "findings": _records(found),
        "employees": _records(employees_table(employees)),
        "rejected": rejected,
        "not_audited": not_audited,
        "totals": {**{k: (v / 100 if k in money else v) for k, v in totals.items()}, "findings": int(len(found))},
        "notes": list(notes),
        "reconciliation": reconciliation,
    }


def headline(totals: dict, tolerance_cents: int) -> str:
    """One sentence a steward can repeat: how much less (or more) payroll paid than the policy owes."""
    diff = totals["difference"]
    owed, paid = totals["owed"] / 100, totals["paid"] / 100
    if not totals["lines"]:
        return "Nothing was compared: no pay period of the register holds pay owed or paid (see the notes)."
    if abs(diff) <= tolerance_cents and not totals.get("lines_underpaid") and not totals.get("lines_overpaid"):
        return f"Payroll paid what the policy owes: ${paid:,.2f} of ${owed:,.2f} (within ${tolerance_cents / 100:,.2f} a period)."
    word = "less" if diff < 0 else "more"
    return (f"Payroll paid ${abs(diff) / 100:,.2f} {word} than the policy owes: ${paid:,.2f} paid, ${owed:,.2f} owed "
            f"({totals['lines_underpaid']} employee-period(s) underpaid by ${totals['underpaid'] / 100:,.2f}, "
            f"{totals['lines_overpaid']} overpaid by ${totals['overpaid'] / 100:,.2f}).")
