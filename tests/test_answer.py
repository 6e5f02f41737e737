"""Answer composition: question profiles, specific terms, abstention wording, follow-up rewriting,
extractive answers supported by construction, and the LLM seam (with a stand-in generator)."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import replace

import pytest

import assistant
from assistant import composing, declining, scoring, spoken
from assistant import question as asking
from assistant.cite import quote_matches, verify
from assistant.errors import ConfigError
from assistant.glossary import abbreviates, get_glossary
from assistant.retrieve import Query
from assistant.rewrite import _POINTS_BACK, history_questions, is_follow_up, points_back_only, resolve
from assistant.types import Chunk, DocumentInfo, Passage

SPEAKERS = ["NHS Providers", "NHS Confederation", "The King's Fund"]


def _question(question: str, publishers: list[str] | None = None) -> asking.Question:
    query = Query(question, question, [], publishers=publishers or [])
    return asking.read_question(question, question, query, get_glossary(), {})


# question profiles ------------------------------------------------------------------
def test_numeric_and_comparison_questions_are_recognised() -> None:
    assert _question("How many CCGs did ICSs replace?").numeric == "count"
    assert _question("When did ICSs become statutory?").numeric == "time"
    assert _question("What conditions apply when targets are set?").numeric == ""  # "when" as a conjunction
    assert _question("When a trust is struggling, should support be imposed on it?").numeric == ""  # a condition
    assert _question("When will the review report?").numeric == "time"
    assert _question("Do NHS Providers and the NHS Confederation agree on targets?").comparison
    assert _question("What is said across the documents about targets?").comparison
    assert not _question("What is the role of ICPs?").comparison


def test_yes_no_questions_ask_for_no_figure() -> None:
    assert _question("Did they change how much the centre intervened?").numeric not in ("count", "time")  # no figure required
    assert _question("How much did electronic prescribing save?").numeric == "count"


def test_coded_names_are_names_not_figures() -> None:
    assert _question("What lesson did members draw from the COVID-19 pandemic?").specific == ["COVID-19"]
    assert _question("What does NHS Providers say about Core20PLUS5?").specific == ["Core20PLUS5"]


def test_specific_terms_are_places_years_and_names_not_domain_words() -> None:
    terms = _question("What was NHS Cheshire and Merseyside ICB's revenue allocation for 2023/24?").specific
    assert "2023/24" in terms and "Cheshire and Merseyside" in terms
    assert _question("What do ICBs and the CQC say about NHS England oversight?").specific == []
    assert _question("What did The King's Fund find?", ["The King's Fund"]).specific == []


def test_count_target() -> None:
    assert asking.count_target("How many staff work in NHS England's regional teams?") == ["staff"]
    assert asking.count_target("How much funding did NHSE give?") == ["fund"]
    # a copula before the counted noun: the leaders counted are ICP chairs, not "were"
    assert asking.count_target("Of the 25 leaders interviewed, how many were ICP chairs from local government?") == ["icp", "chair"]
    assert asking.count_target("And how many of them were there?") == []
    # a part of a whole: "how many of X are Y" counts Y
    assert asking.count_target("How many of the 25 leaders interviewed were ICP chairs?") == ["icp", "chair"]
    assert asking.count_target("How many people are employed by trusts?") == ["people"]  # no part: the passive keeps its subject


def test_a_question_naming_a_figure_by_its_noun_asks_for_a_figure() -> None:
    """"What infant mortality rate ...?" asks for a figure as "how many" does, and counts what its noun phrase names
    (an owner left out); a preposition or verb before the noun makes it no figure's name."""
    rate = "What infant mortality rate does the strategy aim to reach by 2030?"
    assert asking.numeric_kind(rate) == "count" and asking.count_target(rate) == ["infant", "mortality", "rate"]
    budget = "What was Surrey Heartlands ICB's total budget for 2022/23?"
    assert asking.numeric_kind(budget) == "count" and asking.count_target(budget) == ["total", "budget"]
    assert asking.count_target("What waste reduction savings target has the trust set?") == ["reduction", "saving", "target"]
    assert asking.count_target("What's the vacancy rate?") == asking.count_target("What are the vacancy rates?") == ["vacancy", "rate"]
    assert asking.count_target("What was their deficit in 2023/24?") == ["deficit"]  # a possessive after the copula
    assert asking.count_target("What was the vacancy rate last year?") == ["vacancy", "rate"]
    assert asking.count_target("What was Leeds Teaching Hospitals' deficit and how was it met?") == ["deficit"]  # an owner in s'
    # not a figure's name: a preposition, determiner or verb before the noun, or a noun that is not the phrase's head
    for question in (
        "What hard evidence of savings do they cite?",
        "What caused the deficit?",
        "Which trusts reported a deficit?",
        "What drove the growth in agency spending?",
        "What growth plans does the ICB have?",
        "What target year did the trust set for net zero?",
        "Which target did they miss?",
        "What is the role of the board?",
        "What drove growth in agency spending?",  # a verb before the noun, and no auxiliary after it
        "What services lost funding?",
        "What trusts reported deficits?",
        "What gap did the review identify?",  # a gap needs a word before it
        "What is the gap between policy and practice?",
        "What was the funding for?",  # what it was for
    ):
        assert asking.numeric_kind(question) == "", question
    # a share asked for is the answer's kind, not what is counted
    assert asking.count_target("What percentage growth in spending was there?") == []


def test_a_follow_up_wants_the_figure_it_asks_for_itself() -> None:
    asks_itself = "What did the regulator do about them (regarding: How many data breaches did LCH report in 2024/25)?"
    assert asking.numeric_kind(asking.figure_asked(asks_itself)) == ""
    elliptical = "What about 2023 (regarding: How many data breaches did LCH report in 2024/25)?"
    assert asking.numeric_kind(asking.figure_asked(elliptical)) == "count"  # asks nothing itself: the earlier figure
    share = _question("What share of hospital costs do they account for?")
    assert share.proportion and share.counted == []  # a share of costs is a proportion, not a sum of money


def test_a_money_question_asking_for_a_change_is_answered_by_a_share_too() -> None:
    """ "How much must ICBs cut their running costs?" is answered by "by 50%": before, only a £ amount counted, and
    the answer quoting the 50% opened "No passage was found that clearly gives that figure". Any other figure still
    answers no money question, and money spent "to reduce" something asks for an amount."""
    cut = "ICBs must cut their running costs by 50% by the third quarter of 2025/26."
    beds = "Bed capacity rose by 5,000 beds in 2024."
    stems = frozenset(["icb", "run", "cost", "bed", "capac"])
    for change in ("How much must ICBs cut their running costs?", "By how much should ICB running costs be reduced?",
                   "How much funding was cut from the public health grant?"):  # fmt: skip
        counted = _question(change).counted
        assert asking.wants_money(counted) and asking.SHARE_TOO in counted, change
        assert declining._counts_target(stems, cut, counted) and not declining._counts_target(stems, beds, counted), change
    for amount in ("How much did the programme cost?", "How much money did electronic prescribing save?",
                   "How much funding was allocated to reduce waiting lists?", "How much will the NHS spend to increase bed capacity?"):  # fmt: skip
        counted = _question(amount).counted
        assert asking.wants_money(counted) and asking.SHARE_TOO not in counted, amount
        assert not declining._counts_target(stems, cut, counted) and not declining._counts_target(stems, beds, counted)
        assert declining._counts_target(stems, "The programme cost £4.2m.", counted)


