"""Similar questions grouped together, with the project's own embeddings and tokens.

Two questions are alike by the mean of the cosine of their dense vectors (the knowledge base's
``DenseEncoder``, the same model retrieval uses) and the Dice overlap of their jieba content
words (``knowledge.text.tokens``, the tokens the staff FAQ matches on). The groups are
scipy's average-linkage clusters cut at ``MAX_DISTANCE``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from persistence.staff_faq import _tokens, similarity

Encoder = Callable[[list[str]], np.ndarray]

# 1 - similarity: "材料寄到哪里" / "申报材料邮寄地址是什么" are ~0.5 apart, unrelated questions ~0.9
MAX_DISTANCE = 0.62
DENSE_SHARE = 0.5


@dataclass(frozen=True)
class Group:
    """Indices of the clustered texts, the most central first."""

    members: tuple[int, ...]


def _dense_similarity(texts: Sequence[str], encode: Encoder | None) -> np.ndarray | None:
    if encode is None:
        return None
    vectors = np.asarray(encode(list(texts)), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    return np.clip(vectors @ vectors.T, 0.0, 1.0)


def _bigrams(text: str) -> frozenset[str]:
    from knowledge.text import normalize

    chars = [c for c in normalize(text) if c.isalnum()]
    return frozenset(a + b for a, b in zip(chars, chars[1:])) or frozenset(chars)


def _dice_matrix(sets: Sequence[frozenset[str]]) -> np.ndarray:
    return np.array([[similarity(a, b) for b in sets] for a in sets], dtype=np.float64)


def similarity_matrix(texts: Sequence[str], encode: Encoder | None = None) -> np.ndarray:
    # words catch 申报费 ~ 报名费 once jieba splits them alike; character pairs catch 申报费 ~ 申报费用
    lexical = (_dice_matrix([_tokens(t) for t in texts]) + _dice_matrix([_bigrams(t) for t in texts])) / 2
    dense = _dense_similarity(texts, encode)
    combined = lexical if dense is None else DENSE_SHARE * dense + (1 - DENSE_SHARE) * lexical
    np.fill_diagonal(combined, 1.0)
    return combined


def group_similar(texts: Sequence[str], encode: Encoder | None = None, max_distance: float = MAX_DISTANCE) -> list[Group]:
    """Groups of similar ``texts``, largest first; each group's most central text first."""
    if not texts:
        return []
    if len(texts) == 1:
        return [Group((0,))]
    alike = similarity_matrix(texts, encode)
    distance = 1.0 - alike
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance, checks=False), method="average"), t=max_distance, criterion="distance")
    groups = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centrality = alike[np.ix_(members, members)].sum(axis=1)
        ordered = members[np.argsort(-centrality, kind="stable")]
        groups.append(Group(tuple(int(i) for i in ordered)))
    return sorted(groups, key=lambda g: (-len(g.members), g.members[0]))
