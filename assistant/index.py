"""The read side of the index: documents, chunks, dense and lexical search, opened once per process."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.config import Settings
from assistant.docstore import DocStore
from assistant.embed import Embedder, get_embedder, model_id
from assistant.errors import IndexMissing
from assistant.store import VectorStore
from assistant.types import Chunk, DocumentInfo, Filters

DENSE_SLACK = 10  # extra vectors fetched in case a few are orphans of an interrupted ingest


class Index:
    """Query-time access to what ingest stored. Raises IndexMissing / EmbeddingMismatch / StoreUnavailable."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        if not DocStore.exists_at(settings.sqlite_path):
            raise IndexMissing(f"No index in {settings.data_dir} yet; run `ingest corpus/` (or `make run`) first.")
        self.docs = DocStore(settings.sqlite_path, create=False)
        if not self.docs.get_meta("embed_model") or not self.docs.count_chunks():
            raise IndexMissing(f"The index in {settings.data_dir} is empty; run `ingest corpus/` (or `make run`) first.")
        settings = self.settings = settings.adopt_model(self.docs.get_meta("embed_model"))
        self.docs.check_embed_model(model_id(settings.embed_model))
        self.embedder = embedder or get_embedder(settings.embed_model, settings.embed_batch)
        self.vectors = VectorStore(settings, self.embedder.name, self.embedder.dim, create=False)
        if not self.vectors.exists:
            raise IndexMissing(f"No vectors for collection {settings.collection!r}; run `ingest --rebuild corpus/`.")

    # documents -------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.docs.documents()

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.docs.document(doc_id) or self.docs.find_document(doc_id)

    def text(self, doc_id: str) -> str:
        return self.docs.text(doc_id)

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        return self.docs.chunks(ids)

    def allowed_doc_ids(self, filters: Filters | None) -> list[str] | None:
        return self.docs.filter_doc_ids(filters) if filters else None

    # search ----------------------------------------------------------------
    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0]

    def dense(self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by cosine similarity; vectors without a stored chunk (crash orphans) are skipped."""
        hits = self.vectors.query(vector, k + DENSE_SLACK, doc_ids)
        chunks = self.docs.chunks([cid for cid, _ in hits])
        return [(chunks[cid], score) for cid, score in hits if cid in chunks][:k]

    def lexical(self, terms: Sequence[str], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25 over the OR of terms (a term with spaces is a phrase)."""
        hits = self.docs.lexical_search(terms, k, doc_ids)
        chunks = self.docs.chunks([cid for cid, _ in hits])
        return [(chunks[cid], score) for cid, score in hits if cid in chunks]
