"""Page furniture: running headers and footers ("Annual report and accounts 2024-2025", "Page 12 of 40",
"Commons Library Research Briefing, 7 July 2025") that a PDF repeats on every page.

Furniture is defined by repetition, not by a list: a short line (at most FURNITURE_MAX_WORDS words,
two or more of them words of letters, not ending a sentence) whose normalised form (case, digits, emphasis and heading marks
ignored) stands on a line of its own at least max(FURNITURE_MIN_REPEATS, FURNITURE_PAGE_SHARE x pages)
times. Every occurrence but the first is dropped: the first may be the document's title or a real
section heading, and keeping it loses nothing. A section heading used once or twice, or a label
repeated in a handful of boxes ("How will we achieve this?" on seven of twenty pages), stays.
Page counts come from the PDF when known, else from the length (CHARS_PER_PAGE characters a page).
"""

from __future__ import annotations

import re
from collections import defaultdict

FURNITURE_MIN_REPEATS = 5  # fewer repeats are headings or labels, not page furniture
FURNITURE_PAGE_SHARE = 0.5  # a running header or footer stands on at least half the pages
FURNITURE_MAX_WORDS = 12  # longer lines are text, however often repeated
CHARS_PER_PAGE = 3000  # a page of report prose, to estimate pages when the text has no page breaks

_LIST_ITEM = re.compile(r"^[ ]*(?:[-*•▪◦‣–][ ]|\d{1,3}[.)][ ])")
_MARKS = re.compile(r"^[#*_ ]+|[*_ ]+$")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*$")  # a repeated sentence ("Source: ONS.") is content, not a header


def furniture_key(line: str) -> str | None:
    """The form under which repeats of a line are counted, or None when the line cannot be furniture."""
    if _LIST_ITEM.match(line):
        return None
    text = _MARKS.sub("", line).strip()
    words = text.split()
    if not words or len(words) > FURNITURE_MAX_WORDS or len(_LETTER_WORD.findall(text)) < 2 or _SENTENCE_END.search(text):
        return None
    return re.sub(r"\d+", "#", " ".join(words).casefold())


def furniture_spans(text: str, pages: int | None = None) -> list[tuple[int, int]]:
    """[start, end) spans (each a whole line with its line break) of every furniture line after its first."""
    lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for match in re.finditer(r"[^\n]*(?:\n|$)", text):
        if match.start() == match.end():
            continue
        key = furniture_key(match.group(0).rstrip("\n"))
        if key is not None:
            lines[key].append((match.start(), match.end()))
    page_count = pages if pages else len(text) / CHARS_PER_PAGE
    threshold = max(FURNITURE_MIN_REPEATS, FURNITURE_PAGE_SHARE * page_count)
    return sorted(span for spans in lines.values() if len(spans) >= threshold for span in spans[1:])
