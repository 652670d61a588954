"""Invariants of the pay engine, checked with hypothesis on small random timesheets.

Each example writes a tiny timesheet and policy to a temp folder and pays it through
:func:`peerpay.jobs.pay.run_pay`, exactly as the CLI does. Shifts are generated without overlaps
(worked rows among themselves, on-call rows among themselves) so that every row is paid.

Rules that look at a whole *row* rather than at its minutes are excluded where a property
would not hold for them by design:

* ``callback_minimum_hours`` (a call-back is paid at least N hours per row),
* ``[minimum_shift]`` (a short row is topped up to N hours),
* differential ``eligibility`` = majority / start / min_hours_in_window (whole-shift tests).

Splitting a row into two would change what those rules pay; lengthening a row can lower the
call-back premium or minimum-shift top-up by exactly the base pay it adds, and the two separate
roundings can then lose a cent; an eligibility test can flip off when a shift grows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peerpay.jobs.pay import run_pay

EPOCH = dt.datetime(2025, 2, 1)  # a Saturday; 2025-02-17 (Washington's Birthday) is in range

SETTINGS = settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])

DIFFERENTIALS = """
[[differential]]
name = "evening"
start = "15:00"
end = "23:00"
per_hour = 1.50
group = "shift"

[[differential]]
name = "night"
start = "22:00"
end = "07:00"
percent = 10
group = "shift"

[[differential]]
name = "weekend"
days = ["sat", "sun"]
per_hour = 0.75
"""

#: Policies where every rule works minute by minute (no whole-row rules).
MINUTE_POLICIES = {
    "daily_weekly": """
        [overtime]
        weekly_hours = 40
        daily_hours = 8
        [holiday]
        country = "US"
        [on_call]
        standby_per_hour = 3.00
        callback_multiplier = 1.5
        """ + DIFFERENTIALS,
    "base_rate_tz": """
        timezone = "America/New_York"
        [workweek]
        start_day = "wednesday"
        [overtime]
        weekly_hours = 40
        basis = "base_rate"
        multiplier = 2
        [holiday]
        dates = ["2025-02-10"]
        multiplier = 2
        """ + DIFFERENTIALS,
    "eight_and_eighty": """
        establishment = "hospital"
        [overtime]
        system = "8_and_80"
        period_start = 2025-01-26
        [on_call]
        standby_per_hour = 2.25
        callback_multiplier = 1.5
        """ + DIFFERENTIALS,
    "none": "",
    # state overtime presets (issue 26): tiers, double time, the seventh day, consecutive hours
    "california": """
        [overtime]
        rules = "CA"
        [holiday]
        country = "US"
        [on_call]
        standby_per_hour = 3.00
        callback_multiplier = 1.5
        """ + DIFFERENTIALS,
    "california_4_10": """
        timezone = "America/Los_Angeles"
        [overtime]
        rules = "CA"
        alternative_workweek_hours = 10
        """ + DIFFERENTIALS,
    "colorado": """
        [overtime]
        rules = "CO"
        [on_call]
        standby_per_hour = 2.25
        callback_multiplier = 1.5
        """ + DIFFERENTIALS,
    "nevada": """
        [overtime]
        rules = "NV"
        """ + DIFFERENTIALS,
    "alaska_base_rate": """
        [overtime]
        rules = "AK"
        basis = "base_rate"
        """ + DIFFERENTIALS,
}

#: Adds the whole-row rules; used where a property holds for them too.
ROW_POLICIES = dict(MINUTE_POLICIES)
ROW_POLICIES["row_rules"] = """
    [overtime]
    daily_hours = 10
    [on_call]
    standby_per_hour = 3.00
    callback_multiplier = 1.5
    callback_minimum_hours = 2
    [minimum_shift]
    hours = 4
    kinds = ["work", "callback"]
    [[differential]]
    name = "evening"
    start = "15:00"
    end = "23:00"
    per_hour = 2
    eligibility = "majority"
    [[differential]]
    name = "night"
    start = "23:00"
    end = "07:00"
    per_hour = 3
    eligibility = "min_hours_in_window"
    min_hours = 2
    """

RATES = ["15", "18.50", "20.1234", "22.75"]  # a narrow band: see test_lengthening_a_shift_never_lowers_pay


# ---------------------------------------------------------------------------------------------
# Timesheets as data
# ---------------------------------------------------------------------------------------------

def _minutes():
    return st.one_of(st.integers(1, 16 * 60), st.sampled_from([60 * k for k in range(1, 17)]))


@st.composite
def lane(draw, max_rows: int, kinds):
    """Non-overlapping (start, end, kind, rate) rows, in minutes after EPOCH."""
    t = draw(st.integers(0, 3 * 24 * 60))
    rows = []
    for _ in range(draw(st.integers(0, max_rows))):
        t += draw(st.one_of(st.just(0), st.integers(0, 30 * 60)))
        dur = draw(_minutes())
        rows.append([t, t + dur, draw(st.sampled_from(kinds)), draw(st.sampled_from(RATES))])
        t += dur
    return rows


@st.composite
def timesheets(draw):
    """Rows as [employee_id, start, end, kind, rate]; at least one row."""
    rows = []
    for emp in draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), min_size=1, max_size=3, unique=True)):
        rows += [[emp, *r] for r in draw(lane(8, ["work", "work", "work", "callback"]))]
        rows += [[emp, *r] for r in draw(lane(2, ["on_call"]))]
    assume(rows)
    return rows


def _clock(minutes: int) -> str:
    return (EPOCH + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def to_csv(rows) -> str:
    out = ["employee_id,start,end,kind,rate"]
    out += [f"{e},{_clock(s)},{_clock(t)},{k},{r}" for e, s, t, k, r in rows]
    return "\n".join(out) + "\n"


def pay(rows, policy: str):
    with tempfile.TemporaryDirectory() as d:
        ts, pol = Path(d, "timesheet.csv"), Path(d, "policy.toml")
        ts.write_text(to_csv(rows), encoding="utf-8")
        pol.write_text("\n".join(line.strip() for line in policy.splitlines()) + "\n", encoding="utf-8")
        run = run_pay(ts, pol)
    assert run.problems == [], run.problems  # generated timesheets are valid
    return run.report


def cents(x) -> int:
    return int(Decimal(str(x)) * 100)


MONEY = ("base_pay", "holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium")


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(rows=timesheets(), policy=st.sampled_from(sorted(MINUTE_POLICIES)), data=st.data())
def test_splitting_a_shift_within_its_workday_changes_nothing(rows, policy, data):
    """Two abutting rows that start on the same date pay exactly what one row pays."""
    splittable = [i for i, (_, s, e, _, _) in enumerate(rows) if e - s >= 2]
    assume(splittable)
    i = data.draw(st.sampled_from(splittable))
    emp, s, e, kind, rate = rows[i]
    to_midnight = 24 * 60 - (s % (24 * 60))
    hi = min(e - s - 1, to_midnight - 1)  # the second piece must still start on the same date
    assume(hi >= 1)
    cut = s + data.draw(st.integers(1, hi))
    split = rows[:i] + [[emp, s, cut, kind, rate], [emp, cut, e, kind, rate]] + rows[i + 1:]
    before, after = pay(rows, MINUTE_POLICIES[policy]), pay(split, MINUTE_POLICIES[policy])
    assert after["lines"] == before["lines"]
    assert after["totals"] == before["totals"]


@SETTINGS
@given(rows=timesheets(), policy=st.sampled_from(sorted(ROW_POLICIES)), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(rows, policy, seed):
    """Shuffling the timesheet's rows gives the same JSON report, byte for byte."""
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    before, after = pay(rows, ROW_POLICIES[policy]), pay(shuffled, ROW_POLICIES[policy])
    assert json.dumps(after, sort_keys=False) == json.dumps(before, sort_keys=False)


