"""Stipends and honoraria by workweek (docs/formats.md §7; docs/backpay.md, "Stipends").

A stipend log has one row per payment: ``employee_id`` or ``person``, ``date``, ``amount`` (dollars
paid), ``hours`` (all the hours the payment covered, preparation and travel included, all on that
date), optional ``activity``. The minimum-wage test is per **workweek** (29 CFR 776.4), never
averaged over a month: per person and workweek,

    required         = sum over the week's days of hours x the minimum in force that day
    effective hourly = stipend pay / hours                          half-up to the cent
    below_minimum    = stipend pay < required                       compared exactly
    shortfall        = max(0, required - stipend pay)               half-up to the cent

and a month is only the sum of the weeks that start in it. Worked example: $50 for a 4-hour
week in a $15.00 state: 12.50/h, required 4 x 15.00 = 60.00, shortfall $10.00, although the
same person's month may average above $15 (the monthly test hid it).

Amounts are carried in cents, hours in 1/10000 h (4 places, as rates are), so every figure is
exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..models.policy import Policy
from .money import cents_half_up, cents_to_dollars, rate_units_array, ratio_half_up
from .tables import Rejections, parse_dates, parse_numbers, require_columns, text
from .wage_law import workweek_start

HOUR_UNITS = 10_000  # hours to 4 places
MAX_STIPEND = 1_000_000  # dollars in one row: anything above is a typo
MAX_HOURS = 744  # hours in one row: a 31-day month


def prepare_stipends(raw: pd.DataFrame, source: str, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a stipend log: ``person`` (or ``employee_id``), ``date``, ``amount``, ``hours``."""
    cols = list(raw.columns)
    who = "person" if "person" in cols else "employee_id"
    if "person" not in cols and "employee_id" not in cols:
        raise InputError(f"{source}: missing required column person or employee_id (found: {', '.join(cols) or 'none'})")
    require_columns(cols, ("date", "amount", "hours"), source)
    rej = Rejections(source, cols, len(raw), sheet)
    person = text(raw[who])
    rej.add((person == "").to_numpy(), who, f"{who} is empty")
    day = parse_dates(raw["date"], "date", rej, required=True)
    amount = parse_numbers(raw["amount"], "amount", rej, lo=0, hi=MAX_STIPEND)
    rej.add(np.isnan(amount) & ~rej.mask(), "amount", "amount is empty")
    hours = parse_numbers(raw["hours"], "hours", rej, lo=0, hi=MAX_HOURS)
    rej.add(np.isnan(hours) & ~rej.mask(), "hours", "hours is empty")
    rej.add((hours == 0) & ~rej.mask(), "hours", "hours must be above 0 (an hourly figure needs hours)")
    keep = ~rej.mask()
    frame = pd.DataFrame(
        {
            "person": person.to_numpy(dtype=object)[keep],
            "date": day[keep],
            "amount_cents": np.asarray(cents_half_up(rate_units_array(np.nan_to_num(amount[keep])), 100), dtype="int64"),
            "hour_units": rate_units_array(np.nan_to_num(hours[keep])),
            "activity": text(raw["activity"]).to_numpy(dtype=object)[keep] if "activity" in cols else np.full(int(keep.sum()), "", dtype=object),
            "row": np.arange(1, len(raw) + 1)[keep],
        }
    )
    return frame, rej.problems()


