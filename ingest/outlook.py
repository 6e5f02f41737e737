"""Outlook's own email files (.msg, MS-OXMSG): a message saved from Outlook, as NHS and council staff keep evidence sent
to them. Read with olefile (an OLE compound file, as Office 97-2003 files are) into the layout an .eml gets
(ingest.load.mail_layout): the subject a heading; who sent it, to whom, when and what it attaches; its text; each
attachment of a kind ingest reads under "# Attachment: NAME", an attached message too, two deep.

A message keeps its fields as MAPI properties: each variable-length one a stream of its own
("__substg1.0_0037001F": property 0x0037, the subject, as UTF-16), each fixed-length one (a time, a number, a flag) a
16-byte entry of the storage's "__properties_version1.0" stream. Recipients and attachments are storages of their
own; an attached message is a storage inside its attachment's.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from assistant.errors import LoadError
from ingest.load import (
    MAX_ATTACHMENT_DEPTH,
    UNREAD,
    _attachment_text,
    _clean_meta,
    _mail_body,
    _mail_parts,
    _message,
    _unquoted,
    attached_text,
    attachment_path,
    decode_text,
    html_text,
    mail_layout,
    nested,
    too_deep,
)
from ingest.load import _attachment_name as _mime_name
from ingest.rtf import rtf_text, windows_codec

PROPERTIES = "__properties_version1.0"
_HEADER_BYTES = {"message": 32, "embedded": 24, "other": 8}  # the properties stream's header before its 16-byte entries
_STRING, _STRING8, _BINARY, _LONG, _BOOLEAN, _TIME = 0x001F, 0x001E, 0x0102, 0x0003, 0x000B, 0x0040
_EMBEDDED = "__substg1.0_3701000D"  # an attachment's storage holding the message it attaches
_CLASS, _SUBJECT, _BODY, _HTML, _RTF = 0x001A, 0x0037, 0x1000, 0x1013, 0x1009
_SENDER_NAME, _SENDER_ADDRESS, _SENDER_SMTP = 0x0C1A, 0x0C1F, 0x5D01
_REPRESENTING_NAME, _REPRESENTING_ADDRESS, _REPRESENTING_SMTP = 0x0042, 0x0065, 0x5D02  # the mailbox it is sent for
_DISPLAY_TO, _DISPLAY_CC, _DISPLAY_BCC, _SUBMITTED, _DELIVERED, _HEADERS = 0x0E04, 0x0E03, 0x0E02, 0x0039, 0x0E06, 0x007D
_CODEPAGE, _INTERNET_CODEPAGE = 0x3FFD, 0x3FDE
_RECIPIENT_TYPE, _DISPLAY_NAME, _RECIPIENT_SMTP, _RECIPIENT_ADDRESS = 0x0C15, 0x3001, 0x39FE, 0x3003
_ATTACH_DATA, _ATTACH_METHOD, _LONG_NAME, _SHORT_NAME, _ATTACH_MIME, _CONTENT_ID = 0x3701, 0x3705, 0x3707, 0x3704, 0x370E, 0x3712
_ATTACH_FLAGS, _MHTML_REFERENCE, _HIDDEN = 0x3714, 0x4, 0x7FFE
_BY_VALUE, _MESSAGE, _OLE_OBJECT = 1, 5, 6  # attach methods (2-4 link to a file elsewhere)
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_STORAGE_ENTRY, _STREAM_ENTRY = 1, 2  # a compound file directory entry's type (olefile.STGTY_STORAGE, STGTY_STREAM)
_DATE = re.compile(r"^Date:[ \t]*(.+)$", re.MULTILINE | re.IGNORECASE)


def read_msg(path: Path, data: bytes) -> tuple[str, dict[str, str], str | None]:
    """An Outlook message saved as a file (see the module's docstring); its attachments that have no text, or are of
    a kind ingest does not read, are named in meta[UNREAD] with why. A file that is no Outlook message says so."""
    unread: list[str] = []
    text, meta = msg_text(path, data, 0, unread)
    if unread:
        meta[UNREAD] = "; ".join(unread)
    return text, meta, None


def msg_text(path: Path, data: bytes, depth: int, unread: list[str]) -> tuple[str, dict[str, str]]:
    """The message in a .msg file's bytes, `depth` emails deep (see read_msg)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists(PROPERTIES):
                raise LoadError(_message(path, "an Office 97-2003 file, not an Outlook message", "save it with its own extension (.doc, .xls, .ppt) and ingest again"))
            return _message_text(path, _Storage(ole, "", "message"), depth, unread)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file meets whatever error its records lead the reader into
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise LoadError(_message(path, f"corrupt or not an Outlook message ({reason})", "save the message from Outlook again and ingest again")) from None


class _Storage:
    """One object of a message file (the message, an attached message, a recipient, an attachment): its properties."""

    def __init__(self, ole: Any, prefix: str, role: str, codepage: str = "cp1252") -> None:
        self.ole, self.prefix = ole, prefix
        self.entry = ole.root
        for part in prefix.strip("/").split("/") if prefix else ():  # the storage's directory entry, found by name once:
            self.entry = self.entry.kids_dict[part.lower()]  # olefile's own lookup by path reads every sibling each time
        self.fixed: dict[int, tuple[int, bytes]] = {}  # property id -> (type, its 8 bytes)
        stream = self._read(PROPERTIES)
        for at in range(_HEADER_BYTES[role], len(stream) - 15, 16):
            tag, _flags, value = struct.unpack_from("<II8s", stream, at)
            self.fixed[tag >> 16] = (tag & 0xFFFF, value)
        own = self.number(_CODEPAGE) or self.number(_INTERNET_CODEPAGE)
        self.codepage = windows_codec(own) if own else codepage  # of its 8-bit strings: a recipient's or attachment's is its message's

    def _read(self, name: str) -> bytes:
        """A stream of this storage's own; b"" when it has none. (olefile.OleFileIO.openstream, less its search by
        path, which costs the square of the attachments in a message of many.)"""
        entry = self.entry.kids_dict.get(name.lower())
        if entry is None or entry.entry_type != _STREAM_ENTRY:
            return b""
        return self.ole._open(entry.isectStart, entry.size).read()  # noqa: SLF001 - olefile==0.47, pinned

    def text(self, pid: int) -> str:
        """A string property: Unicode, else 8-bit in the message's code page; "" when it has none."""
        if raw := self._read(f"__substg1.0_{pid:04X}{_STRING:04X}"):
            return raw.decode("utf-16-le", errors="replace").split("\0", 1)[0]
        if raw := self._read(f"__substg1.0_{pid:04X}{_STRING8:04X}"):
            try:
                text = raw.decode(self.codepage)
            except UnicodeDecodeError:  # a code page the message states wrongly: Windows' own, as Outlook's default
                text = raw.decode("cp1252", errors="replace")
            return text.split("\0", 1)[0]
        return ""

    def binary(self, pid: int) -> bytes:
        return self._read(f"__substg1.0_{pid:04X}{_BINARY:04X}")

    def number(self, pid: int) -> int | None:
        """A number's or a flag's value (a flag 1 or 0); None when the object has none."""
        kind, value = self.fixed.get(pid, (0, b""))
        if kind == _BOOLEAN:
            return int(value[0] != 0)
        return struct.unpack_from("<i", value)[0] if kind == _LONG else None

    def time(self, pid: int) -> datetime | None:
        kind, value = self.fixed.get(pid, (0, b""))
        if kind != _TIME:
            return None
        ticks = struct.unpack_from("<Q", value)[0]
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10) if ticks else None
        except OverflowError:
            return None

    def children(self, kind: str) -> list[str]:
        """The prefixes of the recipients' ("__recip_version1.0_#") or attachments' ("__attach_version1.0_#")
        storages directly inside this one, in their order."""
        return sorted(f"{self.prefix}{kid.name}/" for kid in self.entry.kids if kid.name.lower().startswith(kind) and kid.entry_type == _STORAGE_ENTRY)

    def has(self, name: str) -> bool:
        return name.lower() in self.entry.kids_dict


