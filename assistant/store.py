"""The vector store: the only module that imports chromadb (embedded PersistentClient or a server)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.errors import EmbeddingMismatch, StoreUnavailable

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

UPSERT_BATCH = 1000
GET_BATCH = 500  # ids per get: Chroma refuses a query with too many SQL variables (20k ids fail)
# Candidates the HNSW graph search keeps. Chroma's default (100) is approximate enough that the last of a question's
# 40 dense candidates changed from one process to the next on the 266-chunk seed corpus; 200 gives the exact
# top 30 there, the same in every run, and costs well under a millisecond.
EF_SEARCH = 200


def make_client(settings: Settings) -> Any:
    """A Chroma client: HttpClient when ASSISTANT_CHROMA_URL is set, else a PersistentClient in data_dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreUnavailable(f"ASSISTANT_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000.")
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # the client raises several unrelated types for "cannot connect"
            raise StoreUnavailable(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset ASSISTANT_CHROMA_URL."
            ) from None
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class VectorStore:
    """One Chroma collection of chunk vectors; records the embedding model and dimension it was built with."""

    def __init__(self, settings: Settings, model_name: str, dim: int, *, create: bool = True, client: Any = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self.model_name, self.dim = model_name, dim
        self.collection = self._open(create)

    def _open(self, create: bool) -> Any:
        name = self.settings.collection
        wanted = {"embed_model": self.model_name, "embed_dim": self.dim}
        try:
            collection = self.client.get_collection(name, embedding_function=None)
        except Exception:
            if not create:
                return None
            # embedding_function=None: vectors are always passed in, Chroma must never fetch its default model.
            return self.client.create_collection(
                name, embedding_function=None, metadata=wanted, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}
            )
        found = collection.metadata or {}
        if found.get("embed_model") != self.model_name or int(found.get("embed_dim", -1)) != self.dim:
            raise EmbeddingMismatch(
                f"The index was built with embedding model {found.get('embed_model')!r} ({found.get('embed_dim')}-d) "
                f"but ASSISTANT_EMBED_MODEL is {self.model_name!r} ({self.dim}-d); re-embed with `ingest --reembed corpus/` "
                "(keeps every document), rebuild with `ingest --rebuild corpus/`, or set ASSISTANT_EMBED_MODEL back."
            )
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search", EF_SEARCH) < EF_SEARCH:  # built before EF_SEARCH was set: search settings can change in place
            collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        return collection

    @property
    def exists(self) -> bool:
        return self.collection is not None

    def upsert(
        self, ids: Sequence[str], vectors: Sequence[Sequence[float]], metadatas: Sequence[dict], texts: Sequence[str]
    ) -> None:
        for i in range(0, len(ids), UPSERT_BATCH):
            j = i + UPSERT_BATCH
            self.collection.upsert(
                ids=list(ids[i:j]), embeddings=list(vectors[i:j]), metadatas=list(metadatas[i:j]), documents=list(texts[i:j])
            )

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), UPSERT_BATCH):
            self.collection.delete(ids=ids[i : i + UPSERT_BATCH])

    def ids(self) -> set[str]:
        if self.collection is None:
            return set()
        return set(self.collection.get(include=[])["ids"])

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of some chunks (float32), by id; ids without a vector are left out."""
        out: dict[str, np.ndarray] = {}
        if self.collection is None:
            return out
        for i in range(0, len(ids), GET_BATCH):
            got = self.collection.get(ids=list(ids[i : i + GET_BATCH]), include=["embeddings"])
            out.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
        return out

    def count(self) -> int:
        return 0 if self.collection is None else self.collection.count()

    def query(self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first; doc_ids restricts the search."""
        if self.collection is None or k <= 0:
            return []
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": list(doc_ids)}}
        # n_results beyond the collection's size returns what there is (counting first cost a scan per query)
        result = self.collection.query(query_embeddings=[list(vector)], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]



def drop_collection(settings: Settings) -> None:
    """Delete the whole collection, whatever model built it (used by --rebuild)."""
    client = make_client(settings)
    try:
        client.delete_collection(settings.collection)
    except Exception:  # noqa: BLE001 - absent already
        pass
