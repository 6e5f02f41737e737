"""Numbered paragraphs as locators: a quote from paragraph 12 of a committee report or a written submission is cited
"p. 4, para 12", as an officer cites it in a briefing.

Reports, evidence and guidance number their paragraphs ("12. Trust leaders told us ...", "3.2 The ICB should ...").
The splitter leaves a lone "12." out of the quoted span as a list marker, and a reader cannot see "3.2" as a place, so
each numbered paragraph becomes a locator over its own span, as a transcript's question numbers do ("Q112").

A wrong "para N" is worse than none, so every rule leans to locating less:
- *A numbered line* opens a line, unindented, with a number of one to four parts ("12.", "3.2", "3.2.1"; a number of
  one part only with its full stop, as a lone "12" opening a line is a footnote's or a page's as often) and then a
  capital, an opening quote or bracket, or a count ("21. 2 key enablers"), not a month ("31 March" is a date). A
  table's row and a contents line (dot leaders) are not numbered lines.
- *A numbering* is a run of at least MIN_NUMBERED numbered lines, each counting on from the one before as one
  numbering does ("2.3" -> "2.4", "3", "3.1" or "2.3.1"), each within MAX_GAP characters of the one before: a run
  does not chain across unrelated numbers far apart. A line joins the most recent run still expecting its number, so
  a list inside paragraph 2 does not take paragraph 3. A number of four digits only continues a run (a year opens
  none).
- *Not a numbering of paragraphs*: a run introduced by a line ending in ":" ("We recommend:"); a run under a heading
  naming notes or references ("Footnotes", where ingest stores a .docx's notes; "References"), or most of whose
  entries read as references (an address, a DOI, "Accessed", "et al", "Smith PC,"); a run whose paragraphs hold less
  than MIN_SHARE of the document's text (a numbered list of recommendations in a report that does not number its
  paragraphs, a board pack's one numbered paper among many). Numbered lines restarting at 1 between two paragraphs
  of a run, counting on there, are a list inside the earlier paragraph, and part of its span.
- *A paragraph's span* ends at the end of its own paragraph: at the next line that looks numbered at all ("4. 42
  ICBs ...", "4. eRS ..."; not its own list's), at a heading, or at a blank line, a page's end or the end of a line
  that ends a sentence, followed by text that does not continue the paragraph. Text continues it when it is a list
  item (indented, a bullet, "(a)", "b.", "ii)"), or opens in lower case after a page's end (a sentence carried over)
  or after a line ending in ":" (a list whose bullets were lost). A line of one column wrapped into another's text
  (a merged two-column page) opens in lower case too, so that alone continues nothing; nor does an annex, or an
  unnumbered paragraph after the numbered one, which keep just their page.
- Not located: a span of fewer than MIN_WORDS words or holding no sentence (a numbered heading, a contents line,
  "1. Yes"); a number the document's paragraphs use twice ("para 1.1" of which paper?).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from assistant.types import PARAGRAPH, Locator, PageSpan

MIN_NUMBERED = 3  # fewer numbered lines counting on than this: a list, not how the document is cited
MAX_GAP = 10_000  # characters between two paragraphs of one numbering, about three printed pages
MIN_WORDS = 8  # a numbered span of fewer words is a heading, a contents entry or a list's label
MIN_SHARE = 0.2  # located paragraphs holding less of the document's text than this together: a list, not how it is cited
MAX_PARTS = 4
MIN_WRAPPED = 20  # lines wrapped into the next before their width is known
SHORT_LINE = 0.7  # a line ending a sentence shorter than this share of that width is a paragraph's last

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NUMBERED = re.compile(
    rf"^(?P<number>\d{{1,4}}\.|\d{{1,4}}(?:\.\d{{1,3}}){{1,{MAX_PARTS - 1}}}\.?)(?:[ \t]+|(?<=\.)(?=[A-Z\"“‘(]))"
    rf"(?!(?:{_MONTHS})\b)(?=[A-Z\"“‘'(\[]|\d{{1,3}}[ \t]+[a-z])",
    re.MULTILINE,
)
_LEADERS = re.compile(r"\.{4,}|…{2,}|(?:\. ){3,}")  # a contents line's dot leaders
_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
_LIST_ITEM = re.compile(r"[ \t]+\S|[-*•–·▪○■►]\s|\([a-z]{1,4}\)\s|[a-z]{1,4}[.)]\s|\(\d{1,3}\)\s")  # indented, a bullet, "(a)", "b.", "ii)"
_LOWER = re.compile(r"[a-z]")  # a sentence carried over a page's end, or a list's item after "by:"
_INTRODUCES = re.compile(r":\s*$")  # the text before a blank line introduces a list ("... do this by:")
_NEWLINES = re.compile(r"[\n\f]*")
_WRAPPED = re.compile(r"^([^\n]{20,})\n(?=[^\n])", re.MULTILINE)  # a line the next line goes on from
_BLANK_BEFORE = re.compile(r"\n[ \t]*\n[ \t]*$")  # a numbered line a blank line after the text before it
_BLANK = re.compile(r"\n[ \t]*\n")
_LINE_AFTER_SENTENCE = re.compile(
    r"(?:[.!?;…][\"”’')\]]*|\((?:Paragraphs?|Paras?|Qq?)\s*\d[\d, –-]*\))[ \t]*\n(?=\S)", re.IGNORECASE
)  # a line ending a sentence, or a Commons recommendation's "(Paragraph 23)": a paragraph may end there
_FINISHED = re.compile(r"[.!?;…][\"”’')\]]*\s*$")  # the text before a page's end finished its sentence
_LOOSE = re.compile(r"^\d{1,4}(?:\.\d{1,3}){0,3}\.?[ \t]+\S|^\d{1,3}\.(?=[A-Z])", re.MULTILINE)  # any line that looks numbered ("4. 42 ICBs", "4. eRS", "10.Capital")
_CONTENTS_ENTRY = re.compile(r"[^.!?;:\d\s][ \t]+\d{1,3}[ \t]*$")  # a line ending in a page number, as a contents entry does
_CONCLUSION = re.compile(r"\((?:Paragraphs?|Paras?)\s*\d[\d, –-]*\)\s*$", re.IGNORECASE)  # a Commons conclusion's reference
_NOTES_HEADING = re.compile(
    r"(?:#{1,6} )?[*_]*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+|(?:annex|appendix)\s+\w{1,3}\s*[-–—:.]?\s*)?"
    r"(?:(?:foot|end)?notes|references|bibliography|sources|citations|works cited)(?:\s+and\s+[\w ]{1,30})?[*_:]*",
    re.IGNORECASE,
)  # "Footnotes", "## 9. References", "Notes and references", "Annex B - References"
_NOTES_LINE = re.compile(r"^[^\n]{0,60}$", re.MULTILINE)  # a short line: a heading, maybe of notes
_SENTENCE_END = re.compile(r"[.!:;][\"”’')\]]*(?:\s|$)")  # a paragraph holds a sentence; a heading ends in none, or "?"
_REFERENCE = re.compile(
    r"[^\n]*(?:https?:|doi\b|\bAccessed\b|\bet al\b)|\d[\d.]*\s+[A-Z][\w'’-]+,? (?:[A-Z]{1,3}|[A-Z]\.(?: ?[A-Z]\.)*)[,.]"
)  # a reference list's entry: an address, a DOI, "Accessed", "et al", or a first author as "Smith PC," or "Smith, P."

Number = tuple[int, ...]


def paragraph_locators(text: str, pages: Sequence[PageSpan] = ()) -> tuple[Locator, ...]:
    """[start, end) of each numbered paragraph of a stored text -> "para N"; () for a text that does not number its
    paragraphs."""
    lines = _numbered_lines(text)
    if len(lines) < MIN_NUMBERED:
        return ()
    runs, listed_early = _runs(lines)
    notes = _notes_at(text)
    runs = [
        run for run in runs
        if len(run) >= MIN_NUMBERED and run[0] not in listed_early and not _introduced(text, lines[run[0]][0]) and not _in_notes(notes, lines[run[0]][0])
        and sum(bool(_REFERENCE.match(text, lines[i][0])) for i in run) * 2 < len(run)
    ]  # fmt: skip
    if not runs:
        return ()
    inside = _lists_inside(lines, runs) | listed_early  # a list inside a paragraph: part of that paragraph's span
    enders = [m.start() for m in _LOOSE.finditer(text)] + [m.start() for m in _HEADING.finditer(text)]
    listed = {lines[i][0] for i in inside}
    enders = sorted(set(enders) - listed)  # a line that looks numbered ends a span, unless it is its list's
    ends = sorted(p.end for p in pages if 0 < p.end < len(text))
    breaks = {m.end(): _between(ends, m.start(), m.end()) for m in _BLANK.finditer(text)} | dict.fromkeys(ends, True)
    members = sorted({i for run in runs for i in run} - inside)
    blank_lines_part = sum(_BLANK_BEFORE.search(text, max(0, lines[i][0] - 4), lines[i][0]) is not None for i in members) * 2 >= len(members)
    breaks |= dict.fromkeys(_sentence_ends(text, blank_lines_part), False)
    order = sorted(breaks)
    spans: dict[int, tuple[int, int]] = {}
    for i in members:
        start = lines[i][0]
        end = _span_end(text, start, enders, order, breaks, listed)
        if len(text[start:end].split()) > MIN_WORDS and _SENTENCE_END.search(text, start, end):  # the number is a word
            spans[i] = (start, end)
    runs = [run for run in runs if sum(bool(_CONCLUSION.search(text, *spans[i])) for i in run if i in spans) * 2 <= len(run)]
    located = sorted(i for run in runs for i in run if i in spans)  # less a Commons report's conclusions, numbered again
    if sum(spans[i][1] - spans[i][0] for i in located) < MIN_SHARE * len(text):
        return ()  # a list, not how the document is cited
    times = Counter(lines[i][1] for run in runs for i in run if i not in inside)  # a number used twice, located or not
    return tuple(Locator(*spans[i], f"{PARAGRAPH} {'.'.join(map(str, lines[i][1]))}") for i in located if times[lines[i][1]] == 1)


def _sentence_ends(text: str, blank_lines_part: bool) -> list[int]:
    """Where a line ending a sentence may end a paragraph (the next line's start). In a document whose paragraphs a
    blank line parts, a line of a paragraph is wrapped, and one ending a sentence ends its paragraph only when it
    stops short of the width its wrapped lines fill (SHORT_LINE of their 90th centile: a paragraph's last line), or
    where too few lines wrap to tell."""
    ends = [(m.start(), m.end()) for m in _LINE_AFTER_SENTENCE.finditer(text)]
    if not blank_lines_part:
        return [end for _, end in ends]
    wrapped = sorted(len(m.group(1)) for m in _WRAPPED.finditer(text))
    if len(wrapped) < MIN_WRAPPED:
        return [end for _, end in ends]
    width = wrapped[int(0.9 * (len(wrapped) - 1))]
    return [end for start, end in ends if start - (text.rfind("\n", 0, start) + 1) < SHORT_LINE * width]


def _numbered_lines(text: str) -> list[tuple[int, Number]]:
    """Each numbered line's start and number; a table's row, and a contents entry (dot leaders, or a page number
    ending it and a line beside it), are none."""
    found = []
    for match in _NUMBERED.finditer(text):
        line_end = text.find("\n", match.start())
        line = text[match.start() : len(text) if line_end < 0 else line_end]
        if " | " in line or _LEADERS.search(line) or (_CONTENTS_ENTRY.search(line) and _beside_contents(text, match.start(), line_end)):
            continue
        number = tuple(int(part) for part in match.group("number").rstrip(".").split("."))
        if number[0] >= 1000 and not line[len(match.group("number")) :][:1].isspace():
            continue  # "2023.The regulator": a year a lost space glued to the next sentence, not paragraph 2023
        found.append((match.start(), number))
    return found


def _beside_contents(text: str, start: int, end: int) -> bool:
    """The line before or after the one at [start, end) ends in a page number too: the two are contents entries."""
    before = text[max(0, start - 200) : start].rstrip("\n").rsplit("\n", 1)[-1]
    after = text[end + 1 : end + 201].lstrip("\n").split("\n", 1)[0] if end >= 0 else ""
    return bool(_CONTENTS_ENTRY.search(before) or _CONTENTS_ENTRY.search(after))


def _successors(number: Number) -> list[Number]:
    """The numbers that can come next after `number` in one numbering: a level counted on ("2.3" -> "2.4", "2.3" ->
    "3"), with the levels below begun at 1 ("2.3" -> "3.1"), or a level begun ("2.3" -> "2.3.1")."""
    after = []
    for k in range(len(number)):
        head = (*number[:k], number[k] + 1)
        after += [head + (1,) * extra for extra in range(MAX_PARTS - len(head) + 1)]
    after += [number + (1,) * extra for extra in range(1, MAX_PARTS - len(number) + 1)]
    return after


def _runs(lines: list[tuple[int, Number]]) -> tuple[list[list[int]], set[int]]:
    """Numbered lines (indices into `lines`) grouped into numberings, and the lines found to be a list inside a
    paragraph. A line joins the most recent run still expecting its number, if that run's last line is within MAX_GAP
    characters; else it opens a run (a number of four digits opens none). When an older run expects the number too,
    and the most recent one restarted at 1 after the older one's last line, that restarted run is a list inside the
    older run's last paragraph, and it ends there: nobody can tell from the numbers whether "5." after a list 1-4
    inside paragraph 4 is the list's or the paragraphs', so the line opens a run of its own. Each run is filed under the
    numbers that may come next, and one that has counted past a number, is too far behind or has ended is dropped from
    its list when met: linear in the lines."""
    runs: list[list[int]] = []
    ended: set[int] = set()
    listed: set[int] = set()
    waiting: dict[Number, list[int]] = {}  # a number that may come next -> the runs expecting it, most recent last
    for i, (start, number) in enumerate(lines):
        candidates = waiting.get(number, [])
        found: list[int] = []  # the runs still expecting it, most recent first (two at most)
        k = len(candidates) - 1
        while k >= 0 and len(found) < 2:
            r = candidates[k]
            last = lines[runs[r][-1]]
            if r in ended or start - last[0] > MAX_GAP or number not in _successors(last[1]):
                del candidates[k]  # counted past it, too far behind, or ended: never again
            elif r not in found:
                found.append(r)
            k -= 1
        chosen = found[0] if found else None
        if len(found) == 2 and lines[runs[chosen][0]][1] == (1,) and lines[runs[found[1]][-1]][0] < lines[runs[chosen][0]][0]:
            listed.update(runs[chosen])  # a list inside the older run's last paragraph
            ended.add(chosen)
            chosen = None
        if chosen is None and number[0] >= 1000:
            continue
        if chosen is None:
            chosen = len(runs)
            runs.append([])
        runs[chosen].append(i)
        for after in _successors(number):
            waiting.setdefault(after, []).append(chosen)
    return runs, listed


def _notes_at(text: str) -> list[tuple[int, bool]]:
    """Where each heading-like line begins, and whether it names notes or references ("Footnotes", where ingest stores
    a .docx's notes; "## 9. References"; "Annex B - References"): the text after it, to the next heading, is notes."""
    notes = {m.start() for m in _NOTES_LINE.finditer(text) if _NOTES_HEADING.fullmatch(m.group().strip())}
    return sorted([(at, True) for at in notes] + [(m.start(), False) for m in _HEADING.finditer(text) if m.start() not in notes])


def _in_notes(marks: list[tuple[int, bool]], start: int) -> bool:
    k = bisect_left(marks, (start, False)) - 1
    return k >= 0 and marks[k][1]


def _introduced(text: str, start: int) -> bool:
    """The line before a run's first numbered line is a sentence ending in ":" ("We recommend the following:"), which
    introduces a list; a heading ("Summary:") does not."""
    before = text[max(0, start - 300) : start].rstrip().rsplit("\n", 1)[-1]
    return before.endswith(":") and len(before.split()) >= 4


def _lists_inside(lines: list[tuple[int, Number]], runs: list[list[int]]) -> set[int]:
    """Numbered lines restarting at 1 between two consecutive paragraphs of a run, and those counting on from them
    there, when their own numbering ends there too: a list inside the earlier paragraph, not paragraphs of their own.
    A list's scan stops at the next "1." (another list, scanned in its turn): linear in the lines."""
    in_run = {i: run for run in runs for i in run}
    gaps = sorted((lines[a][0], lines[b][0]) for run in runs for a, b in zip(run, run[1:], strict=False))
    starts = [gap[0] for gap in gaps]
    inside: set[int] = set()
    for i, (start, number) in enumerate(lines):
        k = bisect_left(starts, start) - 1  # the gap opening last before this line
        if number != (1,) or k < 0 or start >= gaps[k][1]:
            continue
        end = gaps[k][1]
        if lines[in_run.get(i, [i])[-1]][0] >= end:  # its numbering goes on past the next paragraph: not a list
            continue
        inside.add(i)
        expected = set(_successors(number))
        for j in range(i + 1, len(lines)):
            if lines[j][0] >= end or lines[j][1] == (1,):
                break
            if lines[j][1] in expected:
                inside.add(j)
                expected = set(_successors(lines[j][1]))
    return inside


def _between(positions: list[int], start: int, end: int) -> bool:
    k = bisect_left(positions, start)
    return k < len(positions) and positions[k] <= end


def _span_end(text: str, start: int, enders: list[int], at: list[int], page_end: dict[int, bool], listed: set[int]) -> int:
    """The end of the paragraph opening at `start`: the next numbered line that is not its list's, a heading, or a
    blank line followed by text that does not continue the paragraph (a list item; lower case after a page's end or
    after a list's introduction, "... do this by:"); trailing space left out."""
    k = bisect_left(enders, start + 1)
    limit = enders[k] if k < len(enders) else len(text)
    b = bisect_left(at, start + 1)
    while b < len(at) and at[b] < limit:
        line = _NEWLINES.match(text, at[b]).end()
        item = line in listed or _LIST_ITEM.match(text, line)
        window = max(start, at[b] - 32)
        carried = _LOWER.match(text, line) and (
            (page_end[at[b]] and not _FINISHED.search(text, window, at[b])) or _INTRODUCES.search(text, window, at[b])
        )
        if not item and not carried:
            limit = at[b]
            break
        b += 1
    while limit > start and text[limit - 1].isspace():
        limit -= 1
    return limit
