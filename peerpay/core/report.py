"""Pay results -> the CONTRACT §4 report, flat tables for CSV/Markdown/XLSX, and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..errors import Problem
from ..money import AMOUNT_PER_DOLLAR, MINUTES_PER_HOUR, cents_to_dollars, ratio_half_up
from .calendar import Calendar
from .engine import CITATIONS, PayResult

MONEY_COLUMNS = ("base_pay", "holiday_premium", "standby_pay", "callback_premium", "overtime_premium", "gross_pay")


def hours(minutes: int) -> float:
    """Minutes -> hours, half-up to 4 places (exact minutes are kept internally)."""
    return ratio_half_up(int(minutes), MINUTES_PER_HOUR, 4)


def regular_rate(num: int, den_minutes: int) -> float:
    """Regular rate in $/h from the exact fraction the engine keeps, half-up to 4 places."""
    return ratio_half_up(int(num) * MINUTES_PER_HOUR, int(den_minutes) * AMOUNT_PER_DOLLAR, 4)


def pay_lines_records(result: PayResult, include_minimum_shift: bool = False) -> list[dict]:
    """One dict per employee and workweek, in CONTRACT §4 key order."""
    out = []
    lines = result.lines
    cols = {c: lines[c].to_numpy() for c in lines.columns}
    for i in range(len(lines)):
        rec = {
            "employee_id": str(cols["employee_id"][i]),
            "week_start": str(cols["week_start"][i])[:10],
            "hours_worked": hours(cols["worked_minutes"][i]),
            "on_call_hours": hours(cols["on_call_minutes"][i]),
            "overtime_hours": hours(cols["overtime_minutes"][i]),
            "base_pay": cents_to_dollars(cols["base_pay"][i]),
            "differential_pay": {n: cents_to_dollars(cols[f"diff:{n}"][i]) for n in result.differential_names},
            "holiday_premium": cents_to_dollars(cols["holiday_premium"][i]),
            "standby_pay": cents_to_dollars(cols["standby_pay"][i]),
            "callback_premium": cents_to_dollars(cols["callback_premium"][i]),
        }
        if include_minimum_shift:
            rec["minimum_shift_pay"] = cents_to_dollars(cols["minimum_shift_pay"][i])
        rec["overtime_premium"] = cents_to_dollars(cols["overtime_premium"][i])
        rec["regular_rate"] = regular_rate(cols["regular_rate_num"][i], cols["regular_rate_den"][i])
        rec["gross_pay"] = cents_to_dollars(cols["gross_pay"][i])
        out.append(rec)
    return out


def reconciliation(rows_read: int, shifts: pd.DataFrame, rejected: list[Problem], rejected_minutes: int, unmeasured: int) -> dict:
    """Rows and hours in = paid + rejected; the CLI refuses to write a report that does not balance."""
    paid_minutes = int((shifts["end_at"] - shifts["start_at"]).sum()) if len(shifts) else 0
    rows_rejected = len({(p.file, p.row) for p in rejected})
    return {
        "rows_read": int(rows_read),
        "rows_paid": int(len(shifts)),
        "rows_rejected": rows_rejected,
        "hours_in": hours(paid_minutes + rejected_minutes),
        "hours_paid": hours(paid_minutes),
        "hours_rejected": hours(rejected_minutes),
        "rejected_rows_without_hours": int(unmeasured),
        "balanced": rows_read == len(shifts) + rows_rejected,
    }


def pay_report(result: PayResult, rejected: list[Problem], recon: dict | None = None, *, include_minimum_shift=False) -> dict:
    """The CONTRACT §4 JSON object (plus the additive ``reconciliation`` key)."""
    lines = pay_lines_records(result, include_minimum_shift)
    worked = int(result.lines["worked_minutes"].sum()) if len(result.lines) else 0
    gross = int(result.lines["gross_pay"].sum()) if len(result.lines) else 0
    report = {
        "lines": lines,
        "rejected": [p.as_json() for p in rejected],
        "totals": {"hours_worked": hours(worked), "gross_pay": cents_to_dollars(gross)},
    }
    if recon is not None:
        report["reconciliation"] = recon
    return report


def lines_frame(report: dict) -> pd.DataFrame:
    """The report's lines as a flat table: one ``differential:<name>`` column per differential."""
    rows = []
    for rec in report["lines"]:
        flat = {k: v for k, v in rec.items() if k != "differential_pay"}
        for name, amount in rec["differential_pay"].items():
            flat[f"differential:{name}"] = amount
        rows.append(flat)
    frame = pd.DataFrame(rows)
    if len(frame):
        order = [c for c in rec.keys() if c != "differential_pay"]
        diff_cols = [f"differential:{n}" for n in rec["differential_pay"]]
        i = order.index("holiday_premium")
        frame = frame[order[:i] + diff_cols + order[i:]]
    return frame


def employee_summary(report: dict) -> pd.DataFrame:
    """Per employee over all weeks: what a clerk checks first."""
    frame = lines_frame(report)
    if frame.empty:
        return frame
    diff_cols = [c for c in frame.columns if c.startswith("differential:")]
    frame["differentials"] = frame[diff_cols].sum(axis=1) if diff_cols else 0.0
    keep = ["hours_worked", "overtime_hours", "on_call_hours", "base_pay", "differentials", "holiday_premium",
            "standby_pay", "callback_premium", "overtime_premium", "gross_pay"]
    g = frame.groupby("employee_id", sort=True)
    summary = g[keep].agg(lambda s: float(sum(Decimal(str(v)) for v in s)))
    summary.insert(0, "weeks", g.size())
    return summary.reset_index()


def audit_frame(result: PayResult, policy_timezone: str | None, calendar_local=None) -> pd.DataFrame:
    """Each segment with the rules that paid it: the ``--detail`` audit trail."""
    seg = result.segments
    if seg is None or len(seg) == 0:
        return pd.DataFrame()
    from .calendar import instants_to_local

    start = instants_to_local(seg["seg_start"].to_numpy(), policy_timezone)
    end = instants_to_local(seg["seg_end"].to_numpy(), policy_timezone)
    rules = np.full(len(seg), "base", dtype=object)
    for name in result.differential_names:
        paid = seg[f"diff:{name}"].to_numpy() > 0
        rules = np.where(paid, rules + f"+{name}", rules)
    rules = np.where(seg["holiday"].to_numpy(), rules + "+holiday", rules)
    rules = np.where(seg["kind"].to_numpy() == "on_call", "standby", rules)
    ot = seg["daily_ot"].to_numpy() + seg["weekly_ot"].to_numpy()
    return pd.DataFrame(
        {
            "employee_id": seg["employee_id"].to_numpy(),
            "row": seg["row"].to_numpy(),
            "kind": seg["kind"].to_numpy(),
            "week_start": seg["period_start"].to_numpy().astype("datetime64[D]"),
            "from": start,
            "to": end,
            "hours": seg["minutes"].to_numpy() / 60,
            "base_rate": seg["rate_units"].to_numpy() / 10_000,
            "rules": rules,
            "daily_ot_hours": seg["daily_ot"].to_numpy() / 60,
            "weekly_ot_hours": seg["weekly_ot"].to_numpy() / 60,
        }
    )


def citations() -> dict[str, str]:
    return dict(CITATIONS)
