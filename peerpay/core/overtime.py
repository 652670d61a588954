"""Overtime minutes by tier: which worked minutes each overtime rule pays, each minute once.

A tier (:class:`peerpay.models.policy.OvertimeTier`) claims the minutes beyond its ``hours`` within
a group of worked minutes, counted in time order: a workday (``daily``), a workday that is the
Nth consecutive day worked in its workweek (``seventh_day``), a stretch of consecutive work
(``consecutive``) or the workweek (``weekly``). A running total crosses a threshold once, so
within one segment a tier's claim is always the segment's **last** minutes (a suffix). That
makes "each minute at the highest tier it reaches, once" exact with counts alone: on a segment,
the minutes paid at multiplier m or more are the longest claim among tiers of multiplier >= m.

Order of the rules (Cal. Lab. Code 510(a) as the Labor Commissioner applies it, DLSE Enforcement
Manual section 48; the FLSA's 29 CFR 778.202(c) for the classic daily + weekly pair):

1. the day tiers (daily, seventh_day, consecutive) claim their minutes; a minute claimed by
   several goes to the highest multiplier (a tie: the tier declared first);
2. the weekly tiers count only the minutes no day tier claimed (the straight-time minutes),
   and claim those beyond their hours; again the highest multiplier wins.

Worked example (California, Monday 06:00-20:00, 14 h, in a 44-hour week): daily_8 claims the
last 6 h, daily_12 the last 2 h; daily_12 (2.0) takes its 2 h, daily_8 (1.5) keeps 6 - 2 = 4 h;
8 straight hours count toward the week's 40, so the 44-hour week has 44 - 6 = 38 straight hours
and no weekly overtime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import cast

import numpy as np
import pandas as pd

from ..models.policy import MinimumWageStep, OvertimeTier
from .money import DAYS_PER_WEEK, MINUTES_PER_HOUR, factor_units, rate_units

#: employee code x this + a day number: one int64 key per employee and day (days < 1e6 after 1970)
DAY_KEY = 1_000_000


def running_excess(groups: np.ndarray, minutes: np.ndarray, threshold_minutes: int) -> np.ndarray:
    """Minutes of each (chronologically sorted) row beyond ``threshold`` within its group.

    A row's excess is ``clip(total - max(total before it, threshold), 0)``, its group's running
    total taken through the row; with no negative minutes that is ``min(minutes, max(total -
    threshold, 0))``, which the usual case (rows sorted by employee and time, so each group one
    run) computes in a few whole-array steps.
    """
    step = np.diff(groups)
    if len(groups) and step.min(initial=0) >= 0 and minutes.min() >= 0 and threshold_minutes >= 0:
        # segmented cumulative sum, exact in int64: the total through each row less the total
        # before its run and the threshold (running maxima spread the per-run amount, which
        # never decreases when no minutes are negative)
        cum = np.cumsum(minutes)
        run_start = np.r_[0, np.flatnonzero(step) + 1]
        offset = np.zeros_like(cum)
        offset[run_start] = cum[run_start] - minutes[run_start] + threshold_minutes
        cum -= np.maximum.accumulate(offset, out=offset)
        np.maximum(cum, 0, out=cum)
        return np.minimum(cum, minutes, out=cum)
    if len(groups) and step.min(initial=0) >= 0:
        cum = np.cumsum(minutes)
        run_start = np.r_[0, np.flatnonzero(step) + 1]
        cum -= np.repeat(cum[run_start] - minutes[run_start], np.diff(np.r_[run_start, len(groups)]))
    else:
        cum = np.array(pd.Series(minutes).groupby(groups, sort=False).cumsum(), dtype="int64")  # a writable copy
    before = cum - minutes
    np.maximum(before, threshold_minutes, out=before)
    cum -= before
    return np.maximum(cum, 0, out=cum)


def run_starts(groups: np.ndarray) -> np.ndarray | None:
    """Where each run of equal keys starts, or None when the keys are not non-decreasing (then
    a group may be split into several runs: :func:`running_excess` handles that)."""
    if not len(groups):
        return None
    step = np.diff(groups)
    if step.min(initial=0) < 0:
        return None
    return np.r_[0, np.flatnonzero(step) + 1]


def group_totals(run_start: np.ndarray, minutes: np.ndarray) -> np.ndarray | None:
    """Each row's running total within its group (``run_start``: :func:`run_starts` of the sorted
    keys; no negative minutes), or None when minutes are negative: then :func:`running_excess`
    is the way. Several thresholds over one grouping share it (:func:`excess_over`)."""
    if minutes.min(initial=0) < 0:
        return None
    cum = np.cumsum(minutes)
    offset = np.zeros_like(cum)
    offset[run_start] = cum[run_start] - minutes[run_start]
    cum -= np.maximum.accumulate(offset, out=offset)
    return cum


def excess_over(totals: np.ndarray, minutes: np.ndarray, threshold_minutes: int) -> np.ndarray:
    """:func:`running_excess` from :func:`group_totals`: min(minutes, max(total - threshold, 0))."""
    out = totals - threshold_minutes
    np.maximum(out, 0, out=out)
    return np.minimum(out, minutes, out=out)


def nth_consecutive_day(day_key: np.ndarray, at: np.ndarray, week_anchor: int, n: int) -> np.ndarray:
    """The rows whose workday is at least the ``n``-th consecutive calendar day worked within one
    workweek (California's seventh day: ``n`` = 7, every day of the workweek worked; days of the
    week before are not carried across its start). Returns row positions (few: seven days worked
    in one week are rare).

    ``day_key``: employee x DAY_KEY + workday per row, rows sorted by it; ``at``: where each run of
    equal keys starts (:func:`run_starts`); ``week_anchor``: a day on which a workweek starts.
    The next day of the same employee is the next key, and a workweek's first day breaks a run.
    """
    if len(at) == 0 or len(day_key) == 0:  # no worked minute (only on-call rows)
        return np.zeros(0, dtype="int64")
    k = day_key[at]
    breaks = np.r_[True, k[1:] != k[:-1] + 1]
    breaks |= (k % DAY_KEY - week_anchor) % DAYS_PER_WEEK == 0
    idx = np.arange(len(at))
    run_start = np.maximum.accumulate(np.where(breaks, idx, 0))
    days = np.flatnonzero(idx - run_start + 1 >= n)
    if len(days) == 0:
        return days
    first = at[days]
    count = np.r_[at, len(day_key)][days + 1] - first  # rows of each qualifying workday
    return np.repeat(first - np.cumsum(np.r_[0, count[:-1]]), count) + np.arange(int(count.sum()))


def stretches(emp: np.ndarray, start: np.ndarray, end: np.ndarray, break_minutes: int) -> np.ndarray:
    """A key per row (sorted by employee, then start): rows of one employee with gaps of at most
    ``break_minutes`` between them share a stretch of consecutive work."""
    if len(emp) == 0:
        return np.zeros(0, dtype="int64")
    new = np.r_[True, (emp[1:] != emp[:-1]) | (start[1:] - end[:-1] > break_minutes)]
    return np.cumsum(new)


def minimum_wage_units(steps: Sequence[MinimumWageStep], days: np.ndarray) -> np.ndarray:
    """The minimum wage (rate units) in force on each day (days since 1970-01-01); 0 before the first step."""
    if not steps:
        return np.zeros(len(days), dtype="int64")
    steps = sorted(steps, key=lambda s: s.effective_date)
    eff = np.array([np.datetime64(s.effective_date, "D").astype("int64") for s in steps], dtype="int64")
    units = np.array([0] + [rate_units(s.hourly) for s in steps], dtype="int64")
    return units[np.searchsorted(eff, days, side="right")]


def highest_wins(claims: Sequence[np.ndarray | tuple[np.ndarray, np.ndarray]], tiers: Sequence[OvertimeTier], n: int
                 ) -> tuple[list[np.ndarray], np.ndarray]:
    """Suffix claims -> the minutes each tier pays, and the minutes claimed at all (``n`` rows).

    By multiplier (highest first; a tie: the tier declared first), each tier keeps the part of
    its claim that the ones before it did not take. A claim is an array of ``n`` minutes, or a
    sparse ``(rows, minutes)`` pair (a seventh-day tier: few rows), combined on its rows only.
    """
    out: list[np.ndarray] = [np.zeros(0)] * len(claims)
    taken: np.ndarray | None = None
    owned = False  # taken is an array of our own (may be written in place)
    for i in sorted(range(len(claims)), key=lambda i: (-tiers[i].multiplier, i)):
        c = claims[i]
        if isinstance(c, tuple):
            rows, x = c
            before = taken[rows] if taken is not None else np.zeros(len(rows), dtype="int64")
            reached = np.maximum(x, before)
            out[i] = np.zeros(n, dtype="int64")
            out[i][rows] = reached - before
            if taken is None:
                taken, owned = np.zeros(n, dtype="int64"), True
            elif not owned:
                taken, owned = taken.copy(), True
            taken[rows] = reached
        elif taken is None:
            out[i], taken = c, c
        else:
            reached = np.maximum(c, taken)
            out[i] = reached - taken
            taken, owned = reached, True
    return out, cast(np.ndarray, taken)


def tier_minutes(tiers: Sequence[OvertimeTier], minimum_wages: Mapping[str, Sequence[MinimumWageStep]], *,
                 minutes: np.ndarray, start: np.ndarray, end: np.ndarray | None, emp: np.ndarray, workday: np.ndarray,
                 week_anchor: int, week: np.ndarray, rate: np.ndarray | None) -> list[np.ndarray]:
    """The minutes each tier pays, per worked segment; the segments in employee-then-time order.

    ``workday``: the date the segment's shift starts on; ``week_anchor``: a date on which a
    workweek starts; ``week``: the first date of the workweek the segment's minutes fall in (the
    one its overtime belongs to); ``rate``: base rate units per segment (only read by a tier with
    a rate condition). ``end`` may be None when no consecutive tier reads it.
    """
    out: list[np.ndarray] = [np.zeros(0)] * len(tiers)
    keys: dict = {}

    def day_key() -> np.ndarray:
        if "day" not in keys:
            k = emp.astype("int64")  # a copy, so the key is built in place
            k *= DAY_KEY
            k += workday
            keys["day"] = k
        return keys["day"]

    def day_runs() -> np.ndarray | None:
        if "day_runs" not in keys:
            keys["day_runs"] = run_starts(day_key())
        return keys["day_runs"]

    by_day = [i for i, t in enumerate(tiers) if t.by_day]
    claims = []
    for i in by_day:
        t = tiers[i]
        threshold = int(t.hours * MINUTES_PER_HOUR)
        if t.kind == "daily":
            if "day_totals" not in keys:  # daily tiers (8 and 12) share the workday's running totals
                starts = day_runs()
                keys["day_totals"] = None if starts is None else group_totals(starts, minutes)
            totals = keys["day_totals"]
            x = running_excess(day_key(), minutes, threshold) if totals is None else excess_over(totals, minutes, threshold)
        elif t.kind == "seventh_day":
            if ("nth", t.day) not in keys:
                starts = day_runs()
                if starts is None:  # not in employee-then-workday order (never from the engine): find the runs
                    starts = np.flatnonzero(np.r_[True, day_key()[1:] != day_key()[:-1]])
                keys[("nth", t.day)] = nth_consecutive_day(day_key(), starts, week_anchor, t.day)
            at = keys[("nth", t.day)]  # the rows of qualifying workdays: few (seven days in one week are rare)
            claim: np.ndarray | tuple = (at, running_excess(day_key()[at], minutes[at], threshold))
            if t.rate_below_minimum_wage_times is not None:  # the rate test reads every row
                dense = np.zeros(len(minutes), dtype="int64")
                dense[at] = claim[1]
                claim = _eligible(t, dense, minimum_wages, workday, rate)
            claims.append(claim)
            continue
        else:  # consecutive
            x = running_excess(stretches(emp, start, cast(np.ndarray, end), t.break_minutes), minutes, threshold)
        claims.append(_eligible(t, x, minimum_wages, workday, rate))
    straight = minutes
    if by_day:
        paid, taken = highest_wins(claims, [tiers[i] for i in by_day], len(minutes))
        for i, p in zip(by_day, paid):
            out[i] = p
        straight = minutes - taken
    weekly = [i for i, t in enumerate(tiers) if not t.by_day]
    if weekly:
        key = emp.astype("int64")
        key *= DAY_KEY
        key += week
        claims = [_eligible(tiers[i], running_excess(key, straight, int(tiers[i].hours * MINUTES_PER_HOUR)),
                            minimum_wages, workday, rate) for i in weekly]
        for i, p in zip(weekly, highest_wins(claims, [tiers[i] for i in weekly], len(minutes))[0]):
            out[i] = p
    return out


def _eligible(tier: OvertimeTier, claimed: np.ndarray, minimum_wages: Mapping[str, Sequence[MinimumWageStep]],
              workday: np.ndarray, rate: np.ndarray | None) -> np.ndarray:
    """A rate-conditioned tier (Nevada) pays only where the base rate is below its multiple of the
    minimum wage on the shift's date; the minutes still count toward its threshold."""
    if tier.rate_below_minimum_wage_times is None:
        return claimed
    steps = minimum_wages.get(tier.jurisdiction or "")
    if not steps:
        raise ValueError(f"overtime tier {tier.name!r} needs the minimum wage of {tier.jurisdiction}: read the policy "
                         "with peerpay.io.readers.read_policy, or give [overtime.minimum_wages]")
    if rate is None:
        raise ValueError(f"overtime tier {tier.name!r} depends on the base rate: rates are needed")
    limit = minimum_wage_units(steps, workday) * factor_units(tier.rate_below_minimum_wage_times)
    return np.where(rate.astype("int64") * factor_units(Decimal(1)) < limit, claimed, 0)


def depends_on_rate(tiers: Sequence[OvertimeTier]) -> bool:
    """Whether which minutes are overtime depends on the base rate (re-pricing must recount them)."""
    return any(t.rate_below_minimum_wage_times is not None for t in tiers)


def double_time(tier: OvertimeTier) -> bool:
    """Hours of this tier count as ``double_time_hours``: paid at twice the regular rate or more."""
    return tier.multiplier >= 2