def test_abstention_message_is_plain() -> None:
    msg = declining.abstention_message("What was Cheshire and Merseyside ICB's 2023/24 allocation?", ["2023/24"])
    assert msg.startswith("The documents don't say what Cheshire and Merseyside ICB's 2023/24 allocation was.")


def test_date_labels() -> None:
    assert composing.date_label("2023-01-09") == "Jan 2023"
    assert composing.date_label("2022-10") == "Oct 2022"
    assert composing.date_label("2020") == "2020"
    assert composing.date_label("") == ""


# follow-ups ---------------------------------------------------------------------------
def test_history_accepts_strings_and_chat_messages() -> None:
    history = ["first?", {"question": "second?"}, {"role": "user", "content": "third?"}, {"role": "assistant", "content": "an answer"}]
    assert history_questions(history) == ["first?", "second?", "third?"]


def test_follow_ups_are_detected() -> None:
    g = get_glossary()
    for q in ("What about the CQC?", "Do they agree?", "And how much did it save?", "Does the NHS Confederation agree?"):
        assert is_follow_up(q, g), q
    assert not is_follow_up("What are the main risks for integrated care systems?", g)
    # "that" as a pronoun mid-question, and elliptical questions with no subject of their own
    for q in ("Why does that matter so much for mental health services?", "Will that actually hold where trusts don't cooperate?",
              "Are commissioners worried about losing that in the shift to systems?", "Is there an example at whole-system level?",
              "Any example of the cross-boundary kind?", "Is there a particular worry about what happens if one organisation fails?"):
        assert is_follow_up(q, g), q
    for q in ("What do trust leaders say that national targets achieved?", "What are the targets that matter most to trusts?",
              "Why do trust leaders think national targets matter?"):
        assert not is_follow_up(q, g), q  # "that" joining a clause, or a question standing alone
    # pointing back even when a body is named
    for q in ("Does The King's Fund say anything similar?", "Did NHS Confederation members report the same thing back in 2020?",
              "What's next for the Lincolnshire one?"):
        assert is_follow_up(q, g), q
    assert not _POINTS_BACK.search("Which one of the trusts was rated outstanding?")  # "one of" points at no earlier one
    assert is_follow_up("Do ICB chief execs actually see it that way?", g)
    # ending on a pronoun object points back, whatever body the question names
    for q in ("Could ICBs help with that?", "What does the CQC think of it?", "Did NHS Providers say anything about this?"):
        assert is_follow_up(q, g), q
    assert not is_follow_up("Could ICBs help with that work on data?", g)
    # initials name a body of their own, and "IT" is information technology, not the pronoun
    assert not is_follow_up("What rating did LCH get on its counter fraud return for 2024/25?", g)
    assert not is_follow_up("Which trust is cited as sharing IT support services with partner organisations?", g)
    assert is_follow_up("How did it change the year after?", g)


def test_naming_the_same_publisher_again_keeps_the_new_question() -> None:
    previous = "What did the NHS Confederation's 2020 member survey show about support for making ICSs statutory bodies?"
    resolved = resolve("So what did the Confed end up recommending?", [previous], get_glossary(), SPEAKERS)
    assert resolved.startswith("What did the Confed end up recommending (regarding: ")


def test_follow_up_swaps_who_is_asked() -> None:
    resolved = resolve("And what do NHS Providers say?", ["What did The King's Fund find about NHS England's regional teams?"], get_glossary(), SPEAKERS)
    assert "NHS Providers" in resolved and "King's Fund" not in resolved and "regional teams" in resolved


def test_a_follow_up_naming_its_own_speaker_keeps_only_the_earlier_topic() -> None:
    g = get_glossary()
    history = ["What does the NHS Confederation say integrated care partnerships are for?"]
    resolved = resolve("What about the King's Fund - what did ICP chairs tell them about their clout?", history, g, SPEAKERS)
    assert resolved.endswith("(regarding: What does The King's Fund say integrated care partnerships are for)?")
    assert "Confederation" not in resolved  # the earlier speaker would otherwise be searched and quoted too
    # the same speaker again: the earlier question is kept as it was
    same = resolve("So what did the Confed end up recommending on ICPs?", history, g, SPEAKERS)
    assert same.endswith("(regarding: What does the NHS Confederation say integrated care partnerships are for)?")


def test_follow_up_swaps_the_topic() -> None:
    resolved = resolve("What about the oversight framework?", ["What did NHS Providers' survey find about the CQC?"], get_glossary(), SPEAKERS)
    assert resolved == "What did NHS Providers' survey find about the oversight framework?"


def test_do_they_agree_becomes_a_comparison() -> None:
    g = get_glossary()
    assert resolve("Does the NHS Confederation agree?", ["What do NHS Providers say about subsidiarity?"], g, SPEAKERS) == (
        "Do NHS Providers and NHS Confederation agree on subsidiarity?"
    )
    assert "subsidiarity" in resolve("Do they agree?", ["What do NHS Providers say about subsidiarity?"], g, SPEAKERS)


def test_agreement_compares_the_speakers_not_the_bodies_they_talk_about() -> None:
    history = ["What does the NHS Confederation say about the number of national priorities in NHS England's planning guidance?"]
    assert resolve("Does The King's Fund say anything similar?", history, get_glossary(), SPEAKERS) == (
        "Do NHS Confederation and The King's Fund agree on the number of national priorities in NHS England's planning guidance?"
    )


def test_the_earlier_question_of_a_resolved_follow_up_starts_a_sentence() -> None:
    # "Besides" opens the earlier question the rewrite appends: capitalised by its place, it names nothing
    resolved = "Should that be led regionally or nationally (regarding: Besides national targets, what helps improve performance)?"
    assert asking.specific_terms(resolved, get_glossary(), SPEAKERS) == []
    assert asking.specific_terms("Is it led nationally (regarding: what do Surrey Heartlands do)?", get_glossary()) == ["Surrey Heartlands"]


def test_similar_view_follow_up_becomes_a_comparison() -> None:
    q = resolve("Does the NHS Confederation take a similar view?", ["What does The King's Fund say about national targets?"], get_glossary(), SPEAKERS)
    assert "The King's Fund" in q and "NHS Confederation" in q and "national targets" in q


def test_what_about_a_place_swaps_the_place() -> None:
    q = resolve(
        "What about the Black Country?",
        ["What has Lincolnshire ICS done to change how cardiology patients are seen, according to the NHS Confederation?"],
        get_glossary(),
        SPEAKERS,
    )
    assert q == "What has the Black Country done to change how cardiology patients are seen, according to the NHS Confederation?"


def test_chains_of_follow_ups_keep_the_topic() -> None:
    history = ["What did NHS Providers' survey find about the CQC?", "What about the oversight framework?"]
    assert "oversight framework" in resolve("Does the NHS Confederation agree?", history, get_glossary(), SPEAKERS)


