"""A Word document's list numbers and heading levels, worked out as Word shows them.

Word stores "1.", "3.2", "(a)" or "iv." nowhere in a paragraph's text: the number is drawn from the paragraph's list
(its own numbering properties, or its style's) and counters Word keeps while it lays the document out. A submission's
numbered paragraphs and recommendations ("Recommendation 4", "paragraph 3.2") therefore lost their numbers when a .docx
was read run by run. `DocxNumbering` keeps those counters over the paragraphs in document order, as Word does:

- a list is a `w:num` pointing at an abstract definition (`w:abstractNum`); lists pointing at the same definition
  share its counters (the second "continues numbering"); one that restarts a level (`w:startOverride`, Word's
  "Restart at 1") restarts it where it first uses that level;
- a level counts on from its `w:start` (held to 0-32767, as Word holds it); an item at one level restarts the levels
  below it (unless a level's `w:lvlRestart` says otherwise); a paragraph deleted or moved away under tracked changes
  is not counted, as the document reads without it;
- where Word's behaviour could not be checked here, LibreOffice's is followed (eval/bench_numbering.py compares the
  two): a level used before the levels above it counts them as begun, and a list that restarts a level does so for
  the lists sharing its definition too;
- the label is the level's `w:lvlText` ("%1.%2.") with each %N the counter of level N in that level's format (decimal,
  letters, roman numerals, ordinals; all decimal where the level is legal-style, `w:isLgl`);
- a bullet level is a bullet, whatever glyph it draws; a level formatted "none" draws no number.

It also gives a paragraph's heading level: a built-in heading style ("heading 1".."heading 9", "Title"), or an outline
level (`w:outlineLvl`) set on the paragraph or on a style it is based on, as custom heading styles set it (Word's
navigation pane shows those as headings too).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BULLET, NUMBER, NONE = "bullet", "number", "none"  # what a list paragraph draws before its text
MAX_BASED_ON = 32  # a style chain longer than this (or a loop) is read no further
_PLACEHOLDER = re.compile(r"%([1-9])")
_ORDINAL_WORDS = (
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
    "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen", "Twenty",
)  # fmt: skip
_ORDINAL_TEXT = (
    "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
    "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth",
    "Nineteenth", "Twentieth",
)  # fmt: skip


def _val(element: Any, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return None if found is None else found.get(f"{_W}val")


def as_int(value: str | None, default: int | None = None) -> int | None:
    """A number an attribute gives, or `default` for none or a damaged one ("²", thousands of digits)."""
    try:
        return int(value) if value is not None else default
    except ValueError:  # not a number, or one of thousands of digits
        return default


MAX_START = 32767  # the largest number Word lets a list start at; a file's larger (or negative) start is held to 0-32767
MAX_LETTERS = 26 * 10  # past "ZZZZZZZZZZ" letters are written as figures: a damaged start must not draw a line of 1,000s


def start_value(value: str | int | None, default: int = 1) -> int:
    """A list level's start, as a file gives it, held to what Word allows (0-32767)."""
    number = value if isinstance(value, int) else as_int(value, default)
    return max(0, min(MAX_START, default if number is None else number))


def word_on(element: Any, path: str) -> bool:
    """A Word on/off property at `path` (<w:isLgl/>, <w:vanish/>): present and not switched off ("0", "false", "off")."""
    found = element.find(path)
    return found is not None and (found.get(f"{_W}val") or "true").lower() not in ("0", "false", "off")


