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
   State law (double time, the seventh day, consecutive hours) is the same count over ordered
   tiers, each minute paid once at its highest tier (:mod:`.overtime`).
4. **Lines.** Sums per employee and workweek (or 14-day 8-and-80 period), the FLSA regular rate
   (29 CFR 778.109, 778.115, 778.207(b), 778.223), the overtime premium, each component rounded
   once, half-up, to the cent.
"""

from __future__ import annotations

import dataclasses
import math

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import numpy as np
from numpy.typing import ArrayLike
import pandas as pd

from .money import AMOUNT_PER_CENT, DAYS_PER_WEEK, FACTOR_SCALE, MINUTES_PER_HOUR, cents_half_up, factor_units, rate_units, scaled
from ..models.policy import Differential, Overtime, Policy
from .calendar import Calendar, build_calendar, weekday_of
from .overtime import depends_on_rate, double_time, tier_minutes
from .overtime import running_excess as _running_excess  # noqa: F401  (the name tests and older callers use)

WORKED_KINDS = ("work", "callback")
KINDS = ("work", "on_call", "callback")

#: Each rule the engine pays by: its name on the ``--detail`` audit trail and its citation
#: (report.audit_frame puts both on every segment). A differential's own ``citation`` in the
#: policy replaces the generic one.
RULES = {
    "base": ("base pay", "29 CFR 778.109"),  # the regular rate: base + differentials + standby
    "differential": ("differential", "29 CFR 778.207(b)"),  # part of the regular rate
    "holiday": ("holiday premium", "29 CFR 778.203(b), 778.219"),  # excluded from the regular rate
    "standby": ("standby pay", "29 CFR 778.223, 785.17"),  # part of the regular rate
    "callback": ("call-back premium", "29 CFR 778.221"),  # excluded from the regular rate
    "minimum_shift": ("minimum shift pay", "29 CFR 778.220"),  # reporting pay: excluded
    "daily_overtime": ("daily overtime", "29 CFR 778.102, 778.202(a)"),  # by contract
    "weekly_overtime": ("weekly overtime", "29 U.S.C. 207(a), 29 CFR 778.107"),  # over 40 h in the workweek
    "8_and_80": ("8-and-80 overtime", "29 U.S.C. 207(j), 29 CFR 778.601"),  # over 8 h a day / 80 h in 14 days
    "seventh_day_overtime": ("seventh-day overtime", "Cal. Lab. Code 510(a)"),  # the 7th consecutive day in the workweek
    "consecutive_overtime": ("consecutive-hours overtime", "7 CCR 1103-1 Rule 4.1.1(C)"),  # over N consecutive hours
}
#: An overtime tier's kind -> its RULES entry (the citation of a tier that names none).
TIER_RULES = {"daily": "daily_overtime", "weekly": "weekly_overtime", "seventh_day": "seventh_day_overtime",
              "consecutive": "consecutive_overtime"}

#: Columns the engine expects on its ``shifts`` input.
SHIFT_COLUMNS = ("employee_id", "kind", "start_at", "end_at", "rate_units", "row")


@dataclass(frozen=True)
class PayResult:
    lines: pd.DataFrame  # one row per employee and period; money in whole cents (int64)
    segments: pd.DataFrame  # the audit trail: one row per segment with the rules that paid it
    differential_names: tuple[str, ...]
    employee_ids: np.ndarray | None = None  # segments["employee"] indexes this (sorted ids)
    policy: Policy | None = None  # the policy that priced the segments (the audit trail's citations)
    days: tuple[int, int] | None = None  # first and last local date worked (days since 1970-01-01)


def split_segments(shifts: pd.DataFrame, cal: Calendar, order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Cut shifts at the calendar's edges; one output row per piece, ``shift`` = input position.

    ``order`` (a permutation of the shifts) sets the order the pieces come out in.
    """
    s = shifts["start_at"].to_numpy(dtype="int64")
    e = shifts["end_at"].to_numpy(dtype="int64")
    return _pieces(s, e, cal.cuts, np.arange(len(s)) if order is None else order)[0]


