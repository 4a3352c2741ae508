"""The Rasa project itself: its data validates cleanly and the trained model passes the test
stories in tests/stories/ (NLU and dialogue together), run with Rasa's own CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RASA = str(REPO / ".venv-rasa" / "bin" / "rasa")
sys.path.insert(0, str(REPO / "scripts"))
from stack import train_if_needed  # noqa: E402

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_rasa_data_validates_cleanly():
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "bot/domain", "--data", "data", "--config", "bot/config.yml", "--fail-on-warnings"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_test_stories_pass(tmp_path):
    model = train_if_needed(REPO / "var")
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(model), "--stories", "tests/stories", "--out", str(tmp_path),
         "--fail-on-prediction-errors", "--endpoints", str(tmp_path / "none.yml")],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600,
    )
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert result.returncode == 0, details[-3000:] + result.stdout[-2000:] + result.stderr[-2000:]
