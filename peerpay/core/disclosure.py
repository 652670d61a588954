"""The disclosure rule: what a published report may say about the pay of a group of people.

One rule, applied to every published figure of every report that publishes pay (docs/gap.md,
"The disclosure rule"). It works on a mapping *group -> the individual values* (hourly rates,
annual pay, a billing share …) in exact :class:`fractions.Fraction` dollars, so any report can
call it; ``core/gap_publish.py`` is the gap report's use of it.

A group of ``n`` people is

* **exact** when ``n >= Rule.exact_min`` (10 by default, the B.C. Pay Transparency Regulation's
  size for a comparison category; a report may raise it, never lower it): its median and mean
  are published as they are;
* **banded** when ``Rule.band_min <= n < exact_min`` (``band_min`` is 3): only its median is
  published, and only as a *band*, a step of a fixed ladder (below); no mean, no percentile, no
  minimum or maximum;
* **withheld** under 3: nothing about its pay is published.

Why these numbers, for n = 1 … 9 (the argument is repeated in docs/gap.md):

* n = 1: every figure of the group is that person's pay; even a band only blurs it. Withheld.
* n = 2: the median is the pair's mean, so either of the two learns the other's pay from it
  (2 x median - own pay). Withheld.
* n = 3 … 9: the median is one person's pay (odd n) or the mean of two (even n). It is shown
  only as the ladder step that holds it, and the ladder's steps are 10 % to 14 % wide, so the
  band says no more than "somebody in this group earns between $18 and $20": about what a
  posted pay range says. The band does not move with the data (the ladder is fixed), so its
  edges are not anybody's pay — except by coincidence, which the rule then removes (below).
* Figures must not combine: a banded group publishes no mean, so no "mean x n minus the
  other means"; comparisons with a band are computed by interval arithmetic and rounded
  *outwards* (a cents-on-the-dollar range of a band never implies a narrower band); and
  :func:`linear_leaks` finds any small set of people whose total a set of published sums
  would give by subtraction (totals minus parts).

**The ladder** is the R'20 series of preferred numbers (ISO 3, the Renard series rounded):
1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4, 4.5, 5, 5.6, 6.3, 7.1, 8, 9, then
the same times 10, 100, … So hourly bands read $18–20, $28–32, $40–45 and annual bands
$40,000–45,000. Worked example (tests/test_disclosure.py): peers earning $18.75, $19.40,
$19.40 and $20.10 have the median $19.40, in the ladder step [$18, $20): published "$18–20".

**Coincidences.** A band's edges and midpoint, and every figure computed from it, are checked
against a :class:`Protected` set: every person's pay (hourly and annual) and, within each group
under ``exact_min``, the mean of every pair, of everyone but one, and of all. When a published
number falls within a cent of one (e.g. a band edge of $20 and a colleague on exactly $20.00),
the band is widened to the next candidate (two ladder steps, then three, then four, always
holding the median); when none is clean, the group is withheld. A widened band says only
that some pay in the organisation sits on one of the ladder's points near it; never whose.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import combinations

import numpy as np

EXACT_MIN_GROUP = 10  # B.C. Reg. 225/2023: a comparison category needs 10 or more employees
BAND_MIN_GROUP = 3  # under 3, nothing: one person's pay, or a pair each of whom knows their own
MAX_BAND_STEPS = 4  # a band is widened to at most 4 ladder steps (about 1.5 x) before it is withheld
#: The R'20 preferred numbers (ISO 3): each about 10-14 % above the one before.
LADDER = tuple(Fraction(x) for x in ("1", "1.1", "1.25", "1.4", "1.6", "1.8", "2", "2.2", "2.5", "2.8", "3.2", "3.6", "4",
                                      "4.5", "5", "5.6", "6.3", "7.1", "8", "9"))
HOURLY_TOLERANCE = Fraction(15, 1000)  # "within a cent", with room for a rate kept to $0.0001
ANNUAL_TOLERANCE = Fraction(1)  # annual pay: within a dollar (a salary of $81,000 is $38.9423 x 2,080 = $80,999.98)

Number = int | float | Fraction


@dataclass(frozen=True)
class Rule:
    """Group sizes for exact figures (``exact_min``) and for a band (``band_min``)."""

    exact_min: int = EXACT_MIN_GROUP
    band_min: int = BAND_MIN_GROUP

    def __post_init__(self):
        if self.exact_min < EXACT_MIN_GROUP or self.band_min < BAND_MIN_GROUP or self.band_min > self.exact_min:
            raise ValueError(f"a published group needs at least {EXACT_MIN_GROUP} people for exact figures and "
                             f"{BAND_MIN_GROUP} for a band (got {self.exact_min}, {self.band_min})")

    def status(self, n: int) -> str:
        """"exact", "band" or "withheld" for a group of ``n``."""
        return "exact" if n >= self.exact_min else "band" if n >= self.band_min else "withheld"


# --------------------------------------------------------------------------- the ladder


def ladder_value(step: int) -> Fraction:
    """The ladder's ``step``-th point: step 0 is 1, step 20 is 10, step 26 is 20, step 27 is 22 …"""
    decade, i = divmod(step, len(LADDER))
    return LADDER[i] * Fraction(10) ** decade


