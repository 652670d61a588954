"""Shared CLI plumbing: exit codes, error rendering, writing an output file or stdout."""

from __future__ import annotations

import functools
import glob
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from ..errors import InputError, Problem
from ..io.document import FORMATS as DOCUMENT_FORMATS, is_binary

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
MAX_PRINTED_PROBLEMS = 50

FORMATS = click.Choice(list(DOCUMENT_FORMATS), case_sensitive=False)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    click.echo(f"peerpay: {message}", err=True)
    sys.exit(code)


def own_process() -> bool:
    """True when this process is the ``peerpay`` command itself (``python -m peerpay`` or the
    installed script, whose ``__main__`` holds :data:`peerpay.cli.main`), never inside a test runner."""
    from . import main

    return getattr(sys.modules.get("__main__"), "main", None) is main


def finish(code: int) -> NoReturn:
    """End a command whose every output is written and flushed, with exit code ``code``.

    As its own process, the command then ends at once: the exit handlers run (temp files,
    anything a library registered) and the ~1 GB of arrays a million-shift run holds are left
    to the operating system instead of being freed one by one (0.15-0.2 s). In-process (tests,
    CliRunner) an ordinary ``SystemExit``.
    """
    if own_process():
        import atexit

        sys.stdout.flush()  # a closed pipe raises here, inside handles_input_errors (exit 0 quietly)
        sys.stderr.flush()
        atexit._run_exitfuncs()
        os._exit(code)
    raise SystemExit(code)


#: an output file's extension -> the format written when --format is not given
EXTENSION_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                     ".txt": "table"}
FORMAT_HELP = "Output format (default: from --output's extension, e.g. pay.xlsx -> xlsx; else table)."


def output_format(fmt: str | None, output: str | None) -> str:
    """``--format`` when given, else the one the output file's extension names (``-o pay.xlsx``), else table."""
    if fmt:
        return fmt.lower()
    if output in (None, "-"):
        return "table"
    return EXTENSION_FORMATS.get(Path(output).suffix.lower(), "table")


def check_format_target(fmt: str, output: str | None) -> None:
    """A binary format (xlsx) cannot go to the terminal: it needs ``--output FILE``. Exit 2 before any work."""
    if is_binary(fmt) and output in (None, "-"):
        fail(f"--format {fmt.lower()} needs --output FILE.{fmt.lower()}", EXIT_USAGE)


def handles_input_errors(fn):
    """Turn unusable input into a message and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            fail(str(exc), EXIT_INPUT)
        except FileExistsError as exc:
            fail(str(exc), EXIT_USAGE)
        except BrokenPipeError:
            reader_went_away()
        except MemoryError:
            fail("out of memory: split the input or use --engine dask", EXIT_INPUT)
        except OSError as exc:
            fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}", EXIT_INPUT)
        except ValueError as exc:
            from ..io.writers import TooBigForExcel  # only the workbook writer raises it (imported lazily: --help stays fast)

            if not isinstance(exc, TooBigForExcel):
                raise
            fail(str(exc), EXIT_USAGE)

    return wrapper


def reader_went_away() -> None:
    """stdout was closed by its reader (``peerpay demo | head``): that is not an error, so exit 0 quietly.

    stdout is pointed at /dev/null first, so the interpreter's final flush cannot raise again
    (the recipe in the Python docs, "Note on SIGPIPE").
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(EXIT_OK)


def warn_policy(policy) -> None:
    """Legal but unusual policy values (:func:`peerpay.models.policy.policy_warnings`), on stderr; the run goes on."""
    from ..models.policy import policy_warnings

    for w in policy_warnings(policy):
        click.echo(f"warning: policy: {w}", err=True)


def report_problems(problems: list[Problem]) -> None:
    for p in problems[:MAX_PRINTED_PROBLEMS]:
        click.echo(f"rejected: {p.render()}", err=True)
    if len(problems) > MAX_PRINTED_PROBLEMS:
        click.echo(f"rejected: … and {len(problems) - MAX_PRINTED_PROBLEMS} more (see --rejects FILE or the JSON report)", err=True)
    for hint in problem_hints(problems):
        click.echo(f"hint: {hint}", err=True)


def problem_hints(problems: list[Problem]) -> list[str]:
    """Advice for the usual newcomer mistakes, once per run (never quoting a row's content)."""
    import re

    hints = []
    if any(re.search(r"not a date-time '\d{1,2}[/.]\d{1,2}[/.]\d{2,4}.*not ISO 8601", p.reason or "") for p in problems):
        hints.append("dates written like 03/02/2025 are not ISO 8601 (YYYY-MM-DD HH:MM); each rejected row says which order "
                     "its date can be read in. A column map reads such a file as it is, the order named by its format "
                     "(\"%m/%d/%Y %H:%M\" month first, \"%d/%m/%Y %H:%M\" day first; date_format for a separate date column; "
                     "`peerpay init` writes a starter map; docs/exports.md)")
    if any("no roster + wage schedule" in (p.reason or "") for p in problems):
        hints.append("rows without a rate take it from the roster (role, step) and the wage schedule: give both --roster and --schedule")
    return hints


def _input_files(inputs) -> list[Path]:
    """The files behind the input options: a path as given, or every file a glob matches."""
    out = []
    for item in inputs:
        if item is None:
            continue
        for spec in item if isinstance(item, (list, tuple)) else [item]:
            text = str(spec)
            out += [Path(f) for f in glob.glob(text)] if any(ch in text for ch in "*?[") else [Path(text)]
    return out


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (through symlinks, hard links, ``..``, case-insensitive disks)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return a.resolve() == b.resolve()


