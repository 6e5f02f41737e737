"""Passage ranking: the pool of fused passages re-ordered by a learned scorer over per-passage features.

Retrieval's fusion ranks by list positions only. Once every sentence of the pool is scored (scoring.py), each
passage has more to go on: its best sentence, how much of the question's (IDF-weighted) words it holds, its rank in
the dense and BM25 lists, how much of the pool its document fills. PassageRanker is a logistic regression over
those features (PASSAGE_FEATURES), fitted by eval/train_ranker.py on questions with gold quotes and stored as data
(assistant/data/passage_ranker.json) with what it was trained on and how it held on the corpus it was not fitted
on. Without that file, or with ASSISTANT_RANKER=hand, the hand-set blend scoring.rerank_passages applies.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.fitted import Kind, named_fit, positive, read_fit
from assistant.question import Question
from assistant.retrieve import FOOTNOTES_SECTION, content_stems
from assistant.scoring import SCORER_FEATURES, Evidence, named_sources, rerank_passages
from assistant.types import Passage

RANKER_PATH = Path(__file__).resolve().parent / "data" / "passage_ranker.json"
RANKER = Kind("the passage ranker", "eval.train_ranker", "ASSISTANT_RANKER", "hand")

# What a passage's score is computed from; each is 0 when the passage has no scored sentence.
PASSAGE_FEATURES = (
    "fused",  # 1 for the best fused rank, falling to 0 for the last of the pool
    "dense",  # 1 / rank in the dense list (0 when not in it)
    "lexical",  # 1 / rank in the BM25 list (0 when not in it)
    "best_score",  # the best score of its sentences (scoring.SentenceScorer)
    "best_semantic",  # the best cosine of its sentences to the question
    "best_lexical",  # the best IDF-weighted word overlap of its sentences (with their neighbours)
    "second_semantic",  # the second-best cosine: a passage about the question, not one lucky sentence
    "coverage",  # IDF-weighted share of the question's words anywhere in the passage
    "named",  # its document is from a source the question names
    "figure",  # a figure/date question and one of its sentences holds a new figure
    "footnote",  # it lies in the footnotes section
    "doc_share",  # share of the pool's passages from its document
    "heading",  # IDF-weighted share of the question's words in its section heading and document title
    "fused_share",  # its fused score over the pool's best
    # the same question's passages compared: each of these over the pool's best (0-1) ...
    "best_score_gap",  # best_score minus the pool's highest
    "best_semantic_gap",
    "best_lexical_gap",
    "coverage_gap",
    "best_score_place",  # ... and its place among the pool's passages by best_score (1 first, 0 last)
    "coverage_place",
)
_COMPARED = ("best_score", "best_semantic", "best_lexical", "coverage")  # the *_gap features, in order
_PLACED = ("best_score", "coverage")
_FIGURE = SCORER_FEATURES.index("figure")


def passage_features(question: Question, passages: Sequence[Passage], evidence: Sequence[Evidence]) -> np.ndarray:
    """One row of PASSAGE_FEATURES per passage, in the passages' order.

    A sentence counts for every passage it lies in (score_evidence keeps each sentence once, with the best-ranked
    passage holding it; an overlapping passage holds it too)."""
    n = max(len(passages), 1)
    by_doc: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_doc.setdefault(e.sentence.doc_id, []).append(e)
    doc_count = Counter(p.chunk.doc_id for p in passages)
    weights = question.weights
    total = math.fsum(weights.values())
    named = named_sources(question.query, passages)
    top = max((p.score for p in passages), default=0.0)
    rows = []
    for p in passages:
        inside = [e for e in by_doc.get(p.chunk.doc_id, ()) if _holds(p, e)]
        semantic = sorted((e.semantic for e in inside), reverse=True)
        have = frozenset().union(*(e.stems for e in inside)) if inside else frozenset()
        rows.append((
            1.0 - (p.rank - 1) / n,
            1.0 / p.dense_rank if p.dense_rank else 0.0,
            1.0 / p.lexical_rank if p.lexical_rank else 0.0,
            max((e.score for e in inside), default=0.0),
            semantic[0] if semantic else 0.0,
            max((e.lexical for e in inside), default=0.0),
            semantic[1] if len(semantic) > 1 else 0.0,
            _share(weights, total, have),
            float(p.doc.publisher in named or p.doc.doc_id in named),
            float(any(e.features and e.features[_FIGURE] for e in inside)),
            float(p.chunk.section == FOOTNOTES_SECTION),
            doc_count[p.chunk.doc_id] / n,
            _share(weights, total, content_stems(f"{p.chunk.section} {p.doc.title}")),
            p.score / top if top > 0 else 0.0,
        ))  # fmt: skip
    own = np.asarray(rows, dtype=np.float64).reshape(len(passages), len(PASSAGE_FEATURES) - len(_COMPARED) - len(_PLACED))
    return np.hstack([own, _compared(own), _placed(own)])


def _share(weights: dict[str, float], total: float, have: frozenset[str] | set[str]) -> float:
    """IDF-weighted share of the question's words among `have`."""
    return math.fsum(v for w, v in weights.items() if w in have) / total if total else 0.0


