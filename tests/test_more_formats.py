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
from ingest.load import MAIL, UNREAD, load
from tests.conftest import run_cli
from tests.test_load import make_pdf

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
        "- From: Jo Bloggs, NHS Providers\n- To: Inquiry Clerk; policy@example.org\n- Date: 4 March 2025\n\n"
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
        ("C:\\Users\\jo\\Report", "application/pdf", make_pdf(["The plan was agreed in March."])),  # no extension: its type says
        ("rows.csv", "text/csv", b"Year,Staff\n" + b"".join(b"20%d,%d\n" % (10 + i, 100 + i) for i in range(12))),
    )
    message = make_mail(attachments=attachments)
    message.add_attachment(forwarded)
    path = tmp_path / "evidence.eml"
    path.write_bytes(bytes(message))
    doc = load(path, max_bytes=MB)
    text = doc.text
    assert "- Attachments: submission.docx, logo.png, broken.pdf, Report, rows.csv, message.eml" in text
    assert "# Attachment: submission.docx\n\n## Submission\n\nSeventy per cent of trusts said assurance meetings repeat each other." in text
    assert "# Attachment: Report\n\nThe plan was agreed in March." in text
    assert "# Attachment: message.eml\n\n## Board minutes\n\n- From: ICB Secretary" in text
    assert "The board approved the five year plan." in text
    assert "\f" not in text  # an attachment's pages are not the email's
    assert doc.meta[UNREAD] == "logo.png (not a kind ingest reads); broken.pdf (corrupt or unreadable PDF (Stream has ended unexpectedly))"
    from ingest.clean import clean

    cleaned = clean(doc.text, doc.caption, doc.not_printed).text  # an attached sheet's rows are no page furniture
    assert all(f"20{10 + i} | {100 + i}" in cleaned for i in range(12))
    assert doc.meta.get("kind") is None


def test_attachments_inside_nested_parts_and_text_after_an_inline_one_are_read(tmp_path: Path) -> None:
    """Apple Mail puts a PDF inline between two runs of text; a signed email wraps its parts in one more; Outlook draws
    its signature's logo from an inline image. The text before and after, and the PDF, are read; the logo and the
    signature are no attachments."""
    from email.message import MIMEPart

    message = make_mail(plain="")
    message.make_mixed()
    inner = MIMEPart()
    inner.set_content("First, the summary.")
    message.attach(inner)
    pdf = MIMEPart()
    pdf.set_content(make_pdf(["Trusts met the standard in 2024."]), maintype="application", subtype="pdf", disposition="inline", filename="data.pdf")
    message.attach(pdf)
    after = MIMEPart()
    after.set_content("Finally, thank you.")
    message.attach(after)
    logo = MIMEPart()
    logo.set_content(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", disposition="inline", cid="<image001@x>")
    message.attach(logo)
    signed = make_mail(plain="")
    signed.make_mixed()
    signed.set_type("multipart/signed")
    signed.attach(message)
    signature = MIMEPart()
    signature.set_content(b"0\x82", maintype="application", subtype="pkcs7-signature", filename="smime.p7s")
    signed.attach(signature)
    path = tmp_path / "signed.eml"
    path.write_bytes(bytes(signed))
    doc = load(path, max_bytes=MB)
    assert "First, the summary.\n\nFinally, thank you.\n\n# Attachment: data.pdf\n\nTrusts met the standard in 2024." in doc.text
    assert UNREAD not in doc.meta and "image001" not in doc.text and "smime" not in doc.text


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
    assert load(path, max_bytes=MB).meta[UNREAD] == "message.eml (an email within emails 3 deep)"


def test_eight_bit_headers_and_text_sent_with_no_charset_are_read_as_written(tmp_path: Path) -> None:
    raw = (
        "From: Jos\xe9 P\xe9rez <jose@example.org>\r\nSubject: R\xe9sum\xe9 of costs\r\nDate: 2025-03-04T10:30:00\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "The caf\xe9 budget was cut by \xa312,000 \u2013 a fifth.\r\n"
    ).encode("cp1252")
    path = tmp_path / "costs.eml"
    path.write_bytes(raw)
    doc = load(path, max_bytes=MB)
    assert doc.meta == {"title": "Résumé of costs", "author": "José Pérez", "date": "2025-03-04", "format": MAIL}
    assert doc.text.endswith("The café budget was cut by £12,000 – a fifth.")


def test_what_is_no_email_says_so_in_one_line(tmp_path: Path) -> None:
    outlook = tmp_path / "saved.eml"
    outlook.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LoadError) as info:
        load(outlook, max_bytes=MB)
    assert str(info.value).startswith("saved.eml: corrupt or not an Outlook message (")  # read as the .msg it is
    notes = tmp_path / "notes.eml"
    notes.write_text("Just some notes typed into a file\nwith no headers at all.\n")
    with pytest.raises(LoadError) as info:
        load(notes, max_bytes=MB)
    assert "notes.eml: not an email (no From, Subject or Date header)" in str(info.value) and "\n" not in str(info.value)


