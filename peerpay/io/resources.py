"""Files shipped inside the package (peerpay/data/...), read with importlib.resources.

Why importlib.resources and not a path next to ``__file__``: after a plain ``pip install``
(non-editable, or from a zip) the data lives wherever the installer put the package; this is
the one way to reach it that works in every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import pandas as pd

from ..core import reference_lines as core

REFERENCE_LINES_DIR = "reference_lines"
POVERTY_FILE = f"{REFERENCE_LINES_DIR}/poverty_guidelines.csv"
FAIR_MARKET_RENT_FILE = f"{REFERENCE_LINES_DIR}/fair_market_rents.csv"
MINIMUM_WAGE_FILE = "minimum_wage.csv"  # jurisdiction,effective_date,hourly,source


def package_file(name: str) -> Traversable:
    """``peerpay/data/<name>`` as a Traversable (``.open()``, ``.read_text()``, ``.is_file()``).

    ``name`` is a relative, slash-separated path inside peerpay/data, e.g.
    ``"reference_lines/poverty_guidelines.csv"``.
    """
    if name.startswith(("/", "\\")) or ".." in name.split("/"):
        raise ValueError(f"package data name must be relative and inside peerpay/data: {name!r}")
    node = resources.files("peerpay").joinpath("data")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def package_dir(name: str) -> Path | None:
    """``peerpay/data/<name>`` as a real folder on disk, or None when it is not shipped.

    A plain ``pip install`` (wheel, editable or not) unpacks the package, so the Traversable is a
    ``pathlib.Path``; commands that take file paths (``peerpay demo`` runs the jobs on the samples)
    need that. A zipped install is not supported for these folders (None: the caller says so).
    """
    node = package_file(name)
    if isinstance(node, Path) and node.is_dir():
        return node
    return None


SAMPLES_DIR = "samples"      # copies of the checkout's samples/ (tests/test_packaging.py keeps them identical)
SCHEDULES_DIR = "schedules"  # copies of the checkout's schedules/ (the BLS OEWS reference wages)
#: ``--reference NAME`` -> (the label shown in reports, the shipped file)
REFERENCES = {"bls-2025": ("BLS", f"{SCHEDULES_DIR}/bls_oews_may2025_national.csv")}


def read_package_csv(name: str) -> pd.DataFrame | None:
    """A shipped CSV as a DataFrame (all columns text); None when the file is not shipped."""
    node = package_file(name)
    if not node.is_file():
        return None
    with node.open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class ReferenceTables:
    poverty: pd.DataFrame | None
    rents: pd.DataFrame | None
    minimum: pd.DataFrame | None

    def resolve(self, name: str, as_of: date | None = None) -> core.ReferenceLine:
        return core.resolve(name, poverty=self.poverty, rents=self.rents, minimum=self.minimum, as_of=as_of)

    def names(self) -> list[str]:
        return core.available_names(self.poverty, self.rents, self.minimum)


def reference_tables() -> ReferenceTables:
    """The shipped tables; the minimum-wage table is optional (None until it is shipped)."""
    return ReferenceTables(read_package_csv(POVERTY_FILE), read_package_csv(FAIR_MARKET_RENT_FILE),
                           read_package_csv(MINIMUM_WAGE_FILE))


def reference_lines(names: list[str], as_of: date | None = None) -> list[core.ReferenceLine]:
    """Resolve several ``--reference-line`` values against the shipped tables."""
    tables = reference_tables()
    return [tables.resolve(n, as_of) for n in names]


def with_minimum_wages(policy):
    """The policy with the minimum-wage series its overtime tiers need, from the shipped table.

    A tier with a rate condition (Nevada's daily overtime, NRS 608.018: only below 1.5 x the
    minimum wage) compares each shift's rate with the minimum in force on its date: the higher
    of the federal and the state minimum (29 U.S.C. 218(a)), as back pay reads the same table.
    A series the policy gives itself (``[overtime.minimum_wages]``) is kept. Without such a tier
    the policy is returned as it is.
    """
    import numpy as np

    from ..core.backpay import MinimumWage, minimum_wage_table
    from ..errors import InputError
    from ..models.policy import MinimumWageStep

    ot = policy.overtime
    if ot is None:
        return policy
    tiers = list(ot.tiers)
    if ot.state_law not in (None, "FLSA"):  # back pay's state measure applies the state's own preset
        tiers += list(type(ot)(rules=ot.state_law).tiers)
    wanted = sorted({t.jurisdiction for t in tiers if t.jurisdiction is not None} - set(ot.minimum_wages))
    if not wanted:
        return policy
    raw = read_package_csv(MINIMUM_WAGE_FILE)
    if raw is None:
        raise InputError(f"the minimum wage table ({MINIMUM_WAGE_FILE}) is not shipped: give [overtime.minimum_wages]")
    table = minimum_wage_table(raw, MINIMUM_WAGE_FILE)
    series = dict(ot.minimum_wages)
    for j in wanted:
        if not (table["jurisdiction"] == j).any():
            raise InputError(f"overtime tier jurisdiction {j}: the minimum wage table has no rows for it "
                             "(give [overtime.minimum_wages] or another jurisdiction)")
        mine = table[table["jurisdiction"].isin(["US", j])]
        dates = np.unique(mine["effective_date"].to_numpy().astype("datetime64[D]"))
        units = MinimumWage(table, j).on(dates)
        from decimal import Decimal

        series[j] = tuple(MinimumWageStep(effective_date=d.astype(object), hourly=Decimal(int(u)) / 10_000)
                          for d, u in zip(dates, units))
    return policy.model_copy(update={"overtime": ot.model_copy(update={"minimum_wages": series})})
