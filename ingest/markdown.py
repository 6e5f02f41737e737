"""Markdown to the plain text that is stored: parsed with markdown-it-py, never pattern-matched.

What a reader sees stays; the markup goes. Headings stay "#" lines (split.py reads them as the
heading path), list items stay "- item" lines (nested ones indented two spaces per level), table
rows become one line of cells joined by " | " (`row_text`: an empty cell keeps its column), and
emphasis markers, backslash escapes, link syntax (the link text is kept), images and HTML tags
disappear. A paragraph that is nothing but bold or italic text and reads like a title (short, not
ending a sentence) is a heading, one level below the last real heading: PDF-to-Markdown converters
mark section titles that way.

Soft line breaks are kept as line breaks: clean.py decides which broken lines belong together, and
text extracted from PDFs (two columns merged line by line) must not be glued into one paragraph here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

BOLD_HEADING_MAX_WORDS = 12  # a longer bold paragraph is emphasis, not a title (split.py's BARE_HEADING_MAX_WORDS)
DEFAULT_BOLD_HEADING_LEVEL = 2  # before any real heading, a bold title sits just below the document title
CELL_SEPARATOR = " | "
LIST_INDENT = "  "

_EMPTY_CELL = re.compile(r"\|[ ]{2,}(?=\|)")  # "a |  | b": an empty cell between two others


def row_text(cells: Sequence[str]) -> str:
    """One table row as stored: its cells joined by " | " in their columns. An empty cell keeps its place ("Turnover |
    | 9%" under "Measure | 2023 | 2024": 9% is 2024's), so a leading one leaves the row starting "| "; empty cells
    after the last filled one are dropped, and a row with no text at all is "" (no row)."""
    cells = [" ".join(c.split()) for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return _EMPTY_CELL.sub("| ", CELL_SEPARATOR.join(cells)).strip(" ")


_URL_IN_PARENS = re.compile(r"[ ]?\((?:https?://|www\.)[^\s()]*(?:\([^\s()]*\)[^\s()]*)*\)")  # "(https://...)", a link target
_STRAY_EMPHASIS = re.compile(r"\*{2,}|_{2,}|(?<!\S)[*_](?!\S)|(?<!\S)[*_]+(?=\s*$)|^[*_]+(?!\S)", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!;,][\"”’')\]]*$")
_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _parser() -> MarkdownIt:
    """CommonMark with tables (the GFM extension PDF converters emit); raw HTML parsed so it can be dropped."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def to_text(source: str) -> str:
    """The readable text of a Markdown document: blocks separated by blank lines (see the module docstring)."""
    blocks: list[str] = []
    renderer = _Renderer(blocks)
    renderer.render(_parser().parse(source))
    return "\n\n".join(block for block in blocks if block.strip())


class _Renderer:
    """Walks the block token stream once, keeping list depth, table rows and the last heading level."""

    def __init__(self, blocks: list[str]) -> None:
        self.blocks = blocks
        self.lists: list[list[int | None]] = []  # per open list: [next number] (None for bullets)
        self.item_prefix: str | None = None  # marker for the first paragraph of the current list item
        self.row: list[str] | None = None
        self.heading_level = DEFAULT_BOLD_HEADING_LEVEL - 1
        self.tight = False  # the last block was a list item or table row: the next one joins it on the next line

    def render(self, tokens: Sequence[Token]) -> None:
        """Emit one block per heading, paragraph, list item, table row or code block."""
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "heading_open":
                self.heading_level = int(token.tag[1])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append([int(token.attrGet("start") or 1)] if kind == "ordered_list_open" else [None])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                self.tight = bool(self.lists)
            elif kind == "table_close":
                self.tight = False
            elif kind == "list_item_open":
                self.item_prefix = self._marker()
            elif kind == "list_item_close":
                self.item_prefix = None  # an empty item must not lend its marker to what follows
            elif kind == "tr_open":
                self.row = []
            elif kind == "tr_close" and self.row is not None:
                self._emit(row_text(self.row), tight=True)
                self.row = None
            elif kind in ("code_block", "fence", "html_block"):
                self._emit(_strip_html(token.content) if kind == "html_block" else token.content.rstrip("\n"))
            elif kind == "inline":
                self._inline(token, tokens[i - 1] if i else None)

    def _marker(self) -> str:
        """The item's marker, "- " for a bullet or "N. " for a numbered item, indented by the list's depth."""
        counter = self.lists[-1]
        indent = LIST_INDENT * (len(self.lists) - 1)
        if counter[0] is None:
            return f"{indent}- "
        number = counter[0]
        counter[0] = number + 1
        return f"{indent}{number}. "

    def _inline(self, token: Token, opener: Token | None) -> None:
        """Place one inline run: a heading, a table cell or a paragraph (a list item's first one takes the marker)."""
        text = inline_text(token.children or [])
        if opener is not None and opener.type == "heading_open":
            self._emit(f"{'#' * self.heading_level} {_one_line(text)}")
        elif opener is not None and opener.type in ("th_open", "td_open"):
            if self.row is not None:
                self.row.append(_one_line(text))
        elif self.item_prefix is not None:
            self._emit(self.item_prefix + text, tight=True)
            self.item_prefix = None
        elif self.lists:
            self._emit(LIST_INDENT * len(self.lists) + text, tight=True)  # a later paragraph of the same item
        elif _is_bold_title(token.children or [], text):
            self._emit(f"{'#' * min(self.heading_level + 1, 6)} {_one_line(text)}")
        else:
            self._emit(text)

    def _emit(self, text: str, *, tight: bool = False) -> None:
        """Add a block; list items and table rows follow their predecessor on the next line, not after a blank one."""
        if not text.strip():
            return
        if tight and self.tight and self.blocks:
            self.blocks[-1] += "\n" + text
        else:
            self.blocks.append(text)
        self.tight = tight


def inline_text(children: Sequence[Token]) -> str:
    """The words of an inline run: markers, link targets, images and HTML tags dropped; line breaks kept."""
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline" and _BREAK_TAG.fullmatch(child.content.strip()):
            parts.append("\n")
    text = _URL_IN_PARENS.sub("", "".join(parts))
    text = _STRAY_EMPHASIS.sub("", text)  # unmatched "**" of converters ("goals**** **") that the parser keeps as text
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip("\n ")


def _is_bold_title(children: Sequence[Token], text: str) -> bool:
    """A paragraph whose words are all inside bold/italic markup, short, with letters, and not ending a sentence."""
    inside = 0
    depth = 0
    for child in children:
        if child.type in ("strong_open", "em_open"):
            depth += 1
        elif child.type in ("strong_close", "em_close"):
            depth -= 1
        elif child.type == "text" and child.content.strip(" *_"):
            if depth == 0:
                return False
            inside += 1
        elif child.type not in ("softbreak", "hardbreak", "text"):
            return False
    words = text.split()
    return (
        bool(inside) and len(words) <= BOLD_HEADING_MAX_WORDS and bool(_HAS_WORD.search(text)) and not _SENTENCE_END.search(text)
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _strip_html(html: str) -> str:
    """The text of a raw HTML block, read as an .html file is (a table's cells " | " apart, its rows one block):
    converters write a table Markdown cannot hold (merged cells, lists in cells) as HTML."""
    from ingest.load import html_text

    return html_text(html, page=False)[0]