def test_an_emailed_submission_is_ingested_and_quoted_as_its_senders(tmp_path: Path) -> None:
    """End to end through both commands: the sender's body is the publisher, the attachment's sentence is quoted
    from the email, its quote equal to the stored text at its offsets."""
    attachments = (("submission.docx", DOCX, make_docx("Our evidence", SUBMITTED)), ("logo.png", "image/png", b"\x89PNG\r\n\x1a\n"))
    message = make_mail(plain="Hi all\n\nPlease see our evidence attached.\n\nJo", attachments=attachments)
    assert_quoted_as_its_senders(tmp_path, "evidence.eml", bytes(message))


SUBMITTED = "Seventy per cent of trusts said the ICB's assurance meetings repeat NHS England's own meetings."


def assert_quoted_as_its_senders(tmp_path: Path, name: str, data: bytes) -> None:
    """Ingest one email (sent by "Jo Bloggs, NHS Providers" on 4 March 2025 about "Written evidence on ICS oversight",
    attaching submission.docx, which says SUBMITTED, and logo.png), ask about it, and check the quote and its source."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / name).write_bytes(data)
    data_dir = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "inferred title 'Written evidence on ICS oversight', publisher 'NHS Providers', date '2025-03-04'" in result.stderr
    assert f"warning: {name}: attachments not read: logo.png (not a kind ingest reads)" in result.stderr
    proc = run_cli("assistant", "ask", "What share of trusts said assurance meetings repeat NHS England's?", "--json", data_dir=data_dir)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    cited = {c["quote"]: c for c in answer["citations"]}
    assert SUBMITTED in cited and cited[SUBMITTED]["source"] == name and cited[SUBMITTED]["publisher"] == "NHS Providers"
    from assistant.docstore import DocStore

    text = DocStore(data_dir / "index.sqlite", create=False).text(name)
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


def test_xls_times_durations_a_far_styled_cell_and_a_web_page_named_xls(tmp_path: Path) -> None:
    import time

    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Rota")
    sheet.write(0, 0, "Shift")
    sheet.write(0, 1, 0.5, xlwt.easyxf(num_format_str="hh:mm"))
    sheet.write(0, 2, 1.25, xlwt.easyxf(num_format_str="[h]:mm"))
    sheet.write(65535, 255, "", xlwt.easyxf("pattern: pattern solid;"))  # a styled, empty cell at the sheet's corner
    path = tmp_path / "rota.xls"
    book.save(str(path))
    began = time.perf_counter()
    assert load(path, max_bytes=MB).text == "# Rota\n\nShift | 12:00:00 | 1 day, 6:00:00"
    assert time.perf_counter() - began < 5  # padding 65,536 rows to 256 columns took 18 s
    page = tmp_path / "export.xls"
    page.write_text("<table><tr><td>Trust</td><td>Beds</td></tr><tr><td>LTHT</td><td>2,100</td></tr></table>", encoding="utf-8")
    assert load(page, max_bytes=MB).text == "Trust | Beds\nLTHT | 2,100"


def test_what_is_no_xls_says_so_in_one_line(tmp_path: Path) -> None:
    from openpyxl import Workbook

    renamed = tmp_path / "renamed.xls"  # an .xlsx under the old name is read as what it is
    book = Workbook()
    book.active["A1"] = "x"
    book.save(renamed)
    assert load(renamed, max_bytes=MB).text == "# Sheet\n\nx"
    xml = tmp_path / "export.xls"  # Excel 2003's XML spreadsheet, as systems export them
    xml.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                   "<Worksheet><Table><Row><Cell><Data>x</Data></Cell></Row></Table></Worksheet></Workbook>", encoding="utf-8")  # fmt: skip
    with pytest.raises(LoadError) as info:
        load(xml, max_bytes=MB)
    assert str(info.value) == "export.xls: an Excel 2003 XML spreadsheet named .xls; save it as .xlsx from Excel and ingest again"
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


# --- Word 97-2003 documents (.doc): real files written by LibreOffice's "MS Word 97" filter (tests/fixtures) -----------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _word_streams(path: Path) -> tuple[bytes, bytes, str]:
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        word = ole.openstream("WordDocument").read()
        table_name = "1Table" if word[0x0A + 1] & 0x02 else "0Table"
        return word, ole.openstream(table_name).read(), table_name


def _pairs_and_piece_table(word: bytes) -> tuple[int, int]:
    """Where a Word 97 file's (fc, lcb) pairs start, past FibBase, fibRgW and fibRgLw, and where its piece table is."""
    import struct

    from ingest.office97 import _CLX_PAIR

    at = 32 + 2 + 2 * struct.unpack_from("<H", word, 32)[0]
    at += 2 + 4 * struct.unpack_from("<H", word, at)[0]
    return at + 2, struct.unpack_from("<I", word, at + 2 + 8 * _CLX_PAIR)[0]


