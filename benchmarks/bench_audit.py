"""Issue 27: `peerpay audit` of a 1 M-shift timesheet against `peerpay pay` of the same timesheet.

    python benchmarks/bench_audit.py                        # 1 M shifts, 5 pairs
    python benchmarks/bench_audit.py --rows 200000 --pairs 7

The register is what peerpay itself would send payroll (``pay --export ukg``: one line per
employee, workweek and pay component, 1.1 M lines for 1 M shifts), with a few lines spoiled so the
audit has findings, read through the shipped UKG map. Target: the audit within 2x of the pay run.

Both commands write CSV to a file, each run a fresh process of this checkout (``python -m
peerpay``, the repository first on ``PYTHONPATH``). The machine is shared, so the runs go in pairs
back to back (audit and pay alternating which goes first) and the result is the median of the
pair-by-pair ratios, never a ratio of medians taken at different moments.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAP = ROOT / "samples" / "exports" / "earnings" / "ukg_earnings.toml"


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "peerpay", *cmd], env=env(), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd[:1])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall


def spoil(register: Path) -> None:
    """Every 50,000th line loses 10 % of its amount: a few hundred underpayments to find."""
    lines = register.read_text().splitlines()
    for i in range(1, len(lines), 50_000):
        *head, amount = lines[i].rsplit(",", 1)
        cents = int(amount.replace(".", ""))
        lines[i] = ",".join([*head, f"{cents * 9 // 10 // 100}.{cents * 9 // 10 % 100:02d}"])
    register.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    args = ap.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    ts, pol = args.data / f"ts_{args.rows}.csv", args.data / "policy.toml"
    if not ts.exists() or not pol.exists():
        subprocess.run([sys.executable, str(HERE / "generate_timesheets.py"), "--rows", str(args.rows), "--out", str(ts),
                        "--policy", str(pol)], check=True)
    register = args.data / f"register_{args.rows}.csv"
    if not register.exists():
        run(["pay", "-t", str(ts), "-p", str(pol), "--export", "ukg", "-o", str(register), "--force"])
        spoil(register)
    out = args.data / "out"
    out.mkdir(exist_ok=True)
    pay = ["pay", "-t", str(ts), "-p", str(pol), "-f", "csv", "-o", str(out / "pay.csv"), "--force"]
    audit = ["audit", "-t", str(ts), "-p", str(pol), "--register", str(register), "--register-map", str(MAP), "-f", "csv",
             "-o", str(out / "audit.csv"), "--force"]
    run(pay)  # warm the disk cache once
    ratios, pays, audits = [], [], []
    for i in range(args.pairs):
        if i % 2:
            a, p = run(audit), run(pay)
        else:
            p, a = run(pay), run(audit)
        pays.append(p)
        audits.append(a)
        ratios.append(a / p)
        print(f"pair {i + 1}: pay {p:.2f} s, audit {a:.2f} s, ratio {a / p:.2f}", flush=True)
    load = os.getloadavg()[0]
    print(f"\n{args.rows:,} shifts, {args.pairs} pairs, load {load:.1f}: audit / pay = {statistics.median(ratios):.2f}x "
          f"(median; {min(ratios):.2f}-{max(ratios):.2f}); pay median {statistics.median(pays):.2f} s, "
          f"audit median {statistics.median(audits):.2f} s. Target: <= 2x.")


if __name__ == "__main__":
    main()
