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
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.docstore import DocStore, now_iso
from assistant.embed import Embedder, get_embedder, model_id
from assistant.errors import AssistantError, IngestLocked, LoadError, UnsupportedFile
from assistant.store import VectorStore, drop_collection, make_client
from assistant.types import Chunk, DocumentInfo, Locator, PageSpan
from ingest.catalog import CATALOG_NAME, Catalog, CatalogError, forget_inferred, is_folder_note, load_catalog, save_inferred
from ingest.infer import FIELDS as INFERRED_FIELDS
from ingest.infer import VERSION as INFER_VERSION
from ingest.infer import Inferred, infer_file, merge, needs_inference, resolve_publishers
from ingest.load import PAGE_LABELS, UNREAD, read_bytes
from ingest.paragraphs import paragraph_locators

log = logging.getLogger(__name__)

PIPELINE_VERSION = "19"  # bump when load/clean/split change their output, so documents re-ingest (4: speech cut into units; 5: broken words mark merged columns; 6: one impossible junction marks a run where the document merges columns elsewhere; 7: no line joined to a run's first or last line; 8: a table's empty cells keep their place, DOCX cells with equal text both kept, an HTML table's rows one block; 9: an HTML form holding the page's text kept, two rows of a table never joined; 10: a rolling caption's top line shown again left out, .vtt and .srt files read, meeting software's turns shaped as captions, older Teams cues' name lines, an HTML table in Markdown read as an .html file's, an extractor's [cite: N] marks dropped, WebVTT identifiers, comments and entities; 11: turns as transcription services write them (Rev's "Jane Smith (00:03):", Zoom's "[Jane Smith] 10:01:15", Descript's "[00:00:03] Jane Smith", "00:00:03 - Jane Smith:", meeting software's clock times), a speaker's label never dropped as page furniture, a captioner's ">> NAME:" and a guest speaking once named; 12: Happy Scribe's "[00:00:03.80] - Jane Smith" and Sonix's "Jane Smith: [00:00:03] ..." turns, a link's address printed in brackets dropped, Descript's layout never by the clock; 13: a captioner's ">>" ends a turn, ASR's "i" in captions written "I", a .docx's tracked insertions, content controls and text boxes read, a .docx's footnotes and endnotes stored, a PDF line wrapped before a capital joined to the next, a list's hanging indent no lost bullet, a paragraph opening with the comma a link's address left joined to the sentence before; 14: .pptx slide decks read, a section of short list items is a section of its own; 15: .ods spreadsheets read, a deck of one slide and a workbook of one sheet cited by their slide and sheet; 16: a .docx's hidden text left out, an .xlsx sheet's name one line of single spaces, .eml, .doc, .xls, .ppt and .odp read; 17: a .docx's, an .odt's and a .doc's list numbers as Word and LibreOffice draw them, a slide's automatic numbers, a .docx's headings by outline level and base style; 18: a written document's numbered paragraphs cited as "para 12", Outlook .msg files read; 19: .rtf read, a two-column PDF's left line running into the gutter split from the right column's)
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "skipped")
EMBED_WAVE = 1024  # texts (chunks and sentences) sorted by length together: batches of like lengths, little padding
PROGRESS_EVERY_S = 10.0  # off a terminal, a progress line at least this often


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
    found: Inferred | None = None  # what the document says about itself, when the catalogue is silent on some field
    inferred: tuple[str, ...] = ()  # the fields of `info` taken from `found`
    locators: tuple = ()  # a transcript's timestamps or question numbers (ingest/transcript.py), else numbered paragraphs
    unread: str = ""  # an email's attachments ingest did not read, and why (ingest.load.UNREAD)


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
            if path.is_dir() and is_folder_note(file.name) and catalog.entry(rel) is None:
                note = f"{rel}: a folder's notes, not evidence; list it in {CATALOG_NAME} to ingest it."
                report.results.append(FileResult(rel, "skipped", message=note))
                continue
            sources.append(_Source(root, file, rel, catalog))
    return sources, folders


def _content_hash(raw: bytes, entry: dict | None, settings: Settings, model: str) -> str:
    """`model` is model_id(settings.embed_model), worked out once per run (a tuned model's id reads its manifest)."""
    h = hashlib.sha256(raw)
    parts = [entry, PIPELINE_VERSION, settings.chunk_tokens, settings.chunk_overlap, model]
    if needs_inference(entry):  # new inference rules refresh only the documents that use them
        parts.append(f"infer-{INFER_VERSION}")
    h.update(json.dumps(parts, sort_keys=True).encode())
    return h.hexdigest()