def _rewritten(source: Path, target: Path, word: bytes, table: bytes | None = None, table_name: str = "") -> Path:
    """A copy of a real .doc with its streams replaced by ones of the same size (olefile writes no other)."""
    import shutil

    import olefile

    shutil.copyfile(source, target)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        ole.write_stream("WordDocument", word)
        if table is not None:
            ole.write_stream(table_name, table)
    return target


def test_a_word97_doc_reads_as_its_paragraphs_table_rows_and_links(tmp_path: Path) -> None:
    doc = load(FIXTURES / "word97-rich.doc", max_bytes=MB)
    assert doc.text == (
        "# Contents\n\n# Accountability\n\n"  # headings by their built-in style, whatever it is called
        "ICBs are accountable to NHS England under the Act. Żółć café naïve — “quoted”.\n\n"  # a link's field: what it shows
        "- In the ICP\n\n- and its boards\n\n"  # a bulleted or numbered paragraph is a "- " item
        "| 2023 | 2024\nLTHT | | 98,500\n\n"  # empty cells keep the columns in place; the row's end is no cell
        "## Partners\n\nPartners meet monthly.\nSecond line."  # a heading straight after a table
    )
    assert doc.meta["title"] == "Rich test"


def test_a_word97_doc_leaves_out_its_contents_and_puts_its_footnotes_at_the_end(tmp_path: Path) -> None:
    doc = load(FIXTURES / "word97-notes.doc", max_bytes=MB)
    assert doc.text == (
        "# Accountability\n\nICBs are accountable to NHS England. Boards meet monthly.\n\n# Money\n\nRunning costs fall by 30%.\n\n"
        "Footnotes\n\n1. Health and Care Act 2022, s.14Z.\n\n2. Board papers, May 2024."
    )
    assert doc.meta == {"title": "Notes test", "author": "NHS Confederation", "date": "2024-05-06"}


