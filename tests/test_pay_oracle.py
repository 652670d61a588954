"""An independent oracle for the pay engine: docs/formats.md §3 minute by minute, in plain Python.

The reference below deliberately shares nothing with :mod:`peerpay.core` (no numpy, no
pandas, no integer money units): it walks every real minute of every row with
:class:`fractions.Fraction` dollars and :mod:`zoneinfo`, decides for each minute its local
date, workweek, differential windows, group winner, holiday, daily and weekly overtime, and
rounds each component once, half-up, per employee and workweek. Hypothesis then generates
random timesheets and policies and the engine's report (through :func:`peerpay.jobs.pay.run_pay`)
must match it exactly, line by line and field by field.

Choices the contract leaves open follow ``docs/pay-rules.md``: a differential window edge is a
real instant (an ambiguous edge is its first occurrence, an edge in a spring-forward gap moves
to the first real minute after it); an ambiguous timesheet time is its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pandas as pd
from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peerpay.jobs.pay import run_pay
from peerpay.models.policy import loads_policy

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPOCH = dt.datetime(1970, 1, 1)
UTC = dt.UTC
SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------
# The oracle
# --------------------------------------------------------------------------------------------

def _minutes(t: dt.datetime) -> int:
    """Naive datetime -> minutes since 1970-01-01 (a plain count, no zone)."""
    return int((t - EPOCH).total_seconds()) // 60


def _naive(m: int) -> dt.datetime:
    return EPOCH + dt.timedelta(minutes=m)


class Clock:
    """Wall clock <-> real minutes, for one policy (no timezone: the wall clock is the clock)."""

    def __init__(self, tz: str | None):
        self.zone = ZoneInfo(tz) if tz else None

    def exists(self, wall: dt.datetime) -> bool:
        if self.zone is None:
            return True
        back = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC).astimezone(self.zone)
        return back.replace(tzinfo=None) == wall

    def instant(self, wall: dt.datetime) -> int:
        """First occurrence of an ambiguous time; a time in a gap -> the first real minute after it."""
        if self.zone is None:
            return _minutes(wall)
        while not self.exists(wall):
            wall += dt.timedelta(minutes=1)
        utc = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC).replace(tzinfo=None)
        return _minutes(utc)

    def local(self, instant: int) -> dt.datetime:
        if self.zone is None:
            return _naive(instant)
        return _naive(instant).replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)


def _clock(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def _cents(x: Fraction) -> int:
    """Dollars -> whole cents, half-up (amounts here are never negative)."""
    return math.floor(x * 100 + Fraction(1, 2))


def _places4(x: Fraction) -> float:
    return math.floor(x * 10_000 + Fraction(1, 2)) / 10_000


def oracle(rows: list[dict], pol: dict) -> dict:
    """docs/formats.md §3 by the minute. ``rows``: employee_id, kind, start, end (wall datetimes), rate (Fraction).

    ``pol`` is the plain-dict form of the policy the test also writes as TOML.
    Returns {(employee_id, week_start date): line dict in the report's units}.
    """
    clock = Clock(pol.get("timezone"))
    start_index = WEEKDAYS.index(pol.get("start_day", "sun"))
    diffs = pol.get("differential", [])
    hol = pol.get("holiday")
    holidays = {dt.date.fromisoformat(d) for d in hol["dates"]} if hol else set()
    oc = pol.get("on_call")
    ot = pol.get("overtime")

    def week_of(d: dt.date) -> dt.date:
        return d - dt.timedelta(days=(d.weekday() - start_index) % 7)

    window_cache: dict[tuple[int, dt.date], tuple[int, int] | None] = {}

    def window(i: int, day: dt.date):
        """Differential i's window that starts on ``day``, as real [start, end) minutes, or None."""
        key = (i, day)
        if key not in window_cache:
            d = diffs[i]
            if d.get("days") is not None and WEEKDAYS[day.weekday()] not in d["days"]:
                window_cache[key] = None
            else:
                s, e = (0, 1440) if d.get("start") is None else (_clock(d["start"]), _clock(d["end"]))
                if e <= s:
                    e += 1440
                midnight = dt.datetime.combine(day, dt.time())
                window_cache[key] = (
                    clock.instant(midnight + dt.timedelta(minutes=s)),
                    clock.instant(midnight + dt.timedelta(minutes=e)),
                )
        return window_cache[key]

    def in_window(i: int, instant: int, day: dt.date) -> bool:
        for start_day in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
            w = window(i, start_day)
            if w is not None and w[0] <= instant < w[1]:
                return True
        return False

    lines: dict = {}

    def line(emp, week):
        key = (emp, week)
        if key not in lines:
            lines[key] = {
                "worked": 0, "on_call": 0, "ot": 0, "base": Fraction(0),
                "diff": [Fraction(0)] * len(diffs), "holiday": Fraction(0), "standby": Fraction(0),
                "callback": Fraction(0), "ot_base": Fraction(0),
            }
        return lines[key]

    worked_minutes = []  # (emp, instant, workday, week, rate) for overtime
    for r in rows:
        emp, kind, rate = r["employee_id"], r["kind"], r["rate"]
        s, e = clock.instant(r["start"]), clock.instant(r["end"])
        row_day = clock.local(s).date()
        if kind == "callback" and oc is not None:
            actual = e - s
            paid = max(actual, round(Fraction(oc["callback_minimum_hours"]) * 60))
            premium = Fraction(oc["callback_multiplier"]) * rate * Fraction(paid, 60) - rate * Fraction(actual, 60)
            line(emp, week_of(row_day))["callback"] += premium
        for u in range(s, e):
            day = clock.local(u).date()
            ln = line(emp, week_of(day))
            if kind == "on_call":
                ln["on_call"] += 1
                if oc is not None:
                    ln["standby"] += Fraction(oc["standby_per_hour"]) / 60
                continue
            ln["worked"] += 1
            ln["base"] += rate / 60
            best: dict = {}  # group -> (amount, index); ungrouped differentials each their own group
            for i, d in enumerate(diffs):
                if not in_window(i, u, day):
                    continue
                amount = Fraction(d["per_hour"]) if "per_hour" in d else rate * Fraction(d["percent"]) / 100
                g = d.get("group") or f"\0{i}"
                if g not in best or amount > best[g][0]:
                    best[g] = (amount, i)
            for amount, i in best.values():
                ln["diff"][i] += amount / 60
            if day in holidays:
                ln["holiday"] += (Fraction(hol["multiplier"]) - 1) * rate / 60
            worked_minutes.append((emp, u, row_day, week_of(day), rate))

    if ot is not None:
        worked_minutes.sort(key=lambda t: (t[0], t[1]))
        mult = Fraction(ot["multiplier"])
        daily_count: dict = {}
        weekly_count: dict = {}
        for emp, _u, workday, week, rate in worked_minutes:
            is_ot = False
            if "daily_hours" in ot:
                n = daily_count[(emp, workday)] = daily_count.get((emp, workday), 0) + 1
                is_ot = n > Fraction(ot["daily_hours"]) * 60
            if not is_ot:
                n = weekly_count[(emp, week)] = weekly_count.get((emp, week), 0) + 1
                is_ot = n > Fraction(ot.get("weekly_hours", 40)) * 60
            if is_ot:
                ln = lines[(emp, week)]
                ln["ot"] += 1
                ln["ot_base"] += (mult - 1) * rate / 60

    out = {}
    for (emp, week), ln in lines.items():
        regular = ln["base"] + sum(ln["diff"]) + ln["standby"]
        rr = regular / Fraction(ln["worked"], 60) if ln["worked"] else Fraction(0)
        if ot is None:
            premium = Fraction(0)
        elif ot.get("basis", "regular_rate") == "base_rate":
            premium = ln["ot_base"]
        else:
            premium = (Fraction(ot["multiplier"]) - 1) * rr * Fraction(ln["ot"], 60)
        cents = {
            "base_pay": _cents(ln["base"]),
            "holiday_premium": _cents(ln["holiday"]),
            "standby_pay": _cents(ln["standby"]),
            "callback_premium": _cents(ln["callback"]),
            "overtime_premium": _cents(premium),
        }
        diff_cents = {d["name"]: _cents(ln["diff"][i]) for i, d in enumerate(diffs)}
        gross = sum(cents.values()) + sum(diff_cents.values())
        out[(emp, week.isoformat())] = {
            "employee_id": emp,
            "week_start": week.isoformat(),
            "hours_worked": _places4(Fraction(ln["worked"], 60)),
            "on_call_hours": _places4(Fraction(ln["on_call"], 60)),
            "overtime_hours": _places4(Fraction(ln["ot"], 60)),
            **{k: v / 100 for k, v in cents.items()},
            "differential_pay": {k: v / 100 for k, v in diff_cents.items()},
            "regular_rate": _places4(rr),
            "gross_pay": gross / 100,
        }
    return out


# --------------------------------------------------------------------------------------------
# Policies and timesheets as data, and as the files the engine reads
# --------------------------------------------------------------------------------------------

def _toml_value(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)


def policy_toml(pol: dict) -> str:
    out = []
    if pol.get("timezone"):
        out.append(f'timezone = "{pol["timezone"]}"')
    out.append(f'[workweek]\nstart_day = "{pol.get("start_day", "sun")}"')
    for section in ("overtime", "holiday", "on_call"):
        if pol.get(section) is not None:
            out.append(f"[{section}]")
            out += [f"{k} = {_toml_value(v)}" for k, v in pol[section].items()]
    for d in pol.get("differential", []):
        out.append("[[differential]]")
        out += [f"{k} = {_toml_value(v)}" for k, v in d.items() if v is not None]
    return "\n".join(out) + "\n"


def pay(rows: list[dict], pol: dict) -> dict:
    raw = pd.DataFrame(
        {
            "employee_id": [r["employee_id"] for r in rows],
            "start": [r["start"].strftime("%Y-%m-%d %H:%M") for r in rows],
            "end": [r["end"].strftime("%Y-%m-%d %H:%M") for r in rows],
            "kind": [r["kind"] for r in rows],
            "rate": [r["rate_text"] for r in rows],
        },
        dtype="string",
    )
    run = run_pay("timesheet.csv", loads_policy(policy_toml(pol)), raw_timesheet=raw)
    return run.report


def assert_matches(rows: list[dict], pol: dict) -> None:
    report = pay(rows, pol)
    assert report["rejected"] == [], report["rejected"]
    expected = oracle(rows, pol)
    got = {(ln["employee_id"], ln["week_start"]): ln for ln in report["lines"]}
    assert sorted(got) == sorted(expected)
    assert [(ln["employee_id"], ln["week_start"]) for ln in report["lines"]] == sorted(expected)
    for key, want in expected.items():
        have = {k: got[key][k] for k in want}
        assert have == want, (key, policy_toml(pol), have, want)


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

#: 3-week windows; the first two contain the 2025 US DST changes (2025-03-09, 2025-11-02).
ANCHORS = (dt.datetime(2025, 3, 2), dt.datetime(2025, 10, 26), dt.datetime(2025, 2, 10))
#: clock times biased towards midnight and the DST hours
CLOCKS = st.one_of(
    st.sampled_from(["00:00", "01:00", "01:30", "02:00", "02:30", "03:00", "06:00", "07:00", "15:00",
                     "22:00", "23:00", "24:00"]),
    st.builds(lambda m: f"{m // 60:02d}:{m % 60:02d}", st.integers(0, 1439)),
)


def _money(max_units: int, places: int = 4):
    return st.integers(0, max_units).map(lambda u: Decimal(u).scaleb(-places))


@st.composite
def differentials(draw):
    out = []
    for i in range(draw(st.integers(0, 3))):
        d: dict = {"name": f"d{i}"}
        if draw(st.booleans()):
            start, end = draw(CLOCKS), draw(CLOCKS)
            if _clock(start) % 1440 != _clock(end) % 1440 or (start, end) == ("00:00", "24:00"):  # start = end is invalid
                d["start"], d["end"] = start, end
        if draw(st.booleans()):
            d["days"] = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            d["per_hour"] = draw(_money(60_000))  # up to $6/h, 4 decimals
        else:
            d["percent"] = draw(_money(3_000, 2))  # up to 30 %, 2 decimals
        d["group"] = draw(st.sampled_from([None, "g1", "g2"]))
        out.append(d)
    return out


@st.composite
def policies(draw, anchor: dt.datetime, basis: str = "regular_rate"):
    pol: dict = {"start_day": draw(st.sampled_from(WEEKDAYS))}
    if draw(st.booleans()):
        pol["timezone"] = "America/New_York"
    pol["differential"] = draw(differentials())
    if draw(st.booleans()):
        days = draw(st.lists(st.integers(0, 20) | st.integers(5, 9), min_size=1, max_size=4, unique=True))
        pol["holiday"] = {
            "dates": [(anchor + dt.timedelta(days=d)).date().isoformat() for d in days],
            "multiplier": draw(st.sampled_from([Decimal("1.5"), Decimal(2), Decimal("1.25")])),
        }
    if draw(st.booleans()):
        pol["on_call"] = {
            "standby_per_hour": draw(_money(50_000)),
            "callback_multiplier": draw(st.sampled_from([Decimal(1), Decimal("1.5"), Decimal(2)])),
            "callback_minimum_hours": draw(st.sampled_from([Decimal(0), Decimal(1), Decimal("1.5"), Decimal(2),
                                                            Decimal(3)])),
        }
    if basis == "base_rate" or draw(st.integers(0, 3)) > 0:
        ot: dict = {}
        if draw(st.integers(0, 3)) > 0:
            ot["weekly_hours"] = draw(st.sampled_from([Decimal(40), Decimal(10), Decimal("12.5"), Decimal(20),
                                                       Decimal(30), Decimal(0)]))
        if draw(st.booleans()):
            ot["daily_hours"] = draw(st.sampled_from([Decimal(8), Decimal(4), Decimal("6.5"), Decimal(10),
                                                      Decimal(12)]))
        ot["multiplier"] = draw(st.sampled_from([Decimal("1.5"), Decimal(2)]))
        ot["basis"] = basis
        pol["overtime"] = ot
    return pol


@st.composite
def timesheets(draw, anchor: dt.datetime, tz: str | None):
    """Per employee a timeline of work rows, standalone callbacks and on-call rows with callbacks inside.

    Worked rows never overlap worked rows, on-call rows never overlap on-call rows.
    """
    clock = Clock(tz)
    rows = []
    budget = draw(st.integers(1, 8))
    n_emp = draw(st.integers(1, 3))
    for e in range(n_emp):
        # start anywhere in the first week, or on the eve of the anchor's DST night (day 7)
        t = anchor + dt.timedelta(minutes=draw(st.one_of(st.integers(0, 5 * 1440), st.integers(6 * 1440 + 600, 7 * 1440 + 180))))
        while budget > 0:
            kind = draw(st.sampled_from(["work", "work", "callback", "on_call"]))
            length = draw(st.integers(1, 14 * 60))
            rate = draw(st.integers(0, 800_000))  # up to $80/h, 4 decimals
            start, end = t, t + dt.timedelta(minutes=length)
            rows.append({"employee_id": f"E{e}", "kind": kind, "start": start, "end": end,
                         "rate": Fraction(rate, 10_000), "rate_text": str(Decimal(rate).scaleb(-4))})
            budget -= 1
            if kind == "on_call" and budget > 0 and draw(st.booleans()):
                off = draw(st.integers(0, length - 1))
                cb_len = draw(st.integers(1, length - off))
                rows.append({"employee_id": f"E{e}", "kind": "callback", "start": start + dt.timedelta(minutes=off),
                             "end": start + dt.timedelta(minutes=off + cb_len),
                             "rate": Fraction(rate, 10_000), "rate_text": str(Decimal(rate).scaleb(-4))})
                budget -= 1
            t = end + dt.timedelta(minutes=draw(st.one_of(st.integers(0, 12 * 60), st.integers(0, 36 * 60))))
            if e < n_emp - 1 and draw(st.booleans()):
                break
    assume(all(clock.exists(r["start"]) and clock.exists(r["end"]) for r in rows))
    return rows


@st.composite
def cases(draw, basis: str = "regular_rate"):
    anchor = draw(st.sampled_from(ANCHORS))
    pol = draw(policies(anchor, basis))
    rows = draw(timesheets(anchor, pol.get("timezone")))
    return rows, pol


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

@SETTINGS
@given(cases())
def test_engine_matches_minute_by_minute_oracle(case):
    rows, pol = case
    assert_matches(rows, pol)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(basis="base_rate"))
