"""The fast engine paths (issue 16) give exactly what the plain definitions give.

* ``employee_id``, ``kind`` and ``role`` may reach the engine as object, arrow ``str`` or
  Categorical columns (the arrow-native loaders hand over the latter two): lines and segments
  are the same frame for all three.
* Segments are cut and looked up per stretch between calendar cuts: each segment's date,
  workweek, holiday and window flags equal the calendar's own answer for its start instant.
* ``local_to_instants`` looks the UTC offset up per date away from offset changes: every minute
  around the changes of several zones converts as pandas' general conversion does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpay.core import calendar as cal_mod
from peerpay.core.calendar import build_calendar, local_to_instants
from peerpay.core.engine import compute_pay, employee_codes, kind_codes, period_start_day, segment_shifts
from peerpay.models.policy import parse_policy

DAY = 1440
# 2025-03-01 00:00 local, as minutes since 1970 (New York's spring-forward is on 2025-03-09)
MARCH_2025 = int(np.datetime64("2025-03-01T00:00", "m").astype("int64"))

POLICY = {
    "timezone": "America/New_York",
    "workweek": {"start_day": "sun"},
    "overtime": {"weekly_hours": 40, "daily_hours": 8, "multiplier": 1.5},
    "differential": [
        {"name": "evening", "start": "15:00", "end": "23:00", "per_hour": 1.5, "group": "shift"},
        {"name": "night", "start": "23:00", "end": "07:00", "per_hour": 2.5, "group": "shift", "roles": ["peer"]},
        {"name": "weekend", "days": ["sat", "sun"], "percent": 5},
    ],
    "holiday": {"dates": ["2025-03-17"], "multiplier": 1.5},
    "on_call": {"standby_per_hour": 3, "callback_multiplier": 1.5, "callback_minimum_hours": 2},
    "minimum_shift": {"hours": 3},
}


def timesheet(n_employees: int, days: int, seed: int) -> pd.DataFrame:
    """Back-to-back work shifts per employee, on-call shifts overlapping them, some call-backs."""
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(n_employees):
        start = MARCH_2025 + int(rng.integers(0, 600))
        for _ in range(days):
            length = int(rng.integers(60, 13 * 60))
            kind = rng.choice(["work", "work", "work", "callback", "on_call"])
            rows.append((f"E{e:03d}", kind, start, start + length, ["peer", "lead", None][e % 3]))
            start += length + int(rng.integers(0, 20 * 60))
    ids, kinds, s, t, roles = zip(*rows)
    frame = pd.DataFrame({"employee_id": pd.Series(ids, dtype=object), "kind": pd.Series(kinds, dtype=object),
                          "start_at": np.array(s, dtype="int64"), "end_at": np.array(t, dtype="int64"),
                          "rate_units": rng.integers(150_000, 400_000, len(rows)), "row": np.arange(2, len(rows) + 2),
                          "role": pd.Series(roles, dtype=object)})
    return frame.sort_values("start_at", kind="stable").reset_index(drop=True)


def as_dtype(shifts: pd.DataFrame, dtype: str) -> pd.DataFrame:
    out = shifts.copy()
    for c in ("employee_id", "kind", "role"):
        out[c] = out[c].astype(dtype)
    return out


@pytest.fixture(scope="module")
def paid():
    shifts = timesheet(12, 20, seed=7)
    policy = parse_policy(POLICY)
    return shifts, policy, compute_pay(shifts, policy)


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_text_columns_as_arrow_strings_or_categories_pay_the_same(paid, dtype):
    shifts, policy, expected = paid
    result = compute_pay(as_dtype(shifts, dtype), policy)
    pd.testing.assert_frame_equal(result.lines, expected.lines, check_exact=True)
    pd.testing.assert_frame_equal(result.segments, expected.segments, check_exact=True)
    assert list(result.employee_ids) == list(expected.employee_ids)


def test_categories_out_of_order_and_unused_still_sort_by_id(paid):
    shifts = paid[0]
    ids = sorted(shifts["employee_id"].unique())
    cats = pd.Categorical(shifts["employee_id"], categories=["ZZZ", *reversed(ids)])  # reversed, one unused
    codes, names = employee_codes(pd.Series(cats))
    expect_codes, expect_names = pd.factorize(shifts["employee_id"], sort=True)
    assert list(names) == list(expect_names) and all(isinstance(n, str) for n in names)
    np.testing.assert_array_equal(codes, expect_codes)


def test_kind_codes_from_every_column_type():
    kinds = pd.Series(["work", "on_call", "callback", "work"], dtype=object)
    for column in (kinds, kinds.astype("str"), kinds.astype("category"),
                   pd.Series(pd.Categorical(kinds, categories=["callback", "work", "on_call", "other"]))):
        assert kind_codes(column).tolist() == [0, 1, 2, 0]


def test_shifts_out_of_time_order_pay_the_same_lines(paid):
    shifts, policy, expected = paid
    shuffled = shifts.sample(frac=1, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(compute_pay(shuffled, policy).lines, expected.lines, check_exact=True)


def test_segment_lookups_equal_the_calendar_at_each_segment_start(paid):
    shifts, policy, _ = paid
    cal = build_calendar(policy, int(shifts["start_at"].min()), int(shifts["end_at"].max()))
    s = segment_shifts(shifts, policy, cal)
    start = s.seg["seg_start"]
    day = cal.day_of(start)
    np.testing.assert_array_equal(s.day, day)
    np.testing.assert_array_equal(s.period, period_start_day(day, policy))
    np.testing.assert_array_equal(s.holiday, np.isin(day, cal.holidays) & s.worked)
    evening = cal.in_window("evening", start) & s.worked
    np.testing.assert_array_equal(s.in_window["evening"], evening)
    peer = (shifts["role"] == "peer").to_numpy()[s.seg["shift"]]
    np.testing.assert_array_equal(s.in_window["night"], cal.in_window("night", start) & s.worked & peer)
    # pieces tile their shift exactly, in employee-then-time order
    minutes = pd.Series(s.seg["minutes"]).groupby(s.seg["shift"]).sum()
    np.testing.assert_array_equal(minutes.to_numpy(), (shifts["end_at"] - shifts["start_at"]).to_numpy()[minutes.index])
    assert np.all(np.diff(s.emp) >= 0)


def test_a_zero_minute_shift_on_midnight_has_no_segment_and_pays_its_minimum():
    # 2025-03-03 is a Monday; with no timezone local midnight is the instant itself
    midnight = MARCH_2025 + 2 * DAY
    shifts = pd.DataFrame({"employee_id": ["A", "A"], "kind": ["work", "work"],
                           "start_at": np.array([midnight - 120, midnight], dtype="int64"),
                           "end_at": np.array([midnight - 60, midnight], dtype="int64"),
                           "rate_units": np.array([200_000, 200_000]), "row": [2, 3]})
    result = compute_pay(shifts, parse_policy({"minimum_shift": {"hours": 3}}))
    assert result.segments["shift"].tolist() == [0]
    line = result.lines.iloc[0]
    # 1 h worked at $20 = $20.00; minimum shift: (3 h - 1 h) x $20 + (3 h - 0 h) x $20 = $100.00
    assert (int(line["base_pay"]), int(line["minimum_shift_pay"])) == (2_000, 10_000)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/St_Johns",
                                  "Pacific/Apia", "Asia/Kolkata"])
@pytest.mark.parametrize("strict", [True, False])
def test_every_minute_around_offset_changes_converts_as_pandas_does(zone, strict):
    # every minute of March-April and October-November 2025 (Lord Howe moves by 30 minutes), twice
    # over, so that the lookup pays and is taken
    minutes = np.r_[np.arange(MARCH_2025, MARCH_2025 + 61 * DAY), np.arange(MARCH_2025 + 214 * DAY, MARCH_2025 + 275 * DAY)]
    minutes = np.r_[minutes, minutes[::-1]]
    assert cal_mod._steady_offsets(minutes, zone) is not None
    np.testing.assert_array_equal(local_to_instants(minutes, zone, strict=strict),
                                  cal_mod._local_to_instants_pandas(minutes, zone, strict=strict))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-400 * DAY, 400 * DAY), min_size=1, max_size=40), st.integers(0, 500),
       st.sampled_from(["America/New_York", "Europe/Berlin", "America/Sao_Paulo"]))
def test_any_times_convert_as_pandas_does(offsets, copies, zone):
    minutes = np.repeat(MARCH_2025 + np.array(offsets, dtype="int64"), copies + 1)
    for strict in (True, False):
        np.testing.assert_array_equal(local_to_instants(minutes, zone, strict=strict),
                                      cal_mod._local_to_instants_pandas(minutes, zone, strict=strict))


def test_a_dollar_group_decided_by_table_pays_as_the_running_maximum(paid, monkeypatch):
    from peerpay.core import engine

    shifts, _, _ = paid
    group = dict(POLICY, differential=[
        {"name": "late", "start": "15:00", "end": "23:00", "per_hour": 2, "group": "g"},
        {"name": "night", "start": "22:00", "end": "07:00", "per_hour": 2, "group": "g"},  # ties late 22-23h
        {"name": "dawn", "start": "05:00", "end": "09:00", "per_hour": 3, "group": "g"},  # beats night 5-7h
    ])
    policy = parse_policy(group)
    by_table = compute_pay(shifts, policy)
    monkeypatch.setattr(engine, "_TABLE_MEMBERS", 0)  # every group by the running maximum
    by_arrays = compute_pay(shifts, policy)
    pd.testing.assert_frame_equal(by_table.lines, by_arrays.lines, check_exact=True)
    pd.testing.assert_frame_equal(by_table.segments, by_arrays.segments, check_exact=True)
    # in the tie (22:00-23:00) the first declared wins: late pays, night does not
    seg = by_table.segments
    tie = seg["diff:late"].gt(0) & seg["diff:night"].gt(0)
    assert not tie.any() and seg["diff:late"].sum() > 0 and seg["diff:dawn"].sum() > 0


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 600)), min_size=1, max_size=60), st.integers(0, 900))
def test_running_excess_in_runs_equals_the_grouped_running_total(rows, threshold):
    from peerpay.core.engine import _running_excess

    groups = np.sort(np.array([g for g, _ in rows], dtype="int64"))  # contiguous runs: the fast path
    minutes = np.array([m for _, m in rows], dtype="int64")
    total = pd.Series(minutes).groupby(groups).cumsum().to_numpy()
    # the definition: each row's minutes past the threshold, its group's running total taken through it
    expected = np.clip(total - np.maximum(total - minutes, threshold), 0, None)
    np.testing.assert_array_equal(_running_excess(groups, minutes, threshold), expected)
    # shuffled groups (not contiguous) take the grouped path: the same per row
    perm = np.random.default_rng(len(rows)).permutation(len(rows))
    total = pd.Series(minutes[perm]).groupby(groups[perm], sort=False).cumsum().to_numpy()
    expected = np.clip(total - np.maximum(total - minutes[perm], threshold), 0, None)
    np.testing.assert_array_equal(_running_excess(groups[perm], minutes[perm], threshold), expected)
