"""Shared CLI plumbing: exit codes, error rendering, a command's outputs (checked first, written together)."""

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
from ..io.outputs import OutputError, Outputs, TargetRefused

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
    """End a command with exit code ``code``: its outputs are committed (all or none,
    :mod:`peerpay.io.outputs`), then flushed.

    As its own process, the command then ends at once: the exit handlers run (temp files,
    anything a library registered) and the ~1 GB of arrays a million-shift run holds are left
    to the operating system instead of being freed one by one (0.15-0.2 s). In-process (tests,
    CliRunner) an ordinary ``SystemExit``.
    """
    if code in COMMITTING_CODES:
        commit_outputs()
    if own_process():
        import atexit

        sys.stdout.flush()  # guarded streams (cli/faults.py): a reader that went away raises nothing
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


#: exit codes of a run that ends well: its outputs are written (3: some rows were rejected)
COMMITTING_CODES = (EXIT_OK, EXIT_REJECTED, None)

#: the outputs of the command that runs now (None: no command runs, e.g. a library call: write at once)
_OUTPUTS: Outputs | None = None


def handles_input_errors(fn):
    """Run a command safely: a message and an exit code, never a traceback, and all or nothing.

    Before the command: the ``PEERPAY_*`` settings are checked (:mod:`peerpay.io.knobs`), SIGTERM
    and SIGHUP are handled as Ctrl-C, stdout and stderr survive a reader that goes away
    (:mod:`.faults`), and every input the command reads is pinned to one version
    (:mod:`peerpay.io.versions`). The command's files (:func:`emit`, :func:`write_file`) are
    committed together when it ends with exit code 0 or 3, and discarded otherwise (an error,
    a usage error, a signal): exit code 1 or 2 means nothing was written.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..io import knobs, versions
        from . import faults

        global _OUTPUTS
        faults.install_signal_handlers()
        faults.guard_streams()
        _OUTPUTS = Outputs(pause="commit")
        try:
            with versions.run():
                for warning in knobs.check_all():
                    click.echo(f"warning: {warning}", err=True)
                knobs.pause_at("start")
                try:
                    result = fn(*args, **kwargs)
                except SystemExit as exc:
                    if exc.code in COMMITTING_CODES:
                        commit_outputs()
                    raise
                commit_outputs()
                return result
        except InputError as exc:
            fail(str(exc), EXIT_INPUT)
        except (FileExistsError, TargetRefused) as exc:
            fail(str(exc), EXIT_USAGE)
        except OutputError as exc:
            fail(f"cannot write {exc}: nothing was written", EXIT_INPUT)
        except BrokenPipeError:
            reader_went_away()
        except MemoryError:
            fail("out of memory: split the input or use --engine dask", EXIT_INPUT)
        except OSError as exc:
            from ..io.outputs import reason

            name = getattr(exc, "filename", None)
            fail(f"{name}: {reason(exc)}" if name else reason(exc), EXIT_INPUT)
        except KeyboardInterrupt as exc:
            written = _OUTPUTS is not None and _OUTPUTS.in_place
            if _OUTPUTS is not None:
                _OUTPUTS.discard()  # before the process ends at once
            stopped(exc, written)
        except ValueError as exc:
            from ..io.writers import TooBigForExcel  # only the workbook writer raises it (imported lazily: --help stays fast)

            if not isinstance(exc, TooBigForExcel):
                raise
            fail(str(exc), EXIT_USAGE)
        finally:
            if _OUTPUTS is not None:
                _OUTPUTS.discard()  # a no-op once committed
            _OUTPUTS = None

    return wrapper


def stopped(exc: KeyboardInterrupt, written: bool = False) -> NoReturn:
    """Ctrl-C or SIGTERM/SIGHUP: everything on the way out is cleaned up by now; say so and exit
    128 + the signal. ``written``: the signal came after the command's files were in place (while
    it printed to stdout or said its last words): they stay, and the message says so.

    As its own process the command ends at once after the exit handlers (the early spill's
    folder): a signal can land inside an import (pandas loads for half a second), and an
    interpreter shut down the slow way with a module half imported may crash (SIGSEGV) instead
    of reporting the signal.
    """
    from . import faults

    code = faults.exit_code(exc)
    what = "its files were written; what it printed may be cut short" if written else "nothing was written"
    click.echo(f"peerpay: stopped by {faults.signal_name(exc)}: {what}", err=True)
    if own_process():
        import atexit

        sys.stderr.flush()  # (not stdout: a report stuck on a pipe nobody reads would hold the exit)
        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)


def commit_outputs() -> None:
    """Write every output of the command now (all or none); then show what goes to stdout."""
    if _OUTPUTS is not None:
        _OUTPUTS.commit()


def reader_went_away() -> None:
    """stdout was closed by its reader (``peerpay demo | head``): that is not an error, so exit 0 quietly.

    stdout is pointed at /dev/null first, so the interpreter's final flush cannot raise again
    (the recipe in the Python docs, "Note on SIGPIPE"). (A command's streams are guarded,
    :mod:`.faults`, so this is reached only by a stream that is not.)
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
    A target must be a file, new or existing (a symlink leads to one), or a character device or
    FIFO (written through: ``-o /dev/null``); a folder, block device or socket is refused. The
    folder each file lands in must take new files (a read-only folder is found now, not after
    the work). ``folders`` (``--output-dir``, ``--stubs``) must not hold an input and must be
    writable. Fails with exit code 2 (usage).
    """
    from ..io.outputs import check_folder, check_target

    files = _input_files(inputs)
    seen: dict[str, Path] = {}
    for option, target in outputs.items():
        if target in (None, "-"):
            continue
        path = Path(target)
        try:
            kind = check_target(path)
        except TargetRefused as exc:
            fail(f"{option} {exc}", EXIT_USAGE)
        for f in files:
            if same_file(path, f):
                fail(f"{option} {path} is one of this run's input files: choose another output file "
                     "(--force never overwrites an input)", EXIT_USAGE)
        for other, p in seen.items():
            if same_file(path, p):
                fail(f"{option} and {other} name the same file {path}", EXIT_USAGE)
        seen[option] = path
        if kind == "file" and path.exists() and path.stat().st_size > 0 and not force:
            fail(f"{path} exists; use --force to overwrite it", EXIT_USAGE)
    for option, folder in (folders or {}).items():
        if folder is None:
            continue
        d = Path(folder)
        for f in files:
            if same_file(f.parent, d) or same_file(f, d):
                fail(f"{option} {d} holds this run's input {f.name}: write the output to another folder", EXIT_USAGE)
        if d.exists() and not d.is_dir():
            fail(f"{option} {d} is a file, not a folder", EXIT_USAGE)
        try:
            check_folder(d, f"{option} {d}")
        except TargetRefused as exc:
            fail(str(exc), EXIT_USAGE)


def emit(data: str | bytes | list, output: str | None, force: bool) -> None:
    """Write a report to ``output``, or print it to stdout, when the command commits its outputs
    (at once outside a command). An existing non-empty file needs --force.

    ``data``: text, a workbook's bytes, or the pieces of one text (:data:`peerpay.io.writers.Chunks`,
    written to a file piece by piece). Commands call :func:`check_outputs` before the work; this
    check stays as a last guard. stdout is written after every file is in place, and only then.
    """
    if output in (None, "-"):
        if isinstance(data, list):  # the terminal gets text, as click.echo has always written it
            from ..io.writers import joined

            data = joined(data)
        if isinstance(data, bytes):
            fail("xlsx output needs --output FILE.xlsx", EXIT_USAGE)
        text = data
        if _OUTPUTS is None:
            click.echo(text, nl=False)
        else:
            _OUTPUTS.print_after(lambda: click.echo(text, nl=False))
        return
    path = Path(output)
    if path.is_file() and path.stat().st_size > 0 and not force:
        fail(f"{path} exists; use --force to overwrite it", EXIT_USAGE)
    write_file(path, data, force)


def write_file(path, data: str | bytes | list, force: bool = True, *, label: str | None = None) -> None:
    """Write one of the command's files when it commits (at once outside a command). ``label``:
    how a message names the file, when its name must not be printed (it carries an employee id)."""
    outputs = _OUTPUTS or Outputs()
    outputs.add(path, data, force, label=label)
    if _OUTPUTS is None:
        outputs.commit()


def say_after(message: str) -> None:
    """A message on stderr once the command's files are in place (never for files that were not written)."""
    if _OUTPUTS is None:
        click.echo(message, err=True)
    else:
        _OUTPUTS.print_after(lambda: click.echo(message, err=True))