def roman(n: int) -> str:
    """n in upper-case roman numerals (Word writes 4000 and over as plain figures)."""
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letters(n: int) -> str:
    """n as Word letters a list: A..Z, then AA..ZZ, AAA.. (the letter repeated, not base 26); past MAX_LETTERS, n."""
    if not 1 <= n <= MAX_LETTERS:
        return str(n)
    repeat, index = divmod(n - 1, 26)
    return chr(ord("A") + index) * (repeat + 1)


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's number formats (`w:numFmt`); formats of other scripts, and words past twenty
    (cardinalText, ordinalText), are written as figures."""
    if fmt == "lowerRoman":
        return roman(n).lower()
    if fmt == "upperRoman":
        return roman(n)
    if fmt == "lowerLetter":
        return letters(n).lower()
    if fmt == "upperLetter":
        return letters(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        return f"{n}{_ordinal_suffix(n)}"
    if fmt == "cardinalText" and 0 <= n < len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[n]
    if fmt == "ordinalText" and 0 <= n < len(_ORDINAL_TEXT):
        return _ORDINAL_TEXT[n]
    if fmt in ("none", BULLET):
        return ""
    return str(n)


@dataclass(frozen=True)
class Level:
    """One level of a list definition (`w:lvl`)."""

    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False  # w:isLgl: every level's number shown as a figure ("1.1", not "I.a")
    restart: int | None = None  # w:lvlRestart: restart after an item of a level up to this one (1-based); 0 never
    style: str | None = None  # w:pStyle: the paragraph style this level belongs to

    @classmethod
    def read(cls, lvl: Any) -> Level:
        text = _val(lvl, f"{_W}lvlText")
        return cls(
            start=start_value(_val(lvl, f"{_W}start")),
            fmt=_val(lvl, f"{_W}numFmt") or "decimal",
            text="" if text is None else text,
            legal=word_on(lvl, f"{_W}isLgl"),
            restart=as_int(_val(lvl, f"{_W}lvlRestart")),
            style=_val(lvl, f"{_W}pStyle"),
        )


@dataclass
class _List:
    """A list's definition (an abstract numbering) and the counters the lists drawing on it share."""

    levels: dict[int, Level]
    counters: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Num:
    """One `w:num`: the definition it draws on, and the levels it restarts or redefines."""

    abstract: str
    starts: dict[int, int]
    levels: dict[int, Level]


@dataclass(frozen=True)
class StyleFacts:
    """What a paragraph style gives a paragraph, its base styles' properties included."""

    name: str = ""
    num_id: str | None = None
    ilvl: int | None = None
    outline: int | None = None  # 0-8: a heading's level less one


