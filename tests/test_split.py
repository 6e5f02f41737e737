"""Splitting: exact offsets, heading paths, lead-ins kept with quotes, sizes, overlap, pages, seed documents."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.embed import token_counter
from assistant.types import ChunkSpan
from ingest.clean import clean
from ingest.load import load
from ingest.split import embedding_text, split
from tests.test_load import make_pdf

SEED = Path("/work/shared/seed-corpus")
TITLES = {
    "000": "Written evidence submitted by NHS Providers (ICS0034)",
    "001": "The future of integrated care in England: health leaders' views on how to make system working a success",
    "002": "NHS Providers Hewitt Review – evidence submission",
    "003": "Written evidence submitted by NHS Confederation (ICS0011)",
    "004": "The first days of statutory integrated care systems",
}


def words(text: str) -> int:
    """A predictable token counter for small tests: one token per word."""
    return len(text.split())


def seed_text(prefix: str) -> str:
    files = sorted(SEED.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed document {prefix} not available")
    return clean(files[0].read_text(encoding="utf-8")).text


def texts(text: str, chunks: list[ChunkSpan]) -> list[str]:
    return [text[c.start : c.end] for c in chunks]


def assert_well_formed(text: str, chunks: list[ChunkSpan], max_tokens: int, count) -> None:
    """Offsets exact and stripped, nothing empty, in order, within the limit, and no content lost."""
    assert chunks
    covered = [False] * len(text)
    previous_start = -1
    for chunk in chunks:
        body = text[chunk.start : chunk.end]
        assert body.strip() and body == body.strip()
        assert chunk.start > previous_start
        previous_start = chunk.start
        assert count(body) + count(chunk.section) <= max_tokens, (chunk.section, body[:80])
        if chunk.start > 0:
            assert not (text[chunk.start - 1].isalnum() and body[0].isalnum()), body[:40]  # never mid-word
        if chunk.end < len(text):
            assert not (text[chunk.end].isalnum() and body[-1].isalnum()), body[-40:]
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not lost, text[lost[0] : lost[0] + 60]


# --- structure --------------------------------------------------------------------------------


def test_markdown_and_bold_headings_give_section_paths() -> None:
    text = (
        "## Written evidence\n\nIntro paragraph here.\n\n**1/ How best can a balance be struck?**\n\n"
        "**What does a permissive framework look like?**\n\n1. Trust leaders support the framework.\n\n"
        "## **2/ Are central targets consistent?**\n\n***Local arrangements***\n\n4. Trust leaders recognise targets."
    )
    chunks = split(text, max_tokens=60, count_tokens=words)
    assert [c.section for c in chunks] == [
        "Written evidence",
        "1/ How best can a balance be struck? > What does a permissive framework look like?",
        "2/ Are central targets consistent? > Local arrangements",
    ]
    assert texts(text, chunks)[1].startswith("**1/ How best")  # a lone heading joins its first child's chunk
    assert_well_formed(text, chunks, 60, words)


def test_a_section_of_short_list_items_is_a_section_of_its_own() -> None:
    """A slide's bullets are short and unpunctuated, as a title page's lines are; they are what their section says, so
    they stay under their own heading, not carried into the next one's."""
    text = (
        "# How the ICB holds providers to account\n\n- Quarterly assurance meetings\n\n- Segmentation\n\n"
        "- Escalation where needed\n\n# Waiting lists\n\nWaiting lists fell at both trusts in 2024/25."
    )
    chunks = split(text, max_tokens=60, count_tokens=words)
    assert [(c.section, text[c.start : c.end].splitlines()[-1]) for c in chunks] == [
        ("How the ICB holds providers to account", "- Escalation where needed"),
        ("Waiting lists", "Waiting lists fell at both trusts in 2024/25."),
    ]
    assert_well_formed(text, chunks, 60, words)


