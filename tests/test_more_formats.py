"""Formats evidence also arrives in: emails saved as .eml files (real RFC 5322 messages written by the standard
library, as a mail program saves them), old Excel workbooks (.xls, written by xlwt as Excel 97-2003 saves them) and
OpenDocument presentations (.odp, packages as LibreOffice Impress writes them); and one clear error for each bad file."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from assistant.errors import LoadError
from ingest.load import MAIL, load
from tests.conftest import run_cli

MB = 1_000_000


def make_docx(heading: str, paragraph: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(heading, 1)
    document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_mail(
    subject: str = "RE: Written evidence on ICS oversight",
    sender: str = "Jo Bloggs, NHS Providers <jo.bloggs@nhsproviders.org>",
    plain: str = "Dear Clerk,\n\nTrusts told us that oversight by the ICB duplicates NHS England's own.\n\nJo",
    html: str = "",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Inquiry Clerk <clerk@example.org>, policy@example.org"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2025, 3, 4, 10, 30, tzinfo=UTC))
    message.set_content(plain)
    if html:
        message.add_alternative(html, subtype="html")
    for name, mime, data in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_an_email_reads_as_its_subject_sender_date_and_html_body(tmp_path: Path) -> None:
    html = (
        "<html><body><p>Dear Clerk,</p><p>Trusts told us that oversight by the ICB duplicates NHS England&rsquo;s own.</p>"
        "<table><tr><th>Region</th><th>Trusts</th></tr><tr><td>North</td><td>12</td></tr></table><p>Jo</p></body></html>"
    )
    path = tmp_path / "evidence.eml"
    path.write_bytes(bytes(make_mail(html=html)))
    doc = load(path, max_bytes=MB)
    assert doc.meta == {"title": "Written evidence on ICS oversight", "author": "Jo Bloggs, NHS Providers", "date": "2025-03-04", "format": MAIL}
    assert doc.text.startswith(
        "# RE: Written evidence on ICS oversight\n\n"
        "- From: Jo Bloggs, NHS Providers\n- To: Inquiry Clerk, policy@example.org\n- Date: 4 March 2025\n\n"
        "Dear Clerk,\n\nTrusts told us that oversight by the ICB duplicates NHS England’s own."
    )
    assert "Region | Trusts\nNorth | 12" in doc.text  # the HTML part, not the plain one, which has no table


def test_a_plain_email_with_an_unknown_charset_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.eml"
    raw = bytes(make_mail(subject="Fwd: Fw: ICB running costs", plain="Running costs fall by 30% in 2025/26.\n"))
    raw = raw.replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    assert b"x-no-such-charset" in raw
    path.write_bytes(raw)
    doc = load(path, max_bytes=MB)
    assert doc.meta["title"] == "ICB running costs"
    assert doc.text.endswith("Running costs fall by 30% in 2025/26.")


def test_attachments_are_read_in_place_and_others_named(tmp_path: Path) -> None:
    forwarded = make_mail(subject="Board minutes", sender="ICB Secretary <sec@example.org>", plain="The board approved the five year plan.")
    attachments = (
        ("submission.docx", DOCX, make_docx("Submission", "Seventy per cent of trusts said assurance meetings repeat each other.")),
        ("logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("broken.pdf", "application/pdf", b"%PDF-1.7 not really"),
    )
    message = make_mail(attachments=attachments)
    message.add_attachment(forwarded)
    path = tmp_path / "evidence.eml"
    path.write_bytes(bytes(message))
    text = load(path, max_bytes=MB).text
    assert "# Attachment: submission.docx\n\n## Submission\n\nSeventy per cent of trusts said assurance meetings repeat each other." in text
    assert "# Attachment: message.eml\n\n# Board minutes\n\n- From: ICB Secretary" in text
    assert "The board approved the five year plan." in text
    assert text.endswith("Attachments not read: logo.png, broken.pdf")
    assert "\f" not in text  # an attachment's pages are not the email's


def test_attached_emails_are_read_to_a_bounded_depth(tmp_path: Path) -> None:
    inner = make_mail(subject="Level 0", plain="Deepest words.")
    for level in range(1, 5):
        outer = make_mail(subject=f"Level {level}", plain=f"Words at level {level}.")
        outer.add_attachment(inner)
        inner = outer
    path = tmp_path / "nested.eml"
    path.write_bytes(bytes(inner))
    text = load(path, max_bytes=MB).text
    assert "Words at level 2." in text and "Deepest words." not in text
    assert "Attachments not read: message.eml" in text


def test_what_is_no_email_says_so_in_one_line(tmp_path: Path) -> None:
    outlook = tmp_path / "saved.eml"
    outlook.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LoadError) as info:
        load(outlook, max_bytes=MB)
    assert str(info.value) == "saved.eml: an Outlook .msg file named .eml; save the message as .eml (or its text as .txt or .html) and ingest again"
    notes = tmp_path / "notes.eml"
    notes.write_text("Just some notes typed into a file\nwith no headers at all.\n")
    with pytest.raises(LoadError) as info:
        load(notes, max_bytes=MB)
    assert "notes.eml: not an email (no From, Subject or Date header)" in str(info.value) and "\n" not in str(info.value)


def test_an_emailed_submission_is_ingested_and_quoted_as_its_senders(tmp_path: Path) -> None:
    """End to end through both commands: the sender's body is the publisher, the attachment's sentence is quoted
    from the email, its quote equal to the stored text at its offsets."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    words = "Seventy per cent of trusts said the ICB's assurance meetings repeat NHS England's own meetings."
    message = make_mail(attachments=(("submission.docx", DOCX, make_docx("Our evidence", words)),))
    (folder / "evidence.eml").write_bytes(bytes(message))
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "publisher 'NHS Providers', date '2025-03-04'" in result.stderr
    proc = run_cli("assistant", "ask", "What share of trusts said assurance meetings repeat NHS England's?", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    cited = {c["quote"]: c for c in answer["citations"]}
    assert words in cited and cited[words]["source"] == "evidence.eml" and cited[words]["publisher"] == "NHS Providers"
    from assistant.docstore import DocStore

    text = DocStore(data / "index.sqlite", create=False).text("evidence.eml")
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])