def test_engine_matches_oracle_base_rate_basis(case):
    rows, pol = case
    assert_matches(rows, pol)


def _row(emp, kind, start, end, rate="20"):
    return {"employee_id": emp, "kind": kind, "start": dt.datetime.fromisoformat(start),
            "end": dt.datetime.fromisoformat(end), "rate": Fraction(Decimal(rate)), "rate_text": rate}


def test_oracle_reproduces_the_contract_example():
    """docs/formats.md §4: 44 h at $20 with $20.00 of night differential -> RR 20.4545, premium 40.91."""
    rows = [_row("E1", "work", f"2025-03-0{d} 09:00", f"2025-03-0{d} 17:00") for d in range(3, 8)]
    rows.append(_row("E1", "work", "2025-03-08 03:00", "2025-03-08 07:00"))
    pol = {"start_day": "sun", "overtime": {"weekly_hours": 40, "multiplier": Decimal("1.5")},
           "differential": [{"name": "night", "start": "23:00", "end": "07:00", "per_hour": Decimal(5)}]}
    (line,) = oracle(rows, pol).values()
    assert (line["overtime_premium"], line["regular_rate"], line["gross_pay"]) == (40.91, 20.4545, 940.91)
    assert_matches(rows, pol)


def test_fall_back_night_in_new_york():
    """The fall-back night: 22:00 Sat -> 06:00 Sun is 9 real hours, split at the Sunday workweek edge."""
    rows = [_row("E1", "work", "2025-11-01 22:00", "2025-11-02 06:00"),
            _row("E1", "on_call", "2025-11-02 18:00", "2025-11-03 06:00"),
            _row("E1", "callback", "2025-11-03 00:45", "2025-11-03 01:30")]
    pol = {"start_day": "sun", "timezone": "America/New_York",
           "differential": [{"name": "night", "start": "23:00", "end": "07:00", "per_hour": Decimal("2.5")},
                            {"name": "early", "start": "01:30", "end": "02:00", "percent": Decimal(10),
                             "group": "g"},
                            {"name": "sun", "days": ["sun"], "per_hour": Decimal(1), "group": "g"}],
           "holiday": {"dates": ["2025-11-02"], "multiplier": Decimal("1.5")},
           "on_call": {"standby_per_hour": Decimal(3), "callback_multiplier": Decimal("1.5"),
                       "callback_minimum_hours": Decimal(2)},
           "overtime": {"daily_hours": Decimal(8), "multiplier": Decimal("1.5")}}
    lines = oracle(rows, pol)
    assert [ln["hours_worked"] for ln in lines.values()] == [2.0, 7.75]  # 9 real hours across the week edge
    assert_matches(rows, pol)
