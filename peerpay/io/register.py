"""Reading a payroll register (what was paid) through an earnings map (:mod:`peerpay.io.earnings_map`).

A register is the payroll system's earnings-by-code export: one line per employee, pay period
(or workweek) and earning code, with hours, rate and amount. Every line is validated like any
input (docs/input-rules.md): a bad cell rejects that line as ``file:row:column: reason`` (for a
row holding several lines, e.g. ADP's ``Reg Earnings`` and ``Earnings 3 Amount``, the column is the
line's own), and an earning code the map does not know is never dropped silently: it rejects its
line, naming the code. Money is read exactly (:func:`peerpay.core.money.money_text_units`, to
the cent, half-up); hours to the minute.

The result is long and typed (one row per accepted line: employee, period, component, minutes,
cents); :mod:`peerpay.core.audit` compares it with what the policy owes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from ..core.engine import period_start_day
from ..core.money import MINUTES_PER_HOUR, RATE_SCALE, cents_half_up, money_text_units
from ..core.tables import Rejections, text_codes
from ..errors import InputError, Problem
from ..models.policy import Policy, _suggest
from .csvtext import canonical
from .earnings_map import N, EarningsMap, normal_code
from .readers import read_table

#: A pay period longer than this is a typo in a date, not a period.
MAX_PERIOD_DAYS = 62
MONEY_STATUS = {2: "not an amount", 3: "not a finite amount", 4: "implausibly large"}


@dataclass
class Register:
    """The paid lines of a register, validated.

    ``lines``: ``employee_id``, ``period_start``/``period_end`` (day numbers, 1970-01-01 = 0),
    ``component`` (``base``, ``differential:night``...), ``code`` (as the map lists it, upper
    case), ``minutes`` (hours paid, 0 when the line has none), ``has_hours``, ``cents``,
    ``full_rate`` (the code pays straight time + premium) and ``row`` (1-based row of the file).
    """

    lines: pd.DataFrame
    problems: list[Problem]
    source: str
    map_name: str
    rows_read: int
    lines_read: int
    periods: str  # "workweek", "pay period" or "given"
    ignored: dict[str, dict] = field(default_factory=dict)  # code -> {"lines", "minutes", "cents"}
    rejected_cents: int = 0  # the readable amounts of rejected lines

    def reconciliation(self) -> dict:
        """Lines in = used + ignored + rejected (rows are the file's data rows)."""
        ignored = sum(d["lines"] for d in self.ignored.values())
        rejected = self.lines_read - len(self.lines) - ignored
        return {"rows_read": self.rows_read, "lines_read": self.lines_read, "lines_used": int(len(self.lines)),
                "lines_ignored": int(ignored), "lines_rejected": int(rejected),
                "amount_used": int(self.lines["cents"].sum()) / 100 if len(self.lines) else 0.0,
                "amount_ignored": sum(d["cents"] for d in self.ignored.values()) / 100,
                "amount_rejected": self.rejected_cents / 100,
                "balanced": self.lines_read == len(self.lines) + ignored + rejected}


def read_register(path: str | Path, emap: EarningsMap, policy: Policy, sheet: str | None = None,
                  period: tuple[int, int] | None = None) -> Register:
    """Read and validate a register file. ``period`` (first and last day): the one pay period of a
    register without dates (a map without ``[period]``)."""
    raw = read_table(path, sheet)
    return register_from_table(raw, emap, policy, Path(path).name, sheet, period)


def register_from_table(raw: pd.DataFrame, emap: EarningsMap, policy: Policy, source: str, sheet: str | None = None,
                        period: tuple[int, int] | None = None) -> Register:
    """Pure: a raw table (canonical column names, as :func:`read_table` gives) -> :class:`Register`.

    Why distinct values: a year's register is a million lines holding a few thousand employee ids,
    codes, dates and tens of thousands of amounts. Each distinct text is checked once
    (:func:`peerpay.core.tables.text_codes`) and the verdicts read back through the codes.
    """
    if emap.period is None and period is None:
        raise InputError.at(source, "the earnings map has no [period] (the file is one pay period): give its dates "
                            "(audit --from FIRST_DAY --to LAST_DAY)")
    _check_columns(raw, emap, source)
    n = len(raw)
    emp_col = canonical(emap.columns.employee_id)
    emp_codes, emp_values = _coded(raw[emp_col])
    lines = _lines(raw, emap)
    if emap.export is not None and emap.export.control == "line" and len(lines.pos):  # peerpay's own control line: not pay
        lines = lines.keep((emp_values != emap.export.control_label)[emp_codes[lines.pos]])
    pos = lines.pos
    rej = _LineRejections(source, list(raw.columns), len(pos), sheet)
    emp_at = emp_codes[pos]  # per line: a code into the distinct ids (no million-string column anywhere)

    rej.add((emp_values == "")[emp_at], emp_col, f"{emap.columns.employee_id} is empty")
    rej.names[emp_col] = emap.columns.employee_id

    begin, end, kind = _periods(raw, emap, policy, rej, pos, period)

    # codes -> components, each distinct code once; an unknown code rejects its line, naming the code
    table = emap.codes.table()
    normal = np.array([normal_code(v) for v in lines.values["code"]], dtype=object)
    comp_of = np.array([table.get(v) for v in normal], dtype=object)
    code_at = lines.codes["code"]
    blank_code = (normal == "")[code_at]
    _add_by_column(rej, blank_code, lines, "code", lambda c: f"{c} is empty (the line has an amount or hours)")
    unknown = (pd.isna(comp_of) & (normal != ""))[code_at]
    if unknown.any():
        known = sorted({normal_code(c) for cs in emap.codes.by_component().values() for c in cs})
        reasons = np.array([f"earning code '{str(v)[:20]}' is not in the map's [codes] (list it under a pay component, "
                            f"or under ignore if it is not pay for hours){_suggest(str(v), known)}" for v in normal], dtype=object)
        _add_by_column(rej, unknown, lines, "code", reasons[code_at])

    # figures, exactly
    minutes, has_hours = _hours(lines, emap, rej)
    rate = _rate(lines, emap, rej)
    cents = _amounts(lines, emap, rej, minutes, has_hours, rate)

    bad = rej.mask()
    problems = _problems(rej, pos, source, sheet)
    code_names = pd.Index(pd.unique(normal), dtype=object)
    code_of = code_names.get_indexer(normal)  # distinct raw code -> its normalised code
    ignored_mask = ~bad & (comp_of == "ignore")[code_at]
    ignored: dict[str, dict] = {}
    if ignored_mask.any():
        d = pd.DataFrame({"code": code_of[code_at[ignored_mask]], "minutes": minutes[ignored_mask], "cents": cents[ignored_mask]})
        for code, g in d.groupby("code", sort=False):
            ignored[str(code_names[int(code)])] = {"lines": int(len(g)), "minutes": int(g["minutes"].sum()), "cents": int(g["cents"].sum())}
        ignored = dict(sorted(ignored.items()))
    keep = ~bad & ~ignored_mask
    # ids, components and codes as categories of their few distinct values
    comp_names = pd.Index(sorted({c for c in comp_of if c is not None and c != "ignore"}), dtype=object)
    kept_code = code_at[keep]
    kept_comp = comp_names.get_indexer(comp_of)[kept_code]
    out = pd.DataFrame({
        "employee_id": pd.Categorical.from_codes(emp_at[keep], categories=pd.Index(emp_values, dtype=object)),
        "period_start": begin[keep],
        "period_end": end[keep],
        "component": pd.Categorical.from_codes(kept_comp, categories=comp_names),
        "code": pd.Categorical.from_codes(code_of[kept_code], categories=code_names),
        "minutes": minutes[keep],
        "has_hours": has_hours[keep],
        "cents": cents[keep],
        "full_rate": np.isin(comp_names.to_numpy(dtype=object), list(emap.codes.full_rate))[kept_comp] if len(comp_names)
        else np.zeros(int(keep.sum()), dtype=bool),
        "row": pos[keep] + 1,
    })
    out, overlap, overlap_cents = _overlapping_periods(out, source, sheet, emap)
    problems = sorted(problems + overlap, key=lambda p: (p.row or 0, p.column or ""))
    rejected_cents = int(np.where(bad, cents, 0).sum()) + overlap_cents
    return Register(out.reset_index(drop=True), problems, source, emap.name, n, len(pos), kind, ignored, rejected_cents)


# ----------------------------------------------------------------------------- finding lines


ROLES = ("code", "hours", "amount", "rate")


def _coded(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct stripped texts as Python strings): ``values[codes]`` is the column's text."""
    codes, values = text_codes(col)
    return np.asarray(codes, dtype="int64"), np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


@dataclass
class _Lines:
    """Every earnings line of every row. Per line: ``pos`` (the row's position), and per role
    (code, hours, amount, rate) a code into that role's distinct ``values`` ('' = blank) and a code
    into ``names`` (the column the value sits in, as the map spells it)."""

    pos: np.ndarray
    codes: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    columns: dict[str, np.ndarray]
    names: list[str]

    def keep(self, mask: np.ndarray) -> _Lines:
        return _Lines(self.pos[mask], {k: v[mask] for k, v in self.codes.items()}, self.values,
                      {k: v[mask] for k, v in self.columns.items()}, self.names)

    def blank(self, role: str) -> np.ndarray:
        return self.values[role][self.codes[role]] == ""


def _pattern(p: str) -> re.Pattern:
    return re.compile("^" + re.escape(canonical(p)).replace(re.escape(N), r"(\d+)") + "$")


def _check_columns(raw: pd.DataFrame, emap: EarningsMap, source: str) -> None:
    have = set(raw.columns)
    wanted = [emap.columns.employee_id, *(emap.period.columns() if emap.period else [])]
    missing = [c for c in wanted if canonical(c) not in have]
    for e in emap.earnings:
        cols = e.columns()
        if e.repeating:
            if not any(_pattern(cols["code_column"]).match(c) for c in have):
                missing.append(cols["code_column"])
        else:
            missing += [v for v in cols.values() if canonical(v) not in have]
    if missing:
        lines = [f"column {m!r} named in the earnings map is not in the file{_suggest(canonical(m), have)}" for m in missing]
        raise InputError.at(source, "; ".join(lines) + f" (found: {', '.join(raw.columns) or 'none'})")


def _lines(raw: pd.DataFrame, emap: EarningsMap) -> _Lines:
    """Every earnings line of every row, by row and then in the map's order of sources (and n).

    A line exists where its code, hours or amount cell is filled (a fixed-code source: hours or
    amount). Each role's distinct texts are gathered in one table per role.
    """
    n = len(raw)
    tables: dict[str, list[np.ndarray]] = {r: [np.array([""], dtype=object)] for r in ROLES}  # value 0 is the blank
    sizes = {r: 1 for r in ROLES}
    names: list[str] = [""]
    parts: list[dict] = []
    for order, e in enumerate(emap.earnings):
        groups: list[tuple[int, dict[str, str]]] = []
        if e.repeating:
            rx = _pattern(e.columns()["code_column"])
            for k in sorted({int(m.group(1)) for c in raw.columns if (m := rx.match(c))}):
                groups.append((k, {role: p.replace(N, str(k)) for role, p in e.columns().items()}))
        else:
            groups.append((0, dict(e.columns())))
        for k, cols in groups:
            cols = {("code" if role == "code_column" else role): c for role, c in cols.items()}
            at: dict[str, np.ndarray] = {}
            blank = {}
            for role in ROLES:
                col = cols.get(role)
                if col is not None and canonical(col) in raw.columns:
                    codes, uniq = _coded(raw[canonical(col)])
                    at[role] = codes + sizes[role]
                    blank[role] = (uniq == "")[codes]
                    tables[role].append(uniq)
                    sizes[role] += len(uniq)
                elif role == "code" and e.code is not None:
                    tables[role].append(np.array([e.code], dtype=object))
                    at[role] = np.full(n, sizes[role], dtype="int64")
                    blank[role] = np.zeros(n, dtype=bool)
                    sizes[role] += 1
                else:
                    at[role] = np.zeros(n, dtype="int64")
                    blank[role] = np.ones(n, dtype=bool)
            filled = ~blank["hours"] | ~blank["amount"]
            if e.code is None:
                filled |= ~blank["code"]
            idx = np.flatnonzero(filled)
            if not len(idx):
                continue
            column_of = {}
            for role in ROLES:  # the column a line's value is in (for a fixed code: its amount's, else its hours')
                name = cols.get(role) or (cols.get("amount") or cols.get("hours") if role == "code" else None) or ""
                if name not in names:
                    names.append(name)
                column_of[role] = names.index(name)
            parts.append({"pos": idx, "order": np.full(len(idx), order * 10_000 + k),
                          **{f"v:{r}": at[r][idx] for r in ROLES}, **{f"c:{r}": np.full(len(idx), column_of[r]) for r in ROLES}})
    distinct = {r: np.concatenate(tables[r]) for r in ROLES}
    if not parts:
        empty = np.zeros(0, dtype="int64")
        return _Lines(empty, {r: empty for r in ROLES}, distinct, {r: empty for r in ROLES}, names)
    if len(parts) == 1:  # one line per row (the usual register): already in row order
        one = parts[0]
        return _Lines(one["pos"], {r: one[f"v:{r}"] for r in ROLES}, distinct, {r: one[f"c:{r}"] for r in ROLES}, names)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    by_row = np.lexsort((cat["order"], cat["pos"]))
    return _Lines(cat["pos"][by_row], {r: cat[f"v:{r}"][by_row] for r in ROLES}, distinct,
                  {r: cat[f"c:{r}"][by_row] for r in ROLES}, names)


class _LineRejections(Rejections):
    """Rejections of register lines, remembering each column's name as the file spells it."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.names: dict[str, str] = {}


def _add_by_column(rej: _LineRejections, mask: np.ndarray, lines: _Lines, role: str, reason) -> None:
    """Rejections whose column differs by line (each line names its own cell)."""
    if not mask.any():
        return
    columns = lines.columns[role]
    for c in np.unique(columns[mask]):
        name = lines.names[int(c)]
        m = mask & (columns == c)
        rej.add(m, canonical(name), reason(name) if callable(reason) else reason)
        rej.names[canonical(name)] = name


def _problems(rej: _LineRejections, pos: np.ndarray, source: str, sheet: str | None) -> list[Problem]:
    """One problem per rejected line, at the file's row and the line's own column; a row-wide
    problem (a bad date, a blank employee) once per row."""
    f = rej.frame()
    names = rej.names
    out, seen = [], set()
    for p, col, reason in zip(f["pos"].to_numpy(), f["column"].to_numpy(), f["reason"].to_numpy()):
        row = int(pos[int(p)]) + 1
        key = (row, col, reason)
        if key in seen:
            continue
        seen.add(key)
        out.append(Problem(source, row, names.get(col, col), str(reason), sheet))
    return out


# ---------------------------------------------------------------------------------- dates


def _dates(raw: pd.DataFrame, column: str, fmt: str, rej: _LineRejections, pos: np.ndarray) -> np.ndarray:
    """A date column -> day numbers per line (-1: bad, rejected). Each distinct text is parsed once;
    an ISO date (an XLSX date cell) is read whatever the format."""
    col = canonical(column)
    codes, uniques = _coded(raw[col])
    values = pd.Series(uniques, dtype=object)
    parsed = pd.to_datetime(values.where(values != "", None), format=fmt, errors="coerce")
    iso = pd.to_datetime(values.where(values.str.match(r"^\d{4}-\d{2}-\d{2}( 00:00(:00)?)?$"), None).str.slice(0, 10),
                         format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(iso)
    day = np.where(parsed.isna().to_numpy(), -1, parsed.to_numpy().astype("datetime64[D]").astype("int64"))
    at = codes[pos]
    out = day[at]
    blank = (uniques == "")[at]
    rej.add(blank, col, f"{column} is empty")
    bad = ~blank & (out < 0)
    if bad.any():
        reasons = np.array([f"not a date '{str(t)[:40]}' (expected {fmt})" for t in uniques], dtype=object)
        rej.add(bad, col, reasons[at])
    rej.names[col] = column
    return np.where(blank | bad, -1, out)


def _periods(raw, emap: EarningsMap, policy: Policy, rej: _LineRejections, pos: np.ndarray, given):
    """(begin, end) day numbers per line, and what the periods are."""
    spec = emap.period
    if spec is None:
        first, last = given
        return np.full(len(pos), first, dtype="int64"), np.full(len(pos), last, dtype="int64"), "given"
    if spec.week is not None:
        day = _dates(raw, spec.week, spec.date_format, rej, pos)
        ok = day >= 0
        begin = np.where(ok, period_start_day(np.where(ok, day, 0), policy), -1)
        length = policy.overtime.period_days if policy.overtime is not None else 7
        return begin, np.where(ok, begin + length - 1, -1), "workweek"
    begin = _dates(raw, cast(str, spec.begin), spec.date_format, rej, pos)  # a [period] without week has begin
    if spec.end is not None:
        end = _dates(raw, spec.end, spec.date_format, rej, pos)
        ok = (begin >= 0) & (end >= 0)
        ecol = canonical(spec.end)
        rej.add(ok & (end < begin), ecol, f"{spec.end} is before {spec.begin}")
        rej.add(ok & (end - begin + 1 > MAX_PERIOD_DAYS), ecol, f"a pay period longer than {MAX_PERIOD_DAYS} days (a typo in a date?)")
        rej.names[ecol] = spec.end
    else:
        end = np.where(begin >= 0, begin + int(spec.days or 7) - 1, -1)
    return begin, end, "pay period"


def _overlapping_periods(lines: pd.DataFrame, source: str, sheet: str | None, emap: EarningsMap):
    """Lines whose pay period overlaps another (different) pay period of the same employee are
    rejected: which period paid a day would be a guess. The same dates twice (an off-cycle check
    for the same period) are one period."""
    if not len(lines):
        return lines, [], 0
    emp = np.asarray(pd.Categorical(lines["employee_id"]).codes, dtype="int64")
    start = lines["period_start"].to_numpy(dtype="int64")
    end = lines["period_end"].to_numpy(dtype="int64")
    lo = int(min(start.min(), end.min()))
    span = int(max(start.max(), end.max())) - lo + 1
    # distinct (employee, start, end) as one integer key: sorted by employee, then start, then end
    key = (emp * span + (start - lo)) * span + (end - lo)
    per, line_per = np.unique(key, return_inverse=True)
    p_emp, p_start, p_end = per // (span * span), per // span % span + lo, per % span + lo
    first = np.r_[True, p_emp[1:] != p_emp[:-1]]
    # the latest end among the employee's earlier periods: a running maximum that restarts per employee
    group = np.cumsum(first)
    big = span + 2
    running = np.maximum.accumulate(p_end - lo + group * big) - group * big + lo
    prev_end = np.r_[lo - 1, running[:-1]]
    clash = ~first & (p_start <= prev_end)
    if not clash.any():
        return lines, [], 0
    hit = clash[line_per.reshape(-1)]
    column = (emap.period.begin or emap.period.week) if emap.period else None
    problems, seen = [], set()
    for r, b, e in zip(lines["row"].to_numpy()[hit], start[hit], end[hit]):
        if r in seen:
            continue
        seen.add(r)
        problems.append(Problem(source, int(r), column, f"pay period {np.datetime64(int(b), 'D')} to {np.datetime64(int(e), 'D')} "
                                "overlaps another pay period of this employee (a day can be paid in one period only)", sheet))
    return lines[~hit], problems, int(lines["cents"].to_numpy()[hit].sum())


# ---------------------------------------------------------------------------- money, hours


def _units(lines: _Lines, role: str, scale: int, emap: EarningsMap, rej: _LineRejections, label: str):
    """A figure -> exact units of 1/scale per line (0 where blank or bad), and which cells were blank.
    Each distinct text is parsed once."""
    values = lines.values[role]
    units, status = money_text_units(values, scale, decimal_comma=emap.decimal_comma)
    at = lines.codes[role]
    line_status = status[at]
    for code, words in MONEY_STATUS.items():
        bad = line_status == code
        if bad.any():
            reasons = np.array([f"{words}: '{str(v)[:40]}' ({label})" for v in values], dtype=object)
            _add_by_column(rej, bad, lines, role, reasons[at])
    return np.where(line_status == 0, units[at], 0), line_status == 1


def _hours(lines: _Lines, emap: EarningsMap, rej: _LineRejections):
    units, blank = _units(lines, "hours", RATE_SCALE, emap, rej, "hours, e.g. 8.50")
    # hours to the minute, half-up: 2-decimal hours always come back to their own minute
    minutes = np.asarray(cents_half_up(units * MINUTES_PER_HOUR, RATE_SCALE), dtype="int64") if len(units) else units
    return minutes, ~blank


def _rate(lines: _Lines, emap: EarningsMap, rej: _LineRejections) -> np.ndarray:
    units, blank = _units(lines, "rate", RATE_SCALE, emap, rej, "dollars per hour")
    return np.where(blank, -1, units)


def _amounts(lines: _Lines, emap: EarningsMap, rej: _LineRejections, minutes, has_hours, rate) -> np.ndarray:
    """Cents per line. A blank amount with hours and a rate is hours x rate (half-up to the cent: the
    system priced the hours); a line with neither an amount nor hours x rate is rejected."""
    cents, blank = _units(lines, "amount", 100, emap, rej, "dollars, e.g. 1,234.50")
    priced = blank & has_hours & (rate >= 0)
    if priced.any():
        # minutes x rate units / 60 / 100 per cent: rate units are 1/10000 dollar
        cents = np.where(priced, cents_half_up(minutes * np.maximum(rate, 0), MINUTES_PER_HOUR * RATE_SCALE // 100), cents)
    missing = blank & ~priced
    has_amount_column = np.array([bool(lines.names[int(c)]) for c in range(len(lines.names))])[lines.columns["amount"]] \
        if len(lines.pos) else np.zeros(0, dtype=bool)
    _add_by_column(rej, missing & has_amount_column, lines, "amount", lambda c: f"{c} is empty")
    _add_by_column(rej, missing & ~has_amount_column, lines, "hours", "no amount: a register line must say what was paid "
                   "(an amount, or hours and a rate)")
    return np.where(missing, 0, cents)


__all__ = ["Register", "read_register", "register_from_table", "MAX_PERIOD_DAYS"]
