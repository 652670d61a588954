"""Unpaid work priced as back wages: three measures and the claim (docs/formats.md §6, docs/backpay.md).

Pure functions: validated shift frames (from :func:`peerpay.core.inputs.prepare_timesheet`), an
optional stipend log and the policy in, exact figures out. Per employee and workweek:

* ``contract_back_wages`` = gross(paid + unpaid rows) - gross(paid rows), both by the pay engine
  under the same policy (each the sum of its rounded components, §3): the unpaid hours earn their
  base rate and every differential, and the week's overtime is recomputed on its regular rate
  (29 CFR 778.315). Never below 0.
* ``flsa_back_wages``: what the federal FLSA alone requires, with the federal minimum of each day
  (:func:`peerpay.core.measures.wage_measure`: workweek averaging in a week without statutory
  overtime, straight time + half-time overtime less creditable premiums in an overtime week).
* ``state_back_wages``: the same with the state's minimum of each day and the state's overtime
  rules (:func:`peerpay.core.measures.state_rules`: the preset of the state the policy's overtime
  names, else the FLSA's).
* ``back_wages`` = the claim = the largest of the three; ``liquidated_damages`` = the federal
  measure (29 U.S.C. 216(b)), or the claim (``all``), or 0 (``none``).

Each measure counts only in the weeks inside its limitation period (federal: 2 years, 3 if
willful, 29 U.S.C. 255(a); state and contract: the state's period). A stipend log adds to what
was paid: its pay to the straight-time pay, its hours to the hours worked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..errors import Problem
from ..models.policy import Policy
from .calendar import instants_to_local
from .engine import KINDS, WORKED_KINDS, compute_pay, period_start_day
from .measures import Measure, federal_rules, state_rules, wage_measure
from .out_of_class import DUTY_RATE, HOME_RATE, OUT_OF_CLASS, apply_out_of_class
from .money import AMOUNT_PER_CENT, FACTOR_SCALE, MINUTES_PER_DAY, MINUTES_PER_HOUR, cents_half_up, factor_units
from .wage_law import (FEDERAL, Limitation, MinimumWage, jurisdiction_of, minimum_wage_table,  # noqa: F401  (re-exported)
                       years_before)

OVERLAPS_PAID = "overlaps a paid shift"
LIQUIDATED = ("federal", "all", "none")
CREDITABLE_FACTOR = 15_000  # a premium at 1.5x or more is creditable (29 U.S.C. 207(e)(5)-(7), 207(h)(2))

#: Where each figure comes from; rendered into report notes and statements.
CITATIONS = {
    "contract_back_wages": "gross pay of paid + unpaid rows - gross pay of paid rows, both by the pay policy (docs/formats.md §3, §6); "
    "overtime on the recomputed regular rate (29 CFR 778.315)",
    "flsa_back_wages": "federal minimum of each day worked; a week of 40 hours or less: workweek averaging (29 CFR 776.4); "
    "an overtime week: every hour at its own rate or the minimum if higher, less straight time paid (778.315), plus "
    "0.5 x regular rate x overtime hours, less overtime and other creditable premiums paid (29 U.S.C. 207(a), 207(h))",
    "state_back_wages": "the same with the state's minimum of each day (29 U.S.C. 218(a)); overtime by the FLSA's rules "
    "until the state's own are added",
    "back_wages": "the claim: the largest of the three measures",
    "hours_worked": "work suffered or permitted is hours worked (29 CFR 785.11-785.13)",
    "liquidated_damages": "an additional amount equal to the federal back wages (29 U.S.C. 216(b)); "
    "--liquidated all: equal to the claim (state laws that double all unpaid wages)",
    "lookback": "federal: 2 years, 3 for a willful violation (29 U.S.C. 255(a)); state and contract: the state's period",
}


# --------------------------------------------------------------------------- overlaps with paid time


def reject_paid_overlaps(paid: pd.DataFrame, unpaid: pd.DataFrame, source: str, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Drop each unpaid row that overlaps paid time of the same employee, as a rejection.

    An unpaid row of any kind that overlaps a paid ``work`` or ``callback`` row: that time was
    paid. An unpaid ``on_call`` row that overlaps a paid ``on_call`` row: that standby was paid.
    Unpaid ``work`` inside a paid ``on_call`` period is kept: standby pay does not cover work
    (29 CFR 785.17; it is hours worked like a call-back).

    Vectorised: paid rows of one employee and lane never overlap each other (validated), so
    sorted by start they are also sorted by end, and an unpaid row [s, e) overlaps one iff the
    last paid row starting before ``e`` ends after ``s``.
    """
    if len(unpaid) == 0 or len(paid) == 0:
        return unpaid, []
    codes, _ = pd.factorize(pd.concat([paid["employee_id"].astype(object), unpaid["employee_id"].astype(object)], ignore_index=True))
    p_code, u_code = codes[: len(paid)].astype("int64"), codes[len(paid):].astype("int64")
    p_worked = paid["kind"].isin(WORKED_KINDS).to_numpy()
    u_worked = unpaid["kind"].isin(WORKED_KINDS).to_numpy()
    s = unpaid["start_at"].to_numpy(dtype="int64")
    e = unpaid["end_at"].to_numpy(dtype="int64")
    clash = _overlaps(p_code[p_worked], paid.loc[p_worked, "start_at"], paid.loc[p_worked, "end_at"], u_code, s, e)
    on_call = ~p_worked
    clash |= ~u_worked & _overlaps(p_code[on_call], paid.loc[on_call, "start_at"], paid.loc[on_call, "end_at"], u_code, s, e)
    rows = unpaid["row"].to_numpy()[clash]
    problems = [Problem(source, int(r), "start", OVERLAPS_PAID, sheet) for r in rows]
    return unpaid[~clash].reset_index(drop=True), problems


