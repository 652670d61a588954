"""Dask engine: timesheet files (CSV or Parquet), read in pieces, shuffled by employee, paid per partition.

1. **Read.** One dask partition per input piece: a byte range of a CSV file
   (:mod:`.split`: a big CSV is cut at line starts into blocks of ``PEERPAY_BLOCK_BYTES``,
   default 16 MB, each block's first row counted beforehand), a whole small CSV, or a Parquet
   row group (whose row offset is known from the file's metadata). Every cell is read as text
   and every row is tagged with its source file and 1-based data row *before* anything moves,
   so rejections still read ``file:row``. A CSV whose quoted fields may hold line breaks is
   read whole, and so is one whose blocks do not read back as counted (never a wrong row).
2. **Shuffle** by ``employee_id`` into ``partitions`` partitions: all rows of an employee meet in
   one partition (workweeks, 8-and-80 periods and the overlap check need them together, and
   the rows of one employee are spread over every block of the file).
3. **Validate and pay** each partition on a worker
   (:func:`~peerpay.engines.partition.pay_partition`), optionally writing its pay lines to
   ``output_dir`` there (partitioned Parquet or CSV), and send back only the small results.
4. **Combine** into the docs/formats.md §4 report, identical to the local engine's to the cent.

Runs on a ``dask.distributed`` cluster: ``scheduler`` is an address (``tcp://host:8786``) or a
``Client``; without one a local cluster of one single-threaded worker process per core is
started (pandas work holds the GIL, so processes beat threads).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.inputs import normalise_ids
from ..core.report import hours
from ..errors import InputError
from ..io import knobs, versions
from ..io.outputs import run_folder, uninterrupted
from ..io.csvtext import csv_header, csv_shape, read_csv_table
from ..io.readers import cells_as_text, check_header, read_csv_text
from ..jobs.pay import load_rate_tables
from ..core.money import cents_to_dollars
from ..models.policy import Policy
from .chunked import expand_sources
from .partition import FILE, ROW, combine, pay_partition
from .split import csv_blocks

PARQUET = (".parquet", ".pq")
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str" (arrow-backed)


class BlockMismatch(Exception):
    """A CSV block read back with another number of rows than counted: read the file whole instead."""


def _pieces(sources: list[Path], split: bool = True, block: int | None = None) -> tuple[list[tuple], list[str]]:
    """(file index, path, row group or None, first row, byte range or None) per dask partition, and the columns.

    A byte range is ``(start, end, rows)`` (:func:`~peerpay.engines.split.csv_blocks`).
    """
    import pyarrow.parquet as pq

    pieces: list[tuple]
    pieces, columns = [], None
    for i, path in enumerate(sources):
        if path.suffix.lower() in PARQUET:
            meta = pq.ParquetFile(path).metadata
            cols = check_header(path, list(meta.schema.names))
            first = 1
            for g in range(meta.num_row_groups):
                pieces.append((i, str(path), g, first, None))
                first += meta.row_group(g).num_rows
        else:
            if path.stat().st_size == 0:
                raise InputError(f"{path}: the file is empty (expected a header row)")
            cols = check_header(path, csv_header(path))
            blocks = csv_blocks(path, block) if split else None
            if blocks is None:
                pieces.append((i, str(path), None, 1, None))
            else:
                pieces += [(i, str(path), None, b.first_row, (b.start, b.end, b.rows)) for b in blocks]
        if columns is None:
            columns = cols
        elif cols != columns:
            raise InputError(f"{path}: columns differ from {sources[0].name}'s ({', '.join(columns)})")
    if not columns or "employee_id" not in columns:
        raise InputError(f"{sources[0]}: missing required column(s) employee_id")
    return pieces, columns


def read_piece(piece: tuple, header: list[str], columns=None) -> pd.DataFrame:
    """One input piece as text columns plus its source file and row numbers.

    The same reader as the local engine (:func:`~peerpay.io.readers.read_csv_text`: every cell
    text, only an empty cell blank) and the same id normalisation, before the shuffle, so an
    employee's rows meet in one partition however their ids were padded.
    """
    i, path, group, first, byte_range = piece
    if byte_range is not None:
        start, end, rows = byte_range
        frame = _read_block(Path(path), start, end, rows, first=first)
    elif group is None:
        frame = read_csv_text(Path(path))
    else:
        import pyarrow.parquet as pq

        frame = cells_as_text(pq.ParquetFile(path).read_row_group(group).to_pandas())
    frame.columns = header
    # arrow-backed text: the shuffle moves Arrow buffers instead of pickling a Python string per cell
    frame = frame.astype({c: TEXT for c in header})
    frame["employee_id"] = normalise_ids(frame["employee_id"])[0].astype(TEXT)
    frame[FILE] = np.int32(i)
    frame[ROW] = np.arange(first, first + len(frame), dtype="int64")
    return frame


def _read_block(path: Path, start: int, end: int, rows: int, first: int = 1) -> pd.DataFrame:
    """Bytes ``[start, end)`` of a CSV (whole lines, no header) read as the local reader reads the file."""
    import pyarrow as pa

    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    table = read_csv_table(pa.py_buffer(data), path, csv_shape(path), "string", first_row=first, block=True,
                           quotes=b'"' in data)
    if table.num_rows != rows:
        raise BlockMismatch(f"{path}: bytes {start}-{end} hold {table.num_rows} rows, {rows} counted")
    return table.to_pandas()  # every column is text already (only an empty cell is ''), as read_csv_text's


def _pay_and_write(part: pd.DataFrame, number: int, policy, names, roster, schedule, output_dir, fmt):
    result = pay_partition(part, policy, names, roster, schedule)
    if output_dir is not None and len(result.lines):
        path = Path(output_dir) / f"lines-{number:05d}.{fmt}"
        frame = _flat(result.lines, policy)
        try:
            if fmt == "parquet":
                frame.to_parquet(path, index=False)
            else:
                from ..io.writers import atomic_write, to_csv

                atomic_write(path, to_csv(frame))
        except OSError as exc:  # a full disk: name the output folder (this one is the run's staging folder)
            from ..io.outputs import OutputError, reason

            raise OutputError(f"{Path(output_dir).parent} (pay lines {path.name}): {reason(exc)}") from None
    return result


def _flat(lines: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    from ..core.engine import PayResult
    from ..core.report import lines_table

    names = tuple(d.name for d in policy.differential)
    return lines_table(PayResult(lines, pd.DataFrame(), names), policy.minimum_shift is not None)


def run_dask(timesheet, policy: Policy, roster=None, schedule=None, *, partitions: int | None = None,
             scheduler=None, output_dir=None, output_format: str = "parquet", progress: bool = True,
             keep_lines: bool = True, block_bytes: int | None = None):
    """Pay a timesheet (file, glob or list; CSV or Parquet) with dask; returns a PayRun.

    ``output_dir``: also write each partition's pay lines there (``lines-NNNNN.parquet`` or
    ``.csv``), from the workers. ``keep_lines=False`` drops the lines from the returned run
    (for runs whose lines do not fit the driver: read them from ``output_dir``).
    ``block_bytes``: the size of a big CSV's byte-range pieces (default ``PEERPAY_BLOCK_BYTES``
    or 16 MB; :mod:`.split`).
    """
    sources = expand_sources(timesheet)
    with contextlib.ExitStack() as reads:
        # one version of each file: the workers read it again by path, in other processes, so the
        # file must be unchanged from before the blocks are counted until every worker is done
        # (io/versions.py); a file renamed over or rewritten meanwhile is refused, never paid mixed
        for source in sources:
            reads.enter_context(versions.reading(source))
        return _run(sources, policy, roster, schedule, partitions, scheduler, output_dir, output_format, progress,
                    keep_lines, block_bytes)


def _run(sources, policy, roster, schedule, partitions, scheduler, output_dir, output_format, progress, keep_lines,
         block_bytes):
    from distributed import Client, LocalCluster

    names = [p.name for p in sources]
    pieces, columns = _pieces(sources, block=block_bytes)
    versions.settle(sources)  # hashed (for the run record) before the cluster forks its workers
    knobs.pause_at("blocks")
    ros, sch, upstream = load_rate_tables(roster, schedule)
    if output_dir is not None:
        Path(output_dir).mkdir(parents=True, exist_ok=True)
    before = set(Path(output_dir).iterdir()) if output_dir is not None else set()

    own_cluster = own_client = client = scratch = None
    args = (policy, names, ros, sch, partitions, output_dir, output_format, progress)
    try:
        if isinstance(scheduler, Client):
            client = scheduler
        elif scheduler:
            client = own_client = Client(scheduler)
        else:
            # silence_logs: an unreadable file is raised again here as an InputError with its
            # message; the workers must not also print their copy of it with a traceback
            with uninterrupted():  # a cluster half started cannot be closed cleanly: a signal waits until it is up
                scratch = str(run_folder("peerpay-dask-"))  # the workers' scratch space: removed with the cluster
                own_cluster = _local_cluster(LocalCluster, scratch)
                client = Client(own_cluster)
        try:
            results = _pay_pieces(client, pieces, columns, *args)
        except (BlockMismatch, InputError):
            if all(piece[4] is None for piece in pieces):
                raise
            # a split file that does not read back as counted, or an unreadable block: read each
            # file whole, as before splitting, so the outcome (and the message) is the local engine's
            if output_dir is not None:
                for leftover in set(Path(output_dir).iterdir()) - before:
                    leftover.unlink()
            results = _pay_pieces(client, _pieces(sources, split=False)[0], columns, *args)
    finally:
        with uninterrupted():  # the workers are stopped and the scratch space removed, whatever comes
            _close(own_client, None, None)
            _close(client if own_cluster is not None else None, own_cluster, scratch)
    worked = sum(int(r.lines["worked_minutes"].sum()) for r in results if len(r.lines))
    gross = sum(int(r.lines["gross_pay"].sum()) for r in results if len(r.lines))
    if not keep_lines:
        for r in results:
            r.lines = r.lines.iloc[0:0]
    run = combine(results, policy, names, upstream, ros, sch)
    if not keep_lines:  # the totals of the lines that stayed in output_dir
        run.report["totals"] = {"hours_worked": hours(worked), "gross_pay": cents_to_dollars(gross)}
    return run


def _close(client, cluster, scratch: str | None) -> None:
    """Close a client and a cluster and remove the scratch folder; a failure to close (a cluster
    stopped half way) is not the run's error, and never stops the rest of the clean-up."""
    for thing in (client, cluster):
        if thing is not None:
            try:
                thing.close()
            except Exception:
                pass
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


