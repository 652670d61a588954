"""The four export layouts a column map reads (shifts, wide, punches, summary), each to a :class:`MappedTimesheet`.

:func:`peerpay.io.exports.apply_map` has already read what every layout shares (ids, pay codes,
exact duplicates, blank rows); here each layout makes its start and end times, and :func:`finish`
builds the canonical frame from the rows the map kept. See docs/exports.md for each layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from ..core.calendar import local_to_instants
from ..core.money import MINUTES_PER_DAY
from ..core.tables import Rejections, parse_hours, text
from ..errors import Problem
from .csvtext import canonical
from .map_times import MAX_HOURS_CELL, Moments, Where, hours_minutes, read_end, read_when, rej_as, _days
from .mapped import MappedTimesheet

if TYPE_CHECKING:
    from .exports import ColumnMap, Punches, Summary, When


@dataclass
class Export:
    """An export being read through its map: the working table (one row per record to read, with
    ``__row``, its export row, and for a wide export ``__n``, its group) and what the map read so far."""

    work: pd.DataFrame
    cmap: ColumnMap
    rej: Rejections
    emp: pd.Series
    kind: np.ndarray
    dropped: np.ndarray  # rows whose code is not hours worked (left out and counted)
    codes: pd.Series | None  # the pay code of each row, upper-cased (None: the map has no [codes])
    shown: dict[str, str]  # canonical column -> the name the map gives it (for messages)
    source: str
    sheet: str | None
    n_source: int  # export rows read (blank rows left out)
    timezone: str | None

    @property
    def where(self) -> Where:
        return Where(self.source, self.sheet, self.work["__row"].to_numpy())


def pattern_regex(pattern: str) -> re.Pattern:
    return re.compile("^" + re.escape(canonical(pattern)).replace(r"\{n\}", r"(\d+)") + "$")


def unpivot(raw: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Repeating column groups -> one row per non-blank group, in file order (row, then n).
    ``raw`` carries ``__row`` (each row's export row)."""
    found: dict[int, dict[str, str]] = {}
    matched: set[str] = set()
    for key, pattern in groups.items():
        rx = pattern_regex(pattern)
        for col in raw.columns:
            m = rx.match(col)
            if m:
                found.setdefault(int(m.group(1)), {})[canonical(key)] = col
                matched.add(col)
    base = [c for c in raw.columns if c not in matched and c not in {canonical(k) for k in groups}]
    parts = []
    for n in sorted(found):
        part = raw[base].copy()
        filled = np.zeros(len(raw), dtype=bool)
        for key in (canonical(k) for k in groups):
            col = found[n].get(key)
            values = raw[col] if col is not None else pd.Series([None] * len(raw), dtype=object)
            part[key] = values.to_numpy()
            filled |= (text(values) != "").to_numpy()
        part["__n"] = n
        parts.append(part[filled])
    if not parts:
        return raw[base].assign(__n=0).iloc[:0]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["__row", "__n"], kind="stable").reset_index(drop=True)


def kinds(work: pd.DataFrame, cmap: ColumnMap, rej: Rejections):
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


def line_hours(work: pd.DataFrame, cmap: ColumnMap) -> np.ndarray:
    """The export's own hours of each line, in minutes (-1: none): ``[codes] hours``, else ``[end] hours``
    (the hours of a dropped PTO line are counted from them when it has no clock times)."""
    column = (cmap.codes.hours if cmap.codes is not None else None) or (cmap.end.hours if cmap.end is not None else None)
    return hours_minutes(work, column, cmap.decimal_comma) if column else np.full(len(work), -1, dtype="int64")


def shifts(x: Export) -> MappedTimesheet:
    """One row per shift: a start and an end (date-time, date + time, a time on the start's date, or hours)."""
    cmap, where = x.cmap, x.where
    start_spec = cast("When", cmap.start)  # a shifts layout has a start and an end
    start = read_when(x.work, start_spec, cast(str, start_spec.column or start_spec.time), x.rej, x.timezone, where, "start")
    end = read_end(x.work, cmap, start, x.rej, x.timezone, where)
    elapsed = _elapsed(start, end, x.timezone)
    warnings = _amount_disagrees(x, elapsed)
    out = finish(x, start, end, np.maximum(elapsed, 0))
    out.warnings += warnings
    return out


