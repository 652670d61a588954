"""Overtime tiers against a minute-by-minute oracle (hypothesis).

The oracle walks every worked minute in time order and applies the rules of docs/pay-rules.md §4
literally: a day tier counts the minutes of its group (workday, seventh-day workday, stretch of
consecutive work) and claims each one past its hours; a minute claimed by several is paid at the
highest multiplier (a tie: the tier declared first); weekly tiers count only the minutes no day
tier claimed. The engine does the same with whole-array running totals; both must agree on every
employee-week's minutes per tier, and the premium must be the exact sum of (m - 1) x rate x hours.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpay.core.engine import compute_pay
from peerpay.models.policy import Overtime, OvertimeTier, Policy, Workweek

EPOCH_DAY = int(np.datetime64("2025-02-01", "D").astype("int64"))  # a Saturday
DAY = 1440
SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tier_sets(draw):
    kinds = draw(st.lists(st.sampled_from(["daily", "weekly", "seventh_day", "consecutive"]), min_size=1, max_size=5))
    out = []
    for i, kind in enumerate(kinds):
        hours = draw(st.integers(0, 60 if kind == "weekly" else 14))
        spec = {"name": f"t{i}", "kind": kind, "hours": hours, "multiplier": draw(st.sampled_from([Decimal("1.5"), Decimal("2"), Decimal("1.25"), Decimal("3")]))}
        if kind == "seventh_day":
            spec["day"] = draw(st.integers(2, 7))
        if kind == "consecutive":
            spec["break_minutes"] = draw(st.sampled_from([0, 30, 60]))
        out.append(OvertimeTier.model_validate(spec))
    return tuple(out)


@st.composite
def timesheets(draw):
    """Non-overlapping worked rows of two employees over ~17 days, some abutting, some crossing midnight."""
    rows = []
    for emp in ("A", "B"):
        t = draw(st.integers(0, 2 * DAY))
        for _ in range(draw(st.integers(1, 14))):
            length = draw(st.one_of(st.integers(1, 16 * 60), st.sampled_from([8 * 60, 10 * 60, 12 * 60, 14 * 60])))
            rows.append((emp, t, t + length))
            t += length + draw(st.one_of(st.just(0), st.integers(1, 90), st.integers(8 * 60, 40 * 60)))
    return rows


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def week_of(day: int, start: int = 6) -> int:
    """First day (since EPOCH_DAY) of the workweek holding ``day`` that starts on weekday ``start``
    (Monday 0 .. Sunday 6; day 0, 2025-02-01, is a Saturday)."""
    return day - ((5 + day) - start) % 7


def oracle(rows, tiers, start: int = 6) -> Counter:
    """(employee, week start day, tier name) -> minutes, minute by minute."""
    out: Counter = Counter()
    for emp in sorted({r[0] for r in rows}):
        mine = sorted(r for r in rows if r[0] == emp)
        minutes = [(t, s // DAY) for _, s, e in mine for t in range(s, e)]  # (minute, its workday)
        worked_days = {wd for _, wd in minutes}

        def nth(day: int, n: int, worked_days=worked_days) -> bool:
            return all(day - k in worked_days and week_of(day - k, start) == week_of(day, start) for k in range(n))

        counts: Counter = Counter()
        prev = None
        claims_by_minute = []
        for t, wd in minutes:
            claimed = []
            for i, tier in enumerate(tiers):
                if tier.kind == "daily":
                    group = ("d", i, wd)
                elif tier.kind == "seventh_day":
                    if not nth(wd, tier.day):
                        continue
                    group = ("s", i, wd)
                elif tier.kind == "consecutive":
                    if prev is not None and t - prev - 1 > tier.break_minutes:  # a longer gap ends the stretch
                        counts[("c-break", i)] += 1
                    group = ("c", i, counts[("c-break", i)])
                else:
                    continue
                counts[group] += 1
                if counts[group] > tier.hours * 60:
                    claimed.append(i)
            claims_by_minute.append(claimed)
            prev = t
        weekly_counts: Counter = Counter()
        for (t, _wd), claimed in zip(minutes, claims_by_minute):
            week = week_of(t // DAY, start)
            if not claimed:  # straight time so far: the weekly tiers count it
                for i, tier in enumerate(tiers):
                    if tier.kind == "weekly":
                        weekly_counts[(i, week)] += 1
                        if weekly_counts[(i, week)] > tier.hours * 60:
                            claimed.append(i)
            if claimed:
                best = max(claimed, key=lambda i: (tiers[i].multiplier, -i))
                out[(emp, week, tiers[best].name)] += 1
    return out


def engine_lines(rows, tiers, start: int = 6) -> pd.DataFrame:
    shifts = pd.DataFrame({
        "employee_id": [r[0] for r in rows], "kind": "work",
        "start_at": [(EPOCH_DAY * DAY + r[1]) for r in rows], "end_at": [(EPOCH_DAY * DAY + r[2]) for r in rows],
        "rate_units": 200_000, "row": np.arange(1, len(rows) + 1),
    })
    policy = Policy(overtime=Overtime(tier=tiers), workweek=Workweek(start_day=WEEKDAYS[start]))
    return compute_pay(shifts, policy, audit=True)


@SETTINGS
@given(rows=timesheets(), tiers=tier_sets(), start=st.integers(0, 6))
def test_engine_pays_each_minute_at_the_tier_the_oracle_finds(rows, tiers, start):
    result = engine_lines(rows, tiers, start)
    lines = result.lines
    got: Counter = Counter()
    for _, line in lines.iterrows():
        week = int(np.datetime64(line["week_start"], "D").astype("int64")) - EPOCH_DAY
        for t in tiers:
            if line[f"ot:{t.name}"]:
                got[(line["employee_id"], week, t.name)] = int(line[f"ot:{t.name}"])
    assert got == oracle(rows, tiers, start)
    # the premium: exactly sum of (m - 1) x $20 x minutes / 60 per line, rounded once, half-up
    for _, line in lines.iterrows():
        exact = sum(Fraction(t.multiplier - 1) * 20 * int(line[f"ot:{t.name}"]) / 60 for t in tiers)
        cents = int((Decimal(exact.numerator) / Decimal(exact.denominator) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        assert int(line["overtime_premium"]) == cents


@SETTINGS
@given(rows=timesheets(), tiers=tier_sets())
def test_a_minute_is_never_paid_two_premiums(rows, tiers):
    result = engine_lines(rows, tiers)
    seg = result.segments
    paid = sum(seg[f"ot:{t.name}"].to_numpy() for t in tiers)
    assert (paid <= seg["minutes"].to_numpy()).all()
    assert all((seg[f"ot:{t.name}"].to_numpy() >= 0).all() for t in tiers)
    lines = result.lines
    assert (lines["overtime_minutes"] == sum(lines[f"ot:{t.name}"] for t in tiers)).all()
    assert (lines["overtime_minutes"] <= lines["worked_minutes"]).all()
