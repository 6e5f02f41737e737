"""Two-column pages: put a PDF's columns in reading order, and recognise columns already merged line by line.

`reading_order` works on pypdf's layout-mode text of one page (a fixed-width picture of the page):
a gutter (a vertical band of spaces near the middle that prose lines on both sides respect) splits
each stretch of lines into its left column, then its right column. Lines that cross the gutter
(a title over both columns) stay where they are and separate the stretches. A page with several
gutters is a table, and a page whose two sides are not prose (short cells) is left as it is.

`merged_columns` and `merged_column_spans` find text that another extractor produced by reading
across both columns, one line from each in turn ("Welcome to the Annual Report for Leeds" / "We have
commissioned an independent" / "Teaching Hospitals NHS Trust, looking back at"). Such lines cannot be
put back in order safely (a learned model of which line continues which was tried: eval/README round eleven), but
they can be recognised, two ways:
- in a run of short lines, a sentence that ends is followed by a line starting in lower case, or a line ending
  mid-sentence in a lower-case word is followed by a line starting with a capitalised common word ("The", "We"):
  neither happens in one column's prose (after a heading or an unmarked list item it can). A run needs several
  such junctions on its own; in a document where one run has them (its extractor merges columns), one after a line
  of the column's width is enough for any other run;
- a word the PDF broke at a line's end ("com-") has its second half ("munity") words later, with the other column's
  half-line between: in one column it follows at once. This finds columns merged into long lines too ("... gives
  clarity in commis-INs, informing both future research and the develop-"), where the first test sees no short lines.

`column_lines` gives the lines of a merged run that hold one column's text (half a page's width, no broken word's
halves around them): the answer layer quotes what lies on one of them as a fragment (cite.Sentence.fragment). Where
the column goes on is not guessed: the lines alternate between the columns only until one has a paragraph break.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from ingest.repair import KNOWN_WORD_ZIPF, zipf

# --- PDF layout text ---------------------------------------------------------------------------------------

MIN_GUTTER = 3  # columns of spaces between two text columns (justified prose has at most two between words)
GUTTER_ZONE = (0.25, 0.75)  # where on the line a gutter between two columns may lie (share of the page's width)
MIN_COLUMN_LINES = 3  # lines with text on each side of the gutter before a page counts as two columns
MIN_PROSE_WORDS = 3.0  # average words per line on each side: fewer are table cells, not columns
MAX_CROSSING_SHARE = 0.2  # share of text lines allowed to cross the gutter (titles, full-width paragraphs)

# --- merged columns in text --------------------------------------------------------------------------------

FRAGMENT_MAX_CHARS = 60  # a half-page line of a two-column page; full-width lines are longer
RUN_LINE_MAX_CHARS = 2 * FRAGMENT_MAX_CHARS  # a run may hold lines the extractor glued from both columns ...
MIN_FRAGMENT_SHARE = 0.6  # ... as long as most of its lines are fragments
MIN_RUN_LINES = 5  # consecutive fragment lines before a run is judged
MIN_BREAKS = 2  # impossible junctions a run must show ...
MIN_BREAK_SHARE = 0.15  # ... and their share of its junctions
COMMON_WORDS = 100  # wordfreq's most frequent English words: capitalised, they start a sentence
_TERMINAL = re.compile(r"[.!?][\"”’')\]]*$")
_LAST_WORD = re.compile(r"(?:^|\s)([a-z]+)[,]?$")
_FIRST_WORD = re.compile(r"^[\"“‘(]*([A-Za-z]+)")
BROKEN_GAP = (3, 30)  # a broken word's second half this many words after its first: another column's half-line between ...
PIECE_ZIPF = 2.5  # ... the second half no word on its own (rarer than this), the two together a known word
HYPHENS = "-‐‑"  # hyphen-minus, and Unicode's hyphen and non-breaking hyphen
_BROKEN_HEAD = re.compile(rf"^[\"“‘(]*([A-Za-z][a-z]+)[{HYPHENS}](?:$|[A-Za-z(])")  # "com-", or glued to the next word: "commis-INs"
_BROKEN_TAIL = re.compile(r"^[\"“‘(]*([a-z]{2,})")
_EDGE_MARKS = "\"'“”‘’()[]{},.;:!?"
# A full stop after these ends no sentence (read by assistant.cite's sentence splitter too).
ABBREVIATIONS = frozenset("e.g i.e etc vs cf al dr mr mrs ms st no nos fig rt hon prof approx inc ltd co para paras".split())
_ADDRESS = re.compile(r"(?:www\.|https?:|\S+@)", re.IGNORECASE)
MIN_JUNCTION_LINE_SHARE = 0.7  # with merges_elsewhere, a junction counts after a line this share of the run's median
#   length or longer: a heading or a list item ("Our mission:", "Be kind") is much shorter than a column's lines
_NOT_FRAGMENT = re.compile(r"^(?:#|[-*•▪◦‣–][ ]|\d{1,3}[.)][ ])|[ ][|][ ]")  # headings, list items, table rows


def reading_order(page: str) -> str:
    """A layout-mode page with two columns rewritten left column first; any other page unchanged. A left column's
    line that runs into the gutter is still split from the right column's line beside it (_ragged)."""
    lines = page.split("\n")
    gutter = _gutter(lines)
    if gutter is None:
        return page
    start, end = gutter
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        out.extend(left)
        out.extend(right)
        left.clear()
        right.clear()

    column = [bool(line.strip()) and not line[start:end].strip() for line in lines]  # a line of one column or both
    for k, line in enumerate(lines):
        split = start, end
        if line[start:end].strip():
            split = _ragged(line, start, end, (k > 0 and column[k - 1]) or (k + 1 < len(lines) and column[k + 1]))
            if split is None:  # crosses the gutter: a full-width line between two stretches of columns
                flush()
                out.append(line.strip())
                continue
        if line[: split[0]].strip():
            left.append(line[: split[0]].strip())
        if line[split[1] :].strip():
            right.append(line[split[1] :].strip())
        if not line.strip():
            left.append("")
            right.append("")
    flush()
    return "\n".join(out)


