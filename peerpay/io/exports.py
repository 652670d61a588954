"""Column maps: read a real payroll export as a docs/formats.md §1 timesheet (``peerpay pay --map FILE``).

A map is a small TOML file (validated by :class:`ColumnMap`, unknown keys are errors) that says
which of the export's columns hold the employee, the times and the pay code, how to read its
dates, how its pay codes map to ``work`` / ``on_call`` / ``callback``, and which codes are not
hours worked at all (vacation, PTO: dropped and counted). Four shapes of export are read:

* **shifts** — one row per shift or time-card line, with ``[start]`` and ``[end]`` (each one
  date-time column, or a date column + a time column, or for ``end`` decimal ``hours`` after
  the start). Paychex, UKG time card, PeopleSoft.
* **wide** — the shifts layout, but each row carries repeating groups of columns
  (``Hours 1 Code``, ``Hours 1 Amount``, ``Hours 2 Code``…): ``[unpivot]`` turns each group
  into a row first. ADP Workforce Now.
* **punches** — one row per clock punch (UKG/Kronos ``Punch DTM``): ``[punches]`` pairs each
  in-punch with the next out-punch of the same employee and pay code.
* **summary** — hours by pay code and pay period, no punches (``[summary]``): what can be paid
  without clock times is paid (base, standby, call-back at its multiplier, weekly overtime when
  each period is one workweek); what cannot (time-window differentials, holiday premium, daily
  overtime, call-back minimums) is named in the report under ``map.not_computed``.

Every rejected row keeps the file, 1-based row and column name of the ORIGINAL export, so a
clerk can go to the cell. See ``docs/exports.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.calendar import instants_to_local, local_to_instants
from ..core.money import MINUTES_PER_DAY
from ..core.inputs import overlap_source
from ..core.report import hours as hours_of, paid_minutes, reconciliation
from ..core.tables import ISO_DATETIME, Rejections, parse_numbers, text
from ..errors import InputError, Problem
from ..models.policy import Policy, _suggest, loads_model
from .readers import canonical, read_table, read_toml

MAX_HOURS_CELL = 10_000  # decimal-hours cells above this are typos, not shifts


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Columns(_Model):
    """Plain renames: canonical column = the export's column (matched case-insensitively)."""

    employee_id: str
    role: str | None = None
    rate: str | None = None
    kind: str | None = None  # a column that already says work / on_call / callback


class When(_Model):
    """Where a start or end date-time comes from.

    ``column`` (one cell holds date and time, read with ``format``), or ``date`` + ``time``
    (read together with ``date_format`` + ``time_format``), or for an end only ``time`` (the
    start's date; an end at or before the start is on the next day) or ``hours`` (decimal
    hours after the start, real elapsed time, rounded to the minute).
    """

    column: str | None = None
    date: str | None = None
    time: str | None = None
    hours: str | None = None
    format: str | None = None  # strptime format of `column`; default ISO 8601
    date_format: str = "%Y-%m-%d"
    time_format: str = "%H:%M"

    @model_validator(mode="after")
    def _shape(self):
        ways = [self.column is not None, self.time is not None, self.hours is not None]
        if sum(ways) != 1:
            raise ValueError("give exactly one of column, time (with or without date), or hours")
        if self.date is not None and self.time is None:
            raise ValueError("date needs time (or use column = ... for a combined date-time)")
        for f in (self.format, self.date_format, self.time_format):
            if f is not None and "%" not in f:
                raise ValueError(f"format {f!r} has no % directive (e.g. \"%m/%d/%Y %I:%M %p\")")
        return self


class Codes(_Model):
    """Earnings / pay codes -> kind. Codes are matched case-insensitively after trimming."""

    column: str
    work: tuple[str, ...] = ()
    on_call: tuple[str, ...] = ()
    callback: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # not hours worked (VAC, PTO, SICK…): left out and counted
    hours: str | None = None  # optional column of decimal hours: counts the hours of dropped lines
    other: Literal["reject", "drop", "work"] = "reject"  # a code in none of the lists

    @model_validator(mode="after")
    def _disjoint(self):
        seen: dict[str, str] = {}
        for kind in ("work", "on_call", "callback", "drop"):
            for code in getattr(self, kind):
                key = str(code).strip().upper()
                if key in seen and seen[key] != kind:
                    raise ValueError(f"code {code!r} is listed under both {seen[key]} and {kind}")
                seen[key] = kind
        if not seen:
            raise ValueError("list at least one code under work, on_call, callback or drop")
        return self


class Punches(_Model):
    """One row per clock punch: pair each in-punch with the next out-punch."""

    at: str  # the punch date-time column
    format: str | None = None  # default ISO 8601
    direction: str | None = None  # column saying in / out; without it punches alternate in, out
    in_values: tuple[str, ...] = Field(("in",), alias="in")
    out_values: tuple[str, ...] = Field(("out",), alias="out")