def test_a_word97_doc_with_text_stored_one_byte_a_character_is_read(tmp_path: Path) -> None:
    """Word stores a piece of plain text one byte a character (cp1252), the piece table's offset doubled and flagged."""
    import struct

    source = FIXTURES / "word97-notes.doc"
    word, table, table_name = _word_streams(source)
    pairs, fc_clx = _pairs_and_piece_table(word)
    assert table[fc_clx] == 0x02  # the piece table, with one piece
    start, end = struct.unpack_from("<II", table, fc_clx + 5)
    fc = struct.unpack_from("<I", table, fc_clx + 5 + 8 + 2)[0]
    text = word[fc : fc + 2 * (end - start)].decode("utf-16-le")
    narrow = text.encode("cp1252")
    word = bytearray(word[:fc] + narrow + word[fc + len(narrow) :])
    # the paragraph runs (which say a paragraph's style) name where a paragraph ends in bytes: half as far in now
    fc_runs, lcb_runs = struct.unpack_from("<II", word, pairs + 8 * 13)
    pages = (lcb_runs - 4) // 8
    for k in range(pages):
        page_at = (struct.unpack_from("<I", table, fc_runs + 4 * (pages + 1) + 4 * k)[0] & 0x3FFFFF) * 512
        crun = word[page_at + 511]
        for i in range(crun + 1):
            bound = struct.unpack_from("<I", word, page_at + 4 * i)[0]
            struct.pack_into("<I", word, page_at + 4 * i, fc + (bound - fc) // 2)
    word = bytes(word)
    table = bytearray(table)
    struct.pack_into("<I", table, fc_clx + 5 + 8 + 2, (2 * fc) | 0x40000000)
    path = _rewritten(source, tmp_path / "narrow.doc", word, bytes(table), table_name)
    assert load(path, max_bytes=MB).text == load(source, max_bytes=MB).text
    assert load(path, max_bytes=MB).text.startswith("# Accountability\n\n")


def test_what_no_word97_doc_is_says_so_in_one_line_or_is_read_as_what_it_is(tmp_path: Path) -> None:
    import struct

    source = FIXTURES / "word97-notes.doc"
    word, _, _ = _word_streams(source)
    locked = bytearray(word)
    struct.pack_into("<H", locked, 0x0A, struct.unpack_from("<H", word, 0x0A)[0] | 0x0100)
    old = bytearray(word)
    struct.pack_into("<H", old, 2, 0x0065)  # Word 95's nFib
    cases = {
        "locked.doc": (_rewritten(source, tmp_path / "locked.doc", bytes(locked)), "locked.doc: password-protected; remove the password"),
        "old.doc": (_rewritten(source, tmp_path / "old.doc", bytes(old)), "old.doc: saved by Word 95 or earlier; re-save it from Word as .docx"),
    }
    xml = tmp_path / "word2003.doc"  # Word 2003's XML document
    xml.write_text('<?xml version="1.0"?>\n<?mso-application progid="Word.Document"?>\n<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml">'
                   "<w:body><w:p><w:r><w:t>Words.</w:t></w:r></w:p></w:body></w:wordDocument>", encoding="utf-8")  # fmt: skip
    cases["word2003.doc"] = (xml, "word2003.doc: a Word 2003 XML document named .doc; save it as .docx from Word and ingest again")
    junk = tmp_path / "junk.doc"
    junk.write_bytes(b"\x00\x01 not a document at all")
    cases["junk.doc"] = (junk, "junk.doc: not a Word .doc file; re-save it from Word as .docx and ingest again")
    for name, (path, said) in cases.items():
        with pytest.raises(LoadError) as info:
            load(path, max_bytes=MB)
        assert str(info.value).startswith(said) and "\n" not in str(info.value), (name, str(info.value))
    renamed = tmp_path / "renamed.doc"  # a .docx saved with the old name
    renamed.write_bytes(make_docx("Title", "Words."))
    assert load(renamed, max_bytes=MB).text == "# Title\n\nWords."
    workbook = tmp_path / "sheet.doc"  # an .xls under a Word document's name
    make_xls(workbook)
    assert load(workbook, max_bytes=MB).text.startswith("# Summary\n\nICB | Allocation")
    page = tmp_path / "export.doc"  # a system's HTML export with a .doc name, as many intranets make them
    page.write_text("<html><body><h1>Board report</h1><p>The board met in May.</p></body></html>", encoding="utf-8")
    assert load(page, max_bytes=MB).text == "# Board report\n\nThe board met in May."


def test_an_old_binary_doc_xls_or_ppt_given_the_new_formats_name_is_read_as_what_it_is(tmp_path: Path) -> None:
    import shutil

    named = tmp_path / "notes.docx"
    shutil.copyfile(FIXTURES / "word97-notes.doc", named)
    assert load(named, max_bytes=MB).text == load(FIXTURES / "word97-notes.doc", max_bytes=MB).text
    book = tmp_path / "allocations.xlsx"
    make_xls(book)
    assert load(book, max_bytes=MB).text.startswith("# Summary\n\nICB | Allocation | Change | From | Met")
    import gzip

    deck = tmp_path / "oversight.pptx"
    deck.write_bytes(gzip.decompress((FIXTURES / "ppt97-deck.ppt.gz").read_bytes()))
    assert load(deck, max_bytes=MB).text.startswith("# System oversight 2025/26\n\nBoard development session")


# --- PowerPoint 97-2003 decks (.ppt) ---------------------------------------------------------------------------------


def test_a_ppt97_deck_reads_as_a_pptx_does(tmp_path: Path) -> None:
    """A real .ppt LibreOffice's "MS PowerPoint 97" filter wrote from a python-pptx deck (tests/fixtures/README.md)."""
    import gzip

    path = tmp_path / "oversight.ppt"
    path.write_bytes(gzip.decompress((FIXTURES / "ppt97-deck.ppt.gz").read_bytes()))
    doc = load(path, max_bytes=MB)
    assert doc.text.split("\f") == [
        "# System oversight 2025/26\n\nBoard development session",
        "# Governance\n\nThe ICB chairs the quality committee.\n\nProviders report monthly.\n\n### Speaker notes\n\nSay the committee meets monthly.",
        "# Waiting lists\n\nTrust | 2023/24 | 2024/25\nLTHT | 120,000 | 98,500\nLCH | 8,000 | 7,200\n\nSource: trust returns, March 2025. Żółć café.",
        "# If ratings fall\n\nIf a rating falls, a second assurance meeting is held.",
    ]
    assert doc.meta["page_labels"] == "slide 1\nslide 2\nslide 3\nslide 4, hidden"
    assert doc.meta["title"] == "System oversight 2025/26" and doc.meta["format"] == "slides"


def _record(kind: int, body: bytes = b"", instance: int = 0, children: tuple[bytes, ...] = ()) -> bytes:
    import struct

    payload = b"".join(children) if children else body
    version = 0xF if children else 0
    return struct.pack("<HHI", (instance << 4) | version, kind, len(payload)) + payload


def test_a_ppt_placeholder_whose_text_is_in_the_documents_slide_list_is_read() -> None:
    """PowerPoint keeps a placeholder's text in the document's list of slide texts and an OutlineTextRefAtom in the
    shape; a deck built record by record ([MS-PPT]) as PowerPoint lays one out, two saves deep."""
    import struct

    from ingest.office97 import _ppt_slides

    def text(kind: int, said: str) -> bytes:
        return _record(0x0F9F, struct.pack("<I", kind)) + _record(0x0FA0, said.encode("utf-16-le"))

    def shape(*inner: bytes) -> bytes:
        return _record(0xF004, children=(_record(0xF00A, b"\0" * 8), *inner))

    def slide(title_ref: int, top_of_box: int, box: str) -> bytes:
        drawing = _record(0x040C, children=(_record(0xF002, children=(_record(0xF003, children=(
            shape(),  # the group's own shape
            shape(_record(0xF010, struct.pack("<hhhh", 40, 10, 600, 90)), _record(0xF00D, children=(_record(0x0F9E, struct.pack("<I", title_ref)),))),
            shape(_record(0xF010, struct.pack("<hhhh", top_of_box, 10, 600, 500)), _record(0xF00D, children=(text(4, box),))),
        )),)),))  # fmt: skip
        return _record(0x03EE, children=(_record(0x03EF, b"\0" * 24), drawing))

    slide_list = _record(0x0FF0, instance=0, children=(
        _record(0x03F3, struct.pack("<IIIII", 3, 0, 1, 256, 0)), text(0, "Oversight"),
        _record(0x03F3, struct.pack("<IIIII", 4, 0, 1, 257, 0)), text(0, "Money"),
    ))  # fmt: skip
    document = _record(0x03E8, children=(_record(0x03E9, b"\0" * 40), slide_list))
    first, second = slide(0, 200, "Boards meet monthly."), slide(0, 200, "Costs fall by 30%.")
    stream = document + first + second
    offsets = [0, len(document), len(document) + len(first)]

    old_persist_at = len(stream)  # the first save's directory: persisted object id -> where it starts
    stream += _record(0x1772, b"".join(struct.pack("<II", (1 << 20) | pid, where) for pid, where in zip((2, 3, 4), offsets, strict=True)))
    old_edit_at = len(stream)
    stream += _record(0x0FF5, struct.pack("<IHBBIIII", 256, 0, 0, 3, 0, old_persist_at, 2, 4) + b"\0" * 4)
    # a later save rewrote the second slide: its new copy comes last, and only the newest directory points at it
    newer = slide(0, 200, "Costs fall by a third.")
    newer_at = len(stream)
    stream += newer
    new_persist_at = len(stream)
    stream += _record(0x1772, struct.pack("<II", (1 << 20) | 4, newer_at))
    new_edit_at = len(stream)
    stream += _record(0x0FF5, struct.pack("<IHBBIIII", 256, 0, 0, 3, old_edit_at, new_persist_at, 2, 4) + b"\0" * 4)
    user = struct.pack("<HHIIII", 0, 0x0FF6, 20, 20, 0xE391C05F, new_edit_at)
    slides, labels = _ppt_slides(stream, user)
    assert slides == ["# Oversight\n\nBoards meet monthly.", "# Money\n\nCosts fall by a third."]
    assert labels == ["slide 1", "slide 2"]


def test_what_is_no_ppt_says_so_in_one_line(tmp_path: Path) -> None:
    from pptx import Presentation

    renamed = tmp_path / "renamed.ppt"  # a .pptx under the old name is read as what it is
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "Oversight"
    deck.save(renamed)
    assert load(renamed, max_bytes=MB).text == "# Oversight"
    junk = tmp_path / "junk.ppt"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 700)
    text = tmp_path / "notes.ppt"
    text.write_text("not a deck")
    for path, said in (
        (junk, "junk.ppt: corrupt or not a PowerPoint .ppt file ("),
        (text, "notes.ppt: not a PowerPoint .ppt file; re-save it from PowerPoint as .pptx"),
    ):
        with pytest.raises(LoadError) as info:
            load(path, max_bytes=MB)
        assert str(info.value).startswith(said) and "\n" not in str(info.value), str(info.value)


