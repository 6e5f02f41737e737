"""Feedback on answers: a small SQLite store in the data folder, and `assistant feedback export`.

One row per rated answer (thumbs up = +1, down = -1) with an optional comment, the question, the
answer text, its citations and filters (JSON), the answer mode and when it was given. Rating the
same answer again (or adding a comment) updates its row. The schema carries a `schema_version`
table and is migrated forward on open, so older files keep working.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from assistant.errors import AssistantError

# Each entry moves the schema from version i to i + 1; never edit a released entry, append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        answer_id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        comment TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        abstained INTEGER NOT NULL DEFAULT 0,
        citations TEXT NOT NULL DEFAULT '[]',
        filters TEXT NOT NULL DEFAULT '{}',
        mode TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX feedback_by_time ON feedback(created_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
EXPORT_COLUMNS = (
    "id", "answer_id", "created_at", "updated_at", "rating", "comment", "question", "answer",
    "abstained", "citations", "filters", "mode", "model",
)
JSON_COLUMNS = ("citations", "filters")
FORMATS = ("csv", "jsonl")


class FeedbackError(AssistantError):
    """The feedback file cannot be read or written (message says which and why)."""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FeedbackRecord:
    """What the app records for one rated answer."""

    answer_id: str
    rating: int  # +1 or -1
    question: str
    answer: str
    comment: str = ""
    abstained: bool = False
    citations: Sequence[dict[str, Any]] = ()
    filters: dict[str, Any] | None = None
    mode: str = ""
    model: str = ""


class FeedbackStore:
    """The feedback SQLite file. Opens a short-lived connection per call, so it is safe across threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.migrate()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # explicit transactions
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"Cannot open the feedback file {self.path}: {exc}; check the data folder.") from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            yield conn
        except sqlite3.Error as exc:
            raise FeedbackError(f"The feedback file {self.path} could not be used: {exc}.") from None
        finally:
            conn.close()

    def schema_version(self) -> int:
        with self._connect() as conn:
            return self._version(conn)

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> int:
        """Bring the file to SCHEMA_VERSION; returns the version it is at."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")  # one migrator at a time
            try:
                version = self._version(conn)
                if version > SCHEMA_VERSION:
                    raise FeedbackError(
                        f"The feedback file {self.path} has schema version {version}, newer than this "
                        f"program's {SCHEMA_VERSION}; update the program."
                    )
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[target - 1].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute("DELETE FROM schema_version")
                    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (target,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return SCHEMA_VERSION

    def record(self, rec: FeedbackRecord) -> None:
        """Insert or update the feedback row of `rec.answer_id`."""
        if rec.rating not in (-1, 1):
            raise ValueError(f"rating must be +1 or -1, not {rec.rating!r}")
        now = _now()
        values = (
            rec.answer_id, now, now, rec.rating, rec.comment.strip(), rec.question, rec.answer, int(rec.abstained),
            json.dumps(list(rec.citations), ensure_ascii=False), json.dumps(rec.filters or {}, ensure_ascii=False),
            rec.mode, rec.model,
        )
        with self._connect() as conn:
            conn.execute(
                """INSERT INTO feedback (answer_id, created_at, updated_at, rating, comment, question, answer,
                                         abstained, citations, filters, mode, model)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(answer_id) DO UPDATE SET
                     updated_at=excluded.updated_at, rating=excluded.rating, comment=excluded.comment""",
                values,
            )

    def set_comment(self, answer_id: str, comment: str) -> bool:
        """Set the comment of an already rated answer; False when that answer has no feedback row."""
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE feedback SET comment=?, updated_at=? WHERE answer_id=?", (comment.strip(), _now(), answer_id)
            )
            return cur.rowcount > 0

    def remove(self, answer_id: str) -> None:
        """Forget the feedback of an answer (the user cleared the thumbs)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM feedback WHERE answer_id=?", (answer_id,))

    def get(self, answer_id: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM feedback WHERE answer_id=?", (answer_id,)).fetchone()
        return _decode(row) if row else None

    def rows(self) -> list[dict[str, Any]]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM feedback ORDER BY id").fetchall()
        return [_decode(r) for r in rows]

    def export(self, out: Path | str | IO[str], fmt: str = "csv") -> int:
        """Write all feedback to a file path or an open text stream as CSV or JSONL; returns the row count."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        rows = self.rows()
        if isinstance(out, (str, Path)):
            with open(out, "w", encoding="utf-8", newline="") as fh:
                _write(rows, fh, fmt)
        else:
            _write(rows, out, fmt)
        return len(rows)


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    data = {k: row[k] for k in row.keys() if k in EXPORT_COLUMNS}
    for key in JSON_COLUMNS:
        data[key] = json.loads(data[key]) if data.get(key) else None
    data["abstained"] = bool(data.get("abstained"))
    return data


def _write(rows: list[dict[str, Any]], fh: IO[str], fmt: str) -> None:
    if fmt == "jsonl":
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        for key in JSON_COLUMNS:
            flat[key] = json.dumps(row[key], ensure_ascii=False)
        writer.writerow(flat)


def export(path_or_stdout: Path | str | IO[str], fmt: str = "csv", *, store_path: Path | str | None = None) -> int:
    """Export the feedback of the configured data folder (or `store_path`); returns the row count."""
    if store_path is None:
        from assistant.config import Settings

        store_path = Settings.from_env().feedback_path
    if not Path(store_path).exists():  # nothing rated yet: an empty export, no file created
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if isinstance(path_or_stdout, (str, Path)):
            with open(path_or_stdout, "w", encoding="utf-8", newline="") as fh:
                _write([], fh, fmt)
        else:
            _write([], path_or_stdout, fmt)
        return 0
    return FeedbackStore(store_path).export(path_or_stdout, fmt)


def export_text(store_path: Path | str, fmt: str = "csv") -> str:
    """The export as a string (for a download button)."""
    buf = io.StringIO()
    FeedbackStore(store_path).export(buf, fmt)
    return buf.getvalue()


def feedback_cli(argv: list[str]) -> int:
    """`assistant feedback export [--format csv|jsonl] [--out FILE]`; returns the exit code."""
    parser = argparse.ArgumentParser(prog="assistant feedback", description="Feedback given in the chat app.")
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write all feedback as CSV or JSONL (to stdout unless --out)")
    exp.add_argument("--format", choices=FORMATS, default="csv", help="output format (default: csv)")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage / help
        return int(exc.code or 0)
    try:
        from assistant.config import Settings

        path = Settings.from_env().feedback_path
        if args.out:
            count = export(args.out, args.format, store_path=path)
            print(f"{count} feedback row(s) written to {args.out} ({args.format}) from {path}.", file=sys.stderr)
        else:
            count = export(sys.stdout, args.format, store_path=path)
            sys.stdout.flush()
    except (AssistantError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