def test_standalone_question_is_left_alone() -> None:
    assert resolve("Who chairs ICPs?", ["What about the CQC?"], get_glossary(), SPEAKERS) == "Who chairs ICPs?"


# the real index ---------------------------------------------------------------------------
@pytest.mark.slow
def test_a_follow_ups_own_words_weigh_more_than_the_earlier_questions(seed_assistant, monkeypatch) -> None:
    """In "X (regarding: earlier question)", words only the earlier question has weigh EARLIER_TERM_WEIGHT."""
    import numpy as np

    resolved = "What difference would patients notice (regarding: How will ICSs redesign care pathways)?"
    g = seed_assistant.glossary
    assert asking._earlier_only({"patient", "pathway", "redesign", "difference", "ics"}, resolved, g) == {"pathway", "redesign", "ics"}
    assert asking._earlier_only({"patient"}, "What difference would patients notice?", g) == set()
    # a proper name in the earlier question is what the follow-up's pronoun stands for: it keeps its full weight
    devon = "When was it set up (regarding: What was One Northern Devon and what did it achieve)?"
    assert asking._earlier_only({"set", "northern", "devon", "achieve"}, devon, g) == {"achieve"}
    retriever, bank = seed_assistant._ready()
    query = retriever.analyse(resolved)
    vector = np.asarray(retriever.index.embed_query(query.embed_text), dtype=np.float32)
    passages = retriever.search(query, None, 20, seed_assistant.settings.candidates, vector.tolist())
    idf = bank.idf(list(retriever.documents().values()))

    def lexical() -> dict:  # the question read again: EARLIER_TERM_WEIGHT weighs its words as it is read
        found = scoring.score_evidence(asking.read_question(resolved, resolved, query, g, idf), vector, passages, bank, g)
        return {e.sentence.text: e.lexical for e in found}

    weighted = lexical()
    monkeypatch.setattr(asking, "EARLIER_TERM_WEIGHT", 1.0)
    even = lexical()
    own = [t for t in weighted if "patient" in t.lower() and "pathway" not in t.lower() and even[t] > 0]
    earlier = [t for t in weighted if "pathway" in t.lower() and "patient" not in t.lower() and even[t] > 0]
    assert own and earlier
    assert any(weighted[t] > even[t] for t in own)  # (a neighbour naming the earlier words can still lift a sentence)
    assert any(weighted[t] < even[t] for t in earlier)


def test_extractive_sentences_are_supported_by_construction(seed_assistant) -> None:
    """Each extractive sentence IS the quote it cites: verification holds with no semantic help."""
    for question in ("How do trust leaders view central targets?", "What is the role of an ICP?", "How many ICSs are there?"):
        answer = seed_assistant.ask(question)
        assert not answer.abstained and 3 <= len(answer.sentences) <= scoring.MAX_SENTENCES + 2
        by_n = {c.n: c for c in answer.citations}
        for sentence in answer.sentences:
            assert sentence.supported and len(sentence.citations) == 1
            cited = by_n[sentence.citations[0]]
            assert sentence.text == cited.quote
            assert verify(sentence.text, [cited.quote]).supported
            assert quote_matches(cited, seed_assistant.index.text(cited.source))
        assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
        first_use = [n for s in answer.sentences for n in s.citations]
        assert sorted(set(first_use), key=first_use.index) == sorted(by_n)  # numbered in order of first use


@pytest.mark.slow
def test_llm_seam_parses_markers_and_flags_unsupported_sentences(seed_assistant, monkeypatch) -> None:
    from assistant.engine import Assistant

    calls: dict[str, object] = {}

    def generate(question, passages, settings, on_token=None):
        calls["n"] = len(passages)
        first = re.search(r"[A-Z][^.\n\[\]]{40,300}\.", passages[0].chunk.text).group(0)
        if on_token:
            on_token(first)
        return f"{first} [1] The ICB budget is exactly £99bn a year [2]. This sentence cites nothing valid [42][x]."

    fake = types.SimpleNamespace(generate=generate, condense=lambda q, h, s: q)
    monkeypatch.setitem(sys.modules, "assistant.llm", fake)
    monkeypatch.setattr(assistant, "llm", fake, raising=False)
    llm_assistant = Assistant(seed_assistant.settings.with_(llm="openai"), index=seed_assistant.index)
    tokens: list[str] = []
    answer = llm_assistant.ask("Who is an ICB accountable to?", on_token=tokens.append)
    assert answer.mode == "openai" and tokens and calls["n"] == 5
    first, money, nothing = answer.sentences
    assert first.supported and first.citations == [1]
    assert not money.supported  # £99bn appears in no cited passage
    assert nothing.citations == [] and not nothing.supported and "[42]" not in answer.answer and "[x]" not in answer.answer
    for c in answer.citations:
        assert quote_matches(c, seed_assistant.index.text(c.source))
        assert c.end - c.start < 600  # a sentence span, not the whole chunk


def test_speaker_pronoun_follow_up_names_the_earlier_publisher() -> None:
    g = get_glossary()
    history = ["What does The King's Fund say about the role of ICB chairs?"]
    assert resolve("What do they say about NHS England's regional teams?", history, g, SPEAKERS) == (
        "What does The King's Fund say about NHS England's regional teams?"
    )
    # a topic organisation of the earlier question (the CQC) is not who speaks
    assert resolve("And what did they recommend on targets?", ["What does NHS Providers say about the CQC?"], g, SPEAKERS) == (
        "What did NHS Providers recommend on targets?"
    )
    # "that" still points back to the earlier topic, so the earlier question is kept as context
    assert "CQC" in resolve("What do they think about that?", ["What does NHS Providers say about the CQC?"], g, SPEAKERS)


def _evidence(text: str, score: float, publisher: str = "NHS Providers") -> scoring.Evidence:
    import numpy as np

    from assistant.cite import Sentence
    from assistant.types import Chunk, DocumentInfo, Passage

    doc = DocumentInfo(doc_id="d", source="d", title="Evidence", publisher=publisher)
    chunk = Chunk(id=text[:20], doc_id="d", index=0, start=0, end=len(text), text=text)
    return scoring.Evidence(Sentence("d", 0, len(text), text, 0), Passage(1, chunk, doc, score), 0.5, 0.5, score, np.zeros(3))


def test_a_named_document_takes_the_bonus_from_its_publishers_other_documents() -> None:
    from assistant.types import Chunk, DocumentInfo, Passage

    chunk = Chunk(id="c", doc_id="p1", index=0, start=0, end=1, text="x")
    hewitt = DocumentInfo("p2", "p2", "Hewitt Review submission", "NHS Providers")
    passages = [Passage(1, chunk, DocumentInfo("p1", "p1", "Written evidence", "NHS Providers"), 0.0), Passage(2, chunk, hewitt, 0.0)]
    named = Query("q", "q", [], publishers=["NHS Providers", "The King's Fund"], documents=["p2"])
    assert scoring.named_sources(named, passages) == {"p2", "The King's Fund"}
    assert scoring.named_sources(Query("q", "q", [], publishers=["NHS Providers"]), passages) == {"NHS Providers"}


