"""What a wage statute requires for a workweek, as the Wage and Hour Division computes it.

One formula per workweek (docs/backpay.md, "The FLSA measure"; docs/formats.md §6), over an *hours
table*: one row per stretch of hours worked (paid, unpaid or covered by a stipend) with its
local day, its workday, the amount it earns at its own rate, and the minimum wage of its day.

* **No overtime in the week** (H <= 40, or within 8 and 80 under 29 U.S.C. 207(j)): workweek
  averaging (29 CFR 776.4; *United States v. Klinghoffer Bros. Realty Corp.*, 2d Cir. 1960):

      required = sum over hours of MW(day) x hours
      due      = max(0, required - straight-time pay actually paid)

* **An overtime week**, two parts that never offset each other (29 U.S.C. 207(h)(1)):

      straight time required = sum over every hour of max(rate of the hour, MW(day)) x hours
                               + standby pay paid                                (29 CFR 778.315)
      straight time due      = max(0, straight time required - straight-time pay paid)
      regular rate RR        = (straight time required + the week's bonus share) / H
                                                                  (778.109, 778.209, 778.223)
      overtime required      = sum over overtime hours of (multiplier - 1) x RR x hours
      overtime due           = max(0, overtime required - premiums paid that are creditable
                                   under 207(h)(2): overtime premiums, and holiday or call-back
                                   premiums at 1.5x or more)

  The measure = straight time due + overtime due, computed exactly and rounded once, half-up.

**"The rate of the hour"** is the hour's straight-time rate under the policy: its base rate plus
every differential that covers it (the amount the pay engine gives the minute, before any
premium). Why: 29 CFR 778.315 asks for "all straight-time compensation due ... under the
contract", and a night or weekend differential is part of the agreed straight-time pay for that
hour (778.207(b)); standby pay, paid for on-call time rather than for an hour worked, is in the
regular rate (778.223) and is added to the week's straight time as a whole (an unpaid standby
hour is not hours worked: the contract measure claims it, the statutes do not). A stipend's hours are at the stipend's own
hourly equivalent for the week. The regular rate is then the one of the pay the week required,
which equals docs/formats.md §3's wherever every rate is at or above the minimum, and is never below
the minimum (778.107).

Worked example (tests/test_measures_handworked.py): $20/h, 40 h paid ($800), 5 unpaid hours:
H = 45, straight time 45 x 20 - 800 = $100, overtime 0.5 x 20 x 5 = $50, FLSA = $150 =
1.5 x $20 x 5.

**The overtime hook.** :func:`overtime_by_hour` turns an hours table into overtime minutes and
premium per row under an :class:`OvertimeRules`; the measures use nothing else about overtime.
:func:`federal_rules` gives the FLSA's (1.5 over 40, or over 8 and 80); :func:`state_rules` is
the one place a state's tiers (daily overtime, double time, the seventh day) come in: the preset
of the state the policy's overtime names (California, Alaska, Nevada, Colorado), else the FLSA's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..models.policy import MinimumWageStep, Overtime, OvertimeTier, Policy
from .engine import period_start_day
from .money import AMOUNT_PER_CENT, FACTOR_SCALE, MINUTES_PER_HOUR, cents_half_up, factor_units

#: Columns of an hours table (one row per stretch of hours worked, sorted by employee, then time).
HOURS_COLUMNS = ("week", "employee", "day", "workday", "minutes", "amount", "stipend")


# --------------------------------------------------------------------------- overtime rules (the hook)


@dataclass(frozen=True)
class OvertimeRules:
    """Statutory overtime: hours beyond ``daily_hours`` in a workday, then beyond ``period_hours``
    in the week (or 14-day period), at ``multiplier_units`` (FACTOR_SCALE = 1x)."""

    name: str
    citation: str
    period_hours: int | None = 40
    daily_hours: int | None = None
    multiplier_units: int = 15_000
    #: A state's ordered tiers (:class:`peerpay.models.policy.OvertimeTier`: daily, weekly, the
    #: seventh day, consecutive hours, double time), each minute once at its highest tier
    #: (:func:`peerpay.core.overtime.tier_minutes`). When given, they replace the thresholds above.
    tiers: tuple[OvertimeTier, ...] = ()
    #: jurisdiction -> minimum-wage series, for a tier with a rate condition (Nevada)
    minimum_wages: Mapping[str, tuple[MinimumWageStep, ...]] = field(default_factory=dict)
    #: a day number on which a workweek starts (the seventh-day tier counts days within it)
    week_anchor: int = 0

    @property
    def is_8_and_80(self) -> bool:
        return self.daily_hours is not None


FLSA_WEEKLY = OvertimeRules("FLSA: over 40 hours in the workweek", "29 U.S.C. 207(a)(1)")
FLSA_8_AND_80 = OvertimeRules("FLSA: over 8 hours in a workday and 80 in the 14-day period",
                              "29 U.S.C. 207(j); 29 CFR 778.601", period_hours=80, daily_hours=8)


def federal_rules(policy: Policy) -> OvertimeRules:
    """The FLSA's overtime for this policy: 8-and-80 where the policy uses that system, else 40 a week.

    The policy's own thresholds and multiplier are contract terms and do not change it.
    """
    ot = policy.overtime
    return FLSA_8_AND_80 if ot is not None and ot.system == "8_and_80" else FLSA_WEEKLY


def state_rules(policy: Policy, jurisdiction: str) -> OvertimeRules:
    """The state measure's overtime rules: the statute's tiers where the policy's overtime names a
    state (``[overtime] rules = "CA"``, or ``state = "CA"`` beside explicit tiers), else the FLSA's.

    The state's own preset is used, not the policy's tiers: a contract may pay more than the
    statute (its excess is the contract measure's), never less. California's alternative workweek
    schedule (Lab. Code 511) is part of the statute's rule where the policy adopts one. The state's
    minimum wage (``jurisdiction``) is applied by the measure itself; a state whose overtime the
    presets do not cover (or "FLSA") uses the FLSA's overtime (docs/backpay.md).
    """
    del jurisdiction  # the minimum wage's jurisdiction; the overtime law is the one the policy names
    ot = policy.overtime
    law = ot.state_law if ot is not None else None
    if ot is None or law is None or law == "FLSA":
        return federal_rules(policy)
    preset = Overtime(rules=law, alternative_workweek_hours=ot.alternative_workweek_hours if law == "CA" else None,  # type: ignore[arg-type]
                      minimum_wages=ot.minimum_wages)  # a state name the policy model has already checked
    anchor = int(period_start_day(np.zeros(1, dtype="int64"), policy)[0])
    return OvertimeRules(f"{law}: the state's overtime tiers", "; ".join(dict.fromkeys(t.citation for t in preset.tiers if t.citation)),
                         period_hours=None, tiers=preset.tiers, minimum_wages=preset.minimum_wages, week_anchor=anchor)


def overtime_by_hour(hours: pd.DataFrame, rules: OvertimeRules) -> tuple[np.ndarray, np.ndarray]:
    """Per row of an hours table: its overtime minutes and its premium in factor-minutes,
    sum over its overtime minutes of (multiplier - 1) x FACTOR_SCALE.

    Counted chronologically (rows sorted by employee, then time): a workday's daily overtime is
    its last minutes beyond ``daily_hours``; the period's is its minutes beyond ``period_hours``
    that were not already daily overtime (29 CFR 778.601(b), the pay engine's own order). A rule
    with tiers would split a row's minutes across multipliers and return their premium's sum.
    """
    minutes = hours["minutes"].to_numpy(dtype="int64")
    week = hours["week"].to_numpy(dtype="int64")
    if rules.tiers:
        return _tiered_overtime(hours, rules)
    daily = np.zeros(len(minutes), dtype="int64")
    if rules.daily_hours is not None:
        daily = _running_excess(hours["employee"].to_numpy(dtype="int64") * 1_000_000 + hours["workday"].to_numpy(dtype="int64"), minutes,
                                rules.daily_hours * MINUTES_PER_HOUR)
    period = np.zeros(len(minutes), dtype="int64")
    if rules.period_hours is not None:
        period = _running_excess(week, minutes - daily, rules.period_hours * MINUTES_PER_HOUR)
    ot = daily + period
    return ot, ot * (rules.multiplier_units - FACTOR_SCALE)


def _tiered_overtime(hours: pd.DataFrame, rules: OvertimeRules) -> tuple[np.ndarray, np.ndarray]:
    """:func:`overtime_by_hour` under a state's tiers: the pay engine's own tier rule over the hours
    table (rows in employee-then-time order; ``week`` is unique per employee and workweek, which
    is all the weekly tiers group by; ``order`` is the row's start on one time line)."""
    from .overtime import tier_minutes

    minutes = hours["minutes"].to_numpy(dtype="int64")
    start = hours["order"].to_numpy(dtype="int64") if "order" in hours else np.zeros(len(minutes), dtype="int64")
    rate = hours["rate_units"].to_numpy(dtype="int64") if "rate_units" in hours else None
    paid = tier_minutes(rules.tiers, rules.minimum_wages, minutes=minutes, start=start, end=start + minutes,
                        emp=hours["employee"].to_numpy(dtype="int64"), workday=hours["workday"].to_numpy(dtype="int64"),
                        week_anchor=rules.week_anchor, week=hours["week"].to_numpy(dtype="int64"), rate=rate)
    ot = np.zeros(len(minutes), dtype="int64")
    premium = np.zeros(len(minutes), dtype="int64")
    for tier, p in zip(rules.tiers, paid):
        if len(p):
            ot += p
            premium += p * (factor_units(tier.multiplier) - FACTOR_SCALE)
    return ot, premium


def _running_excess(groups: np.ndarray, minutes: np.ndarray, threshold: int) -> np.ndarray:
    """Minutes of each row (in order within its group) beyond ``threshold`` of the group's running total."""
    if len(minutes) == 0:
        return np.zeros(0, dtype="int64")
    cum = pd.Series(minutes).groupby(groups, sort=False).cumsum().to_numpy(dtype="int64")
    return np.minimum(minutes, np.maximum(cum - threshold, 0))


# --------------------------------------------------------------------------- the measure


@dataclass(frozen=True)
class Measure:
    """One measure per week (arrays aligned with the weeks frame); money in cents."""

    method: np.ndarray  # "averaging" | "overtime"
    hours_minutes: np.ndarray
    overtime_minutes: np.ndarray
    minimum_amount: np.ndarray  # sum of MW units x minutes (the hours-weighted minimum's numerator)
    required_cents: np.ndarray  # averaging: sum MW x hours; overtime week: straight time required
    straight_due_cents: np.ndarray
    overtime_required_cents: np.ndarray
    overtime_due_cents: np.ndarray
    rate_num: np.ndarray  # regular rate = rate_num / rate_den amount units per minute
    rate_den: np.ndarray
    due_cents: np.ndarray  # the measure: rounded once


def wage_measure(hours: pd.DataFrame, weeks: pd.DataFrame, minimum_units: np.ndarray, rules: OvertimeRules) -> Measure:
    """The measure of every week (module docstring).

    ``hours``: :data:`HOURS_COLUMNS`, ``week`` indexing ``weeks``; ``minimum_units``: the minimum
    in force on each row's day ($0.0001/h). ``weeks``: ``straight_paid_amount`` (amount units,
    exact) or ``straight_paid`` (cents): base, differentials, standby and stipends paid;
    ``credits`` (cents: creditable premiums paid), ``standby_paid`` (amount units: the part of
    the straight time paid that is standby), ``bonus`` (cents), ``stipend_pay`` (cents) and
    ``stipend_minutes``.
    """
    n = len(weeks)
    week = hours["week"].to_numpy(dtype="int64")
    minutes = hours["minutes"].to_numpy(dtype="int64")
    amount = hours["amount"].to_numpy(dtype="int64")
    stipend = hours["stipend"].to_numpy(dtype=bool)
    mw_amount = np.asarray(minimum_units, dtype="int64") * FACTOR_SCALE * minutes  # at most 1e5 x 1e4 x 1,440

    def per_week(values) -> np.ndarray:
        v = np.asarray(values)
        if v.dtype == object:
            out = np.zeros(n, dtype=object)
            np.add.at(out, week, v)
            return out
        return _sum_int(week, v, n)

    ot_minutes, premium_units = overtime_by_hour(hours, rules)
    h = per_week(minutes)
    ot = per_week(ot_minutes)
    premium = per_week(premium_units).astype(object)  # sum (m - 1) x FACTOR_SCALE x minutes
    mw_sum = per_week(np.asarray(minimum_units, dtype="int64") * minutes)
    averaging_required = per_week(mw_amount).astype(object)

    # straight time at each hour's own rate or the minimum, whichever is higher; a stipend's
    # hours at the week's stipend pay / stipend minutes: kept exact over the denominator Ms
    ms = weeks["stipend_minutes"].to_numpy(dtype="int64")
    den = np.where(ms > 0, ms, 1).astype(object)
    s_amount = weeks["stipend_pay"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT
    plain = per_week(np.where(stipend, 0, np.maximum(amount, mw_amount))).astype(object)
    stip_rows = np.flatnonzero(stipend)
    stip = np.zeros(n, dtype=object)
    if len(stip_rows):
        w = week[stip_rows]
        m = minutes[stip_rows].astype(object)
        own = s_amount[w] * m  # (S / Ms) x m, over Ms
        floor = mw_amount[stip_rows].astype(object) * ms[w].astype(object)
        np.add.at(stip, w, np.maximum(own, floor))
    standby = weeks["standby_paid"].to_numpy(dtype="int64").astype(object)
    st_num = plain * den + stip + standby * den  # straight time required, over den
    rate_num = st_num + weeks["bonus"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT * den
    hours_obj = h.astype(object)
    paid = _paid_amount(weeks)
    credits = weeks["credits"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT

    safe_h = np.where(h > 0, h, 1).astype(object)
    ot_den = den * safe_h * FACTOR_SCALE  # overtime amounts are over den x H x FACTOR_SCALE
    st_due = np.maximum(st_num - paid * den, 0)
    ot_req = rate_num * premium
    ot_due = np.maximum(ot_req - credits * ot_den, 0)
    overtime_week = ot > 0
    total_ot = cents_half_up(_obj(st_due * safe_h * FACTOR_SCALE + ot_due), _obj(ot_den * AMOUNT_PER_CENT))
    total_avg = cents_half_up(_obj(np.maximum(averaging_required - paid, 0)), AMOUNT_PER_CENT)
    due = np.where(overtime_week, _obj(total_ot), _obj(total_avg))
    return Measure(
        method=np.where(overtime_week, "overtime", "averaging").astype(object),
        hours_minutes=h,
        overtime_minutes=ot,
        minimum_amount=mw_sum,
        required_cents=_int(np.where(overtime_week, _obj(cents_half_up(_obj(st_num), _obj(den * AMOUNT_PER_CENT))),
                                     _obj(cents_half_up(_obj(averaging_required), AMOUNT_PER_CENT)))),
        straight_due_cents=_int(np.where(overtime_week, _obj(cents_half_up(_obj(st_due), _obj(den * AMOUNT_PER_CENT))),
                                         _obj(total_avg))),
        overtime_required_cents=_int(np.where(overtime_week, _obj(cents_half_up(_obj(ot_req), _obj(ot_den * AMOUNT_PER_CENT))), 0)),
        overtime_due_cents=_int(np.where(overtime_week, _obj(cents_half_up(_obj(ot_due), _obj(ot_den * AMOUNT_PER_CENT))), 0)),
        rate_num=_obj(np.where(h > 0, rate_num, 0)),
        rate_den=_obj(np.where(h > 0, den * hours_obj, 0)),
        due_cents=_int(due),
    )


def _paid_amount(weeks: pd.DataFrame) -> np.ndarray:
    """Straight-time pay paid, in amount units: ``straight_paid_amount`` (exact, as the pay rule
    computed it before rounding) where the caller has it, else ``straight_paid`` cents."""
    if "straight_paid_amount" in weeks:
        return weeks["straight_paid_amount"].to_numpy(dtype=object)
    return weeks["straight_paid"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT


def _sum_int(week: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums per week (bincount works in float64: not for money)."""
    out = np.zeros(n, dtype="int64")
    np.add.at(out, week, values.astype("int64"))
    return out


def _obj(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _int(values) -> np.ndarray:
    return np.asarray([int(v) for v in values], dtype="int64") if len(values) else np.zeros(0, dtype="int64")


# --------------------------------------------------------------------------- the minimum wage check of a pay run


def straight_time_cents(lines: pd.DataFrame, diff_names=()) -> np.ndarray:
    """Each pay line's straight-time pay in cents: base + differentials + standby (what counts
    toward the minimum wage; 207(e) premiums do not)."""
    straight = lines["base_pay"].to_numpy(dtype="int64") + lines["standby_pay"].to_numpy(dtype="int64")
    for n in diff_names:
        straight = straight + lines[f"diff:{n}"].to_numpy(dtype="int64")
    return straight


def straddles_and_may_be_short(lines: pd.DataFrame, minimum, period_days: int, diff_names=()) -> np.ndarray:
    """Lines whose week straddles a minimum-wage change and whose straight-time pay is below the
    week's higher minimum x its hours: only these need their days' minutes (the others pass or
    fail at one rate)."""
    first = lines["week_start"].to_numpy().astype("datetime64[D]")
    last = first + np.timedelta64(period_days - 1, "D")
    minutes = lines["worked_minutes"].to_numpy(dtype="int64")
    high = np.maximum(minimum.on(first), minimum.on(last))
    may_be_short = high * minutes * FACTOR_SCALE > straight_time_cents(lines, diff_names) * AMOUNT_PER_CENT
    return ~minimum.constant_over(first, last) & (minutes > 0) & may_be_short


def minimum_wage_weeks(lines: pd.DataFrame, minimum, period_days: int, diff_names=(), day_minutes: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Pay lines whose straight-time pay (base + differentials + standby) is below the minimum
    wage of the days worked x the hours (workweek averaging, 29 CFR 776.4): one row per such line.

    ``minimum``: a :class:`peerpay.core.wage_law.MinimumWage` (its state measure's rate, the
    higher of federal and state). A week whose minimum does not change is valued at that one
    rate; a week that straddles a change is valued day by day from ``day_minutes``
    (``employee_id``, ``week_start``, ``day`` (days since 1970), ``minutes``), which must hold its
    days; without them it is tested at the lower of its rates (never a false warning).
    """
    cols = ["employee_id", "week_start", "worked_minutes", "straight_cents", "required_cents", "shortfall_cents", "minimum_amount"]
    if lines.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "employee_id" else "int64") for c in cols})
    straight = straight_time_cents(lines, diff_names)
    first = lines["week_start"].to_numpy().astype("datetime64[D]")
    last = first + np.timedelta64(period_days - 1, "D")
    minutes = lines["worked_minutes"].to_numpy(dtype="int64")
    low = np.minimum(minimum.on(first), minimum.on(last))
    amount = low * minutes  # sum of rate units x minutes, at the week's (lower) rate
    constant = minimum.constant_over(first, last)
    changing = np.flatnonzero(~constant & (minutes > 0))
    if len(changing) and day_minutes is not None and len(day_minutes):
        d = day_minutes.assign(week_start=day_minutes["week_start"].to_numpy().astype("datetime64[D]"))
        d = d.assign(amount=minimum.on(d["day"].to_numpy(dtype="int64").astype("datetime64[D]")) * d["minutes"].to_numpy(dtype="int64"))
        by_week = d.groupby(["employee_id", "week_start"])["amount"].sum()
        keys = pd.MultiIndex.from_arrays([lines["employee_id"].to_numpy(dtype=object)[changing], first[changing]])
        found = by_week.reindex(keys).to_numpy()
        ok = ~pd.isna(found)
        amount[changing[ok]] = found[ok].astype("int64")
    required = amount * FACTOR_SCALE
    short = required - straight * AMOUNT_PER_CENT
    below = np.flatnonzero(short > 0)
    shortfall = np.asarray(cents_half_up(short[below]), dtype="int64")
    keep = below[shortfall > 0]
    return pd.DataFrame({
        "employee_id": lines["employee_id"].to_numpy(dtype=object)[keep], "week_start": first[keep],
        "worked_minutes": minutes[keep], "straight_cents": straight[keep],
        "required_cents": np.asarray(cents_half_up(required[keep]), dtype="int64"),
        "shortfall_cents": shortfall[shortfall > 0], "minimum_amount": amount[keep],
    })
