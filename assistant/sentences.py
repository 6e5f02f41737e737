"""Sentence vectors and counts made at ingest, and the SentenceBank that reads them at question time.

Ingest splits each document into sentences (`cite.split_sentences`), embeds the evidence sentences in
the same pass as the chunks, and stores them with the document (`DocStore.replace_document`): spans,
the chunk holding each, float32 vectors and the stems counted for IDF. A question then reads only what
it touches: the sentences of the documents its passages come from, and vectors by position. The
sentence-level dense search keeps one float32 matrix of every evidence sentence (about 2.4 sentences
per chunk: some 350 MB at 100k chunks), searched exactly. That matrix and every sentence's span are also kept as
.npy files in the data folder (`sentence-matrix/KEY/`, KEY a digest of every document's version): a later process
maps them into memory (`np.load(mmap_mode="r")`) instead of reading 250k rows from SQLite, and processes on one
machine share those pages. They are written the first time a process needs them and none fits the index (after an
ingest, or an index made before them), with one line on stderr.

A document whose stored sentences are missing or stale (an index made before this, another embedding
model, a change to the splitter or the stemmer: see FINGERPRINT) is split and embedded when first
needed and stored then; `assistant warm` does it for every document at once.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.caches import SizedCache
from assistant.cite import SPLIT_VERSION, Sentence, header_row, split_sentences
from assistant.docstore import SentenceRecord
from assistant.errors import IndexMissing
from assistant.retrieve import content_stems
from assistant.types import Chunk, DocumentInfo

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.glossary import Glossary
    from assistant.index import Index

SENTENCES_PER_CHUNK_HIT = 3  # sentences fetched per wanted chunk (several top sentences share a chunk)
EMBED_CHUNK = 256  # sentences per embedding call when a document's sentences are made at question time
HEADING, LEAD_IN, ITEM, FRAGMENT, ROW = 1, 2, 4, 8, 16  # flag bits of a stored sentence
NO_CHUNK = -1  # a sentence no chunk holds (in the search matrix)
# Least recently used go first past these. Spans of the documents the stored matrix holds are mapped, not kept; these
# bytes are for a document changed since (read from SQLite, 25 bytes a sentence).
CACHED_SPAN_BYTES = 16_000_000
MAX_CENTROIDS = 4096  # documents whose centroid is kept (1.5 KB each); past it, they are made again as asked
CACHED_TEXT_BYTES = 32_000_000  # document texts kept to slice sentences from (1-2 bytes a character, most texts)
CACHED_STEMS = 50_000  # sentences whose stems are kept (about 1 kB each)
LEGACY_CACHE_FOLDER = "sentences"  # where sentence vectors were cached before they were stored with the document
MATRIX_FOLDER = "sentence-matrix"  # data_dir/MATRIX_FOLDER/KEY/: the search matrix and the spans as .npy files
MATRIX_FORMAT = 1  # a change to what the files hold changes this, and they are written again
MATRIX_ARRAYS = ("vectors", "doc_of", "ord_of", "chunk_of", "starts", "ends", "blocks", "flags")
STALE_WRITE_S = 3600  # a half-written matrix folder this old was left by a process that died while writing it

log = logging.getLogger(__name__)

# A change to the sentence splitter or the stemmer changes this, and stored sentences are made again. The probe
# catches a change nobody meant; cite.SPLIT_VERSION, part of the fingerprint too, is bumped for one that was meant
# but that the probe happens not to show.
_PROBE = (
    "# Oversight of integrated care systems\n"
    "NHS England's regional teams (e.g. the North East) oversee ICBs; the CQC inspects 42 systems. Trusts spoke of it.\n"
    "- Leaders said: budgets were £1.2bn in 2023/24, i.e. 14 per cent more than planned.\n"
    "Our survey found:\n(a) boards are accountable to DHSC. What was agreed?\n"
    "12 The King's Fund, Integrated care systems explained, 3 May 2022 and boards met. 12 The boards met. 42 ICBs met.\n"
    "49 However, the minister said on 3 May 2022, that it rose. 12 May 2024 saw it. 1 In 5 waited. Accessed 4 times.\n"
    # two columns merged line by line (LTHT's annual report): each line a fragment of one column, or a scrap
    "# Statement\nWelcome to the Annual Report for Leeds\nWe have commissioned an independent\n"
    "Teaching Hospitals NHS Trust, looking back at\nexternal review to complement NHS England’s\n"
    "our financial year 2024/25.\nPeer Quality Review of our neonatal services,\n"
    "so that we can better understand the data\nThis past year has been one of remarkable\n"
    "on neonatal outcomes. The Maternity and\ninnovation and resilience for our teams as\n"
    "Neonatal Improvement Programme Board, led\nwe have navigated financial and operational\n"
    "by an independent chair, has been established\nchallenges while continuing to deliver\n"
    "to bring together input from families and staff,\nexceptional care to our patients and the\n"
    "and will build upon the CQC’s recommended\ncommunities we serve.\n"
    "changes, with the aim that every patient\nWe are immensely proud of the hard work\n"
    # a table as stored markdown writes it: the header row names the columns, the others are evidence
    "\nDetail | Value\n2024 Response Rate | 60%\n"
)


def _fingerprint() -> str:
    """A digest of what the splitter and the stemmer make of a probe text, and of the splitter's version."""
    parts = [SPLIT_VERSION] + [repr((s.start, s.end, s.block, s.heading, s.lead_in, s.item, s.fragment, s.row, sorted(content_stems(s.text)))) for s in split_sentences("p", _PROBE)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


FINGERPRINT = _fingerprint()


def evidence_texts(sentences: Sequence[Sentence]) -> list[str]:
    """The texts that get a vector: every sentence that is not a heading, in order; a table's row after its header
    row, which names what its cells are ("Themes | Advocacy | Involvement" then "Your org | 7.00 | 6.87")."""
    out = []
    for i, s in enumerate(sentences):
        if not s.heading:
            header = header_row(sentences, i)
            out.append(s.text if header is None else f"{sentences[header].text}\n{s.text}")
    return out


def record(sentences: Sequence[Sentence], chunks: Sequence[Chunk], vectors: np.ndarray, model: str) -> SentenceRecord:
    """What is stored for a document: each sentence's span, flags and chunk, the evidence sentences' float32 vectors
    (rows of `vectors`, in order) and the count of evidence sentences holding each stem."""
    vectors = np.asarray(vectors, dtype=np.float32)
    starts = [c.start for c in chunks]
    rows, stems, row = [], {}, 0
    for s in sentences:
        vector = None
        if not s.heading:
            vector = vectors[row].tobytes()
            row += 1
            for st in content_stems(s.text):
                stems[st] = stems.get(st, 0) + 1
        flags = HEADING * s.heading | LEAD_IN * s.lead_in | ITEM * s.item | FRAGMENT * s.fragment | ROW * s.row
        rows.append((s.start, s.end, s.block, flags, _holding_chunk(s, chunks, starts), vector))
    return SentenceRecord(FINGERPRINT, model, rows, stems)


def _holding_chunk(sentence: Sentence, chunks: Sequence[Chunk], starts: Sequence[int]) -> int | None:
    """Index of the chunk holding the most of the sentence (the earliest on ties), None when none overlaps."""
    best, best_overlap = None, 0
    for j in range(bisect.bisect_left(starts, sentence.end) - 1, -1, -1):  # backwards from the last chunk starting before its end
        chunk = chunks[j]
        if chunk.end <= sentence.start:
            break  # chunks start and end in text order: no earlier one reaches the sentence
        overlap = min(sentence.end, chunk.end) - max(sentence.start, chunk.start)
        if overlap >= best_overlap and overlap > 0:
            best, best_overlap = chunk.index, overlap
    return best


def _matrix_row(matrix: _Matrix | None, doc_id: str, content_hash: str, at: int) -> int | None:
    """The search matrix's row of a document's evidence sentence at position `at`, None when the matrix does not hold it."""
    if matrix is None or matrix.key.get(doc_id) != content_hash:
        return None
    first, last = matrix.rows.get(doc_id, (0, 0))
    row = first + int(np.searchsorted(matrix.ord_of[first:last], at))
    return row if row < last and matrix.ord_of[row] == at else None


class _DocSentences(Sequence[Sentence]):
    """One document version's sentences (headings included): spans and flags kept as arrays (views of the stored
    matrix files, or read from the index) and each Sentence made when asked for, its text sliced from the document's
    (`texts` gives it), so that reading a document costs no object per sentence."""

    def __init__(
        self, doc_id: str, content_hash: str, texts: Callable[[str, str], str],
        starts: np.ndarray, ends: np.ndarray, blocks: np.ndarray, flags: np.ndarray,
    ) -> None:  # fmt: skip
        self.doc_id, self.content_hash, self._texts = doc_id, content_hash, texts
        self.starts, self.ends, self.blocks, self.flags = starts, ends, blocks, flags
        self.vectors: dict[int, np.ndarray] = {}  # of sentences the search matrix does not hold yet (a changed document)
        self._headers: dict[int, int | None] = {}  # a table row's position -> its header row's (cite.header_row), once

    def header(self, i: int) -> int | None:
        """cite.header_row of sentence i, worked out once per position: scoring asks it of every row it reads."""
        if i not in self._headers:
            self._headers[i] = header_row(self, i)
        return self._headers[i]

    @classmethod
    def from_rows(
        cls, doc_id: str, content_hash: str, texts: Callable[[str, str], str], rows: Sequence[tuple[int, int, int, int, int | None]]
    ) -> _DocSentences:
        """A document's sentences from its rows in the index (start, end, block, flags, chunk)."""
        table = np.asarray([r[:4] for r in rows], dtype=np.int64).reshape(len(rows), 4)
        return cls(doc_id, content_hash, texts, table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy(), table[:, 3].astype(np.int8))

    @property
    def nbytes(self) -> int:
        """Memory the arrays own (views of the mapped matrix files own none)."""
        return 64 + sum(a.nbytes for a in (self.starts, self.ends, self.blocks, self.flags) if a.base is None)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - an int or a slice, as a list takes
        text = self._texts(self.doc_id, self.content_hash)
        if isinstance(i, slice):
            return [self._sentence(j, text) for j in range(*i.indices(len(self)))]
        return self._sentence(i + len(self) if i < 0 else i, text)

    def _sentence(self, i: int, text: str) -> Sentence:
        if not 0 <= i < len(self):
            raise IndexError(i)
        start, end, flags = int(self.starts[i]), int(self.ends[i]), int(self.flags[i])
        return Sentence(self.doc_id, start, end, text[start:end], int(self.blocks[i]), bool(flags & HEADING), bool(flags & LEAD_IN), bool(flags & ITEM), bool(flags & FRAGMENT), bool(flags & ROW))

    def at(self, sentence: Sentence) -> int | None:
        """The sentence's position (sentences do not overlap: its start finds it), None when it is not one of these."""
        i = int(np.searchsorted(self.starts, sentence.start))
        if i < len(self) and self.starts[i] == sentence.start and self.ends[i] == sentence.end and sentence.doc_id == self.doc_id:
            return i
        return None

    def overlapping(self, start: int, end: int) -> list[Sentence]:
        """The sentences ending after `start` and starting before `end` (they are in text order and do not overlap)."""
        return self[int(np.searchsorted(self.ends, start, side="right")) : int(np.searchsorted(self.starts, end))]


@dataclass
class _Matrix:
    """Every evidence sentence's vector with its document and position, for the sentence-level search; and the span
    and flags of every sentence (headings too), so that a document's sentences are a slice of these arrays."""

    key: dict[str, str]  # doc_id -> content_hash it was built from
    vectors: np.ndarray
    doc_of: np.ndarray  # row -> index into doc_ids
    ord_of: np.ndarray  # row -> position of the sentence in its document
    chunk_of: np.ndarray  # row -> index of the chunk holding the sentence in its document (NO_CHUNK: none)
    doc_ids: list[str]
    rows: dict[str, tuple[int, int]]  # doc_id -> [first, last) rows
    starts: np.ndarray  # every sentence, by document, in order
    ends: np.ndarray
    blocks: np.ndarray
    flags: np.ndarray
    spans: dict[str, tuple[int, int]]  # doc_id -> [first, last) of the span arrays

    def sentences(self, doc_id: str, texts: Callable[[str, str], str]) -> _DocSentences:
        """A document's sentences as views of the span arrays."""
        a, b = self.spans[doc_id]
        return _DocSentences(doc_id, self.key[doc_id], texts, self.starts[a:b], self.ends[a:b], self.blocks[a:b], self.flags[a:b])


def _matrix_key(documents: Sequence[DocumentInfo], states: dict[str, tuple], model: str, dim: int) -> str:
    """A digest of every document's version and its stored sentences' (what the matrix files were made from)."""
    parts = [MATRIX_FORMAT, FINGERPRINT, model, dim]
    parts += [[d.doc_id, d.source, d.content_hash, d.ingested_at, d.n_chunks, list(states.get(d.doc_id) or ())] for d in documents]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _save_matrix(matrix: _Matrix, root: Path, name: str) -> None:
    """Write the matrix as root/name/*.npy and manifest.json: in a hidden folder renamed into place when complete,
    so a reader sees all of it or nothing; other versions are removed (a process mapping one keeps its pages)."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        for array_name in MATRIX_ARRAYS:
            np.save(tmp / f"{array_name}.npy", getattr(matrix, array_name), allow_pickle=False)
        documents = [[d, matrix.key[d], *matrix.rows[d], *matrix.spans[d]] for d in matrix.doc_ids if d in matrix.spans]
        (tmp / "manifest.json").write_text(json.dumps({"format": MATRIX_FORMAT, "documents": documents}), encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private: others reading the data folder read this too
        if (root / name).exists() and _load_matrix(root / name) is None:
            shutil.rmtree(root / name, ignore_errors=True)  # a damaged one (a disk that filled, a hand that slipped)
        os.rename(tmp, root / name)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process put the same one in place first, or the disk is full
        if not (root / name).is_dir():
            raise
    for other in root.iterdir():
        try:
            stale = not other.name.startswith(".") or time.time() - other.stat().st_mtime > STALE_WRITE_S
        except OSError:
            continue  # removed by another process meanwhile
        if other.name != name and stale:
            shutil.rmtree(other, ignore_errors=True)


def _load_matrix(folder: Path) -> _Matrix | None:
    """The matrix saved in `folder`, its arrays mapped read-only; None when it is missing or incomplete."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        arrays = {name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)) for name in MATRIX_ARRAYS}
    except (OSError, ValueError):
        return None
    documents = manifest.get("documents") if manifest.get("format") == MATRIX_FORMAT else None
    rows, spans = len(arrays["vectors"]), len(arrays["starts"])
    if documents is None or any(len(arrays[n]) != rows for n in MATRIX_ARRAYS[:4]) or any(len(arrays[n]) != spans for n in MATRIX_ARRAYS[4:]):
        return None
    return _Matrix(
        key={d[0]: d[1] for d in documents}, doc_ids=[d[0] for d in documents], rows={d[0]: (d[2], d[3]) for d in documents},
        spans={d[0]: (d[4], d[5]) for d in documents}, **arrays,
    )


class SentenceBank:
    """Every document's sentences with their embeddings, read from the index as questions need them.

    Scoring candidate sentences against the question then costs a matrix product, not an embedding
    call per question; the same vectors give a sentence-level dense retriever over the whole corpus.
    """

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._docs: SizedCache[_DocSentences] = SizedCache(CACHED_SPAN_BYTES, lambda entry: entry.nbytes)
        self._texts: SizedCache[str] = SizedCache(CACHED_TEXT_BYTES, sys.getsizeof)
        self._stems: dict[Sentence, frozenset[str]] = {}
        self._centroids: dict[tuple[str, str], np.ndarray] = {}
        self._idf: dict[str, float] = {}
        self._idf_key: tuple[tuple[str, str], ...] = ()
        self._matrix: _Matrix | None = None
        self._lock = threading.RLock()  # making sentences and building the matrix: one thread at a time

    # the stored sentences ----------------------------------------------------------
    def _valid(self, state: tuple | None, doc: DocumentInfo) -> bool:
        """The stored sentences were made from this version of the document, by this splitter and this model."""
        return state is not None and state[:3] == (doc.content_hash, FINGERPRINT, self.embedder.name)

    def _entry(self, doc: DocumentInfo) -> _DocSentences:
        """A document's sentences: a view of the matrix files when they hold this version, else read from the index."""
        key = (doc.doc_id, doc.content_hash)
        entry = self._docs.get(key)
        if entry is not None:
            return entry
        matrix = self._matrix
        if matrix is not None and matrix.key.get(doc.doc_id) == doc.content_hash:
            return self._docs.put(key, matrix.sentences(doc.doc_id, self._text))
        with self._lock:
            if not self._valid(self.index.docs.sentence_state(doc.doc_id), doc):
                self._make(doc)
        return self._docs.put(key, self._read(doc))

    def _read(self, doc: DocumentInfo) -> _DocSentences:
        """A document's stored sentences (their text is sliced from the stored document text when one is used)."""
        return _DocSentences.from_rows(doc.doc_id, doc.content_hash, self._text, self.index.docs.sentence_rows(doc.doc_id))

    def _text(self, doc_id: str, content_hash: str) -> str:
        """A document's stored text, the most recently used kept up to CACHED_TEXT_BYTES (texts are most of the memory
        a document's sentences take: 92 MB for 100k chunks, and reading one again takes about a millisecond)."""
        return self._texts.get_or_make((doc_id, content_hash), lambda: self.index.text(doc_id))

    def _make(self, doc: DocumentInfo) -> None:
        """Split and embed a document whose sentences were not stored with it, and store them."""
        sentences = split_sentences(doc.doc_id, self.index.text(doc.doc_id))
        texts = evidence_texts(sentences)
        parts = [self.embedder.embed(texts[i : i + EMBED_CHUNK]) for i in range(0, len(texts), EMBED_CHUNK)]
        vectors = np.asarray([v for part in parts for v in part], dtype=np.float32).reshape(len(texts), self.embedder.dim)
        chunks = self.index.docs.document_chunks(doc.doc_id)
        if not self.index.docs.put_sentences(doc.doc_id, doc.content_hash, record(sentences, chunks, vectors, self.embedder.name)):
            now = self.index.docs.document(doc.doc_id)
            if now is None or now.content_hash != doc.content_hash:
                return  # replaced or removed by an ingest meanwhile: its new version has its own
            raise IndexMissing(
                f"The sentences of {doc.source} are not in the index in {self.index.settings.data_dir} and cannot be added "
                "(read-only?); run `assistant warm` once with write access to it."
            )

    def warm(self, documents: Sequence[DocumentInfo]) -> int:
        """Make any sentences not stored yet and open the search matrix (from its files, or built and saved); returns
        the number of evidence sentences."""
        matrix = self._search_matrix(documents)
        legacy = self.index.settings.data_dir / LEGACY_CACHE_FOLDER
        if legacy.is_dir():  # vectors cached by an older version, now kept in the index
            shutil.rmtree(legacy, ignore_errors=True)
        return sum(last - first for first, last in (matrix.rows.get(d.doc_id, (0, 0)) for d in documents))

    def centroid(self, doc: DocumentInfo) -> np.ndarray:
        """The unit mean of a document's evidence-sentence vectors: what the document as a whole is about. A sentence
        near it says what the whole document says ("This plan sets out our vision..."), rarely the specific point a
        question asks for (the scorer's "central" feature). Kept per document version; cheap from the search matrix."""
        key = (doc.doc_id, doc.content_hash)
        found = self._centroids.get(key)
        if found is not None:
            return found
        matrix = self._matrix
        if matrix is not None and matrix.key.get(doc.doc_id) == doc.content_hash and doc.doc_id in matrix.rows:
            first, last = matrix.rows[doc.doc_id]
            vectors = matrix.vectors[first:last]
        else:
            vectors = self.vectors([x for x in self.sentences(doc) if not x.heading], {doc.doc_id: doc})
        mean = vectors.astype(np.float64).sum(axis=0) if len(vectors) else np.zeros(self.embedder.dim)
        unit = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        with self._lock:
            if len(self._centroids) >= MAX_CENTROIDS:
                self._centroids.clear()
            self._centroids[key] = unit
        return unit

    # reading --------------------------------------------------------------------
    def sentences(self, doc: DocumentInfo) -> Sequence[Sentence]:
        """All the document's sentences (headings included), in order (each made when it is read)."""
        return self._entry(doc)

    def position(self, sentence: Sentence, doc: DocumentInfo) -> int:
        """The sentence's place in sentences(doc)."""
        at = self._entry(doc).at(sentence)
        if at is None:
            raise KeyError(sentence)
        return at

    def in_passage(self, passage: object) -> list[Sentence]:
        """Sentences mostly inside the passage's chunk (a sentence cut by the chunk edge counts if half is in)."""
        chunk, doc = passage.chunk, passage.doc  # type: ignore[attr-defined]
        out = []
        for s in self._entry(doc).overlapping(chunk.start, chunk.end):
            overlap = min(s.end, chunk.end) - max(s.start, chunk.start)
            if overlap > 0 and overlap * 2 >= s.end - s.start:
                out.append(s)
        return out

    def vectors(self, sentences: Sequence[Sentence], docs: dict[str, DocumentInfo]) -> np.ndarray:
        """Unit vectors of evidence sentences (float32, as stored): rows of the search matrix, which holds them all
        already; a document changed since it was built has its vectors read from the index."""
        if not sentences:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        matrix = self._matrix
        out = np.zeros((len(sentences), self.embedder.dim), dtype=np.float32)
        wanted: dict[int, tuple[_DocSentences, list[int]]] = {}  # by entry: a document read again meanwhile is another
        places = []
        for i, s in enumerate(sentences):
            entry = self._entry(docs[s.doc_id])
            at = entry.at(s)
            if at is None:
                raise KeyError(s)
            row = _matrix_row(matrix, s.doc_id, entry.content_hash, at)
            if row is not None:
                out[i] = matrix.vectors[row]  # type: ignore[union-attr] - a row implies a matrix
                continue
            places.append((i, entry, at))
            if at not in entry.vectors:
                wanted.setdefault(id(entry), (entry, []))[1].append(at)
        for entry, ords in wanted.values():
            for at, blob in self.index.docs.sentence_vectors(entry.doc_id, ords).items():
                entry.vectors[at] = np.frombuffer(blob, dtype=np.float32)
        for i, entry, at in places:
            out[i] = entry.vectors[at]
        return out

    def stems(self, sentence: Sentence, glossary: Glossary) -> frozenset[str]:
        """Content stems of a sentence plus those of the glossary expansions it implies (ICB -> integrated care board)."""
        cached = self._stems.get(sentence)
        if cached is None:
            text = sentence.text
            cached = frozenset(content_stems(text + " " + " ".join(glossary.expansions(text))))
            if len(self._stems) >= CACHED_STEMS:
                self._stems = {}
            self._stems[sentence] = cached
        return cached

    def context_stems(self, sentence: Sentence, doc: DocumentInfo, glossary: Glossary, reach: int = 2) -> frozenset[str]:
        """Stems of a sentence and of the `reach` sentences either side of it in its document."""
        return frozenset().union(*(self.stems(s, glossary) for s in self.neighbours(sentence, doc, reach)))

    def neighbours(self, sentence: Sentence, doc: DocumentInfo, reach: int = 1) -> list[Sentence]:
        """The sentence with the `reach` sentences either side of it in its document; a fragment of one column's line
        (Sentence.fragment) with the others on its line only: the lines either side are the other column's; a table's
        row with its table's header row."""
        entry = self._entry(doc)
        at = entry.at(sentence)
        if at is None:
            return [sentence]
        if sentence.row:  # a table's row reads with its header row; the rows either side are other records
            header = entry.header(at)
            return [sentence] if header is None else [entry[header], sentence]
        near = entry[max(0, at - reach) : at + reach + 1]
        return [s for s in near if s.block == sentence.block] if sentence.fragment else near

    def header_text(self, sentence: Sentence, doc: DocumentInfo) -> str | None:
        """The text of a table row's header row, which names its columns (None for a sentence, or a row without one)."""
        entry = self._entry(doc)
        at = entry.at(sentence) if sentence.row else None
        header = None if at is None else entry.header(at)
        return None if header is None else entry[header].text

    def paragraph(self, sentence: Sentence, doc: DocumentInfo) -> str:
        """The text of the line (paragraph or list item) a sentence is on: its sentences, in order."""
        entry = self._entry(doc)
        at = entry.at(sentence)
        if at is None:
            return sentence.text
        first = last = at  # a line's sentences sit together: walk out from this one
        while first > 0 and entry.blocks[first - 1] == sentence.block:
            first -= 1
        while last + 1 < len(entry) and entry.blocks[last + 1] == sentence.block:
            last += 1
        return " ".join(s.text for s in entry[first : last + 1])

    def idf(self, documents: Sequence[DocumentInfo]) -> dict[str, float]:
        """Inverse sentence frequency of each stem over the documents' evidence sentences (rare words weigh more)."""
        key = tuple(sorted((d.doc_id, d.content_hash) for d in documents))
        if key != self._idf_key:
            self._search_matrix(documents)  # every document's sentences stored
            counts, total = self.index.docs.stem_counts()
            idf = {st: float(np.log((total + 1) / (n + 0.5))) for st, n in counts.items()}
            with self._lock:
                self._idf, self._idf_key = idf, key
        return self._idf

    # the sentence-level search ------------------------------------------------------
    def _search_matrix(self, documents: Sequence[DocumentInfo]) -> _Matrix:
        """The matrix of every evidence sentence, opened again when a document is new or changed."""
        matrix = self._matrix
        if matrix is not None and all(matrix.key.get(d.doc_id) == d.content_hash for d in documents):
            return matrix
        with self._lock:
            matrix = self._matrix
            current = {doc_id: content_hash for doc_id, (content_hash, _) in self.index.docs.hashes().items()}
            if matrix is not None and matrix.key == current:
                return matrix  # the caller's documents are older than the index (Assistant.refresh() not called yet)
            self._matrix = matrix = self._open_matrix()
            self._docs.clear()  # views of the matrix replaced would keep its mapping (a deleted file's pages) alive
            return matrix

    def _open_matrix(self) -> _Matrix:
        """The matrix from its files when they were made from this index's sentences, else built from the index and saved
        (the files are what later processes open: a read-only data folder only builds it in memory)."""
        docs = self.index.docs
        documents = docs.documents()
        states = docs.sentence_states()
        for doc in documents:
            if not self._valid(states.get(doc.doc_id), doc):
                self._make(doc)
        with docs.snapshot():  # one read: the key and the rows agree, whatever an ingest writes meanwhile
            documents = docs.documents()
            states = docs.sentence_states()
            valid = [d for d in documents if self._valid(states.get(d.doc_id), d)]
            name = _matrix_key(valid, states, self.embedder.name, self.embedder.dim)
            root = self.index.settings.data_dir / MATRIX_FOLDER
            matrix = _load_matrix(root / name)
            if matrix is not None:
                return matrix
            log.warning("building the sentence search matrix (%s sentences, %d documents) for %s; kept in %s for later starts",
                        f"{sum(states[d.doc_id][3] for d in valid):,}", len(valid), self.index.settings.data_dir, root)
            started = time.perf_counter()
            matrix = self._build_matrix(valid)
        try:
            _save_matrix(matrix, root, name)
            log.warning("sentence search matrix built and saved in %.1f s", time.perf_counter() - started)
        except OSError as exc:  # a read-only or full data folder: every start builds it again
            log.warning("sentence search matrix built in %.1f s but not saved (%s); each start will build it again", time.perf_counter() - started, exc)
        return matrix

    def _build_matrix(self, documents: Sequence[DocumentInfo]) -> _Matrix:
        """The matrix from the index's rows of the documents' sentences (within the caller's read transaction)."""
        docs = self.index.docs
        vectors, doc_of, ord_of, chunk_of, spans = [], [], [], [], []
        rows: dict[str, tuple[int, int]] = {}
        span_ranges: dict[str, tuple[int, int]] = {}
        row = span = 0
        for i, doc in enumerate(documents):
            table = docs.sentence_table(doc.doc_id)  # (ord, start, end, block, flags, chunk, vector) in order
            evidence = [r for r in table if r[6] is not None]
            vectors.append(b"".join(r[6] for r in evidence))
            doc_of.append(np.full(len(evidence), i, dtype=np.int32))
            ord_of.append(np.asarray([r[0] for r in evidence], dtype=np.int32))
            chunk_of.append(np.asarray([NO_CHUNK if r[5] is None else r[5] for r in evidence], dtype=np.int32))
            spans.append(np.asarray([r[1:5] for r in table], dtype=np.int64).reshape(len(table), 4))
            rows[doc.doc_id] = (row, row + len(evidence))
            span_ranges[doc.doc_id] = (span, span + len(table))
            row, span = row + len(evidence), span + len(table)
        table = np.concatenate(spans) if spans else np.zeros((0, 4), dtype=np.int64)
        return _Matrix(
            key={d.doc_id: d.content_hash for d in documents},
            vectors=np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(row, self.embedder.dim),
            doc_of=np.concatenate(doc_of) if doc_of else np.zeros(0, dtype=np.int32),
            ord_of=np.concatenate(ord_of) if ord_of else np.zeros(0, dtype=np.int32),
            chunk_of=np.concatenate(chunk_of) if chunk_of else np.zeros(0, dtype=np.int32),
            doc_ids=[d.doc_id for d in documents], rows=rows,
            starts=table[:, 0].astype(np.int64), ends=table[:, 1].astype(np.int64), blocks=table[:, 2].astype(np.int64),
            flags=table[:, 3].astype(np.int8), spans=span_ranges,
        )

    def _search_rows(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> list[tuple[str, int, float]]:
        """(doc id, sentence position, score) of the k sentences of the documents most similar to the vector."""
        matrix, rows, scores = self._best_rows(vector, k, documents)
        return [(matrix.doc_ids[matrix.doc_of[r]], int(matrix.ord_of[r]), float(s)) for r, s in zip(rows, scores, strict=True)]

    def _best_rows(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> tuple[_Matrix, np.ndarray, np.ndarray]:
        """The matrix searched, and the rows of its k sentences most similar to the vector (best first) with their scores."""
        matrix = self._search_matrix(documents)
        ranges = sorted(matrix.rows[d.doc_id] for d in documents if matrix.key.get(d.doc_id) == d.content_hash)
        ranges = [(a, b) for a, b in ranges if b > a]
        if not ranges or k <= 0:
            return matrix, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.asarray(vector, dtype=np.float32)
        rows = None  # every row: a score's place is its row
        if sum(b - a for a, b in ranges) == len(matrix.vectors):
            scores = matrix.vectors @ q
        else:
            rows = np.concatenate([np.arange(a, b) for a, b in ranges])
            scores = np.concatenate([matrix.vectors[a:b] @ q for a, b in ranges])
        k = min(k, len(scores))
        kth = -np.partition(-scores, k - 1)[k - 1]
        head = np.flatnonzero(scores >= kth)  # the k best and any tied with the k-th, in row order
        best = head[np.argsort(-scores[head], kind="stable")[:k]]
        return matrix, best if rows is None else rows[best], scores[best]

    def chunks_near(self, doc: DocumentInfo, start: int, end: int, reach: int) -> list[Chunk]:
        """The document's chunks overlapping [start - reach, end + reach), in order."""
        return self.index.docs.chunks_overlapping(doc.doc_id, start - reach, end + reach)

    def search_chunks(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> list[tuple[Chunk, float]]:
        """Chunks ranked by their best sentence among the top sentence matches (a sentence-level dense retriever)."""
        matrix, rows, scores = self._best_rows(vector, k * SENTENCES_PER_CHUNK_HIT, documents)
        # the holding chunk was stored with each sentence: a look-up, not a read of the sentence's whole document
        holders = [
            ((matrix.doc_ids[matrix.doc_of[r]], int(matrix.chunk_of[r])), float(score))
            for r, score in zip(rows, scores, strict=True) if matrix.chunk_of[r] != NO_CHUNK
        ]
        chunks = self.index.docs.chunks_at(place for place, _ in holders)
        out: dict[str, tuple[Chunk, float]] = {}
        for place, score in holders:
            chunk = chunks.get(place)
            if chunk is not None and chunk.id not in out:
                out[chunk.id] = (chunk, score)
            if len(out) >= k:
                break
        return list(out.values())

