"""The read side of the index: documents, chunks, dense and lexical search, opened once per process."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.caches import SizedCache, return_large_blocks
from assistant.config import Settings
from assistant.docstore import DocStore
from assistant.embed import Embedder, get_embedder, model_id
from assistant.errors import IndexMissing
from assistant.store import VectorStore
from assistant.types import Chunk, DocumentInfo, Filters

DENSE_SLACK = 10  # extra vectors fetched in case a few are orphans of an interrupted ingest
# A search scores the chunk vectors here, exactly, when the documents searched (a named publisher's, a filter's, or
# all of them) hold at most EXACT_WITHIN chunks: Chroma's filtered query scans its metadata, 0.1-0.4 s a query at 100k
# chunks, and its unfiltered one walks an HNSW graph, approximate, whose answers were seen to differ between processes
# for the same question (eval/README.md, round nine). Past EXACT_WITHIN, Chroma answers. The vectors are read once and
# kept, up to CACHED_VECTOR_BYTES (1.5 kB a chunk).
EXACT_WITHIN = 20_000
CACHED_VECTOR_BYTES = 48_000_000


class Index:
    """Query-time access to what ingest stored. Raises IndexMissing / EmbeddingMismatch / StoreUnavailable."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        return_large_blocks()  # a process that answers questions keeps no freed score arrays per thread
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
        # (doc, hash) -> its chunk ids and unit vectors
        self._within: SizedCache[tuple[list[str], np.ndarray]] = SizedCache(CACHED_VECTOR_BYTES, lambda kept: kept[1].nbytes + 1)

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
        """Top-k chunks by cosine similarity, exact for up to EXACT_WITHIN chunks searched (the same question finds the
        same chunks every time); vectors without a stored chunk (crash orphans) are skipped."""
        hits = self._dense_within(vector, k + DENSE_SLACK, doc_ids)
        if hits is None:
            hits = self.vectors.query(vector, k + DENSE_SLACK, doc_ids)
        chunks = self.docs.chunks([cid for cid, _ in hits])
        return [(chunks[cid], score) for cid, score in hits if cid in chunks][:k]

    def lexical(self, terms: Sequence[str], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25 over the OR of terms (a term with spaces is a phrase)."""
        hits = self.docs.lexical_search(terms, k, doc_ids)
        chunks = self.docs.chunks([cid for cid, _ in hits])
        return [(chunks[cid], score) for cid, score in hits if cid in chunks]

    def _dense_within(self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None) -> list[tuple[str, float]] | None:
        """Top-k chunks of the documents (None: all) by exact cosine over their kept vectors; None when they hold too
        many chunks."""
        if doc_ids is None and self.docs.total_chunks() > EXACT_WITHIN:  # one aggregate, not a row a document, on a large index
            return None
        versions = self.docs.versions(sorted(set(doc_ids))) if doc_ids is not None else self.docs.all_versions()
        if sum(n for _, n in versions.values()) > EXACT_WITHIN:
            return None
        parts = [self._doc_vectors(doc_id, content_hash) for doc_id, (content_hash, _) in versions.items()]
        ids = [cid for part_ids, _ in parts for cid in part_ids]
        if not ids or k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32)
        scores = np.concatenate([m @ q for _, m in parts])
        k = min(k, len(scores))
        head = np.argpartition(-scores, k - 1)[:k]
        best = head[np.lexsort((head, -scores[head]))]  # best first, ties in document order
        return [(ids[i], float(scores[i])) for i in best]

    def _doc_vectors(self, doc_id: str, content_hash: str) -> tuple[list[str], np.ndarray]:
        """One document version's chunk ids and unit vectors, read from the vector store once."""
        return self._within.get_or_make((doc_id, content_hash), lambda: self._read_vectors(doc_id))

    def _read_vectors(self, doc_id: str) -> tuple[list[str], np.ndarray]:
        """A document's chunk ids and unit vectors as the vector store holds them."""
        ids = [c.id for c in self.docs.document_chunks(doc_id)]
        found = self.vectors.vectors(ids)
        ids = [cid for cid in ids if cid in found]  # a chunk without a vector (an interrupted ingest) is not searched
        matrix = np.asarray([found[cid] for cid in ids], dtype=np.float32).reshape(len(ids), self.embedder.dim)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)  # Chroma's cosine normalises too
        return ids, matrix
