"""Pay lines written as a payroll system's earnings import (``peerpay pay --export VENDOR|MAP``).

The layout is an earnings map's ``[export]`` section (:mod:`peerpay.io.earnings_map`); the
shipped maps for ADP Workforce Now (paydata import, the EPI CSV), Paychex Flex (Standard
Payroll Import) and UKG Pro (earnings import) are ``samples/exports/earnings/{adp_paydata,paychex_spi,
ukg_earnings}.toml``, and docs/audit.md says where each vendor describes its layout.

What is written, per employee and workweek (per employee for the whole run when the layout has
no dates, as an ADP paydata batch is one pay period): one line per pay component that is not
zero, with the map's first earning code for it, the amount in dollars and cents (exact text from
whole cents, never a float), and the hours where the component has them (hours worked on the base
line, overtime hours on the overtime line, on-call hours on the standby line; two decimals, which
always come back to the same minute). Each premium is its own line: base pay covers every hour
worked at straight time, so the payroll system must pay each line's amount as given and apply no
multiplier of its own. Control totals (lines, employees, hours and dollars per code, and in all)
go to a file beside the import, or a last line, as the layout says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.audit import HOURS_COLUMN, components, line_column, period_days
from ..errors import InputError
from ..models.policy import Policy
from .earnings_map import EarningsMap, export_slot, normal_code, read_earnings_map
from .resources import SAMPLES_DIR, package_file

#: ``--export NAME`` -> the shipped earnings map that lays out that payroll system's import
VENDORS = {"adp": "adp_paydata.toml", "paychex": "paychex_spi.toml", "ukg": "ukg_earnings.toml"}


def vendor_map(name_or_path: str) -> tuple[EarningsMap, str]:
    """``adp`` / ``paychex`` / ``ukg`` (a shipped map) or a map file's path -> (map, where it came from)."""
    key = name_or_path.strip().lower()
    if key in VENDORS:
        node = package_file(f"{SAMPLES_DIR}/exports/earnings/{VENDORS[key]}")
        if not node.is_file():
            raise InputError(f"--export {key}: the shipped map {VENDORS[key]} is missing from this installation (reinstall peerpay)")
        from .earnings_map import loads_earnings_map

        try:
            return loads_earnings_map(node.read_text(encoding="utf-8")), VENDORS[key]
        except ValueError as exc:  # a shipped file is checked by the tests; say so plainly if it ever breaks
            raise InputError(f"--export {key}: the shipped map {VENDORS[key]} is invalid: {exc}") from None
    path = Path(name_or_path)
    if path.suffix.lower() != ".toml" and not path.exists():
        raise InputError(f"--export {name_or_path!r}: give adp, paychex, ukg or an earnings map file (.toml) with an [export] section")
    emap = read_earnings_map(path)
    if emap.export is None:
        raise InputError.at(path, "has no [export] section: it cannot lay out an earnings import (docs/audit.md)")
    return emap, path.name


@dataclass(frozen=True)
class EarningsImport:
    """The import file's text, its control totals (a table), and its lines (for tests and notes)."""

    text: str
    control: pd.DataFrame
    lines: pd.DataFrame  # employee_id, period_start, period_end, component, code, minutes (-1: none), cents, order


