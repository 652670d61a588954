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
from ..core.tables import Rejections, text
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
    """Pure: a raw table (canonical column names, as :func:`read_table` gives) -> :class:`Register`."""
    if emap.period is None and period is None:
        raise InputError.at(source, "the earnings map has no [period] (the file is one pay period): give its dates "
                            "(audit --from FIRST_DAY --to LAST_DAY)")
    _check_columns(raw, emap, source)
    n = len(raw)
    lines = _lines(raw, emap)
    if emap.export is not None and emap.export.control == "line" and len(lines):  # peerpay's own control line: not pay
        label = text(raw[canonical(emap.columns.employee_id)]).to_numpy(dtype=object)[lines["pos"].to_numpy()]
        lines = lines[label != emap.export.control_label].reset_index(drop=True)
    rej = _LineRejections(source, list(raw.columns), len(lines), sheet)
    pos = lines["pos"].to_numpy()

    emp_col = canonical(emap.columns.employee_id)
    emp = text(raw[emp_col]).to_numpy(dtype=object)[pos]
    rej.add(emp == "", emp_col, f"{emap.columns.employee_id} is empty")
    rej.names[emp_col] = emap.columns.employee_id

    begin, end, kind = _periods(raw, emap, policy, rej, pos, period)

    # codes -> components; an unknown code rejects its line, naming the code
    table = emap.codes.table()
    spelled = lines["code"].to_numpy(dtype=object)
    codes = pd.Series(spelled).str.strip().str.upper()
    component = codes.map(table).to_numpy(dtype=object)
    blank_code = (codes == "").to_numpy()
    code_col = lines["code_column"].to_numpy(dtype=object)
    _add_by_column(rej, blank_code, code_col, lambda c: f"{c} is empty (the line has an amount or hours)")
    unknown = ~blank_code & pd.isna(component)
    if unknown.any():
        known = sorted({normal_code(c) for cs in emap.codes.by_component().values() for c in cs})
        reasons = np.array([f"earning code '{str(c)[:20]}' is not in the map's [codes] (list it under a pay component, "
                            f"or under ignore if it is not pay for hours){_suggest(str(c), known)}"
                            for c in codes.to_numpy(dtype=object)], dtype=object)
        _add_by_column(rej, unknown, code_col, reasons)

    # figures, exactly
    minutes, has_hours = _hours(lines, emap, rej)
    rate = _rate(lines, emap, rej)
    cents = _amounts(lines, emap, rej, minutes, has_hours, rate)

    bad = rej.mask()
    problems = _problems(rej, lines, source, sheet)
    ignored_mask = ~bad & (component == "ignore")
    ignored: dict[str, dict] = {}
    if ignored_mask.any():
        d = pd.DataFrame({"code": codes.to_numpy()[ignored_mask], "minutes": minutes[ignored_mask], "cents": cents[ignored_mask]})
        for code, g in d.groupby("code", sort=True):
            ignored[str(code)] = {"lines": int(len(g)), "minutes": int(g["minutes"].sum()), "cents": int(g["cents"].sum())}
    keep = ~bad & ~ignored_mask
    out = pd.DataFrame({
        "employee_id": emp[keep],
        "period_start": begin[keep],
        "period_end": end[keep],
        "component": component[keep].astype(object),
        "code": codes.to_numpy(dtype=object)[keep],
        "minutes": minutes[keep],
        "has_hours": has_hours[keep],
        "cents": cents[keep],
        "full_rate": np.isin(component[keep].astype(object), list(emap.codes.full_rate)),
        "row": pos[keep] + 1,
    })
    out, overlap, overlap_cents = _overlapping_periods(out, source, sheet, emap)
    problems = sorted(problems + overlap, key=lambda p: (p.row or 0, p.column or ""))
    rejected_cents = int(np.where(bad, cents, 0).sum()) + overlap_cents
    return Register(out.reset_index(drop=True), problems, source, emap.name, n, len(lines), kind, ignored, rejected_cents)


# ----------------------------------------------------------------------------- finding lines


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


