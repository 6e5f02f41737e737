"""Golden questions on the real seed-corpus index, one or more per kind. Written from reading the documents
(not from the eval question sets). Every test checks every citation against the stored text."""

from __future__ import annotations

import shutil

import pytest

from assistant.cite import quote_matches
from assistant.types import Answer, Filters
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def _check_citations(answer: Answer, index) -> None:
    """Each citation (and closest-evidence citation) is an exact span of a stored document; markers match citations."""
    for c in answer.citations + answer.closest:
        assert quote_matches(c, index.text(c.source)), (c.source, c.start, c.end)
        assert c.quote.strip() and c.title and c.publisher
    used = {n for s in answer.sentences for n in s.citations}
    assert used == {c.n for c in answer.citations}
    for c in answer.citations:
        assert f"[{c.n}]" in answer.answer
    assert len(answer.passages) >= 10
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)


def _cited_text(answer: Answer) -> str:
    return " ".join(c.quote for c in answer.citations)


def test_single_passage(seed_assistant) -> None:
    answer = seed_assistant.ask("What is the acid test for ICPs according to one ICB chair?")
    _check_citations(answer, seed_assistant.index)
    assert not answer.abstained
    assert "ornamental part of the new arrangements" in _cited_text(answer)
    assert any(c.source.startswith("004_") for c in answer.citations)


def test_single_passage_acronym_spelt_out(seed_assistant) -> None:
    answer = seed_assistant.ask("What should the Care Quality Commission's regulation focus on, according to the NHS Confederation?")
    _check_citations(answer, seed_assistant.index)
    assert "how patient care is experienced across the system" in _cited_text(answer)


def test_cross_document_comparison_cites_two_publishers(seed_assistant) -> None:
    answer = seed_assistant.ask("How do NHS Providers and The King's Fund interviewees view national targets?")
    _check_citations(answer, seed_assistant.index)
    publishers = {c.publisher for c in answer.citations}
    assert {"NHS Providers", "The King's Fund"} <= publishers
    assert "NHS Providers (" in answer.answer and "The King's Fund (Nov 2022):" in answer.answer  # grouped by publisher


def test_numeric_quote_carries_the_figure(seed_assistant) -> None:
    answer = seed_assistant.ask("What range do ICB budgets span?")
    _check_citations(answer, seed_assistant.index)
    assert any("£0.9 to £6.9bn" in c.quote for c in answer.citations)


def test_numeric_percentage(seed_assistant) -> None:
    answer = seed_assistant.ask("By how much did One Northern Devon reduce A&E visits?")
    _check_citations(answer, seed_assistant.index)
    assert any("60 per cent" in c.quote for c in answer.citations)


@pytest.mark.parametrize("question", ["What was Cheshire and Merseyside ICB's 2023/24 allocation?"])
def test_unanswerable_abstains_and_offers_closest_evidence(seed_assistant, question) -> None:
    answer = seed_assistant.ask(question)
    _check_citations(answer, seed_assistant.index)
    assert answer.abstained
    assert answer.answer.startswith("The documents don't say")
    assert answer.citations == [] and answer.closest  # closest evidence offered separately, not dressed up as an answer


def test_an_off_topic_question_is_declined(seed_assistant) -> None:
    """Nothing in the documents is near the question: the weak check's guard (neither question set asks such; with
    both corpora indexed, "Which football club won the league last season?" is answered: a known limit)."""
    answer = seed_assistant.ask("How do I bake sourdough bread at home?")
    assert answer.checks["weak"]
    assert answer.abstained and answer.answer.startswith("The documents don't say"), answer.answer
    assert answer.citations == []


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("How many ICBs has the CQC rated outstanding?", "figure"),
        ("How many trusts responded to NHS Providers' annual regulation survey?", "figure"),  # figures from the survey, but no count of replies
        ("How many ICSs have the same person chairing both the ICB and the ICP?", "figure"),  # joint chairs discussed, never counted
        ("In what year did Monitor bring in its oversight model for foundation trusts?", "date"),  # "may be proposed" is no date
    ],
)
def test_a_figure_no_passage_clearly_gives_is_said_so_before_the_closest_passages(seed_assistant, question, wanted) -> None:
    """no_figure qualifies the answer instead of declining it (declining.CAVEATS): on a fresh held-out set it
    declined 23 answerable questions to catch 4 decoys (eval/README.md, round eighteen). The answer says first, citing
    nothing, that no passage clearly gives the figure; then it quotes the closest passages, each cited exactly."""
    answer = seed_assistant.ask(question)
    _check_citations(answer, seed_assistant.index)
    assert not answer.abstained and answer.checks["no_figure"]
    assert answer.answer.startswith(f"No passage was found that clearly gives that {wanted}; the closest passages say:\n")
    assert answer.sentences[0].citations == [] and answer.citations


