"""The gap report's published view (``peerpay gap --publish``): the disclosure rule of
:mod:`peerpay.core.disclosure` applied to every figure of the report (docs/gap.md).

Each internal group (a role, or a declared comparison group) is exact, banded or withheld by
its size. What a published row then shows:

* an **exact** group (10 or more): n, median and mean of the basis figure, and every
  comparison with the peer group (exact when the peer group is exact, a range when it is
  banded);
* a **banded** group (3 to 9): its median as a ladder band (``median_hourly_band``, or
  ``median_annual_band`` on the annual basis) and each comparison as a range, in the key of the
  exact figure plus ``_band``; nothing else;
* a **withheld** group (under 3): its name.

Never published, whatever the size: percentiles, minima and maxima (the UK and EU regimes publish
averages, medians and quartile *shares*, never a band's limits: a limit is one person's pay);
the parity cost (a sum over individual peers weighted by their hours: next to the peer mean it
isolates a part-timer's rate, and across comparators it traces each peer's rate); a second basis
beside the first (hourly beside annual means are two sums with different weights: one part-timer
in a group is then solved for); the mean effective rate. Comparisons of two bands are computed
by interval arithmetic and rounded outwards (:func:`comparisons`).

Worked example (samples/small_org, tests/test_publish_small_org.py): 4 peers ($18.75, $19.40,
$19.40, $20.10: median $19.40, band $18–20) against the pooled clinical group of 5 (median
$29.90, band $28–32): cents on the dollar = [100 x 18 / 32, 100 x 20 / 28] = [56.25, 71.43] ->
outwards 56–71; hours a peer works for a clinician's 40 = [40 x 28 / 20, 40 x 32 / 18] =
[56, 71.1] -> 56–72.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from .disclosure import (ANNUAL_TOLERANCE, HOURLY_TOLERANCE, Disclosed, Protected, Rule, disclose, linear_leaks, numbers_of,
                         outward)
from .gap import (DEFAULT_PUBLISH_MIN_GROUP, DEFINITIONS, EU_ARTICLE10_THRESHOLD, GapOptions, _median, covariate_matrix, decomposition,
                  gap_pct, oaxaca_caution, pay_quartiles, to_places)
from .money import HOURS_PER_FTE_YEAR, MINUTES_PER_HOUR, RATE_SCALE

def _dollars(units) -> Fraction:
    return Fraction(int(units), RATE_SCALE)


def _places(x: Fraction | None, places: int) -> float | None:
    return None if x is None else to_places(x, 1, places)


def basis_values(workers: pd.DataFrame, basis: str) -> dict[str, list[Fraction]]:
    """Group -> each person's figure on the basis, in dollars (hourly, or annual pay)."""
    col, scale = ("annual_cents", 100) if basis == "annual" else ("hourly_units", RATE_SCALE)
    return {str(role): [Fraction(int(v), scale) for v in g[col]] for role, g in workers.groupby("role", sort=True)}


def protected_pay(workers: pd.DataFrame, rule: Rule) -> Protected:
    """Everyone's hourly rate and annual pay (on their hours and on 2,080 h), and the small groups'
    pair, all-but-one and whole-group means of each: no published number may come within a cent
    (a dollar, for annual pay) of one. Small groups are the published groups and, inside a declared
    comparison group, the roster's own roles (two LPNs pooled with twelve nurses are still two)."""
    out = Protected()
    for by in ("role", "roster_role"):
        if by not in workers:
            continue
        groups = [(f"{by}:{r}", g) for r, g in workers.groupby(by, sort=True)]
        hourly = {r: [_dollars(u) for u in g["hourly_units"]] for r, g in groups}
        full_time = {r: [v * HOURS_PER_FTE_YEAR for v in vals] for r, vals in hourly.items()}
        out = out | Protected.of(hourly, rule, HOURLY_TOLERANCE) | Protected.of(full_time, rule, ANNUAL_TOLERANCE)
        if "annual_cents" in workers:
            out = out | Protected.of({r: [Fraction(int(c), 100) for c in g["annual_cents"]] for r, g in groups}, rule, ANNUAL_TOLERANCE)
        if "effective_units" in workers:
            out = out | Protected.of({r: [_dollars(u) for u in g["effective_units"] if u >= 0] for r, g in groups}, rule, HOURLY_TOLERANCE)
    return out


class Side:
    """One side of a comparison: an exact figure, or a band [low, high]."""

    def __init__(self, low: Fraction, high: Fraction, mean: Fraction | None = None):
        self.low, self.high, self.mean = Fraction(low), Fraction(high), mean

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @classmethod
    def of(cls, d: Disclosed) -> Side | None:
        if d.status == "exact":
            return cls(d.median, d.median, d.mean)  # type: ignore[arg-type]
        return cls(d.band.low, d.band.high) if d.band else None


