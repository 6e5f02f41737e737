"""Cleaning: each extraction artefact, faithfulness, idempotence, the page map, and the five seed documents."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.types import CleanText
from ingest.clean import clean

SEED = Path("/work/shared/seed-corpus")


def seed(prefix: str) -> str:
    files = sorted(SEED.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed document {prefix} not available")
    return files[0].read_text(encoding="utf-8")


def page_at(result: CleanText, needle: str) -> int:
    """The page of the first character of `needle` in the cleaned text."""
    offset = result.text.index(needle)
    return next(p.page for p in result.pages if p.start <= offset < p.end)


# --- single artefacts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ICSs are a system.<sup>3</sup> Next.", "ICSs are a system. Next."),
        ("pressures on services<sup>2</sup>, there are", "pressures on services, there are"),
        ("long understood.² Yet in practice", "long understood. Yet in practice"),
        ("the word¹² here", "the word here"),
        ("determined by NHS care[1], greater", "determined by NHS care, greater"),
        ("the ICSs[12] work", "the ICSs work"),
        ("over the period these interviews took place.1\nNext line.", "over the period these interviews took place.\nNext line."),
    ],
)
def test_footnote_markers_removed(raw: str, expected: str) -> None:
    assert clean(raw).text == expected


@pytest.mark.parametrize(
    "kept",
    [
        "serving anywhere between 542,000 to 3.51 million people.",
        "As noted [see para 4], the ICB leads.",
        "The integrated care partnership [ICP] meets.",
        "Version 2.1 of the framework, page 12.",
        "Tackle inequalities; 3) boost productivity.",
    ],
)
def test_real_numbers_and_brackets_kept(kept: str) -> None:
    assert clean(kept).text == kept


def test_nbsp_spacers_tabs_and_trailing_spaces() -> None:
    raw = "1.\xa0\xa0\xa0\xa0 ICSs serve 3.51\xa0million people.   \n\n\xa0\n\n \nTel 020\tEmail us.\t\n"
    assert clean(raw).text == "1. ICSs serve 3.51 million people.\n\nTel 020 Email us."


def test_blank_line_runs_collapse_and_page_number_lines_go() -> None:
    raw = "\n\nFirst paragraph.\n\n\n\n\nSecond paragraph.\n\n6\n\nThird paragraph.\n"
    assert clean(raw).text == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


def test_sentence_split_by_page_break_is_rejoined() -> None:
    raw = "their effect (as articulated\n\nin the white paper and the Act), it matters.\n\nNext paragraph."
    assert clean(raw).text == (
        "their effect (as articulated in the white paper and the Act), it matters.\n\nNext paragraph."
    )


@pytest.mark.parametrize(
    "raw",
    [
        "Measure | 2024\nAgency spend | 2.1m\nstaff turnover | 9%\nsickness absence | 5%",
        "| Measure | 2024 |\n| Agency spend | 2.1m |\n| staff turnover | 9% |",
        "Measure | 2024\nAgency spend | 2.1m\nstaff turnover\nsickness absence | 5%",  # a row whose value is empty: a label alone
        "Measure | 2024\nAgency spend | 2.1m\nstaff turnover\nsickness absence\nbed days | 5%",  # two such rows together
    ],
)
def test_two_rows_of_a_table_are_never_joined(raw: str) -> None:
    """A row ending in a word and a row starting in lower case are two records, not a sentence cut in two."""
    assert clean(raw).text == raw


def test_lines_ending_in_punctuation_or_followed_by_capitals_stay_apart() -> None:
    raw = (
        "Context\nIt is only fair to open here.\nOne ICB chair says:\nQuite simply, we are accountable.\n"
        "- the footprint of ICPs\n- the footprint of councils"
    )
    assert clean(raw).text == raw


def test_footnote_block_mid_sentence_moves_to_the_end() -> None:
    raw = (
        "there are common approaches and\n\n---\n\n<sup>2</sup> [Integrated care systems](#) The Health Foundation, June 2022\n\n"
        "enablers that can support system working.\n\nNext paragraph.\n\n---\n\n<sup>3</sup> Another source.\n"
    )
    assert clean(raw).text == (
        "there are common approaches and enablers that can support system working.\n\nNext paragraph.\n\n"
        "Footnotes\n\n[2] Integrated care systems The Health Foundation, June 2022\n\n[3] Another source."
    )


def test_superscript_footnote_lines_move_out_of_a_sentence() -> None:
    raw = "to plan for different\n\n² Purchasing for Health John Ovretveit 1995\n\npopulations is used to best effect."
    assert clean(raw).text == (
        "to plan for different populations is used to best effect.\n\nFootnotes\n\n[2] Purchasing for Health John Ovretveit 1995"
    )


def test_pull_quote_glyph_becomes_quote_mark() -> None:
    raw = "⁶⁶ The issue is how people are incentivised.\" (A system lead)\n\n- ⁶⁶ Imagine the possibilities.\""
    assert clean(raw).text == "\"The issue is how people are incentivised.\" (A system lead)\n\n- \"Imagine the possibilities.\""


def test_lost_bullets_and_nested_lists() -> None:
    raw = (
        "- be transparent with partners\n- embrace mutual accountability\n\n include representation at system level.\n"
        " - nested item\n    1. numbered sub item"
    )
    assert clean(raw).text == (
        "- be transparent with partners\n- embrace mutual accountability\n\n- include representation at system level.\n"
        "  - nested item\n  1. numbered sub item"
    )


def test_a_wrapped_items_hanging_indent_is_no_lost_bullet() -> None:
    """A PDF's list wraps each item's words under where they start ("  •  It's Free Software ... under the" /
    "     terms of the GNU ..."): the next line goes on the item (each became a "- " item of its own, cutting the
    sentence); after an item ending a sentence, or indented less than its words, a line is still a lost bullet, and a
    page number alone is none."""
    raw = (
        "The main features are:\n  •  It’s Free Software. Anybody can use and redistribute the library under the\n"
        "     terms of the GNU Lesser General Public License. The command\n     line tools are licensed under the GPL.\n"
        "  •  Portability. The code works on all Unix like systems.\n     Windows is supported as well.\n"
        "- embrace mutual accountability\n include representation at system level.\n"
        "  •  The last item of the page\n                                     2\n"
    )
    assert clean(raw).text == (
        "The main features are:\n  • It’s Free Software. Anybody can use and redistribute the library under the terms of the GNU "
        "Lesser General Public License. The command line tools are licensed under the GPL.\n"
        "  • Portability. The code works on all Unix like systems.\n- Windows is supported as well.\n"
        "- embrace mutual accountability\n- include representation at system level.\n  • The last item of the page"
    )
    lost = "Priorities\nThe plan will:\n   improve access to primary care\n   reduce waiting times for elective care\n   deliver the plan\n"
    assert clean(lost).text == "Priorities\nThe plan will:\n- improve access to primary care\n- reduce waiting times for elective care\n- deliver the plan"
    symbol = "Our priorities\n\uf0b7 Reduce waiting times for elective care across the region\n\uf0b7 Improve access to care"
    assert clean(symbol).text == "Our priorities\n- Reduce waiting times for elective care across the region\n- Improve access to care"


def test_a_pdf_line_wrapped_before_a_capital_goes_on_to_the_next(tmp_path) -> None:
    """pypdf gives each line a typesetter wrapped as a line of its own, and a line break ends a unit: a sentence
    wrapped before "Programme", "NHS England" or "The" was quoted in two halves. A line as long as its block's
    lines, of six words or more, goes on to the next; a heading, a table's rows, a numbered list's next item and a
    block's last line do not."""
    from fpdf import FPDF

    from assistant.cite import split_sentences
    from ingest.load import load

    sentences = [
        "Integrated care boards are held to account for their performance by NHS England, which assesses each board "
        "every year against the oversight framework.",
        "Boards in segment four receive intensive support from the Recovery Support Programme, and their chief "
        "executives report monthly to the Regional Director for the North East and Yorkshire.",
        "The framework was agreed with the Department of Health and Social Care after consultation with Local "
        "Government Association members, and it sets out how the segments are decided by NHS England.",
    ]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, " ".join(sentences))
    path = tmp_path / "oversight.pdf"
    pdf.output(str(path))
    loaded = load(path, max_bytes=10**7)
    assert sum(line.strip()[:1].isupper() for line in loaded.text.split("\n")[1:]) >= 2  # wrapped before capitals
    units = [s.text for s in split_sentences("d", clean(loaded.text).text)]
    assert units == sentences, units
    laid_out = (
        "Oversight and assessment of the boards\n"
        "Integrated care boards are held to account for their performance by NHS England each\n"
        "Year, and the regional teams meet each board every quarter to agree its support\n"
        "1. Boards in segment four receive intensive support from the national teams and regions\n"
        "2. Boards in segment three receive targeted support from their regional team"
    )
    assert clean(laid_out).text == (
        "Oversight and assessment of the boards\n"
        "Integrated care boards are held to account for their performance by NHS England each Year, and the regional "
        "teams meet each board every quarter to agree its support\n"
        "1. Boards in segment four receive intensive support from the national teams and regions\n"
        "2. Boards in segment three receive targeted support from their regional team"
    )
    rows = "Workforce measures reported to the Board\nMeasure 2023 2024\nVacancy rate 5% 5%\nTurnover for all staff groups 9% 9%"
    assert clean(laid_out + "\n\n" + rows).text.endswith("\n\n" + rows)  # the table's lines are short beside the text's


