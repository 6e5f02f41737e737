"""Retrieval: RRF fusion, diversity cap, glossary expansion both ways, filters, the reranker seam (fast fakes),
plus hybrid retrieval on the real seed index."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.errors import ConfigError
from assistant.glossary import Glossary, get_glossary
from assistant.retrieve import (
    CANDIDATE_LISTS,
    FOOTNOTES_SECTION,
    Candidates,
    FilterError,
    FusionWeights,
    Retriever,
    content_terms,
    documents_named,
    fuse,
    fusion_weights,
    lexical_terms,
    rerank_order,
    rrf,
    stem,
    validate_date,
)
from assistant.types import Chunk, DocumentInfo, Filters


# fakes -------------------------------------------------------------------------
def _chunk(cid: str, doc: str, text: str = "") -> Chunk:
    return Chunk(id=cid, doc_id=doc, index=0, start=0, end=len(text) or 10, text=text or cid)


class FakeIndex:
    """Just enough of Index for Retriever: fixed dense and lexical rankings."""

    def __init__(self, dense: list[Chunk], lexical: list[Chunk], docs: Sequence[DocumentInfo]) -> None:
        self._dense, self._lexical, self._docs = dense, lexical, list(docs)
        self.lexical_terms: list[list[str]] = []

    def documents(self) -> list[DocumentInfo]:
        return self._docs

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]

    def allowed_doc_ids(self, filters: Filters | None) -> list[str] | None:
        if not filters:
            return None
        return [d.doc_id for d in self._docs if any(p.lower() in d.publisher.lower() for p in filters.publishers)]

    def dense(self, vector, k, doc_ids=None):
        return [(c, 1.0 - i / 100) for i, c in enumerate(c for c in self._dense if doc_ids is None or c.doc_id in doc_ids)][:k]

    def lexical(self, terms, k, doc_ids=None):
        self.lexical_terms.append(list(terms))
        return [(c, 10.0 - i) for i, c in enumerate(c for c in self._lexical if doc_ids is None or c.doc_id in doc_ids)][:k]


DOCS = [
    DocumentInfo("a.txt", "a.txt", "Doc A", publisher="NHS Providers", date="2022-09"),
    DocumentInfo("b.txt", "b.txt", "Doc B", publisher="NHS Confederation", date="2022-10"),
    DocumentInfo("c.txt", "c.txt", "Doc C", publisher="The King's Fund", date="2022-11"),
]


# fusion and diversity -----------------------------------------------------------
def test_rrf_rewards_agreement_between_lists() -> None:
    scores = rrf([(["x", "y", "z"], 1.0), (["y", "x", "w"], 1.0)], k=60)
    order = sorted(scores, key=lambda c: -scores[c])
    assert set(order[:2]) == {"x", "y"}  # in both lists
    assert scores["x"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["w"] == pytest.approx(1 / 63)
    assert scores["z"] == scores["w"]


def test_rrf_weights_scale_a_list() -> None:
    scores = rrf([(["a"], 2.0), (["b"], 1.0)])
    assert scores["a"] == pytest.approx(2 * scores["b"])


def test_a_long_document_may_fill_the_passages_shown() -> None:
    many_a = [_chunk(f"a{i}", "a.txt") for i in range(10)]
    index = FakeIndex(dense=many_a + [_chunk("b0", "b.txt")], lexical=many_a + [_chunk("c0", "c.txt")], docs=DOCS)
    retriever = Retriever(index, get_glossary())  # type: ignore[arg-type]
    passages = retriever.search(retriever.analyse("national targets"), top_k=5)
    assert [p.chunk.id for p in passages[:5]] == [f"a{i}" for i in range(5)]  # in fused order, no document capped
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    assert len(passages) >= 10  # the contract reports at least the top 10


# glossary ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The King’s Fund and the Kings Fund said ICBs, ICSs and an Integrated\nCare Board answer to NHSE.",
        "INTEGRATED CARE BOARDS and integrated care partnerships' duties; A&E; the SoS; voluntary, community and social enterprise",
        "the voluntary community and social enterprise sector (VCSE) and the Department for Levelling Up Housing and Communities",
        "a council, local government, the Act, held to account, third sector and charities; GP practices; LA budgets",
        "The İNTEGRATED CARE BOARD and the ıntegrated care partnership",  # what IGNORECASE matches to "i"
        "nothing of the glossary here at all",
        "",
    ],
)
def test_glossary_finds_what_every_pattern_finds(text: str) -> None:
    """acronyms_in and expansions test a phrase's first word before its pattern: they find what searching with
    every pattern finds."""
    from assistant.glossary import _bare

    g = get_glossary()
    acronyms = [a for a, rx in g._acronym_rx.items() if rx.search(text)]
    acronyms += [a for (a, _), rx in g._expansion_rx.items() if rx.search(text) and a not in acronyms]
    assert g.acronyms_in(text) == acronyms
    synonyms = [s for group in g._synonym_rx if any(rx.search(text) for _, rx in group) for s, _ in group]
    extra = dict.fromkeys([x for a in acronyms for x in (a, *g.acronyms[a])] + synonyms)
    assert g.expansions(text) == [t for t in extra if _bare(t) not in _bare(text)]


def test_glossary_expands_acronym_to_phrase_and_back() -> None:
    g = get_glossary()
    assert "integrated care board" in g.expansions("Who holds ICBs to account?")
    assert "ICB" in g.expansions("Who holds an integrated care board to account?")
    assert "Care Quality Commission" in g.expansions("What does the CQC inspect?")
    assert "CQC" in g.expansions("What does the Care Quality Commission inspect?")
    assert "DLUHC" in g.expansions("the Department for Levelling Up, Housing and Communities")


def test_glossary_acronyms_are_case_sensitive() -> None:
    g = get_glossary()
    assert "local authority" in g.expansions("the LA's role")
    assert "local authority" not in g.expansions("la la land")  # lower-case "la" is not the acronym


def test_organisation_names_need_their_capitals_in_a_cased_text() -> None:
    g = get_glossary()
    assert g.organisations_in("What did a mental health foundation trust chief executive say?") == []
    assert g.organisations_in("Does being statutory give ICBs authority over NHS providers?") == []
    assert g.organisations_in("What does The Health Foundation say?") == ["The Health Foundation"]
    assert g.organisations_in("What did the Department of Health and Social Care say?") == ["Department of Health and Social Care"]
    assert g.organisations_in("what do nhs providers say about targets?") == ["NHS Providers"]  # typed all in lower case


def test_glossary_from_data(tmp_path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("acronyms:\n  XYZ: [extra yield zone]\nsynonyms:\n  - [council, local authority]\norganisations:\n  Foo Org: [Foo]\n")
    g = Glossary.load(path)
    assert g.expansions("the XYZ plan") == ["extra yield zone"]
    assert "XYZ" in g.expansions("an extra yield zone")
    assert "local authority" in g.expansions("the councils")
    assert g.organisations_in("what does Foo say") == ["Foo Org"]


def test_lexical_query_carries_both_forms() -> None:
    index = FakeIndex(dense=[], lexical=[], docs=DOCS)
    retriever = Retriever(index, get_glossary())  # type: ignore[arg-type]
    query = retriever.analyse("Who is an integrated care board accountable to?")
    assert "ICB" in query.terms and "integrated" in query.terms
    assert "ICB (integrated care board)" not in query.embed_text  # spelt out already
    assert "(integrated care board)" in retriever.analyse("Who are ICBs accountable to?").embed_text


def test_named_publishers_are_found_and_left_out_of_the_topic() -> None:
    retriever = Retriever(FakeIndex([], [], DOCS), get_glossary())  # type: ignore[arg-type]
    query = retriever.analyse("Do NHS Providers and the King's Fund agree on targets?")
    assert query.publishers == ["NHS Providers", "The King's Fund"]
    assert "providers" not in query.terms and "fund" not in query.terms
    assert "targets" in query.terms



TRUST_DOCS = [
    DocumentInfo("t1", "t1", "Annual report 2024/25", publisher="Leeds Teaching Hospitals NHS Trust"),
    DocumentInfo("t2", "t2", "Annual report 2024/25", publisher="Leeds and York Partnership NHS Foundation Trust"),
    DocumentInfo("t3", "t3", "Annual report 2024/25", publisher="Leeds Community Healthcare NHS Trust"),
    DocumentInfo("t4", "t4", "Care delivery plan", publisher="Leeds City Council"),
]


def test_a_publisher_named_by_its_initials_is_a_named_publisher() -> None:
    """Questions name trusts by their initials ("LTHT", "LYPFT"), which no catalogue or glossary lists: an acronym
    spelling a publisher's initials names it (and is scoped, weighed and shown as the full name would be)."""
    retriever = Retriever(FakeIndex([], [], TRUST_DOCS), get_glossary())  # type: ignore[arg-type]
    assert retriever.analyse("What capital did LTHT invest in 2024/25?").publishers == ["Leeds Teaching Hospitals NHS Trust"]
    assert set(retriever.analyse("How do LYPFT and LCH compare on turnover?").publishers) == {
        "Leeds and York Partnership NHS Foundation Trust",
        "Leeds Community Healthcare NHS Trust",
    }
    # initials that spell no publisher, and a glossary acronym, name none
    assert retriever.analyse("What did the LGA say about ICB oversight?").publishers == []
    assert retriever.analyse("What does the CQC rate Leeds trusts?").publishers == []