@SETTINGS
@given(rows=timesheets(), policy=st.sampled_from(sorted(MINUTE_POLICIES)), data=st.data())
def test_lengthening_a_shift_never_lowers_pay(rows, policy, data):
    """More minutes worked (or on call) never pay less, for the employee or for any week.

    Holds for the regular-rate method as long as no rate is far below the others: an extra
    hour at a rate under a quarter of the regular rate can lower the regular rate, and so the
    overtime premium on *other* hours, by more than it adds (29 CFR 778.115 arithmetic).
    RATES stays within a narrow band.
    """
    i = data.draw(st.sampled_from(range(len(rows))))
    emp, s, e, kind, rate = rows[i]
    lane_on_call = kind == "on_call"
    later = [r[1] for r in rows if r[0] == emp and (r[3] == "on_call") == lane_on_call and r[1] >= e]
    room = min([*later, s + 24 * 60]) - e
    assume(room >= 1)
    longer = [list(r) for r in rows]
    longer[i][2] = e + data.draw(st.integers(1, room))
    before, after = pay(rows, MINUTE_POLICIES[policy]), pay(longer, MINUTE_POLICIES[policy])

    def gross(report):
        by_week = {(ln["employee_id"], ln["week_start"]): cents(ln["gross_pay"]) for ln in report["lines"]}
        return by_week, sum(v for k, v in by_week.items() if k[0] == emp)

    weeks_before, total_before = gross(before)
    weeks_after, total_after = gross(after)
    assert total_after >= total_before
    for key, value in weeks_before.items():
        assert weeks_after[key] >= value, key


@SETTINGS
@given(rows=timesheets(), policy=st.sampled_from(sorted(ROW_POLICIES)))
def test_gross_is_the_sum_of_rounded_components_and_totals_the_sum_of_lines(rows, policy):
    report = pay(rows, ROW_POLICIES[policy])
    for ln in report["lines"]:
        parts = [cents(ln.get(k, 0)) for k in MONEY] + [cents(v) for v in ln["differential_pay"].values()]
        assert cents(ln["gross_pay"]) == sum(parts), ln
        assert all(p >= 0 for p in parts), ln
        assert 0 <= ln["overtime_hours"] <= ln["hours_worked"] + 1e-9
    assert cents(report["totals"]["gross_pay"]) == sum(cents(ln["gross_pay"]) for ln in report["lines"])
    # hours are shown to 4 places per line, so the sum of shown hours may differ from the total
    # (computed from exact minutes) by at most half a unit in the 4th place per line.
    shown = sum(Decimal(str(ln["hours_worked"])) for ln in report["lines"])
    exact = Decimal(str(report["totals"]["hours_worked"]))
    assert abs(shown - exact) <= Decimal("0.00005") * (len(report["lines"]) + 1)
    # and the total is every worked minute of the input
    worked = sum(e - s for _, s, e, k, _ in rows if k != "on_call")
    if "timezone" not in ROW_POLICIES[policy]:
        assert exact == (Decimal(worked) / 60).quantize(Decimal("0.0001"))


@SETTINGS
@given(rows=timesheets(), policy=st.sampled_from(sorted(ROW_POLICIES)))
def test_lines_are_sorted_and_carry_every_differential(rows, policy):
    report = pay(rows, ROW_POLICIES[policy])
    keys = [(ln["employee_id"], ln["week_start"]) for ln in report["lines"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    names = [line.split('"')[1] for line in ROW_POLICIES[policy].splitlines() if line.strip().startswith("name")]
    for ln in report["lines"]:
        assert list(ln["differential_pay"]) == names