def test_a_paragraph_opening_with_the_comma_a_links_address_left_goes_on_the_sentence_before() -> None:
    """A web page printed to PDF and converted to Markdown puts a link's address on its own paragraph after its words;
    ingest.markdown leaves the address out, and the sentence stayed cut at a blank line before its comma: "... as
    highlighted by Lord Darzi" / ", the absolute and relative proportion ...". Scraps of a shredded infographic are
    not glued (fewer than four words before)."""
    from ingest.load import load

    markdown = (
        "More people are living with complex problems, and as highlighted by Lord Darzi\n\n"
        "\\(https://www.gov.uk/government/publications/independent-investigation-of-the-nhs-in-england\\), the absolute "
        "proportion of our lives spent in ill-health has increased.\n\n"
        "It complements the Population Health Academy\n\n\\(https://www.england.nhs.uk/phm/academy/\\).\n\n"
        "ven\n\n, social ematur minants"
    )
    loaded = load(Path("guidelines.md"), max_bytes=10**6, data=markdown.encode())
    text = clean(loaded.text, loaded.caption).text
    assert text == (
        "More people are living with complex problems, and as highlighted by Lord Darzi, the absolute proportion of our "
        "lives spent in ill-health has increased.\n\nIt complements the Population Health Academy.\n\nven\n\n, social ematur minants"
    ), text


