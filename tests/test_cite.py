"""Citations: sentence spans with exact offsets, [n] numbering, marker parsing, verification."""

from __future__ import annotations

import pytest

from assistant.cite import (
    CitationList,
    figures,
    header_row,
    is_reference,
    missing_figures,
    parse_markers,
    quantities,
    quote_matches,
    split_marked_text,
    split_sentences,
    table_row,
    verify,
)
from assistant.sentences import evidence_texts
from assistant.types import DocumentInfo

TEXT = (
    "## Summary\n\n"
    "- ICBs are accountable to NHS England. They will hold trusts to account, e.g. for finances.\n"
    "Our survey found:\n"
    "  - 33% saw the framework as a support tool\n"
    "**6/ How can quality be ensured?**\n"
    "Only 10-20 per cent of health outcomes are determined by NHS care. The Rt Hon. Patricia Hewitt led it.\n"
)


def test_sentences_are_exact_spans_without_list_markers() -> None:
    sentences = split_sentences("d", TEXT)
    for s in sentences:
        assert TEXT[s.start : s.end] == s.text
    texts = [s.text for s in sentences]
    assert "ICBs are accountable to NHS England." in texts  # the "- " bullet is not part of the span
    assert "They will hold trusts to account, e.g. for finances." in texts  # no split after "e.g."
    assert "33% saw the framework as a support tool" in texts
    assert "The Rt Hon. Patricia Hewitt led it." in texts


def test_headings_questions_and_lead_ins_are_marked() -> None:
    by_text = {s.text: s for s in split_sentences("d", TEXT)}
    assert by_text["Summary"].heading
    assert by_text["6/ How can quality be ensured?"].heading  # emphasis marks stripped, a question is never evidence
    assert by_text["Our survey found:"].lead_in  # too short to be evidence itself, but introduces the list
    assert by_text["33% saw the framework as a support tool"].item


# a table as stored markdown writes it (ingest.markdown: a row's cells joined by " | "), and as a text file may keep it
TABLE = (
    "The survey closed in November.\n\n"
    "Detail | Value\n"
    "2024 Response Rate | 60% [cite: 447]\n"
    "2023 | 3,400\n"
    "Benchmarked Against | Community Trusts. Group of 14\n\n"
    "| Staff group | Headcount |\n"
    "|---|:--:|\n"
    "| Nursing and Midwifery | 620 |\n"
)


def test_a_table_row_is_one_unit_and_evidence_unless_it_names_the_columns() -> None:
    sentences = split_sentences("d", TABLE)
    rows = {s.text: s for s in sentences if s.row}
    for s in sentences:
        assert TABLE[s.start : s.end] == s.text
    assert list(rows) == [
        "Detail | Value",
        "2024 Response Rate | 60% [cite: 447]",
        "2023 | 3,400",
        "Benchmarked Against | Community Trusts. Group of 14",  # not split at the full stop inside a cell
        "Staff group | Headcount",  # the outer pipes are left out of the span
        "Nursing and Midwifery | 620",  # the rule line between header and rows is no unit
    ]
    for header in ("Detail | Value", "Staff group | Headcount"):  # a header row names the columns: it leads in, it is no evidence
        assert rows[header].heading and rows[header].lead_in
    assert not rows["2024 Response Rate | 60% [cite: 447]"].heading
    assert not rows["Nursing and Midwifery | 620"].heading
    assert rows["2023 | 3,400"].heading and not rows["2023 | 3,400"].lead_in  # no label: its figures say nothing alone
    at = {s.text: i for i, s in enumerate(sentences)}
    assert header_row(sentences, at["Benchmarked Against | Community Trusts. Group of 14"]) == at["Detail | Value"]
    assert header_row(sentences, at["Nursing and Midwifery | 620"]) == at["Staff group | Headcount"]  # over the rule line
    assert header_row(sentences, at["Detail | Value"]) is None  # a header has none above it
    assert header_row(sentences, at["The survey closed in November."]) is None
    # a row's vector is made from its header and itself: the header names what its cells are
    texts = evidence_texts(sentences)
    assert "Detail | Value\n2024 Response Rate | 60% [cite: 447]" in texts and "The survey closed in November." in texts
    # a row whose other cells were empty is stored as one cell: it stays inside its table, no evidence and no header
    grouped = split_sentences("d", "Group | Score\nNursing staff | 7.5\nMedical\nDoctors in training | 6.1")
    assert [(s.text, s.row, s.lead_in, s.heading) for s in grouped] == [
        ("Group | Score", True, True, True), ("Nursing staff | 7.5", True, False, False),
        ("Medical", True, False, True), ("Doctors in training | 6.1", True, False, False),
    ]
    assert header_row(grouped, 3) == 0
    # an empty first cell keeps its place: the row's span starts at its "| ", so its cells line up with the header's
    merged = split_sentences("d", "Theme | Sub-score | Questions\nWellbeing | Burnout | Q12a, Q12b\n| Negative experiences | Q11b")
    assert [s.text for s in merged] == ["Theme | Sub-score | Questions", "Wellbeing | Burnout | Q12a, Q12b", "| Negative experiences | Q11b"]
    assert not merged[2].heading and header_row(merged, 2) == 0
    assert table_row("a | b |") == (0, 5) and table_row("| a | b |") == (2, 7)  # a text file's outer pipes are no cells
    # list items and headings holding a pipe are no rows; an extractor's bracketed marks are no label
    items = split_sentences("d", "Options we considered:\n- Option A | keep the board as it is\n- Option B | move it to the ICB")
    assert not any(s.row for s in items) and all(s.item for s in items[1:])
    headed = split_sentences("d", "# Results | 2024\nName | Value\nResponse rate | 60%")
    assert not headed[0].row and headed[1].lead_in
    assert split_sentences("d", "Year | Value\n2023 | [cite_start]3,400 [cite: 12]\nTotal staff | 3,400")[1].heading
    lone = "Annual Report | 2024\nThe trust grew in the year.\nCosts rose | fell, as one reads it."  # a footer, a pipe in prose
    assert not any(s.row for s in split_sentences("d", lone))


