"""Outlook's own .msg files (ingest/outlook.py), written by aspose-email-foss (a writer of Outlook's format that ingest
does not read with), read into the layout an .eml gets; and one clear error for each bad file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.errors import LoadError
from ingest.load import MAIL, UNREAD, load
from tests.test_load import make_pdf
from tests.test_more_formats import DOCX, SUBMITTED, assert_quoted_as_its_senders, make_docx, make_mail

msg = pytest.importorskip("aspose.email_foss.msg")  # a dev dependency (pyproject.toml), installed by make setup

MB = 1_000_000
SENT, CODEPAGE, SENDER_SMTP, RTF = 0x0039, 0x3FFD, 0x5D01, 0x1009


def outlook(subject: str = "RE: [EXTERNAL] Written evidence on ICS oversight", body: str = "Dear Clerk,\r\n\r\nPlease see our evidence.\r\n\r\nJo", *, unicode: bool = True):  # noqa: ANN201
    """A message as Outlook saves one: sent by a named person at 10:30 on 4 March 2025 (delivered the day after), to
    two people, one copied in."""
    message = msg.MapiMessage.create(subject, body, unicode_strings=unicode)
    message.set_property(msg.PropertyId.SENDER_NAME, "Jo Bloggs, NHS Providers")
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, "jo.bloggs@nhsproviders.org")
    message.set_property(SENT, msg.PropertyTypeCode.PTYP_TIME, datetime(2025, 3, 4, 10, 30, tzinfo=UTC))
    message.set_property(msg.PropertyId.MESSAGE_DELIVERY_TIME, datetime(2025, 3, 5, 9, 0, tzinfo=UTC))
    message.add_recipient("clerk@example.org", display_name="Inquiry Clerk")
    message.add_recipient("ann.smith@example.org", display_name="Smith, Ann")
    message.add_recipient("policy@example.org", recipient_type=msg.RECIPIENT_TYPE_CC)
    return message


def save(message, path: Path) -> Path:  # noqa: ANN001
    path.write_bytes(message.to_bytes())
    return path


def test_an_outlook_message_reads_as_an_eml_does(tmp_path: Path) -> None:
    """Subject, sender, recipients, the day sent (not delivered) and the HTML body with its table, then each
    attachment in place: a Word file, a PDF named only by its type, a spreadsheet's rows, an attached message; a
    signature's logo drawn in the text is no attachment, and a damaged PDF is named in meta[UNREAD] with why."""
    message = outlook()
    message.body_html = (
        "<html><body><p>Dear Clerk,</p><p>Trusts told us that oversight by the ICB duplicates NHS England&rsquo;s own.</p>"
        "<table><tr><th>Region</th><th>Trusts</th></tr><tr><td>North</td><td>12</td></tr></table><p>Jo</p>"
        '<p><img src="cid:image001.png@01DB"></p></body></html>'
    )
    message.add_attachment("submission.docx", make_docx("Submission", "Seventy per cent of trusts said assurance meetings repeat each other."), mime_type=DOCX)
    message.add_attachment("image001.png", b"\x89PNG\r\n\x1a\n", mime_type="image/png", content_id="image001.png@01DB")
    message.add_attachment("broken.pdf", b"%PDF-1.7 not really", mime_type="application/pdf")
    message.add_attachment("C:\\Users\\jo\\Report", make_pdf(["The plan was agreed in March."]), mime_type="application/pdf")
    message.add_attachment("rows.csv", b"Year,Staff\r\n" + b"".join(b"20%d,%d\r\n" % (10 + i, 100 + i) for i in range(12)), mime_type="text/csv")
    minutes = msg.MapiMessage.create("Board minutes", "The board approved the five year plan.")
    message.add_embedded_message_attachment(minutes, filename="Board minutes")
    doc = load(save(message, tmp_path / "evidence.msg"), max_bytes=MB)
    assert doc.meta == {
        "title": "Written evidence on ICS oversight", "author": "Jo Bloggs, NHS Providers", "date": "2025-03-04", "format": MAIL,
        UNREAD: "broken.pdf (corrupt or unreadable PDF (Stream has ended unexpectedly))",
    }  # fmt: skip
    assert doc.text.startswith(
        "# RE: [EXTERNAL] Written evidence on ICS oversight\n\n"
        "- From: Jo Bloggs, NHS Providers\n- To: Inquiry Clerk; Smith, Ann\n- Cc: policy@example.org\n- Date: 4 March 2025\n"
        "- Attachments: submission.docx, broken.pdf, Report, rows.csv, Board minutes.msg\n\n"
        "Dear Clerk,\n\nTrusts told us that oversight by the ICB duplicates NHS England’s own.\n\nRegion | Trusts\nNorth | 12\n\nJo"
    )
    text = doc.text
    assert "# Attachment: submission.docx\n\n## Submission\n\nSeventy per cent of trusts said assurance meetings repeat each other." in text
    assert "# Attachment: Report\n\nThe plan was agreed in March." in text
    assert "# Attachment: Board minutes.msg\n\n## Board minutes\n\nThe board approved the five year plan." in text
    from ingest.clean import clean

    cleaned = clean(doc.text, doc.caption, doc.not_printed).text
    assert all(f"20{10 + i} | {100 + i}" in cleaned for i in range(12))
    assert doc.meta.get("kind") is None


