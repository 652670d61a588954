"""The pay engine: validated shifts + policy -> pay lines per employee and workweek.

Shape of the computation (all vectorised, no per-row Python):

1. **Segments.** Each shift is cut at every local midnight and every differential window edge
   (:mod:`.calendar`), so a segment lies in one calendar day, one workweek and wholly inside or
   outside each window. Its minutes are real elapsed minutes.
2. **Rates per segment** in exact integer units (:mod:`peerpay.core.money`): base, each
   differential (within a ``group`` only the highest per minute), holiday premium, standby.
3. **Overtime minutes**, chronologically: a workday (shifts that *start* on one date) pays daily
   overtime on its last minutes beyond ``daily_hours``; then a workweek pays weekly overtime on
   its minutes beyond ``weekly_hours`` that were not daily overtime (29 CFR 778.101-778.103).
4. **Lines.** Sums per employee and workweek (or 14-day 8-and-80 period), the FLSA regular rate
   (29 CFR 778.109, 778.115, 778.207(b), 778.223), the overtime premium, each component rounded
   once, half-up, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .money import AMOUNT_PER_CENT, FACTOR_SCALE, MINUTES_PER_HOUR, cents_half_up, factor_units, rate_units, scaled
from ..models.policy import Policy
from .calendar import Calendar, build_calendar, weekday_of

WORKED_KINDS = ("work", "callback")
KINDS = ("work", "on_call", "callback")

#: Citations carried into the audit trail, one per rule.
CITATIONS = {
    "base": "docs/formats.md §3; 29 CFR 778.109",
    "differential": "29 CFR 778.207(b): shift differentials are part of the regular rate",
    "holiday": "29 CFR 778.203(b), 778.219: holiday premium excluded from the regular rate",
    "standby": "29 CFR 778.223, 785.17: standby pay is part of the regular rate",
    "callback": "29 CFR 778.221: call-back premium excluded from the regular rate",
    "minimum_shift": "29 CFR 778.220: reporting pay for hours not worked is excluded",
    "daily_overtime": "29 CFR 778.102, 778.202(a): daily overtime by contract",
    "weekly_overtime": "FLSA 7(a)(1), 29 CFR 778.101-778.105: hours over 40 in the workweek",
    "8_and_80": "FLSA 7(j), 29 CFR 778.601: hours over 8 in a workday and 80 in the 14-day period",
}

#: Columns the engine expects on its ``shifts`` input.
SHIFT_COLUMNS = ("employee_id", "kind", "start_at", "end_at", "rate_units", "row")


@dataclass(frozen=True)
class PayResult:
    lines: pd.DataFrame  # one row per employee and period; money in whole cents (int64)
    segments: pd.DataFrame  # the audit trail: one row per segment with the rules that paid it
    differential_names: tuple[str, ...]
    employee_ids: np.ndarray | None = None  # segments["employee"] indexes this (sorted ids)


def split_segments(shifts: pd.DataFrame, cal: Calendar, order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Cut shifts at the calendar's edges; one output row per piece, ``shift`` = input position.

    ``order`` (a permutation of the shifts) sets the order the pieces come out in.
    """
    s = shifts["start_at"].to_numpy(dtype="int64")
    e = shifts["end_at"].to_numpy(dtype="int64")
    if order is not None:
        s, e = s[order], e[order]
    i0 = np.searchsorted(cal.cuts, s, side="right")  # first cut strictly after start
    i1 = np.searchsorted(cal.cuts, e, side="left")  # first cut at or after end
    n = (i1 - i0) + 1
    shift = np.repeat(np.arange(len(s)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    k = np.arange(len(shift)) - first  # piece number within its shift
    last = k == (n[shift] - 1)
    cut_lo = cal.cuts[np.clip(i0[shift] + k - 1, 0, len(cal.cuts) - 1)]
    cut_hi = cal.cuts[np.clip(i0[shift] + k, 0, len(cal.cuts) - 1)]
    seg_s = np.where(k == 0, s[shift], cut_lo)
    seg_e = np.where(last, e[shift], cut_hi)
    if order is not None:
        shift = order[shift]
    return {"shift": shift, "piece": k, "seg_start": seg_s, "seg_end": seg_e, "minutes": seg_e - seg_s}


def _period_start(days: np.ndarray, policy: Policy) -> np.ndarray:
    """First date of the workweek (or 8-and-80 period) containing each date."""
    ot = policy.overtime
    if ot is not None and ot.system == "8_and_80":
        anchor = np.datetime64(ot.period_start, "D").astype("int64")
        return days - ((days - anchor) % 14)
    return days - ((weekday_of(days) - policy.workweek.start_index) % 7)


def _eligible(diff, in_win: np.ndarray, seg: pd.DataFrame, worked: np.ndarray, n_shifts: int) -> np.ndarray:
    """Apply a whole-shift eligibility rule to the by-the-minute window test."""
    if diff.eligibility == "minutes":
        return in_win
    shift = np.asarray(seg["shift"])
    mins = np.asarray(seg["minutes"])
    inside = np.bincount(shift, weights=np.where(in_win & worked, mins, 0), minlength=n_shifts)
    total = np.bincount(shift, weights=np.where(worked, mins, 0), minlength=n_shifts)
    if diff.eligibility == "majority":
        ok = 2 * inside > total
    elif diff.eligibility == "start":
        ok = np.zeros(n_shifts, dtype=bool)
        first = np.asarray(seg["piece"]) == 0
        ok[shift[first]] = in_win[first]
    else:  # min_hours_in_window
        ok = inside >= float(diff.min_hours) * MINUTES_PER_HOUR
    return ok[shift]


def _running_excess(groups: np.ndarray, minutes: np.ndarray, threshold_minutes: int) -> np.ndarray:
    """Minutes of each (chronologically sorted) row beyond ``threshold`` within its group."""
    if len(groups) and np.all(groups[1:] >= groups[:-1]):
        # groups are contiguous runs (the usual case: rows sorted by employee and time): a
        # segmented cumulative sum in numpy, exact in int64
        cum = np.cumsum(minutes)
        run_start = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        offset = np.repeat(cum[run_start] - minutes[run_start], np.diff(np.r_[run_start, len(groups)]))
        cum = cum - offset
    else:
        cum = pd.Series(minutes).groupby(groups, sort=False).cumsum().to_numpy()
    before = cum - minutes
    return np.clip(cum - np.maximum(before, threshold_minutes), 0, None)


def compute_pay(shifts: pd.DataFrame, policy: Policy, calendar: Calendar | None = None) -> PayResult:
    """Pay every shift by the policy. ``shifts`` must already be validated (no overlaps, rates set).

    ``shifts`` columns: ``employee_id`` (str), ``kind`` (work|on_call|callback), ``start_at`` and
    ``end_at`` (int64 UTC minutes, see :mod:`.calendar`), ``rate_units`` (int64 base rate in
    $0.0001/h), ``row`` (the source row, for the audit trail); optional ``role`` (needed by a
    differential limited with ``roles``).
    """
    diff_names = tuple(d.name for d in policy.differential)
    if len(shifts) == 0:
        return PayResult(_empty_lines(diff_names), pd.DataFrame(), diff_names)
    return price_segments(segment_shifts(shifts, policy, calendar))


@dataclass(frozen=True)
class Segmented:
    """Everything about the shifts that does not depend on their base rates.

    Costing re-prices the same shifts at many rates (``peerpay cost``): the minutes, windows,
    holidays and overtime minutes are computed once here, and :func:`price_segments` applies
    a rate vector. Arrays are per segment (in employee-then-time order) unless named ``shift_*``.
    """

    policy: Policy
    shifts: pd.DataFrame
    emp_names: np.ndarray
    emp_codes: np.ndarray  # per shift
    seg: dict  # shift, piece, seg_start, seg_end, minutes (per segment)
    kind_codes: np.ndarray
    worked: np.ndarray
    day: np.ndarray
    period: np.ndarray
    in_window: dict  # differential name -> bool per segment (eligibility and roles applied)
    holiday: np.ndarray
    daily_ot: np.ndarray
    weekly_ot: np.ndarray
    shift_period: np.ndarray

    def subset(self, keep_shift: np.ndarray) -> Segmented:
        """Only the segments of the shifts where ``keep_shift`` is true (order kept)."""
        m = keep_shift[self.seg["shift"]]
        return Segmented(
            self.policy, self.shifts, self.emp_names, self.emp_codes,
            {k: np.asarray(v)[m] for k, v in self.seg.items()}, self.kind_codes[m], self.worked[m], self.day[m],
            self.period[m], {k: v[m] for k, v in self.in_window.items()}, self.holiday[m], self.daily_ot[m],
            self.weekly_ot[m], self.shift_period,
        )


def segment_shifts(shifts: pd.DataFrame, policy: Policy, calendar: Calendar | None = None) -> Segmented:
    """Cut shifts into segments and find everything rate-independent: windows, holidays, overtime minutes."""
    shifts = shifts.reset_index(drop=True)
    cal = calendar or build_calendar(
        policy, int(shifts["start_at"].min()), int(shifts["end_at"].max())
    )
    emp_codes, emp_names = pd.factorize(shifts["employee_id"], sort=True)
    # pieces come out by employee, then time: the order overtime is counted in and lines summed in
    by_employee = np.lexsort((shifts["start_at"].to_numpy(), emp_codes))
    seg = split_segments(shifts, cal, by_employee)
    sh = np.asarray(seg["shift"])
    kind_codes = pd.Categorical(shifts["kind"], categories=KINDS).codes.astype("int8")[sh]
    worked = kind_codes != KINDS.index("on_call")
    seg_start = np.asarray(seg["seg_start"])
    day = cal.day_of(seg_start)
    period = _period_start(day, policy)
    shift_day = cal.day_of(shifts["start_at"].to_numpy(dtype="int64"))
    emp = emp_codes[sh]
    role = shifts["role"].to_numpy(dtype=object) if "role" in shifts else None
    in_window = {}
    for d in policy.differential:
        in_win = _eligible(d, cal.in_window(d.name, seg_start), seg, worked, len(shifts)) & worked
        if d.roles is not None:
            # a differential for some roles only: a shift of another (or no) role earns none of it
            in_win &= (np.isin(role, list(d.roles)) if role is not None else np.zeros(len(shifts), bool))[sh]
        in_window[d.name] = in_win
    holiday = np.isin(day, cal.holidays) & worked
    probe = {"minutes": seg["minutes"], "seg_start": seg_start, "period_start": period}
    chrono = np.arange(len(sh))
    daily_ot, weekly_ot = _overtime_minutes(probe, shift_day[sh], worked, emp, policy, chrono)
    return Segmented(policy, shifts, np.asarray(emp_names, dtype=object), emp_codes, seg, kind_codes, worked,
                     day, period, in_window, holiday, daily_ot, weekly_ot, _period_start(shift_day, policy))


def price_segments(s: Segmented, shift_rates: np.ndarray | None = None, keep_shift: np.ndarray | None = None,
                   audit: bool = True, policy: Policy | None = None) -> PayResult:
    """Pay segmented shifts at ``shift_rates`` (rate units per shift; default: the shifts' own).

    ``keep_shift`` (bool per shift) pays only those shifts: an employee's lines are exact only
    when all of that employee's shifts are kept. ``audit=False`` skips the segment table
    (costing needs the lines only, and the table is the largest thing a run holds). ``policy``
    prices with other amounts than the segmentation's policy; it must cut the shifts the same way
    (same windows, holidays, workweek and overtime thresholds; amounts may differ).
    """
    policy = policy or s.policy
    shifts = s.shifts
    diff_names = tuple(d.name for d in policy.differential)
    if keep_shift is not None:
        s = s.subset(keep_shift)
    shift_rates = shifts["rate_units"].to_numpy(dtype="int64") if shift_rates is None else np.asarray(shift_rates, dtype="int64")
    seg = dict(s.seg)
    sh = np.asarray(seg["shift"])
    worked = s.worked
    mins = np.asarray(seg["minutes"], dtype="int64")
    rate = shift_rates[sh]
    emp = s.emp_codes[sh]
    seg["employee"] = emp  # code into PayResult.employee_ids: strings per segment are slow
    if audit:
        seg["row"] = shifts["row"].to_numpy()[sh]
        seg["kind"] = pd.Categorical.from_codes(s.kind_codes, categories=KINDS)
        seg["date"] = s.day
    seg["period_start"] = s.period
    if audit:
        seg["rate_units"] = rate
    worked_mins = np.where(worked, mins, 0)

    # Base pay: every worked minute at its base rate.
    seg["base"] = rate * FACTOR_SCALE * worked_mins

    # Differentials: per-minute amount of each, then the highest within each group.
    per_minute = {}
    for d in policy.differential:
        if d.per_hour is not None:
            amount = np.full(len(sh), rate_units(d.per_hour) * FACTOR_SCALE, dtype="int64")
        else:
            amount = rate * scaled(d.percent / 100, FACTOR_SCALE)
        per_minute[d.name] = np.where(s.in_window[d.name], amount, 0)
    groups: dict[str, list[str]] = {}
    for d in policy.differential:
        groups.setdefault(d.group or f"\0{d.name}", []).append(d.name)
    for members in groups.values():
        if len(members) > 1:
            stack = np.vstack([per_minute[m] for m in members])
            winner = np.argmax(stack, axis=0)  # ties: the first declared
            for i, m in enumerate(members):
                per_minute[m] = np.where(winner == i, per_minute[m], 0)
    for name in diff_names:
        seg[f"diff:{name}"] = per_minute[name] * worked_mins

    # Holiday premium on worked minutes of holiday dates.
    seg["holiday"] = s.holiday
    if policy.holiday is not None:
        extra = factor_units(policy.holiday.multiplier) - FACTOR_SCALE
        seg["holiday_premium"] = np.where(s.holiday, rate * extra * mins, 0)
    else:
        seg["holiday_premium"] = np.zeros(len(sh), dtype="int64")

    # Standby pay on every on_call minute.
    oc = policy.on_call
    standby_u = rate_units(oc.standby_per_hour) if oc else 0
    seg["standby"] = np.where(worked, 0, standby_u * FACTOR_SCALE * mins)

    # Overtime minutes (computed once, chronologically within workdays and periods).
    seg["daily_ot"], seg["weekly_ot"] = s.daily_ot, s.weekly_ot
    ot = policy.overtime
    if ot is not None and ot.basis == "base_rate":
        extra = factor_units(ot.multiplier) - FACTOR_SCALE
        seg["ot_base"] = rate * extra * (np.asarray(seg["daily_ot"]) + np.asarray(seg["weekly_ot"]))
    else:
        seg["ot_base"] = np.zeros(len(sh), dtype="int64")

    # Per-shift premiums, booked to the period in which the shift starts.
    per_shift = _shift_premiums(shifts, policy, s.shift_period, shift_rates)
    shift_emp = s.emp_codes
    if keep_shift is not None:
        per_shift = per_shift[keep_shift].reset_index(drop=True)
        shift_emp = shift_emp[keep_shift]
    chrono = np.arange(len(sh))
    lines = _lines(seg, per_shift, s.emp_names, diff_names, policy, worked=worked, emp=emp, shift_emp=shift_emp, order=chrono)
    return PayResult(lines, pd.DataFrame(seg, copy=False) if audit else pd.DataFrame(), diff_names, s.emp_names)


def _overtime_minutes(seg, workday, worked, emp, policy, chrono=None):
    ot = policy.overtime
    zeros = np.zeros(len(seg["minutes"]), dtype="int64")
    if ot is None:
        return zeros, zeros
    starts = np.asarray(seg["seg_start"])
    order = chrono if chrono is not None else np.arange(len(starts))
    order = order[worked[order]]
    e, t = emp[order], starts[order]
    if not np.all((e[1:] > e[:-1]) | ((e[1:] == e[:-1]) & (t[1:] >= t[:-1]))):
        order = np.lexsort((starts, emp))  # not in employee-then-time order: sort (never wrong)
        order = order[worked[order]]
    mins = np.asarray(seg["minutes"], dtype="int64")[order]
    daily = np.zeros(len(order), dtype="int64")
    if ot.daily_threshold is not None:
        key = emp[order].astype("int64") * 1_000_000 + workday[order]
        daily = _running_excess(key, mins, int(ot.daily_threshold * MINUTES_PER_HOUR))
    weekly = np.zeros(len(order), dtype="int64")
    if ot.period_threshold is not None:
        key = emp[order].astype("int64") * 1_000_000 + np.asarray(seg["period_start"])[order]
        weekly = _running_excess(key, mins - daily, int(ot.period_threshold * MINUTES_PER_HOUR))
    d_out, w_out = zeros.copy(), zeros.copy()
    d_out[order] = daily
    w_out[order] = weekly
    return d_out, w_out


def _shift_premiums(shifts: pd.DataFrame, policy: Policy, shift_period: np.ndarray, rate: np.ndarray) -> pd.DataFrame:
    """Call-back premium and minimum-shift pay: rules about a whole row, not its minutes."""
    actual = (shifts["end_at"] - shifts["start_at"]).to_numpy(dtype="int64")
    kind = shifts["kind"].to_numpy()
    callback = np.zeros(len(shifts), dtype="int64")
    oc = policy.on_call
    ms = policy.minimum_shift
    if oc is not None:
        # One guarantee per row, the greater one: a call-back row that a minimum_shift rule also
        # covers is paid for max(callback minimum, minimum shift) hours, never for both.
        minimum = int(oc.callback_minimum_hours * MINUTES_PER_HOUR)
        if ms is not None and "callback" in ms.kinds:
            minimum = max(minimum, int(ms.hours * MINUTES_PER_HOUR))
        paid = np.maximum(actual, minimum)
        premium = rate * factor_units(oc.callback_multiplier) * paid - rate * FACTOR_SCALE * actual
        callback = np.where(kind == "callback", premium, 0)
    minimum_shift = np.zeros(len(shifts), dtype="int64")
    if ms is not None:
        floor = int(ms.hours * MINUTES_PER_HOUR)
        covered = np.isin(kind, ms.kinds) & ~((kind == "callback") & (oc is not None))
        short = covered & (actual < floor)
        minimum_shift = np.where(short, rate * FACTOR_SCALE * (floor - actual), 0)
    return pd.DataFrame(
        {
            "employee_id": shifts["employee_id"].to_numpy(),
            "period_start": shift_period,
            "callback_premium": callback,
            "minimum_shift_pay": minimum_shift,
        }
    )


def _empty_lines(diff_names) -> pd.DataFrame:
    cols = ["employee_id", "week_start", "worked_minutes", "on_call_minutes", "overtime_minutes", "base_pay"]
    cols += [f"diff:{n}" for n in diff_names]
    cols += ["holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium",
             "regular_rate_num", "regular_rate_den", "gross_pay"]
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in cols}).astype({"employee_id": object, "week_start": "datetime64[s]"})