def ladder_step(value: Fraction) -> int:
    """The step whose cell [point, next point) holds ``value`` (> 0)."""
    value = Fraction(value)
    if value <= 0:
        raise ValueError("a band needs a positive value")
    decade = 0
    while value >= Fraction(10) ** (decade + 1):
        decade += 1
    while value < Fraction(10) ** decade:
        decade -= 1
    mantissa = value / Fraction(10) ** decade
    i = max(k for k, m in enumerate(LADDER) if m <= mantissa)
    return decade * len(LADDER) + i


@dataclass(frozen=True)
class Band:
    """[low, high) between two ladder points: steps ``lo`` to ``hi`` (``hi > lo``)."""

    lo: int
    hi: int

    @property
    def low(self) -> Fraction:
        return ladder_value(self.lo)

    @property
    def high(self) -> Fraction:
        return ladder_value(self.hi)

    def numbers(self) -> tuple[Fraction, Fraction, Fraction]:
        """What a reader can take from the band: its edges and its midpoint."""
        return self.low, self.high, (self.low + self.high) / 2

    def pair(self) -> list[Number]:
        return [plain(self.low), plain(self.high)]


def candidate_bands(value: Fraction) -> list[Band]:
    """The bands that hold ``value``, narrowest first: its own ladder step, then two, three and four
    steps (the extra steps above before below)."""
    s = ladder_step(value)
    return [Band(s - below, s - below + width) for width in range(1, MAX_BAND_STEPS + 1) for below in range(width)]


def plain(x: Fraction | int) -> Number:
    """A Fraction as an int when whole, else a float (for JSON)."""
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def band_text(pair: Sequence[Number], money: bool = True, unit: str = "") -> str:
    """[18, 20] -> "$18–20"; [40000, 45000] -> "$40,000–45,000"; [56, 71] -> "56–71"."""
    lo, hi = (f"{x:,}" if isinstance(x, int) else f"{x:,.2f}" for x in pair)
    return f"{'$' if money else ''}{lo}–{hi}{unit}"


# --------------------------------------------------------------------------- outward rounding


def floor_to(x: Fraction, step: Fraction) -> Fraction:
    return (Fraction(x) / step).__floor__() * step


def ceil_to(x: Fraction, step: Fraction) -> Fraction:
    return (Fraction(x) / step).__ceil__() * step


def outward(lo: Fraction, hi: Fraction, step: Fraction | int) -> list[Number]:
    """An interval rounded outwards to multiples of ``step``, so the true value stays inside."""
    step = Fraction(step)
    return [plain(floor_to(lo, step)), plain(ceil_to(hi, step))]


# --------------------------------------------------------------------------- what must never be printed


@dataclass
class Protected:
    """Values no published number may come within ``tolerance`` of: people's pay and small groups' means."""

    values: np.ndarray = field(default_factory=lambda: np.empty(0))
    tolerance: np.ndarray = field(default_factory=lambda: np.empty(0))

    @classmethod
    def of(cls, values_by_group: Mapping[str, Sequence[Fraction]], rule: Rule, tolerance: Fraction) -> Protected:
        """Each person's value; within each group under ``rule.exact_min``, the mean of every pair,
        of everyone but one, and of the whole group (a median of 2 or 4 is a pair's mean)."""
        out: list[Fraction] = []
        for vals in values_by_group.values():
            v = [Fraction(x) for x in vals]
            out += v
            if len(v) < rule.exact_min:
                out += [(a + b) / 2 for a, b in combinations(v, 2)]
                if len(v) > 2:
                    total = sum(v, Fraction(0))
                    out += [(total - x) / (len(v) - 1) for x in v] + [total / len(v)]
        arr = np.array(sorted(float(x) for x in out), dtype="float64")
        return cls(arr, np.full(len(arr), float(tolerance)))

    def __or__(self, other: Protected) -> Protected:
        order = np.argsort(np.concatenate([self.values, other.values]), kind="stable")
        return Protected(np.concatenate([self.values, other.values])[order], np.concatenate([self.tolerance, other.tolerance])[order])

    def hits(self, x: Number) -> bool:
        """True when ``x`` is within tolerance of a protected value."""
        if not len(self.values):
            return False
        x = float(x)
        reach = float(self.tolerance.max()) + 1e-9
        lo, hi = np.searchsorted(self.values, [x - reach, x + reach])
        return bool(np.any(np.abs(self.values[lo:hi] - x) <= self.tolerance[lo:hi] + 1e-9))

    def any_hit(self, numbers: Iterable[Number]) -> bool:
        return any(self.hits(x) for x in numbers)


