"""Dates, times and hours in an export read through a column map: exactly, and only in the order the map names.

The rules (docs/exports.md, "Dates, times and hours"), the same for a CSV and a workbook:

* **One order.** A map's ``format`` / ``date_format`` is the only way a date is read. When a date
  the map's format cannot read *can* be read in the other day/month order (``13/03/2025`` under a
  US ``%m/%d/%Y`` map), the file writes its dates the other way and the dates that read both ways
  would be misread: the file is refused, naming the first such cell and the ``date_format`` that
  reads it. A map with no day/month order (the ISO default) facing ``03/04/2025`` is refused too:
  only the map can say which order it is.
* **Instants.** A format with ``%z`` (or an ISO 8601 time with an offset) names an instant:
  :func:`~peerpay.core.datetimes.offset_datetimes` reads it on the policy's wall clock, so a file
  whose offsets change at DST (-04:00, then -05:00) is paid exactly; without a policy timezone the
  row is rejected.
* **Minutes.** A time with seconds (08:00:30, in text or in a workbook cell) is rejected, as in a
  plain timesheet: times are counted to the whole minute.
* **Workbook cells.** A real Excel date, time or date-time is used as it is, never re-read
  through the map's text format (which would drop its seconds).
* **Hours** are read exactly (:func:`~peerpay.core.tables.parse_hours`): ``1,5`` is 1.5 hours
  with the map's ``decimal_comma`` and not a number without it, never 15 hours.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from ..core.calendar import instants_to_local, local_to_instants
from ..core.datetimes import ISO_OFFSET, offset_datetimes
from ..core.money import MINUTES_PER_DAY
from ..core.tables import ISO_DATETIME, Rejections, parse_hours, slashed_readings, text
from ..errors import InputError
from .csvtext import canonical

MAX_HOURS_CELL = 10_000  # decimal-hours cells above this are typos, not shifts
#: a format that writes the day and the month side by side (13/03/2025 or 03/13/2025): it names an order
SLASHED_ORDER = re.compile(r"%[dm]([^%]?)%[dm]\1%[Yy]")
SECONDS_REASON = "has seconds: times are counted to the whole minute (export the times to the minute)"


@dataclass
class Moments:
    """Local wall-clock minutes since epoch (-1: not read) and, where a cell named an instant
    (a UTC offset), that instant in UTC minutes (else -1)."""

    local: np.ndarray
    exact: np.ndarray

    @classmethod
    def none(cls, n: int) -> Moments:
        return cls(np.full(n, -1, dtype="int64"), np.full(n, -1, dtype="int64"))


@dataclass
class Where:
    """What a message needs to name a cell of the export: file, sheet and each work row's export row."""

    source: str
    sheet: str | None
    rows: np.ndarray


