"""`peerpay pay --engine dask | --partitions N | --output-dir DIR`: the scaled-out pay run."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import InputError
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
    if output_dir:
        check_output_dir(Path(output_dir), force)
    if engine == "local":
        from ..engines.chunked import run_chunked

        return run_chunked(timesheet, pol, roster, schedule, partitions=partitions)
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("--engine dask needs dask: pip install 'peerpay[dask]'", EXIT_USAGE)
    from ..engines.dask_engine import run_dask

    logging.getLogger("distributed").setLevel(logging.ERROR)
    staging = None
    if output_dir:  # the workers write into a staging folder; it replaces the old run only on success
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir))
    try:
        run = run_dask(timesheet, pol, roster, schedule, partitions=partitions, scheduler=scheduler,
                       output_dir=staging, output_format="csv" if fmt == "csv" else "parquet",
                       keep_lines=output is not None or output_dir is None)
        if staging is not None:  # set exactly when output_dir is
            report = run.report
            atomic_write(staging / "rejected.csv",
                         to_csv(pd.DataFrame(report["rejected"], columns=["file", "row", "column", "reason"])))
            summary = {"totals": report["totals"], "reconciliation": report["reconciliation"]}
            atomic_write(staging / "summary.json", json.dumps(summary, indent=2) + "\n")
            _replace_run(staging, Path(output_dir))
    except (InputError, OSError):
        raise
    except Exception as exc:  # a worker failed or the scheduler is unreachable: a message, not a traceback
        fail(f"dask run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", EXIT_INPUT)
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return run


#: What a run writes into --output-dir: pay lines per partition, rejected rows, totals (and the
#: staging folder of a run in progress). Only these are ever removed from the folder.
OWN_FILES = re.compile(r"lines-\d{5}\.(parquet|csv)|rejected\.csv|summary\.json")
STAGING_PREFIX = ".peerpay-staging-"


def _ours(entry: Path) -> bool:
    if entry.name.startswith(STAGING_PREFIX):
        return entry.is_dir()
    return entry.is_file() and OWN_FILES.fullmatch(entry.name) is not None


def check_output_dir(folder: Path, force: bool) -> None:
    """Before the run: --output-dir holds nothing, or (with --force) only a previous run's files.

    A folder with other files is refused even with --force: its lines-* files and summary.json
    must describe one run, and we never delete a file peerpay did not write.
    """
    if folder.exists() and not folder.is_dir():
        fail(f"--output-dir {folder} is a file, not a folder", EXIT_USAGE)
    entries = list(folder.iterdir()) if folder.exists() else []
    others = sorted(e.name for e in entries if not _ours(e))
    if others:
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        fail(f"--output-dir {folder} holds files peerpay did not write ({', '.join(others[:3])}{more}): "
             "give an empty folder or one holding only a previous run's output", EXIT_USAGE)
    if entries and not force:
        fail(f"{folder} holds a previous run's output; use --force to replace it", EXIT_USAGE)


def _replace_run(staging: Path, folder: Path) -> None:
    """Remove the previous run's files, then move this run's in: the folder always sums to its summary.json."""
    for entry in folder.iterdir():
        if entry != staging and _ours(entry):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for f in sorted(staging.iterdir()):
        os.replace(f, folder / f.name)
