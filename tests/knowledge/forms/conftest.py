"""A copy of the knowledge data with one file changed, for the loaders' error messages."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.settings import DATA_DIR

Corrupt = Callable[[str, str, str], Path]


@pytest.fixture
def broken_copy(tmp_path: Path) -> Corrupt:
    """Copies the data used by forms and eligibility; returns ``corrupt(relative file, old, new)``
    that replaces the first ``old`` by ``new`` in that file and returns the copy's root."""
    for sub in ("sources", "programs", "forms", "eligibility"):
        shutil.copytree(DATA_DIR / sub, tmp_path / sub)

    def corrupt(relative: str, old: str, new: str) -> Path:
        file = tmp_path / relative
        original = file.read_text(encoding="utf-8")
        assert old in original, f"'{old}' is not in {relative}"
        file.write_text(original.replace(old, new, 1), encoding="utf-8")
        return tmp_path

    return corrupt