def _compared(own: np.ndarray) -> np.ndarray:
    """Each _COMPARED feature minus its highest value in the pool (0 for the pool's best)."""
    cols = own[:, [PASSAGE_FEATURES.index(f) for f in _COMPARED]]
    return cols - cols.max(axis=0) if len(cols) else cols


def _placed(own: np.ndarray) -> np.ndarray:
    """Each passage's place in the pool by each _PLACED feature: 1 for the best, falling to 0 for the last."""
    cols = own[:, [PASSAGE_FEATURES.index(f) for f in _PLACED]]
    if len(cols) < 2:
        return np.ones_like(cols)
    place = np.argsort(np.argsort(-cols, axis=0, kind="stable"), axis=0, kind="stable")
    return 1.0 - place / (len(cols) - 1)


def _holds(passage: Passage, e: Evidence) -> bool:
    """The sentence lies mostly inside the passage's chunk (as SentenceBank.in_passage counts it)."""
    s, c = e.sentence, passage.chunk
    return s.start < c.end and c.start < s.end and 2 * (min(s.end, c.end) - max(s.start, c.start)) >= s.end - s.start


@dataclass(frozen=True)
class PassageRanker:
    """A logistic regression over standardised PASSAGE_FEATURES; higher is likelier to hold the answer."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    trained_on: str = ""

    def scores(self, features: np.ndarray) -> np.ndarray:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias

    def order(self, question: Question, passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Passage]:
        """The passages best first (ties keep the fused order), ranks renumbered."""
        if not passages:
            return []
        scores = self.scores(passage_features(question, passages, evidence))
        order = [passages[i] for i in sorted(range(len(passages)), key=lambda i: (-scores[i], i))]
        for rank, p in enumerate(order, start=1):
            p.rank = rank
        return order

    @classmethod
    def load(cls, path: Path = RANKER_PATH) -> PassageRanker:
        """The ranker stored at `path`; ConfigError (one line) if it is malformed or fitted on other features."""
        fit = read_fit(path, RANKER, PASSAGE_FEATURES, ("weights", "mean", "scale"), ("bias",), positive("scale"))
        return cls(fit["weights"], fit["bias"], fit["mean"], fit["scale"], str(fit["data"].get("trained_on", "")))


@functools.cache
def ranker_for(setting: str) -> PassageRanker | None:
    """The ranker Settings.ranker names: a file, "hand" (None: the hand-set blend), or (empty) the shipped one if any."""
    path = named_fit(setting, RANKER, RANKER_PATH)
    return PassageRanker.load(path) if path else None


def rank_passages(
    question: Question, passages: Sequence[Passage], evidence: Sequence[Evidence], ranker: PassageRanker | None
) -> list[Passage]:
    """The pool re-ordered by the learned ranker, or by the hand-set blend when there is none."""
    return ranker.order(question, passages, evidence) if ranker is not None else rerank_passages(passages, evidence)
