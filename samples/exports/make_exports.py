#!/usr/bin/env python3
"""Derive vendor-layout payroll exports from samples/timesheet.csv.

Each file holds the same shifts as the canonical timesheet, laid out the way a common payroll
or time-keeping system exports them; paying it through the map beside it (``<name>.toml``) must
give the same pay lines as paying ``samples/timesheet.csv`` (tests/test_exports.py checks this).
A few vacation / PTO lines are added: the maps drop them (they are not hours worked) and count them.

    python samples/exports/make_exports.py           # (re)write the files beside this script
    python samples/exports/make_exports.py --check   # exit 1 if a file would change

| file | layout | system |
|---|---|---|
| adp_wfn.csv | one row per employee and week, repeating ``Hours N …`` groups (unpivoted) | ADP Workforce Now |
| paychex_flex.csv | one row per line: ``Line Date``, 12-hour ``Start Time``, decimal ``Hours`` | Paychex Flex |
| paychex_flex.xlsx | the same, on sheet ``Hours`` behind a cover sheet, with real Excel dates | Paychex Flex |
| ukg_punches.csv | one row per punch: ``Punch DTM``, ``Punch Type`` In/Out | UKG Pro / Kronos |
| ukg_timecard.csv | ``Date``, ``Pay Code``, ``Amount``, ``In``, ``Out`` (out next day if earlier) | UKG time card |
| peoplesoft.csv | ``Emplid``, ``Earn Begin``/``Earn End`` (PeopleSoft DTTM), ``Earn Cd``, ``Hours`` | PeopleSoft |
| summary_by_code.csv | hours by earnings code and weekly pay period, no punches | any payroll register |

Standard library only, except openpyxl for the XLSX file.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import defaultdict
from datetime import datetime, timedelta, UTC
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
TZ = ZoneInfo("America/New_York")

# Days off paid from a leave bank: dropped by every map (not hours worked), and counted.
LEAVE = [("HL004", "2025-11-19", "VAC", 8), ("HL009", "2025-11-24", "PTO", 8), ("HL012", "2025-11-21", "VAC", 4)]


def load() -> list[dict]:
    with open(SAMPLES / "timesheet.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["s"] = datetime.fromisoformat(r["start"])
        r["e"] = datetime.fromisoformat(r["end"])
        # real elapsed time (a night across the fall-back change is 9 hours on an 8-hour clock)
        real = r["e"].replace(tzinfo=TZ).astimezone(UTC) - r["s"].replace(tzinfo=TZ).astimezone(UTC)
        r["minutes"] = int(real.total_seconds() // 60)
    return rows


def names() -> dict[str, str]:
    with open(SAMPLES / "roster.csv", newline="", encoding="utf-8") as fh:
        return {r["employee_id"]: r["name"] for r in csv.DictReader(fh)}


def hours(minutes: int) -> str:
    """Decimal hours, 2 places: always rounds back to the same whole minute (error <= 0.3 min)."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def week_start(d: datetime) -> datetime:
    day = d.replace(hour=0, minute=0)
    return day - timedelta(days=(day.weekday() + 1) % 7)  # Sunday


def us_date(d) -> str:
    return d.strftime("%m/%d/%Y")


def clock12(d: datetime) -> str:
    return d.strftime("%I:%M %p")


def csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


CODES = {
    "adp": {"work": "REG", "on_call": "STBY", "callback": "CB"},
    "paychex": {"work": "Hourly", "on_call": "On Call", "callback": "Call Back"},
    "ukg": {"work": "Regular", "on_call": "On Call", "callback": "Callback"},
    "ps": {"work": "REG", "on_call": "ONC", "callback": "CBK"},
}