def _local_cluster(LocalCluster, scratch: str):
    """One single-threaded worker process per core, forked where the platform can, with its
    scratch space (``dask-scratch-space``, where a shuffle spills) in ``scratch``, a folder of
    this run's own that is removed with the cluster (never left behind in the temporary folder).

    Why fork: a spawned worker starts a fresh interpreter and imports pandas, pyarrow, dask and
    peerpay again (about 5 s of a 2-core machine before any row is read); a forked one has them
    already, as the ``--partitions`` workers do (measured: cluster up in 0.4 s instead of 5.3 s).
    """
    import dask

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with dask.config.set({"distributed.worker.multiprocessing-method": method, "temporary-directory": scratch}):
        return LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.CRITICAL, local_directory=scratch)


def _pay_pieces(client, pieces, columns, policy, names, ros, sch, partitions, output_dir, output_format, progress):
    """Read the pieces, shuffle by employee, pay each partition on the cluster: results in partition order."""
    import dask
    import dask.dataframe as dd
    from distributed import as_completed

    meta = pd.DataFrame({**{c: pd.Series(dtype=TEXT) for c in columns},
                         FILE: pd.Series(dtype="int32"), ROW: pd.Series(dtype="int64")})
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_map(read_piece, pieces, args=[columns], meta=meta, enforce_metadata=False)
        n_out = partitions or max(1, len(pieces))
        shuffled = ddf.shuffle("employee_id", npartitions=n_out)  # hash partitioning: an employee's rows meet
        parts = shuffled.to_delayed()
    tasks = [dask.delayed(_pay_and_write)(p, k, policy, names, ros, sch, output_dir, output_format)
             for k, p in enumerate(parts)]
    futures = client.compute(tasks)
    try:
        return _gather(futures, as_completed, progress)
    except BaseException:
        client.cancel(futures)
        raise


def _gather(futures, as_completed, progress: bool):
    """Results in task order, with a progress bar on stderr (partitions done / total)."""
    total = len(futures)
    index = {f.key: i for i, f in enumerate(futures)}
    out = [None] * total
    start = time.monotonic()
    for done, fut in enumerate(as_completed(futures), 1):
        out[index[fut.key]] = fut.result()
        if progress:
            width = 30
            fill = int(width * done / total)
            sys.stderr.write(f"\rpeerpay: [{'#' * fill}{'.' * (width - fill)}] {done}/{total} partitions, "
                             f"{time.monotonic() - start:.0f} s")
            sys.stderr.flush()
    if progress and total:
        sys.stderr.write("\n")
    return out
