"""Rich Text Format: a document saved as .rtf (Word's and LibreOffice's "Rich Text"), and the text Outlook keeps only
as compressed RTF in a .msg (ingest/outlook.py). striprtf reads the text; this lays it out as the other readers do:
paragraphs a blank line apart, a bulleted item a "- " item, a numbered one after its number as Word drew it
("1. ..."), a table's rows one line each with cells " | " apart. Headings' styles are not read (RTF keeps them in a
style sheet striprtf does not follow), so a heading is a paragraph of its own. Title, author and date come from the
document's information group."""

from __future__ import annotations

import codecs
import re
from datetime import date
from pathlib import Path

from assistant.errors import LoadError
from ingest.markdown import row_text

_CODEPAGES = {65001: "utf-8", 20127: "ascii", 28591: "cp1252", 1200: "utf-16-le", 50220: "iso2022_jp", 50221: "iso2022_jp", 50222: "iso2022_jp", 51932: "euc_jp", 20866: "koi8_r", 21866: "koi8_u"}
# (28591, ISO 8859-1, read as Windows-1252 as browsers do: Windows' bytes 0x80-0x9F are its quotes, dashes and euro)
_ANSI_PAGE = re.compile(rb"\\ansicpg(\d{1,5})")
_BULLET = re.compile(r"^[ \t]*[\uf0b7\uf0a7\uf0d8\uf0fc\u2022\u00b7\u25aa\u25cf\u2013\u2014o§\-*ØüvqÜ][ \t]*\t[ \t]*")  # Word's Symbol and Wingdings bullets too
_NUMBER = re.compile(r"^[ \t]*(\(?[0-9]{1,3}(?:\.[0-9]{1,3})*[.)]?|\(?[a-zA-Z]{1,4}[.)])\t[ \t]*")
_INFO = {"title": re.compile(rb"\{\\title[ ]?((?:[^{}\\]|\\.)*)\}"), "author": re.compile(rb"\{\\author[ ]?((?:[^{}\\]|\\.)*)\}")}
_CREATED = re.compile(rb"\{\\creatim\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})")
_GROUP_START = re.compile(r"\{\\\*?\\?(fldinst|fonttbl)\b")
_BINARY = re.compile(r"\\bin(\d{1,9}) ?")
MAX_FONT_TABLE = 65_536  # characters: a real font table's hundred fonts take a few thousand


def windows_codec(codepage: int | None, default: str = "cp1252") -> str:
    """Python's codec for a Windows code page number; `default` (Windows-1252, Windows' own in England) for none or
    one Python does not know."""
    if not codepage:
        return default
    name = _CODEPAGES.get(codepage) or (f"iso8859_{codepage - 28590}" if 28592 <= codepage <= 28605 else f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return default


def rtf_text(raw: bytes) -> str:
    """An RTF document's text, laid out (see the module's docstring); ValueError for what is no RTF."""
    from striprtf.striprtf import rtf_to_text

    if not raw.lstrip()[:5].lower() == b"{\\rtf":
        raise ValueError("no RTF header")
    source = _without_groups(raw.decode("latin-1"))
    text = rtf_to_text(source, encoding=_encoding(raw), errors="replace")  # \'hh escapes in the document's page
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # Word's \uN pairs: an emoji one character
    return _layout(text)


def _encoding(raw: bytes) -> str:
    """The codec of an RTF's \\'hh escapes: its \\ansicpg, Mac Roman for a \\mac document, else Windows-1252."""
    head = raw[:4096]
    if found := _ANSI_PAGE.search(head):
        return windows_codec(int(found.group(1)))
    return "mac_roman" if re.match(rb"\s*\{\\rtf1?\\mac\b", head) else "cp1252"


def _without_groups(source: str) -> str:
    """The RTF less the groups striprtf would read slowly or wrongly, found by matching braces (linear): a field's
    instruction (`{\\*\\fldinst ...}`: a link's address, which is not the document's text, and which striprtf's own
    link pattern backtracks over for minutes on a long line), and a font table too long to be a real one."""
    out: list[str] = []
    at = 0
    for found in _GROUP_START.finditer(source):
        if found.start() < at:
            continue
        end = _group_end(source, found.start())
        if found.group(1) == "fonttbl" and end - found.start() <= MAX_FONT_TABLE:
            continue  # a real font table: kept, its fonts' character sets read
        out.append(source[at : found.start()])
        at = end
    out.append(source[at:])
    return "".join(out)


def _group_end(source: str, start: int) -> int:
    """The index after the brace closing the group that opens at `start`; the text's end if none does. A control
    symbol's braces ("\\{") and \\binN data do not count."""
    depth, k, n = 0, start, len(source)
    while k < n:
        char = source[k]
        if char == "\\":
            binary = _BINARY.match(source, k)
            k += (binary.end() - k + int(binary.group(1))) if binary else 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return n


def _layout(text: str) -> str:
    blocks: list[str] = []
    rows: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.rstrip().endswith("|"):  # a table's row: each cell ends in "|"
            if row := row_text(line.rstrip()[:-1].split("|")):
                rows.append(row)
            continue
        if rows:
            blocks.append("\n".join(rows))
            rows = []
        if bullet := _BULLET.match(line):
            line = "- " + line[bullet.end() :]
        elif number := _NUMBER.match(line):
            line = f"{number.group(1)} {line[number.end() :]}"
        if line := " ".join(line.split()):
            blocks.append(line)
    if rows:
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


def read_rtf(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An .rtf document (see the module's docstring); a one-line error for a file that is no RTF or that striprtf
    cannot follow."""
    from ingest.load import _message

    try:
        text = rtf_text(data)
    except ValueError as exc:
        if str(exc) == "no RTF header":
            raise LoadError(_message(path, "not an RTF document (no {\\rtf header)", "save it again as .rtf or .docx and ingest again")) from None
        raise LoadError(_message(path, f"corrupt RTF ({' '.join(str(exc).split())[:80]})", "save it again from Word as .docx and ingest again")) from None
    except (IndexError, KeyError, UnicodeError, RecursionError) as exc:
        raise LoadError(_message(path, f"corrupt RTF ({type(exc).__name__})", "save it again from Word as .docx and ingest again")) from None
    return text, _info(data), None


def _info(data: bytes) -> dict[str, str]:
    """Title, author and date created from the document's {\\info} group; the title and author's escapes read."""
    from striprtf.striprtf import rtf_to_text

    head = data  # the information group follows the font, colour, style and list tables, however long
    encoding = _encoding(data)
    meta = {}
    for field, pattern in _INFO.items():
        if found := pattern.findall(head):  # the last: after an ANSI fallback ({\\upr}), its Unicode form ({\\*\\ud})
            try:
                meta[field] = " ".join(rtf_to_text("{\\rtf1 " + found[-1].decode("latin-1") + "}", encoding=encoding, errors="replace").split())
            except (IndexError, KeyError, ValueError, UnicodeError):
                continue
    if created := _CREATED.search(head):
        try:
            meta["date"] = date(*map(int, created.groups())).isoformat()
        except ValueError:
            pass
    return meta
