"""knowledge.text / retrieval / embedding: jieba tokens with the domain dictionary, BM25 + dense
retrieval fused by reciprocal rank, and the offline embedding model loaded the real way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.api import KnowledgeBase
from knowledge.embedding import MODEL_STAMP, DenseEncoder
from knowledge.retrieval import DENSE_WEIGHT, QUESTION_WEIGHT, RRF_K, HybridRetriever
from knowledge.settings import get_settings
from knowledge.text import DOMAIN_DICT, normalize, tokens

# ---- tokens ------------------------------------------------------------------------------------


def _domain_words() -> set[str]:
    return {line.split()[0] for line in DOMAIN_DICT.read_text(encoding="utf-8").splitlines() if line.strip()}


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("三证合一码是什么", "三证合一码"),
        ("请问申报书要盖骑缝章吗", "骑缝章"),
        ("需要交自筹资金承诺函吗", "自筹资金承诺函"),
        ("市经信委联系人是谁", "市经信委"),
    ],
)
def test_domain_terms_stay_whole(kb: KnowledgeBase, text: str, term: str) -> None:
    assert term in _domain_words(), f"{term} is not in the domain dictionary"
    assert term in tokens(text)


def test_stopwords_and_punctuation_are_dropped(kb: KnowledgeBase) -> None:
    result = tokens("请问，我们的申报书需要盖骑缝章吗？")
    for stopword in ("请问", "我们", "的", "需要", "吗", "，", "？"):
        assert stopword not in result
    assert "骑缝章" in result and "申报书" in result


def test_tokens_fold_full_width_and_case() -> None:
    assert normalize("ＩＣＵ　５Ｇ") == "icu 5g"
    assert "icu" in tokens("远程重症监护（ＩＣＵ）")


def test_only_stopwords_give_no_tokens() -> None:
    assert tokens("请问一下，这个是什么？") == []


# ---- hybrid retrieval on the real knowledge base ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "program", "expected"),
    [
        ("材料寄到哪里", "sh5g", "sh5g.sub.address"),
        ("纸质申报书应该邮寄到什么地址", "sh5g", "sh5g.sub.address"),
        ("一个单位最多能牵头几个项目", "sh5g", "sh5g.elig.limit"),
        ("联合单位最多可以有几家", "nat5g", "nat5g.elig.team"),
        ("负责人年龄有限制吗", "smart", "smart.elig.pi_basic"),
        ("平台登录密码是什么", "accept", "accept.sub.account"),
        ("验收不通过的分数线", "accept", "accept.proc.conclusion"),
        ("牵头单位可以换吗", "annual", "annual.proc.lead_fixed"),
    ],
)
def test_paraphrased_question_finds_the_fact(kb: KnowledgeBase, query: str, program: str, expected: str) -> None:
    hits = kb.retriever.search(query, programs=[program], facts_only=True, top_k=3)
    assert hits, "no hit"
    assert hits[0].unit.id == expected, [h.unit.id for h in hits]
    assert hits[0].unit.citation.quote


def test_program_filter_keeps_to_the_program(kb: KnowledgeBase) -> None:
    for program in ("sh5g", "nat5g", "smart"):
        hits = kb.retriever.search("申报材料邮寄地址", programs=[program], top_k=10)
        assert hits
        assert {h.unit.program for h in hits} == {program}
    both = kb.retriever.search("申报材料一式几份", programs=["sh5g", "nat5g"], top_k=20)
    assert {h.unit.program for h in both} <= {"sh5g", "nat5g"}
    assert {h.unit.program for h in both} == {"sh5g", "nat5g"}


def test_facts_only_and_topic_filters(kb: KnowledgeBase) -> None:
    facts = kb.retriever.search("申报资格", programs=["sh5g"], facts_only=True, top_k=10)
    assert facts and all(h.unit.is_fact for h in facts)
    clauses = kb.retriever.search("申报资格", programs=["sh5g"], facts_only=False, top_k=10)
    assert clauses and all(not h.unit.is_fact for h in clauses)
    assert any(h.unit.title == "三、申报要求 > （一）申报资格" for h in clauses)
    contacts = kb.retriever.search("电话", topics=["contact"], top_k=20)
    assert contacts and all(h.unit.topic == "contact" for h in contacts)


def test_unrelated_query_finds_nothing(kb: KnowledgeBase) -> None:
    assert kb.retriever.search("足球比赛比分", programs=["sh5g"], facts_only=True) == []


def test_every_unit_carries_a_citation(kb: KnowledgeBase) -> None:
    docs = {s.doc for s in kb.data.sources.values()}
    for unit in kb.retriever.units:
        assert unit.citation.doc in docs
        assert unit.citation.clause and unit.citation.quote


# ---- dense encoder: the trained offline model, loaded through sentence-transformers --------------


@pytest.fixture(scope="module")
def encoder(kb: KnowledgeBase) -> DenseEncoder:
    # kb (session) has made sure the model exists; a fresh encoder loads it from disk again.
    return DenseEncoder(str(get_settings().trained_embedding_dir), segmenter=tokens)


def test_knowledge_base_uses_the_trained_model_from_var(kb: KnowledgeBase) -> None:
    settings = get_settings()
    if settings.embedding_model:
        pytest.fail("EMBEDDING_MODEL is set; these tests check the offline default model")
    model_dir = settings.trained_embedding_dir
    assert kb.retriever.encoder is not None
    assert Path(kb.retriever.encoder.model_location) == model_dir
    assert (model_dir / MODEL_STAMP).is_file()
    assert (model_dir / "modules.json").is_file()


def test_dense_vectors_are_normalised(encoder: DenseEncoder) -> None:
    vectors = encoder.encode(["材料寄到哪里", "项目负责人年龄不能超过多少岁"])
    assert vectors.shape[0] == 2 and vectors.shape[1] >= 64
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize(
    ("question", "similar", "unrelated"),
    [
        ("材料寄到哪里", "纸质材料的邮寄地址是什么", "项目负责人年龄不能超过多少岁"),
        ("一个单位能牵头几个项目", "每家单位可以牵头申报多少项目", "材料寄到哪里"),
    ],
)
def test_similar_questions_score_higher_than_unrelated(encoder: DenseEncoder, question: str, similar: str, unrelated: str) -> None:
    q, s, u = encoder.encode([question, similar, unrelated])
    assert float(q @ s) > float(q @ u) + 0.1


def test_encoder_segments_like_the_training_did(encoder: DenseEncoder) -> None:
    """The stamp says the model was trained on jieba words: encoding raw text must equal encoding
    the jieba-segmented text with the plain sentence-transformers model."""
    from sentence_transformers import SentenceTransformer

    location = str(get_settings().trained_embedding_dir)
    plain = SentenceTransformer(location, device="cpu")
    question = "纸质材料的邮寄地址是什么"
    expected = plain.encode([" ".join(tokens(question))], normalize_embeddings=True)[0]
    assert np.allclose(encoder.encode([question])[0], expected, atol=1e-5)


def test_retriever_dense_scores_rank_the_right_unit_high(kb: KnowledgeBase) -> None:
    scores = kb.retriever.dense_scores("材料寄到哪里")
    ids = [u.id for u in kb.retriever.units]
    sh5g = [i for i, u in enumerate(kb.retriever.units) if u.program == "sh5g" and u.is_fact]
    best = max(sh5g, key=lambda i: scores[i])
    assert ids[best] == "sh5g.sub.address"


# ---- reciprocal-rank fusion ---------------------------------------------------------------------


class StubEncoder:
    """Dense vectors chosen by the test: lets one unit be found by meaning only, another by words only."""

    def __init__(self, vectors: dict[str, np.ndarray], default: np.ndarray):
        self.vectors = vectors
        self.default = default

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors.get(t, self.default) for t in texts]).astype(np.float32)


def test_rrf_keeps_bm25_only_and_dense_only_hits(kb: KnowledgeBase) -> None:
    units = [u for u in kb.retriever.units if u.program == "sh5g" and u.is_fact]
    by_id = {u.id: u for u in units}
    words_only = by_id["sh5g.doc.stamp"]  # the only sh5g fact mentioning 骑缝章
    meaning_only = by_id["sh5g.sub.address"]
    query = "骑缝章"
    e_query, e_other, e_rest = np.eye(3)
    encoder = StubEncoder({query: e_query, meaning_only.search_text[:512]: e_query, words_only.search_text[:512]: e_other}, e_rest)
    retriever = HybridRetriever(units, encoder)
    assert retriever.bm25_scores(query)[units.index(meaning_only)] == 0

    hits = retriever.search(query, top_k=10)
    found = {h.unit.id: h for h in hits}
    assert words_only.id in found, "a unit found by BM25 only must still appear"
    assert found[words_only.id].bm25 > 0 and found[words_only.id].dense == pytest.approx(0.0)
    assert meaning_only.id in found, "a unit found by the dense model only must still appear"
    assert found[meaning_only.id].bm25 == 0 and found[meaning_only.id].dense == pytest.approx(1.0)
    # Units that share no word with the query and are not close in meaning are not hits.
    assert all(h.bm25 > 0 or h.dense > 0.35 for h in hits)


def test_rrf_unit_found_by_both_ranks_first(kb: KnowledgeBase) -> None:
    units = [u for u in kb.retriever.units if u.program == "sh5g" and u.is_fact]
    by_id = {u.id: u for u in units}
    both = by_id["sh5g.doc.stamp"]
    query = "骑缝章"
    e_query, e_rest = np.eye(2)
    encoder = StubEncoder({query: e_query, both.search_text[:512]: e_query}, e_rest)
    hits = HybridRetriever(units, encoder).search(query, top_k=5)
    assert hits[0].unit.id == both.id
    assert hits[0].bm25 > 0 and hits[0].dense == pytest.approx(1.0)
    # fused score: first in all three rankings: BM25 (weight 1), dense (0.5), best question variant (0.4)
    assert hits[0].score == pytest.approx((1.0 + DENSE_WEIGHT + QUESTION_WEIGHT) / (RRF_K + 1))


def test_retriever_without_encoder_is_bm25_only(kb: KnowledgeBase) -> None:
    units = [u for u in kb.retriever.units if u.program == "sh5g" and u.is_fact]
    hits = HybridRetriever(units, None).search("邮寄地址 收件人", top_k=3)
    assert hits[0].unit.id == "sh5g.sub.address"
    assert all(h.dense == 0 for h in hits)


def test_a_fact_is_also_found_by_its_best_matching_question_variant(kb: KnowledgeBase) -> None:
    units = [u for u in kb.retriever.units if u.is_fact]
    retriever = HybridRetriever(units, None)
    unit = next(u for u in units if u.id == "sh5g.sub.address")

    scores = retriever.question_scores(unit.questions[0])

    assert scores[units.index(unit)] == scores.max() > 0
    assert retriever.question_scores("")[units.index(unit)] == 0


def test_a_unit_fused_almost_level_but_matching_far_better_by_words_goes_first(kb: KnowledgeBase) -> None:
    own = next(u for u in kb.retriever.units if u.id == "accept.deadline.upload")
    sibling = next(u for u in kb.retriever.units if u.id == "accept.deadline.extension")
    related = next(u for u in kb.retriever.units if u.id == "sh5g.deadline.central")
    retriever = HybridRetriever([own, sibling, related], None)
    ranked, fused = np.array([0, 1, 2]), np.array([1.0, 0.9, 0.9])

    # the sibling's words match twice as well: rank fusion's near tie goes to it
    assert list(retriever._lexical_lead_first(ranked, fused, np.array([2.0, 4.0, 0.0]), {})) == [1, 0, 2]
    # a related notice weighed down on purpose needs a far clearer lead (2.5x) to pass the own notice
    boost = {"sh5g": 0.7}
    assert list(retriever._lexical_lead_first(ranked, fused, np.array([2.0, 0.0, 4.0]), boost)) == [0, 1, 2]
    assert list(retriever._lexical_lead_first(ranked, fused, np.array([2.0, 0.0, 6.0]), boost)) == [2, 0, 1]
    # not near the best: fusion decides
    assert list(retriever._lexical_lead_first(ranked, np.array([1.0, 0.5, 0.5]), np.array([2.0, 9.0, 0.0]), {})) == [0, 1, 2]
