"""Pay results -> the docs/formats.md §4 report, flat tables for CSV/Markdown/XLSX, and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import cast

import numpy as np
import pandas as pd

from ..errors import Problem
from .money import AMOUNT_PER_DOLLAR, MINUTES_PER_HOUR, cents_to_dollars, ratio_half_up

from .engine import RULES, TIER_RULES, PayResult

#: Flat-table columns that are one nested JSON object per line: prefix -> the line's key.
#: ``overtime_hours_by_tier``: the hours each overtime tier paid (a tiered policy only).
TIER_PREFIX = "overtime_tier:"
NESTED = {"differential:": "differential_pay", TIER_PREFIX: "overtime_hours_by_tier"}

MONEY_COLUMNS = ("base_pay", "holiday_premium", "standby_pay", "callback_premium", "overtime_premium", "gross_pay")


def hours(minutes: int) -> float:
    """Minutes -> hours, half-up to 4 places (exact minutes are kept internally)."""
    return ratio_half_up(int(minutes), MINUTES_PER_HOUR, 4)


def regular_rate(num: int, den_minutes: int) -> float:
    """Regular rate in $/h from the exact fraction the engine keeps, half-up to 4 places."""
    return ratio_half_up(int(num) * MINUTES_PER_HOUR, int(den_minutes) * AMOUNT_PER_DOLLAR, 4)


def _hours_array(minutes: np.ndarray) -> np.ndarray:
    """Vectorised :func:`hours`: half-up to 4 places; the float is the one ``hours`` returns."""
    m = np.asarray(minutes, dtype="int64")
    mag = (np.abs(m) * 10_000 * 2 + MINUTES_PER_HOUR) // (MINUTES_PER_HOUR * 2)
    return np.where(m < 0, -mag, mag) / 10_000


def _dollars_array(cents: np.ndarray) -> np.ndarray:
    """Vectorised :func:`cents_to_dollars`: cents / 100 is the correctly rounded float, like it."""
    return np.asarray(cents, dtype="int64") / 100


def _regular_rate_array(num: np.ndarray, den_minutes: np.ndarray) -> np.ndarray:
    """Vectorised :func:`regular_rate` (num x 60 / (den x AMOUNT_PER_DOLLAR) = num / (den x 1e4 x 1e4 / 1e4))."""
    num = np.asarray(num, dtype="int64")
    den = np.asarray(den_minutes, dtype="int64")
    # rate to 4 places = num x 60 x 10^4 / (den x AMOUNT_PER_DOLLAR) = num / (den x unit)
    unit = AMOUNT_PER_DOLLAR // (MINUTES_PER_HOUR * 10_000)
    safe = np.abs(num).max(initial=0) < 2**61 // 2 and den.max(initial=0) * unit < 2**61
    if not safe:  # astronomically large amounts: the exact scalar path
        return np.array([regular_rate(a, b) for a, b in zip(num.tolist(), den.tolist())], dtype="float64")
    d = np.maximum(den, 1) * unit
    mag = (np.abs(num) * 2 + d) // (d * 2)
    return np.where(den == 0, 0.0, np.where(num < 0, -mag, mag) / 10_000)


def iso_dates(dates: np.ndarray):
    """Dates as ISO text ("2025-03-02"), each distinct date formatted once (a year has 53 workweeks)."""
    codes, days = pd.factorize(dates.astype("datetime64[D]").astype("int64"))
    return pd.array(days.astype("datetime64[D]").astype(str), dtype="str").take(codes)


def lines_table(result: PayResult, include_minimum_shift: bool = False) -> pd.DataFrame:
    """The report's lines as a flat table, vectorised: exactly :func:`lines_frame` of :func:`pay_report`.

    One ``differential:<name>`` column per differential, dollars and hours as the same floats
    the JSON report holds (docs/formats.md §4 key order).
    """
    lines = result.lines
    names = result.differential_names
    cols = ["employee_id", "week_start", "hours_worked", "on_call_hours", "overtime_hours", "base_pay",
            *[f"differential:{n}" for n in names], "holiday_premium", "standby_pay", "callback_premium"]
    if include_minimum_shift:
        cols.append("minimum_shift_pay")
    if "out_of_class_pay" in lines:  # out-of-class work (docs/out-of-class.md): added keys, in gross pay
        cols += ["out_of_class_hours", "out_of_class_pay"]
    cols += ["overtime_premium", "regular_rate", "gross_pay"]
    tiers = [c.split(":", 1)[1] for c in lines.columns if c.startswith("ot:")]
    if "double_time_minutes" in lines:  # a tiered overtime policy: hours at double time and per tier
        cols += ["double_time_hours", *(f"{TIER_PREFIX}{t}" for t in tiers)]
    if len(lines) == 0:
        return pd.DataFrame(columns=cols)
    out = {
        "employee_id": lines["employee_id"].astype("str").array,  # arrow text stays arrow text
        "week_start": iso_dates(lines["week_start"].to_numpy()),
        "hours_worked": _hours_array(lines["worked_minutes"].to_numpy()),
        "on_call_hours": _hours_array(lines["on_call_minutes"].to_numpy()),
        "overtime_hours": _hours_array(lines["overtime_minutes"].to_numpy()),
        "base_pay": _dollars_array(lines["base_pay"].to_numpy()),
        **{f"differential:{n}": _dollars_array(lines[f"diff:{n}"].to_numpy()) for n in names},
    }
    for c in ("holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium"):
        out[c] = _dollars_array(lines[c].to_numpy())
    if "out_of_class_pay" in lines:
        out["out_of_class_hours"] = _hours_array(lines["out_of_class_minutes"].to_numpy())
        out["out_of_class_pay"] = _dollars_array(lines["out_of_class_pay"].to_numpy())
    out["regular_rate"] = _regular_rate_array(lines["regular_rate_num"].to_numpy(), lines["regular_rate_den"].to_numpy())
    out["gross_pay"] = _dollars_array(lines["gross_pay"].to_numpy())
    if "double_time_minutes" in lines:
        out["double_time_hours"] = _hours_array(lines["double_time_minutes"].to_numpy())
        for t in tiers:
            out[f"{TIER_PREFIX}{t}"] = _hours_array(lines[f"ot:{t}"].to_numpy())
    if "partial_week" in lines:  # a workweek the run's period cuts (an added key, after the pinned ones)
        cols.append("partial_week")
        out["partial_week"] = lines["partial_week"].to_numpy(dtype=bool)
    return pd.DataFrame({c: out[c] for c in cols})


class LineRecords(list):
    """The pay lines as dicts (a plain list for every reader), plus the flat table they came from.

    ``layout`` says how a record is built from ``table`` (see :class:`LineTable`). The JSON
    writer uses it to write a long report column by column (no 200,000 ``json.dumps`` calls)
    with the very same bytes, after checking that nobody edited a dict.
    """

    table: pd.DataFrame | None = None
    layout: list | None = None


class LineTable(Sequence):
    """The pay lines kept as the flat table: a read-only sequence of dicts, each made on request.

    Why: a year of pay lines is 200,000 dicts (2 s to build) that a JSON report only writes out;
    the JSON writer reads ``table`` and ``layout`` instead, and since no dict is ever handed out
    for keeps, nothing can be edited behind the table's back. ``layout``: ``(key, column)`` for a
    value, or ``(key, [(subkey, column), ...])`` for a nested dict, in docs/formats.md §4 key order.
    """

    def __init__(self, table: pd.DataFrame):
        diff_cols = [c for c in table.columns if c.startswith("differential:")]
        head = ["employee_id", "week_start", "hours_worked", "on_call_hours", "overtime_hours", "base_pay"]
        layout: list = [(c, c) for c in head] + [("differential_pay", [(c.split(":", 1)[1], c) for c in diff_cols])]
        tier_cols = [c for c in table.columns if c.startswith(TIER_PREFIX)]
        layout += [(c, c) for c in table.columns if c not in head and c not in diff_cols and c not in tier_cols]
        if tier_cols:  # after the other keys (a tiered policy's lines only)
            layout.append((NESTED[TIER_PREFIX], [(c[len(TIER_PREFIX):], c) for c in tier_cols]))
        self.table, self.layout = table, layout

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(LineTable(self.table.iloc[i]))
        return next(iter(LineTable(self.table.iloc[[i]])))

    def __iter__(self) -> Iterator[dict]:
        table = self.table
        columns = []
        for _, column in self.layout:
            if isinstance(column, str):
                columns.append(table[column].tolist())
            else:  # one small dict per line
                subkeys = [k for k, _ in column]
                values = zip(*(table[c].tolist() for _, c in column)) if column else ((),) * len(table)
                columns.append(map(dict, map(zip, [subkeys] * len(table), values)))
        keys = [k for k, _ in self.layout]
        return (dict(zip(keys, row)) for row in zip(*columns))


def pay_lines_records(result: PayResult, include_minimum_shift: bool = False) -> list[dict]:
    """One dict per employee and workweek, in docs/formats.md §4 key order."""
    table = lines_table(result, include_minimum_shift)
    if len(table) == 0:
        return []
    lines = LineTable(table)
    out = LineRecords(lines)
    out.table, out.layout = table, lines.layout
    return out


def paid_minutes(shifts: pd.DataFrame) -> int:
    """Elapsed minutes of the shifts that were paid (the ``hours_paid`` side of the balance)."""
    return int((shifts["end_at"] - shifts["start_at"]).sum()) if len(shifts) else 0


def rejected_rows(rejected: list[Problem]) -> int:
    """Rows with at least one rejection (a row is counted once, however many cells are bad)."""
    return len({(p.file, p.row) for p in rejected})


def reconciliation(rows_read: int, rows_paid: int, rows_rejected: int, paid: int, rejected: int, unmeasured: int,
                   *, dropped: tuple[int, int] | None = None, source_rows_read: int | None = None) -> dict:
    """Rows and hours in = paid + rejected (+ dropped by a column map); the CLI refuses to write a
    report that does not balance. The one place the balance is struck: the local engine, the
    partitioned engines and vendor exports all call it.

    ``paid``/``rejected``: minutes. ``dropped``: (rows, minutes) a column map left out on purpose
    (vendor exports only; then ``rows_dropped``, ``hours_dropped`` and ``source_rows_read`` are
    reported too).
    """
    out: dict = {"rows_read": int(rows_read), "rows_paid": int(rows_paid), "rows_rejected": int(rows_rejected)}
    if dropped is not None:
        out["rows_dropped"] = int(dropped[0])
    out.update({"hours_in": hours(paid + rejected), "hours_paid": hours(paid), "hours_rejected": hours(rejected)})
    if dropped is not None:
        out["hours_dropped"] = hours(dropped[1])
    out["rejected_rows_without_hours"] = int(unmeasured)
    if dropped is not None:
        out["source_rows_read"] = source_rows_read
    out["balanced"] = rows_read == rows_paid + rows_rejected + (dropped[0] if dropped is not None else 0)
    return out


def scoped_reconciliation(recon: dict, rows_in_scope: int, minutes_in_scope: int, minutes_paid: int, scope: str) -> dict:
    """The reconciliation of a filtered report (``--from``/``--to``, ``--employee``): the rows and hours
    it shows are ``paid``; the rows that were paid but fall outside the filter are counted apart.

    rows read = paid + rejected (+ dropped by a map) + out of scope, and hours in = paid + rejected
    + out of scope, so the balance still holds. A row (shift) with any minute in scope is in scope;
    its minutes outside the period (a shift across the period's edge) are out-of-scope hours.
    ``scope`` names the filter in words (never an id). Rejected rows are all still counted: they are
    input problems whatever their week or employee.

    >>> r = reconciliation(10, 9, 1, 540 * 9, 60, 0)
    >>> s = scoped_reconciliation(r, 3, 1620, 540 * 9, "--employee (1 id)")
    >>> (s["rows_paid"], s["rows_out_of_scope"], s["hours_paid"], s["hours_out_of_scope"], s["balanced"])
    (3, 6, 27.0, 54.0, True)
    """
    rows_out = int(recon["rows_paid"]) - int(rows_in_scope)
    out: dict = {}
    for key, value in recon.items():
        if key == "hours_in":
            out["rows_out_of_scope"] = rows_out
        if key == "rejected_rows_without_hours":
            out["hours_out_of_scope"] = hours(minutes_paid - minutes_in_scope)
        if key == "balanced":
            continue
        out[key] = value
    out["rows_paid"] = int(rows_in_scope)
    out["hours_paid"] = hours(minutes_in_scope)
    out["scope"] = scope
    out["balanced"] = bool(recon["balanced"]) and rows_out >= 0 and minutes_in_scope <= minutes_paid and \
        out["rows_read"] == out["rows_paid"] + out["rows_rejected"] + out.get("rows_dropped", 0) + rows_out
    return out


def pay_report(result: PayResult, rejected: list[Problem], recon: dict | None = None, *, include_minimum_shift=False,
               lines_as_table: bool = False) -> dict:
    """The docs/formats.md §4 JSON object (plus the additive ``reconciliation`` key).

    ``lines_as_table``: ``lines`` is a :class:`LineTable` (for a report that is only written out),
    else a list of dicts that callers may read and edit.
    """
    if lines_as_table:
        table = lines_table(result, include_minimum_shift)
        lines: Sequence[dict] = LineTable(table) if len(table) else []
    else:
        lines = pay_lines_records(result, include_minimum_shift)
    worked = int(result.lines["worked_minutes"].sum()) if len(result.lines) else 0
    gross = int(result.lines["gross_pay"].sum()) if len(result.lines) else 0
    report = {
        "lines": lines,
        "rejected": [p.as_json() for p in rejected],
        "totals": {"hours_worked": hours(worked), "gross_pay": cents_to_dollars(gross)},
    }
    if recon is not None:
        report["reconciliation"] = recon
    return report


def lines_frame(report: dict) -> pd.DataFrame:
    """The report's lines as a flat table: one ``differential:<name>`` column per differential."""
    recs = report["lines"]
    if not recs:
        return pd.DataFrame()
    first = recs[0]
    nested = {key: prefix for prefix, key in NESTED.items()}
    order = [c for c in first.keys() if c != "differential_pay"]
    diff_names = list(first["differential_pay"])
    i = order.index("holiday_premium")
    columns = {c: [r[c] for r in recs] for c in order[:i]}
    for n in diff_names:
        columns[f"differential:{n}"] = [r["differential_pay"][n] for r in recs]
    for c in order[i:]:
        if c in nested:  # overtime_hours_by_tier: one column per tier
            for n in first[c]:
                columns[f"{nested[c]}{n}"] = [r[c][n] for r in recs]
        else:
            columns[c] = [r[c] for r in recs]
    return pd.DataFrame(columns)


def employee_summary(report: dict) -> pd.DataFrame:
    """Per employee over all weeks: what a clerk checks first."""
    frame = lines_frame(report)
    if frame.empty:
        return frame
    diff_cols = [c for c in frame.columns if c.startswith("differential:")]
    frame["differentials"] = frame[diff_cols].sum(axis=1) if diff_cols else 0.0
    keep = ["hours_worked", "overtime_hours", "on_call_hours", "base_pay", "differentials", "holiday_premium",
            "standby_pay", "callback_premium", "overtime_premium", "gross_pay"]
    g = frame.groupby("employee_id", sort=True)
    summary = g[keep].agg(lambda s: float(sum(Decimal(str(v)) for v in s)))
    summary.insert(0, "weeks", g.size())
    return summary.reset_index()


def audit_frame(result: PayResult, policy_timezone: str | None, calendar_local=None) -> pd.DataFrame:
    """Each segment with the rules that paid it: the ``--detail`` audit trail."""
    seg = result.segments
    if seg is None or len(seg) == 0:
        return pd.DataFrame()
    from .calendar import instants_to_local

    start = instants_to_local(seg["seg_start"].to_numpy(), policy_timezone)
    end = instants_to_local(seg["seg_end"].to_numpy(), policy_timezone)
    rules = np.full(len(seg), "base", dtype=object)
    for name in result.differential_names:
        paid = seg[f"diff:{name}"].to_numpy() > 0
        rules = np.where(paid, rules + f"+{name}", rules)
    rules = np.where(seg["holiday"].to_numpy(), rules + "+holiday", rules)
    rules = np.where(np.asarray(seg["kind"]) == "on_call", "standby", rules)
    return pd.DataFrame(
        {
            "employee_id": cast(np.ndarray, result.employee_ids)[seg["employee"].to_numpy()],
            "row": seg["row"].to_numpy(),
            "kind": np.asarray(seg["kind"], dtype=object),
            "week_start": seg["period_start"].to_numpy().astype("datetime64[D]"),
            "from": start,
            "to": end,
            "hours": seg["minutes"].to_numpy() / 60,
            "base_rate": seg["rate_units"].to_numpy() / 10_000,
            "rules": rules,
            "daily_ot_hours": seg["daily_ot"].to_numpy() / 60,
            "weekly_ot_hours": seg["weekly_ot"].to_numpy() / 60,
            **{f"{TIER_PREFIX}{c[3:]}": seg[c].to_numpy() / 60 for c in seg.columns if c.startswith("ot:")},
            **_rules_and_citations(result, seg),
        }
    )


def detail_view(trail: pd.DataFrame, text_times: bool = True) -> pd.DataFrame:
    """The audit trail as a person reads it: ``week_start`` a date (``2025-10-26``, not a midnight
    date-time), ``from``/``to`` to the minute (``2025-11-01 23:00``; ``text_times=False`` keeps them
    date-times, for a workbook), and ``minutes`` beside ``hours``: the exact whole minutes, since
    hours (7.0333…) are shown to two places."""
    if trail.empty:
        return trail
    out = trail.copy()
    out["week_start"] = iso_dates(trail["week_start"].to_numpy())
    if text_times:
        for c in ("from", "to"):
            out[c] = np.char.replace(np.datetime_as_string(trail[c].to_numpy().astype("datetime64[m]"), unit="m"), "T", " ").astype(object)
    at = list(out.columns).index("hours")
    out.insert(at, "minutes", np.rint(trail["hours"].to_numpy() * 60).astype("int64"))
    return out


def _rules_and_citations(result: PayResult, seg: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every rule that paid a segment, in words (``rule``), and its citation (``citation``).

    The words and citations are engine.RULES; a differential's policy ``citation`` replaces the
    generic 29 CFR 778.207(b). Overtime is named when the segment holds overtime minutes
    (8-and-80 under that system). Parts are joined by " + " and "; ", in the same order.
    """
    policy = result.policy
    n = len(seg)
    on_call = np.asarray(seg["kind"]) == "on_call"
    rule = np.full(n, RULES["base"][0], dtype=object)
    cite = np.full(n, RULES["base"][1], dtype=object)

    def add(mask, key: str, words: str | None = None, citation: str | None = None) -> None:
        nonlocal rule, cite
        rule = np.where(mask, rule + " + " + (words or RULES[key][0]), rule)
        cite = np.where(mask, cite + "; " + (citation or RULES[key][1]), cite)

    own = {d.name: d.citation for d in policy.differential} if policy is not None else {}
    for name in result.differential_names:
        add(seg[f"diff:{name}"].to_numpy() > 0, "differential", f"{name} differential", own.get(name))
    add(seg["holiday"].to_numpy() & (seg["holiday_premium"].to_numpy() != 0), "holiday")
    if policy is not None and policy.on_call is not None:
        add(np.asarray(seg["kind"]) == "callback", "callback")
    ot = policy.overtime if policy is not None else None
    if ot is not None and ot.tiered:  # each tier that paid minutes of the segment, by name and multiplier
        for t in ot.tiers:
            if f"ot:{t.name}" in seg:
                add(seg[f"ot:{t.name}"].to_numpy() > 0, TIER_RULES[t.kind],
                    f"{t.name} overtime x{format(t.multiplier.normalize(), 'f')}", t.citation)
    else:
        add(seg["daily_ot"].to_numpy() > 0, "daily_overtime")
        eight_and_80 = ot is not None and ot.system == "8_and_80"
        add(seg["weekly_ot"].to_numpy() > 0, "8_and_80" if eight_and_80 else "weekly_overtime")
    rule = np.where(on_call, RULES["standby"][0], rule)
    cite = np.where(on_call, RULES["standby"][1], cite)
    return {"rule": rule, "citation": cite}
