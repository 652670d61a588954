"""The command line: parse options, call the jobs, render. The only package that imports click."""

from __future__ import annotations

import importlib
import os

import click

from .. import __version__
from .common import EXIT_INPUT, EXIT_REJECTED, EXIT_USAGE

__all__ = ["EXIT_INPUT", "EXIT_REJECTED", "EXIT_USAGE", "main"]


def _reuse_freed_memory(arrow: bool = True) -> None:
    """Let glibc keep freed array memory for reuse instead of returning it to the kernel.

    The pay engine allocates and frees many 10-100 MB arrays; by default each is a fresh mmap
    whose pages the kernel must zero on first touch (a page fault each, dear on a virtual
    machine). Reusing the heap saves ~10 % of a large run. ``arrow``: pyarrow allocates from the
    same heap too (its default pool, mimalloc, hands freed pages back and faults them in again:
    ~10 % more). A no-op where glibc is not the allocator.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)
        libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1)
        libc.mallopt(M_TOP_PAD, 256 << 20)
    except (OSError, AttributeError):
        return
    if arrow and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:  # the environment's choice wins
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())


# name -> (module, attribute, the first paragraph of its help). A command's module (and pandas,
# pyarrow, the engine...) is imported only when that command runs or shows its own help, so
# ``peerpay --help`` and a mistyped command answer at once. tests/test_speed_paths.py checks the
# summaries against the commands' own help.
COMMANDS = {
    "audit": (".audit", "command", "Audit a payroll register against the policy: owed, paid and the difference by pay component (docs/audit.md)."),
    "backpay": (".backpay", "command",
                "Price unpaid work as back wages per employee and workweek: contract, FLSA and state measures (docs/formats.md §6)."),
    "billing": (".billing", "command",
                "The share of what a person's work bills that the person is paid, per person and role (docs/billing.md)."),
    "cost": (".cost", "command", "Cost bargaining proposals year by year and the peer pay gap they close (docs/costing.md)."),
    "demo": (".demo", "command", "Run the whole job on the bundled samples and print the reports."),
    "gap": (".gap", "command", "Compare the peer role's hourly pay with every other role (docs/formats.md §5)."),
    "init": (".init", "command", "Write a starter policy.toml and map.toml (with comments) into FOLDER."),
    "pay": (".pay", "pay", "Compute gross pay per employee and workweek (docs/formats.md §4)."),
    "stipends": (".backpay", "stipends",
                 "Stipends and honoraria by workweek: effective hourly pay against the minimum wage of each day (docs/formats.md §7)."),
    "validate": (".validate", "command",
                 "Check inputs and policy without paying: every problem at once, as file:row:column."),
}


#: ``pay`` options after which its timesheet is not read by the local engine, as one file
_NOT_LOCAL = ("--engine", "--scheduler", "--output-dir", "--map", "--by", "--credentials", "--sheet", "--help", "-h")


def early_read(args: list[str]) -> tuple[str, int | None] | None:
    """What ``pay`` will read, from its raw arguments: its one CSV timesheet and the
    ``--partitions`` it is spilled into (None: read whole); None when unsure.

    Only a guess, made before the command's module is loaded: a wrong guess costs work on the
    other core, never a wrong result (the early read is handed over only for the same file).
    """
    found, partitions = [], None
    for i, arg in enumerate(args):
        option, _, inline = arg.partition("=")
        value = inline if "=" in arg else (args[i + 1] if i + 1 < len(args) else "")
        if arg == "--" or option in _NOT_LOCAL:
            return None
        if option in ("-t", "--timesheet") and (option == "--timesheet" or "=" not in arg):
            found.append(value)
        elif option == "--partitions":
            if not value.isdigit() or not 1 <= int(value) <= 100_000:
                return None
            partitions = int(value)
    if len(found) != 1 or not found[0].lower().endswith((".csv", ".txt")):
        return None
    return found[0], partitions


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; the listing comes from :data:`COMMANDS`."""

    def resolve_command(self, ctx, args):
        if not (args and args[0] in COMMANDS):
            return super().resolve_command(ctx, args)
        # a command runs (not when the package is imported, nor for --help): SIGTERM is handled as
        # Ctrl-C from here on, so the early work below is cleaned up too (cli/faults.py)
        from .faults import check_settings, install_signal_handlers

        install_signal_handlers()
        check_settings()  # a bad PEERPAY_* setting stops the command before anything loads (exit 1)
        try:
            _reuse_freed_memory(arrow=args[0] != "init")  # init reads and writes text only
            if args[0] in ("pay", "audit") and (early := early_read(args[1:])):  # audit pays its timesheet too
                path, partitions = early
                if partitions is None:
                    from ..io.csvtext import prefetch

                    prefetch(path)  # read on the other core while pandas and the pay modules load
                else:
                    from ..io.buckets import spill_early

                    spill_early(path, partitions)  # spilled into its buckets meanwhile
            return super().resolve_command(ctx, args)
        except KeyboardInterrupt as exc:  # stopped while loading: the early work is removed on the way out
            from .common import stopped

            stopped(exc)

    def list_commands(self, ctx):
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            module, attr, _ = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module, __name__), attr), name)
        return self.commands.get(name)

    def format_commands(self, ctx, formatter):
        rows = []
        limit = formatter.width - 6 - max((len(n) for n in self.list_commands(ctx)), default=0)
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name) or click.Command(name, help=COMMANDS[name][2])
            if not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peerpay")
def main() -> None:
    """peerpay: exact pay and pay-equity numbers for peer support workers."""

