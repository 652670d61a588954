"""Local calendars as arrays of instants: the edges where pay rules change.

Every instant in the engine is an int64 count of minutes since 1970-01-01 00:00 UTC. Without a
policy ``timezone`` the wall-clock times are read as if they were UTC, so differences are
wall-clock differences (docs/formats.md §2). With a timezone, each local midnight and each
differential window edge is converted to its real instant, so a night shift across the
fall-back change is 9 real hours and across spring-forward 7 (29 CFR 785.48 pays hours
actually worked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models.policy import Differential, Policy
from .money import DAYS_PER_WEEK, MINUTES_PER_DAY

EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def local_to_instants(local_minutes: np.ndarray, timezone: str | None, *, strict: bool) -> np.ndarray:
    """Wall-clock minutes -> UTC minutes.

    Ambiguous times (fall-back) take their first occurrence. A time in the spring-forward gap
    becomes -1 when ``strict`` (the caller rejects the row) and is shifted forward to the first
    real minute otherwise (a calendar edge such as a 02:00 window start).
    """
    local_minutes = np.asarray(local_minutes, dtype="int64")
    if timezone is None or len(local_minutes) == 0:
        return local_minutes.copy()
    idx = pd.DatetimeIndex(local_minutes.astype("datetime64[m]").astype("datetime64[s]"))
    loc = idx.tz_localize(
        timezone,
        ambiguous=np.ones(len(idx), dtype=bool),
        nonexistent="NaT" if strict else "shift_forward",
    )
    nat = loc.isna()
    utc = loc.tz_convert("UTC").tz_localize(None)
    out = np.asarray(utc.values.astype("datetime64[m]").astype("int64"))
    out = np.where(nat, -1, out)
    return out


@dataclass(frozen=True)
class Calendar:
    """Local days and rule windows over the span of a timesheet, as sorted instant arrays."""

    day_numbers: np.ndarray  # local dates as days since epoch (int64), consecutive
    midnights: np.ndarray  # UTC minute at which each local date begins
    windows: dict[str, tuple[np.ndarray, np.ndarray]]  # differential -> (starts, ends), sorted
    holidays: np.ndarray  # holiday dates as days since epoch
    cuts: np.ndarray  # every edge: midnights and window edges, sorted, unique

    def day_of(self, instants: np.ndarray) -> np.ndarray:
        """The local date (days since epoch) in which each instant falls."""
        i = np.searchsorted(self.midnights, instants, side="right") - 1
        return self.day_numbers[np.clip(i, 0, len(self.day_numbers) - 1)]

    def interval_instants(self) -> np.ndarray:
        """One instant inside each stretch between two cuts (before the first, between, after the last).

        Every rule that depends on the instant alone (the local date, each window) is constant on
        such a stretch, so the engine evaluates it once per stretch and looks a piece up by the
        stretch it starts in: ``searchsorted(cuts, t, side="right")`` indexes this array.
        """
        return np.r_[self.cuts[:1] - 1, self.cuts]

    def in_window(self, name: str, instants: np.ndarray) -> np.ndarray:
        starts, ends = self.windows[name]
        if len(starts) == 0:
            return np.zeros(len(instants), dtype=bool)
        i = np.searchsorted(starts, instants, side="right") - 1
        ok = i >= 0
        return ok & (instants < ends[np.clip(i, 0, None)])


def weekday_of(day_numbers: np.ndarray) -> np.ndarray:
    return (np.asarray(day_numbers) + EPOCH_WEEKDAY) % DAYS_PER_WEEK


def holiday_days(policy: Policy, first_day: int, last_day: int) -> np.ndarray:
    """Holiday dates from the ``holidays`` package calendar plus the policy's extra dates."""
    h = policy.holiday
    if h is None:
        return np.array([], dtype="int64")
    dates = set(h.dates)
    if h.country:
        import holidays

        first = np.datetime64(int(first_day), "D").astype(object).year
        last = np.datetime64(int(last_day), "D").astype(object).year
        cal = holidays.country_holidays(
            h.country, subdiv=h.subdivision, years=range(first, last + 1), observed=h.observed
        )
        dates.update(cal.keys())
    return np.array(sorted(np.datetime64(d, "D").astype("int64") for d in dates), dtype="int64")


def _windows(diff: Differential, days: np.ndarray, timezone: str | None) -> tuple[np.ndarray, np.ndarray]:
    start, end = diff.window
    keep = np.isin(weekday_of(days), list(diff.day_indexes))
    base = days[keep] * MINUTES_PER_DAY
    return (
        local_to_instants(base + start, timezone, strict=False),
        local_to_instants(base + end, timezone, strict=False),
    )


def build_calendar(policy: Policy, first_instant: int, last_instant: int) -> Calendar:
    """The calendar covering [first_instant, last_instant], with a day of margin each side."""
    first_day = int(first_instant // MINUTES_PER_DAY) - 2
    last_day = int(last_instant // MINUTES_PER_DAY) + 2
    days = np.arange(first_day, last_day + 1, dtype="int64")
    midnights = local_to_instants(days * MINUTES_PER_DAY, policy.timezone, strict=False)
    windows = {d.name: _windows(d, days, policy.timezone) for d in policy.differential}
    edges = [midnights] + [a for w in windows.values() for a in w]
    return Calendar(
        day_numbers=days,
        midnights=midnights,
        windows=windows,
        holidays=holiday_days(policy, first_day, last_day),
        cuts=np.unique(np.concatenate(edges)),
    )


def instants_to_local(instants: np.ndarray, timezone: str | None) -> np.ndarray:
    """UTC minutes -> local wall-clock datetime64[m] (for display only)."""
    m = np.asarray(instants, dtype="int64").astype("datetime64[m]")
    if timezone is None:
        return m
    idx = pd.DatetimeIndex(m.astype("datetime64[s]")).tz_localize("UTC").tz_convert(timezone).tz_localize(None)
    return idx.values.astype("datetime64[m]")
