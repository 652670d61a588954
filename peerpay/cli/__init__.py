"""The command line: parse options, call the jobs, render. The only package that imports click."""

from __future__ import annotations

import click

from .. import __version__
from . import backpay, cost, gap, init, validate
from .common import EXIT_INPUT, EXIT_REJECTED, EXIT_USAGE
from .pay import demo, pay

__all__ = ["EXIT_INPUT", "EXIT_REJECTED", "EXIT_USAGE", "main"]


def _reuse_freed_memory() -> None:
    """Let glibc keep freed array memory for reuse instead of returning it to the kernel.

    The pay engine allocates and frees many 10-100 MB arrays; by default each is a fresh mmap
    whose pages the kernel must zero on first touch. Reusing the heap saves ~10 % of a large
    run. A no-op where glibc is not the allocator.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)
        libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1)
        libc.mallopt(M_TOP_PAD, 256 << 20)
    except (OSError, AttributeError):
        pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peerpay")
def main() -> None:
    """peerpay: exact pay and pay-equity numbers for peer support workers."""
    _reuse_freed_memory()  # when a command runs, not when the package is imported


for _command in (pay, demo, gap.command, cost.command, validate.command, init.command, backpay.command, backpay.stipends):
    main.add_command(_command)
