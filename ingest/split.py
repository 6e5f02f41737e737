"""Structure-aware splitting of cleaned text into exact, model-sized spans with a heading path.

LangChain's splitters were considered: they find offsets by searching for the chunk text again and
cannot keep a lead-in line ("One ICB chair says:") with its quote or nest bare-line headings, so the
packing here is our own; it only ever cuts at offsets it computed, so text[start:end] is exact.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.types import ChunkSpan, PageSpan

TokenCounter = Callable[[str], int]
SpanTokens = Callable[[int, int], int]  # word pieces of pieces[i:j] with what lies between them

MAX_LABEL_WORDS = 20  # a heading longer than this (002's inline questions) is shortened in the path
MAX_TITLE_TOKENS = 32  # embedding_text keeps the title within this, so it fits max_tokens + ~40
BARE_HEADING_MAX_WORDS = 12

# Boundary strength after a piece: where a chunk may end, strongest first.
PARAGRAPH, SENTENCE, CLAUSE, WORD, KEEP = 4, 3, 2, 1, 0
PARAGRAPH_MIN_FILL = 0.5  # end at a paragraph only if the chunk is at least this full

# Section names that always start a top-level section, whatever heading style carries them.
DOCUMENT_LEVEL = re.compile(
    r"^(?:introduction|(?:executive )?summary|key (?:points|messages|findings)|methodology|background|context"
    r"|conclusions?(?: and next steps)?|about\b.*|references|footnotes|notes|appendix\b.*|acknowledgements"
    r"|contents|glossary)$",
    re.IGNORECASE,
)
_MD = re.compile(r"^(#{1,6})[ ]+(.*?)[ ]*#*$")
_BOLD = re.compile(r"^(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1$")
_QUESTION = re.compile(r"^Question[ ]+\d{1,3}[ ]*[:.]", re.IGNORECASE)
_SLASH_NUMBER = re.compile(r"^\d{1,2}/[ ]")
_ROMAN = re.compile(r"^\(?[ivx]{1,5}\)[ ]+\S")
_NUMBERED_TITLE = re.compile(r"^\d{1,2}\.(?:\d{1,2}\.?)*[ ]+[A-Z]")
_ITEM_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of a list's item (not a figure or a dash)
MIN_ITEM_WORDS = 2  # ... an item holding this many words is content of its own
_LIST_ITEM = re.compile(r"^(?:[-*•▪◦‣–][ ]|\(?[a-z0-9]{1,3}[.)][ ])")
_DATE_LINE = re.compile(
    r"^(?:\d{1,2}[ ]+)?(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"[ ]+\d{4}$",
    re.IGNORECASE,
)
_PARA_NUMBER = re.compile(r"^[ ]*(?:[-*•][ ]+)?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{1,5})\.$")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|cf|vs|al|Dr|Mr|Mrs|Ms|Prof|No|Nos|St|Fig|p|pp|para|paras|Vol|ed|eds|approx|Ltd|Inc|Co|Rt|Hon)"
    r"|\b[A-Z])$"
)
_SENTENCE_END = re.compile(r"[.!?…][’”\"')\]]*(?=[ ]+[‘“\"'(\[]?[A-Z0-9])")
_WHITESPACE = re.compile(r"[ \t\n]+")  # what BERT's pre-tokeniser splits at (and Python's too)
_CLAUSE_END = re.compile(r"[,;:](?=[ ])|(?<=\S)(?=[ ][–—][ ])")
_STOPWORDS = frozenset(
    "about after also among and between both from have into more over such than that their them then there "
    "these they this those through under what when where which while with within without your".split()
)


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str
    blank_before: bool  # a blank line (or the document start) precedes it


@dataclass(frozen=True)
class _Heading:
    line: int  # index into the line list
    rank: int  # smaller = closer to the document root
    label: str
    bare: bool  # a plain short line (or bold-only line) whose depth is inferred, not marked up


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    brk: int  # strength of the boundary after this piece
    sentence_start: bool
    heading: bool = False


def split(
    text: str,
    pages: Sequence[PageSpan] = (),
    *,
    max_tokens: int = 200,
    overlap_tokens: int = 30,
    count_tokens: TokenCounter | None = None,
) -> list[ChunkSpan]:
    """Split cleaned text into chunks that keep headings' structure and fit max_tokens with their section."""
    if count_tokens is None:
        count_tokens = model_token_counter()
    count_tokens = _Remembered(count_tokens)
    lines = _lines(text)
    chunks: list[ChunkSpan] = []
    for path, members, bound in _sections(lines, _headings(lines)):
        section = _fit_section(path, count_tokens, max_tokens)
        budget = max(1, max_tokens - count_tokens(section))
        pieces = _pieces(text, [lines[i] for i in members], {lines[i] for i in bound}, budget, count_tokens)
        for start, end in _pack(pieces, budget, overlap_tokens, _span_tokens(text, pieces, count_tokens)):
            page_start, page_end = _page(pages, start), _page(pages, end - 1)
            chunks.append(ChunkSpan(start, end, section, page_start, page_end))
    return chunks