@pytest.mark.parametrize(
    "question",
    [
        "Who chairs Somerset ICB?",  # a name is asked for; Somerset is discussed, its chair never named
        "What did the Public Accounts Committee conclude about ICS accountability?",  # evidence went to it; it says nothing
        "What does The King's Fund say about NHS England's Core20PLUS5 approach to health inequalities?",  # only NHS Providers does
        "What does The King's Fund say about NICE?",  # only another publisher mentions NICE
        "Is NHS Providers positive about the Northern Ambulance Collaborative?",  # only the NHS Confederation names it
    ],
)
@pytest.mark.xfail(strict=True, reason="known misses: the checks that declined these were deleted (eval/README.md, 'Declining')")
def test_decoys_only_the_deleted_checks_declined(seed_assistant, question) -> None:
    """Known misses. `no_name` (a name asked for, none given), `unheard` (a body's words asked for, none reported) and
    `unattributed` (the asked publisher's passages never mention the topic) declined these, and were deleted because
    they did not pay on the corpus they were not written for: on the dev corpus, whose publishers are inferred, they
    declined more answerable questions than decoys. Meanwhile the answer quotes the nearest passages, each cited
    exactly, under each publisher's name. Strict: a check that declines one again fails this test, to move it back
    among the decoys that must abstain."""
    answer = seed_assistant.ask(question)
    _check_citations(answer, seed_assistant.index)
    assert answer.abstained


def test_a_count_asked_of_one_publisher_is_declined_when_only_another_gives_it(seed_assistant) -> None:
    """The King's Fund spoke to 25 ICB and ICP chairs and chief executives; the NHS Confederation interviewed none."""
    answer = seed_assistant.ask("How many ICB chairs did the NHS Confederation interview?")
    _check_citations(answer, seed_assistant.index)
    assert answer.abstained and answer.checks["other_source"]
    assert "not NHS Confederation’s" in answer.answer


def test_the_same_kinds_of_question_answered_when_the_documents_say(seed_assistant) -> None:
    providers = seed_assistant.ask("What does NHS Providers say about Core20PLUS5?")
    assert not providers.abstained and "Core20PLUS5" in _cited_text(providers)
    count = seed_assistant.ask("How many ICB and ICP leaders did The King's Fund speak to for its analysis?")  # "spoke to 25"
    assert not count.abstained and "25 chairs and chief executives" in _cited_text(count)
    covid = seed_assistant.ask("What lesson about regulation did NHS Confederation members draw from the COVID-19 pandemic?")
    assert not covid.abstained and "pandemic" in _cited_text(covid)


def test_answers_that_earlier_checks_wrongly_declined(seed_assistant) -> None:
    core20 = seed_assistant.ask("What share of people in Birmingham and Solihull ICS fall under the Core20 definition?")
    assert not core20.abstained and "nearly 50%" in _cited_text(core20)  # the text writes "Core 20"
    wait = seed_assistant.ask("How long do new patients wait to see a specialist in Lincolnshire's Connected Health Network?")
    assert not wait.abstained and "under 2 weeks" in _cited_text(wait)  # "Lincolnshire" is two sentences earlier
    ham = seed_assistant.ask("What did Chris Ham's paper for the NHS Confederation argue?")
    assert not ham.abstained and "Chris Ham" in _cited_text(ham)  # The King's Fund reports it


def test_declining_says_why(seed_assistant) -> None:
    answer = seed_assistant.ask("What did the Wessex Dental Commission recommend about ICB accountability?")
    assert answer.abstained and "Nothing in them covers “Wessex Dental Commission”." in answer.answer
    assert answer.checks["uncovered"] == ["Wessex Dental Commission"]


def test_how_much_something_matters_is_answered(seed_assistant) -> None:
    answer = seed_assistant.ask("How much do behaviours and culture matter compared with the formal rules? NHS Providers vs NHS Confed.")
    _check_citations(answer, seed_assistant.index)
    assert not answer.abstained
    assert {"NHS Providers", "NHS Confederation"} <= {c.publisher for c in answer.citations}


# Asked of both models: the shipped tuned one, and the packaged one a user may choose (the scorer is fitted on tuned
# cosines; with round seven's, the packaged model ranked the attribution line 7th, eval/README.md, round eight).
@pytest.mark.parametrize("which", ["seed_assistant_tuned", "seed_assistant"])
def test_follow_up_finds_what_sits_next_to_the_previous_answer(which: str, request: pytest.FixtureRequest) -> None:
    bot = request.getfixturevalue(which)
    first = "The NHS Confed 2020 report quotes someone saying workforce transformation has to include volunteers, personal assistants and carers - what was the point?"
    answer = bot.ask("Who said that?", history=[first])
    _check_citations(answer, bot.index)
    assert not answer.abstained
    assert "Alison Lathwell" in _cited_text(answer)  # the attribution line under the quote