def test_the_passage_holding_the_best_sentence_leads_from_six_places_down() -> None:
    scores = [0.5, 0.4, 0.3, 0.2, 0.1, 0.9]
    evidence = [_evidence(f"Sentence {i} about ICS oversight.", score) for i, score in enumerate(scores, start=1)]
    passages = [e.passage for e in evidence]
    for rank, p in enumerate(passages, start=1):
        p.rank = rank
    order = scoring.rerank_passages(passages, evidence)
    assert [p.chunk.id for p in order][:2] == [passages[5].chunk.id, passages[0].chunk.id]
    assert [p.rank for p in order] == [1, 2, 3, 4, 5, 6]


def test_a_month_counts_as_a_date_only_when_written_as_one() -> None:
    from assistant.cite import names_month

    assert names_month("On 1 July 2022, ICSs became statutory.") and names_month("It was piloted in May 2021.")
    assert not names_month("Some changes may be proposed to the model.") and not names_month("Trusts march on regardless.")
    assert not scoring.answers_numeric("time", "Some changes may be proposed to the foundation trust model.")


def test_named_terms_match_coded_names_with_or_without_a_space_and_acronyms_only_in_capitals() -> None:
    g = get_glossary()
    assert declining._named_term_covered("Core20", ["nearly 50% would fall under the ‘Core 20’ definition"], g)
    assert declining._named_term_covered("NICE", ["NICE guidance applies."], g)
    assert not declining._named_term_covered("NICE", ["It would be nice to have guidance."], g)


def test_term_weights_leave_out_alternate_spellings_of_words_asked() -> None:
    text = "When was the survey cited in its Health and Social Care Committee evidence published?"
    query = Query(text, text, ["survey", "health", "social", "care", "committee", "HSCC"], expansions=["HSCC"])
    weights = asking.term_weights(query, {"survey": 2.0})
    assert "hscc" not in weights and "committee" in weights


def test_abstention_reasons_name_each_gap_once() -> None:
    reasons = declining.abstention_reasons(["2023/24", "NICE", "2023/24"])
    assert reasons == ["Nothing in them covers “2023/24”, “NICE”."]
    assert declining.abstention_reasons([]) == []
    message = declining.abstention_message("What was the 2023/24 NICE budget?", reasons=reasons)
    assert message == "The documents don't say what the 2023/24 NICE budget was. Nothing in them covers “2023/24”, “NICE”."

def test_a_follow_up_lifts_the_sentences_next_to_what_the_previous_answer_cited() -> None:
    from assistant.cite import Sentence

    anchors = [("d", 1000, 1200)]
    assert scoring._near_anchor(Sentence("d", 1300, 1400, "next", 0), anchors)  # just after the cited span
    assert scoring._near_anchor(Sentence("d", 300, 400, "before", 0), anchors)
    assert not scoring._near_anchor(Sentence("d", 1000, 1200, "cited", 0), anchors)  # said already
    assert not scoring._near_anchor(Sentence("d", 5000, 5100, "far", 0), anchors)
    assert not scoring._near_anchor(Sentence("e", 1300, 1400, "other document", 0), anchors)


def test_a_second_sentence_opening_with_a_capital_names_nothing() -> None:
    assert asking.capitalised_runs("Did COVID help or hinder? Contrast the NHS Confed's report. Apart from that, which?") == ["COVID", "NHS Confed's"]


def test_generic_words_stay_inside_a_name() -> None:
    g = get_glossary()
    assert asking.specific_terms("How does NHS Providers think the Better Care Fund should fit in?", g, SPEAKERS) == ["Better Care Fund"]
    assert asking.specific_terms("What was Cheshire and Merseyside ICB's allocation?", g) == ["Cheshire and Merseyside"]


def test_a_name_of_several_words_must_be_written_as_one() -> None:
    g = get_glossary()
    assert not declining._named_term_covered("Better Care Fund", ["Better care for patients needs a fund."], g)
    assert declining._named_term_covered("Better Care Fund", ["Pooling through the Better Care Fund works."], g)
    # an owner, or names joined by "and", may stand apart
    assert declining._named_term_covered("Lincolnshire's Connected Health Network", ["In Lincolnshire ICS, the Connected Health Network began."], g)
    assert declining._named_term_covered("Surrey Heartlands and Birmingham", ["Surrey Heartlands has few; Birmingham has many."], g)
    assert declining.found_in(["Better Care Fund", "2023/24"], ["the Better Care Fund in 2022/23"], g) == ["Better Care Fund"]


def test_how_much_something_matters_asks_no_figure() -> None:
    assert asking.numeric_kind("How much do behaviours and culture matter compared with the formal rules?") == ""
    assert asking.numeric_kind("How much do ICSs depend on local public support?") == ""
    assert asking.numeric_kind("How much did face-to-face appointments fall?") == "count"
    assert asking.numeric_kind("How much money did electronic prescribing save?") == "count"


def test_a_table_row_counts_what_its_column_header_names() -> None:
    """A spreadsheet's row gives its figures under the header row's column names: "LYPFT | 8.2% | 312" gives a
    vacancy rate and a number of vacancies, not a number of beds; a money question wants a £ amount."""
    header, row = "Trust | Vacancy rate | Vacancies | Turnover", "LYPFT | 8.2% | 312 | | 11.0%"
    rate = asking.count_target("What is LYPFT's vacancy rate?")
    assert declining._counts_in_column(row, header, rate, frozenset())
    assert declining._counts_in_column(row, header, asking.count_target("How many vacancies does LYPFT have?"), frozenset())
    assert not declining._counts_in_column(row, header, asking.count_target("How many beds does LYPFT have?"), frozenset())
    assert not declining._counts_in_column(row, None, rate, frozenset())  # a sentence, or a row with no header
    assert not declining._counts_target(frozenset(["lypft"]), row, rate)  # before: a figure with the words beside it only
    # an empty first cell is stored as a leading "|": the columns stay in place
    absence = asking.count_target("What was the sickness absence rate?")
    assert not declining._counts_in_column("Trust A | 312 | n/a", "| Vacancies | Sickness absence", absence, frozenset())
    assert declining._counts_in_column("| 4.1% | 312", "Measure | Sickness absence | Vacancies", absence, frozenset())
    spend = asking.count_target("How much did LYPFT spend on agency staff?")
    assert declining._counts_target(frozenset(["lypft"]), "LYPFT | £4.1m", spend)  # a £ amount, as in a sentence
    assert not declining._counts_target(frozenset(["lypft"]), "LYPFT | 41", spend)
    assert not declining._counts_in_column("LYPFT | 41", "Trust | Agency staff spend", spend, frozenset())


def test_a_question_of_pointers_alone_needs_history() -> None:
    for q in ("Who said that?", "Why is that?", "Do they agree?", "What about them?"):
        assert points_back_only(q), q
    for q in ("What about the CQC?", "Is there an example?", "What is an ICB?"):
        assert not points_back_only(q), q


