"""The Office 97-2003 binary formats: Word's .doc and PowerPoint's .ppt, read with olefile from the records the
formats' specifications ([MS-DOC], [MS-PPT]) describe; Excel's .xls is read by xlrd (ingest/load.py). Each reader
returns what ingest.load's readers return, and raises LoadError with one line for a file it cannot read."""

from __future__ import annotations

import bisect
import io
import re
import struct
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.errors import LoadError
from ingest.load import (
    _OLE_MAGIC,
    GENERIC_DECK_TITLES,
    PAGE_LABELS,
    SLIDES,
    _clean_meta,
    _deck_title,
    _message,
    _numbered_notes,
    _read_html,
    markup_kind,
)  # fmt: skip
from ingest.markdown import row_text
from ingest.numbering import BULLET, NUMBER, DocListUse, DocNumbering, Level, doc_level

# --- DOC (Word 97-2003) -------------------------------------------------------------------------

_WORD_MAGIC = 0xA5EC  # FibBase.wIdent of a Word binary document
_WORD97_NFIB = 0x00C1  # FibBase.nFib of Word 97 and later; earlier files keep no piece table this reader knows
_CHARACTER_RUNS_PAIR, _PARAGRAPH_RUNS_PAIR, _CLX_PAIR, _STYLES_PAIR = 12, 13, 33, 1  # FibRgFcLcb97's (fc, lcb) pairs
_LISTS_PAIR, _LIST_USES_PAIR = 73, 74  # ... PlfLst (the lists' definitions, their levels after it) and PlfLfo (their uses)
_NOTE_TEXT_PAIRS = {"footnotes": 3, "endnotes": 47}  # ... PlcffndTxt and PlcfendTxt: where each note's text starts
_WORD_PAGE = 512  # a formatted disk page (FKP) of character or paragraph runs
# How many characters each part of the text holds, in FibRgLw97's order (the main text first, then its stories)
_STORIES = ("text", "footnotes", "headers", "macros", "comments", "endnotes", "text boxes", "header text boxes")
_STORY_COUNTS_AT = 3  # FibRgLw97's ccpText is its fourth long
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_CELL_MARK = "\x07"  # ends a table cell, and (a paragraph of its own, marked as the row's end) a row
_NOTE_MARK = "\x02"  # an auto-numbered note's reference: it opens each note's text
_ROW_END, _IN_CELL_BREAK, _HEADING_MARK, _ITEM_MARK = "\ue001", "\ue002", "\ue000", "\ue003"  # private-use marks the reader puts in
_LABEL, _LABEL_END = "\ue004", "\ue005"  # ... around a numbered paragraph's number, before its first character
_DROPPED_FIELDS = ("TOC", "INDEX", "TOA")  # fields whose shown text is a table of contents or an index
# Word's marks in the text: line ends and breaks, hyphens, and characters that anchor pictures, drawn objects and
# note or comment references (dropped: they have no words); and the reader's own marks
_WORD_MARKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0e": "\n", "\x1e": "-", "\x1f": None, "\x01": None,
                             "\x02": None, "\x03": None, "\x04": None, "\x05": None, "\x08": None, _HEADING_MARK: None, _ITEM_MARK: None,
                             _LABEL: None, _LABEL_END: " ",
                             _IN_CELL_BREAK: " "})  # fmt: skip
# Single property modifiers (sprms) read: a character deleted under tracked changes, or hidden (Word shows neither);
# a paragraph in a table, ending a table's row, or (nested tables) in an inner table's cell or ending its row
_SPRM_DELETED, _SPRM_HIDDEN = 0x0800, 0x083C
_ON = 1  # a toggle's operand: 0 off, 1 on, 0x80 and 0x81 as the style says or its opposite (styles are not read: shown)
_SPRM_IN_TABLE, _SPRM_ROW_END, _SPRM_INNER_CELL, _SPRM_INNER_ROW_END = 0x2416, 0x2417, 0x244B, 0x244C
_SPRM_TABLE_DEFINITION, _SPRM_TABS = 0xD608, 0xC615  # variable-length operands with their own length rules
_SPRM_HUGE_PROPERTIES = 0x6646  # a paragraph's properties too long for its page: where they are in the Data stream
_SPRM_LIST, _NOT_LISTED = 0x460B, 0x07FF  # a paragraph's list (1-2047: bulleted or numbered; 0 or 0xF801: none)
_SPRM_LIST_LEVEL = 0x260A  # ... and its level in it (0-8)
_LSTF_BYTES, _LVLF_BYTES, _LFO_BYTES, _LFOLVL_BYTES = 28, 28, 16, 8
_READER_MARKS = str.maketrans({_HEADING_MARK: " ", _ROW_END: " ", _IN_CELL_BREAK: " ", _ITEM_MARK: " ", _LABEL: " ", _LABEL_END: " "})  # the document's own, if any
_OPERAND_BYTES = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # by a sprm's top three bits (spra); 6: variable


