"""Offline evidence assistant: answers questions on ICS accountability and oversight with exact citations.

    from assistant import ask
    answer = ask("Who is an integrated care board accountable to?")
    print(answer.answer)            # extractive brief with [n] markers
    answer.citations[0].quote       # == the stored document text at [start:end]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import (
    AssistantError,
    ConfigError,
    EmbeddingMismatch,
    IndexMissing,
    LLMUnavailable,
    StoreUnavailable,
)
from assistant.types import Answer, AnswerSentence, Citation, Filters, Passage

if TYPE_CHECKING:
    from assistant.engine import Assistant

__all__ = [
    "Answer", "AnswerSentence", "Assistant", "AssistantError", "Citation", "ConfigError", "EmbeddingMismatch",
    "FilterError", "Filters", "IndexMissing", "LLMUnavailable", "Passage", "Settings", "StoreUnavailable", "ask",
    "default_assistant",
]

_default: Assistant | None = None
_default_lock = threading.Lock()


def __getattr__(name: str) -> Any:
    # Heavy modules (torch, chromadb) load only when the engine is actually used.
    if name == "Assistant":
        from assistant.engine import Assistant

        return Assistant
    if name == "FilterError":
        from assistant.retrieve import FilterError

        return FilterError
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


def default_assistant() -> Assistant:
    """The process-wide Assistant (settings from the environment), created on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from assistant.engine import Assistant

                _default = Assistant()
    return _default


def ask(
    question: str,
    history: Sequence[Any] | None = None,
    filters: Filters | None = None,
    top_k: int | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """Answer a question with the default Assistant (see Assistant.ask)."""
    return default_assistant().ask(question, history=history, filters=filters, top_k=top_k, on_token=on_token)