class DocxNumbering:
    """The numbers and heading levels of one .docx's paragraphs. Call `marker` on every paragraph in document order,
    tables' and text boxes' included: each numbered paragraph moves its list's counters on."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        self._styles: dict[str, Any] = {}
        self._default_style: str | None = None
        if styles is not None:
            for style in styles.iter(f"{_W}style"):
                style_id = style.get(f"{_W}styleId")
                if style_id is None:
                    continue
                self._styles.setdefault(style_id, style)
                if style.get(f"{_W}type") == "paragraph" and (style.get(f"{_W}default") or "").lower() in ("1", "true", "on"):
                    self._default_style = self._default_style or style_id
        self._facts: dict[str | None, StyleFacts] = {}
        self._abstract: dict[str, _List] = {}
        self._nums: dict[str, _Num] = {}
        self._restarted: set[tuple[str, int]] = set()  # (list, level): the restarts already made
        if numbering is not None:
            links: dict[str, str] = {}  # a definition -> the numbering style it only links to ("numStyleLink")
            for abstract in numbering.iter(f"{_W}abstractNum"):
                key = abstract.get(f"{_W}abstractNumId")
                if key is not None:
                    self._abstract.setdefault(key, _List(self._levels(abstract)))
                    if link := _val(abstract, f"{_W}numStyleLink"):
                        links.setdefault(key, link)
            for num in numbering.iter(f"{_W}num"):
                num_id, abstract_id = num.get(f"{_W}numId"), _val(num, f"{_W}abstractNumId")
                if num_id is None or abstract_id is None:
                    continue
                starts: dict[int, int] = {}
                levels: dict[int, Level] = {}
                for override in num.iter(f"{_W}lvlOverride"):
                    ilvl = as_int(override.get(f"{_W}ilvl"))
                    if ilvl is None:
                        continue
                    if (start := _val(override, f"{_W}startOverride")) is not None and as_int(start) is not None:
                        starts[ilvl] = start_value(start)
                    if (lvl := override.find(f"{_W}lvl")) is not None:
                        levels[ilvl] = Level.read(lvl)
                self._nums.setdefault(num_id, _Num(abstract_id, starts, levels))
            for abstract_id, link in links.items():  # such a definition takes that style's list's levels
                linked = self._num_of_style(link)
                if linked is not None and linked.abstract in self._abstract and linked.abstract != abstract_id:
                    if not self._abstract[abstract_id].levels:
                        self._abstract[abstract_id] = self._abstract[linked.abstract]

    @staticmethod
    def _levels(abstract: Any) -> dict[int, Level]:
        levels: dict[int, Level] = {}
        for lvl in abstract.findall(f"{_W}lvl"):
            ilvl = as_int(lvl.get(f"{_W}ilvl"))
            if ilvl is not None and 0 <= ilvl <= 8:
                levels[ilvl] = Level.read(lvl)
        return levels

    def _num_of_style(self, style_id: str) -> _Num | None:
        style = self._styles.get(style_id)
        num_id = _val(style, f"{_W}pPr/{_W}numPr/{_W}numId") if style is not None else None
        return self._nums.get(num_id) if num_id is not None else None

    def style(self, style_id: str | None) -> StyleFacts:
        """A paragraph style's name, list and outline level, read down its chain of base styles."""
        key = style_id if style_id in self._styles else self._default_style
        if key in self._facts:
            return self._facts[key]
        name, num_id, ilvl, outline = "", None, None, None
        seen: set[str] = set()
        current = key
        while current is not None and current in self._styles and current not in seen and len(seen) < MAX_BASED_ON:
            seen.add(current)
            element = self._styles[current]
            if not name:
                name = _val(element, f"{_W}name") or current
            if num_id is None:
                num_id = _val(element, f"{_W}pPr/{_W}numPr/{_W}numId")
            if ilvl is None:
                ilvl = as_int(_val(element, f"{_W}pPr/{_W}numPr/{_W}ilvl"))
            if outline is None:
                outline = as_int(_val(element, f"{_W}pPr/{_W}outlineLvl"))
            current = _val(element, f"{_W}basedOn")
        facts = StyleFacts(name, num_id, ilvl, outline)
        self._facts[key] = facts
        return facts

    def heading_level(self, paragraph: Any) -> int | None:
        """1-9 for a heading (by its built-in style's name, or an outline level on it or its style), else None; 0 for
        the document's title."""
        own = as_int(_val(paragraph, f"{_W}pPr/{_W}outlineLvl"))
        if own is not None:  # set on the paragraph itself: 0-8 a heading's level, 9 body text whatever its style
            return own + 1 if 0 <= own <= 8 else None
        facts = self.style(_val(paragraph, f"{_W}pPr/{_W}pStyle"))
        name = facts.name.lower()
        if name == "title":
            return 0
        if match := re.fullmatch(r"heading ([1-9])", name):
            return int(match.group(1))
        return facts.outline + 1 if facts.outline is not None and 0 <= facts.outline <= 8 else None

    def marker(self, paragraph: Any) -> tuple[str, str] | None:
        """What Word draws before a paragraph: (BULLET, ""), (NUMBER, "3.2"), (NONE, "") for a list paragraph whose
        level draws nothing; None for a paragraph in no list. Moves the list's counters on."""
        style_id = _val(paragraph, f"{_W}pPr/{_W}pStyle")
        facts = self.style(style_id)
        own = paragraph.find(f"{_W}pPr/{_W}numPr")
        num_id = _val(own, f"{_W}numId") if own is not None else None
        ilvl = as_int(_val(own, f"{_W}ilvl")) if own is not None else None
        num_id = facts.num_id if num_id is None else num_id
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return None
        num = self._nums[num_id]
        shared = self._abstract.get(num.abstract)
        if shared is None:
            return None
        if ilvl is None:
            ilvl = facts.ilvl
        if ilvl is None:  # a style's list: the level that names the style, else the first
            key = style_id if style_id in self._styles else self._default_style
            ilvl = next((i for i, level in sorted(shared.levels.items()) if level.style and level.style == key), 0)
        ilvl = max(0, min(8, ilvl))
        if ilvl in num.starts and (num_id, ilvl) not in self._restarted:  # "Restart at 1": when the level is first used
            self._restarted.add((num_id, ilvl))
            shared.counters[ilvl] = num.starts[ilvl] - 1
        return count_and_label(shared.counters, {**shared.levels, **num.levels}, ilvl)


