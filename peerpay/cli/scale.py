"""`peerpay pay --engine dask | --partitions N | --output-dir DIR`: the scaled-out pay run."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from functools import partial
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..io.outputs import OutputError, Step, abandoned, owner, uninterrupted
from ..io.writers import atomic_write, to_csv
from .common import EXIT_INPUT, EXIT_USAGE, fail, stage_step


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
    made = committed = False
    try:
        if output_dir:  # the workers write into a staging folder of this run's own; it replaces the old run only on success
            with uninterrupted():  # made and noted as one step (the finally below removes it)
                made = not Path(output_dir).exists()
                Path(output_dir).mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{owner()}-", dir=output_dir))
        run = run_dask(timesheet, pol, roster, schedule, partitions=partitions, scheduler=scheduler,
                       output_dir=staging, output_format="csv" if fmt == "csv" else "parquet",
                       keep_lines=output is not None or output_dir is None)
        if staging is not None:  # set exactly when output_dir is
            report = run.report
            atomic_write(staging / "rejected.csv",
                         to_csv(pd.DataFrame(report["rejected"], columns=["file", "row", "column", "reason"])))
            summary = {"totals": report["totals"], "reconciliation": report["reconciliation"]}
            atomic_write(staging / "summary.json", json.dumps(summary, indent=2) + "\n")
            folder = Path(output_dir)
            # put in place with the command's other outputs (-o, --rejects), all or none (io/outputs.py)
            swap = _Swap(staging, folder, force)
            stage_step(Step(commit=swap.commit, undo=swap.undo, discard=partial(_drop_staging, staging, folder if made else None)))
            committed = True
    except (InputError, OSError, OutputError):
        raise
    except Exception as exc:  # a worker failed or the scheduler is unreachable: a message, not a traceback
        fail(f"dask run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", EXIT_INPUT)
    finally:
        if staging is not None and not committed:  # an error or a signal: this run's staging folder goes
            _drop_staging(staging, Path(output_dir) if made else None)
    return run


#: What a run writes into --output-dir: pay lines per partition, rejected rows, totals (and the
#: staging folder of a run in progress). Only these are ever removed from the folder.
OWN_FILES = re.compile(r"lines-\d{5}\.(parquet|csv)|rejected\.csv|summary\.json")
#: A run's staging folder: ``.peerpay-staging-HOST-PID-XXXXXXXX``, unique to the run; a run only
#: ever removes its own, and one left by a run that no longer exists on this machine (killed by
#: SIGKILL or a power cut) is removed by the next run.
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
    for e in entries:
        if e.name.startswith(STAGING_PREFIX) and e.is_dir() and abandoned(e, STAGING_PREFIX):
            shutil.rmtree(e, ignore_errors=True)  # left by a run that was killed: never another run's
    entries = [e for e in entries if e.exists()]
    others = sorted(e.name for e in entries if not _ours(e))
    if others:
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        fail(f"--output-dir {folder} holds files peerpay did not write ({', '.join(others[:3])}{more}): "
             "give an empty folder or one holding only a previous run's output", EXIT_USAGE)
    if any(e.name.startswith(STAGING_PREFIX) for e in entries) and not force:
        fail(f"--output-dir {folder}: another peerpay run is writing into it now; wait for it, or use --force "
             "(the last run to finish leaves its whole output)", EXIT_USAGE)
    if entries and not force:
        fail(f"{folder} holds a previous run's output; use --force to replace it", EXIT_USAGE)


class _Swap:
    """This run's staged files put in ``folder`` in place of the previous run's (one commit step)."""

    def __init__(self, staging: Path, folder: Path, force: bool):
        self.staging, self.folder, self.force = staging, folder, force
        self.moved_out: list[Path] = []  # the previous run's files, now in STAGING/previous
        self.moved_in: list[Path] = []  # this run's files, now in the folder

    def commit(self) -> None:
        """Move the previous run's files out and this run's in: the folder always sums to its summary.json.

        Runs that share the folder take turns here (an exclusive lock on the folder), and each
        moves only finished files, never another run's staging folder. The previous files wait in
        ``STAGING/previous`` until the command's every output is in place, so a failure puts them
        back (:meth:`undo`). Without ``force`` a folder that another run filled meanwhile is left
        as it is (FileExistsError).
        """
        lock = _lock(self.folder)
        try:
            old = sorted(e for e in self.folder.iterdir() if e.is_file() and OWN_FILES.fullmatch(e.name))
            if old and not self.force:
                raise FileExistsError(f"--output-dir {self.folder}: another run wrote its output there meanwhile; "
                                      "use --force to replace it")
            previous = self.staging / "previous"
            previous.mkdir()
            try:
                for e in old:
                    os.replace(e, previous / e.name)
                    self.moved_out.append(e)
                for f in sorted(p for p in self.staging.iterdir() if p.is_file()):
                    os.replace(f, self.folder / f.name)
                    self.moved_in.append(f)
            except BaseException:
                self.undo()
                raise
        finally:
            if lock is not None:
                os.close(lock)  # closing the descriptor releases the lock

    def undo(self) -> None:
        for f in reversed(self.moved_in):
            os.replace(self.folder / f.name, f)
        for e in reversed(self.moved_out):
            os.replace(self.staging / "previous" / e.name, e)
        self.moved_in, self.moved_out = [], []


def _lock(folder: Path) -> int | None:
    """An exclusive lock on the folder (released when the descriptor is closed); None where the
    platform or the file system has none (Windows, some network disks): runs then do not take turns."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return fd


def _drop_staging(staging: Path, made: Path | None) -> None:
    """Remove this run's staging folder (and the --output-dir it made, if that is now empty)."""
    shutil.rmtree(staging, ignore_errors=True)
    if made is not None:
        try:
            made.rmdir()
        except OSError:
            pass
