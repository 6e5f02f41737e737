"""Loaders: every format, encoding detection, metadata, and one clear one-line error per failure."""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import LoadError, UnsupportedFile
from ingest.load import SUPPORTED_EXTENSIONS, load

MB = 1_000_000


def make_pdf(pages: list[str], *, title: str = "", author: str = "", image_only: bool = False) -> bytes:
    """A PDF with one page per text (fpdf2 core font), or pages holding only a drawn shape."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creation_date(datetime(2022, 10, 3, 12, 0, tzinfo=UTC))
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if image_only:
            pdf.set_fill_color(120, 120, 120)
            pdf.rect(20, 20, 120, 80, style="F")
        else:
            pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def load_error(path: Path, max_bytes: int = MB) -> str:
    with pytest.raises(LoadError) as info:
        load(path, max_bytes=max_bytes)
    message = str(info.value)
    assert "\n" not in message and message.startswith(path.name + ": ")
    return message


# --- text -------------------------------------------------------------------------------------


def test_cp1252_text_is_detected_not_assumed(tmp_path: Path) -> None:
    text = "The budget is £3.5m for the café, “a big sum” – it’s said.\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    doc = load(path, max_bytes=MB)
    assert doc.text == text
    assert doc.encoding == "cp1252"


def test_short_latin1_text_keeps_pound_sign(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("Cost £5, café".encode("latin-1"))
    assert load(path, max_bytes=MB).text == "Cost £5, café"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_text("Integrated care £ é “ok”", encoding="utf-16")
    doc = load(path, max_bytes=MB)
    assert doc.text == "Integrated care £ é “ok”"
    assert doc.encoding == "utf-16"


def test_utf8_bom_is_stripped_and_markdown_title_found(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes("\ufeff# ICS accountability\n\nBody text.".encode())
    doc = load(path, max_bytes=MB)
    assert doc.text.startswith("# ICS accountability")
    assert doc.meta["title"] == "ICS accountability"


def test_title_falls_back_to_stem(tmp_path: Path) -> None:
    path = tmp_path / "plain-notes.txt"
    path.write_text("No heading here.", encoding="utf-8")
    assert load(path, max_bytes=MB).meta["title"] == "plain-notes"


def test_binary_with_text_extension(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary data" in load_error(path)


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "empty file (0 bytes)" in load_error(empty)
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\t\n  ", encoding="utf-8")
    assert "no text found" in load_error(blank)


def test_unsupported_extension_is_skippable(tmp_path: Path) -> None:
    path = tmp_path / "deck.key"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFile) as info:
        load(path, max_bytes=MB)
    assert "deck.key: unsupported file type '.key'" in str(info.value)
    assert ".pdf" in str(info.value) and set(SUPPORTED_EXTENSIONS) >= {
        ".txt", ".md", ".pdf", ".docx", ".odt", ".pptx", ".xlsx", ".ods", ".csv", ".html", ".htm"}


def test_oversize_file_names_size_limit_and_setting(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2_500_000)
    message = load_error(path, max_bytes=2 * MB)
    assert "2.5 MB" in message and "2.0 MB limit" in message and "ASSISTANT_MAX_FILE_MB" in message


def test_missing_path(tmp_path: Path) -> None:
    message = load_error(tmp_path / "nowhere.pdf")
    assert "file not found" in message


def test_unreadable_file(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="unreadable-"))  # pytest's tmp_path is private to root
    folder.chmod(0o755)
    path = folder / "secret.txt"
    path.write_text("hidden", encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads anything: check as an unprivileged user instead
            message = _load_error_as_nobody(path)
        else:
            message = load_error(path)
        assert message == "secret.txt: permission denied; make the file readable (chmod +r) and ingest again"
    finally:
        shutil.rmtree(folder)


def _load_error_as_nobody(path: Path) -> str:
    """Run load() in a child process as user `nobody` (uid 65534) and return its LoadError message."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv to drop privileges")
    code = (
        "import sys; from pathlib import Path; from ingest.load import load; from assistant.errors import LoadError\n"
        "try:\n    load(Path(sys.argv[1]), max_bytes=10**6)\nexcept LoadError as e:\n    print(e)"
    )
    result = subprocess.run(
        [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code, str(path)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
    )
    return result.stdout.strip() or result.stderr.strip()


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_pages_joined_by_form_feed_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    pages = ["Alpha page text.", "Beta page text.", "Gamma page text."]
    path.write_bytes(make_pdf(pages, title="ICS Report", author="NHS Confed"))
    doc = load(path, max_bytes=MB)
    assert doc.text.count("\f") == 2
    assert [p.strip() for p in doc.text.split("\f")] == ["Alpha page text.", "Beta page text.", "Gamma page text."]
    assert doc.meta == {"title": "ICS Report", "author": "NHS Confed", "date": "2022-10-03"}


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref")
    assert "corrupt or unreadable PDF" in load_error(path)


def test_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes(make_pdf(["Some text."])[:200])
    assert "corrupt or unreadable PDF" in load_error(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypt_pdf(make_pdf(["Confidential text."]), "secret"))
    assert load_error(path) == "locked.pdf: encrypted PDF; remove the password and ingest it again"


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypt_pdf(make_pdf(["Readable text."]), ""))
    assert "Readable text." in load(path, max_bytes=MB).text


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf(["", ""], image_only=True))
    assert "no text layer (scanned?); OCR is not supported" in load_error(path)