def move_on(
    counters: dict[int, int], at: int, starts: dict[int, int], given: int | None = None, restarts: Callable[[int], bool] = lambda _: True
) -> None:
    """Count one item at level `at` of a list, as Word and LibreOffice do: the levels above it that have not begun
    count as begun (LibreOffice's way; Word's could not be checked here), its own counter moves on (or begins at its
    start, or is `given`), and the levels below it that `restarts` says restart begin again."""
    for above in sorted(starts):
        if above < at and above not in counters:
            counters[above] = starts[above]
    if given is not None:
        counters[at] = given
    else:
        counters[at] = counters[at] + 1 if at in counters else starts.get(at, 1)
    for deeper in [k for k in counters if k > at and restarts(k)]:
        del counters[deeper]


def count_and_label(counters: dict[int, int], levels: dict[int, Level], ilvl: int) -> tuple[str, str]:
    """Word's counting for one item of a list at level `ilvl` (0-8): its counter moves on (or begins at the level's
    start), the levels below it restart, and its label is drawn from the level's text. (BULLET, ""), (NUMBER,
    "3.2"), or (NONE, "") for a level that draws nothing or that the list does not define."""
    level = levels.get(ilvl)
    if level is None:  # a level the list does not define draws nothing
        return NONE, ""

    def restarts(deeper: int) -> bool:
        restart = levels.get(deeper, Level()).restart
        return restart != 0 and ilvl < (deeper if restart is None else restart)

    move_on(counters, ilvl, {k: v.start for k, v in levels.items()}, restarts=restarts)
    if level.fmt == BULLET:
        return BULLET, ""

    def number(match: re.Match[str]) -> str:
        at = int(match.group(1)) - 1
        other = levels.get(at, Level())
        value = counters.get(at, other.start)
        fmt = other.fmt if not level.legal or other.fmt in ("none", BULLET) else "decimal"
        return format_number(value, fmt)

    label = " ".join(_PLACEHOLDER.sub(number, level.text).split())
    if not label:
        return NONE, ""
    return (NUMBER, label) if any(ch.isalnum() for ch in label) else (BULLET, "")  # a dash or glyph drawn as text


# --- PowerPoint (.pptx) ----------------------------------------------------------------------------------------------

_AUTONUM = re.compile(r"(alphaLc|alphaUc|arabic|romanLc|romanUc)(ParenBoth|ParenR|Period|Plain)")
_AUTONUM_FORMATS = {"alphaLc": "lowerLetter", "alphaUc": "upperLetter", "arabic": "decimal", "romanLc": "lowerRoman", "romanUc": "upperRoman"}


def autonum_label(scheme: str, n: int) -> str:
    """A slide paragraph's automatic number (a:buAutoNum's type: "arabicPeriod" 1., "alphaLcParenR" a), "romanUcParenBoth"
    (I)); a scheme of another script is written "n."."""
    match = _AUTONUM.fullmatch(scheme)
    if match is None:
        return f"{n}."
    said = format_number(n, _AUTONUM_FORMATS[match.group(1)])
    return {"ParenBoth": f"({said})", "ParenR": f"{said})", "Period": f"{said}.", "Plain": said}[match.group(2)]