# --- the old binary Excel format (.xls), written by xlwt as Excel 97-2003 saves it ---------------------------------


def make_xls(path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    summary = book.add_sheet("Summary")
    money, share, day = (xlwt.easyxf(num_format_str=f) for f in ("£#,##0.00", "0.0%", "YYYY-MM-DD"))
    for column, heading in enumerate(("ICB", "Allocation", "Change", "From", "Met")):
        summary.write(0, column, heading)
    summary.write(1, 0, "West   Yorkshire")
    summary.write(1, 1, 1234567.5, money)
    summary.write(1, 2, -0.07, share)
    summary.write(1, 3, datetime(2025, 4, 1), day)
    summary.write(1, 4, True)
    summary.write(3, 0, "Total")
    summary.write(3, 1, xlwt.Formula("B2*2"), money)
    book.add_sheet("Empty")
    workings = book.add_sheet("Workings")
    workings.write(0, 0, "Deflator")
    workings.write(0, 1, 1.0231)
    workings.visibility = 1
    book.save(str(path))


def test_an_xls_workbook_reads_as_an_xlsx_does(tmp_path: Path) -> None:
    path = tmp_path / "allocations.xls"
    make_xls(path)
    doc = load(path, max_bytes=MB)
    summary, workings = doc.text.split("\f")
    assert summary.startswith("# Summary\n\nICB | Allocation | Change | From | Met\nWest Yorkshire | £1,234,567.50 | -7.0% | 2025-04-01 | TRUE")
    assert summary.endswith("\n\nTotal")  # the formula's value was never saved by Excel: xlwt leaves it empty
    assert workings == "# Workings\n\nDeflator | 1.0231"
    assert doc.meta == {"title": "allocations", "format": "spreadsheet", "page_labels": "sheet Summary\nsheet Workings, hidden"}


def test_what_is_no_xls_says_so_in_one_line(tmp_path: Path) -> None:
    from openpyxl import Workbook

    renamed = tmp_path / "renamed.xls"
    book = Workbook()
    book.active["A1"] = "x"
    book.save(renamed)
    with pytest.raises(LoadError) as info:
        load(renamed, max_bytes=MB)
    assert str(info.value) == "renamed.xls: an .xlsx workbook named .xls; rename it .xlsx and ingest again"
    junk = tmp_path / "junk.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 700)
    with pytest.raises(LoadError) as info:
        load(junk, max_bytes=MB)
    assert str(info.value).startswith("junk.xls: corrupt or not an Excel .xls file (") and "\n" not in str(info.value)


# --- OpenDocument presentations (.odp) --------------------------------------------------------------------------------

_ODP_NS = " ".join(f'xmlns:{k}="urn:oasis:names:tc:opendocument:xmlns:{v}"' for k, v in (
    ("office", "office:1.0"), ("text", "text:1.0"), ("table", "table:1.0"), ("draw", "drawing:1.0"), ("style", "style:1.0"),
    ("presentation", "presentation:1.0"), ("svg", "svg-compatible:1.0"), ("meta", "meta:1.0"))) + ' xmlns:dc="http://purl.org/dc/elements/1.1/"'  # fmt: skip


def make_odp(path: Path, pages: str, title: str = "") -> None:
    """An OpenDocument presentation package as LibreOffice Impress writes one: the mimetype first and stored, content.xml
    (a hidden slide's page style among its automatic styles), meta.xml and the manifest."""
    import zipfile

    styles = ('<style:style style:name="dp2" style:family="drawing-page">'
              '<style:drawing-page-properties presentation:visibility="hidden"/></style:style>')  # fmt: skip
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODP_NS} office:version="1.3">'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:presentation>{pages}</office:presentation></office:body></office:document-content>")  # fmt: skip
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODP_NS} office:version="1.3"><office:meta>'
            f"<dc:title>{title}</dc:title><meta:creation-date>2025-06-02T09:00:00</meta:creation-date></office:meta></office:document-meta>")  # fmt: skip
    kind = "application/vnd.oasis.opendocument.presentation"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{kind}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), kind)
        package.writestr("content.xml", content)
        package.writestr("meta.xml", meta)
        package.writestr("META-INF/manifest.xml", manifest)


