"""Pay-gap metrics: the peer role's pay against every other role (docs/formats.md §5, docs/gap.md).

Pure functions on DataFrames; no files, no click. Every figure is computed from exact integers
(rates in $0.0001 units, money in cents, hours in 1/10000 h) with :class:`fractions.Fraction`
for means, medians and percentiles, and rounded once, half-up, for display.

A *worker* frame has one row per employee: ``employee_id``, ``role``, ``hourly_units`` (the
basis's hourly rate in $0.0001), ``annual_hour_units`` (hours a year in 1/10000 h) and, for
``basis="annual"``, ``annual_cents``. Optional: ``gross_cents``, ``worked_minutes``,
``unpaid_minutes`` (effective rate), covariates for the decomposition.

Worked example (hand-checked in tests/test_gap_core.py)::

    peer rates 18.00, 19.00, 20.00, 21.00  -> median (19 + 20) / 2 = 19.50
    rn   rates 40.00, 42.00, 44.00         -> median 42.00
    gap_median_pct = (42.00 - 19.50) / 42.00 x 100 = 53.571… -> 53.6
    cents on the dollar = 19.50 / 42.00 x 100 = 46.4
    hours a peer works to earn an RN's 40 h = 40 x 42.00 / 19.50 = 86.15
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from ..errors import Problem
from .disclosure import BAND_MIN_GROUP, EXACT_MIN_GROUP
from .oaxaca import (CATEGORICAL_COVARIATES, NUMERIC_COVARIATES, OAXACA_CAUTION_BELOW, OAXACA_MIN_GROUP,  # noqa: F401 - the gap API
                     covariate_matrix, decomposition, oaxaca_caution, oaxaca_two_fold)
from .money import DAYS_PER_YEAR, HOURS_PER_FTE_YEAR, MINUTES_PER_HOUR, RATE_SCALE, cents_half_up, rate_units_array, ratio_half_up, scaled
from .inputs import rates_in_force
from .tables import Rejections, parse_numbers, require_columns, text

BASES = ("base_rate", "earnings", "annual")
HOUR_UNITS = 10_000  # annual hours are carried in 1/10000 h (fte 0.8 x 2080 = 1664.0000 h exact)
EU_ARTICLE10_THRESHOLD = 5.0  # Directive (EU) 2023/970, Art. 9(1)(g), 10(1): gap in average pay of at least 5 %
DEFAULT_PUBLISH_MIN_GROUP = EXACT_MIN_GROUP  # B.C. Reg. 225/2023: a reference category needs 10 or more employees

#: Where each metric comes from; rendered into the report notes and docs/gap.md.
DEFINITIONS = {
    "n": "employees in the role with a rate on the basis (docs/formats.md §5)",
    "mean / median": "over employees' hourly rates; an even n takes the mean of the two middle values",
    "P25 / P75": "25th/75th percentiles, linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default)",
    "gap %": "(role's value - peer's value) / role's value x 100, one decimal half-up; positive = peers paid less (UK gender pay gap convention, SI 2017/172)",
    "gap $": "role's value - peer's value",
    "cents on the dollar": "peer median / role median x 100: what a peer earns for each dollar the role earns",
    "hours for 40": "40 x role median hourly / peer median hourly: hours a peer works to earn what the role earns in 40",
    "annual gap per worker": "(role median - peer median) hourly x 2,080 h (annual basis: the difference of the annual medians)",
    "parity cost": "sum over peers of max(0, role median hourly - peer's hourly) x the peer's annual hours: the yearly cost of raising every peer to that median",
    "quartiles": "all employees ranked by hourly rate and cut into four groups of equal size (remainder to the upper quartiles); a tie across a boundary is split between the quartiles in the tie's own peer/non-peer proportions (UK SI 2017/172 reg. 13(2))",
    "EU Art. 10 flag": "gap in mean pay >= 5.0 % as reported (Directive (EU) 2023/970 Art. 9-10: a joint pay assessment is due for a category of workers with an unjustified gap of at least 5 %)",
    "decomposition": "Oaxaca-Blinder two-fold, pooled (Neumark) reference coefficients, statsmodels.stats.oaxaca.OaxacaBlinder; gap = non-peer mean - peer mean hourly",
    "effective hourly": "gross pay / (hours worked + unpaid hours), per employee, for the timesheet's period",
}

NO_SOC_NOTE = (
    "Peer support specialists have no SOC code of their own (2018 SOC); BLS OEWS publishes no peer wage, "
    "so external rows are comparator occupations, not 'the' peer wage (schedules/README.md)."
)


@dataclass
class GapOptions:
    peer_role: str
    basis: str = "base_rate"
    min_group: int = 1
    publish: bool = False


# --------------------------------------------------------------------------- per-employee rates


def rates_on(roster: pd.DataFrame, schedule: pd.DataFrame, as_of: date, source: str = "roster") -> tuple[pd.DataFrame, list[Problem]]:
    """Each roster employee's schedule rate for their role and step in effect on ``as_of``.

    A schedule row applies from its ``effective_date`` (blank: always) until a later row for the
    same role and step (docs/formats.md §1). Employees with no rate on that date become problems.
    """
    merged = roster.copy()
    merged["role"] = merged["role"].astype(object)
    units = rates_in_force(schedule, merged["role"], merged["step"], np.full(len(merged), np.datetime64(as_of, "D")))
    merged["rate_units"] = units
    missing = units < 0
    problems = [
        Problem(source, int(r), "step", f"no schedule rate for role '{ro}' step {st} on {as_of}")
        for r, ro, st in zip(merged["row"][missing], merged["role"][missing], merged["step"][missing])
    ]
    out = merged[~missing].copy()
    out["hourly_units"] = out.pop("rate_units").astype("int64")
    return out.reset_index(drop=True), problems


def employee_earnings(lines: pd.DataFrame) -> pd.DataFrame:
    """Pay lines (engine output) -> per employee ``gross_cents`` and ``worked_minutes``."""
    g = lines.groupby("employee_id", sort=True)[["gross_pay", "worked_minutes"]].sum()
    return g.rename(columns={"gross_pay": "gross_cents"}).reset_index()


def effective_units(gross_cents, minutes) -> np.ndarray:
    """Gross cents over minutes -> $/h in $0.0001 units, half-up: ``cents x 100 x 60 / minutes``."""
    return cents_half_up(np.asarray(gross_cents, dtype="int64") * (100 * MINUTES_PER_HOUR), np.asarray(minutes, dtype="int64")).astype("int64")


def with_earnings(workers: pd.DataFrame, earnings: pd.DataFrame, replace_rate: bool) -> tuple[pd.DataFrame, int]:
    """Attach gross pay and hours worked; ``replace_rate``: the hourly rate becomes gross / hours.

    Employees with no hours worked in the timesheet (salaried, on leave, standby only) have no
    effective rate: with ``replace_rate`` they are dropped, and their number is returned.
    """
    out = workers.merge(earnings, on="employee_id", how="left")
    out["gross_cents"] = out["gross_cents"].fillna(0).astype("int64")
    out["worked_minutes"] = out["worked_minutes"].fillna(0).astype("int64")
    if not replace_rate:
        return out, 0
    worked = out["worked_minutes"].to_numpy() > 0
    out = out[worked].reset_index(drop=True)
    out["hourly_units"] = effective_units(out["gross_cents"], out["worked_minutes"])
    return out, int((~worked).sum())


def prepare_unpaid(raw: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Unpaid hours file: ``employee_id``, ``unpaid_hours`` (several rows per employee add up)."""
    cols = list(raw.columns)
    require_columns(cols, ("employee_id", "unpaid_hours"), source)
    rej = Rejections(source, cols, len(raw))
    emp = text(raw["employee_id"])
    rej.add((emp == "").to_numpy(), "employee_id", "employee_id is empty")
    hours = parse_numbers(raw["unpaid_hours"], "unpaid_hours", rej, lo=0, hi=10_000)
    keep = ~rej.mask() & ~np.isnan(hours)
    minutes = np.floor(hours * MINUTES_PER_HOUR + 0.5 + 1e-9).astype("int64")  # to the minute, half-up
    frame = pd.DataFrame({"employee_id": emp.to_numpy()[keep], "unpaid_minutes": minutes[keep]})
    return frame.groupby("employee_id", sort=True, as_index=False)["unpaid_minutes"].sum(), rej.problems()


