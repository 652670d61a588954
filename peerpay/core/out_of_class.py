"""Out-of-class work: the rate of a row whose ``duty_role`` is a higher class (docs/out-of-class.md).

Public-sector and health-care agreements pay an employee who does the work of a higher
classification ("working out of class", "acting pay") the higher class's rate for that time. A
timesheet or unpaid-log row says so with ``duty_role``; the policy's ``[out_of_class]`` says at
which step of the duty role and from when (:class:`peerpay.models.policy.OutOfClass`).

Two steps, both vectorised:

1. :func:`duty_rates` (while the timesheet is validated): each row's duty rate from the wage
   schedule in force on the row's start date, or the row's rejection (an unknown duty role, or
   no schedule rate for it that day).
2. :func:`apply_out_of_class` (on the rows kept): the minimum time before it is owed (per shift,
   per day, a run of consecutive days); where owed, ``rate_units`` becomes the duty rate and
   ``home_rate_units`` keeps the employee's own rate. The pay engine then pays the duty rate for
   those minutes: percent differentials, holiday and call-back premiums follow it, and the
   regular rate of the week is the weighted average of every rate worked (29 CFR 778.115). The
   part of the straight-time pay above the own rate is reported as ``out_of_class_pay``;
   ``base_pay`` stays every worked minute at the own rate (docs/formats.md §1, §3).

Worked example (tests/test_out_of_class.py): a peer on step 2 ($19.06) does 3 hours of case
management, whose step 2 is $23.18 (``same_step``): 3 x (23.18 - 19.06) = **$12.36** of
out-of-class pay; under ``first_higher_step`` the first case-manager step above $19.06 is step 1
($22.56): 3 x 3.50 = $10.50.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP

import numpy as np
import pandas as pd

from ..models.policy import OutOfClass
from .money import MINUTES_PER_DAY, MINUTES_PER_HOUR, to_decimal
from .tables import Rejections

DUTY_COLUMN = "duty_role"
#: The shift columns this module adds: the duty role (text, "" = none), its rate (-1 = none),
#: and, once applied, the own rate and whether the row was paid out of class.
DUTY_ROLE, DUTY_RATE, HOME_RATE, OUT_OF_CLASS = "duty_role", "duty_rate_units", "home_rate_units", "out_of_class"


def duty_rates(duty: np.ndarray, home_role: np.ndarray, step: np.ndarray, home_rate: np.ndarray, days: np.ndarray,
               schedule: pd.DataFrame | None, rule: OutOfClass | None, rej: Rejections) -> np.ndarray:
    """Each row's duty rate in $0.0001/h, -1 where the row has no (other) duty role; rejections added to ``rej``.

    ``duty``, ``home_role``: text per row ("" = none); ``step``: the roster step (NaN: unknown);
    ``home_rate``: the row's own rate (-1: none, the row is rejected already); ``days``: the
    start dates (datetime64[D]). Without ``rule`` (no ``[out_of_class]``) a known duty role is
    kept for the reports but has no rate.
    """
    n = len(duty)
    out = np.full(n, -1, dtype="int64")
    has = (duty != "") & (duty != home_role) & ~rej.mask()
    if not has.any():
        return out
    if schedule is None:
        rej.add(has, DUTY_COLUMN, "duty_role needs a wage schedule (--schedule) to price the duty role's rate")
        return out
    known = np.isin(duty, schedule["role"].to_numpy(dtype=object))
    bad = np.flatnonzero(has & ~known)
    if len(bad):
        rej.add(bad, DUTY_COLUMN, "duty_role '" + duty[bad].astype(object) + "' is not a role of the wage schedule")
    has &= known
    if rule is None or not has.any():
        return out
    idx = np.flatnonzero(has)
    own = home_rate[idx]
    if rule.method == "same_step":
        unknown_step = np.isnan(step[idx])
        rej.add(idx[unknown_step], DUTY_COLUMN, "duty_role: same_step needs the employee's step (a roster)")
        idx, own = idx[~unknown_step], own[~unknown_step]
        steps = step[idx].astype("int64")
        from .inputs import rates_in_force  # inputs imports this module: a late import

        found = rates_in_force(schedule, duty[idx], steps, days[idx])
        missing = found < 0
        if missing.any():
            reason = ("no schedule rate for duty role '" + pd.Series(duty[idx[missing]]).astype(str) + "' step "
                      + pd.Series(steps[missing]).astype(str) + " on " + pd.Series(days[idx[missing]].astype(str)))
            rej.add(idx[missing], DUTY_COLUMN, reason.to_numpy())
        rate = np.where(missing, -1, np.maximum(found, own))
    else:
        rate = _first_higher(duty[idx], own, days[idx], schedule, rule)
        missing = rate < 0
        if missing.any():
            reason = ("duty role '" + pd.Series(duty[idx[missing]]).astype(str) + "' has no schedule rate on "
                      + pd.Series(days[idx[missing]].astype(str)))
            rej.add(idx[missing], DUTY_COLUMN, reason.to_numpy())
    out[idx] = rate
    return out


def _first_higher(duty: np.ndarray, own: np.ndarray, days: np.ndarray, schedule: pd.DataFrame, rule: OutOfClass) -> np.ndarray:
    """The promotion rule: the lowest step of the duty role in force on the day whose rate is at
    least ``min_increase_percent`` above the own rate (strictly above when 0); else
    ``when_none_higher``. -1: the duty role has no step in force that day.

    One schedule look-up per distinct (duty role, date) pair (tens), then arrays per row."""
    from .inputs import ALWAYS

    sched = schedule.assign(eff=pd.Series(schedule["effective_date"].to_numpy(dtype="datetime64[D]")).fillna(ALWAYS)
                            .to_numpy(dtype="datetime64[D]"))
    pct = to_decimal(rule.min_increase_percent)
    target = np.array([int((to_decimal(int(r)) * (1 + pct / 100)).to_integral_value(rounding=ROUND_HALF_UP)) for r in own],
                      dtype="int64") if pct else own + 1  # a few hundred rows at most: exact Decimal per row
    out = np.full(len(duty), -1, dtype="int64")
    pairs = pd.DataFrame({"role": duty, "day": days}).groupby(["role", "day"], sort=False).indices
    for (role, day), rows in pairs.items():
        mine = sched[(sched["role"] == role) & (sched["eff"] <= np.datetime64(day, "D"))]
        if mine.empty:
            continue
        # per step, the row in force: the latest effective date on or before the day
        in_force = mine.sort_values(["step", "eff"]).drop_duplicates("step", keep="last").sort_values("step")
        rates = in_force["rate_units"].to_numpy(dtype="int64")
        ok = rates[None, :] >= target[rows][:, None]
        first = np.where(ok.any(axis=1), rates[np.argmax(ok, axis=1)], -1)
        none = {"top_step": np.maximum(rates[-1], own[rows]), "increase": np.maximum(target[rows], own[rows]),
                "own_rate": own[rows]}[rule.when_none_higher]
        out[rows] = np.where(first >= 0, first, none)
    return out


def apply_out_of_class(shifts: pd.DataFrame, rule: OutOfClass | None) -> pd.DataFrame:
    """The shifts with each owed out-of-class row paid at its duty rate (module docstring).

    Idempotent: the own rate is kept in ``home_rate_units`` and the choice is made again from it,
    so the paid and unpaid rows of a back-pay claim can be applied together (a day's minimum
    counts both). A shift without a duty rate, an ``on_call`` row (standby is not work of a
    class) and time short of the minimum keep the own rate.
    """
    if DUTY_RATE not in shifts or rule is None:
        return shifts
    out = shifts.copy()
    own = out["rate_units"].to_numpy(dtype="int64")
    # rows of a file without the column (paid and unpaid rows together) have none: NaN after a concat
    home = out[HOME_RATE].fillna(pd.Series(own, index=out.index)).to_numpy(dtype="int64") if HOME_RATE in out else own
    duty = out[DUTY_RATE].fillna(-1).to_numpy(dtype="int64")
    minutes = (out["end_at"] - out["start_at"]).to_numpy(dtype="int64")
    owed = (duty >= 0) & (out["kind"].astype(object).to_numpy() != "on_call")
    owed &= _minimum_met(out, owed, minutes, rule)
    out[HOME_RATE] = home
    out[OUT_OF_CLASS] = owed
    out["rate_units"] = np.where(owed, duty, home)
    return out


def _minimum_met(shifts: pd.DataFrame, candidate: np.ndarray, minutes: np.ndarray, rule: OutOfClass) -> np.ndarray:
    """Per row: the out-of-class time it belongs to reaches ``minimum_hours`` (per shift or per day)
    and lies in a run of ``minimum_days`` consecutive workdays with out-of-class work."""
    n = len(shifts)
    floor = int(rule.minimum_hours * MINUTES_PER_HOUR)
    if (floor == 0 and rule.minimum_days <= 1) or n == 0:
        return np.ones(n, dtype=bool)
    emp = pd.factorize(shifts["employee_id"].astype(object))[0].astype("int64")
    day = shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY  # the workday: shifts that start on a date
    key = emp * (1 << 32) + (day - day.min())
    if rule.per == "shift":
        ok = candidate & (minutes >= floor)
    else:
        per_day = pd.Series(np.where(candidate, minutes, 0)).groupby(key).transform("sum").to_numpy()
        ok = candidate & (per_day >= floor)
    if rule.minimum_days <= 1:
        return ok
    worked = shifts["kind"].astype(object).to_numpy() != "on_call"
    days = pd.DataFrame({"key": key[worked], "emp": emp[worked], "ok": ok[worked]}).groupby("key", sort=True).agg(
        emp=("emp", "first"), ok=("ok", "any"))
    # runs of consecutive workdays with out-of-class work: a new run where the employee changes or a day lacks it
    start = (~days["ok"]) | (days["emp"] != days["emp"].shift())
    run = start.cumsum()
    length = days["ok"].groupby(run).transform("sum")
    qualified = days.index[(days["ok"] & (length >= rule.minimum_days)).to_numpy()]
    return ok & np.isin(key, qualified.to_numpy())