def stipend_weeks(frame: pd.DataFrame, minimum, policy: Policy | None = None, living_units: int | None = None) -> pd.DataFrame:
    """Per person and workweek (the policy's, default Sunday 00:00): hours, pay, the minimum-wage
    pay those hours require day by day, and the shortfall (docs/formats.md §7).

    ``minimum`` is a :class:`peerpay.core.wage_law.MinimumWage` (its :meth:`on`: the higher of the
    federal and the state minimum of each day); ``living_units`` a $0.0001/h living-wage line.
    Units: hours in 1/10,000 h x rates in $0.0001/h = $1e-8, so cents = that / 10^6, exactly.
    """
    day = frame["date"].to_numpy().astype("datetime64[D]")
    week = workweek_start(day.astype("int64"), policy or Policy()).astype("datetime64[D]")
    mw = np.asarray(minimum.on(day), dtype="int64")
    hu = frame["hour_units"].to_numpy(dtype="int64")
    g = pd.DataFrame({"employee_id": frame["person"].to_numpy(dtype=object), "week_start": week,
                      "payments": 1, "stipend_cents": frame["amount_cents"].to_numpy(dtype="int64"), "hour_units": hu,
                      "minimum_amount": mw.astype(object) * hu.astype(object), "activity": frame["activity"].to_numpy(dtype=object)})
    out = g.groupby(["employee_id", "week_start"], sort=True).agg(
        payments=("payments", "sum"), stipend_cents=("stipend_cents", "sum"), hour_units=("hour_units", "sum"),
        minimum_amount=("minimum_amount", "sum"), activities=("activity", lambda a: sorted({x for x in a if x})),
    ).reset_index()
    cents = out["stipend_cents"].to_numpy(dtype="int64").astype(object)
    units = out["hour_units"].to_numpy(dtype="int64").astype(object)
    required = out["minimum_amount"].to_numpy(dtype=object)
    n = len(out)
    # effective $/h in cents = (cents / 100) / (units / 10000) x 100 = cents x 10000 / units
    out["effective_cents"] = _cents(cents * HOUR_UNITS, units, n)
    out["minimum_wage_pay_cents"] = _cents(required, 10**6, n)
    out["below_minimum"] = np.asarray(cents * 10**6 < required, dtype=bool) if n else np.zeros(0, dtype=bool)
    out["shortfall_cents"] = np.maximum(_cents(np.maximum(required - cents * 10**6, 0), 10**6, n), 0)
    if living_units is not None:
        out["below_living_wage"] = np.asarray(cents * 10**6 < living_units * units, dtype=bool) if n else np.zeros(0, dtype=bool)
        out["shortfall_to_living_wage_cents"] = _cents(np.maximum(units * living_units - cents * 10**6, 0), 10**6, n)
    return out


def _cents(num, den, n: int) -> np.ndarray:
    return np.asarray(cents_half_up(np.asarray(num, dtype=object), den), dtype="int64") if n else np.zeros(0, dtype="int64")


def stipend_months(weeks: pd.DataFrame) -> pd.DataFrame:
    """The weeks rolled up by person and month of each week's first day (never averaged)."""
    month = weeks["week_start"].to_numpy().astype("datetime64[M]")
    cols = {"weeks": ("week_start", "size"), "payments": ("payments", "sum"), "stipend_cents": ("stipend_cents", "sum"),
            "hour_units": ("hour_units", "sum"), "shortfall_cents": ("shortfall_cents", "sum"),
            "weeks_below_minimum": ("below_minimum", "sum")}
    if "shortfall_to_living_wage_cents" in weeks:
        cols["shortfall_to_living_wage_cents"] = ("shortfall_to_living_wage_cents", "sum")
    return weeks.assign(month=month).groupby(["employee_id", "month"], sort=True).agg(**cols).reset_index()


