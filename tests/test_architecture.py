"""The map of the house (docs/architecture.md), checked: who may import whom.

The core stays pure: no click, no file I/O libraries, no paths (STYLE.md habit 1).
"""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "peerpay"
CORE = PKG / "core"
FORBIDDEN = {"click", "openpyxl", "xlsxwriter", "pathlib", "tabulate", "matplotlib", "peerpay.io", "peerpay.cli"}

#: folder -> the peerpay packages its modules must not import (docs/architecture.md).
LAYERS = {
    "core": {"peerpay.io", "peerpay.cli", "peerpay.jobs", "peerpay.engines"},
    "models": {"peerpay.io", "peerpay.cli", "peerpay.jobs", "peerpay.engines"},
    "io": {"peerpay.cli", "peerpay.jobs", "peerpay.engines"},
    "jobs": {"peerpay.cli"},
    "engines": {"peerpay.cli"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    package = list(path.relative_to(PKG.parent).with_suffix("").parts)[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative: resolve against the module's package
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([mod] if mod else []))
            yield mod


def _offenders(folder: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(PKG)}: {name}"
        for path in sorted((PKG / folder).rglob("*.py"))
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def test_core_modules_do_no_io_and_no_cli():
    assert _offenders("core", FORBIDDEN) == []


def test_each_folder_imports_only_the_layers_below_it():
    assert [o for folder, forbidden in LAYERS.items() for o in _offenders(folder, forbidden)] == []


def test_click_is_imported_only_by_the_cli():
    offenders = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if "cli" not in p.relative_to(PKG).parts and "click" in set(_imports(p))
    ]
    assert offenders == []


def test_no_module_sits_beside_the_folders():
    """Every module lives in a folder that says its job (the package root keeps only these)."""
    assert sorted(p.name for p in PKG.glob("*.py")) == ["__init__.py", "__main__.py", "errors.py"]