def _pieces(s: np.ndarray, e: np.ndarray, cuts: np.ndarray, order: np.ndarray
            ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of shifts ``[s, e)`` between ``cuts``, shift by shift in ``order``.

    Returns the pieces (``shift`` = position in ``s`` of each), the stretch between cuts each
    piece lies in (an index into :meth:`Calendar.interval_instants`), per shift (in ``order``)
    the stretch of its start, and per piece the position of its shift in ``order`` (to spread
    per-shift values: a gather, cheaper than one ``np.repeat`` per value).

    Piece k of a shift lies in stretch ``i0 + k``: its start is the shift's start (k = 0) or
    ``cuts[i0 + k - 1]``, its end ``cuts[i0 + k]`` or the shift's end.
    """
    # searched in the input order (usually by time: numpy's searchsorted is fastest on sorted
    # values), then put in the given order
    i0 = np.searchsorted(cuts, s, side="right")[order]  # first cut strictly after start
    i1 = np.searchsorted(cuts, e, side="left")[order]  # first cut at or after end
    s, e = s[order], e[order]
    n = i1 - i0
    n += 1
    ends = np.cumsum(n)  # one past each shift's last piece
    firsts = ends - n
    owner = np.repeat(np.arange(len(s)), n)  # position (in the given order) of each piece's shift
    # in place where it can be: every piece-length array is tens of MB of fresh memory
    piece = np.arange(len(owner))
    piece -= firsts[owner]
    stretch = i0[owner]
    stretch += piece
    seg_e = cuts.take(stretch, mode="clip")  # the cut that ends the piece (the last: the shift's end)
    if n.min(initial=1) <= 0:  # a zero-minute shift exactly on a cut has no piece
        has = n > 0
        firsts, ends, s, e = firsts[has], ends[has], s[has], e[has]
    seg_e[ends - 1] = e
    seg_s = np.empty_like(seg_e)  # a piece starts where the one before it ends (the first: the shift's start)
    seg_s[1:] = seg_e[:-1]
    seg_s[firsts] = s
    seg = {"shift": order[owner], "piece": piece, "seg_start": seg_s, "seg_end": seg_e,
           "minutes": seg_e - seg_s}
    return seg, stretch, i0, owner


def period_start_day(days: np.ndarray, policy: Policy) -> np.ndarray:
    """First date of the workweek (or 8-and-80 period) containing each date.

    The length of the period is the policy's (``Overtime.period_days``: 14 for 8-and-80, 7
    otherwise); a weekly period starts on the policy's workweek day, an 8-and-80 period on its
    ``period_start`` anchor (29 CFR 778.105, 778.601).
    """
    ot = policy.overtime
    if ot is not None and ot.system == "8_and_80":
        anchor = np.datetime64(ot.period_start, "D").astype("int64")
        return days - ((days - anchor) % ot.period_days)
    length = ot.period_days if ot is not None else DAYS_PER_WEEK
    return days - ((weekday_of(days) - policy.workweek.start_index) % length)


def _eligible(diff: Differential, in_win: np.ndarray, seg: Mapping[str, np.ndarray], worked: np.ndarray, n_shifts: int) -> np.ndarray:
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
        ok = inside >= float(cast(Decimal, diff.min_hours)) * MINUTES_PER_HOUR  # the policy requires it for this rule
    return ok[shift]


#: The shift column with the first local day (days since 1970-01-01) on which the employee holds a
#: credential; absent, or this sentinel, = not held. Filled by the pay job from the roster.
CREDENTIAL_COLUMN = "certified_day:{}"
CREDENTIAL_UNTIL = "certified_until:{}"  # last local day held (NOT_HELD = no end)
NOT_HELD = 2**40  # days: far past any date, and exact through a float (pandas maps fill with NaN)


def credential_since(shifts: pd.DataFrame, credential: str) -> tuple[np.ndarray, np.ndarray]:
    """Per shift: the first and last day the employee holds ``credential`` (NOT_HELD: never / no end)."""
    col, until = CREDENTIAL_COLUMN.format(credential), CREDENTIAL_UNTIL.format(credential)
    never = np.full(len(shifts), NOT_HELD, dtype="int64")
    since = shifts[col].to_numpy(dtype="int64") if col in shifts else never
    last = shifts[until].to_numpy(dtype="int64") if until in shifts else never
    return since, last


def compute_pay(shifts: pd.DataFrame, policy: Policy, calendar: Calendar | None = None, audit: bool = True) -> PayResult:
    """Pay every shift by the policy. ``shifts`` must already be validated (no overlaps, rates set).

    ``shifts`` columns: ``employee_id`` (str), ``kind`` (work|on_call|callback), ``start_at`` and
    ``end_at`` (int64 UTC minutes, see :mod:`.calendar`), ``rate_units`` (int64 base rate in
    $0.0001/h), ``row`` (the source row, for the audit trail); optional ``role`` (needed by a
    differential limited with ``roles``). ``audit=False``: the pay lines only, no segment table.
    """
    diff_names = tuple(d.name for d in policy.differential)
    if len(shifts) == 0:
        return PayResult(_empty_lines(diff_names, tier_columns(policy)), pd.DataFrame(), diff_names)
    return price_segments(segment_shifts(shifts, policy, calendar), audit=audit)


@dataclass(frozen=True)
class Segmented:
    """Everything about the shifts that does not depend on their base rates.

    Costing re-prices the same shifts at many rates (``peerpay cost``): the minutes, windows,
    holidays and overtime minutes are computed once here, and :func:`price_segments` applies
    a rate vector. Arrays are per segment (in employee-then-time order) unless named ``shift_*``.
    One exception: an overtime tier with a rate condition (Nevada) depends on the rate, and
    :func:`price_segments` recounts overtime (:meth:`recount_overtime`) when given other rates.
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
    emp: np.ndarray | None = None  # per segment: emp_codes of its shift (None: look it up)
    shift_kind: np.ndarray | None = None  # per shift: code into KINDS (None: read shifts["kind"])
    tier_ot: tuple = ()  # per overtime tier (policy.overtime.tiers order): the minutes it pays, per segment
    shift_day: np.ndarray | None = None  # per shift: the date it starts on (its workday)

    def subset(self, keep_shift: np.ndarray) -> Segmented:
        """Only the segments of the shifts where ``keep_shift`` is true (order kept)."""
        m = keep_shift[self.seg["shift"]]
        return Segmented(
            self.policy, self.shifts, self.emp_names, self.emp_codes,
            {k: np.asarray(v)[m] for k, v in self.seg.items()}, self.kind_codes[m], self.worked[m], self.day[m],
            self.period[m], {k: v[m] for k, v in self.in_window.items()}, self.holiday[m], self.daily_ot[m],
            self.weekly_ot[m], self.shift_period, None if self.emp is None else self.emp[m], self.shift_kind,
            tuple(t[m] for t in self.tier_ot), self.shift_day,
        )

    def recount_overtime(self, shift_rates: np.ndarray, policy: Policy | None = None) -> Segmented:
        """The same segments with their overtime counted again at other base rates: only for a tier
        whose minutes depend on the rate (Nevada's daily overtime below 1.5 x the minimum wage)."""
        sh = np.asarray(self.seg["shift"])
        emp = self.emp if self.emp is not None else self.emp_codes[sh]
        probe = {"minutes": self.seg["minutes"], "seg_start": self.seg["seg_start"], "seg_end": self.seg["seg_end"],
                 "period_start": self.period}
        daily, weekly, tiers = _overtime_minutes(probe, cast(np.ndarray, self.shift_day)[sh], self.worked, emp, policy or self.policy,
                                                 by_employee_and_time=True,
                                                 rate=np.asarray(shift_rates, dtype="int64")[sh])
        return dataclasses.replace(self, daily_ot=daily, weekly_ot=weekly, tier_ot=tiers)


