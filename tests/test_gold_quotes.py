"""Every gold quote of every question set (eval/sets/) is found in its document's STORED (cleaned) text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.docstore import DocStore
from eval.dataset import SETS_DIR, load_questions, locate_gold, set_corpus

ROOT = Path(__file__).resolve().parent.parent
SEED_SETS = sorted(p.name for p in SETS_DIR.glob("seed-*.jsonl"))
DEVCORPUS_SETS = sorted(p.name for p in SETS_DIR.glob("devcorpus-*.jsonl"))


def _problems(name: str, texts: dict[str, str]) -> list:
    _, problems = locate_gold(load_questions(SETS_DIR / name), texts)
    if problems:
        print("\n".join(str(p) for p in problems))  # shown by pytest -rA and in the failure message below
    return problems


def test_every_set_belongs_to_a_known_corpus():
    names = [p.name for p in SETS_DIR.glob("*.jsonl")]
    assert {set_corpus(Path(n)) for n in names} <= {"seed", "devcorpus"}, names
    assert "seed-dev.jsonl" in names and "seed-heldout.jsonl" in names


@pytest.mark.parametrize("name", SEED_SETS)
def test_every_seed_gold_quote_is_in_the_stored_text(seed_index, name):
    store = DocStore(seed_index.sqlite_path, create=False)
    try:
        texts = {d.source: store.text(d.doc_id) for d in store.documents()}
    finally:
        store.close()
    lost = [p for p in _problems(name, texts) if not p.reason.startswith("found only")]  # a quote with a U+00A0 is still found
    assert not lost, f"{len(lost)} gold quote(s) not found in the stored text"


@pytest.fixture(scope="module")
def devcorpus_texts(tmp_path_factory) -> dict[str, str]:
    """eval/dev-corpus/ loaded, cleaned and split exactly as ingest would (nothing embedded)."""
    from ingest.pipeline import prepare_all
    from tests.conftest import make_settings

    settings = make_settings(tmp_path_factory.mktemp("devcorpus") / "data")
    return {p.info.source: p.text for p in prepare_all([ROOT / "eval" / "dev-corpus"], settings)}


@pytest.mark.parametrize("name", DEVCORPUS_SETS)
def test_every_devcorpus_gold_quote_is_found_in_the_stored_text(devcorpus_texts, name):
    """Dev-corpus quotes were copied from the damaged files as found; cleaning changes them, so a quote need not be
    verbatim, only found (ingest.quotes.locate_quote: whitespace, markup, ligatures and timestamps aside)."""
    lost = [p for p in _problems(name, devcorpus_texts) if not p.reason.startswith("found only")]
    assert not lost, f"{len(lost)} gold quote(s) not found in the stored text"


def test_every_set_is_well_formed():
    """Ids unique across all sets; known kinds; answerable questions have gold, unanswerable none; follow-ups a history
    (an unanswerable question may have one too)."""
    from eval.dataset import KINDS

    seen: set[str] = set()
    for path in sorted(SETS_DIR.glob("*.jsonl")):
        for q in load_questions(path):
            assert q.id not in seen, f"{path.name}: duplicate id {q.id}"
            seen.add(q.id)
            assert q.kind in KINDS and q.question.strip(), f"{path.name}: {q.id}"
            assert bool(q.gold) == q.answerable, f"{path.name}: {q.id} gold does not match its kind"
            assert q.history or q.kind != "followup", f"{path.name}: {q.id} is a follow-up without a history"
