"""The command line: parse options, call the jobs, render. The only package that imports click."""

from __future__ import annotations

import click

from .. import __version__
from .common import EXIT_INPUT, EXIT_REJECTED, EXIT_USAGE  # noqa: F401
from .pay import demo, pay


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


_reuse_freed_memory()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peerpay")
def main() -> None:
    """peerpay: exact pay and pay-equity numbers for peer support workers."""


main.add_command(pay)
main.add_command(demo)

for _name in ("gap", "cost", "validate", "init", "backpay"):
    try:  # commands from later modules register themselves when present
        _mod = __import__(f"peerpay.cli.{_name}", fromlist=["command"])
        main.add_command(_mod.command)
    except ModuleNotFoundError as exc:
        if exc.name != f"peerpay.cli.{_name}":
            raise

from .backpay import stipends as _stipends  # noqa: E402 (a second command in the backpay module)

main.add_command(_stipends)