def test_a_plain_text_message_in_a_code_page_from_an_exchange_sender(tmp_path: Path) -> None:
    """A message with no HTML, its strings 8-bit in code page 1252 (Outlook's "ANSI" messages), its sender known to
    Exchange by an X.500 address and by SMTP, not by name: the text as written, a quoted reply read on, the sender by
    their SMTP address."""
    body = "The caf\xe9 budget was cut by \xa312,000 \u2013 a fifth.\r\n\r\n> On 3 March, Ann wrote:\r\n> What was cut?\r\n"
    message = msg.MapiMessage.create("R\xe9sum\xe9 of costs", body, unicode_strings=False)
    message.set_property(CODEPAGE, msg.PropertyTypeCode.PTYP_INTEGER32, 1252)
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=JPEREZ")
    message.set_property(SENDER_SMTP, msg.PropertyTypeCode.PTYP_STRING8, "jose.perez@example.org")
    message.set_property(msg.PropertyId.MESSAGE_DELIVERY_TIME, datetime(2025, 3, 4, 10, 30, tzinfo=UTC))
    doc = load(save(message, tmp_path / "costs.msg"), max_bytes=MB)
    assert doc.meta == {"title": "Résumé of costs", "author": "jose.perez@example.org", "date": "2025-03-04", "format": MAIL}
    assert doc.text.endswith("The café budget was cut by £12,000 – a fifth.\n\nOn 3 March, Ann wrote:\nWhat was cut?")


def test_attached_messages_are_read_to_a_bounded_depth(tmp_path: Path) -> None:
    inner = msg.MapiMessage.create("Level 0", "Deepest words.")
    for level in range(1, 5):
        outer = msg.MapiMessage.create(f"Level {level}", f"Words at level {level}.")
        outer.add_embedded_message_attachment(inner, filename=f"Level {level - 1}.msg")
        inner = outer
    doc = load(save(inner, tmp_path / "nested.msg"), max_bytes=MB)
    assert "Words at level 2." in doc.text and "Deepest words." not in doc.text
    assert doc.meta[UNREAD] == "Level 1.msg (an email within emails 3 deep)"


def test_an_outlook_message_attached_to_an_eml_or_named_eml_is_read(tmp_path: Path) -> None:
    forwarded = outlook(subject="Board minutes", body="The board approved the five year plan.").to_bytes()
    mail = make_mail(attachments=(("Board minutes.msg", "application/vnd.ms-outlook", forwarded),))
    doc = load(save_bytes(bytes(mail), tmp_path / "cover.eml"), max_bytes=MB)
    assert "# Attachment: Board minutes.msg\n\n## Board minutes\n\n- From: Jo Bloggs, NHS Providers" in doc.text
    assert doc.text.endswith("The board approved the five year plan.")
    named = load(save_bytes(forwarded, tmp_path / "saved.eml"), max_bytes=MB)
    assert named.meta["title"] == "Board minutes" and named.text.endswith("The board approved the five year plan.")
    plain = load(save_bytes(bytes(make_mail()), tmp_path / "exported.msg"), max_bytes=MB)  # an RFC 5322 file named .msg
    assert plain.meta["title"] == "Written evidence on ICS oversight"


