"""Fit the passage ranker (assistant/ranking.py) on each corpus's dev questions, measure it on the other's, store it.

    python -m eval.train_ranker                      # fit on each corpus's dev set, measure on the other; fit on both
    python -m eval.train_ranker --write              # ... and store the fit on both in assistant/data/passage_ranker.json
                                                     #     if each corpus's fit beats the hand-set blend on the other
    python -m eval.train_ranker --cache F.pkl        # keep the pools' features in F.pkl (a rerun only refits)

For every answerable question of a dev set, the pool `ask` ranks (Assistant.pool: fused passages and their scored
sentences) is built once through the real code; each passage gets its PASSAGE_FEATURES and is labelled 1 when it
overlaps a gold quote. A logistic regression (scikit-learn) over the standardised features is fitted per corpus
and on all. An ordering is judged as `ask` shows it: its first k passages, by
whether a gold passage is in the top k (hit@k), with the mean reciprocal rank of the first gold passage beside it.
The index is the one ASSISTANT_DATA_DIR points at; it must hold every document the sets quote.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.config import Settings  # noqa: E402
from assistant.engine import Assistant  # noqa: E402
from assistant.ranking import PASSAGE_FEATURES, RANKER_PATH, PassageRanker, passage_features  # noqa: E402
from assistant.scoring import rerank_passages  # noqa: E402
from eval.fitting import about_sets, cached, dev_sets, pooled, print_table  # noqa: E402
from eval.metrics import Span, overlaps  # noqa: E402

C = 1.0  # inverse regularisation strength (scikit-learn's default)


@dataclass
class Pool:
    """One answerable question's pool: features per passage (fused order), gold labels, documents, the hand order."""

    corpus: str
    kind: str
    features: np.ndarray
    gold: np.ndarray  # bool per passage
    docs: list[str]
    hand: list[int]  # passage indices in scoring.rerank_passages' order


def pools(bot: Assistant, corpus: str, path: Path) -> list[Pool]:
    """The pool of every answerable question of a set whose gold is found in the stored text."""
    out = []
    for q, gold, question, passages, evidence in pooled(bot, path, corpus):
        features = passage_features(question, passages, evidence)
        labels = np.array([any(overlaps(Span(p.doc.source, p.chunk.start, p.chunk.end), g) for g in gold) for p in passages], dtype=bool)
        position = {p.chunk.id: i for i, p in enumerate(passages)}
        hand = [position[p.chunk.id] for p in rerank_passages(passages, evidence)]
        out.append(Pool(corpus, q.kind, features, labels, [p.chunk.doc_id for p in passages], hand))
    return out


def first_gold(pool: Pool, order: Sequence[int]) -> int | None:
    """1-based rank of the first gold passage in the order, as `ask` shows it (None: none)."""
    return next((rank for rank, i in enumerate(order, start=1) if pool.gold[i]), None)


def judge(group: Sequence[Pool], orders: Sequence[Sequence[int]], k: int) -> tuple[float, float]:
    """hit@k and mean reciprocal rank of the first gold passage over the group."""
    ranks = [first_gold(p, o) for p, o in zip(group, orders, strict=True)]
    n = max(len(group), 1)
    return sum(1 for r in ranks if r is not None and r <= k) / n, sum(1 / r for r in ranks if r) / n


def ranked(group: Sequence[Pool], ranker: PassageRanker) -> list[list[int]]:
    """Each pool's passage indices in the ranker's order (ties: fused order)."""
    out = []
    for p in group:
        s = ranker.scores(p.features)
        out.append(sorted(range(len(s)), key=lambda i: (-s[i], i)))
    return out


def fit(group: Sequence[Pool], about: str) -> PassageRanker:
    """A logistic regression over the standardised features of every passage of the group."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([p.features for p in group])
    y = np.concatenate([p.gold for p in group]).astype(int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((x - mean) / scale, y)
    return PassageRanker(tuple(model.coef_[0].tolist()), float(model.intercept_[0]), tuple(mean.tolist()), tuple(scale.tolist()), about)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.train_ranker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store the fit on all dev sets if it holds across corpora")
    parser.add_argument("--cache", type=Path, default=None, help="pickle of the pools' features: read if present, else written")
    args = parser.parse_args(argv)
    bot = Assistant(Settings.from_env())  # the pools are in fused order: they do not depend on the ranker
    k = bot.settings.top_k
    paths = dev_sets()
    groups = cached(args.cache, lambda: {c: pools(bot, c, p) for c, p in paths.items()})
    fits = {c: fit(g, f"{c} dev") for c, g in groups.items()}
    everything = [p for g in groups.values() for p in g]
    both = fit(everything, "all dev sets")
    header = ["order", *(f"{c} {m}" for c in groups for m in (f"hit@{k}", "MRR"))]
    orderings = {  # each pool's passage indices, best first
        "fused": lambda g: [list(range(len(p.docs))) for p in g],
        "hand": lambda g: [p.hand for p in g],
        **{f"fit on {c} dev": (lambda g, r=r: ranked(g, r)) for c, r in fits.items()},
        "fit on all": lambda g: ranked(g, both),
    }
    rows = [[label, *(f"{v:.3f}" for g in groups.values() for v in judge(g, order(g), k))] for label, order in orderings.items()]
    print_table(header, rows)
    hand = {c: judge(g, orderings["hand"](g), k) for c, g in groups.items()}
    holds = len(groups) >= 2 and all(
        judge(groups[other], ranked(groups[other], fits[c]), k) > hand[other] for c in fits for other in groups if other != c
    )
    why = ("each corpus's fit beat the hand-set blend on the other corpus (hit@k, then MRR)" if holds else
           "a fit on one corpus's dev set did not beat the hand-set blend on the other: not stored")  # fmt: skip
    print(why)
    print("weights of the fit on all (standardised):", ", ".join(f"{n} {w:+.2f}" for n, w in zip(PASSAGE_FEATURES, both.weights, strict=True)))
    if args.write and holds:
        about = about_sets(paths, {c: len(g) for c, g in groups.items()})
        data = {
            "features": list(PASSAGE_FEATURES),
            "weights": list(both.weights),
            "bias": both.bias,
            "mean": list(both.mean),
            "scale": list(both.scale),
            "trained_on": f"{why}; dev sets {about}; embedder {bot.settings.embed_model}; {date.today().isoformat()}",
            "objective": "logistic regression: a passage overlapping a gold quote (pointwise), scikit-learn, C=1",
            "command": "python -m eval.train_ranker --write",
            "fitted": {c: list(r.weights) for c, r in fits.items()},
            "table": [dict(zip(header, row, strict=True)) for row in rows],
        }
        RANKER_PATH.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RANKER_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