def comparisons(role: Side, peer: Side, annual: bool) -> dict:
    """The role against the peer group: exact when both sides are exact, else ranges rounded outwards.

    ``annual``: figures are dollars a year (no hours-for-40, which is an hourly comparison).
    Keys as in GAP_METRICS; a range goes in ``<key>_band``. A range is given for cents on the
    dollar, the gap %, the hours for 40 and the yearly gap (to $100); not for the gap in dollars
    an hour, which the yearly gap already says.
    """
    r, p = role, peer
    per_year = 1 if annual else HOURS_PER_FTE_YEAR
    if r.low <= 0 or p.low <= 0:
        return {}
    if r.exact and p.exact:
        out: dict = {
            "gap_median_pct": gap_pct(r.low, p.low),
            "gap_median_dollars": _places(r.low - p.low, 2),
            "cents_on_the_dollar": _places(100 * p.low / r.low, 1),
            "annual_gap_per_worker": _places((r.low - p.low) * per_year, 2),
        }
        if not annual:
            out["peer_hours_for_40"] = _places(40 * r.low / p.low, 2)
        if r.mean is not None and p.mean is not None:
            out["gap_mean_pct"] = gap_pct(r.mean, p.mean)
            out["gap_mean_dollars"] = _places(r.mean - p.mean, 2)
        return out
    out = {
        "gap_median_pct_band": outward(100 - 100 * p.high / r.low, 100 - 100 * p.low / r.high, 1),
        "cents_on_the_dollar_band": outward(100 * p.low / r.high, 100 * p.high / r.low, 1),
        "annual_gap_per_worker_band": outward((r.low - p.high) * per_year, (r.high - p.low) * per_year, 100),
    }
    if not annual:
        out["peer_hours_for_40_band"] = outward(40 * r.low / p.high, 40 * r.high / p.low, 1)
    return out


#: The ranges that are amounts of money, checked against everyone's pay (core/disclosure.py, Protected).
#: Cents on the dollar, percentages and hours are ratios, not pay: a cents figure of 48 says nothing
#: about a colleague paid $48.00 an hour, so they are not compared with pay.
DOLLAR_RANGES = ("median_hourly_band", "median_annual_band", "annual_gap_per_worker_band")

BLANK_ROW = ("role", "n", "mean_hourly", "median_hourly", "gap_mean_pct", "gap_median_pct", "source", "suppressed", "banded",
             "p25_hourly", "p75_hourly", "gap_mean_dollars", "gap_median_dollars", "cents_on_the_dollar", "peer_hours_for_40",
             "annual_gap_per_worker", "parity_cost_per_year", "eu_article10_flag")
ANNUAL_ROW = ("median_annual", "mean_annual", "p25_annual", "p75_annual")


def published_groups(workers: pd.DataFrame, peer_role: str, basis: str, rule: Rule, reference: dict | None = None) -> list[dict]:
    """The published ``groups``: peer group first, then the shown groups by median (a band by its
    low end, which says nothing the band does not), then the withheld ones by name."""
    annual = basis == "annual"
    value_key = "annual" if annual else "hourly"
    values = basis_values(workers, basis)
    protected = protected_pay(workers, rule)
    externals = {role: _external_side(g, annual) for role, g in (reference or {}).items()}
    effective = _effective(workers)

    def rows(disc: dict[str, Disclosed]) -> dict[str, dict]:
        peer = Side.of(disc[peer_role])
        out = {}
        for role, d in disc.items():
            rec: dict = dict.fromkeys(BLANK_ROW + (ANNUAL_ROW if annual else ()))
            rec.update({"role": role, "source": "internal", "suppressed": d.status == "withheld", "banded": d.status == "band"})
            if d.status == "exact":
                rec["n"] = d.n
                rec[f"median_{value_key}"], rec[f"mean_{value_key}"] = _places(d.median, 2), _places(d.mean, 2)
                if role in effective:
                    rec.update(effective[role])
            elif d.band is not None:
                rec[f"median_{value_key}_band"] = d.band.pair()
            side = Side.of(d)
            if role == peer_role:
                if d.status == "exact":
                    rec["gap_mean_pct"] = rec["gap_median_pct"] = 0.0
            elif side is not None and peer is not None:
                rec.update(comparisons(side, peer, annual))
            if rec.get("gap_mean_pct") is not None and role != peer_role:
                rec["eu_article10_flag"] = rec["gap_mean_pct"] >= EU_ARTICLE10_THRESHOLD
            out[role] = rec
        for role, (side, ext) in externals.items():
            rec = dict.fromkeys(BLANK_ROW + (ANNUAL_ROW if annual else ()))
            rec.update({"role": role, "source": "external", "suppressed": False, "banded": False,
                        f"median_{value_key}": _places(side.low, 2), f"mean_{value_key}": _places(side.mean, 2)})
            if peer is not None:
                # against a public wage, a banded peer group gets the ratios only: a yearly gap in dollars to
                # each of a dozen national medians is a dozen more numbers that could fall on somebody's pay
                # (and widen the band) for a comparison across employers that says little
                rec.update({k: v for k, v in comparisons(side, peer, annual).items() if k not in DOLLAR_RANGES})
            rec.update(ext)
            out[role] = rec
        return out

    def derived(disc):
        # the dollar ranges of a row depend on that row's band and the peer band: one that falls on
        # somebody's pay widens the row's own band first, then the peer band
        return [(numbers_of({k: v for k, v in rec.items() if k in DOLLAR_RANGES}), [role, peer_role])
                for role, rec in rows(disc).items()]

    disc = disclose(values, rule, protected, derived)
    out = rows(disc)

    def order(role: str):
        rec, d = out[role], disc.get(role)
        shown = rec[f"median_{value_key}"] if rec[f"median_{value_key}"] is not None else (rec.get(f"median_{value_key}_band") or [None])[0]
        hidden = d is not None and d.status == "withheld"
        return (role != peer_role, hidden, rec["source"] == "external", 0 if hidden or shown is None else -shown, role)

    return [out[r] for r in sorted(out, key=order)]


