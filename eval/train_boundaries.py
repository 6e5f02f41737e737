"""Fit the sentence-boundary model that cuts unpunctuated runs (ingest/runs.py), measured across corpora.

    python -m eval.train_boundaries            # fit on each corpus, measure on the other; fit on both
    python -m eval.train_boundaries --write    # ... and store the fit on both in assistant/data/boundaries.json

The examples are the documents' own sentences (assistant.cite.split_sentences of the cleaned text; headings and
list items left out), read in order as one stream of words, lower-cased and without punctuation (runs.token), as an
automatic transcript writes speech. Each gap between two words is labelled 1 where a sentence ended there. The model
is scikit-learn's L2 logistic regression over runs.gap_features; features seen fewer than MIN_COUNT times, and weights
nearer 0 than SMALLEST, are dropped (the file stays small; the F1s of the alternatives are beside the constants).

It is judged as it is used: the other corpus's stream is cut into runs of RUN_LENGTH words, each run is segmented
(runs.segment over runs.gap_scores; also without its rule against cuts that leave the sense hanging) and the cuts
are compared with the true sentence ends: precision, recall and F1 of the cuts, and the
share of units that are exactly one sentence. Beside it, what transcript.py's caption cutter does with no pauses
and no commas (a cut at MAX_WORDS words, moved back past the words that leave the sense hanging) and even cuts at the
mean sentence length. C (the regularisation) is chosen by the mean of the two cross-corpus F1s.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cite import split_sentences  # noqa: E402
from ingest import runs, transcript  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)
from ingest.clean import clean  # noqa: E402
from ingest.load import load  # noqa: E402

CORPORA = {"seed": ROOT / "corpus", "devcorpus": ROOT / "eval" / "dev-corpus"}
MIN_COUNT = 5  # features seen fewer times are dropped (2: 129,032 weights, seed F1 0.402; 5: 44,615, 0.414; 10: 22,159, 0.387)
SMALLEST = 0.2  # weights nearer 0 than this are dropped (at MIN_COUNT 5: 23,637 weights, F1 0.412; a 0.6 MB file)
CS = (0.1, 0.3, 1.0, 3.0)
RUN_LENGTH = 300  # words in each run of the held-out stream
MAX_BYTES = 50_000_000

Stream = tuple[list[str], list[int]]  # tokens; 1 at each token a sentence ends after


def stream(folder: Path) -> Stream:
    """Every document's sentences in order, as tokens, with where each sentence ends."""
    tokens: list[str] = []
    ends: list[int] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not is_folder_note(p.name)):
        loaded = load(path, max_bytes=MAX_BYTES)
        text = clean(loaded.text, loaded.caption, loaded.not_printed).text
        for s in split_sentences(path.name, text):
            if s.heading or s.item or s.fragment:  # a fragment of one column's line: its end is the line's, not a sentence's
                continue
            words = [t for t in (runs.token(w) for w in s.text.split()) if t]
            if words:
                tokens += words
                ends += [0] * (len(words) - 1) + [1]
    return tokens, ends


def examples(data: Stream) -> tuple[list[list[str]], np.ndarray]:
    tokens, ends = data
    return [runs.gap_features(tokens, i) for i in range(len(tokens) - 1)], np.array(ends[:-1])


def fit(data: Stream, c: float) -> runs.BoundaryModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    feats, y = examples(data)
    counts = Counter(f for fs in feats for f in fs)
    vec = DictVectorizer()
    x = vec.fit_transform({f: 1 for f in fs if counts[f] >= MIN_COUNT} for fs in feats)
    clf = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True) if abs(w) >= SMALLEST}
    return runs.BoundaryModel(weights, round(float(clf.intercept_[0]), 4))


def _chunks(data: Stream) -> list[Stream]:
    tokens, ends = data
    return [(tokens[i : i + RUN_LENGTH], ends[i : i + RUN_LENGTH]) for i in range(0, len(tokens), RUN_LENGTH)]


