"""The document store: one SQLite file with documents (cleaned text, metadata), chunks and the lexical index.

SQLite is the source of truth for what is indexed: a document becomes visible to queries in the
single transaction that writes its row, its chunks and (by trigger) their lexical entries. Vectors
are written to Chroma before that transaction and only count when their chunk row exists.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant import lexical
from assistant.errors import EmbeddingMismatch
from assistant.types import Chunk, DocumentInfo, Filters, Locator, PageSpan

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

# Each document's sentences (spans of its stored text), their vectors and their words' counts, written with the
# document in one transaction (at ingest), so that asking reads what it needs by id instead of splitting and
# embedding the whole corpus. `stem_df` (sentences per stem over all documents, for IDF) is kept by triggers.
# Where each stretch of a transcript's text was said ("at 00:41:07") or which question it answers ("Q112"): a
# transcript's page numbers (ingest/transcript.py), written with the document and gone with it.
LOCATOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS locators (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY (doc_id, start)
) WITHOUT ROWID;
"""

SENTENCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_docs (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL, fingerprint TEXT NOT NULL, model TEXT NOT NULL, evidence INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL REFERENCES sentence_docs(doc_id) ON DELETE CASCADE, ord INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, block INTEGER NOT NULL, flags INTEGER NOT NULL,
    chunk INTEGER, vector BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS sentences_by_doc ON sentences(doc_id, ord);
CREATE TABLE IF NOT EXISTS sentence_stems (
    doc_id TEXT NOT NULL REFERENCES sentence_docs(doc_id) ON DELETE CASCADE, stem TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (doc_id, stem)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stem_df (stem TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS stem_df_ai AFTER INSERT ON sentence_stems BEGIN
    INSERT OR IGNORE INTO stem_df VALUES (new.stem, 0);
    UPDATE stem_df SET n = n + new.n WHERE stem = new.stem;
END;
CREATE TRIGGER IF NOT EXISTS stem_df_ad AFTER DELETE ON sentence_stems BEGIN
    UPDATE stem_df SET n = n - old.n WHERE stem = old.stem;
END;
"""


@dataclass
class SentenceRecord:
    """A document's sentences as stored: (start, end, block, flags, chunk index or None, float32 vector bytes or
    None for headings) in document order, the evidence sentences' stem counts, and what made them."""

    fingerprint: str
    model: str
    rows: list[tuple[int, int, int, int, int | None, bytes | None]] = field(default_factory=list)
    stems: dict[str, int] = field(default_factory=dict)

    @property
    def evidence(self) -> int:
        return sum(1 for row in self.rows if row[5] is not None)

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


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced (DocStore.close() reaches every thread's that is still open)."""


class DocStore:
    """Documents, chunks and the FTS5 index in one SQLite file (WAL mode): one connection per thread, so the app's
    threads read in parallel; writes within a process take `lock`."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()  # one writer at a time in this process
        self._local = threading.local()
        self._open: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()  # a thread's ends with the thread
        if create:
            with self.conn:
                self.conn.executescript(SCHEMA)
                lexical.create(self.conn)
                self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        self.has_sentences = self._ensure(SENTENCE_SCHEMA, "stem_df_ad", "sentence_docs")
        self.has_locators = self._ensure(LOCATOR_SCHEMA, "locators", "locators")

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level="DEFERRED", factory=_Connection)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
            with self.lock:
                self._open.add(conn)
        return conn

    def _ensure(self, schema: str, created: str, usable: str) -> bool:
        """Create tables an index made before them lacks (`created` names the schema's last object, `usable` the
        table that must exist to use them); False where the file is read-only and they are missing."""
        if self._has(created):
            return True
        try:
            with self.lock, self.conn:
                self.conn.executescript(schema)
            return True
        except sqlite3.OperationalError:
            return self._has(usable)

    def _has(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    @classmethod
    def exists_at(cls, path: Path) -> bool:
        if not path.exists():
            return False
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE name='documents'").fetchone() is not None
        finally:
            conn.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read what this thread reads within the block from one state of the index (a read transaction), whatever
        another process commits meanwhile; the block must not write."""
        conn = self.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.rollback()

    def close(self) -> None:
        with self.lock:
            for conn in list(self._open):
                conn.close()
            self._open = weakref.WeakSet()
        self._local = threading.local()

    # meta -----------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
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
        rows = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY source").fetchall()
        return [_doc(r) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
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
        row = self.conn.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def locator_at(self, doc_id: str, offset: int) -> str:
        """The transcript locator ("at 00:41:07", "Q112") of character `offset` of a stored text; "" where there is none."""
        if not self.has_locators:
            return ""
        sql = 'SELECT label FROM locators WHERE doc_id=? AND start<=? AND ?<"end" ORDER BY start DESC LIMIT 1'
        row = self.conn.execute(sql, (doc_id, offset, offset)).fetchone()
        return row[0] if row else ""

    def pages(self, doc_id: str) -> list[PageSpan]:
        row = self.conn.execute("SELECT pages FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return [PageSpan(*p) for p in json.loads(row[0])] if row else []

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content_hash, root folder) for every stored document."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT doc_id, content_hash, root FROM documents")}

    def replace_document(
        self,
        info: DocumentInfo,
        root: str,
        text: str,
        pages: Sequence[PageSpan],
        chunks: Sequence[Chunk],
        sentences: SentenceRecord | None = None,
        locators: Sequence[Locator] = (),
    ) -> list[str]:
        """Atomically swap in a document with its chunks (and its sentences); returns the ids of the chunks it replaced."""
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
            if locators and self.has_locators:  # the document's older ones went with its row (ON DELETE CASCADE)
                self.conn.executemany("INSERT INTO locators VALUES (?,?,?,?)", [(info.doc_id, x.start, x.end, x.label) for x in locators])
            if sentences is not None and self.has_sentences:
                self._insert_sentences(info.doc_id, info.content_hash, sentences)
        new = {c.id for c in chunks}
        return [cid for cid in old if cid not in new]

    def delete_document(self, doc_id: str) -> list[str]:
        """Remove a document and its chunks; returns the removed chunk ids."""
        with self.lock, self.conn:
            old = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
            self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            self.conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        return old

    # sentences ------------------------------------------------------------
    def _insert_sentences(self, doc_id: str, content_hash: str, record: SentenceRecord) -> None:
        """Within the caller's transaction: the document's sentence rows (any older ones go first, by cascade)."""
        self.conn.execute("DELETE FROM sentence_docs WHERE doc_id=?", (doc_id,))
        self.conn.execute(
            "INSERT INTO sentence_docs VALUES (?,?,?,?,?)", (doc_id, content_hash, record.fingerprint, record.model, record.evidence)
        )
        self.conn.executemany(
            'INSERT INTO sentences (doc_id, ord, start, "end", block, flags, chunk, vector) VALUES (?,?,?,?,?,?,?,?)',
            [(doc_id, i, *row) for i, row in enumerate(record.rows)],
        )
        self.conn.executemany("INSERT INTO sentence_stems VALUES (?,?,?)", [(doc_id, st, n) for st, n in record.stems.items()])

    def put_sentences(self, doc_id: str, content_hash: str, record: SentenceRecord) -> bool:
        """Store a document's sentences made after its ingest (an older index, another model); False when the
        document changed meanwhile or the index cannot be written."""
        if not self.has_sentences:
            return False
        try:
            with self.lock, self.conn:
                row = self.conn.execute("SELECT content_hash FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
                if row is None or row[0] != content_hash:
                    return False
                self._insert_sentences(doc_id, content_hash, record)
            return True
        except sqlite3.OperationalError:  # read-only or locked for long: the sentences are only not kept
            return False

    def sentence_states(self) -> dict[str, tuple[str, str, str, int]]:
        """doc_id -> (content_hash, fingerprint, model, evidence sentences) of the stored sentences."""
        if not self.has_sentences:
            return {}
        return {r[0]: tuple(r[1:]) for r in self.conn.execute("SELECT doc_id, content_hash, fingerprint, model, evidence FROM sentence_docs")}

    def sentence_state(self, doc_id: str) -> tuple[str, str, str, int] | None:
        """(content_hash, fingerprint, model, evidence sentences) of one document's stored sentences."""
        if not self.has_sentences:
            return None
        sql = "SELECT content_hash, fingerprint, model, evidence FROM sentence_docs WHERE doc_id=?"
        row = self.conn.execute(sql, (doc_id,)).fetchone()
        return tuple(row) if row else None

    def sentence_rows(self, doc_id: str) -> list[tuple[int, int, int, int, int | None]]:
        """(start, end, block, flags, chunk index) of the document's sentences, in order."""
        sql = 'SELECT start, "end", block, flags, chunk FROM sentences WHERE doc_id=? ORDER BY ord'
        return self.conn.execute(sql, (doc_id,)).fetchall()

    def sentence_table(self, doc_id: str) -> list[tuple[int, int, int, int, int, int | None, bytes | None]]:
        """(position, start, end, block, flags, chunk index, float32 vector bytes or None) of the document's sentences, in order."""
        sql = 'SELECT ord, start, "end", block, flags, chunk, vector FROM sentences WHERE doc_id=? ORDER BY ord'
        return self.conn.execute(sql, (doc_id,)).fetchall()

    def sentence_vectors(self, doc_id: str, ords: Sequence[int]) -> dict[int, bytes]:
        """The stored vectors (float32 bytes) of some of a document's sentences, by position."""
        out: dict[int, bytes] = {}
        for i in range(0, len(ords), 500):
            part = list(ords[i : i + 500])
            sql = f"SELECT ord, vector FROM sentences WHERE doc_id=? AND ord IN ({','.join('?' * len(part))}) AND vector IS NOT NULL"
            out.update(self.conn.execute(sql, [doc_id, *part]).fetchall())
        return out

    def stem_counts(self) -> tuple[dict[str, int], int]:
        """Evidence sentences holding each stem, over every document, and the number of evidence sentences."""
        if not self.has_sentences:
            return {}, 0
        counts = dict(self.conn.execute("SELECT stem, n FROM stem_df WHERE n > 0"))
        total = self.conn.execute("SELECT coalesce(sum(evidence), 0) FROM sentence_docs").fetchone()[0]
        return counts, total

    def clear(self) -> None:
        with self.lock, self.conn:
            self.conn.execute("DELETE FROM chunks")
            self.conn.execute("DELETE FROM documents")

    # chunks ---------------------------------------------------------------
    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM chunks")}

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """The stored chunks among `ids` (unknown ids, e.g. orphan vectors, are left out)."""
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update((row[0], _chunk(row)) for row in self.conn.execute(sql, part))
        return out

    def chunks_at(self, places: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Chunk]:
        """Chunks by (doc id, index in the document), one query per document."""
        by_doc: dict[str, list[int]] = {}
        for doc_id, idx in places:
            by_doc.setdefault(doc_id, []).append(idx)
        out: dict[tuple[str, int], Chunk] = {}
        for doc_id, indexes in by_doc.items():
            wanted = sorted(set(indexes))
            sql = f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE doc_id=? AND idx IN ({','.join('?' * len(wanted))})"
            out.update(((doc_id, row[2]), _chunk(row)) for row in self.conn.execute(sql, [doc_id, *wanted]))
        return out

    def total_chunks(self) -> int:
        """The stored documents' chunks, summed from their rows (count_chunks counts the chunks table itself)."""
        return self.conn.execute("SELECT coalesce(sum(n_chunks), 0) FROM documents").fetchone()[0]

    def all_versions(self) -> dict[str, tuple[str, int]]:
        """doc_id -> (content hash, number of chunks) of every stored document, in doc_id order."""
        return {d: (h, n) for d, h, n in self.conn.execute("SELECT doc_id, content_hash, n_chunks FROM documents ORDER BY doc_id")}

    def versions(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """doc_id -> (content hash, number of chunks) of the stored documents among `doc_ids`."""
        out: dict[str, tuple[str, int]] = {}
        for i in range(0, len(doc_ids), 500):
            part = list(doc_ids[i : i + 500])
            sql = f"SELECT doc_id, content_hash, n_chunks FROM documents WHERE doc_id IN ({','.join('?' * len(part))})"
            out.update((doc_id, (content_hash, n)) for doc_id, content_hash, n in self.conn.execute(sql, part))
        return out

    def chunks_overlapping(self, doc_id: str, start: int, end: int) -> list[Chunk]:
        """The document's chunks overlapping [start, end), in order."""
        sql = f'SELECT {CHUNK_COLUMNS} FROM chunks WHERE doc_id=? AND start < ? AND ? < "end" ORDER BY idx'
        return [_chunk(r) for r in self.conn.execute(sql, (doc_id, end, start)).fetchall()]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE doc_id=? ORDER BY idx", (doc_id,))
        return [_chunk(r) for r in rows.fetchall()]

    def all_chunks(self) -> list[Chunk]:
        return [_chunk(r) for r in self.conn.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks ORDER BY doc_id, idx")]

    def count_chunks(self) -> int:
        return self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def lexical_search(self, terms: Sequence[str], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return lexical.search(self.conn, terms, k, doc_ids)

    def phrase_texts(self, phrase: str, limit: int) -> list[tuple[str, int, str]]:
        return lexical.phrase_texts(self.conn, phrase, limit)

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
