"""Install anywhere (issue 11): what the commands need ships inside the package.

The checkout's ``samples/`` and ``schedules/`` are the source of truth (the product owner reads
and edits them there); ``peerpay/data/samples`` and ``peerpay/data/schedules`` are byte-identical
copies that the wheel carries (generator scripts excepted). The first test fails when one side is
edited without the other; ``python tests/test_packaging.py --sync`` copies the checkout's files over.
The slow test does what a new user does: a fresh venv, a plain ``pip install <checkout>``, then
``peerpay demo``, ``peerpay gap … --reference bls-2025``, and every README and docs command in
order in one empty folder, starting with the README's ``peerpay demo --copy samples``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from doc_commands import all_doc_commands
from peerpay.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "peerpay" / "data"
SHIPPED = ("samples", "schedules")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}


@pytest.mark.parametrize("name", SHIPPED)
def test_the_packaged_copy_is_identical_to_the_checkout(name):
    checkout, packaged = _files(ROOT / name), _files(DATA / name)
    assert sorted(checkout) == sorted(packaged), f"run: python tests/test_packaging.py --sync ({name})"
    assert [k for k in checkout if checkout[k] != packaged[k]] == [], f"run: python tests/test_packaging.py --sync ({name})"


def test_demo_runs_from_an_empty_folder_on_the_shipped_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert f"peerpay demo: {DATA / 'samples'}" in result.output
    assert "Try next" in result.output
    # the three suggested commands run as printed
    for line in result.output.split("Try next", 1)[1].splitlines():
        if line.strip().startswith("peerpay "):
            import shlex

            rerun = CliRunner().invoke(main, shlex.split(line.strip())[1:])
            assert rerun.exit_code == 0, (line, rerun.output)


def test_demo_runs_in_a_folder_with_a_samples_folder_of_its_own(tmp_path, monkeypatch):
    """Issue 25: a ./samples that is not peerpay's (here: a timesheet with a broken row) is none of the demo's business."""
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "timesheet.csv").write_text("employee_id,start,end\nX,not a date,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert f"peerpay demo: {DATA / 'samples'}" in result.output


def test_demo_copy_puts_the_shipped_samples_in_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["demo", "--copy", "samples"])
    assert first.exit_code == 0, first.output
    assert _files(tmp_path / "samples") == _files(DATA / "samples")
    assert "peerpay pay --timesheet samples/timesheet.csv" in first.output  # what to run next, on the copy
    again = CliRunner().invoke(main, ["demo", "--copy", "samples"])  # unchanged files are left alone
    assert again.exit_code == 0 and "copied 0 sample files into samples" in again.output
    (tmp_path / "samples" / "policy.toml").write_text("# my edits\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["demo", "--copy", "samples"])
    assert refused.exit_code == 2 and "policy.toml" in refused.output and "--force" in refused.output
    assert (tmp_path / "samples" / "policy.toml").read_text(encoding="utf-8") == "# my edits\n"  # nothing replaced
    forced = CliRunner().invoke(main, ["demo", "--copy", "samples", "--force"])
    assert forced.exit_code == 0 and _files(tmp_path / "samples") == _files(DATA / "samples")


def test_unknown_reference_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = DATA / "samples"
    result = CliRunner().invoke(main, ["gap", "-r", str(s / "roster.csv"), "-s", str(s / "schedule.csv"),
                                       "--peer-role", "peer_specialist", "--reference", "bls-2024"])
    assert result.exit_code == 1
    assert "bls-2025" in result.output and "bls-2024" in result.output


@pytest.mark.parametrize(("name", "magic"), [("pay.xlsx", b"PK"), ("pay.csv", b"employee_id"), ("pay.json", b"{"), ("pay.html", b"<!")])
def test_the_format_follows_the_output_files_extension(tmp_path, name, magic):
    s = ROOT / "samples"
    out = tmp_path / name
    result = CliRunner().invoke(main, ["pay", "-t", str(s / "timesheet.csv"), "-p", str(s / "policy.toml"), "-r", str(s / "roster.csv"),
                                       "-s", str(s / "schedule.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().lstrip()[:len(magic)].lower() == magic.lower()


def test_format_still_wins_over_the_extension(tmp_path):
    s = ROOT / "samples"
    out = tmp_path / "pay.xlsx"
    result = CliRunner().invoke(main, ["pay", "-t", str(s / "timesheet.csv"), "-p", str(s / "policy.toml"), "-r", str(s / "roster.csv"),
                                       "-s", str(s / "schedule.csv"), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"{")


def test_demo_into_a_closed_pipe_exits_quietly(tmp_path):
    """``peerpay demo | head -1``: the reader goes away; no "Broken pipe", exit 0."""
    proc = subprocess.Popen([sys.executable, "-m", "peerpay", "demo"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Broken pipe" not in err and "Traceback" not in err


@pytest.mark.slow
def _see_these_dependencies(py: Path) -> None:
    """Let the new venv import the dependencies this test run has (and nothing of the checkout).

    ``system_site_packages`` only reaches the *base* interpreter's packages: when the tests run in
    a virtual environment (as CI does), the dependencies are in that venv, not the base. A ``.pth``
    line that names a folder adds it to ``sys.path`` after the new venv's own site-packages (so
    the fresh peerpay wins) without running that folder's own ``.pth`` files (so an editable
    install of the checkout is not activated).
    """
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()]
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "_peerpay_test_dependencies.pth").write_text("".join(f"{p}\n" for p in ours))


def test_a_plain_install_runs_from_an_empty_folder(tmp_path):
    """venv + ``pip install <checkout>`` (not editable), then the first commands a user types.

    The venv sees the system's site-packages so that pip need not download the dependencies
    (``--no-deps``; the build backend is fetched as in any plain install); peerpay itself is a fresh, non-editable install in the
    venv, and the test checks that the command imports that copy, not the checkout.
    """
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "__pycache__", "build", "*.egg-info", ".pytest_cache",
                                                              ".hypothesis", "tests", "benchmarks"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bin_dir / "python"
    _see_these_dependencies(py)
    built = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(src)], capture_output=True, text=True, timeout=600)
    if built.returncode and any(s in built.stderr for s in ("Could not find a version", "NewConnectionError", "Network is unreachable")):
        pytest.skip("pip could not fetch the build backend (setuptools) from the package index: offline")
    assert built.returncode == 0, built.stderr[-3000:]
    shutil.rmtree(src)  # nothing may point back into the source tree
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)} | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    def run(*args, cwd=empty):
        return subprocess.run([str(bin_dir / "peerpay"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)

    where = subprocess.run([str(py), "-c", "import peerpay; print(peerpay.__file__)"], cwd=empty, env=env, capture_output=True, text=True)
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    demo = run("demo")
    assert demo.returncode == 0, demo.stderr
    assert "Try next" in demo.stdout
    shipped = demo.stdout.splitlines()[0].removeprefix("peerpay demo: ")
    gap = run("gap", "--roster", f"{shipped}/roster.csv", "--schedule", f"{shipped}/schedule.csv", "--peer-role", "peer_specialist",
              "--reference", "bls-2025")
    assert gap.returncode == 0, gap.stderr
    assert "BLS: registered_nurse" in gap.stdout
    # every README and docs command, in order, in one empty folder: the README's first command
    # (peerpay demo --copy samples) brings the samples; nothing is prepared or cleaned between commands
    reader = tmp_path / "reader"
    reader.mkdir()
    commands = all_doc_commands()
    assert commands[0].args == ("demo", "--copy", "samples")
    for command in commands:
        result = run(*command.args, cwd=reader)
        assert result.returncode == command.exit_code, f"{command}\n{result.stderr[-2000:]}"


if __name__ == "__main__" and sys.argv[1:] == ["--sync"]:
    for name in SHIPPED:
        for rel, data in _files(ROOT / name).items():
            (DATA / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (DATA / name / rel).write_bytes(data)
        print(f"copied {name}/ -> peerpay/data/{name}/")