def adp_wfn(rows) -> str:
    """One row per employee, week and job; the week's lines in repeating Hours N groups."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["employee_id"], week_start(r["s"]), r["role"])].append(r)
    for emp, day, code, h in LEAVE:
        d = datetime.fromisoformat(day)
        groups[(emp, week_start(d), "")].append({"kind": code, "s": d.replace(hour=9), "minutes": h * 60, "rate": ""})
    width = max(len(v) for v in groups.values())
    header = ["Company Code", "File Number", "Pay Period Start", "Job Code"]
    for n in range(1, width + 1):
        header += [f"Hours {n} Code", f"Hours {n} Date", f"Hours {n} In", f"Hours {n} Amount", f"Hours {n} Temp Rate"]
    out = []
    for (emp, wk, role), lines in sorted(groups.items()):
        row = ["HLR", emp, us_date(wk), role]
        for r in lines:
            code = CODES["adp"].get(r["kind"], r["kind"])
            row += [code, us_date(r["s"]), clock12(r["s"]), hours(r["minutes"]), r["rate"]]
        row += [""] * (len(header) - len(row))
        out.append(row)
    return csv_text(header, out)


def paychex_rows(rows, who):
    out = []
    for r in rows:
        out.append([r["employee_id"], who[r["employee_id"]], r["role"], CODES["paychex"][r["kind"]], r["rate"],
                    hours(r["minutes"]), r["s"], clock12(r["s"])])
    for emp, day, code, h in LEAVE:
        out.append([emp, who[emp], "", {"VAC": "Vacation", "PTO": "Paid Time Off"}[code], "", f"{h:.2f}",
                    datetime.fromisoformat(day), ""])
    return out


PAYCHEX_HEADER = ["Worker ID", "Worker Name", "Job", "Pay Component", "Rate", "Hours", "Line Date", "Start Time"]


def paychex_flex(rows, who) -> str:
    return csv_text(PAYCHEX_HEADER, [r[:6] + [us_date(r[6]), r[7]] for r in paychex_rows(rows, who)])


def paychex_xlsx(rows, who) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.created = wb.properties.modified = datetime(2025, 12, 1)
    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = "Paychex Flex - Labor Hours export (sample, fictional)"
    ws = wb.create_sheet("Hours")
    ws.append(PAYCHEX_HEADER)
    for r in paychex_rows(rows, who):
        ws.append(r[:5] + [float(r[5]), r[6].replace(hour=0, minute=0), r[7]])  # Line Date: a real Excel date cell
        ws.cell(ws.max_row, 7).number_format = "mm/dd/yyyy"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ukg_punches(rows, who) -> str:
    out = []
    for r in rows:
        for at, kind in ((r["s"], "In"), (r["e"], "Out")):
            out.append([r["employee_id"], who[r["employee_id"]], at.strftime("%m/%d/%Y %H:%M"), kind,
                        CODES["ukg"][r["kind"]], r["role"], r["rate"]])
    out.sort(key=lambda x: (x[0], datetime.strptime(x[2], "%m/%d/%Y %H:%M"), x[3] == "In"))
    header = ["Person Number", "Person Name", "Punch DTM", "Punch Type", "Pay Code", "Labor Level Job", "Wage Override"]
    return csv_text(header, out)


def ukg_timecard(rows) -> str:
    out = []
    for r in rows:
        out.append([r["employee_id"], us_date(r["s"]), CODES["ukg"][r["kind"]], hours(r["minutes"]),
                    r["s"].strftime("%I:%M%p"), r["e"].strftime("%I:%M%p"), r["role"], r["rate"]])
    for emp, day, code, h in LEAVE:
        out.append([emp, us_date(datetime.fromisoformat(day)), "PTO" if code == "PTO" else "Vacation", f"{h:.2f}", "", "", "", ""])
    out.sort(key=lambda x: (x[0], datetime.strptime(x[1], "%m/%d/%Y")))
    return csv_text(["Employee ID", "Date", "Pay Code", "Amount", "In", "Out", "Job", "Wage"], out)


def peoplesoft(rows) -> str:
    dttm = "%Y-%m-%d-%H.%M.%S.000000"
    out = []
    for r in rows:
        out.append([r["employee_id"], 0, r["s"].strftime(dttm), r["e"].strftime(dttm), CODES["ps"][r["kind"]],
                    hours(r["minutes"]), r["rate"], r["role"]])
    for emp, day, code, h in LEAVE:
        d = datetime.fromisoformat(day).replace(hour=9)
        out.append([emp, 0, d.strftime(dttm), (d + timedelta(hours=h)).strftime(dttm), {"VAC": "VAC", "PTO": "SCK"}[code],
                    f"{h:.2f}", "", ""])
    return csv_text(["Emplid", "Empl Rcd", "Earn Begin", "Earn End", "Earn Cd", "Hours", "Comp Rate", "Jobcode"], out)


def summary_by_code(rows) -> str:
    """Hours by employee, weekly pay period, earnings code, job and rate: no clock times."""
    sums: dict[tuple, int] = defaultdict(int)
    for r in rows:
        # a shift across the workweek boundary counts in both weeks, as a payroll register would
        boundary = week_start(r["s"]) + timedelta(days=7)
        first = r["minutes"]
        if r["e"] > boundary:
            first = int((boundary.replace(tzinfo=TZ) - r["s"].replace(tzinfo=TZ)).total_seconds() // 60)
            sums[(r["employee_id"], boundary, CODES["adp"][r["kind"]], r["role"], r["rate"])] += r["minutes"] - first
        sums[(r["employee_id"], week_start(r["s"]), CODES["adp"][r["kind"]], r["role"], r["rate"])] += first
    for emp, day, code, h in LEAVE:
        sums[(emp, week_start(datetime.fromisoformat(day)), code, "", "")] += h * 60
    out = [[emp, us_date(wk), us_date(wk + timedelta(days=6)), code, hours(m), rate, role]
           for (emp, wk, code, role, rate), m in sorted(sums.items())]
    return csv_text(["Employee ID", "Period Begin", "Period End", "Earnings Code", "Hours", "Rate", "Job"], out)


def build() -> dict[str, str | bytes]:
    rows = load()
    who = names()
    return {
        "adp_wfn.csv": adp_wfn(rows),
        "paychex_flex.csv": paychex_flex(rows, who),
        "paychex_flex.xlsx": paychex_xlsx(rows, who),
        "ukg_punches.csv": ukg_punches(rows, who),
        "ukg_timecard.csv": ukg_timecard(rows),
        "peoplesoft.csv": peoplesoft(rows),
        "summary_by_code.csv": summary_by_code(rows),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, data in build().items():
        path = HERE / name
        if isinstance(data, str):
            data = data.encode("utf-8")
        if name.endswith(".xlsx"):  # zip bytes vary with the library version: compare only on write
            if not check:
                path.write_bytes(data)
            continue
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(name)
        if not check:
            path.write_bytes(data)
    if check and stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(("checked " if check else "wrote ") + ", ".join(build().keys()) if not stale or not check else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