def test_word97_tables_with_empty_merged_and_nested_cells_keep_their_columns() -> None:
    """Row ends are read from each paragraph's own properties, not guessed: an empty column, a cell of two paragraphs,
    a table inside a cell and a merged title row keep every row whole and every figure in its column."""
    assert load(FIXTURES / "word97-tables.doc", max_bytes=MB).text == (
        "An empty column.\n\nTrust A | | 98%\nTrust B | | 87%\n\n"
        "A cell of two paragraphs.\n\nMeasure | Value\nWaiting list (all trusts) | 7.6 million\nStaff | 1.3 million\n\n"
        "A table in a cell.\n\nOuter A | Outer B before Inner 1 Inner 2 Outer B after\nRow2 A | Row2 B\n\n"
        "A merged title row.\n\nTable 3: Beds\nTrust | 2023 | 2024\nLTHT | | 1,900\n\nAfter the tables."
    )


def test_word97_text_boxes_notes_of_two_paragraphs_endnotes_and_a_utf8_title_are_read() -> None:
    doc = load(FIXTURES / "word97-stories.doc", max_bytes=MB)
    assert doc.text == (
        "Claim one. Claim two.\n\nMain text here. After.\n\nBefore the box.\n\nAfter the box.\n\n"
        "Boxed text: waiting times rose 12%.\n\n"
        "Footnotes\n\n1. First paragraph of note one. Second paragraph of note one.\n\n2. Note two.\n\n"
        "Notes\n\n1. Endnote source: Audit Office 2023."
    )
    assert doc.meta == {"title": "Отчёт о здравоохранении", "author": "Иван Петров"}  # LibreOffice's code page: UTF-8


