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

    Most times lie days away from any change of the zone's UTC offset: those take the offset in
    force that day (:func:`_steady_offsets`, a lookup); only the rest go through pandas' general
    conversion, which is ~10x slower per value.
    """
    local_minutes = np.asarray(local_minutes, dtype="int64")
    if timezone is None or len(local_minutes) == 0:
        return local_minutes.copy()
    offset = _steady_offsets(local_minutes, timezone)
    if offset is None:
        return _local_to_instants_pandas(local_minutes, timezone, strict=strict)
    out = local_minutes - offset
    near_change = offset == _NEAR_CHANGE
    if near_change.any():
        out[near_change] = _local_to_instants_pandas(local_minutes[near_change], timezone, strict=strict)
    return out


_NEAR_CHANGE = np.iinfo("int64").min  # marks a time too close to a change of offset for the lookup
_GRID = 60  # minutes between the instants at which the offset is sampled
_MARGIN = 2 * MINUTES_PER_DAY  # farther than any UTC offset (< 1 day) from a change


def _steady_offsets(local_minutes: np.ndarray, timezone: str) -> np.ndarray | None:
    """Per wall-clock minute: its UTC offset in minutes, or _NEAR_CHANGE within 2 days of a change.

    The offset is sampled hourly (in UTC, where the conversion is unambiguous) over the span of
    the times and looked up per local date; a time with no change of offset within two days on
    either side has exactly one instant, ``local - offset``, as pandas would find it. (This assumes that no zone changes its
    offset and back within one hour, which no zone ever has.) None when the lookup would not pay:
    few times over a long span, or offsets that are not whole minutes.
    """
    lo, hi = int(local_minutes.min()), int(local_minutes.max())
    grid_from = (lo - 2 * _MARGIN) // _GRID * _GRID
    n_grid = (hi + 2 * _MARGIN - grid_from) // _GRID + 2
    if n_grid * 4 > len(local_minutes) or lo < _YEAR_1900 or hi > _YEAR_2200:
        return None
    grid = grid_from + _GRID * np.arange(n_grid, dtype="int64")
    utc = pd.DatetimeIndex((grid * 60).astype("datetime64[s]")).tz_localize("UTC")
    wall = np.asarray(utc.tz_convert(timezone).tz_localize(None).asi8, dtype="int64")  # seconds
    offset_s = wall - grid * 60
    if np.any(offset_s % 60):
        return None
    offset = offset_s // 60
    # per local date: the offset of its midnight, or _NEAR_CHANGE when a change lies within
    # _MARGIN of the date (changes[c]: the offset changes between grid points c and c + 1)
    first_day = lo // MINUTES_PER_DAY
    day_start = (first_day + np.arange(hi // MINUTES_PER_DAY - first_day + 1, dtype="int64")) * MINUTES_PER_DAY
    at = (day_start - grid_from) // _GRID
    by_day = offset[at]
    changes = np.flatnonzero(offset[1:] != offset[:-1])
    reach = (_MARGIN + MINUTES_PER_DAY) // _GRID + 1
    k = np.searchsorted(changes, at - reach, side="left")
    near = (k < len(changes)) & (changes[np.minimum(k, max(len(changes) - 1, 0))] <= at + reach) if len(changes) else False
    by_day[near] = _NEAR_CHANGE
    return by_day[local_minutes // MINUTES_PER_DAY - first_day]


_YEAR_1900 = int(np.datetime64("1900-01-01T00:00", "m").astype("int64"))
_YEAR_2200 = int(np.datetime64("2200-01-01T00:00", "m").astype("int64"))


def _local_to_instants_pandas(local_minutes: np.ndarray, timezone: str, *, strict: bool) -> np.ndarray:
    """local_to_instants for any time, by pandas' general conversion."""
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