def score(data: Stream, cutter) -> dict[str, float]:
    """Precision, recall and F1 of a cutter's cuts against the true sentence ends; units that are exactly a sentence."""
    tp = fp = fn = exact = units = 0
    for tokens, ends in _chunks(data):
        cuts = set(cutter(tokens))
        truth = {i for i, e in enumerate(ends[:-1]) if e}
        tp, fp, fn = tp + len(cuts & truth), fp + len(cuts - truth), fn + len(truth - cuts)
        bounds = [-1, *sorted(cuts), len(tokens) - 1]
        for a, b in zip(bounds, bounds[1:], strict=False):
            units += 1
            exact += (a == -1 or a in truth) and (b == len(tokens) - 1 or b in truth) and not any(i in truth for i in range(a + 1, b))
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(1e-9, p + r), "exact units": exact / max(1, units)}


def model_cutter(model: runs.BoundaryModel, hanging: bool = True):
    """Cuts as ingest makes them (runs.gap_scores); hanging=False: the model's log-odds alone, for comparison."""
    score = runs.gap_scores if hanging else (lambda m, tokens: m.log_odds(tokens))
    return lambda tokens: runs.segment(score(model, tokens), len(tokens))


def caption_cutter(tokens: Sequence[str]) -> list[int]:
    """transcript.py's length cut with no pauses or commas: at MAX_WORDS words, back past hanging words."""
    cuts, begin = [], 0
    while len(tokens) - begin > runs.MAX_WORDS:
        end = begin + runs.MAX_WORDS - 1
        while end > begin + transcript.MIN_UNIT_WORDS and (tokens[end] in transcript.UNENDING or tokens[end + 1] in transcript.UNSTARTING):
            end -= 1
        cuts.append(end)
        begin = end + 1
    return cuts


def even_cutter(mean: float):
    return lambda tokens: [i for i in range(len(tokens) - 1) if (i + 1) % round(mean) == 0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="store the fit on both corpora in assistant/data/boundaries.json")
    args = parser.parse_args(argv)
    print("reading the corpora's sentences ...", flush=True)
    data = {name: stream(folder) for name, folder in CORPORA.items()}
    for name, (tokens, ends) in data.items():
        print(f"  {name}: {len(tokens):,} words, {sum(ends):,} sentences ({len(tokens) / max(1, sum(ends)):.1f} words each)")
    rows, by_c = [], {}
    for c in CS:
        f1s = []
        for train, test in (("seed", "devcorpus"), ("devcorpus", "seed")):
            print(f"fitting C={c} on {train} ...", flush=True)
            got = score(data[test], model_cutter(fit(data[train], c)))
            f1s.append(got["f1"])
            rows.append({"fit on": train, "measured on": test, "C": c, **got})
        by_c[c] = float(np.mean(f1s))
    c = max(by_c, key=by_c.get)
    for train, test in (("seed", "devcorpus"), ("devcorpus", "seed")):
        got = score(data[test], model_cutter(fit(data[train], c), hanging=False))
        rows.append({"fit on": train, "measured on": test, "C": f"{c}, no hanging rule", **got})
    for test in CORPORA:
        tokens, ends = data[test]
        for name, cutter in (("caption length cut", caption_cutter), ("even cuts", even_cutter(len(tokens) / max(1, sum(ends))))):
            rows.append({"fit on": "-", "measured on": test, "C": name, **score(data[test], cutter)})
    print(f"\n{'fit on':<10} {'measured on':<12} {'C':<22} precision recall  f1     exact units")
    for r in rows:
        print(f"{r['fit on']:<10} {r['measured on']:<12} {str(r['C']):<22} {r['precision']:.3f}     {r['recall']:.3f}  {r['f1']:.3f}  {r['exact units']:.3f}")
    print(f"\nC = {c} (mean cross-corpus F1 {by_c[c]:.3f})")
    if args.write:
        both = (data["seed"][0] + data["devcorpus"][0], data["seed"][1] + data["devcorpus"][1])
        model = fit(both, c)
        runs.MODEL_PATH.write_text(json.dumps({
            "model": f"logistic regression (scikit-learn, L2, C={c}) over ingest.runs.gap_features; features seen < {MIN_COUNT} times and weights under {SMALLEST} dropped",
            "trained_on": ", ".join(f"{folder.relative_to(ROOT)} ({len(data[n][0]):,} words, {sum(data[n][1]):,} sentences)" for n, folder in CORPORA.items()),
            "fitted": date.today().isoformat(),
            "command": "python -m eval.train_boundaries --write",
            "table": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
            "bias": model.bias,
            "weights": dict(sorted(model.weights.items())),
        }, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
        print(f"wrote {runs.MODEL_PATH} ({len(model.weights):,} weights)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