def stage_step(step) -> None:
    """Work that puts a staged folder in place when the command commits (``--output-dir``)."""
    if _OUTPUTS is None:
        step.commit()
        step.discard()
    else:
        _OUTPUTS.add_step(step)


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

    from ..io import versions

    paths: dict[str, Path] = {}
    for k, v in files.items():
        text = "" if v is None else str(v)
        if text in ("", "-"):
            continue
        if versions.was_read(text) or Path(text).is_file():
            paths[k] = Path(text)
        elif any(ch in text for ch in "*?["):  # a glob (-t 'exports/*.csv'): each file it named, hashed as read
            for i, f in enumerate(versions.read_files(text), 1):
                paths[f"{k} {i}"] = Path(f)
    digests = {k: versions.digest(p) for k, p in paths.items()}  # each the version the run read
    record = base(__version__, {paths[k].name: d for k, d in digests.items()}, options, command)
    if "policy" in digests:
        record["policy_sha256"] = digests["policy"][0]
    record["holidays_version"] = run_meta()["holidays_version"]
    record.update({k: v for k, v in extra.items() if v not in (None, "", [], ())})
    from ..io import knobs

    record["run_time"] = knobs.value(RUN_TIME_ENV) or datetime.now(UTC).replace(microsecond=0).isoformat()  # checked: ISO 8601
    return record


def hash_in_background(files) -> None:
    """Start hashing a command's input files for its run record, each on a thread.

    Reading and hashing release the GIL, so a 50 MB timesheet is hashed while the run reads and
    pays it (~0.1 s of a million-shift run). The reader takes the digest when it is done, only
    for the version it read (:mod:`peerpay.io.versions`).
    """
    from ..io import versions

    for f in files:
        if f not in (None, "", "-"):
            versions.hash_early(f)


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of an input file: the version the run read (:mod:`peerpay.io.versions`)."""
    from ..io import versions

    return versions.digest(path)


def no_run_record() -> None:
    """This command builds no run record: its inputs are not hashed (still read as one version each)."""
    from ..io import versions

    versions.want_digests(False)


def published_record(record: dict) -> dict:
    """A run record fit to publish: each input by name only. A hash (or a size) of the private roster
    or timesheet would let anyone who guesses the file confirm the guess, pay rates and all."""
    out = {k: v for k, v in record.items() if k != "policy_sha256"}
    out["inputs"] = [{"file": f["file"]} for f in record.get("inputs", [])]
    return out