def _split(col: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A column as (text of its text cells, '' elsewhere; its cell objects; which cells are workbook
    dates, times or durations rather than text)."""
    values = col.to_numpy(dtype=object)
    is_obj = np.fromiter((v is not None and not isinstance(v, str) and isinstance(v, (dt.date, dt.time, dt.timedelta))
                          for v in values), dtype=bool, count=len(values))
    texts = text(pd.Series(np.where(is_obj, "", values), dtype=object))
    return texts, values, is_obj


def _parse(values: pd.Series, fmt: str | None) -> np.ndarray:
    """Text -> datetime64[s] (NaT where it does not fit the format or the date does not exist)."""
    filled = values != ""
    if fmt is None:
        shaped = values.str.match(ISO_DATETIME).to_numpy(dtype=bool)
        parsed = pd.to_datetime(values.where(shaped, None), format="ISO8601", errors="coerce")
    else:
        parsed = pd.to_datetime(values.where(filled, None), format=fmt, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        return np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    return parsed.to_numpy().astype("datetime64[s]")


def _with_or_without_seconds(fmt: str) -> str | None:
    """The format with ``:%S`` after its minutes, or without it: a time is read with or without its
    seconds (then judged by :data:`SECONDS_REASON`), as a workbook's time cell is."""
    if "%M:%S" in fmt:
        return fmt.replace("%M:%S", "%M", 1)
    if "%M" in fmt and "%S" not in fmt:
        return fmt.replace("%M", "%M:%S", 1)
    return None


def _parse_time_text(values: pd.Series, fmt: str | None) -> np.ndarray:
    """:func:`_parse`, and the cells it missed again with or without seconds in the format."""
    ts = _parse(values, fmt)
    other = _with_or_without_seconds(fmt) if fmt else None
    missed = np.isnat(ts) & (values != "").to_numpy(dtype=bool)
    if other is not None and missed.any():
        idx = np.flatnonzero(missed)
        ts[idx] = _parse(values.iloc[idx].reset_index(drop=True), other)
    return ts


def _bad(values: pd.Series, what: str, fmt: str) -> np.ndarray:
    shown = values.astype(str).str.slice(0, 40)
    return ("not a " + what + " '" + shown + "' (expected " + fmt + ")").to_numpy()


def _swap_order(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def check_date_order(texts: pd.Series, fmt: str | None, key: str, label: str, where: Where) -> None:
    """Refuse a file whose dates the map's format would read only in part, the rest in the wrong order.

    ``key``: the map key that sets the format (``[start] date_format``), named in the fix.
    """
    filled = (texts != "").to_numpy(dtype=bool)
    if not filled.any():
        return
    failed = filled & np.isnat(_parse(texts, fmt))
    if not failed.any():
        return
    idx = np.flatnonzero(failed)
    if fmt is not None and SLASHED_ORDER.search(fmt):  # the map names an order: does the other one read these?
        swapped = _swap_order(fmt)
        other = ~np.isnat(_parse(texts.iloc[idx].reset_index(drop=True), swapped))
        if other.any():
            i = int(idx[np.flatnonzero(other)[0]])
            first = "day" if fmt.index("%d") > fmt.index("%m") else "month"
            raise InputError.at(where.source, f"'{texts.iloc[i]}' is not a {fmt} date, but it reads {first} first as {swapped}: "
                                f"the file writes its dates {first} first, so the dates that read either way would be misread "
                                f"under the map's {key} = \"{fmt}\" ({int(other.sum())} row(s) read only {first} first). Set "
                                f"{key} = \"{swapped}\" in the map", row=int(where.rows[i]), column=label, sheet=where.sheet)
        return
    readings: list[tuple[int, dict]] = []
    for at in idx.tolist():
        r = slashed_readings(str(texts.iloc[at]))
        if r is not None and (r["day_first"] or r["month_first"]):
            readings.append((at, r))
    if not readings:
        return
    day_only = [(i, r) for i, r in readings if r["day_first"] and not r["month_first"]]
    month_only = [(i, r) for i, r in readings if r["month_first"] and not r["day_first"]]

    def cell(i: int, row: bool = False) -> str:
        return f"'{texts.iloc[i]}'" + (f" (row {int(where.rows[i])})" if row else "")

    shown = "ISO 8601, the default" if fmt is None else f'"{fmt}"'
    if day_only and month_only:
        raise InputError.at(where.source, f"dates are written in both orders: {cell(day_only[0][0])} is day first and "
                            f"{cell(month_only[0][0], row=True)} month first: fix the export (no map can read both)",
                            row=int(where.rows[day_only[0][0]]), column=label, sheet=where.sheet)
    if day_only or month_only:
        i, r = (day_only or month_only)[0]
        order, fix = ("day", r["day_format"]) if day_only else ("month", r["month_format"])
        raise InputError.at(where.source, f"{cell(i)} is written {order} first, not as the map's {key} ({shown}) reads it: "
                            f"set {key} = \"{fix}\" in the map", row=int(where.rows[i]), column=label, sheet=where.sheet)
    i, r = next(((i, r) for i, r in readings if r["day_first"] != r["month_first"]), readings[0])
    raise InputError.at(where.source, f"{cell(i)} can be read day first ({r['day_words']}) or month first ({r['month_words']}) "
                        f"and the map's {key} ({shown}) names no order, so every such date would be a guess: set {key} = "
                        f"\"{r['month_format']}\" (month first, US) or \"{r['day_format']}\" (day first) in the map",
                        row=int(where.rows[i]), column=label, sheet=where.sheet)


def _seconds_of_day(col: pd.Series, fmt: str, key: str, label: str, rej: Rejections) -> np.ndarray:
    """Time-of-day cells -> seconds since midnight (-1: blank or rejected). A workbook time (or the
    time of a date-time, or a duration under a day) is taken as it is; text is read with ``fmt``."""
    texts, values, is_obj = _split(col)
    out = np.full(len(col), -1, dtype="int64")
    for i in np.flatnonzero(is_obj):  # workbook cells: few, and each a Python object already
        v = values[i]
        if isinstance(v, dt.datetime):
            v = v.time()
        if isinstance(v, dt.time):
            out[i] = v.hour * 3600 + v.minute * 60 + v.second
        elif isinstance(v, dt.timedelta) and dt.timedelta(0) <= v < dt.timedelta(days=1):
            out[i] = int(round(v.total_seconds()))
    bad_obj = is_obj & (out < 0)
    rej.add(bad_obj, key, f"{label} is not a time of day")
    blank = ~is_obj & (texts == "").to_numpy(dtype=bool)
    rej.add(blank, key, f"{label} is empty")
    filled = ~is_obj & ~blank
    ts = _parse_time_text(("2000-01-01 " + texts).where(filled, ""), "%Y-%m-%d " + fmt)
    read = filled & ~np.isnat(ts)
    rej.add(filled & ~read, key, _bad(texts, "time", fmt))
    base = np.datetime64("2000-01-01", "s").astype("int64")
    out[read] = ts[read].astype("int64") - base
    return out


def _days(col: pd.Series, fmt: str, key: str, label: str, rej: Rejections, map_key: str, where: Where) -> np.ndarray:
    """Date cells -> day numbers since epoch (-1: blank or rejected); text only in the map's order."""
    texts, values, is_obj = _split(col)
    out = np.full(len(col), -1, dtype="int64")
    for i in np.flatnonzero(is_obj):
        v = values[i]
        if isinstance(v, dt.date):  # a datetime is a date too: its day
            out[i] = (v.date() if isinstance(v, dt.datetime) else v).toordinal() - dt.date(1970, 1, 1).toordinal()
    rej.add(is_obj & (out < 0) & np.array([not isinstance(v, dt.date) for v in values], dtype=bool), key, f"{label} is not a date")
    blank = ~is_obj & (texts == "").to_numpy(dtype=bool)
    rej.add(blank, key, f"{label} is empty")
    check_date_order(texts, fmt, map_key, label, where)
    filled = ~is_obj & ~blank
    ts = _parse(texts.where(filled, ""), fmt)
    read = filled & ~np.isnat(ts)
    rej.add(filled & ~read, key, _bad(texts, "date", fmt))
    out[read] = ts[read].astype("datetime64[D]").astype("int64")
    return out


def read_when(work: pd.DataFrame, spec, label: str, rej: Rejections, timezone: str | None, where: Where,
              section: str) -> Moments:
    """A start or end (or a punch) from one date-time column, or a date column + a time column."""
    if spec.column is not None:
        return _datetimes(work[canonical(spec.column)], spec.format, canonical(spec.column), spec.column, rej, timezone,
                          where, f"[{section}] format")
    dkey, tkey = canonical(spec.date), canonical(spec.time)
    day = _days(work[dkey], spec.date_format, dkey, spec.date, rej, f"[{section}] date_format", where)
    secs = _seconds_of_day(work[tkey], spec.time_format, tkey, spec.time, rej)
    ok = (day >= 0) & (secs >= 0)
    rej.add(ok & (secs % 60 != 0), tkey, f"{spec.time} {SECONDS_REASON}")
    ok &= secs % 60 == 0
    out = Moments.none(len(work))
    out.local[ok] = day[ok] * MINUTES_PER_DAY + secs[ok] // 60
    return out


def _datetimes(col: pd.Series, fmt: str | None, key: str, label: str, rej: Rejections, timezone: str | None,
               where: Where, map_key: str) -> Moments:
    """One date-time column: workbook date-times as they are, text through ``fmt`` (an offset: an instant)."""
    texts, values, is_obj = _split(col)
    n = len(col)
    out = Moments.none(n)
    secs = np.full(n, -1, dtype="int64")
    for i in np.flatnonzero(is_obj):
        v = values[i]
        if isinstance(v, dt.datetime):
            secs[i] = int((v.replace(tzinfo=None) - dt.datetime(1970, 1, 1)).total_seconds())
        elif isinstance(v, dt.date):
            rej.add([i], key, f"{label} has no time of day '{v.isoformat()}' (expected a date and a time)")
        else:
            rej.add([i], key, f"{label} has no date '{v}' (a time-only cell? expected a date and a time)")
    blank = ~is_obj & (texts == "").to_numpy(dtype=bool)
    rej.add(blank, key, f"{label} is empty")
    filled = ~is_obj & ~blank
    offset = filled & (texts.str.match(ISO_OFFSET).to_numpy(dtype=bool) if fmt is None else bool(fmt and "%z" in fmt))
    if offset.any():
        local, exact = offset_datetimes(texts[offset].reset_index(drop=True), fmt, key,
                                        sub := Rejections(rej.source, [key], int(offset.sum()), rej.sheet), None, timezone, label)
        at = np.flatnonzero(offset)
        out.local[at], out.exact[at] = local, exact
        f = sub.frame()
        if len(f):
            rej.add(at[f["pos"].to_numpy(dtype="int64")], key, f["reason"].to_numpy(dtype=object))
    plain = filled & ~offset
    if plain.any():
        check_date_order(texts.where(plain, ""), fmt, map_key, label, where)
        ts = _parse_time_text(texts.where(plain, ""), fmt)
        read = plain & ~np.isnat(ts)
        rej.add(plain & ~read, key, _bad(texts, "date-time", fmt or "ISO 8601, e.g. 2025-03-07 23:00"))
        secs[read] = ts[read].astype("int64")
    whole = secs >= 0
    rej.add(whole & (secs % 60 != 0), key, f"{label} {SECONDS_REASON}")
    whole &= secs % 60 == 0
    out.local[whole] = secs[whole] // 60
    return out


def read_end(work: pd.DataFrame, cmap, start: Moments, rej: Rejections, timezone: str | None, where: Where) -> Moments:
    """Where each shift ends: a date-time, a date + time, a time on the start's date (the next day
    if not after the start; the same time as the start is rejected), or decimal hours after the start."""
    spec = cmap.end
    n = len(work)
    out = Moments.none(n)
    if spec.hours is not None:
        key = canonical(spec.hours)
        minutes = parse_hours(work[key], spec.hours, rej_as(rej, key), hi=MAX_HOURS_CELL, decimal_comma=cmap.decimal_comma)
        rej.add((text(work[key]) == "").to_numpy(dtype=bool), key, f"{spec.hours} is empty")
        ok = (start.local >= 0) & (minutes >= 0)
        if timezone is None:
            out.local[ok] = start.local[ok] + minutes[ok]
            return out
        # hours are real elapsed time: a night across the fall-back change is an hour longer on the clock
        inst = np.where(start.exact >= 0, start.exact, local_to_instants(np.where(ok, start.local, 0), timezone, strict=True))
        good = ok & (inst >= 0)
        out.exact[good] = inst[good] + minutes[good]
        out.local[good] = np.asarray(instants_to_local(out.exact[good], timezone), dtype="int64")
        out.local[ok & ~good] = start.local[ok & ~good] + minutes[ok & ~good]  # start in the spring-forward gap: rejected later
        return out
    if spec.date is None and spec.column is None:  # a time on the start's date; the next day if not after it
        key = canonical(cast(str, spec.time))
        secs = _seconds_of_day(work[key], spec.time_format, key, cast(str, spec.time), rej)
        rej.add((secs >= 0) & (secs % 60 != 0), key, f"{spec.time} {SECONDS_REASON}")
        ok = (secs >= 0) & (secs % 60 == 0) & (start.local >= 0)
        day = np.where(ok, start.local // MINUTES_PER_DAY, 0)
        end = day * MINUTES_PER_DAY + np.where(ok, secs // 60, 0)
        same = ok & (end == start.local)
        start_label = cmap.start.time or cmap.start.column
        rej.add(same, key, f"{spec.time} is the same as {start_label}: a line of no time (a 24-hour shift needs an end date)")
        ok &= ~same
        out.local[ok] = np.where(end[ok] < start.local[ok], end[ok] + MINUTES_PER_DAY, end[ok])
        return out
    return read_when(work, spec, cast(str, spec.column or spec.time), rej, timezone, where, "end")


class _Renamed:
    """Rejections added under the export's canonical column name (what :mod:`peerpay.core.tables` names ``name``)."""

    def __init__(self, rej: Rejections, column: str):
        self.rej, self.column = rej, column

    def add(self, mask, column, reason):
        self.rej.add(mask, self.column, reason)


def rej_as(rej: Rejections, column: str) -> Rejections:
    """``rej`` seen by a parser that names its column by label: its rejections land on ``column``."""
    return cast(Rejections, _Renamed(rej, column))


def hours_minutes(work: pd.DataFrame, column: str, decimal_comma: bool) -> np.ndarray:
    """A decimal-hours column as whole minutes, exactly (-1 where blank or not a number); no rejections."""
    scratch = Rejections("", [], len(work))
    return parse_hours(work[canonical(column)], column, scratch, hi=MAX_HOURS_CELL, decimal_comma=decimal_comma)

