"""The Assistant: resolve follow-ups -> analyse the question once (question.py) -> retrieve (retrieve.py) -> score the
evidence (scoring.py) -> decline (declining.py) or compose, extractive or LLM, and verify (composing.py) -> Answer.

Heavy objects (Index, embedder, reranker, sentence vectors) are created once per Assistant and shared;
`ask` keeps all per-question state on the stack, so concurrent sessions (Streamlit threads) are safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.caches import SizedCache
from assistant.casing import Recaser, names_in
from assistant.composing import Draft, closest_citations, compose_extractive, compose_llm, with_caveat, with_context
from assistant.config import Settings
from assistant.declining import (
    abstention_message,
    caveat,
    decline_checks,
    decline_model_for,
    decline_reasons,
    declines,
    doubt_features,
)
from assistant.errors import AssistantError
from assistant.glossary import Glossary, get_glossary
from assistant.index import Index
from assistant.question import Question, read_question
from assistant.ranking import rank_passages, ranker_for
from assistant.retrieve import Reranker, Retriever, fusion_weights, make_reranker
from assistant.rewrite import history_questions, points_back_only, resolve
from assistant.scoring import ANCHOR_REACH, EVIDENCE_POOL, Evidence, score_evidence, scorer_for, select
from assistant.sentences import SentenceBank
from assistant.spelling import Speller
from assistant.types import Answer, AnswerSentence, Filters, Passage

CITED_KEPT = 64  # answers whose cited spans are kept, so a follow-up does not draft the answer it follows again


class Assistant:
    """Answers questions from the indexed documents with exact citations. Create once, share across threads."""

    def __init__(
        self,
        settings: Settings | None = None,
        index: Index | None = None,
        reranker: Reranker | None = None,
        glossary: Glossary | None = None,
        explain: bool = False,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.explain = explain  # also compose the answer a decline withheld (Answer.withheld), for eval
        self._index = index
        self._reranker = reranker
        self.glossary = glossary or get_glossary()
        self._retriever: Retriever | None = None
        self._bank: SentenceBank | None = None
        self._init_lock = threading.Lock()
        # (retriever.documents() they were read from, the speller, the recaser)
        self._spelling: tuple[dict[str, Any], Speller, Recaser] | None = None
        # (questions up to this one, filters, k, the documents) -> the spans its extractive answer cited (_anchors)
        self._cited: SizedCache[list[tuple[str, int, int]]] = SizedCache(CITED_KEPT, lambda _: 1)

    # lazily built, shared parts -------------------------------------------------
    def _ready(self) -> tuple[Retriever, SentenceBank]:
        """Open the index and load models on first use (once, whichever thread gets here first)."""
        if self._retriever is None or self._bank is None:
            with self._init_lock:
                if self._retriever is None or self._bank is None:
                    fusion_weights()  # a bad weights file is a configuration error now, not at the first question
                    ranker_for(self.settings.ranker)  # ... and so is a bad ranker, decline model or sentence scorer
                    decline_model_for(self.settings.decliner)
                    index = self._index or Index(self.settings)
                    reranker = self._reranker or make_reranker(self.settings)
                    self._index = index
                    self._bank = SentenceBank(index, index.embedder)
                    scorer_for(self.settings.scorer, bool(getattr(index.embedder, "tuned", False)))
                    self._retriever = Retriever(index, self.glossary, reranker, self._bank)
        return self._retriever, self._bank

    @property
    def index(self) -> Index:
        return self._ready()[0].index

    def warm_up(self) -> int:
        """Load models and embed every sentence of the corpus now, so no question pays for it; returns sentences embedded."""
        retriever, bank = self._ready()
        retriever.index.dense(retriever.index.embed_query("warm up"), 1)  # reads the chunk vectors an exact search keeps
        self.speller()
        return bank.warm(list(retriever.documents().values()))

    def speller(self) -> Speller:
        """The indexed documents' words, read once for each set of documents (assistant/spelling.py)."""
        return self._spellers()[1]

    def recaser(self) -> Recaser:
        """The indexed documents' capitals, looked up for each set of documents (assistant/casing.py)."""
        return self._spellers()[2]

    def _spellers(self) -> tuple[dict[str, Any], Speller, Recaser]:
        retriever, bank = self._ready()
        docs = retriever.documents()  # the same dict until an ingest's refresh()
        spelling = self._spelling
        if spelling is None or spelling[0] is not docs:
            index = retriever.index
            speller = Speller(bank.idf(list(docs.values())), lambda: (index.text(doc_id) for doc_id in docs))
            publishers = retriever.publishers()

            def names(text: str) -> list[tuple[str, int, int]]:
                return [*self.glossary.names_written(text), *names_in(text, publishers)]

            spelling = (docs, speller, Recaser(index.docs.phrase_texts, names))
            self._spelling = spelling
        return spelling

    def mended(self, question: str, history: Sequence[Any] | None) -> tuple[str, list[Any] | None]:
        """The question and the user's earlier questions with their typing slips mended (assistant/spelling.py) and,
        typed in lower case, written with the documents' capitals (assistant/casing.py); an assistant's turns in the
        history are kept as they are."""
        history = None if history is None else list(history)
        fixers: list[Callable[[str], str]] = []
        if self.settings.mend_slips:
            fixers.append(self.speller().correct)
        if self.settings.restore_case:  # after mending: a slipped word is found, and cased, as the word it was meant to be
            fixers.append(self.recaser().recase)
        if not fixers:
            return question, history

        def fix(text: str) -> str:
            for step in fixers:
                text = step(text)
            return text

        def mend(item: Any) -> Any:
            if isinstance(item, str):
                return fix(item)
            if isinstance(item, dict) and item.get("role") in (None, "user", "human"):
                return {**item, **{k: fix(v) for k in ("question", "content") if isinstance(v := item.get(k), str)}}
            return item

        return fix(question), None if history is None else [mend(item) for item in history]

    def refresh(self) -> None:
        """Forget cached document details after an ingest (sentence vectors are keyed by span and content)."""
        if self._retriever is not None:
            self._retriever.refresh()

    # asking ------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        filters: Filters | None = None,
        top_k: int | None = None,
        on_token: Callable[[str], None] | None = None,
        id: str | None = None,  # noqa: A002 - the batch contract's field name
    ) -> Answer:
        """Answer a question (optionally a follow-up to `history`) from the indexed documents."""
        question = (question or "").strip()
        if not question:
            raise AssistantError("The question is empty; ask something about the documents.")
        started = time.perf_counter()
        k = top_k or self.settings.top_k
        asked = question  # as typed: what the answer shows was asked
        question, history = self.mended(question, history)
        analysed = self.analyse(question, history)
        anchors = self._anchors(analysed, history, filters, k) if history else []
        if not history_questions(history) and points_back_only(question):
            # "Who said that?" with nothing before it: any answer would be about a guessed topic (the passages are still reported)
            passages, _ = self._retrieve(analysed, filters, k, anchors)
            retrieved = time.perf_counter()
            message = f"There is no earlier question for “{question}” to point back to; ask it in full, naming what it is about."
            draft = Draft(message, [AnswerSentence(message, [], True)], [], abstained=True)
        else:
            # the draft _anchors makes when a follow-up comes next, kept; its key first: an ingest while drafting must
            # not file it under the new documents
            kept = not anchors and self.settings.llm == "none"
            key = self._cited_key([*history_questions(history), question], filters, k) if kept else ()
            passages, draft, retrieved = self._draft(analysed, filters, k, anchors, on_token, self.settings.llm != "none")
            if kept:
                self._remember(key, draft)
        done = time.perf_counter()
        return Answer(
            question=asked,
            answer=draft.answer,
            abstained=draft.abstained,
            sentences=draft.sentences,
            citations=draft.citations,
            passages=passages[: max(10, k)],
            timings_ms={"retrieve": (retrieved - started) * 1000, "answer": (done - retrieved) * 1000, "total": (done - started) * 1000},
            id=id,
            resolved_question=analysed.text if analysed.text != asked else None,
            mode="extractive" if self.settings.llm == "none" else self.settings.llm,
            closest=draft.closest,
            checks=draft.checks,
            withheld=draft.withheld,
            doubt=draft.doubt,
        )

    def analyse(self, question: str, history: Sequence[Any] | None = None) -> Question:
        """The question resolved against the history (a follow-up made standalone) and analysed once, as `ask` does."""
        question = question.strip()
        return self._question(question, self._resolve(question, history, self._ready()[0]))

    def pool(
        self, question: str, history: Sequence[Any] | None = None, k: int | None = None
    ) -> tuple[Question, list[Passage], list[Evidence]]:
        """The analysed question, the fused pool of passages `ask` ranks (fused order) and its scored sentences
        (for training the passage ranker and the sentence scorer)."""
        k = k or self.settings.top_k
        question, history = self.mended(question, history)
        analysed = self.analyse(question, history)
        anchors = self._anchors(analysed, history, None, k) if history else []
        fused, evidence = self._pool(analysed, None, k, anchors)
        return analysed, fused, evidence

    def _question(self, asked: str, resolved: str) -> Question:
        """The question analysed once (see assistant.question): what retrieval, scoring and declining read."""
        retriever, bank = self._ready()
        idf = bank.idf(list(retriever.documents().values()))
        return read_question(asked, resolved, retriever.analyse(resolved), self.glossary, idf)

    def _draft(
        self,
        question: Question,
        filters: Filters | None,
        k: int,
        anchors: Sequence[tuple[str, int, int]],
        on_token: Callable[[str], None] | None,
        use_llm: bool,
    ) -> tuple[list[Passage], Draft, float]:
        """Retrieve for the resolved question and compose (or decline): the passages (cited first), the draft, and
        when retrieval finished (perf_counter)."""
        passages, evidence = self._retrieve(question, filters, k, anchors)
        retrieved = time.perf_counter()
        top = passages[:k]
        top_ids = {p.chunk.id for p in top}
        answer_evidence = [e for e in evidence if e.passage.chunk.id in top_ids or _within(e, top)]
        draft = self._compose(question, top, passages, answer_evidence, evidence, self._ready()[1], on_token, use_llm)
        return _cited_first(passages, draft.citations), draft, retrieved

    def _resolve(self, question: str, history: Sequence[Any] | None, retriever: Retriever) -> str:
        """The standalone question: deterministic rewrite, or the LLM's condense() when one is configured."""
        if history and self.settings.llm != "none":
            from assistant import llm  # lazy: optional dependencies

            condensed = (llm.condense(question, list(history), self.settings) or "").strip()
            if condensed:
                return condensed
        return resolve(question, history, self.glossary, retriever.publishers())

    def _anchors(self, question: Question, history: Sequence[Any], filters: Filters | None, k: int) -> list[tuple[str, int, int]]:
        """The spans the previous answer cited, for any question asked after another that names no body of its own (nor
        a publisher, by name or by its initials: "What rating did LCH get ...?"):
        a follow-up the rewrite did not resolve ("How had turnover changed under the previous strategy?") leans on it
        too. The scorer's anchor features weigh them; an unrelated question is not pulled off topic (eval/README.md,
        round eight: the sets eval/sets/*-uh.jsonl)."""
        earlier = history_questions(history)
        if not earlier or self.glossary.organisation_spans(question.asked):
            return []
        own = question.query if question.text == question.asked else self._ready()[0].analyse(question.asked)  # its own words
        if own.publishers:
            return []
        # the previous answer's extractive citations (what the user just read, in extractive mode), without its own anchors
        key = self._cited_key(earlier, filters, k)
        cited = self._cited.get(key)
        if cited is None:
            previous = self._question(earlier[-1], resolve(earlier[-1], earlier[:-1], self.glossary, self._ready()[0].publishers()))
            _, draft, _ = self._draft(previous, filters, k, [], None, use_llm=False)
            cited = self._remember(key, draft)
        return list(cited)

    def _cited_key(self, questions: Sequence[str], filters: Filters | None, k: int) -> tuple[Any, ...]:
        """What a question's answer without anchors depends on: it and the questions before it, the filters, k and
        the documents indexed (an ingest makes every answer new)."""
        documents = frozenset((d.doc_id, d.content_hash) for d in self._ready()[0].documents().values())
        scope = (tuple(filters.documents), tuple(filters.publishers), tuple(filters.kinds), filters.since, filters.until) if filters else None
        return (tuple(questions), scope, k, len(documents), hash(documents))  # not the set: 64 keys of 5,000 documents

    def _remember(self, key: tuple[Any, ...], draft: Draft) -> list[tuple[str, int, int]]:
        """Keep the spans a draft cited (the CITED_KEPT answers used last) and return them."""
        return self._cited.put(key, [(c.doc_id, c.start, c.end) for c in draft.citations])

    def _retrieve(
        self, question: Question, filters: Filters | None, k: int, anchors: Sequence[tuple[str, int, int]] = ()
    ) -> tuple[list[Passage], list[Evidence]]:
        """Hybrid candidates, scored by their sentences and ranked (ranking.py); plus the scored sentences."""
        fused, evidence = self._pool(question, filters, k, anchors)
        passages = rank_passages(question, fused, evidence, ranker_for(self.settings.ranker))
        if len(question.query.publishers) >= 2:
            passages = _each_publisher_shown(passages, question.query.publishers, k)
        for rank, p in enumerate(passages, start=1):
            p.rank = rank
        return passages, evidence

    def _pool(
        self, question: Question, filters: Filters | None, k: int, anchors: Sequence[tuple[str, int, int]] = ()
    ) -> tuple[list[Passage], list[Evidence]]:
        """The fused pool of passages (in fused order; those near a follow-up's anchors last) and its scored sentences."""
        retriever, bank = self._ready()
        vector = np.asarray(retriever.index.embed_query(question.query.embed_text), dtype=np.float32)
        fused = retriever.search(question.query, filters, max(k, EVIDENCE_POOL), self.settings.candidates, vector.tolist())
        fused += self._near_anchors(fused, anchors)
        scorer = scorer_for(self.settings.scorer, bool(getattr(bank.embedder, "tuned", False)))
        # a resolved follow-up's own words ("And what's planned for 2025/26?") are also compared, apart from its topic
        asked = np.asarray(retriever.index.embed_query(question.asked), dtype=np.float32) if question.asked != question.text else None
        return fused, score_evidence(question, vector, fused, bank, self.glossary, anchors, scorer, asked)

    def _near_anchors(self, fused: list[Passage], anchors: Sequence[tuple[str, int, int]]) -> list[Passage]:
        """Passages near the anchors that the search did not return, ranked after it."""
        retriever, bank = self._ready()
        docs = retriever.documents()
        have = {p.chunk.id for p in fused}
        extra: list[Passage] = []
        for doc_id, start, end in anchors:
            doc = docs.get(doc_id)
            for chunk in bank.chunks_near(doc, start, end, ANCHOR_REACH) if doc else []:
                if chunk.id not in have:
                    have.add(chunk.id)
                    extra.append(Passage(len(fused) + len(extra) + 1, chunk, doc, 0.0))
        return extra

    def _compose(
        self,
        question: Question,
        top: list[Passage],
        pool: list[Passage],
        evidence: list[Evidence],
        all_evidence: list[Evidence],
        bank: SentenceBank,
        on_token: Callable[[str], None] | None,
        use_llm: bool,
    ) -> Draft:
        """Abstain when the evidence cannot answer; else compose extractively or through the LLM seam."""
        index = self.index
        retriever = self._ready()[0]
        found = decline_checks(question, pool, evidence, retriever, bank, self.glossary)
        model = decline_model_for(self.settings.decliner)
        doubt = ()  # what a decline model reads: worked out when one decides, or for eval (explain)
        if model is not None or self.explain:
            doubt = doubt_features(question, evidence, found, bank, self.glossary, bank.idf(list(retriever.documents().values())))
        # with a decline model the checks' findings are among what it reads, and its finding alone decides
        checks = found if model is None else {"doubt": model.doubt(doubt) >= model.threshold}
        reasons = decline_reasons(question, found)
        if declines(checks):
            message = abstention_message(question.text, reasons=reasons)
            closest = closest_citations(evidence or all_evidence, index)
            if closest:
                message += " The closest passages are listed separately."
            withheld = None
            if self.explain and evidence:  # what the answer would have been (for measuring each check)
                chosen = select(evidence, question)
                withheld = compose_extractive(with_context(chosen, bank), index)
            return Draft(
                message, [AnswerSentence(message, [], True)], [], abstained=True, closest=closest, checks=checks, withheld=withheld,
                doubt=doubt,
            )
        if use_llm:
            draft = compose_llm(question.text, top, self.settings, index, bank, self._similarity, on_token)
        else:
            draft = compose_extractive(with_context(select(evidence, question), bank), index)
        draft.checks, draft.doubt = checks, doubt
        return with_caveat(draft, caveat(question, found))

    def _similarity(self, sentence: str, evidence: Sequence[str]) -> float:
        """Best cosine between a generated sentence and the cited texts (verification of LLM output)."""
        vectors = np.asarray(self.index.embedder.embed([sentence, *evidence]), dtype=np.float32)
        return float(np.max(vectors[1:] @ vectors[0])) if len(vectors) > 1 else 0.0