def test_known_lost_hyphens_only() -> None:
    raw = "Workforce decisionmaking, a topdown approach; coordinated and reorganisation stay."
    assert clean(raw).text == "Workforce decision-making, a top-down approach; coordinated and reorganisation stay."


def test_curly_quotes_and_dashes_are_kept() -> None:
    raw = "NHS England’s ‘what’ – the “how”, and 'straight' ones."
    assert clean(raw).text == raw


def test_markup_unwrapped_icons_and_stray_letters_dropped() -> None:
    raw = (
        "as argued in <u>Growing Our Own</u> and the [NHS long-term plan](#) (2019).\n\n"
        "Follow us on \U0001f20f @nhsconfed\n\nd\n\n© NHS Confederation 2020."
    )
    assert clean(raw).text == (
        "as argued in Growing Our Own and the NHS long-term plan (2019).\n\nFollow us on @nhsconfed\n\n© NHS Confederation 2020."
    )


def test_bom_crlf_and_zero_width() -> None:
    assert clean("\ufeffLine one.\r\nLine\u200b two.\r\n").text == "Line one.\nLine two."


# --- page map ---------------------------------------------------------------------------------


def test_no_form_feed_means_no_pages() -> None:
    assert clean("Just text.").pages == ()


def test_page_map_covers_text_and_follows_moves() -> None:
    raw = (
        "The sentence starts on page one and\n\f\ncontinues on page two.\n\n¹ A footnote on page two.\n"
        "\fPage three text here.\n\f\f7\n\fLast page."
    )
    result = clean(raw)
    assert result.text == (
        "The sentence starts on page one and continues on page two.\n\nPage three text here.\n\nLast page.\n\n"
        "Footnotes\n\n[1] A footnote on page two."
    )
    assert result.pages[0].start == 0 and result.pages[-1].end == len(result.text)
    assert all(a.end == b.start for a, b in pairwise(result.pages))
    assert page_at(result, "starts") == 1
    assert page_at(result, "continues") == 2
    assert page_at(result, "Page three") == 3
    assert page_at(result, "Last page") == 6  # pages 4 (empty) and 5 (a page number) leave no text
    assert page_at(result, "[1] A footnote") == 2
    assert "\f" not in result.text