def chunk_id(doc_id: str, content_hash: str, index: int) -> str:
    """Deterministic: the same file, catalogue entry and settings always give the same ids."""
    return hashlib.sha256(f"{doc_id}\0{content_hash}\0{index}".encode()).hexdigest()[:32]


def _prepare(src: _Source, raw: bytes, content_hash: str, status: str, settings: Settings) -> _Prepared:
    from ingest.clean import clean
    from ingest.load import load
    from ingest.split import embedding_text, model_token_counter, split

    loaded = load(src.path, max_bytes=settings.max_file_bytes, data=raw)
    cleaned = clean(loaded.text, loaded.caption, loaded.not_printed)
    if not cleaned.text.strip():
        raise LoadError(f"{src.path.name}: no text left after cleaning; check the file's content.")
    entry = src.catalog.entry(src.rel)
    found = infer_file(src.path, loaded.meta, cleaned.text) if needs_inference(entry) else None
    meta, inferred = merge(entry, found or Inferred())
    title = meta.get("title") or src.path.stem
    info = DocumentInfo(
        doc_id=src.rel, source=src.rel, title=title, publisher=meta.get("publisher", ""), date=meta.get("date", ""),
        kind=meta.get("kind", ""), url=meta.get("url", ""), path=str(src.path), content_hash=content_hash,
        chars=len(cleaned.text), ingested_at=now_iso(), has_pages=bool(cleaned.pages),
    )
    spans = split(
        cleaned.text, cleaned.pages, max_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap,
        count_tokens=model_token_counter(settings.embed_model) if _packaged_or_local(settings) else None,
    )
    chunks = [
        Chunk(chunk_id(src.rel, content_hash, i), src.rel, i, s.start, s.end, cleaned.text[s.start : s.end], s.section, s.page_start, s.page_end)
        for i, s in enumerate(spans)
    ]
    texts = [embedding_text(c.text, c.section, title) for c in chunks]
    locators = cleaned.locators or paragraph_locators(cleaned.text, cleaned.pages)  # a transcript's, else its numbered paragraphs
    if PAGE_LABELS in loaded.meta:  # a deck of one slide, a workbook of one sheet: its one page, which has no form feed
        locators = page_locators(cleaned.pages or (PageSpan(0, len(cleaned.text), 1),), loaded.meta[PAGE_LABELS])
    return _Prepared(src, info, cleaned.text, cleaned.pages, chunks, texts, status, found, inferred, locators, loaded.meta.get(UNREAD, ""))


def page_locators(pages: Sequence[PageSpan], labels: str) -> tuple[Locator, ...]:
    """A deck's or workbook's pages cited as the loader names them, one label a line: "slide 3", "slide 7, hidden"
    (one the show skips), "sheet Summary"."""
    named = labels.split("\n")
    return tuple(Locator(p.start, p.end, named[p.page - 1]) for p in pages if 0 < p.page <= len(named))


def _resolve_publishers(prepared: Sequence[_Prepared], known: Iterable[str]) -> None:
    """Inferred publishers spelt one way across the documents, and full names for those given only by acronym."""
    found = {p.source.rel: p.found for p in prepared if p.found is not None}
    resolved = resolve_publishers(found, known)
    for p in prepared:
        new = resolved.get(p.source.rel)
        if new is None or not new.publisher or new.publisher == p.info.publisher:
            continue
        if "publisher" in p.inferred or not p.info.publisher:
            p.found, p.info = new, replace(p.info, publisher=new.publisher)
            p.inferred = tuple(f for f in INFERRED_FIELDS if f in p.inferred or f == "publisher")


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


def _uncatalogued(p: _Prepared) -> str:
    """The warning for a file the catalogue does not list: what was inferred, and how to confirm it."""
    shown = ", ".join(f"{f} {getattr(p.info, f)!r}" for f in p.inferred) or "nothing"
    return f"{p.source.rel}: no catalogue entry; inferred {shown} (confirm with `ingest catalog --draft {p.source.root}`)."


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