def test_pypdf_warnings_stay_quiet(caplog: pytest.LogCaptureFixture) -> None:
    from pypdf._utils import logger_warning  # how pypdf reports recoverable oddities of real PDFs

    with caplog.at_level(logging.DEBUG):
        logger_warning("Ignoring wrong pointing object 6 0 (offset 0)", source="pypdf._reader")
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert logging.getLogger("pypdf").getEffectiveLevel() >= logging.ERROR


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_headings_paragraphs_table_and_properties(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Board paper"
    document.core_properties.author = "ICB secretary"
    document.core_properties.created = datetime(2023, 1, 9, 9, 0)
    document.add_heading("Accountability", level=1)
    document.add_paragraph("ICBs are accountable to NHS England.")
    document.add_heading("With local government", level=2)
    document.add_paragraph("Partners meet in the ICP.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Body", "Role"
    table.cell(1, 0).text, table.cell(1, 1).text = "ICB", "Commissions care"
    document.add_paragraph("Closing words.")
    path = tmp_path / "paper.docx"
    document.save(path)
    doc = load(path, max_bytes=MB)
    assert doc.text == (
        "# Accountability\n\nICBs are accountable to NHS England.\n\n## With local government\n\n"
        "Partners meet in the ICP.\n\nBody | Role\nICB | Commissions care\n\nClosing words."
    )
    assert doc.meta == {"title": "Board paper", "author": "ICB secretary", "date": "2023-01-09"}


def test_docx_table_cells_keep_their_columns(tmp_path: Path) -> None:
    """Two cells with the same text are both kept ("5% | 5%"), an empty cell keeps its place, and a cell merged across
    two columns gives its text once, then an empty cell: each value stays under its column's header."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for r, cells in enumerate([("Measure", "2023", "2024"), ("Vacancy rate", "5%", "5%"), ("Turnover", "", "9%"), ("All staff", "", "7%")]):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    table.cell(3, 0).merge(table.cell(3, 1))
    path = tmp_path / "table.docx"
    document.save(path)
    assert load(path, max_bytes=MB).text == "Measure | 2023 | 2024\nVacancy rate | 5% | 5%\nTurnover | | 9%\nAll staff | | 7%"
    # a row that starts after the first column (w:gridBefore) keeps its cells under their headers
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr = table.rows[1]._tr
    tr.remove(tr.tc_lst[0])
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    tr.get_or_add_trPr().insert(0, before)
    document.save(path)
    assert load(path, max_bytes=MB).text.splitlines()[1] == "| 5% | 5%"


_WML = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_SHAPES = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _text_box(words: str) -> str:
    """A run holding a text box as Word writes it: the shape, and a VML copy of the same box for old Word."""
    box = f"<w:txbxContent><w:p><w:r><w:t>{words}</w:t></w:r></w:p></w:txbxContent>"
    return (
        f"<w:r {_WML} {_SHAPES}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic>"
        f"<a:graphicData uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\"><wps:wsp><wps:txbx>{box}"
        "</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_docx_text_word_shows_is_read_tracked_changes_content_controls_and_text_boxes(tmp_path: Path) -> None:
    """A board paper as drafts go round: text inserted under tracked changes, paragraphs in a template's content
    controls, a named author in an inline one, a key message in a text box, a table cell with an insertion. python-docx's
    paragraphs and tables skipped all of these (the figures were lost); deleted text stays out, a text box is read
    once (not again from its copy for old Word), and the table of contents is no evidence."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Finance report", level=1)
    body = document.element.body

    def block(xml: str) -> None:
        body.insert(len(body) - 1, parse_xml(xml))  # before the section properties

    block(f'<w:sdt {_WML}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>'
          "<w:sdtContent><w:p><w:r><w:t>Finance report</w:t></w:r><w:r><w:tab/><w:t>1</w:t></w:r></w:p></w:sdtContent></w:sdt>")
    said = document.add_paragraph("The board agreed the plan.")
    said._p.append(parse_xml(f'<w:ins {_WML} w:id="1" w:author="A"><w:r><w:t xml:space="preserve"> The deficit is £4.2m.</w:t></w:r></w:ins>'))
    said._p.append(parse_xml(f'<w:del {_WML} w:id="2" w:author="A"><w:r><w:delText> The deficit is £3.9m.</w:delText></w:r></w:del>'))
    block(f"<w:sdt {_WML}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>The ICB is in oversight segment 3.</w:t></w:r></w:p>"
          "</w:sdtContent></w:sdt>")
    author = document.add_paragraph("Author: ")
    author._p.append(parse_xml(f"<w:sdt {_WML}><w:sdtPr/><w:sdtContent><w:r><w:t>Jane Smith</w:t></w:r></w:sdtContent></w:sdt>"))
    author._p.append(parse_xml(f"<w:r {_WML}><w:ptab/><w:t>Director</w:t></w:r>"))  # a positional tab
    author._p.append(parse_xml(f"<w:sdt {_WML}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>Click or tap "
                               "here to enter text.</w:t></w:r></w:sdtContent></w:sdt>"))  # fmt: skip
    boxed = document.add_paragraph("Waiting lists are shorter.")
    boxed._p.append(parse_xml(_text_box("Key message: waits fell by half.")))
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Forecast"
    table.cell(0, 1).paragraphs[0]._p.append(parse_xml(f'<w:ins {_WML} w:id="3" w:author="A"><w:r><w:t>£4.2m deficit</w:t></w:r></w:ins>'))
    path = tmp_path / "draft.docx"
    document.save(path)
    assert load(path, max_bytes=MB).text == (
        "# Finance report\n\nThe board agreed the plan. The deficit is £4.2m.\n\nThe ICB is in oversight segment 3.\n\n"
        "Author: Jane Smith Director\n\nWaiting lists are shorter.\n\nKey message: waits fell by half.\n\nForecast | £4.2m deficit"
    )


def test_docx_table_rows_a_content_control_wraps_are_read(tmp_path: Path) -> None:
    """A template's repeating section wraps table rows in a content control (<w:sdt> inside <w:tbl>); python-docx's
    rows skip them. A cell merged down into a wrapped row reads as in any other row: its label again."""
    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    for r, row in enumerate([["Body", "Role"], ["ICB", "Commissions care"], ["Trust", "Provides care"], ["", "Runs hospitals"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(3, 0))
    tbl = table._tbl
    control = etree.SubElement(tbl, qn("w:sdt"))
    etree.SubElement(control, qn("w:sdtPr"))
    content = etree.SubElement(control, qn("w:sdtContent"))
    for tr in tbl.findall(qn("w:tr"))[1:]:
        content.append(tr)
    document.add_paragraph("After the table.")
    path = tmp_path / "roles.docx"
    document.save(path)
    assert load(path, max_bytes=MB).text == (
        "Body | Role\nICB | Commissions care\nTrust | Provides care\nTrust | Runs hospitals\n\nAfter the table."
    )
    for tr in content.findall(qn("w:tr"))[:2]:  # the control now starts at the row merged down into: no row above it
        control.addprevious(tr)
    document.save(path)
    assert load(path, max_bytes=MB).text == (  # python-docx cannot read that cell; it keeps its place, empty
        "Body | Role\nICB | Commissions care\nTrust | Provides care\n| Runs hospitals\n\nAfter the table."
    )


def test_docx_footnotes_and_endnotes_are_stored_at_the_end(tmp_path: Path) -> None:
    """Word keeps a document's notes apart from its body, and python-docx reads none: the source behind a claim was
    lost. They are stored at the end under "Footnotes" and "Notes", numbered in order, as a PDF's footnotes are; the
    separator lines Word keeps with them are not notes."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    document.add_paragraph("Waits fell by half over the year.")
    for name, tag, reltype, content_type, notes in (
        ("footnotes", "footnote", "footnotes", "footnotes", ["NHS England, Referral to treatment statistics, 2024.", "Ibid."]),
        ("endnotes", "endnote", "endnotes", "endnotes", ["The board met in public."]),
    ):
        separators = f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        said = "".join(f'<w:{tag} w:id="{k}"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:{tag}>' for k, note in enumerate(notes, 1))
        blob = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{name} {_WML}>{separators}{said}</w:{name}>'
        part = Part(PackURI(f"/word/{name}.xml"), f"application/vnd.openxmlformats-officedocument.wordprocessingml.{content_type}+xml",
                    blob.encode(), document.part.package)  # fmt: skip
        document.part.relate_to(part, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{reltype}")
    path = tmp_path / "noted.docx"
    document.save(path)
    assert load(path, max_bytes=MB).text == (
        "Waits fell by half over the year.\n\nFootnotes\n\n1. NHS England, Referral to treatment statistics, 2024.\n\n"
        "2. Ibid.\n\nNotes\n\n1. The board met in public."
    )


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "mangled.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "corrupt or not a Word .docx file" in load_error(path)


# --- ODT ---------------------------------------------------------------------------------------


def make_odt(path: Path, body: str, title: str = "", creator: str = "", created: str = "", kind: str = "text", styles: str = "") -> None:
    """An OpenDocument text package (or, with kind "spreadsheet", a spreadsheet's) as LibreOffice writes one: the
    mimetype first and stored, content.xml (its automatic `styles`, then its body), meta.xml and the manifest."""
    import zipfile

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.3">'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ns} office:version="1.3"><office:meta>'
            f"<dc:title>{title}</dc:title><meta:initial-creator>{creator}</meta:initial-creator><meta:creation-date>{created}</meta:creation-date>"
            "</office:meta></office:document-meta>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
        package.writestr("meta.xml", meta)
        package.writestr("META-INF/manifest.xml", manifest)


def test_odt_headings_lists_tables_frames_and_notes_as_libreoffice_shows_them(tmp_path: Path) -> None:
    body = (
        '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
        '<text:table-of-content><text:index-body><text:p>Accountability<text:tab/>1</text:p></text:index-body></text:table-of-content>'
        '<text:h text:outline-level="1">Accountability</text:h>'
        '<text:p>ICBs are<text:s text:c="2"/>accountable to <text:span>NHS England</text:span>.<text:note text:note-class="footnote">'
        '<text:note-citation>1</text:note-citation><text:note-body><text:p>Health and Care Act 2022, s.14Z.</text:p></text:note-body></text:note>'
        '<office:annotation><text:p>Check this</text:p></office:annotation></text:p>'
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Old wording.</text:p></text:deletion></text:changed-region></text:tracked-changes>'
        '<text:list><text:list-item><text:h text:outline-level="2">1. With local government</text:h></text:list-item></text:list>'
        '<text:p>Partners meet:<text:line-break/>monthly.</text:p>'
        '<text:list><text:list-item><text:p>In the ICP</text:p><text:list><text:list-item><text:p>and its boards</text:p></text:list-item></text:list></text:list-item></text:list>'
        '<text:section text:name="Annex"><table:table><table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>Body</text:p></table:table-cell>'
        '<table:covered-table-cell/><table:table-cell><text:p>Role</text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="2"><text:p>ICB</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="1000"/></table:table-row></table:table></text:section>'
        '<text:p><draw:frame><draw:text-box><text:p>Boxed point.</text:p></draw:text-box></draw:frame>Closing words.'
        '<text:note text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>See annex.</text:p></text:note-body></text:note></text:p>'
    )
    path = tmp_path / "paper.odt"
    make_odt(path, body, title="Board paper", creator="ICB secretary", created="2023-01-09T09:00:00")
    doc = load(path, max_bytes=MB)
    assert doc.text == (
        "# Accountability\n\nICBs are accountable to NHS England.\n\n## 1. With local government\n\nPartners meet: monthly.\n\n"
        "- In the ICP\n\n- and its boards\n\nBody | | Role\nICB | ICB\n\nClosing words.\n\nBoxed point.\n\n"
        "Footnotes\n\n1. Health and Care Act 2022, s.14Z.\n\nNotes\n\n1. See annex."
    )
    assert doc.meta == {"title": "Board paper", "author": "ICB secretary", "date": "2023-01-09"}


def test_odt_list_headers_tables_in_lists_nested_tables_and_page_frames_are_read_once(tmp_path: Path) -> None:
    body = (
        '<draw:frame text:anchor-type="page"><draw:text-box><text:p>Boxed on the page.</text:p></draw:text-box></draw:frame>'
        '<text:list><text:list-header><text:p>Three aims follow</text:p></text:list-header>'
        '<text:list-item><text:p>Aim one</text:p><table:table><table:table-row><table:table-cell><text:p>Cell in list</text:p>'
        '</table:table-cell></table:table-row></table:table></text:list-item></text:list>'
        '<table:table><table:table-header-rows><table:table-row><table:table-cell><text:p>Outer A</text:p>'
        '<table:table><table:table-row><table:table-cell><text:p>Inner X</text:p></table:table-cell></table:table-row></table:table>'
        '</table:table-cell><table:table-cell><text:p>Outer B</text:p></table:table-cell></table:table-row></table:table-header-rows></table:table>'
    )
    path = tmp_path / "aims.odt"
    make_odt(path, body)
    assert load(path, max_bytes=MB).text == (
        "Boxed on the page.\n\nThree aims follow\n\n- Aim one\n\nCell in list\n\nOuter A Inner X | Outer B"
    )  # a list's header draws no bullet (LibreOffice shows none): a plain paragraph


def test_corrupt_odt(tmp_path: Path) -> None:
    path = tmp_path / "mangled.odt"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "corrupt or not an OpenDocument .odt file" in load_error(path)
    sheet = tmp_path / "sheet.odt"
    make_odt(sheet, "<table:table/>", kind="spreadsheet")
    assert "not an OpenDocument text" in load_error(sheet)


def test_ods_sheets_are_pages_of_rows_with_cells_as_the_spreadsheet_shows_them(tmp_path: Path) -> None:
    """An .ods as LibreOffice saves GOV.UK statistics: each cell's shown text beside its value, a comment in a cell,
    empty rows and cells repeated to the sheet's edge, a hidden sheet and an empty one."""
    def cell(shown: str, value: str = "", kind: str = "string", repeat: int = 1) -> str:
        number = f' office:value="{value}"' if value else ""
        return (f'<table:table-cell office:value-type="{kind}"{number} table:number-columns-repeated="{repeat}">'
                f"<text:p>{shown}</text:p></table:table-cell>")

    def row(*cells: str, repeat: int = 1) -> str:
        return f'<table:table-row table:number-rows-repeated="{repeat}">{"".join(cells)}<table:table-cell table:number-columns-repeated="1021"/></table:table-row>'

    comment = '<office:annotation><dc:creator>Analyst</dc:creator><text:p>check with finance</text:p></office:annotation>'
    body = (
        '<table:table table:name="Summary" table:style-name="ta1">'
        + row(cell("ICB"), cell("Allocation"), cell("Change"))
        + row(cell("West Yorkshire"), cell("£1,234,567.50", "1234567.5", "currency"), cell("-7.0%", "-0.07", "percentage"))
        + row('<table:table-cell office:value-type="string">' + comment + "<text:p>Humber and North Yorkshire</text:p></table:table-cell>",
              cell("£987,654.00", "987654", "currency"), cell("5.0%", "0.05", "percentage"))
        + row("<table:table-cell/>", repeat=1)
        + row(cell("Note"), cell("Figures exclude the pay award."))
        + row("<table:table-cell/>", repeat=1048570)
        + "</table:table>"
        + '<table:table table:name="Workings" table:style-name="ta2">' + row(cell("Check"), cell("3", "3", "float", repeat=2)) + "</table:table>"
        + '<table:table table:name="Empty" table:style-name="ta1">' + row("<table:table-cell/>", repeat=1048576) + "</table:table>"
    )
    styles = ('<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
              '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>')
    path = tmp_path / "allocations 2025-26.ods"
    make_odt(path, body, creator="NHS England", created="2025-04-01T09:30:00", kind="spreadsheet", styles=styles)
    doc = load(path, max_bytes=MB)
    assert doc.text.split("\f") == [
        "# Summary\n\nICB | Allocation | Change\nWest Yorkshire | £1,234,567.50 | -7.0%\nHumber and North Yorkshire | £987,654.00 | 5.0%\n\n"
        "Note | Figures exclude the pay award.",
        "# Workings\n\nCheck | 3 | 3",
    ]
    assert doc.meta["page_labels"] == "sheet Summary\nsheet Workings, hidden"
    assert doc.meta["title"] == "allocations 2025-26" and doc.meta["author"] == "NHS England" and doc.meta["format"] == "spreadsheet"
    assert doc.meta["date"] == "2025-04-01"


def ods_rows(*rows: tuple[str, ...], name: str = "Data") -> str:
    """A sheet of these rows of text cells, each row padded to the sheet's edge as LibreOffice writes it."""
    cells = ("".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in row) for row in rows)
    body = "".join(f'<table:table-row>{c}<table:table-cell table:number-columns-repeated="1000"/></table:table-row>' for c in cells)
    return f'<table:table table:name="{name}">{body}</table:table>'


def test_ods_columns_stay_in_place_and_a_sheet_name_is_one_line(tmp_path: Path) -> None:
    """Cells repeated inside a row keep the columns after them in place (only a row's last cell pads it to the
    sheet's edge); a sheet name holding a line break is cited on one line; a damaged meta.xml loses the title alone."""
    import zipfile

    wide = ('<table:table table:name="Two&#10;lines"><table:table-row>'
            '<table:table-cell table:number-columns-repeated="55"><text:p>0</text:p></table:table-cell>'
            '<table:table-cell><text:p>X</text:p></table:table-cell><table:table-cell table:number-columns-repeated="60"/>'
            '<table:table-cell><text:p>Y</text:p></table:table-cell><table:table-cell table:number-columns-repeated="9999"/>'
            "</table:table-row></table:table>")  # fmt: skip
    path = tmp_path / "wide.ods"
    make_odt(path, wide, kind="spreadsheet")
    doc = load(path, max_bytes=MB)
    cells = [cell.strip() for cell in doc.text.split("\n")[-1].split("|")]
    assert cells[55] == "X" and cells[116] == "Y" and len(cells) == 117 and doc.meta["page_labels"] == "sheet Two lines"
    damaged = tmp_path / "damaged.ods"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.namelist():
            target.writestr(item, b"<office:document-meta" if item == "meta.xml" else source.read(item))
    assert load(damaged, max_bytes=MB).meta["title"] == "damaged"


def test_a_spreadsheets_rows_are_never_page_furniture_nor_speech(tmp_path: Path) -> None:
    """A long-format sheet (GOV.UK's statistics) repeats a row's words with other figures on every row: it lost
    eleven of its twelve rows as a running header, and was read as unpunctuated speech."""
    from ingest.clean import clean

    rows = [("Year", "Measure", "Value")] + [(str(2010 + i), "staff in post headcount", str(100 * i)) for i in range(12)]
    path = tmp_path / "workforce.ods"
    make_odt(path, ods_rows(*rows), kind="spreadsheet")
    doc = load(path, max_bytes=MB)
    assert doc.meta.get("kind") is None and doc.not_printed
    cleaned = clean(doc.text, doc.caption, doc.not_printed).text
    assert all(f"{2010 + i} | staff in post headcount | {100 * i}" in cleaned for i in range(12))
    assert "2021 | staff in post headcount" not in clean(doc.text).text  # a printed page's running lines still go


def test_a_slide_title_repeated_with_a_number_stays_on_every_slide(tmp_path: Path) -> None:
    """A deck titling slide after slide "Delivery update 1", "Delivery update 2", ...: as a printed document's running
    header, all but the first were dropped, and each slide's text lost its heading."""
    from pptx import Presentation

    from ingest.clean import clean

    deck = Presentation()
    for n in range(1, 7):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Delivery update {n}"
        slide.placeholders[1].text = f"Milestone {n} was met on time by the programme board."
    path = tmp_path / "updates.pptx"
    deck.save(str(path))
    doc = load(path, max_bytes=MB)
    kept = clean(doc.text, doc.caption, doc.not_printed).text
    assert all(f"Delivery update {n}" in kept for n in range(1, 7))
    assert "Delivery update 6" not in clean(doc.text).text  # read as printed pages, they were furniture


def test_a_password_protected_ods_says_so(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "locked.ods"
    manifest = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum="x"/></manifest:file-entry></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", bytes(range(256)))
        package.writestr("META-INF/manifest.xml", manifest)
    assert "password-protected" in load_error(path)
    whole = tmp_path / "whole.odt"
    with zipfile.ZipFile(whole, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("encrypted-package", bytes(range(256)))
    assert "password-protected" in load_error(whole)
    deflated = tmp_path / "bad.ods"
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("content.xml", b"<x/>")
    raw = bytearray(deflated.read_bytes())
    at = raw.index(b"content.xml") + len("content.xml")
    raw[at : at + 4] = b"\xff\xff\xff\xff"  # the entry's compressed bytes, damaged
    deflated.write_bytes(bytes(raw))
    assert "corrupt or not an OpenDocument .ods file" in load_error(deflated)


def test_corrupt_ods(tmp_path: Path) -> None:
    path = tmp_path / "mangled.ods"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "corrupt or not an OpenDocument .ods file" in load_error(path)
    text = tmp_path / "text.ods"
    make_odt(text, "<text:p>Words</text:p>")
    assert "not an OpenDocument spreadsheet" in load_error(text)


# --- PPTX -------------------------------------------------------------------------------------


def add_smartart(slide: Any, boxes: list[str]) -> None:
    """A SmartArt graphic as PowerPoint stores one: a graphic frame naming a diagram data part, whose points hold each
    box's text (python-pptx writes none, so the part is made here); a connector's point holds text no box shows."""
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    dgm, a = "http://schemas.openxmlformats.org/drawingml/2006/diagram", "http://schemas.openxmlformats.org/drawingml/2006/main"
    r, p = "http://schemas.openxmlformats.org/officeDocument/2006/relationships", "http://schemas.openxmlformats.org/presentationml/2006/main"

    def point(n: int, text: str, kind: str = "") -> str:
        typed = f' type="{kind}"' if kind else ""
        return f'<dgm:pt modelId="{n}"{typed}><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></dgm:t></dgm:pt>'

    points = point(0, "", "doc") + "".join(point(n, box) for n, box in enumerate(boxes, 1)) + point(99, "connector", "parTrans")
    data = f'<dgm:dataModel xmlns:dgm="{dgm}" xmlns:a="{a}"><dgm:ptLst>{points}</dgm:ptLst></dgm:dataModel>'
    content_type = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"
    part = Part(PackURI("/ppt/diagrams/data1.xml"), content_type, slide.part.package, data.encode())
    rel = slide.part.relate_to(part, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    slide.shapes._spTree.append(etree.fromstring(
        f'<p:graphicFrame xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{r}"><p:nvGraphicFramePr><p:cNvPr id="40" name="Diagram 1"/>'
        f'<p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="914400" y="1828800"/><a:ext cx="5486400" cy="914400"/>'
        f'</p:xfrm><a:graphic><a:graphicData uri="{dgm}"><dgm:relIds xmlns:dgm="{dgm}" r:dm="{rel}" r:lo="" r:qs="" r:cs=""/>'
        f"</a:graphicData></a:graphic></p:graphicFrame>"
    ))


def make_deck(path: Path) -> None:
    """A board's slide deck as PowerPoint writes one (python-pptx): a title slide, bullets at two levels with speaker
    notes, a table with a text box drawn before it but placed below it, a group, a SmartArt graphic, a chart, and a
    hidden slide."""
    from lxml import etree
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.author = "ICB board secretary"
    deck.core_properties.created = datetime(2025, 3, 4, 9, 0)
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = "System oversight 2025/26"
    slide.placeholders[1].text = "Board development session"
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "How the ICB holds providers to account"
    frame = slide.placeholders[1].text_frame
    frame.text = "Quarterly assurance meetings with each trust"
    for text, level in (("Segmentation under the NHS Oversight Framework", 1), ("Escalation\vwhere needed", 0), ("In short: assurance first.", 0)):
        paragraph = frame.add_paragraph()
        paragraph.text, paragraph.level = text, level
    etree.SubElement(paragraph._p.get_or_add_pPr(), "{http://schemas.openxmlformats.org/drawingml/2006/main}buNone")
    slide.notes_slide.notes_text_frame.text = "The ICB chairs the quality committee."
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Waiting lists"
    slide.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(1)).text_frame.text = "Waiting lists fell at both trusts."
    table = slide.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, row in enumerate([["Trust", "2023/24", "2024/25"], ["LTHT", "120,000", "98,500"], ["Bradford", "60,200", "55,100"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    footer = slide.shapes.add_textbox(Inches(1), Inches(7), Inches(3), Inches(0.3))
    footer.text_frame.text = "Official"
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: no title
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(5), Inches(1), Inches(3), Inches(1)).text_frame.text = "Right box"
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1)).text_frame.text = "Left box"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2"]
    data.add_series("A&E 4-hour (%)", (71.5, 73.0))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(3), Inches(6), Inches(3), data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "A&E performance improved"
    add_smartart(slide, ["Assure", "Support", "Intervene"])  # at 2 inches: between the group and the chart
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Backup"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = "If a rating falls, a second assurance meeting is held."
    slide.shapes.add_textbox(Inches(1), Inches(7), Inches(3), Inches(0.3)).text_frame.text = "Official"
    slide._element.set("show", "0")
    deck.save(path)


def test_pptx_slides_are_pages_with_titles_bullets_tables_charts_and_notes_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "oversight.pptx"
    make_deck(path)
    doc = load(path, max_bytes=MB)
    assert doc.text.split("\f") == [
        "# System oversight 2025/26\n\nBoard development session",
        "# How the ICB holds providers to account\n\n- Quarterly assurance meetings with each trust\n\n"
        "- Segmentation under the NHS Oversight Framework\n\n- Escalation where needed\n\nIn short: assurance first.\n\n"
        "### Speaker notes\n\nThe ICB chairs the quality committee.",
        "# Waiting lists\n\nTrust | 2023/24 | 2024/25\nLTHT | 120,000 | 98,500\nBradford | 60,200 | 55,100\n\n"
        "Waiting lists fell at both trusts.\n\nOfficial",
        "# Slide 4\n\nLeft box\n\nRight box\n\n- Assure\n\n- Support\n\n- Intervene\n\nA&E performance improved\n\n| Q1 | Q2\nA&E 4-hour (%) | 71.5 | 73",
        "# Backup\n\nIf a rating falls, a second assurance meeting is held.\n\nOfficial",
    ]
    assert doc.meta == {"title": "System oversight 2025/26", "author": "ICB board secretary", "date": "2025-03-04",
                        "format": "slides", "page_labels": "slide 1\nslide 2\nslide 3\nslide 4\nslide 5, hidden"}


def test_a_deck_with_shapes_python_pptx_cannot_read_keeps_the_rest_and_its_charts_figures(tmp_path: Path) -> None:
    """Google Slides' and Keynote's exports hold shapes with no geometry; a pen's ink is a p:contentPart. python-pptx
    raises on both, which rejected the whole deck; now a shape's text is read from its XML and ink is passed over.
    A chart's figures are written in full (1234567, not 1.23457e+06); a first slide with no title gives the deck its
    first line as title, PowerPoint's "PowerPoint Presentation" being no title."""
    from lxml import etree
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    p_ns, a_ns = "http://schemas.openxmlformats.org/presentationml/2006/main", "http://schemas.openxmlformats.org/drawingml/2006/main"
    deck = Presentation()
    deck.core_properties.title = "PowerPoint Presentation"
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1)).text_frame.text = "Humber ICB annual review 2024"
    odd = slide.shapes.add_textbox(Inches(1), Inches(3), Inches(6), Inches(1))
    odd.text_frame.text = "A box Google Slides drew"
    odd._element.find(f"{{{p_ns}}}nvSpPr/{{{p_ns}}}cNvSpPr").attrib.pop("txBox", None)
    geometry = odd._element.find(f"{{{p_ns}}}spPr/{{{a_ns}}}prstGeom")
    geometry.getparent().remove(geometry)
    etree.SubElement(slide.shapes._spTree, f"{{{p_ns}}}contentPart").set(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", "rId99")
    data = CategoryChartData()
    data.categories = ["2023/24", "2024/25"]
    data.add_series("Allocation (£)", (1234567, 152000000))
    data.add_series("Share", (0.1 + 0.2, 12.5))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(5), Inches(6), Inches(2), data)
    path = tmp_path / "review.pptx"
    deck.save(path)
    doc = load(path, max_bytes=MB)
    assert doc.text == (
        "# Slide 1\n\nHumber ICB annual review 2024\n\nA box Google Slides drew\n\n"
        "| 2023/24 | 2024/25\nAllocation (£) | 1234567 | 152000000\nShare | 0.3 | 12.5"
    )
    assert doc.meta["title"] == "Humber ICB annual review 2024"


def test_office_files_with_a_password_say_so(tmp_path: Path) -> None:
    """A password turns a .docx, .pptx or .xlsx into an OLE compound file: "corrupt ... not a zip file" misled."""
    for suffix in (".docx", ".pptx", ".xlsx"):
        path = tmp_path / f"locked{suffix}"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        assert "password-protected, or not an Office file" in load_error(path)


def test_corrupt_pptx(tmp_path: Path) -> None:
    path = tmp_path / "mangled.pptx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "corrupt or not a PowerPoint .pptx file" in load_error(path)
    docx_as_pptx = tmp_path / "paper.pptx"  # a Word file under a deck's name is read as what it is
    import docx

    document = docx.Document()
    document.add_paragraph("Boards meet monthly.")
    document.save(docx_as_pptx)
    assert load(docx_as_pptx, max_bytes=MB).text == "Boards meet monthly."


# --- spreadsheets ---------------------------------------------------------------------------


def make_workbook(path: Path) -> None:
    """An allocations workbook as Excel saves one (openpyxl): a title row, a table whose cells carry number formats,
    a date and a date-time, a blank row, a merged note, a hidden sheet with float noise, and an empty sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Summary"
    sheet.append(["ICB running cost allocations 2025/26"])
    sheet.append([])
    sheet.append(["ICB", "Allocation", "Change", "Published"])
    sheet.append(["West Yorkshire", 1234567.5, -0.0696, datetime(2025, 4, 1)])
    sheet.append(["Humber and North Yorkshire", 987654, 0.05, datetime(2025, 4, 1, 9, 30)])
    for row in (4, 5):
        sheet.cell(row, 2).number_format = '"£"#,##0.00'
        sheet.cell(row, 3).number_format = "0.0%"
    sheet.append([])
    sheet.append(["Note", "Figures exclude the 2025/26 pay award."])
    sheet.merge_cells("B7:D7")
    workings = book.create_sheet("Workings")
    workings.append(["Check", 0.1 + 0.2, 3.0, True, 12345.678])
    workings.cell(1, 5).number_format = "#,##0.0"
    workings.sheet_state = "hidden"
    book.create_sheet("Empty")
    book.properties.creator = "NHS England"
    book.save(path)


def test_xlsx_sheets_are_pages_of_rows_with_cells_as_excel_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "allocations 2025-26.xlsx"
    make_workbook(path)
    doc = load(path, max_bytes=MB)
    assert doc.text.split("\f") == [
        "# Summary\n\nICB running cost allocations 2025/26\n\nICB | Allocation | Change | Published\n"
        "West Yorkshire | £1,234,567.50 | -7.0% | 2025-04-01\nHumber and North Yorkshire | £987,654.00 | 5.0% | 2025-04-01 09:30\n\n"
        "Note | Figures exclude the 2025/26 pay award.",
        "# Workings\n\nCheck | 0.3 | 3 | TRUE | 12,345.7",
    ]
    assert doc.meta["page_labels"] == "sheet Summary\nsheet Workings, hidden"
    assert doc.meta["title"] == "allocations 2025-26" and doc.meta["author"] == "NHS England" and doc.meta["format"] == "spreadsheet"


def test_xlsx_number_formats_and_a_sheet_stating_a_huge_size(tmp_path: Path) -> None:
    """Currency in a locale code ("[$£-809]", Excel's own £ format) or quoted, e-notation and fractions read as Excel
    shows them; one styled empty cell at the sheet's far corner (XFD1048576) made openpyxl pad every row to it, and a
    5 KB file hung ingest."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append(["Spend", 1234.5, 1234.5, 1234.5, 0.0000421, 0.5])
    for column, fmt in zip("BCDEF", ('[$£-809]#,##0.00', '[$€-x-euro2] #,##0', '"£"#,##0', "0.00E+00", "# ?/?"), strict=True):
        sheet[f"{column}1"].number_format = fmt
    sheet.cell(1048576, 16384).font = Font(bold=True)
    path = tmp_path / "formats.xlsx"
    book.save(path)
    assert load(path, max_bytes=MB).text == "# Sheet\n\nSpend | £1,234.50 | €1,235 | £1,235 | 4.21E-05 | 0.5"


def test_csv_is_one_table_its_delimiter_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text('Trust;Rate;Year\r\nLTHT;6.9%;2024\r\n\r\n;;\r\nNote;"Figures; provisional, March";\r\n', encoding="cp1252")
    doc = load(path, max_bytes=MB)
    assert doc.text == "Trust | Rate | Year\nLTHT | 6.9% | 2024\n\nNote | Figures; provisional, March"
    assert doc.meta == {"format": "spreadsheet", "title": "rates"}


def test_corrupt_spreadsheets(tmp_path: Path) -> None:
    path = tmp_path / "mangled.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "corrupt or not an Excel .xlsx file" in load_error(path)
    huge = tmp_path / "huge.csv"
    huge.write_text('a,b\n1,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    assert "not a readable CSV file" in load_error(huge)


# --- HTML -------------------------------------------------------------------------------------


def test_html_structure_and_dropped_chrome(tmp_path: Path) -> None:
    html = """<html><head><title>ICS news</title><style>p { color: red }</style></head>
    <body><header>Site header</header><nav><a href="/">Home</a></nav>
    <script>var tracking = 1;</script>
    <h1>Statutory ICSs</h1>
    <p>ICSs became statutory
       on 1 July 2022.</p>
    <h2>Accountability</h2>
    <ul><li>ICBs answer to NHS England.</li><li>ICPs set strategy.</li></ul>
    <p>Costs rose by £3m.<br>See below.</p>
    <footer>Copyright footer</footer></body></html>"""
    path = tmp_path / "news.html"
    path.write_text(html, encoding="utf-8")
    doc = load(path, max_bytes=MB)
    assert doc.text == (
        "# Statutory ICSs\n\nICSs became statutory on 1 July 2022.\n\n## Accountability\n\n"
        "- ICBs answer to NHS England.\n\n- ICPs set strategy.\n\nCosts rose by £3m.\nSee below."
    )
    assert doc.meta["title"] == "ICS news"


def test_html_page_marking_its_main_content_is_read_for_it_alone(tmp_path: Path) -> None:
    """A page saved from GOV.UK or NHS England's site: its cookie banner, skip link, feedback box and a promotion sit
    outside <main> (and outside the header, nav and footer dropped before): they were stored, and quoted, as what the
    publication says. A <main> holding little of the page (a bare shell) is not trusted."""
    banner = (
        '<div class="gem-c-cookie-banner" role="region"><h2>Cookies on GOV.UK</h2><p>We use some essential cookies to '
        "make this website work. We would like to set additional cookies to understand how you use GOV.UK.</p></div>"
        '<a href="#main-content">Skip to main content</a>'
    )
    article = (
        "<h1>NHS oversight framework 2025/26</h1><p>The framework describes how NHS England assesses integrated care "
        "boards and trusts, and how it decides the support they receive.</p><p>Each organisation is placed in one of "
        "five segments every quarter.</p>" + "<p>Segmentation draws on the metrics of the oversight framework, on the "
        "organisation's capability and on other intelligence, and it is reviewed with the region.</p>" * 3
    )
    feedback = "<div class='gem-c-feedback'><h2>Is this page useful?</h2><p>Yes No Report a problem with this page</p></div>"
    path = tmp_path / "framework.html"
    path.write_text(f"<html><head><title>NHS oversight framework</title></head><body><header>GOV.UK</header>{banner}"
                    f'<main id="main-content" role="main">{article}</main>{feedback}<footer>OGL</footer></body></html>')  # fmt: skip
    text = load(path, max_bytes=MB).text
    assert text.startswith("# NHS oversight framework 2025/26\n\nThe framework describes") and text.endswith("reviewed with the region.")
    assert "cookies" not in text and "Skip to" not in text and "useful" not in text
    shell = f"<html><body>{banner}<main><p>Loading.</p></main>{article}</body></html>"  # the content outside a bare <main>
    path.write_text(shell)
    assert "reviewed with the region." in load(path, max_bytes=MB).text
    for whole in (f'<html role="main"><body>{article}</body></html>', f'<html><body role="main">{article}</body></html>'):
        path.write_text(whole)  # the whole page marked main (this hung, or failed the file)
        assert load(path, max_bytes=MB).text.endswith("reviewed with the region.")


def test_html_form_holding_the_page_is_kept_and_search_boxes_go(tmp_path: Path) -> None:
    """ASP.NET pages wrap their whole body in one <form>: its text is the page's, its controls are not. A search box or
    a sign-up form is no content."""
    html = """<html><head><title>Board papers</title></head><body>
    <form method="post" action="./papers.aspx" id="aspnetForm">
    <input type="hidden" name="__VIEWSTATE" value="dDwtMTA4">
    <div><form role="search"><label for="q">Search this site</label><input id="q"><button>Go</button></form></div>
    <h1>Quality Committee report</h1>
    <p>The committee noted 12 serious incidents.</p>
    <p>Waiting times improved in <b>community</b> services.</p>
    <select name="year"><option>2024</option><option>2025</option></select>
    </form>
    <form><p>Sign up to our newsletter</p><input type="email"><button>Subscribe</button></form>
    </body></html>"""
    path = tmp_path / "papers.html"
    path.write_text(html, encoding="utf-8")
    doc = load(path, max_bytes=MB)
    assert doc.text == (
        "# Quality Committee report\n\nThe committee noted 12 serious incidents.\n\nWaiting times improved in community services."
    )


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<form><h2>Sign up to our newsletter</h2><input type='email'><button>Subscribe</button></form>", ""),  # a box, heading and all
        ("<form><table><tr><td><label>Username</label></td><td><input></td></tr><tr><td><label>Password</label></td>"
         "<td><input type='password'></td></tr></table></form>", ""),  # a login form laid out in a table
        ("<table><tr><th>Measure</th><th>2024</th></tr><form><tr><td>Turnover</td><td>9%</td></tr></form></table>",
         "\n\nMeasure | 2024\nTurnover | 9%"),  # lxml puts a form that wraps a table's rows around them: the rows stay
        ("<table><tr><td><form><h2>Sign up to our newsletter</h2><p>Monthly news by email.</p><input></form></td>"
         "<td>Side</td></tr></table>", "\n\n| Side"),  # in a cell: gone, its empty cell kept in its column
        ("<form><input type='hidden' name='__VIEWSTATE' value='x'><p>Turnover fell to 9% in 2024.</p></form>"
         "<aside><p>" + "Other news from around the trust this month. " * 4 + "</p></aside>",
         "\n\nTurnover fell to 9% in 2024.\n\n" + ("Other news from around the trust this month. " * 4).strip()),  # ASP.NET, fewer words
    ],
)
def test_html_forms_that_are_boxes_on_a_page_go(tmp_path: Path, body: str, text: str) -> None:
    page = "<h1>Board papers</h1><p>The committee noted 12 serious incidents and agreed the winter plan in full.</p>"
    path = tmp_path / "page.html"
    path.write_text(f"<html><body>{page}{body}</body></html>", encoding="utf-8")
    assert load(path, max_bytes=MB).text == "# Board papers\n\nThe committee noted 12 serious incidents and agreed the winter plan in full." + text


def test_html_table_is_one_block_of_rows_with_cells_in_their_columns(tmp_path: Path) -> None:
    """A data table's rows follow each other with no blank line between (so they read as one table), after its
    caption, every cell in its column: an empty cell keeps its place, a cell spanning two columns is followed by an
    empty one and a cell spanning two rows is repeated below, as a DOCX table's is. A colspan beyond MAX_COLSPAN counts
    as MAX_COLSPAN, one a browser cannot read as 1. Inline tags do not split a cell's words."""
    from ingest.load import MAX_COLSPAN

    html = f"""<html><body><p>Workforce figures.</p><table><caption>Table 3: Workforce</caption>
    <tr><th>Measure</th><th>2023</th><th>2024</th></tr>
    <tr><td>Vacancy rate</td><td>5%</td><td>5%</td></tr>
    <tr><td>Turnover</td><td> </td><td>9%</td></tr>
    <tr><td colspan="2">All staff<br>groups</td><td>7%</td></tr>
    <tr><td rowspan="2">Medical</td><td>£<span>2.1</span>m</td><td>Sick<i>ness</i></td></tr>
    <tr><td colspan="²">x</td><td>y</td></tr>
    <tr><td colspan="{'9' * 5000}">Wide</td><td>z</td></tr>
    </table><p>After | the table.</p></body></html>"""
    path = tmp_path / "table.html"
    path.write_text(html, encoding="utf-8")
    assert load(path, max_bytes=MB).text == (
        "Workforce figures.\n\nTable 3: Workforce\n\nMeasure | 2023 | 2024\nVacancy rate | 5% | 5%\nTurnover | | 9%\n"
        "All staff groups | | 7%\nMedical | £2.1m | Sickness\nMedical | x | y\n"
        f"Wide{' |' * (MAX_COLSPAN - 1)} | z\n\nAfter | the table."
    )


def test_html_rows_a_page_leaves_open_and_layout_tables(tmp_path: Path) -> None:
    """Cells and rows left open ("<tr><td>a<td>b", valid HTML) are closed as a browser closes them: each row once,
    in time linear in the page (html.parser nested every row in the cell before it, a 35 KB page grew to 16 MB). A
    table whose cells hold paragraphs, headings or lists, or another table, lays out a page: it is read as its
    blocks, not as rows. Cells with no row are one row."""
    rows = "".join(f"<tr><td>Ward {i}<td>{i}%<td>9%" for i in range(1500))
    path = tmp_path / "open.html"
    path.write_text(f"<table><tr><th>Ward<th>2023<th>2024{rows}</table>", encoding="utf-8")
    text = load(path, max_bytes=MB).text
    assert text.startswith("Ward | 2023 | 2024\nWard 0 | 0% | 9%\nWard 1 | 1% | 9%\n") and len(text.splitlines()) == 1501
    layout = """<table><tr><td>Menu</td><td><h1>Leeds Home Share</h1><p>It matches an older person with a lodger.</p>
    <ul><li>Ten hours of help a week.</li></ul><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>
    </td></tr></table><table><td>e</td><td>f</td></table><ul><li><table><tr><td>p</td><td>q</td></tr></table></li></ul>"""
    path = tmp_path / "layout.html"
    path.write_text(layout, encoding="utf-8")
    assert load(path, max_bytes=MB).text == (
        "Menu\n\n# Leeds Home Share\n\nIt matches an older person with a lodger.\n\n- Ten hours of help a week.\n\n"
        "a | b\nc | d\n\ne | f\n\np | q"
    )
    # a CMS wraps a data cell's text in one <p> or <div>, or lists in it: still a data table; a rowspan of 0 runs to
    # the end of its row group; a page's own "|" is kept where a layout cell's end is not
    cms = """<table><tr><th><div class="sort">Ward</div></th><th>Cases</th><th>Libraries</th></tr>
    <tr><td rowspan="0">Headingley</td><td><p>12</p></td><td><ul><li>Central<li>North</ul></td></tr><tr><td>8</td></tr>
    </table><p>Choose A |</p><table><tr><td><p>One</p><p>more</p><td>Two</table>"""
    path.write_text(cms, encoding="utf-8")
    assert load(path, max_bytes=MB).text == (
        "Ward | Cases | Libraries\nHeadingley | 12 | Central North\nHeadingley | 8\n\nChoose A |\n\nOne\n\nmore\n\nTwo"
    )


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<p>Café budget of £5m for the year.</p>".encode("utf-16-le"), "Café budget of £5m for the year."),  # no BOM
        (b'<meta charset="windows-1252"><p>Caf\xe9 \x80 5</p>', "Café € 5"),
    ],
)
def test_html_encoding_is_detected_without_a_label_too(tmp_path: Path, raw: bytes, text: str) -> None:
    """bs4 decodes (UnicodeDammit) before lxml parses: handed the bytes, lxml fell back to UTF-8 for an encoding name
    libxml2 does not know ("utf_16_le"), and a page in UTF-16 without a BOM came out as noise."""
    path = tmp_path / "page.html"
    path.write_bytes(raw)
    assert load(path, max_bytes=MB).text == text


def test_html_without_title_uses_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text("<body><h2>Place-based partnerships</h2><p>Text.</p></body>", encoding="utf-8")
    assert load(path, max_bytes=MB).meta["title"] == "Place-based partnerships"
