"""Every `peerpay …` command shown in README.md and docs/*.md runs as shown (issues 11 and 25).

The commands run IN ORDER (README.md first, then docs/*.md by name) in ONE empty folder, as a
reader who installed the wheel and follows the docs would: the README's first command,
``peerpay demo --copy samples``, puts the shipped samples there, and nothing else is prepared.
So the commands must not clash (each writes its own outputs, or says ``--force`` where replacing
is the point), and each must end with the exit code the doc promises (0 unless a ``# exit N``
comment says otherwise). No command may write into the repository's docs (a docs image). How
commands are found: tests/doc_commands.py. The slow test in tests/test_packaging.py runs the same
list with the installed ``peerpay`` of a fresh wheel install.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from doc_commands import ROOT, all_doc_commands
from peerpay.cli import main

COMMANDS = all_doc_commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) >= 15
    assert all(c.args for c in COMMANDS)


def test_the_readme_starts_with_the_samples_copy():
    assert COMMANDS[0].source.startswith("README.md") and COMMANDS[0].args == ("demo", "--copy", "samples")


def test_no_doc_command_writes_into_the_docs():
    """A docs image is made by the tests that check it (tests/test_paystubs.py), never by a reader's command."""
    assert [str(c) for c in COMMANDS if any(a.startswith(("docs/", "./docs/")) or "/docs/" in a for a in c.args)] == []


def run_in_order(folder: Path, invoke) -> list[str]:
    """Every doc command in order in ``folder``; the failures as text (empty: all ran as shown)."""
    failures = []
    for command in COMMANDS:
        code, output = invoke(command.args)
        if code != command.exit_code:
            failures.append(f"{command}\nexit {code}, expected {command.exit_code}\n{output[-1500:]}")
    return failures


def test_every_doc_command_runs_in_order_in_one_fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(args):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    assert run_in_order(tmp_path, invoke) == []
    assert (tmp_path / "samples" / "timesheet.csv").read_bytes() == (ROOT / "samples" / "timesheet.csv").read_bytes()
    # each command's own outputs are there side by side
    for name in ("pay.xlsx", "pay.json", "rejected.csv", "lines.csv", "lines.detail.csv", "fortnight.html", "gap_chart.png",
                 "sheet.html", "cost_chart.png", "policy.toml", "map.toml", "gap_samples.png", "costing_chart.png"):
        assert (tmp_path / name).exists(), name
    assert len(list((tmp_path / "statements").glob("paystub-*.html"))) == 16


def test_format_references_resolve_inside_the_repository():
    """The docs and code cite "docs/formats.md §n" (never a file outside the repository), and each § exists."""
    import re

    formats = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## §(\d)", formats, flags=re.M))
    assert sections == {"1", "2", "3", "4", "5", "6", "7"}
    texts = [p for p in [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("peerpay/**/*.py"), *ROOT.glob("samples/**/*")]
             if p.is_file() and p.suffix in (".md", ".py", ".toml")]
    stale = [str(p.relative_to(ROOT)) for p in texts if "CONTRACT" in p.read_text(encoding="utf-8")]
    assert stale == []
    cited = {m for p in texts for m in re.findall(r"formats\.md §(\d)", p.read_text(encoding="utf-8"))}
    assert cited <= sections