class Progress:
    """Progress of a long step: a tqdm bar on a terminal, else a line every PROGRESS_EVERY_S seconds on stderr
    ("embedding: 3,200/10,158 chunks, 12,800/40,100 sentences, 41 s"), and a last one when it ends."""

    def __init__(self, label: str, totals: dict[str, int], enabled: bool = True) -> None:
        self.label, self.totals, self.enabled = label, totals, enabled and sum(totals.values()) > 0
        self.done = dict.fromkeys(totals, 0)
        self.started = self.last = time.perf_counter()
        self.bar = None
        if self.enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=sum(totals.values()), unit="text", desc=label, file=sys.stderr, leave=False)

    def update(self, **counts: int) -> None:
        for unit, n in counts.items():
            self.done[unit] += n
        if self.bar is not None:
            self.bar.update(sum(counts.values()))
            self.bar.set_postfix_str(self._counts(), refresh=False)
        elif self.enabled and time.perf_counter() - self.last >= PROGRESS_EVERY_S:
            self._line()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.last > self.started:  # a long step ends with its totals
            self._line()

    def _counts(self) -> str:
        return ", ".join(f"{self.done[u]:,}/{t:,} {u}" for u, t in self.totals.items() if t)

    def _line(self) -> None:
        self.last = time.perf_counter()
        print(f"{self.label}: {self._counts()}, {self.last - self.started:.0f} s", file=sys.stderr, flush=True)