def _lines(raw: pd.DataFrame, emap: EarningsMap) -> pd.DataFrame:
    """Every earnings line of every row: the row's position, the texts, and each figure's column name.

    A line exists where its code, hours or amount cell is filled (a fixed-code source: hours or
    amount). Lines come out by row, then in the map's order of sources (and n).
    """
    n = len(raw)
    parts = []
    blank = pd.Series([""] * n, dtype=object)
    for order, e in enumerate(emap.earnings):
        groups: list[tuple[int, dict[str, str]]] = []
        if e.repeating:
            rx = _pattern(e.columns()["code_column"])
            ns = sorted({int(m.group(1)) for c in raw.columns if (m := rx.match(c))})
            for k in ns:
                groups.append((k, {role: p.replace(N, str(k)) for role, p in e.columns().items()}))
        else:
            groups.append((0, dict(e.columns())))
        for k, cols in groups:
            cell = {role: (text(raw[canonical(c)]) if canonical(c) in raw.columns else blank) for role, c in cols.items()}
            code = cell["code_column"] if "code_column" in cell else pd.Series([e.code] * n, dtype=object)
            filled = np.zeros(n, dtype=bool)
            for role in ("code_column", "hours", "amount"):
                if role in cell:
                    filled |= (cell[role] != "").to_numpy()
            idx = np.flatnonzero(filled)
            if not len(idx):
                continue
            parts.append(pd.DataFrame({
                "pos": idx, "order": order * 10_000 + k,
                "code": code.to_numpy(dtype=object)[idx],
                "hours": (cell["hours"] if "hours" in cell else blank).to_numpy(dtype=object)[idx],
                "amount": (cell["amount"] if "amount" in cell else blank).to_numpy(dtype=object)[idx],
                "rate": (cell["rate"] if "rate" in cell else blank).to_numpy(dtype=object)[idx],
                "code_column": cols.get("code_column", cols.get("amount", cols.get("hours"))),
                "hours_column": cols.get("hours"), "amount_column": cols.get("amount"), "rate_column": cols.get("rate"),
            }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ("code", "hours", "amount", "rate", "code_column", "hours_column",
                                                                    "amount_column", "rate_column")}).assign(
            pos=pd.Series(dtype="int64"), order=pd.Series(dtype="int64"))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["pos", "order"], kind="stable").reset_index(drop=True)