def _overlaps(emp, start, end, q_emp, q_start, q_end) -> np.ndarray:
    if len(emp) == 0:
        return np.zeros(len(q_emp), dtype=bool)
    shift = np.int64(1) << np.int64(40)  # minutes since 1970 stay far below 2**40 until the year 4000
    key = emp * shift + np.asarray(start, dtype="int64")
    order = np.argsort(key, kind="stable")
    key, ends = key[order], np.asarray(end, dtype="int64")[order]
    i = np.searchsorted(key, q_emp * shift + q_end, side="left") - 1  # last paid row starting before q_end
    ok = i >= 0
    i = np.clip(i, 0, None)
    same_emp = (key[i] // shift) == q_emp
    return ok & same_emp & (ends[i] > q_start)


def unpaid_minutes_by_employee(unpaid: pd.DataFrame) -> pd.DataFrame:
    """An unpaid-work log (validated shifts) -> ``employee_id``, ``unpaid_minutes`` (hours worked only)."""
    worked = unpaid[unpaid["kind"].isin(WORKED_KINDS)]
    minutes = (worked["end_at"] - worked["start_at"]).astype("int64")
    frame = pd.DataFrame({"employee_id": worked["employee_id"].to_numpy(dtype=object), "unpaid_minutes": minutes.to_numpy()})
    return frame.groupby("employee_id", sort=True, as_index=False)["unpaid_minutes"].sum()


# --------------------------------------------------------------------------- back wages


@dataclass
class BackpayResult:
    weeks: pd.DataFrame  # one row per employee and workweek listed; money in cents
    employees: pd.DataFrame
    unpaid_rows: pd.DataFrame  # the unpaid rows that count (for statements): times, hours, activity
    as_of: date
    lookback_years: int
    cutoff: date  # the earliest last day of a workweek the federal measure counts
    state_limitation: Limitation
    state_cutoff: date
    liquidated: str  # "federal" | "all" | "none"
    minimum: MinimumWage
    differential_names: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)


