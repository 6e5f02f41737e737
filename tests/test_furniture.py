"""Page furniture (running headers and footers) is found by repetition and dropped; real headings stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean, clean_with_counts
from ingest.furniture import FURNITURE_MIN_REPEATS, furniture_key, furniture_spans

ROOT = Path(__file__).resolve().parent.parent
HEADER = "**Annual report and accounts 2024-2025**"


def paged(n: int, header: str = HEADER) -> str:
    """n pages of prose, each under the same running header and over a numbered footer."""
    return "\f".join(f"{header}\n\nOn page {i} the Trust treated {i * 100} patients.\n\nPage {i} of {n}" for i in range(1, n + 1))


def test_running_header_on_every_page_is_dropped_but_once() -> None:
    result = clean(paged(8))
    assert result.text.count("Annual report and accounts 2024-2025") == 1
    assert result.text.count("the Trust treated") == 8


def test_repeated_sentence_is_content_not_furniture() -> None:
    text = "\n\n".join(f"Source: Skills England estimates for {year}." for year in range(2020, 2030))
    assert furniture_spans(text) == []


def test_counts_report_the_dropped_lines() -> None:
    _, counts = clean_with_counts(paged(8))
    assert counts["furniture"] == 7


def test_page_map_stays_exact_after_dropping_furniture() -> None:
    result = clean(paged(8))
    offset = result.text.index("700 patients")
    assert next(p.page for p in result.pages if p.start <= offset < p.end) == 7


def test_line_repeated_on_few_of_many_pages_is_not_furniture() -> None:
    # a label on 5 of 20 pages (the threshold is half the pages) is structure, not a running header
    pages = [f"{'How will we achieve this?' if i % 4 == 0 else 'Other words here'} {i}\n\nText of page {i}." for i in range(20)]
    assert "How will we achieve this?" in clean("\f".join(pages)).text
    assert clean("\f".join(pages)).text.count("How will we achieve this?") == 5


def test_section_heading_used_twice_is_kept() -> None:
    text = "## Finance review\n\nWe spent more.\n\n## Finance review\n\nWe saved too.\n\n" + "Prose line.\n\n" * 50
    assert furniture_spans(text) == []


@pytest.mark.parametrize("line", ["12", "N/A", "Apols", "- Risk register", "£2,000", "Yes"])
def test_cells_numbers_and_list_items_are_never_furniture(line: str) -> None:
    assert furniture_key(line) is None


def test_numbers_and_markup_do_not_hide_a_repeat() -> None:
    assert furniture_key("**Commons Library Research Briefing, 23 July 2025**") == furniture_key(
        "Commons Library Research Briefing, 7 July 2024"
    )


def test_threshold_has_a_floor_for_short_texts() -> None:
    text = "\n\n".join(["LTHT People Priorities"] * (FURNITURE_MIN_REPEATS - 1) + ["Text."])
    assert furniture_spans(text) == []


@pytest.mark.parametrize("path", sorted((ROOT / "corpus").glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_documents_have_no_furniture(path: Path) -> None:
    assert furniture_spans(path.read_text(encoding="utf-8")) == []
