"""Unpaid work priced as back wages (docs/formats.md §6, docs/backpay.md).

Pure functions: validated shift frames (from :func:`peerpay.core.inputs.prepare_timesheet`) and
the policy in, exact figures out. No pay rule lives here: the contract back wages are the pay
engine run twice under the same policy,

    back wages = gross(paid + unpaid rows) - gross(paid rows)      per employee and workweek,

so the unpaid hours earn their base rate and every differential, and the week's overtime is
recomputed on the week's regular rate: overtime cannot be offset by straight time that went
unpaid (29 CFR 778.315). Each gross is the engine's sum of rounded components (§3), so the
difference is exact to the cent.

Beside it, the **FLSA minimum** (the statutory floor, whatever the contract says), per week:

    U  = unpaid minutes worked, Hp = paid minutes worked, H = Hp + U
    OT = max(0, H - 40 h) - max(0, Hp - 40 h)       new overtime minutes (29 U.S.C. 207(a))
    ST = U - OT                                     unpaid straight-time minutes
    MW = minimum wage in force on the workweek's last day (table or --minimum-wage)
    RR = max(MW, (Rp + MW x ST) / (Hp + ST))        regular rate, 29 CFR 778.109 / 778.107
    floor = MW x ST  +  1.5 x RR x OT               each term half-up to the cent

``Rp`` is the paid week's regular-rate pay (base + differentials + standby, as the engine sums
it). The regular rate is total remuneration over total hours (778.109): the overtime hours'
straight time is paid at RR itself, so RR x (H - OT) = Rp + MW x ST; it is never below the
minimum wage (778.107). Worked example: Hp = 38 h, Rp = $760 (20.00/h), U = 5 h, MW = 7.25:
OT = 3 h, ST = 2 h, RR = (760 + 14.50) / 40 = 19.3625, floor = 14.50 + 1.5 x 19.3625 x 3 =
14.50 + 87.13 = $101.63.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .money import (AMOUNT_PER_CENT, AMOUNT_PER_DOLLAR, FACTOR_SCALE, MINUTES_PER_DAY, MINUTES_PER_HOUR, cents_half_up, cents_to_dollars,
                     rate_units_array, ratio_half_up)
from ..models.policy import Policy
from .calendar import instants_to_local
from .engine import WORKED_KINDS, period_start_day, compute_pay
from .report import hours

FLSA_WEEKLY_MINUTES = 40 * MINUTES_PER_HOUR  # 29 U.S.C. 207(a)(1)
FLSA_OVERTIME_FACTOR = 15_000  # 1.5 in FACTOR_SCALE units
FEDERAL = "US"
OVERLAPS_PAID = "overlaps a paid shift"

#: Where each figure comes from; rendered into report notes and statements.
CITATIONS = {
    "back_wages": "gross pay of paid + unpaid rows - gross pay of paid rows, both by the pay engine (docs/formats.md §3, §6); "
    "overtime on the recomputed regular rate (29 CFR 778.315)",
    "hours_worked": "work suffered or permitted is hours worked (29 CFR 785.11-785.13)",
    "liquidated_damages": "an additional equal amount (29 U.S.C. 216(b))",
    "lookback": "2 years, 3 for a willful violation (29 U.S.C. 255(a))",
    "flsa_minimum": "minimum wage x unpaid straight-time hours + 1.5 x regular rate x new overtime hours "
    "(29 U.S.C. 206, 207; 29 CFR 778.107, 778.109, 778.315)",
}


# --------------------------------------------------------------------------- minimum wage table


@dataclass(frozen=True)
class MinimumWage:
    """Which minimum wage applies: a dated table and a jurisdiction, or one override rate."""

    table: pd.DataFrame | None = None  # jurisdiction, effective_date (datetime64[D]), rate_units, source
    jurisdiction: str = FEDERAL
    override_units: int | None = None

    @property
    def covered(self) -> bool:
        """False when a state was asked for that the table has no rows for (federal used)."""
        if self.override_units is not None or self.jurisdiction == FEDERAL or self.table is None:
            return True
        return bool((self.table["jurisdiction"] == self.jurisdiction).any())

    def describe(self) -> str:
        if self.override_units is not None:
            return f"${self.override_units / 10_000:,.2f}/h (--minimum-wage)"
        if not self.covered:
            return f"federal minimum (the table has no rows for {self.jurisdiction}: pass --minimum-wage for its rate)"
        if self.jurisdiction == FEDERAL:
            return "federal minimum (29 U.S.C. 206(a)(1))"
        return f"higher of the federal and {self.jurisdiction} minimum on each date (29 U.S.C. 218(a))"

    def on(self, days) -> np.ndarray:
        """Rate units ($0.0001/h) in force on each date (datetime64[D] array); 0 before any row."""
        days = np.asarray(days, dtype="datetime64[D]")
        if self.override_units is not None:
            return np.full(len(days), self.override_units, dtype="int64")
        if self.table is None:
            raise InputError("no minimum wage table and no --minimum-wage")
        rate = _rate_on(self.table, FEDERAL, days)
        if self.jurisdiction != FEDERAL:
            rate = np.maximum(rate, _rate_on(self.table, self.jurisdiction, days))
        return rate


def _rate_on(table: pd.DataFrame, jurisdiction: str, days: np.ndarray) -> np.ndarray:
    rows = table[table["jurisdiction"] == jurisdiction].sort_values("effective_date")
    if rows.empty:
        return np.zeros(len(days), dtype="int64")
    eff = rows["effective_date"].to_numpy().astype("datetime64[D]")
    i = np.searchsorted(eff, days, side="right") - 1
    rates = rows["rate_units"].to_numpy(dtype="int64")
    return np.where(i >= 0, rates[np.clip(i, 0, None)], 0)


def minimum_wage_table(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """The shipped table (jurisdiction, effective_date, hourly, source) -> exact rate units.

    A bad row is a packaging error, not user input: it raises :class:`InputError`.
    """
    need = {"jurisdiction", "effective_date", "hourly", "source"}
    if missing := need - set(raw.columns):
        raise InputError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    try:
        eff = pd.to_datetime(raw["effective_date"].astype(str).str.strip(), format="%Y-%m-%d").to_numpy().astype("datetime64[D]")
        hourly = pd.to_numeric(raw["hourly"].astype(str).str.strip(), errors="raise").to_numpy(dtype="float64")
    except (ValueError, TypeError) as exc:
        raise InputError(f"{source}: {exc}") from None
    if not np.all(np.isfinite(hourly) & (hourly > 0)):
        raise InputError(f"{source}: every hourly minimum must be a positive number")
    out = pd.DataFrame(
        {
            "jurisdiction": raw["jurisdiction"].astype(str).str.strip().str.upper().to_numpy(dtype=object),
            "effective_date": eff,
            "rate_units": rate_units_array(hourly),
            "source": raw["source"].astype(str).str.strip().to_numpy(dtype=object),
        }
    )
    if out.duplicated(["jurisdiction", "effective_date"]).any():
        raise InputError(f"{source}: a jurisdiction has two rows for one effective_date")
    return out


def jurisdiction_of(policy: Policy, explicit: str | None = None) -> str:
    """``--jurisdiction`` if given, else the policy's holiday calendar (US + MD -> US-MD), else US."""
    if explicit:
        j = explicit.strip().upper()
        return j
    h = policy.holiday
    if h is not None and str(h.country).upper() == "US" and h.subdivision:
        return f"US-{str(h.subdivision).upper()}"
    return FEDERAL


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
    codes, _ = pd.factorize(pd.concat([paid["employee_id"], unpaid["employee_id"]], ignore_index=True))
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


