"""Wage law by the day: the dated minimum-wage table, the state's limitation periods, workweeks.

Pure functions over the shipped tables (peerpay/data/minimum_wage.csv and
limitation_periods.csv, described in peerpay/data/README.md); the job reads the files.

**The minimum wage of the day the work was done.** Each hour is owed the minimum in force on
the calendar day it was worked, never the one in force on the week's or the month's last day:
a Florida worker paid $13.50/h on 2025-09-29 was above the $13.00 then in force, although
$14.00 applied from 2025-09-30 (Fla. Const. art. X, s. 24(c)). A week that straddles a change
is valued day by day; its single "minimum wage" figure, where one is shown, is the
hours-weighted average (4 decimals).

Two minimums are kept apart: the **federal** one (29 U.S.C. 206(a)(1), the FLSA measure) and
the **state's** (the higher of the federal and the state's table rate on each day, 29 U.S.C.
218(a); or ``--minimum-wage`` for a county or city rate), each labelled as what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import InputError
from ..models.policy import Policy
from .calendar import weekday_of
from .money import DAYS_PER_WEEK, rate_units_array, ratio_half_up

FEDERAL = "US"
FEDERAL_LABEL = "federal minimum wage (29 U.S.C. 206(a)(1))"


# --------------------------------------------------------------------------- minimum wage table


@dataclass(frozen=True)
class MinimumWage:
    """Which minimum wages apply: the dated table and a jurisdiction, or one override rate.

    :meth:`federal_on` is the federal minimum on each day; :meth:`on` (= :meth:`state_on`) the
    one the state measure uses: the higher of the federal and the jurisdiction's (or the
    ``--minimum-wage`` override's) on each day.
    """

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
        """The state measure's minimum, in words (its label in every report)."""
        if self.override_units is not None:
            return f"${self.override_units / 10_000:,.2f}/h (--minimum-wage), or the federal minimum where higher"
        if not self.covered:
            return f"federal minimum (the table has no rows for {self.jurisdiction}: pass --minimum-wage for its rate)"
        if self.jurisdiction == FEDERAL:
            return FEDERAL_LABEL
        return f"{self.jurisdiction} minimum wage, or the federal minimum where higher, on each day worked (29 U.S.C. 218(a))"

    @cached_property
    def _series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per jurisdiction: its effective dates (sorted) and rate units, split from the table once."""
        if self.table is None:
            return {}
        names = self.table["jurisdiction"].to_numpy(dtype=object).astype(str)
        eff = self.table["effective_date"].to_numpy().astype("datetime64[D]")
        rates = self.table["rate_units"].to_numpy(dtype="int64")
        order = np.lexsort((eff, names))
        names, eff, rates = names[order], eff[order], rates[order]
        distinct, first = np.unique(names, return_index=True)
        ends = np.r_[first[1:], len(names)]
        return {str(j): (eff[a:b], rates[a:b]) for j, a, b in zip(distinct, first, ends)}  # ~70 jurisdictions

    def _rate(self, jurisdiction: str, days: np.ndarray) -> np.ndarray:
        """Rate units of ``jurisdiction`` on each date (0 before its first row).

        Searched date by date: a jurisdiction has a few dozen rows, so a binary search per date is
        cheaper than finding the distinct dates first (a sort of every date).
        """
        if jurisdiction not in self._series:
            return np.zeros(len(days), dtype="int64")
        eff, rates = self._series[jurisdiction]
        i = np.searchsorted(eff, days, side="right")
        i -= 1
        return np.where(i >= 0, rates[np.clip(i, 0, None)], 0)

    def federal_on(self, days) -> np.ndarray:
        """Federal rate units ($0.0001/h) in force on each date; 0 before the first row (or without a table)."""
        days = np.asarray(days, dtype="datetime64[D]")
        if self.table is None:
            return np.zeros(len(days), dtype="int64")
        return self._rate(FEDERAL, days)

    def state_on(self, days) -> np.ndarray:
        """The state measure's rate units on each date: max(federal, state or override)."""
        days = np.asarray(days, dtype="datetime64[D]")
        federal = self.federal_on(days)
        if self.override_units is not None:
            return np.maximum(federal, self.override_units)
        if self.table is None:
            raise InputError("no minimum wage table and no --minimum-wage")
        if self.jurisdiction == FEDERAL:
            return federal
        return np.maximum(federal, self._rate(self.jurisdiction, days))

    def on(self, days) -> np.ndarray:
        """:meth:`state_on` (the minimum a worker is owed where the work was done)."""
        return self.state_on(days)

    def constant_over(self, first_days, last_days) -> np.ndarray:
        """Per span [first, last]: True when neither minimum changes inside it (the usual week)."""
        first = np.asarray(first_days, dtype="datetime64[D]")
        last = np.asarray(last_days, dtype="datetime64[D]")
        return (self.state_on(first) == self.state_on(last)) & (self.federal_on(first) == self.federal_on(last)) & \
            ~self._changes_between(first, last)

    def _changes_between(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """A rate that goes up and back down inside a span (never in the shipped table) is still seen."""
        if self.table is None:
            return np.zeros(len(first), dtype=bool)
        names = [FEDERAL] + ([self.jurisdiction] if self.jurisdiction != FEDERAL and self.override_units is None else [])
        eff = np.sort(np.concatenate([self._series[n][0] for n in names if n in self._series] or [np.zeros(0, "datetime64[D]")]))
        return np.searchsorted(eff, last, side="right") - np.searchsorted(eff, first, side="right") > 0


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
    """``--jurisdiction`` if given; else a state the policy's overtime names (``[overtime] rules =
    "CA"``, or ``state = "CA"`` beside explicit tiers); else the policy's holiday calendar (US + MD
    -> US-MD); else US (federal only)."""
    if explicit:
        return explicit.strip().upper()
    named = policy.overtime.state_law if policy.overtime is not None else None
    if isinstance(named, str) and named.upper() != "FLSA":
        code = named.strip().upper().removeprefix("US-")
        if len(code) == 2 and code.isalpha():
            return f"US-{code}"
    h = policy.holiday
    if h is not None and str(h.country).upper() == "US" and h.subdivision:
        return f"US-{str(h.subdivision).upper()}"
    return FEDERAL


def state_of(jurisdiction: str) -> str:
    """``US-NY-NYC`` -> ``US-NY`` (a tier's state); ``US`` stays ``US``."""
    parts = jurisdiction.split("-")
    return "-".join(parts[:2])


def weighted_minimum(amount_units, minutes) -> float:
    """The hours-weighted minimum of a week ($/h, 4 decimals, half-up): sum(rate x minutes) / minutes.

    ``amount_units`` is sum(rate units x minutes); 0 minutes -> 0.0.
    """
    return ratio_half_up(int(amount_units), int(minutes) * 10_000, 4) if int(minutes) else 0.0


# --------------------------------------------------------------------------- limitation periods


@dataclass(frozen=True)
class Limitation:
    """How far back a claim reaches, in whole years, and why."""

    years: int
    source: str


def limitation_table(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """The shipped table (jurisdiction, years, willful_years, source) checked; a bad row raises."""
    need = {"jurisdiction", "years", "willful_years", "source"}
    if missing := need - set(raw.columns):
        raise InputError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    try:
        years = pd.to_numeric(raw["years"], errors="raise").astype("int64")
        willful = pd.to_numeric(raw["willful_years"], errors="raise").astype("int64")
    except (ValueError, TypeError) as exc:
        raise InputError(f"{source}: {exc}") from None
    if ((years < 1) | (willful < years)).any():
        raise InputError(f"{source}: years must be at least 1 and willful_years at least years")
    out = pd.DataFrame({"jurisdiction": raw["jurisdiction"].astype(str).str.strip().str.upper(), "years": years,
                        "willful_years": willful, "source": raw["source"].astype(str).str.strip()})
    if out["jurisdiction"].duplicated().any():
        raise InputError(f"{source}: a jurisdiction has two rows")
    return out


def state_limitation(table: pd.DataFrame | None, jurisdiction: str, willful: bool, federal: Limitation,
                     override_years: int | None = None) -> Limitation:
    """The limitation period of the state measure and the contract measure.

    ``--state-lookback-years`` wins; else the state's row of the table (a tier uses its state's);
    else the federal period (a state without a row, or federal only).
    """
    if override_years is not None:
        return Limitation(int(override_years), "--state-lookback-years")
    if table is not None and jurisdiction != FEDERAL:
        row = table[table["jurisdiction"] == state_of(jurisdiction)]
        if len(row):
            r = row.iloc[0]
            return Limitation(int(r["willful_years"] if willful else r["years"]), str(r["source"]))
    return Limitation(federal.years, f"{federal.source} (no state period in the table: the federal one)")


def years_before(day: date, years: int) -> date:
    """``day`` minus whole years; 29 Feb goes to 28 Feb in a common year (docs/formats.md §6)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------------- workweeks


def workweek_start(days, policy: Policy) -> np.ndarray:
    """The first day (days since 1970-01-01) of the policy's workweek holding each day.

    Always the 7-day workweek of 29 CFR 778.105 (the minimum-wage unit, 776.4), also under an
    8-and-80 policy, whose 14-day overtime period is the engine's ``period_start_day``.
    """
    d = np.asarray(days, dtype="int64")
    return d - ((weekday_of(d) - policy.workweek.start_index) % DAYS_PER_WEEK)