def _elapsed(start: Moments, end: Moments, timezone: str | None) -> np.ndarray:
    """Real minutes from start to end (-1 where either is unknown or the end is not after the start)."""
    ok = (start.local >= 0) & (end.local >= 0)
    if timezone is None:
        s, e = start.local, end.local
    else:
        s = np.where(start.exact >= 0, start.exact, local_to_instants(np.where(ok, start.local, 0), timezone, strict=False))
        e = np.where(end.exact >= 0, end.exact, local_to_instants(np.where(ok, end.local, 0), timezone, strict=False))
    return np.where(ok & (e > s), e - s, -1)


def _amount_disagrees(x: Export, elapsed: np.ndarray) -> list[Problem]:
    """A time card line whose own hours (``[codes] hours``, e.g. Amount 8.00) differ from its clock
    times (In 08:00 to Out 16:30 is 8.50 h) by a minute or more: paid on the clock times, and warned
    about with the row. Why the clock times: they are the employer's record of the time worked; an
    automatic meal deduction (the usual cause) only counts where the meal break was really taken
    (29 CFR 785.19), which the time card does not show."""
    cmap = x.cmap
    start_spec, end_spec = cast("When", cmap.start), cast("When", cmap.end)
    column = cmap.codes.hours if cmap.codes is not None else None
    if not column or (end_spec.hours is not None and canonical(end_spec.hours) == canonical(column)):
        return []
    own = hours_minutes(x.work, column, cmap.decimal_comma)
    off = ~x.rej.mask() & ~x.dropped & (own >= 0) & (elapsed >= 0) & (np.abs(own - elapsed) >= 1)
    start_label = start_spec.time or start_spec.column
    end_label = end_spec.time or end_spec.column or end_spec.hours
    rows = x.work["__row"].to_numpy()
    return [Problem(x.source, int(rows[i]), column,
                    f"{column} says {own[i] / 60:,.2f} h but {start_label} to {end_label} is {elapsed[i] / 60:,.2f} h: paid on the "
                    "clock times (an automatic meal deduction counts only where the break was taken, 29 CFR 785.19; correct "
                    "the time card if it was)", x.sheet)
            for i in np.flatnonzero(off)]