def test_a_publisher_named_without_its_legal_form_is_a_named_publisher() -> None:
    """People leave out "NHS Trust": "Leeds Teaching Hospitals' gender pay gap" names Leeds Teaching Hospitals NHS
    Trust, and its name leaves the topic. Fewer than two words left name nothing ("England", "Providers"); a name
    written in lower case inside a question with capitals is no name, nor is the start of a longer name; an ICB may
    be named by the acronym."""
    docs = [
        *TRUST_DOCS,
        DocumentInfo("i1", "i1", "Board papers", publisher="NHS West Yorkshire Integrated Care Board"),
        DocumentInfo("i2", "i2", "Annual report", publisher="NHS Kent and Medway"),
        *NAMED_DOCS,
    ]
    retriever = Retriever(FakeIndex([], [], docs), get_glossary())  # type: ignore[arg-type]
    query = retriever.analyse("What was Leeds Teaching Hospitals' mean gender pay gap?")
    assert query.publishers == ["Leeds Teaching Hospitals NHS Trust"]
    assert "teaching" not in query.terms and "hospitals" not in query.terms and "gap" in query.terms
    assert retriever.analyse("How large is Leeds and York Partnership's backlog?").publishers == [
        "Leeds and York Partnership NHS Foundation Trust"
    ]
    assert retriever.analyse("Who chairs the West Yorkshire ICB?").publishers == ["NHS West Yorkshire Integrated Care Board"]
    assert retriever.analyse("What did Kent and Medway ICB spend?").publishers == ["NHS Kent and Medway"]  # an ICB's own name
    assert retriever.analyse("What did Providers in England say?").publishers == []  # one word left of each name
    assert retriever.analyse("Did Leeds teams say what leeds community healthcare staff think?").publishers == []
    assert retriever.analyse("what did leeds community healthcare say?").publishers == ["Leeds Community Healthcare NHS Trust"]
    assert retriever.analyse("Is Leeds Community Healthcare Partnership a trust?").publishers == []  # a longer name
    assert retriever.analyse("Did South West Yorkshire ICB exist?").publishers == []  # ... before it too
    assert retriever.analyse("Leeds Teaching Hospitals said what?").publishers == ["Leeds Teaching Hospitals NHS Trust"]
    assert retriever.analyse("Was it Leeds. Teaching Hospitals had none?").publishers == []  # a sentence's end between
    assert retriever.analyse("North Leeds Teaching Hospitals said what?").publishers == []  # a name's first word before it
    for named in (
        "Did Leeds Teaching Hospitals report a deficit?",  # a word no name starts with, before it
        "In March Leeds Teaching Hospitals reported what?",
        "What did Leeds Teaching Hospitals' Board decide?",  # a capital after the name's possessive
        "What did Leeds Teaching Hospitals Trust's board decide?",  # a word the name left out, possessive
    ):
        assert retriever.analyse(named).publishers == ["Leeds Teaching Hospitals NHS Trust"], named
    assert retriever.analyse("What did Kent & Medway ICB spend?").publishers == ["NHS Kent and Medway"]  # "&" for "and"


