"""A question typed in lower case, written with the capitals the documents give its words: which words take capitals,
which never do, and the whole system answering a lower-case question as it answers the question written with
capitals (the real seed index and its FTS5 phrase search)."""

from __future__ import annotations

import re

import pytest

from assistant.casing import Recaser, typed_in_lower_case

DOCUMENTS = [
    "Skills England published its assessment. We asked Skills England about skills, as did Skills England. The skills "
    "gap grew and skills matter.",
    "The King's Fund interviewed leaders. A report by The King’s Fund said so. The fund grew.",
    "LCH runs community services. In Leeds, LCH employs staff. Staff at LCH said the Trust board met; the trust grew. "
    "The trust's staff stayed. The trust agreed.",
    "# Workforce Plan\nWorkforce grew. The workforce plan was agreed. Workforce rose; the workforce shrank.",
    "The WHO said so. People who work in Leeds said so. Leeds is a city, and Leeds grew.",
    "A review by Hewitt said so. Martha's Rule came in; the rules changed and the board ruled on it.",
    "Percentage of NHS staff\nPercentage of NHS spend\nA 24hr line. The HR team met.",
]
OVERLAPPING = "MeSH terms were used."  # one place, held by two overlapping passages


def passages(phrase: str, limit: int) -> list[tuple[str, int, str]]:
    """(document, offset, text) of the passages holding the phrase's words in order, as the lexical index's phrase
    search finds them (any form of a word: "rules" for "rule")."""
    pattern = re.compile(r"\W+".join(map(re.escape, re.split(r"['’\s]+", phrase))), re.IGNORECASE)
    found = [(f"doc{i}", 0, text) for i, text in enumerate(DOCUMENTS) if pattern.search(text)]
    found += [("mesh", 0, OVERLAPPING), ("mesh", 0, OVERLAPPING)] if pattern.search(OVERLAPPING) else []
    return found[:limit]


@pytest.fixture(scope="module")
def recaser() -> Recaser:
    return Recaser(passages)


@pytest.mark.parametrize(
    ("typed", "cased"),
    [
        ("what did lch say about leeds?", "what did LCH say about Leeds?"),  # initials and a place
        ("What did lch say?", "What did LCH say?"),  # a capital opening the question, as a phone writes it
        ("Lch staff?", "LCH staff?"),  # ... and on its first word, which has capitals inside
        ("what does skills england expect?", "what does Skills England expect?"),  # a name's common word takes its capital
        ("what did the king's fund find?", "what did the King's Fund find?"),  # a possessive inside a name
        ("what did the king’s fund find?", "what did the King’s Fund find?"),  # ... typed with a curly apostrophe
        ("what is skills england's plan?", "what is Skills England's plan?"),  # a name's possessive
        ("what did lch say? I need it for leeds.", "what did LCH say? I need it for Leeds."),  # "I" and a sentence's capital
        ("what percentage of nhs staff left?", "what percentage of NHS staff left?"),  # "Percentage of NHS" opens lines only
        ("  what did lch say?", "  what did LCH say?"),  # space before the question
    ],
)
def test_a_lower_case_question_takes_the_documents_capitals(recaser: Recaser, typed: str, cased: str) -> None:
    assert recaser.recase(typed) == cased


@pytest.mark.parametrize(
    "typed",
    [
        "what do skills cost?",  # the documents write "skills" in lower case outside the name
        "who said so?",  # a stopword, though the documents write "WHO"
        "how did the workforce grow?",  # capitalised only opening a sentence or in a heading
        "what did the trust board say?",  # "the Trust" once against "the trust" three times: no clear capital
        "what did hewitt say?",  # a capital seen once is not enough
        "what did the fund do?",  # "Fund" inside the name only; alone, the documents write "fund"
        "What did lch say about Leeds?",  # a capital inside: the question is taken as written
        "is there a 24hr service?",  # letters joined to a figure are no word ("HR" elsewhere)
        "is the lch111 line open?",  # ... before a figure too ("LCH" elsewhere)
        "did the government rule it out?",  # "Martha's Rule" twice, but "rules" and "ruled" in lower case
        "how do the terms mesh?",  # "MeSH" in one place, which two overlapping passages hold
    ],
)
def test_what_is_not_clearly_capitalised_stays(recaser: Recaser, typed: str) -> None:
    assert recaser.recase(typed) == typed


