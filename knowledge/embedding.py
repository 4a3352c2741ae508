"""Dense sentence embeddings through sentence-transformers.

EMBEDDING_MODEL names a real model (e.g. BAAI/bge-small-zh-v1.5) or a local path. These machines
cannot download models, so by default the project trains a small StaticEmbedding model from its
own knowledge base (`train_static_model`) and loads it from var/ through the very same path."""
from __future__ import annotations

import json
import logging
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
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


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