def _frame(kind: str, x: str, y: str, inner: str) -> str:
    return f'<draw:frame presentation:class="{kind}" svg:x="{x}" svg:y="{y}"><draw:text-box>{inner}</draw:text-box></draw:frame>'


def test_an_odp_deck_reads_as_a_pptx_does(tmp_path: Path) -> None:
    slide1 = ('<draw:page draw:name="page1" draw:style-name="dp1">'
              + _frame("subtitle", "2cm", "9cm", "<text:p>Board development session</text:p>")
              + _frame("title", "2cm", "1cm", "<text:p>System oversight 2025/26</text:p>")
              + '<draw:frame presentation:class="page-number" svg:x="20cm" svg:y="18cm"><draw:text-box><text:p>1</text:p></draw:text-box></draw:frame>'
              + "</draw:page>")  # fmt: skip
    items = "".join(f"<text:list-item><text:p>{t}</text:p></text:list-item>" for t in ("The ICB chairs the quality committee.", "Providers report monthly."))
    table = ('<draw:frame svg:x="2cm" svg:y="12cm"><table:table><table:table-row><table:table-cell><text:p>Trust</text:p></table:table-cell>'
             "<table:table-cell><text:p>Waiting list</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell>"
             "<text:p>LTHT</text:p></table:table-cell><table:table-cell><text:p>120,000</text:p></table:table-cell></table:table-row></table:table></draw:frame>")  # fmt: skip
    slide2 = ('<draw:page draw:name="page2" draw:style-name="dp1">' + _frame("title", "2cm", "1cm", "<text:p>Governance</text:p>")
              + table + _frame("outline", "2cm", "4cm", f"<text:list>{items}</text:list>")
              + '<presentation:notes><draw:page-thumbnail presentation:class="page"/>'
              + _frame("notes", "2cm", "14cm", "<text:p>Say the committee meets monthly.</text:p>") + "</presentation:notes></draw:page>")  # fmt: skip
    slide3 = ('<draw:page draw:name="page3" draw:style-name="dp2"><draw:custom-shape svg:x="1cm" svg:y="1cm">'
              "<text:p>If a rating falls, a second assurance meeting is held.</text:p></draw:custom-shape></draw:page>")  # fmt: skip
    path = tmp_path / "oversight.odp"
    make_odp(path, slide1 + slide2 + slide3)
    doc = load(path, max_bytes=MB)
    assert doc.text.split("\f") == [
        "# System oversight 2025/26\n\nBoard development session",
        "# Governance\n\n- The ICB chairs the quality committee.\n\n- Providers report monthly.\n\nTrust | Waiting list\nLTHT | 120,000"
        "\n\n### Speaker notes\n\nSay the committee meets monthly.",
        "# Slide 3\n\nIf a rating falls, a second assurance meeting is held.",
    ]
    assert doc.meta == {"title": "System oversight 2025/26", "date": "2025-06-02", "format": "slides",
                        "page_labels": "slide 1\nslide 2\nslide 3, hidden"}  # fmt: skip


def test_what_is_no_odp_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "letter.odp"
    make_odp(path, "")
    import zipfile

    text_body = tmp_path / "text.odp"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(text_body, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(b"office:presentation>", b"office:text>") if name == "content.xml" else data)
    with pytest.raises(LoadError) as info:
        load(text_body, max_bytes=MB)
    assert str(info.value) == "text.odp: not an OpenDocument presentation (no office:presentation body); save it as an .odp presentation and ingest again"
    with pytest.raises(LoadError) as info:
        load(path, max_bytes=MB)
    assert str(info.value).startswith("letter.odp: no text found")
