"""Clean extracted text so it reads well and stays faithful, keeping a character-exact page map.

Every rule is a small named function applied in `_RULES` order. Rules are regex substitutions on a
`_Tracked` text that carries, for each character, the PDF page it came from, so the page map stays
exact however much the text shrinks, grows or moves (footnotes move to the end).

Three rules apply decisions made elsewhere: page furniture (ingest/furniture.py), lost PDF ligatures
(ingest/repair.py) and lines of two columns merged line by line, which are never rejoined
(ingest/columns.py). All are no-ops on clean text: the five seed documents come out unchanged.

A transcript (ingest/transcript.py) is shaped last: its timestamps or question numbers become locators, returned
beside the page map; caption files skip the rules meant for printed pages (_CAPTION_RULES).
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from assistant.types import CleanText, Locator, PageSpan
from ingest import runs, transcript
from ingest.columns import merged_column_spans
from ingest.furniture import furniture_spans
from ingest.repair import Edit, ligature_edits

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
FOOTNOTES_HEADING = "Footnotes"

# Closed compounds that are not English words: a PDF line-break hyphen was lost. Only these are
# restored; variants that are real spellings ("coordinated", "reorganisation") are left alone.
# Lost hyphens mostly hurt lexical retrieval, and the list keeps the fix provably safe.
LOST_HYPHENS = {
    "decisionmaking": "decision-making",
    "topdown": "top-down",
    "longterm": "long-term",
    "shortterm": "short-term",
    "placebased": "place-based",
    "evidencebased": "evidence-based",
    "personcentred": "person-centred",
    "patientcentred": "patient-centred",
}

_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v"
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u00ad"
_LIST_MARKER = r"(?:[-*•▪◦‣–]|\d{1,3}[.)]|[a-z][.)]|\((?:[a-z]|[ivx]{1,4})\)|[ivx]{1,4}\))"
_FOOTNOTE_LINE = re.compile(rf"^(?:<sup>\s*(\d{{1,3}})\s*</sup>|([{SUPERSCRIPT_DIGITS}]{{1,3}}))[ \t]*(\S.*)$")


@dataclass
class _Tracked:
    """Text plus the page number of each of its characters (parallel list)."""

    text: str
    origin: list[int]
    footnotes: list[tuple[str, list[int]]]
    counts: Counter[str] = field(default_factory=Counter)  # what the rules changed, for eval/readability.py
    speech: bool = False  # speech written down without punctuation (ingest/runs.py), told from the raw text as load() tells it
    turns: bool = False  # oral evidence: speakers' turns, each opening with its label ("AMANDA PRITCHARD:")


Replacement = str | Callable[[re.Match[str]], str]


def _sub(doc: _Tracked, pattern: re.Pattern[str], repl: Replacement) -> bool:
    """re.sub on the tracked text (True if it changed); inserted characters take the match start's page."""
    edits = (
        Edit(match.start(), match.end(), repl(match) if callable(repl) else match.expand(repl))
        for match in pattern.finditer(doc.text)
    )
    return _apply(doc, edits) > 0


def _apply(doc: _Tracked, edits: Iterable[Edit]) -> int:
    """Apply ordered, non-overlapping edits to the tracked text; return how many changed it."""
    parts: list[str] = []
    origin: list[int] = []
    last = 0
    changed = 0
    for edit in edits:
        if edit.new == doc.text[edit.start : edit.end]:
            continue
        parts.append(doc.text[last : edit.start])
        origin.extend(doc.origin[last : edit.start])
        parts.append(edit.new)
        page = doc.origin[min(edit.start, len(doc.origin) - 1)] if doc.origin else 1
        origin.extend([page] * len(edit.new))
        last = edit.end
        changed += 1
    if not changed:
        return 0
    parts.append(doc.text[last:])
    origin.extend(doc.origin[last:])
    doc.text = "".join(parts)
    doc.origin = origin
    return changed


