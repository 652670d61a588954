"""Timesheet, roster and wage schedule: raw tables -> validated frames + rejections.

``prepare_*`` functions are pure: they take the raw table a loader read (canonical column
names, row 1 = first data row) and return the usable rows plus a list of
:class:`~peerpay.errors.Problem`. A rejected row contributes nothing else (docs/formats.md §4).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP
from typing import cast

import numpy as np
import pandas as pd

from ..errors import Problem
from .money import HOURS_PER_FTE_YEAR, MINUTES_PER_DAY, RATE_SCALE, to_decimal
from ..models.policy import Policy
from .calendar import local_to_instants
from .engine import KINDS, sorted_codes
from .ids import clean_ids, mangled_ids
from .out_of_class import DUTY_COLUMN, DUTY_RATE, DUTY_ROLE, OUT_OF_CLASS, apply_out_of_class, duty_rates
from . import threads
from .datetimes import read_datetimes
from .tables import (
    MAX_RATE,
    Rejections,
    blank_rows,
    number_units,
    parse_dates,
    parse_numbers,
    require_columns,
    text,
    text_codes,
)

MAX_SHIFT_MINUTES = MINUTES_PER_DAY
def normalise_ids(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Ids and role keys as one employee/role is meant (:mod:`peerpay.core.ids`): ``(text, changed)``.

    ``changed`` marks the cells that this changed beyond trimming spaces (for a count in
    ``validate``; the ids themselves are never printed).
    """
    codes, ids, changed = id_codes(col)
    return pd.Series(ids[codes], index=col.index, dtype=object), changed


def id_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`normalise_ids` as ``(codes, ids, changed)``: ``ids[codes]`` is the normalised text.

    Each distinct text is cleaned once (:func:`~peerpay.core.tables.text_codes`), and only the
    unusual ones (non-ASCII or control characters, a handful) go through Python. ``ids`` holds
    each id once: cleaning can make two texts one id (``E1`` and ``E1\\u200b``).
    """
    codes, found = text_codes(col)
    ids, changed = clean_ids(found)
    merged, ids = pd.factorize(ids)
    return merged[codes], np.asarray(ids, dtype=object), changed[codes]


def _ids_note(changed: np.ndarray, what: str) -> list[str]:
    n = int(changed.sum())
    return [f"{n} {what} value(s) were normalised (invisible or control characters removed, full-width "
            "characters folded): they are matched as the plain id"] if n else []


def parse_money(col: pd.Series, name: str, rej: Rejections, hi: float, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Money cells -> exact int64 units of $0.0001 (-1 = blank), and the cells that are 0 or -0.

    Parsed from the digits (:func:`~peerpay.core.tables.number_units`), never through a float.
    """
    units, status, codes = number_units(col, name, rej, RATE_SCALE, lo=0, hi=hi, decimal_comma=decimal_comma)
    ok = status == 0
    return np.where(ok, units, -1)[codes], (ok & (units == 0))[codes]


