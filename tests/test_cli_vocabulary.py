"""One option vocabulary across commands (issue 25, item 7).

The same idea has the same flag everywhere; renamed options keep their old name, hidden, for one
release with a deprecation note on stderr; ``--help`` lists the clerk's options first and the
scale-out settings in their own section; every option has help text; the options shared by
several commands are declared once (cli/options.py) and no command module imports another's.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from peerpay.cli import COMMANDS, main
from peerpay.cli.options import RENAMED, renamed_args

ROOT = Path(__file__).resolve().parents[1]
S = ROOT / "samples"
INPUTS = ["-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]


def command(name: str) -> click.Command:
    cmd = main.get_command(click.Context(main), name)
    assert cmd is not None
    return cmd


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_of_every_command_has_help_text(name):
    missing = [p.name for p in command(name).params if isinstance(p, click.Option) and not (p.help or "").strip()]
    assert missing == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_lists_the_clerks_options_before_the_scale_out_ones(name):
    text = invoke(name, "--help").output
    sections = [line.rstrip(":") for line in text.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    assert sections, text
    if "Inputs" in sections:
        assert sections[0] == "Inputs"
    assert text.rstrip().splitlines()[-1].strip().startswith("-h, --help")  # help closes the listing
    if name == "pay":
        assert sections[-1] == "Scale-out (large timesheets, dask)"
        scale = text.split("Scale-out (large timesheets, dask):")[1]
        clerk = text.split("Scale-out (large timesheets, dask):")[0]
        for flag in ("--engine", "--scheduler", "--partitions", "--output-dir"):
            assert flag in scale and flag not in clerk
    offered = {o for p in command(name).params if isinstance(p, click.Option) for o in p.opts}
    assert not set(RENAMED.get(name, {})) & offered  # the old names are hidden aliases, not options


def test_the_same_idea_has_the_same_flag():
    """--statements (pay, backpay), --from/--to (pay, cost), --format (every command), --employee filters (pay)."""
    def flags(name):
        return {o for p in command(name).params if isinstance(p, click.Option) for o in p.opts}

    assert "--statements" in flags("pay") and "--statements" in flags("backpay")
    assert {"--from", "--to"} <= flags("pay") and {"--from", "--to"} <= flags("cost")
    assert "--period" not in flags("cost") and "--stubs" not in flags("pay")
    assert "--statement-for" in flags("cost") and "--employee" not in flags("cost")
    for name in ("pay", "cost", "gap", "backpay", "stipends", "validate"):
        assert {"--format", "-f"} <= flags(name)
    fmt = next(p for p in command("validate").params if p.name == "fmt")
    assert list(fmt.type.choices) == ["table", "json"]


def test_old_names_still_work_with_a_deprecation_note(tmp_path):
    new = invoke("pay", *INPUTS, "--statements", str(tmp_path / "new"))
    old = invoke("pay", *INPUTS, "--stubs", str(tmp_path / "old"))
    assert new.exit_code == old.exit_code == 0
    assert "deprecated: peerpay pay: --stubs is now --statements" in old.stderr and "deprecated" not in new.stderr
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == sorted(p.name for p in (tmp_path / "new").iterdir())

    cost = [*INPUTS, "--proposal", str(S / "proposals" / "union.toml"), "-f", "json"]
    a = invoke("cost", *cost, "--from", "2025-10-26", "--to", "2025-12-06", "--statement-for", "HL002")
    b = invoke("cost", *cost, "--period", "2025-10-26", "2025-12-06", "--employee", "HL002")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    strip = lambda r: {k: v for k, v in json.loads(r.stdout).items() if k != "meta"}
    assert strip(a) == strip(b) and "member" in strip(a)
    assert "--period is now --from --to" in b.stderr and "--employee is now --statement-for" in b.stderr

    v_new, v_old = invoke("validate", "-p", str(S / "policy.toml"), "-f", "table"), invoke("validate", "-p", str(S / "policy.toml"), "-f", "human")
    assert v_new.exit_code == v_old.exit_code == 0
    assert v_new.stdout == v_old.stdout and "--format human is now --format table" in v_old.stderr


def test_cost_from_and_to_go_together():
    r = invoke("cost", *INPUTS, "--proposal", str(S / "proposals" / "union.toml"), "--from", "2025-11-02")
    assert r.exit_code == 2 and "--from and --to go together" in r.output


def test_renaming_never_touches_a_value():
    # "--stubs" given as the value of --rejects stays a value; the real --stubs is renamed
    args, notes = renamed_args("pay", ["--rejects", "--stubs", "--stubs", "d", "--", "--stubs"], {"--rejects": 1})
    assert args == ["--rejects", "--stubs", "--statements", "d", "--", "--stubs"]
    assert len(notes) == 1
    args, _ = renamed_args("cost", ["--period", "2025-01-01", "2025-12-31", "-f", "json"], {"-f": 1})
    assert args == ["--from", "2025-01-01", "--to", "2025-12-31", "-f", "json"]
    args, _ = renamed_args("cost", ["--period", "2025-01-01"], {})
    assert args == ["--from", "2025-01-01", "--to"]  # click then says --to needs a value


def test_gap_earnings_basis_says_what_it_needs():
    text = " ".join(invoke("gap", "--help").output.split())
    assert "earnings: gross pay / hours worked (needs --timesheet and --policy)" in text


def test_a_quoted_number_in_a_policy_is_an_error_naming_the_key(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\nper_hour = "2.00"\n', encoding="utf-8")
    r = invoke("validate", "-p", str(policy))
    assert r.exit_code == 1
    assert 'differential[1].per_hour: write the number without quotes (2.00, not "2.00")' in r.output
    r = invoke("pay", "-t", str(S / "timesheet.csv"), "-p", str(policy))
    assert r.exit_code == 1 and "differential[1].per_hour" in r.output


def _cli_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out |= {node.module} if node.module else {a.name for a in node.names}
    return out


def test_no_command_module_imports_another_commands_module():
    """Shared options come from cli/options.py (cost used to import pay's, and pay's demo cost's); only
    the demo, which runs every command, imports them."""
    cli = ROOT / "peerpay" / "cli"
    commands = {m.lstrip(".") for m, _, _ in COMMANDS.values()}
    found = {p.stem: _cli_imports(p) & commands for p in cli.glob("*.py") if p.stem in commands and p.stem != "demo"}
    assert {k: v - {k} for k, v in found.items() if v - {k}} == {}
    shared = _cli_imports(cli / "pay.py") & _cli_imports(cli / "cost.py") & _cli_imports(cli / "backpay.py") & _cli_imports(cli / "gap.py")
    assert "options" in shared
