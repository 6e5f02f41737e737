"""Rich Text Format (ingest/rtf.py): .rtf documents LibreOffice saved (tests/fixtures, from the sources the .doc
fixtures are made from), one written as Word writes RTF, an RTF saved under a .doc name, an RTF attached to an
email, and an Outlook message whose only text is compressed RTF."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import LoadError
from ingest.load import UNREAD, load
from tests.test_more_formats import make_mail

MB = 1_000_000
FIXTURES = Path(__file__).parent / "fixtures"

WORD_RTF = rb"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}{\f1\fcharset2 Symbol;}}
{\info{\title Written evidence on ICS oversight}{\author Jo Bloggs}{\creatim\yr2025\mo3\dy4\hr10\min30}}
{\*\listtable{\list\listid1{\listlevel\levelnfc23{\leveltext\'01\'b7;}}}}
\pard\plain\f0 Summary\par
\pard The caf\'e9 budget was cut by \'a312,000 \endash  a fifth, and the ICB\rquote s plan was \u8220?agreed\u8221?.\par
{\listtext\pard\plain\f1 \'b7\tab}\pard\ls1 Assurance meetings repeat each other.\par
{\listtext\pard\plain\f1 \'b7\tab}\pard\ls1 Data requests are duplicated.\par
{\listtext\pard\plain 1.\tab}\pard\ls2 Publish one oversight framework.\par
\trowd\cellx3000\cellx6000\pard\intbl Region\cell Trusts\cell\row
\trowd\cellx3000\cellx6000\pard\intbl North\cell 12\cell\row
\pard After the table.{\footnote\pard A note the reader leaves out.}\par
}"""


def read(name: str, data: bytes, tmp_path: Path):  # noqa: ANN201
    path = tmp_path / name
    path.write_bytes(data)
    return load(path, max_bytes=MB)


def test_an_rtf_as_word_writes_it_reads_as_paragraphs_items_and_rows(tmp_path: Path) -> None:
    doc = read("evidence.rtf", WORD_RTF, tmp_path)
    assert doc.meta == {"title": "Written evidence on ICS oversight", "author": "Jo Bloggs", "date": "2025-03-04"}
    assert doc.text == (
        "Summary\n\nThe café budget was cut by £12,000 – a fifth, and the ICB’s plan was “agreed”.\n\n"
        "- Assurance meetings repeat each other.\n\n- Data requests are duplicated.\n\n1. Publish one oversight framework.\n\n"
        "Region | Trusts\nNorth | 12\n\nAfter the table."
    )
    named_doc = read("evidence.doc", WORD_RTF, tmp_path)  # Word's "Rich Text" saved under a .doc name
    assert named_doc.text == doc.text


def test_rtf_libreoffice_saved_reads_as_its_doc_does(tmp_path: Path) -> None:
    """The .rtf LibreOffice saves from the sources of tests/fixtures' .doc files: the same text, less what RTF's
    reader leaves out (headings' styles, footnotes, text boxes), and a cell of two paragraphs as two lines."""
    rich = load(FIXTURES / "libreoffice-rich.rtf", max_bytes=MB)
    assert rich.meta["title"] == "Rich test"
    assert "ICBs are accountable to NHS England under the Act. Żółć café naïve — “quoted”.\n\n- In the ICP\n\n- and its boards" in rich.text
    assert "| 2023 | 2024\nLTHT | | 98,500" in rich.text
    stories = load(FIXTURES / "libreoffice-stories.rtf", max_bytes=MB)
    assert stories.meta == {"title": "Отчёт о здравоохранении", "author": "Иван Петров"}  # the Unicode form, not the ANSI "?????"
    assert stories.text.startswith("Claim one. Claim two.\n\nMain text here. After.")
    tables = load(FIXTURES / "libreoffice-tables.rtf", max_bytes=MB).text
    assert "Trust A | | 98%\nTrust B | | 87%" in tables and "Table 3: Beds\nTrust | 2023 | 2024\nLTHT | | 1,900" in tables


def test_an_rtf_attached_to_an_email_is_read_and_what_is_no_rtf_says_so(tmp_path: Path) -> None:
    mail = make_mail(attachments=(("evidence.rtf", "application/rtf", WORD_RTF),))
    doc = read("cover.eml", bytes(mail), tmp_path)
    assert "# Attachment: evidence.rtf\n\nSummary\n\nThe café budget was cut by £12,000" in doc.text and UNREAD not in doc.meta
    with pytest.raises(LoadError) as info:
        read("notes.rtf", b"Just some notes typed into a file.\n", tmp_path)
    assert str(info.value) == "notes.rtf: not an RTF document (no {\\rtf header); save it again as .rtf or .docx and ingest again"


def test_an_outlook_message_whose_only_text_is_compressed_rtf_is_read(tmp_path: Path) -> None:
    """Outlook keeps some messages' text only as compressed RTF (MS-OXRTFCP): it is read as an .rtf is; a damaged one
    is named, and the message's fields and attachments stay."""
    msg = pytest.importorskip("aspose.email_foss.msg")
    from compressed_rtf import compress

    from tests.test_outlook import RTF, outlook, save

    message = outlook(body="")
    message.set_property(RTF, msg.PropertyTypeCode.PTYP_BINARY, compress(WORD_RTF))
    doc = load(save(message, tmp_path / "rich.msg"), max_bytes=MB)
    assert "- Date: 4 March 2025\n\nSummary\n\nThe café budget was cut by £12,000" in doc.text and UNREAD not in doc.meta
    message.set_property(RTF, msg.PropertyTypeCode.PTYP_BINARY, b"\x2d\x00\x00\x00\x2b\x00\x00\x00LZFu" + b"\0" * 8)
    doc = load(save(message, tmp_path / "damaged.msg"), max_bytes=MB)
    assert doc.text.startswith("# RE: [EXTERNAL] Written evidence on ICS oversight\n\n- From: Jo Bloggs, NHS Providers")
    assert doc.meta[UNREAD].startswith("the message's text (its compressed RTF could not be read: ")


def test_what_a_reviewer_found_in_rtf_as_it_arrives(tmp_path: Path) -> None:
    """An emoji (Word's \\uN surrogate pair) is one character, not two that no index can store; a link's address is
    not pasted into the text; a Mac RTF's escapes are Mac Roman; a font table of 40,000 fonts and a field's
    instruction 120 KB long on one line (striprtf's own patterns took minutes on them) read in a moment."""
    import time

    cases = {
        "emoji.rtf": (rb"{\rtf1\ansi\ansicpg1252 \pard Thanks \u-10179\'3f\u-8704\'3f so much.\par}", "Thanks 😀 so much."),
        "link.rtf": (rb'{\rtf1\ansi\pard See {\field{\*\fldinst{HYPERLINK "https://www.gov.uk/report"}}{\fldrslt \cf2 \ul this page}} now.\par}', "See this page now."),
        "mac.rtf": (rb"{\rtf1\mac\pard The caf\'8e budget.\par}", "The café budget."),
        "fonts.rtf": (rb"{\rtf1\ansi{\fonttbl" + rb"{\f1 A;}" * 40_000 + rb"}\pard Body text.\par}", "Body text."),
        "field.rtf": (rb"{\rtf1\ansi\pard Body text.\par " + rb'{\field{\*\fldinst{x HYPERLINK "a' * 4_000 + rb"\par}", "Body text."),
    }
    for name, (data, said) in cases.items():
        started = time.perf_counter()
        assert read(name, data, tmp_path).text == said, name
        assert time.perf_counter() - started < 30, name  # minutes before; a bound, not a benchmark
