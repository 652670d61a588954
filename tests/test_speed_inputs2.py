"""Issue 16 round 2, the input path: the shortcuts taken for a clean, time-ordered timesheet give
exactly what the general path gives.

* the overlap check sorts a time-ordered file by lane alone (a radix sort) and skips the copies
  when no row was rejected before it;
* the shifts frame is built from the kept rows' codes; ``kind`` is a Categorical of the engine's
  KINDS (the engine reads the codes instead of hashing a million strings);
* a CSV is read as ``large_string``, the type pandas keeps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from peerpay.core.engine import KINDS, compute_pay, kind_codes
from peerpay.core.inputs import _lane_order, _lane_starts, prepare_timesheet
from peerpay.io.readers import read_table
from peerpay.models.policy import loads_policy
from test_speed_inputs import _overlaps, _overlaps_by_hand

POLICY = loads_policy('timezone = "America/New_York"\n')


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), min_size=2, max_size=40))
def test_time_ordered_lane_order_is_the_packed_key_order(rows):
    # a time-ordered file takes the radix sort on the lane; the order must be (lane, start, position)
    lane, gaps = (np.array(v, dtype="int64") for v in zip(*rows))
    start = np.cumsum(gaps)  # non-decreasing, with ties
    want = np.lexsort((np.arange(len(lane)), start, lane))
    assert _lane_order(lane, start).tolist() == want.tolist()
    assert _lane_starts(lane[want]).tolist() == np.r_[True, np.diff(lane[want]) != 0].tolist()


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, 5), st.integers(1, 20), st.booleans()),
                min_size=2, max_size=25))
def test_time_ordered_overlaps_match_the_rule_row_by_row(rows):
    # starts in file order (the shortcut's case), some rows already rejected or none (a clean file)
    emp, on_call, gap, length, standing = map(list, zip(*rows))
    start = np.cumsum(gap).tolist()
    end = [s + n for s, n in zip(start, length)]
    for keep in (standing, [True] * len(emp)):
        assert _overlaps(emp, on_call, start, end, keep) == _overlaps_by_hand(emp, on_call, start, end, keep)


def test_time_ordered_overlap_by_hand():
    # rows in time order: E0 work 08:00-12:00 (row 1), E1 work 08:30-09:00 (row 2), E0 on call
    # 09:00-17:00 (row 3, own lane), E0 work 11:00-13:00 (row 4: starts 11 < 12, overlaps row 1),
    # E1 work 09:00-10:00 (row 5: starts when row 2 ends, 9 = 9, no overlap)
    h = 60
    got = _overlaps([0, 1, 0, 0, 1], [False, False, True, False, False], [8 * h, 8 * h + 30, 9 * h, 11 * h, 9 * h],
                    [12 * h, 9 * h, 17 * h, 13 * h, 10 * h], [True] * 5)
    assert got == {4: "overlaps row 1 of the same employee"}


def test_kind_is_a_categorical_of_the_engines_kinds():
    # 'On_Call' and ' CALLBACK ' are read case-insensitively, blank is work, 'shift' is rejected
    raw = pd.DataFrame({"employee_id": ["E1", "E1", "E2", "E3", "E4"],
                        "start": ["2025-03-06 08:00", "2025-03-06 18:00", "2025-03-06 08:00", "2025-03-06 08:00", "2025-03-06 08:00"],
                        "end": ["2025-03-06 16:00", "2025-03-06 20:00", "2025-03-06 09:00", "2025-03-06 09:00", "2025-03-06 09:00"],
                        "kind": ["", "On_Call", " CALLBACK ", "shift", "work"], "rate": ["20"] * 5}, dtype="str")
    shifts, problems, _ = prepare_timesheet(raw, "ts.csv", POLICY)
    assert isinstance(shifts["kind"].dtype, pd.CategoricalDtype) and list(shifts["kind"].cat.categories) == list(KINDS)
    assert shifts["kind"].tolist() == ["work", "on_call", "callback", "work"]
    assert shifts["row"].tolist() == [1, 2, 3, 5] and [p.row for p in problems] == [4]
    assert kind_codes(shifts["kind"]).tolist() == kind_codes(shifts["kind"].astype(object)).tolist()
    assert shifts["employee_id"].dtype == object and shifts["role"].tolist() == [""] * 4


def test_engine_pays_a_categorical_kind_as_text():
    # the same shifts with kind as Python strings: the same lines to the cent
    raw = pd.DataFrame({"employee_id": ["E1", "E1", "E2"], "start": ["2025-03-06 08:00", "2025-03-06 18:00", "2025-03-07 08:00"],
                        "end": ["2025-03-06 16:00", "2025-03-07 02:00", "2025-03-07 09:00"],
                        "kind": ["work", "on_call", "callback"], "rate": ["20", "20", "25.5"]}, dtype="str")
    policy = loads_policy('timezone = "America/New_York"\n[on_call]\nstandby_per_hour = 3.00\ncallback_multiplier = 1.5\ncallback_minimum_hours = 3\n')
    shifts, _, _ = prepare_timesheet(raw, "ts.csv", policy)
    a = compute_pay(shifts, policy).lines
    b = compute_pay(shifts.assign(kind=shifts["kind"].astype(object)), policy).lines
    pd.testing.assert_frame_equal(a, b)


def test_csv_text_is_read_as_pandas_keeps_it(tmp_path):
    path = tmp_path / "ts.csv"
    path.write_text("employee_id,start,end\n E1 ,2025-03-06 08:00,2025-03-06 16:00\n,,\n")
    raw = read_table(path)
    assert raw["employee_id"].tolist() == [" E1 ", ""]
    assert all(str(pd.Series(raw[c]).array._pa_array.type) == "large_string" for c in raw.columns)
