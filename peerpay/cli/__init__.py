"""The command line: parse options, call the jobs, render. The only package that imports click."""

from __future__ import annotations

import click

from .. import __version__
from .common import EXIT_INPUT, EXIT_REJECTED, EXIT_USAGE  # noqa: F401
from .pay import demo, pay


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peerpay")
def main() -> None:
    """peerpay: exact pay and pay-equity numbers for peer support workers."""


main.add_command(pay)
main.add_command(demo)

for _name in ("gap", "cost", "validate", "init"):
    try:  # commands from later modules register themselves when present
        _mod = __import__(f"peerpay.cli.{_name}", fromlist=["command"])
        main.add_command(_mod.command)
    except ModuleNotFoundError as exc:
        if exc.name != f"peerpay.cli.{_name}":
            raise