class _LineRejections(Rejections):
    """Rejections of register lines, remembering each column's name as the file spells it."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.names: dict[str, str] = {}


def _add_by_column(rej: _LineRejections, mask: np.ndarray, columns: np.ndarray, reason) -> None:
    """Rejections whose column differs by line (each line names its own cell)."""
    if not mask.any():
        return
    for col in pd.unique(columns[mask]):
        m = mask & (columns == col)
        rej.add(m, canonical(col), reason(col) if callable(reason) else reason)
        rej.names[canonical(col)] = col


def _problems(rej: _LineRejections, lines: pd.DataFrame, source: str, sheet: str | None) -> list[Problem]:
    """One problem per rejected line, at the file's row and the line's own column; a row-wide
    problem (a bad date, a blank employee) once per row."""
    f = rej.frame()
    names = rej.names
    out, seen = [], set()
    for p, col, reason in zip(f["pos"].to_numpy(), f["column"].to_numpy(), f["reason"].to_numpy()):
        row = int(lines["pos"].iat[int(p)]) + 1
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
    codes, uniques = pd.factorize(text(raw[col]).to_numpy(dtype=object)[pos])
    values = pd.Series(uniques, dtype=object)
    parsed = pd.to_datetime(values.where(values != "", None), format=fmt, errors="coerce")
    iso = pd.to_datetime(values.where(values.str.match(r"^\d{4}-\d{2}-\d{2}( 00:00(:00)?)?$"), None).str.slice(0, 10),
                         format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(iso)
    day = parsed.to_numpy().astype("datetime64[D]").astype("int64")
    day = np.where(parsed.isna().to_numpy(), -1, day)
    out = day[codes] if len(codes) else np.zeros(0, dtype="int64")
    texts = values.to_numpy(dtype=object)[codes] if len(codes) else np.zeros(0, dtype=object)
    blank = texts == ""
    rej.add(blank, col, f"{column} is empty")
    bad = ~blank & (out < 0)
    if bad.any():
        rej.add(bad, col, np.array([f"not a date '{str(t)[:40]}' (expected {fmt})" for t in texts], dtype=object))
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
    per = lines[["employee_id", "period_start", "period_end"]].drop_duplicates().sort_values(
        ["employee_id", "period_start", "period_end"], kind="stable")
    prev_end = per.groupby("employee_id", sort=False)["period_end"].transform(lambda s: s.cummax().shift(1))
    clash = per[prev_end.notna().to_numpy() & (per["period_start"].to_numpy() <= prev_end.fillna(-1).to_numpy())]
    if not len(clash):
        return lines, [], 0
    key = ["employee_id", "period_start", "period_end"]
    hit = lines.merge(clash.assign(_clash=True), on=key, how="left")["_clash"].fillna(False).to_numpy(dtype=bool)
    column = (emap.period.begin or emap.period.week) if emap.period else None
    problems = [Problem(source, int(r), column, f"pay period {np.datetime64(int(b), 'D')} to {np.datetime64(int(e), 'D')} overlaps "
                        "another pay period of this employee (a day can be paid in one period only)", sheet)
                for r, b, e in zip(lines["row"].to_numpy()[hit], lines["period_start"].to_numpy()[hit], lines["period_end"].to_numpy()[hit])]
    seen, unique = set(), []
    for p in problems:
        if p.row not in seen:
            seen.add(p.row)
            unique.append(p)
    return lines[~hit], unique, int(lines["cents"].to_numpy()[hit].sum())


# ---------------------------------------------------------------------------- money, hours


def _units(lines: pd.DataFrame, role: str, scale: int, emap: EarningsMap, rej: _LineRejections, label: str):
    """A figure column -> exact units of 1/scale (0 where blank or bad), and which cells were blank."""
    values = lines[role].to_numpy(dtype=object)
    units, status = money_text_units(values, scale, decimal_comma=emap.decimal_comma)
    columns = lines[f"{role}_column"].to_numpy(dtype=object)
    for code, words in MONEY_STATUS.items():
        bad = status == code
        if bad.any():
            _add_by_column(rej, bad, columns, np.array([f"{words}: '{str(v)[:40]}' ({label})" for v in values], dtype=object))
    return np.where(status == 0, units, 0), status == 1


def _hours(lines: pd.DataFrame, emap: EarningsMap, rej: _LineRejections):
    units, blank = _units(lines, "hours", RATE_SCALE, emap, rej, "hours, e.g. 8.50")
    # hours to the minute, half-up: 2-decimal hours always come back to their own minute
    minutes = cents_half_up(units * MINUTES_PER_HOUR, RATE_SCALE).astype("int64") if len(units) else units
    return minutes, ~blank


def _rate(lines: pd.DataFrame, emap: EarningsMap, rej: _LineRejections) -> np.ndarray:
    units, blank = _units(lines, "rate", RATE_SCALE, emap, rej, "dollars per hour")
    return np.where(blank, -1, units)


def _amounts(lines, emap: EarningsMap, rej: _LineRejections, minutes, has_hours, rate) -> np.ndarray:
    """Cents per line. A blank amount with hours and a rate is hours x rate (half-up to the cent: the
    system priced the hours); a line with neither an amount nor hours x rate is rejected."""
    cents, blank = _units(lines, "amount", 100, emap, rej, "dollars, e.g. 1,234.50")
    priced = blank & has_hours & (rate >= 0)
    if priced.any():
        # minutes x rate units / 60 / 100 per cent: rate units are 1/10000 dollar
        cents = np.where(priced, cents_half_up(minutes * np.maximum(rate, 0), MINUTES_PER_HOUR * RATE_SCALE // 100), cents)
    missing = blank & ~priced
    column = np.where(pd.isna(lines["amount_column"].to_numpy(dtype=object)), lines["hours_column"].to_numpy(dtype=object),
                      lines["amount_column"].to_numpy(dtype=object))
    _add_by_column(rej, missing, column, lambda c: "no amount: a register line must say what was paid (an amount, or hours "
                   "and a rate)" if c not in set(lines["amount_column"].dropna()) else f"{c} is empty")
    return np.where(missing, 0, cents)


__all__ = ["Register", "read_register", "register_from_table", "MAX_PERIOD_DAYS"]
