"""Evaluation metrics: pure functions over answer JSON (the `Answer.to_json()` contract) and stored text.

Nothing here trusts the system's own labels: relevance, validity and support are all recomputed from
the stored (cleaned) document text and character offsets. `texts` is always a mapping
source -> stored text, as returned by `Index.text()`.

Definitions (also in eval/README.md):

* A *span* is [start, end) of one stored document. Two spans overlap when they name the same source
  and share at least one character. A passage or citation of another document never overlaps.
* recall@k: share of a question's gold quotes overlapped by at least one of the top-k passages.
* hit@k: 1 if any gold quote is overlapped by a top-k passage, else 0.
* MRR: 1 / rank of the first passage overlapping any gold quote (0 if none in the list).
* nDCG@10: binary gain 1 at rank i when the passage overlaps a gold quote that no earlier passage
  covered (so two chunks of the same quote do not count twice); ideal DCG puts min(#gold, 10) gains
  at the top ranks.
* evidence hit: 1 if some citation overlaps some gold quote.
* citation precision: share of citations that overlap a gold quote OR support a sentence citing
  them (see `supports`).
* citation on gold: share of citations that overlap a gold quote (how focused the citing is; extractive
  answers make precision trivially high, this is the stricter view).
* citation recall: share of the gold documents that at least one citation names.
* citation validity: share of citations whose quote equals stored_text[start:end] of their source.
* answer F1: token F1 between answer and reference content tokens (stopwords dropped).
* fact recall: share of the question's `facts` present in the answer (case, spaces incl. U+00A0,
  quotes and dashes normalised).
* key fact: fact recall for numeric questions, answer F1 otherwise.
* abstention precision / recall / accuracy: positive class = abstained, truth = kind "unanswerable".
* correct (answered-or-declined correctly): answerable -> not abstained and evidence hit;
  unanswerable -> abstained.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.lexical import tokens

RETRIEVAL_KS = (1, 3, 5, 10)
NDCG_K = 10
SUPPORT_MIN_OVERLAP = 0.6  # share of a sentence's content tokens its cited span must contain

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours according say says said
    what's""".split()  # noqa: SIM905 - a word list reads best as text
)

_CITATION_MARK = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

Score = float | None
Texts = Mapping[str, str]


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the stored text of document `source`."""

    source: str
    start: int
    end: int


# spans ---------------------------------------------------------------------------------------------
def overlaps(a: Span, b: Span) -> bool:
    """True when both spans are of the same document and share at least one character."""
    return a.source == b.source and a.start < b.end and b.start < a.end


def span_of(item: Mapping[str, Any]) -> Span:
    """The span named by a passage or citation JSON object."""
    return Span(str(item.get("source", "")), int(item.get("start", 0)), int(item.get("end", 0)))


def passage_spans(answer: Mapping[str, Any]) -> list[Span]:
    """The answer's passages as spans, best rank first."""
    passages = sorted(answer.get("passages") or [], key=lambda p: p.get("rank", 0))
    return [span_of(p) for p in passages]


def covered(spans: Sequence[Span], gold: Sequence[Span]) -> list[set[int]]:
    """For each span, the indices of the gold spans it overlaps."""
    return [{i for i, g in enumerate(gold) if overlaps(s, g)} for s in spans]


# retrieval -----------------------------------------------------------------------------------------
def recall_at_k(cover: Sequence[set[int]], n_gold: int, k: int) -> Score:
    """Share of gold quotes overlapped by a top-k passage (None without gold)."""
    if not n_gold:
        return None
    return len(set().union(*cover[:k])) / n_gold


def hit_at_k(cover: Sequence[set[int]], n_gold: int, k: int) -> Score:
    """1.0 if any top-k passage overlaps any gold quote (None without gold)."""
    if not n_gold:
        return None
    return 1.0 if any(cover[:k]) else 0.0


def reciprocal_rank(cover: Sequence[set[int]], n_gold: int) -> Score:
    """1 / rank of the first passage overlapping a gold quote; 0 if none does (None without gold)."""
    if not n_gold:
        return None
    return next((1.0 / rank for rank, c in enumerate(cover, 1) if c), 0.0)


def ndcg_at_k(cover: Sequence[set[int]], n_gold: int, k: int = NDCG_K) -> Score:
    """Binary nDCG@k where a passage gains only for gold quotes not covered at an earlier rank."""
    if not n_gold:
        return None
    seen: set[int] = set()
    dcg = 0.0
    for rank, c in enumerate(cover[:k], 1):
        if c - seen:
            dcg += 1.0 / math.log2(rank + 1)
        seen |= c
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_gold, k) + 1))
    return dcg / ideal