def test_a_count_must_count_what_is_asked() -> None:
    text = "NHS Providers has all trusts in England in membership, accounting for £104bn of spending and employing 1.2 million staff."
    stems = frozenset(["trust", "provider", "member", "staff", "england"])
    assert not declining._counts_target(stems, text, asking.count_target("How many NHS trusts provide services across two ICSs?"))
    assert declining._counts_target(stems, text, asking.count_target("How many staff do the trusts employ?"))
    assert asking.count_target("How many NHS trusts are there?") == ["trust"]  # "NHS" names no thing counted
    # "One ICB chair says" introduces a quote; a figure the question itself gives is no answer either
    quote = "One ICB chair says: 'If we and enough of the 42 systems do not have support locally, we fail.'"
    chairs = asking.count_target("How many were ICB chairs?")
    assert not declining._counts_target(frozenset(["icb", "chair", "system"]), quote, chairs)
    spoke = "We spoke to 25 chairs of ICBs."
    assert declining._counts_target(frozenset(["chair", "icb"]), spoke, chairs)
    assert not declining._counts_target(frozenset(["chair", "icb"]), spoke, chairs, given=frozenset(["25"]))
    # "There are 42 of them." counts what the sentence before it names
    systems = asking.count_target("How many ICSs are there?")
    assert declining._counts_target(frozenset(["england"]), "There are 42 of them in England.", systems, context=frozenset(["ics", "england"]))
    assert not declining._counts_target(frozenset(["england"]), "There are 42 of them in England.", systems, context=frozenset(["trust"]))


def test_agreement_is_asked_of_speakers_not_of_anything_that_differs() -> None:
    g = get_glossary()
    previous = "What did the NHS Confederation's 2020 survey find about support for a shared statutory duty?"
    resolved = resolve("Did that differ between trust and CCG respondents?", [previous], g, SPEAKERS)
    assert resolved.startswith("Did that differ between trust and CCG respondents (regarding: ")
    assert resolve("Do they agree?", ["What does NHS Providers say about subsidiarity?"], g, SPEAKERS).startswith("Do other organisations agree")


def test_a_speaker_pronoun_with_no_topic_keeps_the_earlier_question() -> None:
    g = get_glossary()
    history = ["What did NHS Confederation members say in 2020 about systems directing allocations?", "Were there any worries about the split?"]
    assert "(regarding: " in resolve("So what do they propose?", history, g, SPEAKERS)
    instead = resolve("What do they want the national focus to be instead?", ["Does NHS Providers think national datasets tell the whole story?"], g, SPEAKERS)
    assert instead.startswith("What does NHS Providers want the national focus to be instead (regarding: ")


def test_they_speaking_or_quoting_points_back_even_beside_acronyms() -> None:
    g = get_glossary()
    for q in ("Why do they think providers should be at the centre of ICS decisions?",
              "What did the council-side person they quoted say the ICP has to be?",
              "Would the CCGs still be the route for money in the meantime?"):
        assert is_follow_up(q, g), q
    assert not is_follow_up("Why do ICBs say they need more autonomy?", g)
    assert not is_follow_up("Why does the NHS Confederation think they should be statutory?", g)
    resolved = resolve("Why do they think providers should be at the centre of ICS decisions?", ["Did NHS Confederation members want FT status scrapped?"], g, SPEAKERS)
    assert resolved == "Why does NHS Confederation think providers should be at the centre of ICS decisions?"


def test_how_much_say_or_weight_asks_no_figure() -> None:
    assert asking.numeric_kind("And longer term, how much say should they have over the money?") == ""
    assert asking.numeric_kind("How much weight do the NHS Confed and The King's Fund give local accountability?") == ""
    assert asking.numeric_kind("How much money did it save?") == "count"


def test_a_count_is_judged_by_what_it_counts_not_by_its_publisher() -> None:
    from assistant.retrieve import content_stems

    question = "How many ICB chief executives did NHS Providers interview?"
    asked = replace(_question(question, ["NHS Providers"]), figure_weights={"interview": 1.0, "chief": 1.0, "executive": 1.0})

    def lacks(sentence: str, publisher: str) -> bool:
        evidence = [_evidence(sentence, 1.0, publisher=publisher)]
        figured = declining.figure_sentences(
            asked, evidence, lambda s: frozenset(content_stems(s.text)), context=lambda e: frozenset(content_stems(e.sentence.text)),
        )
        return declining.lacks_figure(asked, evidence, figured)

    # metadata is not evidence: a document with another (or no inferred) publisher still answers with the right count
    assert not lacks("We interviewed 25 ICB chief executives.", "The King's Fund")
    assert not lacks("We interviewed 25 ICB chief executives.", "")
    assert lacks("We interviewed 25 patients.", "NHS Providers")  # the asker's own publisher, but a count of something else


def test_a_year_that_says_which_document_is_meant_is_covered_by_that_documents_date() -> None:
    from assistant.retrieve import content_stems

    question = "How many models of provider collaboration did the NHS Confederation set out in 2020?"
    e = _evidence("It was the latter of the three collaborative models that providers preferred.", 1.0)
    weights = {"model": 1.0, "provider": 1.0, "collabor": 1.0, "2020": 4.0}

    def lacks(evidence: scoring.Evidence) -> bool:
        asked = replace(_question(question), figure_weights=weights)
        figured = declining.figure_sentences(
            asked, [evidence], lambda s: frozenset(content_stems(s.text)), context=lambda x: frozenset(content_stems(x.sentence.text)) | {"collabor"},
        )
        return declining.lacks_figure(asked, [evidence], figured)

    assert lacks(e)  # the year weighs most and no sentence near the count gives it
    e.passage.doc = replace(e.passage.doc, date="2020-11")
    assert not lacks(e)  # the count comes from a document of 2020


def test_a_what_percentage_question_needs_a_proportion() -> None:
    from assistant.retrieve import content_stems

    question = "What percentage of survey respondents supported a shadow period?"
    weights = {"survey": 1.0, "respondent": 1.0, "support": 1.0, "shadow": 1.0, "period": 1.0}

    def lacks(text: str) -> bool:
        asked, evidence = replace(_question(question), figure_weights=weights), [_evidence(text, 1.0)]
        figured = declining.figure_sentences(
            asked, evidence, lambda s: frozenset(content_stems(s.text)), context=lambda e: frozenset(content_stems(e.sentence.text)),
        )
        return declining.lacks_figure(asked, evidence, figured)

    assert lacks("Survey respondents supported a shadow period of 18-24 months.")  # a number, but no proportion
    assert not lacks("63% of survey respondents supported a shadow period.")
    assert not lacks("8 out of 10 survey respondents supported a shadow period.")
    assert not lacks("More than half of survey respondents, 250 in all, supported a shadow period.")