# --- OpenDocument text (.odt) ----------------------------------------------------------------------------------------

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
_T, _S = f"{{{_ODF_TEXT}}}", f"{{{_ODF_STYLE}}}"
_ODF_FORMATS = {
    "1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman",
    "01, 02, 03, ...": "decimalZero", "1st": "ordinal", "One": "cardinalText", "First": "ordinalText",
}  # fmt: skip  (LibreOffice's names for Word's formats; any other is written as figures)
_ODF_PLACEHOLDER = re.compile(r"%([1-9]|10)%")
_OUTLINE, _OUTLINE_LIST = "\0outline", -1  # the outline style's key among list styles, and its one list


def odf_letters(n: int) -> str:
    """n as OpenDocument letters a list unless told to repeat one letter: a..z, aa, ab, .. az, ba (bijective base 26)."""
    out = ""
    while n > 0:
        n, index = divmod(n - 1, 26)
        out = chr(ord("a") + index) + out
    return out or str(n)


@dataclass(frozen=True)
class OdfLevel:
    """One level of an OpenDocument list style."""

    bullet: bool = False
    fmt: str = ""  # style:num-format: "1", "a", "A", "i", "I"; "" draws no number
    prefix: str = ""
    suffix: str = ""
    shown: int = 1  # text:display-levels: how many levels' numbers the label shows ("2.3" shows 2)
    start: int = 1
    sync: bool = False  # style:num-letter-sync: "aa, bb" rather than "aa, ab"
    template: str | None = None  # LibreOffice's own label ("%1%.%2%."), where it writes one

    def number(self, n: int) -> str:
        if self.fmt in ("a", "A") and not self.sync:
            said = odf_letters(n)
            return said.upper() if self.fmt == "A" else said
        return format_number(n, _ODF_FORMATS.get(self.fmt, "decimal")) if self.fmt else ""