def _message_text(path: Path, message: _Storage, depth: int, unread: list[str]) -> tuple[str, dict[str, str]]:
    """One message's text and metadata, laid out as an .eml's (ingest.load.mail_layout). A signed message (S/MIME)
    keeps its text and attachments in a MIME message of its own, attached: they are read from it. An encrypted or
    rights-protected one is an error that says so. An attachment whose storage is damaged is named, with why, and
    never fails the message."""
    kind = message.text(_CLASS).lower()
    if kind.startswith("ipm.note.smime") and "multipartsigned" not in kind:
        raise LoadError(_message(path, "signed or encrypted with S/MIME as one sealed part, so its text cannot be read", "open it in Outlook, save it as PDF or .eml, and ingest again"))
    html = _html(message)
    attachments: list[tuple[str, Callable[[], tuple[str, str]]]] = []
    signed = None
    for k, prefix in enumerate(message.children("__attach_version1.0_#"), 1):
        try:
            attachment = _Storage(message.ole, prefix, "other", message.codepage)
            name = _attachment_name(attachment)
            if name.lower() == "message.rpmsg":
                raise LoadError(_message(path, "protected by rights management (message.rpmsg), so its text cannot be read", "open it in Outlook, save it as PDF, and ingest again"))
            if "multipartsigned" in kind and attachment.text(_ATTACH_MIME).lower() == "multipart/signed":
                signed = attachment
            elif not _drawn_in(attachment, html):
                attachments.append((name, _reader(path, attachment, name, depth, unread)))
        except LoadError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged attachment loses itself, not the message
            attachments.append((f"attachment {k}", lambda exc=exc: ("", f"could not be read: {type(exc).__name__}")))
    if signed is not None:  # its text and attachments are the attached MIME message's
        from email import policy
        from email.parser import BytesParser

        said, parts = _mail_parts(BytesParser(policy=policy.default).parsebytes(signed.binary(_ATTACH_DATA)))
        bodies = [_mail_body(part) for part in said]
        attachments = [(name, partial(_attachment_text, path, part, name, depth, unread)) for part in parts if (name := _mime_name(part))]
    else:
        body, why = _body(message, html)
        if why:
            unread.append(f"the message's text ({why})")
        bodies = [body] if body else []
    to, cc, bcc = _recipients(message)
    subject = _clean_meta(message.text(_SUBJECT))
    return mail_layout(path, subject, _sender(message), to, cc, _sent(message), bodies, attachments, unread, bcc=bcc)


