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

What every layout shares is read here (:func:`apply_map`): blank rows skipped, exact duplicate
lines rejected (or kept where the map says they are real), ids that a spreadsheet mangled warned
about, pay codes and decimal-comma rates. The layouts are in :mod:`.map_layouts`, dates, times
and hours in :mod:`.map_times`, and the result, :class:`~.mapped.MappedTimesheet`, in :mod:`.mapped`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.ids import mangled_ids
from ..core.tables import Rejections, blank_rows, duplicate_of, text, text_codes
from ..errors import InputError
from ..models.policy import _suggest, loads_model
from . import map_layouts
from .map_layouts import Export, pattern_regex
from .mapped import MappedTimesheet
from .readers import canonical, read_table, read_toml

__all__ = ["ColumnMap", "MappedTimesheet", "apply_map", "apply_map_to_file", "loads_map", "read_map"]


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
    # The export writes numbers with a decimal comma (25,50; 1.234,50; hours 7,5): rates and hours
    # are read that way. Without it a comma is a thousands separator, only in thousands position (1,234.50).
    decimal_comma: bool = False
    # A line identical to an earlier one in every cell: "reject" it (a line exported twice), or
    # "keep" it (the export really repeats lines, e.g. two identical register lines).
    duplicates: Literal["reject", "keep"] = "reject"
    # The field separator of a CSV export (a European Excel writes ";")
    delimiter: str = Field(",", min_length=1, max_length=1)
    # The text encoding of a CSV export (Excel's plain "CSV" on Windows writes cp1252)
    encoding: str = "utf-8"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v):
        import codecs

        try:
            return codecs.lookup(v).name.replace("_", "-") if codecs.lookup(v).name != "utf-8" else "utf-8"
        except LookupError:
            raise ValueError(f"unknown text encoding {v!r} (e.g. \"utf-8\", \"cp1252\", \"latin-1\")") from None
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


# ------------------------------------------------------------------------------ applying a map


def apply_map_to_file(
    timesheet_path: str | Path, map_path: str | Path, sheet: str | None = None, timezone: str | None = None
) -> MappedTimesheet:
    """Read an export and its map; the result goes to ``run_pay(raw_timesheet=...)``."""
    cmap = read_map(map_path)
    wanted = tuple(canonical(c) for c in _referenced(cmap) if canonical(c) not in {canonical(k) for k in (cmap.unpivot or {})})
    raw = read_table(timesheet_path, sheet, keep_datetimes=True, delimiter=cmap.delimiter, header_has=wanted, encoding=cmap.encoding)
    return apply_map(raw, cmap, Path(timesheet_path).name, sheet, timezone)


def apply_map(raw: pd.DataFrame, cmap: ColumnMap, source: str, sheet: str | None = None, timezone: str | None = None) -> MappedTimesheet:
    """Pure: a raw export table (canonical column names, as read_table gives) -> MappedTimesheet."""
    _check_columns(raw, cmap, source)
    id_col = canonical(cmap.columns.employee_id)
    ids_codes, ids = text_codes(raw[id_col])
    blank = blank_rows(raw, np.flatnonzero((text(raw[id_col]) == "").to_numpy(dtype=bool)))  # ",,," lines
    remarks = list(raw.attrs.get("notes", ()))  # what the reader did (the sheet it read, a header below a title)
    if blank.any():
        remarks.append(f"{int(blank.sum())} blank row(s) (every cell empty) were skipped: they are not counted as rows read")
    numbers = np.arange(1, len(raw) + 1)
    padded = raw.attrs.get("padded", {}).get(id_col)
    warnings = mangled_ids(np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object), ids_codes, cmap.columns.employee_id,
                           source, numbers, None if padded is None else np.asarray(padded) - 1, sheet)
    copy_of = duplicate_of(raw, np.flatnonzero(~blank))
    raw = raw.assign(__row=numbers)[~blank].reset_index(drop=True)
    copy_of = copy_of[~blank]
    n_source = len(raw)
    work = map_layouts.unpivot(raw, cmap.unpivot) if cmap.unpivot else raw
    order = [c for c in raw.columns if c != "__row"] + [canonical(k) for k in (cmap.unpivot or {})]
    rej = Rejections(source, order, len(work), sheet)
    shown = _display_names(cmap)
    emp = text(work[id_col])
    copies = _duplicates(work, raw, copy_of, cmap, rej, remarks)
    kind, dropped_mask, codes = map_layouts.kinds(work, cmap, rej)
    if cmap.decimal_comma and cmap.columns.rate:
        work = _decimal_comma_rates(work, canonical(cmap.columns.rate), rej)
    x = Export(work, cmap, rej, emp, np.asarray(kind, dtype=object), dropped_mask & ~copies, codes, shown, source, sheet,
               n_source, timezone)
    layout = {"summary": map_layouts.summary, "punches": map_layouts.punches}.get(cmap.layout, map_layouts.shifts)
    out = layout(x)
    out.warnings = sorted(warnings + out.warnings, key=lambda p: p.row or 0)
    out.remarks = remarks + out.remarks
    return out


def _duplicates(work: pd.DataFrame, raw: pd.DataFrame, copy_of: np.ndarray, cmap: ColumnMap, rej: Rejections,
                remarks: list[str]) -> np.ndarray:
    """Export lines identical in every cell to an earlier line: rejected (a line exported twice
    would be paid twice: a register line twice is 80 h, 40 of them overtime), or kept and noted
    where the map says the export repeats real lines (``duplicates = "keep"``). Returns the work
    rows rejected as copies."""
    copies = np.zeros(len(work), dtype=bool)
    dup_rows = raw["__row"].to_numpy()[copy_of >= 0]
    if not len(dup_rows):
        return copies
    if cmap.duplicates == "keep":
        remarks.append(f"{len(dup_rows)} line(s) are exact copies of an earlier line and were kept (the map's "
                       "duplicates = \"keep\")")
        return copies
    first_row = dict(zip(raw["__row"].to_numpy()[copy_of >= 0], raw["__row"].to_numpy()[copy_of[copy_of >= 0]]))
    rows = work["__row"].to_numpy()
    copies = np.isin(rows, dup_rows)
    column = canonical(_start_column(cmap))
    reasons = np.array([f"the same as row {first_row[int(r)]} in every cell (a line exported twice?): not paid again; if the "
                        "export really repeats lines, set duplicates = \"keep\" in the map" for r in rows[copies]], dtype=object)
    rej.add(np.flatnonzero(copies), column, reasons)
    return copies


def _start_column(cmap: ColumnMap) -> str:
    """The column a rule about a whole line names (as a plain timesheet's overlap names ``start``)."""
    if cmap.punches is not None:
        return cmap.punches.at
    if cmap.summary is not None:
        return cmap.summary.begin
    assert cmap.start is not None
    return cast(str, cmap.start.column or cmap.start.date or cmap.start.time)


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
            rx = pattern_regex(pattern)
            if not any(rx.match(col) for col in raw.columns):
                missing.append(pattern)
    if missing:
        lines = [f"column {m!r} named in the map is not in the file{_suggest(canonical(m), have)}" for m in missing]
        raise InputError.at(source, "; ".join(lines) + f" (found: {', '.join(raw.columns) or 'none'})")