def _ragged(line: str, start: int, end: int, in_columns: bool) -> tuple[int, int] | None:
    """Where a line with text inside the gutter splits into its two columns, if it is a left column's line that runs
    a character or two into the gutter (a ragged or justified column in a proportional font, as layout mode places
    it): followed by MIN_GUTTER spaces or more ending where the right column begins, or by nothing when a line next
    to it is a column's line (`in_columns`: it is inside a stretch of columns, not set apart by blank lines as a
    heading is). None for a line that crosses the gutter (a title, a heading or caption between two stretches of
    columns, a centred page number)."""
    if not line[:start].strip():
        return None
    if not line[end:].strip():
        if in_columns and not _SPACES.search(line[start:end].rstrip()):
            return len(line), len(line)  # the left column's line alone, its last word in the gutter
        return None
    for gap in _SPACES.finditer(line):
        if end - 1 <= gap.end() <= end + 1 and line[: gap.start()].strip():
            return gap.start(), gap.end()
    return None


_SPACES = re.compile(f" {{{MIN_GUTTER},}}")


def _gutter(lines: Sequence[str]) -> tuple[int, int] | None:
    """[start, end) character columns of the one gutter splitting prose into two columns, if there is one."""
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < 2 * MIN_COLUMN_LINES:
        return None
    width = max(len(line) for line in text_lines)
    occupied = [0] * width
    for line in text_lines:
        for x, char in enumerate(line):
            if char != " ":
                occupied[x] += 1
    allowed = MAX_CROSSING_SHARE * len(text_lines)
    bands = _bands([count <= allowed for count in occupied])
    lo, hi = GUTTER_ZONE[0] * width, GUTTER_ZONE[1] * width
    inner = [(s, e) for s, e in bands if e - s >= MIN_GUTTER and s > 0 and e < width]
    central = [(s, e) for s, e in inner if lo <= (s + e) / 2 <= hi]
    if len(central) != 1 or len(inner) > 1:
        return None  # no gutter, or several: a table
    start, end = central[0]
    sides = [line for line in text_lines if not line[start:end].strip()]
    lefts = [line[:start].split() for line in sides if line[:start].strip()]
    rights = [line[end:].split() for line in sides if line[end:].strip()]
    if min(len(lefts), len(rights)) < MIN_COLUMN_LINES:
        return None
    if min(_mean_words(lefts), _mean_words(rights)) < MIN_PROSE_WORDS:
        return None
    return start, end


