"""Shared CLI plumbing: exit codes, error rendering, writing an output file or stdout."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from ..errors import InputError, Problem
from ..io.writers import atomic_write

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
MAX_PRINTED_PROBLEMS = 50

FORMATS = click.Choice(["table", "csv", "json", "md", "xlsx"], case_sensitive=False)


def fail(message: str, code: int = EXIT_INPUT) -> None:
    click.echo(f"peerpay: {message}", err=True)
    sys.exit(code)


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
        except MemoryError:
            fail("out of memory: split the input or use --engine dask", EXIT_INPUT)
        except OSError as exc:
            fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}", EXIT_INPUT)

    return wrapper


def report_problems(problems: list[Problem]) -> None:
    for p in problems[:MAX_PRINTED_PROBLEMS]:
        click.echo(f"rejected: {p.render()}", err=True)
    if len(problems) > MAX_PRINTED_PROBLEMS:
        click.echo(f"rejected: … and {len(problems) - MAX_PRINTED_PROBLEMS} more (see --rejects FILE or the JSON report)", err=True)


def emit(data: str | bytes, output: str | None, force: bool) -> None:
    """Write to ``output`` atomically, or print to stdout. An existing non-empty file needs --force."""
    if output in (None, "-"):
        if isinstance(data, bytes):
            fail("xlsx output needs --output FILE.xlsx", EXIT_USAGE)
        click.echo(data, nl=False)
        return
    path = Path(output)
    if path.exists() and path.stat().st_size > 0 and not force:
        fail(f"{path} exists; use --force to overwrite it", EXIT_USAGE)
    atomic_write(path, data)