class Summary(_Model):
    """Hours by pay code and pay period, no clock times."""

    begin: str  # first date of the pay period
    end: str | None = None  # last date of the pay period (checked: one workweek?)
    hours: str
    days: int = Field(7, ge=1, le=31)  # period length when there is no `end` column
    date_format: str = "%Y-%m-%d"


class ColumnMap(_Model):
    name: str = ""
    description: str = ""
    # The export writes money with a decimal comma (25,50; 1.234,50): rates are read that way.
    # Without it a comma is a thousands separator and only in thousands position (1,234.50).
    decimal_comma: bool = False
    columns: Columns
    unpivot: dict[str, str] | None = None
    codes: Codes | None = None
    start: When | None = None
    end: When | None = None
    punches: Punches | None = None
    summary: Summary | None = None

    @field_validator("unpivot")
    @classmethod
    def _patterns(cls, v):
        if v is None:
            return v
        if not v:
            raise ValueError("[unpivot] needs at least one name = \"Column {n} Pattern\"")
        for key, pattern in v.items():
            if pattern.count("{n}") != 1:
                raise ValueError(f"unpivot.{key}: {pattern!r} must contain {{n}} exactly once (where the 1, 2, 3… go)")
        return v

    @model_validator(mode="after")
    def _layout(self):
        layouts = [self.start is not None or self.end is not None, self.punches is not None, self.summary is not None]
        if sum(layouts) != 1:
            raise ValueError("give [start] and [end] (one row per shift), or [punches], or [summary]: exactly one layout")
        if layouts[0]:
            if self.start is None or self.end is None:
                raise ValueError("give both [start] and [end]")
            if self.start.hours is not None:
                raise ValueError("start.hours: hours can only give the end (hours after the start)")
            if self.end.time is not None and self.end.date is None and self.start.date is None:
                raise ValueError("end.time without end.date takes the start's date: give start.date + start.time")
        if self.codes is not None and self.columns.kind is not None:
            raise ValueError("give columns.kind or [codes], not both")
        return self

    @property
    def layout(self) -> str:
        if self.punches is not None:
            return "punches"
        if self.summary is not None:
            return "summary"
        return "wide" if self.unpivot else "shifts"


# ------------------------------------------------------------------------------------ loading


def loads_map(text_: str) -> ColumnMap:
    """Parse map TOML; raises ValueError listing every problem."""
    return loads_model(text_, ColumnMap, "map")


def read_map(path: str | Path) -> ColumnMap:
    return read_toml(path, "column map", loads_map)


# --------------------------------------------------------------------------------- the result


@dataclass
class MappedTimesheet:
    """A payroll export turned into a canonical timesheet, plus what the map itself decided.

    ``frame`` holds only rows the map accepted (canonical columns ``employee_id, start, end,
    kind[, role, rate]``); ``rows`` gives each one's 1-based row in the original file and
    ``columns`` the original column behind each canonical one, so that problems found later are
    reported against the export the clerk has open.
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

    # -- what run_pay calls
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

    def restore(self, problems: list[Problem]) -> list[Problem]:
        """Problems about the mapped frame -> problems about the original export, plus the map's own."""
        out = list(self.problems)
        seen: set[tuple] = {(p.row, p.column, None) for p in out}
        for p in problems:
            i = p.row - 1 if p.row is not None and 0 < p.row <= len(self.rows) else None
            row = int(self.rows[i]) if i is not None else p.row
            column = self.columns.get(p.column or "", p.column)
            if column and self.groups is not None and i is not None:
                column = column.replace("{n}", str(self.groups[i]))
            # a summary row cut into pieces: one rejection per export cell; a wide row: one per shift (its Hours N group)
            key = (row, column, int(self.groups[i]) if self.groups is not None and i is not None else None)
            if key in seen:
                continue
            seen.add(key)
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
        """Records (shifts after the map) in = paid + rejected + dropped; hours likewise."""
        rows_rejected = len(problems) + len(self.problems)
        rejected = int(rejected_hours["minutes"].sum()) + self.rejected_minutes
        dropped_rows = sum(d["rows"] for d in self.dropped.values())
        dropped = sum(d["minutes"] for d in self.dropped.values())
        read = len(self.frame) + len(self.problems) + dropped_rows
        return reconciliation(read, len(shifts), rows_rejected, paid_minutes(shifts), rejected,
                              rows_rejected - len(rejected_hours), dropped=(dropped_rows, dropped),
                              source_rows_read=self.source_rows_read)

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
        out = []
        if self.dropped:
            parts = ", ".join(f"{c} {d['rows']} rows {d['minutes'] / 60:,.2f} h" for c, d in sorted(self.dropped.items()))
            out.append(f"left out codes that are not hours worked: {parts}")
        for n in self.not_computed:
            out.append(f"not computed from a summary export (no clock times): {n}")
        return out


