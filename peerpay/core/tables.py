"""Validation of input tables, vectorised: every bad cell becomes a rejection, never an exception.

Loaders hand over raw tables (canonical lower-case column names, one row per data row, row 1
being the first row under the header). Functions here parse and check columns with pandas and
collect rejections as arrays; :meth:`Rejections.problems` keeps one per row, naming the first
offending column in the file's column order (docs/formats.md §4).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem
from .money import RATE_SCALE, rate_units_array

ISO_DATETIME = r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.0+)?)?\s*$"
ISO_DATE = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
MAX_RATE = 10_000  # $/h: anything above is a typo (or a salary in the rate column)


class Rejections:
    """Collects (row positions, column, reason) for one table."""

    def __init__(self, source: str, columns: list[str], n_rows: int, sheet: str | None = None):
        self.source = source
        self.sheet = sheet
        self.order = {c: i for i, c in enumerate(columns)}
        self.n_rows = n_rows
        self._parts: list[pd.DataFrame] = []
        self.skipped = np.zeros(n_rows, dtype=bool)  # blank rows: neither paid nor rejected (:func:`blank_rows`)

    def skip(self, mask: np.ndarray) -> None:
        """Rows that are left out without a rejection (blank rows): not kept, not listed."""
        self.skipped |= mask

    def add(self, mask_or_positions, column: str, reason) -> None:
        pos = np.asarray(mask_or_positions)
        if pos.dtype == bool:
            if isinstance(reason, (pd.Series, np.ndarray)):
                reason = np.asarray(reason)[pos]
            pos = np.flatnonzero(pos)
        if len(pos) == 0:
            return
        rank = self.order.get(column, len(self.order))
        reasons = reason if not isinstance(reason, str) else np.full(len(pos), reason, dtype=object)
        self._parts.append(pd.DataFrame({"pos": pos, "rank": rank, "column": column, "reason": np.asarray(reasons, dtype=object)}))

    def extend(self, other: Rejections) -> None:
        """Add ``other``'s rejections (of the same table) after this one's."""
        self._parts += other._parts

    def mask(self) -> np.ndarray:
        """Rows not to keep: rejected or skipped."""
        m = self.skipped.copy()
        for p in self._parts:
            m[p["pos"].to_numpy()] = True
        return m

    def frame(self) -> pd.DataFrame:
        """One rejection per row (the first offending column), sorted by row; skipped rows have none."""
        if not self._parts:
            return pd.DataFrame(columns=["pos", "rank", "column", "reason"])
        df = pd.concat(self._parts, ignore_index=True)
        df = df.sort_values(["pos", "rank"], kind="stable").drop_duplicates("pos")
        if self.skipped.any():
            df = df[~self.skipped[df["pos"].to_numpy(dtype="int64")]]
        return df.reset_index(drop=True)

    def problems(self) -> list[Problem]:
        df = self.frame()
        return [
            Problem(self.source, int(p) + 1, c, r, self.sheet)
            for p, c, r in zip(df["pos"].to_numpy(), df["column"].to_numpy(), df["reason"].to_numpy())
        ]


def blank_rows(raw: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """Which rows are blank: every cell empty or spaces (a ``,,,`` line Excel writes for an empty
    row of the sheet, or an empty row between a workbook's data). ``candidates``: the positions
    that may be blank (the rows whose key column is empty), so a clean table costs nothing.

    A blank row is skipped, neither paid nor rejected, in a CSV and a workbook alike; it keeps its
    place in the row numbering, so the rows after it keep the numbers the clerk sees.
    """
    blank = np.zeros(len(raw), dtype=bool)
    idx = np.asarray(candidates, dtype="int64")
    if not len(idx):
        return blank
    empty = np.ones(len(idx), dtype=bool)
    for c in raw.columns:
        empty &= (text(raw[c].iloc[idx]) == "").to_numpy(dtype=bool)
    blank[idx[empty]] = True
    return blank


def duplicate_of(raw: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """For each row, the position of the first earlier row with the same text in every cell
    (an exact duplicate: a line exported twice), else -1. Cells are compared as :func:`text`
    (trimmed); ``rows``: only these positions take part (e.g. the rows that are not blank)."""
    n = len(raw)
    out = np.full(n, -1, dtype="int64")
    idx = np.arange(n) if rows is None else np.asarray(rows, dtype="int64")
    if len(idx) < 2 or not len(raw.columns):
        return out
    codes = []
    for c in raw.columns:  # each column as codes of its distinct (trimmed) texts
        found, values = text_codes(raw[c].iloc[idx])
        codes.append(pd.factorize(np.asarray(values.to_numpy(zero_copy_only=False), dtype=object))[0][found])
    group = pd.DataFrame(dict(enumerate(codes))).groupby(list(range(len(codes))), sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)  # groups are numbered in order of first appearance
    first_of = idx[first[group]]
    dup = first_of != idx
    out[idx[dup]] = first_of[dup]
    return out


def text(col: pd.Series) -> pd.Series:
    """A column as stripped text (Python strings), missing values as ''.

    Read through :func:`text_codes`, the one door: each distinct text becomes a Python string once.
    """
    codes, values = text_codes(col)
    return pd.Series(np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[codes], index=col.index, dtype=object)


#: dictionary encodings of text columns computed ahead of time (:func:`remember_codes`), by the
#: column's buffers: (the column, its encoding); each is used once
_AHEAD: dict[tuple, tuple] = {}


def remember_codes(cells, encoded) -> None:
    """Keep ``pyarrow.compute.dictionary_encode(cells)``, computed ahead of time (the early read
    encodes a large timesheet's columns on the other core while pandas loads), for
    :func:`text_codes` to use once instead of encoding the same column again. ``cells`` is kept
    with it, so its buffers cannot be freed and reused by another column meanwhile."""
    _AHEAD[_buffers(cells)] = (cells, encoded)


def _buffers(cells) -> tuple:
    """An arrow column's identity: its length and each chunk's offset, length and buffer addresses."""
    chunks = cells.chunks if hasattr(cells, "chunks") else [cells]
    return (len(cells), *((c.offset, len(c), *(b.address if b is not None else 0 for b in c.buffers())) for c in chunks))


def text_codes(col: pd.Series):
    """A column as codes into its distinct texts: ``(codes, values)`` with ``values[codes]`` equal
    to :func:`text` of the column (``codes`` an int32 array, ``values`` a pyarrow string array):
    text stripped of surrounding white space (pyarrow's ``utf8_trim_whitespace``), a number or a
    date-time as pandas writes it, missing as ''.

    Why: a million-row timesheet holds a few thousand ids and rates and some tens of thousands of
    start times. Checking each distinct text once and reading the verdicts back through the codes
    is many times faster than checking every cell, and an arrow-backed column (a CSV) is never
    turned into Python strings on the way. Blank and missing cells share the value ''.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = col.dtype == object or pd.api.types.is_string_dtype(col)
    s = col if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow" else col.astype("string")
    cells = pa.array(s.array)  # the arrow data itself, no copy
    if cells.null_count:
        cells = pc.fill_null(cells, "")
    if len(cells) == 0:
        return np.zeros(0, dtype="int32"), pa.array([], type=pa.string())
    ahead = _AHEAD.pop(_buffers(cells), None) if _AHEAD else None
    encoded = ahead[1] if ahead is not None else pc.dictionary_encode(cells)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    codes = np.concatenate([c.indices.to_numpy() for c in chunks])
    values = chunks[-1].dictionary  # the last holds every value, whether or not the chunks share one
    if values.type != pa.string():  # pandas keeps large_string; the distinct values are few
        values = values.cast(pa.string())
    return codes, (pc.utf8_trim_whitespace(values) if stripped else values)


def _shown(values: pd.Series, width: int = 40) -> pd.Series:
    s = text(values).astype(str)
    return s.where(s.str.len() <= width, s.str.slice(0, width) + "…")


def parse_datetimes(col: pd.Series, name: str, rej: Rejections, window=None) -> np.ndarray:
    """Local wall-clock date-times -> int64 minutes since epoch; bad cells rejected (-1).

    ``window``: (earliest, latest) dates accepted; a date-time outside is rejected (a typo such
    as 1925, or Excel's 1899-12-30 "no date"), so no row is paid 0 hours for a date before 1970.
    """
    if pd.api.types.is_datetime64_any_dtype(col) and getattr(col.dtype, "tz", None) is None:
        ts = col.to_numpy().astype("datetime64[s]")
        missing = np.isnat(ts)
    else:
        if col.dtype == object:  # XLSX cells may hold datetimes among strings
            col = col.map(lambda v: v.isoformat(sep=" ") if hasattr(v, "isoformat") and not isinstance(v, str) else v)
        s = text(col)
        missing = (s == "").to_numpy()
        shaped = s.str.match(ISO_DATETIME).to_numpy(dtype=bool)
        bad_shape = ~missing & ~shaped
        if bad_shape.any():
            rej.add(np.flatnonzero(bad_shape), name, np.array([not_a_datetime(v, name) for v in s[bad_shape]], dtype=object))
        parsed = pd.to_datetime(s.where(shaped, None), format="ISO8601", errors="coerce")
        ts = parsed.to_numpy().astype("datetime64[s]")
        impossible = shaped & np.isnat(ts)
        rej.add(impossible, name, "no such date or time " + ("'" + _shown(col) + "'"))
    rej.add(missing, name, f"{name} is empty")
    secs = ts.astype("int64")
    ok = ~np.isnat(ts)
    part = ok & (secs % 60 != 0)
    rej.add(part, name, f"{name} has seconds: times are counted to the whole minute")
    if window is not None:
        lo, hi = (np.datetime64(d, "D").astype("datetime64[s]").astype("int64") for d in window)
        outside = ok & ((secs < lo) | (secs >= hi + 86400))
        if outside.any():
            when = pd.Series(ts[outside]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
            rej.add(np.flatnonzero(outside), name, f"{name} " + when + f" is outside the accepted dates {window[0]} to {window[1]} "
                    "(a typo? [input] earliest_date / latest_date in the policy set them)")
        ok &= ~outside
    return np.where(ok, secs // 60, -1)


#: a date written with slashes, dots or dashes and the day and month in either order, and perhaps a time
SLASHED_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def slashed_readings(value: str) -> dict | None:
    """How a date written ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (slashes, dots or dashes; perhaps with
    a time) can be read: ``day_first`` and ``month_first`` (the ISO 8601 text of each reading, or
    None where that date does not exist), their words (``13 March 2025``, ``March 13, 2025``) and
    the strptime format of each order (``day_format``, ``month_format``); None: not such a date."""
    import datetime as dt

    m = SLASHED_DATE.match(value.strip())
    if m is None:
        return None
    first, sep, second, year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
    y = int(year) + (2000 if len(year) == 2 else 0)
    hour, minute = (int(m.group(5)), int(m.group(6))) if m.group(5) else (None, None)
    twelve = m.group(8)
    if hour is not None and twelve:
        hour = hour % 12 + (12 if twelve.lower() == "p" else 0)
    seconds = f":{int(m.group(7)):02d}" if m.group(7) else ""
    clock = f" {hour:02d}:{minute:02d}{seconds}" if hour is not None else ""
    time_fmt = ""
    if hour is not None:
        time_fmt = (" %I:%M" if twelve else " %H:%M") + (":%S" if seconds else "") + (" %p" if twelve else "")
    y_fmt = "%Y" if len(year) == 4 else "%y"

    def read(day: int, month: int) -> str | None:
        try:
            dt.date(y, month, day)
        except ValueError:
            return None
        return f"{y:04d}-{month:02d}-{day:02d}{clock}"

    return {"day_first": read(first, second), "month_first": read(second, first),
            "day_words": f"{first} {MONTHS[second - 1]} {y}" if 1 <= second <= 12 else "",
            "month_words": f"{MONTHS[first - 1]} {second}, {y}" if 1 <= first <= 12 else "",
            "day_format": sep.join(["%d", "%m", y_fmt]) + time_fmt, "month_format": sep.join(["%m", "%d", y_fmt]) + time_fmt,
            "has_time": hour is not None}


def not_a_datetime(value: str, name: str = "start") -> str:
    """Why a cell is not an ISO 8601 date-time, with advice for the order its date is written in.

    ``13/03/2025 08:00`` can only be day first, ``03/13/2025`` only month first (US), and
    ``03/04/2025`` either: the advice names the reading(s) and the ISO text of each, and the
    column-map format that reads the file as it is (docs/exports.md), never one order for another.
    """
    shown = value if len(value) <= 40 else value[:40] + "…"
    r = slashed_readings(value)
    if r is None:
        return f"not a date-time '{shown}' (expected ISO 8601, e.g. 2025-03-07 23:00)"
    clock = "" if r["has_time"] else " 08:00"
    day_fmt = r["day_format"] + ("" if r["has_time"] else " %H:%M")
    month_fmt = r["month_format"] + ("" if r["has_time"] else " %H:%M")
    day, month = r["day_first"], r["month_first"]
    if day and not month:
        return (f"not a date-time '{shown}': it is written day first ({r['day_words']}), not ISO 8601: write {day}{clock}, "
                f"or read the file through a column map with format = \"{day_fmt}\"")
    if month and not day:
        return (f"not a date-time '{shown}': it is written month first, US style ({r['month_words']}), not ISO 8601: write "
                f"{month}{clock}, or read the file through a column map with format = \"{month_fmt}\"")
    if day and month:
        return (f"not a date-time '{shown}': it can be read day first ({r['day_words']}) or month first ({r['month_words']}), "
                f"not ISO 8601: write {day}{clock} or {month}{clock}, or name the order in a column map (format = "
                f"\"{day_fmt}\" or \"{month_fmt}\")")
    return f"no such date '{shown}' (neither day first nor month first; expected ISO 8601, e.g. 2025-03-07 23:00)"


def parse_dates(col: pd.Series, name: str, rej: Rejections, required: bool = False) -> np.ndarray:
    """ISO dates -> datetime64[D] (NaT where blank or bad; bad ones rejected)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.to_numpy().astype("datetime64[D]")
    if col.dtype == object:
        col = col.map(lambda v: v.date().isoformat() if hasattr(v, "date") and not isinstance(v, str) else v)
    s = text(col)
    blank = (s == "").to_numpy()
    parsed = pd.to_datetime(s.where(s.str.match(ISO_DATE), None), format="%Y-%m-%d", errors="coerce")
    out = parsed.to_numpy().astype("datetime64[D]")
    rej.add(~blank & np.isnat(out), name, "not a date " + ("'" + _shown(col) + "'") + " (expected YYYY-MM-DD)")
    if required:
        rej.add(blank, name, f"{name} is empty")
    return out


#: :func:`parse_numbers` reads numbers exactly to six decimal places
NUMBER_SCALE = 1_000_000
#: :func:`parse_hours` reads hours exactly to 1/10,000 of an hour, then to the minute (half-up)
HOURS_SCALE = 10_000
COMMA_HINT = (" (a comma is a thousands separator only in thousands position, 1,234.50; a decimal comma "
              "needs decimal_comma = true in the column map)")
DECIMAL_COMMA_HINT = " (the column map says a comma is the decimal point, e.g. 1.234,50)"


def number_units(col: pd.Series, name: str, rej: Rejections, scale: int, *, lo=0.0, hi=None, decimal_comma: bool = False):
    """Number cells -> exact int64 units of ``1/scale``, the one number grammar of every input
    (:func:`peerpay.core.money.money_text_units`: thousands commas only in thousands position, a
    currency sign, accounting negatives ``(8.00)``; ``decimal_comma``: ``1.234,50``), read through
    each distinct text once. Cells that are not numbers, not finite, below ``lo`` or above ``hi``
    are rejected naming the column.

    Returns ``(units, status, codes)`` per *distinct* text (``units[codes]`` per row): status as
    money_text_units gives it (0 ok, 1 blank, 2-4 rejected).
    """
    from .money import money_text_units

    codes, found = text_codes(col)
    units, status = money_text_units(found, scale, decimal_comma)
    if (status == 2).any():  # the message only for the bad rows (building it for a million rows is slow)
        bad = np.flatnonzero((status == 2)[codes])
        shown = pd.Series(found.take(codes[bad]).to_pylist(), dtype=object).astype(str)
        if decimal_comma:  # every bad cell: the convention the map declared
            hint = np.full(len(shown), DECIMAL_COMMA_HINT, dtype=object)
        else:  # a comma out of place: the one likely reason
            hint = np.where(shown.str.contains(",", regex=False).to_numpy(dtype=bool), COMMA_HINT, "")
        rej.add(bad, name, "not a number '" + _clip(shown) + "'" + hint)
    ok = status == 0
    checks = [(status == 3, f"{name} is not a finite number"),
              (ok & (units < int(lo * scale)) if lo is not None else None, f"{name} must not be below {lo:g}" if lo is not None else ""),
              ((status == 4) | (ok & (units > int(hi * scale))) if hi is not None else status == 4,
               f"{name} is implausibly large (over {hi:,g})" if hi is not None else f"{name} is implausibly large")]
    for wrong, reason in checks:
        if wrong is not None and wrong.any():
            rej.add(wrong[codes], name, reason)
    return units, status, codes


def _clip(s: pd.Series, width: int = 40) -> np.ndarray:
    return s.where(s.str.len() <= width, s.str.slice(0, width) + "…").to_numpy(dtype=object)


def parse_numbers(col: pd.Series, name: str, rej: Rejections, *, lo=0.0, hi=None, integer=False, decimal_comma: bool = False) -> np.ndarray:
    """Numbers -> float64 (NaN where blank), read exactly by :func:`number_units` (to six places); bad ones rejected."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        x = col.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            fin = np.isfinite(x)
            rej.add(~np.isnan(x) & ~fin, name, f"{name} is not a finite number")
            if lo is not None:
                rej.add(fin & (x < lo), name, f"{name} must not be below {lo:g}")
            if hi is not None:
                rej.add(fin & (x > hi), name, f"{name} is implausibly large (over {hi:,g})")
            if integer:
                rej.add(fin & (x != np.round(x)), name, f"{name} must be a whole number")
        return np.where(fin, x, np.nan)
    units, status, codes = number_units(col, name, rej, NUMBER_SCALE, lo=lo, hi=hi, decimal_comma=decimal_comma)
    ok = status == 0
    if integer and (ok & (units % NUMBER_SCALE != 0)).any():
        rej.add((ok & (units % NUMBER_SCALE != 0))[codes], name, f"{name} must be a whole number")
    return np.where(ok, units / NUMBER_SCALE, np.nan)[codes]


def parse_hours(col: pd.Series, name: str, rej: Rejections, *, hi=None, decimal_comma: bool = False) -> np.ndarray:
    """Decimal hours (``8.50``, ``8,50`` with ``decimal_comma``) -> whole minutes, half-up, exactly
    (never through a float: 8.62 h is 517.2 min -> 517); -1 where blank, rejected, or negative."""
    units, status, codes = number_units(col, name, rej, HOURS_SCALE, lo=0, hi=hi, decimal_comma=decimal_comma)
    ok = (status == 0) & (units >= 0)
    minutes = (units * 60 + HOURS_SCALE // 2) // HOURS_SCALE
    return np.where(ok, minutes, -1)[codes]


def rates_to_units(x: np.ndarray) -> np.ndarray:
    """Dollar rates (float, NaN = none) -> int64 units of $0.0001 (-1 = none)."""
    ok = np.isfinite(x)
    out = np.full(len(x), -1, dtype="int64")
    out[ok] = rate_units_array(x[ok])
    return out


def require_columns(columns: list[str], needed: tuple[str, ...], source: str) -> None:
    from ..errors import InputError

    missing = [c for c in needed if c not in columns]
    if missing:
        raise InputError(
            f"{source}: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns) or 'none'})" + column_hint(missing, columns, ".xls" in source.lower())
        )


def column_hint(missing: list[str], columns: list[str], workbook: bool = False) -> str:
    """What a newcomer with an export in another layout should do: the closest names, then --map / init.

    Why here: every reader's "missing column" message ends the same way, so the advice is in one place.
    """
    import difflib

    lowered = {str(c).lower(): str(c) for c in columns}
    close = []
    for m in missing:
        match = difflib.get_close_matches(m, list(lowered), n=1, cutoff=0.5)
        if match:
            close.append(f"'{lowered[match[0]]}' for {m}")
    said = f"; closest: {', '.join(close)}" if close else ""
    sheet = "; if the first sheet is a cover page, name the data sheet with --sheet NAME" if workbook else ""
    return (f"{said}. Rename the columns, or read an export in another layout through a column map: --map map.toml "
            f"(`peerpay init` writes a starter; docs/exports.md){sheet}")


__all__ = ["Rejections", "blank_rows", "duplicate_of", "number_units", "parse_hours", "parse_datetimes", "parse_dates", "parse_numbers", "rates_to_units", "text", "text_codes", "RATE_SCALE", "MAX_RATE"]
