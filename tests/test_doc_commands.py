"""Every `peerpay …` command shown in README.md and docs/*.md runs as shown (issue 11).

Each command runs in its own empty folder holding copies of samples/ and schedules/ (what a
reader who cloned the repository has), through click's CliRunner, and must end with the exit
code the doc promises (0 unless a ``# exit N`` comment says otherwise). How commands are found:
tests/doc_commands.py.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from doc_commands import ROOT, all_doc_commands
from peerpay.cli import main

COMMANDS = all_doc_commands()


def reader_folder(tmp_path):
    for name in ("samples", "schedules"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return tmp_path


def test_the_docs_show_commands():
    assert len(COMMANDS) >= 15
    assert all(c.args for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=[c.source for c in COMMANDS])
def test_doc_command_runs_as_shown(command, tmp_path, monkeypatch):
    monkeypatch.chdir(reader_folder(tmp_path))
    result = CliRunner().invoke(main, list(command.args), catch_exceptions=False)
    assert result.exit_code == command.exit_code, f"{command}\nexit {result.exit_code}\n{result.output[-2000:]}"


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
