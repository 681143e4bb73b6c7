# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Inspection of the kernel's source: zero I/O, no global mutable state, no dependency on the shell."""

import ast
from pathlib import Path

import pytest

import spotanomaly2_safe

KERNEL = Path(spotanomaly2_safe.__file__).parent
MODULES = sorted(KERNEL.rglob("*.py"))
FORBIDDEN_MODULES = {
    "os", "sys", "io", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl", "http", "urllib", "requests",
    "subprocess", "multiprocessing", "threading", "logging", "time", "datetime", "random", "pickle", "sqlite3",
    "spotanomaly2_safe_cli",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "compile", "__import__", "breakpoint"}
MUTABLE_DISPLAYS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FORBIDDEN_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            found.append(f"{node.func.id}()")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            found.append("global/nonlocal statement")
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(statement.value, MUTABLE_DISPLAYS):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            if names != ["__all__"]:
                found.append(f"module-level mutable {names}")
    return found


@pytest.mark.requirement("REQ-ROB-001")
@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(KERNEL)))
def test_kernel_module_has_no_io_or_global_mutable_state(path):
    assert _violations(path) == []


@pytest.mark.requirement("REQ-ROB-001")
def test_inspection_catches_each_kind_of_violation(tmp_path):
    offender = tmp_path / "offender.py"
    offender.write_text(
        "import os\nfrom time import time\nCACHE = {}\n__all__ = []\n"
        "def f():\n    global CACHE\n    print(open('x'))\n",
        encoding="utf-8",
    )
    assert _violations(offender) == ["os", "time", "global/nonlocal statement", "print()", "open()", "module-level mutable ['CACHE']"]


@pytest.mark.requirement("REQ-COR-010")
def test_registry_cannot_be_mutated():
    with pytest.raises(TypeError):
        spotanomaly2_safe.SCORER_REGISTRY["Mine"] = object