def _bands(free: Sequence[bool]) -> list[tuple[int, int]]:
    """Runs of True as [start, end) pairs."""
    bands, start = [], None
    for x, is_free in enumerate([*free, False]):
        if is_free and start is None:
            start = x
        elif not is_free and start is not None:
            bands.append((start, x))
            start = None
    return bands


def _mean_words(rows: Sequence[Sequence[str]]) -> float:
    return sum(len(row) for row in rows) / len(rows)


# --- merged columns in text ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The most frequent English words (articles, pronouns, prepositions): as a line's capitalised first word
    they open a sentence. "i" is left out: it is always capitalised."""
    from wordfreq import top_n_list

    return frozenset(word for word in top_n_list("en", COMMON_WORDS) if word.isalpha() and word != "i")


def impossible_junction(line: str, following: str) -> bool:
    """True when `following` cannot continue `line` in a single column: a finished sentence then a lower-case
    start, or a sentence cut after a lower-case word then a capitalised common word ("...of the" / "We"). A full
    stop after an abbreviation ("e.g.") finishes nothing, and a web or mail address may start in lower case."""
    line, following = line.rstrip(), following.lstrip()
    first = _FIRST_WORD.match(following)
    if not line or first is None:
        return False
    word = first.group(1)
    if _TERMINAL.search(line):
        last = line.split()[-1].rstrip(_EDGE_MARKS).lower()
        return word[0].islower() and last not in ABBREVIATIONS and not _ADDRESS.match(following)
    return bool(_LAST_WORD.search(line)) and word[0].isupper() and word[1:].islower() and word.lower() in _common_words()


def is_fragment(line: str, max_chars: int = FRAGMENT_MAX_CHARS) -> bool:
    """A short line of prose (not a heading, list item or table row) such as half a two-column page gives."""
    stripped = line.strip()
    return 2 <= len(stripped.split()) and len(stripped) <= max_chars and not _NOT_FRAGMENT.search(stripped)


def merged_columns(lines: Sequence[str], *, merges_elsewhere: bool = False) -> bool:
    """True when consecutive lines (blank ones ignored) read as two columns merged line by line.

    The block must be at least MIN_RUN_LINES prose lines, mostly (MIN_FRAGMENT_SHARE) fragments and none
    longer than RUN_LINE_MAX_CHARS, with at least MIN_BREAKS impossible junctions making at least
    MIN_BREAK_SHARE of its junctions. In a document whose other runs show that its extractor merges columns
    (`merges_elsewhere`), one impossible junction after a line of the column's width is enough (one column rarely
    has one; where it does, mostly after a heading or a list item, a short line).
    """
    body = [line for line in lines if line.strip()]
    if len(body) < MIN_RUN_LINES or not all(is_fragment(line, RUN_LINE_MAX_CHARS) for line in body):
        return False
    if sum(is_fragment(line) for line in body) < MIN_FRAGMENT_SHARE * len(body):
        return False
    junctions = [impossible_junction(a, b) for a, b in zip(body, body[1:], strict=False)]
    if merges_elsewhere:
        median = statistics.median(len(line.strip()) for line in body)
        return any(j and len(line.strip()) >= MIN_JUNCTION_LINE_SHARE * median for j, line in zip(junctions, body, strict=False))
    breaks = sum(junctions)
    return breaks >= MIN_BREAKS and breaks >= MIN_BREAK_SHARE * (len(body) - 1)


def broken_word_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans from the line holding the first half of a word broken at a line's end to the line holding
    its second half, when that half is the BROKEN_GAP[0]th to BROKEN_GAP[1]th word after the first: another column's
    half-line was read in between.
    The halves: a lower-case piece that is no word on its own (zipf below PIECE_ZIPF) completing the first into a
    known word (zipf at least KNOWN_WORD_ZIPF, and likelier than the piece). Not a break that one column has: a first
    half whose next word completes it ("com-" "munity", as raw text has it before lines are rejoined), nor such a
    second half; nor a compound the text writes more than once ("long-term")."""
    tokens = list(re.finditer(r"\S+", text))
    written = Counter(token.group(0).strip(_EDGE_MARKS).lower() for token in tokens if any(h in token.group(0) for h in HYPHENS))
    heads: dict[int, str] = {}
    for i, token in enumerate(tokens):
        broken = _BROKEN_HEAD.match(token.group(0))
        if broken is None:
            continue
        compound = token.group(0).strip(_EDGE_MARKS).lower()
        if compound.endswith(tuple(HYPHENS)) or written[compound] < 2:  # a compound written twice is one ("long-term")
            heads[i] = broken.group(1).lower()
    pieces: dict[int, str] = {}  # rare lower-case pieces that may end a broken word
    for i, token in enumerate(tokens):
        tail = _BROKEN_TAIL.match(token.group(0))
        if tail and zipf(tail.group(1)) < PIECE_ZIPF:
            pieces[i] = tail.group(1)

    def completes(first: str, piece: str) -> bool:
        whole = zipf(first + piece)
        return whole >= KNOWN_WORD_ZIPF and whole > zipf(piece)

    local = {i for i, first in heads.items() if i + 1 in pieces and completes(first, pieces[i + 1])}
    spans: list[tuple[int, int]] = []
    for i, first in heads.items():
        if i in local:
            continue
        for j in range(i + BROKEN_GAP[0], min(len(tokens), i + BROKEN_GAP[1] + 1)):
            if j in pieces and j - 1 not in local and completes(first, pieces[j]):
                start = text.rfind("\n", 0, tokens[i].start()) + 1
                end = text.find("\n", tokens[j].end())
                spans.append((start, len(text) if end < 0 else end))
                break
    return spans


