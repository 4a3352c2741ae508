"""The search-only (numpy) path computes exactly what sentence-transformers computes for the
project's static model, without importing torch."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from knowledge.api import KnowledgeBase
from knowledge.embedding import DenseEncoder, is_single_static_model
from knowledge.text import tokens

TEXTS = ["上海5G试点纸质材料交几份", "联系人电话是多少", "", "验收资料上传网址"]


def test_numpy_vectors_equal_sentence_transformers_vectors(kb: KnowledgeBase) -> None:
    location = kb.retriever.encoder.model_location
    assert is_single_static_model(location)
    reference = DenseEncoder(location, segmenter=tokens).encode(TEXTS)
    light = DenseEncoder(location, segmenter=tokens, prefer_numpy=True).encode(TEXTS)
    assert np.allclose(reference, light, atol=1e-6)
    assert not np.allclose(light[0], light[1])


def test_search_only_knowledge_base_does_not_load_torch() -> None:
    code = (
        "import sys\n"
        "from knowledge.api import get_search_knowledge\n"
        "hits = get_search_knowledge().search_faq('材料寄到哪里', 'nat5g')\n"
        "assert '花园北路52号' in hits[0].answer, hits[0].answer\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False"
