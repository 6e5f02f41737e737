"""Evidence spans and citations: sentence spans of stored documents, [n] numbering, marker parsing, verification.

Every citation is an exact span of a stored document: `quote == Index.text(source)[start:end]`.
Answers cite sentence spans (not whole chunks), numbered in order of first use.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assistant.glossary import MONTH_NAMES
from assistant.retrieve import content_stems
from assistant.types import Citation, DocumentInfo, PageSpan
from ingest.columns import ABBREVIATIONS as _ABBREVIATIONS  # "e.g." or "Rt Hon." must not end a sentence
from ingest.markdown import CELL_SEPARATOR

LEXICAL_SUPPORT = 0.6  # share of a sentence's content words found in its cited text to count as supported
SEMANTIC_SUPPORT = 0.72  # cosine between a sentence and its best cited sentence to count as supported
MIN_SENTENCE_WORDS = 5  # shorter lines are headings or scraps, not evidence
# Bump when split_sentences' rules change, so stored sentence banks are split again (sentences.FINGERPRINT)
# (2: references and note numbers; 3: a compound written twice with a Unicode hyphen marks no merged columns;
# 4: a line of one column, where two were merged line by line, is a fragment and evidence; 5: a run with one
# impossible junction is merged where the document merges columns elsewhere; 6: not after an abbreviation or a heading;
# 7: a table's row is one unit, evidence unless it is the table's first (header) row; 8: a row's vector and context
# take in its header row; 9: no list item or heading is a row, a one-cell line inside a table is one; 10: a row
# stored with an empty first cell keeps its leading "| ").
SPLIT_VERSION = "10"

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9£])")
LIST_MARKER = re.compile(r"^\s*(?:[-*•▪◦‣–]\s+|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]\s+)+")
_MARKER = re.compile(r"\[([^\[\]]{1,20})\]")
_FIGURE = re.compile(
    r"£?\d+(?:[.,]\d+)*(?:\s*[/–-]\s*\d+)?(?:\s?(?:bn|billion|m|million|k|%|per\s?cent))?", re.IGNORECASE
)
# A month named as a date: capitalised, and "May" only next to a day or year ("may" and "march" are verbs too).
_MONTH_NAMES = "|".join(MONTH_NAMES)
_MONTH = re.compile(r"\b(?:" + _MONTH_NAMES.replace("May|", "") + r")\b|\bMay(?=\s+\d)|(?<=\d\s)May\b")

# A bibliographic reference names where evidence is; it is no evidence itself, and is never quoted: a note numbered
# and written "Source, Title, [[day] Month] Year" (a Commons Library briefing's footnotes, often glued to the text
# after them by extraction; a year followed by a comma or a dash is a date inside a sentence), or a journal
# reference's volume and pages ("2017;27:477-89"), a DOI, "accessed 12 Feb 2024", "Available at: https://...".
_REFERENCE = re.compile(
    r"^\d{1,3}\s+[A-Z][^,.]{1,80}(?:,\s[^,]{2,160}){1,4},\s(?:\d{1,2}\s)?(?:(?:" + _MONTH_NAMES + r")\s)?(?:19|20)\d\d\b(?![,/–-])"
    r"|\b(?:19|20)\d\d;\d+(?:\(\d+\))?:[eE]?\d+"
    r"|\bdoi\s?:|\bdoi\.org/|\b[Aa]ccessed\s(?:on\s)?\d{1,2}\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|\bAvailable (?:at|from)\s?:?\s?https?://"
)

# A footnote's or paragraph's number before a sentence ("... poor productivity. 49 However, the IFS demonstrated ..."):
# no part of what is said, and read as a figure if quoted. One of these words after it says it counts nothing; any
# other word may be what it counts ("42 ICBs", "12 May 2024", "3 A levels"), and "1 In 5" is a proportion.
_NOTE_NUMBER = re.compile(r"(\d{1,3})\s+(?!In\s+\d{1,3}\b)([A-Z][a-z]*)(?=[\s,])")
_NOTE_LEAD_WORDS = frozenset(
    """the an this these those that it its there they their we our he she his her however in as at on for from by
    with while whilst although though but and between following during after before since when where which who what
    why how if despite further furthermore moreover overall also such other""".split()
)


def _after_note_number(text: str, start: int, end: int) -> int:
    """Where a sentence at text[start:end] begins once a footnote's or paragraph's number before it is left out."""
    note = _NOTE_NUMBER.match(text, start, end)
    if note and note.group(2).lower() in _NOTE_LEAD_WORDS:
        return note.start(2)
    return start


def is_reference(text: str) -> bool:
    """A sentence that is a bibliographic reference (see _REFERENCE), not evidence."""
    return bool(_REFERENCE.search(text))


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a bullet, or a one-line item) of a stored document: text == doc_text[start:end]."""

    doc_id: str
    start: int
    end: int
    text: str
    block: int  # index of the line it is on (adjacent blocks are neighbouring lines/bullets)
    heading: bool = False  # not evidence: a title line, or text another extractor merged across two columns
    lead_in: bool = False  # ends with ":" (introduces the following lines)
    item: bool = False  # on a list-item line ("- ...", "a. ...")
    fragment: bool = False  # part of one column's line where two columns were merged line by line: quoted as a fragment
    row: bool = False  # a table's row, cells joined by " | " (its first, header row is no evidence: a lead-in naming the columns)


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    """Sentences of a document with exact offsets; list markers are left out of the spans. In text merged line by
    line across two columns (ingest.columns) a sentence read across lines is never quoted: it reads as nonsense. What
    lies on one line holding one column's text (ingest.columns.column_lines) is a fragment, evidence with
    MIN_SENTENCE_WORDS words though it needs no full stop (the answer marks it as a fragment). A bibliographic
    reference (is_reference) is never quoted."""
    from ingest.columns import merged_and_column_lines

    merged, lines = merged_and_column_lines(text)
    merged_starts = [a for a, _ in merged]
    one_column = {start for start, _ in lines}  # the starts of lines holding one column's text
    out: list[Sentence] = []
    all_lines = list(re.finditer(r"[^\n]+", text))
    rows = _table_rows(text, all_lines)
    for block, line in enumerate(all_lines):
        line_start = line.start()
        body = line.group(0)
        if (row := rows.get(block)) is not None:
            (start, end), header = row
            if end > start:
                unit = text[line_start + start : line_start + end]
                out.append(Sentence(doc_id, line_start + start, line_start + end, unit, block, header or not _row_is_evidence(unit), header, row=True))
            continue
        marker = LIST_MARKER.match(body)
        offset = marker.end() if marker else 0
        for start, end in _sentence_bounds(body, offset):
            piece = body[start:end]
            # markdown emphasis/heading marks are not part of what was said
            lead, trail = len(piece) - len(piece.lstrip("#*_ \t")), len(piece.rstrip("*_ \t"))
            s, e = line_start + start + lead, line_start + start + trail
            if e <= s:
                continue
            at = bisect.bisect_right(merged_starts, e) - 1  # the last merged span starting before the sentence ends
            in_merged = at >= 0 and merged[at][1] > s  # nor does it introduce a list: its ":" may be the other column's
            reference = is_reference(text[s:e])  # a reference says where evidence is, not what it says
            s = s if reference else _after_note_number(text, s, e)
            sentence_text = text[s:e]
            n_words = len(sentence_text.split())
            fragment = in_merged and line_start in one_column
            unfinished = marker is None and not fragment and not re.search(r"[.!?:;)”\"']$", sentence_text) and n_words < 14
            heading = n_words < MIN_SENTENCE_WORDS or unfinished
            heading = heading or sentence_text.endswith("?") or reference  # a document's questions and references: never answers
            lead_in = sentence_text.endswith(":") and not in_merged
            usable = not heading and (fragment or not in_merged)
            out.append(Sentence(doc_id, s, e, sentence_text, block, not usable, lead_in, marker is not None, fragment and usable))
    return out


