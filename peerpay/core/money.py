"""The one place that owns money.

Why integers: floats cannot hold 0.1, and a sum of floats depends on the order of its terms.
peerpay computes every pay amount as an exact integer count of a small unit and rounds once,
half-up, to the cent, per employee and workweek (docs/formats.md §3).

Units
-----
* A **rate** (dollars per hour) is carried as an integer number of ``1/RATE_SCALE`` dollars,
  i.e. to 4 decimal places ($19.2345/h -> 192345). Rates with more places are rounded half-up
  to 4 places when loaded (payroll systems store hourly rates to 4 places).
* A **factor** (a percent, a multiplier) is carried as an integer number of ``1/FACTOR_SCALE``
  (1.5 -> 15000, 12.5 % -> 1250).
* An **amount** is ``rate x factor x minutes``: an integer in units of
  ``1 / (RATE_SCALE * FACTOR_SCALE * 60)`` dollars = ``AMOUNT_PER_DOLLAR``. A $10,000 week is
  6e13 units, far inside int64.

Rounding is half-up (away from zero for the non-negative amounts pay produces), never
Python's ``round`` or pandas' ``round``, which round half to even.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np

RATE_SCALE = 10_000
FACTOR_SCALE = 10_000
MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR  # a local calendar day (instants are minutes, see core/calendar.py)
DAYS_PER_WEEK = 7
#: One annualisation for every job: period totals x 365 / days in the period (gap's
#: ``--annual-hours actual`` and earnings basis, and cost's run-rate). docs/gap.md, docs/costing.md.
DAYS_PER_YEAR = 365
#: The full-time year: 52 weeks x 40 h, BLS OEWS's annualisation (footnote 2) and one FTE.
HOURS_PER_FTE_YEAR = 2080
AMOUNT_PER_DOLLAR = RATE_SCALE * FACTOR_SCALE * MINUTES_PER_HOUR  # 6e9
AMOUNT_PER_CENT = AMOUNT_PER_DOLLAR // 100  # 6e7


# Money text as a clerk writes it: optional sign and "$", digits with commas only in thousands
# position (1,234.50), an optional fraction and exponent. "25,50", "1,5" and "$ 2 5" are not
# numbers (a comma anywhere else is a decimal comma, which only a column map may declare).
MONEY_TEXT = r"^(?P<sign>[-+]?)\$?\s*(?P<sign2>[-+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[-+]?\d{1,4}))?$"
MONEY_TEXT_DECIMAL_COMMA = r"^(?P<sign>[-+]?)\$?\s*(?P<sign2>[-+]?)(?P<int>\d{1,3}(?:[.\s]\d{3})+|\d*)(?:,(?P<frac>\d*))?(?P<exp>)$"
NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def to_decimal(value) -> Decimal:
    """Parse money or a factor from text/number exactly ("$1,234.50", 19.5, "12.5")."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    import re

    raw = str(value).strip()
    m = re.match(MONEY_TEXT, raw)
    if m and (m.group("int") or m.group("frac")) and not (m.group("sign") and m.group("sign2")):
        raw = (m.group("sign") or m.group("sign2")) + m.group("int").replace(",", "") + (
            "." + m.group("frac") if m.group("frac") else "") + ("e" + m.group("exp") if m.group("exp") else "")
    elif raw.lower() not in NOT_FINITE:
        raise ValueError(f"not a number: {value!r}")
    text = raw
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return d


def scaled(value, scale: int) -> int:
    """``value x scale`` as an int, rounded half-up (e.g. a rate to 1/10000 dollar)."""
    return int((to_decimal(value) * scale).to_integral_value(rounding=ROUND_HALF_UP))


def rate_units(value) -> int:
    return scaled(value, RATE_SCALE)


def factor_units(value) -> int:
    return scaled(value, FACTOR_SCALE)


