"""The lexical index: SQLite FTS5 with BM25 ranking over the stored chunks, kept in step by triggers.

FTS5 is persistent and incremental (rows are added and removed with their chunks in the same
transaction), so nothing is rebuilt at process start; `rebuild()` regenerates it from the chunks
table when needed (`ingest reindex`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

# text weighs more than the heading path; BM25 parameters are FTS5's defaults (k1=1.2, b=0.75).
TEXT_WEIGHT, SECTION_WEIGHT = 1.0, 0.4

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, section, content='chunks', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_fts_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, section) VALUES (new.rowid, new.text, new.section);
END;
CREATE TRIGGER IF NOT EXISTS chunks_fts_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, section) VALUES ('delete', old.rowid, old.text, old.section);
END;
"""

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def rebuild(conn: sqlite3.Connection) -> int:
    """Regenerate the index from the chunks table; returns the number of chunks indexed."""
    with conn:
        conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
    return conn.execute("SELECT count(*) FROM chunks").fetchone()[0]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, the way a query is split into FTS5 terms."""
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression OR-ing the terms; a term with spaces is searched as a phrase."""
    quoted = []
    for term in terms:
        words = tokens(term)
        if words:
            quoted.append('"' + " ".join(w.replace('"', "") for w in words) + '"')
    return " OR ".join(dict.fromkeys(quoted))


def phrase_texts(conn: sqlite3.Connection, phrase: str, limit: int, spread: int = 10) -> list[tuple[str, int, str]]:
    """(document, offset, text) of at most `limit` chunks holding the phrase's words in order (as FTS5 matches them:
    stemmed): a bounded sample, limit // spread from each of `spread` equal stretches of the index's rows, so that the
    first documents ingested do not make the whole of it, then as many more as `limit` leaves room for."""
    expression = match_expression([phrase])
    if not expression or limit <= 0:
        return []
    low, high = conn.execute("SELECT min(rowid), max(rowid) FROM chunks").fetchone()
    if low is None:
        return []
    step, each = max(1, (high - low + spread) // spread), max(1, limit // spread)
    rows: list[int] = []
    for start in range(low, high + 1, step):
        rows += [r for (r,) in conn.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid >= ? AND rowid < ? LIMIT ?",
            ("text : " + expression, start, start + step, each),
        )]  # fmt: skip
    if len(rows) < limit:  # stretches with fewer matches than their share leave room for the others'
        taken = ",".join(map(str, rows)) or "-1"
        rows += [r for (r,) in conn.execute(
            f"SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid NOT IN ({taken}) LIMIT ?",
            ("text : " + expression, limit - len(rows)),
        )]  # fmt: skip
    return conn.execute(f"SELECT doc_id, start, text FROM chunks WHERE rowid IN ({','.join('?' * len(rows))})", rows).fetchall()[:limit]


def search(
    conn: sqlite3.Connection, terms: Sequence[str], k: int, doc_ids: Sequence[str] | None = None
) -> list[tuple[str, float]]:
    """Top-k chunks for the OR of `terms` as (chunk id, BM25 score, higher is better)."""
    expression = match_expression(terms)
    if not expression or k <= 0 or (doc_ids is not None and not doc_ids):
        return []
    score = f"-bm25(chunks_fts, {TEXT_WEIGHT}, {SECTION_WEIGHT})"
    if doc_ids is None:  # rank in the index alone, then look up only the k chunks kept (not every match)
        top = conn.execute(f"SELECT rowid, {score} AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score DESC LIMIT ?", (expression, k)).fetchall()
        ids = dict(conn.execute(f"SELECT rowid, id FROM chunks WHERE rowid IN ({','.join('?' * len(top))})", [r for r, _ in top]))
        return [(ids[rowid], float(value)) for rowid, value in top if rowid in ids]
    sql = (
        f"SELECT c.id, {score} AS score FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
        f"WHERE chunks_fts MATCH ? AND c.doc_id IN ({','.join('?' * len(doc_ids))}) ORDER BY score DESC LIMIT ?"
    )
    return [(row[0], float(row[1])) for row in conn.execute(sql, [expression, *doc_ids, k])]