def with_unpaid(workers: pd.DataFrame, unpaid: pd.DataFrame) -> pd.DataFrame:
    """Effective hourly = gross / (hours worked + unpaid hours), in $0.0001 units (needs earnings)."""
    out = workers.merge(unpaid, on="employee_id", how="left")
    out["unpaid_minutes"] = out["unpaid_minutes"].fillna(0).astype("int64")
    total = out["worked_minutes"].to_numpy() + out["unpaid_minutes"].to_numpy()
    eff = np.full(len(out), -1, dtype="int64")
    ok = total > 0
    eff[ok] = effective_units(out["gross_cents"].to_numpy()[ok], total[ok])
    out["effective_units"] = eff
    return out


def with_annual(workers: pd.DataFrame, mode: str = "fte", period_days: int | None = None) -> pd.DataFrame:
    """Annual hours and annual pay in cents.

    ``fte``: fte x 2,080 h (no fte column, or a blank fte: 1.0). ``actual``: hours worked in the
    timesheet x 365 / ``period_days`` (money.DAYS_PER_YEAR, the same year as ``peerpay cost``). Annual pay = hourly x annual hours, half-up to the cent.
    """
    out = workers.copy()
    if mode == "actual":
        if not period_days or "worked_minutes" not in out:
            raise ValueError("actual annual hours need a timesheet period")
        out["annual_hour_units"] = cents_half_up(
            out["worked_minutes"].to_numpy().astype(object) * (DAYS_PER_YEAR * HOUR_UNITS), period_days * MINUTES_PER_HOUR
        ).astype("int64")
    else:
        fte = out["fte"].to_numpy(dtype="float64", na_value=np.nan) if "fte" in out else np.full(len(out), np.nan)
        fte_units = rate_units_array(np.where(np.isnan(fte), 1.0, fte))  # fte to 4 places, as 1/10000
        out["annual_hour_units"] = fte_units * HOURS_PER_FTE_YEAR
    # $0.0001 x 1/10000 h = 1e-8 $ = 1e-6 cents
    out["annual_cents"] = cents_half_up(
        out["hourly_units"].to_numpy().astype(object) * out["annual_hour_units"].to_numpy().astype(object), 10**6
    ).astype("int64")
    return out