def _cited_first(passages: list[Passage], citations: Sequence[Any]) -> list[Passage]:
    """Passages holding cited spans move to the front in order of first citation: one passage per cited span, then
    the other (overlapping) passages holding a cited span, so two chunks of one quote cannot push a later source out
    of the top k; the uncited passages follow in retrieval order."""
    uncited = len(citations) + 1

    def first_citation(p: Passage) -> int:
        hits = [c.n for c in citations if c.source == p.doc.source and p.chunk.start <= c.start and c.end <= p.chunk.end]
        return min(hits) if hits else uncited

    cited = {p.chunk.id: first_citation(p) for p in passages}
    order = sorted(passages, key=lambda p: (cited[p.chunk.id], p.rank))
    holder: dict[int, str] = {}  # citation -> the first passage holding it
    for p in order:
        holder.setdefault(cited[p.chunk.id], p.chunk.id)
    # 0: the first holder of a citation, 1: another holder, 2: uncited (stable sort keeps the order within each)
    order.sort(key=lambda p: 2 if cited[p.chunk.id] == uncited else 0 if holder[cited[p.chunk.id]] == p.chunk.id else 1)
    for rank, p in enumerate(order, start=1):
        p.rank = rank
    return order


def _each_publisher_shown(passages: list[Passage], publishers: Sequence[str], k: int) -> list[Passage]:
    """A question naming several publishers gets each one's best passage into the top k, then a fair share of it
    (ceil(k / n) places each, "Compare A and B": 3 and 2 of 5) where a side has more passages to show; the last
    places of publishers over the share give way, so a comparison can quote and show every side. (Neutral on hit@5
    on both corpora; kept because a comparison that cites one side only is no answer, which hit@5 does not see.)"""
    head, tail = list(passages[:k]), list(passages[k:])
    counts = Counter(p.doc.publisher for p in head)
    for share in (1, math.ceil(k / len(publishers))):
        for publisher in publishers:
            while counts[publisher] < share:
                best = next((p for p in tail if p.doc.publisher == publisher), None)
                victim = next((p for p in reversed(head) if counts[p.doc.publisher] > share), None)
                if best is None or victim is None:
                    break
                head[head.index(victim)] = best
                tail.remove(best)
                tail.insert(0, victim)
                counts[publisher] += 1
                counts[victim.doc.publisher] -= 1
    return head + tail


def _within(e: Evidence, passages: Sequence[Passage]) -> bool:
    """The sentence lies (mostly) inside one of the passages (it was first found in an overlapping one)."""
    s = e.sentence
    return any(p.chunk.doc_id == s.doc_id and p.chunk.start <= s.start and s.end <= p.chunk.end for p in passages)