KEYS = ["employee_id", "week_start"]
WEEK_MONEY = ("paid_gross", "owed_gross", "contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages",
              "liquidated_damages", "total_owed")


def compute_backpay(
    paid: pd.DataFrame,
    unpaid: pd.DataFrame,
    policy: Policy,
    minimum: MinimumWage,
    *,
    as_of: date | None = None,
    lookback_years: int = 2,
    state_limitation: Limitation | None = None,
    liquidated: str | bool = "federal",
    latest_day: date | None = None,
    stipends: pd.DataFrame | None = None,
    bonus: pd.DataFrame | None = None,
    paid_pay: pd.DataFrame | None = None,
) -> BackpayResult:
    """The three measures and the claim per employee and workweek (module docstring).

    ``unpaid`` must already be free of overlaps with ``paid`` (:func:`reject_paid_overlaps`).
    ``paid_pay``: what was actually paid per employee and week, in the pay lines' columns (cents:
    ``base_pay``, ``diff:<name>``, ``standby_pay``, ``holiday_premium``, ``callback_premium``,
    ``overtime_premium``, ``gross_pay``; minutes: ``worked_minutes``, ``on_call_minutes``), as a
    payroll register shows it (``peerpay audit --claim``); default: the policy's pay of ``paid``.
    ``stipends``: a prepared stipend log (:func:`peerpay.core.stipends.prepare_stipends`);
    ``bonus``: ``employee_id``, ``week_start``, ``bonus_share`` (cents) of a certification bonus.
    ``as_of`` defaults to ``latest_day`` (the latest date in any input), else the latest local
    date of the shifts given. ``liquidated`` True/False are "federal"/"none".
    """
    mode = {True: "federal", False: "none"}.get(liquidated, liquidated) if isinstance(liquidated, bool) else liquidated
    if mode not in LIQUIDATED:
        raise ValueError(f"liquidated must be one of {', '.join(LIQUIDATED)}")
    if as_of is None:
        as_of = latest_day or _latest_local_day(paid, unpaid) or date.today()
    federal = Limitation(lookback_years, "29 U.S.C. 255(a)")
    state = state_limitation or federal
    cutoff, state_cutoff = years_before(as_of, lookback_years), years_before(as_of, state.years)

    combined = pd.concat([paid, unpaid], ignore_index=True) if len(paid) else unpaid.reset_index(drop=True)
    # Out-of-class work (docs/out-of-class.md): a paid row's duty role is work that was paid at the
    # own rate; what is owed pays it at the duty rate (the minimum time counts paid and unpaid rows).
    paid_home = at_own_rates(paid)
    combined = apply_out_of_class(combined, policy.out_of_class)
    paid_run = compute_pay(paid_home, policy, audit=paid_home is not paid) if paid_pay is None else None
    paid_lines = paid_run.lines if paid_run is not None else paid_pay
    full = compute_pay(combined, policy)
    diff_names = full.differential_names
    weeks = _weeks(full.lines, paid_lines, paid_home, policy, diff_names)
    st = _stipend_weeks(stipends, policy)
    weeks = _with_stipends(weeks, st)
    weeks = _with_bonus(weeks, bonus)
    hours = _hours_table(full, combined, len(paid), weeks, stipends, policy,
                         paid_run if paid_run is not None and paid_home is not paid else None)
    if paid_pay is not None:
        # the straight time paid is what was paid: the rows' exact pay under the policy, moved by what the payer paid
        # more or less than the policy's rounded figures (a week paid in full then owes no stray cent)
        paid_c = weeks["base_pay_paid"] + weeks["differential_pay_paid"] + weeks["standby_pay_paid"]
        owed_c = weeks["base_pay_owed"] + weeks["differential_pay_owed"] + weeks["standby_pay_owed"]
        weeks["straight_paid_amount"] = (weeks["straight_paid_amount"].to_numpy(dtype=object)
                                         + (paid_c - owed_c).to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT)
        weeks["standby_paid"] = weeks["standby_paid"] + (weeks["standby_pay_paid"] - weeks["standby_pay_owed"]) * AMOUNT_PER_CENT
    # shown as the measures use it: the exact straight-time pay paid, rounded once
    weeks["straight_paid"] = np.asarray(cents_half_up(weeks["straight_paid_amount"].to_numpy(dtype=object)), dtype="int64")
    days = hours["day"].to_numpy(dtype="int64").astype("datetime64[D]")
    flsa = wage_measure(hours, weeks, minimum.federal_on(days), federal_rules(policy))
    state_m = wage_measure(hours, weeks, minimum.state_on(days), state_rules(policy, minimum.jurisdiction))
    weeks = _with_measures(weeks, flsa, state_m, hours)

    length = policy.overtime.period_days if policy.overtime is not None else 7
    last_day = weeks["week_start"].to_numpy().astype("datetime64[D]") + np.timedelta64(length - 1, "D")
    in_federal = last_day >= np.datetime64(cutoff, "D")
    in_state = last_day >= np.datetime64(state_cutoff, "D")
    weeks["contract_back_wages"] = np.where(in_state, np.maximum(weeks["owed_gross"] - weeks["paid_gross"], 0), 0)
    weeks["flsa_back_wages"] = np.where(in_federal, weeks["flsa_back_wages"], 0)
    weeks["state_back_wages"] = np.where(in_state, weeks["state_back_wages"], 0)
    weeks["back_wages"] = weeks[["contract_back_wages", "flsa_back_wages", "state_back_wages"]].max(axis=1).astype("int64")
    weeks["liquidated_damages"] = {"federal": weeks["flsa_back_wages"], "all": weeks["back_wages"],
                                   "none": pd.Series(0, index=weeks.index)}[mode].astype("int64")
    weeks["total_owed"] = weeks["back_wages"] + weeks["liquidated_damages"]
    touched = ((weeks["unpaid_minutes"] > 0) | (weeks["unpaid_on_call_minutes"] > 0) | (weeks["back_wages"] > 0)
               | (weeks["owed_gross"] != weeks["paid_gross"]))
    weeks = weeks[touched.to_numpy() & (in_federal | in_state)].sort_values(KEYS, kind="stable").reset_index(drop=True)

    weeks["base_rates"] = _base_rates(weeks, hours)
    rows = _unpaid_rows(unpaid, policy, weeks)
    activities = rows.groupby(KEYS, sort=True)["activity"].agg(lambda a: sorted({x for x in a if x}))
    weeks["activities"] = [activities.get((e, w), []) for e, w in zip(weeks["employee_id"], weeks["week_start"])]

    sums = ["unpaid_minutes", "unpaid_on_call_minutes", "stipend_minutes", "contract_back_wages", "flsa_back_wages",
            "state_back_wages", "back_wages", "liquidated_damages", "total_owed"]
    employees = weeks.groupby("employee_id", sort=True).agg(weeks=("week_start", "size"), **{c: (c, "sum") for c in sums}).reset_index()
    return BackpayResult(weeks, employees, rows, as_of, lookback_years, cutoff, state, state_cutoff, mode, minimum, diff_names)


