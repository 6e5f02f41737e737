"""Evidence spans and citations: sentence spans of stored documents, [n] numbering, marker parsing, verification.

Every citation is an exact span of a stored document: `quote == Index.text(source)[start:end]`.
Answers cite sentence spans (not whole chunks), numbered in order of first use.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.retrieve import content_stems
from assistant.types import Chunk, Citation, DocumentInfo, PageSpan

if TYPE_CHECKING:
    from assistant.embed import Embedder
    from assistant.glossary import Glossary
    from assistant.index import Index

LEXICAL_SUPPORT = 0.6  # share of a sentence's content words found in its cited text to count as supported
SEMANTIC_SUPPORT = 0.72  # cosine between a sentence and its best cited sentence to count as supported
MIN_SENTENCE_WORDS = 5  # shorter lines are headings or fragments, not evidence
SENTENCE_CACHE_FOLDER = "sentences"  # in the data folder: one .npy of sentence vectors per document version
SENTENCES_PER_CHUNK_HIT = 3  # sentences fetched per wanted chunk (several top sentences share a chunk)
EMBED_CHUNK = 256  # sentences per embedding call when building a document's vectors

# "e.g." or "Rt Hon." must not end a sentence.
_ABBREVIATIONS = frozenset("e.g i.e etc vs cf al dr mr mrs ms st no nos fig rt hon prof approx inc ltd co para paras".split())
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9£])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•▪◦‣–]\s+|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]\s+)+")
_MARKER = re.compile(r"\[([^\[\]]{1,20})\]")
_FIGURE = re.compile(
    r"£?\d+(?:[.,]\d+)*(?:\s*[/–-]\s*\d+)?(?:\s?(?:bn|billion|m|million|k|%|per\s?cent))?", re.IGNORECASE
)
# A month named as a date: capitalised, and "May" only next to a day or year ("may" and "march" are verbs too).
_MONTH = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
    r"|\bMay(?=\s+\d)|(?<=\d\s)May\b"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a bullet, or a one-line item) of a stored document: text == doc_text[start:end]."""

    doc_id: str
    start: int
    end: int
    text: str
    block: int  # index of the line it is on (adjacent blocks are neighbouring lines/bullets)
    heading: bool = False  # a title line, not evidence
    lead_in: bool = False  # ends with ":" (introduces the following lines)
    item: bool = False  # on a list-item line ("- ...", "a. ...")


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    """Sentences of a document with exact offsets; list markers are left out of the spans."""
    out: list[Sentence] = []
    for block, line in enumerate(re.finditer(r"[^\n]+", text)):
        line_start = line.start()
        body = line.group(0)
        marker = _LIST_MARKER.match(body)
        offset = marker.end() if marker else 0
        for start, end in _sentence_bounds(body, offset):
            piece = body[start:end]
            # markdown emphasis/heading marks are not part of what was said
            lead, trail = len(piece) - len(piece.lstrip("#*_ \t")), len(piece.rstrip("*_ \t"))
            s, e = line_start + start + lead, line_start + start + trail
            if e <= s:
                continue
            sentence_text = text[s:e]
            n_words = len(sentence_text.split())
            heading = n_words < MIN_SENTENCE_WORDS or (marker is None and not re.search(r"[.!?:;)”\"']$", sentence_text) and n_words < 14)
            heading = heading or sentence_text.endswith("?")  # questions in a document are headings, never answers
            out.append(Sentence(doc_id, s, e, sentence_text, block, heading, sentence_text.endswith(":"), marker is not None))
    return out


