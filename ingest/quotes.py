"""Finding a quote copied from a file as found in the stored (cleaned) text of its document.

Question sets quote the files as found; ingest cleans the text it stores (markdown syntax and escapes
removed, lost "ll"/"ff" ligatures repaired, caption timestamps kept only as locators). A quote is looked
for exactly, then with any run of whitespace between its words, then on its letters and digits alone, then (a
markdown table's row) as the row ingest stores.
Used by `ingest tune` (its training pairs) and by eval (gold spans)."""

from __future__ import annotations

import re

from ingest.markdown import to_text
from ingest.transcript import FILLERS, OPENING_FILLERS


def locate_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`: exact first, else allowing any run of whitespace between words,
    else on letters and digits alone (see `skeleton`), else (a markdown table's row) as the one whole line that holds
    the row as ingest stores it (`stored_row`)."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if match:
        return match.start(), match.end()
    found = locate_skeleton(text, quote)
    if found is None and (row := stored_row(quote)):  # a table row too short for its letters alone to place it
        lines = [m.span() for m in re.finditer(rf"(?m)^{re.escape(row)}$", text)]
        return lines[0] if len(lines) == 1 else None  # the whole of one line, or nothing
    return found


def stored_row(quote: str) -> str | None:
    """A markdown table's row as ingest stores it, rendered by the same parser ("| **Your org** | 7.27 | 7.47 |" ->
    "Your org | 7.27 | 7.47"); None for a quote that is no such row."""
    stripped = quote.strip()
    if "\n" in stripped or not (stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 2):
        return None
    columns = stripped.strip("|").count("|") + 1
    rendered = to_text(stripped + "\n" + "|---" * columns + "|")  # a row alone is no table: give it a rule line
    return rendered if rendered and "\n" not in rendered else None


def skeleton(text: str, spoken: bool = False) -> tuple[str, list[int]]:
    """Letters and digits of `text`, lower-cased, a doubled letter kept once, with each one's offset.

    Gold quotes are copied from the files as found; the stored text is cleaned (markdown syntax and
    escapes removed, lost "ll"/"ff" ligatures repaired: "wil" -> "will"). Both reduce to the same
    skeleton, so a quote still finds its span in the stored text. Caption timestamps ("00:04:46.800") are
    left out too: a transcript's stored text keeps them as locators, not as text. With `spoken`, so are the
    words a caption transcript's shaping drops: its fillers ("um", "uh") and the words it drops opening a unit ("so",
    "you know", "well", "right" ...), wherever they stand, on both sides alike (a fallback: "the right care" may then
    match "the care")."""
    chars: list[str] = []
    offsets: list[int] = []
    skip = {i for rx in (_TIMESTAMP, _SPOKEN_FILLER)[: 1 + spoken] for m in rx.finditer(text) for i in range(m.start(), m.end())}
    for i, char in enumerate(text):
        if not char.isalnum() or i in skip:
            continue
        char = char.lower()
        if chars and chars[-1] == char and not char.isdigit():
            continue
        chars.append(char)
        offsets.append(i)
    return "".join(chars), offsets


_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?\b")
# The words a caption transcript's stored text leaves out (fillers anywhere, "so" / "you know" ... opening a unit):
# a quote copied from the caption file has them. Tried only when a quote's skeleton is not found with them: a quote
# with lost ligatures has "wel" and "Ful er" (fuller), which would not match with "well" and "er" left out of it.
_SPOKEN_FILLER = re.compile(
    r"\b(?:" + "|".join(sorted({*FILLERS, *(" ".join(f) for f in OPENING_FILLERS)}, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_SKELETONS: dict[tuple[int, bool], tuple[str, tuple[str, list[int]]]] = {}


def locate_skeleton(text: str, quote: str) -> tuple[int, int] | None:
    """Span of `text` whose skeleton equals the quote's (None if absent or the quote has under 20 letters); failing
    that, the same with spoken fillers left out of both (a quote copied from a caption file)."""
    for spoken in (False, True):
        wanted, _ = skeleton(quote, spoken)
        if len(wanted) < 20:
            return None
        key = (id(text), spoken)
        cached = _SKELETONS.get(key)
        if cached is None or cached[0] is not text:
            cached = (text, skeleton(text, spoken))
            _SKELETONS[key] = cached
        letters, offsets = cached[1]
        at = letters.find(wanted)
        if at >= 0:
            return offsets[at], offsets[at + len(wanted) - 1] + 1
    return None