@pytest.mark.parametrize(
    "line",
    [
        # the dev corpus's Commons Library briefing: numbered footnotes, one glued to the text extraction put after it
        "1 The Health Foundation, A recipe for reform: a commission to drive long-term NHS productivity growth, May 2025",
        "26 Grice J, The “myth” of declining health-care productivity in England (correspondence), Lancet, 2012",
        "88 Public Accounts Committee, NHS financial sustainability, January 2025 efficiency opportunities for 2025-26.",
        "8 BBC News, NHS productivity must improve in return for more cash - Streeting, 31 October 2025",
        # the journal papers' reference lists
        "Campbell M, McKenzie JE, Sowden A, Katikireddi SV, Brennan SE, Ellis 2017;27:477–89.",
        "Barr B, Taylor-Robinson D. Poor areas lose out most in new NHS budget n it y - s e r v ic e s - d a t a - s e t . Accessed 4 Aug 2022.",
        "Smith A. Integrated care. BMJ. 2021;372(8):n123. doi:10.1136/bmj.n123",
        "Jones B, Patel C. Place-based partnerships in England [accessed 3 Sep 2022]",
        "NHS England. Neighbourhood health guidelines. Available at: https://www.england.nhs.uk/long-read/x",
    ],
)
def test_a_bibliographic_reference_is_never_evidence(line: str) -> None:
    assert is_reference(line)
    text = f"Boards met to agree the plan for the year.\n{line}\n"
    by_text = {s.text: s for s in split_sentences("d", text)}
    assert not by_text["Boards met to agree the plan for the year."].heading
    assert all(s.heading for t, s in by_text.items() if t != "Boards met to agree the plan for the year.")


@pytest.mark.parametrize(
    "line",
    [
        "129 Findings from this review suggested lower productivity in NI, with costs up by 28% since 2016.",  # a note's number before text
        "In May 2024, 3 trusts, 2 ICBs and 4 councils met, and agreed the plan on 12 May 2024.",
        "The board met on 12 May 2024; 3 items were agreed, and 2 were deferred to June 2024.",
        "42 ICBs, each with its own board, were set up in England, in July 2022.",
        "Staff were accessed 3 times a year by the regional team in 2023.",
        "Patients Accessed 5 services in the year to March 2024.",
        # a footnoted sentence with a date inside it, and a time after a date
        "49 However, the minister announced on Tuesday, 3 May 2022, that funding would rise.",
        "42 ICBs, the NHS said on Tuesday, 4 June 2024, had submitted plans.",
        "The board met on 4 June 2024; 10:30 was the start of the meeting.",
    ],
)
def test_sentences_with_dates_and_numbers_are_not_references(line: str) -> None:
    assert not is_reference(line)
    assert not split_sentences("d", line + "\n")[0].heading


