"""Local engine for timesheets larger than memory: stream, bucket by employee, pay the buckets in parallel.

The CSV is read once in blocks (pyarrow's streaming reader, every cell as text), each row
tagged with its file and data row, and spilled to ``partitions`` Arrow files by a stable hash
of ``employee_id``, so every row of an employee lands in the same bucket (:mod:`peerpay.io.buckets`;
``peerpay pay`` starts that spill while it is still loading). Buckets are then
validated and paid (:func:`~peerpay.engines.partition.pay_partition`) by one worker process per
core, each holding one bucket at a time: peak memory is about one bucket per worker plus the
(small) pay lines, whatever the size of the input.

Why the spill stays in Arrow from reading to paying: the text never becomes Python string
objects in the parent (about a third of a second per million rows each way), the hash is taken
once per distinct id (a dictionary encoding of the id column), and a worker maps its bucket
file straight into pandas' arrow-backed ``str`` columns.
"""

from __future__ import annotations

import contextlib
import glob
import shutil
from functools import partial
from pathlib import Path

import pyarrow as pa

from ..errors import InputError
from ..io import knobs, versions
from ..io.buckets import SPILL_PREFIX, bucket_of, spill, take_early_spill
from ..io.outputs import OutputError, reason, run_folder, uninterrupted
from ..jobs.pay import load_rate_tables
from ..models.policy import Policy
from .forked import processes, side_by_side
from .partition import combine, pay_partition

__all__ = ["bucket_of", "expand_sources", "pay_buckets", "run_chunked"]


def expand_sources(pattern: str | Path | list) -> list[Path]:
    """A file, a glob (``'exports/*.csv'``) or a list of them -> sorted existing files."""
    items = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    out: list[Path] = []
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            found = sorted(glob.glob(text))
            if not found:
                raise InputError(f"{text}: no file matches")
            out += [Path(f) for f in found]
        else:
            path = Path(text)
            if not path.exists():
                raise InputError(f"{path}: no such file")
            if path.is_dir():
                raise InputError(f"{path}: is a folder (give a glob such as '{path}/*.csv')")
            out.append(path)
    return out


def run_chunked(timesheet, policy: Policy, roster=None, schedule=None, partitions: int = 8, spill_dir=None):
    """Pay a timesheet (file or glob) in ``partitions`` employee buckets; returns a PayRun."""
    sources = expand_sources(timesheet)
    names = [p.name for p in sources]
    ros, sch, upstream = load_rate_tables(roster, schedule)
    with contextlib.ExitStack() as cleanup:  # the bucket folder goes when the buckets are paid (or on any failure)
        with contextlib.ExitStack() as reads:  # one version of each source spilled, hashed as read (io/versions.py)
            for source in sources:
                reads.enter_context(versions.reading(source))
            early = take_early_spill(sources, partitions) if spill_dir is None else None  # spilled while peerpay loaded
            if early is not None:
                paths, folder = early
                cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
            else:
                with uninterrupted():  # made and registered for removal as one step
                    tmp = run_folder(SPILL_PREFIX, spill_dir)
                    cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
                try:
                    paths = spill(sources, partitions, tmp)
                except OSError as exc:  # a full temporary folder: say which, and what it needs
                    raise OutputError(f"the --partitions buckets in {tmp.parent}: {reason(exc)} (the buckets take "
                                      "about 1.5 x the CSV's size; set TMPDIR to a folder with room)") from None
        knobs.pause_at("spill")
        parts = pay_buckets(paths, policy, names, ros, sch)
    return combine(parts, policy, names, upstream, ros, sch)


def _pay_bucket(path: Path, policy: Policy, names, roster, schedule):
    return pay_partition(pa.ipc.open_file(str(path)).read_all().to_pandas(), policy, names, roster, schedule)


def pay_buckets(paths: list[Path], policy: Policy, names, roster=None, schedule=None) -> list:
    """Pay each bucket file, in parallel processes when there are cores to spare.

    The buckets are dealt out in turn to one process per core (this one and forked children,
    :func:`~peerpay.engines.forked.side_by_side`); each pays its buckets one after another
    (peak memory per process is one bucket) and sends back only their pay lines and
    rejections. Results keep the buckets' order, so the output does not depend on which process
    finished first. Where fork is not available the buckets are paid in turn here.
    """
    workers = processes(len(paths))
    shares = [paths[w::workers] for w in range(workers)]
    done = side_by_side([partial(_pay_each, share, policy, names, roster, schedule) for share in shares])
    out: list = [None] * len(paths)
    for w, results in enumerate(done):
        out[w::workers] = results
    return out


def _pay_each(paths: list[Path], policy: Policy, names, roster, schedule) -> list:
    return [_pay_bucket(p, policy, names, roster, schedule) for p in paths]