_RULE_CELL = re.compile(r"^:?-{2,}:?$")  # a markdown table's |---|:--:| line
_NOT_A_ROW = re.compile(r"^\s*#")  # a heading line, even one holding a pipe
_BRACKETED = re.compile(r"\[[^\]]*\]")  # "[Note 3]" and the like: marks, no label (cleaning drops "[cite: 447]")
MAX_LABEL_CELL_WORDS = 8  # a one-cell line inside a table ("Medical") is this short, with no sentence end


def _cells(unit: str) -> list[str]:
    """The non-empty cells of a row's text ("a | b |" or "| a | b |")."""
    return [c.strip() for c in unit.strip().strip("|").split("|") if c.strip()]


def table_row(line: str) -> tuple[int, int] | None:
    """[start, end) of a table row's cells within the line (a text file's outer pipes and spaces left out), None for
    any other line; a markdown rule line (|---|---|) gives an empty span. Stored markdown writes a row as its cells joined by
    " | ", an empty cell keeping its place (ingest.markdown.row_text: "| Burnout | Q12a" has an empty first cell); a
    text file may keep the outer pipes ("| a | b |"). A list item or a heading holding a pipe is no row."""
    stripped = line.strip()
    if LIST_MARKER.match(line) or _NOT_A_ROW.match(line):
        return None
    inner = stripped.strip("|").strip()
    piped = stripped.startswith("|") and stripped.endswith("|") and inner.count("|") >= 1
    if CELL_SEPARATOR not in line and not piped:
        return None
    if not piped:  # stored as ingest writes it: a leading "| " is an empty first cell, kept so the cells line up
        inner = stripped.rstrip("|").rstrip()  # a text file's trailing pipe is no cell
    start = line.index(inner) if inner else 0
    if all(_RULE_CELL.match(c) for c in _cells(inner)):  # no cell, or only rules
        return start, start
    return start, start + len(inner)


