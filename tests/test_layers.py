"""The layers of ARCHITECTURE.md, checked on the source: imports point down only.

gateway wires everything and nothing imports it; actions and connectors use persistence, messaging
and knowledge; persistence uses messaging and knowledge; knowledge is a plain library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"gateway", "actions", "connectors", "persistence", "messaging", "knowledge", "rasa_extensions"}
MAY_IMPORT = {
    "gateway": {"gateway", "connectors", "persistence", "messaging", "knowledge"},
    "actions": {"actions", "persistence", "messaging", "knowledge"},
    "connectors": {"connectors", "persistence", "messaging", "knowledge"},
    "persistence": {"persistence", "messaging", "knowledge"},
    "messaging": {"messaging"},
    "knowledge": {"knowledge"},
    "rasa_extensions": {"rasa_extensions", "knowledge"},
}


def project_imports(path: Path) -> set[tuple[str, int]]:
    """(top-level project package, line) of every absolute import in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in PROJECT_PACKAGES}
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_point_down_only(package: str) -> None:
    wrong = [
        f"{path.relative_to(REPO)}:{line} imports {target}"
        for path in sorted((REPO / package).rglob("*.py"))
        for target, line in sorted(project_imports(path))
        if target not in MAY_IMPORT[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom gateway.settings import get_settings\n\ndef f():\n    import actions.answer\n", encoding="utf-8")
    assert project_imports(module) == {("gateway", 2), ("actions", 5)}
