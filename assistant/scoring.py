"""Evidence scoring: every sentence of the retrieved passages scored against the question, passages re-ranked
by their best sentence, and the 3-6 sentences an answer quotes selected.

A sentence's score comes from its features (SCORER_FEATURES: cosine to the question, resolved and as asked,
IDF-weighted word overlap of it and its neighbours, the retriever's rank, a named source, a figure, nearness to
what a previous answer cited and being one of those cited spans, how much it reads like a summary of its whole
document) through the learned SentenceScorer
(assistant/data/sentence_scorer.json, fitted listwise on both corpora's dev questions by eval/train_scorer.py, which
stores a fit only if each corpus's fit beats the hand-set weights on the other) or the hand-set weights
(ASSISTANT_SCORER=hand).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.cite import Sentence, figure_core, figures, has_figure, names_month, quantities
from assistant.fitted import Kind, named_fit, read_fit
from assistant.glossary import Glossary
from assistant.question import Question
from assistant.retrieve import Query, content_stems
from assistant.sentences import SentenceBank
from assistant.types import DocumentInfo, Passage

SEMANTIC_WEIGHT = 0.3  # sentence score = this share of cosine to the question + the rest of (IDF-weighted) word overlap
# A model fine-tuned on questions about the corpus (`ingest tune`) ranks sentences well enough to be trusted more
# (held-out correct 0.841 at 0.3 -> 0.866 at 0.5); with the packaged model 0.5 costs (dev correct 0.755 -> 0.744).
TUNED_SEMANTIC_WEIGHT = 0.5
RANK_PRIOR_WEIGHT = 0.08  # a little trust in the retriever's order of passages
NUMERIC_BONUS = 0.12  # numeric questions favour sentences carrying figures/dates
PUBLISHER_BONUS = 0.15  # a question naming who said it ("according to NHS Providers") wants that publisher's words
CONTEXT_SHARE = 0.7  # a sentence gets this share of the word overlap of it and its neighbours ("The programme aims to ...")
# A follow-up leaning on the previous answer ("Why did that happen?") usually wants what lies next to what that
# answer cited: its sentences within ANCHOR_REACH characters either side of a cited span, other than those cited,
# score ANCHOR_BONUS more (dev, 84 follow-ups: correct 0.548 -> 0.619; lifting the cited ones too gave 0.571).
ANCHOR_BONUS = 0.1
ANCHOR_REACH = 1000
EVIDENCE_POOL = 20  # fused passages whose sentences are scored
PASSAGE_EVIDENCE_WEIGHT = 0.9  # vs the fused rank, when re-ordering passages (tuned on dev: 0.8 gave hit@5 0.878, 0.9 gives 0.902)
# selection
MIN_SENTENCES, MAX_SENTENCES = 3, 6
RELATIVE_FLOOR = 0.75  # after the minimum, keep sentences scoring at least this share of the best
DUPLICATE_COSINE = 0.88  # near-duplicates (the same point made twice) are dropped
DUPLICATE_JACCARD = 0.6
COMPARISON_FLOOR = 0.75  # a document's best sentence joins a comparison if within this share of the best
COMPARISON_EACH = 2  # sentences each side of a comparison gets (when strong enough) before the rest are filled by score
COMPARISON_NEXT_FLOOR = 0.7  # ... its second one joining when within this share of the best (RELATIVE_FLOOR before)
YEAR = re.compile(r"\b(19|20)\d\d(/\d\d)?\b")


@dataclass
class Evidence:
    """A candidate sentence with its scores and the best-ranked passage it was found in."""

    sentence: Sentence
    passage: Passage
    semantic: float
    lexical: float
    score: float
    vector: np.ndarray = field(repr=False)
    features: tuple[float, ...] = ()  # SCORER_FEATURES, what `score` was computed from
    stems: frozenset[str] = field(default=frozenset(), repr=False)  # its content stems (with glossary expansions)


# What a sentence's score is computed from (see SentenceScorer). lexical is the IDF-weighted share of the
# question's words the sentence holds, or CONTEXT_SHARE of what it and its neighbours hold if more.
SCORER_FEATURES = (
    "semantic",  # cosine of sentence and question
    "lexical",  # max(own, CONTEXT_SHARE * context)
    "own_lexical",  # IDF-weighted share of the question's words in the sentence alone
    "context_lexical",  # ... in the sentence and its neighbours
    "coverage",  # unweighted share of the question's distinct words in the sentence
    "prior",  # 1 for the best-ranked passage, falling to 0 for the last
    "named",  # the sentence's document is from a source the question names
    "figure",  # a figure/date question and the sentence holds a new one
    "anchor",  # near what the previous answer cited (a follow-up leaning on it)
    "repeated",  # one of the spans the previous answer cited: the user has just read it
    "asked_semantic",  # cosine of sentence and the question as asked (a follow-up's own words, before it is resolved)
    "short",  # 1 / words: headings and fragments are short
    "central",  # cosine of the sentence and its document's centroid: says what the whole document says, not a point
)
SCORER_PATH = Path(__file__).resolve().parent / "data" / "sentence_scorer.json"
SCORER = Kind("the sentence scorer", "eval.train_scorer", "ASSISTANT_SCORER", "hand")


@dataclass(frozen=True)
class SentenceScorer:
    """A sentence's score from its features: a weighted sum (through the logistic function if the stored file says
    "logistic": true, as a pointwise fit's does).

    The learned weights live in assistant/data/sentence_scorer.json with what they were trained on
    (`eval/train_scorer.py` writes it); without that file the hand-set weights below apply."""

    weights: tuple[float, ...]
    bias: float = 0.0
    logistic: bool = False
    about: str = "hand-set weights"

    def __call__(self, features: Sequence[float]) -> float:
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if self.logistic else z

    @classmethod
    def hand(cls, semantic_weight: float) -> SentenceScorer:
        return cls((semantic_weight, 1 - semantic_weight, 0, 0, 0, RANK_PRIOR_WEIGHT, PUBLISHER_BONUS, NUMERIC_BONUS, ANCHOR_BONUS, 0, 0, 0, 0))

    @classmethod
    def load(cls, path: Path = SCORER_PATH) -> SentenceScorer | None:
        """The learned scorer stored at `path` (None if there is none); ConfigError (one line) if it is malformed."""
        if not path.exists():
            return None
        fit = read_fit(path, SCORER, SCORER_FEATURES, ("weights",), ("bias",))
        return cls(fit["weights"], fit["bias"], bool(fit["data"].get("logistic", True)), str(fit["data"].get("trained_on", "")))


@functools.cache
def scorer_for(setting: str, tuned: bool) -> SentenceScorer:
    """The scorer Settings.scorer names: a weights file, "hand", or (empty) the shipped learned one if there is one.
    The shipped one was fitted on tuned models' cosines (each corpus's from the model tuned on the other's questions;
    eval/README.md, round seven) and serves the packaged model too (CI's quick gate measures both). Without a learned
    one, a tuned model's cosines weigh TUNED_SEMANTIC_WEIGHT."""
    path = named_fit(setting, SCORER, SCORER_PATH)
    learned = SentenceScorer.load(path) if path else None
    return learned or SentenceScorer.hand(TUNED_SEMANTIC_WEIGHT if tuned else SEMANTIC_WEIGHT)


def score_evidence(
    question: Question,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    bank: SentenceBank,
    glossary: Glossary,
    anchors: Sequence[tuple[str, int, int]] = (),
    scorer: SentenceScorer | None = None,
    asked_vector: np.ndarray | None = None,
) -> list[Evidence]:
    """Score every evidence sentence of the passages against the question, best first.

    `anchors` are the spans (doc id, start, end) the previous answer cited, for a follow-up that leans on it:
    sentences near one (not that one) score higher. `asked_vector` embeds a resolved follow-up as the user wrote it
    ("And what's planned for 2025/26?"), apart from the topic it was resolved against; None for any other question.
    `scorer` turns the features into the score (default: the learned one where it exists, else the hand-set weights)."""
    seen: dict[tuple[str, int, int], tuple[Sentence, Passage]] = {}
    for passage in passages:
        for s in bank.in_passage(passage):
            if not s.heading:
                seen.setdefault((s.doc_id, s.start, s.end), (s, passage))
    if not seen:
        return []
    items = list(seen.values())
    vectors = bank.vectors([s for s, _ in items], {p.doc.doc_id: p.doc for p in passages})
    semantic = vectors @ question_vector
    asked = semantic if asked_vector is None else vectors @ asked_vector  # a follow-up's own words, unresolved
    weight = question.weights
    wanted = set(weight)
    total = math.fsum(weight.values())  # exact sums: a set's order (hash seed) never breaks a tie
    n_passages = max(len(passages), 1)
    scorer = scorer or scorer_for("", bool(getattr(bank.embedder, "tuned", False)))
    numeric, given = question.numeric, question.given
    named = named_sources(question.query, passages)
    out = []
    for (sentence, passage), vector, sem, asked_sem in zip(items, vectors, semantic, asked, strict=True):
        have = bank.stems(sentence, glossary)
        own = math.fsum(weight[w] for w in wanted & have) / total if total else 0.0
        context = own
        if total:  # what a sentence is about is often named in the one before it ("QUIT ... The programme aims to ...")
            around = frozenset().union(*(bank.stems(s, glossary) for s in bank.neighbours(sentence, passage.doc)))
            context = math.fsum(weight[w] for w in wanted & around) / total
        lexical = max(own, CONTEXT_SHARE * context)
        features = (
            float(sem), lexical, own, context, len(wanted & have) / len(wanted) if wanted else 0.0,
            1.0 - (passage.rank - 1) / n_passages, float(is_named(passage.doc, named)),
            float(bool(numeric) and answers_numeric(numeric, sentence.text, given)), float(_near_anchor(sentence, anchors)),
            float(_on_anchor(sentence, anchors)), float(asked_sem), 1.0 / max(len(sentence.text.split()), 1),
            float(vector @ bank.centroid(passage.doc)),
        )  # fmt: skip
        out.append(Evidence(sentence, passage, float(sem), lexical, scorer(features), vector, features, have))
    out.sort(key=lambda e: -e.score)
    return out


def is_named(doc: DocumentInfo, named: Collection[str]) -> bool:
    """The document, or its publisher, is one the question names (see named_sources)."""
    return doc.publisher in named or doc.doc_id in named


def _near_anchor(sentence: Sentence, anchors: Sequence[tuple[str, int, int]]) -> bool:
    """Within ANCHOR_REACH of a span the previous answer cited, but not one of those spans (that was said already)."""
    near = any(doc == sentence.doc_id and start - ANCHOR_REACH < sentence.end and sentence.start < end + ANCHOR_REACH for doc, start, end in anchors)
    return near and not _on_anchor(sentence, anchors)


def _on_anchor(sentence: Sentence, anchors: Sequence[tuple[str, int, int]]) -> bool:
    """Overlaps a span the previous answer cited."""
    return any(doc == sentence.doc_id and start < sentence.end and sentence.start < end for doc, start, end in anchors)


def named_sources(query: Query, passages: Sequence[Passage]) -> set[str]:
    """Doc ids the question names, and the named publishers none of whose documents it names by title, kind or year."""
    narrowed = {p.doc.publisher for p in passages if p.doc.doc_id in query.documents}
    return set(query.documents) | {p for p in query.publishers if p not in narrowed}


def answers_numeric(kind: str, text: str, given: frozenset[str] = frozenset()) -> bool:
    """A "how many" question wants a count or amount (not a year), a "when" question a date; figures the question gives don't count."""
    new = {f for f in quantities(text) if (figure_core(f) or f) not in given}
    if kind == "time":
        return any(YEAR.fullmatch(f) for f in new) or names_month(text)
    if kind == "count":  # "one ICB chair says": "one" alone is a determiner, not a count
        return any(not YEAR.fullmatch(f) and f != "one" for f in new)
    return bool(new) or has_figure(text)


def rerank_passages(passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Passage]:
    """Re-order passages by their fused rank blended with their best sentence's score (ranks renumbered)."""
    best: dict[str, float] = {}
    for e in evidence:
        best[e.passage.chunk.id] = max(best.get(e.passage.chunk.id, -1.0), e.score)
    # a passage also holds sentences first found in a better-ranked overlapping passage
    by_evidence = sorted(passages, key=lambda p: -best.get(p.chunk.id, -1.0))
    evidence_pos = {p.chunk.id: i for i, p in enumerate(by_evidence)}
    order = sorted(
        passages,
        key=lambda p: (1 - PASSAGE_EVIDENCE_WEIGHT) * (p.rank - 1) + PASSAGE_EVIDENCE_WEIGHT * evidence_pos[p.chunk.id],
    )
    for rank, p in enumerate(order, start=1):
        p.rank = rank
    return list(order)


def _near_duplicate(a: Evidence, b: Evidence) -> bool:
    """Two sentences making the same point; never two documents stating different figures (two years of one
    annual report: "40 virtual ward beds in 2023-2024" and "90 beds in 2024-2025" are two points)."""
    if a.passage.doc.doc_id != b.passage.doc.doc_id:
        fa, fb = figures(a.sentence.text), figures(b.sentence.text)
        if fa and fb and fa != fb:
            return False
    if float(a.vector @ b.vector) >= DUPLICATE_COSINE:
        return True
    sa, sb = content_stems(a.sentence.text), content_stems(b.sentence.text)
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) >= DUPLICATE_JACCARD