def _table_rows(text: str, lines: Sequence[re.Match[str]]) -> dict[int, tuple[tuple[int, int], bool]]:
    """Line number -> (its cells' span, whether it is its table's first row), for the lines of tables: row-shaped
    lines (table_row) with a row-shaped line next to them, so a lone "Annual Report | 2024" footer or a pipe in prose
    is no table; and a one-cell line between two rows of one table ("Medical", a row whose other cells were empty:
    ingest.markdown.row_text drops empty cells after the last filled one), which is a row of no evidence. A table is
    lines with no blank line between; its first row with cells is its header."""
    shaped = {i: cells for i, line in enumerate(lines) if (cells := table_row(line.group(0))) is not None}

    def joined(i: int) -> bool:  # line i follows line i - 1 with no blank line between
        return i > 0 and "\n\n" not in text[lines[i - 1].end() : lines[i].start()]

    for i in range(1, len(lines) - 1):  # a one-cell line between two row-shaped ones: a label, not a sentence
        line = lines[i].group(0)
        label = len(line.split()) <= MAX_LABEL_CELL_WORDS and not re.search(r"[.!?:;]$", line.rstrip())
        if label and i not in shaped and i - 1 in shaped and i + 1 in shaped and joined(i) and joined(i + 1):
            shaped[i] = (len(line) - len(line.lstrip()), len(line.rstrip()))
    rows = {i: c for i, c in shaped.items() if (i - 1 in shaped and joined(i)) or (i + 1 in shaped and joined(i + 1))}
    out: dict[int, tuple[tuple[int, int], bool]] = {}
    headed = False
    for i in sorted(rows):
        if i - 1 not in rows or not joined(i):
            headed = False  # a new table
        span = rows[i]
        out[i] = (span, not headed and span[1] > span[0])
        headed = headed or span[1] > span[0]
    return out


MAX_TABLE_WALK = 200  # rows walked back from a row to find its table's header row; a row further down has none


def header_row(sentences: Sequence[Sentence], i: int) -> int | None:
    """The position of the first (header) row of the table whose body row is sentence i, None for any other
    sentence: the header names the table's columns ("Sub-score (0-10) | Compassionate culture | ..."). An empty cell
    keeps its place in a stored row, so a row's cells line up with the header's (documents stored before
    ingest.pipeline.PIPELINE_VERSION 8 dropped empty cells)."""
    if not sentences[i].row or sentences[i].lead_in:
        return None
    j = i
    while j > 0 and i - j < MAX_TABLE_WALK and sentences[j - 1].row:
        j -= 1  # over the rows above: each table's first row is its header, so the walk stops in its own table
        if sentences[j].lead_in:
            return j
    return None


def _row_is_evidence(unit: str) -> bool:
    """A row says something when it has two cells or more, one of them a label (a word of 3 letters or more, an
    extractor's bracketed marks aside), and 3 words in all: "2024 Response Rate | 60%"; not "2023 | 3,400"."""
    cells = _cells(unit)
    label = any(re.search(r"[A-Za-z]{3}", _BRACKETED.sub("", c)) for c in cells)
    return len(cells) >= 2 and label and len(" ".join(cells).split()) >= 3


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
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)(?:\s+(?:in|out of)\s+(?:two|three|four|five|six|seven|eight|nine|ten|hundred))?|half|halves|"
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

    def add(
        self, doc: DocumentInfo, start: int, end: int, quote: str, section: str = "", page: int | None = None, locator: str = "",
        fragment: bool = False,
    ) -> int:  # fmt: skip
        key = (doc.doc_id, start, end)
        if key not in self._by_span:
            self._by_span[key] = Citation(
                n=len(self._by_span) + 1, source=doc.source, title=doc.title, publisher=doc.publisher, date=doc.date,
                page=page, section=section, start=start, end=end, quote=quote, doc_id=doc.doc_id, locator=locator,
                fragment=fragment,
            )
        return self._by_span[key].n

    def citations(self) -> list[Citation]:
        return sorted(self._by_span.values(), key=lambda c: c.n)


def quote_matches(citation: Citation, document_text: str) -> bool:
    """True when the citation's quote is exactly the stored text at its offsets."""
    return 0 <= citation.start < citation.end <= len(document_text) and document_text[citation.start : citation.end] == citation.quote