# --- the seed documents -----------------------------------------------------------------------

ALL = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("prefix", ALL)
def test_seed_no_leftover_artefacts(prefix: str) -> None:
    text = clean(seed(prefix)).text
    assert "<sup>" not in text and "</u>" not in text and "](#)" not in text
    assert not re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹]", text)
    assert "\xa0" not in text and "\t" not in text and "\f" not in text
    assert "\n\n\n" not in text and not re.search(r" +\n", text)
    assert not re.search(r"^---$", text, re.MULTILINE)
    assert not re.search(r"\w\[\d+\]", text)
    assert text == text.strip()


@pytest.mark.parametrize("prefix", ALL)
def test_seed_idempotent(prefix: str) -> None:
    once = clean(seed(prefix)).text
    assert clean(once).text == once


@pytest.mark.parametrize(
    ("prefix", "sentence"),
    [
        ("000", "the ethos of local empowerment (as articulated in the white paper and the Act), it will be important"),
        ("000", "there are common approaches and enablers that can support system working."),
        ("000", "DHSC sets out in national guidance that ICPs will enhance the work already underway"),
        ("001", "to plan for different populations is used to best effect."),
        ("001", "There is also potential to learn from the experience of local government, which has operated"),
        ("001", "identify solutions locally to the problems they face. But, our members tell us"),
        ("001", "the local government footprints involved to avoid local authority partners perceiving these mergers"),
        ("001", "has been long understood. Yet in practice"),
        ("002", "collaboration that predates current structures and will be further developed under ICSs. However helpful"),
        ("002", "- While providers understand that ICSs will be keenly interested"),
        ("003", "serving anywhere between 542,000 to 3.51 million people"),
        ("003", "\n\n1. ICSs were put on a statutory footing on 1 July 2022 with the purposes of:\n\n  1. improving outcomes"),
        ("003", "only 10-20 per cent of health outcomes are determined by NHS care, greater collaboration"),
        ("004", "over the period these interviews took place.\nThere has been massive economic instability."),
    ],
)
def test_seed_known_sentences(prefix: str, sentence: str) -> None:
    assert sentence in clean(seed(prefix)).text


def test_seed_000_footnotes_kept_at_end() -> None:
    text = clean(seed("000")).text
    tail = text[text.index("\n\nFootnotes\n\n") :]
    assert re.findall(r"^\[(\d)\]", tail, re.MULTILINE) == [str(n) for n in range(1, 9)]
    assert "[1] National guidance states that ICSs four key purposes are to" in tail
    assert text.count("Footnotes") == 1


def test_seed_001_quotes_hyphens_and_footer() -> None:
    text = clean(seed("001")).text
    assert '"The issue is how people are incentivised' in text
    assert '- "Imagine the possibilities' in text
    assert "future workforce decision-making in health" in text
    assert "\nd\n" not in text and "\U0001f20f" not in text
    assert "[2] Purchasing for Health John Ovretveit 1995" in text


def test_seed_003_stray_page_number_gone() -> None:
    text = clean(seed("003")).text
    assert not re.search(r"^\d{1,3}$", text, re.MULTILINE)
    assert "October 2022\n\n[1] Hood, C. M." in text


def test_seed_004_lines_are_not_glued() -> None:
    raw = seed("004")
    text = clean(raw).text
    assert "\n\n" not in text
    assert len(text.splitlines()) == len([line for line in raw.splitlines() if line.strip()])
    assert "\nAccountability with local government\nICBs, are of course accountable" in text
    assert "\nOne ICB chair says:\nIn the old system" in text