def _word_lists(table: bytes, fc: int, lcb: int, uses: bytes) -> DocNumbering | None:
    """The document's lists ([MS-DOC] 2.9.147 PlfLst, its LVLs right after it, and 2.9.146 PlfLfo), or None if the
    file keeps no list table. A damaged one raises (IndexError, struct.error, ValueError): the text is read without
    its numbers."""
    if lcb < 2:
        return None
    count = struct.unpack_from("<h", table, fc)[0]
    at = fc + lcb  # the levels follow the list definitions: 9 for each, 1 for a simple list
    lists: dict[int, dict[int, Level]] = {}
    for k in range(max(count, 0)):
        lsid, = struct.unpack_from("<i", table, fc + 2 + _LSTF_BYTES * k)
        simple = table[fc + 2 + _LSTF_BYTES * k + 26] & 0x01
        levels: dict[int, Level] = {}
        for ilvl in range(1 if simple else 9):
            at, level = _word_level(table, at)
            levels[ilvl] = level
        lists.setdefault(lsid, levels)
    list_uses: list[DocListUse] = []
    if len(uses) >= 4:
        count = struct.unpack_from("<i", uses, 0)[0]
        data_at = 4 + _LFO_BYTES * max(count, 0)
        for k in range(max(count, 0)):
            lsid, = struct.unpack_from("<i", uses, 4 + _LFO_BYTES * k)
            overrides = uses[4 + _LFO_BYTES * k + 12]
            data_at += 4  # LFOData's cp
            starts: dict[int, int] = {}
            redefined: dict[int, Level] = {}
            for _ in range(overrides):
                start, flags = struct.unpack_from("<iI", uses, data_at)
                data_at += _LFOLVL_BYTES
                ilvl = flags & 0x0F
                if flags & 0x20:  # fFormatting: a whole level follows
                    data_at, redefined[ilvl] = _word_level(uses, data_at)
                if flags & 0x10:  # fStartAt
                    starts[ilvl] = start
            list_uses.append(DocListUse(lsid, starts, redefined))
    return DocNumbering(lists, list_uses)


def _word_level(stream: bytes, at: int) -> tuple[int, Level]:
    """One LVL at `at` ([MS-DOC] 2.9.150): (where the next begins, the level)."""
    start, nfc, flags = struct.unpack_from("<iBB", stream, at)
    placeholders = stream[at + 6 : at + 15]
    chpx, papx, restart_limit = struct.unpack_from("<BBB", stream, at + 24)
    at += _LVLF_BYTES + papx + chpx
    size = struct.unpack_from("<H", stream, at)[0]
    if at + 2 + 2 * size > len(stream):
        raise ValueError("a list level runs past its stream")
    xst = stream[at + 2 : at + 2 + 2 * size].decode("utf-16-le", errors="replace")
    return at + 2 + 2 * size, doc_level(start, nfc, flags, placeholders, restart_limit, xst)


