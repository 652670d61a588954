"""Living-standard reference lines as hourly wages: poverty line, housing wage, minimum wage.

Pure: the tables come in as DataFrames (``peerpay/io/resources.py`` loads the shipped ones),
a name comes in as text, a :class:`ReferenceLine` comes out. Every hourly figure is computed
exactly (:class:`fractions.Fraction`) and rounded once, half-up, to the cent (docs/reference-lines.md).

Names (``--reference-line``)::

    poverty-2025            HHS poverty guideline 2025, household of 1, 48 states + DC
    poverty-2025:3          ... household of 3
    poverty-2026:2:alaska   ... household of 2, Alaska (or hawaii)
    housing-wage:baltimore-md       HUD FMR 2-bedroom housing wage, latest FY shipped
    housing-wage:baltimore-md:1br   ... 1-bedroom
    minimum-wage:US                 in effect on the report's date (latest row without one)
    minimum-wage:US-MD@2025-11-30   in effect on that date
    Living wage (MIT, Baltimore, 1 adult)=24.50    the user's own figure and citation

Worked examples (tests/test_reference_lines.py)::

    poverty 2025, 1 person: 15,650 / 2,080 h = 7.52403... -> $7.52/h
    housing wage, 2-bedroom FMR $1,943/month: 1,943 x 12 / 0.30 / 2,080
        = 1,943 / 52 = 37.36538... -> $37.37/h
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from .money import HOURS_PER_FTE_YEAR, cents_half_up, round_half_up, to_decimal

RENT_SHARE = Fraction(3, 10)  # HUD's affordability standard: housing costs at most 30 % of income
MONTHS = 12
REGIONS = ("contiguous", "alaska", "hawaii")
REGION_NAMES = {"contiguous": "48 states + DC", "alaska": "Alaska", "hawaii": "Hawaii"}
KINDS = ("poverty", "housing", "minimum_wage", "user")


class ReferenceLineError(ValueError):
    """A name that cannot be resolved; the message lists what is available."""


@dataclass(frozen=True)
class ReferenceLine:
    """One comparison line: an hourly wage with where it comes from."""

    key: str  # the name as resolved, e.g. "poverty-2025:3"
    label: str  # short, for the chart: "Poverty line 2025 (3 people)"
    hourly: Decimal  # dollars per hour, to the cent
    kind: str  # one of KINDS
    source: str  # citation (and URL where there is one)
    effective: str = ""  # date or fiscal year the figure applies from
    basis: str = ""  # how the hourly figure was derived, in words with the numbers

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "hourly": float(self.hourly), "kind": self.kind,
                "source": self.source, "effective": self.effective, "basis": self.basis}


def to_cents(value: Fraction) -> Decimal:
    """Half-up to the cent (money.cents_half_up), as a Decimal with 2 places."""
    cents = cents_half_up(value.numerator * 100, value.denominator)
    return Decimal(int(cents)).scaleb(-2)


def annual_to_hourly(annual) -> Decimal:
    """A yearly income as a full-time hourly wage: annual / 2,080 h, half-up to the cent."""
    return to_cents(Fraction(to_decimal(annual)) / HOURS_PER_FTE_YEAR)


def housing_wage(monthly_rent) -> Decimal:
    """Hourly wage at which ``monthly_rent`` is 30 % of a full-time income.

    rent x 12 / 0.30 / 2,080 (the National Low Income Housing Coalition's "housing wage"
    formula, with HUD's 30 % affordability standard) = rent / 52.
    """
    return to_cents(Fraction(to_decimal(monthly_rent)) * MONTHS / RENT_SHARE / HOURS_PER_FTE_YEAR)


# --------------------------------------------------------------------------- the three tables


def poverty_line(table: pd.DataFrame, year: int, household: int = 1, region: str = "contiguous") -> ReferenceLine:
    """HHS poverty guideline for a household size as an hourly wage (42 U.S.C. 9902(2))."""
    if household < 1:
        raise ReferenceLineError(f"household size must be 1 or more (got {household})")
    if region not in REGIONS:
        raise ReferenceLineError(f"unknown poverty-guideline region '{region}'{_did_you_mean(region, REGIONS)}; use one of {', '.join(REGIONS)}")
    rows = table[(table["year"].astype(int) == year) & (table["region"] == region)]
    if rows.empty:
        years = sorted({int(y) for y in table["year"]})
        raise ReferenceLineError(f"no HHS poverty guideline for {year} shipped (years: {', '.join(map(str, years))})")
    row = rows.iloc[0]
    annual = int(row["first_person"]) + (household - 1) * int(row["additional_person"])
    hourly = annual_to_hourly(annual)
    people = "1 person" if household == 1 else f"{household} people"
    where = "" if region == "contiguous" else f", {REGION_NAMES[region]}"
    suffix = f":{household}" if household != 1 or region != "contiguous" else ""
    suffix += f":{region}" if region != "contiguous" else ""
    return ReferenceLine(
        key=f"poverty-{year}{suffix}",
        label=f"Poverty line {year} ({people}{where})",
        hourly=hourly, kind="poverty", source=str(row["source"]), effective=str(row["effective_date"]),
        basis=f"HHS poverty guideline ${annual:,} a year for {people} ({REGION_NAMES[region]}) / 2,080 h",
    )


def fair_market_rent_line(table: pd.DataFrame, area: str, bedrooms: int = 2, fiscal_year: str | None = None) -> ReferenceLine:
    """HUD Fair Market Rent housing wage for an area (latest fiscal year shipped unless given)."""
    areas = sorted(set(table["area"]))
    if area not in areas:
        raise ReferenceLineError(f"no Fair Market Rent shipped for area '{area}'{_did_you_mean(area, areas)} (areas: {', '.join(areas)})")
    rows = table[(table["area"] == area) & (table["bedrooms"].astype(int) == bedrooms)]
    if fiscal_year is not None:
        rows = rows[rows["fiscal_year"].str.upper() == fiscal_year.upper()]
    if rows.empty:
        have = sorted({f"{int(b)}br" for b in table.loc[table["area"] == area, "bedrooms"]})
        raise ReferenceLineError(f"no {bedrooms}-bedroom Fair Market Rent for '{area}'{' in ' + fiscal_year if fiscal_year else ''} (shipped: {', '.join(have)})")
    row = rows.sort_values("fiscal_year").iloc[-1]
    rent = int(row["monthly_rent"])
    rooms = f"{bedrooms}-bedroom" if bedrooms else "studio"
    return ReferenceLine(
        key=f"housing-wage:{area}" + ("" if bedrooms == 2 else f":{bedrooms}br"),
        label=f"Housing wage, {rooms} ({_short_area(str(row['area_name']))}, {row['fiscal_year']})",
        hourly=housing_wage(rent), kind="housing", source=str(row["source"]), effective=str(row["fiscal_year"]),
        basis=f"HUD Fair Market Rent ${rent:,}/month ({rooms}, {row['area_name']}) x 12 / 0.30 / 2,080 h",
    )


def minimum_wage_line(table: pd.DataFrame, jurisdiction: str, on: date | None = None) -> ReferenceLine:
    """The minimum wage in effect on ``on`` (the latest row when ``on`` is None).

    ``table`` has ``jurisdiction, effective_date, hourly, source`` (peerpay/data/minimum_wage.csv);
    a row applies from its effective date until the next row of the same jurisdiction.
    """
    jurisdictions = sorted(set(table["jurisdiction"]))
    if jurisdiction not in jurisdictions:
        raise ReferenceLineError(f"no minimum wage for '{jurisdiction}'{_did_you_mean(jurisdiction, jurisdictions)} (jurisdictions: {', '.join(jurisdictions)})")
    rows = table[table["jurisdiction"] == jurisdiction].copy()
    rows["_from"] = pd.to_datetime(rows["effective_date"]).dt.date
    if on is not None:
        rows = rows[rows["_from"] <= on]
        if rows.empty:
            raise ReferenceLineError(f"no minimum wage for '{jurisdiction}' in effect on {on.isoformat()}")
    row = rows.sort_values("_from").iloc[-1]
    hourly = round_half_up(row["hourly"], 2)
    name = "Federal" if jurisdiction == "US" else jurisdiction.removeprefix("US-")
    return ReferenceLine(
        key=f"minimum-wage:{jurisdiction}" + (f"@{on.isoformat()}" if on else ""),
        label=f"{name} minimum wage",
        hourly=hourly, kind="minimum_wage", source=str(row["source"]), effective=row["_from"].isoformat(),
        basis=f"hourly minimum wage in effect from {row['_from'].isoformat()}",
    )


def user_line(text: str) -> ReferenceLine:
    """``"Living wage (MIT, Baltimore, 1 adult)=24.50"``: the user's figure; the label is its citation."""
    label, _, value = text.rpartition("=")
    label = label.strip()
    if not label:
        raise ReferenceLineError(f"reference line {text!r}: expected LABEL=AMOUNT, e.g. 'Living wage (MIT, Baltimore, 1 adult)=24.50'")
    try:
        amount = to_decimal(value)
    except ValueError:
        raise ReferenceLineError(f"reference line {text!r}: '{value.strip()}' is not an amount, e.g. 'Living wage=24.50'") from None
    if amount <= 0:
        raise ReferenceLineError(f"reference line {text!r}: the amount must be positive")
    return ReferenceLine(key=text, label=label, hourly=round_half_up(amount, 2), kind="user",
                         source="entered by the user", basis="as entered (dollars per hour)")


# --------------------------------------------------------------------------- names


def available_names(poverty: pd.DataFrame | None, rents: pd.DataFrame | None, minimum: pd.DataFrame | None) -> list[str]:
    names = []
    if poverty is not None:
        names += [f"poverty-{int(y)}" for y in sorted(set(poverty["year"].astype(int)))]
    if rents is not None:
        names += [f"housing-wage:{a}" for a in sorted(set(rents["area"]))]
    if minimum is not None:
        names += [f"minimum-wage:{j}" for j in sorted(set(minimum["jurisdiction"]))]
    return names


def resolve(name: str, *, poverty: pd.DataFrame | None = None, rents: pd.DataFrame | None = None,
            minimum: pd.DataFrame | None = None, as_of: date | None = None) -> ReferenceLine:
    """One ``--reference-line`` value -> a ReferenceLine (see the module docstring for names).

    ``as_of`` is the report's date: a minimum wage without ``@DATE`` is the one in effect then.
    """
    text = name.strip()
    if "=" in text:
        return user_line(text)
    head, _, rest = text.partition(":")
    head = head.lower()
    if head.startswith("poverty-") and poverty is not None:
        year = head.removeprefix("poverty-")
        if not year.isdigit():
            raise ReferenceLineError(f"'{text}': expected poverty-YEAR[:HOUSEHOLD[:REGION]], e.g. poverty-2025:3")
        parts = [p for p in rest.split(":") if p] if rest else []
        household = 1
        region = "contiguous"
        for p in parts:
            if p.isdigit():
                household = int(p)
            else:
                region = p.lower()
        return poverty_line(poverty, int(year), household, region)
    if head == "housing-wage" and rents is not None and rest:
        area, _, rooms = rest.partition(":")
        bedrooms = 2
        if rooms:
            r = rooms.lower().removesuffix("br").removesuffix("-bedroom")
            if not r.isdigit():
                raise ReferenceLineError(f"'{text}': bedrooms must look like 1br or 2br")
            bedrooms = int(r)
        return fair_market_rent_line(rents, area.lower(), bedrooms)
    if head == "minimum-wage" and minimum is not None and rest:
        jurisdiction, _, on = rest.partition("@")
        when = as_of
        if on:
            try:
                when = date.fromisoformat(on)
            except ValueError:
                raise ReferenceLineError(f"'{text}': '{on}' is not a date (YYYY-MM-DD)") from None
        return minimum_wage_line(minimum, jurisdiction.upper(), when)
    names = available_names(poverty, rents, minimum)
    raise ReferenceLineError(
        f"unknown reference line '{text}'{_did_you_mean(text, names)}; available: {', '.join(names) or 'none shipped'}"
        ", or your own figure as 'Label=AMOUNT' (e.g. 'Living wage (MIT, Baltimore, 1 adult)=24.50')"
    )


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _short_area(name: str) -> str:
    """'Baltimore-Columbia-Towson, MD HUD Metro FMR Area' -> 'Baltimore, MD'."""
    city, _, rest = name.partition(",")
    state = rest.strip().split(" ")[0] if rest else ""
    return f"{city.split('-')[0]}, {state}" if state else city.split("-")[0]
