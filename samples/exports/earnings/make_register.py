#!/usr/bin/env python3
"""Write samples/exports/earnings/register.csv: the payroll register for samples/timesheet.csv, with three mistakes.

A biweekly "earnings detail" register such as payroll systems export (one line per employee, pay
period and earning code, with hours, rate and amount), built from peerpay's own pay lines for the
sample timesheet, so that ``peerpay audit`` of it against the sample policy finds exactly the three
underpayments made here on purpose (tests/test_audit_samples.py works each one out by hand):

1. HL002's **night differential** is missing for the pay period 11/09-11/22 (no NGT line): $220.00.
2. HL004's **standby** for 11/23-12/06 is paid at last year's $2.00 an hour, not $3.00: 105 h, $105.00.
3. HL016's **overtime** for 11/09-11/22 is paid at 1.5 x the base rate, leaving the differentials
   out of the regular rate (29 CFR 778.207(b)): $8.88.

Overtime lines pay the whole overtime hour (straight time + premium, the map's ``full_rate``), so
the regular lines hold the hours worked less the overtime hours. Leave (PTO, VAC) and a cell-phone
allowance are in the register too; the map ignores them by name.

    python samples/exports/earnings/make_register.py           # (re)write register.csv beside this script
    python samples/exports/earnings/make_register.py --check   # exit 1 if the file would change

Needs peerpay installed (it pays the sample timesheet).
"""

from __future__ import annotations

import csv
import io
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent.parent
PERIODS = [("2025-10-26", "2025-11-08"), ("2025-11-09", "2025-11-22"), ("2025-11-23", "2025-12-06")]
LEAVE = [("HL004", "2025-11-19", "VAC", 8), ("HL009", "2025-11-24", "PTO", 8), ("HL012", "2025-11-21", "VAC", 4)]
CELL_PHONE = {"HL004": "25.00", "HL005": "25.00", "HL008": "25.00"}  # on-call staff: a monthly allowance, 2nd period
DESCRIPTION = {"REG": "Regular", "OT": "Overtime 1.5", "EVE": "Evening differential", "NGT": "Night differential",
               "WKD": "Weekend differential 5%", "HOLP": "Holiday worked premium", "STBY": "Standby (on call)",
               "CBP": "Call-back premium", "VAC": "Vacation", "PTO": "Paid time off", "CELL": "Cell phone allowance"}
DIFF_CODE = {"evening": "EVE", "night": "NGT", "weekend": "WKD"}


def day(text: str) -> int:
    return int(np.datetime64(text, "D").astype("int64"))


def money(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"


def hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rate(cents: int, minutes: int) -> str:
    return str((Decimal(cents) * 60 / 100 / minutes).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)) if minutes else ""


def half_up(num: int, den: int) -> int:
    return (2 * num + den) // (2 * den)


def us(text: str) -> str:
    y, m, d = text.split("-")
    return f"{m}/{d}/{y}"


def build() -> str:
    from peerpay.jobs.pay import run_pay

    run = run_pay(SAMPLES / "timesheet.csv", SAMPLES / "policy.toml", SAMPLES / "roster.csv", SAMPLES / "schedule.csv")
    names = {r["employee_id"]: r["name"] for r in csv.DictReader(open(SAMPLES / "roster.csv", encoding="utf-8"))}
    lines = run.result.lines
    seg = run.result.segments
    seg_emp = np.asarray(run.result.employee_ids, dtype=object)[seg["employee"].to_numpy()]
    seg_day = seg["date"].to_numpy()
    kind = np.asarray(seg["kind"], dtype=object)
    week = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    rows = []
    for first, last in PERIODS:
        lo, hi = day(first), day(last)
        pay_date = str(np.datetime64(hi + 6, "D"))
        for emp in sorted(set(lines["employee_id"])):
            mine = lines[(lines["employee_id"] == emp).to_numpy() & (week >= lo) & (week <= hi)]
            s = (seg_emp == emp) & (seg_day >= lo) & (seg_day <= hi)
            out = []
            if len(mine):
                base, worked = int(mine["base_pay"].sum()), int(mine["worked_minutes"].sum())
                ot_min, premium = int(mine["overtime_minutes"].sum()), int(mine["overtime_premium"].sum())
                straight = half_up(base * ot_min, worked) if worked else 0  # the overtime hours at the average base rate
                if worked:
                    out.append(["REG", worked - ot_min, base - straight, rate(base, worked)])
                if ot_min:
                    amount = straight + premium
                    if (emp, first) == ("HL016", "2025-11-09"):  # mistake 3: 1.5 x base, differentials left out
                        ot_rate = Decimal("1.5") * Decimal("42.03")  # rn step 2 (samples/schedule.csv)
                        amount = int((ot_rate * ot_min / 60 * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                        out.append(["OT", ot_min, amount, f"{ot_rate:.4f}"])
                    else:
                        out.append(["OT", ot_min, amount, rate(amount, ot_min)])
                for name, code in DIFF_CODE.items():
                    cents = int(mine[f"diff:{name}"].sum())
                    if not cents or (emp, first, code) == ("HL002", "2025-11-09", "NGT"):  # mistake 1: no night line
                        continue
                    minutes = int(seg["minutes"].to_numpy()[s & (seg[f"diff:{name}"].to_numpy() > 0)].sum())
                    out.append([code, minutes, cents, rate(cents, minutes)])
                if cents := int(mine["holiday_premium"].sum()):
                    minutes = int(seg["minutes"].to_numpy()[s & seg["holiday"].to_numpy() & (kind != "on_call")].sum())
                    out.append(["HOLP", minutes, cents, rate(cents, minutes)])
                if cents := int(mine["standby_pay"].sum()):
                    minutes = int(mine["on_call_minutes"].sum())
                    if (emp, first) == ("HL004", "2025-11-23"):  # mistake 2: last year's standby rate
                        cents = minutes * 200 // 60
                    out.append(["STBY", minutes, cents, rate(cents, minutes)])
                if cents := int(mine["callback_premium"].sum()):
                    minutes = int(seg["minutes"].to_numpy()[s & (kind == "callback")].sum())
                    out.append(["CBP", minutes, cents, rate(cents, minutes)])
            for who, when, code, h in LEAVE:
                if who == emp and lo <= day(when) <= hi:
                    cents = int(Decimal(rate(int(mine["base_pay"].sum()), int(mine["worked_minutes"].sum()))) * h * 100)
                    out.append([code, h * 60, cents, rate(cents, h * 60)])
            if emp in CELL_PHONE and first == PERIODS[1][0]:
                out.append(["CELL", None, int(Decimal(CELL_PHONE[emp]) * 100), ""])
            for code, minutes, cents, r in out:
                rows.append(["HLR", us(pay_date), us(first), us(last), emp, names[emp], code, DESCRIPTION[code],
                             "" if minutes is None else hours(minutes), r, money(cents)])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Company", "Pay Date", "Period Start", "Period End", "Employee ID", "Employee Name", "Earn Code",
                "Description", "Hours", "Rate", "Amount"])
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    text = build()
    path = HERE / "register.csv"
    if "--check" in argv:
        same = path.exists() and path.read_text(encoding="utf-8") == text
        print(f"{path.name}: {'up to date' if same else 'would change'}")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
