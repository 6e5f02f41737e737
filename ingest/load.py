"""Turn a file (.txt, .md, .pdf, .docx, .doc, .rtf, .odt, .pptx, .ppt, .odp, .xlsx, .xls, .ods, .csv, .html, .eml, .msg) into raw
text plus the metadata found in it.

Markdown is parsed into plain text (headings as "#" lines, "- " items, table rows); PDF pages are read
in layout mode so two columns come out one after the other (ingest/columns.py). A meeting transcript (caption
file or oral evidence, ingest/transcript.py) is marked kind "transcript" in the metadata.

Every failure raises LoadError (UnsupportedFile for other extensions) with a one-line message that
names the file, says what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import io
import logging
import math
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import LoadError, UnsupportedFile
from assistant.types import LoadedDocument
from ingest.markdown import row_text
from ingest.numbering import BULLET, NONE, NUMBER, DocxNumbering, OdfNumbering, as_int, autonum_label, start_value, word_on
from ingest.runs import is_speech
from ingest.transcript import KIND as TRANSCRIPT
from ingest.transcript import SPEECH
from ingest.transcript import recognise as recognise_transcript

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

TEXT_EXTENSIONS = (".txt", ".md")
CAPTION_EXTENSIONS = (".vtt", ".srt")  # WebVTT and SubRip caption files: read as text, shaped as a caption transcript
HTML_EXTENSIONS = (".html", ".htm")
MAIL_EXTENSIONS = (".eml", ".msg")  # an email saved as a file: RFC 5322 (Thunderbird, Apple Mail, Outlook on the web), Outlook's own .msg
SUPPORTED_EXTENSIONS = (*TEXT_EXTENSIONS, *CAPTION_EXTENSIONS, ".pdf", ".docx", ".doc", ".rtf", ".odt", ".odp", ".pptx", ".ppt", ".xlsx", ".xls", ".ods", ".csv", *HTML_EXTENSIONS, *MAIL_EXTENSIONS)
OFFICE_EXTENSIONS = (".docx", ".pptx", ".xlsx")  # zip packages; a password makes one an OLE compound file
OLD_OFFICE_EXTENSIONS = (".doc", ".xls", ".ppt")  # the 97-2003 binary formats: OLE compound files
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SLIDES, SHEETS, MAIL = "slides", "spreadsheet", "email"  # meta["format"] of a slide deck, of a workbook or CSV file, of an email
PAGE_LABELS = "page_labels"  # meta: how a deck's or workbook's pages are cited, one per line ("slide 3", "sheet Summary")
MAX_FILE_ENV = "ASSISTANT_MAX_FILE_MB"
NEVER_TEXT_TAGS = ("script", "style", "noscript", "template", "svg")
DROPPED_HTML_TAGS = (*NEVER_TEXT_TAGS, "nav", "footer", "header")  # a web page's furniture
FORM_CONTROLS = ("input", "select", "textarea", "button", "option", "label", "datalist", "output")  # a form's, never its text
FORM_PAGE_SHARE = 0.5  # a form holding this share of a page's words is the page (ASP.NET), not a box on it
HTML_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "aside", "blockquote", "pre", "ul", "ol", "li", "table", "tr",
    "dl", "dt", "dd", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PARAGRAPH_TAGS = ("p", "div", "section", "article", "blockquote", "pre")  # two in one cell: the table lays out a page
_CELL = "\u2063"  # marks where a layout table's cell ends, apart from any "|" the page writes
MAX_COLSPAN = 50  # a cell's colspan beyond this is taken as this: a malformed page must not make a row of a million cells
_BLOCK = "\u2029"  # marks HTML block boundaries while whitespace inside blocks is collapsed
_BREAK = "\u2028"  # marks <br>

_LAYOUT_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, ZeroDivisionError)  # layout mode on odd fonts

# pypdf reports recoverable oddities of real-world PDFs as warnings; they are not the user's problem.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def load(path: Path, *, max_bytes: int, data: bytes | None = None) -> LoadedDocument:
    """Read one file into text (PDF pages joined by form feeds) and its title/author/date metadata.

    `data` is the file's bytes when the caller has already read them with read_bytes().
    """
    path = Path(path)
    if data is None:
        data = read_bytes(path, max_bytes)
    reader = _READERS[path.suffix.lower()]
    if path.suffix.lower() in (*OFFICE_EXTENSIONS, *OLD_OFFICE_EXTENSIONS):  # an Office file under another's name
        reader = _office_reader(path, data) or reader
    text, meta, encoding = reader(path, data)
    if not text.strip():
        raise LoadError(_message(path, "no text found (empty or only whitespace)", "check the file has content"))
    meta = {key: value for key, value in meta.items() if value}
    if kind := recognise_transcript(text, caption_file=path.suffix.lower() in CAPTION_EXTENSIONS):  # the kind infer.py reports; clean() shapes the text (ingest/transcript.py)
        meta.update(kind=TRANSCRIPT, transcript=kind)
    elif meta.get("format") not in (SLIDES, SHEETS, MAIL) and is_speech(text):  # written down without punctuation or times:
        # clean() makes it units (ingest/runs.py); a sheet's rows, a deck's bullets or an email are no speech
        meta.update(kind=TRANSCRIPT, transcript=SPEECH)
    meta.setdefault("title", _first_heading(text) or path.stem)
    return LoadedDocument(path=path, text=text, meta=meta, encoding=encoding)


def _office_reader(path: Path, data: bytes) -> Callable[[Path, bytes], tuple[str, dict[str, str], str | None]] | None:
    """The reader of what an Office file is, whatever its name says: a Word, Excel or PowerPoint file, 97-2003 (an OLE
    compound file) or 2007 on (a zip package); None when the content does not say (the name's reader then judges)."""
    if data.startswith(_OLE_MAGIC):
        return _old_binary_reader(path, data)
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        for part, reader in (("word/document.xml", _read_docx), ("xl/workbook.xml", _read_xlsx), ("ppt/presentation.xml", _read_pptx)):
            if part in names:
                return reader
    return None


def _old_binary_reader(path: Path, data: bytes) -> Callable[[Path, bytes], tuple[str, dict[str, str], str | None]]:
    """An OLE compound file: a password-protected Office package (an error that says so), or a Word, Excel or
    PowerPoint 97-2003 file, read as what it is."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir()}
    except (OSError, ValueError, IndexError, struct.error):
        streams = set()
    suffix = path.suffix.lower()
    if "encryptioninfo" in streams:
        raise LoadError(_message(path, "password-protected", "remove the password (save it again without one) and ingest again"))
    if "worddocument" in streams:
        return _read_doc
    if streams & {"workbook", "book"}:
        return _read_xls
    if "powerpoint document" in streams:
        return _read_ppt
    if suffix in OLD_OFFICE_EXTENSIONS:
        return _READERS[suffix]  # its own reader says what is wrong
    raise LoadError(_message(path, "password-protected, or not an Office file", f"remove the password or save it as {suffix} and ingest again"))


def _message(path: Path, reason: str, action: str) -> str:
    """One line: "<file>: <reason>; <what to do>"."""
    return " ".join(f"{path.name}: {reason}; {action}".split())


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the checks that do not depend on its format."""
    if not path.exists():
        raise LoadError(_message(path, f"file not found at {path}", "check the path and ingest again"))
    if not path.is_file():
        raise LoadError(_message(path, "not a regular file", "pass a file, not a folder or device"))
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFile(
            _message(path, f"unsupported file type {path.suffix or '(no extension)'!r}",
                     f"convert it to one of {', '.join(SUPPORTED_EXTENSIONS)} to include it")
        )  # fmt: skip
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(
            _message(path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit",
                     f"raise {MAX_FILE_ENV} or split the file")
        )  # fmt: skip
    if size == 0:
        raise LoadError(_message(path, "empty file (0 bytes)", "check the file was saved or copied completely"))
    try:
        return path.read_bytes()
    except PermissionError:
        raise LoadError(_message(path, "permission denied", "make the file readable (chmod +r) and ingest again")) from None
    except OSError as exc:
        raise LoadError(_message(path, f"cannot read the file ({exc.strerror or exc})", "check the disk")) from None


# --- plain text -------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode bytes: BOM if present, else strict UTF-8, else charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding).lstrip("\ufeff"), encoding
    if b"\x00" in data:
        raise LoadError(_message(path, "binary data, not text (it holds NUL bytes)", "check the file type or extension"))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect_encoding(data)
    if encoding is None:
        raise LoadError(_message(path, "binary or undecodable data, not text", "save it as UTF-8 text and ingest again"))
    return data.decode(encoding), encoding


def _detect_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess, with a prior for English text: on a tie, or when the sample is too
    short to show a language, prefer cp1252 (the Windows default; also what "latin-1" means on the web)."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence - 0.05]
    legacy = ("cp1252", "latin_1", "iso8859_1", "iso8859_15", "ascii")
    if any(enc in legacy for m in tied for enc in m.could_be_from_charset) or best.coherence < 0.1:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding


def _read_text(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    text, encoding = _decode(path, data)
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        raise LoadError(_message(path, "binary data, not text (control characters)", "check the file type or extension"))
    return text, {}, encoding


def _read_markdown(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """Markdown is parsed (ingest/markdown.py): the stored text keeps its words, headings, lists and table rows.

    The title is still the first real "#" heading: bold lines rendered as headings are section titles, not the document's.
    """
    from ingest.markdown import to_text

    text, meta, encoding = _read_text(path, data)
    return to_text(text), {**meta, "title": _first_heading(text) or path.stem}, encoding


# --- PDF --------------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(_message(path, "encrypted PDF", "remove the password and ingest it again"))
        pages = [_page_text(page) for page in reader.pages]
    except LoadError:
        raise
    except FileNotDecryptedError:
        raise LoadError(_message(path, "encrypted PDF", "remove the password and ingest it again")) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise LoadError(_message(path, f"corrupt or unreadable PDF ({reason})", "re-export or repair the PDF")) from None
    if not any(page.strip() for page in pages):
        raise LoadError(_message(path, "no text layer (scanned?); OCR is not supported", "ingest a text PDF or OCR it first"))
    return "\f".join(pages), _pdf_meta(reader), None


def _page_text(page: PageObject) -> str:
    """The page's text in reading order: pypdf's layout mode keeps columns apart, and columns.reading_order
    puts the left one before the right. A page layout mode cannot read falls back to plain extraction."""
    from ingest.columns import reading_order

    try:
        return reading_order(page.extract_text(extraction_mode="layout") or "")
    except _LAYOUT_ERRORS:
        return page.extract_text() or ""


def _pdf_meta(reader: PdfReader) -> dict[str, str]:
    """Title, author and creation date from the PDF's document information, where readable."""
    try:
        info = reader.metadata
    except Exception:  # noqa: BLE001 - a damaged info dictionary must not fail the whole load
        return {}
    if info is None:
        return {}
    meta = {"title": _clean_meta(info.title), "author": _clean_meta(info.author)}
    try:
        created = info.creation_date
    except Exception:  # noqa: BLE001 - malformed date strings are common and harmless
        created = None
    if isinstance(created, datetime):
        meta["date"] = created.date().isoformat()
    return meta


def _clean_meta(value: object) -> str:
    return " ".join(str(value).split()) if value else ""


# --- DOCX -------------------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        numbers = DocxNumbering(_docx_part(document, _NUMBERING_REL), _docx_part(document, _STYLES_REL))
        blocks = _docx_blocks(document.element.body, document._body, numbers=numbers) + _docx_notes(document)
        props = document.core_properties
        meta = {"title": _clean_meta(props.title), "author": _clean_meta(props.author)}
        if isinstance(props.created, datetime):
            meta["date"] = props.created.date().isoformat()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, AttributeError, SyntaxError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__  # (lxml's XMLSyntaxError is a SyntaxError)
        message = _message(path, f"corrupt or not a Word .docx file ({reason})", "re-save it from Word and ingest again")
        raise LoadError(message) from None
    return "\n\n".join(blocks), meta, None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What a .docx holds but no reader sees: text deleted or moved away under tracked changes, a shape's fallback copy
# for old Word (the text box again, drawn in VML), and a text box's own paragraphs (read as blocks of their own)
_DOCX_UNREAD = frozenset((f"{_W}del", f"{_W}moveFrom", "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
                          f"{_W}txbxContent"))  # fmt: skip
_DOCX_WRAPPERS = frozenset((f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo", f"{_W}smartTag"))


def _docx_blocks(container: Any, parent: Any, in_cell: bool = False, numbers: DocxNumbering | None = None) -> list[str]:
    """The blocks of a document's body (or a table cell's, a content control's, a text box's), in order: each paragraph
    (headings as "#" lines, bulleted paragraphs as "- " items, numbered ones after their number as Word shows it; in a
    cell, the text alone after its number), the text boxes anchored in it, and each table (one row per line).
    Paragraphs inside a content control ("<w:sdt>": a template's fields, a cover page) and text inserted under tracked
    changes are read as Word shows them; python-docx's own paragraphs and tables skipped both. `numbers` keeps the
    lists' counters: every paragraph passes it in document order."""
    from docx.table import Table

    blocks: list[str] = []
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            text = " ".join(_docx_text(child).split())
            counted = numbers is not None and not _mark_removed(child)  # an empty numbered paragraph counts too
            marker = numbers.marker(child) if counted else None
            if in_cell or numbers is None:
                blocks.append(f"{marker[1]} {text}" if text and marker and marker[0] == NUMBER else text)
            elif text:
                blocks.append(_docx_paragraph(child, text, numbers, marker))
            for box in _text_boxes(child):
                blocks += _docx_blocks(box, parent, in_cell, numbers)
        elif child.tag == f"{_W}tbl":
            table = Table(child, parent)
            rows = _docx_table(table, numbers)
            blocks.append(" ".join(rows.replace(" | ", " ").split()) if in_cell else rows)
        elif child.tag in _DOCX_WRAPPERS and not _lists_contents(child) and not _shows_placeholder(child):
            blocks += _docx_blocks(child, parent, in_cell, numbers)
    return [block for block in blocks if block]


_NUMBERING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


def _docx_part(document: Any, reltype: str) -> Any | None:
    """The XML of the main document's related part of one kind (its numbering or styles), or None."""
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype == reltype and not rel.is_external), None)
    return None if part is None else etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))


# Where Word keeps a document's notes: (relationship, element, the heading they are stored under, as a PDF's are)
_DOCX_NOTES = (
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes", f"{_W}footnote", "Footnotes"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes", f"{_W}endnote", "Notes"),
)


