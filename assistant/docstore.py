"""The document store: one SQLite file with documents (cleaned text, metadata), chunks and the lexical index.

SQLite is the source of truth for what is indexed: a document becomes visible to queries in the
single transaction that writes its row, its chunks and (by trigger) their lexical entries. Vectors
are written to Chroma before that transaction and only count when their chunk row exists.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant import lexical
from assistant.errors import EmbeddingMismatch
from assistant.types import Chunk, DocumentInfo, Filters, PageSpan

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, root TEXT NOT NULL, path TEXT NOT NULL,
    title TEXT NOT NULL, publisher TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '', content_hash TEXT NOT NULL,
    text TEXT NOT NULL, pages TEXT NOT NULL DEFAULT '[]', n_chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, section TEXT NOT NULL,
    page_start INTEGER, page_end INTEGER, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, idx);
"""

DOC_COLUMNS = "doc_id, source, title, publisher, date, kind, url, path, content_hash, length(text), n_chunks, ingested_at, pages"
CHUNK_COLUMNS = 'id, doc_id, idx, start, "end", text, section, page_start, page_end'


def _doc(row: sqlite3.Row | tuple) -> DocumentInfo:
    *fields, pages = row
    return DocumentInfo(*fields, has_pages=pages not in ("", "[]"))


def _chunk(row: sqlite3.Row | tuple) -> Chunk:
    return Chunk(*row)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _date_key(date: str, end: bool = False) -> str:
    """Pad a partial ISO date so string comparison works ("2022" -> "2022-01-01" or "2022-12-31")."""
    parts = date.split("-")
    if not date or not parts[0].isdigit():
        return ""
    year = parts[0]
    month = parts[1] if len(parts) > 1 else ("12" if end else "01")
    day = parts[2] if len(parts) > 2 else ("31" if end else "01")
    return f"{year}-{month}-{day}"


class DocStore:
    """Documents, chunks and the FTS5 index in one SQLite file (WAL mode, safe for concurrent readers)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")
        self.lock = threading.RLock()  # one connection shared by the app's threads
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=10000")
        if create:
            with self.conn:
                self.conn.executescript(SCHEMA)
                lexical.create(self.conn)
                self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    @classmethod
    def exists_at(cls, path: Path) -> bool:
        if not path.exists():
            return False
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE name='documents'").fetchone() is not None
        finally:
            conn.close()

    def close(self) -> None:
        self.conn.close()

    # meta -----------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.lock, self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def check_embed_model(self, name: str) -> None:
        """Raise EmbeddingMismatch when the index was built with another embedding model than `name`."""
        recorded = self.get_meta("embed_model")
        if recorded and recorded != name:
            raise EmbeddingMismatch(
                f"The index was built with embedding model {recorded!r} but ASSISTANT_EMBED_MODEL is "
                f"{name!r}; re-embed with `ingest --reembed corpus/` (keeps every document), rebuild with `ingest --rebuild corpus/`, "
                "or set it back."
            )

    # documents ------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        with self.lock:
            rows = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY source").fetchall()
        return [_doc(r) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        with self.lock:
            row = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _doc(row) if row else None

    def find_document(self, name: str) -> DocumentInfo | None:
        """A document by source path, file name, or (unique) part of its title."""
        docs = self.documents()
        for test in (
            lambda d: d.source == name or d.doc_id == name,
            lambda d: Path(d.source).name == name or Path(d.source).stem == name,
            lambda d: name.lower() in d.title.lower(),
        ):
            hits = [d for d in docs if test(d)]
            if len(hits) == 1:
                return hits[0]
        return None

    def text(self, doc_id: str) -> str:
        with self.lock:
            row = self.conn.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def pages(self, doc_id: str) -> list[PageSpan]:
        with self.lock:
            row = self.conn.execute("SELECT pages FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return [PageSpan(*p) for p in json.loads(row[0])] if row else []

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content_hash, root folder) for every stored document."""
        with self.lock:
            return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT doc_id, content_hash, root FROM documents")}

    def replace_document(
        self,
        info: DocumentInfo,
        root: str,
        text: str,
        pages: Sequence[PageSpan],
        chunks: Sequence[Chunk],
    ) -> list[str]:
        """Atomically swap in a document with its chunks; returns the ids of the chunks it replaced."""
        with self.lock, self.conn:
            old = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id=?", (info.doc_id,))]
            self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (info.doc_id,))
            self.conn.execute("DELETE FROM documents WHERE doc_id=?", (info.doc_id,))
            self.conn.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    info.doc_id, info.source, root, info.path, info.title, info.publisher, info.date, info.kind,
                    info.url, info.content_hash, text, json.dumps([[p.start, p.end, p.page] for p in pages]),
                    len(chunks), info.ingested_at or now_iso(),
                ),
            )
            self.conn.executemany(
                f"INSERT INTO chunks ({CHUNK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                [(c.id, c.doc_id, c.index, c.start, c.end, c.text, c.section, c.page_start, c.page_end) for c in chunks],
            )
        new = {c.id for c in chunks}
        return [cid for cid in old if cid not in new]

    def delete_document(self, doc_id: str) -> list[str]:
        """Remove a document and its chunks; returns the removed chunk ids."""
        with self.lock, self.conn:
            old = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
            self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            self.conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        return old

    def clear(self) -> None:
        with self.lock, self.conn:
            self.conn.execute("DELETE FROM chunks")
            self.conn.execute("DELETE FROM documents")

    # chunks ---------------------------------------------------------------
    def chunk_ids(self) -> set[str]:
        with self.lock:
            return {r[0] for r in self.conn.execute("SELECT id FROM chunks")}

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """The stored chunks among `ids` (unknown ids, e.g. orphan vectors, are left out)."""
        ids = list(ids)
        out: dict[str, Chunk] = {}
        with self.lock:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                sql = f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE id IN ({','.join('?' * len(part))})"
                out.update((row[0], _chunk(row)) for row in self.conn.execute(sql, part))
        return out

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        with self.lock:
            rows = self.conn.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE doc_id=? ORDER BY idx", (doc_id,))
            return [_chunk(r) for r in rows.fetchall()]

    def all_chunks(self) -> list[Chunk]:
        with self.lock:
            return [_chunk(r) for r in self.conn.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks ORDER BY doc_id, idx")]

    def count_chunks(self) -> int:
        with self.lock:
            return self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def lexical_search(self, terms: Sequence[str], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        with self.lock:
            return lexical.search(self.conn, terms, k, doc_ids)

    def rebuild_lexical(self) -> int:
        with self.lock:
            return lexical.rebuild(self.conn)

    # filters --------------------------------------------------------------
    def filter_doc_ids(self, filters: Filters) -> list[str] | None:
        """The doc ids passing `filters`, or None when nothing is filtered."""
        if not filters:
            return None
        keep = []
        since, until = _date_key(filters.since), _date_key(filters.until, end=True)
        for doc in self.documents():
            if filters.documents and not any(
                wanted.lower() in (doc.source.lower(), Path(doc.source).name.lower(), Path(doc.source).stem.lower())
                or wanted.lower() in doc.title.lower()
                for wanted in filters.documents
            ):
                continue
            if filters.publishers and not any(p.lower() in doc.publisher.lower() for p in filters.publishers):
                continue
            if filters.kinds and not any(k.lower() in doc.kind.lower() for k in filters.kinds):
                continue
            if since and (not doc.date or _date_key(doc.date, end=True) < since):
                continue
            if until and (not doc.date or _date_key(doc.date) > until):
                continue
            keep.append(doc.doc_id)
        return keep
