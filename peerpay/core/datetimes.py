"""``start`` and ``end`` cells as local wall-clock minutes (and, where a cell names an instant, that instant).

One reading for every engine and every input path (the plain timesheet, a column map's frame):
each distinct text is read once and the verdict read back through the codes. Well-formed
``YYYY-MM-DD HH:MM[:SS]`` cells, all of a clean file, are parsed by pyarrow in one pass; the rest
get a reason each: no time of day, no date, seconds, no such date, a date written day or month
first (:func:`~peerpay.core.tables.not_a_datetime`), or a UTC offset (:func:`offset_datetimes`:
an instant, read on the policy's wall clock).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from .money import MINUTES_PER_DAY
from .tables import Rejections, parse_datetimes, text, text_codes

DATE_ONLY = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
TIME_ONLY = r"^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$"


def _through_codes(rej: Rejections, found: Rejections, codes: np.ndarray, column: str) -> None:
    """Rejections of distinct values (``found``, one row per value) -> rejections of the rows
    holding them (``codes``), with the same reasons."""
    f = found.frame()
    if not len(f):
        return
    reason = np.full(found.n_rows, None, dtype=object)
    reason[f["pos"].to_numpy(dtype="int64")] = f["reason"].to_numpy(dtype=object)
    rows = np.flatnonzero(pd.notna(reason)[codes])
    rej.add(rows, column, reason[codes[rows]])


FAST_DATETIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$"


#: an ISO 8601 date-time with a UTC offset (``2025-03-07T23:00:00-05:00``, ``…Z``): an instant, not a wall-clock time
ISO_OFFSET = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"


def read_datetimes(col: pd.Series, name: str, rej: Rejections, window, timezone: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``start``/``end`` cells -> ``(local, exact)``: local minutes since epoch (-1 = rejected) and,
    for a cell that names an instant (an ISO 8601 time with a UTC offset), that instant in UTC
    minutes (else -1; None when no cell does, the usual file), vectorised.

    Each distinct text is read once (a million shifts start at some tens of thousands of
    times) and the answer is read back through the codes. Every engine calls this.
    """
    if pd.api.types.is_datetime64_any_dtype(col):
        return parse_datetimes(col, name, rej, window), None
    codes, found = text_codes(col)
    per_value = Rejections(rej.source, [name], len(found), rej.sheet)
    minutes, exact = _datetime_texts(found, name, per_value, window, timezone)
    _through_codes(rej, per_value, codes, name)
    return minutes[codes], (exact[codes] if (exact >= 0).any() else None)