def numbers_of(value) -> list[Fraction]:
    """Every number a reader can take from a published value: a number, or an interval's
    edges and midpoint (nested lists and dicts are walked; text and booleans are skipped)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in numbers_of(v)]
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(x, (int, float, Fraction)) and not isinstance(x, bool) for x in value):
            lo, hi = (Fraction(x) for x in value)
            return [lo, hi, (lo + hi) / 2]
        return [x for v in value for x in numbers_of(v)]
    return [Fraction(value)]


# --------------------------------------------------------------------------- the rule over groups


@dataclass(frozen=True)
class Disclosed:
    """What may be published about one group. Exact figures only when ``status == "exact"``."""

    status: str  # "exact", "band" or "withheld"
    n: int
    median: Fraction | None = None
    mean: Fraction | None = None
    band: Band | None = None
    candidates: tuple[Band, ...] = ()  # the wider bands still to try (internal)

    @property
    def low(self) -> Fraction | None:
        return self.median if self.status == "exact" else self.band.low if self.band else None

    @property
    def high(self) -> Fraction | None:
        return self.median if self.status == "exact" else self.band.high if self.band else None


def _median(v: list[Fraction]) -> Fraction:
    v = sorted(v)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


Derived = Callable[[Mapping[str, Disclosed]], Iterable[tuple[Iterable[Number], Sequence[str]]]]


def disclose(values_by_group: Mapping[str, Sequence[Fraction]], rule: Rule = Rule(), protected: Protected | None = None,
             derived: Derived | None = None) -> dict[str, Disclosed]:
    """The disclosure rule over ``group -> individual values``: each group exact, banded or withheld.

    ``protected``: values no published number may hit (default: the groups' own values and
    small-group means, :meth:`Protected.of`). ``derived``: the report's figures computed from the
    bands (e.g. cents on the dollar against another group) as ``(numbers, groups responsible)``;
    a figure that hits a protected value widens the first banded group responsible for it.
    A band that cannot be made clean is withheld.
    """
    protected = protected if protected is not None else Protected.of(values_by_group, rule, HOURLY_TOLERANCE)
    out: dict[str, Disclosed] = {}
    for group, vals in values_by_group.items():
        v = [Fraction(x) for x in vals]
        status = rule.status(len(v))
        if status == "exact":
            out[group] = Disclosed("exact", len(v), _median(v), sum(v, Fraction(0)) / len(v))
        elif status == "band" and _median(v) > 0:
            first, *rest = candidate_bands(_median(v))
            out[group] = Disclosed("band", len(v), band=first, candidates=tuple(rest))
        else:
            out[group] = Disclosed("withheld", len(v))
    for _ in range(10 * len(out) * MAX_BAND_STEPS + 1):  # each round widens at least one band or withholds it
        bad: list[Sequence[str]] = [[g] for g, d in out.items() if d.band and protected.any_hit(d.band.numbers())]
        if derived is not None:
            bad += [who for numbers, who in derived(out) if protected.any_hit(numbers)]
        moved = set()
        for who in bad:
            g = next((x for x in who if x in out and out[x].status == "band"), None)
            if g is None or g in moved:
                continue  # exact figures of groups of 10 or more are published as they are
            moved.add(g)
            d = out[g]
            out[g] = replace(d, band=d.candidates[0], candidates=d.candidates[1:]) if d.candidates else Disclosed("withheld", d.n)
        if not moved:
            break
    return out


def linear_leaks(sums: Sequence[Collection[str]], sizes: Mapping[str, int], exact: Collection[str], rule: Rule = Rule()) -> list[frozenset[str]]:
    """Totals minus parts: the sets of groups, together smaller than ``rule.exact_min`` people,
    whose total pay a reader can work out from published totals (a mean times its n, a gap of
    two means) and the exact groups' own totals.

    ``sums``: each published total, as the groups it adds up (e.g. "every group but the peers"
    for a decomposition's mean gap). Worked example (tests): exact nurses (12), a director (1)
    and a "non-peer mean" over both: the non-peer total minus the nurses' total is the
    director's pay, so ``[frozenset({"director"})]`` comes back.
    """
    unknown = sorted({g for s in sums for g in s} - set(exact))
    rows = [[Fraction(int(g in s)) for g in unknown] for s in sums]
    if not unknown or not rows:
        return []
    # a 0/1 vector in the span of these rows is constant on each cell of groups that the
    # published totals cannot tell apart, so only unions of cells need checking
    cells: dict[tuple[int, ...], list[str]] = {}
    for j, g in enumerate(unknown):
        cells.setdefault(tuple(int(r[j]) for r in rows), []).append(g)
    cell_list = list(cells.values())
    rank = _rank(rows)
    leaks = []
    for k in range(1, len(cell_list) + 1):
        for pick in combinations(cell_list, k):
            members = {g for c in pick for g in c}
            if sum(sizes[g] for g in members) >= rule.exact_min:
                continue
            vector = [Fraction(int(g in members)) for g in unknown]
            if _rank([*rows, vector]) == rank:
                leaks.append(frozenset(members))
    return leaks


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank of a small rational matrix (Gaussian elimination, exact)."""
    m = [list(r) for r in rows]
    rank, cols = 0, len(m[0]) if m else 0
    for c in range(cols):
        pivot = next((i for i in range(rank, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][c] != 0:
                f = m[i][c] / m[rank][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank])]
        rank += 1
    return rank