def _external_side(g: dict, annual: bool) -> tuple[Side, dict]:
    v = g["value"]
    scale = 100 if annual else RATE_SCALE
    median = Fraction(v["median"]) / scale
    mean = None if v["mean"] is None else Fraction(v["mean"]) / scale
    ext = {"title": g["title"], "soc_code": g["soc_code"], "reference_source": g["source"],
           "employment": None if g["employment"] is None or pd.isna(g["employment"]) else int(g["employment"])}
    return Side(median, median, mean), ext


def _effective(workers: pd.DataFrame) -> dict[str, dict]:
    """Exact groups' unpaid hours and median effective rate (the mean is a second sum: not published)."""
    if "effective_units" not in workers:
        return {}
    out = {}
    for role, g in workers.groupby("role", sort=True):
        eff = sorted(int(u) for u in g["effective_units"] if u >= 0)
        out[str(role)] = {"unpaid_hours": _places(Fraction(int(g["unpaid_minutes"].sum()), MINUTES_PER_HOUR), 2),
                          "median_effective_hourly": _places(_median(eff) / RATE_SCALE, 2) if eff else None}
    return out


def decomposition_allowed(workers: pd.DataFrame, peer_role: str, groups: list[dict], rule: Rule,
                          covariates: list[str] | None) -> str | None:
    """Why the published view withholds the decomposition, or None when it may be shown.

    Its mean gap is (mean of every other group) − (peer mean): next to the groups' own means,
    the non-peer total minus the shown groups' totals is the pay of the groups not shown
    (totals minus parts, :func:`~peerpay.core.disclosure.linear_leaks`); its explained part
    weighs each person by their covariates, so a site or level held by few people leans on them.
    """
    internal = [g for g in groups if g["source"] == "internal"]
    exact = {g["role"] for g in internal if g["n"] is not None}
    sizes = workers.groupby("role").size().to_dict()
    others = frozenset(g["role"] for g in internal if g["role"] != peer_role)
    if linear_leaks([others, frozenset({peer_role})], {str(k): int(v) for k, v in sizes.items()}, exact, rule) or \
            len(exact) < len(internal):
        return "not published: some groups are under the size for exact figures, and the decomposition's mean gap would reveal their total pay"
    x = covariate_matrix(workers, covariates)
    for col in x.columns:
        ones = int((x[col] != 0).sum()) if set(x[col].dropna().unique()) <= {0.0, 1.0} else rule.exact_min
        if min(ones, len(x) - ones) < rule.exact_min:
            return f"not published: fewer than {rule.exact_min} employees in one level of {col}, whose effect would lean on their pay"
    return None


def published_certification(cert: dict, rule: Rule, all_exact: bool) -> dict:
    """Certified vs not certified peers in a published report: the two subgroups split the peer
    group, so their means are shown only when both have ``rule.exact_min`` people (else one is the
    peer total minus the other); the peer-role gap (others' mean minus peers') only when every
    group is exact."""
    both = all(cert[k]["n"] >= rule.exact_min for k in ("certified", "not_certified"))
    out = dict(cert)
    if not both:
        for k in ("certified", "not_certified"):
            out[k] = {"n": None, "mean": None, "median": None, "suppressed": True}
        out["gap_percent"] = None
    if not (both and all_exact):
        out["peer_role_gap_per_hour"] = out["premium_share_of_role_gap_percent"] = None
    return out