NAMED_DOCS = [
    DocumentInfo("p1", "p1", "Written evidence submitted by NHS Providers (ICS0034)", "NHS Providers", "2022-09", "written evidence"),
    DocumentInfo("p2", "p2", "NHS Providers Hewitt Review – evidence submission", "NHS Providers", "2023-01-09", "written evidence"),
    DocumentInfo("c1", "c1", "The future of integrated care in England", "NHS Confederation", "2020-11", "report"),
    DocumentInfo("c2", "c2", "Written evidence submitted by NHS Confederation (ICS0011)", "NHS Confederation", "2022-10", "written evidence"),
    DocumentInfo("k1", "k1", "The first days of statutory integrated care systems", "The King's Fund", "2022-11", "analysis"),
]


def _named(question: str, publishers: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    generic = Retriever(FakeIndex([], [], NAMED_DOCS), get_glossary())._generic_words()  # type: ignore[arg-type]
    return documents_named(question, NAMED_DOCS, publishers, generic)


def test_documents_are_named_by_distinctive_title_words_and_years() -> None:
    assert _named("What did the Hewitt submission say about targets?") == (["p2"], ["Hewitt", "submission"])
    assert _named("Who did the first-days study speak to?") == (["k1"], ["first", "study", "days"])
    assert _named("What did the Confed's 2020 report find?", ["NHS Confederation"])[0] == ["c1"]
    assert _named("What did Patricia Hewitt recommend?")[0] == ["p2"]  # a proper name needs no source noun


def test_words_shared_by_documents_or_far_from_a_source_noun_name_none() -> None:
    assert _named("What do ICB leaders say about their first days in post?") == ([], [])
    assert _named("What does the evidence say about integrated care systems?") == ([], [])
    assert _named("What did the written evidence say?") == ([], [])  # every evidence document is written
    assert _named("What did the NHS Confederation's written evidence say?", ["NHS Confederation"])[0] == ["c2"]


def test_a_short_name_takes_overlapping_glossary_expansions_once() -> None:
    from assistant.glossary import Glossary

    glossary = Glossary(acronyms={"ICB": ["integrated care board"], "IC": ["integrated care"]})
    assert glossary.names_short("Who chairs West Yorkshire ICB", "NHS West Yorkshire Integrated Care Board") == [(11, 29)]
    assert glossary.names_short("Who chairs West Yorkshire IC", "NHS West Yorkshire Integrated Care Board") == []


def test_document_kinds_are_source_nouns_but_not_their_verbs_or_units() -> None:
    assert _named("What statutory duty accounts for most of their time?") == ([], [])
    assert _named("How many minutes of the first days study were spent on ICBs?")[0] == ["k1"]  # "study" names it


def test_a_publishers_initials_name_the_publisher_not_the_document_whose_title_has_them() -> None:
    """"LCH" is in one title ("LCH Workforce Strategy"), but it names the trust: "Who audits LCH's accounts?" must not
    narrow the trust's documents to its workforce strategy. The strategy's own words still name it."""
    docs = [
        DocumentInfo("w", "w", "LCH Workforce Strategy 2021-25", "Leeds Community Healthcare NHS Trust", "2021-10", "strategy"),
        DocumentInfo("a", "a", "Annual Report and Accounts 2024-2025", "Leeds Community Healthcare NHS Trust", "2025-06", "annual report"),
    ]
    publishers = ["Leeds Community Healthcare NHS Trust"]
    assert documents_named("Who audits LCH's accounts?", docs, publishers)[0] == []
    assert documents_named("What targets are in LCH's Workforce Strategy?", docs, publishers)[0] == ["w"]
    assert documents_named("What targets are in the LCH workforce strategy?", docs, publishers)[0] == ["w"]  # a source noun
    # initials of a publisher the question does not name stay a title's word
    council = DocumentInfo("c", "c", "Workforce Strategy 2024", "Leeds City Council", "2024", "strategy")
    assert documents_named("What does the LCH strategy say?", [docs[0], council], [])[0] == ["w"]


def test_a_named_document_narrows_its_publishers_scope_and_leaves_the_topic() -> None:
    retriever = Retriever(FakeIndex([], [], NAMED_DOCS), get_glossary())  # type: ignore[arg-type]
    query = retriever.analyse("What did NHS Providers' Hewitt submission say about national targets?")
    assert query.documents == ["p2"] and retriever._scoped_doc_ids(query, None) == [["p2"]]
    assert "hewitt" not in query.terms and "submission" not in query.terms and "targets" in query.terms
    query = retriever.analyse("Does NHS Providers agree with the first-days study on targets?")
    assert retriever._scoped_doc_ids(query, None) == [["p1", "p2"], ["k1"]]


def test_footnotes_are_down_weighted() -> None:
    note = Chunk(id="a0", doc_id="a.txt", index=0, start=0, end=10, text="[1] A reference.", section=FOOTNOTES_SECTION)
    chunks = [note, _chunk("b0", "b.txt")]
    retriever = Retriever(FakeIndex(chunks, chunks, DOCS), get_glossary())  # type: ignore[arg-type]
    assert [p.chunk.id for p in retriever.search(retriever.analyse("targets"), top_k=5)] == ["b0", "a0"]


def test_a_wider_pool_is_not_capped_per_document() -> None:
    many_a = [_chunk(f"a{i}", "a.txt") for i in range(12)]
    index = FakeIndex(dense=many_a + [_chunk("b0", "b.txt")], lexical=many_a + [_chunk("c0", "c.txt")], docs=DOCS)
    retriever = Retriever(index, get_glossary())  # type: ignore[arg-type]
    pool = retriever.search(retriever.analyse("national targets"), top_k=20)
    assert sum(p.chunk.doc_id == "a.txt" for p in pool) == 12  # the long document's later chunks all reach the pool
    assert [p.chunk.id for p in pool if p.chunk.doc_id == "a.txt"] == [f"a{i}" for i in range(12)]  # in fused order


def test_fusion_weights_decide_which_list_leads() -> None:
    found = Candidates({"dense": [[_chunk("d", "a.txt")]], "lexical": [[_chunk("l", "b.txt")]], "sentence": [[]], "scoped": []})
    lexical_led = fuse(found, FusionWeights((0.25, 1.0, 0.5, 0.7)))
    assert lexical_led["l"] == pytest.approx(4 * lexical_led["d"])
    dense_led = fuse(found, FusionWeights((2.0, 1.0, 0.5, 0.7)))
    assert max(dense_led, key=dense_led.get) == "d"
    silent = fuse(found, FusionWeights((0.0, 1.0, 0.5, 0.7)))
    assert silent["d"] == 0.0


def test_the_shipped_fusion_weights_say_what_fitted_them() -> None:
    weights = fusion_weights()
    assert len(weights.weights) == len(CANDIDATE_LISTS) and all(w >= 0 for w in weights.weights)
    assert "eval/sets/seed-dev.jsonl" in weights.trained_on and "eval/sets/devcorpus-dev.jsonl" in weights.trained_on


@pytest.mark.parametrize(
    "content, why",
    [
        ("{not json", "Expecting"),
        ('{"lists": ["dense", "lexical"], "weights": [1, 1]}', "fitted for lists"),
        ('{"lists": ["dense", "lexical", "sentence", "scoped"], "weights": [1, -1, 1, 1]}', "non-negative"),
        ('{"lists": ["dense", "lexical", "sentence", "scoped"]}', "missing key 'weights'"),
        ('{"lists": ["dense", "lexical", "sentence", "scoped"], "weights": [1, 1, NaN, 0.7]}', "finite"),
    ],
)
def test_bad_fusion_weights_get_one_clear_line(tmp_path, content: str, why: str) -> None:
    path = tmp_path / "fusion.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        FusionWeights.load(path)
    message = str(err.value)
    assert why in message and "git checkout -- assistant/data/fusion.json" in message and "\n" not in message
    with pytest.raises(ConfigError, match="Cannot read the fusion weights"):
        FusionWeights.load(tmp_path / "missing.json")


def test_content_terms_and_stems() -> None:
    assert content_terms("What do the ICBs say about the targets?") == ["icbs", "targets"]
    assert stem("boards") == stem("board") and stem("ICPs") == "icp" and stem("inspected") == "inspect"


def test_stems_are_lemmas_so_irregular_forms_meet() -> None:
    assert stem("spoke") == stem("speak") == stem("spoken")
    assert stem("services") == stem("service") and stem("issues") == stem("issue")
    assert stem("ICSs") == stem("ICS") == "ics" and stem("icss") == "ics"
    assert stem("boss") == "boss"  # a vowel before "ss": an English word, not an acronym's plural ("bos")


def test_bm25_terms_carry_irregular_forms() -> None:
    assert {"spoke", "spoken"} <= set(lexical_terms(["speak"]))
    assert "told" in lexical_terms(["tell"]) and "held" in lexical_terms(["hold"])
    assert lexical_terms(["board", "integrated care board"]) == ["board", "integrated care board"]  # regular: porter does it


def test_a_thin_topic_embeds_the_whole_question() -> None:
    retriever = Retriever(FakeIndex([], [], NAMED_DOCS), get_glossary())  # type: ignore[arg-type]
    query = retriever.analyse("On what date did NHS Providers send its evidence to the Hewitt Review?")
    assert query.terms == ["date", "send"]
    assert "NHS Providers" in query.embed_text and "evidence" in query.embed_text


# filters ----------------------------------------------------------------------------------
def test_bad_dates_are_refused() -> None:
    assert validate_date("2022-10", "--since") == "2022-10"
    for bad in ("2022-13", "22", "October 2022", "2022/10"):
        with pytest.raises(FilterError):
            validate_date(bad, "--since")


def test_filter_matching_nothing_is_an_error() -> None:
    retriever = Retriever(FakeIndex([], [], DOCS), get_glossary())  # type: ignore[arg-type]
    with pytest.raises(FilterError, match="No indexed document"):
        retriever.allowed(Filters(publishers=("Nobody",)))


def test_filters_restrict_every_list() -> None:
    chunks = [_chunk("a0", "a.txt"), _chunk("b0", "b.txt"), _chunk("c0", "c.txt")]
    retriever = Retriever(FakeIndex(chunks, chunks, DOCS), get_glossary())  # type: ignore[arg-type]
    passages = retriever.search(retriever.analyse("targets"), Filters(publishers=("Confederation",)), top_k=5)
    assert {p.chunk.doc_id for p in passages} == {"b.txt"}


# reranker seam --------------------------------------------------------------------------
class StandInReranker:
    """Deterministic stand-in for a cross-encoder: prefers texts containing a keyword."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.calls = 0

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        self.calls += 1
        return [1.0 if self.keyword in t else 0.0 for t in texts]


def test_reranker_seam_reorders_the_head() -> None:
    chunks = [_chunk(f"a{i}", DOCS[i % 3].doc_id, f"text {i}" + (" special" if i == 7 else "")) for i in range(9)]
    plain = Retriever(FakeIndex(chunks, chunks, DOCS), get_glossary())  # type: ignore[arg-type]
    reranker = StandInReranker("special")
    reranked = Retriever(FakeIndex(chunks, chunks, DOCS), get_glossary(), reranker=reranker)  # type: ignore[arg-type]
    before = [p.chunk.id for p in plain.search(plain.analyse("anything at all"), top_k=5)]
    after = [p.chunk.id for p in reranked.search(reranked.analyse("anything at all"), top_k=5)]
    assert reranker.calls == 1
    assert after.index("a7") < before.index("a7")
    assert sorted(after) == sorted(before)


def test_rerank_order_blends_by_rank() -> None:
    assert rerank_order(["a", "b", "c"], [0.0, 0.0, 1.0], blend=1.0)[0] == "c"
    assert rerank_order(["a", "b", "c"], [0.0, 0.0, 1.0], blend=0.0) == ["a", "b", "c"]


def test_reranker_off_by_default_and_bad_model_is_a_config_error(tmp_path) -> None:
    from assistant.config import Settings
    from assistant.errors import ConfigError
    from assistant.retrieve import make_reranker

    assert make_reranker(Settings()) is None
    with pytest.raises(ConfigError, match="reranker"):
        make_reranker(Settings(reranker=str(tmp_path / "no-such-model")))


# the real index --------------------------------------------------------------------------
@pytest.mark.slow
def test_hybrid_retrieval_on_seed_index(seed_assistant) -> None:
    retriever, _ = seed_assistant._ready()
    passages = retriever.search(retriever.analyse("Who is an ICB accountable to?"), top_k=5)
    assert len({p.doc.doc_id for p in passages[:5]}) >= 2
    assert any(p.dense_rank for p in passages) and any(p.lexical_rank for p in passages)
    text = {p.doc.doc_id: seed_assistant.index.text(p.doc.doc_id) for p in passages}
    assert all(text[p.doc.doc_id][p.chunk.start : p.chunk.end] == p.chunk.text for p in passages)


@pytest.mark.slow
def test_expansion_finds_acronym_passages_on_seed_index(seed_assistant) -> None:
    """"voluntary, community and social enterprise" finds the passages that say only "VCSE"."""
    retriever, _ = seed_assistant._ready()
    passages = retriever.search(retriever.analyse("What role do voluntary, community and social enterprise organisations play?"), top_k=5)
    assert any("VCSE" in p.chunk.text for p in passages[:5])
