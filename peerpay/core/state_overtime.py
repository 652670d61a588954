"""What a state's overtime law adds beyond the pay lines: minutes per multiplier, and California's
regular rate on a flat-sum bonus.

* :func:`overtime_minutes_by_multiplier`: for any overtime rule set (the FLSA, a state preset,
  explicit tiers), each employee-week's overtime minutes per multiplier, so that a measure such as
  back pay's state measure (docs/formats.md §6) computes sum over m of (m - 1) x regular rate x hours.
* :func:`flat_bonus_overtime`: the overtime a flat-sum bonus adds: California's rule (Alvarado v.
  Dart Container Corp. of California, 4 Cal.5th 542 (2018)) where the policy's overtime follows
  California, the federal 29 CFR 778.209 elsewhere.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..models.policy import Overtime, Policy
from .engine import segment_shifts
from .joint import bonus_overtime, bonus_weeks_split
from .money import FACTOR_SCALE, cents_half_up, factor_units


def overtime_minutes_by_multiplier(shifts: pd.DataFrame, policy: Policy, rules: str | Overtime | None = None) -> pd.DataFrame:
    """Each employee-week's overtime minutes per multiplier under an overtime rule set.

    ``shifts``: validated shifts as :func:`peerpay.core.engine.compute_pay` takes them.
    ``rules``: a preset name ("FLSA", "CA", "AK", "NV", "CO"), an :class:`Overtime`, or None for
    the policy's own ``[overtime]``; the policy's workweek and time zone are kept. A rule set with
    a rate condition (Nevada) needs its minimum wages resolved (``Overtime.minimum_wages``, as
    ``peerpay.io.resources.with_minimum_wages`` fills them).

    Returns ``employee_id``, ``week_start`` (datetime64[D]), ``multiplier`` (Decimal), ``minutes``
    (int64): one row per employee, week and multiplier with overtime minutes, sorted. A minute is
    in one row only (no pyramiding): the premium is sum of (multiplier - 1) x regular rate x
    minutes / 60. Weeks without overtime have no row.
    """
    if isinstance(rules, str):
        rules = Overtime(rules=rules)  # type: ignore[arg-type]  # pydantic checks the name
    if rules is not None:
        policy = policy.model_copy(update={"overtime": rules})
    cols = {"employee_id": pd.Series(dtype=object), "week_start": pd.Series(dtype="datetime64[s]"),
            "multiplier": pd.Series(dtype=object), "minutes": pd.Series(dtype="int64")}
    ot = policy.overtime
    if ot is None or len(shifts) == 0:
        return pd.DataFrame(cols)
    s = segment_shifts(shifts, policy.model_copy(update={"differential": ()}))
    emp = s.emp if s.emp is not None else s.emp_codes[np.asarray(s.seg["shift"])]
    multipliers = sorted({t.multiplier for t in ot.tiers})
    frames = []
    for m in multipliers:
        minutes = np.zeros(len(emp), dtype="int64")
        for t, paid in zip(ot.tiers, s.tier_ot):
            if t.multiplier == m:
                minutes += paid
        keep = minutes > 0
        if keep.any():
            frames.append(pd.DataFrame({"emp": emp[keep], "week": s.period[keep], "multiplier": m, "minutes": minutes[keep]}))
    if not frames:
        return pd.DataFrame(cols)
    g = pd.concat(frames).groupby(["emp", "week", "multiplier"], sort=True, as_index=False)["minutes"].sum()
    return pd.DataFrame({"employee_id": s.emp_names[g["emp"].to_numpy()],
                         "week_start": g["week"].to_numpy().astype("datetime64[D]"),
                         "multiplier": g["multiplier"].to_numpy(dtype=object),
                         "minutes": g["minutes"].to_numpy(dtype="int64")})


def flat_bonus_overtime(bonus_cents: int, weeks: pd.DataFrame, policy: Policy, allocation: str = "per_week",
                        applies_to: str = "statutory", total_weeks: int | None = None) -> pd.DataFrame:
    """The overtime a flat-sum bonus adds, week by week: California's rule where the policy's overtime
    follows California (``rules = "CA"`` or ``state = "CA"``), else the federal one
    (:func:`peerpay.core.joint.bonus_overtime`, 29 CFR 778.209). Same columns in and out."""
    ot = policy.overtime
    if ot is None or ot.state_law != "CA":
        return bonus_overtime(bonus_cents, weeks, policy, allocation, applies_to, total_weeks=total_weeks)
    return california_bonus_overtime(bonus_cents, weeks, ot, allocation, total_weeks)


def california_bonus_overtime(bonus_cents: int, weeks: pd.DataFrame, overtime: Overtime, allocation: str = "per_week",
                              total_weeks: int | None = None) -> pd.DataFrame:
    """Overtime on a flat-sum bonus by California's rule (Alvarado v. Dart Container, 4 Cal.5th 542 (2018)).

    The bonus is pay for the non-overtime hours only: its hourly value is the week's share divided
    by the **non-overtime** hours worked, and every overtime hour earns that value times its full
    multiplier (1.5, or 2 for double time), not the federal half (29 CFR 778.209 divides by all
    hours and pays 0.5 more). Worked example (Alvarado's facts, one week): a $15 bonus, 50 hours,
    10 of them overtime at 1.5: $15 / 40 = $0.375 an hour, x 1.5 x 10 h = **$5.63** (federal:
    $15 / 50 x 0.5 x 10 = $1.50).

    ``weeks``: one row per workweek the bonus covers: ``worked_minutes``, ``overtime_minutes`` and,
    from a tiered policy's pay lines, ``ot:<tier>`` (the minutes each tier paid). Without the tier
    columns every overtime minute is taken at the first tier's multiplier. A week whose every hour
    is overtime (no non-overtime hour to divide by) falls back to all hours. The share is
    :func:`peerpay.core.joint.bonus_weeks_split`'s; each week's figure is rounded once, half-up.
    """
    out = weeks.copy().reset_index(drop=True)
    share = bonus_weeks_split(bonus_cents, out["worked_minutes"], allocation, total_weeks)
    out["bonus_share"] = share
    worked = out["worked_minutes"].to_numpy(dtype="int64")
    overtime_m = out["overtime_minutes"].to_numpy(dtype="int64")
    tiers = overtime.tiers
    weighted = np.zeros(len(out), dtype=object)  # sum of multiplier (factor units) x minutes
    if all(f"ot:{t.name}" in out for t in tiers) and tiers:
        for t in tiers:
            weighted = weighted + factor_units(t.multiplier) * out[f"ot:{t.name}"].to_numpy(dtype="int64").astype(object)
    else:
        first = tiers[0].multiplier if tiers else Decimal("1.5")
        weighted = factor_units(first) * overtime_m.astype(object)
    straight = worked - overtime_m
    divisor = np.where(straight > 0, straight, np.maximum(worked, 1)).astype(object)
    num = share.astype(object) * weighted
    den = divisor * FACTOR_SCALE
    extra = cents_half_up(num, den) if len(out) else share
    out["bonus_overtime"] = np.where((overtime_m > 0) & (worked > 0), extra, 0).astype("int64")
    return out
