"""Benchmark of `peerpay cost` (issue 12): 1 M shifts, two proposals, against one `peerpay pay`.

Generates the timesheet with ``generate_timesheets.py`` (its policy has every rule), drops the
per-row ``rate`` so that every shift is paid from a wage schedule, and writes a roster (roles,
steps, hire dates spread over the year, some on 29 February) and a schedule to match. Then runs,
each in a fresh process under ``/usr/bin/time -v``:

1. ``peerpay pay -f csv`` of the file (the yardstick);
2. ``peerpay cost -f json`` of the same file with a union and a management proposal (raises,
   a floor, a new step, step movement on anniversaries, a night differential for peers only,
   standby, a lump sum, retro pay).

    python benchmarks/bench_cost.py --rows 1000000

Goal (issue 12): cost <= 4 x the time of pay, peak RSS <= 2 GB. Appends the table to RESULTS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_pay import measure  # noqa: E402

ROLES = {"peer_specialist": 19.0, "case_manager": 24.0, "rn": 42.0}
STEPS = 6

UNION = """name = "Union"
term_start = 2026-01-01
years = 3
[[increase]]
effective = 2026-01-01
percent = 5
[[increase]]
effective = 2027-01-01
percent = 4.5
[[increase]]
effective = 2028-01-01
percent = 4
[[increase]]
effective = 2026-01-01
cents_per_hour = 75
roles = ["peer_specialist"]
[[floor]]
effective = 2027-01-01
hourly = 21.50
[[schedule]]
effective = 2026-01-01
role = "peer_specialist"
step = 7
hourly_rate = 23.00
[[step_movement]]
effective = 2026-01-01
[[policy_change]]
effective = 2026-01-01
[[policy_change.differential]]
name = "night"
per_hour = 3.50
roles = ["peer_specialist"]
[policy_change.on_call]
standby_per_hour = 4.00
[retro]
since = 2026-01-01
paid_on = 2026-04-01
"""

MANAGEMENT = """name = "Management"
term_start = 2026-01-01
years = 3
[[increase]]
effective = 2026-01-01
percent = 3
[[increase]]
effective = 2027-01-01
percent = 2.5
[[increase]]
effective = 2028-01-01
percent = 2.5
[[lump_sum]]
effective = 2026-03-01
amount = 750
"""


def write_inputs(rows: int, folder: Path) -> dict:
    ts, pol = folder / "ts.csv", folder / "policy.toml"
    subprocess.run([sys.executable, str(HERE / "generate_timesheets.py"), "--rows", str(rows), "--out", str(ts),
                    "--policy", str(pol)], check=True)
    table = pacsv.read_csv(ts)
    table = table.drop(["rate"])
    pacsv.write_csv(table, ts)
    ids = sorted(set(table.column("employee_id").to_pylist()))
    rng = np.random.default_rng(12)
    roles = list(ROLES)
    with open(folder / "roster.csv", "w") as f:
        f.write("employee_id,role,step,fte,hire_date\n")
        for i, e in enumerate(ids):
            hire = "2016-02-29" if i % 97 == 0 else f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            f.write(f"{e},{roles[i % 3]},{1 + int(rng.integers(STEPS))},1.0,{hire}\n")
    with open(folder / "schedule.csv", "w") as f:
        f.write("role,step,hourly_rate\n")
        for r, base in ROLES.items():
            f.writelines(f"{r},{s},{base * 1.025 ** (s - 1):.2f}\n" for s in range(1, STEPS + 1))
    (folder / "union.toml").write_text(UNION)
    (folder / "management.toml").write_text(MANAGEMENT)
    return {"ts": ts, "pol": pol}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        f = write_inputs(args.rows, d)
        common = ["-t", str(f["ts"]), "-p", str(f["pol"]), "-r", str(d / "roster.csv"), "-s", str(d / "schedule.csv")]
        pay = measure([sys.executable, "-m", "peerpay", "pay", *common, "-f", "csv", "-o", str(d / "pay.csv")],
                      args.timeout)
        cost = measure([sys.executable, "-m", "peerpay", "cost", *common, "--proposal", str(d / "union.toml"),
                        "--proposal", str(d / "management.toml"), "--from", "2025-01-01", "--to", "2025-12-31",
                        "-f", "json", "-o", str(d / "cost.json")], args.timeout)
        for name, m in (("pay", pay), ("cost", cost)):
            if m["rc"] not in (0, 3):
                print(f"{name} failed ({m['rc']}):\n{m['err']}", file=sys.stderr)
                raise SystemExit(1)
    table = (f"\n## Issue 12: `peerpay cost`, {args.rows:,} shifts, 2 proposals\n\n"
             "| run | wall s | peak RSS |\n|---|---:|---:|\n"
             f"| `peerpay pay -f csv` | {pay['wall']:.2f} | {pay['rss_mb']:,.0f} MB |\n"
             f"| `peerpay cost -f json` (union + management) | {cost['wall']:.2f} | {cost['rss_mb']:,.0f} MB |\n"
             f"| ratio cost / pay | {cost['wall'] / pay['wall']:.2f} x | |\n")
    print(table)
    if not args.no_results:
        with open(HERE / "RESULTS.md", "a") as out:
            out.write(table)


if __name__ == "__main__":
    main()
