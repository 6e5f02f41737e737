"""A .docx's list numbers and headings as Word shows them (ingest/numbering.py): real Word files python-docx writes,
their lists defined in the package's numbering part as Word defines them (eval/bench_numbering.py's helpers, which
also compare the numbers with LibreOffice's on random documents)."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from eval.bench_numbering import _labels, add_list, another_list, number
from ingest.load import load
from ingest.numbering import format_number, letters, roman
from tests.conftest import run_cli

W = nsdecls("w")


def add(document: docx.document.Document, text: str, num_id: int | None = None, ilvl: int = 0, style: str | None = None) -> None:
    paragraph = document.add_paragraph(text, style=style)
    if num_id is not None:
        number(paragraph, num_id, ilvl)


def read(document: docx.document.Document, tmp_path: Path) -> list[str]:
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    return load(path, max_bytes=10**8).text.split("\n\n")


def test_word_number_formats() -> None:
    assert [roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 1994, 3999)] == ["I", "IV", "IX", "XIV", "XL", "XC", "CD", "MCMXCIV", "MMMCMXCIX"]
    assert [letters(n) for n in (1, 26, 27, 28, 53)] == ["A", "Z", "AA", "BB", "AAA"]
    assert [format_number(n, "ordinal") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip
    assert format_number(3, "lowerRoman") == "iii" and format_number(2, "lowerLetter") == "b" and format_number(7, "decimalZero") == "07"
    assert format_number(3, "cardinalText") == "Three" and format_number(2, "ordinalText") == "Second"
    assert format_number(5, "chineseCounting") == "5" and format_number(5, "bullet") == format_number(5, "none") == ""


def test_list_number_style_paragraphs_keep_their_numbers_and_bullets_stay_items(tmp_path: Path) -> None:
    """python-docx's own "List Number" and "List Bullet" styles: the list comes from the style. A bullet between two
    numbered paragraphs does not restart them, nor does a plain paragraph; the level-2 style is its own list."""
    document = docx.Document()
    document.add_heading("Recommendations", 1)
    for text in ("ICBs should publish plans.", "NHS England should step back.", "Trusts should share data."):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("A plain paragraph between.")
    document.add_paragraph("Bullet one", style="List Bullet")
    document.add_paragraph("Fourth numbered after the bullet.", style="List Number")
    document.add_paragraph("On the second level.", style="List Number 2")
    assert read(document, tmp_path) == [
        "# Recommendations", "1. ICBs should publish plans.", "2. NHS England should step back.", "3. Trusts should share data.",
        "A plain paragraph between.", "- Bullet one", "4. Fourth numbered after the bullet.", "1. On the second level.",
    ]  # fmt: skip


def test_multilevel_lists_restart_below_continue_across_lists_and_restart_when_told(tmp_path: Path) -> None:
    """Word's rules (the same labels LibreOffice 7.4 shows for this file, but for the legal-style level, which Word
    draws in figures): a level counts on, an item restarts the levels below it, two lists on one definition share
    its counters, a startOverride restarts them, letters run on past Z, and numbered paragraphs in a table's cells
    count in document order."""
    document = docx.Document()
    legal, legal_def = add_list(document, [("decimal", "%1.", 1), ("decimal", "%1.%2", 1), ("lowerLetter", "(%3)", 1)])
    for text, level in (("Introduction", 0), ("The committee took evidence from ten bodies.", 1), ("It met three times.", 1),
                        ("First sub point.", 2), ("Second sub point.", 2), ("Findings", 0), ("ICBs vary widely.", 1),
                        ("Back at the sub level.", 2)):  # fmt: skip
        add(document, text, legal, level)
    romans, _ = add_list(document, [("upperRoman", "%1.", 1), ("lowerRoman", "%1.%2)", 1)], legal_from=1)
    add(document, "Roman one", romans, 0)
    add(document, "Legal style under it", romans, 1)
    add(document, "Roman two", romans, 0)
    add(document, "Continues as three.", another_list(document, legal_def), 0)
    add(document, "Restarted at one.", another_list(document, legal_def, {0: 1}), 0)
    lettered, _ = add_list(document, [("upperLetter", "%1)", 25)])
    for word in ("x", "y", "z"):
        add(document, f"Letter item {word}.", lettered, 0)
    table = document.add_table(rows=2, cols=2)
    in_cells, _ = add_list(document, [("decimal", "%1.", 1)])
    for row, text in ((0, "Cell first"), (1, "Cell second")):
        table.cell(row, 0).paragraphs[0].text = text
        number(table.cell(row, 0).paragraphs[0], in_cells)
    table.cell(0, 1).text = "Plain cell"
    add(document, "After the table, third.", in_cells, 0)
    assert read(document, tmp_path) == [
        "1. Introduction", "1.1 The committee took evidence from ten bodies.", "1.2 It met three times.", "(a) First sub point.",
        "(b) Second sub point.", "2. Findings", "2.1 ICBs vary widely.", "(a) Back at the sub level.",
        "I. Roman one", "1.1) Legal style under it", "II. Roman two",
        "3. Continues as three.", "1. Restarted at one.",
        "Y) Letter item x.", "Z) Letter item y.", "AA) Letter item z.",
        "1. Cell first | Plain cell\n2. Cell second", "3. After the table, third.",
    ]  # fmt: skip


def test_headings_numbered_by_their_styles_a_linked_list_style_and_a_list_switched_off(tmp_path: Path) -> None:
    """Report templates number headings through the heading styles ("1", "2.1"); a list can be defined once as a
    numbering style and drawn on through it (numStyleLink); numId 0 switches a style's numbering off."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    first = numbering.find(qn("w:num"))
    first.addprevious(parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading1"/><w:lvlText w:val="%1"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="%1.%2"/></w:lvl>'
        "</w:abstractNum>"
    ))  # fmt: skip
    first.addprevious(parse_xml(f'<w:abstractNum {W} w:abstractNumId="91"><w:styleLink w:val="RecList"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                                '<w:numFmt w:val="decimal"/><w:lvlText w:val="R%1."/></w:lvl></w:abstractNum>'))  # fmt: skip
    first.addprevious(parse_xml(f'<w:abstractNum {W} w:abstractNumId="92"><w:numStyleLink w:val="RecList"/></w:abstractNum>'))
    for num_id in (90, 91, 92):
        numbering.append(parse_xml(f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))
    document.styles.element.append(parse_xml(
        f'<w:style {W} w:type="numbering" w:styleId="RecList"><w:name w:val="RecList"/><w:pPr><w:numPr><w:numId w:val="91"/></w:numPr></w:pPr></w:style>'
    ))  # fmt: skip
    document.styles["Heading 1"].element.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:numId w:val="90"/></w:numPr>'))
    document.styles["Heading 2"].element.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="1"/><w:numId w:val="90"/></w:numPr>'))
    document.add_heading("Summary", 1)
    document.add_paragraph("Text.")
    document.add_heading("Background", 1)
    document.add_heading("Scope", 2)
    document.add_heading("Method", 2)
    document.add_heading("Recommendations", 1)
    for text in ("Publish.", "Share."):
        add(document, text, 92)
    unnumbered = document.add_paragraph("Not numbered though its style is", style="Heading 2")
    number(unnumbered, 0, None)
    assert read(document, tmp_path) == [
        "# 1 Summary", "Text.", "# 2 Background", "## 2.1 Scope", "## 2.2 Method", "# 3 Recommendations", "R1. Publish.", "R2. Share.",
        "## Not numbered though its style is",
    ]  # fmt: skip


def test_custom_heading_styles_are_headings_by_their_base_style_or_outline_level(tmp_path: Path) -> None:
    """An NHS template's own heading style based on Heading 2, and a style given an outline level (what Word's
    navigation pane lists), are headings; a body style based on neither is not. A style that is its own base
    (a damaged file) is read no further."""
    document = docx.Document()
    based = document.styles.add_style("NHS Heading", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = document.styles["Heading 2"]
    outlined = document.styles.add_style("Section Title", WD_STYLE_TYPE.PARAGRAPH)
    outlined.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="0"/>'))
    body = document.styles.add_style("NHS Body", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = document.styles["Normal"]
    looped = document.styles.add_style("Looped", WD_STYLE_TYPE.PARAGRAPH)
    looped.element.append(parse_xml(f'<w:basedOn {W} w:val="{looped.style_id}"/>'))
    document.add_paragraph("A custom heading", style="NHS Heading")
    document.add_paragraph("An outline heading", style="Section Title")
    document.add_paragraph("Body text after.", style="NHS Body")
    document.add_paragraph("A loop of styles.", style="Looped")
    document.add_paragraph("Contents entry 3", style=document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH))
    assert read(document, tmp_path) == ["## A custom heading", "# An outline heading", "Body text after.", "A loop of styles."]


def test_damaged_numbering_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    """A list naming a definition that is not there, a level out of range, or a level text naming a level never
    defined: the paragraph's text is read, numbered as far as Word's rules say, never an error."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(f'<w:num {W} w:numId="300"><w:abstractNumId w:val="999"/></w:num>'))
    listed, _ = add_list(document, [("decimal", "%1.%4", 1)])
    add(document, "Names a missing definition.", 300)
    add(document, "Names a level never defined.", listed)
    add(document, "Level out of range.", listed, 12)
    add(document, "Names a missing list.", 777)
    assert read(document, tmp_path) == ["Names a missing definition.", "1.1 Names a level never defined.",
                                        "Level out of range.", "Names a missing list."]  # fmt: skip


def test_a_numbered_submission_is_quoted_with_its_paragraph_number(tmp_path: Path) -> None:
    """End to end with the packaged model: a submission's numbered paragraph is stored and quoted with its number, and
    cited "para 2.2", so an officer can cite it so; the quote equals the stored text at its offsets."""
    document = docx.Document()
    sections, _ = add_list(document, [("decimal", "%1.", 1), ("decimal", "%1.%2", 1)])
    add(document, "Summary", sections, 0)
    add(document, "We welcome the chance to give evidence on how integrated care boards are overseen.", sections, 1)
    add(document, "Oversight", sections, 0)
    add(document, "Our members report that NHS England's regional teams hold ICBs to account through quarterly review meetings.", sections, 1)
    words = "Trust leaders told us that assurance meetings with the ICB duplicate the meetings they already hold with NHS England."
    add(document, words, sections, 1)
    folder = tmp_path / "inbox"
    folder.mkdir()
    document.save(str(folder / "submission.docx"))
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data)
    assert result.returncode == 0, result.stderr
    proc = run_cli("assistant", "ask", "Do trust leaders say ICB assurance meetings duplicate NHS England's?", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    quotes = [c["quote"] for c in answer["citations"]]
    assert f"2.2 {words}" in quotes, quotes
    assert {c["quote"]: c["locator"] for c in answer["citations"]}[f"2.2 {words}"] == "para 2.2"  # ingest/paragraphs.py
    from assistant.docstore import DocStore

    text = DocStore(data / "index.sqlite", create=False).text("submission.docx")
    assert "2.1 Our members report" in text
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])


def test_the_benchmark_reads_labels_as_libreoffice_writes_them_and_needs_soffice(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from eval import bench_numbering

    lines = ["\ufeff    1. item 0", "plain 1", "        2.1 item 2", "    ◦ item 3", "- item 4", "(iv) item 15", "item 16 but no number"]
    assert _labels(lines) == {"item 0": "1.", "plain 1": "", "item 2": "2.1", "item 3": "-", "item 4": "-", "item 15": "(iv)"}
    monkeypatch.setattr(bench_numbering.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit):
        bench_numbering.main(["--documents", "2"])
    assert "needs LibreOffice's soffice" in capsys.readouterr().err


# --- OpenDocument text: lists numbered by their list styles, as LibreOffice draws them ------------------------------

ODF_STYLES = (
    '<text:list-style style:name="L1">'
    '<text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/>'
    '<text:list-level-style-number text:level="2" style:num-suffix="" style:num-format="1" text:display-levels="2"/>'
    '<text:list-level-style-number text:level="3" style:num-prefix="(" style:num-suffix=")" style:num-format="a"/>'
    "</text:list-style>"
    '<text:list-style style:name="L2"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/></text:list-style>'
    '<text:list-style style:name="L3" xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0">'
    '<text:list-level-style-number text:level="1" loext:num-list-format="Recommendation %1%:" style:num-format="I" text:start-value="4"/>'
    "</text:list-style>"
    '<style:style style:name="P9" style:family="paragraph" style:list-style-name="L1"/>'
)


def _items(*texts: str, start: int | None = None) -> str:
    first = f' text:start-value="{start}"' if start is not None else ""
    return "".join(f"<text:list-item{first if i == 0 else ''}><text:p>{t}</text:p></text:list-item>" for i, t in enumerate(texts))


def test_an_odt_lists_numbers_continue_restart_and_nest_as_libreoffice_draws_them(tmp_path: Path) -> None:
    """A new list counts from its start; `continue-numbering` goes on from the list just before it (of its style)
    and `continue-list` from the list it names (which the list continuing it counted on); `start-value` sets an
    item's number; a nested list's items show as many levels as their style says ("2.1"); an item holding only a
    nested list, and a list's header, are not counted (the header is a plain paragraph); a bullet list's items stay
    "- " items; LibreOffice's own label template is followed; a list with no style of its own takes its paragraphs'
    style's."""
    from tests.test_load import make_odt

    body = (
        '<text:list xml:id="first" text:style-name="L1">' + _items("Publish plans.", "Share data.") + "</text:list>"
        "<text:p>Between the lists.</text:p>"
        '<text:list text:style-name="L1" text:continue-numbering="true">'
        + _items("Third, continued.")
        + "<text:list-item><text:p>Fourth, with a nested list.</text:p>"
        "<text:list>" + _items("Nested one.", "Nested two.") + "<text:list-item><text:list>" + _items("Deep a.", "Deep b.")
        + "</text:list></text:list-item></text:list></text:list-item></text:list>"
        '<text:list text:style-name="L1">' + _items("A new list restarts.") + "</text:list>"
        '<text:list text:style-name="L1" text:continue-list="first">' + _items("Fifth, by the first list's id.") + "</text:list>"
        '<text:list text:style-name="L1">' + "<text:list-header><text:p>A header, no number.</text:p></text:list-header>"
        + _items("Starts at ten.", "Eleven.", start=10) + "</text:list>"
        '<text:list text:style-name="L2">' + _items("A bullet.") + "</text:list>"
        '<text:list text:style-name="L3">' + _items("Fund the ICBs.", "Cut the duplication.") + "</text:list>"
        '<text:list><text:list-item><text:p text:style-name="P9">Styled by its paragraph.</text:p></text:list-item></text:list>'
    )  # fmt: skip
    path = tmp_path / "lists.odt"
    make_odt(path, body, styles=ODF_STYLES)
    assert load(path, max_bytes=10**8).text.split("\n\n") == [
        "1. Publish plans.", "2. Share data.", "Between the lists.", "3. Third, continued.", "4. Fourth, with a nested list.",
        "4.1 Nested one.", "4.2 Nested two.", "(a) Deep a.", "(b) Deep b.", "1. A new list restarts.", "5. Fifth, by the first list's id.",
        "A header, no number.", "10. Starts at ten.", "11. Eleven.", "- A bullet.",
        "Recommendation IV: Fund the ICBs.", "Recommendation V: Cut the duplication.", "1. Styled by its paragraph.",
    ]  # fmt: skip


def test_an_odt_whose_styles_are_damaged_is_read_without_numbers(tmp_path: Path) -> None:
    """A list style whose levels are out of range draws nothing (a plain paragraph), a list whose style is missing is
    a plain list ("- "); the text is all there."""
    from tests.test_load import make_odt

    styles = '<text:list-style style:name="L9"><text:list-level-style-number text:level="99" style:num-format="1"/></text:list-style>'
    path = tmp_path / "damaged.odt"
    make_odt(path, '<text:list text:style-name="L9">' + _items("One.") + '</text:list><text:list text:style-name="Missing">' + _items("Two.") + "</text:list>", styles=styles)
    assert load(path, max_bytes=10**8).text.split("\n\n") == ["One.", "- Two."]


def test_odt_headings_numbered_by_the_outline_style_or_as_a_lists_items(tmp_path: Path) -> None:
    """Chapter numbering (the outline style) numbers headings outside lists, a heading marked as no item of it
    excepted; a heading that is a list's item (as LibreOffice saves a Word file's numbered headings) takes the
    item's number."""
    from tests.test_load import make_odt

    styles = (
        '<text:outline-style style:name="Outline">'
        '<text:outline-level-style text:level="1" style:num-format="1"/>'
        '<text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/>'
        "</text:outline-style>" + ODF_STYLES
    )
    body = (
        '<text:h text:outline-level="1">Summary</text:h><text:p>Text.</text:p>'
        '<text:h text:outline-level="2">Scope</text:h>'
        '<text:h text:outline-level="1" text:is-list-header="true">Foreword</text:h>'
        '<text:h text:outline-level="1">Findings</text:h><text:h text:outline-level="2">Oversight</text:h>'
        '<text:list text:style-name="L1"><text:list-item><text:h text:outline-level="3">Listed heading</text:h>'
        "<text:p>Its paragraph.</text:p></text:list-item></text:list>"
    )
    path = tmp_path / "outline.odt"
    make_odt(path, body, styles=styles)
    assert load(path, max_bytes=10**8).text.split("\n\n") == [
        "# 1 Summary", "Text.", "## 1.1 Scope", "# Foreword", "# 2 Findings", "## 2.1 Oversight", "### 1. Listed heading", "- Its paragraph.",
    ]  # fmt: skip


# --- Word 97-2003 (.doc): the list tables of a real file LibreOffice wrote (tests/fixtures) ---------------------------


def test_a_word97_docs_numbers_are_those_of_the_docx_it_was_saved_from(tmp_path: Path) -> None:
    """tests/fixtures/word97-lists.doc is LibreOffice's "MS Word 97" save of the .docx make_word97_sources.py writes:
    list styles, a three-level list, a restarted list, headings numbered through their styles. Both read the same,
    as LibreOffice shows both."""
    import importlib.util

    fixtures = Path(__file__).resolve().parent / "fixtures"
    spec = importlib.util.spec_from_file_location("make_word97_sources", fixtures / "make_word97_sources.py")
    assert spec is not None and spec.loader is not None
    sources = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sources)
    sources.lists_docx(tmp_path / "lists.docx")
    expected = [
        "# 1 Summary", "We welcome the review.", "# 2 Recommendations", "1. ICBs should publish their plans.",
        "2. NHS England should step back.", "3. Trusts should share data.", "- A bulleted point.", "## 2.1 Oversight",
        "1. Accountability", "1.1 Boards meet quarterly.", "1.2 They publish minutes.", "(a) In public.", "(b) On the web.",
        "2. Assurance", "2.1 Regions review ICBs.", "1. Restarted at one.",
    ]  # fmt: skip
    # after the restart, the first list counts on from the restarted one in the .docx; LibreOffice's .doc keeps the
    # two lists apart, and shows 3 and 4 there, as this reader does
    assert load(tmp_path / "lists.docx", max_bytes=10**8).text.split("\n\n") == [*expected, "2. Counted in a cell. | A plain cell.", "3. After the table."]
    assert load(fixtures / "word97-lists.doc", max_bytes=10**8).text.split("\n\n") == [*expected, "3. Counted in a cell. | A plain cell.", "4. After the table."]


def test_a_word97_lists_in_a_footnote_are_not_counted_with_the_texts() -> None:
    """A footnote is a story of its own: its list item reads as an item, and the text's list counts on without it
    (tests/fixtures/word97-notelist.doc, LibreOffice's save of word97-notelist.fodt)."""
    fixtures = Path(__file__).resolve().parent / "fixtures"
    text = load(fixtures / "word97-notelist.doc", max_bytes=10**8).text.split("\n\n")
    assert text == ["1. First in the text.", "2. Second in the text.", "Footnotes", "1. - A listed note."]


def test_a_word97_doc_whose_list_tables_are_damaged_keeps_its_text(tmp_path: Path) -> None:
    """A list table cut short (its levels running past the stream) loses the numbers, never the text: the paragraphs
    read as list items, as before numbers were read."""
    import olefile

    from ingest.office97 import _LISTS_PAIR

    fixtures = Path(__file__).resolve().parent / "fixtures"
    copy = tmp_path / "damaged.doc"
    copy.write_bytes((fixtures / "word97-lists.doc").read_bytes())
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        word = ole.openstream("WordDocument").read()
        at = 32 + 2 + 2 * int.from_bytes(word[32:34], "little")
        at += 2 + 4 * int.from_bytes(word[at : at + 2], "little")
        fc = int.from_bytes(word[at + 2 + 8 * _LISTS_PAIR : at + 6 + 8 * _LISTS_PAIR], "little")
        name = "1Table" if ole.exists("1Table") else "0Table"
        table = bytearray(ole.openstream(name).read())
        table[fc : fc + 2] = (30000).to_bytes(2, "little")  # far more lists than the stream holds
        ole.write_stream(name, bytes(table))
    text = load(copy, max_bytes=10**8).text.split("\n\n")
    assert "- ICBs should publish their plans." in text and "- Boards meet quarterly." in text and "# Summary" in text


# --- PowerPoint (.pptx): paragraphs numbered automatically -----------------------------------------------------------


def test_a_slides_automatically_numbered_paragraphs_keep_their_numbers(tmp_path: Path) -> None:
    """A run of numbered paragraphs counts on past deeper ones between them, starts again after a paragraph of its
    level that is not numbered, and from `startAt`; each scheme draws its own number; bullets stay "- " items."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Recommendations"
    frame = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(8), Inches(4)).text_frame
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    rows = [
        ("Publish plans.", 0, '<a:buAutoNum type="arabicPeriod"/>'),
        ("Sub point.", 1, '<a:buAutoNum type="alphaLcParenR"/>'),
        ("Second sub point.", 1, '<a:buAutoNum type="alphaLcParenR"/>'),
        ("Share data.", 0, '<a:buAutoNum type="arabicPeriod"/>'),
        ("A bullet.", 1, '<a:buChar char="•"/>'),
        ("Step back.", 0, '<a:buAutoNum type="arabicPeriod"/>'),
        ("A plain line.", 0, ""),
        ("Counted again.", 0, '<a:buAutoNum type="arabicPeriod"/>'),
        ("From four.", 0, '<a:buAutoNum type="romanUcParenBoth" startAt="4"/>'),
        ("Then five.", 0, '<a:buAutoNum type="romanUcParenBoth" startAt="4"/>'),
    ]
    for i, (said, level, bullet) in enumerate(rows):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = said
        paragraph._p.insert(0, parse_xml(f'<a:pPr xmlns:a="{a}" lvl="{level}">{bullet}</a:pPr>'))
    path = tmp_path / "deck.pptx"
    deck.save(str(path))
    text = load(path, max_bytes=10**8).text
    assert [line for line in text.splitlines() if line.strip()][1:] == [
        "1. Publish plans.", "a) Sub point.", "b) Second sub point.", "2. Share data.", "- A bullet.", "3. Step back.",
        "A plain line.", "1. Counted again.", "(IV) From four.", "(V) Then five.",
    ]  # fmt: skip



# --- the reviews' cases: each was wrong once ----------------------------------------------------------------------


def test_docx_a_huge_start_a_cell_merged_down_a_tracked_deletion_and_list_styles_in_no_list(tmp_path: Path) -> None:
    """A start far past Word's 32767 is held to it and letters past ten of one kind are figures, so a tiny file cannot
    make a label of millions of letters; a cell merged down three rows shows in each, its list counted once; a
    paragraph whose mark was deleted under tracked changes is not counted; a "List Paragraph" paragraph in no list, a
    "List Number" one switched off, and a heading given body text's outline level are plain paragraphs."""
    document = docx.Document()
    huge, _ = add_list(document, [("upperLetter", "%1.", 2**31 - 1)])
    add(document, "Held to Word's largest start.", huge)
    counted, _ = add_list(document, [("decimal", "%1.", 1)])
    add(document, "One.", counted)
    deleted = document.add_paragraph("Deleted under tracked changes.")
    number(deleted, counted)
    deleted._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {W}><w:del w:id="9" w:author="A" w:date="2024-01-01T00:00:00Z"/></w:rPr>'))
    add(document, "Two.", counted)
    table = document.add_table(rows=3, cols=2)
    merged = table.cell(0, 0).merge(table.cell(2, 0))
    merged.paragraphs[0].text = "Merged down."
    number(merged.paragraphs[0], counted)
    for row in range(3):
        table.cell(row, 1).text = f"r{row}"
    add(document, "After the table.", counted)
    document.add_paragraph("In no list.", style="List Paragraph")
    switched_off = document.add_paragraph("Switched off.", style="List Number")
    number(switched_off, 0, None)
    body = document.add_heading("Body text in a heading style", 1)
    body._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="9"/>'))
    text = read(document, tmp_path)
    assert text[0] == "32767. Held to Word's largest start."
    assert text[1:4] == ["1. One.", "Deleted under tracked changes.", "2. Two."]
    assert text[4:] == ["3. Merged down. | r0\n3. Merged down. | r1\n3. Merged down. | r2", "4. After the table.", "In no list.",
                        "Switched off.", "Body text in a heading style"]  # fmt: skip


def test_pptx_numbering_with_a_damaged_start_or_level_is_read(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(4)).text_frame
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    for i, (said, attributes) in enumerate((("Odd start.", 'startAt="\u00b2"'), ("Long start.", f'startAt="{"9" * 5000}"'), ("Odd level.", ""))):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = said
        level = ' lvl="x"' if said == "Odd level." else ""
        paragraph._p.insert(0, parse_xml(f'<a:pPr xmlns:a="{a}"{level}><a:buAutoNum type="arabicPeriod" {attributes}/></a:pPr>'))
    path = tmp_path / "odd.pptx"
    deck.save(str(path))
    lines = [line for line in load(path, max_bytes=10**8).text.splitlines() if line.strip()]
    assert lines[1:] == ["1. Odd start.", "2. Long start.", "3. Odd level."]


def _with_styles_xml(path: Path, styles: str, method: int | None = None) -> None:
    """Add a styles.xml to an .odt package (its compression method patched to `method`, as a writer using one zipfile
    lacks would)."""
    import zipfile

    xml = ('<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           f'office:version="1.3"><office:styles>{styles}</office:styles></office:document-styles>')  # fmt: skip
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(zipfile.ZipInfo("styles.xml"), xml)
    if method is not None:
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
            at = data.find(signature + b"", 0)
            while at != -1:
                name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                if bytes(data[name_at : name_at + 10]) == b"styles.xml":
                    data[at + offset : at + offset + 2] = method.to_bytes(2, "little")
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))


def test_odt_lists_in_cells_continued_lists_page_breaks_drawn_numbers_and_styles_xml(tmp_path: Path) -> None:
    """A list in a table's cell is numbered and counted in order, and a list after the table continues it by id, as
    LibreOffice saves a Word table; `continue-numbering` after a list of another style starts again; an item opening
    with a soft page break, or with the number its producer drew (`text:number`), is counted once and numbered once;
    a list style in styles.xml wins over an automatic one of its name; a styles.xml ingest cannot unpack loses the
    numbers only."""
    from tests.test_load import make_odt

    styles = ODF_STYLES + '<text:list-style style:name="LA"><text:list-level-style-number text:level="1" style:num-suffix=")" style:num-format="a"/></text:list-style>'
    body = (
        '<text:list xml:id="x1" text:style-name="L1">' + _items("Before the table.") + "</text:list>"
        '<table:table table:name="T"><table:table-column/><table:table-row><table:table-cell>'
        '<text:list xml:id="x2" text:continue-list="x1" text:style-name="L1">' + _items("In a cell.") + "</text:list>"
        "</table:table-cell></table:table-row></table:table>"
        '<text:list text:continue-list="x2" text:style-name="L1">' + _items("After the table.") + "</text:list>"
        '<text:list text:style-name="LA">' + _items("Lettered.") + "</text:list>"
        '<text:list text:style-name="L1" text:continue-numbering="true">' + _items("A new list.") + "</text:list>"
        '<text:list text:style-name="L1" text:continue-numbering="true">'
        "<text:list-item><text:soft-page-break/><text:p>After a page break.</text:p></text:list-item>"
        "<text:list-item><text:number>3.</text:number><text:p>Drawn by its producer.</text:p></text:list-item></text:list>"
    )
    path = tmp_path / "more.odt"
    make_odt(path, body, styles=styles)
    expected = ["1. Before the table.", "2. In a cell.", "3. After the table.", "a) Lettered.", "1. A new list.", "2. After a page break.",
                "3. Drawn by its producer."]  # fmt: skip
    assert load(path, max_bytes=10**8).text.split("\n\n") == expected
    common = '<text:list-style style:name="L1"><text:list-level-style-number text:level="1" style:num-prefix="S" style:num-suffix="." style:num-format="1"/></text:list-style>'
    _with_styles_xml(path, common)
    assert load(path, max_bytes=10**8).text.split("\n\n")[:3] == ["S1. Before the table.", "S2. In a cell.", "S3. After the table."]
    damaged = tmp_path / "damaged.odt"
    make_odt(damaged, body, styles=styles)
    _with_styles_xml(damaged, common, method=9)  # Deflate64, which zipfile cannot unpack
    assert load(damaged, max_bytes=10**8).text.split("\n\n") == expected


def test_odt_an_items_number_goes_to_its_first_paragraph_before_a_heading_in_it(tmp_path: Path) -> None:
    from tests.test_load import make_odt

    body = '<text:list text:style-name="L1"><text:list-item><text:p>Lead-in.</text:p><text:h text:outline-level="2">Then a heading</text:h></text:list-item></text:list>'
    path = tmp_path / "lead.odt"
    make_odt(path, body, styles=ODF_STYLES)
    assert load(path, max_bytes=10**8).text.split("\n\n") == ["1. Lead-in.", "## Then a heading"]
