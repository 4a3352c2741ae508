"""rasa_extensions/diet.py: the trained DIET model loaded for prediction only — no training step
traced, every variable restored from the checkpoint, the same intents and entities."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = str(REPO / ".venv-rasa" / "bin" / "python")
sys.path.insert(0, str(REPO / "scripts"))
from stack import train_if_needed  # noqa: E402

# Loads the project's trained model as `rasa run` does, noting each DIET model the configured
# pipeline loads through the prediction-only loader, and reports what a user would see.
SCRIPT = r"""
import asyncio, json, sys
from rasa_extensions.diet import PredictionDIET
from rasa.core.agent import load_agent

loaded = []
prediction_only_load = PredictionDIET.load.__func__
def noting_load(cls, *args, **kwargs):
    model = prediction_only_load(cls, *args, **kwargs)
    loaded.append(model)
    return model
PredictionDIET.load = classmethod(noting_load)

agent = asyncio.run(load_agent(model_path=sys.argv[1]))
parsed = {}
for text in sys.argv[2:]:
    result = asyncio.run(agent.parse_message(text))
    parsed[text] = {"intent": result["intent"]["name"], "entities": {e["entity"]: e["value"] for e in result["entities"]}}
print(json.dumps({"models": len(loaded), "trained_steps_traced": [m.train_function is not None for m in loaded], "parsed": parsed}, ensure_ascii=False))
"""


def test_diet_loads_without_a_training_step_and_predicts_as_trained() -> None:
    model = train_if_needed(REPO / "var")
    texts = ["上海5G试点什么时候截止", "成果统计表什么时候之前交", "转人工"]
    result = subprocess.run([RASA_PYTHON, "-c", SCRIPT, str(model), *texts], cwd=REPO, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["models"] == 1 and report["trained_steps_traced"] == [False]
    parsed = report["parsed"]
    assert parsed["上海5G试点什么时候截止"] == {"intent": "ask_deadline", "entities": {"program": "sh5g", "topic": "deadline"}}
    assert parsed["成果统计表什么时候之前交"]["intent"] == "ask_deadline"
    assert parsed["成果统计表什么时候之前交"]["entities"].get("doc_kind") == "成果统计表"
    assert parsed["转人工"]["intent"] == "request_human"
