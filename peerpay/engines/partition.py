"""One partition of a timesheet -> pay lines, rejections and reconciliation counts.

A partition is a raw table (canonical columns, as :func:`peerpay.io.readers.read_table` gives)
plus two columns that say where each row came from: :data:`FILE` (index into the run's list of
source names) and :data:`ROW` (1-based data row in that file). Every row of an employee must be
in the same partition. :func:`combine` turns the partitions' results into the docs/formats.md §4
report, identical to the local engine's for the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from ..core.engine import PayResult, _empty_lines, compute_pay, tier_columns
from ..core.inputs import input_notes, out_of_class_notes, overlap_source, prepare_timesheet, rows_read
from ..core.report import reconciliation, rejected_rows
from ..errors import Problem
from ..io.buckets import FILE, ROW  # where each row came from: file index, 1-based data row
from ..models.policy import Policy


@dataclass
class PartitionResult:
    lines: pd.DataFrame  # compute_pay lines (money in cents)
    problems: pd.DataFrame  # file (index), row, column, reason
    rows_read: int = 0
    rows_paid: int = 0
    paid_minutes: int = 0
    rejected_minutes: int = 0
    unmeasured: int = 0
    extra: dict = field(default_factory=dict)


def pay_partition(raw: pd.DataFrame, policy: Policy, sources: list[str], roster=None, schedule=None) -> PartitionResult:
    """Validate and pay one partition; row numbers and messages refer to the source files."""
    files = raw[FILE].to_numpy(dtype="int64")
    rows = raw[ROW].to_numpy(dtype="int64")
    if len(raw) > 1 and not _in_source_order(files, rows):
        raw = raw.sort_values([FILE, ROW], kind="stable")
        files = raw[FILE].to_numpy(dtype="int64")
        rows = raw[ROW].to_numpy(dtype="int64")
    raw = raw.reset_index(drop=True)
    data = raw.drop(columns=[FILE, ROW])
    shifts, problems, rejected_hours = prepare_timesheet(data, "", policy, roster, schedule)
    counts = dict(shifts.attrs.get("counts", {}))
    shifts = shifts.assign(row=rows[shifts["row"].to_numpy() - 1])
    result = compute_pay(shifts, policy, audit=False)  # the lines are all a partition gives back
    pos = np.array([cast(int, p.row) - 1 for p in problems], dtype="int64")
    reasons = [_source_reason(p.reason, files[i], files, rows, sources) for p, i in zip(problems, pos)]
    frame = pd.DataFrame(
        {
            "file": files[pos],
            "row": rows[pos],
            "column": np.array([p.column for p in problems], dtype=object),
            "reason": np.array(reasons, dtype=object),
        }
    )
    warned = [(int(files[w.row - 1]), int(rows[w.row - 1]), w.column, w.reason) for w in shifts.attrs.get("warnings", ())]
    return PartitionResult(
        lines=result.lines,
        problems=frame,
        rows_read=rows_read(data, shifts),
        rows_paid=len(shifts),
        paid_minutes=int((shifts["end_at"] - shifts["start_at"]).sum()) if len(shifts) else 0,
        rejected_minutes=int(rejected_hours["minutes"].sum()),
        unmeasured=len(problems) - len(rejected_hours),
        extra={"counts": counts, "warnings": warned},
    )


def _in_source_order(files: np.ndarray, rows: np.ndarray) -> bool:
    """Rows already in (file, row) order (a spilled bucket is): the sort can be skipped."""
    df, dr = np.diff(files), np.diff(rows)
    return bool(((df > 0) | ((df == 0) & (dr > 0))).all())


def _source_reason(reason: str, own_file: int, files, rows, sources) -> str:
    """'overlaps row N' names a position in the partition: name the source row instead."""
    def where(n: int) -> str:
        j = n - 1
        return f"row {rows[j]}" if files[j] == own_file else f"{sources[files[j]]} row {rows[j]}"
    return overlap_source(reason, where)


def _by_employee_and_week(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines in the local engine's order, by employee id, then week: one integer sort
    (the ids ranked once) instead of sorting 200,000 id strings."""
    rank, _ = pd.factorize(lines["employee_id"], sort=True)
    order = np.lexsort((lines["week_start"].to_numpy().astype("int64"), rank))
    return lines.take(order).reset_index(drop=True)


def combine(parts: list[PartitionResult], policy: Policy, sources: list[str], upstream: Sequence[Problem] = (),
            roster=None, schedule=None):
    """A :class:`~peerpay.jobs.pay.PayRun` of a run paid in partitions (no per-segment audit trail).

    ``upstream``: the roster's and schedule's rejections, listed first as the local engine does.
    """
    from ..jobs.pay import PayRun

    diff_names = tuple(d.name for d in policy.differential)
    lines = [p.lines for p in parts if len(p.lines)]
    lines = _by_employee_and_week(pd.concat(lines, ignore_index=True)) if lines else _empty_lines(diff_names, tier_columns(policy))
    probs = pd.concat([p.problems for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=["file", "row", "column", "reason"])
    probs = probs.sort_values(["file", "row"], kind="stable")
    ts_problems = [
        Problem(sources[int(f)], int(r), c, str(m))
        for f, r, c, m in zip(probs["file"].to_numpy(), probs["row"].to_numpy(), probs["column"].to_numpy(), probs["reason"].to_numpy())
    ]
    rows_read = sum(p.rows_read for p in parts)
    rows_paid = sum(p.rows_paid for p in parts)
    paid = sum(p.paid_minutes for p in parts)
    rejected = sum(p.rejected_minutes for p in parts)
    recon = reconciliation(rows_read, rows_paid, rejected_rows(ts_problems), paid, rejected, sum(p.unmeasured for p in parts))
    result = PayResult(lines, pd.DataFrame(), diff_names)
    empty = pd.DataFrame({"start_at": pd.Series(dtype="int64"), "end_at": pd.Series(dtype="int64")})
    counts = {k: sum(p.extra.get("counts", {}).get(k, 0) for p in parts) for k in ("zero_rate", "employee_id", "role", "blank_rows")}
    empty.attrs["notes"] = input_notes(counts["zero_rate"], counts["employee_id"], counts["role"], counts["blank_rows"])  # as the local engine's
    if any("duty_role" in p.extra.get("counts", {}) for p in parts):  # out-of-class rows: the same note, from the partitions' counts
        duty = {k: sum(p.extra.get("counts", {}).get(k, 0) for p in parts) for k in ("duty_role", "out_of_class")}
        empty.attrs["notes"] += out_of_class_notes(**duty, priced=policy.out_of_class is not None)
    warned = sorted(w for p in parts for w in p.extra.get("warnings", ()))
    warnings = [Problem(sources[f], r, c, m) for f, r, c, m in warned]
    return PayRun(policy, empty, result, list(upstream) + ts_problems, recon, roster, schedule, warnings=warnings)
