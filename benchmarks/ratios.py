"""Issue 16: every speed target as a ratio, side by side, medians of repeated fresh processes.

    python benchmarks/ratios.py                      # 1 M shifts, 3 runs each
    python benchmarks/ratios.py --rows 200000 --repeat 5 --only bare csv json

Data goes to ``benchmarks/data/`` (git-ignored): the 1 M-row timesheet and its every-rule
policy from ``generate_timesheets.py``, the cost inputs of ``bench_cost.py`` (the same
timesheet without rates, a roster and a wage schedule), and a 100,000-employee roster and
schedule for ``gap``. Each run is a fresh process of *this* checkout (``python -m peerpay``
with the repository first on ``PYTHONPATH``, never an installed copy), under
``/usr/bin/time -v`` for the peak RSS of the largest process (the checkout's modules compiled to
bytecode first, as an installed copy has them); dask runs sum the RSS of the
process tree (psutil sampling), since their workers are separate processes.

    python benchmarks/ratios.py --only flsa ca --repeat 5  # issue 26: California tiers vs the FLSA preset

Targets (issue 16): pay CSV <= 3x and JSON <= 4x a bare ``pandas.read_csv(engine="pyarrow")``
of the same file, peak <= 1.5 GB; ``--partitions 2`` faster than the plain run; ``--engine
dask`` on one file near the plain run; ``peerpay --help`` <= 0.5 s over ``import pandas``.
Issue 26: ``peerpay pay -f csv`` of the same timesheet under ``[overtime] rules = "CA"`` (five tiers:
daily 8 and 12, the seventh day, weekly 40) within 1.2x of ``rules = "FLSA"`` (one weekly tier); the
rest of the policy (differentials, holidays, on call) is the generator's. Pairs such as this one are
also reported as the median of the per-round ratios (the two runs of a round are back to back).
The machine is shared: check ``uptime`` first, and read the spread (min-max) next to each median.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_pay import dask_peak, measure  # noqa: E402

RUNS = ("bare", "csv", "json", "partitions", "dask", "import", "help", "gap", "cost", "flsa", "ca")
PAIRED = {"ca": "flsa"}  # run -> its base: also reported as the median of per-round ratios


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def data(rows: int, folder: Path, need: set[str]) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    ts, pol = folder / f"ts_{rows}.csv", folder / "policy.toml"
    if not ts.exists() or not pol.exists():
        subprocess.run([py, str(HERE / "generate_timesheets.py"), "--rows", str(rows), "--out", str(ts), "--policy", str(pol)],
                       check=True)
    out = {"ts": ts, "pol": pol}
    if need & {"flsa", "ca"}:
        text = pol.read_text()
        start, end = text.index("[overtime]"), text.index("[[differential]]")
        for rules in ("FLSA", "CA"):
            (folder / f"policy_{rules}.toml").write_text(text[:start] + f'[overtime]\nrules = "{rules}"\n\n' + text[end:])
            out[f"pol_{rules}"] = folder / f"policy_{rules}.toml"
    if "cost" in need:
        cost = folder / f"cost_{rows}"
        if not (cost / "schedule.csv").exists():
            cost.mkdir(exist_ok=True)
            from bench_cost import write_inputs
            write_inputs(rows, cost)
        out["cost"] = cost
    if "gap" in need:
        gap = folder / "gap_100k"
        if not (gap / "schedule.csv").exists():
            gap.mkdir(exist_ok=True)
            write_gap_inputs(100_000, gap)
        out["gap"] = gap
    return out


def write_gap_inputs(employees: int, folder: Path) -> None:
    """A roster of ``employees`` (a fifth of them peers) with fte and tenure, and its schedule."""
    import numpy as np

    rng = np.random.default_rng(16)
    roles = np.array(["peer_specialist", "case_manager", "rn", "counselor", "aide"])
    role = roles[np.arange(employees) % len(roles)]
    step = rng.integers(1, 7, employees)
    fte = rng.choice([0.5, 0.75, 1.0], employees)
    tenure = rng.integers(0, 30, employees)
    with open(folder / "roster.csv", "w") as f:
        f.write("employee_id,role,step,fte,tenure_years\n")
        f.writelines(f"G{i:06d},{r},{s},{x},{t}\n" for i, (r, s, x, t) in enumerate(zip(role, step, fte, tenure)))
    base = {"peer_specialist": 19.0, "case_manager": 24.0, "rn": 42.0, "counselor": 27.5, "aide": 17.25}
    with open(folder / "schedule.csv", "w") as f:
        f.write("role,step,hourly_rate\n")
        f.writelines(f"{r},{s},{b * 1.025 ** (s - 1):.2f}\n" for r, b in base.items() for s in range(1, 7))


def commands(d: dict, work: Path, partitions: int) -> dict[str, list[str]]:
    py = sys.executable
    pp = [py, "-m", "peerpay"]
    ts, pol = str(d["ts"]), str(d["pol"])
    pay = [*pp, "pay", "-t", ts, "-p", pol, "--force"]
    cmds = {
        "bare": [py, "-c", f"import pandas; pandas.read_csv({ts!r}, engine='pyarrow')"],
        "csv": [*pay, "-f", "csv", "-o", str(work / "pay.csv")],
        "json": [*pay, "-f", "json", "-o", str(work / "pay.json")],
        "partitions": [*pay, "-f", "csv", "--partitions", str(partitions), "-o", str(work / "pay_parts.csv")],
        "dask": [*pay, "-f", "csv", "--engine", "dask", "--output-dir", str(work / "dask_out")],
        "import": [py, "-c", "import pandas"],
        "help": [*pp, "--help"],
    }
    for rules in ("FLSA", "CA"):
        if f"pol_{rules}" in d:
            cmds[rules.lower()] = [*pp, "pay", "-t", ts, "-p", str(d[f"pol_{rules}"]), "--force", "-f", "csv",
                                   "-o", str(work / f"pay_{rules}.csv")]
    if "gap" in d:
        g = d["gap"]
        cmds["gap"] = [*pp, "gap", "-r", str(g / "roster.csv"), "-s", str(g / "schedule.csv"), "--as-of", "2025-06-01",
                       "-f", "json", "-o", str(work / "gap.json"), "--force"]
    if "cost" in d:
        c = d["cost"]
        cmds["cost"] = [*pp, "cost", "-t", str(c / "ts.csv"), "-p", str(c / "policy.toml"), "-r", str(c / "roster.csv"),
                        "-s", str(c / "schedule.csv"), "--proposal", str(c / "union.toml"), "--proposal",
                        str(c / "management.toml"), "--period", "2025-01-01", "2025-12-31", "-f", "json",
                        "-o", str(work / "cost.json"), "--force"]
    return cmds


def run_one(name: str, cmd: list[str], timeout: float) -> dict:
    os.environ.update(env())
    r = dask_peak(cmd, timeout) if name == "dask" else measure(cmd, timeout)
    if r["rc"] not in (0, 3):
        print(f"{name} failed (rc {r['rc']}):\n{r['err']}", file=sys.stderr)
    return r


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--only", nargs="+", choices=RUNS, default=list(RUNS))
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    args = ap.parse_args(argv)
    need = set(args.only)
    # bytecode for the checkout, as `pip install .` compiles it: a shell with PYTHONDONTWRITEBYTECODE=1
    # would otherwise compile every module from source in every run (0.1-0.4 s that no installed copy pays)
    compileall.compile_dir(str(ROOT / "peerpay"), quiet=1)
    d = data(args.rows, args.data, need)
    work = args.data / "out"
    work.mkdir(exist_ok=True)
    cmds = commands(d, work, args.partitions)
    print(f"load before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    results: dict[str, list[dict]] = {n: [] for n in args.only if n in cmds}
    for _ in range(args.repeat):  # interleaved, so a busy minute spreads over every run
        for name in results:
            results[name].append(run_one(name, cmds[name], args.timeout))
    print(f"load after: {os.getloadavg()[0]:.2f}", file=sys.stderr)

    def med(name, key="wall"):
        return statistics.median(r[key] for r in results[name]) if results.get(name) else float("nan")

    labels = {
        "bare": 'bare pandas.read_csv(engine="pyarrow")', "csv": "peerpay pay -f csv", "json": "peerpay pay -f json",
        "partitions": f"peerpay pay -f csv --partitions {args.partitions}", "dask": "peerpay pay --engine dask (one file)",
        "import": "python -c 'import pandas'", "help": "peerpay --help", "gap": "peerpay gap (100,000 employees)",
        "cost": f"peerpay cost -f json ({args.rows:,} shifts, 2 proposals)",
        "flsa": 'peerpay pay -f csv, rules = "FLSA"', "ca": 'peerpay pay -f csv, rules = "CA"',
    }
    base = {"csv": "bare", "json": "bare", "partitions": "csv", "dask": "csv", "help": "import", "cost": "csv", **PAIRED}
    target = {"csv": "<= 3x", "json": "<= 4x", "partitions": "< 1x", "dask": "", "help": "+0.5 s", "gap": "", "cost": "",
              "ca": "<= 1.2x"}
    rows = ["| run | median s | min-max s | vs | ratio | target | peak RSS MB |", "|---|---:|---:|---|---:|---|---:|"]
    for name in results:
        walls = [r["wall"] for r in results[name]]
        ref = base.get(name)
        ratio = ""
        if ref and results.get(ref):
            ratio = (f"+{med(name) - med(ref):.2f} s" if name == "help" else f"{med(name) / med(ref):.2f}x")
        ok = all(r["rc"] in (0, 3) for r in results[name])
        rows.append(f"| {labels[name]}{'' if ok else ' (FAILED)'} | {med(name):.2f} | {min(walls):.2f}-{max(walls):.2f} | "
                    f"{labels[ref] if ref and ref in results else ''} | {ratio} | {target.get(name, '')} | "
                    f"{med(name, 'rss_mb'):,.0f} |")
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}, {args.rows:,} shifts, median of {args.repeat}\n")
    print("\n".join(rows))
    for name, ref in PAIRED.items():
        if results.get(name) and results.get(ref):
            for key, what in (("wall", "wall time"), ("cpu", "CPU time (user + system, with children)")):
                ratios = sorted(a[key] / b[key] for a, b in zip(results[name], results[ref]) if b.get(key))
                if ratios:
                    print(f"\npaired {what}: {labels[name]} / {labels[ref]}: median of {len(ratios)} per-round ratios "
                          f"{statistics.median(ratios):.3f} (min-max {ratios[0]:.3f}-{ratios[-1]:.3f}), target {target.get(name)}")


if __name__ == "__main__":
    main()