# --------------------------------------------------------------------------- the published report's parts, notes and definitions


def published_parts(workers: pd.DataFrame, opts: GapOptions, reference: dict | None, covariates: list[str] | None):
    """The published view's groups, quartiles and decomposition, and the rule that made them."""
    rule = Rule(exact_min=max(opts.min_group, DEFAULT_PUBLISH_MIN_GROUP))
    groups = published_groups(workers, opts.peer_role, opts.basis, rule, reference)
    quart = pay_quartiles(workers, opts.peer_role, rule.exact_min, publish=True)
    if int((workers["role"] == opts.peer_role).sum()) < rule.exact_min:  # where a small peer group sits is a fact about each of them
        quart = [{"quartile": q["quartile"], "peer_share_pct": None} for q in quart]
    why = decomposition_allowed(workers, opts.peer_role, groups, rule, covariates)
    dec = oaxaca_caution(decomposition(workers, opts.peer_role, covariates, rule.exact_min), publish=True)
    if why is not None and dec.get("status") == "ok":
        dec = {"method": dec["method"], "covariates": dec["covariates"], "status": why}
    return groups, quart, dec, rule


def publishing_notes(groups: list[dict], peer_role: str, rule) -> list[str]:
    """What the published view did, group by group: banded, withheld (by name), and why."""
    banded = [g["role"] for g in groups if g.get("banded")]
    withheld = [g["role"] for g in groups if g.get("suppressed")]
    out = [f"Published view: exact figures only for groups of at least {rule.exact_min} employees (the B.C. pay transparency "
           f"standard); groups of {rule.band_min} to {rule.exact_min - 1} are shown as pay bands, groups under {rule.band_min} "
           "are withheld; no percentiles, totals, names or employee ids (docs/gap.md, the disclosure rule)."]
    if banded:
        out.append(f"Shown as pay bands ({rule.band_min} to {rule.exact_min - 1} employees): {', '.join(banded)}. A band is the step "
                   "of a fixed ladder of pay levels, about 10 % wide, that holds the group's median; each comparison with it is the "
                   "range the bands allow.")
    if withheld:
        out.append(f"Withheld (fewer than {rule.band_min} employees): {', '.join(withheld)}. In a group this small any figure "
                   "is one person's pay, or lets a colleague work it out.")
    if peer_role in withheld:
        out.append(f"The {peer_role} group is withheld, so no comparison with it is shown.")
    if banded or withheld:
        out.append("To show more: pool roles into declared comparison groups (--group 'clinical=rn,lpn'), or compare with "
                   "public wages only (--reference bls-2025 --reference-only).")
    return out


def published_definitions(groups: list[dict], quartiles: list[dict], dec: dict, rule: Rule | None = None) -> dict[str, str]:
    """The definitions of the figures a published report shows, and only those."""
    rule = rule or Rule()
    shown = {k.removesuffix("_band") for g in groups for k, v in g.items() if v is not None and v is not False}
    keep = {"n": "n", "mean / median": "median_hourly", "gap %": "gap_median_pct", "gap $": "gap_median_dollars",
            "cents on the dollar": "cents_on_the_dollar", "hours for 40": "peer_hours_for_40",
            "annual gap per worker": "annual_gap_per_worker", "EU Art. 10 flag": "eu_article10_flag",
            "effective hourly": "median_effective_hourly"}
    shown |= {"median_hourly"} if shown & {"median_annual", "mean_annual"} else set()
    shown |= {"n"} if any(g["source"] == "internal" for g in groups) else set()  # a size or "under 10"
    out = {name: DEFINITIONS[name] for name, key in keep.items() if key in shown}
    if any(g.get("banded") for g in groups):
        out["pay band"] = PAY_BAND_DEFINITION.format(low=rule.band_min, high=rule.exact_min - 1)
    if any(q.get("peer_share_pct") is not None for q in quartiles):
        out["quartiles"] = DEFINITIONS["quartiles"]
    if dec.get("status") == "ok":
        out["decomposition"] = DEFINITIONS["decomposition"]
    return out


PAY_BAND_DEFINITION = ("a group of {low} to {high} employees is shown only as the step of a fixed ladder of pay levels (1, 1.1, 1.25, 1.4, 1.6, "
                       "1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9 times a power of ten: the R'20 preferred "
                       "numbers of ISO 3, each 10-14 % above the last) that holds its median; a comparison with a band is the range "
                       "of every value the bands allow, rounded outwards")
