"""`peerpay pay --engine dask | --partitions N | --output-dir DIR`: the scaled-out pay run."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from ..io.writers import atomic_write, to_csv
from .common import EXIT_INPUT, EXIT_USAGE, fail


def scaled_run(timesheet, pol, roster, schedule, *, engine, scheduler, partitions, output_dir, fmt, sheet,
               map_file, detail, output, force):
    """Pay with the chunked local engine or the dask engine; returns a PayRun for rendering."""
    for flag, given in (("--sheet", sheet), ("--map", map_file), ("--detail", detail)):
        if given:
            fail(f"{flag} is not available with --engine dask or --partitions (use the default local engine)", EXIT_USAGE)
    if engine == "local" and (scheduler or output_dir):
        fail("--scheduler and --output-dir need --engine dask", EXIT_USAGE)
    if output_dir and Path(output_dir).exists() and any(Path(output_dir).iterdir()) and not force:
        fail(f"{output_dir} is not empty; use --force to write into it", EXIT_USAGE)
    if engine == "local":
        from ..engines.chunked import run_chunked

        return run_chunked(timesheet, pol, roster, schedule, partitions=partitions)
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("--engine dask needs dask: pip install 'peerpay[dask]'", EXIT_USAGE)
    from ..engines.dask_engine import run_dask
    from ..errors import InputError

    logging.getLogger("distributed").setLevel(logging.ERROR)
    try:
        run = run_dask(timesheet, pol, roster, schedule, partitions=partitions, scheduler=scheduler,
                       output_dir=output_dir, output_format="csv" if fmt == "csv" else "parquet",
                       keep_lines=output is not None or output_dir is None)
    except (InputError, OSError):
        raise
    except Exception as exc:  # a worker failed or the scheduler is unreachable: a message, not a traceback
        fail(f"dask run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", EXIT_INPUT)
    if output_dir:
        report = run.report
        atomic_write(Path(output_dir) / "rejected.csv",
                     to_csv(pd.DataFrame(report["rejected"], columns=["file", "row", "column", "reason"])))
        summary = {"totals": report["totals"], "reconciliation": report["reconciliation"]}
        atomic_write(Path(output_dir) / "summary.json", json.dumps(summary, indent=2) + "\n")
    return run