def _docx_notes(document: Any) -> list[str]:
    """The document's footnotes, then its endnotes, each under its heading at the end ("Footnotes", "Notes"), numbered
    in order, as cleaning stores a PDF's footnotes: the sources behind its claims. (python-docx reads neither.)"""
    blocks: list[str] = []
    for reltype, tag, heading in _DOCX_NOTES:
        root = _docx_part(document, reltype)
        if root is None:
            continue
        notes = [note for note in root.iter(tag) if note.get(f"{_W}type") in (None, "normal")]  # not the separator lines
        said = [text for note in notes if (text := " ".join(_docx_blocks(note, document._body, in_cell=True)))]
        blocks += _numbered_notes(heading, said)
    return blocks


def _numbered_notes(heading: str, said: list[str]) -> list[str]:
    """A document's notes as stored at its end, as cleaning stores a PDF's: their heading, then each numbered."""
    return [heading, *(f"{k}. {text}" for k, text in enumerate(said, 1))] if said else []


def _lists_contents(element: Any) -> bool:
    """A content control holding Word's table of contents: headings and page numbers again, no evidence."""
    gallery = element.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return gallery is not None and (gallery.get(f"{_W}val") or "").lower() == "table of contents"


def _shows_placeholder(element: Any) -> bool:
    """A content control never filled in: it shows its prompt ("Click or tap here to enter text."), not the document's."""
    return element.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None


def _docx_text(element: Any) -> str:
    """A paragraph's text as Word shows it: its runs' text, tracked insertions included, deletions, hidden text and text
    boxes not."""
    parts: list[str] = []
    for child in element.iterchildren():
        tag = child.tag
        if tag in _DOCX_UNREAD or (tag == f"{_W}sdt" and _shows_placeholder(child)) or (tag == f"{_W}r" and _hidden_run(child)):
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab", f"{_W}br", f"{_W}cr"):
            parts.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append(_docx_text(child))
    return "".join(parts)


def _mark_removed(paragraph: Any) -> bool:
    """A paragraph whose mark was deleted or moved away under tracked changes: the document reads without it, so its
    list does not count it."""
    mark = paragraph.find(f"{_W}pPr/{_W}rPr")
    return mark is not None and (mark.find(f"{_W}del") is not None or mark.find(f"{_W}moveFrom") is not None)


def _hidden_run(run: Any) -> bool:
    """A run formatted hidden (<w:vanish/>): Word does not show it."""
    return word_on(run, f"{_W}rPr/{_W}vanish")


def _text_boxes(paragraph: Any) -> list[Any]:
    """The text boxes drawn in a paragraph (not their fallback copies, nor a box inside another box)."""
    boxes: list[Any] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            if child.tag == f"{_W}txbxContent":
                boxes.append(child)
            elif child.tag not in _DOCX_UNREAD:
                walk(child)

    walk(paragraph)
    return boxes


def _docx_paragraph(paragraph: Any, text: str, numbers: DocxNumbering, marker: tuple[str, str] | None) -> str:
    """A paragraph's block: "#" headings (by style or outline level; a numbered one after its number), "- " bulleted
    items, numbered ones after their number ("3.2 The ICB ...", "(a) ..."), "" for a table of contents' entry. A
    paragraph of a "List ..." style in no list is a plain paragraph, as Word shows it."""
    style_id = paragraph.find(f"{_W}pPr/{_W}pStyle")
    name = numbers.style(None if style_id is None else style_id.get(f"{_W}val")).name.lower()
    if re.fullmatch(r"toc (?:heading|\d)", name):
        return ""
    numbered = f"{marker[1]} {text}" if marker and marker[0] == NUMBER else text
    if (level := numbers.heading_level(paragraph)) is not None:
        return f"{'#' * min(max(level, 1), 6)} {numbered}"
    if marker and marker[0] == BULLET:
        return f"- {text}"
    return numbered


def _docx_table(table: Any, numbers: DocxNumbering | None = None) -> str:
    """A table, one row per line, its cells " | " apart in their columns."""
    from docx.table import _Cell, _Row

    rows = []
    read: dict[int, tuple[object, str]] = {}  # id(cell element) -> (the element, held; its text): a cell merged down is read (and counted) once
    for tr in _docx_rows(table._tbl):
        row = _Row(tr, table)
        try:
            row_cells = list(row.cells)
        except ValueError:  # a cell merged down from a row inside a content control: python-docx cannot find the row above
            row_cells = [_Cell(tc, table) for tc in tr.tc_lst]
        # a cell merged across columns is returned once per column: its text once, then empty cells in its columns
        # (told apart by identity: two cells may hold the same text, "5% | 5%")
        seen: list[object] = []  # the cells' XML elements, held so that `is` tells them apart
        cells = [""] * (getattr(row, "grid_cols_before", 0) or 0)  # a row may start after the first column
        for cell in row_cells:
            if any(cell._tc is tc for tc in seen):
                cells.append("")
            else:  # a cell merged down shows in each of its rows, as before, its list counted once
                if id(cell._tc) not in read:
                    read[id(cell._tc)] = (cell._tc, "\n".join(_docx_blocks(cell._tc, cell, True, numbers)))
                cells.append(read[id(cell._tc)][1])
            seen.append(cell._tc)
        rows.append(row_text(cells))
    return "\n".join(r for r in rows if r)


def _docx_rows(container: Any) -> list[Any]:
    """A table's rows in order, those a content control or tracked insertion wraps too (python-docx's own rows skip
    them: a template's repeating section of rows)."""
    rows: list[Any] = []
    for child in container.iterchildren():
        if child.tag == f"{_W}tr":
            rows.append(child)
        elif child.tag in _DOCX_WRAPPERS and not _shows_placeholder(child):
            rows += _docx_rows(child)
    return rows


# --- ODT ---------------------------------------------------------------------------------------

_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_T, _TB, _DRAW = (f"{{{_ODF[k]}}}" for k in ("text", "table", "draw"))
# What an OpenDocument holds but no reader sees: tracked deletions, comments, a table of contents or index, the
# note's own number, fields' hidden text, a frame's alternative text and title, and a list item's drawn number
_ODT_UNREAD = frozenset((f"{_T}tracked-changes", f"{{{_ODF['office']}}}annotation", f"{_T}table-of-content",
                         f"{_T}alphabetical-index", f"{_T}illustration-index", f"{_T}note-citation", f"{_T}hidden-text",
                         f"{_T}sequence-decls", f"{_T}variable-decls", f"{_DRAW}title", f"{_DRAW}desc",
                         f"{_T}number"))  # fmt: skip  (a list item's number as its producer drew it: worked out again)