def test_a_footnote_number_before_a_sentence_is_not_quoted_but_a_count_is() -> None:
    text = (
        "In 2024, NHSE blamed industrial action. 49 However, the IFS demonstrated rising productivity.\n"  # the briefing's notes
        "64 In 2009, the NHS leaver rate was 9.5%.\n"
        "42 ICBs were set up in July 2022. 12 A&E departments closed early. 15 Reports were published in 2023.\n"
        "12 May 2024 saw the plan launched. 1 In 5 people waited too long. 3 Per Cent of staff left early.\n"
    )
    texts = [s.text for s in split_sentences("d", text)]
    assert "However, the IFS demonstrated rising productivity." in texts
    assert "In 2009, the NHS leaver rate was 9.5%." in texts  # the 64 is no figure of it
    # a number before a noun counts it: it stays in the quote
    assert {"42 ICBs were set up in July 2022.", "12 A&E departments closed early.", "15 Reports were published in 2023."} <= set(texts)
    # a day before its month, a proportion, a share: the number is what is said
    assert {"12 May 2024 saw the plan launched.", "1 In 5 people waited too long.", "3 Per Cent of staff left early."} <= set(texts)
    for s in split_sentences("d", text):
        assert text[s.start : s.end] == s.text


def test_figures_are_normalised() -> None:
    assert figures("only 10-20 per cent, £0.9 to £6.9bn, 2023-24, 2,885 bed days") == {"10/20%", "£0.9", "£6.9bn", "2023/24", "2885"}
    assert missing_figures("It fell by 42% in 2021.", ["Death rates fell by 42% as a result"]) == ["2021"]


def test_quantities_written_in_words_include_the_teens_and_tens() -> None:
    """A speech-recognition transcript writes numbers as words: "sixty five weeks", "eighteen weeks" and "ninety per
    cent" are quantities that answer a how-many question (the teens and sixty to ninety were missing)."""
    said = "waits over sixty five weeks, eighteen weeks for most, nineteen wards and ninety per cent of staff"
    assert {"sixty", "five", "eighteen", "nineteen", "ninety"} <= quantities(said)
    assert quantities("It was all agreed; most of them came.") == set()


def test_markers_parse_and_bad_ones_are_dropped() -> None:
    text, numbers = parse_markers("ICBs answer to NHSE [1][3, 2] and DHSC [7] [0] [2-4] [x] [sic].", n_sources=4)
    assert numbers == [1, 3, 2, 4]  # order of first use, out-of-range 7 and 0 dropped, range expanded
    assert "[7]" not in text and "[x]" not in text and "[0]" not in text
    assert "[sic]" in text  # an editorial bracket is not a citation


def test_marked_text_splits_into_sentences_with_their_numbers() -> None:
    pieces = split_marked_text("ICBs are accountable to NHSE [1]. Councils answer to voters [2][9].\n[3]", n_sources=3)
    assert pieces == [("ICBs are accountable to NHSE.", [1]), ("Councils answer to voters.", [2, 3])]
    after_stop = split_marked_text("ICBs are accountable to NHSE. [1] Councils answer to voters. [2]", n_sources=3)
    assert after_stop == [("ICBs are accountable to NHSE.", [1]), ("Councils answer to voters.", [2])]


def test_verification_catches_an_unsupported_number() -> None:
    evidence = ["Only 14 per cent of respondents agreed that the CQC's approach encouraged collaboration."]
    assert verify("Only 14 per cent of respondents agreed that the CQC's approach encouraged collaboration.", evidence).supported
    bad = verify("Only 41 per cent of respondents agreed that the CQC's approach encouraged collaboration.", evidence)
    assert not bad.supported and bad.missing_figures == ["41%"]


def test_verification_needs_words_or_meaning_in_common() -> None:
    evidence = ["ICBs will be accountable to DHSC via NHS England."]
    assert not verify("Trusts love the new pay deal.", evidence).supported
    assert not verify("Anything at all.", []).supported  # no citation, no support
    assert verify("Trusts love the new pay deal.", evidence, similarity=lambda s, e: 0.9).supported  # semantic route


def test_citations_numbered_in_order_of_first_use_and_reused() -> None:
    doc = DocumentInfo("a.txt", "a.txt", "Doc A", publisher="P", date="2022")
    cites = CitationList()
    assert cites.add(doc, 10, 20, "x" * 10) == 1
    assert cites.add(doc, 30, 40, "y" * 10) == 2
    assert cites.add(doc, 10, 20, "x" * 10) == 1
    assert [c.n for c in cites.citations()] == [1, 2]


