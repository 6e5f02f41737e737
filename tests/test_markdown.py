"""Markdown is parsed (markdown-it-py) into the stored text: structure kept as lines, markup gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.load import load
from ingest.markdown import row_text, to_text

MB = 10_000_000


def test_headings_lists_and_tables_keep_their_line_form() -> None:
    source = "# Title\n\n## Section\n\n- one\n- **two**\n  - nested\n\n1. first\n2. second\n\n| Trust | Beds |\n|---|---|\n| LTHT | 2,000 |\n"
    assert (
        to_text(source)
        == "# Title\n\n## Section\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\nTrust | Beds\nLTHT | 2,000"
    )


def test_an_empty_table_cell_keeps_its_column() -> None:
    """"Turnover |  | 9%" under "Measure | 2023 | 2024" is 2024's 9%: dropping the empty cell made it 2023's."""
    source = (
        "| Measure | 2023 | 2024 |\n|---|---|---|\n| Turnover |  | 9% |\n| | Burnout | Q12a |\n"
        "| Medical | | |\n| | | |\n| Vacancy rate | 5% | 5% |\n"
    )
    assert to_text(source) == "Measure | 2023 | 2024\nTurnover | | 9%\n| Burnout | Q12a\nMedical\nVacancy rate | 5% | 5%"
    assert row_text(["", "a", "", "", " b  c ", "", ""]) == "| a | | | b c"  # empty cells after the last filled one go
    assert row_text(["", " ", ""]) == ""  # no text: no row


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Leeds Teaching Hospitals \\(LTHT\\) is **one** of the *largest*.",
            "Leeds Teaching Hospitals (LTHT) is one of the largest.",
        ),
        ("See the [NHS plan](https://www.england.nhs.uk/plan) now.", "See the NHS plan now."),
        (
            "the industrial strategy \\(https://www.gov.uk/government/publications/industrial-strategy\\) and",
            "the industrial strategy and",
        ),
        ("A <b>bold</b> word<br>and a <span class='x'>span</span>.", "A bold word\nand a span."),
        ("Our __strategic__ goals**** **", "Our strategic goals"),
        ("**• **We are open and honest.", "• We are open and honest."),
        ("R&amp;D spend", "R&D spend"),
    ],
)
def test_markup_is_removed_and_words_kept(source: str, expected: str) -> None:
    assert to_text(source) == expected


def test_bold_only_line_is_a_heading_below_the_last_real_one() -> None:
    text = to_text("# Report\n\n**Why a new approach is needed**\n\nBecause demand grew.\n\n### Detail\n\n**Staffing**\n\nText.")
    assert text.splitlines()[2] == "## Why a new approach is needed"
    assert "#### Staffing" in text.splitlines()


@pytest.mark.parametrize(
    "source",
    [
        "**We will publish the plan in March.**",  # a bold sentence is emphasis, not a title
        "**7**",  # a bold page number
        "**Waiting** lists grew",  # only part of the paragraph is bold
    ],
)
def test_bold_that_is_not_a_title_stays_text(source: str) -> None:
    assert not to_text(source).startswith("#")


def test_soft_line_breaks_stay_line_breaks_for_clean_to_judge() -> None:
    assert to_text("first line of a column\nsecond line") == "first line of a column\nsecond line"


def test_md_file_is_parsed_but_txt_file_keeps_its_text(tmp_path: Path) -> None:
    body = "**Why a new approach is needed**\n\nThe plan \\(2024\\) is **clear**.\n"
    (tmp_path / "a.md").write_text(body, encoding="utf-8")
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    md, txt = load(tmp_path / "a.md", max_bytes=MB), load(tmp_path / "a.txt", max_bytes=MB)
    assert clean(md.text).text == "## Why a new approach is needed\n\nThe plan (2024) is clear."
    assert txt.text == body


def test_md_title_is_still_the_first_real_heading_or_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("**Cover words**\n\n# The real title\n\nText.\n", encoding="utf-8")
    (tmp_path / "plain.md").write_text("**Cover words**\n\nText.\n", encoding="utf-8")
    assert load(tmp_path / "report.md", max_bytes=MB).meta["title"] == "The real title"
    assert load(tmp_path / "plain.md", max_bytes=MB).meta["title"] == "plain"


def test_dev_corpus_markdown_loses_its_markup() -> None:
    path = Path(__file__).resolve().parent.parent / "eval" / "dev-corpus" / "Leeds Community Annual-report-2024-2025.md"
    if not path.exists():
        pytest.skip("dev corpus not available")
    text = clean(load(path, max_bytes=MB).text).text
    assert "**" not in text and "\\(" not in text
    assert "## How we work" in text.splitlines()


def test_an_html_table_in_markdown_keeps_its_cells_apart() -> None:
    """Converters write a table Markdown cannot hold as HTML; its cells were run together ("MetricThreshold")."""
    source = (
        "# Oversight\n\nIntro.\n\n<table>\n<tr><th>Metric</th><th>Threshold</th></tr>\n"
        "<tr><td>Elective waits over 52 weeks</td><td>Less than 1% of the waiting list</td></tr>\n"
        "<tr><td>A&amp;E four-hour performance</td><td></td><td>78% by March 2026</td></tr>\n</table>\n\n"
        "<!-- converter's note -->\n\n<div align=\"center\"><img src=\"logo.png\"><p>Centred</p></div>\n\n"
        "<header>Leeds Teaching Hospitals NHS Trust</header>\n\nAfter.\n"
    )
    assert to_text(source) == (
        "# Oversight\n\nIntro.\n\nMetric | Threshold\nElective waits over 52 weeks | Less than 1% of the waiting list\n"
        "A&E four-hour performance | | 78% by March 2026\n\nCentred\n\nLeeds Teaching Hospitals NHS Trust\n\nAfter."
    )  # a document's <header> is its text, not a web page's furniture