def finish(x: Export, start: Moments, end: Moments, minutes_known: np.ndarray, *, work: pd.DataFrame | None = None,
           rej: Rejections | None = None, emp=None, kind=None, dropped=None, codes=None, records=None) -> MappedTimesheet:
    """Build the canonical frame from the rows the map kept; count drops; keep map rejections.

    The keyword arguments replace ``x``'s own when a layout made new rows (a punch pair, summary pieces)."""
    cmap = x.cmap
    work = x.work if work is None else work
    rej = x.rej if rej is None else rej
    emp = x.emp if emp is None else emp
    kind = x.kind if kind is None else kind
    dropped_mask = x.dropped if dropped is None else dropped
    codes = x.codes if codes is None else codes
    rows = work["__row"].to_numpy()
    bad = rej.mask() & ~dropped_mask
    keep = ~bad & ~dropped_mask
    frame = pd.DataFrame({
        "employee_id": emp.to_numpy()[keep],
        "start": _as_datetime(start.local[keep]),
        "end": _as_datetime(end.local[keep]),
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
        name = x.shown.get(col, col)
        if group_n is not None:
            name = name.replace("{n}", str(group_n[int(pos)]))
        problems.append(Problem(x.source, int(rows[int(pos)]), name, str(reason), x.sheet))
    dropped = {}
    if dropped_mask.any() and codes is not None:
        spec = cmap.codes
        assert spec is not None  # codes are read only through cmap.codes
        own = line_hours(work, cmap)
        minutes = np.where((minutes_known <= 0) & (own >= 0), own, minutes_known)  # the clock times, else the line's own hours
        spelled = text(work[canonical(spec.column)])
        d = pd.DataFrame({"code": codes.to_numpy()[dropped_mask], "as": spelled.to_numpy()[dropped_mask],
                          "minutes": np.maximum(minutes[dropped_mask], 0).astype("int64")})
        for _, g in d.groupby("code", sort=True):
            dropped[str(g["as"].iloc[0])] = {"rows": int(len(g)), "minutes": int(g["minutes"].sum())}
    columns = {"employee_id": cmap.columns.employee_id}
    for name in ("role", "rate", "kind"):
        if getattr(cmap.columns, name):
            columns[name] = getattr(cmap.columns, name)
    if cmap.codes:
        columns["kind"] = cmap.codes.column
    if cmap.start is not None and cmap.end is not None:
        columns["start"] = cast(str, cmap.start.column or cmap.start.time)
        columns["end"] = cast(str, cmap.end.column or cmap.end.time or cmap.end.hours)
    # a column made by [unpivot] is named in a problem by its export pattern ("Hours {n} Temp Rate"), so each
    # rejected shift points at its own export cell and the rejected list counts shifts, as the reconciliation does
    made = {canonical(k): pattern for k, pattern in (cmap.unpivot or {}).items()}
    columns = {k: made.get(canonical(v), v) for k, v in columns.items()}
    instants = None
    if (start.exact >= 0).any() or (end.exact >= 0).any():
        instants = {"start": start.exact[keep], "end": end.exact[keep]}
    measurable = bad & (minutes_known > 0)
    return MappedTimesheet(
        frame=frame,
        source=x.source,
        sheet=x.sheet,
        rows=rows[keep],
        columns=columns,
        problems=problems,
        map_name=cmap.name,
        layout=cmap.layout,
        source_rows_read=x.n_source,
        rejected_minutes=int(minutes_known[measurable].sum()),
        measured_map_rows=int(measurable.sum()),
        dropped=dropped,
        groups=group_n[keep] if group_n is not None else None,
        records=None if records is None else np.unique(records[keep], return_inverse=True)[1],
        instants=instants,
    )


def remap(rej: Rejections, new_pos: np.ndarray, n: int) -> Rejections:
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


def punches(x: Export) -> MappedTimesheet:
    """Pair each in-punch with the next out-punch of the same employee and pay code."""
    from .exports import When

    spec = cast("Punches", x.cmap.punches)
    work, rej, emp, kind, dropped_mask, codes = x.work, x.rej, x.emp, x.kind, x.dropped, x.codes
    col = canonical(spec.at)
    moments = read_when(work, When(column=spec.at, format=spec.format), spec.at, rej, x.timezone, x.where, "punches")
    at = moments.local
    # the order of punches is the order of their instants (an offset, or the policy's zone: 01:50 EDT before 01:10 EST)
    order_key = at if x.timezone is None else np.where(moments.exact >= 0, moments.exact,
                                                       local_to_instants(np.maximum(at, 0), x.timezone, strict=False))
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
    order = idx[np.lexsort((idx, order_key[idx], pd.factorize(lane[idx])[0], pd.factorize(emp.to_numpy()[idx])[0]))]
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
    consumed = np.zeros(n, dtype=bool)  # an out-punch consumed by the pair before it
    consumed[nxt[pair]] = True
    ins = order[pair]
    orphan_in = order[p_in & ~pair]
    orphan_out = np.setdiff1d(order[p_out], nxt[pair])
    rej.add(orphan_in, col, "punch in without a punch out after it (same employee and pay code)")
    rej.add(orphan_out, col, "punch out without a punch in before it (same employee and pay code)")
    same = ins[order_key[nxt[pair]] == order_key[ins]]
    rej.add(same, col, "punch out at the same minute as the punch in: a pair of no time")
    # records: one per pair (at the in-punch's row) + one per rejected punch; consumed outs vanish
    start, end = Moments.none(n), Moments.none(n)
    start.local[ins], end.local[ins] = at[ins], at[nxt[pair]]
    start.exact[ins], end.exact[ins] = moments.exact[ins], moments.exact[nxt[pair]]
    record = ~consumed
    real = np.zeros(n, dtype="int64")
    real[ins] = order_key[nxt[pair]] - order_key[ins]
    minutes = np.maximum(real, 0)
    if dropped_mask.any():  # a dropped code's hours, when its punches pair up
        dropped_pairs = _pair_minutes_for_dropped(emp, lane, order_key, dropped_mask & (at >= 0), is_in if spec.direction else None)
        minutes = np.where(dropped_mask, dropped_pairs, minutes)
        record &= ~(dropped_mask & (dropped_pairs < 0))
        minutes = np.maximum(minutes, 0)
    keep_rej = remap(rej, np.where(record, np.cumsum(record) - 1, -1), int(record.sum()))
    sub = lambda m: Moments(m.local[record], m.exact[record])
    out = finish(x, sub(start), sub(end), minutes[record], work=work[record].reset_index(drop=True), rej=keep_rej,
                 emp=emp[record].reset_index(drop=True), kind=np.asarray(kind, dtype=object)[record],
                 dropped=dropped_mask[record], codes=codes[record].reset_index(drop=True) if codes is not None else None)
    out.columns["start"] = spec.at
    out.columns["end"] = spec.at
    return out


def _pair_minutes_for_dropped(emp, lane, at, usable, is_in) -> np.ndarray:
    """Minutes of dropped-code punch pairs at the in-punch (the out-punch: -1, not a record)."""
    n = len(emp)
    out = np.zeros(n, dtype="int64")
    idx = np.flatnonzero(usable)
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


def summary(x: Export) -> MappedTimesheet:
    """Hours by code and period -> synthetic shifts laid end to end from the period's first day.

    Worked codes (work, call-back) share one lane and on-call another, so they never overlap;
    a lane's hours are cut into pieces of at most 24 h. The pieces carry no real clock times:
    that is why the rules that need them are switched off (:meth:`MappedTimesheet.adjust_policy`).
    Each line stays one record: read, paid or rejected whole, whatever its number of pieces.
    """
    spec, work, rej, where = cast("Summary", x.cmap.summary), x.work, x.rej, x.where
    n = len(work)
    bcol = canonical(spec.begin)
    begin = _days(work[bcol], spec.date_format, bcol, spec.begin, rej, "[summary] date_format", where)
    length = np.full(n, spec.days, dtype="int64")
    if spec.end:
        ecol = canonical(spec.end)
        last = _days(work[ecol], spec.date_format, ecol, spec.end, rej, "[summary] date_format", where)
        length = last - begin + 1
        rej.add((begin >= 0) & (last >= 0) & (length < 1), ecol, f"{spec.end} is before {spec.begin}")
    hcol = canonical(spec.hours)
    minutes = parse_hours(work[hcol], spec.hours, rej_as(rej, hcol), hi=MAX_HOURS_CELL, decimal_comma=x.cmap.decimal_comma)
    blank = (text(work[hcol]) == "").to_numpy(dtype=bool)
    rej.add(blank, hcol, f"{spec.hours} is empty")
    rej.add(minutes == 0, hcol, f"{spec.hours} is 0")
    minutes = np.maximum(minutes, 0)
    lane = np.where(np.asarray(x.kind, dtype=object) == "on_call", 1, 0)
    ok = ~rej.mask() & ~x.dropped
    # offset of each record within its (employee, period, lane), in file order
    key = pd.DataFrame({"e": x.emp.to_numpy(), "b": begin, "l": lane, "m": np.where(ok, minutes, 0)})
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
    start, end = Moments.none(len(rec)), Moments.none(len(rec))
    start.local[okr], end.local[okr] = s[okr], e_[okr]
    sub_rej = remap(rej, np.cumsum(pieces) - pieces, len(rec))  # a record's rejection sits on its first piece
    out = finish(x, start, end, np.where(okr, e_ - s, minutes[rec]), work=work.iloc[rec].reset_index(drop=True), rej=sub_rej,
                 emp=x.emp.iloc[rec].reset_index(drop=True), kind=np.asarray(x.kind, dtype=object)[rec],
                 dropped=x.dropped[rec] & (k == 0), codes=x.codes.iloc[rec].reset_index(drop=True) if x.codes is not None else None,
                 records=rec)
    out.columns["start"] = spec.begin
    out.columns["end"] = spec.hours
    valid = np.flatnonzero(ok)
    out.period_days = np.unique(np.stack([begin[valid], length[valid]], axis=1), axis=0) if len(valid) else np.zeros((0, 2), dtype="int64")
    return out