def years_before(day: date, years: int) -> date:
    """``day`` minus whole years; 29 Feb goes to 28 Feb in a common year (docs/formats.md §6)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class BackpayResult:
    weeks: pd.DataFrame  # one row per employee and workweek in the lookback; money in cents
    employees: pd.DataFrame
    unpaid_rows: pd.DataFrame  # the unpaid rows that count (for statements): times, hours, activity
    as_of: date
    lookback_years: int
    cutoff: date  # the earliest last day of a counted workweek
    liquidated: bool
    minimum: MinimumWage
    problems: list[Problem] = field(default_factory=list)


WEEK_MONEY = ("paid_gross", "owed_gross", "back_wages", "flsa_minimum_back_wages")


def compute_backpay(
    paid: pd.DataFrame,
    unpaid: pd.DataFrame,
    policy: Policy,
    minimum: MinimumWage,
    *,
    as_of: date | None = None,
    lookback_years: int = 2,
    liquidated: bool = True,
    latest_day: date | None = None,
) -> BackpayResult:
    """Back wages per employee and workweek (module docstring). ``unpaid`` must already be free
    of overlaps with ``paid`` (:func:`reject_paid_overlaps`).

    ``as_of`` defaults to ``latest_day`` (the latest date in either file, which the caller
    knows from the rows it read), else the latest local date of the shifts given.
    """
    if as_of is None:
        as_of = latest_day or _latest_local_day(paid, unpaid) or date.today()
    cutoff = years_before(as_of, lookback_years)
    combined = pd.concat([paid, unpaid], ignore_index=True) if len(paid) else unpaid
    before = compute_pay(paid, policy).lines
    after = compute_pay(combined, policy).lines
    keys = ["employee_id", "week_start"]
    cols = ["worked_minutes", "on_call_minutes", "gross_pay", "regular_rate_num"]
    weeks = after[keys + cols].merge(before[keys + cols], on=keys, how="left", suffixes=("_owed", "_paid"))
    for c in cols:
        weeks[f"{c}_paid"] = weeks[f"{c}_paid"].fillna(0).astype("int64")
    weeks["unpaid_minutes"] = weeks["worked_minutes_owed"] - weeks["worked_minutes_paid"]
    weeks["unpaid_on_call_minutes"] = weeks["on_call_minutes_owed"] - weeks["on_call_minutes_paid"]
    weeks["paid_gross"] = weeks["gross_pay_paid"]
    weeks["owed_gross"] = weeks["gross_pay_owed"]
    weeks["back_wages"] = weeks["owed_gross"] - weeks["paid_gross"]
    # weeks with unpaid time; also a week whose pay changed through a workday that crosses into
    # it (daily overtime), so that no cent owed is dropped
    touched = (weeks["unpaid_minutes"] > 0) | (weeks["unpaid_on_call_minutes"] > 0) | (weeks["back_wages"] != 0)
    last_day = weeks["week_start"].to_numpy().astype("datetime64[D]") + np.timedelta64(6, "D")
    in_lookback = last_day >= np.datetime64(cutoff, "D")
    weeks = weeks[touched.to_numpy() & in_lookback].reset_index(drop=True)
    weeks["minimum_wage_units"] = minimum.on(weeks["week_start"].to_numpy().astype("datetime64[D]") + np.timedelta64(6, "D"))
    weeks = _flsa_minimum(weeks)
    weeks = weeks.sort_values(keys, kind="stable").reset_index(drop=True)

    rows = _unpaid_rows(unpaid, policy, weeks)
    activities = rows.groupby(keys, sort=True)["activity"].agg(lambda a: sorted({x for x in a if x}))
    weeks["activities"] = [activities.get((e, w), []) for e, w in zip(weeks["employee_id"], weeks["week_start"])]

    employees = weeks.groupby("employee_id", sort=True).agg(
        weeks=("week_start", "size"),
        unpaid_minutes=("unpaid_minutes", "sum"),
        unpaid_on_call_minutes=("unpaid_on_call_minutes", "sum"),
        back_wages=("back_wages", "sum"),
        flsa_minimum_back_wages=("flsa_minimum_back_wages", "sum"),
    ).reset_index()
    employees["liquidated_damages"] = employees["back_wages"] if liquidated else 0
    employees["total_owed"] = employees["back_wages"] + employees["liquidated_damages"]
    keep = ["employee_id", "week_start", "unpaid_minutes", "unpaid_on_call_minutes", "paid_gross", "owed_gross", "back_wages",
            "worked_minutes_paid", "minimum_wage_units", "straight_minutes", "overtime_minutes", "flsa_regular_rate_num",
            "flsa_regular_rate_den", "flsa_straight_cents", "flsa_overtime_cents", "flsa_minimum_back_wages", "activities"]
    return BackpayResult(weeks[keep], employees, rows, as_of, lookback_years, cutoff, liquidated, minimum)


def _latest_local_day(*frames: pd.DataFrame) -> date | None:
    days = [int(f["end_local"].max() // MINUTES_PER_DAY) if "end_local" in f else int(f["start_local"].max() // MINUTES_PER_DAY)
            for f in frames if len(f) and ("end_local" in f or "start_local" in f)]
    return np.datetime64(max(days), "D").astype(date) if days else None


def _flsa_minimum(weeks: pd.DataFrame) -> pd.DataFrame:
    """The statutory floor per week (module docstring), exact: Python ints through numpy object arrays."""
    out = weeks.copy()
    u = out["unpaid_minutes"].to_numpy(dtype="int64")
    hp = out["worked_minutes_paid"].to_numpy(dtype="int64")
    ot = np.maximum(hp + u - FLSA_WEEKLY_MINUTES, 0) - np.maximum(hp - FLSA_WEEKLY_MINUTES, 0)
    st = u - ot
    mw = out["minimum_wage_units"].to_numpy(dtype="int64").astype(object)
    rp = out["regular_rate_num_paid"].to_numpy(dtype="int64").astype(object)
    den = (hp + st).astype(object)  # minutes
    num = rp + mw * FACTOR_SCALE * st.astype(object)  # amount units over ``den`` minutes
    floor_num = mw * FACTOR_SCALE * den
    below = np.array([a < b for a, b in zip(num, floor_num)], dtype=bool) | (den == 0)  # 778.107: never below MW
    den = np.where(den == 0, 1, den).astype(object)
    num = np.where(below, mw * FACTOR_SCALE * den, num).astype(object)
    straight = cents_half_up((mw * FACTOR_SCALE * st.astype(object)).astype(object), AMOUNT_PER_CENT)
    overtime = cents_half_up((num * FLSA_OVERTIME_FACTOR * ot.astype(object)).astype(object),
                             (den * FACTOR_SCALE * AMOUNT_PER_CENT).astype(object))
    out["straight_minutes"] = st
    out["overtime_minutes"] = ot
    out["flsa_regular_rate_num"] = num
    out["flsa_regular_rate_den"] = den
    out["flsa_straight_cents"] = np.asarray(straight, dtype="int64") if len(out) else np.zeros(0, dtype="int64")
    out["flsa_overtime_cents"] = np.asarray(overtime, dtype="int64") if len(out) else np.zeros(0, dtype="int64")
    out["flsa_minimum_back_wages"] = out["flsa_straight_cents"] + out["flsa_overtime_cents"]
    return out


def _unpaid_rows(unpaid: pd.DataFrame, policy: Policy, weeks: pd.DataFrame) -> pd.DataFrame:
    """Each counted unpaid row with the workweek it starts in (for statements and activities)."""
    day = (unpaid["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY) if len(unpaid) else np.zeros(0, dtype="int64")
    week = period_start_day(day, policy).astype("datetime64[D]")
    rows = pd.DataFrame(
        {
            "employee_id": unpaid["employee_id"].to_numpy(dtype=object),
            "week_start": week,
            "row": unpaid["row"].to_numpy(dtype="int64"),
            "kind": unpaid["kind"].to_numpy(dtype=object),
            "start_local": unpaid["start_local"].to_numpy(dtype="int64"),
            "end_local": instants_to_local(unpaid["end_at"].to_numpy(dtype="int64"), policy.timezone).astype("int64"),
            "minutes": (unpaid["end_at"] - unpaid["start_at"]).to_numpy(dtype="int64"),
            "activity": unpaid["activity"].to_numpy(dtype=object) if "activity" in unpaid else np.full(len(unpaid), "", dtype=object),
        }
    )
    counted = pd.MultiIndex.from_frame(weeks[["employee_id", "week_start"]].astype({"week_start": "datetime64[s]"}))
    here = pd.MultiIndex.from_frame(rows[["employee_id", "week_start"]].astype({"week_start": "datetime64[s]"}))
    return rows[here.isin(counted)].sort_values(["employee_id", "start_local", "row"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- the report


def _hours_list(minutes) -> list[float]:
    return [hours(int(m)) for m in minutes]


def _dollars_list(cents) -> list[float]:
    return [cents_to_dollars(int(c)) for c in cents]


def backpay_report(result: BackpayResult, rejected: list[Problem]) -> dict:
    """The docs/formats.md §6 JSON object, plus additive keys (FLSA minimum, activities, notes)."""
    w, e = result.weeks, result.employees
    weeks = []
    st_h, ot_h = _hours_list(w["straight_minutes"]), _hours_list(w["overtime_minutes"])
    for i, (emp, ws, uh, paid, owed, back, uoc, mw, flsa, acts, rn, rd) in enumerate(zip(
        w["employee_id"], w["week_start"], _hours_list(w["unpaid_minutes"]), _dollars_list(w["paid_gross"]),
        _dollars_list(w["owed_gross"]), _dollars_list(w["back_wages"]), _hours_list(w["unpaid_on_call_minutes"]),
        w["minimum_wage_units"], _dollars_list(w["flsa_minimum_back_wages"]), w["activities"],
        w["flsa_regular_rate_num"], w["flsa_regular_rate_den"],
    )):
        weeks.append({
            "employee_id": str(emp), "week_start": str(np.datetime64(ws, "D")), "unpaid_hours": uh,
            "paid_gross": paid, "owed_gross": owed, "back_wages": back,
            "unpaid_on_call_hours": uoc, "minimum_wage": ratio_half_up(int(mw), 10_000, 2),
            "flsa_straight_hours": st_h[i], "flsa_overtime_hours": ot_h[i],
            "flsa_regular_rate": _rate(int(rn), int(rd)),
            "flsa_minimum_back_wages": flsa, "activities": list(acts),
        })
    employees = [
        {"employee_id": str(emp), "unpaid_hours": uh, "back_wages": bw, "liquidated_damages": ld, "total_owed": tot,
         "weeks": int(n), "unpaid_on_call_hours": uoc, "flsa_minimum_back_wages": fl}
        for emp, uh, bw, ld, tot, n, uoc, fl in zip(
            e["employee_id"], _hours_list(e["unpaid_minutes"]), _dollars_list(e["back_wages"]),
            _dollars_list(e["liquidated_damages"]), _dollars_list(e["total_owed"]), e["weeks"],
            _hours_list(e["unpaid_on_call_minutes"]), _dollars_list(e["flsa_minimum_back_wages"]))
    ]
    back = int(e["back_wages"].sum()) if len(e) else 0
    liq = int(e["liquidated_damages"].sum()) if len(e) else 0
    totals = {
        "unpaid_hours": hours(int(e["unpaid_minutes"].sum()) if len(e) else 0),
        "back_wages": cents_to_dollars(back),
        "liquidated_damages": cents_to_dollars(liq),
        "total_owed": cents_to_dollars(back + liq),
        "flsa_minimum_back_wages": cents_to_dollars(int(e["flsa_minimum_back_wages"].sum()) if len(e) else 0),
    }
    return {
        "as_of": result.as_of.isoformat(),
        "lookback_years": int(result.lookback_years),
        "weeks": weeks,
        "employees": employees,
        "rejected": [p.as_json() for p in rejected],
        "totals": totals,
        "lookback_from": result.cutoff.isoformat(),
        "liquidated": bool(result.liquidated),
        "minimum_wage": {"jurisdiction": result.minimum.jurisdiction, "basis": result.minimum.describe()},
        "notes": [f"{k}: {v}" for k, v in CITATIONS.items()] + ["Figures computed by peerpay; not legal advice."],
    }


def _rate(num: int, den_minutes: int) -> float:
    """FLSA regular rate in $/h from amount units over minutes, half-up to 4 places."""
    if den_minutes <= 0:
        return 0.0
    return ratio_half_up(num * MINUTES_PER_HOUR, den_minutes * AMOUNT_PER_DOLLAR, 4)