def stipend_report(weeks: pd.DataFrame, rejected: list[Problem], minimum, living_units: int | None) -> dict:
    """docs/formats.md §7's object (weeks, months, totals) plus additive keys, as JSON-ready dicts."""
    week_recs = []
    for r in weeks.to_dict("records"):  # one per person and week: tens to thousands
        rec = {
            "employee_id": str(r["employee_id"]), "week_start": str(np.datetime64(r["week_start"], "D")),
            "hours": _hours(r["hour_units"]), "stipend_pay": cents_to_dollars(r["stipend_cents"]),
            "effective_hourly": cents_to_dollars(r["effective_cents"]),
            "minimum_wage": ratio_half_up(int(r["minimum_amount"]), int(r["hour_units"]) * 10_000, 4) if r["hour_units"] else 0.0,
            "shortfall": cents_to_dollars(r["shortfall_cents"]),
            "payments": int(r["payments"]), "minimum_wage_pay": cents_to_dollars(r["minimum_wage_pay_cents"]),
            "below_minimum": bool(r["below_minimum"]),
        }
        if living_units is not None:
            rec |= {"living_wage": ratio_half_up(int(living_units), 10_000, 2), "below_living_wage": bool(r["below_living_wage"]),
                    "shortfall_to_living_wage": cents_to_dollars(r["shortfall_to_living_wage_cents"])}
        rec["activities"] = list(r["activities"])
        week_recs.append(rec)
    months = stipend_months(weeks)
    month_recs = []
    for r in months.to_dict("records"):
        rec = {"employee_id": str(r["employee_id"]), "month": str(np.datetime64(r["month"], "M")), "hours": _hours(r["hour_units"]),
               "stipend_pay": cents_to_dollars(r["stipend_cents"]), "shortfall": cents_to_dollars(r["shortfall_cents"]),
               "weeks": int(r["weeks"]), "weeks_below_minimum": int(r["weeks_below_minimum"]), "payments": int(r["payments"])}
        if living_units is not None:
            rec["shortfall_to_living_wage"] = cents_to_dollars(r["shortfall_to_living_wage_cents"])
        month_recs.append(rec)
    total = lambda c: int(weeks[c].sum()) if len(weeks) else 0
    totals = {"hours": _hours(total("hour_units")), "stipend_pay": cents_to_dollars(total("stipend_cents")),
              "shortfall": cents_to_dollars(total("shortfall_cents")), "weeks_below_minimum": total("below_minimum"),
              "payments": total("payments")}
    if living_units is not None:
        totals["shortfall_to_living_wage"] = cents_to_dollars(total("shortfall_to_living_wage_cents"))
    return {
        "weeks": week_recs,
        "months": month_recs,
        "totals": totals,
        "rejected": [p.as_json() for p in rejected],
        "minimum_wage": {"jurisdiction": minimum.jurisdiction, "basis": minimum.describe()},
        "notes": ["The minimum-wage test is per workweek (29 CFR 776.4), never averaged over a month: a month only adds up "
                  "its weeks (each week in the month of its first day).",
                  "Each day's hours are valued at the minimum wage in force on that day; a week's minimum_wage is the "
                  "hours-weighted minimum (4 decimals) where it changed within the week.",
                  "shortfall = max(0, sum of day hours x that day's minimum - stipend pay for the week), exact, then half-up to the cent.",
                  "effective hourly = stipend pay / hours (all hours the payments covered, preparation and travel included), half-up to the cent.",
                  "Figures computed by peerpay; not legal advice (a stipend to a volunteer may not be wages under the FLSA)."],
    }


def _hours(units) -> float:
    return ratio_half_up(int(units), HOUR_UNITS, 4)


def stipend_workers(frame: pd.DataFrame, role: str) -> pd.DataFrame:
    """One gap *worker* per person: effective hourly over the whole log, as ``hourly_units`` ($0.0001/h)."""
    g = frame.groupby("person", sort=True)[["amount_cents", "hour_units"]].sum().reset_index()
    cents = g["amount_cents"].to_numpy(dtype="int64").astype(object)
    units = g["hour_units"].to_numpy(dtype="int64").astype(object)
    # $/h in $0.0001 = cents x 10^6 / units
    hourly = np.asarray(cents_half_up(cents * 10**6, units), dtype="int64") if len(g) else np.zeros(0, "int64")
    minutes = np.asarray(cents_half_up(units * 60, HOUR_UNITS), dtype="int64") if len(g) else np.zeros(0, "int64")
    return pd.DataFrame({
        "employee_id": g["person"].to_numpy(dtype=object),
        "role": role,
        "hourly_units": hourly,
        "gross_cents": g["amount_cents"].to_numpy(dtype="int64"),
        "worked_minutes": minutes,
    })