def embedding_text(
    chunk_text: str,
    section: str,
    title: str,
    *,
    count_tokens: TokenCounter | None = None,
) -> str:
    """The text actually embedded: "title — section" on the first line, then the chunk.

    The title is cut to MAX_TITLE_TOKENS word pieces so that a chunk sized by split() (chunk + section
    within max_tokens) stays within max_tokens + ~40 here.
    """
    title = " ".join(title.split())
    if title:
        if count_tokens is None:
            count_tokens = model_token_counter()
        if count_tokens(title) > MAX_TITLE_TOKENS:
            words = title.split()
            while len(words) > 1 and count_tokens(" ".join(words) + "…") > MAX_TITLE_TOKENS:
                words.pop()
            title = " ".join(words) + "…"
    head = " — ".join(part for part in (title, section) if part)
    return f"{head}\n{chunk_text}" if head else chunk_text


# --- counting word pieces -----------------------------------------------------------------------


class ModelTokenCounter:
    """The embedding model's own word pieces, counted without loading its weights; `many` counts a batch in one call.

    `additive`: with BERT's normaliser and pre-tokeniser (the packaged model's) no word piece spans whitespace, so the
    count of "A B" is the count of "A" plus that of "B"; split() then counts each piece once instead of each span.
    """

    def __init__(self, tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer, normalizers, pre_tokenizers

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.additive = isinstance(self.tokenizer.normalizer, normalizers.BertNormalizer | None) and isinstance(
            self.tokenizer.pre_tokenizer, pre_tokenizers.BertPreTokenizer
        )

    def __call__(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def many(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]


@lru_cache(maxsize=4)
def model_token_counter(name: str = "") -> ModelTokenCounter:
    """The counter of a model (packaged name or folder; the default model when empty), loaded once per process."""
    from assistant.embed import DEFAULT_EMBED_MODEL, model_path

    return ModelTokenCounter(model_path(name or DEFAULT_EMBED_MODEL) / "tokenizer.json")


class _Remembered:
    """A counter remembering each text's count for one split(), where section paths recur and spans are re-measured
    (keeps `additive` and `many` of the counter it wraps)."""

    def __init__(self, count_tokens: TokenCounter) -> None:
        self.count_tokens, self.seen = count_tokens, dict[str, int]()
        self.additive = getattr(count_tokens, "additive", False)

    def __call__(self, text: str) -> int:
        if text not in self.seen:
            self.seen[text] = self.count_tokens(text)
        return self.seen[text]

    def many(self, texts: list[str]) -> list[int]:
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            many = getattr(self.count_tokens, "many", None)
            self.seen.update(zip(new, many(new) if many else map(self.count_tokens, new), strict=True))
        return [self.seen[t] for t in texts]


def _span_tokens(text: str, pieces: list[_Piece], count_tokens: TokenCounter) -> SpanTokens:
    """tokens(i, j): the word pieces of text from pieces[i] to pieces[j - 1]. With an additive counter, and only
    whitespace between the pieces (as _pieces makes them), a sum of each piece's count; else the span counted."""
    gaps_blank = all(_WHITESPACE.fullmatch(text, a.end, b.start) for a, b in itertools.pairwise(pieces))
    if getattr(count_tokens, "additive", False) and gaps_blank:
        counts = count_tokens.many([text[p.start : p.end] for p in pieces])
        prefix = list(itertools.accumulate(counts, initial=0))
        return lambda i, j: prefix[j] - prefix[i]
    return lambda i, j: count_tokens(text[pieces[i].start : pieces[j - 1].end])


# --- lines and headings -------------------------------------------------------------------------


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with their stripped [start, end) offsets."""
    lines: list[_Line] = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group(0)
        stripped = raw.strip()
        if stripped:
            start = match.start() + (len(raw) - len(raw.lstrip()))
            blank_before = not lines or "\n\n" in text[lines[-1].end : start].replace(" ", "")
            lines.append(_Line(start, start + len(stripped), stripped, blank_before))
    return lines


def _heading_core(line: str) -> tuple[str, bool, bool]:
    """The line without markdown/bold wrappers, and whether it had each kind of markup."""
    core, markdown, bold = line, False, False
    if match := _MD.match(core):
        core, markdown = match.group(2), True
    if match := _BOLD.match(core):
        core, bold = match.group(2).strip(), True
    return core.strip(" *_"), markdown, bold


def _classify(lines: list[_Line], i: int, after_heading: bool) -> tuple[int, bool] | None:
    """(rank, bare) if line i is a heading, else None."""
    if i == len(lines) - 1:
        return None
    core, markdown, bold = _heading_core(lines[i].text)
    if not core:
        return None
    words = core.split()
    ends = core[-1]
    if _QUESTION.match(core) or (_SLASH_NUMBER.match(core) and (markdown or bold)):
        return 1, False
    if _ROMAN.match(core) and len(words) <= MAX_LABEL_WORDS and ends not in ".,;":
        return 2, False
    if _NUMBERED_TITLE.match(core) and len(words) <= 14 and ends not in ".,;:":
        return 1, False
    if _LIST_ITEM.match(core):
        return None
    if DOCUMENT_LEVEL.match(core) and ends not in ".,;:":
        return 3, False  # top level, but not a parent: the next plain heading is its sibling
    if markdown:
        return 1, False  # markdown depth is unreliable in extractions (000 mixes ##/### for peers)
    if bold and len(words) <= 40 and ends != ".":
        return 3, True
    if _is_bare_heading(lines, i, core, words, after_heading):
        return 3, True
    return None


def _is_bare_heading(lines: list[_Line], i: int, core: str, words: list[str], after_heading: bool) -> bool:
    """A short stand-alone line without final punctuation that opens what follows (e.g. 004's headings)."""
    if not (1 <= len(words) <= BARE_HEADING_MAX_WORDS and len(core) <= 100):
        return False
    if not core[0].isupper() or not any(c.islower() for c in core):
        return False
    if core[-1] in ".,;:!" or (core[-1] == "?" and len(words) > 10):
        return False
    if _DATE_LINE.match(core) or "@" in core or "www." in core or "://" in core:
        return False
    if lines[i + 1].text[0].islower():
        return False
    # 004 has no blank lines: there a heading follows a finished sentence or another heading.
    return lines[i].blank_before or after_heading or lines[i - 1].text[-1] in ".!?:\"”’)"


def _label(core: str) -> str:
    """A heading's name in the section path: its first sentence, at most MAX_LABEL_WORDS words."""
    core = " ".join(core.split())
    ends = (m.start() for m in re.finditer(r"(?<=[.?!])[ ]+(?=\S)", core) if not _PARA_NUMBER.match(core[: m.start()]))
    first = core[: next(ends, len(core))]
    words = first.split()
    return first if len(words) <= MAX_LABEL_WORDS else " ".join(words[:MAX_LABEL_WORDS]) + "…"


def _content_words(label: str) -> set[str]:
    """Lower-case content words (crudely singular) for "does this heading continue its parent's topic?"."""
    words = {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]{4,}", label)}
    return {w for w in words if w not in _STOPWORDS}


def _headings(lines: list[_Line]) -> list[_Heading]:
    """Detect headings and give each a rank; bare headings get their depth from their neighbours."""
    found: list[_Heading] = []
    after_heading = False
    for i in range(len(lines)):
        kind = _classify(lines, i, after_heading)
        after_heading = kind is not None
        if kind:
            core = _heading_core(lines[i].text)[0]
            found.append(_Heading(i, kind[0], _label(core), kind[1]))
    # A bare heading directly followed by another heading is that heading's parent ("Developing new
    # forms of accountability" > "Accountability within the NHS"; 002's "Data and transparency" >
    # "Question 8"), unless the next one is a document-level section (then the first is a title).
    for k in range(len(found) - 2, -1, -1):
        here, after = found[k], found[k + 1]
        if here.bare and after.line == here.line + 1 and not DOCUMENT_LEVEL.match(after.label):
            found[k] = _Heading(here.line, min(here.rank, after.rank - 1), here.label, here.bare)
    return found


def _is_short_line(line: _Line) -> bool:
    """A line too slight to stand as a chunk: a heading, a date, a reference number, an author list. A list's item of
    words is what its section says, however short (a slide's bullets); a "- 204" or a "– Associate Non-" is not."""
    if len(line.text.split()) > BARE_HEADING_MAX_WORDS or line.text[-1] in ".!?":
        return False
    said = line.text.lstrip()
    item = _LIST_ITEM.match(said)
    return not (item and len(_ITEM_WORD.findall(said, item.end())) >= MIN_ITEM_WORDS)


def _sections(lines: list[_Line], headings: list[_Heading]) -> list[tuple[list[str], list[int], list[int]]]:
    """(heading path, member line indices, bound line indices) per section, in document order.

    A section holding only short lines (a title page, a parent heading) is carried into the next
    section and bound to it, so no chunk is a lone heading; headings are bound to what follows them.
    """
    by_line = {h.line: h for h in headings}
    stack: list[tuple[_Heading, bool]] = []  # (heading, promoted parent of a bare run)
    sections: list[tuple[list[str], list[int], list[int]]] = []
    path: list[str] = []
    members: list[int] = []
    bound: list[int] = []
    for i in range(len(lines)):
        heading = by_line.get(i)
        if heading is None:
            members.append(i)
            continue
        carried: list[int] = []
        if all(m in by_line or _is_short_line(lines[m]) for m in members):
            carried = members
        else:
            sections.append((path, members, bound))
        while stack and (stack[-1][0].rank >= heading.rank or DOCUMENT_LEVEL.match(heading.label)):
            stack.pop()
        if heading.bare and stack and stack[-1][1] and stack[-1][0].line != i - 1:
            # A later bare heading stays under a promoted bare parent only if it continues its topic
            # ("Accountability with local government" under "Developing new forms of accountability").
            if not _content_words(heading.label) & _content_words(stack[-1][0].label):
                stack.pop()
        promoted = heading.bare and heading.rank < 3
        stack.append((heading, promoted))
        path = [h.label for h, _ in stack]
        members = carried + [i]
        bound = list(members)
    if members:
        sections.append((path, members, bound))
    return sections


def _fit_section(path: list[str], count_tokens: TokenCounter, max_tokens: int) -> str:
    """Join the path; drop outer levels if it would take more than a third of the chunk budget."""
    size = _path_tokens(path, count_tokens)
    while len(path) > 1 and size(path) > max_tokens // 3:
        path = path[1:]
    return " > ".join(path)


def _path_tokens(path: list[str], count_tokens: TokenCounter) -> Callable[[list[str]], int]:
    """The word pieces of a path joined with " > ": with an additive counter its labels' counts (each counted once,
    paths run 50 levels deep in some annual reports) plus the separators'; else the joined path counted."""
    if not getattr(count_tokens, "additive", False):
        return lambda labels: count_tokens(" > ".join(labels))
    sizes = dict(zip(path, count_tokens.many(path), strict=True))
    separator = count_tokens(">")
    return lambda labels: sum(sizes[label] for label in labels) + separator * (len(labels) - 1)


# --- pieces: sentences, clauses, words ----------------------------------------------------------


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence [start, end) offsets within one line; abbreviations, initials, decimals and
    paragraph numbers ("1.", "a.") do not end a sentence."""
    spans = []
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[begin : match.start()]
        if _ABBREVIATION.search(before) or _PARA_NUMBER.match(text[begin : match.end()]):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
        while begin < end and text[begin] == " ":
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return spans


def _sub_spans(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Split [start, end) after each match of pattern (clause punctuation or spaces)."""
    spans = []
    begin = start
    for match in pattern.finditer(text, start, end):
        cut = match.end()
        if begin < cut < end:
            stripped_end = cut
            while stripped_end > begin and text[stripped_end - 1] == " ":
                stripped_end -= 1
            spans.append((begin, stripped_end))
            begin = cut
            while begin < end and text[begin] == " ":
                begin += 1
    if begin < end:
        spans.append((begin, end))
    return [(a, b) for a, b in spans if b > a]


def _split_long(
    text: str, start: int, end: int, budget: int, count_tokens: TokenCounter, level: int
) -> list[tuple[int, int, int]]:
    """Break an over-long sentence at clauses, then words: [(start, end, boundary after)]."""
    if level < WORD or count_tokens(text[start:end]) <= budget:
        return [(start, end, level + 1)]
    pattern = _CLAUSE_END if level == CLAUSE else re.compile(r"[ ]+")
    spans = _sub_spans(text, start, end, pattern)
    if len(spans) == 1:
        return _split_long(text, start, end, budget, count_tokens, level - 1)
    out: list[tuple[int, int, int]] = []
    for a, b in spans:
        out.extend(_split_long(text, a, b, budget, count_tokens, level - 1) if count_tokens(text[a:b]) > budget
                   else [(a, b, level)])
    return out


def _pieces(
    text: str, lines: list[_Line], bound: set[_Line], budget: int, count_tokens: _Remembered
) -> list[_Piece]:
    """A section's lines as sentence pieces, each with the strength of the boundary after it.

    Bound lines (headings, title lines) and a lead-in line ending in ":" (e.g. "One ICB chair says:")
    are kept with what follows.
    """
    pieces: list[_Piece] = []
    sentences_of = {line: _sentence_spans(text, line.start, line.end) for line in lines if line not in bound}
    count_tokens.many([text[a:b] for spans in sentences_of.values() for a, b in spans])  # _split_long finds them counted
    for n, line in enumerate(lines):
        last_line = n == len(lines) - 1
        if line in bound:
            pieces.append(_Piece(line.start, line.end, PARAGRAPH if last_line else KEEP, True, heading=True))
            continue
        line_end = KEEP if line.text.endswith(":") and not last_line else PARAGRAPH
        sentences = sentences_of[line]
        for s, (a, b) in enumerate(sentences):
            after = line_end if s == len(sentences) - 1 else SENTENCE
            parts = _split_long(text, a, b, budget, count_tokens, CLAUSE)
            for p, (pa, pb, brk) in enumerate(parts):
                pieces.append(_Piece(pa, pb, after if p == len(parts) - 1 else brk, p == 0))
    return pieces


# --- packing ------------------------------------------------------------------------------------


def _pack(pieces: list[_Piece], budget: int, overlap: int, tokens: SpanTokens) -> list[tuple[int, int]]:
    """Greedily fill chunks with pieces, end each at the best boundary, start the next with overlap."""
    chunks: list[tuple[int, int]] = []
    first, new = 0, 0  # the chunk starts at `first`; pieces from `new` on are not in any chunk yet
    while new < len(pieces):
        while first < new and tokens(first, new + 1) > budget:
            first = next((k for k in range(first + 1, new) if pieces[k].sentence_start), new)
        end = new + 1
        while end < len(pieces) and tokens(first, end + 1) <= budget:
            end += 1
        cut = end if end == len(pieces) else _choose_cut(pieces, first, new, end, budget, tokens)
        chunks.append((pieces[first].start, pieces[cut - 1].end))
        next_first = _overlap_start(pieces, first, cut, overlap, tokens)
        first, new = next_first, cut
    return chunks


def _choose_cut(pieces: list[_Piece], first: int, new: int, end: int, budget: int, tokens: SpanTokens) -> int:
    """Where to end the chunk [first, end): a full paragraph if the chunk is at least half full, else the
    last sentence, clause or word boundary; a bound pair (heading, lead-in) only as a last resort."""
    candidates = range(end, new, -1)  # chunk = pieces[first:k]; k > new keeps at least one new piece
    for k in candidates:
        if pieces[k - 1].brk == PARAGRAPH:
            if tokens(first, k) >= PARAGRAPH_MIN_FILL * budget:
                return k
            break
    for level in (SENTENCE, CLAUSE, WORD):
        for k in candidates:
            if pieces[k - 1].brk >= level:
                return k
    return end


def _overlap_start(pieces: list[_Piece], first: int, cut: int, overlap: int, tokens: SpanTokens) -> int:
    """First piece of the next chunk: whole sentences from the end of this one, about `overlap` tokens."""
    if overlap <= 0 or cut >= len(pieces):
        return cut
    best = cut
    for k in range(cut - 1, first - 1, -1):
        if pieces[k].heading:
            break
        if not pieces[k].sentence_start:
            continue
        size = tokens(k, cut)
        if size <= overlap or (best == cut and size <= 1.5 * overlap):
            best = k
        if size > overlap:
            break
    return best


def _page(pages: Sequence[PageSpan], offset: int) -> int | None:
    """The page holding character `offset`, if a page map was given."""
    if not pages:
        return None
    i = bisect.bisect_right([p.start for p in pages], offset) - 1
    return pages[max(i, 0)].page
