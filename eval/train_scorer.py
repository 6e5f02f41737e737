"""Fit the answer's sentence scorer on each corpus's dev questions, measure it on the other's, store it as data.

    python -m eval.train_scorer                    # fit on each corpus's dev set, measure on the other; fit on both
    python -m eval.train_scorer --write            # ... and store the fit on both in assistant/data/sentence_scorer.json
                                                   #     if each corpus's fit beats the hand-set weights on the other
    python -m eval.train_scorer --write-each DIR   # ... and store each corpus's fit alone in DIR (ASSISTANT_SCORER=FILE
                                                   #     runs the system with one, for the cross-corpus tables)
    python -m eval.train_scorer --cache F.pkl      # keep the candidates' features in F.pkl (a rerun only refits)
    python -m eval.train_scorer --index seed=D1 --index devcorpus=D2 --write
                                                   # each corpus's candidates from its own index: for a tuned model,
                                                   #     one tuned on the other corpus's questions (see below)

For every answerable question of a dev set, the candidate sentences `ask` scores (Assistant.pool: every sentence
of the fused passages, with its SCORER_FEATURES) are labelled 1 when they overlap a gold quote. Two fits:

- listwise (what ships when it holds): a conditional logit, i.e. the softmax over one question's candidates
  of a weighted sum of their standardised features, fitted so the gold ones get the probability (L2 = L2);
  then its sums are mapped onto the hand-set score's scale by one straight line (least squares over every
  candidate), so what reads scores downstream (the answer's relative floors, a figure's lift from its
  neighbour, the comparison floors) keeps its meaning and an answer stays as long: only the order changes.
  (Calibrated to a probability instead, answers fell from 5.1 to 3.5 sentences and the dev corpus's
  evidence hit from 0.444 to 0.369: a relative floor on a probability keeps far fewer sentences);
- pointwise: a logistic regression over all candidates alike (scikit-learn), for comparison.

Each is judged on the other corpus against the hand-set weights: how often the best-scored candidate is gold
(@1), and one of the best 3 (@3) and 5 (@5). The index is the one ASSISTANT_DATA_DIR points at; it must hold
every document the sets quote. `--index CORPUS=DIR` takes a corpus's candidates from another index. The shipped fit
was made so: the seeds' candidates from an index built with the model tuned on the dev corpus's questions alone, and
the dev corpus's from one built with the model tuned on the seeds' alone. Each corpus's cosines are then those of a
model that never saw its questions, as on new documents, and a fit on one corpus is measured on the other honestly.
`make fit-scorer` does all of it: the two one-corpus models, their two indexes (data/fit/), and this with --write.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant import scoring  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.engine import Assistant  # noqa: E402
from eval.fitting import about_sets, cached, dev_sets, pooled, print_table  # noqa: E402
from eval.metrics import Span, overlaps  # noqa: E402

C = 1.0  # the pointwise fit's inverse regularisation strength (scikit-learn's default)
L2 = 5.0  # the listwise fit's penalty on the squared standardised weights, per question
AT = (1, 3, 5)
Group = tuple[np.ndarray, np.ndarray]  # one question: features of its candidates, 1 where a candidate overlaps gold


def examples(bot: Assistant, path: Path, corpus: str) -> list[Group]:
    """Per answerable question: the features of its candidate sentences and which overlap gold."""
    out = []
    for _, gold, _, _, evidence in pooled(bot, path, corpus):
        if not evidence:
            continue
        x = np.array([e.features for e in evidence], dtype=np.float64)
        y = np.array(
            [any(overlaps(Span(e.passage.doc.source, e.sentence.start, e.sentence.end), g) for g in gold) for e in evidence],
            dtype=np.int64,
        )
        out.append((x, y))
    return out


def top_hits(groups: Sequence[Group], scorer: scoring.SentenceScorer) -> tuple[float, ...]:
    """Share of questions with a gold sentence among the best 1, 3 and 5 scored (questions without one count as misses)."""
    found = [0] * len(AT)
    for x, y in groups:
        order = np.argsort([-scorer(row) for row in x], kind="stable")
        for i, n in enumerate(AT):
            found[i] += int(y[order[:n]].any())
    return tuple(f / max(len(groups), 1) for f in found)


def fit_pointwise(groups: Sequence[Group]) -> scoring.SentenceScorer:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    model = LogisticRegression(C=C, max_iter=2000).fit(x, y)
    return scoring.SentenceScorer(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), True)


def fit_listwise(groups: Sequence[Group], l2: float = L2) -> scoring.SentenceScorer:
    """The conditional logit over each question's candidates, calibrated to a probability (see the module doc)."""
    from scipy.optimize import minimize

    x_all = np.vstack([x for x, _ in groups])
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0)
    scale[scale == 0] = 1.0
    lists = [((x - mean) / scale, y.astype(bool)) for x, y in groups if y.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for z, gold in lists:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            on_gold = p[gold].sum()
            total -= float(np.log(on_gold))
            grad += z.T @ (p - np.where(gold, p / on_gold, 0.0))
        n = max(len(lists), 1)
        return total / n + l2 * float(w @ w) / n, grad / n + 2 * l2 * w / n

    w = minimize(loss, np.zeros(x_all.shape[1]), jac=True, method="L-BFGS-B").x
    sums = ((x_all - mean) / scale) @ w
    hand = scoring.SentenceScorer.hand(scoring.SEMANTIC_WEIGHT)
    a, b = np.polyfit(sums, [hand(row) for row in x_all], 1)  # onto the hand-set score's scale (see the module doc)
    weights = a * w / scale
    return scoring.SentenceScorer(tuple(float(v) for v in weights), float(b) - float(np.sum(weights * mean)), False)


def _cells(hits: tuple[float, ...]) -> str:
    return " / ".join(f"{h:.3f}" for h in hits)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.train_scorer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store the listwise fit on all dev sets if it holds across corpora")
    parser.add_argument("--cache", type=Path, default=None, help="pickle of the candidates: read if present, else written")
    parser.add_argument("--index", action="append", default=[], metavar="CORPUS=DIR",
                        help="take CORPUS's candidates from the index in DIR (default: ASSISTANT_DATA_DIR's)")  # fmt: skip
    parser.add_argument("--write-each", type=Path, default=None, metavar="DIR",
                        help="also store each corpus's fit alone as DIR/sentence_scorer-CORPUS.json")  # fmt: skip
    args = parser.parse_args(argv)
    paths = dev_sets()
    settings = replace(Settings.from_env(), scorer="hand", ranker="hand")  # the candidates as the hand-set scorer ranks them
    folders = dict(item.split("=", 1) for item in args.index)
    if unknown := set(folders) - set(paths):
        parser.error(f"--index names {sorted(unknown)}; the corpora with dev sets are {sorted(paths)}")
    folder_of = {c: Path(folders[c]) if c in folders else settings.data_dir for c in paths}
    # one Assistant an index: corpora sharing one share its models and matrix
    by_folder = {folder: Assistant(replace(settings, data_dir=folder)) for folder in set(folder_of.values())}
    bots = {c: by_folder[folder] for c, folder in folder_of.items()}
    data = cached(args.cache, lambda: {c: examples(bots[c], p, c) for c, p in paths.items()})
    hand = scoring.SentenceScorer.hand(scoring.SEMANTIC_WEIGHT)
    listwise = {c: fit_listwise(g) for c, g in data.items()}
    everything = [g for groups in data.values() for g in groups]
    both = fit_listwise(everything)
    rows = {"hand-set": hand, **{f"listwise, fitted on {c} dev": s for c, s in listwise.items()}, "listwise, fitted on both": both}
    rows |= {f"pointwise, fitted on {c} dev": fit_pointwise(g) for c, g in data.items()}
    header = ["scorer", *(f"{c} @1 / @3 / @5" for c in data)]
    table = [[label, *(_cells(top_hits(g, scorer)) for g in data.values())] for label, scorer in rows.items()]
    print_table(header, table)
    beats = {  # the fit on one corpus against the hand-set weights on each other corpus, at @1 and @3
        (c, other): [f >= h for f, h in zip(top_hits(data[other], listwise[c]), top_hits(data[other], hand), strict=True)][:2]
        for c in data for other in data if other != c
    }
    holds = len(data) >= 2 and all(all(b) for b in beats.values())
    why = ("each corpus's listwise fit found gold at @1 and @3 at least as often as the hand-set weights on the other corpus" if holds else
           "a listwise fit on one corpus's dev set lost to the hand-set weights on the other at @1 or @3: not stored")  # fmt: skip
    print(why)
    print("listwise fit on both (raw-feature weights): " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(scoring.SCORER_FEATURES, both.weights, strict=True)))
    command = " ".join(["python -m eval.train_scorer --write", *(f"--index {i}" for i in args.index)])
    about = about_sets(paths, {c: len(g) for c, g in data.items()})
    embedders = "; ".join(f"{c} candidates from {bot.settings.data_dir} (embedder {bot.index.embedder.name})" for c, bot in bots.items())
    if args.write and holds:
        n_sentences = sum(len(y) for _, y in everything)
        trained_on = f"{why}; dev sets {about}; {n_sentences} candidate sentences; {embedders}; {date.today().isoformat()}"
        _store(scoring.SCORER_PATH, both, trained_on, command, [dict(zip(header, row, strict=True)) for row in table])
    if args.write_each:  # each corpus's fit alone, for measuring it end to end on the other (ASSISTANT_SCORER=FILE)
        args.write_each.mkdir(parents=True, exist_ok=True)
        for c, fit in listwise.items():
            n_sentences = sum(len(y) for _, y in data[c])
            trained_on = f"the {c} dev set alone ({len(data[c])} questions, {n_sentences} candidate sentences); {embedders}; {date.today().isoformat()}"
            _store(args.write_each / f"sentence_scorer-{c}.json", fit, trained_on, command, [])
    return 0


def _store(path: Path, fit: scoring.SentenceScorer, trained_on: str, command: str, table: list[dict[str, str]]) -> None:
    """A listwise fit as data, in the format scoring.SentenceScorer.load reads."""
    path.write_text(json.dumps({
        "features": list(scoring.SCORER_FEATURES),
        "weights": list(fit.weights),
        "bias": fit.bias,
        "trained_on": trained_on,
        "logistic": False,
        "model": f"listwise conditional logit (L2 {L2}) over standardised features, mapped onto the hand-set scale; weights on the raw features",
        "command": command,
        "table": table,
    }, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    raise SystemExit(main())