class Ingestor:
    """Holds the stores and the (lazily loaded) embedder for one ingest run."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = True) -> None:
        self.settings = settings
        self._embedder = embedder
        self._vectors: VectorStore | None = None
        self.progress = progress
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
        sentences = self._resentence()
        log.warning("re-embedded %d stored chunks and %d sentences with %s", embedded, sentences, self.embedder.name)
        return embedded

    def _resentence(self) -> int:
        """Embed the sentences of every stored document again with this run's model; returns the sentences embedded."""
        from assistant.cite import split_sentences
        from assistant.sentences import evidence_texts, record

        docs = self.docs.documents()
        split = [split_sentences(d.doc_id, self.docs.text(d.doc_id)) for d in docs]
        progress = Progress("embedding sentences", {"sentences": sum(len(evidence_texts(s)) for s in split)}, self.progress)
        for doc, sentences in zip(docs, split, strict=True):
            texts = evidence_texts(sentences)
            parts = []
            for i in range(0, len(texts), EMBED_WAVE):
                parts.append(np.asarray(self.embedder.embed(texts[i : i + EMBED_WAVE]), dtype=np.float32).reshape(-1, self.embedder.dim))
                progress.update(sentences=len(parts[-1]))
            vectors = np.concatenate(parts) if parts else np.zeros((0, self.embedder.dim), dtype=np.float32)
            self.docs.put_sentences(doc.doc_id, doc.content_hash, record(sentences, self.docs.document_chunks(doc.doc_id), vectors, self.embedder.name))
        progress.close()
        return progress.done["sentences"]

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
        if not prune:  # a note indexed before notes were left out (or given by name) is still cited until pruned
            roots = {str(f) for f in folders}
            notes = [
                r.source for r in report.results
                if r.status == "skipped" and is_folder_note(Path(r.source).name) and stored.get(r.source, ("", ""))[1] in roots
            ]  # fmt: skip
            report.warnings += [f"{rel}: a folder's notes, still indexed from an earlier run; `ingest --prune FOLDER` removes it." for rel in notes]
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
        reading = Progress("reading", {"files": len(todo)}, self.progress and not dry_run)
        for src, raw, content_hash, status in todo:
            reading.update(files=1)
            try:
                prep = _prepare(src, raw, content_hash, status, self.settings)
            except LoadError as exc:
                report.results.append(FileResult(src.rel, "failed", message=str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
                report.results.append(FileResult(src.rel, "failed", message=f"{src.rel}: could not be processed ({type(exc).__name__}: {exc}); report this file."))
                continue
            prepared.append(prep)
            if prep.unread:
                report.warnings.append(f"{src.rel}: attachments not read: {prep.unread}")
        reading.close()
        catalogued = [p.info.publisher for p in prepared if "publisher" not in p.inferred]
        _resolve_publishers(prepared, [*catalogued, *(d.publisher for d in self.docs.documents())])
        report.warnings += [_uncatalogued(p) for p in prepared if p.source.catalog.entry(p.source.rel) is None]

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
                forget_inferred(self.docs, doc_id)
                report.results.append(FileResult(doc_id, "removed"))
            self.docs.set_meta("dirty", "0")
        report.seconds = time.perf_counter() - started
        return report

    def _removals(self, folders: set[Path], seen: set[str], stored: dict[str, tuple[str, str]]) -> list[str]:
        roots = {str(f) for f in folders}
        return sorted(doc_id for doc_id, (_, root) in stored.items() if root in roots and doc_id not in seen)

    def _store(self, prepared: list[_Prepared], report: IngestReport) -> None:
        """Embed each document's chunks and sentences in one pass and commit it as soon as its vectors are in."""
        from assistant.cite import split_sentences
        from assistant.sentences import evidence_texts

        sentences = [split_sentences(p.info.doc_id, p.text) for p in prepared]
        progress = Progress(
            "embedding", {"chunks": sum(len(p.chunks) for p in prepared), "sentences": sum(len(evidence_texts(s)) for s in sentences)},
            self.progress,
        )
        for prep, sents, vectors in self._embedded(prepared, sentences, progress):
            self._commit(prep, sents, vectors)
            report.chunks_embedded += len(prep.chunks)
            report.results.append(FileResult(prep.source.rel, prep.status, len(prep.chunks)))
        progress.close()

    def _embedded(
        self, prepared: list[_Prepared], sentences: list[list], progress: Progress
    ) -> Iterator[tuple[_Prepared, list, np.ndarray]]:
        """Each document with its sentences and the vectors of its chunk texts then its evidence sentences, embedded in
        waves of EMBED_WAVE texts across documents (a long document spans several waves, short ones share one)."""
        from assistant.sentences import evidence_texts

        waiting: deque[tuple[_Prepared, list, int]] = deque()  # documents whose texts are queued, with their count
        texts: list[str] = []
        kinds: list[bool] = []  # True for a chunk text
        done: list[np.ndarray] = []
        embedded = 0
        for i, (prep, sents) in enumerate(zip(prepared, sentences, strict=True)):
            own = prep.embed_texts + evidence_texts(sents)
            waiting.append((prep, sents, len(own)))
            texts += own
            kinds += [True] * len(prep.embed_texts) + [False] * (len(own) - len(prep.embed_texts))
            last = i == len(prepared) - 1
            while texts and (len(texts) >= EMBED_WAVE or last):
                wave, texts = texts[:EMBED_WAVE], texts[EMBED_WAVE:]
                kinds_of_wave, kinds = kinds[:EMBED_WAVE], kinds[EMBED_WAVE:]
                done.append(self._embed_wave(wave, progress, kinds_of_wave))
                embedded += len(wave)
                while waiting and waiting[0][2] <= embedded:
                    doc, doc_sents, n = waiting.popleft()
                    vectors = np.concatenate(done) if len(done) > 1 else done[0]
                    done = [vectors[n:]]
                    embedded -= n
                    yield doc, doc_sents, vectors[:n]
            while waiting and waiting[0][2] == 0:  # a document with nothing to embed
                yield waiting.popleft()[:2] + (np.zeros((0, 0), dtype=np.float32),)

    def _embed_wave(self, texts: list[str], progress: Progress, is_chunk: list[bool]) -> np.ndarray:
        """Vectors of the texts, embedded longest first one batch at a time (as the model would sort them), so that
        progress moves every batch."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: np.ndarray | None = None
        size = self.settings.embed_batch
        for at in range(0, len(order), size):
            batch = order[at : at + size]
            vectors = np.asarray(self.embedder.embed([texts[i] for i in batch]), dtype=np.float32)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
            chunks = sum(is_chunk[i] for i in batch)
            progress.update(chunks=chunks, sentences=len(batch) - chunks)
        return out

    def _commit(self, p: _Prepared, sentences: list, vectors: np.ndarray) -> None:
        from assistant.sentences import record

        chunks = p.chunks
        chunk_vectors = vectors[: len(chunks)]
        if chunks:
            self.vectors.upsert([c.id for c in chunks], chunk_vectors.tolist(), [_metadata(p.info, c) for c in chunks], [c.text for c in chunks])
        made = record(sentences, chunks, vectors[len(chunks) :], self.embedder.name)
        save_inferred(self.docs, p.info, p.inferred)
        replaced = self.docs.replace_document(p.info, str(p.source.root), p.text, p.pages, chunks, made, p.locators)
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