def prepare_roster(raw: pd.DataFrame, source: str, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Roster: one row per employee (``employee_id``, ``role``, ``step``; optional ``fte``, ...)."""
    cols = list(raw.columns)
    require_columns(cols, ("employee_id", "role", "step"), source)
    rej = Rejections(source, cols, len(raw), sheet)
    emp, emp_changed = normalise_ids(raw["employee_id"])
    role, role_changed = normalise_ids(raw["role"])
    rej.skip(blank_rows(raw, np.flatnonzero((emp == "").to_numpy())))
    rej.add((emp == "").to_numpy(), "employee_id", "employee_id is empty")
    dup = emp.duplicated(keep="first").to_numpy() & (emp != "").to_numpy()
    rej.add(dup, "employee_id", "employee_id appears earlier in the roster")
    rej.add((role == "").to_numpy(), "role", "role is empty")
    step = parse_numbers(raw["step"], "step", rej, lo=0, hi=1000, integer=True)
    rej.add(np.isnan(step) & ~rej.mask(), "step", "step is empty")
    out = pd.DataFrame({"employee_id": emp, "role": role, "step": np.nan_to_num(step).astype("int64")})
    if "fte" in cols:
        fte = parse_numbers(raw["fte"], "fte", rej, lo=0, hi=2)
        out["fte"] = fte
    if "hire_date" in cols:
        out["hire_date"] = parse_dates(raw["hire_date"], "hire_date", rej)
    for c in cols:
        if c not in out.columns:
            out[c] = _numbers_if_all_numbers(raw[c])
    out["row"] = np.arange(1, len(raw) + 1)
    keep = ~rej.mask()
    out = out[keep].reset_index(drop=True)
    out.attrs["notes"] = _ids_note(emp_changed, "employee_id") + _ids_note(role_changed, "role")
    return out, rej.problems()


def prepare_schedule(raw: pd.DataFrame, source: str, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Wage schedule: one row per role, step (and effective date) with an hourly or annual rate."""
    cols = list(raw.columns)
    require_columns(cols, ("role", "step"), source)
    if "hourly_rate" not in cols and "annual_salary" not in cols:
        require_columns(cols, ("hourly_rate",), source)
    rej = Rejections(source, cols, len(raw), sheet)
    role, role_changed = normalise_ids(raw["role"])
    rej.skip(blank_rows(raw, np.flatnonzero((role == "").to_numpy())))
    rej.add((role == "").to_numpy(), "role", "role is empty")
    step = parse_numbers(raw["step"], "step", rej, lo=0, hi=1000, integer=True)
    blank_step = np.isnan(step) & ~rej.mask()
    rej.add(blank_step, "step", "step is empty")
    n = len(raw)
    none = np.full(n, -1, dtype="int64")
    hourly = parse_money(raw["hourly_rate"], "hourly_rate", rej, hi=MAX_RATE)[0] if "hourly_rate" in cols else none
    annual = parse_money(raw["annual_salary"], "annual_salary", rej, hi=MAX_RATE * HOURS_PER_FTE_YEAR)[0] if "annual_salary" in cols else none
    hpy = (
        parse_numbers(raw["hours_per_year"], "hours_per_year", rej, lo=1, hi=8784)
        if "hours_per_year" in cols
        else np.full(n, np.nan)
    )
    hpy = np.where(np.isnan(hpy), HOURS_PER_FTE_YEAR, hpy)
    neither = (hourly < 0) & (annual < 0) & ~rej.mask()
    rej.add(neither, "hourly_rate" if "hourly_rate" in cols else "annual_salary", "no hourly_rate or annual_salary")
    # hourly = annual / hours_per_year, rounded half-up to $0.0001 (the precision rates carry)
    from_annual = np.array(
        [_annual_units(a, h) if a >= 0 else -1 for a, h in zip(annual, hpy)], dtype="int64"
    )  # a schedule has tens of rows: exact Decimal division per row is cheap
    units = np.where(hourly >= 0, hourly, from_annual)
    eff = parse_dates(raw["effective_date"], "effective_date", rej) if "effective_date" in cols else np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    out = pd.DataFrame(
        {
            "role": role,
            "step": np.nan_to_num(step).astype("int64"),
            "rate_units": units,
            "effective_date": eff,
            "row": np.arange(1, n + 1),
        }
    )
    for c in ("title", "grade"):
        if c in cols:
            out[c] = text(raw[c])
    keep = ~rej.mask()
    out = out[keep]
    notes = _ids_note(role_changed, "role")
    dup = out.duplicated(["role", "step", "effective_date"], keep="first").to_numpy()
    problems = rej.problems() + [
        Problem(source, int(r), "role", "duplicate role/step/effective_date: an earlier row already sets this rate", sheet)
        for r in out["row"].to_numpy()[dup]
    ]
    problems.sort(key=lambda p: cast(int, p.row))  # every problem here names its row
    out = out[~dup].reset_index(drop=True)
    out.attrs["notes"] = notes
    return out, problems


#: A blank ``effective_date`` means "always": it sorts before every real date.
ALWAYS = np.datetime64("1900-01-01", "D")


def rates_in_force(schedule: pd.DataFrame, role, step, dates) -> np.ndarray:
    """The schedule ``rate_units`` for each (role, step, date): -1 where no row is in force.

    A schedule row applies from its ``effective_date`` (blank: always) until a later row for the
    same role and step (docs/formats.md §1). The one lookup behind pay (rows without a rate), gap
    (``--as-of``) and cost (the baseline's last day).
    """
    n = len(role)
    left = pd.DataFrame(
        {
            "pos": np.arange(n),
            "role": np.asarray(role, dtype=object),
            "step": np.asarray(step, dtype="int64"),
            "date": np.asarray(dates, dtype="datetime64[D]").astype("datetime64[s]"),
        }
    ).sort_values("date", kind="stable")
    right = pd.DataFrame(
        {
            "role": np.asarray(schedule["role"].to_numpy(), dtype=object),
            "step": schedule["step"].to_numpy(dtype="int64"),
            "effective_date": pd.Series(schedule["effective_date"].to_numpy(dtype="datetime64[D]"))
            .fillna(ALWAYS).to_numpy(dtype="datetime64[D]").astype("datetime64[s]"),
            "rate_units": schedule["rate_units"].to_numpy(dtype="int64"),
        }
    ).sort_values("effective_date", kind="stable")
    # backward: the last row (in effective-date order) on or before the date; ties: the later row
    merged = pd.merge_asof(left, right, left_on="date", right_on="effective_date", by=["role", "step"], direction="backward")
    found = merged["rate_units"].notna().to_numpy()
    out = np.full(n, -1, dtype="int64")
    out[merged["pos"].to_numpy()[found]] = merged["rate_units"].to_numpy()[found].astype("int64")
    return out


def _numbers_if_all_numbers(col: pd.Series) -> np.ndarray:
    """An extra roster column (``tenure_years``, ``site``…) as numbers when every filled cell is a
    plain number (a covariate for the gap report), else as text as written."""
    s = text(col)
    filled = s != ""
    if filled.any() and s[filled].str.fullmatch(r"[-+]?(?:\d+\.?\d*|\.\d+)").all():
        return pd.to_numeric(s.where(filled, None)).to_numpy(dtype="float64", na_value=np.nan)
    return col.to_numpy()


def _annual_units(annual_units: int, hours_per_year: float) -> int:
    """Annual salary (exact units of $0.0001) / hours per year, half-up to $0.0001."""
    q = to_decimal(int(annual_units)) / to_decimal(repr(float(hours_per_year)))
    return int(q.to_integral_value(rounding=ROUND_HALF_UP))


def prepare_timesheet(
    raw: pd.DataFrame,
    source: str,
    policy: Policy,
    roster: pd.DataFrame | None = None,
    schedule: pd.DataFrame | None = None,
    sheet: str | None = None,
    ids_as_categories: bool = False,
    instants: dict[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, list[Problem], pd.DataFrame]:
    """Validate a timesheet and resolve each shift's base rate.

    ``ids_as_categories``: ``employee_id`` as a Categorical of the sorted ids, for a caller that
    only pays the shifts (the engine reads the codes; a million id strings are never built).

    ``instants``: for ``start``/``end``, the exact UTC minute of rows whose time named an instant
    (a column map's ``%z``; -1 elsewhere); a plain timesheet's own offsets are read here
    (:func:`offset_datetimes`).

    Returns ``(shifts, problems, rejected_hours)``: ``shifts`` in the engine's shape
    (:data:`~peerpay.core.engine.SHIFT_COLUMNS` plus ``role``, ``start_local``), and for each
    rejected row whose times could be read, its hours, so that a run reconciles
    (hours in = hours paid + hours rejected).
    """
    cols = list(raw.columns)
    require_columns(cols, ("employee_id", "start", "end"), source)
    n = len(raw)
    rej = Rejections(source, cols, n, sheet)
    window = (policy.input.earliest_date, policy.input.latest_date)
    tz = policy.timezone
    columns = {c: raw[c] for c in ("employee_id", "start", "end", "kind", "role", "rate") if c in cols}

    def read_column(name: str) -> tuple[tuple, Rejections]:
        """One column's values and its own rejections. Why one at a time: the columns are read
        side by side on two threads (arrow and numpy do the work, outside the GIL), and their
        rejections are added in column order afterwards, as if read one after another."""
        found = Rejections(source, cols, n, sheet)
        col = columns[name]
        if name == "employee_id":
            emp_codes, emp_ids, emp_changed = id_codes(col)
            found.add((emp_ids == "")[emp_codes], "employee_id", "employee_id is empty")
            return (emp_codes, emp_ids, emp_changed), found
        if name in ("start", "end"):
            local, exact = read_datetimes(col, name, found, window, tz)
            if instants is not None and name in instants:  # a column map read these as instants (UTC offsets)
                exact = instants[name] if exact is None else np.where(instants[name] >= 0, instants[name], exact)
            at = np.full(n, -1, dtype="int64")
            read = local >= 0 if exact is None else (local >= 0) & (exact < 0)
            at[read] = local_to_instants(local[read], tz, strict=True)  # per value: the same as for the kept rows alone
            if exact is not None:
                at = np.where(exact >= 0, exact, at)  # an instant the cell named (a UTC offset)
            return (local, at), found
        if name == "kind":
            return _read_kinds(col, found), found
        if name == "role":
            return normalise_ids(col), found
        return parse_money(col, "rate", found, hi=MAX_RATE), found

    values = {}
    for name, (value, found) in zip(columns, threads.each(read_column, list(columns), n)):
        values[name] = value
        rej.extend(found)
    emp_codes, emp_ids, emp_changed = values["employee_id"]
    (start_local, start_any), (end_local, end_any) = values["start"], values["end"]
    kinds, kind_codes, on_call = values["kind"] if "kind" in cols else (np.array(["work"], dtype=object), np.zeros(n, "int8"), np.zeros(n, bool))
    role, role_changed = values["role"] if "role" in cols else (pd.Series(np.full(n, "", dtype=object), dtype=object), np.zeros(n, bool))
    rate, zero_rate = values["rate"] if "rate" in cols else (np.full(n, -1, dtype="int64"), np.zeros(n, dtype=bool))
    blank = blank_rows(raw, np.flatnonzero((emp_ids == "")[emp_codes]))  # ",,," lines: skipped, keeping their numbers
    rej.skip(blank)

    # Real instants. A wall-clock time in the spring-forward gap does not exist: reject the row.
    times_ok = (start_local >= 0) & (end_local >= 0)
    start_at = np.where(times_ok, start_any, -1)
    end_at = np.where(times_ok, end_any, -1)
    rej.add(times_ok & (start_at < 0), "start", f"start does not exist in {tz} (clocks spring forward over it)")
    rej.add(times_ok & (end_at < 0), "end", f"end does not exist in {tz} (clocks spring forward over it)")
    real = times_ok & (start_at >= 0) & (end_at >= 0)
    backwards = np.flatnonzero(real & (end_at <= start_at))
    rej.add(backwards, "end", np.where(end_at[backwards] == start_at[backwards], "end is the same as start", "end is before start"))
    rej.add(real & (end_at - start_at > MAX_SHIFT_MINUTES), "end", "shift is longer than 24 hours")

    # Base rate: the row's rate, else the schedule rate for the roster's role and step on the start date.
    rate, role = _resolve_rates(emp_codes, emp_ids, role, rate, start_local, roster, schedule, rej, cols)
    duty = _duty_rates(raw, emp_codes, emp_ids, role, rate, start_local, roster, schedule, policy, rej) if DUTY_COLUMN in cols else None

    # Overlaps among rows still standing: worked rows with worked rows, on_call with on_call.
    _reject_overlaps(emp_codes, on_call, start_at, end_at, rej)

    bad = rej.mask()
    keep = ~bad
    kept_at = None if not bad.any() else np.flatnonzero(keep)  # a clean file: no copies
    kept = (lambda values: values) if kept_at is None else (lambda values: values[kept_at])
    as_text = lambda values: pd.Series(np.asarray(values, dtype=object), dtype=object)
    # copy=False: the columns are this function's own arrays; stacking them into one block would
    # copy every int64 column once more for nothing
    shifts = pd.DataFrame(
        {
            "employee_id": pd.Categorical.from_codes(*sorted_codes(kept(emp_codes), emp_ids)) if ids_as_categories
            else as_text(emp_ids[kept(emp_codes)]),
            "kind": pd.Categorical.from_codes(_kind_positions(kinds)[kept(kind_codes)], categories=list(KINDS)),
            "start_at": kept(start_at),
            "end_at": kept(end_at),
            "rate_units": kept(rate),
            "row": kept(np.arange(1, n + 1)),
            "role": as_text(kept(role.to_numpy())),
            "start_local": kept(start_local),
        },
        copy=False,
    )
    if duty is not None:  # out-of-class work (docs/out-of-class.md): the duty role and its rate, then the rule
        shifts[DUTY_ROLE] = as_text(kept(duty[0]))
        shifts[DUTY_RATE] = kept(duty[1])
        shifts = apply_out_of_class(shifts, policy.out_of_class)
    measurable = bad & real & (end_at > start_at)
    rejected_hours = pd.DataFrame(
        {"row": np.arange(1, n + 1)[measurable], "minutes": (end_at - start_at)[measurable]}
    )
    shifts.attrs["notes"] = list(raw.attrs.get("notes", ())) + input_notes(
        int((zero_rate & keep).sum()), int(emp_changed.sum()), int(role_changed.sum()), int(blank.sum()))
    duty_counts = out_of_class_counts(shifts) if duty is not None else {}
    if duty is not None:
        shifts.attrs["notes"] += out_of_class_notes(**duty_counts, priced=policy.out_of_class is not None)
    shifts.attrs["counts"] = {"zero_rate": int((zero_rate & keep).sum()), "employee_id": int(emp_changed.sum()),
                              "role": int(role_changed.sum()), "blank_rows": int(blank.sum()), **duty_counts}
    padded = raw.attrs.get("padded", {}).get("employee_id")
    shifts.attrs["warnings"] = mangled_ids(emp_ids, emp_codes, "employee_id", source, np.arange(1, n + 1),
                                           None if padded is None else np.asarray(padded) - 1, sheet)
    return shifts, rej.problems(), rejected_hours


def _read_kinds(col: pd.Series, rej: Rejections) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``kind`` cells -> ``(kinds, codes, is on_call)``: ``kinds[codes]`` is each row's work /
    on_call / callback (case-insensitive; blank is work); other kinds are rejected.

    Each distinct spelling is lowered once (Python's ``str.lower``, as a clerk's text is compared
    everywhere else); the million-row column is built once, from the codes of the rows kept.
    """
    codes, found = text_codes(col)
    spelled = pd.Series(found.to_numpy(zero_copy_only=False), dtype=object)
    kinds = spelled.str.lower().replace("", "work").to_numpy(dtype=object)
    bad = np.flatnonzero(~np.isin(kinds, list(KINDS))[codes])
    if len(bad):  # the message only for the bad rows (building it for every row is slow)
        rej.add(bad, "kind", "kind must be work, on_call or callback, not '" + spelled.to_numpy()[codes[bad]] + "'")
    return kinds, codes, (kinds == "on_call")[codes]


def _kind_positions(kinds: np.ndarray) -> np.ndarray:
    """Each distinct kind's position in :data:`~peerpay.core.engine.KINDS` (-1: not a kind; its rows
    are rejected). The ``kind`` column is a Categorical of KINDS: the engine reads its codes
    instead of hashing a million strings, and no million Python strings are built."""
    return np.array([KINDS.index(k) if k in KINDS else -1 for k in kinds], dtype="int8")  # a few kinds


def rows_read(raw: pd.DataFrame, shifts: pd.DataFrame) -> int:
    """The rows of a timesheet that were read: every row but the blank ones (:func:`prepare_timesheet` skips those)."""
    return len(raw) - int(shifts.attrs.get("counts", {}).get("blank_rows", 0))


def input_notes(zero_rate: int, ids: int, roles: int, blank: int = 0) -> list[str]:
    """Warnings about rows that are paid but deserve a look (counts only: no ids in logs)."""
    notes = [f"{blank} blank row(s) (every cell empty) were skipped: they are not counted as rows read"] if blank else []
    if zero_rate:
        notes.append(f"{zero_rate} paid row(s) have a rate of 0 (or -0): their hours are paid $0.00; check the rate column")
    notes += _ids_note(np.ones(ids, bool), "employee_id") + _ids_note(np.ones(roles, bool), "role")
    return notes


def _resolve_rates(emp_codes, emp_ids, role, rate, start_local, roster, schedule, rej: Rejections, cols):
    """Each row's base rate (-1: none) and role: a blank role is the roster's; a blank rate is the
    schedule's. Employees (``emp_ids[emp_codes]``) are looked up in the roster once per id."""
    n = len(emp_codes)
    missing_col = "rate" if "rate" in cols else "employee_id"
    role = role.copy()
    if roster is not None:
        ids = pd.Series(emp_ids, dtype=object)
        unknown = np.flatnonzero(~ids.isin(roster["employee_id"]).to_numpy(dtype=bool)[emp_codes] & (emp_ids != "")[emp_codes])
        rej.add(unknown, "employee_id", "employee_id '" + emp_ids[emp_codes[unknown]] + "' is not in the roster")
        r = roster.set_index("employee_id")
        roster_role = ids.map(r["role"]).fillna("").astype(object).to_numpy()[emp_codes]
        step = ids.map(r["step"]).to_numpy(dtype="float64", na_value=np.nan)[emp_codes]
        role = role.where((role != "").to_numpy(dtype=bool), roster_role)
    else:
        step = np.full(n, np.nan)
    need = (rate < 0) & ~rej.mask()
    if need.any():
        if schedule is None or roster is None:
            rej.add(need, missing_col, "no rate: the row has no rate and no roster + wage schedule was given")
            return rate, role
        idx = np.flatnonzero(need)
        roles = np.asarray(role.to_numpy()[idx], dtype=object)
        steps = np.nan_to_num(step[idx], nan=-1).astype("int64")
        days = (start_local[idx] // MINUTES_PER_DAY).astype("datetime64[D]")
        found_rate = rates_in_force(schedule, roles, steps, days)
        found = found_rate >= 0
        rate = rate.copy()
        rate[idx[found]] = found_rate[found]
        reason = (
            "no rate: no schedule rate for role '" + pd.Series(roles[~found]).astype(str) + "' step "
            + pd.Series(steps[~found]).astype(str) + " on " + pd.Series(days[~found].astype(str))
        )
        rej.add(idx[~found], missing_col, reason.to_numpy())
    return rate, role


def _duty_rates(raw, emp_codes, emp_ids, role, rate, start_local, roster, schedule, policy: Policy, rej: Rejections):
    """``duty_role`` -> (the duty role per row, its rate per row or -1): :func:`.out_of_class.duty_rates`."""
    duty, _ = normalise_ids(raw[DUTY_COLUMN])
    n = len(duty)
    step = np.full(n, np.nan)
    if roster is not None:
        ids = pd.Series(emp_ids, dtype=object)
        step = ids.map(roster.set_index("employee_id")["step"]).to_numpy(dtype="float64", na_value=np.nan)[emp_codes]
    days = (start_local // MINUTES_PER_DAY).astype("datetime64[D]")
    d = duty.to_numpy(dtype=object)
    return d, duty_rates(d, np.asarray(role.to_numpy(), dtype=object), step, rate, days, schedule, policy.out_of_class, rej)


def out_of_class_counts(shifts: pd.DataFrame) -> dict[str, int]:
    """Rows with a duty role other than their own (``duty_role``) and rows paid out of class
    (``out_of_class``): counts, so that a run paid in partitions adds them up (engines/partition.py)."""
    has = (shifts[DUTY_ROLE] != "") & (shifts[DUTY_ROLE] != shifts["role"])
    return {"duty_role": int(has.sum()), "out_of_class": int(shifts[OUT_OF_CLASS].sum()) if OUT_OF_CLASS in shifts else 0}


def out_of_class_notes(duty_role: int, out_of_class: int, priced: bool) -> list[str]:
    """Counts only: rows with a duty role, rows paid out of class, rows short of the minimum.
    ``priced``: the policy has ``[out_of_class]``."""
    n, paid = duty_role, out_of_class
    if not n:
        return []
    if not priced:
        return [f"{n} row(s) carry a duty_role but the policy has no [out_of_class]: they are paid at the employee's own rate"]
    short = n - paid
    return [f"{n} row(s) carry a duty_role: {paid} paid out of class"
            + (f", {short} short of the [out_of_class] minimum (or on call) paid at the own rate" if short else "")]


def _reject_overlaps(emp_codes: np.ndarray, on_call: np.ndarray, start_at, end_at, rej: Rejections) -> None:
    """Reject each row that starts before an earlier row of the same employee has ended.

    Worked rows (work, callback) are checked against worked rows, on_call rows against on_call
    rows: a call-back inside an on-call period is how call-backs happen. Rows are sorted by
    (employee, lane, start, row) and each row is compared with the latest end so far in its lane.
    """
    ok = ~rej.mask()
    clean = bool(ok.all())  # the usual file: no copies through ``idx``
    idx = np.arange(len(ok)) if clean else np.flatnonzero(ok)
    if len(idx) < 2:
        return
    emp, call, s, e = (emp_codes, on_call, start_at, end_at) if clean else (emp_codes[idx], on_call[idx], start_at[idx], end_at[idx])
    lane = emp.astype("int64") * 2 + call  # one lane per employee and kind of row
    order = _lane_order(lane, s)
    s, e, rows = s[order], e[order], order if clean else idx[order]
    first = _lane_starts(lane)
    prev_end, prev_row = _latest_end_before(first, e, rows)
    clash = ~first & (s < prev_end)
    rej.add(rows[clash], "start", "overlaps row " + prev_row[clash].astype(str).astype(object) + " of the same employee")


def _lane_starts(lane: np.ndarray) -> np.ndarray:
    """Where each lane begins once the rows are sorted by lane (``lane[order]`` never built)."""
    counts = np.bincount(lane)
    counts = counts[counts > 0]
    first = np.zeros(len(lane), dtype=bool)
    first[np.r_[0, np.cumsum(counts)[:-1]]] = True
    return first


def _bits(x: int) -> int:
    return max(int(x), 0).bit_length()


def _lane_order(lane: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The order of (lane, start, position): one argsort of a packed int64 key when the three fit
    in 63 bits (always, for a timesheet of a few years), else a lexsort."""
    if int(lane.max()) < 2**15 and bool(np.all(start[1:] >= start[:-1])):
        # a timesheet in time order (the usual one): a stable sort on the lane alone is the same
        # order, and numpy sorts 16-bit keys by radix
        return np.argsort(lane.astype("int16"), kind="stable")
    lo = start.min()
    pos_bits, start_bits = _bits(len(lane)), _bits(start.max() - lo)
    if _bits(lane.max()) + start_bits + pos_bits <= 63:
        key = (lane << (start_bits + pos_bits)) | ((start - lo) << pos_bits) | np.arange(len(lane))
        return np.argsort(key)
    return np.lexsort((np.arange(len(lane)), start, lane))


def _latest_end_before(first: np.ndarray, end: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted into lanes (``first`` marks each lane's first row): the latest end among
    the earlier rows of the lane and its 1-based row number (on a tie, the later row).

    One running maximum over the whole array: each lane's values are lifted above every earlier
    lane's, so the maximum restarts at each lane. Falls back to a grouped maximum in the rare
    case that the packed numbers would not fit in 63 bits.
    """
    lo = end.min()
    row_bits, end_bits = _bits(rows.max()), _bits(end.max() - lo)
    lane_no = np.cumsum(first) - 1
    packed = ((end - lo) << row_bits) | rows  # latest end, then the later row
    if _bits(lane_no[-1]) + end_bits + row_bits <= 63:
        lift = lane_no << (end_bits + row_bits)
        latest = np.maximum.accumulate(packed | lift) - lift
    else:
        latest = pd.Series(packed).groupby(lane_no).cummax().to_numpy(dtype="int64")
    before = np.r_[0, latest[:-1]]  # meaningful where not ``first``
    return (before >> row_bits) + lo, (before & ((1 << row_bits) - 1)) + 1


_OVERLAP = re.compile(r"^overlaps row (\d+) of the same employee$")


def overlap_source(reason: str, where: Callable[[int], str]) -> str:
    """"overlaps row N" names row N of the frame that was checked; ``where(N)`` names it in the
    source instead ("row 12", "other.csv row 12"). The one rewrite for vendor exports (mapped rows)
    and partitioned runs (rows of a partition). Other reasons are returned as they are."""
    m = _OVERLAP.match(reason)
    return reason if m is None else f"overlaps {where(int(m.group(1)))} of the same employee"
