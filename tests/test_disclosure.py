"""The disclosure rule (peerpay/core/disclosure.py), worked by hand: sizes, the ladder, widening on a
coincidence, outward ranges, and totals minus parts."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from peerpay.core.disclosure import (Band, Protected, Rule, candidate_bands, disclose, ladder_step, ladder_value, linear_leaks,
                                     numbers_of, outward)


@pytest.mark.parametrize("n,status", [(1, "withheld"), (2, "withheld"), (3, "band"), (9, "band"), (10, "exact"), (250, "exact")])
def test_what_a_group_publishes_by_its_size(n, status):
    assert Rule().status(n) == status


def test_the_sizes_can_be_raised_never_lowered():
    assert Rule(exact_min=20).status(15) == "band"
    for bad in (dict(exact_min=9), dict(band_min=2), dict(exact_min=10, band_min=11)):
        with pytest.raises(ValueError, match="at least 10"):
            Rule(**bad)


def test_the_ladder():
    # R'20: 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9, then x 10
    assert [ladder_value(s) for s in range(20, 27)] == [10, 11, F("12.5"), 14, 16, 18, 20]
    assert ladder_value(ladder_step(F("19.40"))) == 18 and ladder_value(ladder_step(F("19.40")) + 1) == 20
    assert ladder_value(ladder_step(F(20))) == 20  # a point is the low end of its own step
    assert ladder_value(ladder_step(F("0.95"))) == F("0.9")
    # every step is 10 % to 14.3 % above the one before
    ratios = [ladder_value(s + 1) / ladder_value(s) for s in range(20, 40)]
    assert min(ratios) == F(11, 10) and max(ratios) == F(8, 7)


def test_candidate_bands_widen_around_the_median():
    s = ladder_step(F("19.40"))
    steps = [(b.lo - s, b.hi - s) for b in candidate_bands(F("19.40"))]
    # its own step; then two steps (the one above first); three; four; each still holding the median
    assert steps == [(0, 1), (0, 2), (-1, 1), (0, 3), (-1, 2), (-2, 1), (0, 4), (-1, 3), (-2, 2), (-3, 1)]


def test_a_band_of_four_peers():
    # 18.75, 19.40, 19.40, 20.10: median (19.40 + 19.40) / 2 = 19.40 -> step [18, 20); edges 18, 20 and
    # midpoint 19 are nobody's pay nor a pair's mean (pairs: 19.075, 19.40, 19.425, 19.75)
    out = disclose({"peer": [F("18.75"), F("19.40"), F("19.40"), F("20.10")]})
    assert out["peer"].status == "band" and out["peer"].band.pair() == [18, 20]
    assert out["peer"].median is None and out["peer"].mean is None  # a banded group has no exact figure


def test_a_band_widens_off_a_colleague():
    # 19.00, 19.50, 20.00: median 19.50 in [18, 20) -- but 20 is the third person's rate
    #   [18, 22]: midpoint 20 again;  [16, 20]: edge 20;  [18, 25]: 18, 25, 21.5 -> clean
    out = disclose({"peer": [F(19), F("19.50"), F(20)]})
    assert out["peer"].band.pair() == [18, 25]
    # 19.00 x 3: the midpoint 19 of [18, 20) is everybody's pay; [18, 22] (midpoint 20) is clean
    assert disclose({"peer": [F(19)] * 3})["peer"].band.pair() == [18, 22]


def test_a_band_that_cannot_be_made_clean_is_withheld():
    everything = [n for b in candidate_bands(F("19.40")) for n in b.numbers()]
    protected = Protected.of({"x": everything}, Rule(), F(1, 100))
    assert disclose({"peer": [F("18.75"), F("19.40"), F("20.10")]}, protected=protected)["peer"].status == "withheld"


def test_an_exact_group_is_published_as_it_is():
    rates = [F(20 + k) for k in range(11)]  # 20 … 30: median 25, mean 25
    out = disclose({"rn": rates})["rn"]
    assert (out.status, out.n, out.median, out.mean, out.band) == ("exact", 11, 25, 25, None)


def test_a_figure_made_from_a_band_widens_it_too():
    # a yearly gap of (40 - 20) x 2,080 = 41,600 would be the annual pay of a colleague on $20 x 2,080
    protected = Protected.of({"x": [F(41_600)]}, Rule(), F(1))

    def derived(disc):
        b = disc["peer"].band
        return [([(40 - b.low) * 2080, (40 - b.high) * 2080], ["peer"])]

    out = disclose({"peer": [F("18.75"), F("19.40"), F("20.10")]}, protected=protected, derived=derived)
    assert out["peer"].band.pair() == [18, 22]  # (40 - 22) x 2,080 = 37,440 and 45,760: clean


def test_protected_values():
    p = Protected.of({"peer": [F(18), F(20), F(22)], "rn": [F(40 + k) for k in range(10)]}, Rule(), F(1, 100))
    # each person; the small group's pairs 19, 20, 21, all-but-one means 21, 20, 19 and mean 20; no pairs of the 10 RNs
    assert p.hits(18) and p.hits(19) and p.hits(21.009) and not p.hits(21.02) and p.hits(45)
    assert not p.hits(40.5)  # the mean of two of the ten RNs is not protected: their group is published exactly


def test_outward_ranges():
    # 100 x 18 / 32 = 56.25 -> 56 and 100 x 20 / 28 = 71.43 -> 72: the true ratio stays inside
    assert outward(F(1800, 32), F(2000, 28), 1) == [56, 72]
    assert outward(F(16640), F(29120), 100) == [16_600, 29_200]
    assert outward(F("2.934"), F("10.931"), F(1, 100)) == [2.93, 10.94]


def test_numbers_a_reader_takes_from_a_value():
    assert numbers_of([18, 20]) == [18, 20, 19]  # a range: its edges and midpoint
    assert numbers_of({"a": 1.5, "b": "text", "c": True, "d": None}) == [F(1.5)]


def test_totals_minus_parts():
    sizes = {"peer": 11, "rn": 12, "director": 1, "lpn": 2, "a": 3, "b": 4, "c": 5}
    # the decomposition's non-peer mean over rn + director, with the RNs exact: the director's pay
    assert linear_leaks([{"rn", "director"}, {"peer"}], sizes, {"peer", "rn"}) == [frozenset({"director"})]
    assert linear_leaks([{"rn", "director", "lpn", "a", "b"}], sizes, {"rn"}) == []  # 10 people left: a mean of 10
    # two overlapping totals: a + b (7 people) is their difference's complement... and in their span
    leaks = linear_leaks([{"a", "b"}, {"a", "b", "c"}], sizes, set())
    assert frozenset({"a", "b"}) in leaks and frozenset({"c"}) in leaks
    assert linear_leaks([{"rn"}], sizes, {"rn"}) == []


def test_band_type():
    b = Band(ladder_step(F(28)), ladder_step(F(28)) + 1)
    assert (b.low, b.high, b.pair()) == (28, 32, [28, 32]) and b.numbers() == (28, 32, 30)