def _rx(pattern: str, flags: int = re.MULTILINE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def normalise_line_breaks(doc: _Tracked) -> None:
    """CRLF/CR and Unicode line separators become \\n; page breaks become a paragraph break."""
    _sub(doc, _rx(r"\r\n?|[\u2028\u2029\x85]"), "\n")
    _sub(doc, _rx(r"\f"), "\n\n")


_EXTRACTOR_MARK = re.compile(r"\[cite_start\]|[ ]?\[cite:[ ]*\d+(?:[ ]*[,–-][ ]*\d+)*\]")
# A link's address printed in brackets after its words, as a web page printed to PDF shows it ("tackle health
# inequalities (https://www.england.nhs.uk/long-read/...-information-" / "" / "on-health-inequalities/) when developing
# ..."). The address may be broken over lines and pages, anywhere ("long-" / "read/...", "...surve" / "yqmi)"),
# into pieces without spaces up to its closing bracket; a space after an "l" inside it is a lost "ll" ("ful
# er-stocktake"). With the address go the line breaks before it where it opened a line ("young people" /
# "(https://...)" / ", outreach").
_BREAK = r"(?:[ ]*[\n\f])+"
_PRINTED_LINK = re.compile(  # "before" only from the start of a run of blanks: linear time on long runs of them
    rf"(?:(?<![ \n\f])(?P<before>[ ]|{_BREAK}))?(?P<address>\(https?://[^\s()]*"
    rf"(?:(?:{_BREAK}|(?<=l)[ ](?=[a-z-]))[^\s()]+)*\))(?P<after>[ ]*)"
)
_ENDED = re.compile(r"[.!?:;][\"”’')\]]*\Z")  # at the end of the text before it: a sentence ended there
# ... unless the address is what the sentence gives: "Visit our website (https://...)", "Contact us: (https://...)"
_ADDRESS_GIVEN = re.compile(
    r"(?:\b(?:at|on|via|from|website|web ?page|site|visit|see|online|here|link|available|go to)|:)[ ]*\Z", re.IGNORECASE
)
_CAPTION_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")


def drop_invisible_characters(doc: _Tracked) -> None:
    """BOMs, zero-width characters and soft hyphens carry nothing a reader sees."""
    _sub(doc, _rx(f"[{_INVISIBLE}]"), "")


def decode_caption_entities(doc: _Tracked) -> None:
    """WebVTT writes "&", "<" and ">" as entities ("A&amp;E"). Direction marks (&lrm;) are invisible and a control
    character (&#10;) is a space; an unknown name stays as written."""
    _sub(doc, _CAPTION_ENTITY, _decoded)


def _decoded(match: re.Match[str]) -> str:
    char = html.unescape(match.group(0))
    if char in ("\u200e", "\u200f"):
        return ""
    return " " if len(char) == 1 and (unicodedata.category(char) == "Cc" or char in "\xa0\ufffd") else char


def drop_extractor_marks(doc: _Tracked) -> None:
    """Marks a language model's extraction leaves in the text ("[cite_start]60% [cite: 447]"): they point into its
    own input, not to anything a reader has, and break a figure off its words."""
    _sub(doc, _EXTRACTOR_MARK, "")


def normalise_spaces(doc: _Tracked) -> None:
    """Non-breaking spaces (also inside numbers, "3.51 million"), exotic spaces and tabs become spaces."""
    _sub(doc, _rx(f"[{_SPACES}]"), " ")


def strip_line_ends(doc: _Tracked) -> None:
    """Trailing spaces go; lines holding only spaces (spacer lines) become blank."""
    _sub(doc, _rx(r" +$"), "")


SYMBOL_BULLETS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8"  # Symbol's and Wingdings' bullets, as pypdf gives them


def drop_icon_glyphs(doc: _Tracked) -> None:
    """Private-use and enclosed-ideograph characters are icon-font glyphs (e.g. a social-media logo). A Symbol or
    Wingdings bullet opening a line next to another line (a PDF's list, as pypdf gives it) becomes "- ", so that the item
    is not joined to its neighbour as a wrapped line; apart from its neighbours (blank lines between: Markdown) the
    item stays apart anyway and only the glyph goes (as "- " it cost three dev-corpus answers: eval/README round
    twenty-two)."""

    def bullet(match: re.Match[str]) -> str:
        text, start, end = match.string, match.start(), match.end()
        line_end = text.find("\n", end)
        beside = (start > 1 and text[start - 2] not in "\n") or (line_end != -1 and text[line_end + 1 : line_end + 2] not in ("\n", ""))
        return match.group(1) + "- " if beside else match.group(1)

    _sub(doc, _rx(rf"^([ ]*)[{SYMBOL_BULLETS}][ \t]*(?=\S)", re.MULTILINE), bullet)
    _sub(doc, _rx("[\ue000-\uf8ff\U0001f100-\U0001f2ff] ?"), "")


def restore_pull_quote_marks(doc: _Tracked) -> None:
    """A pull-quote opening with the stray glyph "⁶⁶" (a mis-mapped opening quote) gets a real quote mark.

    The extraction kept the straight closing quote ("...prosperity.\\""), so a straight opening quote
    balances it and keeps the passage visibly a quotation rather than the publisher's own words.
    """
    _sub(doc, _rx(r"^([ ]*(?:[-*•][ ]+)?)(?:⁶⁶|⁹⁹)[ ]*(?=\S)"), r'\1"')


def collect_footnotes(doc: _Tracked) -> None:
    """Move footnotes out of the running text: `---` blocks dropped in mid-sentence at page breaks, and
    lines that start with a footnote number (<sup>N</sup> or a superscript digit).

    They are kept, in order, for a "Footnotes" section at the end rather than dropped: they hold the
    sources behind claims (a user may ask "what is this based on?") and the text stays faithful.
    """
    block = _rx(
        r"^---[ ]*\n(?:[ ]*\n)*((?:(?:<sup>\s*\d{1,3}\s*</sup>|[" + SUPERSCRIPT_DIGITS + r"]{1,3}).*\n?(?:[ ]*\n)*)+)"
        r"(?:---[ ]*(?:\n|\Z))?"
    )

    def take_block(match: re.Match[str]) -> str:
        for line_match in re.finditer(r"^.+$", match.group(1), re.MULTILINE):
            _keep_footnote(doc, line_match.group(0), match.start(1) + line_match.start())
        return "\n"

    _sub(doc, block, take_block)

    def take_line(match: re.Match[str]) -> str:
        _keep_footnote(doc, match.group(0), match.start())
        return ""

    _sub(doc, _rx(_FOOTNOTE_LINE.pattern), take_line)


def _keep_footnote(doc: _Tracked, line: str, at: int) -> None:
    """Store one footnote line as "[N] text", mapped to the page where it was found."""
    match = _FOOTNOTE_LINE.match(line.strip())
    if not match:
        return
    number = match.group(1) or match.group(2).translate(_SUPERSCRIPT_TO_ASCII)
    text = f"[{number}] {match.group(3).strip()}"
    page = doc.origin[min(at, len(doc.origin) - 1)] if doc.origin else 1
    doc.footnotes.append((text, [page] * len(text)))


def remove_footnote_markers(doc: _Tracked) -> None:
    """Footnote markers glued to words go ("system.<sup>3</sup>", "word¹²", "ICSs[1]", "took place.1").

    Only markers glued to the preceding character are removed, so "[see para 4]", "3.51 million" and
    a reference list line starting "[1] Hood..." are untouched.
    """
    _sub(doc, _rx(r"[ ]?<sup>\s*[\d,\s*†‡-]{1,12}\s*</sup>"), "")
    _sub(doc, _rx(rf"(?<=\S)[{SUPERSCRIPT_DIGITS}]+"), "")
    _sub(doc, _rx(r"(?<=[\w.,;:)’'\"”])\[\d{1,3}(?:[,–-]\s?\d{1,3})*\]"), "")
    # A plain digit after a sentence end at the end of a line is a marker the extraction flattened.
    _sub(doc, _rx(r"(?<=[a-z]{2}[.!?])\d{1,2}$"), "")


def unwrap_inline_markup(doc: _Tracked) -> None:
    """Keep the words of underline tags and dead links: "<u>Growing Our Own</u>", "[NHS plan](#)"."""
    _sub(doc, _rx(r"</?u>"), "")
    _sub(doc, _rx(r"\[([^\[\]\n]+)\]\(#[^)\s]*\)"), r"\1")


def drop_printed_link_targets(doc: _Tracked) -> None:
    """A link's address printed in brackets after its words leaves the text, as a Markdown link's target does: it cut
    the sentence around it wherever the printed line broke it, and a quote read "... health inequalities
    (https://www.england.nhs.uk/long-read/publication-of-nhs-englands-statement-on-information-". An address the
    sentence gives ("Visit our website (https://...)", "at www.leedsandyorkpft.nhs.uk") stays."""
    if _sub(doc, _PRINTED_LINK, _without_link):
        _sub(doc, _rx(r"[ ]+$"), "")  # a kept address's space before a dropped one at a line's end


def _without_link(link: re.Match[str]) -> str:
    """What a printed link leaves (see drop_printed_link_targets)."""
    text, start, end = link.string, link.start(), link.end()
    before, after = link.group("before") or "", link.group("after")
    if not before and text[start - 1 : start] == "]":  # "[words](https://...)": Markdown's own syntax in a text file, as written
        return link.group(0)
    if _ADDRESS_GIVEN.search(text, max(0, start - 40), start):  # kept, but whole: the breaks inside it go
        return before + re.sub(_BREAK, "", link.group("address")) + after
    if not before.strip(" "):  # within a line: the spaces after it stay, none at a line's start
        if before or (start and text[start - 1] not in " \n\f"):
            return after
        return ""
    # it opened a line
    following = text[end : end + 1]
    if following in ("", "\n", "\f"):  # alone on its line: the break after it stays
        return ""
    ended = bool(_ENDED.search(text, max(0, start - 8), start))
    if before.count("\n") >= 2 or "\f" in before:  # after a paragraph or a page break
        continues = following.islower() or following in ",;:.)"
        return after if continues and not ended else "\n\n"
    return "\n" if ended else after  # after a wrapped line: the sentence goes on


def drop_stray_lines(doc: _Tracked) -> None:
    """Lines holding only a page number ("6", "Page 6 of 9", however far indented) or a single stray letter are layout
    debris."""
    _sub(doc, _rx(r"^[ ]*(?:(?:Page )?\d{1,3}(?: of \d{1,3})?|[A-Za-z])\n", re.MULTILINE | re.IGNORECASE), "\n")
    _sub(doc, _rx(r"\n[ ]*(?:(?:Page )?\d{1,3}(?: of \d{1,3})?|[A-Za-z])\Z", re.IGNORECASE), "\n")


_ENDED_ITEM = re.compile(r"[.!?;:…][\"”’')\]]*$")  # a list item's line ending as a sentence or a clause does


def restore_lost_bullets(doc: _Tracked) -> None:
    """An indented line starting with a letter right after a list item or a "...:" line is a bullet
    whose glyph was lost; give it a "- " marker so it stays a separate item and is not joined on.

    Not so a wrapped item's next line, indented as far as the item's words start or further (a hanging indent:
    "  • It's Free Software ... under the" / "     terms of the GNU ..."), after words that end no sentence: it goes
    on the item. (A lost glyph leaves its line indented less: " include ..." under "- embrace ...".)"""
    pattern = _rx(
        rf"(?<=\n)(?P<before>(?:(?P<item>[ ]*{_LIST_MARKER}[ ]+)(?P<said>.*[^,\n])|.*:)\n(?P<blank>\n?))"
        rf"(?P<indent>[ ]+)(?!{_LIST_MARKER}[ ])(?=[^\W\d_])"
    )
    # Which lines hang under an item is read once, from the items the text came with: an item marked below ("- "
    # for a lost bullet) says nothing of where the next line's words start.
    line_of = _line_numbers(doc.text)
    hanging = {
        line_of(m.start("indent")) for m in pattern.finditer(doc.text)
        if m.group("item") is not None and not m.group("blank") and len(m.group("indent")) >= len(m.group("item"))
        and not _ENDED_ITEM.search(m.group("said"))
    }  # fmt: skip

    def bullet(match: re.Match[str]) -> str:
        return match.group(0) if line_of(match.start("indent")) in hanging else match.group("before") + "- "

    # Matches cannot overlap, so a run of several lost bullets needs one pass per item (no line is added or taken).
    while _sub(doc, pattern, bullet):
        line_of = _line_numbers(doc.text)


def _line_numbers(text: str) -> Callable[[int], int]:
    """The number of the line an offset of `text` is on (how many line breaks come before it)."""
    breaks = [m.start() for m in re.finditer("\n", text)]
    return lambda at: bisect.bisect_left(breaks, at)


def normalise_indentation(doc: _Tracked) -> None:
    """Nested list items are indented by two spaces; every other line starts at the margin."""
    _sub(doc, _rx(rf"^[ ]+(?={_LIST_MARKER}[ ])"), "  ")
    _sub(doc, _rx(rf"^[ ]+(?!{_LIST_MARKER}[ ])(?=\S)"), "")


def collapse_inner_spaces(doc: _Tracked) -> None:
    """Runs of spaces inside a line (left by non-breaking-space padding, "1.     ICSs") become one."""
    _sub(doc, _rx(r"(?<=\S) {2,}"), " ")


def restore_lost_hyphens(doc: _Tracked) -> None:
    """Restore hyphens in the known non-word compounds of LOST_HYPHENS, keeping the first letter's case."""
    pattern = _rx(r"\b(" + "|".join(LOST_HYPHENS) + r")\b", re.IGNORECASE)

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        fixed = LOST_HYPHENS[word.lower()]
        return fixed[0].upper() + fixed[1:] if word[0].isupper() else fixed

    _sub(doc, pattern, fix)


def drop_page_furniture(doc: _Tracked) -> None:
    """Running headers and footers repeated on page after page go, all but their first occurrence (ingest/furniture.py)."""
    pages = doc.origin[-1] if doc.origin and doc.origin[-1] > 1 else None
    spans = furniture_spans(doc.text, pages)
    if doc.turns:  # a speaker's label alone on its line recurs as often as a running header; it is who speaks next
        spans = [(start, end) for start, end in spans if not _label_alone(doc.text, start, end)]
    doc.counts["furniture"] += _apply(doc, (Edit(start, end, "") for start, end in spans))


def _label_alone(text: str, start: int, end: int) -> bool:
    """The line [start, end) is a speaker's label and nothing else ("AMANDA PRITCHARD:"); "Public Accounts Committee:
    Oral evidence, HC 1234", a running header, is not."""
    label = transcript.label_end(text, start)
    return label is not None and not text[label:end].strip()


def repair_lost_ligatures(doc: _Tracked) -> None:
    """Words split by lost PDF ligatures are joined again: "wil" -> "will", "al ocated" -> "allocated" (ingest/repair.py)."""
    doc.counts["ligatures"] += _apply(doc, ligature_edits(doc.text))


def rejoin_broken_sentences(doc: _Tracked) -> None:
    """A line ending without terminal punctuation whose next non-blank line starts in lower case is one
    sentence cut by a page break (or PDF line wrap): join the two with a single space. In speech without
    punctuation only the next line is joined, never across a blank line. A line a typesetter wrapped (as long as the
    text's full lines, _wrapped_lines) is joined to the next line when that starts with a capital or a figure.

    Not inside two columns merged line by line (ingest/columns.py): there the next line belongs to the
    other column, and joining would make one sentence of two; left apart, the fragments read as fragments.
    Nor next to a table's row: "Agency spend | 2.1m" and "staff turnover | 9%" are two records, and so is a row whose
    other cells were empty ("staff turnover" alone: empty cells after the last filled one are not stored).
    """
    merged = merged_column_spans(doc.text)
    starts = [start for start, _ in merged]

    def join(replacement: str) -> Callable[[re.Match[str]], str]:
        def repl(match: re.Match[str]) -> str:  # nor at a run's edge: its first line to the one before, its last to the next
            i = bisect.bisect_right(starts, match.end()) - 1  # the last run starting at or before the join's end
            if i >= 0 and match.start() <= merged[i][1]:
                return match.group(0)
            return match.group(0) if _beside_row(match.string, match.start(), match.end()) else replacement

        return repl

    if WRAPPED_LINE_SHARE is not None and not doc.speech:  # first: the lines as the typesetter wrapped them
        wrapped = _wrapped_lines(doc.text)
        joined = join(" ")
        _sub(doc, _WRAPPED_BEFORE_CAPITAL, lambda m: joined(m) if m.start() in wrapped else m.group(0))
    _sub(doc, _rx(r"(?<=[A-Za-z]-)\n(?=[a-z])"), join(""))  # "short-\nterm": keep the hyphen, no space
    # Speech written down without punctuation (ingest/runs.py) starts every paragraph in lower case: there a blank line
    # is a new turn or a title's end, not a page break, and only the lines of a paragraph are joined.
    blank_lines = "" if doc.speech else r"(?:[ ]*\n)*"
    _sub(doc, _rx(rf"(?<=[\w,’”)–])\n{blank_lines}(?=[a-z])(?!www\.)"), join(" "))
    # ... and a paragraph opening with the comma or full stop after words a link's address was taken from ("... as
    # highlighted by Lord Darzi" / ", the absolute ...": Markdown's "(https://...)" left out, ingest/markdown.py)
    glued = join("")

    def after_words(match: re.Match[str]) -> str:  # a line of words before it, not an infographic's scraps
        line = match.string[match.string.rfind("\n", 0, match.start()) + 1 : match.start()]
        return glued(match) if len(line.split()) >= MIN_CUT_WORDS else match.group(0)

    _sub(doc, _rx(rf"(?<=[\w’”)])\n{blank_lines}(?=[,;:.][ \n]|[,;:.]\Z)"), after_words)


MIN_CUT_WORDS = 4  # words of a line that a paragraph opening with its comma or full stop goes on from


# A line break inside a paragraph before a capital, a figure or an opening quote: "... from the Recovery Support" /
# "Programme, and ..." (pypdf gives every line a typesetter wrapped as a line of its own).
_WRAPPED_BEFORE_CAPITAL = re.compile(rf"(?<=[A-Za-z,’”)])\n(?![ ]*{_LIST_MARKER}[ ])(?=[\"“‘(£]?[A-Z0-9])")
WRAPPED_LINE_SHARE: float | None = 0.8  # a line this long, of the text's full line, was wrapped (eval/bench_pdf_wrap.py)
FULL_LINE_QUANTILE = 0.9  # the text's full line: this quantile of the lengths of its lines of MIN_WRAPPED_WORDS or more
MIN_WRAPPED_WORDS = 6  # ... and a wrapped line holds this many words (a heading's or a table row's line is short)
MAX_TYPESET_CHARS = 200  # a longer line is a paragraph written on one line, not a line a typesetter set on a page
LONGEST_TYPESET_LINE = 1.25  # ... and so is one this much longer than the text's full line (two lines joined before)
_NOT_PROSE_LINE = re.compile(r"^\s*(?:#|\|)|\s\|\s")  # a heading, or a table's row


def _wrapped_lines(text: str) -> set[int]:
    """Where the lines end that a typesetter wrapped: WRAPPED_LINE_SHARE or more of the text's full line (most of
    its lines of words are no longer), MIN_WRAPPED_WORDS words or more, no sentence's end, not a heading or a table's
    row, and no longer than a typeset line can be (LONGEST_TYPESET_LINE of the full line, MAX_TYPESET_CHARS). A text
    whose paragraphs are one line each (Markdown, plain text) has a full line longer than a page's and few such lines;
    lines already joined are longer than the full line, and the full line only grows as lines are joined, so cleaning
    twice joins nothing more."""
    lines = [(m.end(), said) for m in re.finditer(r"[^\n]+", text) if len((said := m.group(0).strip()).split()) >= MIN_WRAPPED_WORDS]
    if not lines:
        return set()
    lengths = sorted(len(said) for _, said in lines)
    full = lengths[min(len(lengths) - 1, int(FULL_LINE_QUANTILE * len(lengths)))]
    longest = min(MAX_TYPESET_CHARS, LONGEST_TYPESET_LINE * full)  # a typeset line is no longer than its column
    return {
        end for end, said in lines
        if WRAPPED_LINE_SHARE * full <= len(said) <= longest and not _NOT_PROSE_LINE.search(said) and not _ENDED_ITEM.search(said)
    }  # fmt: skip


ROW_REACH = 20  # lines walked each way, within a block, for a table's row: label-only rows may stand together


def _beside_row(text: str, start: int, end: int) -> bool:
    """The line ending at `start` or the one starting at `end` is in a block (lines with no blank line between) that
    holds a table's row within ROW_REACH lines: "staff turnover" and "sickness absence", two rows whose other cells
    were empty, between "Agency spend | 2.1m" and "Bed days | 5%"."""
    return any(_is_row(line) for line in chain(_block_lines(text, start, backwards=True), _block_lines(text, end)))


def _block_lines(text: str, at: int, backwards: bool = False) -> Iterator[str]:
    """Up to ROW_REACH lines of a block, from the line ending at `at` backwards or the one starting there onwards,
    each found with find/rfind (no copy of the text: this runs at every join)."""
    for _ in range(ROW_REACH):
        if backwards:
            if at <= 0:
                return
            first = text.rfind("\n", 0, at) + 1
            line, at = text[first:at], first - 1
        else:
            if at >= len(text):
                return
            last = text.find("\n", at)
            last = len(text) if last < 0 else last
            line, at = text[at:last], last + 1
        if not line.strip():
            return  # the block ends
        yield line


def _is_row(line: str) -> bool:
    """A table's row as stored ("Agency spend | 2.1m") or as a text file writes it ("| Agency spend | 2.1m |")."""
    return " | " in line or line.lstrip().startswith("|")


def append_footnotes(doc: _Tracked) -> None:
    """Put the collected footnotes at the end under a "Footnotes" heading (see collect_footnotes)."""
    if not doc.footnotes:
        return
    first_page = doc.footnotes[0][1][0] if doc.footnotes[0][1] else 1
    heading = f"\n\n{FOOTNOTES_HEADING}\n\n"
    doc.text += heading
    doc.origin.extend([first_page] * len(heading))
    for text, origin in doc.footnotes:
        doc.text += text + "\n\n"
        doc.origin.extend(origin + [origin[-1]] * 2)
    doc.footnotes = []


def cut_unpunctuated_runs(doc: _Tracked) -> None:
    """Speech written down without punctuation: a run of words with no sentence end is cut into sentence-sized units
    where a learned model puts sentence ends (ingest/runs.py). Text with its sentence ends is left as it is."""
    edits = runs.cut_edits(doc.text) if doc.speech else []
    _apply(doc, edits)
    doc.counts["run cuts"] += sum(e.new == "." for e in edits)


def collapse_blank_lines(doc: _Tracked) -> None:
    """At most one blank line between paragraphs; none at the start or end of the document."""
    _sub(doc, _rx(r"\n{3,}"), "\n\n")
    _sub(doc, _rx(r"\A\n+|\n+\Z"), "")


_RULES: tuple[Callable[[_Tracked], None], ...] = (
    normalise_line_breaks,
    drop_invisible_characters,
    drop_extractor_marks,
    normalise_spaces,
    strip_line_ends,
    drop_icon_glyphs,
    unwrap_inline_markup,
    collapse_inner_spaces,
    restore_pull_quote_marks,
    collect_footnotes,
    remove_footnote_markers,
    strip_line_ends,
    drop_stray_lines,
    drop_page_furniture,
    restore_lost_bullets,
    normalise_indentation,
    restore_lost_hyphens,
    repair_lost_ligatures,
    drop_printed_link_targets,  # after the ligatures: "intel igence" inside an address is one word again
    rejoin_broken_sentences,
    append_footnotes,
    collapse_blank_lines,
    cut_unpunctuated_runs,
)


# Caption files are not printed pages: no furniture, footnotes, lost ligatures or broken lines to mend, and a
# repeated caption line ("thank you") is speech, not a running header.
_CAPTION_RULES: tuple[Callable[[_Tracked], None], ...] = (
    decode_caption_entities,  # first: what it decodes is normalised as the rest is
    normalise_line_breaks,
    drop_invisible_characters,
    normalise_spaces,
    strip_line_ends,
    collapse_inner_spaces,
    collapse_blank_lines,
)


def clean(raw: str, caption: bool = False, not_printed: bool = False) -> CleanText:
    """Clean extracted text; with form-feed page separators also return where each page's text lies. `caption`: the
    loader found a caption file (load() says so in meta["transcript"]), shaped as one however short.
    `not_printed`: a deck's, a spreadsheet's or an email's (LoadedDocument.not_printed): no line is page furniture (a
    sheet's rows that differ only in their figures, a title repeated with a number on every slide, a spreadsheet
    attached to an email) and no run is unpunctuated speech."""
    return clean_with_counts(raw, caption, not_printed)[0]


def clean_with_counts(raw: str, caption: bool = False, not_printed: bool = False) -> tuple[CleanText, Counter[str]]:
    """clean(), plus how many furniture lines were dropped and ligature splits repaired (for measurement)."""
    origin: list[int] = []
    page = 1
    for char in raw:
        origin.append(page)
        if char == "\f":
            page += 1
    kind = transcript.recognise(raw, caption_file=caption)
    # the test load() gives kind "transcript" by; oral evidence may be unpunctuated speech too (captions are cut by time)
    speech = not not_printed and kind != transcript.CAPTION and runs.is_speech(raw)
    doc = _Tracked(raw, origin, [], speech=speech, turns=kind == transcript.ORAL_EVIDENCE)
    rules = _CAPTION_RULES if kind == transcript.CAPTION else _RULES
    for rule in rules if not not_printed else [r for r in rules if r is not drop_page_furniture]:
        rule(doc)
    locators = shape_transcript(doc, kind) if kind else ()
    pages = _page_spans(doc.origin) if "\f" in raw else ()
    return CleanText(doc.text, pages, locators), doc.counts


def shape_transcript(doc: _Tracked, kind: str) -> tuple[Locator, ...]:
    """After the rules, a transcript's timestamps and question numbers leave the text for locators, captions become
    sentence-sized units and speaker turns open with the speaker's heading (ingest/transcript.py)."""
    shaped = transcript.shape(doc.text, kind)
    _apply(doc, shaped.edits)
    doc.counts["transcript units"] += shaped.units
    return shaped.locators


def _page_spans(origin: list[int]) -> tuple[PageSpan, ...]:
    """Run-length encode the per-character page list into PageSpans covering the whole text."""
    spans: list[PageSpan] = []
    start = 0
    for i in range(1, len(origin) + 1):
        if i == len(origin) or origin[i] != origin[start]:
            if i > start:
                spans.append(PageSpan(start, i, origin[start]))
            start = i
    return tuple(spans)