def test_bare_line_headings_nest_like_004() -> None:
    text = (
        "Context\nIt is only fair to open by noting the storm.\n"
        "Developing new forms of accountability\nAccountability within the NHS\nICBs are now statutory organisations.\n"
        "Accountability with local government\nICBs are also accountable to local government.\n"
        "Recasting the relationship with NHS England\nCentral intervention has risen.\n"
        "Conclusion\nICSs need space and oxygen."
    )
    chunks = split(text, max_tokens=60, count_tokens=words)
    assert [c.section for c in chunks] == [
        "Context",
        "Developing new forms of accountability > Accountability within the NHS",
        "Developing new forms of accountability > Accountability with local government",
        "Recasting the relationship with NHS England",
        "Conclusion",
    ]


def test_question_headings_under_group_headings() -> None:
    text = (
        "Question 5: What frameworks could best support partners? (250 word limit) Examples include care.\n\n"
        "- Answer five.\n\nData and transparency\n\nQuestion 8: Do you have any examples of data use? (250 word limit)\n\n"
        "- Answer eight.\n\nQuestion 9: How could collection be streamlined?\n\n- Answer nine."
    )
    sections = [c.section for c in split(text, max_tokens=80, count_tokens=words)]
    assert sections == [
        "Question 5: What frameworks could best support partners?",
        "Data and transparency > Question 8: Do you have any examples of data use?",
        "Data and transparency > Question 9: How could collection be streamlined?",
    ]


def test_lead_in_line_never_ends_a_chunk() -> None:
    filler = " ".join(f"Sentence number {n} is here." for n in range(6))
    text = f"{filler}\nOne ICB chair says:\nQuite simply, under the Act, the board is accountable. It owns the money."
    chunks = split(text, max_tokens=34, overlap_tokens=0, count_tokens=words)
    bodies = texts(text, chunks)
    assert not any(b.endswith(":") for b in bodies)
    assert any("One ICB chair says:\nQuite simply" in b for b in bodies)
    assert_well_formed(text, chunks, 34, words)


def test_sentence_boundaries_respect_abbreviations_and_decimals() -> None:
    text = (
        "Dr. Smith leads work, e.g. on data, i.e. shared records. "
        "Serving 3.51 million people in No. 10 areas matters greatly. "
        "A third sentence closes it."
    )
    bodies = texts(text, split(text, max_tokens=12, overlap_tokens=0, count_tokens=words))
    assert bodies == [
        "Dr. Smith leads work, e.g. on data, i.e. shared records.",
        "Serving 3.51 million people in No. 10 areas matters greatly.",
        "A third sentence closes it.",
    ]


def test_over_long_sentence_splits_at_clauses_then_words() -> None:
    clause = "the board agreed a plan with partners"
    text = "Intro.\n\n" + ", ".join([clause] * 6).capitalize() + "."
    chunks = split(text, max_tokens=16, overlap_tokens=0, count_tokens=words)
    bodies = texts(text, chunks)
    assert all(words(b) <= 16 for b in bodies)
    assert bodies[1].startswith("The board agreed") and bodies[1].endswith(",")
    assert_well_formed(text, chunks, 16, words)
    one_word_run = "word " * 40
    chunks = split(one_word_run.strip(), max_tokens=15, overlap_tokens=0, count_tokens=words)
    assert [words(b) for b in texts(one_word_run, chunks)] == [15, 15, 10]


def test_overlap_is_whole_sentences_from_the_same_section() -> None:
    sentences = [f"Point {n} makes one clear claim." for n in range(12)]
    text = "# Part A\n\n" + " ".join(sentences) + "\n\n# Part B\n\nA new section starts here."
    chunks = split(text, max_tokens=30, overlap_tokens=8, count_tokens=words)
    bodies = texts(text, chunks)
    part_a = [b for b, c in zip(bodies, chunks, strict=True) if c.section == "Part A"]
    assert len(part_a) >= 2
    for previous, current in pairwise(part_a):
        first_sentence = current.split(". ")[0] + "."
        assert previous.endswith(first_sentence)  # starts with the previous chunk's last sentence
    assert bodies[-1] == "# Part B\n\nA new section starts here."  # no overlap across sections
    assert_well_formed(text, chunks, 30, words)


