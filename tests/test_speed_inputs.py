"""Issue 16, the input path: a CSV's text stays arrow-backed and each distinct text is checked once.

The fast path must read every cell exactly as the plain one does: a table read from a CSV
(arrow-backed ``str`` columns) and the same table as Python strings (``object``, the way an XLSX
or a column map hands it over) give the same shifts, the same rejections and the same notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, examples
from peerpay.core.inputs import _latest_end_before, _lane_order, _reject_overlaps, normalise_ids, prepare_timesheet
from peerpay.core.money import money_text_units
from peerpay.core.tables import Rejections, text, text_codes
from peerpay.io.readers import read_table
from peerpay.models.policy import loads_policy

POLICY = loads_policy('timezone = "America/New_York"\n')

# cells a clerk (or a hostile export) writes, mixed with good ones
IDS = ["E1", " E1 ", "E1\u200b", "\uff251", "E2", "", "  ", "e1", "NA", "E1\x00"]
TIMES = ["2025-03-06 08:00", "2025-03-06 16:00", " 2025-03-06 09:30 ", "2025-03-06T12:00", "2025-03-06 12:00:00",
         "2025-03-06 12:00:30", "2025-03-06", "08:00", "2025-02-30 08:00", "2025-03-09 02:30", "1925-01-01 08:00",
         "not a date", "", "2025-03-07 07:00", "2025-03-06 23:59"]
KINDS = ["", "work", "WORK", " on_call ", "Callback", "shift", "\uff37ORK"]
RATES = ["20", "20.5", " 19.2345 ", "19.23455", "1,234.50", "$21", "25,50", "-1", "0", "-0", "1e2", "NaN", "", "N/A", "99999"]


def test_text_codes_read_back_as_text():
    # stripped (Python's and pyarrow's white space alike: ideographic space, file separator), a
    # missing cell is '', a number is its text; the same from arrow-backed and object columns
    for col, want in ((pd.Series([" a", "b ", None, "a", "\u3000x\u3000", "\x1c y"], dtype="str"), ["a", "b", "", "a", "x", "y"]),
                      (pd.Series([" a", 1, None, 2.5, "a"], dtype=object), ["a", "1", "", "2.5", "a"]),
                      (pd.Series([1.5, np.nan]), ["1.5", ""]),
                      (pd.Series([], dtype=object), [])):
        codes, values = text_codes(col)
        assert list(np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[codes]) == want
        assert text(col).tolist() == want and text(col).dtype == object


def test_csv_columns_stay_arrow_backed(tmp_path):
    path = tmp_path / "ts.csv"
    path.write_text("employee_id,start,end\nE1,2025-03-06 08:00,2025-03-06 16:00\n")
    raw = read_table(path)
    assert all(isinstance(t, pd.StringDtype) and t.storage == "pyarrow" for t in raw.dtypes)


def test_normalise_ids_merges_what_cleaning_makes_one():
    # 'E1', ' E1 ', 'E1<zero-width space>', full-width 'Ｅ1' and 'E1<NUL>' are one employee; the three
    # cleaned beyond trimming are counted as changed
    ids, changed = normalise_ids(pd.Series(["E1", " E1 ", "E1\u200b", "\uff251", "E1\x00", "E2"], dtype="str"))
    assert ids.tolist() == ["E1"] * 5 + ["E2"]
    assert changed.tolist() == [False, False, True, True, True, False]
    assert ids.dtype == object


def test_money_reads_an_arrow_array_like_a_list():
    assert [a.tolist() for a in money_text_units(pa.array(RATES))] == [a.tolist() for a in money_text_units(RATES)]


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(TIMES), st.sampled_from(TIMES),
                          st.sampled_from(KINDS), st.sampled_from(RATES)), min_size=1, max_size=30))
def test_arrow_and_object_tables_are_read_alike(rows):
    raw = pd.DataFrame(rows, columns=["employee_id", "start", "end", "kind", "rate"]).astype("str")
    fast = prepare_timesheet(raw, "ts.csv", POLICY)
    plain = prepare_timesheet(raw.astype(object), "ts.csv", POLICY)
    pd.testing.assert_frame_equal(fast[0], plain[0])
    assert fast[0].attrs == plain[0].attrs
    assert fast[1] == plain[1]
    pd.testing.assert_frame_equal(fast[2], plain[2])


def _overlaps_by_hand(emp, on_call, start, end, standing):
    """The rule, row by row: a row overlaps when it starts before the latest end among the rows of
    its employee and lane that sort before it (by start, then row); that row is named (on a tie of
    ends, the later row)."""
    out = {}
    rows = [i for i in range(len(emp)) if standing[i]]
    for i in rows:
        earlier = [j for j in rows if (emp[j], on_call[j]) == (emp[i], on_call[i]) and (start[j], j) < (start[i], i)]
        if earlier:
            latest = max(earlier, key=lambda j: (end[j], j))
            if start[i] < end[latest]:
                out[i + 1] = f"overlaps row {latest + 1} of the same employee"
    return out


def _overlaps(emp, on_call, start, end, standing):
    rej = Rejections("ts.csv", ["start"], len(emp))
    rej.add(~np.asarray(standing), "start", "rejected earlier")
    _reject_overlaps(np.asarray(emp), np.asarray(on_call), np.asarray(start, dtype="int64"),
                     np.asarray(end, dtype="int64"), rej)
    return {p.row: p.reason for p in rej.problems() if p.reason != "rejected earlier"}


def test_overlap_names_the_row_with_the_latest_end():
    # E1 (code 0) worked 08:00-12:00 (row 1), 09:00-10:00 (row 2) and 11:00-13:00 (row 3); on call
    # 09:00-17:00 (row 4). Row 2 starts at 9 < 12 (row 1 ends): overlaps row 1. Row 3 starts at 11:
    # the latest end before it is still row 1's 12:00 (row 2 ended at 10): overlaps row 1. The
    # on-call row is in its own lane: paid.
    h = 60
    got = _overlaps([0, 0, 0, 0], [False, False, False, True], [8 * h, 9 * h, 11 * h, 9 * h],
                    [12 * h, 10 * h, 13 * h, 17 * h], [True] * 4)
    assert got == {2: "overlaps row 1 of the same employee", 3: "overlaps row 1 of the same employee"}


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, 40), st.integers(1, 20), st.booleans()),
                min_size=2, max_size=25))
def test_overlaps_match_the_rule_row_by_row(rows):
    emp, on_call, start, length, standing = map(list, zip(*rows))
    end = [s + n for s, n in zip(start, length)]
    assert _overlaps(emp, on_call, start, end, standing) == _overlaps_by_hand(emp, on_call, start, end, standing)


def test_packed_keys_that_do_not_fit_take_the_general_path():
    # starts and ends 2**60 minutes apart cannot be packed with a lane and a row into 63 bits
    lane = np.array([0, 0, 1, 0])
    start = np.array([2**60, 0, 5, 10], dtype="int64")
    assert _lane_order(lane, start).tolist() == [1, 3, 0, 2]
    first = np.array([True, False, False, True])
    end = np.array([2**60, 7, 2**59, 3], dtype="int64")
    prev_end, prev_row = _latest_end_before(first, end, np.array([0, 1, 2, 3]))
    # row 2 (position 1) follows row 1's end 2**60; row 3 follows the larger of 2**60 and 7
    assert prev_end[1:3].tolist() == [2**60, 2**60] and prev_row[1:3].tolist() == [1, 1]


def test_roster_rates_do_not_depend_on_the_tables_index():
    # roster HL001 is peer_specialist step 4; a blank role and rate take the roster's role and the
    # schedule's rate; ZZ9 is not in the roster. A partition hands over a table with any index.
    from peerpay.jobs.pay import load_rate_tables

    roster, schedule, _ = load_rate_tables(REPO / "samples/roster.csv", REPO / "samples/schedule.csv")
    raw = pd.DataFrame({"employee_id": ["HL001", "ZZ9", "HL001\u200b"],
                        "start": ["2025-11-03 08:00", "2025-11-03 08:00", "2025-11-04 08:00"],
                        "end": ["2025-11-03 16:00", "2025-11-03 16:00", "2025-11-04 16:00"],
                        "role": ["", "", "other"], "rate": ["", "", "20"]}, index=[7, 3, 5]).astype("str")
    shifted = prepare_timesheet(raw, "ts.csv", POLICY, roster, schedule)
    plain = prepare_timesheet(raw.reset_index(drop=True).astype(object), "ts.csv", POLICY, roster, schedule)
    pd.testing.assert_frame_equal(shifted[0], plain[0])
    assert shifted[1] == plain[1]
    assert shifted[0]["role"].tolist() == ["peer_specialist", "other"]
    assert [p.render() for p in shifted[1]] == ["ts.csv:2:employee_id: employee_id 'ZZ9' is not in the roster"]