def test_a_body_the_question_names_must_be_mentioned_in_the_passages() -> None:
    g = get_glossary()
    question = "What did ICS leaders tell The King's Fund about Healthwatch's role in accountability?"
    plain = _evidence("Leaders are accountable to their partners.", 1.0, "The King's Fund").passage
    assert declining.unmentioned_bodies(question, SPEAKERS, [plain], g) == ["Healthwatch"]  # as the question writes it
    named = _evidence("Local Healthwatch can hold systems to account.", 1.0).passage
    assert declining.unmentioned_bodies(question, SPEAKERS, [plain, named], g) == []
    # a publisher is judged by whose words are asked for, not by name; another of a body's names covers it
    assert declining.unmentioned_bodies("What does The King's Fund say about the CQC?", SPEAKERS,
                                      [_evidence("The Care Quality Commission rates systems.", 1.0).passage], g) == []
    # where the evidence was given is no topic: written evidence is among the passages
    import dataclasses

    evidence = _evidence("Trusts want fewer targets.", 1.0).passage
    evidence.doc = dataclasses.replace(evidence.doc, title="Written evidence submitted by NHS Providers", kind="written evidence")
    to_committee = "What did NHS Providers say about targets in its evidence to the Health and Social Care Committee?"
    assert declining.unmentioned_bodies(to_committee, SPEAKERS, [evidence], g) == []


def _ranked(doc_id: str, publisher: str, rank: int, start: int, end: int) -> Passage:
    doc = DocumentInfo(doc_id=doc_id, source=doc_id, title=doc_id, publisher=publisher)
    return Passage(rank, Chunk(id=f"{doc_id}:{start}", doc_id=doc_id, index=rank, start=start, end=end, text="x" * (end - start)), doc, 0.0)


def test_each_cited_span_gets_one_passage_at_the_front_before_overlapping_copies() -> None:
    from types import SimpleNamespace

    from assistant.engine import _cited_first

    # two overlapping chunks hold citation 1 (a:0-100 and a:50-150); citation 2 is in b; c is uncited
    passages = [_ranked("a", "P", 1, 0, 100), _ranked("a", "P", 2, 50, 150), _ranked("c", "K", 3, 0, 100), _ranked("b", "K", 4, 0, 100)]
    citations = [SimpleNamespace(n=1, source="a", start=60, end=90), SimpleNamespace(n=2, source="b", start=10, end=40)]
    order = _cited_first(passages, citations)
    assert [p.chunk.id for p in order] == ["a:0", "b:0", "a:50", "c:0"]  # the second copy of quote 1 waits behind quote 2
    assert [p.rank for p in order] == [1, 2, 3, 4]
    assert [p.chunk.id for p in _cited_first(order, [])] == ["a:0", "b:0", "a:50", "c:0"]  # no citations: order kept


def test_each_side_of_a_comparison_gets_two_sentences_when_it_has_them() -> None:
    comparison = _question("How do NHS Providers and The King's Fund see inequalities?", ["NHS Providers", "The King's Fund"])
    assert comparison.comparison
    ev = [
        _evidence("Trusts tackle inequalities through anchor roles.", 1.0, "NHS Providers"),
        _evidence("Prevention funding for trusts is squeezed.", 0.98, "NHS Providers"),
        _evidence("Providers want national metrics on equity.", 0.97, "NHS Providers"),
        _evidence("Elective recovery must weigh deprivation.", 0.96, "NHS Providers"),
        _evidence("Digital exclusion hits poorer patients.", 0.95, "NHS Providers"),
        _evidence("Workforce gaps are worst in deprived areas.", 0.94, "NHS Providers"),
        _evidence("Systems now carry a statutory duty on inequalities.", 0.9, "The King's Fund"),
        _evidence("The cost-of-living crisis will widen gaps.", 0.85, "The King's Fund"),
        _evidence("Some leaders doubt progress this winter.", 0.5, "The King's Fund"),  # too weak to be a second
    ]
    chosen = scoring.select(ev, comparison)
    kf = [e.sentence.text for e in chosen if e.passage.doc.publisher == "The King's Fund"]
    assert kf == ["Systems now carry a statutory duty on inequalities.", "The cost-of-living crisis will widen gaps."]
    # filling by score alone would have given NHS Providers' 0.94-0.98 sentences the places


def test_a_comparison_sides_second_sentence_joins_within_the_next_floor() -> None:
    comparison = _question("How do NHS Providers and The King's Fund see inequalities?", ["NHS Providers", "The King's Fund"])

    def kf_second(score: float) -> list[str]:
        ev = [_evidence(f"Providers point {i}.", 1.0 - i / 100, "NHS Providers") for i in range(6)]
        ev += [_evidence("Systems carry a duty on inequalities.", 0.76, "The King's Fund"), _evidence("Costs will widen gaps.", score, "The King's Fund")]
        ev.sort(key=lambda e: -e.score)
        return [e.sentence.text for e in scoring.select(ev, comparison) if e.passage.doc.publisher == "The King's Fund"]

    assert kf_second(0.72) == ["Systems carry a duty on inequalities.", "Costs will widen gaps."]  # 0.72 of the best: above 0.7
    assert kf_second(0.65) == ["Systems carry a duty on inequalities."]  # too weak to be a second


def test_each_named_publisher_gets_a_fair_share_of_the_top_k() -> None:
    from assistant.engine import _each_publisher_shown

    # "Compare NHS Providers and The King's Fund": retrieval ranked four NHS Providers passages ahead of the King's Fund's
    passages = [_ranked("p", "NHS Providers", r, r * 100, r * 100 + 90) for r in range(1, 5)]
    passages += [_ranked("k", "The King's Fund", 5, 0, 90), _ranked("p", "NHS Providers", 6, 600, 690), _ranked("k", "The King's Fund", 7, 100, 190)]
    order = [p.chunk.id for p in _each_publisher_shown(passages, ["NHS Providers", "The King's Fund"], 5)]
    assert order[:5] == ["p:100", "p:200", "p:300", "k:100", "k:0"]  # 3 and 2 of 5: P's fourth gives way to K's second
    assert order[5:] == ["p:400", "p:600"]
    # a side with nothing more to show leaves the other side its places; three sides share 5 as at most 2 each
    alone = [_ranked("p", "NHS Providers", r, r * 100, r * 100 + 90) for r in range(1, 6)] + [_ranked("k", "The King's Fund", 6, 0, 90)]
    assert [p.chunk.id for p in _each_publisher_shown(alone, ["NHS Providers", "The King's Fund"], 5)][:5] == ["p:100", "p:200", "p:300", "p:400", "k:0"]
    three = alone + [_ranked("c", "NHS Confederation", 7, 0, 90), _ranked("c", "NHS Confederation", 8, 100, 190)]
    top = _each_publisher_shown(three, ["NHS Providers", "The King's Fund", "NHS Confederation"], 5)[:5]
    assert sorted(p.doc.publisher for p in top) == ["NHS Confederation", "NHS Confederation", "NHS Providers", "NHS Providers", "The King's Fund"]


# the sentence scorer and what declines ------------------------------------------------
def test_hand_scorer_is_the_documented_weighted_sum() -> None:
    scorer = scoring.SentenceScorer.hand(0.3)
    features = dict.fromkeys(scoring.SCORER_FEATURES, 0.0) | {"semantic": 0.6, "lexical": 0.5, "prior": 1.0, "named": 1.0}
    expected = 0.3 * 0.6 + 0.7 * 0.5 + scoring.RANK_PRIOR_WEIGHT + scoring.PUBLISHER_BONUS
    assert scorer(tuple(features.values())) == pytest.approx(expected)