def test_embedding_text_format_and_title_cap() -> None:
    assert embedding_text("Body.", "A > B", "Title", count_tokens=words) == "Title — A > B\nBody."
    assert embedding_text("Body.", "", "", count_tokens=words) == "Body."
    long_title = " ".join(["word"] * 50)
    head = embedding_text("Body.", "", long_title, count_tokens=words).split("\n")[0]
    assert words(head) <= 32 and head.endswith("…")


def test_pages_from_a_generated_pdf(tmp_path: Path) -> None:
    pages = [
        "Alpha page. " + "The first page talks about integrated care boards. " * 6,
        "Beta page. " + "The second page covers place-based partnerships. " * 6,
        "Gamma page. " + "The third page covers provider collaboratives. " * 6,
    ]
    path = tmp_path / "three.pdf"
    path.write_bytes(make_pdf(pages))
    cleaned = clean(load(path, max_bytes=10**6).text)
    chunks = split(cleaned.text, cleaned.pages, max_tokens=40, overlap_tokens=0)
    count = token_counter()
    assert_well_formed(cleaned.text, chunks, 40, count)
    for chunk in chunks:
        body = cleaned.text[chunk.start : chunk.end]
        expected = {1 for w in ("first", "Alpha") if w in body} | {2 for w in ("second", "Beta") if w in body}
        expected |= {3 for w in ("third", "Gamma") if w in body}
        assert chunk.page_start == min(expected) and chunk.page_end == max(expected), body[:60]
    assert {c.page_start for c in chunks} == {1, 2, 3}


def test_no_pages_means_no_page_numbers() -> None:
    chunk = split("One short paragraph.", count_tokens=words)[0]
    assert (chunk.page_start, chunk.page_end) == (None, None)


# --- the seed documents -----------------------------------------------------------------------

ALL = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("prefix", ALL)
def test_seed_chunks_well_formed_and_within_model_limit(prefix: str) -> None:
    text = seed_text(prefix)
    count = token_counter()
    chunks = split(text, max_tokens=200, overlap_tokens=30)
    assert_well_formed(text, chunks, 200, count)
    for chunk in chunks:
        embedded = embedding_text(text[chunk.start : chunk.end], chunk.section, TITLES[prefix])
        assert count(embedded) <= 240
    assert not any(text[c.start : c.end].endswith(":") for c in chunks)


def test_seed_004_lead_ins_stay_with_their_quotes() -> None:
    text = seed_text("004")
    chunks = split(text)
    bodies = texts(text, chunks)
    lead_ins = [m for m in re.finditer(r"^.*(?:says|puts it|puts it this way|be):$", text, re.MULTILINE)]
    assert len(lead_ins) >= 10
    for match in lead_ins:
        quote_start = match.end() + 1
        holders = [c for c in chunks if c.start <= match.start() and match.end() <= c.end]
        assert holders and all(c.end > quote_start for c in holders), match.group(0)
    assert sum(1 for b in bodies if b.endswith(":")) == 0


def test_seed_004_sections() -> None:
    sections = list(dict.fromkeys(c.section for c in split(seed_text("004"))))
    assert "Developing new forms of accountability > Accountability with local government" in sections
    assert "Recasting the relationship with NHS England and its regional teams" in sections
    assert sections[-1] == "Conclusion"


def test_seed_002_question_sections() -> None:
    sections = list(dict.fromkeys(c.section for c in split(seed_text("002"))))
    questions = [s for s in sections if "Question" in s]
    assert len(questions) == 13
    assert "Data and transparency > Question 10: What standards and support should be provided by national bodies" in questions[9]


def test_seed_000_and_001_sections() -> None:
    s000 = list(dict.fromkeys(c.section for c in split(seed_text("000"))))
    assert any(s.startswith("6/ How can it be ensured") and s.endswith("> Local arrangements") for s in s000)
    assert "Footnotes" in s000
    s001 = list(dict.fromkeys(c.section for c in split(seed_text("001"))))
    assert (
        "2. How should systems evolve further to deliver these objectives? > iv) Objective – To optimise the use of "
        "health and care resources > Finance"
    ) in s001
    assert "Key points" in s001 and "Conclusions and next steps" in s001