def _read_odt(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An OpenDocument text (.odt, as LibreOffice and GOV.UK publish them): headings as "#" lines by outline level,
    list items after their numbers as LibreOffice draws them (ingest.numbering.OdfNumbering) or as "- " items, tables
    one row per line, text frames in place, and the footnotes and endnotes at the end under "Footnotes" and "Notes",
    as a .docx's; text deleted under tracked changes, comments and a table of contents are left out."""
    content, meta_xml = _odf_package(path, data)
    body = content.find(f"{{{_ODF['office']}}}body/{{{_ODF['office']}}}text")
    if body is None:
        raise LoadError(_message(path, "not an OpenDocument text (no office:text body)", "save it as an .odt text document and ingest again"))
    notes: dict[str, list[str]] = {"footnote": [], "endnote": []}
    blocks = _odt_blocks(body, notes, numbers=OdfNumbering(_odf_styles(data), content))
    for kind, heading in (("footnote", "Footnotes"), ("endnote", "Notes")):
        blocks += _numbered_notes(heading, notes[kind])
    return "\n\n".join(block for block in blocks if block), _odf_meta(meta_xml), None


def _read_ods(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An OpenDocument spreadsheet (.ods, as GOV.UK publishes statistics): each sheet with anything in it a page, as
    an .xlsx's ("# " and its name, then its rows as a table's, a blank row ending a block), cited "sheet Summary"
    ("sheet Workings, hidden" for one the file hides). A cell reads as the spreadsheet shows it: an .ods stores each
    cell's shown text beside its value. Comments are left out; a row or cell repeated to pad a sheet to its edge is
    read at most MAX_REPEAT times."""
    content, meta_xml, body = _odf_body(path, data, "spreadsheet")
    hidden = _hidden_styles(content, "table-properties", f"{_TB}display", "false")
    notes: dict[str, list[str]] = {"footnote": [], "endnote": []}  # a cell's notes: a spreadsheet has no place for them
    pages, labels = [], []
    for sheet in body.iterchildren(f"{_TB}table"):
        rows: list[list[str]] = []
        for row in _odt_table_rows(sheet):
            rows += [_odf_cells(row, notes)] * min(_count(row, f"{_TB}number-rows-repeated"), MAX_REPEAT)
        text = _table_text(rows)
        if text.strip():
            name = " ".join((sheet.get(f"{_TB}name") or "").split()) or f"Sheet{len(pages) + 1}"  # one line, as labels are
            pages.append(f"# {name}\n\n{text}")
            labels.append(f"sheet {name}" + (", hidden" if sheet.get(f"{_TB}style-name") in hidden else ""))
    meta = _odf_meta(meta_xml)
    meta.update(title=meta.get("title") or path.stem, format=SHEETS)  # not the first sheet's name, which load() would take
    meta[PAGE_LABELS] = "\n".join(labels)
    return "\f".join(pages), meta, None


_PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_SLIDE_SHAPES = (f"{_DRAW}frame", f"{_DRAW}custom-shape", f"{_DRAW}rect", f"{_DRAW}g")  # what holds a slide's text
_ODP_FURNITURE = ("page-number", "footer", "date-time", "header", "page")  # the master's fields, as a .pptx's


def _read_odp(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An OpenDocument presentation (.odp, as LibreOffice Impress saves a deck), read as a .pptx is: each slide a page,
    its title a "#" heading ("# Slide N" for a slide with none), then its text boxes and tables top to bottom and left
    to right (a bullet a "- " item), then its notes under "### Speaker notes"; cited "slide 3" ("slide 3, hidden"). The
    deck's title is its own, else its first slide's."""
    content, meta_xml, body = _odf_body(path, data, "presentation")
    hidden = _hidden_styles(content, "drawing-page-properties", f"{_PRESENTATION}visibility", "hidden")
    notes: dict[str, list[str]] = {"footnote": [], "endnote": []}  # a slide's footnotes: _odt_blocks collects them; a slide has no place for them
    slides, labels = [], []
    for number, page in enumerate(body.iterchildren(f"{_DRAW}page"), 1):
        shapes = sorted((s for s in page.iterchildren(*_SLIDE_SHAPES) if s.get(f"{_PRESENTATION}class") not in _ODP_FURNITURE), key=_odp_position)
        titles = [s for s in shapes if s.get(f"{_PRESENTATION}class") == "title"]
        title = " ".join(" ".join(_odp_blocks(titles[0], notes)).split()) if titles else ""
        blocks = [f"# {title or f'Slide {number}'}"]
        for shape in shapes:
            if not titles or shape is not titles[0]:
                blocks += _odp_blocks(shape, notes)
        said = [b for held in page.iterchildren(f"{_PRESENTATION}notes") for shape in held.iterchildren(*_SLIDE_SHAPES)
                if shape.get(f"{_PRESENTATION}class") not in ("page", *_ODP_FURNITURE) for b in _odp_blocks(shape, notes)]  # fmt: skip
        if said:
            blocks += ["### Speaker notes", *said]
        slides.append("\n\n".join(block for block in blocks if block))
        labels.append(f"slide {number}" + (", hidden" if page.get(f"{_DRAW}style-name") in hidden else ""))
    meta = _odf_meta(meta_xml)
    if meta.get("title", "").lower() in GENERIC_DECK_TITLES:
        meta["title"] = _deck_title(slides[0] if slides else "") or path.stem
    meta.update(format=SLIDES)
    meta[PAGE_LABELS] = "\n".join(labels)
    return "\f".join(slides), meta, None


def _odp_position(shape: Any) -> tuple[float, float]:
    """Where a shape sits on its slide (top, then left): a group where its first shape does; a shape with no position
    first."""
    if shape.tag == f"{_DRAW}g":
        return min((_odp_position(inner) for inner in shape.iterchildren(*_SLIDE_SHAPES)), default=(-1.0, -1.0))

    def length(name: str) -> float:
        found = re.match(r"-?\d+(\.\d+)?", shape.get(f"{_SVG}{name}") or "")
        return float(found.group()) if found else -1.0

    return length("y"), length("x")


def _odp_blocks(shape: Any, notes: dict[str, list[str]]) -> list[str]:
    """A slide shape's blocks: a text box's paragraphs and lists, a table's rows, a group's shapes in turn."""
    if shape.tag == f"{_DRAW}g":
        return [b for inner in sorted(shape.iterchildren(*_SLIDE_SHAPES), key=_odp_position) for b in _odp_blocks(inner, notes)]
    blocks: list[str] = []
    for child in shape.iterchildren():
        if child.tag == f"{_DRAW}text-box":
            blocks += _odt_blocks(child, notes)
        elif child.tag in (f"{_TB}table", f"{_T}p", f"{_T}list"):
            blocks += _odt_element(child, notes, in_cell=False)
    return blocks


def _odf_body(path: Path, data: bytes, kind: str) -> tuple[Any, Any | None, Any]:
    """An OpenDocument file's content.xml, meta.xml and its body of the kind asked ("spreadsheet", "presentation");
    a LoadError if it has none."""
    content, meta_xml = _odf_package(path, data)
    office = f"{{{_ODF['office']}}}"
    body = content.find(f"{office}body/{office}{kind}")
    if body is None:
        suffix = path.suffix.lower()
        raise LoadError(_message(path, f"not an OpenDocument {kind} (no office:{kind} body)", f"save it as an {suffix} {kind} and ingest again"))
    return content, meta_xml, body


def _hidden_styles(content: Any, properties: str, attribute: str, value: str) -> set[str]:
    """The names of the automatic styles whose `properties` set `attribute` to `value` (a sheet or slide hidden)."""
    style = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
    return {
        found.get(f"{style}name")
        for found in content.iter(f"{style}style")
        if any(props.get(attribute) == value for props in found.iterchildren(f"{style}{properties}"))
    }


def _odf_package(path: Path, data: bytes) -> tuple[Any, Any | None]:
    """An OpenDocument file's content.xml and meta.xml (None without one), parsed; a LoadError if it is no such file."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    suffix = path.suffix.lower()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            manifest = package.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if "encrypted-package" in names or b"encryption-data" in manifest:
                raise LoadError(_message(path, "password-protected", "remove the password (save it again without one) and ingest again"))
            content = etree.fromstring(package.read("content.xml"), parser=parser)
            try:  # the file's title, author and date: a damaged meta.xml loses them, not the text
                meta_xml = etree.fromstring(package.read("meta.xml"), parser=parser) if "meta.xml" in names else None
            except (ValueError, SyntaxError, OSError, zlib.error, zipfile.BadZipFile):
                meta_xml = None
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError, zlib.error, NotImplementedError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise LoadError(_message(path, f"corrupt or not an OpenDocument {suffix} file ({reason})", f"re-save it as {suffix} and ingest again")) from None
    return content, meta_xml


def _odf_styles(data: bytes) -> Any | None:
    """An OpenDocument package's styles.xml, parsed (its named list styles); None if it has none or it is damaged:
    the text is read without its lists' numbers then."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "styles.xml" not in package.namelist():
                return None
            return etree.fromstring(package.read("styles.xml"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError, zlib.error, NotImplementedError, RuntimeError):
        return None  # (zipfile: NotImplementedError for a compression method it lacks, RuntimeError for a password)


def _odf_meta(meta_xml: Any | None) -> dict[str, str]:
    """An OpenDocument's own title, author and creation date."""
    if meta_xml is None:
        return {}

    def field(tag: str) -> str:
        found = meta_xml.find(f".//{tag}")
        return _clean_meta(found.text) if found is not None else ""

    meta = {"title": field(f"{{{_ODF['dc']}}}title"), "author": field(f"{{{_ODF['meta']}}}initial-creator") or field(f"{{{_ODF['dc']}}}creator")}
    if re.match(r"\d{4}-\d\d-\d\d", created := field(f"{{{_ODF['meta']}}}creation-date")):
        meta["date"] = created[:10]
    return meta


def _odt_blocks(container: Any, notes: dict[str, list[str]], in_cell: bool = False, numbers: OdfNumbering | None = None) -> list[str]:
    """The blocks of a text body, list item, table cell or frame, in order (see _read_odt). `numbers` keeps the lists'
    counters (a deck's lists are read without)."""
    return [block for child in container.iterchildren() for block in _odt_element(child, notes, in_cell, numbers)]


def _odt_element(
    element: Any, notes: dict[str, list[str]], in_cell: bool, numbers: OdfNumbering | None = None, label: str | None = None
) -> list[str]:
    """The blocks of one element of a text body: a paragraph or heading (and the frames drawn in it), a list, a frame,
    a table, or a section's own elements. `label`: a list item's number, for a heading that is one (None outside a
    list: a heading is numbered by the document's outline style, where that numbers it)."""
    tag = element.tag
    if tag in _ODT_UNREAD:
        return []
    if tag in (f"{_T}p", f"{_T}h"):
        text = " ".join(_odt_text(element, notes).split())
        if label is None and tag == f"{_T}h" and numbers is not None:
            marker = numbers.outline_marker(element)
            label = marker[1] if marker and marker[0] == NUMBER else ""
        if text and label:
            text = f"{label} {text}"
        if text and tag == f"{_T}h" and not in_cell:
            text = f"{'#' * min(_count(element, f'{_T}outline-level'), 6)} {text}"
        return [text, *_odt_frames(element, notes, in_cell, numbers)]
    if tag == f"{_T}list":
        instance, style = numbers.open_list(element) if numbers is not None else (0, None)
        blocks = _odt_list(element, notes, in_cell, numbers, (instance, style, 1))
        if numbers is not None:
            numbers.close_list(instance, style)
        return blocks
    if tag == f"{_DRAW}frame":  # a frame anchored to the page, not to a paragraph
        return _odt_frames(element, notes, in_cell, numbers)
    if tag == f"{_TB}table":
        rows = _odt_rows(element, notes, numbers)
        return [" ".join(" ".join(rows).replace(" | ", " ").split()) if in_cell else "\n".join(rows)]
    if tag in (f"{_T}section", f"{_T}soft-page-break"):
        return _odt_blocks(element, notes, in_cell, numbers)
    return []


def _odt_frames(element: Any, notes: dict[str, list[str]], in_cell: bool, numbers: OdfNumbering | None = None) -> list[str]:
    """The blocks of the text boxes drawn in an element (a paragraph's frames, a page's)."""
    return [block for box in element.iter(f"{_DRAW}text-box") for block in _odt_blocks(box, notes, in_cell, numbers)]


def _count(element: Any, attribute: str) -> int:
    """A count an attribute gives ("3" in text:c="3", a heading's outline level), 1 when absent or not a count."""
    value = element.get(attribute) or ""
    return max(int(value), 1) if value.isdigit() else 1


def _odt_text(element: Any, notes: dict[str, list[str]]) -> str:
    """A paragraph's text as LibreOffice shows it: spans and links, <text:s c="3"/> as its spaces, tabs and line
    breaks as spaces; a note's body goes to `notes` (its number stays out), a frame's text is read as blocks."""
    parts = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag
        if tag == f"{_T}s":
            parts.append(" " * _count(child, f"{_T}c"))
        elif tag in (f"{_T}tab", f"{_T}line-break"):
            parts.append(" ")
        elif tag == f"{_T}note":
            kind = child.get(f"{_T}note-class") or "footnote"
            body = child.find(f"{_T}note-body")
            if body is not None and (said := " ".join(" ".join(_odt_blocks(body, notes, in_cell=True)).split())):
                notes.setdefault(kind, []).append(said)
        elif tag not in _ODT_UNREAD and tag != f"{_DRAW}frame":
            parts.append(_odt_text(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_list(
    element: Any, notes: dict[str, list[str]], in_cell: bool, numbers: OdfNumbering | None, where: tuple[int, str | None, int]
) -> list[str]:
    """A list's blocks: each item's (or unnumbered header's) paragraphs as one item, "- " or after its number as
    LibreOffice draws it ("2.3 ..."), a numbered heading in it as a heading, and what else an item holds (a nested
    list, a table, a frame) in its place after it. `where`: the list's (instance, style, depth) for `numbers`."""
    instance, style, depth = where
    blocks: list[str] = []
    for item in element.iterchildren(f"{_T}list-item", f"{_T}list-header"):
        said: list[str] = []  # the item's words so far
        after: list[str] = []  # the frames in them, read after the item
        first = next((part for part in item.iterchildren() if part.tag not in _ODT_UNREAD and part.tag != f"{_T}soft-page-break"), None)
        counted = item.tag == f"{_T}list-item" and first is not None and first.tag in (f"{_T}p", f"{_T}h")  # not a mere holder of a list
        marker = numbers.marker(instance, style, depth, item) if numbers is not None and counted else None
        label = marker[1] if marker and marker[0] == NUMBER else ""
        plain = bool(marker) and marker[0] == NONE  # a level that draws nothing: its items are plain paragraphs
        plain = plain or (numbers is not None and item.tag == f"{_T}list-header")  # ... as is a list's header
        for part in item.iterchildren():
            if part.tag == f"{_T}p":
                if text := " ".join(_odt_text(part, notes).split()):
                    said.append(text)
                after += _odt_frames(part, notes, in_cell, numbers)
            elif part.tag == f"{_T}list":
                label = _item_done(blocks, said, after, in_cell, label, plain)
                blocks += _odt_list(part, notes, in_cell, numbers, (instance, style, depth + 1))
            elif part.tag == f"{_T}h":  # a numbered heading: the item's number, unless a paragraph before it took it
                label = _item_done(blocks, said, after, in_cell, label, plain)
                blocks += _odt_element(part, notes, in_cell, numbers, label)
                label = ""
            elif part.tag not in _ODT_UNREAD:
                label = _item_done(blocks, said, after, in_cell, label, plain)
                blocks += _odt_element(part, notes, in_cell, numbers)
        _item_done(blocks, said, after, in_cell, label, plain)
    return blocks


def _item_done(blocks: list[str], said: list[str], after: list[str], in_cell: bool, label: str = "", plain: bool = False) -> str:
    """An item's words so far as one block ("- " item outside a cell, or after its number; `plain`, as a paragraph),
    then its frames; both emptied. Only the item's first block takes its number: the label still to place is
    returned."""
    if said:
        text = " ".join(said)
        blocks.append(f"{label} {text}" if label else text if in_cell or plain else f"- {text}")
        said.clear()
        label = ""
    blocks.extend(after)
    after.clear()
    return label


def _odt_table_rows(element: Any) -> list[Any]:
    """A table's own rows, in order: inside its header rows and row groups too, never a table's nested in a cell."""
    rows: list[Any] = []
    for child in element.iterchildren():
        if child.tag == f"{_TB}table-row":
            rows.append(child)
        elif child.tag in (f"{_TB}table-header-rows", f"{_TB}table-rows", f"{_TB}table-row-group"):
            rows += _odt_table_rows(child)
    return rows


MAX_REPEAT = 50  # a row's last cell, or a row, repeated more than this is a sheet's padding to its edge, taken as this
MAX_COLUMNS = 16_384  # a row's columns (a spreadsheet's widest); cells repeated past them are not read


def _odt_rows(table: Any, notes: dict[str, list[str]], numbers: OdfNumbering | None = None) -> list[str]:
    """A table's rows, one line each, its cells " | " apart in their columns (a covered cell, under one spanning
    columns, keeps its place empty); the lists in its cells numbered and counted in the document's order."""
    return [line for row in _odt_table_rows(table) if (line := row_text(_odf_cells(row, notes, numbers)))]


def _odf_cells(row: Any, notes: dict[str, list[str]], numbers: OdfNumbering | None = None) -> list[str]:
    """A table row's cells' text, in their columns: a covered cell empty; a repeated one as often as it is repeated,
    up to MAX_COLUMNS, and the row's last one, which pads a sheet's rows to its edge, at most MAX_REPEAT times."""
    found = list(row.iterchildren(f"{_TB}table-cell", f"{_TB}covered-table-cell"))
    cells: list[str] = []
    for at, cell in enumerate(found):
        text = " ".join(_odt_blocks(cell, notes, True, numbers)) if cell.tag == f"{_TB}table-cell" else ""
        cap = MAX_REPEAT if at == len(found) - 1 else MAX_COLUMNS - len(cells)
        cells += [text] * max(0, min(_count(cell, f"{_TB}number-columns-repeated"), cap))
    return cells


# --- PPTX -------------------------------------------------------------------------------------


def _read_pptx(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """A slide deck: each slide a page (form feeds apart, as a PDF's pages), its title a "#" heading ("# Slide N" for a
    slide with none), then its text boxes, tables, charts and SmartArt in reading order (top to bottom, then left to
    right), each bullet a "- " item, a table's or chart's data one row per line, and the speaker's notes under
    "### Speaker notes". Slide numbers, footers and dates are the master's, not the slide's; a shape python-pptx
    cannot read is left out, not the deck. The deck's title is its own, unless that is PowerPoint's placeholder
    ("PowerPoint Presentation"): then its first slide's title, or first line, or the file's name."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
        slides = [_slide_text(slide, n) for n, slide in enumerate(deck.slides, 1)]
        props = deck.core_properties
        title = _clean_meta(props.title)
        if title.lower() in GENERIC_DECK_TITLES:
            title = _deck_title(slides[0] if slides else "") or path.stem
        meta = {"title": title, "author": _clean_meta(props.author), "format": SLIDES}
        if isinstance(props.created, datetime):
            meta["date"] = props.created.date().isoformat()
        labels = [f"slide {n}" + (", hidden" if slide._element.get("show") in ("0", "false") else "") for n, slide in enumerate(deck.slides, 1)]
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, AttributeError, SyntaxError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        message = _message(path, f"corrupt or not a PowerPoint .pptx file ({reason})", "re-save it from PowerPoint and ingest again")
        raise LoadError(message) from None
    meta[PAGE_LABELS] = "\n".join(labels)
    return "\f".join(slides), meta, None


GENERIC_DECK_TITLES = frozenset(("", "powerpoint presentation", "presentation", "title", "click to add title", "slide 1"))
_SLIDE_HEADING = re.compile(r"# Slide \d+")  # the heading a slide with no title is given


def _deck_title(first: str) -> str:
    """The first slide's title, or its first line of text if it has none (at most MAX_TITLE_WORDS words)."""
    for block in first.split("\n\n"):
        line = block.split("\n")[0].strip()
        if not line or _SLIDE_HEADING.fullmatch(line) or line.startswith("### "):
            continue
        said = line.lstrip("#- ").strip()
        if said and len(said.split()) <= MAX_TITLE_WORDS and said.lower() not in GENERIC_DECK_TITLES:
            return said
    return ""


MAX_TITLE_WORDS = 20  # a first slide's first line longer than this is its text, not its title


# A placeholder the master fills in on every slide: furniture, not what the slide says
_SLIDE_FURNITURE = ("SLIDE_NUMBER", "FOOTER", "DATE", "HEADER", "SLIDE_IMAGE")
_TITLES = ("TITLE", "CENTER_TITLE", "VERTICAL_TITLE")
_BULLETED = ("BODY", "OBJECT", "VERTICAL_BODY", "VERTICAL_OBJECT")  # a layout's text placeholders bullet by default
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _slide_text(slide: Any, number: int) -> str:
    """One slide's blocks, a blank line apart (see _read_pptx)."""
    try:
        title_shape = slide.shapes.title
    except _SHAPE_ERRORS:  # a shape python-pptx cannot read among the placeholders (ink): found by its type below
        title_shape = next((shape for shape in _readable(slide.shapes) if _placeholder_kind(shape) in _TITLES), None)
    title = " ".join(_frame_lines(title_shape.text_frame, bulleted=False)) if title_shape is not None and title_shape.has_text_frame else ""
    blocks = [f"# {title or f'Slide {number}'}"]
    for shape in _reading_order(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        blocks += _blocks_or_raw(shape)
    if slide.has_notes_slide and (notes := slide.notes_slide.notes_text_frame) is not None:
        said = _frame_lines(notes, bulleted=False)
        if said:
            blocks += ["### Speaker notes", *said]
    return "\n\n".join(block for block in blocks if block)


_SHAPE_ERRORS = (NotImplementedError, AttributeError, KeyError, ValueError, TypeError, IndexError)


def _reading_order(shapes: Any) -> list[Any]:
    """Shapes top to bottom, then left to right (a placeholder where the layout puts it; a shape with no position
    first); furniture left out."""
    kept = []
    for shape in _readable(shapes):
        try:
            at = (shape.top or 0, shape.left or 0)
        except _SHAPE_ERRORS:
            at = (0, 0)
        if _placeholder_kind(shape) in _SLIDE_FURNITURE:
            continue
        kept.append((at, len(kept), shape))
    return [shape for _, _, shape in sorted(kept, key=lambda k: (k[0], k[1]))]


def _readable(shapes: Any) -> list[Any]:
    """The shapes python-pptx can give (it cannot give ink, a p:contentPart, among placeholders)."""
    out = []
    for element in shapes._spTree.iter_shape_elms():
        try:
            out.append(shapes._shape_factory(element))
        except _SHAPE_ERRORS:
            continue
    return out


def _raw_lines(element: Any) -> list[str]:
    """The paragraphs (a:p) of DrawingML text read from its XML: a shape python-pptx cannot read, a SmartArt box."""
    lines = []
    for paragraph in element.iter(f"{_A}p"):
        if text := " ".join("".join(t.text or "" for t in paragraph.iter(f"{_A}t")).split()):
            lines.append(text)
    return lines


def _blocks_or_raw(shape: Any) -> list[str]:
    """A shape's blocks; its text alone, read from its XML, where python-pptx cannot read the shape (Google Slides'
    and Keynote's exports)."""
    try:
        return _shape_blocks(shape)
    except _SHAPE_ERRORS:
        return _raw_lines(shape._element)


def _placeholder_kind(shape: Any) -> str:
    """A placeholder's type's name ("TITLE", "SLIDE_NUMBER"), or "" for any other shape."""
    try:
        kind = shape.placeholder_format.type if shape.is_placeholder else None
    except _SHAPE_ERRORS:
        return ""
    return kind.name if kind is not None else ""


def _shape_blocks(shape: Any) -> list[str]:
    """A shape's blocks: a group's shapes in their own reading order, a table's rows, a chart's title and data, a text
    box's paragraphs (one block each, a bullet's as a "- " item)."""
    if shape.shape_type is not None and shape.shape_type.name == "GROUP":
        return [block for inner in _reading_order(shape.shapes) for block in _blocks_or_raw(inner)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [row_text(["" if cell.is_spanned else " ".join(cell.text.split()) for cell in row.cells]) for row in shape.table.rows]
        return ["\n".join(row for row in rows if row)]
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return _chart_blocks(shape.chart)
    if (data := _smartart_data(shape)) is not None:
        return _smartart_items(data)
    if shape.has_text_frame:
        return _frame_lines(shape.text_frame, bulleted=_placeholder_kind(shape) in _BULLETED)
    return []


def _frame_lines(frame: Any, bulleted: bool) -> list[str]:
    """A text frame's paragraphs, a soft line break a space; a bullet's (its own, or its placeholder's) as a "- " item,
    an automatically numbered one after its number as PowerPoint draws it ("2." "b)"): a run of them at one level
    counts on while deeper paragraphs come between, and starts again after any other paragraph at its level or above
    (an empty paragraph is skipped, and breaks no run)."""
    lines = []
    counted: dict[int, tuple[str, int]] = {}  # level -> (numbering scheme, the last number drawn)
    for paragraph in frame.paragraphs:
        text = " ".join(paragraph.text.replace("\v", " ").split())
        if not text:
            continue
        ppr = paragraph._p.pPr
        marks = {child.tag for child in ppr} if ppr is not None else set()
        level = min(max(as_int(ppr.get("lvl") if ppr is not None else None, 0) or 0, 0), 8)
        for deeper in [k for k in counted if k > level]:
            del counted[deeper]
        auto = ppr.find(f"{_A}buAutoNum") if ppr is not None else None
        if auto is not None:
            scheme = auto.get("type") or "arabicPeriod"
            before = counted.get(level)
            number = before[1] + 1 if before and before[0] == scheme else start_value(auto.get("startAt"))
            counted[level] = (scheme, number)
            lines.append(f"{autonum_label(scheme, number)} {text}")
            continue
        counted.pop(level, None)
        own = f"{_A}buChar" in marks
        lines.append(f"- {text}" if own or (bulleted and f"{_A}buNone" not in marks) else text)
    return lines


_SMARTART = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _smartart_data(shape: Any) -> Any | None:
    """A SmartArt graphic's data model (its boxes' text; python-pptx reads none of it), or None for any other shape."""
    from lxml import etree

    rel_ids = shape._element.find(f".//{_A}graphicData/{{{_SMARTART}}}relIds")
    if rel_ids is None or not rel_ids.get(f"{_R}dm"):
        return None
    try:
        blob = shape.part.related_part(rel_ids.get(f"{_R}dm")).blob
        return etree.fromstring(blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, ValueError, SyntaxError):
        return None


def _smartart_items(data: Any) -> list[str]:
    """A SmartArt graphic's boxes in the order its data lists them, each a "- " item (not its connectors' or
    placeholder prompts' text)."""
    items = []
    for point in data.iter(f"{{{_SMARTART}}}pt"):
        body = point.find(f"{{{_SMARTART}}}t")
        if point.get("type") in (None, "node") and body is not None:
            items += [f"- {text}" for text in _raw_lines(body)]
    return items


def _chart_blocks(chart: Any) -> list[str]:
    """A chart's title, then its data as a table: the categories, then each series' name and values. What cannot be
    read of a chart (an unusual plot's categories, say) is left out, not the rest."""
    title, rows = "", []
    try:
        if chart.has_title and chart.chart_title.has_text_frame:
            title = " ".join(chart.chart_title.text_frame.text.split())
    except _SHAPE_ERRORS:
        pass
    try:
        categories = [str(c) for c in chart.plots[0].categories] if len(chart.plots) else []
    except _SHAPE_ERRORS:
        categories = []
    if categories:
        rows.append(row_text(["", *categories]))
    try:
        for series in chart.series:
            values = ["" if v is None else _plain_number(v) if isinstance(v, (int, float)) else str(v) for v in series.values]
            rows.append(row_text([series.name or "", *values]))
    except _SHAPE_ERRORS:
        pass
    return [title, "\n".join(row for row in rows if row)]


def _plain_number(value: float) -> str:
    """A number as typed: whole numbers without a decimal point, others without float noise, never in e-notation
    below 10^15 ("1234567", "0.3", "152000000")."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


# --- spreadsheets ---------------------------------------------------------------------------


def _read_csv(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """A CSV file as one table: each row a line, its cells " | " apart in their columns; a blank row ends a block.
    The delimiter (comma, semicolon, tab or bar) is sniffed."""
    import csv

    text, encoding = _decode(path, data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:CSV_SNIFF_CHARS], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise LoadError(_message(path, f"not a readable CSV file ({exc})", "look for a quote mark never closed, or save it as CSV again")) from None
    return _table_text(rows), {"format": SHEETS, "title": path.stem}, encoding


CSV_SNIFF_CHARS = 20_000  # of a CSV file read to tell its delimiter


def _read_xlsx(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An Excel workbook: each worksheet with anything in it a page ("# " and its name, then its rows as a table's, a
    blank row ending a block), cited "sheet Summary" ("sheet Workings, hidden" for one Excel hides). A cell reads as
    Excel shows it: its number format's percent, thousands separator, decimals and currency sign, a date as a date; a
    formula as the value Excel last saved for it."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():  # openpyxl warns of what it reads past (a date out of range, an unknown extension)
            warnings.simplefilter("ignore")
            return _workbook_text(path, load_workbook(io.BytesIO(data), read_only=True, data_only=True))
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, SyntaxError, OSError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise LoadError(_message(path, f"corrupt or not an Excel .xlsx file ({reason})", "re-save it from Excel and ingest again")) from None


def _workbook_text(path: Path, book: Any) -> tuple[str, dict[str, str], str | None]:
    """_read_xlsx's text and metadata of an open workbook."""

    def sheets() -> Iterator[tuple[str, Iterable[list[str]], bool]]:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the size a sheet states may reach its last styled cell (XFD1048576): rows padded to it
            yield sheet.title, ([_cell_text(cell) for cell in row] for row in sheet.iter_rows()), sheet.sheet_state != "visible"

    text, labels = _sheet_pages(sheets())
    props = book.properties
    title = _clean_meta(props.title) or path.stem  # not the first sheet's name, which load() would take
    meta = {"title": title, "author": _clean_meta(props.creator), "format": SHEETS, PAGE_LABELS: labels}
    if isinstance(props.created, datetime):
        meta["date"] = props.created.date().isoformat()
    book.close()
    return text, meta, None


def _sheet_pages(sheets: Iterable[tuple[str, Iterable[list[str]], bool]]) -> tuple[str, str]:
    """A workbook's sheets (name, rows of cells, hidden) as pages, form feeds apart: each with anything in it "# " and
    its name, then its rows (_table_text); and their labels, one a line ("sheet Summary", "sheet Workings, hidden")."""
    pages, labels = [], []
    for name, rows, hidden in sheets:
        body = _table_text(rows)
        if body.strip():
            name = " ".join(name.split()) or f"Sheet{len(pages) + 1}"  # one line, as labels are
            pages.append(f"# {name}\n\n{body}")
            labels.append(f"sheet {name}" + (", hidden" if hidden else ""))
    return "\f".join(pages), "\n".join(labels)


def _read_xls(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An Excel workbook in the old binary format (.xls, Excel 97-2003), read by xlrd as an .xlsx is: each sheet with
    anything in it a page, cited "sheet Summary" ("sheet Workings, hidden"), each cell as its number format shows it,
    a date as a date, a formula as the value last saved for it, an error as Excel shows it ("#DIV/0!"). Each row is
    read to its last cell that holds something: a styled cell at the sheet's far corner pads nothing. Title, author and
    date are the workbook's own (else its file's name). A web page saved with an .xls name (as many systems export
    tables) is read as one."""
    import xlrd

    if markup := markup_kind(data):
        if markup != "html":
            raise LoadError(_message(path, "an Excel 2003 XML spreadsheet named .xls", "save it as .xlsx from Excel and ingest again"))
        return _read_html(path, data)
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, logfile=io.StringIO())
        text, labels = _sheet_pages(
            (sheet.name, ([_xls_cell(book, sheet.cell(r, c)) for c in range(sheet.row_len(r))] for r in range(sheet.nrows)), sheet.visibility != 0)
            for sheet in book.sheets()
        )  # fmt: skip
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        reason = " ".join(str(exc).split())[:120]
        if "encrypted" in reason.lower():
            raise LoadError(_message(path, "password-protected", "remove the password (save it again without one) and ingest again")) from None
        raise LoadError(_message(path, f"corrupt or not an Excel .xls file ({reason})", "re-save it from Excel and ingest again")) from None
    except Exception as exc:  # noqa: BLE001 - xlrd meets a damaged file with whatever error its parser hits
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise LoadError(_message(path, f"corrupt or not an Excel .xls file ({reason})", "re-save it from Excel and ingest again")) from None
    meta = {"title": path.stem}
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            meta.update({k: v for k, v in _ole_meta(ole).items() if v})  # the workbook's own title, author, date
    except (OSError, ValueError, IndexError, struct.error):
        pass
    return text, {**meta, "format": SHEETS, PAGE_LABELS: labels}, None


def _xls_cell(book: Any, cell: Any) -> str:
    """An .xls cell as Excel shows it (see _cell_text); "" for an empty one."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_TEXT:
        return " ".join(str(cell.value).split())
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    if cell.ctype not in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        return ""
    found = book.format_map.get(book.xf_list[cell.xf_index].format_key)
    fmt = ((found.format_str if found else "") or "General").split(";")[0]
    if cell.ctype == xlrd.XL_CELL_DATE:
        if re.search(r"\[[hms]+\]", fmt, re.IGNORECASE):  # a duration ("[h]:mm"), as openpyxl gives an .xlsx's
            return str(timedelta(days=cell.value))
        if 0 <= cell.value < 1:  # a time of day, with no date
            return xlrd.xldate_as_datetime(cell.value, book.datemode).time().isoformat()
        try:
            return _cell_text(_Cell(xlrd.xldate_as_datetime(cell.value, book.datemode)))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            pass
    return _number_text(float(cell.value), fmt)


@dataclass(frozen=True)
class _Cell:
    """A value as an openpyxl cell holds it, for _cell_text."""

    value: Any
    number_format: str = "General"


def _table_text(rows: Iterable[list[str]]) -> str:
    """Rows of cells as stored: one row a line (ingest.markdown.row_text), blank rows one blank line between blocks."""
    out: list[str] = []
    for cells in rows:
        line = row_text(cells)
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


_CURRENCY = re.compile(r"[£$€¥]")


def _cell_text(cell: Any) -> str:
    """A cell's value as Excel shows it (see _read_xlsx); "" for an empty one."""
    from datetime import date, time

    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(float(value), (getattr(cell, "number_format", "") or "General").split(";")[0])
    return " ".join(str(value).split())


def _number_text(value: float, fmt: str) -> str:
    """A number in an Excel number format's first section: "0.0%" gives "6.9%", "#,##0" "12,345", "£#,##0.00" or
    "[$£-809]#,##0.00" "£1,234.50", "0.00E+00" "1.23E-05"; General, a fraction's format, or one only text gives the
    number as typed (no float noise)."""
    if not math.isfinite(value):
        return str(value)
    locale = re.search(r"\[\$([^\]-]*)", fmt)  # "[$£-809]", "[$EUR]": the sign is what follows the "$"
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt)  # quoted text, [colour] and [$£-809] codes, escapes
    written = _CURRENCY.search(re.sub(r"\[[^\]]*\]", "", fmt))  # '"£"#,##0' or '£#,##0' (not a [$...] code's)
    sign = locale.group(1) if locale and locale.group(1) else (written.group(0) if written else "")
    decimals = len(m.group(1)) if (m := re.search(r"\.([0#]+)", shown)) else 0
    if "%" in shown:
        return f"{_half_up(value * 100, decimals):.{decimals}f}%"
    if scientific := re.search(r"E([+-])([0#]*)", shown, re.IGNORECASE):
        mantissa, _, exponent = f"{value:.{decimals}E}".partition("E")
        sign_shown = exponent[0] if exponent[0] == "-" or scientific.group(1) == "+" else ""
        return f"{mantissa}E{sign_shown}{exponent[1:].lstrip('0').rjust(max(len(scientific.group(2)), 1), '0')}"
    if not re.search(r"[0#]", shown) or "?" in shown or "/" in shown:  # General, text, a fraction
        return _plain_number(value)
    rounded = _half_up(abs(value), decimals)
    grouped = f"{rounded:,.{decimals}f}" if "," in shown else f"{rounded:.{decimals}f}"
    return ("-" if value < 0 and rounded else "") + sign + grouped


def _half_up(value: float, decimals: int) -> Decimal:
    """The value rounded as Excel rounds what it shows: a half away from zero (1234.5 shows 1,235), not to even."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --- HTML -------------------------------------------------------------------------------------


def markup_kind(data: bytes) -> str:
    """"html" for a web page, "xml" for another XML file (Office 2003's XML formats), "" for neither."""
    head = data[:2000].lstrip(codecs.BOM_UTF8).lstrip()
    if re.match(rb"(<!doctype html|<html|<table)", head, re.IGNORECASE):
        return "html"
    if head.startswith(b"<?xml"):
        return "html" if re.search(rb"<(html|!doctype html)\b", head, re.IGNORECASE) else "xml"
    return ""


def _read_html(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    from bs4 import UnicodeDammit

    decoded = UnicodeDammit(data, is_html=True)  # <meta charset>, a BOM, or a guess: libxml2 knows fewer encoding names
    text, title = html_text(decoded.unicode_markup or "")
    return text, {"title": title}, decoded.original_encoding


def html_text(markup: str, page: bool = True) -> tuple[str, str]:
    """The text of an HTML page (blocks a blank line apart, a data table's rows one block, its cells " | " apart) and
    its <title>. With page=False, a fragment of a document (Markdown's raw HTML blocks, ingest/markdown.py): its
    <header>, <footer> and <nav> are the document's text, not a site's furniture, and are kept."""
    from bs4 import BeautifulSoup

    # lxml closes the cells and rows a page leaves open ("<tr><td>a<td>b"), as browsers do; html.parser nests them
    soup = BeautifulSoup(markup, "lxml")
    title = _clean_meta(soup.title.get_text()) if soup.title else ""
    for tag in soup.find_all([*(DROPPED_HTML_TAGS if page else NEVER_TEXT_TAGS), "title", "head"]):
        tag.decompose()
    if page:
        _main_content_only(soup)
    _forms_as_text(soup)
    for br in soup.find_all("br"):
        br.append(_BREAK)  # inside, as the marks below: a mark put beside a tag finds its place among all its siblings
    for table in [t for t in soup.find_all("table") if not _lays_out(t)]:  # a data table: its rows one block
        caption = table.find("caption")
        lead = _BLOCK + " ".join(caption.get_text().split()) + _BLOCK if caption else ""
        rows = _html_rows(table)
        table.replace_with(lead + _BLOCK + _BREAK.join(rows) + _BLOCK if rows else lead)
    for cell in soup.find_all(["td", "th"]):  # a layout table's cells, or cells outside any table
        cell.append(_CELL)
    for tag in soup.find_all(HTML_BLOCK_TAGS):
        if tag.name and re.fullmatch(r"h[1-6]", tag.name):
            tag.insert(0, "#" * int(tag.name[1]) + " ")
        elif tag.name == "li":
            tag.insert(0, "- ")
        tag.insert(0, _BLOCK)  # a tag's first and last child: the text reads as with marks before and after it, and
        tag.append(_BLOCK)  # ... a page of 16,000 paragraphs loads in well under a second, not 23 s
    blocks = []
    for block in soup.get_text().split(_BLOCK):
        # a layout cell's mark: " | " between two cells on a line, nothing at a line's ends
        lines = (" ".join(part.strip(_CELL + " ").replace(_CELL, " | ").split()) for part in block.split(_BREAK))
        text = "\n".join(line for line in lines if line and line != "-").strip()  # "-": a list item holding only a table
        if text:
            blocks.append(text)
    return "\n\n".join(blocks), title


MAIN_SHARE = 0.5  # a page's <main> holding this share of its words or more is what the page says


def _main_content_only(soup: Any) -> None:
    """A page that marks its main content (one <main>, or role="main", as GOV.UK's and NHS England's pages do) is read
    for it alone: its cookie banner, "Skip to main content" link and "Is this page useful?" box are outside it, and
    outside the <header>, <nav> and <footer> already dropped. A <main> holding little of the page is not trusted."""
    mains = soup.find_all("main") or soup.find_all(attrs={"role": "main"})
    if len(mains) != 1 or soup.body is None or mains[0] is soup.body or mains[0] in soup.body.parents:
        return  # role="main" on <body> or <html>: the whole page is the main content
    main, page_words = mains[0], len(soup.body.get_text(" ").split())
    if not page_words or len(main.get_text(" ").split()) < MAIN_SHARE * page_words:
        return
    soup.body.clear()
    soup.body.append(main)


def _forms_as_text(soup: object) -> None:
    """Every form's controls go. A search box, a sign-up or a cookie form goes with them; a form that is the page stays,
    as its text: ASP.NET pages wrap their whole body in one <form>, with a __VIEWSTATE field, or it holds an h1, main
    or article, or most of the page's words. So does a form directly in a table, where lxml puts a form that wraps
    rows."""
    forms = soup.find_all("form")  # type: ignore[attr-defined]
    pages = [bool(f.find("input", attrs={"name": "__VIEWSTATE"}) or f.find(["h1", "main", "article"])) for f in forms]
    for form in forms:
        for control in form.find_all(FORM_CONTROLS):
            control.decompose()
    page_words = len(soup.get_text(" ").split())  # type: ignore[attr-defined]
    for form, is_page in zip(forms, pages, strict=True):
        if form.decomposed:  # inside a form already dropped
            continue
        in_table = getattr(form.parent, "name", None) in ("table", "thead", "tbody", "tfoot", "tr")
        if is_page or in_table or len(form.get_text(" ").split()) >= FORM_PAGE_SHARE * page_words:
            form.unwrap()
        else:
            form.decompose()


def _lays_out(table: object) -> bool:
    """A table that lays out a page, read as its blocks, not as rows: it holds another table or a heading, or a cell
    holds two paragraphs or more. A cell whose text a CMS wraps in one <p> or <div>, or a list, is a data cell."""
    if table.find(["table", "h1", "h2", "h3", "h4", "h5", "h6"]):  # type: ignore[attr-defined]
        return True
    return any(len(cell.find_all(_PARAGRAPH_TAGS)) >= 2 for cell in table.find_all(["td", "th"]))  # type: ignore[attr-defined]


def _span(cell: object, attribute: str) -> int:
    """A cell's colspan or rowspan as a browser reads it ("3", " 3", "2.0"), 1 when absent or unreadable, at most
    MAX_COLSPAN; a rowspan of 0 is 0 (to the end of its row group)."""
    m = re.match(r"\s*(\d{1,6})", str(cell.get(attribute) or ""), re.ASCII)  # type: ignore[attr-defined]
    n = min(int(m[1]), MAX_COLSPAN) if m else 1
    return n if attribute == "rowspan" else max(n, 1)


def _html_rows(table: object) -> list[str]:
    """A data table's rows as stored (ingest.markdown.row_text), one line each, with no blank line between them so
    that they read as one table, every cell in its column: a cell spanning columns (colspan) is followed by an empty
    cell for each column more, and one spanning rows (rowspan) is repeated in the rows below, as a DOCX table's
    vertically merged cell is."""
    rows: list[str] = []
    below: dict[int, list] = {}  # column -> [rows left, text] of a cell spanning rows
    trs = table.find_all("tr") or [table]  # type: ignore[attr-defined]  # cells with no row: one row
    for i, tr in enumerate(trs):
        if i and tr.parent is not trs[i - 1].parent:
            below = {}  # a cell spans rows of its own group (thead, tbody) only
        own = iter(tr.find_all(["td", "th"], recursive=False))
        cells: list[str] = []
        while True:
            col = len(cells)
            if col in below:
                left, value = below[col]
                cells.append(value)
                if left <= 1:
                    del below[col]
                else:
                    below[col][0] = left - 1
                continue
            cell = next(own, None)
            if cell is None:
                if any(c > col for c in below):  # a spanning cell further right: its column still comes
                    cells.append("")
                    continue
                break
            for inner in cell.find_all(HTML_BLOCK_TAGS):  # a list's items, a CMS's <p>: words apart, not glued
                inner.insert_after(" ")
            value = re.sub(f"[{_BLOCK}{_BREAK}]", " ", cell.get_text())
            down = _span(cell, "rowspan") or sum(1 for later in trs[i:] if later.parent is tr.parent)  # 0: to its group's end
            for k in range(_span(cell, "colspan")):
                if down > 1:
                    below[col + k] = [down - 1, value if k == 0 else ""]
                cells.append(value if k == 0 else "")
        if text := row_text(cells):
            rows.append(text)
    return rows


# --- Email -------------------------------------------------------------------------------------

MAX_ATTACHMENT_DEPTH = 2  # an email attached to an email attached to an email: read no deeper
MAX_MIME_DEPTH = 20  # parts nested within parts: a real email nests three or four deep
UNREAD = "unread"  # meta: the attachments an email names but ingest did not read, and why ("logo.png (not a kind ingest reads)")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg)\s*(\[\d+\])?\s*:\s*|\[(external|ext|caution|warning)\b[^\]\n]{0,20}\]\s*)+", re.IGNORECASE)
_SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature")


def _read_eml(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An email saved as a file: its subject a "#" heading, then who sent it, to whom, when and what it attaches (as a
    mail program shows them, one "- " item each), then its text (an HTML part read as a web page's text where there is
    one, else the plain text; the text parts around an inline attachment in turn), then each attachment of a kind
    ingest reads under "# Attachment: NAME", its pages run together (the email's page numbers would not be the
    attachment's), an attached email the same way, two deep. Title, author and date are the subject (less "Re:",
    "Fwd:" and "[EXTERNAL]"), the sender and the date sent. An attachment that is damaged or of another kind is left
    out, and named with why in meta[UNREAD]; it never fails the email."""
    if data.startswith(_OLE_MAGIC):  # an Outlook .msg saved under an .eml's name
        return _read_msg(path, data)
    message = _parse_mail(path, data)
    unread: list[str] = []
    try:
        text, meta = _mail_text(path, message, data, 0, unread)
    except RecursionError:
        raise _nested_too_deeply(path) from None
    if unread:
        meta[UNREAD] = "; ".join(unread)
    return text, meta, None


def _read_msg(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """Outlook's own format (ingest/outlook.py); a message exported as RFC 5322 text under a .msg name, as an .eml."""
    if not data.startswith(_OLE_MAGIC):
        return _read_eml(path, data)
    from ingest.outlook import read_msg

    return read_msg(path, data)


def _nested_too_deeply(path: Path) -> LoadError:
    return LoadError(_message(path, "parts nested too deeply to be an email", "save the message again from the mail program and ingest again"))


def _parse_mail(path: Path, data: bytes) -> Any:
    """The message in an .eml file's bytes; a LoadError if they are no email."""
    from email import policy
    from email.parser import BytesParser

    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except RecursionError:
        raise _nested_too_deeply(path) from None
    if not any(_header(message, data, h) for h in ("From", "Subject", "Date")):
        raise LoadError(_message(path, "not an email (no From, Subject or Date header)", "save the message as .eml from the mail program and ingest again"))
    return message


def _mail_text(path: Path, message: Any, raw: bytes, depth: int, unread: list[str]) -> tuple[str, dict[str, str]]:
    """One message's text and metadata (see _read_eml)."""
    said, attached = _mail_parts(message)
    names = [_attachment_name(part) for part in attached]
    to, cc = (_addresses(message, raw, name) for name in ("To", "Cc"))
    reads = [(name, partial(_attachment_text, path, part, name, depth, unread)) for part, name in zip(attached, names, strict=True)]
    subject = _clean_meta(_header(message, raw, "Subject"))
    return mail_layout(path, subject, _addresses(message, raw, "From"), to, cc, _mail_date(message, raw), [_mail_body(part) for part in said], reads, unread)


def mail_layout(
    path: Path, subject: str, sender: str, to: str, cc: str, sent: datetime | None, bodies: list[str],
    attachments: list[tuple[str, Callable[[], tuple[str, str]]]], unread: list[str], bcc: str = "",
) -> tuple[str, dict[str, str]]:  # fmt: skip
    """An email's text as a mail program shows it, whatever file it came in (an .eml here, an Outlook .msg in
    ingest/outlook.py): its subject a "#" heading, then who sent it, to whom (a sent item's Bcc too), when and what it
    attaches (one "- " item each), its text, then each attachment's text under "# Attachment: NAME" (`attachments`:
    each one's name and how to read it, giving its text or, with none, why; an attachment with no text is named in
    `unread`). Title, author and date are the subject (less "Re:", "Fwd:" and "[EXTERNAL]"), the sender and the day
    sent."""
    meta = {"title": _REPLY_PREFIX.sub("", subject).strip() or path.stem, "author": sender, "format": MAIL}
    if sent:
        meta["date"] = sent.date().isoformat()
    heads = [("From", sender), ("To", to), ("Cc", cc), ("Bcc", bcc), ("Date", f"{sent.day} {sent:%B %Y}" if sent else "")]
    heads.append(("Attachments", ", ".join(name for name, _ in attachments)))
    blocks = [f"# {subject}"] if subject else []
    blocks.append("\n".join(f"- {name}: {value}" for name, value in heads if value))  # items: fields, not headings
    blocks += bodies
    for name, read in attachments:
        text, why = read()
        if text.strip():
            blocks += [f"# Attachment: {name}", text]
        else:
            unread.append(f"{name} ({why or 'no text found'})")
    return "\n\n".join(block for block in blocks if block.strip()), meta


def _mail_parts(message: Any) -> tuple[list[Any], list[Any]]:
    """The parts a mail program shows as the message's text (of each set of alternatives, the HTML one if any, else
    the plain one) and the parts it shows as attachments; a signature, and an image drawn inside the text (a logo in
    a signature) are neither."""
    said: list[Any] = []
    attached: list[Any] = []

    def walk(part: Any, depth: int) -> None:
        kind = part.get_content_type()
        if depth > MAX_MIME_DEPTH or kind in _SIGNATURE_TYPES:
            return
        if kind == "message/rfc822":
            attached.append(part)
        elif kind == "multipart/alternative":
            options = list(part.iter_parts())
            best = next((o for o in reversed(options) if "html" in _kinds(o)), None) or next((o for o in options if "plain" in _kinds(o)), None)
            if best is not None:
                walk(best, depth + 1)
        elif part.is_multipart():
            for inner in part.iter_parts():
                walk(inner, depth + 1)
        elif kind in ("text/plain", "text/html") and part.get_content_disposition() != "attachment" and not part.get_filename():
            said.append(part)
        elif part.get_content_maintype() == "image" and part.get_content_disposition() != "attachment" and part.get("Content-ID"):
            return  # drawn in the HTML text (cid:)
        else:
            attached.append(part)

    walk(message, 0)
    return said, attached


def _kinds(part: Any) -> set[str]:
    """The text subtypes a part or its parts hold ("html", "plain")."""
    if part.get_content_maintype() == "text":
        return {part.get_content_subtype()}
    return {k for inner in part.iter_parts() for k in _kinds(inner)} if part.is_multipart() else set()


def _header(message: Any, raw: bytes, name: str) -> str:
    """A header's value decoded; 8-bit text sent with no charset (against the standard, as some mail programs do) is
    read from the raw bytes, as UTF-8 or else as Windows-1252. "" for a missing or damaged header."""
    try:
        value = str(message.get(name, "") or "")
    except (ValueError, TypeError, LookupError, IndexError, AttributeError):
        return ""
    if "\ufffd" in value or any("\udc80" <= ch <= "\udcff" for ch in value):
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        found = re.search(rb"^" + re.escape(name.encode()) + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", head, re.MULTILINE | re.IGNORECASE)
        if found:
            line = b" ".join(found.group(1).split())
            try:
                return line.decode("utf-8")
            except UnicodeDecodeError:
                return line.decode("cp1252", errors="replace")
    return value


def _addresses(message: Any, raw: bytes, name: str) -> str:
    """A header's people, by name where it gives one ("Jo Bloggs, NHS Providers"), else by address; "; " apart, as
    a name may hold a comma ("Smith, Ann")."""
    from email.utils import getaddresses

    try:
        pairs = getaddresses([_header(message, raw, name)])
    except (ValueError, TypeError, IndexError):
        return ""
    people, loose = [], []  # loose: words before a comma no address follows ("Jo Bloggs, NHS Providers <jo@...>", unquoted)
    for shown, addr in pairs:
        if addr and "@" in addr:
            people.append(", ".join([*loose, _clean_meta(shown)]).strip(", ") or addr)
            loose = []
        elif shown or addr:
            loose.append(_clean_meta(shown or addr))
    return "; ".join(people + loose)


def _mail_date(message: Any, raw: bytes) -> datetime | None:
    """When the message was sent: its Date header (RFC 5322, or ISO 8601 as some programs write it)."""
    from email.utils import parsedate_to_datetime

    value = _header(message, raw, "Date").strip()
    try:
        return parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None


def _part_bytes(part: Any) -> bytes:
    try:
        return part.get_payload(decode=True) or b""
    except (ValueError, TypeError, AssertionError, LookupError):
        return b""


def _mail_body(part: Any) -> str:
    """A text part as text: its declared charset, else (none declared, or one Python does not know) what
    charset-normalizer finds; an HTML part as a web page's text (tables and lists kept)."""
    content = decode_text(_part_bytes(part), part.get_content_charset())
    if part.get_content_type() == "text/html":
        return html_text(content, page=False)[0]
    return _unquoted(content.replace("\r\n", "\n").split("\n"))


def decode_text(data: bytes, charset: str | None) -> str:
    """An email's text bytes (an .eml's part, an Outlook message's HTML): in the charset it declares, else (none, or one
    Python does not know, or bytes it cannot decode) UTF-8, else what charset-normalizer finds."""
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(_detect_encoding(data) or "cp1252", errors="replace")


def _unquoted(lines: list[str]) -> str:
    """Plain text with a quoted reply's "> " marks gone, so its wrapped lines read on, each level of quoting a
    paragraph of its own. A line is a quote's when it opens with ">" and is one of two or more such lines together,
    or follows a line that says who wrote it ("On 6 March, Bob wrote:"): a lone "> 50% of trusts" keeps its ">"."""
    depth = [len(found.group().replace(" ", "").replace("\t", "")) if (found := _QUOTED.match(line)) else 0 for line in lines]
    quoted = [
        bool(depth[i]) and ((i > 0 and depth[i - 1]) or (i + 1 < len(lines) and depth[i + 1]) or (i > 0 and _WROTE.search(lines[i - 1])))
        for i in range(len(lines))
    ]  # fmt: skip
    out: list[str] = []
    level = 0
    for line, deep, is_quote in zip(lines, depth, quoted, strict=True):
        now = deep if is_quote else 0
        if is_quote:
            line = line[_QUOTED.match(line).end() :]
        if now != level and out and out[-1] and line.strip():
            out.append("")  # each level of quoting is a paragraph of its own
        out.append(line.rstrip())
        level = now
    return "\n".join(out).strip()


_WROTE = re.compile(r"\bwrote:\s*$", re.IGNORECASE)
_QUOTED = re.compile(r"^(?:[ \t]*>)+[ \t]?")


_MIME_SUFFIX = {
    "application/pdf": ".pdf", "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt", "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp", "text/csv": ".csv", "text/plain": ".txt",
    "text/html": ".html", "text/markdown": ".md", "message/rfc822": ".eml", "text/vtt": ".vtt",
    "application/vnd.ms-outlook": ".msg", "application/rtf": ".rtf", "text/rtf": ".rtf",
}  # fmt: skip


def _attachment_name(part: Any) -> str:
    """An attachment's file name as the mail program shows it (no folder), else one made from its type."""
    try:
        name = re.split(r"[\\/]", _clean_meta(part.get_filename() or ""))[-1]
    except (ValueError, TypeError, LookupError, AttributeError):
        name = ""
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        return "message.eml"
    return f"attachment{_MIME_SUFFIX.get(part.get_content_type(), '')}"


def _attachment_text(path: Path, part: Any, name: str, depth: int, unread: list[str]) -> tuple[str, str]:
    """An email part's text as an attachment (attached_text); an attached email is read as the message it holds."""

    def read() -> tuple[bytes, Any]:
        inner = part.get_content() if part.get_content_type() == "message/rfc822" else None
        return (inner.as_bytes() if inner is not None else _part_bytes(part)), inner

    return attached_text(path, name, part.get_content_type(), read, depth, unread)


def attached_text(path: Path, name: str, kind: str, read: Callable[[], tuple[bytes, Any]], depth: int, unread: list[str]) -> tuple[str, str]:
    """An attachment's text and, when there is none, why: read by its name's type, else by its declared MIME type
    `kind`. `read()` gives its bytes and, for an email's attached message, the message parsed. An attached email (an
    .eml's or an Outlook .msg) is read as one, MAX_ATTACHMENT_DEPTH deep at most; a damaged attachment loses itself,
    not the email."""
    suffix = Path(name).suffix.lower()
    if suffix not in _READERS:
        suffix = _MIME_SUFFIX.get(kind.lower(), suffix)
    if suffix not in _READERS:
        return "", "not a kind ingest reads"
    if suffix in MAIL_EXTENSIONS and depth >= MAX_ATTACHMENT_DEPTH:
        return "", too_deep()
    inner_path = attachment_path(path, name)
    try:
        data, inner = read()
        if not data:
            return "", "empty"
        if suffix in MAIL_EXTENSIONS and inner is None and data.startswith(_OLE_MAGIC):
            from ingest.outlook import msg_text  # an Outlook message (ingest/outlook.py)

            text = msg_text(inner_path, data, depth + 1, unread)[0]
        elif suffix in MAIL_EXTENSIONS:
            text = _mail_text(inner_path, inner if inner is not None else _parse_mail(inner_path, data), data, depth + 1, unread)[0]
        else:
            text, found, _ = _READERS[suffix](inner_path, data)
            caption = suffix in CAPTION_EXTENSIONS
            if found.get("format") not in (SLIDES, SHEETS) and not recognise_transcript(text, caption_file=caption):
                from ingest.clean import clean  # a printed document's running heads go while its pages are known (the

                text = clean(text, caption).text  # email has none); a transcript keeps its times and question numbers
    except LoadError as exc:
        return "", str(exc).split(": ", 1)[-1].split(";")[0]
    except Exception as exc:  # noqa: BLE001 - a damaged attachment loses itself, not the email
        return "", f"could not be read: {type(exc).__name__}"
    return nested(text), ""


def nested(text: str) -> str:
    """An attachment's text under its "# Attachment: NAME" heading: its headings one level down, its pages run
    together (the email's page numbers would not be the attachment's)."""
    return _ATTACHED_HEADING.sub(r"#\1 ", text.replace("\f", "\n\n"))


def attachment_path(path: Path, name: str) -> Path:
    """The name an attachment's errors and readers know it by: "evidence.eml attachment report.pdf" (a slash in an
    attached message's subject made a dash, as a file's name holds none)."""
    safe = _NOT_IN_FILE_NAMES.sub("-", name)
    return path.with_name(f"{path.name} attachment {safe}")


_NOT_IN_FILE_NAMES = re.compile(r"[/\\\x00]")


def too_deep() -> str:
    """Why an email attached deeper than MAX_ATTACHMENT_DEPTH is not read."""
    return f"an email within emails {MAX_ATTACHMENT_DEPTH + 1} deep"


_ATTACHED_HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)


def _read_doc(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    from ingest.office97 import read_doc  # the 97-2003 binary formats: ingest/office97.py

    return read_doc(path, data)


def _read_rtf(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    from ingest.rtf import read_rtf  # Rich Text Format: ingest/rtf.py

    return read_rtf(path, data)


def _read_ppt(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    from ingest.office97 import read_ppt

    return read_ppt(path, data)


def _ole_meta(ole: Any) -> dict[str, str]:
    from ingest.office97 import ole_meta

    return ole_meta(ole)


_READERS: dict[str, Callable[[Path, bytes], tuple[str, dict[str, str], str | None]]] = {
    ".txt": _read_text,
    ".vtt": _read_text,
    ".srt": _read_text,
    ".md": _read_markdown,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".doc": _read_doc,
    ".rtf": _read_rtf,
    ".odt": _read_odt,
    ".odp": _read_odp,
    ".pptx": _read_pptx,
    ".ppt": _read_ppt,
    ".xlsx": _read_xlsx,
    ".xls": _read_xls,
    ".ods": _read_ods,
    ".csv": _read_csv,
    ".html": _read_html,
    ".htm": _read_html,
    ".eml": _read_eml,
    ".msg": _read_msg,
}


def _first_heading(text: str) -> str:
    """The first markdown heading line's text, if the document has one."""
    match = re.search(r"^#{1,6}[ ]+(.+?)[ #]*$", text, re.MULTILINE)
    return " ".join(match.group(1).strip("*_ ").split()) if match else ""