def read_doc(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """A Word document in the old binary format (.doc, Word 97-2003), read from its piece table: the main text's
    paragraphs a blank line apart, a paragraph in one of Word's built-in heading styles a "#" heading of its level, a
    table's rows one line each with cells " | " apart (a cell of two paragraphs one cell; a table inside a cell that
    cell's text), a field as the text it shows (a table of contents left out), text deleted under tracked changes or
    hidden left out, then the text boxes' text, and the footnotes and endnotes at the end under "Footnotes" and "Notes", as a
    .docx's. A numbered paragraph keeps its number as Word draws it ("2.1 ...", "(a) ...": the list tables'
    levels, counted in order, ingest.numbering), a bulleted one is a "- " item; one listed only by its style is a
    plain paragraph. Title, author and date are the file's own. A web page or an RTF document saved with a .doc name is
    read as one; a Word 2003 XML file is said to be one. (ingest.load reads another Office file under this name as what it is.)"""
    import olefile

    if data.lstrip()[:5].lower() == b"{\\rtf":  # Word's "Rich Text" saved under a .doc name
        from ingest.rtf import read_rtf

        return read_rtf(path, data)
    if markup := markup_kind(data):
        if markup != "html":
            raise LoadError(_message(path, "a Word 2003 XML document named .doc", "save it as .docx from Word and ingest again"))
        return _read_html(path, data)  # Word's "web page" save, or a system's HTML export, named .doc
    if not data.startswith(_OLE_MAGIC):
        raise LoadError(_message(path, "not a Word .doc file", "re-save it from Word as .docx and ingest again"))
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("WordDocument"):
                raise LoadError(_message(path, "an Office file with no Word document in it (a workbook or a deck named .doc?)", "save it with its own extension and ingest again"))
            stories, notes = _word_stories(path, ole.openstream("WordDocument").read(), ole)
            meta = ole_meta(ole)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file meets whatever error its records lead the reader into
        raise _damaged(path, exc, "a Word .doc", "Word as .docx") from None
    blocks = [*_word_blocks(stories["text"]), *_word_blocks(stories["text boxes"])]
    for story, heading in (("footnotes", "Footnotes"), ("endnotes", "Notes")):
        said = [" ".join(_word_blocks(note)) for note in notes[story]]
        blocks += _numbered_notes(heading, [note for note in said if note.strip()])
    return "\n\n".join(blocks), meta, None


def _damaged(path: Path, exc: Exception, what: str, resave: str) -> LoadError:
    """The one-line error for a file whose records lead the reader into an error."""
    reason = " ".join(str(exc).split())[:120] or type(exc).__name__
    return LoadError(_message(path, f"corrupt or not {what} file ({reason})", f"re-save it from {resave} and ingest again"))


def _word_stories(path: Path, word: bytes, ole: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The document's stories (_STORIES): its text as Word keeps it, with a table's row ends, a cell's inner
    paragraph breaks, each heading's level, a bulleted paragraph and a numbered one's number marked (_ROW_END,
    _IN_CELL_BREAK, _HEADING_MARK, _ITEM_MARK, _LABEL ... _LABEL_END) and deleted or hidden text gone; and the footnotes' and endnotes' stories cut into notes where the file says each note starts (a note
    marked "*" has no number to cut at)."""
    ident, nfib = struct.unpack_from("<HH", word, 0)
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    if ident != _WORD_MAGIC:
        raise LoadError(_message(path, "not a Word .doc file (no Word document header)", "re-save it from Word as .docx and ingest again"))
    if flags & 0x0100:  # fEncrypted
        raise LoadError(_message(path, "password-protected", "remove the password (save it again without one) and ingest again"))
    if nfib < _WORD97_NFIB:
        raise LoadError(_message(path, "saved by Word 95 or earlier", "re-save it from Word as .docx and ingest again"))
    table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()  # fWhichTblStm
    data = ole.openstream("Data").read() if ole.exists("Data") else b""
    at = 32 + 2 + 2 * struct.unpack_from("<H", word, 32)[0]  # past FibBase and fibRgW
    longs = at + 2
    at += 2 + 4 * struct.unpack_from("<H", word, at)[0]  # past fibRgLw
    pairs = at + 2

    def pair(index: int) -> bytes:
        fc, lcb = struct.unpack_from("<II", word, pairs + 8 * index)
        return table[fc : fc + lcb]

    counts = struct.unpack_from(f"<{len(_STORIES)}I", word, longs + 4 * _STORY_COUNTS_AT)
    pieces = _word_pieces(pair(_CLX_PAIR))
    total = min(sum(counts), pieces[-1][1] if pieces else 0)  # a damaged count must not ask for more than there is
    deleted: list[tuple[int, int]] = []
    paragraph_runs: list[tuple[int, int, dict[int, int]]] = []
    headings: dict[int, int] = {}
    try:  # each kind of formatting that changes what the text says: damaged, it is lost, not the text nor the others
        runs = _word_runs(word, pair(_CHARACTER_RUNS_PAIR), False, data)
        deleted = [(a, b) for a, b, props in runs if props.get(_SPRM_DELETED) == _ON or props.get(_SPRM_HIDDEN) == _ON]
    except (IndexError, struct.error, ValueError):
        pass
    try:
        paragraph_runs = _word_runs(word, pair(_PARAGRAPH_RUNS_PAIR), True, data)
    except (IndexError, struct.error, ValueError):
        pass
    try:
        headings = _heading_styles(pair(_STYLES_PAIR))
    except (IndexError, struct.error, ValueError):
        pass
    numbering = None
    try:
        fc, lcb = struct.unpack_from("<II", word, pairs + 8 * _LISTS_PAIR)
        numbering = _word_lists(table, fc, lcb, pair(_LIST_USES_PAIR))
    except (IndexError, struct.error, ValueError):
        pass
    text = _word_chars(word, pieces, deleted, paragraph_runs, headings, total, numbering, counts[0])
    stories, starts, start = {}, {}, 0
    for name, count in zip(_STORIES, counts, strict=True):
        stories[name] = "".join(text[start : start + count])
        starts[name] = start
        start += count
    notes = {}
    for name, index in _NOTE_TEXT_PAIRS.items():
        plc = pair(index)
        cps = struct.unpack_from(f"<{len(plc) // 4}I", plc) if len(plc) >= 8 else ()
        first = starts[name]
        if cps and all(a <= b for a, b in zip(cps, cps[1:], strict=False)) and cps[-1] <= counts[_STORIES.index(name)]:
            notes[name] = ["".join(text[first + a : first + b]) for a, b in zip(cps, cps[1:], strict=False)]
        else:  # no list of where notes start: an auto-numbered note opens with its number's mark
            notes[name] = stories[name].split(_NOTE_MARK)
    return stories, notes


def _word_pieces(clx: bytes) -> list[tuple[int, int, int, bool]]:
    """The piece table ([MS-DOC] 2.4.1): (first character, end, where its bytes start, stored one byte a character)."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        size = struct.unpack_from("<h", clx, at + 1)[0]
        if size < 0:
            raise ValueError("damaged piece table")
        at += 3 + size
    if at >= len(clx) or clx[at] != 0x02:
        raise ValueError("no piece table")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", clx, at + 5)
    pieces = []
    for i in range(count):
        fc = struct.unpack_from("<I", clx, at + 5 + 4 * (count + 1) + 8 * i + 2)[0]
        pieces.append((cps[i], cps[i + 1], fc & 0x3FFFFFFF, bool(fc & 0x40000000)))
    return pieces


def _sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """A run's property modifiers: (sprm, operand)."""
    at = 0
    while at + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, at)[0]
        at += 2
        spra = sprm >> 13
        if sprm == _SPRM_TABLE_DEFINITION and at + 2 <= len(grpprl):
            size = 2 + struct.unpack_from("<H", grpprl, at)[0] - 1
        elif sprm == _SPRM_TABS and at < len(grpprl) and grpprl[at] == 255 and at + 1 < len(grpprl):
            deleted = grpprl[at + 1]  # PChgTabsDelClose: its count, then two positions each; PChgTabsAdd: its count, then three bytes each
            added = grpprl[at + 2 + 4 * deleted] if at + 2 + 4 * deleted < len(grpprl) else 0
            size = 1 + (1 + 4 * deleted) + (1 + 3 * added)
        elif spra == 6 and at < len(grpprl):
            size = 1 + grpprl[at]
        else:
            size = _OPERAND_BYTES.get(spra, 1)
        yield sprm, grpprl[at : at + size]
        at += max(size, 1)


def _word_runs(word: bytes, plc: bytes, paragraphs: bool, data: bytes = b"") -> list[tuple[int, int, dict[int, int]]]:
    """The character or paragraph runs of the formatted disk pages a PlcBteChpx or PlcBtePapx names: (first byte of
    the text, end, {sprm: its operand (its first four bytes, as a number), and for paragraphs -1: the style index}), sorted. A paragraph's
    properties too long for its page (a wide table's row) are read from the Data stream, where the page points."""
    pages = (len(plc) - 4) // 8
    runs = []
    for k in range(pages):
        page_at = (struct.unpack_from("<I", plc, 4 * (pages + 1) + 4 * k)[0] & 0x3FFFFF) * _WORD_PAGE
        page = word[page_at : page_at + _WORD_PAGE]
        crun = page[_WORD_PAGE - 1]
        bounds = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            offset = page[4 * (crun + 1) + (13 if paragraphs else 1) * i] * 2
            props: dict[int, int] = {}
            if offset and paragraphs:  # PapxInFkp: its size in words (or 0 and the next byte), the style, the sprms
                size, grp = (2 * page[offset + 1], offset + 2) if page[offset] == 0 else (2 * page[offset] - 1, offset + 1)
                props[-1] = struct.unpack_from("<H", page, grp)[0]
                grpprl = page[grp + 2 : grp + size]
            elif offset:  # Chpx: its size, the sprms
                grpprl = page[offset + 1 : offset + 1 + page[offset]]
            else:
                grpprl = b""
            for sprm, operand in _sprms(grpprl):
                if sprm == _SPRM_HUGE_PROPERTIES and len(operand) == 4:
                    where = struct.unpack("<I", operand)[0]
                    if where + 2 <= len(data):
                        size = struct.unpack_from("<H", data, where)[0]
                        props.update((k, int.from_bytes(v[:4], "little")) for k, v in _sprms(data[where + 2 : where + 2 + size]))
                    continue
                props[sprm] = int.from_bytes(operand[:4], "little")
            runs.append((bounds[i], bounds[i + 1], props))
    runs.sort(key=lambda run: run[0])
    return runs


def _heading_styles(stsh: bytes) -> dict[int, int]:
    """Style index -> heading level, for the styles that are Word's built-in "heading 1" to "heading 9" (style
    identifiers 1-9, whatever the document's language calls them)."""
    header, count = struct.unpack_from("<HH", stsh, 0)
    at, levels = 2 + header, {}
    for index in range(count):
        size = struct.unpack_from("<H", stsh, at)[0]
        if size >= 2 and 1 <= (sti := struct.unpack_from("<H", stsh, at + 2)[0] & 0x0FFF) <= 9:
            levels[index] = sti
        at += 2 + size
    return levels


def _run_at(runs: list[tuple[int, int, dict[int, int]]], starts: list[int], where: int) -> dict[int, int]:
    i = bisect.bisect_right(starts, where) - 1
    return runs[i][2] if i >= 0 and runs[i][0] <= where < runs[i][1] else {}


def _word_chars(
    word: bytes, pieces: list[tuple[int, int, int, bool]], deleted: list[tuple[int, int]],
    paragraph_runs: list[tuple[int, int, dict[int, int]]], headings: dict[int, int], total: int,
    numbering: DocNumbering | None = None, numbered: int = 0,
) -> list[str]:  # fmt: skip
    """The document's characters in order, one string for each of its `total` character positions (a UTF-16 code
    unit: a character beyond the first 65,536, an emoji, takes two, the second ""): "" for a deleted one, a mark for a
    row's end or a cell's inner break, a heading paragraph's first character led by _HEADING_MARK once per level, a
    bulleted paragraph's by _ITEM_MARK, and a numbered one's by its number between _LABEL and _LABEL_END. Lists are
    counted (`numbering`) in the main text only, its first `numbered` positions: notes and text boxes are stories of
    their own, read without numbers, as a .docx's and an .odt's notes are."""
    starts = [run[0] for run in paragraph_runs]
    deleted_starts = [a for a, _ in deleted]
    out: list[str] = []
    paragraph_start = 0
    for start, end, fc, narrow in pieces:
        if start >= total:
            break
        end = min(end, total)
        width, first = (1, fc // 2) if narrow else (2, fc)
        raw = word[first : first + width * (end - start)]
        units = list(raw.decode("cp1252", errors="replace")) if narrow else [chr(u) for u in struct.unpack(f"<{len(raw) // 2}H", raw)]
        units += [""] * (end - start - len(units))  # a piece running past the stream's end
        skip = False
        for k, ch in enumerate(units):
            if skip:  # the second half of a pair, already read
                skip = False
                out.append("")
                continue
            if "\ud800" <= ch <= "\udbff" and k + 1 < len(units) and "\udc00" <= units[k + 1] <= "\udfff":
                ch = (ch + units[k + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                skip = True
            elif "\ud800" <= ch <= "\udfff":
                ch = "\ufffd"
            where = first + width * k
            if deleted:
                i = bisect.bisect_right(deleted_starts, where) - 1
                if i >= 0 and deleted[i][0] <= where < deleted[i][1]:
                    out.append("")
                    continue
            if ch not in ("\r", _CELL_MARK, "\x0c"):
                out.append(ch.translate(_READER_MARKS))
                continue
            props = _run_at(paragraph_runs, starts, where)
            if ch == _CELL_MARK and props.get(_SPRM_ROW_END):
                ch = _ROW_END
            elif ch == "\r" and (props.get(_SPRM_IN_TABLE) or props.get(_SPRM_INNER_CELL) or props.get(_SPRM_INNER_ROW_END)):
                ch = _IN_CELL_BREAK  # a paragraph inside a cell, or a nested table's cell or row
            elif ch == "\x0c":
                ch = "\r"  # a section's (or page's) end ends its paragraph
            level = headings.get(props.get(-1, -1), 0)
            listed = 0 < props.get(_SPRM_LIST, 0) < _NOT_LISTED
            counted = listed and numbering is not None and start + k < numbered and ch != _ROW_END
            drawn = numbering.marker(props[_SPRM_LIST], props.get(_SPRM_LIST_LEVEL, 0)) if counted and numbering else None
            shown = "".join(c for c in drawn[1] if c.isprintable()) if drawn and drawn[0] == NUMBER else ""
            label = f"{_LABEL}{shown}{_LABEL_END}" if shown else ""
            if ch == "\r":  # a paragraph of the text: a heading, a numbered or bulleted item
                item = _ITEM_MARK if listed and (drawn is None or drawn[0] == BULLET) else ""
                mark = _HEADING_MARK * level + label if level else label or item
            else:  # a paragraph in a table's cell: its number only
                mark = label
            if mark and paragraph_start < len(out):
                at = next((i for i in range(paragraph_start, len(out)) if out[i]), paragraph_start)
                out[at] = mark + out[at]
            out.append(ch)
            if ch in ("\r", _CELL_MARK, _ROW_END, _IN_CELL_BREAK):
                paragraph_start = len(out)
    return out + [""] * max(total - len(out), 0)


def _word_blocks(text: str) -> list[str]:
    """A story's paragraphs as blocks: fields as what they show, headings as "#" lines, a table's rows one line each."""
    blocks: list[str] = []
    for paragraph in _word_fields(text).split("\r"):
        if _CELL_MARK in paragraph or _ROW_END in paragraph:  # a table, then the paragraph after it
            *marked, paragraph = re.split(f"(?<={_ROW_END})", paragraph) if _ROW_END in paragraph else ["", paragraph]
            if _ROW_END in "".join(marked):
                rows = [row.removesuffix(_ROW_END).split(_CELL_MARK)[:-1] for row in marked]
            else:  # no row ends marked (damaged formatting): each run of cell marks ends a row
                cells, paragraph = paragraph.rsplit(_CELL_MARK, 1) if _CELL_MARK in paragraph else ("", paragraph)
                rows = [row.split(_CELL_MARK) for row in re.split(f"{_CELL_MARK}{_CELL_MARK}+", cells)]
            lines = (row_text([" ".join(cell.translate(_WORD_MARKS).split()) for cell in row]) for row in rows)
            blocks.append("\n".join(line for line in lines if line))
        level = len(paragraph) - len(paragraph := paragraph.lstrip(_HEADING_MARK))
        item = paragraph.startswith(_ITEM_MARK)
        label = ""
        if paragraph.startswith(_LABEL) and _LABEL_END in paragraph:
            label, _, paragraph = paragraph[1:].partition(_LABEL_END)
        said = "\n".join(" ".join(line.split()) for line in paragraph.translate(_WORD_MARKS).split("\n")).strip("\n")
        if label and said.strip():
            said = f"{label} {' '.join(said.split())}"
        if said.strip() and (level or item):
            said = f"{'#' * level if level else '-'} {' '.join(said.split())}"
        blocks.append(said)
    return [block for block in blocks if block.strip()]


def _word_fields(text: str) -> str:
    """Each field (begin mark, its code, a separator, what it shows, end mark) as what it shows; a table of contents
    or an index, nothing. Fields nest. A field never closed (a damaged file) keeps what follows it, its marks gone."""
    out: list[str] = []
    stack: list[tuple[list[str], list[bool]]] = []  # per open field: its code so far, [showing?, dropped?]
    for ch in text:
        if ch == _FIELD_BEGIN:
            stack.append(([], [False, bool(stack and stack[-1][1][1])]))
        elif ch == _FIELD_SEPARATOR and stack:
            code, state = stack[-1]
            words = "".join(code).split()
            state[0] = True
            state[1] = state[1] or bool(words and words[0].upper() in _DROPPED_FIELDS)
        elif ch == _FIELD_END and stack:
            stack.pop()
        elif ch in (_FIELD_SEPARATOR, _FIELD_END):  # a mark of no open field (a damaged file): no text
            continue
        elif stack and not stack[-1][1][0]:
            stack[-1][0].append(ch)
        elif not stack or not stack[-1][1][1]:
            out.append(ch)
    if stack:
        return text.translate({ord(_FIELD_BEGIN): None, ord(_FIELD_SEPARATOR): None, ord(_FIELD_END): None})
    return "".join(out)


def ole_meta(ole: Any) -> dict[str, str]:
    """An Office binary file's own title, author and creation date (its SummaryInformation, in the code page it
    declares: LibreOffice writes UTF-8, Office the system's)."""
    try:
        info = ole.get_metadata()
    except Exception:  # noqa: BLE001 - a damaged property set loses the metadata, not the text
        return {}
    codepage = (getattr(info, "codepage", None) or 1252) & 0xFFFF  # stored signed: UTF-8's 65001 reads as -535
    encoding = "utf-8" if codepage == 65001 else f"cp{codepage}"

    def field(value: object) -> str:
        if isinstance(value, bytes):
            try:
                value = value.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                value = value.decode("cp1252", errors="replace")
        return _clean_meta(value)

    meta = {"title": field(info.title), "author": field(info.author)}
    if isinstance(info.create_time, datetime) and info.create_time.year > 1601:
        meta["date"] = info.create_time.date().isoformat()
    return meta


# --- PPT (PowerPoint 97-2003) ------------------------------------------------------------------------

_PPT_CONTAINER = 0xF  # a record whose version nibble is 0xF holds records
_PPT_SLIDE, _PPT_NOTES = 0x03EE, 0x03F0
_PPT_SLIDE_LIST, _PPT_SLIDE_PERSIST, _PPT_SLIDE_ATOM, _PPT_SHOW_INFO = 0x0FF0, 0x03F3, 0x03EF, 0x03F9
_PPT_TEXT_HEADER, _PPT_TEXT_CHARS, _PPT_TEXT_BYTES, _PPT_OUTLINE_REF = 0x0F9F, 0x0FA0, 0x0FA8, 0x0F9E
_PPT_USER_EDIT, _PPT_PERSIST_DIRECTORY = 0x0FF5, 0x1772
_ART_GROUP, _ART_SHAPE, _ART_ANCHOR, _ART_CHILD_ANCHOR, _ART_TEXTBOX = 0xF003, 0xF004, 0xF010, 0xF00F, 0xF00D
_PPT_TITLES, _PPT_NOTES_TEXT, _PPT_OTHER_TEXT = (0, 6), 2, 4  # TextHeaderAtom's textType: a title or centred title; a notes page's body; other text
_PPT_MAX_RECORDS = 200_000  # records read from one stream: a damaged length must not walk a file for ever
_PPT_MAX_EDITS = 1_000  # incremental saves followed back


def read_ppt(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """A slide deck in the old binary format (.ppt, PowerPoint 97-2003), read as a .pptx is: each slide a page in the
    show's order, its title a "#" heading ("# Slide N" for a slide with none), its text boxes top to bottom and left to
    right (a table's cells, a row a line), then its notes under "### Speaker notes"; cited "slide 3" ("slide 3,
    hidden"). Text lives in the slide's shapes, or (as PowerPoint writes a placeholder's) in the document's list of
    slide texts the shape points into; both are read. The slides are found through the file's latest save."""
    import olefile

    if not data.startswith(_OLE_MAGIC):  # (ingest.load reads a .pptx under this name as what it is)
        raise LoadError(_message(path, "not a PowerPoint .ppt file", "re-save it from PowerPoint as .pptx and ingest again"))
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptedSummary") or not ole.exists("PowerPoint Document"):
                what = "password-protected" if ole.exists("EncryptedSummary") else "an Office file with no PowerPoint deck in it"
                raise LoadError(_message(path, what, "save it as .pptx from PowerPoint and ingest again"))
            stream = ole.openstream("PowerPoint Document").read()
            user = ole.openstream("Current User").read() if ole.exists("Current User") else b""
            slides, labels = _ppt_slides(stream, user)
            meta = ole_meta(ole)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged deck meets whatever error its records lead the reader into
        raise _damaged(path, exc, "a PowerPoint .ppt", "PowerPoint as .pptx") from None
    if meta.get("title", "").lower() in GENERIC_DECK_TITLES:
        meta["title"] = _deck_title(slides[0] if slides else "") or path.stem
    meta.update({"format": SLIDES, PAGE_LABELS: "\n".join(labels)})
    return "\f".join(slides), meta, None


def _ppt_records(stream: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """The records from start to end: (type, instance, version, where its body starts, its length)."""
    at, seen = start, 0
    while at + 8 <= end and seen < _PPT_MAX_RECORDS:
        head, kind, length = struct.unpack_from("<HHI", stream, at)
        body = at + 8
        length = min(length, end - body)
        yield kind, head >> 4, head & 0xF, body, length
        at, seen = body + length, seen + 1


def _ppt_persist(stream: bytes, user: bytes) -> tuple[dict[int, int], int]:
    """Where each persisted object (slide, notes, the document) starts, by its id, newest save first; and the
    document's id."""
    edit = struct.unpack_from("<I", user, 16)[0] if len(user) >= 20 else None
    offsets: dict[int, int] = {}
    document = 0
    for _ in range(_PPT_MAX_EDITS):
        if edit is None or edit + 8 > len(stream) or struct.unpack_from("<H", stream, edit + 2)[0] != _PPT_USER_EDIT:
            break
        last_edit, directory, document_id = struct.unpack_from("<III", stream, edit + 16)
        document = document or document_id
        if struct.unpack_from("<H", stream, directory + 2)[0] == _PPT_PERSIST_DIRECTORY:
            at = directory + 8
            end = at + struct.unpack_from("<I", stream, directory + 4)[0]
            while at + 4 <= end:
                entry = struct.unpack_from("<I", stream, at)[0]
                first, count = entry & 0xFFFFF, entry >> 20
                for k in range(count):
                    offsets.setdefault(first + k, struct.unpack_from("<I", stream, at + 4 + 4 * k)[0])
                at += 4 + 4 * count
        edit = last_edit or None
    if not offsets:
        raise ValueError("no persist directory")
    return offsets, document


def _ppt_text(stream: bytes, kind: int, body: int, length: int) -> str:
    raw = stream[body : body + length]
    text = raw.decode("utf-16-le", errors="replace") if kind == _PPT_TEXT_CHARS else raw.decode("latin-1")
    return text.replace("\x0b", "\n").replace("\r", "\n")


def _ppt_slides(stream: bytes, user: bytes) -> tuple[list[str], list[str]]:
    """Each slide's text (see read_ppt) and its label, in the show's order."""
    offsets, document = _ppt_persist(stream, user)
    doc_at = offsets[document]
    doc_end = doc_at + 8 + struct.unpack_from("<I", stream, doc_at + 4)[0]
    order: list[int] = []
    listed: dict[int, list[tuple[int, str]]] = {}  # a slide's texts in the document's slide list: (textType, text)
    notes_pages: dict[int, int] = {}  # a notes page's id (as a slide names it) -> its persisted object's id
    for _, instance, body, length in _ppt_records_of(stream, doc_at + 8, doc_end, (_PPT_SLIDE_LIST,), deep=True):
        if instance == 2:  # the notes pages' list
            for kind, _, _, atom, size in _ppt_records(stream, body, body + length):
                if kind == _PPT_SLIDE_PERSIST and size >= 16:
                    persist, _, _, page = struct.unpack_from("<IIII", stream, atom)
                    notes_pages[page] = persist
        if instance != 0:  # 1: masters
            continue
        current: list[tuple[int, str]] | None = None
        text_type = _PPT_OTHER_TEXT
        for kind, _, _, atom, size in _ppt_records(stream, body, body + length):
            if kind == _PPT_SLIDE_PERSIST:
                persist = struct.unpack_from("<I", stream, atom)[0]
                order.append(persist)
                current = listed.setdefault(persist, [])
            elif kind == _PPT_TEXT_HEADER:
                text_type = struct.unpack_from("<I", stream, atom)[0]
            elif kind in (_PPT_TEXT_CHARS, _PPT_TEXT_BYTES) and current is not None:
                current.append((text_type, _ppt_text(stream, kind, atom, size)))
    slides, labels = [], []
    for number, persist in enumerate(order, 1):
        at = offsets.get(persist)
        if at is None or struct.unpack_from("<H", stream, at + 2)[0] != _PPT_SLIDE:
            continue
        end = at + 8 + struct.unpack_from("<I", stream, at + 4)[0]
        title, shapes = _ppt_shapes(stream, at + 8, end, listed.get(persist, []))
        blocks = [f"# {title or f'Slide {number}'}", *shapes]
        notes = _ppt_notes(stream, offsets, notes_pages, at + 8, end)
        if notes:
            blocks += ["### Speaker notes", *notes]
        slides.append("\n\n".join(block for block in blocks if block.strip()))
        hidden = any(struct.unpack_from("<H", stream, body + 10)[0] & 0x4 for _, _, body, size in _ppt_records_of(stream, at + 8, end, (_PPT_SHOW_INFO,), deep=True) if size >= 12)
        labels.append(f"slide {number}" + (", hidden" if hidden else ""))
    return slides, labels


def _ppt_shapes(stream: bytes, start: int, end: int, listed: list[tuple[int, str]]) -> tuple[str, list[str]]:
    """A slide's title and the blocks of its other shapes in reading order; a group whose shapes hold text in a grid
    (a table) reads a row a line, its cells " | " apart."""
    title = ""
    placed: list[tuple[tuple[int, int], str, bool]] = []  # (top, left), its text, a table's rows

    def shape_text(body: int, length: int) -> tuple[int, str] | None:
        for _, _, atom, size in _ppt_records_of(stream, body, body + length, (_ART_TEXTBOX,), deep=True):
            texts = list(_ppt_box_texts(stream, atom, size, listed))
            return (texts[-1][0] if texts else _PPT_OTHER_TEXT), "\n".join(said for _, said in texts)
        return None

    def anchor(body: int, length: int) -> tuple[int, int]:
        for kind, _, atom, size in _ppt_records_of(stream, body, body + length, (_ART_ANCHOR, _ART_CHILD_ANCHOR)):
            if kind == _ART_ANCHOR and size == 8:
                top, left = struct.unpack_from("<hh", stream, atom)
            elif size >= 16:
                left, top = struct.unpack_from("<ii", stream, atom)
            else:
                continue
            return top, left
        return -1, -1

    def read_group(body: int, length: int) -> None:
        """A group's shapes: the first is the group's own, with no text; a group of shapes in a grid is a table."""
        members = list(_ppt_records_of(stream, body, body + length, (_ART_GROUP, _ART_SHAPE)))[1:]
        cells = [(anchor(b, n), t[1]) for k, _, b, n in members if k == _ART_SHAPE and (t := shape_text(b, n)) and t[1].strip()]
        if rows := _grid_rows(cells):  # a table's borders are shapes too, with no text
            placed.append((min(where for where, _ in cells), "\n".join(row_text(row) for row in rows), True))
            return
        for kind, _, b, n in members:
            if kind == _ART_GROUP:
                read_group(b, n)
            else:
                read_shape(b, n)

    def read_shape(body: int, length: int) -> None:
        nonlocal title
        found = shape_text(body, length)
        if not found or not found[1].strip():
            return
        text_type, said = found
        if text_type in _PPT_TITLES and not title:
            title = " ".join(said.split())
        else:
            placed.append((anchor(body, length), said, False))

    root = next(_ppt_records_of(stream, start, end, (_ART_GROUP,), deep=True), None)  # the drawing's own group
    if root is not None:
        read_group(root[2], root[3])
    placed.sort(key=lambda item: item[0])
    blocks = [said if table else " ".join(line.split()) for _, said, table in placed for line in ([said] if table else said.split("\n"))]
    return title, [block for block in blocks if block]


def _ppt_records_of(stream: bytes, start: int, end: int, kinds: tuple[int, ...], deep: bool = False) -> Iterator[tuple[int, int, int, int]]:
    """The records of the kinds asked directly inside start..end, or (deep) at any depth but not inside one found, in
    file order: (type, instance, body, length)."""
    for kind, instance, version, body, length in _ppt_records(stream, start, end):
        if kind in kinds:
            yield kind, instance, body, length
        elif deep and version == _PPT_CONTAINER:
            yield from _ppt_records_of(stream, body, body + length, kinds, deep=True)


def _grid_rows(cells: list[tuple[tuple[int, int], str]]) -> list[list[str]]:
    """Shapes laid out as a table (two rows or more of the same number of shapes, two or more, each row at one height)
    as rows, top to bottom, each left to right; [] for shapes laid out otherwise."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (top, left), said in cells:
        rows.setdefault(top, []).append((left, " ".join(said.split())))
    widths = {len(row) for row in rows.values()}
    if len(rows) < 2 or len(widths) != 1 or widths.pop() < 2:
        return []
    return [[said for _, said in sorted(rows[top])] for top in sorted(rows)]


def _ppt_box_texts(stream: bytes, box: int, size: int, listed: Sequence[tuple[int, str]] = ()) -> Iterator[tuple[int, str]]:
    """A text box's texts in order, each with its TextHeaderAtom's type: its own text atoms, or the text of the
    document's slide list an OutlineTextRefAtom points to (`listed`, as PowerPoint keeps a placeholder's)."""
    text_type = _PPT_OTHER_TEXT
    for kind, _, _, atom, length in _ppt_records(stream, box, box + size):
        if kind == _PPT_TEXT_HEADER:
            text_type = struct.unpack_from("<I", stream, atom)[0]
        elif kind in (_PPT_TEXT_CHARS, _PPT_TEXT_BYTES):
            yield text_type, _ppt_text(stream, kind, atom, length)
        elif kind == _PPT_OUTLINE_REF and (index := struct.unpack_from("<I", stream, atom)[0]) < len(listed):
            text_type = listed[index][0]
            yield text_type, listed[index][1]


def _ppt_notes(stream: bytes, offsets: dict[int, int], notes_pages: dict[int, int], start: int, end: int) -> list[str]:
    """The text of a slide's notes page (its SlideAtom names the page by id; the notes list says where it is)."""
    for _, _, body, size in _ppt_records_of(stream, start, end, (_PPT_SLIDE_ATOM,)):
        if size < 24:
            return []
        at = offsets.get(notes_pages.get(struct.unpack_from("<I", stream, body + 16)[0], -1))
        if at is None or struct.unpack_from("<H", stream, at + 2)[0] != _PPT_NOTES:
            return []
        notes_end = at + 8 + struct.unpack_from("<I", stream, at + 4)[0]
        said = [
            " ".join(line.split())
            for _, _, box, n in _ppt_records_of(stream, at + 8, notes_end, (_ART_TEXTBOX,), deep=True)
            for text_type, text in _ppt_box_texts(stream, box, n)
            if text_type == _PPT_NOTES_TEXT
            for line in text.split("\n")
        ]
        return [line for line in said if line]
    return []


