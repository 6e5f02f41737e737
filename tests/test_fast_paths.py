"""Reading fast paths give exactly what the plain computation gives (stored text and chunks must not change).

split(): with the model's counter, each piece is counted once and spans are sums (BERT's pre-tokeniser never joins
across whitespace); ligature repair: a join missing from wordfreq's list is never looked up (its zipf is 0).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.load import load
from ingest.repair import _listed, _lost_letters, _may_be_word, zipf
from ingest.split import model_token_counter, split

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "corpus" / "002_9bc02a9fc43d5da7.txt",
    ROOT / "eval" / "dev-corpus" / "NHS England _ Neighbourhood health guidelines 2025_26.md",
    ROOT / "eval" / "dev-corpus" / "Workforce-Strategy-2021-25-V1.0.md",
]


def _cleaned(path: Path):
    return clean(load(path, max_bytes=10**8).text)


def test_the_packaged_models_counter_is_additive_over_whitespace() -> None:
    count = model_token_counter()
    assert count.additive
    parts = ["Integrated care boards (ICBs)", "are accountable—to NHS England,", "naïve über-Café 3.5%", "x" * 150]
    assert count(" ".join(parts)) == sum(count.many(parts)) == sum(map(count, parts))
    assert count("\n\n".join(parts)) == count(" ".join(parts))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name[:30])
def test_split_with_the_fast_counter_equals_split_counting_every_span(path: Path) -> None:
    cleaned = _cleaned(path)
    count = model_token_counter()
    fast = split(cleaned.text, cleaned.pages, max_tokens=200, overlap_tokens=30, count_tokens=count)
    plain = split(cleaned.text, cleaned.pages, max_tokens=200, overlap_tokens=30, count_tokens=lambda text: count(text))
    assert fast == plain and len(fast) > 10


def test_a_join_missing_from_the_word_list_has_zipf_zero() -> None:
    text = load(ROOT / "eval" / "dev-corpus" / "Workforce-Strategy-2021-25-V1.0.md", max_bytes=10**8).text
    words = [w for w in sorted(set(text.split())) if w.isascii() and w.isalpha()][:3000]  # as ingest.repair's words are
    joins = {(a + letters + b).lower() for a, b in itertools.pairwise(words) for letters in _lost_letters(a)}
    skipped = [j for j in joins if not _may_be_word(j)]
    assert len(skipped) > 1000 and len(joins) - len(skipped) > 0
    assert all(zipf(j) == 0 for j in skipped)
    assert "allocated" in _listed() and _may_be_word("ill-health")  # hyphenated joins are always looked up