def test_a_learned_scorer_is_data_and_must_match_the_features(tmp_path) -> None:
    import json

    path = tmp_path / "scorer.json"
    weights = [0.0] * len(scoring.SCORER_FEATURES)
    weights[0] = 2.0
    path.write_text(json.dumps({"features": list(scoring.SCORER_FEATURES), "weights": weights, "bias": -1.0, "trained_on": "x"}))
    scorer = scoring.SentenceScorer.load(path)
    assert scorer.logistic and scorer(tuple([0.5] + [0.0] * (len(weights) - 1))) == pytest.approx(0.5)  # sigmoid(2*0.5-1)
    path.write_text(json.dumps({"features": ["semantic"], "weights": [1.0], "bias": 0.0}))
    with pytest.raises(ConfigError, match="fitted on features") as err:
        scoring.SentenceScorer.load(path)
    assert "\n" not in str(err.value) and "train_scorer" in str(err.value)
    path.write_text(json.dumps({"features": list(scoring.SCORER_FEATURES), "weights": [float("nan")] * len(weights), "bias": 0.0}))
    with pytest.raises(ConfigError, match="finite"):
        scoring.SentenceScorer.load(path)
    assert scoring.SentenceScorer.load(tmp_path / "absent.json") is None


def test_names_joined_by_and_are_each_looked_for_and_file_names_count() -> None:
    from assistant.types import Chunk, DocumentInfo, Passage

    g = get_glossary()

    def passage(text: str, source: str) -> Passage:
        return Passage(1, Chunk(id=source, doc_id=source, index=0, start=0, end=len(text), text=text), DocumentInfo(source, source, "Report"), 1.0)

    pool = [passage("The trust met 60 of 62 EPRR standards.", "LTHT annual report.md"), passage("LYPFT was fully compliant.", "b.md")]
    question = "How do LTHT and LYPFT compare on EPRR?"
    assert declining.uncovered_terms(_question(question), pool, g) == []
    question = "How do LTHT and Mid Yorkshire compare on EPRR?"
    assert declining.uncovered_terms(_question(question), pool, g) == ["LTHT and Mid Yorkshire"]


def _of_kind(text: str, kind: str) -> Passage:
    """One passage of a document of this kind ("transcript", "report") whose id is its kind."""
    return Passage(1, Chunk(id=kind, doc_id=kind, index=0, start=0, end=len(text), text=text), DocumentInfo(kind, kind, "Board", kind=kind), 1.0)


def test_a_transcript_covers_the_initials_it_writes_in_lower_case_and_a_report_does_not() -> None:
    g = get_glossary()
    passage = _of_kind
    said = "The chair said the cqc had rated the lch community services good at its last inspection."
    question = _question("What did the chair say about the CQC rating of LCH services?")
    assert declining.uncovered_terms(question, [passage(said, "transcript")], g) == []
    assert declining.uncovered_terms(question, [passage(said, "report")], g) == ["LCH"]  # "NICE" is not "nice"


def test_a_transcript_covers_a_name_it_heard_as_a_word_that_sounds_alike_and_a_report_does_not() -> None:
    """Speech recognition writes the city Leeds as "leads" and Harrogate as "harrow gate": in a transcript (only), a
    lower-case word one letter from a name of the question with the same sound, or two words that make it, is it."""
    g = get_glossary()
    passage = _of_kind
    said = "Community leads home share matches an older person with someone who can offer ten hours of help in harrow gate."
    question = _question("How many hours of help does Leeds Home Share ask for in Harrogate?")
    assert declining.uncovered_terms(question, [passage(said, "transcript")], g) == []
    assert declining.uncovered_terms(question, [passage(said, "report")], g) == ["Leeds Home Share", "Harrogate"]
    assert spoken.sounds_like("leads", "Leeds") and spoken.sounds_like("harrowgate", "Harrogate")
    for heard in ("needs", "lead", "leeds", "leaves"):  # another sound, two letters off, or already the name
        assert not spoken.sounds_like(heard, "Leeds")
    # names: capitalised words of 5 letters or more that are no common English word ("City", "Council", "Which" are)
    assert spoken.spoken_names("Which of Leeds City Council's plans covers Harrogate's “Kirklees” wards?") == ["Leeds", "Harrogate", "Kirklees"]
    assert spoken.spoken_names("Harrogate") == ["Harrogate"]  # a term is a name from its first word
    written = spoken.names_as_asked("Leads is where this leads to needs in leads and kirk lees", ["Leeds", "Kirklees"])
    assert written == "Leeds is where this Leeds to needs in Leeds and Kirklees"  # only for checking coverage: never quoted
    # a silent first letter; a capitalised word inside a sentence is written as a name already ("Welton" is no Walton)
    written = spoken.names_as_asked("We met rexham and nowsley, then Welton.", ["Wrexham", "Knowsley", "Walton"])
    assert written == "We met Wrexham and Knowsley, then Welton."
    # a short name is heard in too many words to try: a decoy stays uncovered
    decoy = _question("How many beds does Hull have?")
    assert declining.uncovered_terms(decoy, [passage("The city hall has beds for the winter.", "transcript")], g) == ["Hull"]


def test_an_owned_name_is_covered_by_its_owners_document_which_need_not_repeat_the_owner() -> None:
    from assistant.types import Chunk, DocumentInfo, Passage

    g = get_glossary()

    def passage(text: str, source: str, publisher: str) -> Passage:
        chunk = Chunk(id=source, doc_id=source, index=0, start=0, end=len(text), text=text)
        return Passage(1, chunk, DocumentInfo(source, source, "Annual report", publisher=publisher), 1.0)

    governor = passage("We now have another governor taking on the Lead Governor role.", "annual-report.md",
                       "Leeds and York Partnership NHS Foundation Trust")
    equity = passage("This work is overseen by a new Racial Equity in Care group.", "report-2025.md",
                     "Leeds Community Healthcare NHS Trust")
    pool = [governor, equity]
    assert declining.uncovered_terms(_question("Who is LYPFT's Lead Governor now?"), pool, g) == []
    assert declining.uncovered_terms(_question("What does LCH's Racial Equity in Care Group do?"), pool, g) == []
    # another body's Lead Governor, or a group the owner's documents never mention, is not covered
    assert declining.uncovered_terms(_question("Who is LTHT's Lead Governor now?"), pool, g) == ["LTHT's Lead Governor"]
    # the owner after the name, in initials: "the Lead Governor for LYPFT"
    assert declining.uncovered_terms(_question("Who is the Lead Governor for LYPFT now?"), pool, g) == []
    assert declining.uncovered_terms(_question("Who is the Lead Governor for LTHT now?"), pool, g) == ["Lead Governor for LTHT"]
    assert declining.uncovered_terms(_question("What did LYPFT's Racial Equity in Care Group decide?"), pool, g) == [
        "LYPFT's Racial Equity in Care Group"
    ]
    assert abbreviates("LTHT", "Leeds Teaching Hospitals NHS Trust")
    assert not abbreviates("LTHT", "Leeds Community Healthcare NHS Trust")
    assert not abbreviates("NHS", "National Health Service England and Wales Board")  # too many skipped


