"""load -> clean -> split -> embed -> store, incrementally and crash-safely.

Bookkeeping (why not LangChain's indexing API / record manager): `index()` tracks chunk hashes
per vector store, but a document here lives in three places (cleaned text, FTS5 rows, vectors)
that must switch over together. SQLite is therefore the record manager: one transaction swaps a
document's row, chunks and lexical rows; vectors are upserted before it (invisible until their
chunk rows exist) and old vectors deleted after it. A `dirty` flag brackets every vector write;
a run that finds it set (a crash) reconciles Chroma with SQLite before doing anything else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.docstore import DocStore, now_iso
from assistant.embed import Embedder, get_embedder, model_id, token_counter
from assistant.errors import AssistantError, IngestLocked, LoadError, UnsupportedFile
from assistant.store import VectorStore, drop_collection, make_client
from assistant.types import Chunk, DocumentInfo
from ingest.catalog import Catalog, CatalogError, load_catalog
from ingest.load import read_bytes

log = logging.getLogger(__name__)

PIPELINE_VERSION = "1"  # bump when load/clean/split change their output, so documents re-ingest
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")
EMBED_WAVE = 256  # chunks embedded per call: large enough for full batches across small documents


@dataclass
class FileResult:
    source: str
    status: str  # added | updated | unchanged | removed | failed | skipped
    chunks: int = 0
    message: str = ""


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    chunks_embedded: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run, nothing changed: {self.count('added')} to add, {self.count('updated')} to update, "
                f"{self.count('unchanged')} unchanged, {self.count('removed')} to remove, {self.count('failed')} failing, "
                f"{self.count('skipped')} skipped"
            )
        rate = self.chunks_embedded / self.seconds if self.seconds > 0 else 0.0
        parts = ", ".join(f"{self.count(s)} {s}" for s in STATUSES)
        return f"{parts}; {self.chunks_embedded} chunks embedded in {self.seconds:.2f}s ({rate:.1f} chunks/s)"

    def to_json(self) -> dict:
        return {
            "results": [r.__dict__ for r in self.results],
            "seconds": round(self.seconds, 3),
            "chunks_embedded": self.chunks_embedded,
            "counts": {s: self.count(s) for s in STATUSES},
        }


@dataclass
class _Source:
    root: Path
    path: Path
    rel: str
    catalog: Catalog


@dataclass
class _Prepared:
    source: _Source
    info: DocumentInfo
    text: str
    pages: tuple
    chunks: list[Chunk]
    embed_texts: list[str]
    status: str


def _lock(settings: Settings):  # noqa: ANN202
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IngestLocked(
            f"Another ingest is already running on {settings.data_dir} (lock {settings.lock_path}); "
            "wait for it to finish, then run again."
        ) from None
    return lock


def discover(paths: Iterable[Path], report: IngestReport) -> tuple[list[_Source], set[Path]]:
    """Files to ingest (with their root folder and catalogue) and the folders given, for --prune."""
    sources: list[_Source] = []
    folders: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            report.results.append(FileResult(str(given), "failed", message=f"{given}: no such file or folder; check the path."))
            continue
        path = path.resolve()
        root = path if path.is_dir() else path.parent
        catalog = load_catalog(root)
        if path.is_dir():
            folders.add(path)
            files = sorted(p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            files = [path]
        for file in files:
            rel = file.relative_to(root).as_posix()
            if rel in catalog.ignore:
                continue
            sources.append(_Source(root, file, rel, catalog))
    return sources, folders


def _content_hash(raw: bytes, entry: dict | None, settings: Settings, model: str) -> str:
    """`model` is model_id(settings.embed_model), worked out once per run (a tuned model's id reads its manifest)."""
    h = hashlib.sha256(raw)
    h.update(json.dumps([entry, PIPELINE_VERSION, settings.chunk_tokens, settings.chunk_overlap, model], sort_keys=True).encode())
    return h.hexdigest()


def chunk_id(doc_id: str, content_hash: str, index: int) -> str:
    """Deterministic: the same file, catalogue entry and settings always give the same ids."""
    return hashlib.sha256(f"{doc_id}\0{content_hash}\0{index}".encode()).hexdigest()[:32]


def _prepare(src: _Source, raw: bytes, content_hash: str, status: str, settings: Settings) -> _Prepared:
    from ingest.clean import clean
    from ingest.load import load
    from ingest.split import embedding_text, split

    loaded = load(src.path, max_bytes=settings.max_file_bytes, data=raw)
    cleaned = clean(loaded.text)
    if not cleaned.text.strip():
        raise LoadError(f"{src.path.name}: no text left after cleaning; check the file's content.")
    entry = src.catalog.entry(src.rel)
    meta = dict(loaded.meta)
    if entry:
        meta.update({k: v for k, v in entry.items() if v})
    title = meta.get("title") or src.path.stem
    info = DocumentInfo(
        doc_id=src.rel, source=src.rel, title=title, publisher=meta.get("publisher", ""), date=meta.get("date", ""),
        kind=meta.get("kind", ""), url=meta.get("url", ""), path=str(src.path), content_hash=content_hash,
        chars=len(cleaned.text), ingested_at=now_iso(), has_pages=bool(cleaned.pages),
    )
    spans = split(
        cleaned.text, cleaned.pages, max_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap,
        count_tokens=token_counter(settings.embed_model) if _packaged_or_local(settings) else None,
    )
    chunks = [
        Chunk(chunk_id(src.rel, content_hash, i), src.rel, i, s.start, s.end, cleaned.text[s.start : s.end], s.section, s.page_start, s.page_end)
        for i, s in enumerate(spans)
    ]
    texts = [embedding_text(c.text, c.section, title) for c in chunks]
    return _Prepared(src, info, cleaned.text, cleaned.pages, chunks, texts, status)


def prepare_all(paths: Sequence[Path], settings: Settings) -> list[_Prepared]:
    """Every readable file under `paths` loaded, cleaned and split as ingest would (nothing embedded or stored)."""
    sources, _ = discover(paths, IngestReport())
    model = model_id(settings.embed_model)
    prepared: list[_Prepared] = []
    for src in sources:
        try:
            raw = read_bytes(src.path, settings.max_file_bytes)
            prepared.append(_prepare(src, raw, _content_hash(raw, src.catalog.entry(src.rel), settings, model), "added", settings))
        except (UnsupportedFile, LoadError):
            continue  # ingest reports these; here a file that cannot be read simply offers no pairs
    return prepared


def _packaged_or_local(settings: Settings) -> bool:
    from assistant.embed import model_path

    try:
        return (model_path(settings.embed_model) / "tokenizer.json").is_file()
    except AssistantError:
        return False


def _metadata(info: DocumentInfo, chunk: Chunk) -> dict:
    return {
        "doc_id": info.doc_id, "source": info.source, "title": info.title, "publisher": info.publisher,
        "date": info.date, "kind": info.kind, "index": chunk.index, "start": chunk.start, "end": chunk.end,
        "section": chunk.section,
    }


class Ingestor:
    """Holds the stores and the (lazily loaded) embedder for one ingest run."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = True) -> None:
        self.settings = settings
        self._embedder = embedder
        self._vectors: VectorStore | None = None
        self.progress = progress and sys.stderr.isatty()
        self.docs = DocStore(settings.sqlite_path)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embed_model, self.settings.embed_batch)
        return self._embedder

    @property
    def vectors(self) -> VectorStore:
        """The vector store, opened on first use (with the embedder, whose name and size it records)."""
        if self._vectors is None:
            client = make_client(self.settings)  # an unreachable server fails before the model loads
            self._vectors = VectorStore(self.settings, self.embedder.name, self.embedder.dim, client=client)
            self.docs.set_meta("embed_model", self.embedder.name)
            self.docs.set_meta("embed_dim", str(self.embedder.dim))
        return self._vectors

    # crash recovery ---------------------------------------------------------
    def mark_dirty(self) -> None:
        if self.docs.get_meta("dirty") != "1":
            self.docs.set_meta("dirty", "1")

    def reconcile(self) -> tuple[int, int]:
        """Make Chroma hold exactly the vectors of the stored chunks: delete orphans, embed missing ones."""
        stored = self.docs.chunk_ids()
        present = self.vectors.ids()
        orphans = present - stored
        self.vectors.delete(orphans)
        missing = stored - present
        if missing:
            chunks = self.docs.chunks(missing)
            by_doc: dict[str, list[Chunk]] = {}
            for c in chunks.values():
                by_doc.setdefault(c.doc_id, []).append(c)
            from ingest.split import embedding_text

            for doc_id, cs in by_doc.items():
                info = self.docs.document(doc_id)
                assert info is not None
                vectors = self.embedder.embed([embedding_text(c.text, c.section, info.title) for c in cs])
                self.vectors.upsert([c.id for c in cs], vectors, [_metadata(info, c) for c in cs], [c.text for c in cs])
        self.docs.set_meta("dirty", "0")
        return len(orphans), len(missing)

    def reembed(self) -> int:
        """Replace every vector with one from this run's model, keeping all stored documents; returns chunks embedded."""
        self.mark_dirty()  # interrupted: the next run embeds whatever is missing
        drop_collection(self.settings)
        self.docs.set_meta("embed_model", "")
        self._vectors = None
        _, embedded = self.reconcile()
        log.warning("re-embedded %d stored chunks with %s", embedded, self.embedder.name)
        return embedded

    def recover_if_needed(self) -> None:
        if self.docs.get_meta("dirty") == "1":
            orphans, missing = self.reconcile()
            log.warning("recovered from an interrupted ingest: %d orphan vectors removed, %d re-embedded", orphans, missing)

    # the run ----------------------------------------------------------------
    def run(
        self, paths: Sequence[Path], *, prune: bool = False, dry_run: bool = False, rebuild: bool = False, reembed: bool = False
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(dry_run=dry_run)
        if self._embedder is None:  # keep adding with the model the index was built with, unless one is set
            self.settings = self.settings.adopt_model(self.docs.get_meta("embed_model"))
        try:
            sources, folders = discover(paths, report)
        except CatalogError as exc:
            report.results.append(FileResult("catalog", "failed", message=str(exc)))
            report.seconds = time.perf_counter() - started
            return report
        model = model_id(self.settings.embed_model)
        if rebuild and not dry_run:
            drop_collection(self.settings)
            self.docs.clear()
            self.docs.set_meta("embed_model", "")
            self.docs.set_meta("dirty", "0")
        elif not dry_run:
            if reembed and self.docs.get_meta("embed_model") not in ("", model):
                self.reembed()
            self.docs.check_embed_model(model)
            self.recover_if_needed()

        stored = self.docs.hashes()
        todo: list[tuple[_Source, bytes, str, str]] = []
        seen: set[str] = set()
        for src in sources:
            if src.rel in seen:
                report.results.append(FileResult(src.rel, "skipped", message=f"{src.rel}: given twice; ingested once."))
                continue
            seen.add(src.rel)
            try:
                raw = read_bytes(src.path, self.settings.max_file_bytes)
            except UnsupportedFile as exc:
                report.results.append(FileResult(src.rel, "skipped", message=str(exc)))
                continue
            except LoadError as exc:
                report.results.append(FileResult(src.rel, "failed", message=str(exc)))
                continue
            entry = src.catalog.entry(src.rel)
            content_hash = _content_hash(raw, entry, self.settings, model)
            old = stored.get(src.rel)
            if old and old[0] == content_hash:
                report.results.append(FileResult(src.rel, "unchanged"))
                continue
            todo.append((src, raw, content_hash, "updated" if old else "added"))

        prepared: list[_Prepared] = []
        for src, raw, content_hash, status in todo:
            try:
                prep = _prepare(src, raw, content_hash, status, self.settings)
            except LoadError as exc:
                report.results.append(FileResult(src.rel, "failed", message=str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
                report.results.append(FileResult(src.rel, "failed", message=f"{src.rel}: could not be processed ({type(exc).__name__}: {exc}); report this file."))
                continue
            if src.catalog.path is None or src.catalog.entry(src.rel) is None:
                report.warnings.append(f"{src.rel}: no catalogue entry; title {prep.info.title!r} taken from the file (add it to catalog.yaml).")
            prepared.append(prep)

        removals = self._removals(folders, seen, stored) if prune else []
        if dry_run:
            report.results += [FileResult(p.source.rel, p.status, len(p.chunks)) for p in prepared]
            report.results += [FileResult(doc_id, "removed") for doc_id in removals]
            report.seconds = time.perf_counter() - started
            return report

        if prepared or removals:
            _ = self.vectors  # reach the store (or fail) before anything is marked as in progress
            self.mark_dirty()
            self._store(prepared, report)
            for doc_id in removals:
                self.vectors.delete(self.docs.delete_document(doc_id))
                report.results.append(FileResult(doc_id, "removed"))
            self.docs.set_meta("dirty", "0")
        report.seconds = time.perf_counter() - started
        return report

    def _removals(self, folders: set[Path], seen: set[str], stored: dict[str, tuple[str, str]]) -> list[str]:
        roots = {str(f) for f in folders}
        return sorted(doc_id for doc_id, (_, root) in stored.items() if root in roots and doc_id not in seen)

    def _store(self, prepared: list[_Prepared], report: IngestReport) -> None:
        total = sum(len(p.chunks) for p in prepared)
        bar = None
        if self.progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, leave=False)
        wave: list[_Prepared] = []
        for i, prep in enumerate(prepared):
            wave.append(prep)
            if sum(len(p.chunks) for p in wave) >= EMBED_WAVE or i == len(prepared) - 1:
                texts = [t for p in wave for t in p.embed_texts]
                vectors = self.embedder.embed(texts) if texts else []
                offset = 0
                for p in wave:
                    n = len(p.chunks)
                    self._commit(p, vectors[offset : offset + n])
                    offset += n
                    report.chunks_embedded += n
                    report.results.append(FileResult(p.source.rel, p.status, n))
                if bar:
                    bar.update(len(texts))
                wave = []
        if bar:
            bar.close()

    def _commit(self, p: _Prepared, vectors: list[list[float]]) -> None:
        chunks = p.chunks
        if chunks:
            self.vectors.upsert([c.id for c in chunks], vectors, [_metadata(p.info, c) for c in chunks], [c.text for c in chunks])
        replaced = self.docs.replace_document(p.info, str(p.source.root), p.text, p.pages, chunks)
        self.vectors.delete(replaced)


def run_ingest(paths: Sequence[Path], settings: Settings, **options: bool) -> IngestReport:
    """Ingest files and folders under the data folder's lock (see Ingestor.run for options)."""
    lock = _lock(settings)
    try:
        ingestor = Ingestor(settings, progress=options.pop("progress", True))
        return ingestor.run(paths, **options)
    finally:
        lock.release()


def reindex_lexical(settings: Settings) -> int:
    """Rebuild the BM25 index from the stored chunks (it is derived data)."""
    lock = _lock(settings)
    try:
        return DocStore(settings.sqlite_path).rebuild_lexical()
    finally:
        lock.release()