def _sender(message: _Storage) -> str:
    """Who the message is from, as Outlook shows it: the mailbox it was sent for ("Safeguarding Team", when a member
    of staff sends on its behalf) before the person who sent it; by name, else by SMTP address."""
    named = _name(message.text(_REPRESENTING_NAME)) or _name(message.text(_SENDER_NAME))
    addresses = (message.text(_REPRESENTING_SMTP), message.text(_REPRESENTING_ADDRESS), message.text(_SENDER_SMTP), message.text(_SENDER_ADDRESS))
    return named or next((a for a in addresses if "@" in a), "")


def _sent(message: _Storage) -> datetime | None:
    """When the message was sent, as its sender's clock said: the Date its internet headers keep (as an .eml's),
    else the time Outlook recorded (UTC) on the clock in England; else when it was delivered."""
    if found := _header_date(message.text(_HEADERS)):
        return found
    recorded = message.time(_SUBMITTED) or message.time(_DELIVERED)
    if recorded is None:
        return None
    try:
        from zoneinfo import ZoneInfo

        return recorded.astimezone(ZoneInfo("Europe/London"))
    except (ImportError, LookupError, OSError, ValueError):  # no time zone data on the machine: UTC, an hour out at most
        return recorded


def _drawn_in(attachment: _Storage, html: str) -> bool:
    """An attachment the message's text draws rather than attaches (a signature's logo): hidden, marked as an HTML
    part's reference, or named by its content id in the HTML ("cid:image001.png@01DB")."""
    if attachment.number(_HIDDEN) or (attachment.number(_ATTACH_FLAGS) or 0) & _MHTML_REFERENCE:
        return True
    cid = attachment.text(_CONTENT_ID).strip("<>")
    return bool(cid) and f"cid:{cid}".lower() in html.lower()


def _name(shown: str) -> str:
    """A person's name as Outlook shows it; "" for none, or for an Exchange address standing in for one
    ("/O=EXCHANGELABS/OU=.../CN=JPEREZ")."""
    shown = _clean_meta(shown)
    return "" if shown.upper().startswith("/O=") else shown