def merged_column_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of `text` covering each run of fragment lines that `merged_columns` judges merged, and the
    lines between the halves of each broken word that `broken_word_spans` finds; overlapping spans joined.

    For the answer layer: a sentence overlapping one of these spans mixes two columns and should not be quoted as a
    sentence (a line of one column may be quoted as a fragment: see column_lines).
    """
    return merged_and_column_lines(text)[0]


def column_lines(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the lines of merged runs that hold one column's text: short enough to be half a page's
    line (is_fragment), and apart from any line between a broken word's halves (broken_word_spans: a line there may
    hold both columns' text). Each is a fragment of one column, readable on its own ("was placed in tier one
    escalation by NHS"). Where the column goes on is not known: the lines alternate between the columns only until
    one column has a paragraph break."""
    return merged_and_column_lines(text)[1]


def merged_and_column_lines(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(merged_column_spans(text), column_lines(text)), finding the runs and the broken words once."""
    runs, broken = _merged_runs(text), _union(broken_word_spans(text))
    broken_starts = [start for start, _ in broken]
    lines: list[tuple[int, int]] = []
    for start, end in runs:
        for line in re.finditer(r"[^\n]+", text[start:end]):
            a, b = start + line.start(), start + line.end()
            k = bisect.bisect_left(broken_starts, b) - 1  # the last broken span starting before the line ends
            if is_fragment(line.group(0)) and not (k >= 0 and broken[k][1] > a):
                lines.append((a, b))
    return _union([*runs, *broken]), lines


def ends_sentence(line: str) -> bool:
    """The line ends a sentence: a full stop, question or exclamation mark, closing quotes or brackets after it."""
    return bool(_TERMINAL.search(line.rstrip()))


def _union(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _merged_runs(text: str) -> list[tuple[int, int]]:
    """The runs of fragment lines that `merged_columns` judges merged: first on their own, then, in a document where
    at least one run is (its extractor merges columns), each other run with `merges_elsewhere`."""
    runs: list[list[re.Match[str]]] = []
    run: list[re.Match[str]] = []
    for line in [*re.finditer(r"[^\n]+", text), None]:
        if line is not None and not line.group(0).strip():
            continue
        if line is not None and is_fragment(line.group(0), RUN_LINE_MAX_CHARS):
            run.append(line)
            continue
        if run:
            runs.append(run)
        run = []
    alone = [merged_columns([m.group(0) for m in r]) for r in runs]
    if any(alone):
        alone = [a or merged_columns([m.group(0) for m in r], merges_elsewhere=True) for a, r in zip(alone, runs, strict=True)]
    return [(r[0].start(), r[-1].end()) for a, r in zip(alone, runs, strict=True) if a]