def _group_sums(key: np.ndarray, columns: dict[str, np.ndarray], order=None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Exact int64 sums of each column per distinct ``key`` (returned sorted).

    ``order``, when given, is a permutation that sorts ``key`` (it is checked).
    """
    if order is None or (len(order) > 1 and not np.all(np.diff(key[order]) >= 0)):
        order = np.argsort(key, kind="stable")
    k = key[order]
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.array([], dtype="int64")
    sums = {c: np.add.reduceat(np.asarray(v, dtype="int64")[order], first) if len(k) else v[:0] for c, v in columns.items()}
    return k[first], sums


def _lines(seg, per_shift, emp_names, diff_names, policy, worked=None, emp=None, shift_emp=None, order=None) -> pd.DataFrame:
    """Sums per employee and period (exact int64, grouped on integer keys), then the money."""
    if worked is None:
        worked = np.asarray(seg["kind"]) != "on_call"
    mins = np.asarray(seg["minutes"], dtype="int64")
    names = pd.Index(emp_names)
    if emp is None:
        emp = np.asarray(seg["employee"])
    if shift_emp is None:
        shift_emp = names.get_indexer(per_shift["employee_id"].to_numpy())
    # one integer key per employee and period: employee code (sorted by id) x period day
    seg_period = np.asarray(seg["period_start"]).astype("int64")
    shift_period = per_shift["period_start"].to_numpy().astype("int64")
    lo = int(seg_period.min()) if len(seg_period) else 0
    span = int(max(seg_period.max(), shift_period.max(initial=lo))) - lo + 1 if len(seg_period) else 1
    key = emp.astype("int64") * span + (seg_period - lo)
    seg_cols = ["daily_ot", "weekly_ot", "base", *[f"diff:{n}" for n in diff_names], "holiday_premium", "standby", "ot_base"]
    col = {c: np.broadcast_to(np.asarray(seg[c], dtype="int64"), mins.shape) for c in seg_cols}
    cols = {
        "worked_minutes": np.where(worked, mins, 0),
        "on_call_minutes": np.where(worked, 0, mins),
        "overtime_minutes": col["daily_ot"] + col["weekly_ot"],
        "base": col["base"],
        **{f"diff:{n}": col[f"diff:{n}"] for n in diff_names},
        "holiday_premium": col["holiday_premium"],
        "standby": col["standby"],
        "ot_base": col["ot_base"],
    }
    keys, g = _group_sums(key, cols, order)
    # per-shift premiums, booked to the period in which each shift starts (always a period
    # that has a segment: the shift's first one)
    premiums = {c: per_shift[c].to_numpy(dtype="int64") for c in ("callback_premium", "minimum_shift_pay")}
    for c, v in premiums.items():
        g[c] = np.zeros(len(keys), dtype="int64")
    if len(per_shift) and any(v.any() for v in premiums.values()):
        skeys, sg = _group_sums(shift_emp.astype("int64") * span + (shift_period - lo), premiums)
        at = np.searchsorted(keys, skeys)
        for c in premiums:
            g[c][at] += sg[c]
    return _money_lines(keys, g, emp_names, span, lo, diff_names, policy)


def _money_lines(keys, g, emp_names, span, lo, diff_names, policy) -> pd.DataFrame:
    """Per-period sums (exact units) -> the pay lines: regular rate, overtime premium, rounding."""
    index = pd.MultiIndex.from_arrays(
        [np.asarray(emp_names)[keys // span], keys % span + lo], names=["employee_id", "period_start"]
    )

    ot = policy.overtime
    worked_m = g["worked_minutes"]
    ot_m = g["overtime_minutes"]
    diff_cols = [f"diff:{n}" for n in diff_names]
    regular = g["base"] + g["standby"]
    for c in diff_cols:
        regular = regular + g[c]

    out = pd.DataFrame(index=index)
    out["worked_minutes"] = worked_m
    out["on_call_minutes"] = g["on_call_minutes"]
    out["overtime_minutes"] = ot_m
    out["base_pay"] = cents_half_up(g["base"])
    for c in diff_cols:
        out[c] = cents_half_up(g[c])
    out["holiday_premium"] = cents_half_up(g["holiday_premium"])
    out["standby_pay"] = cents_half_up(g["standby"])
    out["callback_premium"] = cents_half_up(g["callback_premium"])
    out["minimum_shift_pay"] = cents_half_up(g["minimum_shift_pay"])
    if ot is None:
        premium = np.zeros(len(keys), dtype=object)
    elif ot.basis == "base_rate":
        premium = cents_half_up(g["ot_base"])
    else:
        # (multiplier - 1) x regular rate x OT hours, with the regular rate left unrounded:
        # regular amount / worked minutes x OT minutes, one exact division at the end.
        extra = factor_units(ot.multiplier) - FACTOR_SCALE
        den = np.maximum(worked_m, 1) * FACTOR_SCALE * AMOUNT_PER_CENT
        if len(regular) and (np.abs(regular).astype("float64") * extra * ot_m).max() < 2.0**60:
            num = regular * extra * ot_m  # fits int64: exact
        else:
            num = regular.astype(object) * extra * ot_m.astype(object)
            den = den.astype(object)
        premium = np.where(ot_m > 0, cents_half_up(num, den), 0)
    out["overtime_premium"] = premium
    # Regular rate in $/h = regular amount x 60 / (worked minutes x AMOUNT_PER_DOLLAR); kept as a
    # fraction so that it is shown rounded only once.
    out["regular_rate_num"] = regular
    out["regular_rate_den"] = worked_m
    money = ["base_pay", *diff_cols, "holiday_premium", "standby_pay", "callback_premium",
             "minimum_shift_pay", "overtime_premium"]
    for c in money:
        out[c] = out[c].astype("int64")
    out["gross_pay"] = out[money].sum(axis=1).astype("int64")
    out = out.reset_index().rename(columns={"period_start": "week_start"})
    out["week_start"] = out["week_start"].to_numpy().astype("datetime64[D]")
    return out


# --- re-pricing by linear coefficients (costing) ---------------------------------------------


@dataclass(frozen=True)
class RateCoefficients:
    """Every unrounded pay amount of a period is ``sum over rate kinds (rate x coefficient) + constant``.

    Base pay, percent differentials, holiday premium, base-rate overtime, call-back premium and
    minimum-shift pay are each linear in the base rate; $/h differentials and standby pay do not
    depend on it; the regular rate's overtime premium is computed from those sums exactly as
    :func:`_lines` does. So re-pricing a timesheet at new rates is a sum over (period, rate kind)
    rows, not over segments -- exact, and ~10x fewer rows. Not possible when a differential
    group mixes $/h and percent members (which one wins a minute depends on the rate): then
    :func:`rate_coefficients` returns None and :func:`price_segments` is used.
    """

    keys: np.ndarray  # sorted period keys: employee code x span + (period - lo)
    emp_names: np.ndarray
    span: int
    lo: int
    row_key: np.ndarray  # per (period, kind) row: position in keys (sorted)
    row_kind: np.ndarray  # per row: rate kind
    linear: dict  # column -> per row coefficient (units per rate unit)
    constant: dict  # column -> per key constant (units)
    diff_names: tuple
    policy: Policy

    def price(self, kind_rates: np.ndarray, keep_kind: np.ndarray | None = None) -> pd.DataFrame:
        """Pay lines at ``kind_rates`` (rate units per kind); only periods with a kept kind."""
        rows = np.arange(len(self.row_kind)) if keep_kind is None else np.flatnonzero(keep_kind[self.row_kind])
        rate = np.asarray(kind_rates, dtype="int64")[self.row_kind[rows]]
        rk = self.row_key[rows]
        first = np.flatnonzero(np.r_[True, rk[1:] != rk[:-1]]) if len(rk) else np.array([], dtype="int64")
        at = rk[first]
        g = {c: v[at].copy() for c, v in self.constant.items()}
        for c, v in self.linear.items():
            g[c] = g.get(c, 0) + (np.add.reduceat(v[rows] * rate, first) if len(rows) else v[:0])
        return _money_lines(self.keys[at], g, self.emp_names, self.span, self.lo, self.diff_names, self.policy)


def rate_coefficients(s: Segmented, shift_kind: np.ndarray, policy: Policy | None = None) -> RateCoefficients | None:
    """The linear form of :func:`price_segments` for shifts grouped into rate kinds (``shift_kind``)."""
    policy = policy or s.policy
    groups: dict[str, list] = {}
    for d in policy.differential:
        groups.setdefault(d.group or f"\0{d.name}", []).append(d)
    if any(len({d.per_hour is None for d in m}) > 1 for m in groups.values()):
        return None
    sh = np.asarray(s.seg["shift"])
    mins = np.asarray(s.seg["minutes"], dtype="int64")
    worked_mins = np.where(s.worked, mins, 0)
    n = len(sh)
    lin = {"base": FACTOR_SCALE * worked_mins}
    const = {"worked_minutes": worked_mins, "on_call_minutes": np.where(s.worked, 0, mins),
             "overtime_minutes": s.daily_ot + s.weekly_ot}
    unit = {}
    for d in policy.differential:  # the amount at a rate of 1 unit: the winner is the same at any rate
        if d.per_hour is not None:
            unit[d.name] = np.where(s.in_window[d.name], rate_units(d.per_hour) * FACTOR_SCALE, 0)
        else:
            unit[d.name] = np.where(s.in_window[d.name], scaled(d.percent / 100, FACTOR_SCALE), 0)
    for members in groups.values():
        if len(members) > 1:
            stack = np.vstack([unit[m.name] for m in members])
            winner = np.argmax(stack, axis=0)
            for i, m in enumerate(members):
                unit[m.name] = np.where(winner == i, unit[m.name], 0)
    for d in policy.differential:
        (const if d.per_hour is not None else lin)[f"diff:{d.name}"] = unit[d.name] * worked_mins
    lin["holiday_premium"] = (np.where(s.holiday, (factor_units(policy.holiday.multiplier) - FACTOR_SCALE) * mins, 0)
                              if policy.holiday is not None else np.zeros(n, dtype="int64"))
    oc = policy.on_call
    const["standby"] = np.where(s.worked, 0, (rate_units(oc.standby_per_hour) if oc else 0) * FACTOR_SCALE * mins)
    ot = policy.overtime
    lin["ot_base"] = ((factor_units(ot.multiplier) - FACTOR_SCALE) * (s.daily_ot + s.weekly_ot)
                      if ot is not None and ot.basis == "base_rate" else np.zeros(n, dtype="int64"))
    # per-shift premiums at a rate of 1 unit (both are linear in the rate)
    ones = np.ones(len(s.shifts), dtype="int64")
    per_shift = _shift_premiums(s.shifts, policy, s.shift_period, ones)

    emp = s.emp_codes[sh]
    seg_period = s.period.astype("int64")
    shift_period = s.shift_period.astype("int64")
    lo = int(min(seg_period.min(), shift_period.min()))
    span = int(max(seg_period.max(), shift_period.max())) - lo + 1
    seg_key = emp.astype("int64") * span + (seg_period - lo)
    shift_key = s.emp_codes.astype("int64") * span + (shift_period - lo)
    kinds = int(shift_kind.max()) + 1
    # (period, kind) rows from segments and from shifts (a call-back books to its start period)
    row_id = np.r_[seg_key * kinds + shift_kind[sh], shift_key * kinds + shift_kind]
    uniq, inv = np.unique(row_id, return_inverse=True)
    lin_all = {c: np.r_[v, np.zeros(len(shift_kind), dtype="int64")] for c, v in lin.items()}
    lin_all["callback_premium"] = np.r_[np.zeros(n, dtype="int64"), per_shift["callback_premium"].to_numpy(dtype="int64")]
    lin_all["minimum_shift_pay"] = np.r_[np.zeros(n, dtype="int64"), per_shift["minimum_shift_pay"].to_numpy(dtype="int64")]
    order = np.argsort(inv, kind="stable")
    _, linear = _group_sums(inv, lin_all, order)
    keys_all = uniq // kinds
    keys, constant = _group_sums(seg_key, {c: np.asarray(v, dtype="int64") for c, v in const.items()})
    if len(keys) < len(np.unique(shift_key)):  # a period with a shift but no segment cannot happen
        raise AssertionError("per-shift premium booked to a period without segments")
    return RateCoefficients(keys, s.emp_names, span, lo, np.searchsorted(keys, keys_all), (uniq % kinds).astype("int64"),
                            linear, constant, tuple(d.name for d in policy.differential), policy)