class OdfNumbering:
    """The numbers of one .odt's list items, as LibreOffice draws them. A list (`text:list`) is a new one, counting
    from each level's start, unless it continues another (`text:continue-list` naming it, or `text:continue-numbering`:
    the list just before it, where that has its style); an item's level is how deep its list is nested;
    `text:start-value` on an item sets its number; an item restarts the levels below it; an item holding only a nested
    list is not counted. The label is LibreOffice's own template where it writes one, else the level's prefix, the
    numbers of as many levels as it shows ("2.3"), and its suffix. A list style named in styles.xml wins over an
    automatic one of the same name, as in LibreOffice. Call `open_list` and `close_list` around each outermost list,
    and `marker` for each item, in document order."""

    def __init__(self, *roots: Any) -> None:
        self._list_styles: dict[str, dict[int, OdfLevel]] = {}
        self._paragraph_lists: dict[str, tuple[str | None, str | None]] = {}  # style -> (its list style, its parent)
        for root in roots:
            if root is None:
                continue
            for style in root.iter(f"{_T}list-style"):  # (styles.xml is read first: its styles win)
                name = style.get(f"{_S}name")
                if name is not None:
                    self._list_styles.setdefault(name, self._levels(style))
            for style in root.iter(f"{_S}style"):
                name = style.get(f"{_S}name")
                if name is not None and style.get(f"{_S}family") == "paragraph":
                    self._paragraph_lists.setdefault(name, (style.get(f"{_S}list-style-name"), style.get(f"{_S}parent-style-name")))
            for outline in root.iter(f"{_T}outline-style"):  # chapter numbering: the headings' own list
                self._list_styles.setdefault(_OUTLINE, self._levels(outline))
        self._counters: dict[int, dict[int, int]] = {_OUTLINE_LIST: {}}  # list instance -> level -> counter
        self._instances = itertools.count()
        self._by_id: dict[str, int] = {}  # a list's xml:id -> its instance
        self._previous: tuple[int, str | None] | None = None  # the last outermost list closed: (instance, style)

    @staticmethod
    def _levels(style: Any) -> dict[int, OdfLevel]:
        levels: dict[int, OdfLevel] = {}
        for level in style:
            depth = as_int(level.get(f"{_T}level"))
            if depth is None or not 1 <= depth <= 10:
                continue
            if level.tag == f"{_T}list-level-style-bullet":
                levels[depth] = OdfLevel(bullet=True)
            elif level.tag in (f"{_T}list-level-style-number", f"{_T}outline-level-style"):
                levels[depth] = OdfLevel(
                    fmt=level.get(f"{_S}num-format") or "",
                    prefix=level.get(f"{_S}num-prefix") or "",
                    suffix=level.get(f"{_S}num-suffix") or "",
                    shown=as_int(level.get(f"{_T}display-levels"), 1) or 1,
                    start=start_value(level.get(f"{_T}start-value")),
                    sync=(level.get(f"{_S}num-letter-sync") or "").lower() == "true",
                    template=level.get(f"{{{_LOEXT}}}num-list-format"),
                )
            elif level.tag == f"{_T}list-level-style-image":
                levels[depth] = OdfLevel(bullet=True)
        return levels

    def _paragraph_list_style(self, style: str | None) -> str | None:
        seen: set[str] = set()
        while style is not None and style in self._paragraph_lists and style not in seen and len(seen) < MAX_BASED_ON:
            seen.add(style)
            own, parent = self._paragraph_lists[style]
            if own:
                return own
            style = parent
        return None

    def open_list(self, element: Any) -> tuple[int, str | None]:
        """An outermost list's (instance, list style): a new instance, or the one it continues."""
        style = element.get(f"{_T}style-name")
        if style is None:  # no style of its own: its first paragraph's style's list style
            first = next(element.iter(f"{_T}p", f"{_T}h"), None)
            style = self._paragraph_list_style(first.get(f"{_T}style-name") if first is not None else None)
        instance: int | None = None
        if (continued := element.get(f"{_T}continue-list")) is not None:
            instance = self._by_id.get(continued)
        elif (element.get(f"{_T}continue-numbering") or "").lower() == "true" and self._previous is not None:
            instance = self._previous[0] if self._previous[1] == style else None
        if instance is None:
            instance = next(self._instances)
            self._counters[instance] = {}
        if (own_id := element.get("{http://www.w3.org/XML/1998/namespace}id")) is not None:
            self._by_id[own_id] = instance
        return instance, style

    def close_list(self, instance: int, style: str | None) -> None:
        """An outermost list has ended: the list a next one's `continue-numbering` continues."""
        self._previous = (instance, style)

    def marker(self, instance: int, style: str | None, depth: int, item: Any) -> tuple[str, str]:
        """What is drawn before an item at a depth (1: the outermost list) of a list: (BULLET, ""), (NUMBER, "2.3")
        or (NONE, "") for a level that draws nothing. Moves the list's counters on."""
        levels = self._list_styles.get(style or "", {})
        counters = self._counters.setdefault(instance, {})
        level = levels.get(depth, OdfLevel(bullet=style not in self._list_styles))  # no style known: a plain list
        given = item.get(f"{_T}start-value")
        move_on(counters, depth, {k: v.start for k, v in levels.items()}, start_value(given) if as_int(given) is not None else None)
        if level.bullet:
            return BULLET, ""
        if level.template is not None:
            label = _ODF_PLACEHOLDER.sub(lambda m: self._number(levels, counters, int(m.group(1))), level.template)
        else:
            first = max(1, depth - level.shown + 1)
            numbers = [self._number(levels, counters, k) for k in range(first, depth + 1)]
            label = level.prefix + ".".join(n for n in numbers if n) + level.suffix if level.fmt else ""
        label = " ".join(label.split())
        return (NUMBER, label) if any(ch.isalnum() for ch in label) else (NONE, "")

    def outline_marker(self, heading: Any) -> tuple[str, str] | None:
        """A heading outside any list, numbered by the document's outline style (chapter numbering) where that gives
        its level a number: as `marker`. None for a heading that is no item of it (`text:is-list-header`)."""
        if (heading.get(f"{_T}is-list-header") or "").lower() == "true" or _OUTLINE not in self._list_styles:
            return None
        depth = max(1, min(10, as_int(heading.get(f"{_T}outline-level"), 1) or 1))
        if (heading.get(f"{_T}restart-numbering") or "").lower() == "true":
            self._counters[_OUTLINE_LIST].pop(depth, None)
        return self.marker(_OUTLINE_LIST, _OUTLINE, depth, heading)

    @staticmethod
    def _number(levels: dict[int, OdfLevel], counters: dict[int, int], depth: int) -> str:
        level = levels.get(depth, OdfLevel())
        return level.number(counters.get(depth, level.start))