def employee_codes(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the sorted distinct ids, and those ids as Python strings.

    The same as ``pd.factorize(ids, sort=True)`` of an object column, for object, arrow ``str``
    and Categorical columns alike: the fast loaders hand over arrow strings or categories, and
    factorising those first and sorting only the distinct ids is many times cheaper.
    """
    if ids.dtype == object:
        codes, uniques = pd.factorize(ids, sort=True)
        return codes, np.asarray(uniques, dtype=object)
    codes, uniques = pd.factorize(ids)
    return sorted_codes(codes, np.asarray(uniques, dtype=object))


def sorted_codes(codes: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into ``names`` -> codes into the names sorted in Python's string order (as an object
    column's ``pd.factorize(sort=True)`` sorts), and those sorted names; -1 stays -1."""
    rank = np.argsort(names, kind="stable")
    new_code = np.empty(len(rank), dtype="int64")
    new_code[rank] = np.arange(len(rank))
    return np.where(codes < 0, codes, new_code[codes]), names[rank]


def kind_codes(kinds: pd.Series) -> np.ndarray:
    """Each shift's position in KINDS (int8; -1: none), from object, arrow or Categorical text."""
    codes, uniques = pd.factorize(kinds)
    lookup = [KINDS.index(k) if k in KINDS else -1 for k in np.asarray(uniques, dtype=object)]  # a few kinds
    return np.array([*lookup, -1], dtype="int8")[codes]


def _is_in(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """``values`` in ``wanted``, per row, testing each distinct value once (missing: False)."""
    codes, uniques = pd.factorize(values)
    return np.r_[np.isin(np.asarray(uniques, dtype=object), list(wanted)), False][codes]


def _by_employee_then_start(emp_codes: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The stable order by employee, then start (ties keep the input order)."""
    if len(start) == 0:
        return np.arange(0)
    if np.all(start[1:] >= start[:-1]):
        # a timesheet in time order (the usual one): a stable sort on the employee alone, which
        # numpy does as a radix sort for 16-bit codes
        small = emp_codes.astype("int16") if int(emp_codes.max()) < 2**15 else emp_codes
        return np.argsort(small, kind="stable")
    lo, span = int(start.min()), int(start.max()) - int(start.min()) + 1
    if (int(emp_codes.max()) + 1) * span < 2**62:  # one packed int64 key
        return np.argsort(emp_codes.astype("int64") * span + (start - lo), kind="stable")
    return np.lexsort((start, emp_codes))


def segment_shifts(shifts: pd.DataFrame, policy: Policy, calendar: Calendar | None = None) -> Segmented:
    """Cut shifts into segments and find everything rate-independent: windows, holidays, overtime minutes.

    Segments come out by employee, then time: the order overtime is counted in and lines summed
    in. A rule of the instant alone (local date, workweek, holiday, window) is evaluated once per
    stretch between two calendar cuts and looked up per segment, never searched per segment.
    """
    shifts = shifts.reset_index(drop=True)
    start = shifts["start_at"].to_numpy(dtype="int64")
    end = shifts["end_at"].to_numpy(dtype="int64")
    cal = calendar or build_calendar(policy, int(start.min()), int(end.max()))
    emp_codes, emp_names = employee_codes(shifts["employee_id"])
    by_employee = _by_employee_then_start(emp_codes, start)
    seg, stretch, first_stretch, owner = _pieces(start, end, cal.cuts, by_employee)
    sh = seg["shift"]
    shift_kind = kind_codes(shifts["kind"])
    kind = shift_kind[by_employee][owner]
    worked = kind != KINDS.index("on_call")
    emp = emp_codes[by_employee][owner]

    at = cal.interval_instants()
    day_at = cal.day_of(at)
    period_at = period_start_day(day_at, policy)
    day, period = day_at[stretch], period_at[stretch]
    shift_day, shift_period = np.empty(len(shifts), dtype="int64"), np.empty(len(shifts), dtype="int64")
    shift_day[by_employee] = day_at[first_stretch]  # the date each shift starts on
    shift_period[by_employee] = period_at[first_stretch]
    in_window = {}
    for d in policy.differential:
        in_win = _eligible(d, cal.in_window(d.name, at)[stretch], seg, worked, len(shifts)) & worked
        if d.roles is not None:
            # a differential for some roles only: a shift of another (or no) role earns none of it
            allowed = _is_in(shifts["role"], d.roles) if "role" in shifts else np.zeros(len(shifts), bool)
            in_win &= allowed[sh]
        if d.credential is not None:
            since, until = credential_since(shifts, d.credential)
            in_win &= (day >= since[sh]) & (day <= until[sh])
        in_window[d.name] = in_win
    holiday = np.isin(day_at, cal.holidays)[stretch] & worked
    probe = {"minutes": seg["minutes"], "seg_start": seg["seg_start"], "seg_end": seg["seg_end"], "period_start": period}
    workday = day_at[first_stretch][owner]  # the date each segment's shift starts on
    ot = policy.overtime
    tiers = ot.tiers if ot is not None else ()
    rate = shifts["rate_units"].to_numpy(dtype="int64")[sh] if depends_on_rate(tiers) else None
    daily_ot, weekly_ot, tier_ot = _overtime_minutes(probe, workday, worked, emp, policy, by_employee_and_time=True,
                                                     rate=rate)
    return Segmented(policy, shifts, emp_names, emp_codes, seg, kind, worked, day, period, in_window, holiday,
                     daily_ot, weekly_ot, shift_period, emp, shift_kind, tier_ot, shift_day)


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
    ot = policy.overtime
    tiers = ot.tiers if ot is not None else ()
    if shift_rates is not None and depends_on_rate(tiers):
        s = s.recount_overtime(np.asarray(shift_rates, dtype="int64"), policy)  # all shifts: a week's count needs them
    if keep_shift is not None:
        s = s.subset(keep_shift)
    own_rates = shift_rates is None  # the shifts' own rates (costing re-prices at others: no out-of-class split)
    shift_rates = shifts["rate_units"].to_numpy(dtype="int64") if shift_rates is None else np.asarray(shift_rates, dtype="int64")
    seg = dict(s.seg)
    sh = np.asarray(seg["shift"])
    worked = s.worked
    mins = np.asarray(seg["minutes"], dtype="int64")
    rate = shift_rates[sh]
    emp = s.emp if s.emp is not None else s.emp_codes[sh]
    seg["employee"] = emp  # code into PayResult.employee_ids: strings per segment are slow
    if audit:
        seg["row"] = shifts["row"].to_numpy()[sh]
        seg["kind"] = pd.Categorical.from_codes(s.kind_codes, categories=KINDS)
        seg["date"] = s.day
    seg["period_start"] = s.period
    if audit:
        seg["rate_units"] = rate
    worked_mins = np.where(worked, mins, 0)

    # Base pay: every worked minute at its base rate. A minute of out-of-class work (its shift's
    # rate is the duty role's, docs/out-of-class.md) is base pay at the own rate plus out-of-class
    # pay for the rest: both are straight time, in the regular rate (29 CFR 778.115).
    base = rate * worked_mins
    base *= FACTOR_SCALE
    if own_rates and "home_rate_units" in shifts:
        home = shifts["home_rate_units"].to_numpy(dtype="int64")[sh]
        seg["out_of_class"] = (rate - home) * worked_mins * FACTOR_SCALE
        seg["out_of_class_minutes"] = np.where(shifts["out_of_class"].to_numpy(dtype=bool)[sh], worked_mins, 0)
        base = base - seg["out_of_class"]
    seg["base"] = base

    # Differentials: per-minute amount of each, then the highest within each group.
    def offered(d: Differential) -> np.ndarray:
        if d.per_hour is not None:
            amount: int | np.ndarray = rate_units(d.per_hour) * FACTOR_SCALE
        else:
            amount = rate * scaled(cast(Decimal, d.percent) / 100, FACTOR_SCALE)  # the policy sets one of the two
        return np.where(s.in_window[d.name], amount, 0)

    groups: dict[str, list[Differential]] = {}
    for d in policy.differential:
        groups.setdefault(d.group or f"\0{d.name}", []).append(d)
    per_minute = {}
    for members in groups.values():
        if 1 < len(members) <= _TABLE_MEMBERS and all(m.per_hour is not None for m in members):
            # $/h members only: who wins depends only on which windows a segment is in, so the
            # contest is decided once per combination of windows and looked up per segment
            combination = np.zeros(len(sh), dtype="int16")
            for i, m in enumerate(members):
                combination |= s.in_window[m.name].astype("int16") << i
            amounts = [rate_units(cast(Decimal, m.per_hour)) * FACTOR_SCALE for m in members]
            for m, paid in zip(members, _group_winners(amounts)):
                per_minute[m.name] = paid[combination]
            continue
        for m, paid in zip(members, _highest_wins([offered(m) for m in members])):
            per_minute[m.name] = paid
    for name in diff_names:
        per_minute[name] *= worked_mins
        seg[f"diff:{name}"] = per_minute[name]

    # Holiday premium on worked minutes of holiday dates (few: computed where it is due).
    seg["holiday"] = s.holiday
    holiday_premium = np.zeros(len(sh), dtype="int64")
    if policy.holiday is not None:
        extra = factor_units(policy.holiday.multiplier) - FACTOR_SCALE
        due = np.flatnonzero(s.holiday)
        holiday_premium[due] = rate[due] * extra * mins[due]
    seg["holiday_premium"] = holiday_premium

    # Standby pay on every on_call minute.
    oc = policy.on_call
    standby_u = rate_units(oc.standby_per_hour) if oc else 0
    seg["standby"] = np.where(worked, 0, standby_u * FACTOR_SCALE * mins)

    # Overtime minutes (computed once, chronologically within workdays and periods).
    seg["daily_ot"], seg["weekly_ot"] = s.daily_ot, s.weekly_ot
    if ot is not None and ot.tiered:
        for t, paid in zip(tiers, s.tier_ot):
            seg[f"ot:{t.name}"] = paid
    if ot is not None and ot.basis == "base_rate":
        seg["ot_base"] = rate * _weighted_overtime(s, policy)
    else:
        seg["ot_base"] = np.zeros(len(sh), dtype="int64")

    # Per-shift premiums, booked to the period in which the shift starts.
    shift_kind = s.shift_kind if s.shift_kind is not None else kind_codes(shifts["kind"])
    per_shift = _shift_premiums(shifts, policy, shift_rates, shift_kind)
    shift_emp, shift_period = s.emp_codes, s.shift_period
    if keep_shift is not None:
        per_shift = {c: v[keep_shift] for c, v in per_shift.items()}
        shift_emp, shift_period = shift_emp[keep_shift], shift_period[keep_shift]
    lines = _lines(seg, worked_mins, emp, per_shift, shift_emp, shift_period, s.emp_names, diff_names, policy)
    days = (int(s.day.min()), int(s.day.max())) if len(s.day) else None
    return PayResult(lines, pd.DataFrame(seg, copy=False) if audit else pd.DataFrame(), diff_names, s.emp_names, policy, days)


def _weighted_overtime(s: Segmented, policy: Policy) -> np.ndarray:
    """Per segment: sum over the overtime tiers of (multiplier - 1) x the minutes each pays, in factor
    units (x the base rate: the premium of ``basis = "base_rate"``)."""
    ot = cast(Overtime, policy.overtime)
    if not ot.tiered:
        return (factor_units(ot.multiplier) - FACTOR_SCALE) * (np.asarray(s.daily_ot) + np.asarray(s.weekly_ot))
    out = np.zeros(len(s.daily_ot), dtype="int64")
    for t, paid in zip(ot.tiers, s.tier_ot):
        out += (factor_units(t.multiplier) - FACTOR_SCALE) * paid
    return out


def tier_columns(policy: Policy) -> tuple[str, ...]:
    """The overtime tiers' names when the pay lines show hours per tier (a tiered policy), else ()."""
    ot = policy.overtime
    return tuple(t.name for t in ot.tiers) if ot is not None and ot.tiered else ()


def _highest_wins(offered: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Within a differential group, per segment: the highest offered amount is paid, a tie goes
    to the first declared, every other member pays nothing (a running maximum, strict >).

    The one rule for pricing (:func:`price_segments`) and re-pricing (:func:`rate_coefficients`);
    :func:`_group_winners` tabulates the same rule for groups of $/h members only.
    """
    if len(offered) < 2:
        return list(offered)
    best, winner = offered[0], np.zeros(len(offered[0]), dtype="int8")
    for i, amount in enumerate(offered[1:], 1):
        higher = amount > best
        best = np.where(higher, amount, best)
        winner[higher] = i
    return [np.where(winner == i, amount, 0) for i, amount in enumerate(offered)]


_TABLE_MEMBERS = 8  # a group of up to this many $/h differentials is decided by table (2^8 entries)


def _group_winners(amounts: Sequence[int]) -> list[np.ndarray]:
    """Per member of a differential group, its per-minute amount for each combination of windows.

    Combination ``c`` has member ``i`` in its window when bit ``i`` of ``c`` is set. The rule is
    price_segments' own: the highest amount wins, a tie goes to the first declared (a running
    maximum with strict >), every other member pays nothing.
    """
    paid = [np.zeros(2 ** len(amounts), dtype="int64") for _ in amounts]
    for c in range(2 ** len(amounts)):  # at most 256 combinations, not rows
        offered = [a if c >> i & 1 else 0 for i, a in enumerate(amounts)]
        winner = 0
        for i in range(1, len(offered)):
            if offered[i] > offered[winner]:
                winner = i
        paid[winner][c] = offered[winner]
    return paid


def _overtime_minutes(seg: Mapping[str, np.ndarray], workday: np.ndarray, worked: np.ndarray, emp: np.ndarray, policy: Policy,
                      by_employee_and_time: bool = False,
                      rate: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Overtime minutes per segment, counted chronologically per employee (:mod:`.overtime`).

    Returns the minutes of the day tiers (daily, seventh day, consecutive) and of the weekly
    tiers, and each tier's own (in ``policy.overtime.tiers`` order). ``rate``: base rate units
    per segment (needed by a tier with a rate condition).
    ``by_employee_and_time``: the segments are grouped by employee (as segment_shifts makes
    them), so only the time order within an employee needs checking.
    """
    ot = policy.overtime
    n = len(seg["minutes"])
    if ot is None:
        zeros = np.zeros(n, dtype="int64")
        return zeros, zeros, ()
    tiers = ot.tiers
    starts = np.asarray(seg["seg_start"])
    order = np.flatnonzero(worked)
    e, t = emp[order], starts[order]
    if by_employee_and_time:
        in_order = bool(np.all((t[1:] >= t[:-1]) | (e[1:] != e[:-1])))
    else:
        in_order = bool(np.all((e[1:] > e[:-1]) | ((e[1:] == e[:-1]) & (t[1:] >= t[:-1]))))
    if not in_order:
        order = np.lexsort((starts, emp))  # not in employee-then-time order: sort (never wrong)
        order = order[worked[order]]
        e = emp[order]
    week = np.asarray(seg["period_start"])
    kinds = {t.kind for t in tiers}
    paid = tier_minutes(tiers, ot.minimum_wages, minutes=np.asarray(seg["minutes"], dtype="int64")[order], start=starts[order],
                        end=np.asarray(seg["seg_end"])[order] if "consecutive" in kinds else None, emp=e,
                        workday=workday[order], week=week[order], rate=None if rate is None else rate[order],
                        week_anchor=int(period_start_day(np.zeros(1, dtype="int64"), policy)[0]))
    zeros = np.zeros(n, dtype="int64")  # shared by every tier that pays nothing (a seventh day is rare)
    per_tier = []
    for p in paid:
        nz = np.flatnonzero(p)
        if len(nz) == 0:
            per_tier.append(zeros)
            continue
        out = np.zeros(n, dtype="int64")
        if 4 * len(nz) < len(p):  # overtime is on few segments: write those only
            out[order[nz]] = p[nz]
        else:
            out[order] = p
        per_tier.append(out)

    def total(arrays: list[np.ndarray]) -> np.ndarray:
        paying = [a for a in arrays if a is not zeros]
        if len(paying) <= 1:
            return paying[0] if paying else zeros
        out = paying[0].copy()
        for a in paying[1:]:
            out += a
        return out

    d_out = total([p for p, t in zip(per_tier, tiers) if t.by_day])
    w_out = total([p for p, t in zip(per_tier, tiers) if not t.by_day])
    return d_out, w_out, tuple(per_tier)


def _shift_premiums(shifts: pd.DataFrame, policy: Policy, rate: np.ndarray, shift_kind: np.ndarray) -> dict[str, np.ndarray]:
    """Call-back premium and minimum-shift pay per shift: rules about a whole row, not its minutes.

    ``shift_kind``: each shift's code into KINDS (:func:`kind_codes`).
    """
    actual = shifts["end_at"].to_numpy(dtype="int64") - shifts["start_at"].to_numpy(dtype="int64")
    is_callback = shift_kind == KINDS.index("callback")
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
        factor = factor_units(oc.callback_multiplier)
        if len(rate) and (np.abs(rate).astype("float64") * factor * paid).max() >= 2.0**60:
            # would overflow int64 (as the overtime premium guards in _money_lines): Python ints, exact
            r = rate.astype(object)
            premium = r * factor * paid.astype(object) - r * FACTOR_SCALE * actual.astype(object)
        else:
            premium = rate * factor * paid - rate * FACTOR_SCALE * actual
        callback = np.where(is_callback, premium, 0)
    minimum_shift = np.zeros(len(shifts), dtype="int64")
    if ms is not None:
        floor = int(ms.hours * MINUTES_PER_HOUR)
        covered = np.isin(shift_kind, [KINDS.index(k) for k in ms.kinds if k in KINDS]) & ~(is_callback & (oc is not None))
        short = covered & (actual < floor)
        minimum_shift = np.where(short, rate * FACTOR_SCALE * (floor - actual), 0)
    return {"callback_premium": callback, "minimum_shift_pay": minimum_shift}


def _empty_lines(diff_names: Iterable[str], tiers: Sequence[str] = ()) -> pd.DataFrame:
    """The pay lines of no shift; ``tiers``: :func:`tier_columns` of the policy."""
    cols = ["employee_id", "week_start", "worked_minutes", "on_call_minutes", "overtime_minutes", "base_pay"]
    cols += [f"diff:{n}" for n in diff_names]
    cols += ["holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium",
             "regular_rate_num", "regular_rate_den", "gross_pay"]
    if tiers:
        cols += ["double_time_minutes", *(f"ot:{t}" for t in tiers)]
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in cols}).astype({"employee_id": object, "week_start": "datetime64[s]"})


def _group_sums(key: np.ndarray, columns: dict[str, np.ndarray], order: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Exact int64 sums of each column per distinct ``key`` (returned sorted).

    ``order``, when given, is a permutation that sorts ``key``. Without it, a ``key`` that is
    already sorted (segments come by employee, then time) is summed in place, unsorted keys
    are sorted first.
    """
    step = np.diff(key)
    if order is None and step.min(initial=0) >= 0:
        k = key
    else:
        if order is None:
            order = np.argsort(key, kind="stable")
        k = key[order]
        step = np.diff(k)
        columns = {c: _exact(v)[order] for c, v in columns.items()}
    first = np.r_[0, np.flatnonzero(step) + 1] if len(k) else np.array([], dtype="int64")
    sums = {c: np.add.reduceat(_exact(v), first) if len(k) else _exact(v)[:0] for c, v in columns.items()}
    return k[first], sums


def _exact(values: ArrayLike) -> np.ndarray:
    """int64, or the object array of Python ints a premium past the int64 guard comes in."""
    v = np.asarray(values)
    return v if v.dtype == object else v.astype("int64", copy=False)


def _lines(seg: Mapping[str, np.ndarray], worked_mins: np.ndarray, emp: np.ndarray, per_shift: Mapping[str, np.ndarray],
           shift_emp: np.ndarray, shift_period: np.ndarray, emp_names: np.ndarray, diff_names: Sequence[str],
           policy: Policy) -> pd.DataFrame:
    """Sums per employee and period (exact int64, grouped on integer keys), then the money."""
    # one integer key per employee and period: employee code (sorted by id) x period day
    seg_period = np.asarray(seg["period_start"]).astype("int64", copy=False)
    shift_period = np.asarray(shift_period).astype("int64", copy=False)
    lo = int(seg_period.min()) if len(seg_period) else 0
    span = int(max(seg_period.max(), shift_period.max(initial=lo))) - lo + 1 if len(seg_period) else 1
    key = emp.astype("int64")  # a copy, so the key is built in place
    key *= span
    key += seg_period
    key -= lo
    tiers = tier_columns(policy)
    ot_cols = {f"ot:{t}": seg[f"ot:{t}"] for t in tiers} if tiers else {"daily_ot": seg["daily_ot"], "weekly_ot": seg["weekly_ot"]}
    unpaid = [c for c, v in ot_cols.items() if tiers and not np.asarray(v).any()]  # a tier that paid nothing: no sums
    cols = {"worked_minutes": worked_mins, "minutes": seg["minutes"], **{c: v for c, v in ot_cols.items() if c not in unpaid},
            "base": seg["base"], **{f"diff:{n}": seg[f"diff:{n}"] for n in diff_names},
            "holiday_premium": seg["holiday_premium"], "standby": seg["standby"]}
    if "out_of_class" in seg:  # out-of-class work: its pay and minutes (docs/out-of-class.md)
        cols["out_of_class"] = seg["out_of_class"]
        cols["out_of_class_minutes"] = seg["out_of_class_minutes"]
    base_rate_ot = policy.overtime is not None and policy.overtime.basis == "base_rate"
    if base_rate_ot:  # otherwise ot_base is all zeros and _money_lines does not read it
        cols["ot_base"] = seg["ot_base"]
    keys, g = _group_sums(key, cols)
    for c in unpaid:
        g[c] = np.zeros(len(keys), dtype="int64")
    g["on_call_minutes"] = g.pop("minutes") - g["worked_minutes"]
    if tiers:
        g["overtime_minutes"] = np.add.reduce([g[c] for c in ot_cols]) if len(keys) else np.zeros(0, dtype="int64")
    else:
        g["overtime_minutes"] = g.pop("daily_ot") + g.pop("weekly_ot")
    # per-shift premiums, booked to the period in which each shift starts (always a period
    # that has a segment: the shift's first one)
    premiums = {c: _exact(per_shift[c]) for c in ("callback_premium", "minimum_shift_pay")}
    for c, v in premiums.items():
        g[c] = np.zeros(len(keys), dtype=v.dtype)
    if len(shift_period) and any(v.any() for v in premiums.values()):
        # One shift's premium fits int64 (rate 1e8 x factor 1e5 x 1,440 min = 1.4e16), but a
        # period can hold thousands of one-minute call-backs each paid the minimum hours: when
        # the sum could pass int64, it is taken in Python integers (never on real data).
        exact = {c: v.astype(object) if float(np.abs(v).max(initial=0)) * len(v) >= 2.0**62 else v for c, v in premiums.items()}
        due = np.flatnonzero(np.logical_or.reduce([v != 0 for v in premiums.values()]))  # the shifts with a premium
        skeys, sg = _group_sums(shift_emp[due].astype("int64") * span + (shift_period[due] - lo),
                                {c: v[due] for c, v in exact.items()})
        at = np.searchsorted(keys, skeys)
        for c in premiums:
            if sg[c].dtype == object:
                g[c] = g[c].astype(object)
            g[c][at] += sg[c]
    return _money_lines(keys, g, emp_names, span, lo, diff_names, policy)


def _money_lines(keys: np.ndarray, g: dict[str, np.ndarray], emp_names: np.ndarray, span: int, lo: int, diff_names: Sequence[str],
                 policy: Policy) -> pd.DataFrame:
    """Per-period sums (exact units) -> the pay lines: regular rate, overtime premium, rounding."""
    ot = policy.overtime
    worked_m = g["worked_minutes"]
    ot_m = g["overtime_minutes"]
    diff_cols = [f"diff:{n}" for n in diff_names]
    regular = g["base"] + g["standby"]
    for c in diff_cols:
        regular = regular + g[c]
    out_of_class = "out_of_class" in g
    if out_of_class:  # straight time at the duty rate above the own rate: in the regular rate (778.115)
        regular = regular + g["out_of_class"]

    out = {
        "employee_id": np.asarray(emp_names)[keys // span],
        "week_start": (keys % span + lo).astype("datetime64[D]"),
        "worked_minutes": worked_m,
        "on_call_minutes": g["on_call_minutes"],
        "overtime_minutes": ot_m,
        "base_pay": cents_half_up(g["base"]),
        **{c: cents_half_up(g[c]) for c in diff_cols},
        "holiday_premium": cents_half_up(g["holiday_premium"]),
        "standby_pay": cents_half_up(g["standby"]),
        "callback_premium": cents_half_up(g["callback_premium"]),
        "minimum_shift_pay": cents_half_up(g["minimum_shift_pay"]),
    }
    if out_of_class:
        out["out_of_class_minutes"] = np.asarray(g["out_of_class_minutes"], dtype="int64")
        out["out_of_class_pay"] = cents_half_up(g["out_of_class"])
    if ot is None:
        premium = np.zeros(len(keys), dtype=object)
    elif ot.basis == "base_rate":
        premium = cents_half_up(g["ot_base"])
    else:
        # sum over tiers of (multiplier - 1) x regular rate x the tier's OT hours, with the regular
        # rate left unrounded: regular amount / worked minutes x weighted OT minutes, one exact
        # division at the end. The fraction is reduced by the gcd of the extras and FACTOR_SCALE x
        # AMOUNT_PER_CENT first (1.5x: 5,000 / 6e11 -> 1 / 1.2e8): the same value, rounded the
        # same, but the numerator of a real week (~6e12 x 600 min) stays in int64 instead of
        # falling to Python integers.
        if ot.tiered:
            parts = [(factor_units(t.multiplier) - FACTOR_SCALE, g[f"ot:{t.name}"]) for t in ot.tiers]
        else:
            parts = [(factor_units(ot.multiplier) - FACTOR_SCALE, ot_m)]
        scale = FACTOR_SCALE * AMOUNT_PER_CENT
        common = math.gcd(scale, *(extra for extra, _ in parts))
        scale //= common
        weighted = parts[0][1] * (parts[0][0] // common)
        for extra, minutes in parts[1:]:
            weighted = weighted + minutes * (extra // common)
        den = np.maximum(worked_m, 1) * scale
        if len(regular) and (np.abs(regular).astype("float64") * weighted).max() < 2.0**60:
            num = regular * weighted  # fits int64: exact
        else:
            num = regular.astype(object) * weighted.astype(object)
            den = den.astype(object)
        premium = np.where(ot_m > 0, cents_half_up(num, den), 0)
    out["overtime_premium"] = premium
    # Regular rate in $/h = regular amount x 60 / (worked minutes x AMOUNT_PER_DOLLAR); kept as a
    # fraction so that it is shown rounded only once.
    out["regular_rate_num"] = regular
    out["regular_rate_den"] = worked_m
    money = ["base_pay", *diff_cols, "holiday_premium", "standby_pay", "callback_premium",
             "minimum_shift_pay", *(["out_of_class_pay"] if out_of_class else []), "overtime_premium"]
    gross = np.zeros(len(keys), dtype="int64")
    for c in money:
        out[c] = np.asarray(out[c]).astype("int64")
        gross += out[c]
    out["gross_pay"] = gross
    if ot is not None and ot.tiered:  # hours per tier (and at double time) for the report
        out["double_time_minutes"] = np.zeros(len(keys), dtype="int64")
        for t in ot.tiers:
            if double_time(t):
                out["double_time_minutes"] = out["double_time_minutes"] + g[f"ot:{t.name}"]
        for t in ot.tiers:
            out[f"ot:{t.name}"] = np.asarray(g[f"ot:{t.name}"], dtype="int64")
    return pd.DataFrame(out)


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
    if policy.overtime is not None and depends_on_rate(policy.overtime.tiers):
        return None  # which minutes are overtime depends on the rate (Nevada): not linear in it
    sh = np.asarray(s.seg["shift"])
    mins = np.asarray(s.seg["minutes"], dtype="int64")
    worked_mins = np.where(s.worked, mins, 0)
    n = len(sh)
    lin = {"base": FACTOR_SCALE * worked_mins}
    const = {"worked_minutes": worked_mins, "on_call_minutes": np.where(s.worked, 0, mins),
             "overtime_minutes": s.daily_ot + s.weekly_ot}
    for t, paid in zip(tier_columns(policy), s.tier_ot):
        const[f"ot:{t}"] = paid
    unit = {}
    for d in policy.differential:  # the amount at a rate of 1 unit: the winner is the same at any rate
        if d.per_hour is not None:
            unit[d.name] = np.where(s.in_window[d.name], rate_units(d.per_hour) * FACTOR_SCALE, 0)
        else:
            unit[d.name] = np.where(s.in_window[d.name], scaled(cast(Decimal, d.percent) / 100, FACTOR_SCALE), 0)
    for members in groups.values():
        for m, paid in zip(members, _highest_wins([unit[m.name] for m in members])):
            unit[m.name] = paid
    for d in policy.differential:
        (const if d.per_hour is not None else lin)[f"diff:{d.name}"] = unit[d.name] * worked_mins
    lin["holiday_premium"] = (np.where(s.holiday, (factor_units(policy.holiday.multiplier) - FACTOR_SCALE) * mins, 0)
                              if policy.holiday is not None else np.zeros(n, dtype="int64"))
    oc = policy.on_call
    const["standby"] = np.where(s.worked, 0, (rate_units(oc.standby_per_hour) if oc else 0) * FACTOR_SCALE * mins)
    ot = policy.overtime
    lin["ot_base"] = (_weighted_overtime(s, policy) if ot is not None and ot.basis == "base_rate"
                      else np.zeros(n, dtype="int64"))
    # per-shift premiums at a rate of 1 unit (both are linear in the rate)
    ones = np.ones(len(s.shifts), dtype="int64")
    per_shift = _shift_premiums(s.shifts, policy, ones, s.shift_kind if s.shift_kind is not None else kind_codes(s.shifts["kind"]))

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
    lin_all["callback_premium"] = np.r_[np.zeros(n, dtype="int64"), per_shift["callback_premium"].astype("int64")]
    lin_all["minimum_shift_pay"] = np.r_[np.zeros(n, dtype="int64"), per_shift["minimum_shift_pay"].astype("int64")]
    order = np.argsort(inv, kind="stable")
    _, linear = _group_sums(inv, lin_all, order)
    keys_all = uniq // kinds
    keys, constant = _group_sums(seg_key, {c: np.asarray(v, dtype="int64") for c, v in const.items()})
    if len(keys) < len(np.unique(shift_key)):  # a period with a shift but no segment cannot happen
        raise AssertionError("per-shift premium booked to a period without segments")
    return RateCoefficients(keys, s.emp_names, span, lo, np.searchsorted(keys, keys_all), (uniq % kinds).astype("int64"),
                            linear, constant, tuple(d.name for d in policy.differential), policy)
