"""End-to-end benchmark of `peerpay pay` against a bare pandas read of the same CSV.

Each measurement is a fresh subprocess run under ``/usr/bin/time -v`` (wall time and peak RSS
of the process and its children). Writes a table to stdout and ``benchmarks/RESULTS.md``.

    python benchmarks/bench_pay.py                      # 1 M shifts, local engine
    python benchmarks/bench_pay.py --rows 1000000 10000000 --engines local chunked dask

Targets (issue 2): end-to-end <= 3 x the bare read, peak memory <= 2 GB, for 1 M shifts.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE / "generate_timesheets.py"


def measure(cmd: list[str], timeout: float) -> dict:
    """Wall seconds, peak RSS (MB, the largest process) and exit code of one command."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    # CPU seconds of the process and its children (user + system): steadier than wall time on a busy machine
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    return {"wall": wall, "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"), "rc": proc.returncode,
            "err": proc.stderr[-2000:], "cpu": cpu}


def dask_peak(cmd: list[str], timeout: float) -> dict:
    """Dask runs use worker processes: sum the peak RSS over the process tree with psutil sampling."""
    import psutil

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(p.pid)
    peak = 0
    while p.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            peak = max(peak, sum(q.memory_info().rss for q in procs if q.is_running()))
        except psutil.Error:
            pass
        if time.perf_counter() - t0 > timeout:
            p.kill()
            break
        time.sleep(0.2)
    err = p.stderr.read()
    return {"wall": time.perf_counter() - t0, "rss_mb": peak / 2**20, "rc": p.returncode, "err": err[-2000:]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--engines", nargs="+", default=["local"], choices=["local", "chunked", "dask"])
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--files", type=int, default=8, help="input files for the dask engine (one partition each)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "peerpay-bench")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    policy = args.workdir / "policy.toml"
    py = sys.executable
    rows_out = []
    for n in args.rows:
        csv = args.workdir / f"ts_{n}.csv"
        parts = args.workdir / f"ts_{n}_parts"
        if not csv.exists():
            subprocess.run([py, str(GEN), "--rows", str(n), "--out", str(csv), "--policy", str(policy)], check=True)
        if "dask" in args.engines and not parts.exists():
            subprocess.run([py, str(GEN), "--rows", str(n), "--out", str(parts), "--files", str(args.files)], check=True)
        if not policy.exists():
            subprocess.run([py, str(GEN), "--rows", "10", "--out", str(args.workdir / "tiny.csv"), "--policy", str(policy)], check=True)
        shifts = sum(1 for _ in open(csv)) - 1
        bare = measure([py, "-c", f"import pandas; pandas.read_csv({str(csv)!r}, engine='pyarrow')"], args.timeout)
        rows_out.append((n, shifts, "bare pandas.read_csv(pyarrow)", bare))
        out = args.workdir / "out.csv"
        base = ["peerpay", "pay", "-p", str(policy), "--format", "csv", "--force"]
        for engine in args.engines:
            if engine == "local":
                r = measure(base + ["-t", str(csv), "--output", str(out)], args.timeout)
            elif engine == "chunked":
                r = measure(base + ["-t", str(csv), "--output", str(out), "--partitions", str(args.partitions)], args.timeout)
            else:
                outdir = args.workdir / "out_dask"
                r = dask_peak(base + ["-t", str(parts / "*.csv"), "--engine", "dask", "--partitions", str(args.partitions),
                                      "--output-dir", str(outdir)], args.timeout)
            label = {"local": "peerpay pay (local)", "chunked": f"peerpay pay --partitions {args.partitions}",
                     "dask": f"peerpay pay --engine dask ({args.files} files, {args.partitions} partitions)"}[engine]
            if r["rc"] not in (0, 3):
                print(f"{label} failed (rc {r['rc']}):\n{r['err']}", file=sys.stderr)
            rows_out.append((n, shifts, label, r))
    header = "| shifts | run | wall s | rows/s | x bare read | peak RSS MB |\n|---:|---|---:|---:|---:|---:|\n"
    lines = []
    bare_wall = {}
    for n, shifts, label, r in rows_out:
        if label.startswith("bare"):
            bare_wall[n] = r["wall"]
        ok = r["rc"] in (0, 3)
        ratio = r["wall"] / bare_wall[n] if n in bare_wall else float("nan")
        lines.append(f"| {shifts:,} | {label}{'' if ok else ' (FAILED/timeout)'} | {r['wall']:.2f} | {shifts / r['wall']:,.0f} | "
                     f"{ratio:.1f} | {r['rss_mb']:,.0f} |")
    table = header + "\n".join(lines) + "\n"
    print(table)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    with open(args.results, "a") as fh:
        fh.write(f"\n### {time.strftime('%Y-%m-%d %H:%M')} — {machine}\n\n{table}")


if __name__ == "__main__":
    main()