# ------------------------------------------------------------------------------ applying a map


def apply_map_to_file(
    timesheet_path: str | Path, map_path: str | Path, sheet: str | None = None, timezone: str | None = None
) -> MappedTimesheet:
    """Read an export and its map; the result goes to ``run_pay(raw_timesheet=...)``."""
    cmap = read_map(map_path)
    raw = read_table(timesheet_path, sheet, keep_datetimes=True)
    return apply_map(raw, cmap, Path(timesheet_path).name, sheet, timezone)


def apply_map(raw: pd.DataFrame, cmap: ColumnMap, source: str, sheet: str | None = None, timezone: str | None = None) -> MappedTimesheet:
    """Pure: a raw export table (canonical column names, as read_table gives) -> MappedTimesheet."""
    n_source = len(raw)
    _check_columns(raw, cmap, source)
    work = _unpivot(raw, cmap.unpivot) if cmap.unpivot else raw.assign(__row=np.arange(1, n_source + 1))
    order = [c for c in raw.columns] + [canonical(k) for k in (cmap.unpivot or {})]
    rej = Rejections(source, order, len(work), sheet)
    shown = _display_names(cmap)
    c = lambda name: work[canonical(name)]

    emp = text(c(cmap.columns.employee_id))
    kind, dropped_mask, codes = _kinds(work, cmap, rej)
    if cmap.decimal_comma and cmap.columns.rate:
        work = _decimal_comma_rates(work, canonical(cmap.columns.rate), rej)

    minutes_known = np.zeros(len(work), dtype="int64")
    if cmap.layout == "summary":
        return _summary(work, cmap, rej, emp, kind, dropped_mask, codes, shown, source, sheet, n_source)
    if cmap.layout == "punches":
        return _punches(work, cmap, rej, emp, kind, dropped_mask, codes, shown, source, sheet, n_source)

    start = _local_minutes(work, cast(When, cmap.start), "start", rej)  # a shifts layout has a start
    end = _end_minutes(work, cmap, start, rej, timezone)
    ok_times = (start >= 0) & (end >= 0) & (end > start)
    minutes_known = np.where(ok_times, end - start, 0)
    return _finish(work, cmap, rej, emp, kind, dropped_mask, codes, start, end, minutes_known, shown, source, sheet, n_source)


def _decimal_comma_rates(work: pd.DataFrame, col: str, rej: Rejections) -> pd.DataFrame:
    """Rates written with a decimal comma (``25,50``, ``1.234,50``) -> the canonical ``25.5``.

    Parsed exactly (:func:`peerpay.core.money.money_text_units`); a cell that is not a number in
    that convention (``1,234.50``, ``N/A``) is rejected here, naming the export's column.
    """
    from decimal import Decimal

    from ..core.money import RATE_SCALE, money_text_units

    values = text(work[col])
    units, status = money_text_units(values.to_numpy(), RATE_SCALE, decimal_comma=True)
    ok = status == 0
    shown = values.astype(str).str.slice(0, 40)
    rej.add(~ok & (status != 1), col, ("not a number '" + shown + "' (the column map says a comma is the decimal point, "
                                       "e.g. 1.234,50)").to_numpy())
    fixed = values.copy()
    fixed[ok] = [str(Decimal(int(u)).scaleb(-4).normalize()) for u in units[ok]]
    return work.assign(**{col: fixed.to_numpy()})


def _display_names(cmap: ColumnMap) -> dict[str, str]:
    """canonical column of the export -> the name as the map spells it (for messages)."""
    names: dict[str, str] = {}

    def add(v):
        if v:
            names[canonical(v)] = v

    for v in cmap.columns.model_dump().values():
        add(v)
    for spec in (cmap.start, cmap.end):
        if spec is not None:
            for v in (spec.column, spec.date, spec.time, spec.hours):
                add(v)
    if cmap.codes:
        add(cmap.codes.column)
        add(cmap.codes.hours)
    if cmap.punches:
        add(cmap.punches.at)
        add(cmap.punches.direction)
    if cmap.summary:
        for v in (cmap.summary.begin, cmap.summary.end, cmap.summary.hours):
            add(v)
    for k, pattern in (cmap.unpivot or {}).items():
        names[canonical(k)] = pattern
    return names


def _referenced(cmap: ColumnMap) -> list[str]:
    return [v for v in _display_names(cmap).values() if "{n}" not in v]


