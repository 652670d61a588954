"""Reference lines: hand-worked hourly figures, the name grammar, and the shipped tables."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pandas as pd
import pytest

from peerpay.core import reference_lines as rl
from peerpay.io import resources


@pytest.fixture(scope="module")
def tables():
    return resources.reference_tables()


@pytest.fixture
def minimum():
    # A tmp fixture in the schema of peerpay/data/minimum_wage.csv (shipped by a colleague).
    return pd.read_csv(StringIO(
        "jurisdiction,effective_date,hourly,source\n"
        "US,2009-07-24,7.25,29 U.S.C. 206(a)(1)(C)\n"
        "US-MD,2024-01-01,15.00,Md. Code Lab. & Empl. 3-413\n"
        "US-MD,2023-01-01,13.25,Md. Code Lab. & Empl. 3-413\n"
        "US-MD,2027-01-01,16.00,made-up future row for the test\n"
    ), dtype=str, keep_default_na=False)


def test_poverty_2025_one_person(tables):
    # 15,650 / 2,080 = 7.524038... -> half-up to the cent: $7.52
    line = tables.resolve("poverty-2025")
    assert line.hourly == Decimal("7.52")
    assert line.key == "poverty-2025" and "90 FR 5917" in line.source and line.effective == "2025-01-15"


@pytest.mark.parametrize("name, annual", [
    ("poverty-2025:3", 15650 + 2 * 5500),        # 26,650
    ("poverty-2025:8", 15650 + 7 * 5500),        # 54,150 (the published 8-person figure)
    ("poverty-2025:1:alaska", 19550),
    ("poverty-2025:4:hawaii", 17990 + 3 * 6330),  # 36,980
    ("poverty-2026", 15960),
    ("poverty-2026:2", 21640),                  # the published 2-person figure
    ("poverty-2026:8:alaska", 69650),           # the published 8-person Alaska figure
    ("poverty-2026:8:hawaii", 64070),
])
def test_poverty_household_sizes(tables, name, annual):
    expected = (Decimal(annual) / 2080).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert tables.resolve(name).hourly == expected


def test_hourly_rounding_is_half_up_once():
    # 2,080 x 7.525 = 15,652 -> exactly half a cent: half-up gives 7.53 (half-even would give 7.52)
    assert rl.annual_to_hourly(15652) == Decimal("7.53")
    assert rl.annual_to_hourly(15651) == Decimal("7.52")  # 7.52451... -> 7.52


def test_housing_wage_arithmetic():
    # 1,943 x 12 = 23,316 a year; / 0.30 = 77,720 income needed; / 2,080 = 37.3653... -> $37.37
    assert rl.housing_wage(1943) == Decimal("37.37")
    # 2,600 x 12 / 0.3 / 2080 = 2,600 / 52 = 50.00 exactly
    assert rl.housing_wage(2600) == Decimal("50.00")
    # 1,001 / 52 = 19.25 exactly; 1,001.26 / 52 = 19.255 -> half-up 19.26
    assert rl.housing_wage("1001.26") == Decimal("19.26")


def test_housing_wage_from_shipped_rents(tables):
    two = tables.resolve("housing-wage:baltimore-md")
    one = tables.resolve("housing-wage:baltimore-md:1br")
    assert two.hourly == Decimal("37.37") and "1,943" in two.basis and two.effective == "FY2024"
    assert one.hourly == Decimal("30.42")  # 1,582 / 52 = 30.4230...
    assert tables.resolve("housing-wage:boston-ma").hourly == Decimal("54.56")  # 2,837 / 52 = 54.5576...


def test_user_line_keeps_its_citation():
    line = rl.resolve("Living wage (MIT, Baltimore, 1 adult)=24.50")
    assert line.label == "Living wage (MIT, Baltimore, 1 adult)" and line.hourly == Decimal("24.50")
    assert line.kind == "user"
    assert rl.resolve("Living wage=$24.5").hourly == Decimal("24.50")
    with pytest.raises(rl.ReferenceLineError, match="not an amount"):
        rl.resolve("Living wage=abc")
    with pytest.raises(rl.ReferenceLineError, match="LABEL=AMOUNT"):
        rl.resolve("=24.50")


def test_minimum_wage_in_effect_on_a_date(minimum):
    assert rl.resolve("minimum-wage:US-MD@2025-11-30", minimum=minimum).hourly == Decimal("15.00")
    assert rl.resolve("minimum-wage:US-MD@2023-06-01", minimum=minimum).hourly == Decimal("13.25")
    # no @DATE: the report's as_of; no as_of either: the latest row
    assert rl.resolve("minimum-wage:US-MD", minimum=minimum, as_of=date(2025, 11, 30)).hourly == Decimal("15.00")
    assert rl.resolve("minimum-wage:US-MD", minimum=minimum).hourly == Decimal("16.00")
    assert rl.resolve("minimum-wage:us", minimum=minimum).label == "Federal minimum wage"
    with pytest.raises(rl.ReferenceLineError, match="in effect on 2000-01-01"):
        rl.resolve("minimum-wage:US-MD@2000-01-01", minimum=minimum)
    with pytest.raises(rl.ReferenceLineError, match="did you mean 'US-MD'"):
        rl.resolve("minimum-wage:US-ND", minimum=minimum)


def test_unknown_names_list_what_is_available(tables):
    with pytest.raises(rl.ReferenceLineError) as err:
        tables.resolve("povrty-2025")
    assert "did you mean 'poverty-2025'" in str(err.value) and "housing-wage:baltimore-md" in str(err.value)
    with pytest.raises(rl.ReferenceLineError, match="did you mean 'baltimore-md'"):
        tables.resolve("housing-wage:baltimor-md")
    with pytest.raises(rl.ReferenceLineError, match="years: 2025, 2026"):
        tables.resolve("poverty-2019")
    with pytest.raises(rl.ReferenceLineError, match="did you mean 'alaska'"):
        tables.resolve("poverty-2025:2:alaksa")


def test_package_file_stays_inside_the_data_folder():
    assert resources.package_file("reference_lines/poverty_guidelines.csv").is_file()
    assert resources.read_package_csv("no_such_file.csv") is None
    with pytest.raises(ValueError):
        resources.package_file("../cli/gap.py")


def test_shipped_tables_are_dated_and_sourced(tables):
    for frame in (tables.poverty, tables.rents):
        assert (frame["source"].str.len() > 20).all()
        assert (frame["effective_date"].str.len() == 10).all()
    assert set(tables.poverty["region"]) == {"contiguous", "alaska", "hawaii"}
