"""Regenerate samples/billing.csv: the units billed for the samples' people in November 2025.

Standard library only, no randomness: each day a person works, a fixed share of the day's hours is
billed (rounded down to whole units), by a code for the role. The shares are invented for the
fictional Harbor Light Recovery Center (README.md); the rates are in fee_schedule.csv.
"""

import csv
from collections import defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# role -> (procedure code, share of paid hours billed): peers and community health workers bill
# peer support, case managers case management, the crisis unit's nurses RN / LPN services
BILLING = {
    "peer_specialist": ("H0038", 0.55),
    "peer_supervisor": ("H0038", 0.15),
    "community_health_worker": ("T1016", 0.45),
    "case_manager": ("T1016", 0.50),
    "rn": ("T1002", 0.45),
    "lpn": ("T1003", 0.45),
}


def main() -> None:
    roles = {r["employee_id"]: r["role"] for r in csv.DictReader(open(HERE / "roster.csv", encoding="utf-8"))}
    minutes: dict[tuple[str, str], int] = defaultdict(int)
    for row in csv.DictReader(open(HERE / "timesheet.csv", encoding="utf-8")):
        if (row.get("kind") or "work") == "on_call":
            continue
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        minutes[row["employee_id"], start.date().isoformat()] += int((end - start).total_seconds() // 60)
    with open(HERE / "billing.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["employee_id", "service_date", "procedure_code", "modifier", "units"])
        for (emp, day), mins in sorted(minutes.items()):
            if day < "2025-11-01" or roles.get(emp) not in BILLING:
                continue
            code, share = BILLING[roles[emp]]
            units = int(mins * share // 15)
            if units:
                w.writerow([emp, day, code, "", units])


if __name__ == "__main__":
    main()