# --- Word 97-2003 (.doc) ---------------------------------------------------------------------------------------------

# A level's number format (nfc, [MS-DOC] 2.9.158 MSONFC) as Word's .docx names it; any other is written as figures
_NFC = {0: "decimal", 1: "upperRoman", 2: "lowerRoman", 3: "upperLetter", 4: "lowerLetter", 5: "ordinal", 6: "cardinalText",
        7: "ordinalText", 22: "decimalZero", 23: BULLET, 255: "none"}  # fmt: skip


def doc_level(start: int, nfc: int, flags: int, placeholders: bytes, restart_limit: int, xst: str) -> Level:
    """A .doc list level (an LVL: its LVLF's start, format, flags, rgbxchNums and ilvlRestartLim, and its number
    text) as a Level: the number text's placeholder characters (a level's index, at the places rgbxchNums gives,
    1-based) become "%N"."""
    at = {p - 1 for p in placeholders if p}
    text = "".join(f"%{ord(ch) + 1}" if i in at and ord(ch) < 9 else ch for i, ch in enumerate(xst))
    no_restart = bool(flags & 0x08)  # fNoRestart: restarts only after the levels above ilvlRestartLim
    return Level(start=start_value(start), fmt=_NFC.get(nfc, "decimal"), text=text, legal=bool(flags & 0x04),
                 restart=restart_limit if no_restart else None)  # fmt: skip


@dataclass(frozen=True)
class DocListUse:
    """One LFO: the list (LSTF, by its lsid) a paragraph's ilfo names, with the levels it restarts or redefines."""

    list_id: int
    starts: dict[int, int]
    levels: dict[int, Level]


class DocNumbering:
    """The numbers of a .doc's list paragraphs, counted as DocxNumbering counts a .docx's: uses of one list share its
    counters, a use that restarts a level does so where it first uses that level. Call `marker` for each list
    paragraph in document order."""

    def __init__(self, lists: dict[int, dict[int, Level]], uses: Sequence[DocListUse]) -> None:
        self._lists = {key: _List(levels) for key, levels in lists.items()}
        self._uses = list(uses)
        self._restarted: set[tuple[int, int]] = set()

    def marker(self, ilfo: int, ilvl: int) -> tuple[str, str] | None:
        """What Word draws before a paragraph whose list use is `ilfo` (1-based) at level `ilvl`; None if it names no
        list there is."""
        if not 1 <= ilfo <= len(self._uses):
            return None
        use = self._uses[ilfo - 1]
        shared = self._lists.get(use.list_id)
        if shared is None:
            return None
        ilvl = max(0, min(8, ilvl))
        if ilvl in use.starts and (ilfo, ilvl) not in self._restarted:
            self._restarted.add((ilfo, ilvl))
            shared.counters[ilvl] = start_value(use.starts[ilvl]) - 1
        return count_and_label(shared.counters, {**shared.levels, **use.levels}, ilvl)
