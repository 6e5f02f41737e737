"""eval/dense_probe.py: the rank and summary arithmetic, and the pairs it makes from documents alone."""

from __future__ import annotations

from assistant.types import Chunk
from eval.dense_probe import first_gold_rank, self_pairs, summarise
from eval.metrics import Span


def test_first_gold_rank_needs_the_same_document_and_overlapping_characters() -> None:
    gold = [Span("a.md", 100, 120)]
    order = [("b.md", 100, 120), ("a.md", 0, 100), ("a.md", 110, 300)]
    assert first_gold_rank(order, gold) == 2  # another document at the same offsets, and a chunk ending where gold starts, miss
    assert first_gold_rank(order[:2], gold) is None


def test_summarise_counts_a_miss_as_zero() -> None:
    hit5, hit20, mrr = summarise([0, 4, 5, None])
    assert (hit5, hit20) == (0.5, 0.75)
    assert abs(mrr - (1 + 1 / 5 + 1 / 6) / 4) < 1e-9


def test_self_pairs() -> None:
    text = (
        "The board agreed the plan for the coming year in full. It asked the committee to report back in March. "
        "Members noted the risk to the budget and the workforce. The chair thanked everyone for the work done."
    )
    chunks = [
        Chunk("c1", "a.md", 0, 0, len(text), text, section="Finance > Annual plan for 2025 agreed"),
        Chunk("c2", "a.md", 1, 0, 20, "Short text only here.", section="Finance > 12 34 56 78"),
    ]
    ict = self_pairs(chunks, "ict", 10)
    assert len(ict) == 1 and ict[0][0] in text  # c2 has too few sentences
    query, passage = ict[0]
    assert query not in passage or passage == text  # the sentence is taken out, but for 1 in 10
    assert self_pairs(chunks, "heading", 10) == [("Annual plan for 2025 agreed", text)]  # a heading of figures is not one