def test_a_pointer_with_nothing_before_it_is_not_guessed_at(seed_assistant) -> None:
    answer = seed_assistant.ask("Who said that?")
    _check_citations(answer, seed_assistant.index)
    assert answer.abstained and not answer.citations
    assert "no earlier question" in answer.answer


def test_unanswerable_wording(seed_assistant) -> None:
    answer = seed_assistant.ask("What was Cheshire and Merseyside ICB's 2023/24 allocation?")
    assert answer.answer.startswith("The documents don't say what Cheshire and Merseyside ICB's 2023/24 allocation was.")


def test_follow_up_retrieves_for_the_resolved_question(seed_assistant) -> None:
    first = seed_assistant.ask("What did NHS Providers' regulation survey find about the CQC?")
    _check_citations(first, seed_assistant.index)
    assert "14" in _cited_text(first)
    second = seed_assistant.ask("What about the oversight framework?", history=[first.question])
    _check_citations(second, seed_assistant.index)
    assert second.resolved_question and "oversight framework" in second.resolved_question
    assert "oversight framework" in _cited_text(second).lower()


def test_follow_up_do_they_agree(seed_assistant) -> None:
    answer = seed_assistant.ask("Does the NHS Confederation agree?", history=[{"role": "user", "content": "What do NHS Providers say about subsidiarity?"}])
    _check_citations(answer, seed_assistant.index)
    assert "subsidiarity" in (answer.resolved_question or "")
    assert {"NHS Providers", "NHS Confederation"} <= {c.publisher for c in answer.citations}


def test_publisher_filter(seed_assistant) -> None:
    answer = seed_assistant.ask("What do system leaders say about national targets?", filters=Filters(publishers=("King's Fund",)))
    _check_citations(answer, seed_assistant.index)
    assert {p.doc.publisher for p in answer.passages} == {"The King's Fund"}
    assert {c.publisher for c in answer.citations} == {"The King's Fund"}


def test_date_filter(seed_assistant) -> None:
    answer = seed_assistant.ask("What do members think about ICSs becoming statutory?", filters=Filters(until="2021"))
    _check_citations(answer, seed_assistant.index)
    assert {p.doc.source for p in answer.passages} == {"001_3e05d02a99c80a5a.txt"}


def test_concurrent_asks_are_safe(seed_assistant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    questions = ["What is the role of an ICP?", "Who is an ICB accountable to?", "How many ICSs are there?"] * 2
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(seed_assistant.ask, questions))
    for question, answer in zip(questions, answers, strict=True):
        _check_citations(answer, seed_assistant.index)
        assert answer.answer == seed_assistant.ask(question).answer  # same answer whichever thread asked


def test_a_follow_up_in_a_conversation_reuses_what_the_previous_answer_cited(seed_index, embedder, tmp_path, monkeypatch) -> None:
    """A follow-up leans on the spans the previous answer cited (_anchors). Asked right after that answer, it takes
    them as kept, and answers as it does when they are worked out again; after an ingest they are worked out again."""
    from assistant.engine import Assistant
    from assistant.index import Index
    from ingest.pipeline import Ingestor

    data = tmp_path / "data"
    shutil.copytree(seed_index.data_dir, data)
    settings = make_settings(data)
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    first = "How will ICBs be held to account for their performance?"
    follow = "Why does that matter?"
    drafts: list[str] = []
    real_draft = bot._draft
    monkeypatch.setattr(bot, "_draft", lambda *a, **kw: drafts.append(a[0].text) or real_draft(*a, **kw))
    assert bot.ask(first).citations and drafts == [first]
    kept = bot.ask(follow, history=[first])
    assert drafts.count(first) == 1  # the follow-up's own draft only: the answer it follows was not drafted again
    fresh = Assistant(settings, index=Index(settings, embedder=embedder)).ask(follow, history=[first])
    assert kept.answer == fresh.answer
    assert [(c.source, c.start, c.end) for c in kept.citations] == [(c.source, c.start, c.end) for c in fresh.citations]
    more = tmp_path / "more"
    more.mkdir()
    (more / "note.md").write_text("# Oversight\n\nICBs are held to account by NHS England through the oversight framework.\n", encoding="utf-8")
    assert Ingestor(settings, embedder=embedder, progress=False).run([more]).ok
    bot.refresh()
    bot.ask(follow, history=[first])
    assert drafts.count(first) == 2  # another set of documents: the previous answer is drafted again