def test_a_question_of_two_asks_wants_its_figure_about_the_clause_that_asks_for_it() -> None:
    assert asking.figure_clause("When did the Quality and Value Programme start, and over what period is it meant to run?") == (
        "When did the Quality and Value Programme start"
    )
    assert asking.figure_clause("How many indicators, and who do the reports go to?") == "How many indicators"
    assert asking.figure_clause("How many staff and trusts are there?") == "How many staff and trusts are there?"  # one ask
    query = Query("q", "q", ["quality", "value", "programme", "start", "period", "run"])
    clause = asking.figure_clause("When did the Quality and Value Programme start, and over what period is it meant to run?")
    assert set(asking.term_weights(query, {}, clause)) == {"quality", "value", "programme", "start"}


def test_a_figure_question_naming_one_publisher_is_not_answered_from_anothers_figures() -> None:
    g = get_glossary()
    question = _question("What percentage of LTHT's pay bill went on agency staff?", ["Leeds Teaching Hospitals NHS Trust"])
    lypft = _evidence("Agency staff were 4% of our pay bill in 2024/25.", 1.0, publisher="Leeds and York Partnership NHS Foundation Trust")
    own = _evidence("Agency staff were 3% of the pay bill.", 0.9, publisher="Leeds Teaching Hospitals NHS Trust")
    naming = _evidence("At LTHT agency staff were 3% of the pay bill.", 0.9, publisher="NHS England")
    assert declining._figures_of_others(question, [lypft], g)
    assert not declining._figures_of_others(question, [lypft, own], g)  # the named trust's own document gives one
    assert not declining._figures_of_others(question, [naming], g)  # another's passage that names the trust by its initials
    assert not declining._figures_of_others(question, [], g)  # no figure at all is no_figure's finding, not this one
    both = _question("Compare LTHT's and LYPFT's agency spend.", ["Leeds Teaching Hospitals NHS Trust"])
    assert not declining._figures_of_others(both, [lypft], g)  # a comparison quotes each side


def test_a_name_just_before_a_source_noun_says_where_the_evidence_went() -> None:
    from assistant.types import Chunk, DocumentInfo, Passage

    g = get_glossary()
    text = "ICS leaders need agency and resources to fulfil four purposes."

    def pool(title: str) -> list[Passage]:
        return [Passage(1, Chunk(id="c", doc_id="d", index=0, start=0, end=len(text), text=text), DocumentInfo("d", "d.md", title), 1.0)]

    question = "How many purposes does the Confed's PAC evidence say ICS leaders need resources to fulfil?"
    assert declining.unmentioned_bodies(question, ["NHS Confederation"], pool("Written evidence submitted by NHS Confederation"), g) == []
    assert declining.unmentioned_bodies(question, ["NHS Confederation"], pool("Annual report"), g) == ["PAC"]  # no such evidence cited
    assert declining.unmentioned_bodies("What did the PAC conclude about ICSs?", [], pool("Written evidence"), g) == ["PAC"]


def test_two_names_joined_by_and_are_each_looked_for_elsewhere_but_a_place_pair_is_one_name() -> None:
    from assistant.types import Chunk, DocumentInfo

    g = get_glossary()
    texts = {"a": "The Care Delivery Service appraises every member of staff.", "b": "Leeds Community Healthcare runs appraisals.",
             "c": "Kent has a new plan.", "d": "Medway has a new hospital."}
    docs = {i: DocumentInfo(i, f"{i}.md", i) for i in texts}

    class Index:  # BM25's answer: every chunk sharing a word with the terms
        def lexical(self, terms, k, ids):
            wanted = {w.lower() for t in terms for w in t.split()}
            return [(Chunk(id=i, doc_id=i, index=0, start=0, end=len(t), text=t), 1.0) for i, t in texts.items()
                    if wanted & {w.strip(".").lower() for w in t.split()}][:k]

    class Retriever:
        index = Index()

        def documents(self):
            return docs

    assert declining._found_elsewhere("Care Delivery Service and Leeds Community Healthcare", Retriever(), g)
    assert not declining._found_elsewhere("Kent and Medway", Retriever(), g)  # one place, named nowhere as such


def test_a_caveat_opens_an_answer_extractive_or_not_but_never_a_decline() -> None:
    """declining.caveat says, for no_figure's finding, that no passage clearly gives what is asked; with_caveat puts it
    first, citing nothing, on any answer given (an LLM's that cites nothing too), never on a decline."""
    from assistant.types import AnswerSentence

    none = {"uncovered": [], "weak": False, "no_figure": False, "other_source": False}
    count, when = _question("How many trusts did The King's Fund survey?"), _question("When will the review report?")
    assert declining.caveat(count, none) == ""
    assert declining.caveat(count, {**none, "no_figure": True}).startswith("No passage was found that clearly gives that figure;")
    assert declining.caveat(when, {**none, "no_figure": True}).startswith("No passage was found that clearly gives that date;")
    assert not declining.declines({**none, "no_figure": True}) and declining.declines({**none, "weak": True})
    said = "About 40 trusts were surveyed."
    draft = composing.Draft(said, [AnswerSentence(said, [], False)], [])
    caveat = declining.caveat(count, {**none, "no_figure": True})
    qualified = composing.with_caveat(draft, caveat)
    assert qualified.answer == f"{caveat}\n{said}" and qualified.sentences[0] == AnswerSentence(caveat, [], True)
    declined = composing.Draft("The documents don't say.", [], [], abstained=True)
    assert composing.with_caveat(declined, caveat).answer == "The documents don't say."
    from assistant.llm import NO_ANSWER

    for says_nothing in ("", NO_ANSWER):  # an LLM's empty reply, or its reply that the passages do not answer
        assert composing.with_caveat(composing.Draft(says_nothing, [], []), caveat).answer == says_nothing


def test_each_reason_to_decline_is_said_in_plain_words() -> None:
    count = _question("How many trusts did The King's Fund survey?", ["The King's Fund"])
    share = _question("What percentage of interviewees were ICP chairs?")
    when = _question("When will the review publish its final report?")
    none = {"uncovered": [], "weak": False, "no_figure": False, "other_source": False}
    assert declining.decline_reasons(count, none) == []
    assert declining.decline_reasons(count, {**none, "no_figure": True}) == ["No passage about it gives that figure."]
    assert declining.decline_reasons(share, {**none, "no_figure": True}) == ["No passage about it gives that share."]
    assert declining.decline_reasons(when, {**none, "no_figure": True}) == ["No passage about it gives that date."]
    assert declining.decline_reasons(count, {**none, "other_source": True}) == [
        "The figures found are not The King's Fund’s: they come from other publishers' documents."
    ]
    providers = _question("How many members does NHS Providers have?", ["NHS Providers"])
    assert declining.decline_reasons(providers, {**none, "other_source": True})[0].startswith("The figures found are not NHS Providers’:")
    # what no document covers says it all; the off-topic reason only when there is no other
    assert declining.decline_reasons(count, {**none, "uncovered": ["Wessex"], "no_figure": True, "weak": True}) == ["Nothing in them covers “Wessex”."]
    assert declining.decline_reasons(count, {**none, "weak": True}) == ["Nothing in them comes close to the question."]