def _sentence_bounds(line: str, offset: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of one line from `offset`, not splitting after abbreviations."""
    bounds, start = [], offset
    for m in _SENTENCE_END.finditer(line, offset):
        before = line[start : m.start()].rstrip("\"”’)]").rstrip(".!?…")
        last = before.split()[-1].lower().rstrip(".") if before.split() else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(line)))
    return bounds


# figures ---------------------------------------------------------------------
def figures(text: str) -> set[str]:
    """Numbers, amounts, percentages and years in a text, normalised ("10 per cent" -> "10%", "2023-24" -> "2023/24")."""
    found = set()
    for m in _FIGURE.finditer(text):
        value = m.group(0).lower().replace(",", "").replace(" ", "")
        value = re.sub(r"percent$", "%", value)
        value = re.sub(r"[–-]", "/", value)
        value = value.replace("billion", "bn").replace("million", "m")
        if re.fullmatch(r"\d", value):  # lone digits are list numbers and footnotes more often than figures
            continue
        found.add(value)
    return found


def figure_core(value: str) -> str:
    """The digits of a figure, for lenient matching ("£104bn" and "104bn" share "104")."""
    return re.sub(r"[^\d./]", "", value)


_QUANTITY_WORDS = re.compile(
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion)(?:\s+(?:in|out of)\s+(?:two|three|four|five|six|seven|eight|nine|ten|hundred))?|half|halves|"
    r"(?:a|one|two|three)\s+(?:quarters?|thirds?|fifths?)|majority|minority|most|all)\b",
    re.IGNORECASE,
)


_NOT_COUNTS = ("all", "most")  # quantity words that give no figure of their own


def quantities(text: str) -> set[str]:
    """Figures plus quantities written in words ("three quarters", "seven", "half")."""
    return figures(text) | {m.group(0).lower() for m in _QUANTITY_WORDS.finditer(text) if m.group(0).lower() not in _NOT_COUNTS}


def quantity_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each figure or quantity word in the text (lone digits included), in text order."""
    spans = [(m.start(), m.end()) for m in _FIGURE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _QUANTITY_WORDS.finditer(text) if m.group(0).lower() not in _NOT_COUNTS]
    return sorted(spans)


def has_figure(text: str) -> bool:
    """True when the text carries a number, amount, percentage, year or month name (dates)."""
    return bool(figures(text)) or names_month(text)


def names_month(text: str) -> bool:
    """True when the text names a month as a date ("in March", "1 May 2022"; not "it may", "march on")."""
    return bool(_MONTH.search(text))


def missing_figures(sentence: str, evidence: Iterable[str]) -> list[str]:
    """Figures of the sentence that appear in none of the evidence texts."""
    available = {figure_core(f) for text in evidence for f in figures(text)}
    return sorted(f for f in figures(sentence) if figure_core(f) not in available)


# markers ---------------------------------------------------------------------
def parse_markers(text: str, n_sources: int) -> tuple[str, list[int]]:
    """Strip [n] markers from a text; returns (clean text, valid numbers in order). Bad markers are dropped."""
    numbers: list[int] = []

    def take(m: re.Match[str]) -> str:
        inner = m.group(1)
        if not re.fullmatch(r"\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*", inner):
            # not a citation ("[sic]", "[the ICB]"): keep it when it has letters, drop stray "[3a]" / "[?]"
            return m.group(0) if re.search(r"[A-Za-z]{2,}", inner) and not re.search(r"\d", inner) else ""
        for part in re.split(r"[,;]", inner):
            bounds = [int(x) for x in re.findall(r"\d+", part)]
            span = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 and bounds[0] <= bounds[1] <= bounds[0] + 10 else bounds
            numbers.extend(n for n in span if 1 <= n <= n_sources)
        return ""

    clean = _MARKER.sub(take, text)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", clean)).strip()
    return clean, list(dict.fromkeys(numbers))


def split_marked_text(text: str, n_sources: int) -> list[tuple[str, list[int]]]:
    """Split generated text into sentences with their citation numbers; a marker-only piece joins the sentence before."""
    pieces: list[tuple[str, list[int]]] = []
    for raw in re.split(r"(?<=[.!?])\s+|\n+", text.strip()):
        if not raw.strip():
            continue
        leading = re.match(r"\s*((?:\[[^\[\]]{1,20}\]\s*)+)", raw)
        if leading and pieces:  # "... happen. [1] Next sentence": the marker belongs to the sentence before
            _, numbers = parse_markers(leading.group(1), n_sources)
            pieces[-1] = (pieces[-1][0], list(dict.fromkeys(pieces[-1][1] + numbers)))
            raw = raw[leading.end() :]
        clean, numbers = parse_markers(raw, n_sources)
        if not re.search(r"[A-Za-z0-9]", clean):
            if pieces:
                pieces[-1] = (pieces[-1][0], list(dict.fromkeys(pieces[-1][1] + numbers)))
            continue
        pieces.append((clean, numbers))
    return pieces


# verification ------------------------------------------------------------------
@dataclass
class Support:
    """The outcome of checking one answer sentence against its cited texts."""

    supported: bool
    lexical: float = 0.0
    semantic: float = 0.0
    missing_figures: list[str] = field(default_factory=list)


def lexical_support(sentence: str, evidence: Sequence[str]) -> float:
    """Share of the sentence's content stems present in the evidence."""
    wanted = content_stems(sentence)
    if not wanted:
        return 1.0
    have = set().union(*(content_stems(t) for t in evidence)) if evidence else set()
    return len(wanted & have) / len(wanted)


def verify(
    sentence: str,
    evidence: Sequence[str],
    similarity: Callable[[str, Sequence[str]], float] | None = None,
) -> Support:
    """Is the sentence supported by the cited texts? Figures must all appear; then lexical or semantic support."""
    if not evidence:
        return Support(False)
    missing = missing_figures(sentence, evidence)
    lexical = lexical_support(sentence, evidence)
    if missing:
        return Support(False, lexical, 0.0, missing)
    if lexical >= LEXICAL_SUPPORT:
        return Support(True, lexical)
    semantic = similarity(sentence, evidence) if similarity else 0.0
    return Support(semantic >= SEMANTIC_SUPPORT, lexical, semantic)


# citations -------------------------------------------------------------------
def page_of(pages: Sequence[PageSpan], start: int) -> int | None:
    """The PDF page holding character `start` (None for documents without pages)."""
    for span in pages:
        if span.start <= start < span.end:
            return span.page
    return None


class CitationList:
    """Numbers spans in order of first use; the same span cited twice keeps its number."""

    def __init__(self) -> None:
        self._by_span: dict[tuple[str, int, int], Citation] = {}

    def add(self, doc: DocumentInfo, start: int, end: int, quote: str, section: str = "", page: int | None = None) -> int:
        key = (doc.doc_id, start, end)
        if key not in self._by_span:
            self._by_span[key] = Citation(
                n=len(self._by_span) + 1, source=doc.source, title=doc.title, publisher=doc.publisher, date=doc.date,
                page=page, section=section, start=start, end=end, quote=quote, doc_id=doc.doc_id,
            )
        return self._by_span[key].n

    def citations(self) -> list[Citation]:
        return sorted(self._by_span.values(), key=lambda c: c.n)


def quote_matches(citation: Citation, document_text: str) -> bool:
    """True when the citation's quote is exactly the stored text at its offsets."""
    return 0 <= citation.start < citation.end <= len(document_text) and document_text[citation.start : citation.end] == citation.quote


# the sentence bank -------------------------------------------------------------
@dataclass
class _DocSentences:
    """One document version's evidence sentences, their unit vectors, and its chunks (to map sentences to passages)."""

    content_hash: str
    all: list[Sentence]
    evidence: list[Sentence]  # the non-heading sentences, one vector row each
    matrix: np.ndarray
    row: dict[Sentence, int]
    chunks: list[Chunk]
    at: dict[Sentence, int] = field(default_factory=dict)  # position in `all`


class SentenceBank:
    """Every document's sentences with their embeddings, built once per document version and cached on disk.

    Scoring candidate sentences against the question then costs a matrix product, not an embedding
    call per question; the same vectors give a sentence-level dense retriever over the whole corpus.
    """

    def __init__(self, index: Index, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._docs: dict[str, _DocSentences] = {}
        self._stems: dict[Sentence, frozenset[str]] = {}
        self._idf: dict[str, float] = {}
        self._idf_key: tuple[tuple[str, str], ...] = ()
        self._lock = threading.RLock()

    # building -------------------------------------------------------------------
    def _entry(self, doc: DocumentInfo) -> _DocSentences:
        entry = self._docs.get(doc.doc_id)
        if entry is not None and entry.content_hash == doc.content_hash:
            return entry
        with self._lock:  # one build per document, whichever thread asks first
            entry = self._docs.get(doc.doc_id)
            if entry is None or entry.content_hash != doc.content_hash:
                entry = self._build(doc)
                self._docs[doc.doc_id] = entry
        return entry

    def _build(self, doc: DocumentInfo) -> _DocSentences:
        sentences = split_sentences(doc.doc_id, self.index.text(doc.doc_id))
        evidence = [s for s in sentences if not s.heading]
        matrix = self._load(doc, len(evidence))
        if matrix is None:
            rows = [self.embedder.embed([s.text for s in evidence[i : i + EMBED_CHUNK]]) for i in range(0, len(evidence), EMBED_CHUNK)]
            matrix = np.asarray([v for part in rows for v in part], dtype=np.float32).reshape(len(evidence), self.embedder.dim)
            self._save(doc, matrix)
        chunks = self.index.docs.document_chunks(doc.doc_id)
        return _DocSentences(
            doc.content_hash, sentences, evidence, matrix, {s: i for i, s in enumerate(evidence)}, chunks, {s: i for i, s in enumerate(sentences)}
        )

    def _cache_path(self, doc: DocumentInfo) -> Path | None:
        if self.cache_dir is None or not doc.content_hash:
            return None
        key = hashlib.sha256(f"{doc.doc_id}\0{doc.content_hash}\0{self.embedder.name}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{key}.npy"

    def _load(self, doc: DocumentInfo, rows: int) -> np.ndarray | None:
        path = self._cache_path(doc)
        if path is None or not path.exists():
            return None
        try:
            matrix = np.load(path)
        except (OSError, ValueError):
            return None  # a damaged cache file is rebuilt
        return matrix if matrix.shape == (rows, self.embedder.dim) else None

    def _save(self, doc: DocumentInfo, matrix: np.ndarray) -> None:
        path = self._cache_path(doc)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                np.save(f, matrix)
            os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
        except OSError:
            pass  # a read-only data folder only costs the cache

    def warm(self, documents: Sequence[DocumentInfo]) -> int:
        """Split and embed (or load) the sentences of every indexed document now, and drop cache files of
        document versions no longer indexed; returns the number of evidence sentences."""
        count = sum(len(self._entry(doc).evidence) for doc in documents)
        self._prune_cache(documents)
        return count

    def _prune_cache(self, documents: Sequence[DocumentInfo]) -> None:
        current = {path for path in map(self._cache_path, documents) if path is not None}
        if self.cache_dir is None or not self.cache_dir.is_dir():
            return
        for path in self.cache_dir.glob("*.npy"):
            if path not in current:
                path.unlink(missing_ok=True)

    # reading --------------------------------------------------------------------
    def sentences(self, doc: DocumentInfo) -> list[Sentence]:
        """All the document's sentences (headings included), in order."""
        return self._entry(doc).all

    def in_passage(self, passage: object) -> list[Sentence]:
        """Sentences mostly inside the passage's chunk (a sentence cut by the chunk edge counts if half is in)."""
        chunk, doc = passage.chunk, passage.doc  # type: ignore[attr-defined]
        out = []
        for s in self.sentences(doc):
            overlap = min(s.end, chunk.end) - max(s.start, chunk.start)
            if overlap > 0 and overlap * 2 >= s.end - s.start:
                out.append(s)
        return out

    def vectors(self, sentences: Sequence[Sentence], docs: dict[str, DocumentInfo]) -> np.ndarray:
        """Unit vectors of evidence sentences (rows of their documents' matrices)."""
        if not sentences:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([self._entry(docs[s.doc_id]).matrix[self._entry(docs[s.doc_id]).row[s]] for s in sentences])

    def stems(self, sentence: Sentence, glossary: Glossary) -> frozenset[str]:
        """Content stems of a sentence plus those of the glossary expansions it implies (ICB -> integrated care board)."""
        cached = self._stems.get(sentence)
        if cached is None:
            text = sentence.text
            cached = frozenset(content_stems(text + " " + " ".join(glossary.expansions(text))))
            self._stems[sentence] = cached
        return cached

    def context_stems(self, sentence: Sentence, doc: DocumentInfo, glossary: Glossary, reach: int = 2) -> frozenset[str]:
        """Stems of a sentence and of the `reach` sentences either side of it in its document."""
        return frozenset().union(*(self.stems(s, glossary) for s in self.neighbours(sentence, doc, reach)))

    def neighbours(self, sentence: Sentence, doc: DocumentInfo, reach: int = 1) -> list[Sentence]:
        """The sentence with the `reach` sentences either side of it in its document."""
        entry = self._entry(doc)
        at = entry.at.get(sentence)
        if at is None:
            return [sentence]
        return entry.all[max(0, at - reach) : at + reach + 1]

    def paragraph(self, sentence: Sentence, doc: DocumentInfo) -> str:
        """The text of the line (paragraph or list item) a sentence is on: its sentences, in order."""
        entry = self._entry(doc)
        at = entry.at.get(sentence)
        if at is None:
            return sentence.text
        first = last = at  # a line's sentences sit together: walk out from this one
        while first > 0 and entry.all[first - 1].block == sentence.block:
            first -= 1
        while last + 1 < len(entry.all) and entry.all[last + 1].block == sentence.block:
            last += 1
        return " ".join(s.text for s in entry.all[first : last + 1])

    def idf(self, documents: Sequence[DocumentInfo]) -> dict[str, float]:
        """Inverse sentence frequency of each stem over the documents' evidence sentences (rare words weigh more)."""
        key = tuple(sorted((d.doc_id, d.content_hash) for d in documents))
        if key != self._idf_key:
            counts: dict[str, int] = {}
            total = 0
            for doc in documents:
                for sentence in self._entry(doc).evidence:
                    total += 1
                    for st in content_stems(sentence.text):
                        counts[st] = counts.get(st, 0) + 1
            idf = {st: float(np.log((total + 1) / (n + 0.5))) for st, n in counts.items()}
            with self._lock:
                self._idf, self._idf_key = idf, key
        return self._idf

    def search(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> list[tuple[Sentence, float]]:
        """The k sentences of the documents most similar to the vector."""
        entries = [self._entry(doc) for doc in documents]
        entries = [e for e in entries if len(e.evidence)]
        if not entries or k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32)
        scores = np.concatenate([e.matrix @ q for e in entries])
        owners = [(e, i) for e in entries for i in range(len(e.evidence))]
        top = np.argsort(-scores)[:k]
        return [(owners[i][0].evidence[owners[i][1]], float(scores[i])) for i in top]

    def chunks_near(self, doc: DocumentInfo, start: int, end: int, reach: int) -> list[Chunk]:
        """The document's chunks overlapping [start - reach, end + reach), in order."""
        return [c for c in self._entry(doc).chunks if c.start < end + reach and start - reach < c.end]

    def chunk_for(self, sentence: Sentence, doc: DocumentInfo) -> Chunk | None:
        """The chunk holding the most of the sentence (the earliest on ties)."""
        best, best_overlap = None, 0
        for chunk in self._entry(doc).chunks:
            overlap = min(sentence.end, chunk.end) - max(sentence.start, chunk.start)
            if overlap > best_overlap:
                best, best_overlap = chunk, overlap
        return best

    def search_chunks(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> list[tuple[Chunk, float]]:
        """Chunks ranked by their best sentence among the top sentence matches (a sentence-level dense retriever)."""
        out: dict[str, tuple[Chunk, float]] = {}
        for sentence, score in self.search(vector, k * SENTENCES_PER_CHUNK_HIT, documents):
            chunk = self.chunk_for(sentence, next(d for d in documents if d.doc_id == sentence.doc_id))
            if chunk is not None and chunk.id not in out:
                out[chunk.id] = (chunk, score)
            if len(out) >= k:
                break
        return list(out.values())