def test_a_language_models_extraction_marks_leave_the_text() -> None:
    """ "[cite_start]60% [cite: 447]": marks pointing into an extractor's own input, which a reader never has."""
    raw = (
        "| **2024 Response Rate** | [cite_start]60% [cite: 447] |\n"
        "[cite_start]All elements are scored on a 0-10 scale[cite: 300]. Rows [cite: 12, 13] and [cite: 4-6] follow.\n"
        "A real bracket [citation needed], [Table 3], [cite: see above] and the court [cite] held stay.\n"
    )
    assert clean(raw).text == (
        "| **2024 Response Rate** | 60% |\nAll elements are scored on a 0-10 scale. Rows and follow.\n"
        "A real bracket [citation needed], [Table 3], [cite: see above] and the court [cite] held stay."
    )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # a web page printed to PDF: the link's address after its words, broken where the printed line ended
        ("18. Systems should also tackle health inequalities (https://www.england.nhs.uk/long-read/statement-on-information-\n\n"
         "on-health-inequalities/) when developing their service. This will help.",
         "18. Systems should also tackle health inequalities when developing their service. This will help."),
        # the address opening a line: the sentence around it is one again
        ("Core20PLUS5 for children and young people\n\n(https://www.england.nhs.uk/core20plus5-\n\ncyp/), outreach work and data.",
         "Core20PLUS5 for children and young people, outreach work and data."),
        # ... unless a sentence ended before it
        ("The plan was published last year.\n\n(https://www.gov.uk/plan) The next paragraph starts here.",
         "The plan was published last year.\n\nThe next paragraph starts here."),
        # ... or before a paragraph that starts afresh
        ("Read more\n\n(https://www.gov.uk/plan) The next paragraph starts here.", "Read more\n\nThe next paragraph starts here."),
        # broken by a page (a form feed, or the blank lines a dropped running header leaves)
        ("and young people\n\f(https://x.org/cyp/), outreach work.", "and young people, outreach work."),
        ("cut by the page (https://www.england.nhs.uk/long-read/page-\n\n\nbreak-address/) which continues.",
         "cut by the page which continues."),
        # a lost "ll" inside the address; two in a row; one opening the text
        ("The Fuller Stocktake (https://www.england.nhs.uk/ful er-stocktake-report/) is cited.", "The Fuller Stocktake is cited."),
        ("Text (https://a.org) (https://b.org) more, and x (https://c.org).", "Text more, and x."),
        ("(https://a.org/x) The document opens.", "The document opens."),
        # alone on its line, or after a wrapped line: the breaks there were stay, the sentence goes on
        ("young people\n(https://www.england.nhs.uk/cyp/)\n, outreach work.", "young people\n, outreach work."),
        ("services commissioned by NHS\n(https://www.england.nhs.uk/) England and councils.",
         "services commissioned by NHS England and councils."),
        ("- NHS App\n(https://a.org/x)\n- NHS Pharmacy\n(https://a.org/y)\n- Other", "- NHS App\n- NHS Pharmacy\n- Other"),
        # an address the sentence gives stays, whole again
        ("as set out on the NHS England website (https://www.england.nhs.uk/long-read/x-\n\non-health/) when planning.",
         "as set out on the NHS England website (https://www.england.nhs.uk/long-read/x-on-health/) when planning."),
        ("Contact us: (https://a.example/x) (https://b.example/y)\nNext line here.", "Contact us: (https://a.example/x)\nNext line here."),
        # an address the sentence gives, one written as the words, and brackets holding words, stay
        ("Visit our website (https://www.leedsandyorkpft.nhs.uk) for details.", "Visit our website (https://www.leedsandyorkpft.nhs.uk) for details."),
        ("Contact us: (https://a.org/x) or call.", "Contact us: (https://a.org/x) or call."),
        ("This publication is available at https://www.gov.uk/government/publications/x for everyone.",
         "This publication is available at https://www.gov.uk/government/publications/x for everyone."),
        ("The site (www.example.org is useful) has it.", "The site (www.example.org is useful) has it."),
        ("A text file's ![tracker](http://198.51.100.1/pixel.png) is shown as written.",
         "A text file's ![tracker](http://198.51.100.1/pixel.png) is shown as written."),
    ],
)
def test_a_links_printed_address_leaves_the_text_and_the_sentence_it_cut_is_whole(raw, stored):
    assert clean(raw).text == stored
    assert clean(stored).text == stored


def test_a_long_run_of_blank_lines_is_read_in_linear_time():
    """From every blank line of a run the address pattern looked for an opening bracket at the run's end: quadratic."""
    import time

    started = time.perf_counter()
    assert clean("Some text.\n" + "\n" * 200_000 + "More text.").text == "Some text.\n\nMore text."
    assert time.perf_counter() - started < 30  # about 0.5 s; the quadratic pattern took hours
