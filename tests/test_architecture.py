"""The core stays pure: no click, no file I/O libraries, no paths (STYLE.md habit 1)."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "peerpay" / "core"
FORBIDDEN = {"click", "openpyxl", "xlsxwriter", "pathlib", "tabulate", "matplotlib", "peerpay.io", "peerpay.cli"}


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative: resolve against peerpay.core
                base = ["peerpay", "core"][: 3 - node.level] if node.level <= 2 else []
                mod = ".".join(base + ([mod] if mod else []))
            yield mod


def test_core_modules_do_no_io_and_no_cli():
    offenders = []
    for path in sorted(CORE.glob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_click_is_imported_only_by_the_cli():
    pkg = CORE.parent
    offenders = [
        str(p.relative_to(pkg))
        for p in pkg.rglob("*.py")
        if "cli" not in p.relative_to(pkg).parts and "click" in set(_imports(p))
    ]
    assert offenders == []
