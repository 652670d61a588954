"""Generate a large synthetic docs/formats.md §1 timesheet for benchmarks (and a matching policy).

Every employee keeps one shift pattern for the year (day 07:00, evening 15:00, night 23:00
across midnight, or 12-hour day/night 07:00/19:00) with a few minutes of clock-in jitter, works
about 60 % of the days including weekends and holidays, and is on call (08:00-20:00) on some of
the days off, with a call-back inside about half of those on-call periods. Shifts of one
employee never overlap (a shift ends at most 12.5 h + 5 min after it starts, before the next
day's shift of the same pattern begins), so a clean run pays every row.

Deterministic for a given ``--seed``; vectorised numpy and pyarrow's CSV writer (1 M rows in a
couple of seconds). ``--files K`` splits the rows into K files by date (employees then cross
file boundaries, as real monthly exports do); ``--bad N`` corrupts N rows (blank end, end before
start, an overlapping copy) to exercise rejections.

    python benchmarks/generate_timesheets.py --rows 1000000 --out /tmp/ts_1m.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

POLICY = '''\
# Benchmark policy: every rule peerpay has, so the benchmark exercises all of them.
timezone = "America/New_York"

[workweek]
start_day = "sunday"

[overtime]
weekly_hours = 40
daily_hours = 8
multiplier = 1.5
basis = "regular_rate"

[[differential]]
name = "evening"
start = "15:00"
end = "23:00"
per_hour = 1.50
group = "shift"

[[differential]]
name = "night"
start = "23:00"
end = "07:00"
per_hour = 2.50
group = "shift"

[[differential]]
name = "weekend"
days = ["sat", "sun"]
percent = 5
group = "weekend"

[holiday]
country = "US"
subdivision = "NY"
observed = true
multiplier = 1.5

[on_call]
standby_per_hour = 3.00
callback_multiplier = 1.5
callback_minimum_hours = 2
'''

# (start minute of day, length in minutes) per pattern
PATTERNS = np.array(
    [(7 * 60, 510), (15 * 60, 510), (23 * 60, 510), (7 * 60, 750), (19 * 60, 750), (8 * 60, 600)],
    dtype="int64",
)
PATTERN_WEIGHTS = np.array([0.35, 0.2, 0.15, 0.1, 0.1, 0.1])
ROWS_PER_EMPLOYEE_YEAR = 250  # ~219 worked days + ~23 on-call + ~12 call-backs
ROWS_PER_DAY = 0.6 + 0.4 * 0.16 * 1.5


def generate(rows: int, seed: int = 2025, year: int = 2025, employees: int | None = None) -> pa.Table:
    """About ``rows`` shifts (columns employee_id,start,end,kind,rate), sorted by start then employee."""
    rng = np.random.default_rng(seed)
    n_emp = employees or max(1, round(rows / ROWS_PER_EMPLOYEE_YEAR))
    days_in_year = int((np.datetime64(f"{year + 1}-01-01") - np.datetime64(f"{year}-01-01")).astype(int))
    # ~0.7 rows per employee-day (0.6 worked + 0.1 on call/call-back): a year at 250 rows each
    n_days = min(max(1, int(np.ceil(rows / n_emp / ROWS_PER_DAY))), days_in_year * 20)
    day0 = np.datetime64(f"{year}-01-01", "D").astype("int64")

    pattern = rng.choice(len(PATTERNS), size=n_emp, p=PATTERN_WEIGHTS)
    rate_cents = rng.integers(1800, 4500, size=n_emp)  # $18.00-$44.99/h
    p_work = rng.uniform(0.55, 0.65, size=n_emp)

    # one cell per employee and day: work, on call, or off
    u = rng.random((n_emp, n_days))
    work = u < p_work[:, None]
    on_call = (~work) & (rng.random((n_emp, n_days)) < 0.16)
    callback = on_call & (rng.random((n_emp, n_days)) < 0.5)

    def cells(mask):
        e, d = np.nonzero(mask)
        return e, day0 + d

    e_w, d_w = cells(work)
    jitter = rng.integers(-5, 6, size=(2, len(e_w)))
    s_w = d_w * 1440 + PATTERNS[pattern[e_w], 0] + jitter[0]
    en_w = s_w - jitter[0] + PATTERNS[pattern[e_w], 1] + jitter[1]

    e_o, d_o = cells(on_call)
    s_o = d_o * 1440 + 8 * 60
    en_o = d_o * 1440 + 20 * 60

    e_c, d_c = cells(callback)
    s_c = d_c * 1440 + rng.integers(9 * 60, 17 * 60, size=len(e_c))
    en_c = s_c + rng.integers(45, 181, size=len(e_c))

    emp = np.concatenate([e_w, e_o, e_c])
    start = np.concatenate([s_w, s_o, s_c])
    end = np.concatenate([en_w, en_o, en_c])
    kind = np.concatenate(
        [np.zeros(len(e_w), "int8"), np.ones(len(e_o), "int8"), np.full(len(e_c), 2, "int8")]
    )
    order = np.lexsort((kind, emp, start))
    emp, start, end, kind = emp[order], start[order], end[order], kind[order]

    width = len(str(n_emp))
    ids = np.array([f"E{i:0{width}d}" for i in range(n_emp)], dtype=object)
    kinds = np.array(["work", "on_call", "callback"], dtype=object)

    def stamps(minutes):
        ts = pa.array(minutes.astype("datetime64[m]").astype("datetime64[s]"))
        return pc.strftime(ts, format="%Y-%m-%d %H:%M")

    rate = pa.array(rate_cents[emp] / 100.0)
    return pa.table(
        {
            "employee_id": pa.array(ids[emp], type=pa.string()),
            "start": stamps(start),
            "end": stamps(end),
            "kind": pa.array(kinds[kind], type=pa.string()),
            "rate": rate,
        }
    )


def corrupt(table: pa.Table, n_bad: int, seed: int) -> pa.Table:
    """Spoil ``n_bad`` rows: a blank end, an end before the start, an overlapping duplicate."""
    if n_bad <= 0:
        return table
    rng = np.random.default_rng(seed + 1)
    df = table.to_pandas()
    pos = rng.choice(len(df), size=min(n_bad, len(df)), replace=False)
    third = np.array_split(pos, 3)
    df.loc[third[0], "end"] = ""
    df.loc[third[1], "end"] = df.loc[third[1], "start"].str.slice(0, 10) + " 00:00"
    dup = df.loc[third[2]].copy()
    dup["start"] = dup["start"].str.slice(0, 14) + "30"
    df = __import__("pandas").concat([df, dup]).reset_index(drop=True)
    return pa.Table.from_pandas(df, preserve_index=False)


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="approximate number of shifts")
    ap.add_argument("--employees", type=int, help="default: rows / 250 (a year of shifts each)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, required=True, help="CSV file (or folder with --files)")
    ap.add_argument("--files", type=int, default=1, help="split into this many files by date")
    ap.add_argument("--bad", type=int, default=0, help="corrupt this many rows")
    ap.add_argument("--policy", type=Path, help="also write the matching policy TOML here")
    args = ap.parse_args(argv)
    table = corrupt(generate(args.rows, args.seed, employees=args.employees), args.bad, args.seed)
    if args.files <= 1:
        write_csv(table, args.out)
    else:
        bounds = np.linspace(0, len(table), args.files + 1).astype(int)
        for i in range(args.files):
            write_csv(table.slice(bounds[i], bounds[i + 1] - bounds[i]), args.out / f"part-{i:03d}.csv")
    if args.policy:
        args.policy.write_text(POLICY)
    print(f"{len(table):,} rows -> {args.out}")


if __name__ == "__main__":
    main()