# --------------------------------------------------------------------------- exact statistics


def _median(sorted_vals: list[int]) -> Fraction:
    n = len(sorted_vals)
    mid = n // 2
    return Fraction(sorted_vals[mid]) if n % 2 else Fraction(sorted_vals[mid - 1] + sorted_vals[mid], 2)


def _percentile(sorted_vals: list[int], p: Fraction) -> Fraction:
    """Linear interpolation between order statistics (type 7): h = (n - 1) p."""
    h = (len(sorted_vals) - 1) * p
    lo = int(h)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (h - lo) * (sorted_vals[hi] - sorted_vals[lo])


def stats(values) -> dict[str, Fraction | int]:
    """n, mean, median, p25, p75 of integer values, exactly."""
    v = sorted(int(x) for x in values)
    if not v:
        return {"n": 0}
    return {
        "n": len(v),
        "mean": Fraction(sum(v), len(v)),
        "median": _median(v),
        "p25": _percentile(v, Fraction(1, 4)),
        "p75": _percentile(v, Fraction(3, 4)),
    }


def to_places(value: Fraction | int | None, scale: int, places: int = 2) -> float | None:
    """``value / scale`` half-up to ``places`` decimals."""
    if value is None:
        return None
    f = Fraction(value) / scale
    return ratio_half_up(f.numerator, f.denominator, places)


def gap_pct(role_value: Fraction | None, peer_value: Fraction | None) -> float | None:
    """(role − peer) / role × 100, one decimal half-up; None when undefined."""
    if role_value is None or peer_value is None or role_value == 0:
        return None
    return to_places((Fraction(role_value) - Fraction(peer_value)) / Fraction(role_value) * 100, 1, 1)