def _recipients(message: _Storage) -> tuple[str, str, str]:
    """Who a message went to, who was copied in and who blind-copied (a sent item's), "; " apart, by name where one
    is given (as an .eml's): from its recipients' own storages, else the names Outlook shows."""
    said: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for prefix in message.children("__recip_version1.0_#"):
        try:
            person = _Storage(message.ole, prefix, "other", message.codepage)
        except Exception:  # noqa: BLE001, S112 - a damaged recipient loses itself, not the message
            continue
        kind = (person.number(_RECIPIENT_TYPE) or 1) & 0xF  # its flag bits (MAPI_P1, MAPI_SUBMITTED) aside
        who = _name(person.text(_DISPLAY_NAME)) or next((a for a in (person.text(_RECIPIENT_SMTP), person.text(_RECIPIENT_ADDRESS)) if "@" in a), "")
        if who and kind in said:
            said[kind].append(who)
    to = "; ".join(said[1]) or _clean_meta(message.text(_DISPLAY_TO))
    cc = "; ".join(said[2]) or _clean_meta(message.text(_DISPLAY_CC))
    return to, cc, "; ".join(said[3]) or _clean_meta(message.text(_DISPLAY_BCC))


def _header_date(headers: str) -> datetime | None:
    """The Date header of the internet headers a received message keeps."""
    from email.utils import parsedate_to_datetime

    found = _DATE.search(headers)
    try:
        return parsedate_to_datetime(found.group(1).strip()) if found else None
    except (ValueError, TypeError, IndexError):
        return None


def _html(message: _Storage) -> str:
    """The message's HTML text, "" when it keeps none."""
    if markup := message.binary(_HTML):
        codepage = message.number(_INTERNET_CODEPAGE)
        return decode_text(markup, windows_codec(codepage) if codepage else None)  # as an .eml's part is
    return message.text(_HTML)


def _body(message: _Storage, html: str) -> tuple[str, str]:
    """The message's text, as an .eml's: its HTML (tables and lists kept) where it keeps one, else its plain text,
    else its compressed RTF read as an .rtf is (ingest/rtf.py); "" and why when that cannot be read."""
    if html.strip():
        return html_text(html, page=False)[0], ""
    if plain := message.text(_BODY):
        return _unquoted(plain.replace("\r\n", "\n").replace("\r", "\n").split("\n")), ""
    if packed := message.binary(_RTF):  # Outlook's compressed RTF (MS-OXRTFCP), its only copy of the text
        from compressed_rtf import decompress

        try:
            return rtf_text(decompress(packed)), ""
        except Exception as exc:  # noqa: BLE001 - damaged compression or RTF: the message's fields and attachments stay
            return "", f"its compressed RTF could not be read: {type(exc).__name__}"
    return "", ""


def _attachment_name(attachment: _Storage) -> str:
    """An attachment's name as Outlook shows it: a file's name (no folder), an attached message's subject ("Discharge
    summary 12/03/2025.msg": its slash no folder); else one made from what it is."""
    if attachment.number(_ATTACH_METHOD) == _MESSAGE:
        name = _clean_meta(attachment.text(_DISPLAY_NAME) or attachment.text(_LONG_NAME) or attachment.text(_SHORT_NAME))
        return name if name.lower().endswith((".msg", ".eml")) else f"{name or 'message'}.msg"
    name = attachment.text(_LONG_NAME) or attachment.text(_SHORT_NAME) or attachment.text(_DISPLAY_NAME)
    return re.split(r"[\\/]", _clean_meta(name))[-1] or "attachment"


def _reader(path: Path, attachment: _Storage, name: str, depth: int, unread: list[str]):  # noqa: ANN202 - a thunk
    """How to read one attachment when the layout comes to it: an attached message from its own storage, a file by
    its bytes (ingest.load.attached_text), anything else not at all, with why."""
    method = attachment.number(_ATTACH_METHOD) or _BY_VALUE
    inner_path = attachment_path(path, name)

    def read() -> tuple[str, str]:
        if method == _MESSAGE:
            if depth >= MAX_ATTACHMENT_DEPTH:
                return "", too_deep()
            if not attachment.has(_EMBEDDED):
                return "", "empty"
            try:
                embedded = _Storage(attachment.ole, f"{attachment.prefix}{_EMBEDDED}/", "embedded", attachment.codepage)
                return nested(_message_text(inner_path, embedded, depth + 1, unread)[0]), ""
            except LoadError as exc:
                return "", str(exc).split(": ", 1)[-1].split(";")[0]
            except Exception as exc:  # noqa: BLE001 - a damaged attachment loses itself, not the email
                return "", f"could not be read: {type(exc).__name__}"
        if method == _OLE_OBJECT:
            return "", "an embedded object, not a file"
        if method != _BY_VALUE:
            return "", "a link to a file, not attached"
        return attached_text(path, name, attachment.text(_ATTACH_MIME), lambda: (attachment.binary(_ATTACH_DATA), None), depth, unread)

    return read