def _check_columns(raw: pd.DataFrame, cmap: ColumnMap, source: str) -> None:
    have = set(raw.columns)
    made = {canonical(k) for k in (cmap.unpivot or {})}
    missing = [n for n in _referenced(cmap) if canonical(n) not in have and canonical(n) not in made]
    if cmap.unpivot:
        for pattern in cmap.unpivot.values():
            rx = _pattern_regex(pattern)
            if not any(rx.match(col) for col in raw.columns):
                missing.append(pattern)
    if missing:
        lines = [f"column {m!r} named in the map is not in the file{_suggest(canonical(m), have)}" for m in missing]
        raise InputError.at(source, "; ".join(lines) + f" (found: {', '.join(raw.columns) or 'none'})")


def _pattern_regex(pattern: str) -> re.Pattern:
    return re.compile("^" + re.escape(canonical(pattern)).replace(r"\{n\}", r"(\d+)") + "$")


def _unpivot(raw: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Repeating column groups -> one row per non-blank group, in file order (row, then n)."""
    found: dict[int, dict[str, str]] = {}
    matched: set[str] = set()
    for key, pattern in groups.items():
        rx = _pattern_regex(pattern)
        for col in raw.columns:
            m = rx.match(col)
            if m:
                found.setdefault(int(m.group(1)), {})[canonical(key)] = col
                matched.add(col)
    base = [c for c in raw.columns if c not in matched and c not in {canonical(k) for k in groups}]
    parts = []
    rows = np.arange(1, len(raw) + 1)
    for n in sorted(found):
        part = raw[base].copy()
        filled = np.zeros(len(raw), dtype=bool)
        for key in (canonical(k) for k in groups):
            col = found[n].get(key)
            values = raw[col] if col is not None else pd.Series([None] * len(raw), dtype=object)
            part[key] = values.to_numpy()
            filled |= (text(values) != "").to_numpy()
        part["__row"] = rows
        part["__n"] = n
        parts.append(part[filled])
    if not parts:
        return raw[base].assign(__row=rows[:0], __n=0).iloc[:0]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["__row", "__n"], kind="stable").reset_index(drop=True)


def _kinds(work: pd.DataFrame, cmap: ColumnMap, rej: Rejections):
    """kind per row (None when a `kind` column passes through), rows to drop, and the codes."""
    n = len(work)
    if cmap.codes is None:
        kind = text(work[canonical(cmap.columns.kind)]) if cmap.columns.kind else pd.Series(np.full(n, "work", dtype=object))
        return kind, np.zeros(n, dtype=bool), None
    spec = cmap.codes
    raw_codes = text(work[canonical(spec.column)])
    codes = raw_codes.str.upper()
    table = {str(k).strip().upper(): kind for kind in ("work", "on_call", "callback", "drop") for k in getattr(spec, kind)}
    mapped = codes.map(table)
    unknown = mapped.isna().to_numpy()
    if spec.other == "work":
        mapped = mapped.fillna("work")
    elif spec.other == "drop":
        mapped = mapped.fillna("drop")
    else:
        blank = (codes == "").to_numpy()
        rej.add(unknown & blank, canonical(spec.column), f"{spec.column} is empty")
        rej.add(unknown & ~blank, canonical(spec.column),
                "pay code '" + raw_codes.str.slice(0, 20) + "' is not in the map's [codes] (add it under work, on_call, callback or drop)")
        mapped = mapped.fillna("work")
    dropped = (mapped == "drop").to_numpy()
    return mapped.where(~dropped, "work").astype(object), dropped, codes


# -- date-times -------------------------------------------------------------------------------


def _cell_text(col: pd.Series, fmt: str | None) -> pd.Series:
    """Cells as text; XLSX date/time cells are written out with the map's own format."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime(fmt or "%Y-%m-%d %H:%M:%S").fillna("").astype(object)
    if col.dtype == object:
        def one(v):
            if isinstance(v, str) or v is None:
                return v
            if hasattr(v, "strftime"):
                return v.strftime(fmt or "%Y-%m-%d %H:%M:%S")
            if isinstance(v, pd.Timedelta) or hasattr(v, "total_seconds"):
                total = int(pd.Timedelta(v).total_seconds()) // 60
                return (pd.Timestamp("2000-01-01") + pd.Timedelta(minutes=total)).strftime(fmt or "%H:%M")
            return v

        col = col.map(one)
    return text(col)


def _parse(values: pd.Series, fmt: str | None) -> np.ndarray:
    """Text -> datetime64[s] (NaT where it does not fit the format or the date does not exist)."""
    if fmt is None:
        shaped = values.str.match(ISO_DATETIME).to_numpy(dtype=bool)
        parsed = pd.to_datetime(values.where(shaped, None), format="ISO8601", errors="coerce")
    else:
        parsed = pd.to_datetime(values.where(values != "", None), format=fmt, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        return np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    return parsed.to_numpy().astype("datetime64[s]")


def _to_minutes(ts: np.ndarray, column: str, label: str, rej: Rejections) -> np.ndarray:
    ok = ~np.isnat(ts)
    secs = ts.astype("int64")
    rej.add(ok & (secs % 60 != 0), column, f"{label} has seconds: times are counted to the whole minute")
    return np.where(ok & (secs % 60 == 0), secs // 60, -1)


def _bad(values: pd.Series, what: str, fmt: str) -> np.ndarray:
    shown = values.astype(str).str.slice(0, 40)
    return ("not a " + what + " '" + shown + "' (expected " + fmt + ")").to_numpy()


def _local_minutes(work: pd.DataFrame, spec: When, label: str, rej: Rejections) -> np.ndarray:
    """Local wall-clock minutes since epoch from one column or a date + a time column; -1 = bad."""
    if spec.column is not None:
        col = canonical(spec.column)
        values = _cell_text(work[col], spec.format)
        fmt = spec.format
        ts = _parse(values, fmt)
        blank = (values == "").to_numpy()
        rej.add(blank, col, f"{spec.column} is empty")
        rej.add(~blank & np.isnat(ts), col, _bad(values, "date-time", fmt or "ISO 8601, e.g. 2025-03-07 23:00"))
        return _to_minutes(ts, col, spec.column, rej)
    dcol, tcol = canonical(spec.date), canonical(spec.time)
    d = _cell_text(work[dcol], spec.date_format)
    t = _cell_text(work[tcol], spec.time_format)
    d_blank, t_blank = (d == "").to_numpy(), (t == "").to_numpy()
    rej.add(d_blank, dcol, f"{spec.date} is empty")
    rej.add(t_blank, tcol, f"{spec.time} is empty")
    day_ok = ~np.isnat(_parse(d, spec.date_format))
    rej.add(~d_blank & ~day_ok, dcol, _bad(d, "date", spec.date_format))
    ts = _parse(d + " " + t, f"{spec.date_format} {spec.time_format}")
    rej.add(~d_blank & ~t_blank & day_ok & np.isnat(ts), tcol, _bad(t, "time", spec.time_format))
    return _to_minutes(ts, tcol, cast(str, spec.time), rej)


def _end_minutes(work: pd.DataFrame, cmap: ColumnMap, start: np.ndarray, rej: Rejections, timezone: str | None) -> np.ndarray:
    spec = cast(When, cmap.end)  # a shifts layout has an end
    if spec.hours is not None:
        col = canonical(spec.hours)
        h = parse_numbers(work[col], spec.hours, cast(Rejections, _Renamed(rej, spec.hours, col)), lo=0, hi=MAX_HOURS_CELL)
        ok = (start >= 0) & np.isfinite(h)
        minutes = np.where(ok, _hours_to_minutes(h), 0)
        end = np.full(len(start), -1, dtype="int64")
        if timezone is None:
            end[ok] = start[ok] + minutes[ok]
        else:  # hours are real elapsed time: a night across the fall-back change is an hour longer on the clock
            inst = local_to_instants(start[ok], timezone, strict=True)
            good = inst >= 0
            local = instants_to_local(np.where(good, inst + minutes[ok], 0), timezone).astype("int64")
            end[ok] = np.where(good, local, start[ok] + minutes[ok])
        return end
    if spec.date is None and spec.column is None:  # end time on the start's date; next day if not after it
        tcol = canonical(cast(str, spec.time))
        t = _cell_text(work[tcol], spec.time_format)
        blank = (t == "").to_numpy()
        rej.add(blank, tcol, f"{spec.time} is empty")
        tod = _parse("2000-01-01 " + t, "%Y-%m-%d " + spec.time_format)
        rej.add(~blank & np.isnat(tod), tcol, _bad(t, "time", spec.time_format))
        m = _to_minutes(tod, tcol, cast(str, spec.time), rej)
        base = np.datetime64("2000-01-01", "m").astype("int64")
        ok = (m >= 0) & (start >= 0)
        day = np.where(start >= 0, start // MINUTES_PER_DAY, 0)
        end = np.where(ok, day * MINUTES_PER_DAY + (m - base), -1)
        return np.where(ok & (end <= start), end + MINUTES_PER_DAY, end)
    return _local_minutes(work, spec, "end", rej)


def _hours_to_minutes(h: np.ndarray) -> np.ndarray:
    """Decimal hours -> whole minutes, half-up (2-decimal hours always round back to their minute);
    blank, negative or absurd cells (already rejected) count 0."""
    usable = np.isfinite(h) & (h >= 0) & (h <= MAX_HOURS_CELL)
    return np.floor(np.where(usable, h, 0) * 60 + 0.5).astype("int64")


class _Renamed:
    """Lets tables.parse_numbers add rejections under the export's canonical column name."""

    def __init__(self, rej: Rejections, label: str, column: str):
        self.rej, self.label, self.column = rej, label, column

    def add(self, mask, column, reason):
        self.rej.add(mask, self.column, reason)


# -- layouts ----------------------------------------------------------------------------------


def _finish(work: pd.DataFrame, cmap: ColumnMap, rej: Rejections, emp: pd.Series, kind: pd.Series | np.ndarray,
            dropped_mask: np.ndarray, codes: pd.Series | None, start: np.ndarray, end: np.ndarray, minutes_known: np.ndarray,
            shown: dict[str, str], source: str, sheet: str | None, n_source: int, row_of: np.ndarray | None = None) -> MappedTimesheet:
    """Build the canonical frame from the rows the map kept; count drops; keep map rejections."""
    rows = work["__row"].to_numpy() if row_of is None else row_of
    bad = rej.mask() & ~dropped_mask
    keep = ~bad & ~dropped_mask
    frame = pd.DataFrame({
        "employee_id": emp.to_numpy()[keep],
        "start": _as_datetime(start[keep]),
        "end": _as_datetime(end[keep]),
        "kind": np.asarray(kind, dtype=object)[keep],
    })
    for name in ("role", "rate"):
        src = getattr(cmap.columns, name)
        if src:
            frame[name] = work[canonical(src)].to_numpy()[keep]
    problems = []
    rf = rej.frame()
    rf = rf[~dropped_mask[rf["pos"].to_numpy().astype(int)]] if len(rf) else rf
    group_n = work["__n"].to_numpy() if "__n" in work.columns else None
    for pos, col, reason in zip(rf["pos"].to_numpy(), rf["column"].to_numpy(), rf["reason"].to_numpy()):
        name = shown.get(col, col)
        if group_n is not None:
            name = name.replace("{n}", str(group_n[int(pos)]))
        problems.append(Problem(source, int(rows[int(pos)]), name, str(reason), sheet))
    dropped = {}
    if dropped_mask.any() and codes is not None:
        spec = cast(Codes, cmap.codes)  # codes are read only through cmap.codes
        minutes = minutes_known
        if spec.hours:  # the export's own hours for lines without clock times (leave)
            scratch = Rejections(source, [], len(work), sheet)
            h = parse_numbers(work[canonical(spec.hours)], spec.hours, scratch, lo=0, hi=MAX_HOURS_CELL)
            minutes = np.where((minutes_known == 0) & np.isfinite(h), _hours_to_minutes(h), minutes_known)
        spelled = text(work[canonical(spec.column)])
        d = pd.DataFrame({"code": codes.to_numpy()[dropped_mask], "as": spelled.to_numpy()[dropped_mask],
                          "minutes": minutes[dropped_mask].astype("int64")})
        for _, g in d.groupby("code", sort=True):
            dropped[str(g["as"].iloc[0])] = {"rows": int(len(g)), "minutes": int(g["minutes"].sum())}
    columns = {"employee_id": cmap.columns.employee_id}
    for name in ("role", "rate", "kind"):
        if getattr(cmap.columns, name):
            columns[name] = getattr(cmap.columns, name)
    if cmap.codes:
        columns["kind"] = cmap.codes.column
    if cmap.start is not None:
        end_spec = cast(When, cmap.end)  # a map with a start has an end
        columns["start"] = cast(str, cmap.start.column or cmap.start.time)
        columns["end"] = cast(str, end_spec.column or end_spec.time or end_spec.hours)
    # a column made by [unpivot] is named in a problem by its export pattern ("Hours {n} Temp Rate"), so each
    # rejected shift points at its own export cell and the rejected list counts shifts, as the reconciliation does
    made = {canonical(k): pattern for k, pattern in (cmap.unpivot or {}).items()}
    columns = {k: made.get(canonical(v), v) for k, v in columns.items()}
    return MappedTimesheet(
        frame=frame,
        source=source,
        sheet=sheet,
        rows=rows[keep],
        columns=columns,
        problems=problems,
        map_name=cmap.name,
        layout=cmap.layout,
        source_rows_read=n_source,
        rejected_minutes=int(minutes_known[bad].sum()),
        dropped=dropped,
        groups=group_n[keep] if group_n is not None else None,
    )


def _remap(rej: Rejections, new_pos: np.ndarray, n: int) -> Rejections:
    """The same rejections on another row numbering (``new_pos[old] = new``, -1 = gone)."""
    out = Rejections(rej.source, list(rej.order), n, rej.sheet)
    f = rej.frame()
    if len(f):
        pos = new_pos[f["pos"].to_numpy().astype(int)]
        live = pos >= 0
        out._parts = [pd.DataFrame({"pos": pos[live], "rank": f["rank"].to_numpy()[live],
                                    "column": f["column"].to_numpy()[live], "reason": f["reason"].to_numpy()[live]})]
    return out


def _as_datetime(minutes: np.ndarray) -> np.ndarray:
    return np.where(minutes >= 0, minutes, np.iinfo("int64").min).astype("datetime64[m]").astype("datetime64[s]")


def _punches(work, cmap, rej, emp, kind, dropped_mask, codes, shown, source, sheet, n_source) -> MappedTimesheet:
    """Pair each in-punch with the next out-punch of the same employee and pay code."""
    spec = cmap.punches
    col = canonical(spec.at)
    at = _local_minutes(work, When(column=spec.at, format=spec.format), "punch", rej)
    n = len(work)
    if spec.direction:
        dcol = canonical(spec.direction)
        d = text(work[dcol]).str.lower()
        is_in = d.isin([v.lower() for v in spec.in_values]).to_numpy()
        is_out = d.isin([v.lower() for v in spec.out_values]).to_numpy()
        rej.add(~is_in & ~is_out, dcol,
                f"{spec.direction} must be one of {', '.join(spec.in_values + spec.out_values)}, not '" + text(work[dcol]).str.slice(0, 20) + "'")
    usable = ~rej.mask() & ~dropped_mask
    lane = codes.to_numpy() if codes is not None else np.asarray(kind, dtype=object)
    idx = np.flatnonzero(usable)
    order = idx[np.lexsort((idx, at[idx], pd.factorize(lane[idx])[0], pd.factorize(emp.to_numpy()[idx])[0]))]
    group = pd.Series(emp.to_numpy()[order].astype(str)) + "\x00" + pd.Series(lane[order].astype(str))
    if spec.direction:
        p_in, p_out = is_in[order], is_out[order]
    else:
        p_in = (pd.Series(np.arange(len(order))).groupby(group.to_numpy()).cumcount() % 2 == 0).to_numpy()
        p_out = ~p_in
    same_next = (group.shift(-1) == group).to_numpy()
    nxt = np.append(order[1:], -1)
    nxt_out = np.append(p_out[1:], False)
    pair = p_in & same_next & nxt_out
    # an out-punch consumed by the pair before it
    consumed = np.zeros(n, dtype=bool)
    consumed[nxt[pair]] = True
    ins = order[pair]
    orphan_in = order[p_in & ~pair]
    orphan_out = np.setdiff1d(order[p_out], nxt[pair])
    rej.add(orphan_in, col, "punch in without a punch out after it (same employee and pay code)")
    rej.add(orphan_out, col, "punch out without a punch in before it (same employee and pay code)")
    # records: one per pair (at the in-punch's row) + one per rejected punch; consumed outs vanish
    start = np.full(n, -1, dtype="int64")
    end = np.full(n, -1, dtype="int64")
    start[ins] = at[ins]
    end[ins] = at[nxt[pair]]
    record = ~consumed
    minutes = np.where((start >= 0) & (end > start), end - start, 0)
    if dropped_mask.any():  # a dropped code's hours, when its punches pair up
        dropped_pairs = _pair_minutes_for_dropped(work, emp, lane, at, dropped_mask, is_in if spec.direction else None)
        minutes = np.where(dropped_mask, dropped_pairs, minutes)
        record &= ~(dropped_mask & (dropped_pairs < 0))
        minutes = np.maximum(minutes, 0)
    sub = work[record].reset_index(drop=True)
    keep_rej = _remap(rej, np.where(record, np.cumsum(record) - 1, -1), int(record.sum()))
    out = _finish(sub, cmap, keep_rej, emp[record].reset_index(drop=True), np.asarray(kind, dtype=object)[record],
                  dropped_mask[record], codes[record].reset_index(drop=True) if codes is not None else None,
                  start[record], end[record], minutes[record], shown, source, sheet, n_source)
    out.columns["start"] = spec.at
    out.columns["end"] = spec.at
    return out


def _pair_minutes_for_dropped(work, emp, lane, at, dropped_mask, is_in) -> np.ndarray:
    """Minutes of dropped-code punch pairs at the in-punch (the out-punch: -1, not a record)."""
    n = len(work)
    out = np.zeros(n, dtype="int64")
    idx = np.flatnonzero(dropped_mask & (at >= 0))
    order = idx[np.lexsort((idx, at[idx], pd.factorize(lane[idx])[0], pd.factorize(emp.to_numpy()[idx])[0]))]
    key = emp.to_numpy()[order].astype(str) + "\x00" + lane[order].astype(str)
    first = np.r_[True, key[1:] != key[:-1]] if len(order) else np.zeros(0, dtype=bool)
    pos_in_group = np.arange(len(order)) - np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    is_first = (pos_in_group % 2 == 0) if is_in is None else is_in[order]
    has_next = np.r_[key[1:] == key[:-1], False] if len(order) else np.zeros(0, dtype=bool)
    pair = is_first & has_next
    nxt = np.r_[order[1:], -1] if len(order) else order
    out[order[pair]] = at[nxt[pair]] - at[order[pair]]
    out[nxt[pair]] = -1
    return out


def _summary(work, cmap, rej, emp, kind, dropped_mask, codes, shown, source, sheet, n_source) -> MappedTimesheet:
    """Hours by code and period -> synthetic shifts laid end to end from the period's first day.

    Worked codes (work, call-back) share one lane and on-call another, so they never overlap;
    a lane's hours are cut into pieces of at most 24 h. The pieces carry no real clock times:
    that is why the rules that need them are switched off (:meth:`MappedTimesheet.adjust_policy`).
    """
    spec = cmap.summary
    n = len(work)
    bcol = canonical(spec.begin)
    b = _cell_text(work[bcol], spec.date_format)
    begin_ts = _parse(b, spec.date_format)
    rej.add((b == "").to_numpy(), bcol, f"{spec.begin} is empty")
    rej.add((b != "").to_numpy() & np.isnat(begin_ts), bcol, _bad(b, "date", spec.date_format))
    begin = np.where(np.isnat(begin_ts), -1, begin_ts.astype("datetime64[D]").astype("int64"))
    length = np.full(n, spec.days, dtype="int64")
    if spec.end:
        ecol = canonical(spec.end)
        e = _cell_text(work[ecol], spec.date_format)
        end_ts = _parse(e, spec.date_format)
        rej.add((e == "").to_numpy(), ecol, f"{spec.end} is empty")
        rej.add((e != "").to_numpy() & np.isnat(end_ts), ecol, _bad(e, "date", spec.date_format))
        last = np.where(np.isnat(end_ts), -1, end_ts.astype("datetime64[D]").astype("int64"))
        length = last - begin + 1
        rej.add((begin >= 0) & (last >= 0) & (length < 1), ecol, f"{spec.end} is before {spec.begin}")
    hcol = canonical(spec.hours)
    h = parse_numbers(work[hcol], spec.hours, cast(Rejections, _Renamed(rej, spec.hours, hcol)), lo=0, hi=MAX_HOURS_CELL)
    rej.add(np.isnan(h), hcol, f"{spec.hours} is empty")
    minutes = _hours_to_minutes(h)
    rej.add(np.isfinite(h) & (minutes == 0), hcol, f"{spec.hours} is 0")
    lane = np.where(np.asarray(kind, dtype=object) == "on_call", 1, 0)
    ok = ~rej.mask() & ~dropped_mask
    # offset of each record within its (employee, period, lane), in file order
    key = pd.DataFrame({"e": emp.to_numpy(), "b": begin, "l": lane, "m": np.where(ok, minutes, 0)})
    before = key.groupby(["e", "b", "l"], sort=False)["m"].cumsum().to_numpy() - key["m"].to_numpy()
    too_many = ok & (before + minutes > np.maximum(length, 0) * MINUTES_PER_DAY)
    rej.add(too_many, hcol, "more hours than the pay period has (for this employee and kind)")
    ok &= ~too_many
    # cut each record into <= 24 h pieces
    pieces = np.where(ok, -(-minutes // MINUTES_PER_DAY), 1)
    rec = np.repeat(np.arange(n), pieces)
    k = np.arange(len(rec)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    s = begin[rec] * MINUTES_PER_DAY + before[rec] + k * MINUTES_PER_DAY
    e_ = np.minimum(s + MINUTES_PER_DAY, begin[rec] * MINUTES_PER_DAY + before[rec] + minutes[rec])
    okr = ok[rec]
    s = np.where(okr, s, -1)
    e_ = np.where(okr, e_, -1)
    sub = work.iloc[rec].reset_index(drop=True)
    sub_rej = _remap(rej, np.cumsum(pieces) - pieces, len(rec))  # a record's rejection sits on its first piece
    out = _finish(sub, cmap, sub_rej, emp.iloc[rec].reset_index(drop=True), np.asarray(kind, dtype=object)[rec],
                  dropped_mask[rec] & (k == 0), codes.iloc[rec].reset_index(drop=True) if codes is not None else None,
                  s, e_, np.where(okr, e_ - s, minutes[rec]), shown, source, sheet, n_source)
    out.columns["start"] = spec.begin
    out.columns["end"] = spec.hours
    valid = np.flatnonzero(ok)
    out.period_days = np.unique(np.stack([begin[valid], length[valid]], axis=1), axis=0) if len(valid) else np.zeros((0, 2), dtype="int64")
    return out