def money_text_units(values, scale: int = RATE_SCALE, decimal_comma: bool = False, max_whole: int = 10**12):
    """Money text -> exact integer units of ``1/scale``, rounded half-up once; vectorised.

    Returns ``(units, status)``: ``units`` int64 (0 where not OK), ``status`` a small int per cell:
    0 ok, 1 blank (a truly empty cell), 2 not a number, 3 not finite (NaN, inf), 4 too large
    (more than ``max_whole`` dollars). The digits are read as integers, never through a float:
    ``19.23455`` -> 192346 (half-up at the 5th place), ``1,234.50`` -> 12345000. An accounting
    negative ``(25.50)`` is -25.50 and a currency sign (``$``, ``€``, ``£``) before or after the
    number is allowed; with ``decimal_comma`` the comma is the decimal point and ``.`` or a space
    separates thousands (``1.234,50``, ``1 234,50``).
    Negative values keep their sign (the caller decides whether they are allowed).

    >>> money_text_units(["25.50", "25,50", "1,234.5", "", "N/A"])[1].tolist()
    [0, 2, 0, 1, 2]
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    # ``values``: anything array-like of text, or a pyarrow string array (read without a copy)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = pc.utf8_trim_whitespace(values)
    else:
        values = np.asarray(values, dtype=object)
        arr = pc.utf8_trim_whitespace(pa.array(values, type=pa.string(), from_pandas=True))
    # Fast path (the 1-million-row case): plain "19.2345" with at most as many places as the
    # scale keeps. x * scale is then an integer below 1e13, which a float holds exactly and
    # rint recovers exactly; no rounding happens at all. Everything else takes the exact path.
    places = len(str(scale)) - 1
    plain = pc.fill_null(pc.match_substring_regex(arr, rf"^\d{{1,9}}(\.\d{{0,{places}}})?$"), False).to_numpy(zero_copy_only=False)
    units = np.zeros(len(arr), dtype="int64")
    status = np.full(len(arr), 2, dtype="int8")
    if plain.any() and not decimal_comma:
        idx = np.flatnonzero(plain)
        x = pc.cast(arr.take(pa.array(idx)), pa.float64()).to_numpy(zero_copy_only=False)
        units[idx] = np.rint(x * scale).astype("int64")
        status[idx] = 0
        rest = np.flatnonzero(~plain)
        if len(rest):  # stripped already: the exact path strips the same way
            u, st = money_text_units(arr.take(pa.array(rest)), scale, decimal_comma, max_whole)
            units[rest], status[rest] = u, st
        return units, status
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)

    s = _plain_sign_and_currency(pd.Series(values, dtype=object).astype("string").fillna("").str.strip())
    n = len(s)
    units = np.zeros(n, dtype="int64")
    status = np.full(n, 2, dtype="int8")
    blank = (s == "").to_numpy(dtype=bool)
    status[blank] = 1
    lower = s.str.lower()
    status[lower.isin(NOT_FINITE).to_numpy(dtype=bool)] = 3
    parts = s.str.extract(MONEY_TEXT_DECIMAL_COMMA if decimal_comma else MONEY_TEXT)
    int_part = parts["int"].fillna("").str.replace(r"[,.\s]", "", regex=True)
    frac = parts["frac"].fillna("")
    matched = parts["int"].notna().to_numpy(dtype=bool)
    has_digits = ((int_part != "") | (frac != "")).to_numpy(dtype=bool)
    two_signs = ((parts["sign"].fillna("") != "") & (parts["sign2"].fillna("") != "")).to_numpy(dtype=bool)
    exp = parts["exp"].fillna("")
    ok = matched & has_digits & ~two_signs & ~blank
    plain = ok & (exp == "").to_numpy(dtype=bool)
    digits = len(str(scale)) - 1  # 4 places for RATE_SCALE
    int_part = int_part.str.lstrip("0")
    huge = plain & (int_part.str.len() > len(str(max_whole))).to_numpy(dtype=bool)
    status[huge] = 4
    plain &= ~huge
    if plain.any():
        ip = int_part[plain].replace("", "0").astype("int64").to_numpy()
        fp = frac[plain].str.pad(digits + 1, side="right", fillchar="0")
        kept = fp.str.slice(0, digits).astype("int64").to_numpy() if digits else np.zeros(int(plain.sum()), "int64")
        up = (fp.str.slice(digits, digits + 1).astype("int64").to_numpy() >= 5).astype("int64")
        mag = ip * scale + kept + up
        neg = (parts["sign"].fillna("") + parts["sign2"].fillna("")).eq("-").to_numpy(dtype=bool)[plain]
        units[plain] = np.where(neg, -mag, mag)
        status[plain] = 0
    for i in np.flatnonzero(ok & ~plain):  # exponents (1e308): rare, exact through Decimal
        try:
            d = to_decimal(s.iloc[i].replace(",", "") if not decimal_comma else s.iloc[i])
        except ValueError:
            continue
        if abs(d) > max_whole:
            status[i] = 4
        else:
            units[i] = int((d * scale).to_integral_value(rounding=ROUND_HALF_UP))
            status[i] = 0
    return units, status


def _plain_sign_and_currency(s):
    """Accounting negatives and currency signs as a plain sign: ``(25.50)`` and ``($25.50)`` ->
    ``-25.50``; ``$``, ``€`` or ``£`` before the number (after its sign) or after it is dropped
    (``25,50 €``, ``-$5``). Everything else is left for the number grammar to judge."""
    paren = s.str.fullmatch(r"\(\s*[^()]*\)").fillna(False)
    if paren.any():
        s = s.where(~paren, "-" + s.str.slice(1, -1).str.strip())
    return s.str.replace(r"^([-+]?)\s*[$€£]\s*", r"\1", regex=True).str.replace(r"\s*[$€£]$", "", regex=True)


def rate_units_array(values: np.ndarray) -> np.ndarray:
    """Vectorised :func:`rate_units` for float dollars-per-hour.

    A float read from text like ``19.2345`` is within 1e-12 of the decimal, so rounding
    ``x * 10000`` to the nearest integer recovers it exactly; the half-up nudge only matters
    for inputs with more than 4 places.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # absurd rates are rejected by the caller (MAX_RATE)
        x = np.asarray(values, dtype="float64") * RATE_SCALE
        return np.floor(x + 0.5 + 1e-9).astype("int64")