# citations -----------------------------------------------------------------------------------------
def stored_span(span: Span, texts: Texts) -> str | None:
    """The stored text of a span, or None when the source is unknown or the offsets are out of range."""
    text = texts.get(span.source)
    if text is None or not 0 <= span.start < span.end <= len(text):
        return None
    return text[span.start : span.end]


def citation_valid(citation: Mapping[str, Any], texts: Texts) -> bool:
    """True when the citation's quote is exactly the stored text at its offsets."""
    stored = stored_span(span_of(citation), texts)
    return stored is not None and stored == citation.get("quote")


def content_tokens(text: str) -> list[str]:
    """Lower-cased word tokens without citation markers and stopwords."""
    return [t for t in tokens(_CITATION_MARK.sub(" ", text)) if t not in STOPWORDS]


def numbers(text: str) -> set[str]:
    """The numbers written in a text (citation markers excluded; thousands commas dropped)."""
    return {n.replace(",", "") for n in _NUMBER.findall(_CITATION_MARK.sub(" ", text))}


def supports(span_text: str, sentence: str) -> bool:
    """True when the span holds >= SUPPORT_MIN_OVERLAP of the sentence's content tokens and all its numbers."""
    wanted = content_tokens(sentence)
    if not wanted:
        return False
    have = set(tokens(span_text))
    share = sum(t in have for t in wanted) / len(wanted)
    return share >= SUPPORT_MIN_OVERLAP and numbers(sentence) <= numbers(span_text)


def cited_sentences(answer: Mapping[str, Any]) -> dict[int, list[str]]:
    """Citation number -> the texts of the sentences that cite it."""
    out: dict[int, list[str]] = {}
    for sentence in answer.get("sentences") or []:
        for n in sentence.get("citations") or []:
            out.setdefault(int(n), []).append(str(sentence.get("text", "")))
    return out


def citation_good(citation: Mapping[str, Any], sentences: Sequence[str], gold: Sequence[Span], texts: Texts) -> bool:
    """A citation counts as precise if it overlaps gold evidence or its stored span supports a citing sentence."""
    span = span_of(citation)
    if any(overlaps(span, g) for g in gold):
        return True
    stored = stored_span(span, texts)
    return stored is not None and any(supports(stored, s) for s in sentences)


def evidence_hit(answer: Mapping[str, Any], gold: Sequence[Span]) -> Score:
    """1.0 if some citation overlaps some gold quote (None without gold)."""
    if not gold:
        return None
    return 1.0 if any(overlaps(span_of(c), g) for c in answer.get("citations") or [] for g in gold) else 0.0


def citation_precision(answer: Mapping[str, Any], gold: Sequence[Span], texts: Texts) -> Score:
    """Share of citations overlapping gold or supporting their sentence (None without citations)."""
    citations = answer.get("citations") or []
    if not citations:
        return None
    by_n = cited_sentences(answer)
    good = sum(citation_good(c, by_n.get(int(c.get("n", 0)), []), gold, texts) for c in citations)
    return good / len(citations)


def citation_on_gold(answer: Mapping[str, Any], gold: Sequence[Span]) -> Score:
    """Share of citations overlapping a gold quote (None without gold or without citations)."""
    citations = answer.get("citations") or []
    if not gold or not citations:
        return None
    return sum(any(overlaps(span_of(c), g) for g in gold) for c in citations) / len(citations)


def citation_recall(answer: Mapping[str, Any], gold: Sequence[Span]) -> Score:
    """Share of gold documents named by at least one citation (None without gold)."""
    wanted = {g.source for g in gold}
    if not wanted:
        return None
    cited = {str(c.get("source", "")) for c in answer.get("citations") or []}
    return len(wanted & cited) / len(wanted)


def citation_validity(answer: Mapping[str, Any], texts: Texts) -> Score:
    """Share of citations whose quote equals the stored text at their offsets (None without citations)."""
    citations = answer.get("citations") or []
    if not citations:
        return None
    return sum(citation_valid(c, texts) for c in citations) / len(citations)