# --------------------------------------------------------------------------- the gap table


def _group_stats(workers: pd.DataFrame, basis: str) -> dict[str, dict]:
    """Per role: hourly stats (units $0.0001) and the basis value's stats."""
    out = {}
    value_col = "annual_cents" if basis == "annual" else "hourly_units"
    for role, g in workers.groupby("role", sort=True):
        rec = {"hourly": stats(g["hourly_units"]), "value": stats(g[value_col]), "external": False}
        if "effective_units" in g:
            eff = g["effective_units"].to_numpy()
            rec["effective"] = stats(eff[eff >= 0])
            rec["unpaid_minutes"] = int(g["unpaid_minutes"].sum())
        out[str(role)] = rec
    return out


def reference_groups(reference: pd.DataFrame, basis: str) -> dict[str, dict]:
    """External comparator rows (e.g. BLS OEWS): exact from their published cents."""
    out = {}
    for rec in reference.to_dict("records"):
        def units(col, scale=RATE_SCALE):
            v = rec.get(col)  # noqa: B023 - units() is only called within this iteration
            return None if v is None or pd.isna(v) else Fraction(scaled(v, 100) * (scale // 100))

        hourly = {"n": None, "mean": units("hourly_mean"), "median": units("hourly_median"), "p25": units("hourly_p25"),
                  "p75": units("hourly_p75")}
        if basis == "annual":
            value = {"n": None, "mean": units("annual_mean", 100) or _annualise(hourly["mean"]),
                     "median": units("annual_median", 100) or _annualise(hourly["median"]),
                     "p25": _annualise(hourly["p25"]), "p75": _annualise(hourly["p75"])}
        else:
            value = hourly
        label = f"{rec.get('source_label') or 'BLS'}: {rec['role']}"
        out[label] = {"hourly": hourly, "value": value, "external": True, "title": rec.get("title"),
                      "soc_code": rec.get("soc_code"), "source": rec.get("source"), "employment": rec.get("employment")}
    return out


def _annualise(hourly_units: Fraction | None) -> Fraction | None:
    return None if hourly_units is None else hourly_units * HOURS_PER_FTE_YEAR / 100  # $0.0001 -> cents x 2080


def gap_groups(workers: pd.DataFrame, opts: GapOptions, reference: dict[str, dict] | None = None) -> list[dict]:
    """The docs/formats.md §5 ``groups`` with the extra metrics (docs/gap.md), peer role first."""
    internal = _group_stats(workers, opts.basis)
    peer = internal[opts.peer_role]
    peer_rates = workers.loc[workers["role"] == opts.peer_role, ["hourly_units", "annual_hour_units"]].to_numpy(dtype="int64")
    value_scale = 100 if opts.basis == "annual" else RATE_SCALE
    peer_hidden = peer["hourly"]["n"] < opts.min_group

    def order(item):
        # suppressed groups come after the shown ones, by name: their place must not hint at the
        # median they hide
        role, g = item
        hidden = not g["external"] and g["hourly"]["n"] < opts.min_group
        return (role != opts.peer_role, hidden, g["external"], 0 if hidden else -(g["value"]["median"] or 0), role)

    groups = []
    for role, g in sorted({**internal, **(reference or {})}.items(), key=order):
        h, v = g["hourly"], g["value"]
        hidden = (not g["external"] and h["n"] < opts.min_group)
        rec: dict = {"role": role, "n": None if hidden else h["n"]}
        rec["mean_hourly"] = None if hidden else to_places(h["mean"], RATE_SCALE)
        rec["median_hourly"] = None if hidden else to_places(h["median"], RATE_SCALE)
        no_gap = hidden or peer_hidden
        rec["gap_mean_pct"] = None if no_gap else gap_pct(v["mean"], peer["value"]["mean"])
        rec["gap_median_pct"] = None if no_gap else gap_pct(v["median"], peer["value"]["median"])
        rec["source"] = "external" if g["external"] else "internal"
        rec["suppressed"] = hidden
        rec["p25_hourly"] = None if hidden else to_places(h["p25"], RATE_SCALE)
        rec["p75_hourly"] = None if hidden else to_places(h["p75"], RATE_SCALE)
        if opts.basis == "annual":
            for k in ("mean", "median", "p25", "p75"):
                rec[f"{k}_annual"] = None if hidden else to_places(v[k], 100)
        rec["gap_mean_dollars"] = None if no_gap else to_places(_diff(v["mean"], peer["value"]["mean"]), value_scale)
        rec["gap_median_dollars"] = None if no_gap else to_places(_diff(v["median"], peer["value"]["median"]), value_scale)
        rec["cents_on_the_dollar"] = None if no_gap else _ratio(peer["value"]["median"], v["median"], 100, 1)
        rec["peer_hours_for_40"] = None if no_gap else _ratio(h["median"], peer["hourly"]["median"], 40, 2)
        if opts.basis == "annual":
            annual_gap = _diff(v["median"], peer["value"]["median"])
            rec["annual_gap_per_worker"] = None if no_gap else to_places(annual_gap, 100)
        else:
            annual_gap = _diff(h["median"], peer["hourly"]["median"])
            rec["annual_gap_per_worker"] = None if no_gap else to_places(annual_gap * HOURS_PER_FTE_YEAR if annual_gap is not None else None, RATE_SCALE)
        rec["parity_cost_per_year"] = None if no_gap else parity_cost(peer_rates, h["median"])
        rec["eu_article10_flag"] = None if (no_gap or g["external"]) else bool(
            rec["gap_mean_pct"] is not None and rec["gap_mean_pct"] >= EU_ARTICLE10_THRESHOLD
        )
        if "effective" in g:
            e = g["effective"]
            rec["unpaid_hours"] = None if hidden else to_places(Fraction(g["unpaid_minutes"]), MINUTES_PER_HOUR)
            rec["mean_effective_hourly"] = None if hidden or not e["n"] else to_places(e["mean"], RATE_SCALE)
            rec["median_effective_hourly"] = None if hidden or not e["n"] else to_places(e["median"], RATE_SCALE)
        if g["external"]:
            rec.update({"title": g["title"], "soc_code": g["soc_code"], "reference_source": g["source"],
                        "employment": None if g["employment"] is None else int(g["employment"])})
        groups.append(rec)
    return groups


def _diff(a, b):
    return None if a is None or b is None else Fraction(a) - Fraction(b)


def _ratio(num, den, times, places):
    if num is None or den is None or den == 0:
        return None
    return to_places(Fraction(num) * times / Fraction(den), 1, places)


def parity_cost(peer_rates: np.ndarray, target_units: Fraction | None) -> float | None:
    """Σ max(0, target − peer hourly) × peer annual hours, in dollars to the cent.

    ``peer_rates`` is an (n, 2) int array of (hourly_units, annual_hour_units).
    """
    if target_units is None:
        return None
    target = Fraction(target_units)
    rates = peer_rates[:, 0].astype(object) * target.denominator
    shortfall = np.maximum(target.numerator - rates, 0) * peer_rates[:, 1].astype(object)
    total = Fraction(int(shortfall.sum()), target.denominator)  # $0.0001 x 1/10000 h = 1e-8 dollars
    return to_places(total, RATE_SCALE * HOUR_UNITS)


# --------------------------------------------------------------------------- quartiles


def pay_quartiles(workers: pd.DataFrame, peer_role: str, min_group: int = 1, publish: bool = False) -> list[dict]:
    """Organisation-wide hourly pay quartiles with the peers' share of each.

    Employees are ranked by hourly rate; quartile q holds ranks [q·n//4, (q+1)·n//4), so any
    remainder goes to the upper quartiles. Employees on the same rate are not ordered among
    themselves: a block of equal rates that straddles a boundary is shared out in its own
    proportion of peers, e.g. 4 tied employees (1 peer) with 2 places below the boundary put
    0.5 peers below and 0.5 above (UK gender pay gap regulations, SI 2017/172 reg. 13(2)).
    Quartiles under ``min_group`` employees show no share.

    ``publish``: each quartile shows the peers' share only, as the UK regulations publish it
    (SI 2017/172 reg. 13) and the EU Pay Transparency Directive 2023/970 art. 9(1)(f) reports it: the
    lowest and highest rate of a quartile can be one person's exact pay (the only director is
    the top quartile's maximum), and the head counts add up to the workforce, from which a
    suppressed group's size could be found by subtraction.
    """
    n = len(workers)
    bounds = np.array([(q * n) // 4 for q in range(5)])
    is_peer = (workers["role"] == peer_role).to_numpy()
    blocks = (
        pd.DataFrame({"rate": workers["hourly_units"].to_numpy(), "peer": is_peer.astype("int64")})
        .groupby("rate", sort=True)
        .agg(size=("peer", "size"), peers=("peer", "sum"))
        .reset_index()
    )
    size_b, peer_b = blocks["size"].to_numpy(), blocks["peers"].to_numpy()
    end = np.cumsum(size_b)
    start = end - size_b
    # overlap of each block [start, end) with each quartile [b_q, b_q+1): blocks x 4
    overlap = np.clip(np.minimum(end[:, None], bounds[None, 1:]) - np.maximum(start[:, None], bounds[None, :-1]), 0, None)
    rows = []
    for q in range(4):
        size = int(bounds[q + 1] - bounds[q])
        whole = overlap[:, q] == size_b  # blocks wholly inside: their peers count in full
        part = np.flatnonzero((overlap[:, q] > 0) & ~whole)  # at most the two straddling blocks
        peers = int(peer_b[whole].sum()) + sum((Fraction(int(overlap[i, q] * peer_b[i]), int(size_b[i])) for i in part), Fraction(0))
        inside = overlap[:, q] > 0
        rates = blocks["rate"].to_numpy()[inside]
        shown = size >= max(min_group, 1)
        rows.append({
            "quartile": ["lower", "lower middle", "upper middle", "upper"][q],
            "employees": size if shown else None,
            "min_hourly": to_places(int(rates.min()), RATE_SCALE) if shown and len(rates) else None,
            "max_hourly": to_places(int(rates.max()), RATE_SCALE) if shown and len(rates) else None,
            "peers": to_places(peers, 1, 1) if shown else None,
            "peer_share_pct": to_places(peers * 100 / size, 1, 1) if shown and size else None,
        })
    if publish:
        return [{"quartile": r["quartile"], "peer_share_pct": r["peer_share_pct"]} for r in rows]
    return rows


# --------------------------------------------------------------------------- the report


def gap_report(workers: pd.DataFrame, opts: GapOptions, *, as_of: date, reference: dict | None = None,
               covariates: list[str] | None = None, excluded: dict | None = None, notes: list[str] | None = None,
               reference_only: bool = False) -> dict:
    """The docs/formats.md §5 object plus quartiles, decomposition, definitions and notes.

    ``opts.publish``: every figure goes through the disclosure rule (core/gap_publish.py,
    docs/gap.md "The disclosure rule"); ``opts.min_group`` is then the size for exact figures.
    """
    rule = None
    if opts.publish:
        from .gap_publish import published_parts

        groups, quart, dec, rule = published_parts(workers, opts, reference, covariates)
    else:
        groups = gap_groups(workers, opts, reference)
        quart = pay_quartiles(workers, opts.peer_role, opts.min_group)
        dec = oaxaca_caution(decomposition(workers, opts.peer_role, covariates, opts.min_group))
    if reference_only:  # the peer group against public wages only: no other group of this organisation
        groups = [g for g in groups if g["role"] == opts.peer_role or g["source"] == "external"]
        quart, dec = [], {"status": "not computed (--reference-only: no other group of the organisation is compared)"}
    if rule is not None:  # totals: the decomposition's n minus the shown groups' n would give a hidden group's n
        dec = {k: v for k, v in dec.items() if k not in ("n_peer", "n_other")}
    all_notes = list(notes or [])
    if reference:
        all_notes.append(NO_SOC_NOTE)
    report = {
        "peer_role": opts.peer_role,
        "basis": opts.basis,
        "groups": groups,
        "as_of": as_of.isoformat(),
        "unit": "USD per year" if opts.basis == "annual" else "USD per hour",
        "min_group": opts.min_group if rule is None else rule.exact_min,
    }
    definitions = dict(DEFINITIONS)
    if rule is not None:
        from .gap_publish import published_definitions, publishing_notes

        report.update(band_min_group=rule.band_min, publish=True)
        all_notes += publishing_notes(groups, opts.peer_role, rule)
        definitions = published_definitions(groups, quart, dec, rule)
    report.update(quartiles=quart, decomposition=dec, excluded=excluded or {}, definitions=definitions, notes=all_notes)
    return report


# --------------------------------------------------------------------------- publishing for a small organisation
#
# A ten-person organisation has no group of 10, so no exact figure of it is published. What
# it can publish (docs/gap.md, "Publishing for a small team"):
#
# * pooled comparison groups (``--group "clinical=rn,lpn"``): roles declared together count
#   as one group, so a group of 2 nurses and 1 LPN becomes one group of 3;
# * every group of 3 to 9 as a pay band, comparisons with it as ranges (core/gap_publish.py);
# * public reference wages only (``--reference-only``): no other internal group is shown.
# ``--min-group`` raises the size for exact figures above 10; under 10 it cannot lower it (the
# CLI warns), and under PUBLISH_MIN_GROUP_FLOOR it is refused.

PUBLISH_MIN_GROUP_FLOOR = BAND_MIN_GROUP  # never publish a group smaller than this (refused, exit 2)


def parse_groups(specs: list[str] | tuple[str, ...]) -> dict[str, list[str]]:
    """``["clinical=rn,lpn", "admin=office"]`` -> {"clinical": ["rn", "lpn"], "admin": ["office"]}.

    A role may belong to one group only; a group name may not be declared twice. Raises
    ValueError with the reason (the CLI turns it into a usage error).
    """
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for spec in specs:
        name, sep, roles = spec.partition("=")
        name = name.strip()
        members = [r.strip() for r in roles.split(",") if r.strip()]
        if not sep or not name or not members:
            raise ValueError(f"--group {spec!r}: expected NAME=ROLE,ROLE…, e.g. 'clinical=rn,lpn'")
        if name in out:
            raise ValueError(f"--group {name!r} is declared twice")
        for r in members:
            if r in seen:
                raise ValueError(f"--group: role {r!r} is in both {seen[r]!r} and {name!r}")
            seen[r] = name
        out[name] = members
    return out


def pool_roles(workers: pd.DataFrame, groups: dict[str, list[str]], peer_role: str) -> tuple[pd.DataFrame, str]:
    """Each worker's role replaced by its declared comparison group; returns (workers, peer group).

    Roles in no group stay as they are. When the peer role is pooled (e.g. "peer=peer_specialist,
    recovery_coach"), the pooled group becomes the peer group. Worked example (tests): roles
    rn x2, lpn x1 with ``clinical=rn,lpn`` -> one group "clinical" of n = 3.
    """
    if not groups:
        return workers, peer_role
    mapping = {r: name for name, roles in groups.items() for r in roles}
    out = workers.copy()
    out["roster_role"] = out["role"].astype(object)  # the published view protects small roles inside a pool too
    out["role"] = out["role"].astype(object).map(lambda r: mapping.get(r, r))
    return out, mapping.get(peer_role, peer_role)


# --------------------------------------------------------------------------- the gap metrics table
#
# One row per figure of a gap group: its JSON key, the column header the table/Markdown/CSV/XLSX
# show, its unit and display kind, what it means and where the rule comes from. The gap CLI's
# columns (cli/gap.py COLUMNS), the fact sheet's definitions (io/html.py) and the metrics table in
# docs/gap.md (checked by tests/test_gap_metrics_table.py) are all built from it.


@dataclass(frozen=True)
class Metric:
    key: str  # the JSON key in a group
    header: str  # the column header in table / md / csv / xlsx ("" = not a column)
    unit: str
    kind: str  # display kind: text, int, money, pct, num1, num2, flag
    definition: str
    source: str = ""


GAP_METRICS: tuple[Metric, ...] = (
    Metric("role", "role", "", "text", "the roster role (or a declared comparison group, or `BLS: occupation` for an external row)"),
    Metric("n", "n", "employees", "int", "employees in the role with a rate on the basis", "formats.md §5"),
    Metric("median_hourly", "median $/h", "$/hour", "money",
           "median of employees' hourly rates; an even n takes the mean of the two middle values", "formats.md §5"),
    Metric("mean_hourly", "mean $/h", "$/hour", "money", "mean of employees' hourly rates", "formats.md §5"),
    Metric("p25_hourly", "P25 $/h", "$/hour", "money",
           "25th percentile, linear interpolation between order statistics, h = (n − 1)·p", "Hyndman & Fan (1996) type 7"),
    Metric("p75_hourly", "P75 $/h", "$/hour", "money", "75th percentile, the same method", "Hyndman & Fan (1996) type 7"),
    Metric("median_annual", "median $/yr", "$/year", "money", "annual basis: median of hourly × annual hours", "BLS OEWS annualisation"),
    Metric("mean_annual", "mean $/yr", "$/year", "money", "annual basis: mean of hourly × annual hours", "BLS OEWS annualisation"),
    Metric("gap_median_dollars", "gap $ (median)", "$/hour", "money", "role median − peer median ($/yr on the annual basis)"),
    Metric("gap_mean_dollars", "", "$/hour", "money", "role mean − peer mean ($/yr on the annual basis)"),
    Metric("gap_mean_pct", "gap % (mean)", "%", "pct", "(role mean − peer mean) ÷ role mean × 100, one decimal; positive: peers paid less",
           "formats.md §5; UK SI 2017/172"),
    Metric("gap_median_pct", "gap % (median)", "%", "pct", "(role median − peer median) ÷ role median × 100, one decimal",
           "formats.md §5; UK SI 2017/172"),
    Metric("cents_on_the_dollar", "¢ on the $", "cents", "num1", "peer median ÷ role median × 100: what a peer earns for each dollar the role earns"),
    Metric("peer_hours_for_40", "peer hours for 40", "hours", "num2",
           "40 × role median ÷ peer median (hourly): hours a peer works to earn what the role earns in 40"),
    Metric("annual_gap_per_worker", "annual gap/worker", "$/year", "money",
           "(role median − peer median hourly) × 2,080 h; annual basis: the difference of the annual medians", "BLS OEWS annualisation"),
    Metric("parity_cost_per_year", "parity cost/yr", "$/year", "money",
           "Σ over peers of max(0, role median − the peer's hourly) × the peer's annual hours: the yearly cost of raising every "
           "peer to that median (before payroll taxes and benefits)"),
    Metric("eu_article10_flag", "EU Art.10 (≥5%)", "", "flag", "internal roles whose gap % (mean) is at least 5.0: candidates for a joint pay assessment",
           "Directive (EU) 2023/970 Art. 9(1)(g), 10(1)"),
    Metric("unpaid_hours", "unpaid h", "hours", "num2", "unpaid hours of the role's employees over the timesheet's period (with --unpaid)"),
    Metric("median_effective_hourly", "effective median $/h", "$/hour", "money",
           "median of gross pay ÷ (hours worked + unpaid hours), per employee, over the timesheet's period"),
    Metric("median_hourly_band", "", "$/hour", "text",
           "published view, a group of 3 to 9: the pay band (a step of the R'20 ladder, docs/gap.md) that holds its median, "
           "[low, high]; `median_annual_band` on the annual basis"),
    Metric("cents_on_the_dollar_band", "", "cents", "text",
           "published view, a banded group on either side: [100 × peer low ÷ role high, 100 × peer high ÷ role low], whole "
           "cents rounded outwards; likewise `gap_median_pct_band`, `peer_hours_for_40_band` and "
           "`annual_gap_per_worker_band` (to $100)"),
)


def metrics_markdown() -> str:
    """The metrics table of docs/gap.md, exactly as it must read there."""
    lines = ["| JSON key | column | unit | definition | source |", "|---|---|---|---|---|"]
    lines += [f"| `{m.key}` | {m.header or '—'} | {m.unit} | {m.definition} | {m.source} |" for m in GAP_METRICS]
    return "\n".join(lines) + "\n"
