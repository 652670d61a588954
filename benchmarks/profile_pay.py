"""Profile one `peerpay pay` run in-process and print the hot spots (cProfile, cumulative time).

    python benchmarks/profile_pay.py /tmp/ts_1m.csv benchmarks/policy.toml [--format csv]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("timesheet")
    ap.add_argument("policy")
    ap.add_argument("--format", default="csv")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)

    from peerpay.cli.pay import render_pay
    from peerpay.jobs.pay import run_pay

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    run = run_pay(args.timesheet, args.policy)
    t1 = time.perf_counter()
    render_pay(run, args.format, detail=False)
    prof.disable()
    t2 = time.perf_counter()
    print(f"run_pay {t1 - t0:.2f} s, render {args.format} {t2 - t1:.2f} s")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
    pstats.Stats(prof).sort_stats("tottime").print_stats(args.top // 2)


if __name__ == "__main__":
    main()