def import_lines(lines: pd.DataFrame, diff_names, policy: Policy, emap: EarningsMap) -> pd.DataFrame:
    """The pay lines as earnings lines: one per employee, period and non-zero component, with its code.

    Raises InputError naming the components the map has no code for (only those with pay)."""
    comps = components(diff_names, policy.minimum_shift is not None)
    codes = emap.codes.by_component()
    missing = [c for c in comps if not codes.get(c) and len(lines) and int(lines[line_column(c)].abs().sum())]
    if missing:
        raise InputError(f"the earnings map has no code for {', '.join(missing)}, which this run pays: list one under [codes]"
                         + (" ([codes.differential] by the policy's differential names)" if any(m.startswith("differential:") for m in missing) else ""))
    week = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    dated = emap.period is not None
    parts = []
    for order, c in enumerate(comps):
        cents = lines[line_column(c)].to_numpy(dtype="int64")
        minutes = lines[HOURS_COLUMN[c]].to_numpy(dtype="int64") if c in HOURS_COLUMN else np.full(len(lines), -1, dtype="int64")
        parts.append(pd.DataFrame({"employee_id": lines["employee_id"].to_numpy(dtype=object), "period_start": week,
                                   "component": c, "code": codes[c][0] if codes.get(c) else "", "minutes": minutes,
                                   "cents": cents, "order": order}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["employee_id", "period_start", "component", "code", "minutes", "cents", "order"])
    if not dated:  # one pay period for the whole file: per employee and component over every week
        first = int(week.min()) if len(week) else 0
        out = out.groupby(["employee_id", "order", "component", "code"], as_index=False, sort=False).agg(
            minutes=("minutes", "sum"), cents=("cents", "sum"))
        out["minutes"] = np.where(out["minutes"] < 0, -1, out["minutes"])  # components without hours stay without
        out["period_start"] = first
        out["period_end"] = int(week.max()) + period_days(policy) - 1 if len(week) else 0
    else:
        out["period_end"] = out["period_start"] + period_days(policy) - 1
    out = out[(out["cents"] != 0)]
    out = out.sort_values(["employee_id", "period_start", "order"], kind="stable").reset_index(drop=True)
    return out[["employee_id", "period_start", "period_end", "component", "code", "minutes", "cents", "order"]]


def write_import(lines: pd.DataFrame, diff_names, policy: Policy, emap: EarningsMap) -> EarningsImport:
    """The earnings import for pay lines (the engine's lines frame: cents and minutes)."""
    ex = emap.export
    if ex is None:
        raise InputError("the earnings map has no [export] section")
    found = import_lines(lines, diff_names, policy, emap)
    columns = list(ex.columns)
    lowered = {c.strip().lower(): c for c in columns}
    cells: dict[str, np.ndarray] = {c: np.full(len(found), "", dtype=object) for c in columns}
    for col, value in ex.constants.items():
        cells[lowered[col.strip().lower()]][:] = value
    cells[lowered[emap.columns.employee_id.strip().lower()]] = found["employee_id"].to_numpy(dtype=object)
    fmt = ex.date_format or (emap.period.date_format if emap.period else "%Y-%m-%d")
    if emap.period is not None:
        p = emap.period
        for name, days in ((p.week, found["period_start"]), (p.begin, found["period_start"]), (p.end, found["period_end"])):
            if name:
                cells[lowered[name.strip().lower()]] = _dates(days.to_numpy(dtype="int64"), fmt)
    money = cents_text(found["cents"].to_numpy(dtype="int64"))
    hours = hours_text(found["minutes"].to_numpy(dtype="int64"))
    with_hours = found["component"].isin(list(ex.hours_for)).to_numpy() & (found["minutes"].to_numpy() >= 0)
    slot = _slots(emap, found["code"].to_numpy(dtype=object))
    for k, (source_slot, needs_code) in enumerate(slot["slots"]):
        mine = slot["which"] == k
        if not mine.any():
            continue
        if needs_code:
            cells[source_slot["code_column"]] = np.where(mine, found["code"].to_numpy(dtype=object), cells[source_slot["code_column"]])
        cells[source_slot["amount"]] = np.where(mine, money, cells[source_slot["amount"]])
        if "hours" in source_slot:
            cells[source_slot["hours"]] = np.where(mine & with_hours, hours, cells[source_slot["hours"]])
    control = control_totals(found)
    body = pd.DataFrame({c: cells[c] for c in columns})
    if ex.control == "line" and len(found):
        total = {c: "" for c in columns}
        total.update({lowered[k.strip().lower()]: v for k, v in ex.constants.items()})
        total[lowered[emap.columns.employee_id.strip().lower()]] = ex.control_label
        first = next(s for s, needs in slot["slots"] if needs)
        total[first["amount"]] = cents_text(np.array([found["cents"].sum()]))[0]
        if "hours" in first:
            minutes = found["minutes"].to_numpy()[with_hours]
            total[first["hours"]] = hours_text(np.array([minutes.sum()]))[0]
        body = pd.concat([body, pd.DataFrame([total])], ignore_index=True)
    from .writers import safe_frame  # a cell a spreadsheet would run (=, +, @...) gets a leading ': numbers are data

    return EarningsImport(csv_text(safe_frame(body)), control, found)


def _slots(emap: EarningsMap, codes: np.ndarray) -> dict:
    """Which ``[[earnings]]`` source writes each line: a fixed-code source for its own code (ADP's
    Reg and O/T columns), else the first source with a code column in the layout."""
    ex = emap.export
    assert ex is not None
    slots: list[tuple[dict, bool]] = []
    which = np.full(len(codes), -1, dtype="int64")
    normal = np.array([normal_code(c) for c in pd.unique(codes)], dtype=object)
    lookup = dict(zip(pd.unique(codes), normal))
    norm = np.array([lookup[c] for c in codes], dtype=object) if len(codes) else np.zeros(0, dtype=object)
    for source in emap.earnings:
        found = export_slot(source, ex.columns)
        if found is None or "amount" not in found:
            continue
        if source.code is not None:
            hit = (which < 0) & (norm == normal_code(source.code))
        else:
            hit = which < 0
        if hit.any():
            which[hit] = len(slots)
        slots.append((found, source.code is None))
    if (which < 0).any():
        left = sorted({str(c) for c in codes[which < 0]})
        raise InputError(f"the earnings map's [export] layout has no place for code(s) {', '.join(left)}: give an [[earnings]] "
                         "code_column with an amount column among export.columns")
    return {"slots": slots, "which": which}


def control_totals(found: pd.DataFrame) -> pd.DataFrame:
    """Per earning code and in all: lines, employees, hours (where lines have them) and dollars."""
    if not len(found):
        return pd.DataFrame({"code": ["TOTAL"], "component": [""], "lines": [0], "employees": [0], "hours": ["0.00"], "amount": ["0.00"]})
    f = found.assign(m=np.maximum(found["minutes"].to_numpy(), 0))
    g = f.groupby(["order", "code", "component"], sort=True).agg(lines=("cents", "size"), employees=("employee_id", "nunique"),
                                                                minutes=("m", "sum"), cents=("cents", "sum")).reset_index()
    total = pd.DataFrame({"code": ["TOTAL"], "component": [""], "lines": [len(f)], "employees": [f["employee_id"].nunique()],
                          "minutes": [int(f["m"].sum())], "cents": [int(f["cents"].sum())]})
    g = pd.concat([g, total], ignore_index=True)
    return pd.DataFrame({"code": g["code"], "component": g["component"], "lines": g["lines"].astype("int64"),
                         "employees": g["employees"].astype("int64"), "hours": hours_text(g["minutes"].to_numpy(dtype="int64")),
                         "amount": cents_text(g["cents"].to_numpy(dtype="int64"))})


# ------------------------------------------------------------------------------- exact text


def cents_text(cents: np.ndarray) -> np.ndarray:
    """Whole cents -> "1234.50" (no thousands separator: importers read plain numbers), by integer arithmetic."""
    cents = np.asarray(cents, dtype="int64")
    mag = np.abs(cents)
    whole = pd.Series(mag // 100).astype(str)
    frac = pd.Series(mag % 100).astype(str).str.zfill(2)
    sign = np.where(cents < 0, "-", "")
    return (sign + (whole + "." + frac).to_numpy(dtype=object)).astype(object)


def hours_text(minutes: np.ndarray) -> np.ndarray:
    """Minutes -> hours to two places, half-up ("8.58"); -1 (no hours) -> "". Two places always
    read back to the same minute (0.01 h = 0.6 min)."""
    minutes = np.asarray(minutes, dtype="int64")
    none = minutes < 0
    hundredths = (np.maximum(minutes, 0) * 100 * 2 + 60) // (60 * 2)
    out = cents_text(hundredths)
    return np.where(none, "", out).astype(object)


def _dates(days: np.ndarray, fmt: str) -> np.ndarray:
    codes, uniques = pd.factorize(days)
    text = pd.to_datetime(uniques.astype("int64"), unit="D").strftime(fmt).to_numpy(dtype=object)
    return text[codes] if len(codes) else np.zeros(0, dtype=object)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with numbers bare and text quoted only where it must be (a comma, a quote, a line break):
    the plain layout payroll importers read."""
    def quoted(values) -> pd.Series:
        s = pd.Series(values, dtype=object).astype(str)
        needs = s.str.contains(r'[",\r\n]', regex=True)
        return s.where(~needs, '"' + s.str.replace('"', '""', regex=False) + '"')

    header = ",".join(quoted(list(frame.columns)).tolist())
    if not len(frame):
        return header + "\n"
    cols = [quoted(frame[c].to_numpy(dtype=object)) for c in frame.columns]
    rows = cols[0].str.cat(cols[1:], sep=",") if len(cols) > 1 else cols[0]
    return header + "\n" + "\n".join(rows.tolist()) + "\n"
