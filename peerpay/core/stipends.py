"""Stipends and honoraria as an effective hourly wage (docs/backpay.md, "Stipends").

A stipend log has one row per payment: ``employee_id`` or ``person``, ``date``, ``amount`` (dollars
paid), ``hours`` (all the hours the payment covered, preparation and travel included), optional
``activity``. Per person and calendar month:

    effective hourly = amount / hours                       half-up to the cent
    below_minimum    = amount < minimum wage x hours        compared exactly, before rounding
    shortfall        = minimum wage x hours - amount        (half-up to the cent; 0 when not below)

Worked example: $150 for a 2-hour group plus 8 hours of preparation and travel (10 h) in a
month where Maryland's minimum is $15.00: 150 / 10 = $15.00/h, not below. The same $150 for
12 h: 12.50/h, below, shortfall 15.00 x 12 - 150 = $30.00.

Amounts are carried in cents, hours in 1/10000 h (4 places, as rates are), so every figure is
exact. The minimum wage in force is the one on the month's last day (the table only rises).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .money import cents_half_up, cents_to_dollars, rate_units_array, ratio_half_up
from .tables import Rejections, parse_dates, parse_numbers, require_columns, text

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


def stipend_months(frame: pd.DataFrame, minimum, living_units: int | None = None) -> pd.DataFrame:
    """Per person and month: amount, hours, effective hourly, the minimum in force, the flags.

    ``minimum`` is a :class:`peerpay.core.backpay.MinimumWage`; ``living_units`` a $0.0001/h
    living-wage line (or None).
    """
    month = frame["date"].to_numpy().astype("datetime64[M]")
    g = pd.DataFrame({"person": frame["person"], "month": month, "amount_cents": frame["amount_cents"],
                      "hour_units": frame["hour_units"], "payments": 1,
                      "activity": frame["activity"]})
    out = g.groupby(["person", "month"], sort=True).agg(
        payments=("payments", "sum"), amount_cents=("amount_cents", "sum"), hour_units=("hour_units", "sum"),
        activities=("activity", lambda a: sorted({x for x in a if x})),
    ).reset_index()
    cents = out["amount_cents"].to_numpy(dtype="int64").astype(object)
    units = out["hour_units"].to_numpy(dtype="int64").astype(object)
    # effective $/h in cents = (cents / 100) / (units / 10000) x 100 = cents x 10000 / units
    out["effective_cents"] = np.asarray(cents_half_up(cents * HOUR_UNITS, units), dtype="int64") if len(out) else np.zeros(0, "int64")
    last_day = (out["month"].to_numpy().astype("datetime64[M]") + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    mw = minimum.on(last_day).astype(object)
    out["minimum_wage_units"] = np.asarray(mw, dtype="int64")
    # amount < mw x hours  <=>  cents x 10^6 < mw_units x hour_units   ($0.0001 x 1/10000 h = 1e-6 cents)
    out["below_minimum"] = np.asarray(cents * 10**6 < mw * units, dtype=bool)
    owed = np.asarray(cents_half_up(mw * units, 10**6), dtype="int64") if len(out) else np.zeros(0, "int64")
    out["shortfall_to_minimum_cents"] = np.maximum(owed - out["amount_cents"].to_numpy(dtype="int64"), 0)
    if living_units is not None:
        out["below_living_wage"] = np.asarray(cents * 10**6 < living_units * units, dtype=bool)
        owed = np.asarray(cents_half_up(units * living_units, 10**6), dtype="int64") if len(out) else np.zeros(0, "int64")
        out["shortfall_to_living_wage_cents"] = np.maximum(owed - out["amount_cents"].to_numpy(dtype="int64"), 0)
    return out


def stipend_report(months: pd.DataFrame, rejected: list[Problem], minimum, living_units: int | None) -> dict:
    """The stipend report as JSON-ready dicts (one per person and month)."""
    recs = []
    for r in months.to_dict("records"):
        rec = {
            "person": str(r["person"]),
            "month": str(np.datetime64(r["month"], "M")),
            "payments": int(r["payments"]),
            "amount": cents_to_dollars(r["amount_cents"]),
            "hours": ratio_half_up(int(r["hour_units"]), HOUR_UNITS, 4),
            "effective_hourly": cents_to_dollars(r["effective_cents"]),
            "minimum_wage": ratio_half_up(int(r["minimum_wage_units"]), 10_000, 2),
            "below_minimum": bool(r["below_minimum"]),
            "shortfall_to_minimum": cents_to_dollars(r["shortfall_to_minimum_cents"]),
        }
        if living_units is not None:
            rec["living_wage"] = ratio_half_up(living_units, 10_000, 2)
            rec["below_living_wage"] = bool(r["below_living_wage"])
            rec["shortfall_to_living_wage"] = cents_to_dollars(r["shortfall_to_living_wage_cents"])
        rec["activities"] = list(r["activities"])
        recs.append(rec)
    return {
        "minimum_wage": {"jurisdiction": minimum.jurisdiction, "basis": minimum.describe()},
        "months": recs,
        "rejected": [p.as_json() for p in rejected],
        "totals": {
            "amount": cents_to_dollars(int(months["amount_cents"].sum()) if len(months) else 0),
            "hours": ratio_half_up(int(months["hour_units"].sum()) if len(months) else 0, HOUR_UNITS, 4),
            "months_below_minimum": int(months["below_minimum"].sum()) if len(months) else 0,
            "shortfall_to_minimum": cents_to_dollars(int(months["shortfall_to_minimum_cents"].sum()) if len(months) else 0),
        },
        "notes": ["effective hourly = amount / hours (all hours the payment covered, preparation and travel included), half-up to the cent",
                  "below minimum: amount < minimum wage in force on the month's last day x hours (exact comparison)",
                  "Figures computed by peerpay; not legal advice (a stipend to a volunteer may not be wages under the FLSA)."],
    }


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
