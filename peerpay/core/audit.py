"""What payroll paid against what the policy owes, by pay component (docs/audit.md).

Pure functions: the pay engine's lines (what the policy owes, per employee and workweek; the
very lines ``peerpay pay`` prints) and a payroll register's paid lines (per employee, pay period
and component, in cents: :mod:`peerpay.io.register`) in; per employee and pay period, owed, paid
and ``difference = paid - owed`` for every component out, with flags.

**Periods.** A register gives workweeks, or pay periods, or (ADP's paydata batch) one period
for the whole file. The owed workweeks are rolled up to the register's periods:

* a period made of whole workweeks (it starts on the policy's workweek day and lasts a multiple
  of 7 days; 14 under 8-and-80) takes each owed week whole;
* a period that cuts a workweek (semi-monthly, monthly) takes each component of the cut week
  **by the days worked** in it (a segment's day; a call-back's or short shift's premium by the
  day the shift starts), the week's rounded cents shared out in proportion to the exact amounts
  (largest remainder, so the parts add up to the week's figure); the overtime premium and
  overtime hours go whole to the period in which the workweek **ends**: overtime earned in a
  workweek is due on the regular pay day of the period in which that workweek ends
  (29 CFR 778.106).

Owed pay on days outside every period of the register is not audited, and is counted.

**Full-rate codes.** Registers often pay overtime (or holiday hours) under one code at the whole
rate, straight time and premium together, with the hours left out of regular pay. Such a line is
split: its straight time is its hours at the period's average base rate (owed base pay over hours
worked; exact when the employee had one base rate), added to base; the rest is the premium. So
"an overtime hour paid at straight time" shows as exactly one hour's premium short in
``overtime``, and base balances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models.policy import Policy
from .engine import PayResult, period_start_day
from .money import DAYS_PER_WEEK, cents_half_up

#: component -> the pay line column that owes it (a differential: ``diff:<name>``)
LINE_COLUMN = {"base": "base_pay", "holiday": "holiday_premium", "standby": "standby_pay", "callback": "callback_premium",
               "minimum_shift": "minimum_shift_pay", "overtime": "overtime_premium"}
#: components whose hours the lines and registers carry -> the pay line's minutes column
HOURS_COLUMN = {"base": "worked_minutes", "overtime": "overtime_minutes", "standby": "on_call_minutes"}
#: how the hours are named in reports
HOURS_NAME = {"base": "worked", "overtime": "overtime", "standby": "on_call"}
STATUSES = ("underpaid", "overpaid", "mismatch", "ok")


def components(diff_names: Sequence[str], minimum_shift: bool) -> list[str]:
    """The components compared, in report order (docs/formats.md §4's order)."""
    out = ["base", *(f"differential:{n}" for n in diff_names), "holiday", "standby", "callback"]
    if minimum_shift:
        out.append("minimum_shift")
    return [*out, "overtime"]


def line_column(component: str) -> str:
    return f"diff:{component.split(':', 1)[1]}" if component.startswith("differential:") else LINE_COLUMN[component]


def owed_cents(lines: pd.DataFrame, component: str) -> np.ndarray:
    """A component's cents per pay line; 0 for a differential the pay lines do not have (a map's
    code for pay the run could not compute, e.g. a summary export's differentials)."""
    col = line_column(component)
    return lines[col].to_numpy(dtype="int64") if col in lines else np.zeros(len(lines), dtype="int64")


def period_days(policy: Policy) -> int:
    return policy.overtime.period_days if policy.overtime is not None else DAYS_PER_WEEK


# ----------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Periods:
    """The pay periods each employee is audited over: ``frame`` has ``employee_id``,
    ``period_start``, ``period_end`` (day numbers), sorted; ``aligned``: every period is made of whole
    workweeks (no owed week is cut)."""

    frame: pd.DataFrame
    aligned: bool
    shared: bool  # one set of periods for everyone (a register of one pay frequency)


def distinct_periods(paid: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The register's distinct (first day, last day) pairs, sorted (one integer key per line, never a frame of pairs)."""
    starts = paid["period_start"].to_numpy(dtype="int64")
    ends = paid["period_end"].to_numpy(dtype="int64")
    if not len(starts):
        return starts, ends
    lo = min(int(starts.min()), int(ends.min()))
    span = max(int(starts.max()), int(ends.max())) - lo + 1
    key = (starts - lo) * span + (ends - lo)
    if span * span <= 1 << 24:  # a few years of dates: mark the keys present instead of sorting a million
        present = np.zeros(span * span, dtype=bool)
        present[key] = True
        key = np.flatnonzero(present)
    else:
        key = np.unique(key)
    return key // span + lo, key % span + lo


def aligned(paid: pd.DataFrame, policy: Policy) -> bool:
    """Every period of the register is made of whole workweeks (or 14-day 8-and-80 periods): it
    starts on one and lasts a multiple of its length. Then no owed week needs cutting."""
    starts, ends = distinct_periods(paid)
    return bool(np.all(period_start_day(starts, policy) == starts) and np.all((ends - starts + 1) % period_days(policy) == 0))


def distinct(column) -> np.ndarray:
    """The distinct values of a column in the order they first appear (a categorical one by its
    codes, never a million objects)."""
    if isinstance(getattr(column, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(column)
        return cat.categories.to_numpy(dtype=object)[pd.unique(cat.codes[cat.codes >= 0])]
    return pd.unique(np.asarray(column, dtype=object))


def audit_periods(paid: pd.DataFrame, owed_employees, policy: Policy) -> Periods:
    """The register's periods. When they never overlap each other (one pay frequency), every
    employee is audited over every period, so an employee the register leaves out shows as
    unpaid; when they do (two pay groups in one file), each employee over their own periods."""
    starts, ends = distinct_periods(paid)
    overlap = bool(len(starts) > 1 and np.any(starts[1:] <= np.maximum.accumulate(ends)[:-1]))
    if overlap:
        frame = paid[["employee_id", "period_start", "period_end"]].astype({"employee_id": object}).drop_duplicates()
        frame = frame.sort_values(["employee_id", "period_start"], kind="stable").reset_index(drop=True)
    else:  # the sorted people times the sorted periods: in (employee, period) order as built
        people = np.sort(pd.unique(np.concatenate([np.asarray(owed_employees, dtype=object), distinct(paid["employee_id"])])))
        frame = pd.DataFrame({"employee_id": pd.Series(np.repeat(people, len(starts)), dtype=object),
                              "period_start": np.tile(starts, len(people)), "period_end": np.tile(ends, len(people))})
    return Periods(frame.astype({"period_start": "int64", "period_end": "int64"}), aligned(paid, policy), not overlap)


def employee_codes(people: pd.Index, employee_ids) -> np.ndarray:
    """Each id's position in ``people`` (-1: not there); a categorical column is looked up by its
    categories, never string by string."""
    if isinstance(getattr(employee_ids, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(employee_ids)
        at = people.get_indexer(cat.categories.to_numpy(dtype=object))
        return np.where(cat.codes >= 0, at[cat.codes], -1)
    return people.get_indexer(np.asarray(employee_ids, dtype=object))


def assign(periods: pd.DataFrame, employee_ids, days) -> np.ndarray:
    """Each (employee, day): the position of the period in ``periods`` holding that day, or -1."""
    days = np.asarray(days, dtype="int64")
    if not len(periods) or not len(days):
        return np.full(len(days), -1, dtype="int64")
    p_code, seen = pd.factorize(periods["employee_id"].to_numpy(dtype=object))  # one pass: codes and the people
    people = pd.Index(seen)
    code = employee_codes(people, employee_ids)
    lo = int(min(days.min(), periods["period_start"].min()))
    span = int(max(days.max(), periods["period_end"].max())) - lo + 2
    p_key = p_code.astype("int64") * span + (periods["period_start"].to_numpy(dtype="int64") - lo)
    order = np.argsort(p_key, kind="stable")
    key = code.astype("int64") * span + (days - lo)
    at = np.searchsorted(p_key[order], key, side="right") - 1
    hit = order[np.clip(at, 0, None)]
    ok = (code >= 0) & (at >= 0) & (p_code[hit] == code) & (days <= periods["period_end"].to_numpy(dtype="int64")[hit])
    return np.where(ok, hit, -1)


# ------------------------------------------------------------------------------------- owed


@dataclass(frozen=True)
class Owed:
    """What the policy owes per audited period (``by_period``: position in the periods -> cents and
    minutes per component), and what falls outside every period."""

    cents: dict[str, np.ndarray]  # component -> cents per period
    minutes: dict[str, np.ndarray]  # hours component -> minutes per period
    outside_cents: int
    outside_lines: int  # employee-weeks with owed pay outside the register's periods (wholly or in part)
    outside_days: tuple[int, int] | None  # first and last such day


def owed_aligned(lines: pd.DataFrame, periods: Periods, comps: Sequence[str], policy: Policy) -> Owed:
    """Periods made of whole workweeks: each owed line goes whole to the period holding its first day."""
    week = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    at = assign(periods.frame, lines["employee_id"].to_numpy(dtype=object), week)
    n = len(periods.frame)
    cents = {c: _sum_at(at, owed_cents(lines, c), n) for c in comps}
    minutes = {c: _sum_at(at, lines[col].to_numpy(dtype="int64"), n) for c, col in HOURS_COLUMN.items()}
    out = at < 0
    gross = lines["gross_pay"].to_numpy(dtype="int64")
    days = (int(week[out].min()), int(week[out].max()) + period_days(policy) - 1) if out.any() else None
    return Owed(cents, minutes, int(gross[out].sum()), int(out.sum()), days)


def owed_by_day(result: PayResult, day_parts: pd.DataFrame, periods: Periods, comps: Sequence[str], policy: Policy) -> Owed:
    """Periods that cut workweeks: each week's rounded components shared out by the days worked.

    ``day_parts`` (:func:`day_parts`): per employee code, line period and day, the exact amounts
    and minutes of each component (overtime on the period's last day).
    """
    lines = result.lines
    ids = np.asarray(result.employee_ids, dtype=object)
    line_emp = pd.Index(ids).get_indexer(lines["employee_id"].to_numpy(dtype=object))
    line_period = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    lo = int(min(line_period.min(initial=0), day_parts["line_period"].min() if len(day_parts) else 0))
    span = int(max(line_period.max(initial=0), day_parts["line_period"].max() if len(day_parts) else 0)) - lo + 1
    line_key = line_emp.astype("int64") * span + (line_period - lo)
    order = np.argsort(line_key)
    part_line = order[np.searchsorted(line_key[order], day_parts["employee"].to_numpy(dtype="int64") * span
                                      + (day_parts["line_period"].to_numpy(dtype="int64") - lo))]
    at = assign(periods.frame, ids[day_parts["employee"].to_numpy()], day_parts["day"].to_numpy(dtype="int64"))
    values = [*comps, *(f"minutes:{c}" for c in HOURS_COLUMN)]
    out = at < 0
    nonzero = day_parts[values].to_numpy().any(axis=1)
    touched = np.unique(part_line[out & nonzero])
    days = (int(day_parts["day"].to_numpy()[out & nonzero].min()), int(day_parts["day"].to_numpy()[out & nonzero].max())) \
        if (out & nonzero).any() else None
    # the week's days in one period make one part: shares are by period, not by day
    parts = day_parts[values].assign(line=part_line, at=at).groupby(["line", "at"], as_index=False, sort=True).sum()
    part_line, at = parts["line"].to_numpy(dtype="int64"), parts["at"].to_numpy(dtype="int64")
    n = len(periods.frame)
    cents, minutes = {}, {}
    outside = 0
    for c in comps:
        share = apportion(owed_cents(lines, c), part_line, parts[c].to_numpy())
        cents[c] = _sum_at(at, share, n)
        outside += int(share[at < 0].sum())
    for c in HOURS_COLUMN:
        minutes[c] = _sum_at(at, parts[f"minutes:{c}"].to_numpy(dtype="int64"), n)
    return Owed(cents, minutes, outside, int(len(touched)), days)


def day_parts(result: PayResult, shift_premiums: dict[str, np.ndarray], comps: Sequence[str], policy: Policy) -> pd.DataFrame:
    """Per employee code, line period and day: exact amounts (engine units) and minutes of each component.

    Segments give the minutes' components by their day; ``shift_premiums`` (per shift, engine
    units: call-back premium and minimum-shift pay) go to the day the shift starts; the overtime
    premium and overtime minutes to the line period's last day (29 CFR 778.106).
    """
    seg = result.segments
    emp = seg["employee"].to_numpy(dtype="int64")
    period = seg["period_start"].to_numpy(dtype="int64")
    day = seg["date"].to_numpy(dtype="int64")
    mins = seg["minutes"].to_numpy(dtype="int64")
    on_call = np.asarray(seg["kind"]) == "on_call"
    cols: dict[str, np.ndarray] = {}
    for c in comps:
        if c == "base":
            cols[c] = seg["base"].to_numpy()
        elif c.startswith("differential:"):
            col = f"diff:{c.split(':', 1)[1]}"
            cols[c] = seg[col].to_numpy() if col in seg else np.zeros(len(seg), dtype="int64")
        elif c in ("holiday", "standby"):
            cols[c] = seg["holiday_premium" if c == "holiday" else "standby"].to_numpy()
        else:
            cols[c] = np.zeros(len(seg), dtype="int64")
    cols["minutes:base"] = np.where(on_call, 0, mins)
    cols["minutes:standby"] = np.where(on_call, mins, 0)
    cols["minutes:overtime"] = np.zeros(len(seg), dtype="int64")
    frames = [pd.DataFrame({"employee": emp, "line_period": period, "day": day, **cols})]
    # per-shift premiums at the shift's first segment (its start day)
    first = seg["piece"].to_numpy() == 0
    shift = seg["shift"].to_numpy()[first]
    per_shift = {c: np.asarray(shift_premiums.get(LINE_COLUMN.get(c, ""), np.zeros(0)), dtype=object) for c in ("callback", "minimum_shift")}
    if any(len(v) for v in per_shift.values()):
        part = {c: np.zeros(int(first.sum()), dtype="int64") for c in comps}
        for c in ("callback", "minimum_shift"):
            if c in part and len(per_shift[c]):
                part[c] = per_shift[c][shift].astype("int64")
        frames.append(pd.DataFrame({"employee": emp[first], "line_period": period[first], "day": day[first], **part,
                                    **{f"minutes:{c}": 0 for c in HOURS_COLUMN}}))
    # overtime: the whole week's premium and minutes on its last day
    ot = pd.DataFrame({"employee": emp, "line_period": period,
                       "ot": seg["daily_ot"].to_numpy(dtype="int64") + seg["weekly_ot"].to_numpy(dtype="int64")})
    ot = ot.groupby(["employee", "line_period"], as_index=False, sort=False)["ot"].sum()
    zeros = {c: 0 for c in comps if c != "overtime"}
    frames.append(pd.DataFrame({"employee": ot["employee"], "line_period": ot["line_period"],
                                "day": ot["line_period"] + period_days(policy) - 1, **zeros, "overtime": 1,
                                "minutes:base": 0, "minutes:standby": 0, "minutes:overtime": ot["ot"]}))
    parts = pd.concat(frames, ignore_index=True)
    return parts.groupby(["employee", "line_period", "day"], as_index=False, sort=True).sum()


def apportion(totals: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Share each group's whole ``totals[g]`` (cents) over its parts in proportion to ``weight``,
    by largest remainder: integer parts that add up exactly to the total (ties: the earlier part).

    >>> apportion(np.array([10]), np.array([0, 0, 0]), np.array([1, 1, 1])).tolist()
    [4, 3, 3]
    """
    weight = np.asarray(weight)
    totals = np.asarray(totals, dtype="int64")
    group = np.asarray(group, dtype="int64")
    if not len(group):
        return np.zeros(0, dtype="int64")
    wsum = pd.Series(weight).groupby(group).transform("sum").to_numpy()
    big = float(np.abs(totals).max(initial=0)) * float(np.abs(weight).max(initial=0)) >= 2.0**62
    num = (totals[group].astype(object) * weight.astype(object)) if big else totals[group] * weight.astype("int64")
    safe = np.where(wsum == 0, 1, wsum)
    base = np.where(wsum == 0, 0, num // safe).astype("int64")
    rem = np.where(wsum == 0, 0, num % safe)
    short = totals - pd.Series(base).groupby(group).sum().reindex(np.arange(len(totals)), fill_value=0).to_numpy()
    # parts with the largest remainders get one cent more, within each group
    frac = rem.astype("float64") / safe.astype("float64")
    order = np.lexsort((np.arange(len(group)), -frac, group))
    rank = np.empty(len(group), dtype="int64")
    ranks_sorted = pd.Series(np.ones(len(group), dtype="int64")).groupby(group[order]).cumsum().to_numpy() - 1
    rank[order] = ranks_sorted
    # a group whose weights are all 0 but whose total is not (never from the engine) puts it on its first part
    first = rank == 0
    extra = (rank < short[group]).astype("int64")
    extra = np.where(wsum == 0, np.where(first, short[group], 0), extra)
    return base + extra


def _sum_at(at: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact integer sums of ``values`` by position ``at`` (-1: left out), for positions 0..n-1.

    ``np.bincount`` adds in float64, exact while every partial sum stays below 2**53 (checked:
    the sum of the magnitudes bounds them); past that, exact integer ``np.add.at``."""
    keep = at >= 0
    v = np.asarray(values)[keep].astype("int64")
    if not len(v):
        return np.zeros(n, dtype="int64")
    if float(np.abs(v).sum()) < 2.0**52:
        return np.rint(np.bincount(at[keep], weights=v, minlength=n)).astype("int64")
    out = np.zeros(n, dtype="int64")
    np.add.at(out, at[keep], v)
    return out


# ------------------------------------------------------------------------------------- paid


def paid_by_period(paid: pd.DataFrame, periods: Periods, comps: Sequence[str], owed: Owed) -> tuple[dict, dict]:
    """The register's lines summed per period and component (cents, and minutes where lines give
    hours); full-rate lines split into straight time (to base) and premium."""
    at = assign(periods.frame, paid["employee_id"], paid["period_start"].to_numpy(dtype="int64"))
    n = len(periods.frame)
    comp = _ComponentLabels(paid["component"])
    cents_v = paid["cents"].to_numpy(dtype="int64")
    mins_v = np.where(paid["has_hours"].to_numpy(dtype=bool), paid["minutes"].to_numpy(dtype="int64"), 0)
    full = paid["full_rate"].to_numpy(dtype=bool)
    # one sum per (period, component) pair: a single pass over the lines for cents, one for minutes
    index = {c: i for i, c in enumerate(comps)}
    comp_no = np.full(len(comp.codes), -1, dtype="int64")
    for name, i in index.items():
        comp_no[comp == name] = i
    pair = np.where((at >= 0) & (comp_no >= 0), at * len(comps) + comp_no, -1)
    by_pair = _sum_at(pair, cents_v, n * len(comps)).reshape(n, len(comps))
    mins_by_pair = _sum_at(pair, mins_v, n * len(comps)).reshape(n, len(comps))
    cents = {c: by_pair[:, i].copy() for c, i in index.items()}
    minutes = {c: mins_by_pair[:, index[c]].copy() if c in index else np.zeros(n, dtype="int64") for c in HOURS_COLUMN}
    base_rate_num = owed.cents["base"]  # average base rate = owed base cents / owed worked minutes
    base_rate_den = owed.minutes["base"]
    for c in ("overtime", "holiday", "callback"):
        sel = full & (comp == c)
        if not sel.any() or c not in cents:
            continue
        full_minutes = _sum_at(np.where(sel, at, -1), mins_v, n)
        straight = np.where(base_rate_den > 0, cents_half_up(base_rate_num * full_minutes, np.maximum(base_rate_den, 1)), 0)
        straight = np.asarray(straight, dtype="int64")
        cents["base"] = cents["base"] + straight
        cents[c] = cents[c] - straight
        minutes["base"] = minutes["base"] + full_minutes
    return cents, minutes


class _ComponentLabels:
    """``labels == "overtime"`` over a categorical column by its codes (a comparison of integers)."""

    def __init__(self, column):
        cat = pd.Categorical(column)
        self.codes, self.names = np.asarray(cat.codes), list(cat.categories)

    def __eq__(self, name):
        return self.codes == self.names.index(name) if name in self.names else np.zeros(len(self.codes), dtype=bool)


# -------------------------------------------------------------------------------- comparison


def compare(periods: Periods, comps: Sequence[str], owed: Owed, paid_cents: dict, paid_minutes: dict, tolerance_cents: int) -> pd.DataFrame:
    """One row per employee and period with owed or paid pay: ``owed:<c>``, ``paid:<c>``,
    ``difference:<c>`` (cents, paid - owed) per component and ``gross``; minutes owed and paid for
    the hours components; ``status`` (underpaid / overpaid: the gross difference beyond the
    tolerance; mismatch: components off beyond it that offset; ok) and ``flagged`` (the components
    off beyond the tolerance, ``; ``-joined)."""
    frame = periods.frame
    data: dict[str, np.ndarray] = {}
    owed_gross = np.zeros(len(frame), dtype="int64")
    paid_gross = np.zeros(len(frame), dtype="int64")
    for c in comps:
        o, p = owed.cents[c], paid_cents[c]
        data[f"owed:{c}"], data[f"paid:{c}"], data[f"difference:{c}"] = o, p, p - o
        owed_gross += o
        paid_gross += p
    data["owed:gross"], data["paid:gross"], data["difference:gross"] = owed_gross, paid_gross, paid_gross - owed_gross
    for c in HOURS_COLUMN:
        data[f"owed_minutes:{c}"], data[f"paid_minutes:{c}"] = owed.minutes[c], paid_minutes[c]
    present = np.zeros(len(frame), dtype=bool)
    for c in comps:
        present |= (data[f"owed:{c}"] != 0) | (data[f"paid:{c}"] != 0)
    for c in HOURS_COLUMN:
        present |= (data[f"owed_minutes:{c}"] != 0) | (data[f"paid_minutes:{c}"] != 0)
    out = pd.concat([frame.reset_index(drop=True), pd.DataFrame(data)], axis=1)[present].reset_index(drop=True)
    diff = out["difference:gross"].to_numpy()
    off = np.zeros((len(out), len(comps)), dtype=bool)
    for i, c in enumerate(comps):
        off[:, i] = np.abs(out[f"difference:{c}"].to_numpy()) > tolerance_cents
    status = np.where(diff < -tolerance_cents, "underpaid", np.where(diff > tolerance_cents, "overpaid",
                      np.where(off.any(axis=1), "mismatch", "ok")))
    out["status"] = status.astype(object)
    flagged = np.full(len(out), "", dtype=object)
    rows = np.flatnonzero(off.any(axis=1))  # the flagged lines only (a handful in a sound payroll)
    flagged[rows] = ["; ".join(c for c, hit in zip(comps, row) if hit) for row in off[rows]]
    out["flagged"] = flagged
    return out


def findings(lines: pd.DataFrame, comps: Sequence[str], tolerance_cents: int) -> pd.DataFrame:
    """The components off by more than the tolerance, one row each (the "here is where" list)."""
    parts = []
    for c in comps:
        d = lines[f"difference:{c}"].to_numpy()
        hit = np.abs(d) > tolerance_cents
        if not hit.any():
            continue
        sub = lines[hit]
        hours = HOURS_COLUMN.get(c)
        parts.append(pd.DataFrame({
            "employee_id": sub["employee_id"].to_numpy(), "period_start": sub["period_start"].to_numpy(),
            "period_end": sub["period_end"].to_numpy(), "component": c,
            "owed_minutes": sub[f"owed_minutes:{c}"].to_numpy() if hours else -1,
            "paid_minutes": sub[f"paid_minutes:{c}"].to_numpy() if hours else -1,
            "owed": sub[f"owed:{c}"].to_numpy(), "paid": sub[f"paid:{c}"].to_numpy(), "difference": d[hit],
            "status": np.where(d[hit] < 0, "underpaid", "overpaid").astype(object),
            "order": list(comps).index(c)}))
    if not parts:
        return pd.DataFrame(columns=["employee_id", "period_start", "period_end", "component", "owed_minutes", "paid_minutes",
                                     "owed", "paid", "difference", "status"])
    out = pd.concat(parts, ignore_index=True).sort_values(["employee_id", "period_start", "order"], kind="stable")
    return out.drop(columns="order").reset_index(drop=True)


def by_employee(lines: pd.DataFrame, tolerance_cents: int) -> pd.DataFrame:
    """Per employee over every period: owed, paid, difference, and the underpaid and overpaid sums."""
    d = lines["difference:gross"].to_numpy()
    frame = pd.DataFrame({"employee_id": lines["employee_id"].to_numpy(), "owed": lines["owed:gross"].to_numpy(),
                          "paid": lines["paid:gross"].to_numpy(), "difference": d,
                          "underpaid": np.where(d < -tolerance_cents, -d, 0), "overpaid": np.where(d > tolerance_cents, d, 0),
                          "flagged": (lines["status"].to_numpy() != "ok").astype("int64")})
    g = frame.groupby("employee_id", sort=True)
    out = g[["owed", "paid", "difference", "underpaid", "overpaid", "flagged"]].sum()
    out.insert(0, "periods", g.size())
    return out.reset_index()


def totals(lines: pd.DataFrame, tolerance_cents: int) -> dict:
    """The audit's headline figures (cents and counts)."""
    d = lines["difference:gross"].to_numpy()
    status = lines["status"].to_numpy()
    return {"owed": int(lines["owed:gross"].sum()), "paid": int(lines["paid:gross"].sum()), "difference": int(d.sum()),
            "underpaid": int(np.where(d < -tolerance_cents, -d, 0).sum()), "overpaid": int(np.where(d > tolerance_cents, d, 0).sum()),
            "lines": int(len(lines)), **{f"lines_{s}": int((status == s).sum()) for s in STATUSES[:3]},
            "employees_underpaid": int(lines.loc[status == "underpaid", "employee_id"].nunique())}
