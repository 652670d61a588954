"""The fault audit (scripts/fault_audit.py), scenario by scenario, in real processes.

Each scenario runs ``python -m peerpay`` in a folder of its own and makes one fault happen at an
exact moment (``PEERPAY_PAUSE_AT``): a signal, a full tmpfs disk, a device, FIFO or symlink as the
output, a file renamed or rewritten mid-run, two runs at once, a reader that goes away, a bad
setting. The scenarios that mount a tmpfs or make a device node need root and are skipped
otherwise (CI runs as root). docs/faults.md says what each fault must leave behind.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fault_audit.py"
_spec = importlib.util.spec_from_file_location("fault_audit", SCRIPT)
audit = importlib.util.module_from_spec(_spec)
sys.modules["fault_audit"] = audit
_spec.loader.exec_module(audit)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the audit reads /proc and uses Linux signals")


@pytest.mark.parametrize("scenario", audit.SCENARIOS, ids=lambda s: s.name)
def test_fault(scenario, tmp_path):
    if scenario.root and not audit.privileged():
        pytest.skip("needs root allowed to mount a tmpfs and make a device node (CI runs as root)")
    os.chmod(tmp_path, 0o755)
    with audit.World(tmp_path) as world:
        try:
            scenario.fn(world)
        except audit.Skip as exc:
            pytest.skip(str(exc))


def test_every_scenario_says_what_it_checks():
    assert len({s.name for s in audit.SCENARIOS}) == len(audit.SCENARIOS) >= 50
    assert all(s.doc for s in audit.SCENARIOS)