# answers -------------------------------------------------------------------------------------------
def token_f1(prediction: str, reference: str) -> float:
    """Token F1 between the content tokens of two texts (bag of words, with multiplicity)."""
    pred, ref = Counter(content_tokens(prediction)), Counter(content_tokens(reference))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def normalise(text: str) -> str:
    """NFKC (U+00A0 and other spaces become plain spaces), straight quotes and dashes, single spaces, casefolded."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    return " ".join(text.split()).casefold()


def fact_recall(answer_text: str, facts: Sequence[str]) -> Score:
    """Share of the facts found in the answer after `normalise` (None without facts)."""
    if not facts:
        return None
    have = normalise(answer_text)
    return sum(normalise(f) in have for f in facts) / len(facts)


# abstention and aggregates -------------------------------------------------------------------------
@dataclass(frozen=True)
class Abstention:
    precision: Score
    recall: Score
    accuracy: Score


def abstention(pairs: Iterable[tuple[bool, bool]]) -> Abstention:
    """From (should_abstain, abstained) pairs: precision/recall of the 'abstained' class and accuracy.

    Precision is None when nothing abstained, recall None when nothing should have.
    """
    pairs = list(pairs)
    tp = sum(truth and pred for truth, pred in pairs)
    predicted = sum(pred for _, pred in pairs)
    actual = sum(truth for truth, _ in pairs)
    return Abstention(
        precision=tp / predicted if predicted else None,
        recall=tp / actual if actual else None,
        accuracy=sum(truth == pred for truth, pred in pairs) / len(pairs) if pairs else None,
    )


def percentile(values: Sequence[float], q: float) -> Score:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[Score]) -> Score:
    """Mean of the defined values (None if none is defined)."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


# one question --------------------------------------------------------------------------------------
def score_answer(
    answer: Mapping[str, Any],
    gold: Sequence[Span],
    *,
    kind: str,
    reference: str,
    facts: Sequence[str],
    texts: Texts,
) -> dict[str, Score]:
    """Every per-question metric for one answer JSON (an error line scores as an empty, non-abstaining answer)."""
    answerable = kind != "unanswerable"
    cover = covered(passage_spans(answer), gold)
    abstained = bool(answer.get("abstained"))
    hit = evidence_hit(answer, gold)
    text = str(answer.get("answer") or "")
    scores: dict[str, Score] = {f"recall@{k}": recall_at_k(cover, len(gold), k) for k in RETRIEVAL_KS}
    scores.update({f"hit@{k}": hit_at_k(cover, len(gold), k) for k in RETRIEVAL_KS})
    fr = fact_recall(text, facts) if answerable else None
    f1 = token_f1(text, reference) if answerable else None
    scores.update(
        {
            "mrr": reciprocal_rank(cover, len(gold)),
            "ndcg@10": ndcg_at_k(cover, len(gold)),
            "evidence_hit": hit,
            "citation_precision": citation_precision(answer, gold, texts),
            "citation_on_gold": citation_on_gold(answer, gold),
            "citation_recall": citation_recall(answer, gold),
            "citation_validity": citation_validity(answer, texts),
            "answer_f1": f1,
            "fact_recall": fr,
            "key_fact": fr if kind == "numeric" else f1,
            "correct": float(not abstained and hit == 1.0) if answerable else float(abstained),
        }
    )
    return scores


def latency_ms(answer: Mapping[str, Any]) -> float | None:
    """timings_ms.total of an answer (baselines fill it with measured wall time)."""
    total = (answer.get("timings_ms") or {}).get("total")
    return float(total) if total is not None else None


def aggregate(rows: Sequence[Mapping[str, Any]]) -> dict[str, Score]:
    """Means of the per-question scores plus abstention and latency figures.

    Each row has `scores` (from score_answer), `answerable`, `abstained`, `error` and `latency_ms`.
    """
    names = list(dict.fromkeys(name for row in rows for name in row["scores"]))
    out: dict[str, Score] = {name: mean(row["scores"][name] for row in rows) for name in names}
    ab = abstention((not row["answerable"], row["abstained"]) for row in rows)
    latencies = [row["latency_ms"] for row in rows if row["latency_ms"] is not None]
    answerable = [row for row in rows if row["answerable"]]
    out.update(
        {
            "answerable_declined": mean(float(row["abstained"]) for row in answerable) if answerable else None,
            "abstention_precision": ab.precision,
            "abstention_recall": ab.recall,
            "abstention_accuracy": ab.accuracy,
            "latency_p50_ms": percentile(latencies, 50),
            "latency_p95_ms": percentile(latencies, 95),
            "n": float(len(rows)),
            "errors": float(sum(bool(row["error"]) for row in rows)),
        }
    )
    return out