def cents_half_up(numerator, denominator=AMOUNT_PER_CENT):
    """Round ``numerator / denominator`` to whole cents, half-up; exact for Python ints.

    Accepts ints or numpy arrays (int64 or object arrays of Python ints); denominators > 0.
    Negative numerators round half away from zero, mirroring positive ones.
    """
    if isinstance(numerator, np.ndarray):
        fast = _cents_half_up_int64(numerator, denominator)
        if fast is not None:
            return fast
        num = numerator.astype(object)
        den = np.asarray(denominator).astype(object) if isinstance(denominator, np.ndarray) else denominator
        sign = np.where(num < 0, -1, 1).astype(object)
        return sign * ((abs(num) * 2 + den) // (den * 2))
    one = -1 if numerator < 0 else 1
    return one * ((abs(numerator) * 2 + denominator) // (denominator * 2))


_INT64_SAFE = 2**61  # |2 * numerator + denominator| stays inside int64 below this


def _cents_half_up_int64(numerator: np.ndarray, denominator):
    """The same rounding in int64 when nothing can overflow (the usual case); else None."""
    if numerator.dtype.kind not in "iu":
        return None
    den = np.asarray(denominator)
    if den.dtype.kind not in "iu" or len(numerator) == 0:
        return None
    num = numerator.astype("int64", copy=False)
    if np.abs(num).max() >= _INT64_SAFE or den.max() >= _INT64_SAFE or den.min() <= 0:
        return None
    den = den.astype("int64", copy=False)
    mag = (np.abs(num) * 2 + den) // (den * 2)
    return np.where(num < 0, -mag, mag)


def cents_to_dollars(cents) -> float:
    """Whole cents -> a float dollar figure for JSON (exact: shortest repr of a 2-dp number)."""
    return float(Decimal(int(cents)).scaleb(-2))


def round_half_up(value, places: int = 2) -> Decimal:
    """Round a Decimal-able value half-up to ``places`` decimals (for rates and hours on display)."""
    q = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(q, rounding=ROUND_HALF_UP)


def ratio_half_up(numerator: int, denominator: int, places: int) -> float:
    """``numerator / denominator`` rounded half-up to ``places`` decimals, exactly, as a float."""
    if denominator == 0:
        return 0.0
    scale = 10**places
    q = cents_half_up(int(numerator) * scale, int(denominator))
    return float(Decimal(int(q)).scaleb(-places))