def test_quote_matches() -> None:
    doc = DocumentInfo("a.txt", "a.txt", "Doc A")
    text = "abc def ghi"
    cites = CitationList()
    cites.add(doc, 4, 7, "def")
    cites.add(doc, 4, 7 + 1, "def")  # wrong
    good, bad = cites.citations()
    assert quote_matches(good, text) and not quote_matches(bad, text)


@pytest.mark.slow
def test_warm_up_removes_the_sentence_cache_folder_of_older_versions(seed_index, seed_assistant):
    from assistant.sentences import LEGACY_CACHE_FOLDER

    cache = seed_index.data_dir / LEGACY_CACHE_FOLDER
    cache.mkdir(parents=True, exist_ok=True)
    (cache / ("0" * 32 + ".npy")).write_bytes(b"an old document version")
    assert seed_assistant.warm_up() > 0
    assert not cache.exists()  # sentence vectors now live in the index, with their documents


@pytest.mark.slow
def test_neighbours_and_paragraph_of_a_sentence(seed_assistant):
    _, bank = seed_assistant._ready()
    doc = next(d for d in seed_assistant.index.documents() if d.source.startswith("003_"))
    sentences = bank.sentences(doc)
    at = next(i for i, s in enumerate(sentences) if s.text.startswith("Within the CHN model"))
    assert bank.neighbours(sentences[at], doc) == sentences[at - 1 : at + 2]
    assert bank.neighbours(sentences[0], doc) == sentences[:2]
    paragraph = bank.paragraph(sentences[at], doc)
    assert paragraph.startswith("In Lincolnshire ICS") and sentences[at].text in paragraph  # the whole numbered paragraph
    assert "They plan to expand this model" in paragraph and "Police, social care" not in paragraph


TABLE_ROWS = [("Measure", "2023", "2024"), ("Staff turnover rate", "12%", "9%"), ("Sickness absence rate", "5%", "5%"),
              ("Agency spend", "", "£2.1m"), ("Vacancy rate", "7%", "5%")]


def _workforce_file(folder, suffix: str) -> None:
    """The same short report, with a table, as a real DOCX or HTML file."""
    heading, prose = "Workforce report 2024", "The trust employs staff across community services in the city. Turnover fell in the year."
    if suffix == ".docx":
        import docx

        document = docx.Document()
        document.add_heading(heading, 1)
        document.add_paragraph(prose)
        table = document.add_table(rows=len(TABLE_ROWS), cols=3)
        for r, cells in enumerate(TABLE_ROWS):
            for c, value in enumerate(cells):
                table.cell(r, c).text = value
        document.save(folder / "workforce.docx")
    else:
        rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in cells) + "</tr>" for cells in TABLE_ROWS)
        html = f"<html><head><title>{heading}</title></head><body><h1>{heading}</h1><p>{prose}</p><table>{rows}</table></body></html>"
        (folder / "workforce.html").write_text(html, encoding="utf-8")


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_a_tables_row_is_quoted_after_its_header_end_to_end(tmp_path, embedder, suffix) -> None:
    """A real DOCX or HTML file with a table, ingested with the real model into a real index: the figure asked for is
    quoted from its row, after the header row that names the columns, each at its exact offsets. Every cell stays
    in its column: an empty one keeps its place, and equal values are both kept (an HTML table's rows were once
    stored a blank line apart, so never read as a table; a DOCX row's equal cells were once kept once)."""
    from assistant.engine import Assistant
    from ingest.pipeline import Ingestor
    from tests.conftest import make_settings

    folder = tmp_path / "docs"
    folder.mkdir()
    _workforce_file(folder, suffix)
    settings = make_settings(tmp_path / "data")
    assert Ingestor(settings, embedder=embedder, progress=False).run([folder]).ok
    bot = Assistant(settings)
    (doc,) = bot.index.documents()
    assert "Measure | 2023 | 2024\nStaff turnover rate | 12% | 9%\nSickness absence rate | 5% | 5%\nAgency spend | | £2.1m\n" in bot.index.text(doc.doc_id)
    answer = bot.ask("What was the vacancy rate in 2024?")
    quotes = [c.quote for c in answer.citations]
    assert not answer.abstained and "Vacancy rate | 7% | 5%" in quotes
    assert quotes.index("Measure | 2023 | 2024") < quotes.index("Vacancy rate | 7% | 5%")
    for c in answer.citations:
        assert bot.index.text(c.doc_id)[c.start : c.end] == c.quote
