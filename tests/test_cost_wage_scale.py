"""The proposed wage scale (issue 23): role x step x contract year, checked by hand.

Today's schedule (test_cost_handworked): peer_specialist step 1 $20.00, step 2 $21.00; rn step 1 $40.00.
The proposal, 3 years from 2026-01-01: +3 % on 2026-01-01, +2.5 % on 2027-01-01, +50 cents for peers on
2027-07-01 (mid-year: its own column), +2 % on 2028-01-01; a new top step 3 for peers at $22.00 from
2026-01-01 (in the dollars of the day before: the raises from that day on compound on it). Each rate is
compounded on the unrounded rate and rounded once, half-up, to the cent.
"""

from __future__ import annotations

from tests.test_cost_handworked import FROZEN, cost

PROPOSAL = FROZEN + """years = 3
[[increase]]
effective = 2026-01-01
percent = 3
[[increase]]
effective = 2027-01-01
percent = 2.5
[[increase]]
effective = 2027-07-01
cents_per_hour = 50
roles = ["peer_specialist"]
[[increase]]
effective = 2028-01-01
percent = 2
[[schedule]]
effective = 2026-01-01
role = "peer_specialist"
step = 3
hourly_rate = 22.00
"""


def test_a_three_year_compounding_scale_with_a_new_top_step(files):
    scale = cost(files, PROPOSAL).report["proposals"][0]["wage_scale"]
    assert scale["columns"] == [{"year": 1, "from": "2026-01-01"}, {"year": 2, "from": "2027-01-01"},
                                {"year": 2, "from": "2027-07-01"}, {"year": 3, "from": "2028-01-01"}]
    rows = {(r["role"], r["step"]): r for r in scale["rows"]}
    # peer step 1: 20 x 1.03 = 20.60; x 1.025 = 21.115 -> 21.12; + 0.50 = 21.615 -> 21.62;
    #   x 1.02 = 22.0473 -> 22.05. Over today's $20.00: 3.00 %, 5.60 %, 8.10 %, 10.25 %.
    assert rows[("peer_specialist", 1)]["rates"] == [20.60, 21.12, 21.62, 22.05]
    assert rows[("peer_specialist", 1)]["increase_pct"] == [3.0, 5.6, 8.1, 10.25]
    # peer step 2: 21 x 1.03 = 21.63; x 1.025 = 22.17075 -> 22.17; + 0.50 = 22.67075 -> 22.67;
    #   x 1.02 = 23.124165 -> 23.12. Over $21.00: 0.63/21 = 3.00 %, 1.17/21 = 5.57 %, 1.67/21 = 7.95 %, 2.12/21 = 10.10 %.
    assert rows[("peer_specialist", 2)]["rates"] == [21.63, 22.17, 22.67, 23.12]
    assert rows[("peer_specialist", 2)]["increase_pct"] == [3.0, 5.57, 7.95, 10.1]
    assert rows[("peer_specialist", 2)]["increase"] == [0.63, 1.17, 1.67, 2.12]
    # the new step 3: 22 x 1.03 = 22.66; x 1.025 = 23.2265 -> 23.23; + 0.50 = 23.7265 -> 23.73;
    #   x 1.02 = 24.20103 -> 24.20. No rate today, so no increase over it.
    assert rows[("peer_specialist", 3)]["today"] is None
    assert rows[("peer_specialist", 3)]["rates"] == [22.66, 23.23, 23.73, 24.20]
    assert rows[("peer_specialist", 3)]["increase_pct"] == [None] * 4
    # rn step 1 (no cents): 41.20; 42.23; 42.23 (the 50 cents are for peers); 42.23 x 1.02 = 43.0746 -> 43.07.
    #   Over $40.00: 3.00 %, 2.23/40 = 5.575 -> 5.58 %, 5.58 %, 3.07/40 = 7.675 -> 7.68 %.
    assert rows[("rn", 1)]["rates"] == [41.20, 42.23, 42.23, 43.07]
    assert rows[("rn", 1)]["increase_pct"] == [3.0, 5.58, 5.58, 7.68]


def test_the_scale_is_the_rate_the_costing_pays(files):
    """E1 (peer step 1) is on the scale's step-1 rate in year 1: 40 h x (20.60 - 20.00) = $24 a week."""
    run = cost(files, PROPOSAL)
    y1 = next(y for y in run.report["proposals"][0]["years"] if y["year"] == 1 and y["role"] == "peer_specialist")
    assert y1["run_rate"] == round(24 * 365 / 7, 2)


def test_the_scale_in_the_tables_and_the_pack(files):
    from peerpay.core.costing import scale_frame
    from peerpay.io.costpage import scale_table

    run = cost(files, PROPOSAL)
    prop = run.report["proposals"][0]
    frame = scale_frame(prop)
    assert list(frame.columns) == ["role", "step", "today ($/h)", "year 1 ($/h)", "year 1 (% over today)", "year 2 ($/h)",
                                   "year 2 (% over today)", "year 2 from 2027-07-01 ($/h)",
                                   "year 2 from 2027-07-01 (% over today)", "year 3 ($/h)", "year 3 (% over today)"]
    html = scale_table(prop)
    assert "$24.20<span class=\"inc\">new</span>" in html and "$22.05<span class=\"inc\">+10.25 %</span>" in html
    assert "Year 2 from 2027-07-01" in html
