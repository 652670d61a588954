"""The document model: one render for every format, and the structured problems behind validate."""

import pandas as pd
import pytest

from peerpay.errors import InputError, Problem
from peerpay.io.document import FORMATS, Document, Heading, Notes, Table, Text, is_binary, render

DOC = Document(
    "Demo <report>",
    blocks=lambda: [Heading("Totals"), Table(pd.DataFrame({"who": ["a|b"], "pay": [1.5]}), kinds={"pay": "money"}),
                    Text("\nend\n"), Notes(["first"], md_title="Definitions")],
    csv=pd.DataFrame({"pay": [1.5]}),
    payload={"ok": True},
    sheets=[Table(pd.DataFrame({"pay": [1.5]}), "sheet", {"pay": "money"})],
    notes=["notes"],
)


def test_every_registered_format_renders():
    for fmt in FORMATS:
        out = render(DOC, fmt)
        assert isinstance(out, bytes) == is_binary(fmt)


def test_text_formats():
    assert render(DOC, "table") == ("Totals\n======\n" + "who      pay\n-----  -----\na|b     1.50\n"
                                    + "\nend\nNotes:\n  1. first\n")
    md = render(DOC, "md")
    assert md.startswith("## Totals\n\n") and "a\\|b" in md and md.endswith("**Definitions**\n\n1. first\n")
    assert render(DOC, "json") == '{\n  "ok": true\n}\n'
    assert render(DOC, "csv") == "pay\n1.50\n"


def test_html_escapes_and_uses_the_fact_sheet_skeleton():
    page = render(DOC, "html")
    assert page.startswith("<!DOCTYPE html>") and "Demo &lt;report&gt;" in page and "<script" not in page
    assert "a|b" in page and "1.50" in page


def test_lazy_parts_are_built_only_when_asked():
    def boom():
        raise AssertionError("built")

    doc = Document("x", blocks=boom, csv=pd.DataFrame({"a": [1]}), payload=boom, sheets=boom)
    assert render(doc, "csv") == "a\n1\n"


def test_input_error_at_carries_problems():
    exc = InputError.at("some/dir/policy.toml", "invalid policy", ["overtime.multiplier: bad", "x: unknown key"])
    assert str(exc) == ("some/dir/policy.toml: invalid policy:\n  some/dir/policy.toml: overtime.multiplier: bad\n"
                        "  some/dir/policy.toml: x: unknown key")
    assert exc.problems == [Problem("policy.toml", None, None, "overtime.multiplier: bad"),
                            Problem("policy.toml", None, None, "x: unknown key")]
    assert InputError.at("a.csv", "no header row").problems == [Problem("a.csv", None, None, "no header row")]


@pytest.mark.parametrize("cmd", ["gap", "pay"])
def test_html_format_from_the_cli(cmd):
    from click.testing import CliRunner

    from peerpay.cli import main

    s = "samples"
    args = {"gap": ["gap", "--roster", f"{s}/roster.csv", "--schedule", f"{s}/schedule.csv", "--as-of", "2025-11-30"],
            "pay": ["pay", "-t", f"{s}/timesheet.csv", "-p", f"{s}/policy.toml", "--roster", f"{s}/roster.csv",
                    "--schedule", f"{s}/schedule.csv"]}[cmd]
    r = CliRunner().invoke(main, [*args, "--format", "html"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("<!DOCTYPE html>") and "Run record" in r.stdout