def test_word97_text_deleted_under_tracked_changes_or_hidden_is_left_out() -> None:
    assert load(FIXTURES / "word97-tracked.doc", max_bytes=MB).text == "The budget is £3 million per year.\n\nVisible sentence."


def test_a_damaged_word97_piece_table_or_field_is_an_error_or_kept_not_a_hang(tmp_path: Path) -> None:
    from ingest.office97 import _word_fields

    source = FIXTURES / "word97-notes.doc"
    word, table, table_name = _word_streams(source)
    fc_clx = _pairs_and_piece_table(word)[1]
    looped = bytearray(table)
    looped[fc_clx : fc_clx + 3] = b"\x01\xfd\xff"  # formatting of -3 bytes: the reader never moved on
    path = _rewritten(source, tmp_path / "looped.doc", word, bytes(looped), table_name)
    with pytest.raises(LoadError) as info:
        load(path, max_bytes=MB)
    assert str(info.value).startswith("looped.doc: corrupt or not a Word .doc file (damaged piece table)")
    assert _word_fields("Before \x13 HYPERLINK x \x14shown\x15 after \x13 PAGE never closed") == "Before  HYPERLINK x shown after  PAGE never closed"
    assert _word_fields("A \x13 HYPERLINK x \x14link\x15 b") == "A link b"
    assert _word_fields("\x13" + "x" * 400_000 + "\x14y\x15") == "y"  # a long field code: linear, not quadratic