def test_a_signed_message_is_read_and_an_encrypted_or_protected_one_says_why_not(tmp_path: Path) -> None:
    """A signed message (S/MIME) keeps its text and attachments in the MIME message it attaches: they are read, the
    signature is not. An encrypted or rights-protected message cannot be read: a one-line error says so."""
    from email.message import EmailMessage

    inner = EmailMessage()
    inner.set_content("Trusts told us that oversight by the ICB duplicates NHS England's own.")
    inner.add_attachment(make_docx("Our evidence", "Seventy per cent of trusts agreed."), maintype="application", subtype=DOCX.split("/")[1], filename="submission.docx")
    body = inner.as_bytes()
    blob = (
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"\r\n\r\n'
        b"--sig\r\n" + body + b"\r\n--sig\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--sig--\r\n"
    )
    message = outlook(body="")
    message.message_class = "IPM.Note.SMIME.MultipartSigned"
    message.add_attachment("smime.p7m", blob, mime_type="multipart/signed")
    doc = load(save(message, tmp_path / "signed.msg"), max_bytes=MB)
    assert "Trusts told us that oversight by the ICB duplicates NHS England's own." in doc.text
    assert "# Attachment: submission.docx\n\n## Our evidence\n\nSeventy per cent of trusts agreed." in doc.text
    assert "smime" not in doc.text and UNREAD not in doc.meta
    locked = outlook(body="")
    locked.message_class = "IPM.Note.SMIME"
    locked.add_attachment("smime.p7m", b"0\x80\x06\t*\x86H", mime_type="application/pkcs7-mime")
    protected = outlook(body="This message is protected with Microsoft Purview Message Encryption.")
    protected.add_attachment("message.rpmsg", b"\x76\xe8\x04\x60", mime_type="application/x-microsoft-rpmsg-message")
    for name, message in (("locked.msg", locked), ("protected.msg", protected)):
        with pytest.raises(LoadError) as info:
            load(save(message, tmp_path / name), max_bytes=MB)
        assert "\n" not in str(info.value)
        assert str(info.value).startswith(f"{name}: signed or encrypted with S/MIME" if name == "locked.msg" else f"{name}: protected by rights management")


