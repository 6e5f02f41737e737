"""Fit how much each candidate list counts in retrieval's fusion, and show how the fit holds across corpora.

    python -m eval.train_fusion            # fit on each corpus's dev set, measure on the other; fit on both
    python -m eval.train_fusion --write    # ... and store the weights that hold across corpora in assistant/data/fusion.json

Each answerable question's candidate lists (dense, lexical, best-sentence, scoped) are built once through the
real code (`Retriever.candidates`, with the pool `ask` uses); every weighting of the grid then re-fuses them with
`retrieve.fuse`, which `ask` uses too. A weighting is judged by how often a passage overlapping a gold quote
reaches the pool whose sentences are scored (scoring.EVIDENCE_POOL) plus how often it reaches the top 5, both in
fused order. Weights are relative to the lexical list's (fusion ranks do not change when all weights scale).

A fit is kept only if it holds across corpora: the weights fitted on each corpus's dev set must beat round
one's hand-set weights (ROUND_ONE) on every other corpus's. Then the fit on all dev sets is stored; otherwise
ROUND_ONE is, and the file says why. It needs at least two corpora's dev sets, and no reranker (ask re-orders
the fused head with one; this measure does not). The index is the one ASSISTANT_DATA_DIR points at; it must hold every document the sets quote.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.engine import Assistant  # noqa: E402
from assistant.errors import ConfigError  # noqa: E402
from assistant.retrieve import CANDIDATE_LISTS, FUSION_PATH, Candidates, FusionWeights, fuse  # noqa: E402
from assistant.scoring import EVIDENCE_POOL  # noqa: E402
from eval.fitting import about_sets, dev_sets, print_table, with_gold  # noqa: E402
from eval.metrics import Span, overlaps  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)  # dense and sentence weights tried, relative to lexical = 1
SCOPED_GRID = (0.35, 0.7, 1.4)
ROUND_ONE = FusionWeights((1.0, 1.0, 1.0, 0.7))  # hand-set in round one: each list alike, each scoped list a little less


@dataclass
class Case:
    """One answerable question's candidate lists and the chunk ids overlapping its gold quotes."""

    corpus: str
    candidates: Candidates
    gold: set[str]
    doc_of: dict[str, str]  # chunk id -> doc id


def cases(bot: Assistant, corpus: str, path: Path) -> list[Case]:
    """The candidate lists of every answerable question of a set whose gold is found in the stored text."""
    retriever, _ = bot._ready()
    source = {d.doc_id: d.source for d in bot.index.documents()}
    out = []
    for q, gold in with_gold(bot.index, path, corpus):
        query = bot.analyse(q.question, list(q.history)).query
        found = retriever.candidates(query, None, bot.index.embed_query(query.embed_text), bot.settings.candidates, EVIDENCE_POOL)
        hits = {c.id for c in found.chunks.values() if any(overlaps(Span(source[c.doc_id], c.start, c.end), g) for g in gold)}
        out.append(Case(corpus, found, hits, {cid: c.doc_id for cid, c in found.chunks.items()}))
    return out


def judge(group: Sequence[Case], weights: FusionWeights, shown: int = 5) -> tuple[float, float]:
    """Share of questions with a gold passage in the scored pool, and in the top `shown`, in fused order."""
    found = [_reaches(case, weights, shown) for case in group]
    n = max(len(group), 1)
    return sum(pool for pool, _ in found) / n, sum(top for _, top in found) / n


def _reaches(case: Case, weights: FusionWeights, shown: int) -> tuple[bool, bool]:
    """Whether a gold passage is in the scored pool, and in the top `shown`, as `Retriever.search` orders them."""
    fused = fuse(case.candidates, weights)
    order = sorted(fused, key=lambda cid: -fused[cid])
    pool = any(cid in case.gold for cid in order[:EVIDENCE_POOL])
    return pool, any(cid in case.gold for cid in order[:shown])


def fit(group: Sequence[Case], shown: int = 5) -> tuple[FusionWeights, float]:
    """The grid weighting with the best pool + top share on the group (ties: the earlier, i.e. smaller, weights)."""
    best, best_score = None, -1.0
    for dense, sentence, scoped in itertools.product(GRID, GRID, SCOPED_GRID):
        weights = FusionWeights((dense, 1.0, sentence, scoped))
        score = sum(judge(group, weights, shown))
        if score > best_score + 1e-12:
            best, best_score = weights, score
    assert best is not None
    return best, best_score


def holds_across(groups: dict[str, list[Case]], fits: dict[str, FusionWeights], shown: int = 5) -> bool:
    """Whether each corpus's fit beats ROUND_ONE on every other corpus (pool + top share); never with one corpus."""
    return len(groups) >= 2 and all(
        sum(judge(groups[other], fits[corpus], shown)) > sum(judge(groups[other], ROUND_ONE, shown))
        for corpus in fits for other in groups if other != corpus
    )  # fmt: skip


def _row(label: str, weights: FusionWeights, groups: dict[str, list[Case]], shown: int) -> list[str]:
    cells = [label, ", ".join(f"{w:g}" for w in weights.weights)]
    for corpus in groups:
        pool, top = judge(groups[corpus], weights, shown)
        cells += [f"{pool:.3f}", f"{top:.3f}"]
    return cells


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.train_fusion", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store the weights that hold across corpora in assistant/data/fusion.json")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    bot = Assistant(explain=True)
    if bot.settings.reranker:
        _parser().error("unset ASSISTANT_RERANKER: this measure ranks in fused order, which a reranker changes")
    paths = dev_sets()
    shown = bot.settings.top_k
    groups = {c: cases(bot, c, p) for c, p in paths.items()}
    header = ["fitted on", "weights (" + ", ".join(CANDIDATE_LISTS) + ")"]
    header += [f"{c} {m}" for c in groups for m in (f"pool@{EVIDENCE_POOL}", f"hit@{shown}")]
    rows = [_row("round one's", ROUND_ONE, groups, shown)]
    if FUSION_PATH.exists():
        try:
            rows.insert(0, _row("shipped now", FusionWeights.load(), groups, shown))
        except ConfigError as exc:
            print(f"(the shipped weights are unreadable, left out: {exc})")
    fits = {}
    for corpus, group in groups.items():
        fits[corpus], _ = fit(group, shown)
        rows.append(_row(f"{corpus} dev", fits[corpus], groups, shown))
    everything = [case for group in groups.values() for case in group]
    both, _ = fit(everything, shown)
    rows.append(_row("all dev sets", both, groups, shown))
    print_table(header, rows)
    holds = holds_across(groups, fits, shown)
    chosen = both if holds else ROUND_ONE
    why = "fit on all dev sets: each corpus's fit beat round one's weights on the other" if holds else (
        "round one's weights kept: a fit on one corpus's dev set did not beat them on the other")
    print(why)
    if args.write:
        about = about_sets(paths, {c: len(g) for c, g in groups.items()})
        data = {
            "lists": list(CANDIDATE_LISTS),
            "weights": list(chosen.weights),
            "trained_on": f"{why}; dev sets {about}; embedder {bot.settings.embed_model}; {date.today().isoformat()}",
            "objective": f"share with a gold passage in the pool of {EVIDENCE_POOL} + share in the top {shown}, fused order",
            "command": "python -m eval.train_fusion --write",
            "fitted": {**{c: list(w.weights) for c, w in fits.items()}, "all": list(both.weights)},
            "table": [dict(zip(header, row, strict=True)) for row in rows],
        }
        FUSION_PATH.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {FUSION_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