def offset_datetimes(texts: pd.Series, fmt: str | None, name: str, rej: Rejections, window, timezone: str | None,
                     label: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Date-times that carry a UTC offset -> ``(local, exact)`` minutes (-1 = rejected).

    The one rule for offsets, in the plain timesheet and a column map's ``%z`` alike: a time with an
    offset names an instant; it is paid as that instant (``exact``), on the calendar of the policy's
    ``timezone`` (``local``: the wall clock there, for workdays, workweeks and differential windows),
    so a file whose offsets change at a DST change (-04:00, then -05:00) is read exactly. Without a
    policy timezone there is no wall clock to read it on: the row is rejected, naming the fix.
    ``fmt``: the strptime format (None: ISO 8601). ``label``: the column as the file names it.
    """
    from .calendar import instants_to_local

    label = label or name
    n = len(texts)
    local = np.full(n, -1, dtype="int64")
    exact = np.full(n, -1, dtype="int64")
    filled = (texts != "").to_numpy(dtype=bool)
    if not filled.any():
        return local, exact
    parsed = pd.to_datetime(texts.where(filled, None), format=fmt or "ISO8601", utc=True, errors="coerce")
    ts = parsed.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    ok = ~np.isnat(ts)
    rej.add(filled & ~ok, name, ("no such date or time '" if fmt is None else "not a date-time '") + _shown_text(texts)
            + ("'" if fmt is None else f"' (expected {fmt})"))
    if timezone is None:
        rej.add(ok, name, f"{label} has a UTC offset '" + _shown_text(texts) + "': it names an instant, which is read on the "
                "wall clock of the policy's timezone; set timezone (e.g. timezone = \"America/New_York\") in the policy")
        return local, exact
    secs = ts.astype("int64")
    rej.add(ok & (secs % 60 != 0), name, f"{label} has seconds: times are counted to the whole minute")
    ok &= secs % 60 == 0
    at = np.where(ok, secs // 60, 0)
    wall = np.asarray(instants_to_local(at, timezone), dtype="int64")
    if window is not None:
        lo, hi = (np.datetime64(d, "D").astype("int64") * MINUTES_PER_DAY for d in window)
        outside = ok & ((wall < lo) | (wall >= hi + MINUTES_PER_DAY))
        rej.add(outside, name, f"{label} is outside the accepted dates {window[0]} to {window[1]} "
                "(a typo? [input] earliest_date / latest_date in the policy set them)")
        ok &= ~outside
    local[ok], exact[ok] = wall[ok], at[ok]
    return local, exact


def _datetime_texts(arr, name: str, rej: Rejections, window, timezone: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Stripped date-time texts (a pyarrow string array) -> ``(local, exact)`` minutes (-1 = rejected / none).

    Well-formed ``YYYY-MM-DD HH:MM[:SS]`` cells (all of a clean file) are parsed by pyarrow in
    one pass; only the others go through the slower checks that name what is wrong with them
    (no time of day, no date, not a date-time, no such date) or read their UTC offset.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    shaped = pc.fill_null(pc.match_substring_regex(arr, FAST_DATETIME), False)
    shaped_np = shaped.to_numpy(zero_copy_only=False)
    # one strptime pass for the usual shape; the other three shapes only for the rows it missed
    ts = _strptime(arr, "%Y-%m-%d %H:%M")
    again = np.flatnonzero(shaped_np & np.isnat(ts))
    if len(again):
        sub, parsed = arr.take(pa.array(again)), None
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            p = pc.strptime(sub, format=fmt, unit="s", error_is_null=True)
            parsed = p if parsed is None else pc.coalesce(parsed, p)
        ts[again] = cast(Any, parsed).to_numpy(zero_copy_only=False).astype("datetime64[s]")
    # pyarrow's strptime rolls 2025-02-30 over to 03-02: a parse counts only if the day is kept
    written_day = pc.cast(pc.fill_null(pc.utf8_slice_codeunits(
        pc.if_else(shaped, arr, pa.scalar("0000-00-00")), 8, 10), "00"), pa.int64()).to_numpy(zero_copy_only=False)
    parsed_day = np.where(np.isnat(ts), -1, (ts.astype("datetime64[D]") - ts.astype("datetime64[M]")).astype("int64") + 1)
    fast = shaped_np & (written_day == parsed_day) | pc.equal(arr, "").to_numpy(zero_copy_only=False)
    out = np.full(len(arr), -1, dtype="int64")
    exact = np.full(len(arr), -1, dtype="int64")
    for idx, slow in ((np.flatnonzero(fast), False), (np.flatnonzero(~fast), True)):
        if not len(idx):
            continue
        sub = Rejections(rej.source, [name], len(idx), rej.sheet)
        if slow:
            part = pd.Series(arr.take(pa.array(idx)).to_pylist(), dtype=object)
            offset = text(part).str.match(ISO_OFFSET).to_numpy(dtype=bool)
            if offset.any():  # an instant: read on the policy's wall clock
                local, at = offset_datetimes(text(part)[offset].reset_index(drop=True), None, name,
                                             sub_offset := Rejections(rej.source, [name], int(offset.sum()), rej.sheet), window, timezone)
                out[idx[offset]], exact[idx[offset]] = local, at
                f = sub_offset.frame()
                if len(f):
                    rej.add(idx[offset][f["pos"].to_numpy(dtype="int64")], name, f["reason"].to_numpy(dtype=object))
                idx, part = idx[~offset], part[~offset].reset_index(drop=True)
                sub = Rejections(rej.source, [name], len(idx), rej.sheet)
                if not len(idx):
                    continue
            _reject_partial_datetimes(part, name, sub)
        else:
            part = pd.Series(ts[idx])
        out[idx] = parse_datetimes(part, name, sub, window)
        f = sub.frame()
        if len(f):
            rej.add(idx[f["pos"].to_numpy(dtype="int64")], name, f["reason"].to_numpy(dtype=object))
    return out, exact


def _strptime(arr, fmt: str) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.strptime(arr, format=fmt, unit="s", error_is_null=True).to_numpy(zero_copy_only=False).astype("datetime64[s]")


def _shown_text(s: pd.Series, width: int = 40) -> np.ndarray:
    s = s.astype(str)
    return s.where(s.str.len() <= width, s.str.slice(0, width) + "…").to_numpy(dtype=object)


def _reject_partial_datetimes(col: pd.Series, name: str, rej: Rejections) -> None:
    """A date with no time ('2025-03-06', a date-only XLSX cell) or a time with no date (a
    time-only cell): a rejected row with the reason, never a 24-hour shift or a traceback."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return
    s = text(col).astype("string")
    rej.add(s.str.match(DATE_ONLY).fillna(False).to_numpy(dtype=bool), name,
            f"{name} has no time of day '" + _shown_text(text(col)) + "' (expected a date and a time, e.g. 2025-03-07 23:00)")
    rej.add(s.str.match(TIME_ONLY).fillna(False).to_numpy(dtype=bool), name,
            f"{name} has no date '" + _shown_text(text(col)) + "' (a time-only cell? expected a date and a time)")