def select(evidence: Sequence[Evidence], question: Question) -> list[Evidence]:
    """The best 3-6 non-duplicate sentences; comparisons first take each relevant publisher's best sentence.
    (Answering a question that asks one publisher's words from that publisher's sentences only was deleted: on the
    dev sets it quoted gold less often on both corpora, seed 232 -> 223 of 291 such questions, dev corpus 12 -> 9 of 20.)"""
    publishers_named = question.query.publishers
    if not evidence:
        return []
    chosen: list[Evidence] = []

    def take(e: Evidence) -> bool:
        if e in chosen or any(_near_duplicate(e, c) for c in chosen) or len(chosen) >= MAX_SENTENCES:
            return False
        chosen.append(e)
        return True

    top = evidence[0].score
    if question.comparison:
        publishers = list(publishers_named) or list(dict.fromkeys(e.passage.doc.publisher for e in evidence))
        for turn in range(COMPARISON_EACH):  # each side's best, then each side's next best, ...
            for publisher in publishers:
                own = [e for e in evidence if e.passage.doc.publisher == publisher and e not in chosen]
                best = next((e for e in own if not any(_near_duplicate(e, c) for c in chosen)), None)
                floor = (COMPARISON_FLOOR if turn == 0 else COMPARISON_NEXT_FLOOR) * top
                if best and ((turn == 0 and publisher in publishers_named) or best.score >= floor):
                    take(best)
    for e in evidence:
        if len(chosen) >= MIN_SENTENCES and e.score < RELATIVE_FLOOR * top:
            break
        take(e)
    return chosen