def test_a_question_is_recased_only_when_typed_in_lower_case() -> None:
    assert typed_in_lower_case("what did lch say?") and typed_in_lower_case("What did lch say?")
    assert typed_in_lower_case("what did lch say? I'm asking. And leeds?") and not typed_in_lower_case("what did Lch say?")
    assert not typed_in_lower_case("What did LCH say?") and not typed_in_lower_case("what did Leeds say?")
    assert not typed_in_lower_case("2024/25?") and not typed_in_lower_case("")


WRITTEN = [  # seed dev questions whose lower-case form, searched as typed, was answered from other passages
    "NHS Providers cites DHSC guidance saying ICPs will build on upstream prevention work. When was that DHSC ICP "
    "engagement document published?",
    "I need a one-line definition of an ICS for a ministerial brief. How does The King's Fund describe them?",
]


@pytest.mark.parametrize("written", WRITTEN)
def test_a_lower_case_question_is_answered_as_the_question_written_with_capitals(seed_assistant, written: str) -> None:
    """The whole system, the real seed index: typed in lower case, a question naming bodies by name and initials is
    searched with their capitals (the glossary's names, and the documents' own capitals found by the index's FTS5
    phrase search) and cites what the question written with them cites; searched as typed, it cited other passages.
    The answer keeps the question as typed."""
    from dataclasses import replace

    from assistant.engine import Assistant

    typed = written.lower()
    expected = seed_assistant.ask(written)
    answer = seed_assistant.ask(typed)
    as_typed = Assistant(replace(seed_assistant.settings, restore_case=False), index=seed_assistant.index).ask(typed)
    cited = [(c.doc_id, c.start, c.end) for c in expected.citations]
    assert not expected.abstained and not answer.abstained
    assert answer.question == typed and answer.resolved_question is not None
    assert [(c.doc_id, c.start, c.end) for c in answer.citations] == cited
    assert [(c.doc_id, c.start, c.end) for c in as_typed.citations] != cited


def test_earlier_questions_are_recased_too(seed_assistant) -> None:
    question, history = seed_assistant.mended("and what does the nhs confederation say?", ["what does nhs providers say?"])
    assert question == "and what does the NHS Confederation say?" and history == ["what does NHS Providers say?"]


def test_recasing_can_be_switched_off(seed_assistant) -> None:
    """ASSISTANT_RESTORE_CASE=off: a lower-case question is searched as typed."""
    from dataclasses import replace

    from assistant.engine import Assistant

    exact = Assistant(replace(seed_assistant.settings, restore_case=False), index=seed_assistant.index)
    typed = "what does nhs providers say about the accountability of integrated care boards?"
    assert exact.mended(typed, None) == (typed, None)
    assert exact.ask(typed).resolved_question is None


def test_the_phrase_sample_spans_the_index_and_fills_its_limit() -> None:
    """A real SQLite FTS5 index: the sample is taken from stretches across the index (the first documents ingested do
    not make all of it), rows deleted leave no hole in it, and a stretch with few matches leaves room for others."""
    import sqlite3

    from assistant import lexical

    conn = sqlite3.connect(":memory:")
    conn.execute('CREATE TABLE chunks (id TEXT PRIMARY KEY, doc_id TEXT, idx INTEGER, start INTEGER, "end" INTEGER, '
                 "section TEXT, page_start INTEGER, page_end INTEGER, text TEXT)")  # fmt: skip
    lexical.create(conn)
    for i in range(1000):
        text = "The Trust board met." if i < 500 else "the trust grew."
        conn.execute("INSERT INTO chunks VALUES (?, ?, 0, ?, ?, '', NULL, NULL, ?)", (f"c{i}", f"doc{i // 100}", i, i + 20, text))
    found = lexical.phrase_texts(conn, "trust", 50)
    assert len(found) == 50 and {doc for doc, _, _ in found} == {f"doc{i}" for i in range(10)}
    assert sum(text.startswith("the trust") for _, _, text in found) == 25  # half the index writes it in lower case
    conn.execute("DELETE FROM chunks WHERE rowid BETWEEN 3 AND 950")
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
    assert len(lexical.phrase_texts(conn, "trust", 50)) == 50  # 52 rows left, most in one stretch: the limit is filled
    assert lexical.phrase_texts(conn, "absent words", 50) == [] and lexical.phrase_texts(conn, "", 50) == []
