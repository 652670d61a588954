"""Validation of input tables, vectorised: every bad cell becomes a rejection, never an exception.

Loaders hand over raw tables (canonical lower-case column names, one row per data row, row 1
being the first row under the header). Functions here parse and check columns with pandas and
collect rejections as arrays; :meth:`Rejections.problems` keeps one per row, naming the first
offending column in the file's column order (docs/formats.md §4).
"""

from __future__ import annotations

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
        rej.add(bad_shape, name, "not a date-time " + ("'" + _shown(col) + "'") + " (expected ISO 8601, e.g. 2025-03-07 23:00)")
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


def parse_numbers(col: pd.Series, name: str, rej: Rejections, *, lo=0.0, hi=None, integer=False) -> np.ndarray:
    """Numbers (``$`` and thousands commas allowed) -> float64, NaN where blank; bad ones rejected."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        x = col.to_numpy(dtype="float64", na_value=np.nan)
        blank = np.isnan(x)
        bad = np.zeros(len(x), dtype=bool)
    else:
        s = text(col).str.replace(r"[$,\s]", "", regex=True)
        blank = (s == "").to_numpy()
        x = pd.to_numeric(s.where(~blank, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~blank & np.isnan(x)
        rej.add(bad, name, "not a number " + ("'" + _shown(col) + "'"))
    with np.errstate(invalid="ignore"):
        inf = ~blank & ~bad & ~np.isfinite(x)
        rej.add(inf, name, f"{name} is not a finite number")
        fin = np.isfinite(x)
        if lo is not None:
            rej.add(fin & (x < lo), name, f"{name} must not be below {lo:g}")
        if hi is not None:
            rej.add(fin & (x > hi), name, f"{name} is implausibly large (over {hi:,g})")
        if integer:
            rej.add(fin & (x != np.round(x)), name, f"{name} must be a whole number")
    return np.where(np.isfinite(x), x, np.nan)


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


__all__ = ["Rejections", "blank_rows", "parse_datetimes", "parse_dates", "parse_numbers", "rates_to_units", "text", "text_codes", "RATE_SCALE", "MAX_RATE"]
