"""Small dataclasses passed between the stages (load -> clean -> split -> store -> retrieve -> answer)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PageSpan:
    """Characters [start, end) of a document's stored text are on PDF page `page` (1-based)."""

    start: int
    end: int
    page: int


PARAGRAPH = "para"  # a numbered paragraph's locator: "para 12" (ingest/paragraphs.py), cited beside its page


def place(locator: str, page: int | None, page_word: str = "p.") -> str:
    """Where a span is, as a reader cites it: a transcript's "at 00:41:07" or "Q112", a deck's "slide 3" (each in place
    of a page), a numbered paragraph beside its page ("p. 4, para 12"), else "p. 12"; "" for neither."""
    if locator.startswith(f"{PARAGRAPH} ") and page:
        return f"{page_word} {page}, {locator}"
    return locator or (f"{page_word} {page}" if page else "")


@dataclass(frozen=True)
class Locator:
    """Characters [start, end) of a transcript's stored text were said "at 00:41:07" or answer "Q112": its page number;
    of a deck's or workbook's, "slide 3", "sheet Summary"; of a written document's, its numbered paragraph, "para 12"."""

    start: int
    end: int
    label: str


@dataclass
class LoadedDocument:
    """What a loader returns: raw text (PDF pages separated by form feeds) and metadata found in the file."""

    path: Path
    text: str
    meta: dict[str, str] = field(default_factory=dict)  # title, author, date... as found in the file
    encoding: str | None = None  # detected encoding, for text files

    @property
    def not_printed(self) -> bool:
        """A slide deck, a spreadsheet or an email (ingest.load's SLIDES, SHEETS and MAIL formats): no printed pages,
        so no running headers or footers, and its rows are records, not speech (ingest.clean.clean)."""
        return self.meta.get("format") in ("slides", "spreadsheet", "email")

    @property
    def caption(self) -> bool:
        """A caption transcript (ingest/transcript.py): clean() shapes it as one, however short a .vtt or .srt is."""
        return self.meta.get("transcript") == "caption"


@dataclass(frozen=True)
class CleanText:
    """Cleaned document text (what users see and citations point into) and its page map."""

    text: str
    pages: tuple[PageSpan, ...] = ()
    locators: tuple[Locator, ...] = ()  # a transcript's timestamps or question numbers (ingest/transcript.py)


@dataclass(frozen=True)
class ChunkSpan:
    """A chunk as the splitter returns it: text[start:end] of the cleaned text, plus structure."""

    start: int
    end: int
    section: str = ""  # heading path, " > " separated
    page_start: int | None = None
    page_end: int | None = None


@dataclass(frozen=True)
class Filters:
    """Retrieval filters; empty fields do not filter. Matching is case-insensitive."""

    documents: tuple[str, ...] = ()  # source path, file name, or part of the title
    publishers: tuple[str, ...] = ()  # publisher name or part of it
    kinds: tuple[str, ...] = ()
    since: str = ""  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD), inclusive
    until: str = ""

    def __bool__(self) -> bool:
        return bool(self.documents or self.publishers or self.kinds or self.since or self.until)

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's identity and catalogue metadata."""

    doc_id: str  # == source: the path relative to the folder it was ingested from
    source: str
    title: str
    publisher: str = ""
    date: str = ""  # ISO date, "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    kind: str = ""
    url: str = ""
    path: str = ""  # absolute path of the original file when ingested
    content_hash: str = ""
    chars: int = 0
    n_chunks: int = 0
    ingested_at: str = ""
    has_pages: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A stored chunk: an exact span of a stored document."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    section: str = ""
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class Passage:
    """A retrieved chunk with its fused score and the ranks it had in each retriever."""

    rank: int
    chunk: Chunk
    doc: DocumentInfo
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "source": self.doc.source,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "score": round(self.score, 6),
            "text": self.chunk.text,
            "section": self.chunk.section,
            "title": self.doc.title,
            "publisher": self.doc.publisher,
        }


@dataclass(frozen=True)
class Citation:
    """An exact span of a stored document, cited as [n]."""

    n: int
    source: str
    title: str
    publisher: str
    date: str
    page: int | None
    section: str
    start: int
    end: int
    quote: str
    doc_id: str = ""
    locator: str = ""  # where in a transcript: "at 00:41:07" or "Q112" (its page numbers)
    fragment: bool = False  # a line of one column where two were merged line by line (cite.Sentence.fragment)

    @property
    def shown(self) -> str:
        """The quote as a reader sees it: a fragment marked as one (as_fragment)."""
        return as_fragment(self.quote) if self.fragment else self.quote

    @property
    def place(self) -> str:
        """Where to find the quote, as a reader cites it: "at 00:41:07", "Q112", "slide 3", "p. 12", "p. 4, para 12",
        "para 3.2" (no pages), or ""."""
        return place(self.locator, self.page)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "page": self.page,
            "locator": self.place,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "fragment": self.fragment,
        }


def as_fragment(text: str) -> str:
    """A fragment of one column's line reads as one: "…was placed in tier one escalation by NHS…". It may begin
    mid-sentence even when capitalised ("England for ..."), so it always opens with an ellipsis, and closes with one
    unless it ends a sentence."""
    from ingest.columns import ends_sentence

    return "…" + text + ("" if ends_sentence(text) else "…")


@dataclass
class AnswerSentence:
    text: str
    citations: list[int]
    supported: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported}


@dataclass
class Answer:
    """What assistant.ask() returns; to_json() is the CLI/eval contract."""

    question: str
    answer: str
    abstained: bool
    sentences: list[AnswerSentence]
    citations: list[Citation]
    passages: list[Passage]
    timings_ms: dict[str, float]
    id: str | None = None
    resolved_question: str | None = None  # the standalone question used for retrieval (follow-ups)
    mode: str = "extractive"
    closest: list[Citation] = field(default_factory=list)  # closest evidence offered when abstaining
    checks: dict[str, Any] = field(default_factory=dict)  # each decline check's finding; any set declines, but a caveat (declining.CAVEATS) qualifies the answer
    withheld: Any = None  # a declined answer's would-be Draft (Assistant(explain=True) only)
    doubt: tuple[float, ...] = ()  # what the decline model read (declining.DOUBT_FEATURES); not in to_json

    def to_json(self) -> dict[str, Any]:
        withheld = None
        if self.withheld is not None:
            withheld = {
                "answer": self.withheld.answer,
                "sentences": [s.to_json() for s in self.withheld.sentences],
                "citations": [c.to_json() for c in self.withheld.citations],
            }
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentences": [s.to_json() for s in self.sentences],
            "citations": [c.to_json() for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "resolved_question": self.resolved_question,
            "mode": self.mode,
            "closest": [c.to_json() for c in self.closest],
            "checks": self.checks,
            **({"withheld": withheld} if withheld else {}),
        }