@pytest.mark.parametrize(
    ("plain", "shown"),
    [
        (  # a reply's quote loses its marks and reads on; a deeper quote is a paragraph of its own
            "Thanks Bob, noted.\n\nOn 6 Mar 2024, Bob wrote:\n> We expect waiting lists to fall below seven million by the end\n"
            "> of the financial year if industrial action ends.\n>> Earlier: the plan was agreed.\n\nAnn",
            "Thanks Bob, noted.\n\nOn 6 Mar 2024, Bob wrote:\n\nWe expect waiting lists to fall below seven million by the end\n"
            "of the financial year if industrial action ends.\n\nEarlier: the plan was agreed.\n\nAnn",
        ),
        (  # a lone line opening with ">" keeps it: it is a figure, not a quote
            "Share of trusts over target:\n> 50% of trusts in the North\n\nAgreed.\n\nOn 6 Mar, Bob wrote:\n> I disagree with Carol.\n"
            "> On 5 Mar, Carol wrote:\n>> Beds will fall by 10%.\n>> Source: plan.\n\nJo",
            "Share of trusts over target:\n> 50% of trusts in the North\n\nAgreed.\n\nOn 6 Mar, Bob wrote:\n\nI disagree with Carol.\n"
            "On 5 Mar, Carol wrote:\n\nBeds will fall by 10%.\nSource: plan.\n\nJo",
        ),
    ],
)
def test_an_emails_quoted_reply_reads_on_and_a_lone_gt_stays(tmp_path: Path, plain: str, shown: str) -> None:
    path = tmp_path / "reply.eml"
    path.write_bytes(bytes(make_mail(plain=plain)))
    assert load(path, max_bytes=MB).text.endswith(shown)


def test_an_attached_pdfs_running_header_goes_as_when_it_is_ingested_alone(tmp_path: Path) -> None:
    from fpdf import FPDF

    from ingest.clean import clean

    class Briefing(FPDF):
        def header(self) -> None:
            self.set_font("helvetica", size=9)
            self.cell(0, 8, "NHS Confederation - Elective recovery briefing", align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

    pdf = Briefing()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, " ".join(f"Sentence {i} says trusts cleared {i} thousand cases." for i in range(700)))
    alone = tmp_path / "brief.pdf"
    alone.write_bytes(bytes(pdf.output()))
    path = tmp_path / "brief.eml"
    path.write_bytes(bytes(make_mail(plain="Attached.", attachments=(("brief.pdf", "application/pdf", alone.read_bytes()),))))
    heads = []
    for loaded in (load(alone, max_bytes=MB), load(path, max_bytes=MB)):
        heads.append(clean(loaded.text, loaded.caption, loaded.not_printed).text.count("Elective recovery briefing"))
    assert pdf.page_no() >= 8 and heads[0] <= 1 and heads[1] == heads[0], heads


def test_an_emails_title_keeps_a_tag_that_is_no_mail_systems(tmp_path: Path) -> None:
    path = tmp_path / "draft.eml"
    path.write_bytes(bytes(make_mail(subject="[EXTERNAL] RE: [DRAFT] Running costs")))
    assert load(path, max_bytes=MB).meta["title"] == "[DRAFT] Running costs"


def test_an_odp_group_is_read_where_its_shapes_sit(tmp_path: Path) -> None:
    """A group has no position of its own: it is read where its first shape sits, not before everything."""
    group = ('<draw:g><draw:custom-shape svg:x="1cm" svg:y="15cm"><text:p>Group bottom-left: last.</text:p></draw:custom-shape>'
             '<draw:custom-shape svg:x="12cm" svg:y="15cm"><text:p>Group bottom-right: very last.</text:p></draw:custom-shape></draw:g>')  # fmt: skip
    page = ('<draw:page draw:name="page1" draw:style-name="dp1">' + _frame("title", "1cm", "1cm", "<text:p>Waiting times</text:p>") + group
            + '<draw:custom-shape svg:x="1cm" svg:y="4cm"><text:p>Top box: first.</text:p></draw:custom-shape></draw:page>')  # fmt: skip
    path = tmp_path / "deck.odp"
    make_odp(path, page)
    assert load(path, max_bytes=MB).text == "# Waiting times\n\nTop box: first.\n\nGroup bottom-left: last.\n\nGroup bottom-right: very last."


