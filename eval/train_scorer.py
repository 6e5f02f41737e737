"""Fit the answer's sentence scorer on question sets and store it as data, with what it was trained on.

    python eval/train_scorer.py --sets eval/sets/seed-dev.jsonl eval/sets/devcorpus-dev.jsonl \
        --out assistant/data/sentence_scorer.json

For every answerable question, the candidate sentences `ask` scores (Assistant.evidence) are labelled 1
when they overlap a gold quote; a logistic regression over answer.SCORER_FEATURES is fitted to them.
It fits on each set alone and on all together, and prints for every set how often the best-scored
sentence (and any of the best 3) is a gold one under each fit and under the hand-set weights, so a fit
on one corpus is judged on the other. The index is the one ASSISTANT_DATA_DIR points at; it must hold every
document the sets quote.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant import scoring  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.engine import Assistant  # noqa: E402
from eval.dataset import load_questions, locate_gold  # noqa: E402
from eval.metrics import Span, overlaps  # noqa: E402
from eval.run import stored_texts  # noqa: E402

C = 1.0  # inverse regularisation strength (scikit-learn's default)


def examples(bot: Assistant, paths: list[Path]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per answerable question: (features of its candidate sentences, 1 where a sentence overlaps gold)."""
    questions = [q for q in load_questions(paths) if q.answerable]
    gold, _ = locate_gold(questions, stored_texts(bot.index))
    out = []
    for i, q in enumerate(questions, 1):
        if i % 50 == 0:
            print(f"  {i}/{len(questions)} questions", file=sys.stderr, flush=True)
        evidence = bot.evidence(q.question, list(q.history))
        if not evidence or not gold[q.id]:
            continue
        x = np.array([e.features for e in evidence], dtype=np.float64)
        y = np.array(
            [any(overlaps(Span(e.passage.doc.source, e.sentence.start, e.sentence.end), g) for g in gold[q.id]) for e in evidence],
            dtype=np.int64,
        )
        out.append((x, y))
    return out


def top_hits(groups: list[tuple[np.ndarray, np.ndarray]], scorer: scoring.SentenceScorer) -> tuple[float, float]:
    """Share of questions whose best-scored sentence is gold, and whose best 3 hold one."""
    at1 = at3 = 0
    for x, y in groups:
        order = np.argsort([-scorer(row) for row in x], kind="stable")
        at1 += int(y[order[0]] == 1)
        at3 += int(y[order[:3]].any())
    return at1 / max(len(groups), 1), at3 / max(len(groups), 1)


def fit(groups: list[tuple[np.ndarray, np.ndarray]]) -> scoring.SentenceScorer:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    model = LogisticRegression(C=C, max_iter=2000).fit(x, y)
    return scoring.SentenceScorer(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=Path, nargs="+", required=True, help="question sets (dev sets of different corpora)")
    parser.add_argument("--out", type=Path, help="fit on all the sets together and write the weights (JSON) here")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    bot = Assistant(settings.with_(scorer="hand"))
    hand = scoring.SentenceScorer.hand(scoring.SEMANTIC_WEIGHT)
    data = {}
    for path in args.sets:
        print(f"collecting candidate sentences for {path.name} ...", file=sys.stderr, flush=True)
        data[path.stem] = examples(bot, [path])
    fits = {f"fit on {name}": fit(groups) for name, groups in data.items()}
    everything = [g for groups in data.values() for g in groups]
    if len(data) > 1:
        fits["fit on all"] = fit(everything)
    print("\nweights:")
    print(f"  {'feature':16s} " + " ".join(f"{name[7:]:>16s}" for name in fits))
    for i, feature in enumerate((*scoring.SCORER_FEATURES, "bias")):
        cells = [(s.weights[i] if i < len(s.weights) else s.bias) for s in fits.values()]
        print(f"  {feature:16s} " + " ".join(f"{c:+16.3f}" for c in cells))
    print("\nbest sentence gold (@1) / a gold one among the best 3 (@3), per set (fit on the same set = training figure):")
    print(f"  {'set':20s} {'hand':>13s} " + " ".join(f"{name[7:]:>16s}" for name in fits))
    for name, groups in data.items():
        cells = [top_hits(groups, s) for s in (hand, *fits.values())]
        print(f"  {name:20s} " + " ".join(f"{a:.3f} / {b:.3f}".rjust(16 if i else 13) for i, (a, b) in enumerate(cells)))
    if args.out:
        learned = fits["fit on all"] if len(data) > 1 else next(iter(fits.values()))
        n_sentences = sum(len(g[1]) for g in everything)
        n_gold = int(sum(int(g[1].sum()) for g in everything))
        from sklearn import __version__ as sklearn_version

        args.out.write_text(json.dumps({
            "features": list(scoring.SCORER_FEATURES),
            "weights": list(learned.weights),
            "bias": learned.bias,
            "trained_on": f"{', '.join(p.name for p in args.sets)}: {len(everything)} questions, {n_sentences} candidate "
                          f"sentences ({n_gold} overlapping gold)",
            "model": f"logistic regression (scikit-learn {sklearn_version}, C={C})",
            "embedder": getattr(bot.index.embedder, "name", settings.embed_model),
            "fitted": date.today().isoformat(),
            "command": "python eval/train_scorer.py " + " ".join(sys.argv[1:] if argv is None else argv),
        }, indent=1) + "\n", encoding="utf-8")  # fmt: skip
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
