"""Exact amounts shown: the one half-up rounding per printed figure, and footing to a total.

**Footing rule** (docs/costing.md, "Footing"): a total is rounded once, half-up, from its exact
amount; its parts (the roles of a year, the roles of the baseline) are then rounded so that they
add up to that total to the cent, by *largest remainder*: each part is first rounded down to the
cent, and the cents still missing go one each to the parts with the largest fractions of a cent
dropped (ties: the earlier part). No part moves more than one cent from its own half-up
rounding, and a TOTAL line is always the sum of the lines above it.
"""

from __future__ import annotations

from fractions import Fraction

from ..money import cents_to_dollars, ratio_half_up
from .rates import half_up


def dollars(cents: Fraction) -> float:
    """Exact cents -> dollars, rounded once half-up to the cent."""
    return cents_to_dollars(half_up(Fraction(cents)))


def pct(num: Fraction, den: Fraction | int, places: int = 2) -> float | None:
    """num / den x 100, half-up."""
    if den == 0:
        return None
    q = Fraction(num) * 100 / Fraction(den)
    return ratio_half_up(q.numerator, q.denominator, places)


def places(x: Fraction, n: int) -> float:
    """An exact quantity shown half-up to ``n`` decimals."""
    x = Fraction(x)
    return ratio_half_up(x.numerator, x.denominator, n) + 0.0  # + 0.0: no "-0.0"


def one_place(x: Fraction) -> float:
    return places(x, 1)


def round_to_total(parts: list[Fraction], scale: int = 1) -> tuple[list[int], int]:
    """Parts rounded so that they add up to their total rounded half-up (the footing rule above).

    ``parts`` are exact amounts in units of 1/``scale`` of the result (cents: scale 1; hundredths
    of an hour: pass hours x 100). Returns (rounded parts, rounded total), whole units.
    """
    exact = [Fraction(p) * scale for p in parts]
    total = half_up(sum(exact, Fraction(0)))
    floors = [p.numerator // p.denominator for p in exact]
    left = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    out = list(floors)
    for i in order[:left]:
        out[i] += 1
    return out, total
