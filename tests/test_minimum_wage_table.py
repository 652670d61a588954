"""The shipped minimum-wage table (peerpay/data/minimum_wage.csv): its shape, and spot values.

Every spot value below was checked against the source named on its row (state labour
department releases, the Economic Policy Institute's yearly state tables, Ballotpedia);
peerpay/data/README.md says which rows are tiers and which states fall back to federal.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import numpy as np
import pandas as pd
import pytest

from peerpay.jobs.backpay import load_minimum_wages
from peerpay.core.backpay import MinimumWage
from peerpay.io.resources import package_file

STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]
TIERS = {"US-NV-BENEFITS", "US-NY-NYC", "US-OR-PORTLAND", "US-OR-NONURBAN"}
#: the series that reach back to 2019 (a New York claim looks back 6 years, Florida's 4-5, Maryland's 3)
HISTORY = {"US-AK", "US-CA", "US-CO", "US-FL", "US-IL", "US-MA", "US-MD", "US-NJ", "US-NV", "US-NV-BENEFITS", "US-NY", "US-NY-NYC",
           "US-OR", "US-OR-PORTLAND", "US-OR-NONURBAN", "US-WA"}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    text = package_file("minimum_wage.csv").read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_minimum_wages()


def test_columns_and_jurisdictions(raw):
    assert list(raw.columns) == ["jurisdiction", "effective_date", "hourly", "source"]
    assert set(raw["jurisdiction"]) == {"US"} | {f"US-{s}" for s in STATES} | TIERS
    assert len(STATES) == 51  # 50 states + DC
    # every tier belongs to a state that also has its default row
    assert all(t.rsplit("-", 1)[0] in set(raw["jurisdiction"]) for t in TIERS)


def test_sorted_unique_and_dates_parse(raw):
    days = pd.to_datetime(raw["effective_date"], format="%Y-%m-%d")  # raises on a bad date
    assert not raw.duplicated(["jurisdiction", "effective_date"]).any()
    keys = list(zip(raw["jurisdiction"], days))
    assert keys == sorted(keys)
    state = raw["jurisdiction"] != "US"
    # state coverage starts 2023-01-01, or 2019-01-01 for the states with a longer history (HISTORY):
    # each series' first row holds the rate in force on that day
    first = days[state].groupby(raw.loc[state, "jurisdiction"]).min()
    assert set(first[first == pd.Timestamp("2019-01-01")].index) == HISTORY
    assert (first[~first.index.isin(HISTORY)] == pd.Timestamp("2023-01-01")).all()


def test_rates_are_cents_and_at_least_federal(raw):
    cents = raw["hourly"].map(Decimal) * 100
    assert (cents == cents.map(lambda c: c.to_integral_value())).all()  # whole cents, no float residue
    assert (raw["hourly"].map(Decimal) >= Decimal("7.25")).all()


def test_every_row_is_sourced(raw):
    assert raw["source"].str.strip().str.match(r"https?://\S+").all()


def test_rates_never_fall_within_a_jurisdiction(raw):
    # No state in 2023-2026 lowered its minimum: a drop would be a typo.
    hourly = raw["hourly"].map(Decimal)
    for _, rates in hourly.groupby(raw["jurisdiction"]):
        assert list(rates) == sorted(rates)


def test_the_loader_accepts_the_table(table):
    assert len(table) == 204 and table["rate_units"].dtype == np.int64


def _on(table, jurisdiction: str, day: str) -> Decimal:
    units = MinimumWage(table, jurisdiction).on(np.array([day], dtype="datetime64[D]"))[0]
    return Decimal(int(units)) / 10_000


@pytest.mark.parametrize(("jurisdiction", "day", "hourly"), [
    ("US-CA", "2025-01-01", "16.50"),
    ("US-CA", "2026-01-01", "16.90"),
    ("US-WA", "2025-01-01", "16.66"),
    ("US-WA", "2026-06-30", "17.13"),
    ("US-NY", "2025-06-01", "15.50"),       # remainder of the state
    ("US-NY-NYC", "2025-06-01", "16.50"),   # NYC, Long Island, Westchester
    ("US-NY-NYC", "2026-01-01", "17.00"),
    # Connecticut: $14.00 until 2023-05-31, $15.00 from 2023-06-01, indexed each January from 2024
    ("US-CT", "2023-05-31", "14.00"),
    ("US-CT", "2023-06-01", "15.00"),
    ("US-CT", "2026-01-01", "16.94"),
    # DC changes on 1 July
    ("US-DC", "2024-06-30", "17.00"),
    ("US-DC", "2024-07-01", "17.50"),
    ("US-DC", "2025-07-01", "17.95"),
    # Florida changes on 30 September (Fla. Const. art. X s. 24(c)): $13.00 through 2025-09-29, $14.00 from 2025-09-30
    ("US-FL", "2024-09-29", "12.00"),
    ("US-FL", "2024-09-30", "13.00"),
    ("US-FL", "2025-09-29", "13.00"),
    ("US-FL", "2025-09-30", "14.00"),
    ("US-FL", "2026-09-29", "14.00"),
    ("US-FL", "2026-09-30", "15.00"),
    ("US-FL", "2021-09-29", "8.65"),
    ("US-FL", "2021-09-30", "10.00"),
    # the history rows: New York's upstate steps on 31 December, NYC's $15.00 since 2018-12-31
    ("US-NY", "2019-12-30", "11.10"),
    ("US-NY", "2019-12-31", "11.80"),
    ("US-NY", "2022-12-31", "14.20"),
    ("US-NY-NYC", "2020-06-01", "15.00"),
    ("US-OR", "2020-07-01", "12.00"),
    ("US-NV", "2021-07-01", "9.75"),
    ("US-NV-BENEFITS", "2021-07-01", "8.75"),
    ("US-IL", "2020-06-30", "9.25"),
    ("US-IL", "2020-07-01", "10.00"),
    ("US-MD", "2022-06-01", "12.50"),
    ("US-NJ", "2019-07-01", "10.00"),
    ("US-CA", "2022-12-31", "15.00"),
    ("US-WA", "2021-01-01", "13.69"),
    ("US-MA", "2022-01-01", "14.25"),
    ("US-CO", "2022-01-01", "12.56"),
    ("US-AK", "2022-06-01", "10.34"),
    # Oregon tiers, 1 July 2025
    ("US-OR", "2025-07-01", "15.05"),
    ("US-OR-PORTLAND", "2025-07-01", "16.30"),
    ("US-OR-NONURBAN", "2025-07-01", "14.05"),
    ("US-OR", "2025-06-30", "14.70"),
    # Nevada: two tiers until 2024-06-30, one rate from 2024-07-01
    ("US-NV", "2023-07-01", "11.25"),
    ("US-NV-BENEFITS", "2023-07-01", "10.25"),
    ("US-NV", "2024-07-01", "12.00"),
    ("US-NV-BENEFITS", "2024-07-01", "12.00"),
    # Michigan: two increases in 2025
    ("US-MI", "2025-02-20", "10.56"),
    ("US-MI", "2025-02-21", "12.48"),
    # Alaska: indexed in January, Ballot Measure 1 steps in July
    ("US-AK", "2025-06-30", "11.91"),
    ("US-AK", "2025-07-01", "13.00"),
    ("US-AK", "2026-07-01", "14.00"),
    ("US-NJ", "2026-01-01", "15.92"),
    ("US-HI", "2025-06-01", "14.00"),   # no change in 2025
    ("US-HI", "2026-01-01", "16.00"),
    ("US-MD", "2025-11-30", "15.00"),
    ("US-WV", "2024-05-01", "8.75"),
    # no state law / $5.15 state rate / state rate equal to federal: the federal rate
    ("US-AL", "2025-01-01", "7.25"),
    ("US-GA", "2025-01-01", "7.25"),
    ("US-TX", "2025-01-01", "7.25"),
])
def test_spot_values(table, jurisdiction, day, hourly):
    assert _on(table, jurisdiction, day) == Decimal(hourly)


def test_dates_before_a_series_starts_use_the_federal_rate(table):
    # Most state rows start 2023-01-01, the HISTORY ones 2019-01-01; earlier dates fall back to federal (README).
    assert _on(table, "US-TX", "2022-12-31") == Decimal("7.25")
    assert _on(table, "US-AZ", "2022-12-31") == Decimal("7.25")
    assert _on(table, "US-CA", "2018-12-31") == Decimal("7.25")
    assert MinimumWage(table, "US-CA").covered and not MinimumWage(table, "US-PR").covered


def test_the_limitation_periods_table():
    from peerpay.core.wage_law import Limitation, state_limitation
    from peerpay.jobs.backpay import load_limitation_periods

    periods = load_limitation_periods()
    assert periods["source"].str.match(r"https?://\S+ \(").all()  # a page and the rule it states
    federal = Limitation(2, "29 U.S.C. 255(a)")
    years = {j: state_limitation(periods, j, False, federal).years for j in ("US-MD", "US-NY", "US-NY-NYC", "US-FL", "US-TX", "US")}
    assert years == {"US-MD": 3, "US-NY": 6, "US-NY-NYC": 6, "US-FL": 4, "US-TX": 2, "US": 2}  # a tier uses its state's
    assert state_limitation(periods, "US-FL", True, federal).years == 5  # willful: Fla. Const. art. X s. 24(e)
    assert state_limitation(periods, "US-MD", False, federal, override_years=1).years == 1
