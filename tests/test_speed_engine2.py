"""Issue 16, round 2: the engine's in-place arithmetic pays what the plain definitions pay.

* ``_pieces`` (keys and piece indexes now built in place) cuts every shift exactly where a
  shift-by-shift Python reference cuts it, in any given order of the shifts.
* Overtime on the base rate still sums its per-segment amounts (the only basis that reads
  them); the regular-rate basis, which no longer sums them, pays the same on a week with no
  differential (hand-worked below).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from peerpay.core.engine import _pieces, compute_pay
from peerpay.models.policy import parse_policy

MONDAY = int(np.datetime64("2025-03-03T00:00", "m").astype("int64"))  # 2025-03-03 is a Monday
HOUR = 60


def reference_pieces(s: list[int], e: list[int], cuts: list[int], order: list[int]) -> list[tuple[int, int, int, int]]:
    """(shift, piece, start, end) of each piece, shift by shift in ``order``: the plain definition."""
    out = []
    for i in order:
        inner = [c for c in cuts if s[i] < c < e[i]]
        edges = [s[i], *inner, e[i]]
        if s[i] == e[i] and s[i] in cuts:  # a zero-minute shift exactly on a cut has no piece
            continue
        out += [(i, k, a, b) for k, (a, b) in enumerate(zip(edges, edges[1:]))] or [(i, 0, s[i], e[i])]
    return out


@settings(max_examples=examples(80), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 120)), min_size=1, max_size=25),
       st.lists(st.integers(-10, 450), min_size=1, max_size=20, unique=True), st.randoms(use_true_random=False))
def test_pieces_cut_each_shift_at_every_cut_inside_it(shifts, cuts, rnd):
    s = [a for a, _ in shifts]
    e = [a + length for a, length in shifts]
    cuts = sorted(cuts)  # a calendar always has cuts (its midnights)
    order = list(range(len(s)))
    rnd.shuffle(order)
    seg, stretch, _, _ = _pieces(np.array(s, dtype="int64"), np.array(e, dtype="int64"),
                                 np.array(cuts, dtype="int64"), np.array(order))
    got = list(zip(*(seg[c].tolist() for c in ("shift", "piece", "seg_start", "seg_end"))))
    assert got == reference_pieces(s, e, cuts, order)
    np.testing.assert_array_equal(seg["minutes"], seg["seg_end"] - seg["seg_start"])
    # each piece lies in the stretch its start is in: cuts[stretch - 1] <= start < cuts[stretch]
    np.testing.assert_array_equal(stretch, np.searchsorted(cuts, seg["seg_start"], side="right"))


def test_overtime_on_the_base_rate_and_on_the_regular_rate_agree_without_extras():
    # One 10 h workday at $20.00/h (200,000 units), daily overtime after 8 h at 1.5x:
    #   base pay 10 h x $20 = $200.00; overtime 2 h x 0.5 x $20 = $20.00; gross $220.00.
    # With no differential or standby the regular rate is the base rate, so both bases pay $20.
    shifts = pd.DataFrame({"employee_id": ["A"], "kind": ["work"], "start_at": np.array([MONDAY + 8 * HOUR]),
                           "end_at": np.array([MONDAY + 18 * HOUR]), "rate_units": np.array([200_000]), "row": [2]})
    for basis in ("base_rate", "regular_rate"):
        policy = parse_policy({"overtime": {"daily_hours": 8, "multiplier": 1.5, "basis": basis}})
        line = compute_pay(shifts, policy).lines.iloc[0]
        assert (int(line["base_pay"]), int(line["overtime_premium"]), int(line["gross_pay"])) == (20_000, 2_000, 22_000)
        assert int(line["overtime_minutes"]) == 2 * HOUR


def test_base_rate_overtime_sums_each_segments_own_rate():
    # Two shifts on one Monday at different rates, daily overtime after 8 h at 1.5x on the base rate:
    #   06:00-12:00 at $20 (6 h), 13:00-17:00 at $30 (4 h): the last 2 h (15:00-17:00) are overtime,
    #   all at $30: premium 2 h x 0.5 x $30 = $30.00; base 6 x $20 + 4 x $30 = $240.00.
    shifts = pd.DataFrame({"employee_id": ["A", "A"], "kind": ["work", "work"],
                           "start_at": np.array([MONDAY + 6 * HOUR, MONDAY + 13 * HOUR]),
                           "end_at": np.array([MONDAY + 12 * HOUR, MONDAY + 17 * HOUR]),
                           "rate_units": np.array([200_000, 300_000]), "row": [2, 3]})
    policy = parse_policy({"overtime": {"daily_hours": 8, "multiplier": 1.5, "basis": "base_rate"}})
    line = compute_pay(shifts, policy).lines.iloc[0]
    assert (int(line["base_pay"]), int(line["overtime_premium"]), int(line["gross_pay"])) == (24_000, 3_000, 27_000)