def save_bytes(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


def test_what_is_no_outlook_message_says_so_in_one_line(tmp_path: Path) -> None:
    cases = {
        "zeros.msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "notes.msg": b"Just some notes typed into a file\nwith no headers at all.\n",
        "report.msg": (Path(__file__).parent / "fixtures" / "word97-rich.doc").read_bytes(),
    }
    said = {}
    for name, data in cases.items():
        with pytest.raises(LoadError) as info:
            load(save_bytes(data, tmp_path / name), max_bytes=MB)
        said[name] = str(info.value)
        assert "\n" not in said[name] and said[name].startswith(f"{name}: ")
    assert said["zeros.msg"].startswith("zeros.msg: corrupt or not an Outlook message (")
    assert said["zeros.msg"].endswith("; save the message from Outlook again and ingest again")
    assert said["notes.msg"] == "notes.msg: not an email (no From, Subject or Date header); save the message as .eml from the mail program and ingest again"
    assert said["report.msg"] == "report.msg: an Office 97-2003 file, not an Outlook message; save it with its own extension (.doc, .xls, .ppt) and ingest again"


def test_an_outlook_submission_is_ingested_and_quoted_as_its_senders(tmp_path: Path) -> None:
    """End to end through both commands, as an .eml's (tests/test_more_formats.py): the sender's name gives the
    publisher, the attachment's sentence is quoted from the message, its quote equal to the stored text."""
    message = outlook(body="Hi all\r\n\r\nPlease see our evidence attached.\r\n\r\nJo")
    message.add_attachment("submission.docx", make_docx("Our evidence", SUBMITTED), mime_type=DOCX)
    message.add_attachment("logo.png", b"\x89PNG\r\n\x1a\n", mime_type="image/png")
    assert_quoted_as_its_senders(tmp_path, "evidence.msg", message.to_bytes())


REPRESENTING_NAME, INTERNET_CODEPAGE, HEADERS = 0x0042, 0x3FDE, 0x007D


def test_the_review_of_the_outlook_reader(tmp_path: Path) -> None:
    """What a reviewer found, each as Outlook writes it: a message sent on a shared mailbox's behalf is from the
    mailbox; a message sent at 23:30 UTC in June was sent on the next day in England; code page 28591's Windows bytes
    are quotes and a euro; Bcc and recipients carrying flag bits are kept; a photo attached with a content id the text
    does not draw is an attachment; an attached message's subject keeps its slash."""
    message = outlook(body="")
    message.set_property(REPRESENTING_NAME, msg.PropertyTypeCode.PTYP_STRING, "Safeguarding Team")
    message.set_property(SENT, msg.PropertyTypeCode.PTYP_TIME, datetime(2025, 6, 4, 23, 30, tzinfo=UTC))
    message.set_property(INTERNET_CODEPAGE, msg.PropertyTypeCode.PTYP_INTEGER32, 28591)
    message.set_property(0x1013, msg.PropertyTypeCode.PTYP_BINARY, b"<p>The patient\x92s GP said \x93urgent\x94, costing \x80500.</p>")
    message.add_recipient("audit@example.org", display_name="Audit Office", recipient_type=msg.RECIPIENT_TYPE_BCC)
    message.add_recipient("flagged@example.org", display_name="Flagged Person", recipient_type=0x10000001)
    message.add_attachment("injury photo.jpg", b"\xff\xd8\xff\xe0", mime_type="image/jpeg", content_id="ii_abc123")
    message.add_embedded_message_attachment(msg.MapiMessage.create("Discharge summary 12/03/2025", "Seen and discharged."))
    doc = load(save(message, tmp_path / "shared.msg"), max_bytes=MB)
    assert doc.meta["author"] == "Safeguarding Team" and doc.meta["date"] == "2025-06-05"
    assert "- To: Inquiry Clerk; Smith, Ann; Flagged Person\n- Cc: policy@example.org\n- Bcc: Audit Office\n- Date: 5 June 2025" in doc.text
    assert "The patient’s GP said “urgent”, costing €500." in doc.text
    assert "- Attachments: injury photo.jpg, Discharge summary 12/03/2025.msg" in doc.text
    assert "# Attachment: Discharge summary 12/03/2025.msg\n\n## Discharge summary 12/03/2025\n\nSeen and discharged." in doc.text
    assert doc.meta[UNREAD] == "injury photo.jpg (not a kind ingest reads)"
    message.set_property(HEADERS, msg.PropertyTypeCode.PTYP_STRING, "Received: by mx\r\nDate: Thu, 5 Jun 2025 00:30:00 +0100\r\n")
    assert load(save(message, tmp_path / "received.msg"), max_bytes=MB).meta["date"] == "2025-06-05"  # the sender's own clock


def test_a_damaged_attachment_storage_loses_itself_not_the_message(tmp_path: Path) -> None:
    """An attachment whose properties stream is marked a storage in the compound file's directory, or starts past the
    file's end (a damaged file): the message and its other attachments are read, the damaged one as far as it goes
    or named with why."""
    import io

    import olefile

    message = outlook()
    message.add_attachment("notes.txt", b"Trust leaders said the ICB duplicates oversight.\r\n", mime_type="text/plain")
    message.add_attachment("more.txt", b"A second note.\r\n", mime_type="text/plain")
    data = message.to_bytes()
    ole = olefile.OleFileIO(io.BytesIO(data))
    sid = ole._find("__attach_version1.0_#00000001/__properties_version1.0")
    chain, sector = [], ole.first_dir_sector
    while sector < 0xFFFFFFF0:
        chain.append(sector)
        sector = ole.fat[sector]
    per = ole.sectorsize // 128
    entry = (chain[sid // per] + 1) * ole.sectorsize + (sid % per) * 128
    retyped, moved = bytearray(data), bytearray(data)
    retyped[entry + 66] = 1  # its entry's type: a storage, so the attachment has no properties
    moved[entry + 116 : entry + 120] = (0x7FFFFFF0).to_bytes(4, "little")  # its first sector: far past the file's end
    doc = load(save_bytes(bytes(retyped), tmp_path / "retyped.msg"), max_bytes=MB)
    assert "# Attachment: notes.txt\n\nTrust leaders said the ICB duplicates oversight." in doc.text
    assert "# Attachment: more.txt\n\nA second note." in doc.text  # read by its name and data, its properties lost
    doc = load(save_bytes(bytes(moved), tmp_path / "moved.msg"), max_bytes=MB)
    assert "# Attachment: notes.txt\n\nTrust leaders said the ICB duplicates oversight." in doc.text
    assert "# Attachment: more.txt\n\nA second note." in doc.text  # olefile reads what it finds: no properties