def _latest_local_day(*frames: pd.DataFrame) -> date | None:
    days = [int(f["end_local"].max() // MINUTES_PER_DAY) if "end_local" in f else int(f["start_local"].max() // MINUTES_PER_DAY)
            for f in frames if len(f) and ("end_local" in f or "start_local" in f)]
    return np.datetime64(max(days), "D").astype(date) if days else None


def _weeks(owed: pd.DataFrame, paid: pd.DataFrame, paid_shifts: pd.DataFrame, policy: Policy, diff_names) -> pd.DataFrame:
    """Per employee and week: the owed (paid + unpaid) and paid lines side by side, and what was
    paid that counts: straight-time pay (base, differentials, standby) and creditable premiums."""
    diff_cols = [f"diff:{n}" for n in diff_names]
    cols = ["worked_minutes", "on_call_minutes", "gross_pay", "base_pay", "standby_pay", "overtime_premium",
            "holiday_premium", "callback_premium", *diff_cols]
    o = owed[KEYS + cols].copy()
    p = paid[KEYS + cols].copy()
    for f in (o, p):
        f["week_start"] = f["week_start"].astype("datetime64[s]")
        f["differential_pay"] = f[diff_cols].sum(axis=1).astype("int64") if diff_cols else 0
    w = o.merge(p, on=KEYS, how="outer", suffixes=("_owed", "_paid"))
    for c in [*cols, "differential_pay"]:
        for s in ("_owed", "_paid"):
            w[c + s] = w[c + s].fillna(0).astype("int64")
    out = pd.DataFrame({"employee_id": w["employee_id"].astype(object), "week_start": w["week_start"]})
    out["paid_minutes"] = w["worked_minutes_paid"]
    out["unpaid_minutes"] = w["worked_minutes_owed"] - w["worked_minutes_paid"]
    out["unpaid_on_call_minutes"] = w["on_call_minutes_owed"] - w["on_call_minutes_paid"]
    out["paid_gross"] = w["gross_pay_paid"]
    out["owed_gross"] = w["gross_pay_owed"]
    for c in ("base_pay", "differential_pay", "standby_pay"):
        out[f"{c}_paid"] = w[f"{c}_paid"]
        out[f"{c}_owed"] = w[f"{c}_owed"]
    for c in diff_cols:
        out[f"{c}_owed"] = w[f"{c}_owed"]
    out["overtime_premium_paid"] = w["overtime_premium_paid"]
    out["holiday_premium_paid"] = w["holiday_premium_paid"]
    out["callback_premium_paid"] = w["callback_premium_paid"]
    out["straight_paid"] = w["base_pay_paid"] + w["differential_pay_paid"] + w["standby_pay_paid"]
    credits = out["overtime_premium_paid"].copy()
    if policy.holiday is not None and factor_units(policy.holiday.multiplier) >= CREDITABLE_FACTOR:
        credits += out["holiday_premium_paid"]  # 207(e)(6) premium: creditable (207(h)(2), 778.203)
    credits += _creditable_callback(out, paid_shifts, policy)
    out["credits"] = credits.astype("int64")
    return out


def _creditable_callback(weeks: pd.DataFrame, paid: pd.DataFrame, policy: Policy) -> np.ndarray:
    """The part of the call-back premium paid for hours actually worked at 1.5x or more (207(e)(7),
    207(h)(2)); the pay for guaranteed hours not worked is not creditable (29 CFR 778.221, 778.222)."""
    oc = policy.on_call
    out = np.zeros(len(weeks), dtype="int64")
    if oc is None or factor_units(oc.callback_multiplier) < CREDITABLE_FACTOR or len(paid) == 0:
        return out
    cb = paid[paid["kind"].astype(object) == "callback"]
    if cb.empty:
        return out
    actual = (cb["end_at"] - cb["start_at"]).to_numpy(dtype="int64")
    part = cb["rate_units"].to_numpy(dtype="int64") * (factor_units(oc.callback_multiplier) - FACTOR_SCALE) * actual
    week = period_start_day(cb["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY, policy).astype("datetime64[D]")
    f = pd.DataFrame({"employee_id": cb["employee_id"].astype(object).to_numpy(), "week_start": week.astype("datetime64[s]"),
                      "part": part}).groupby(KEYS, as_index=False)["part"].sum()
    f["part"] = np.asarray(cents_half_up(f["part"].to_numpy(dtype="int64")), dtype="int64")
    m = weeks[KEYS].merge(f, on=KEYS, how="left")["part"].fillna(0).astype("int64").to_numpy()
    return np.minimum(m, weeks["callback_premium_paid"].to_numpy(dtype="int64"))


def stipend_minutes(hour_units) -> np.ndarray:
    """A stipend's hours (1/10,000 h) to whole minutes, half-up: backpay counts time to the minute."""
    return np.asarray(cents_half_up(np.asarray(hour_units, dtype="int64") * MINUTES_PER_HOUR, 10_000), dtype="int64")


def _stipend_weeks(stipends: pd.DataFrame | None, policy: Policy) -> pd.DataFrame:
    """Per employee and week (the policy's pay period): stipend pay (cents) and minutes."""
    if stipends is None or len(stipends) == 0:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "week_start": pd.Series(dtype="datetime64[s]"),
                             "stipend_pay": pd.Series(dtype="int64"), "stipend_minutes": pd.Series(dtype="int64")})
    day = stipends["date"].to_numpy().astype("datetime64[D]").astype("int64")
    f = pd.DataFrame({"employee_id": stipends["person"].astype(object).to_numpy(),
                      "week_start": period_start_day(day, policy).astype("datetime64[D]").astype("datetime64[s]"),
                      "stipend_pay": stipends["amount_cents"].to_numpy(dtype="int64"),
                      "stipend_minutes": stipend_minutes(stipends["hour_units"])})
    return f.groupby(KEYS, as_index=False, sort=True)[["stipend_pay", "stipend_minutes"]].sum()


def _with_stipends(weeks: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Stipend pay is paid compensation: in paid and owed gross alike and in the straight-time pay
    (a stipend-only week gets a row of its own)."""
    out = weeks.merge(st, on=KEYS, how="outer")
    for c in out.columns:
        if c not in KEYS:
            out[c] = out[c].fillna(0).astype("int64")
    for c in ("paid_gross", "owed_gross", "straight_paid"):
        out[c] = out[c] + out["stipend_pay"]
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _with_bonus(weeks: pd.DataFrame, bonus: pd.DataFrame | None) -> pd.DataFrame:
    """A certification bonus's share of each week: in the regular rate (29 CFR 778.209)."""
    weeks["bonus"] = 0
    if bonus is not None and len(bonus):
        b = bonus.assign(week_start=bonus["week_start"].astype("datetime64[s]")).groupby(KEYS, as_index=False)["bonus_share"].sum()
        weeks["bonus"] = weeks[KEYS].merge(b, on=KEYS, how="left")["bonus_share"].fillna(0).astype("int64").to_numpy()
    return weeks


def at_own_rates(shifts: pd.DataFrame) -> pd.DataFrame:
    """The shifts as they were paid: out-of-class rows at the employee's own rate (the same frame
    when no row was paid out of class)."""
    if HOME_RATE not in shifts or not shifts[OUT_OF_CLASS].any():
        return shifts
    return shifts.assign(rate_units=shifts[HOME_RATE].to_numpy(dtype="int64")).drop(columns=[HOME_RATE, OUT_OF_CLASS, DUTY_RATE])


def _hours_table(full, combined: pd.DataFrame, n_paid: int, weeks: pd.DataFrame, stipends: pd.DataFrame | None,
                 policy: Policy, paid_run=None) -> pd.DataFrame:
    """The hours table of :mod:`peerpay.core.measures`: every worked segment of the paid + unpaid
    rows at its own straight-time amount (base + differentials), and every stipend row (its hours
    on its date, at the week's stipend rate), sorted by employee, then time.

    Also sets the weeks' ``standby_paid`` (standby pay of the paid rows: in the regular rate,
    778.223; unpaid standby is a contract claim, not hours worked) and ``straight_paid_amount``
    (exact amount units): the
    paid rows' base, differentials and standby as the pay rule computed them before rounding,
    plus stipends. Why exact: the paid lines round each component on its own, and comparing an
    exact requirement with rounded pay would leave a cent of "back wages" in a week paid in full.
    """
    seg = full.segments
    index = pd.Series(np.arange(len(weeks)), index=pd.MultiIndex.from_frame(weeks[KEYS]))
    ids = np.asarray(full.employee_ids, dtype=object) if full.employee_ids is not None else np.zeros(0, dtype=object)
    everyone = np.asarray(sorted(set(weeks["employee_id"])), dtype=object)  # sorted: codes by np.searchsorted
    weeks["standby_paid"] = 0
    weeks["straight_paid_amount"] = weeks["stipend_pay"].to_numpy(dtype="int64").astype(object) * AMOUNT_PER_CENT
    parts = []
    if len(seg):
        emp = ids[seg["employee"].to_numpy()]
        week_start = seg["period_start"].to_numpy(dtype="int64").astype("datetime64[D]").astype("datetime64[s]")
        key = index.reindex(pd.MultiIndex.from_arrays([emp, week_start])).to_numpy()
        standby = seg["standby"].to_numpy(dtype="int64")
        shift = seg["shift"].to_numpy(dtype="int64")
        weeks["standby_paid"] = _int_sums(key, np.where(shift < n_paid, standby, 0), len(weeks))
        worked = seg["kind"].astype(object).to_numpy() != KINDS[1]
        diff = np.zeros(len(seg), dtype="int64")
        for n in full.differential_names:
            diff += seg[f"diff:{n}"].to_numpy(dtype="int64")
        if "out_of_class" in seg:  # the straight time the hour earned includes its out-of-class pay
            diff += seg["out_of_class"].to_numpy(dtype="int64")
        shift = seg["shift"].to_numpy(dtype="int64")
        if paid_run is None:
            paid_part = np.where(shift < n_paid, seg["base"].to_numpy(dtype="int64") + diff + standby, 0)
            weeks["straight_paid_amount"] = weeks["straight_paid_amount"].to_numpy(dtype=object) + _int_sums(key, paid_part, len(weeks))
        else:  # out-of-class rows were paid at the own rate: what was paid is the paid rows' own pricing
            ps = paid_run.segments
            p_emp = np.asarray(paid_run.employee_ids, dtype=object)[ps["employee"].to_numpy()]
            p_week = ps["period_start"].to_numpy(dtype="int64").astype("datetime64[D]").astype("datetime64[s]")
            p_key = index.reindex(pd.MultiIndex.from_arrays([p_emp, p_week])).to_numpy()
            p_diff = np.zeros(len(ps), dtype="int64")
            for n in paid_run.differential_names:
                p_diff += ps[f"diff:{n}"].to_numpy(dtype="int64")
            paid_part = ps["base"].to_numpy(dtype="int64") + p_diff + ps["standby"].to_numpy(dtype="int64")
            weeks["straight_paid_amount"] = weeks["straight_paid_amount"].to_numpy(dtype=object) + _int_sums(p_key, paid_part, len(weeks))
        parts.append(pd.DataFrame({
            "week": key[worked].astype("int64"),
            "employee": np.searchsorted(everyone, emp[worked]).astype("int64"),
            "day": seg["date"].to_numpy(dtype="int64")[worked],
            "workday": (combined["start_local"].to_numpy(dtype="int64")[shift] // MINUTES_PER_DAY)[worked],
            "minutes": seg["minutes"].to_numpy(dtype="int64")[worked],
            "amount": (seg["base"].to_numpy(dtype="int64") + diff)[worked],
            "stipend": False,
            "order": seg["seg_start"].to_numpy(dtype="int64")[worked],
            "rate_units": seg["rate_units"].to_numpy(dtype="int64")[worked],
        }))
    if stipends is not None and len(stipends):
        day = stipends["date"].to_numpy().astype("datetime64[D]").astype("int64")
        emp = stipends["person"].astype(object).to_numpy()
        week_start = period_start_day(day, policy).astype("datetime64[D]").astype("datetime64[s]")
        key = index.reindex(pd.MultiIndex.from_arrays([emp, week_start])).to_numpy()
        parts.append(pd.DataFrame({
            "week": key.astype("int64"), "employee": np.searchsorted(everyone, emp).astype("int64"),
            "day": day, "workday": day, "minutes": stipend_minutes(stipends["hour_units"]), "amount": 0, "stipend": True,
            "order": 0, "rate_units": -1,
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in ("week", "employee", "day", "workday", "minutes", "amount", "order",
                                                                    "rate_units")}
                            ).assign(stipend=pd.Series(dtype=bool))
    hours = pd.concat(parts, ignore_index=True)
    # chronological within an employee: by day, a day's shifts by time, its stipend hours last
    return hours.sort_values(["employee", "day", "stipend", "order"], kind="stable").reset_index(drop=True)


def _int_sums(key, values, n: int) -> np.ndarray:
    out = np.zeros(n, dtype="int64")
    np.add.at(out, np.asarray(key, dtype="int64"), np.asarray(values, dtype="int64"))
    return out


def _with_measures(weeks: pd.DataFrame, flsa: Measure, state: Measure, hours: pd.DataFrame) -> pd.DataFrame:
    out = weeks.copy()
    out["hours_minutes"] = flsa.hours_minutes
    for prefix, m in (("flsa", flsa), ("state", state)):
        out[f"{prefix}_method"] = m.method
        out[f"{prefix}_overtime_minutes"] = m.overtime_minutes
        out[f"{prefix}_minimum_amount"] = m.minimum_amount
        out[f"{prefix}_required"] = m.required_cents
        out[f"{prefix}_straight_due"] = m.straight_due_cents
        out[f"{prefix}_overtime_required"] = m.overtime_required_cents
        out[f"{prefix}_overtime_due"] = m.overtime_due_cents
        out[f"{prefix}_rate_num"] = m.rate_num
        out[f"{prefix}_rate_den"] = m.rate_den
        out[f"{prefix}_back_wages"] = m.due_cents
    out["week_index"] = np.arange(len(out))
    return out


def _base_rates(weeks: pd.DataFrame, hours: pd.DataFrame) -> list[list[int]]:
    """The base rates (units) the listed weeks' hours were worked at, paid and unpaid (for statements)."""
    listed = weeks["week_index"].to_numpy()
    worked = hours[(hours["rate_units"] >= 0).to_numpy() & np.isin(hours["week"].to_numpy(), listed)]
    pairs = worked[["week", "rate_units"]].drop_duplicates().sort_values(["week", "rate_units"])
    rates = pairs.groupby("week")["rate_units"].agg(list)  # the listed weeks only: tens to thousands
    return [[int(r) for r in rates.get(i, [])] for i in listed]


def _unpaid_rows(unpaid: pd.DataFrame, policy: Policy, weeks: pd.DataFrame) -> pd.DataFrame:
    """Each counted unpaid row with the workweek it starts in (for statements and activities)."""
    day = (unpaid["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY) if len(unpaid) else np.zeros(0, dtype="int64")
    week = period_start_day(day, policy).astype("datetime64[D]")
    rows = pd.DataFrame(
        {
            "employee_id": unpaid["employee_id"].astype(object).to_numpy(),
            "week_start": week,
            "row": unpaid["row"].to_numpy(dtype="int64"),
            "kind": unpaid["kind"].astype(object).to_numpy(),
            "start_local": unpaid["start_local"].to_numpy(dtype="int64"),
            "end_local": instants_to_local(unpaid["end_at"].to_numpy(dtype="int64"), policy.timezone).astype("int64"),
            "minutes": (unpaid["end_at"] - unpaid["start_at"]).to_numpy(dtype="int64"),
            "rate_units": unpaid["rate_units"].to_numpy(dtype="int64"),
            "activity": unpaid["activity"].to_numpy(dtype=object) if "activity" in unpaid else np.full(len(unpaid), "", dtype=object),
        }
    )
    counted = pd.MultiIndex.from_frame(weeks[KEYS].astype({"week_start": "datetime64[s]"}))
    here = pd.MultiIndex.from_frame(rows[KEYS].astype({"week_start": "datetime64[s]"}))
    return rows[here.isin(counted)].sort_values(["employee_id", "start_local", "row"], kind="stable").reset_index(drop=True)