def check_outputs(outputs: dict[str, str | None], inputs, force: bool, *, folders: dict[str, str | None] | None = None) -> None:
    """Before any work is done: every file the run will write may be written.

    ``outputs`` maps an option (``--output``) to its path (None or ``-``: not written). A run never
    writes over one of its ``inputs`` (not even with ``--force``: the input would be gone), never
    names one file for two outputs, and replaces an existing non-empty file only with ``--force``.
    ``folders`` (``--output-dir``) must not hold an input. Fails with exit code 2 (usage).
    """
    files = _input_files(inputs)
    seen: dict[str, Path] = {}
    for option, target in outputs.items():
        if target in (None, "-"):
            continue
        path = Path(target)
        if path.is_dir():
            fail(f"{option} {path}: is a folder; give a file name", EXIT_USAGE)
        for f in files:
            if same_file(path, f):
                fail(f"{option} {path} is one of this run's input files: choose another output file "
                     "(--force never overwrites an input)", EXIT_USAGE)
        for other, p in seen.items():
            if same_file(path, p):
                fail(f"{option} and {other} name the same file {path}", EXIT_USAGE)
        seen[option] = path
        if path.exists() and path.stat().st_size > 0 and not force:
            fail(f"{path} exists; use --force to overwrite it", EXIT_USAGE)
    for option, folder in (folders or {}).items():
        if folder is None:
            continue
        d = Path(folder)
        for f in files:
            if same_file(f.parent, d) or same_file(f, d):
                fail(f"{option} {d} holds this run's input {f.name}: write the output to another folder", EXIT_USAGE)


def emit(data: str | bytes | list, output: str | None, force: bool) -> None:
    """Write to ``output`` atomically, or print to stdout. An existing non-empty file needs --force.

    ``data``: text, a workbook's bytes, or the pieces of one text (:data:`peerpay.io.writers.Chunks`,
    written to a file piece by piece). Commands call :func:`check_outputs` before the work; this
    check stays as a last guard.
    """
    if output in (None, "-"):
        if isinstance(data, list):  # the terminal gets text, as click.echo has always written it
            from ..io.writers import joined

            data = joined(data)
        if isinstance(data, bytes):
            fail("xlsx output needs --output FILE.xlsx", EXIT_USAGE)
        click.echo(data, nl=False)
        return
    from ..io.writers import atomic_write

    path = Path(output)
    if path.exists() and path.stat().st_size > 0 and not force:
        fail(f"{path} exists; use --force to overwrite it", EXIT_USAGE)
    atomic_write(path, data)


RUN_TIME_ENV = "PEERPAY_RUN_TIME"  # fixes the run time in the run record (tests, reproducible reports)


def run_record(command: str, files: dict[str, object], options: dict | None = None, policy=None, **extra) -> dict:
    """What produced a report: peerpay's version, the command, each input's name with SHA-256 and size,
    the options, the policy's hash, anything the job adds (``period``, ``holidays``), and the run time.

    File *names* only (a folder can carry a person's name). The run time is UTC, or the value of
    ``$PEERPAY_RUN_TIME`` when set, so that a test or an archived report can be reproduced.
    """
    from datetime import UTC, datetime

    from .. import __version__
    from ..io.html import run_record as base
    from ..jobs.meta import run_meta

    paths = {k: Path(str(v)) for k, v in files.items() if v not in (None, "", "-") and Path(str(v)).is_file()}
    digests = {k: file_digest(p) for k, p in paths.items()}  # each file hashed once
    record = base(__version__, {paths[k].name: d for k, d in digests.items()}, options, command)
    if "policy" in digests:
        record["policy_sha256"] = digests["policy"][0]
    record["holidays_version"] = run_meta()["holidays_version"]
    record.update({k: v for k, v in extra.items() if v not in (None, "", [], ())})
    record["run_time"] = os.environ.get(RUN_TIME_ENV) or datetime.now(UTC).replace(microsecond=0).isoformat()
    return record


def _sha256_and_size(path: str) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks (no copy of a 50 MB timesheet in memory)."""
    import hashlib

    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
        return digest.hexdigest(), fh.tell()


def hash_in_background(files) -> None:
    """Start hashing a command's input files for its run record, each on a thread.

    Reading and hashing release the GIL, so a 50 MB timesheet is hashed while the run reads and
    pays it (~0.1 s of a million-shift run). :func:`file_digest` collects the same digest it
    would compute itself (:mod:`peerpay.io.early`: only for the same file, unchanged).
    """
    from ..io import early

    for f in files:
        if f not in (None, "", "-") and os.path.isfile(str(f)):
            path = os.path.abspath(str(f))
            early.begin(("sha256", path), path, functools.partial(_sha256_and_size, path))


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of an input file: from :func:`hash_in_background` when it hashed this very
    file, unchanged since, else computed now."""
    from ..io import early

    key = os.path.abspath(str(path))
    return early.take(("sha256", key)) or _sha256_and_size(key)


def published_record(record: dict) -> dict:
    """A run record fit to publish: each input by name only. A hash (or a size) of the private roster
    or timesheet would let anyone who guesses the file confirm the guess, pay rates and all."""
    out = {k: v for k, v in record.items() if k != "policy_sha256"}
    out["inputs"] = [{"file": f["file"]} for f in record.get("inputs", [])]
    return out