def test_a_docx_run_formatted_hidden_is_left_out_as_a_docs_is(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    paragraph = document.add_paragraph("Visible ")
    paragraph._p.append(parse_xml(f"<w:r {w}><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN DRAFT NOTE </w:t></w:r>"))
    paragraph._p.append(parse_xml(f'<w:r {w}><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>shown </w:t></w:r>'))
    paragraph.add_run("sentence.")
    path = tmp_path / "hidden.docx"
    document.save(path)
    assert load(path, max_bytes=MB).text == "Visible shown sentence."


def test_word97_emoji_a_wide_table_and_notes_marked_by_a_symbol_keep_everything_in_place() -> None:
    """An emoji takes two of the file's character positions: everything after it (a tracked deletion, table marks,
    where the footnotes start) stays in place. A table of twelve columns keeps its row ends (Word keeps a wide row's
    properties in the Data stream). A note marked "*" is a note of its own."""
    assert load(FIXTURES / "word97-more.doc", max_bytes=MB).text == (
        "Staff said 👍👍👍👍 about the plan.\n\nThe budget is £3 million per year.\n\nTrust | Beds\nLTHT | 1900\n\n"
        "A wide table.\n\nY0 | Y1 | Y2 | Y3 | Y4 | Y5 | Y6 | Y7 | Y8 | Y9 | Y10 | Y11\nv0 | v1 | v2 | | v4 | v5 | v6 | v7 | v8 | v9 | v10 | v11\n\n"
        "Claim A. Claim B.* Claim C.\n\nFootnotes\n\n1. Source A: ONS 2023.\n\n2. * Source B: NAO 2022.\n\n3. Source C: NHSE 2024."
    )


def test_word97_a_heading_after_a_section_break_is_a_heading_of_its_own() -> None:
    assert load(FIXTURES / "word97-sections.doc", max_bytes=MB).text == (
        "# Introduction\n\nWaiting lists rose by 4% in the year to March.\n\n# Findings\n\nStaffing gaps persisted."
    )


def test_an_attached_transcript_keeps_its_times(tmp_path: Path) -> None:
    captions = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWe cut waiting lists by a tenth.\n\n00:01:01.000 --> 00:01:05.000\nBeds rose.\n"
    path = tmp_path / "meeting.eml"
    path.write_bytes(bytes(make_mail(plain="The captions.", attachments=(("board.vtt", "text/vtt", captions),))))
    text = load(path, max_bytes=MB).text
    assert "00:01:01.000 --> 00:01:05.000" in text and "Beds rose." in text


def test_word97_text_hidden_only_as_its_style_says_is_shown(tmp_path: Path) -> None:
    """A hidden toggle of 0x80 means "as the style says"; styles are not read, and the style here is no hidden one."""
    word, _, _ = _word_streams(FIXTURES / "word97-tracked.doc")
    at = word.find(b"\x3c\x08\x01")  # sprmCFVanish, on
    assert at > 0
    toggled = _rewritten(FIXTURES / "word97-tracked.doc", tmp_path / "toggled.doc", word[: at + 2] + b"\x80" + word[at + 3 :])
    assert load(toggled, max_bytes=MB).text == "The budget is £3 million per year.\n\nVisible HIDDEN DRAFT NOTEsentence."


def test_an_emails_kind_is_email_and_its_date_the_date_sent(tmp_path: Path) -> None:
    from ingest.clean import clean
    from ingest.infer import infer_file

    path = tmp_path / "minutes.eml"
    path.write_bytes(bytes(make_mail(subject="Draft minutes of the meeting on 3 February 2025", plain="Published: 1 January 2024\n\nThe strategy was agreed.")))
    doc = load(path, max_bytes=MB)
    found = infer_file(path, doc.meta, clean(doc.text, doc.caption, doc.not_printed).text)
    assert (found.title, found.date, found.kind) == ("Draft minutes of the meeting on 3 February 2025", "2025-03-04", "email")
