"""A question's typing slips mended against the documents' words: which words are mended, which never are, and the
whole system answering a slipped question as it answers the question typed right (the real seed index)."""

from __future__ import annotations

import pytest

from assistant.spelling import Speller

DOCUMENTS = [
    "We issued a warning. Skills England published its assessment. Skills England expects demand for care workers to rise. The government spoke. The government "
    "and the government's partners devolved more decisions. Decisions were devolved to integrated care boards.",
    "The King's Fund interviewed leaders. Accountability for performance sits with the board; accountability matters. "
    "Legislation was passed. The legislation set up ICBs and ICPs. The Hewitt Review reported. The review reported.",
    "Waiting lists fell. Waiting times fell. The trust's waiting lists fell again. Staff were recruited and staff stayed. More were recruited.",
    "Funding was cut. Funding rose. The fund grew. The fund shrank.",
    "David said so. David said it again. Prescribing rose. Prescribing fell. The government acted.",
    "LTHT runs hospitals. LTHT employs staff. Homefirst helps people home. Homefirst is a service.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.from_texts(DOCUMENTS)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("What does Skills Enfland expect?", "What does Skills England expect?"),  # a wrong key, a name's case kept
        ("Who holds accountabilty for performance?", "Who holds accountability for performance?"),  # a dropped letter
        ("What did the Hewitt Reivew say?", "What did the Hewitt Review say?"),  # a swapped pair is one edit
        ("How did fundng change?", "How did funding change?"),
        ("Were staff recuited?", "Were staff recruited?"),
        ("What did LTHT tell the goverment?", "What did LTHT tell the government?"),  # English text has it; codespell lists it
        ("What did the goverment's partners tell LTHT?", "What did the government's partners tell LTHT?"),
    ],
)
def test_a_slip_is_mended_to_the_documents_word(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "What do ICBs and ICPs do?",  # acronyms are their own words
        "What did the LTTH board say?",  # ... even one a letter from the documents' "LTHT"
        "Are decisions devolving to boards?",  # another form of a word the documents use ("devolved")
        "What does The King's Fund's report say?",  # a possessive
        "Is legislating the answer?",  # another form, not "legislation"
        "Was there wariness about reform?",  # a rarer English word two edits from "awareness"
        "What did Sajid Javid say?",  # names English knows, one edit from "Said" and "David" (the first letter differs)
        "Did they recieve funding?",  # a misspelling codespell lists, but the documents never write "receive"
        "What did Dr Waring say about the Goverment?",  # capitalised: a name's spelling codespell lists ("warning")
        "what did the goverment decide?",  # typed in lower case: names cannot be told from slips
        "What did the goverment decide?",  # ... nor with a phone's capital on the first letter alone
        "Is deprescribing funded?",  # no English word, but another word, not a slip of "prescribing"
        "Who runs HomeFrist in Leeds?",  # a name written with a capital inside, a letter from "Homefirst"
    ],
)
def test_what_is_no_slip_stays(speller: Speller, typed: str) -> None:
    assert speller.correct(typed) == typed


def test_no_single_nearest_word_means_no_mend() -> None:
    """Two document words equally near and about as often used: the slip is not guessed at."""
    speller = Speller.from_texts(["The cart was full. The card was full. " * 3])
    assert speller.mend("carx") is None
    assert Speller.from_texts(["The cart was full. " * 9 + "The card was full."]).mend("carx") == "cart"


def test_a_slipped_question_is_answered_as_the_question_typed_right(seed_assistant) -> None:
    """The whole system, the real seed index: one slip in a word the documents use turned a question the documents
    answer into one declined (the word matched nothing and read as a sign that they cannot answer). Mended, the
    answer cites what the question typed right cites; the answer shows the question as typed and what was searched."""
    right = "What does NHS Providers say about the accountability of integrated care boards?"
    typed = "What does NHS Providers say about the accountabilty of integrated care boards?"
    expected = seed_assistant.ask(right)
    answer = seed_assistant.ask(typed)
    assert not expected.abstained and not answer.abstained
    assert answer.question == typed and answer.resolved_question == right
    assert [(c.doc_id, c.start, c.end) for c in answer.citations] == [(c.doc_id, c.start, c.end) for c in expected.citations]
    history = [{"role": "user", "content": "What does NHS Providers say about the accountabilty of integrated care boards?"},
               {"role": "assistant", "content": "accountabilty"}]  # fmt: skip
    question, mended = seed_assistant.mended("And what does the NHS Confederaton say?", history)
    assert question == "And what does the NHS Confederation say?"
    assert mended == [{"role": "user", "content": right}, {"role": "assistant", "content": "accountabilty"}]


def test_mending_can_be_switched_off(seed_assistant) -> None:
    """ASSISTANT_MEND_SLIPS=off: the question is searched exactly as typed."""
    from dataclasses import replace

    from assistant.engine import Assistant

    exact = Assistant(replace(seed_assistant.settings, mend_slips=False), index=seed_assistant.index)
    typed = "What does NHS Providers say about the accountabilty of integrated care boards?"
    assert exact.mended(typed, None) == (typed, None)
    assert exact.ask(typed).resolved_question is None
