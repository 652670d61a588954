#!/usr/bin/env python3
"""Regenerate samples/timesheet.csv for the fictional Harbor Light Recovery Center.

One month, 2025-11-01 .. 2025-11-30, in America/New_York wall-clock time. Uses only
the standard library and a fixed seed, so running it again writes the same file.

    python samples/make_samples.py            # write timesheet.csv beside this script
    python samples/make_samples.py --check    # only verify and summarise, write nothing

After writing, the script checks that no employee's work/callback rows overlap, that no
employee's on_call rows overlap, that no work row overlaps an on_call row, that each
callback lies inside one of the employee's on_call rows, that no row is longer than 24 h,
and that no start or end falls in a nonexistent or ambiguous local time. It then prints
hours worked per employee for the workweek Sunday 2025-11-02 .. Saturday 2025-11-08, in
real elapsed time (the DST fall-back hour on 2025-11-02 counts).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, datetime, time, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20251101
TZ = ZoneInfo("America/New_York")
FIRST = date(2025, 11, 1)
LAST = date(2025, 11, 30)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# Main St (outpatient) is closed on Thanksgiving and on Maryland's American Indian
# Heritage Day (the day after). The Harbor Crisis Unit is staffed 24/7.
MAIN_ST_CLOSED = {date(2025, 11, 27), date(2025, 11, 28)}

OUT = Path(__file__).resolve().parent / "timesheet.csv"
FMT = "%Y-%m-%d %H:%M"

rng = random.Random(SEED)
rows: list[dict] = []


def hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def add(emp, day, start, end, kind="work", role="", rate="", jitter=False):
    """Add one row. end <= start means the shift ends on the next day."""
    s = datetime.combine(day, hm(start))
    e = datetime.combine(day, hm(end))
    if e <= s:
        e += timedelta(days=1)
    if jitter and rng.random() < 0.7:
        # time-clock punches: a few minutes early or late
        s += timedelta(minutes=rng.randint(-7, 3))
        e += timedelta(minutes=rng.randint(-2, 9))
    rows.append(dict(employee_id=emp, start=s, end=e, kind=kind, role=role, rate=rate))


def d(day: int) -> date:
    return date(2025, 11, day)


def weekdays(*wds, main_st=True):
    return [x for x in DAYS if x.weekday() in wds and not (main_st and x in MAIN_ST_CLOSED)]


# --- on-call rotation for the after-hours crisis line (17:00 -> 08:00 next day) -------
# week of 2025-10-26 (its last night only) and 11-02: HL004; 11-09: HL005;
# 11-16: HL008 (peer supervisor); 11-23: HL004; 11-30: HL005.
ON_CALL = {}
for x in DAYS:
    if x == FIRST or d(2) <= x <= d(8) or d(23) <= x <= d(29):
        ON_CALL[x] = "HL004"
    elif d(9) <= x <= d(15) or x == d(30):
        ON_CALL[x] = "HL005"
    else:
        ON_CALL[x] = "HL008"


def on_call_nights(emp):
    return {x for x, who in ON_CALL.items() if who == emp}


# --- HL001 peer specialist, Main St, full time: Mon-Fri 08:00-16:30 (42.5 h/week) ----
sick = rng.choice([d(17), d(18), d(19), d(20), d(21)])
for x in weekdays(MON, TUE, WED, THU, FRI):
    if x == sick:
        continue
    # acting peer supervisor while HL008 is on leave 11-24..26 (role override)
    role = "peer_supervisor" if d(24) <= x <= d(26) else ""
    add("HL001", x, "08:00", "16:30", role=role, jitter=True)

# --- HL002 peer specialist, crisis unit nights 23:00-07:00, Sat-Wed nights -----------
# The 11-01 night crosses the fall-back change: 9 real hours.
for x in DAYS:
    if x.weekday() in (SAT, SUN, MON, TUE, WED) or x == d(20):  # picks up Thu 11-20
        add("HL002", x, "23:00", "07:00")

# --- HL003 peer specialist 0.8, crisis unit evenings 15:00-23:00, Thu-Sun -------------
for x in DAYS:
    if x.weekday() in (THU, FRI, SAT, SUN) or x in (d(12), d(26)):  # extra Wednesdays
        end = "00:30" if x == d(15) else "23:00"  # held over past midnight on 11-15
        add("HL003", x, "15:00", end)

# --- HL004 peer specialist 0.6, Main St Mon/Wed/Fri 08:30-16:30; on-call rotation ------
for x in weekdays(MON, WED, FRI):
    add("HL004", x, "08:30", "16:30", jitter=True)

# --- HL005 peer specialist 0.5, Main St Tue/Thu 08:30-16:30 and Sat 09:00-13:00 --------
for x in weekdays(TUE, THU):
    add("HL005", x, "08:30", "16:30", jitter=True)
for x in weekdays(SAT):
    add("HL005", x, "09:00", "13:00", jitter=True)

# --- HL006 peer specialist, casual, crisis unit pick-up shifts ------------------------
add("HL006", d(8), "15:00", "23:00")
add("HL006", d(14), "23:00", "07:00")
add("HL006", d(20), "15:00", "23:00")
add("HL006", d(27), "15:00", "23:00")  # Thanksgiving evening
add("HL006", d(29), "23:00", "07:00", rate="24.50")  # hard-to-fill incentive rate (rate override)

# --- HL007 peer specialist, casual, crisis unit weekend days 07:00-15:00 ---------------
for day in (2, 9, 15, 22, 27, 30):  # 11-27 is Thanksgiving
    add("HL007", d(day), "07:00", "15:00")

# --- HL008 peer supervisor, Main St Mon-Fri 08:00-16:30; on leave 11-24..26 ------------
for x in weekdays(MON, TUE, WED, THU, FRI):
    if d(24) <= x <= d(26):
        continue
    if x in on_call_nights("HL008") or x - timedelta(days=1) in on_call_nights("HL008"):
        add("HL008", x, "08:30", "16:30", jitter=True)  # on-call week: later start
    else:
        add("HL008", x, "08:00", "16:30", jitter=True)

# --- HL009 community health worker, Main St, 4x10 Mon-Thu 07:00-17:00 ----------------
for x in weekdays(MON, TUE, WED, THU):
    add("HL009", x, "07:00", "17:00", jitter=True)

# --- HL010 community health worker, Main St Mon-Fri 09:00-17:30 + outreach events -------
for x in weekdays(MON, TUE, WED, THU, FRI):
    add("HL010", x, "09:00", "17:30", jitter=True)
add("HL010", d(8), "10:00", "14:00")   # Saturday naloxone-distribution event
add("HL010", d(19), "18:00", "20:30")  # evening community meeting (split shift)
add("HL010", d(22), "10:00", "14:00")  # Saturday health fair

# --- HL011 case manager, Main St Mon-Fri, punches out for a 30-minute lunch -----------
for x in weekdays(MON, TUE, WED, THU, FRI):
    add("HL011", x, "08:00", "12:00", jitter=True)
    add("HL011", x, "12:30", "16:30", jitter=True)

# --- HL012 case manager, crisis unit Mon-Fri 08:00-16:30 (works Fri 11-28) -------------
for x in weekdays(MON, TUE, WED, THU, FRI, main_st=False):
    if x != d(27):
        add("HL012", x, "08:00", "16:30", jitter=True)

# --- HL013 case manager 0.8, Main St Mon-Thu 08:00-16:00 ------------------------------
for x in weekdays(MON, TUE, WED, THU):
    add("HL013", x, "08:00", "16:00", jitter=True)

# --- HL014 LPN 0.9, crisis unit 12.5-hour days 07:00-19:30 ----------------------------
for day in (1, 3, 4, 6, 9, 10, 12, 13, 16, 19, 21, 24, 26, 27, 30):  # 4 shifts week of 11-09
    add("HL014", d(day), "07:00", "19:30")

# --- HL015 RN 0.9, crisis unit 12.5-hour nights 19:00-07:30 ---------------------------
# The 11-01 night crosses the fall-back change: 13.5 real hours.
for day in (1, 4, 5, 8, 11, 12, 15, 18, 19, 22, 25, 26, 29):
    add("HL015", d(day), "19:00", "07:30")

# --- HL016 RN 0.9, crisis unit 12.5-hour days 07:00-19:30 -----------------------------
for day in (2, 3, 5, 9, 11, 14, 16, 17, 20, 22, 23, 25, 28, 30):  # 4 shifts week of 11-16
    add("HL016", d(day), "07:00", "19:30")

# HL017 (program director) is salaried and exempt: no timesheet rows.

# --- on-call standby rows and the call-backs inside them ------------------------------
for x, emp in sorted(ON_CALL.items()):
    add(emp, x, "17:00", "08:00", kind="on_call")

CALLBACKS = [
    ("HL004", 1, "21:30", "22:15"),   # 45 min, before the fall-back hour
    ("HL004", 4, "02:10", "04:40"),   # 2.5 h, under the 3 h minimum
    ("HL004", 6, "19:20", "23:05"),
    ("HL004", 23, "20:00", "21:00"),
    ("HL004", 27, "18:40", "19:25"),  # 45 min on Thanksgiving
    ("HL004", 29, "03:15", "06:00"),
    ("HL005", 10, "22:50", "00:20"),  # crosses midnight
    ("HL005", 12, "05:30", "07:45"),
    ("HL005", 14, "18:05", "18:50"),  # 45 min
    ("HL005", 30, "21:00", "23:30"),
    ("HL008", 17, "01:00", "02:15"),
    ("HL008", 19, "17:45", "21:15"),
    ("HL008", 21, "23:40", "00:25"),  # 45 min, crosses midnight
]
for emp, day, s, e in CALLBACKS:
    add(emp, d(day), s, e, kind="callback")

rows.sort(key=lambda r: (r["employee_id"], r["start"], r["kind"] != "on_call"))


# --- checks ---------------------------------------------------------------------------
def to_utc(naive: datetime) -> datetime:
    """First occurrence of an ambiguous time, as the contract says."""
    return naive.replace(tzinfo=TZ, fold=0).astimezone(UTC)


def local_problem(naive: datetime) -> str | None:
    a = naive.replace(tzinfo=TZ, fold=0)
    b = naive.replace(tzinfo=TZ, fold=1)
    if a.utcoffset() != b.utcoffset():
        # fold=0/1 differ both for ambiguous and for nonexistent times
        back = a.astimezone(UTC).astimezone(TZ).replace(tzinfo=None)
        return "nonexistent" if back != naive else "ambiguous"
    return None


def overlaps(intervals):
    """Pairs of neighbours (in start order) that overlap, as readable text."""
    intervals = sorted(intervals)
    show = lambda iv: f"{iv[0]:%Y-%m-%d %H:%M}..{iv[1]:%Y-%m-%d %H:%M}"
    return [(show(p), show(q)) for p, q in zip(intervals, intervals[1:]) if q[0] < p[1]]


def check() -> list[str]:
    errors = []
    by_emp: dict[str, list[dict]] = {}
    for r in rows:
        by_emp.setdefault(r["employee_id"], []).append(r)
        for col in ("start", "end"):
            prob = local_problem(r[col])
            if prob:
                errors.append(f"{r['employee_id']} {r[col]:%Y-%m-%d %H:%M} is {prob}")
        real = to_utc(r["end"]) - to_utc(r["start"])
        if not timedelta(0) < real <= timedelta(hours=24):
            errors.append(f"{r['employee_id']} {r['start']} bad length {real}")
    for emp, rs in by_emp.items():
        for clock in (to_utc, lambda t: t):  # real time and wall-clock time
            worked = [(clock(r["start"]), clock(r["end"])) for r in rs if r["kind"] != "on_call"]
            work = [(clock(r["start"]), clock(r["end"])) for r in rs if r["kind"] == "work"]
            call = [(clock(r["start"]), clock(r["end"])) for r in rs if r["kind"] == "on_call"]
            for p, q in overlaps(worked):
                errors.append(f"{emp}: worked rows overlap {p} / {q}")
            for p, q in overlaps(call):
                errors.append(f"{emp}: on_call rows overlap {p} / {q}")
            # work and on_call rows each overlap nothing of their own kind (checked above),
            # so any overlap left in their union is between a work row and an on_call row
            n_mixed = len(overlaps(work + call)) - len(overlaps(work)) - len(overlaps(call))
            if n_mixed > 0:
                errors.append(f"{emp}: a work row overlaps an on_call row")
            for r in rs:
                if r["kind"] == "callback":
                    s, e = clock(r["start"]), clock(r["end"])
                    if not any(cs <= s and e <= ce for cs, ce in call):
                        errors.append(f"{emp}: callback {r['start']} outside on_call")
    return errors


def week_hours(week_start: date):
    lo = to_utc(datetime.combine(week_start, time(0)))
    hi = to_utc(datetime.combine(week_start + timedelta(days=7), time(0)))
    worked: dict[str, float] = {}
    standby: dict[str, float] = {}
    for r in rows:
        s, e = max(to_utc(r["start"]), lo), min(to_utc(r["end"]), hi)
        h = max((e - s).total_seconds(), 0) / 3600
        target = standby if r["kind"] == "on_call" else worked
        target[r["employee_id"]] = target.get(r["employee_id"], 0.0) + h
    return worked, standby


def write() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["employee_id", "start", "end", "kind", "role", "rate"])
        for r in rows:
            w.writerow([r["employee_id"], r["start"].strftime(FMT), r["end"].strftime(FMT),
                        r["kind"], r["role"], r["rate"]])


def main(argv: list[str]) -> int:
    errors = check()
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    if errors:
        return 1
    if "--check" not in argv:
        write()
        print(f"wrote {OUT} ({len(rows)} rows)")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print("rows by kind:", ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    worked, standby = week_hours(date(2025, 11, 2))
    print("workweek 2025-11-02..08, real hours (work+callback / on_call):")
    for emp in sorted(set(worked) | set(standby)):
        print(f"  {emp}  {worked.get(emp, 0):6.2f}  {standby.get(emp, 0):6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
