"""A payroll export read through its column map: the canonical timesheet, and what the map decided.

:class:`MappedTimesheet` is what :func:`peerpay.io.exports.apply_map` returns and what the pay job
and ``peerpay validate`` use (:meth:`MappedTimesheet.prepare`, one path for both): the rows the map
kept as a docs/formats.md §1 timesheet, the rows it rejected, dropped (not hours worked) or warned
about, and the way back from the canonical frame to the export's own rows and columns.

**Records.** The export's lines are counted as the file has them: a summary line of 50 hours is
cut into pieces of at most 24 h to be paid, but it is one row read, paid or rejected whole (a
piece the engine rejects takes its whole line with it). A repeating-group export (``[unpivot]``)
and a punch export are counted in shifts, and say so (``counted_in``), with the export rows they
came from (``source_rows_read``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.inputs import overlap_source, prepare_timesheet
from ..core.report import hours as hours_of, paid_minutes, reconciliation
from ..errors import Problem
from ..models.policy import Policy


@dataclass
class MappedTimesheet:
    """A payroll export turned into a canonical timesheet, plus what the map itself decided.

    ``frame`` holds only rows the map accepted (canonical columns ``employee_id, start, end,
    kind[, role, rate]``); ``rows`` gives each one's 1-based row in the original file and
    ``columns`` the original column behind each canonical one, so that problems found later are
    reported against the export the clerk has open. ``records``: each frame row's record (a
    summary line's pieces share one). ``instants``: the exact UTC minute of a start or end that
    named an instant (``%z``), else -1.
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None
    rows: np.ndarray
    columns: dict[str, str]
    problems: list[Problem]
    map_name: str
    layout: str
    source_rows_read: int
    rejected_minutes: int = 0  # measurable minutes of rows the map rejected
    dropped: dict[str, dict] = field(default_factory=dict)  # code -> {"rows", "minutes"}
    groups: np.ndarray | None = None  # wide exports: the N of each row's "Hours N …" group
    period_days: np.ndarray | None = None  # summary: (first day number, length in days) per period
    not_computed: list[str] = field(default_factory=list)
    records: np.ndarray | None = None
    instants: dict[str, np.ndarray] | None = None
    warnings: list[Problem] = field(default_factory=list)  # rows paid that deserve a look (file:row:column)
    remarks: list[str] = field(default_factory=list)  # what the map did that a clerk should know (blank rows, kept copies)
    measured_map_rows: int = 0  # of ``problems``: the rows whose hours could be measured (in ``rejected_minutes``)

    @property
    def counted_in(self) -> str:
        """What the reconciliation counts: export rows, or shifts (one per punch pair or Hours N group)."""
        return "shifts" if self.layout in ("wide", "punches") else "rows"

    def record_of(self, positions: np.ndarray) -> np.ndarray:
        """The record of each frame position (0-based)."""
        positions = np.asarray(positions, dtype="int64")
        return positions if self.records is None else self.records[positions]

    # -- what run_pay and validate call
    def adjust_policy(self, policy: Policy) -> Policy:
        """Summary exports: switch off the rules that need clock times, and say so."""
        if self.layout != "summary":
            return policy
        notes: list[str] = []
        update: dict = {"timezone": None}
        if policy.differential:
            names = ", ".join(d.name for d in policy.differential)
            notes.append(f"differentials ({names}): they depend on the time of day or day of the week worked")
            update["differential"] = ()
        if policy.holiday is not None:
            notes.append("holiday_premium: it depends on the dates worked")
            update["holiday"] = None
        if policy.minimum_shift is not None:
            notes.append("minimum_shift_pay: it depends on each shift's length")
            update["minimum_shift"] = None
        if policy.on_call is not None and policy.on_call.callback_minimum_hours > 0:
            notes.append("call-back minimum hours: the number of call-backs is unknown (actual call-back hours are paid)")
            update["on_call"] = policy.on_call.model_copy(update={"callback_minimum_hours": 0})
        ot = policy.overtime
        if ot is not None:
            ot_update: dict = {}
            if ot.daily_threshold is not None:
                notes.append("daily overtime: it depends on the hours of each workday")
                ot_update["daily_hours"] = None
                if ot.system == "8_and_80":
                    ot_update["system"] = "weekly"
            if not self._periods_are_workweeks(policy):
                notes.append("weekly overtime: the pay periods are not single workweeks starting on "
                             f"{policy.workweek.start_day}")
                ot_update["weekly_hours"] = None
            if ot_update and ot.tiered:  # tiers (issue 26): keep the weekly tiers that can still be counted
                weekly = tuple(t for t in ot.tiers if not t.by_day) if "weekly_hours" not in ot_update else ()
                ot_update = {"rules": None, "tier": weekly, "state": ot.state_law, "alternative_workweek_hours": None,
                             **({} if weekly else {"weekly_hours": None})}
            if ot_update:
                update["overtime"] = ot.model_copy(update=ot_update)
        self.not_computed = notes
        return policy.model_copy(update=update)

    def _periods_are_workweeks(self, policy: Policy) -> bool:
        if self.period_days is None or len(self.period_days) == 0:
            return True
        first, length = self.period_days[:, 0], self.period_days[:, 1]
        weekday = (first + 3) % 7  # day 0 (1970-01-01) was a Thursday; Monday = 0
        return bool(np.all((length == 7) & (weekday == policy.workweek.start_index)))

    def prepare(self, policy: Policy, roster=None, schedule=None, ids_as_categories: bool = False):
        """Validate the mapped rows (:func:`~peerpay.core.inputs.prepare_timesheet`) and settle each
        record whole: ``(shifts with export rows, problems about the export, reconciliation)``.
        ``policy``: already adjusted (:meth:`adjust_policy`). The one path of ``pay`` and ``validate``."""
        shifts, problems, rejected_hours = prepare_timesheet(self.frame, self.source, policy, roster, schedule, self.sheet,
                                                             ids_as_categories=ids_as_categories, instants=self.instants)
        shifts, problems, rejected_hours = self.settle(shifts, problems, rejected_hours)
        recon = self.reconcile(shifts, problems, rejected_hours)
        return self.with_source_rows(shifts), self.restore(problems), recon

    def settle(self, shifts: pd.DataFrame, problems: list[Problem], rejected_hours: pd.DataFrame):
        """A record is paid whole or rejected whole: the pieces of a record the engine rejected in
        part leave the shifts, their minutes counted as rejected (a summary line is one line)."""
        if self.records is None or not problems or not len(shifts):
            return shifts, problems, rejected_hours
        bad = np.unique(self.record_of(np.array([p.row - 1 for p in problems if p.row], dtype="int64")))
        pos = shifts["row"].to_numpy() - 1
        drop = np.isin(self.record_of(pos), bad)
        if not drop.any():
            return shifts, problems, rejected_hours
        moved = pd.DataFrame({"row": shifts["row"].to_numpy()[drop],
                              "minutes": (shifts["end_at"] - shifts["start_at"]).to_numpy()[drop]})
        rejected_hours = pd.concat([rejected_hours, moved], ignore_index=True)
        attrs = dict(shifts.attrs)
        shifts = shifts[~drop].reset_index(drop=True)
        shifts.attrs.update(attrs)
        return shifts, problems, rejected_hours

    def restore(self, problems: list[Problem]) -> list[Problem]:
        """Problems about the mapped frame -> problems about the original export (one per record), plus the map's own."""
        out = list(self.problems)
        seen: set[int] = set()
        for p in sorted(problems, key=lambda p: p.row or 0):
            i = p.row - 1 if p.row is not None and 0 < p.row <= len(self.rows) else None
            if i is not None:
                record = int(self.record_of(np.array([i]))[0])
                if record in seen:  # a summary line's pieces: one rejection per export line
                    continue
                seen.add(record)
            row = int(self.rows[i]) if i is not None else p.row
            column = self.columns.get(p.column or "", p.column)
            if column and self.groups is not None and i is not None:
                column = column.replace("{n}", str(self.groups[i]))
            reason = overlap_source(p.reason, lambda n: f"row {self.rows[n - 1]}")
            out.append(Problem(self.source, row, column, reason, self.sheet))
        out.sort(key=lambda p: (p.row is None, p.row or 0))
        return out

    def with_source_rows(self, shifts: pd.DataFrame) -> pd.DataFrame:
        """Shifts whose ``row`` is the export's row, so the audit trail points into the export."""
        if not len(shifts):
            return shifts
        return shifts.assign(row=self.rows[shifts["row"].to_numpy() - 1])

    def reconcile(self, shifts: pd.DataFrame, problems: list[Problem], rejected_hours: pd.DataFrame) -> dict:
        """Records in = paid + rejected + dropped (as the file counts them); hours likewise.

        ``shifts``, ``problems`` and ``rejected_hours`` are about the mapped frame (before
        :meth:`restore`); a record is one export row (a summary line however many pieces it was
        paid in), one punch pair or one Hours N group."""
        frame_rows = lambda values: np.asarray(values, dtype="int64") - 1
        paid = np.unique(self.record_of(frame_rows(shifts["row"]))) if len(shifts) else np.zeros(0, "int64")
        engine_rejected = np.unique(self.record_of(frame_rows([p.row for p in problems if p.row])))
        measured = np.unique(self.record_of(frame_rows(rejected_hours["row"]))) if len(rejected_hours) else np.zeros(0, "int64")
        rows_rejected = len(engine_rejected) + len(self.problems)
        rejected = int(rejected_hours["minutes"].sum()) + self.rejected_minutes
        dropped_rows = sum(d["rows"] for d in self.dropped.values())
        dropped = sum(d["minutes"] for d in self.dropped.values())
        records = len(np.unique(self.record_of(np.arange(len(self.frame))))) if len(self.frame) else 0
        read = records + len(self.problems) + dropped_rows
        out = reconciliation(read, len(paid), rows_rejected, paid_minutes(shifts), rejected,
                             len(engine_rejected) - len(np.intersect1d(engine_rejected, measured))
                             + len(self.problems) - self.measured_map_rows,
                             dropped=(dropped_rows, dropped), source_rows_read=self.source_rows_read)
        if self.counted_in != "rows":
            out["counted_in"] = self.counted_in
        if self.records is not None and len(shifts) != len(paid):
            out["pieces_paid"] = int(len(shifts))
        return out

    def annotate(self, report: dict) -> None:
        report["map"] = {
            "name": self.map_name,
            "layout": self.layout,
            "file": self.source,
            "source_rows_read": self.source_rows_read,
            "dropped": {c: {"rows": d["rows"], "hours": hours_of(d["minutes"])} for c, d in sorted(self.dropped.items())},
            "not_computed": list(self.not_computed),
        }

    def notes(self) -> list[str]:
        """Lines for stderr: what the map dropped and what it could not compute."""
        out = list(self.remarks)
        if self.dropped:
            parts = ", ".join(f"{c} {d['rows']} rows {d['minutes'] / 60:,.2f} h" for c, d in sorted(self.dropped.items()))
            out.append(f"left out codes that are not hours worked: {parts}")
        for n in self.not_computed:
            out.append(f"not computed from a summary export (no clock times): {n}")
        return out
