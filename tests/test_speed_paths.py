"""Issue 16: the fast paths give the very same results as the exact, slow ones."""

from __future__ import annotations

import json

import numpy as np

from peerpay.io.writers import _float_json, to_json


def test_callback_premium_sum_past_int64_is_exact(files):
    # 800 one-minute call-backs in one workweek at $10,000/h, each paid the 24-hour minimum at
    # 10x: one premium = $10,000 x 10 x 24 h - $10,000 x 1 min / 60 = $2,400,000 - $166.67
    #   = $2,399,833.333...; in engine units (rate 1e8 x factor 1e5 x 1,440 min - 1e8 x 1e4 x 1)
    #   = 1.44e16 - 1e12 each, x 800 = 1.152e19 > int64 (9.2e18): summed as Python integers.
    #   total = 800 x (1.44e16 - 1e12) units / 6e7 units per cent = 191,986,666,666.67 cents
    #   -> $1,919,866,666.67 (half-up at the line)
    rows = ["employee_id,start,end,kind,rate"]
    for i in range(800):
        day, minute = divmod(i * 2, 24 * 60)
        rows.append(f"E1,2025-02-0{3 + day} {minute // 60:02d}:{minute % 60:02d},"
                    f"2025-02-0{3 + day} {(minute + 1) // 60:02d}:{(minute + 1) % 60:02d},callback,10000")
    run = files.pay("\n".join(rows) + "\n", "[on_call]\ncallback_multiplier = 10\ncallback_minimum_hours = 24\n")
    (line,) = run.report["lines"]
    assert line["callback_premium"] == 1_919_866_666.67
    assert line["gross_pay"] == round(line["base_pay"] + line["callback_premium"], 2)


def test_float_json_is_repr():
    rng = np.random.default_rng(16)
    xs = np.concatenate([rng.integers(-10**15, 10**15, 2000) / 100, rng.integers(-10**9, 10**9, 2000) / 10_000,
                         rng.random(200) * 1e6, [0.0, -0.0, np.nan, np.inf, -np.inf, 1e16, 1e-5, 1e-4, 0.5, -0.5]])
    assert _float_json(xs).to_pylist() == [json.dumps(float(v)) for v in xs]


def test_long_pay_lines_written_column_wise_match_record_dumps(files):
    rows = ["employee_id,start,end,rate"] + [f"E{i},2025-02-03 07:00,2025-02-03 15:{i % 60:02d},21.5{i % 7}"
                                             for i in range(1200)]
    run = files.pay("\n".join(rows) + "\n", "[overtime]\ndaily_hours = 8\nmultiplier = 1.5\n"
                    "[[differential]]\nname = \"x\"\nstart = \"15:00\"\nend = \"23:00\"\nper_hour = 1.25\n")
    report = run.report
    assert len(report["lines"]) > 1000
    fast = to_json(report)
    report["lines"] = list(report["lines"])  # a plain list: the per-record path
    assert fast == to_json(report)


def test_lazy_command_summaries_match_the_commands():
    import click

    from peerpay.cli import COMMANDS, main

    ctx = click.Context(main)
    for name, (_, _, summary) in COMMANDS.items():
        cmd = main.get_command(ctx, name)
        assert cmd is not None and cmd.name == name
        assert (cmd.help or "").split("\n\n")[0] == summary
        assert cmd.get_short_help_str(45) == click.Command(name, help=summary).get_short_help_str(45)


def test_help_does_not_import_the_engine():
    import subprocess
    import sys

    code = "import sys; from peerpay.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n" \
           "print(sorted(m for m in ('peerpay.core.engine', 'statsmodels', 'matplotlib', 'holidays') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_edited_records_are_written_as_edited(files):
    rows = ["employee_id,start,end,rate"] + [f"E{i},2025-02-03 07:00,2025-02-03 15:00,20" for i in range(1100)]
    report = files.pay("\n".join(rows) + "\n").report
    report["lines"][-1]["gross_pay"] = 1.25  # the table no longer says what the records say
    assert '"gross_pay": 1.25}' in to_json(report)
