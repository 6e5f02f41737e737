"""Streamlit pieces shared by the pages: cached heavy objects, the error edge, the citation viewer.

Heavy objects (the Index with its embedding model, the Assistant) are created once per process with
st.cache_resource and shared by every browser session; per-session state lives in st.session_state.
Every AssistantError is caught here and shown as one clear message (st.error + st.stop), never as a
traceback.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import streamlit as st

from assistant import ui
from assistant.config import Settings
from assistant.errors import (
    AssistantError,
    ConfigError,
    EmbeddingMismatch,
    IndexMissing,
    LLMUnavailable,
    StoreUnavailable,
)
from assistant.feedback import FeedbackStore
from assistant.types import Citation, DocumentInfo, place

if TYPE_CHECKING:
    from assistant.engine import Assistant
    from assistant.index import Index

log = logging.getLogger("assistant.app")
SOURCES_PAGE = "assistant/pages/sources.py"

_HEADINGS: tuple[tuple[type[AssistantError], str, str], ...] = (
    (IndexMissing, "No index yet.", "Build it with `make index` (or `.venv/bin/ingest corpus/`), then reload this page."),
    (StoreUnavailable, "The vector store cannot be reached.",
     "Start the Chroma server named in ASSISTANT_CHROMA_URL, or unset it to use the local index, then reload."),
    (EmbeddingMismatch, "The index does not match the configured embedding model.",
     "Re-index with `.venv/bin/ingest --rebuild corpus/`, or set ASSISTANT_EMBED_MODEL back, then reload."),
    (LLMUnavailable, "The language model is not available.",
     "Start the model server (or fix ASSISTANT_LLM_* settings), or choose Extractive answers in the sidebar."),
    (ConfigError, "A setting is wrong.", "Fix the ASSISTANT_* environment variable named above and restart the app."),
)


def explain(exc: AssistantError) -> tuple[str, str]:
    """(headline, what to do) for an error."""
    for kind, headline, fix in _HEADINGS:
        if isinstance(exc, kind):
            return headline, fix
    return "The assistant could not do that.", ""


def show_error(exc: AssistantError, *, stop: bool = True) -> None:
    headline, fix = explain(exc)
    st.error(f"**{headline}** {ui.escape_markdown_keep_code(str(exc))}", icon=":material/error:")
    if fix:
        st.caption(fix)
    if stop:
        st.stop()


def fail(exc: AssistantError) -> NoReturn:
    show_error(exc, stop=True)
    raise AssertionError("unreachable")  # st.stop() raises


# --- settings and heavy objects ---------------------------------------------------------------
def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except AssistantError as exc:
        fail(exc)


def _key(s: Settings) -> tuple[str, ...]:
    return (str(s.data_dir), s.chroma_url, s.collection, s.embed_model, s.reranker)


@st.cache_resource(show_spinner="Opening the index and loading the embedding model…", max_entries=4)
def _index(key: tuple[str, ...], _settings: Settings) -> Index:
    from assistant.index import Index

    return Index(_settings)


@st.cache_resource(show_spinner="Starting the assistant…", max_entries=8)
def _assistant(key: tuple[str, ...], llm: str, _settings: Settings) -> Assistant:
    from assistant.engine import Assistant

    return Assistant(_settings, index=_index(key, _settings))


@st.cache_resource
def ask_lock() -> threading.Lock:
    """One question at a time per process: the local model and the embedder are shared by all sessions."""
    return threading.Lock()


def get_index(settings: Settings) -> Index:
    try:
        return _index(_key(settings), settings)
    except AssistantError as exc:
        fail(exc)


def get_assistant(settings: Settings, *, use_llm: bool) -> Assistant:
    """The shared Assistant for the answer mode (extractive, or the configured LLM)."""
    effective = settings if use_llm else settings.with_(llm="none")
    try:
        return _assistant(_key(settings), effective.llm + "|" + effective.llm_model, effective)
    except AssistantError as exc:
        fail(exc)


@st.cache_resource
def _feedback(path: str) -> FeedbackStore:
    return FeedbackStore(path)


def feedback_store(settings: Settings) -> FeedbackStore:
    try:
        return _feedback(str(settings.feedback_path))
    except AssistantError as exc:
        fail(exc)


# --- citations --------------------------------------------------------------------------------
def citation_document(index: Index, c: Citation) -> DocumentInfo | None:
    return index.document(c.doc_id or c.source) if (c.doc_id or c.source) else None


def render_citation(c: Citation, index: Index, key: str, *, expanded: bool = False) -> None:
    """An expander for citation [n]: metadata, the span highlighted in ~600 chars of its document."""
    doc = citation_document(index, c)
    # keyed + tracked, so an opened citation stays open across reruns (rating, comment, next question)
    with st.expander(
        ui.escape_markdown(ui.citation_heading(c)), expanded=expanded, icon=":material/format_quote:",
        key=f"exp_{key}", on_change="rerun",
    ):
        render_passage(doc, index, c.start, c.end, key=key, quote=c.quote, page=c.page, section=c.section, locator=c.locator)


def render_passage(
    doc: DocumentInfo | None, index: Index, start: int, end: int, *, key: str, quote: str = "",
    page: int | None = None, section: str = "", sources_link: bool = True, locator: str = "",
) -> None:
    """Metadata line, highlighted context, PDF download and a deep link into the Sources page."""
    if doc is None:
        st.caption("This document is no longer in the index; the quote was:")
        st.html(ui.highlight_html(quote, 0, len(quote)))
        return
    meta = [doc.title, doc.publisher, doc.date, doc.kind]
    where = [f"Section: {section}" if section else "", place(locator, page, "Page")]  # a transcript's "at 00:41:07", "Page 4, para 12"
    st.markdown(f"**{ui.escape_markdown(doc.title)}**")
    st.caption(
        ui.escape_markdown(" · ".join(x for x in meta[1:] if x))
        + ("  \n" + ui.escape_markdown(" · ".join(x for x in where if x)) if any(where) else "")
    )
    text = index.text(doc.doc_id)
    if text and 0 <= start < end <= len(text):
        st.html(ui.highlight_html(text, start, end))
    else:  # index changed since the answer: fall back to the stored quote
        st.html(ui.highlight_html(quote, 0, len(quote)))
    cols = st.columns([1, 1, 2], vertical_alignment="center")
    if sources_link:
        with cols[0]:
            st.page_link(
                SOURCES_PAGE, label="Open in Sources", icon=":material/open_in_new:",
                query_params={"doc": doc.doc_id, "start": str(start), "end": str(end)},
            )
    if ui.is_pdf(doc):
        with cols[1]:
            st.download_button(
                "Original PDF", data=Path(doc.path).read_bytes, file_name=Path(doc.path).name,  # bytes read only on click
                mime="application/pdf", key=f"{key}_pdf", on_click="ignore", icon=":material/download:",
            )
        if page:
            with cols[2]:
                st.caption(f"Cited on page {page}: open the PDF at {ui.escape_markdown(ui.pdf_fragment(doc, page) or '')}")
