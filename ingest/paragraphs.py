"""Numbered paragraphs as locators: a quote from paragraph 12 of a committee report or a written submission is cited
"p. 4, para 12", as an officer cites it in a briefing.

Reports, evidence and guidance number their paragraphs ("12. Trust leaders told us ...", "3.2 The ICB should ...").
The splitter leaves a lone "12." out of the quoted span, as a list marker, and a reader cannot see "3.2" as a place;
so each numbered paragraph becomes a locator over its span, as a transcript's question numbers do ("Q112"). A line
is a numbered paragraph when it opens with a number of one to four parts (at most three digits each: not a year;
one part only with its full stop, "12.", as a lone "12" opening a line is a footnote's as often) and a capital (not a month's: "31 March 2025" is a date), and its paragraph holds at least MIN_WORDS words and ends
as a sentence does (a numbered heading, "4.2 What does NHS England say?", ends in none or in a question mark); a document numbers its paragraphs
when it has MIN_NUMBERED of them. A numbered heading ("# 2 Background"), a contents line ("2.1 Key risks .... 3"),
a table's row and a short line ("32 L") are not paragraphs. A paragraph's span runs to the next numbered paragraph
or heading.
"""

from __future__ import annotations

import re

from assistant.types import PARAGRAPH, Locator

MIN_WORDS = 8  # a numbered line's paragraph of fewer words is a heading, a contents entry or a list's label
MIN_NUMBERED = 3  # fewer numbered paragraphs than this in a document: the numbers are not how it is cited
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NUMBERED = re.compile(
    rf"^(?P<number>\d{{1,3}}\.|\d{{1,3}}(?:\.\d{{1,3}}){{1,3}}\.?)[ \t]+(?!(?:{_MONTHS})\b)(?=[A-Z\"“‘'(])", re.MULTILINE
)  # "12." (a lone "12" opening a line is a footnote's or a page's number as often), "3.2", "3.2."; not "31 March"
_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
_LEADERS = re.compile(r"\.{4,}|…{2,}|(?:\. ){3,}")  # a contents line's dot leaders
_ENDS_SENTENCE = re.compile(r"[.!:;][\"”’')\]]*$")  # a paragraph ends as a sentence does; a heading ends in none, or "?"


def paragraph_locators(text: str) -> tuple[Locator, ...]:
    """[start, end) of each numbered paragraph of a stored text -> "para N"; () for a text that does not number its
    paragraphs."""
    starts: list[tuple[int, str]] = []
    for match in _NUMBERED.finditer(text):
        line_end = text.find("\n", match.start())
        line = text[match.start() : len(text) if line_end < 0 else line_end]
        block_end = text.find("\n\n", match.start())
        block = text[match.end() : len(text) if block_end < 0 else block_end]
        if " | " in line or _LEADERS.search(line) or len(block.split()) < MIN_WORDS or not _ENDS_SENTENCE.search(block.rstrip()):
            continue
        starts.append((match.start(), match.group("number").rstrip(".")))
    starts = _in_sequence(starts)
    if not starts:
        return ()
    headings = [m.start() for m in _HEADING.finditer(text)]
    locators = []
    for k, (start, number) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        end = min([end, *(h for h in headings if start < h < end)])
        locators.append(Locator(start, end, f"{PARAGRAPH} {number}"))
    return tuple(locators)


def _follows(before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    """`after` is a number that can come next after `before` in one numbering: a level counted on ("2.3" -> "2.4",
    "2.3" -> "3"), or a level begun ("2" -> "2.1"), the levels below a counted one begun at 1 ("2.3" -> "3.1")."""
    for k in range(len(before)):
        head = (*before[:k], before[k] + 1)
        if after[: k + 1] == head and all(part == 1 for part in after[k + 1 :]):
            return True
    return after[: len(before)] == before and len(after) > len(before) and all(part == 1 for part in after[len(before) :])


def _in_sequence(starts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The numbered lines that belong to a numbering: runs of at least MIN_NUMBERED, each number following the one
    before it in its run (_follows). Runs may interleave (a page's footnote numbers among its paragraphs'); a number
    in no long run (a list's "1.", a note's "12", a date) is dropped."""
    runs: list[list[tuple[int, str]]] = []
    for start, number in starts:
        parts = tuple(int(part) for part in number.split("."))
        run = next((r for r in runs if _follows(tuple(int(x) for x in r[-1][1].split(".")), parts)), None)
        if run is None:
            runs.append([(start, number)])
        else:
            run.append((start, number))
    return sorted(item for run in runs if len(run) >= MIN_NUMBERED for item in run)
