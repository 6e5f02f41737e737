"""How well an embedding model alone finds each dev question's gold passage: the quick check of an embedder before a
full `eval run` (minutes, not an hour).

Every chunk of an index is embedded with each model given, every answerable dev question (a follow-up with its
previous question, as `ingest tune` pairs it) is embedded the same way, and the rank of the first chunk that
overlaps a gold quote is read. Printed per corpus: hit@5, hit@20 and MRR (first 100 ranks).

    python -m eval.dense_probe --data-dir DIR MODEL [MODEL ...]
    python -m eval.dense_probe --data-dir DIR --base MODEL --self-pairs ict --corpus devcorpus --pairs 2000 --out OUT

The second form first tunes MODEL on pairs made from one corpus's documents alone, with no questions: a sentence
and the rest of its chunk (`ict`, inverse cloze), or a section heading and its chunk (`heading`). That is what a
model "tuned on whatever the user has ingested" would learn from. Measured in round fifteen (eval/README.md): after
question tuning, `ict` raised dense hit@5 on those documents' questions both ways, and headings did not; neither
raised the answers' evidence end to end, so nothing ships it.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.dataset import CORPORA, CORPUS_FOLDERS, load_questions, locate_gold, set_path
from eval.metrics import Score, Span, covered, hit_at_k, mean, reciprocal_rank

RANKS = 100  # ranks read per question
KEEP_SENTENCE = 0.1  # share of inverse-cloze passages that keep their query sentence (as inverse-cloze training does)


def rank_scores(order: Sequence[Span], gold: Sequence[Span]) -> tuple[Score, Score, Score]:
    """hit@5, hit@20 and reciprocal rank of chunks in rank order against a question's gold, as eval scores passages."""
    cover = covered(order, gold)
    return hit_at_k(cover, len(gold), 5), hit_at_k(cover, len(gold), 20), reciprocal_rank(cover, len(gold))


def questions(texts: dict[str, str]) -> dict[str, list[tuple[str, list[Span]]]]:
    """corpus -> its answerable dev questions with gold located, each as the text `ingest tune` embeds."""
    from ingest.tune import query_text

    out = {}
    for corpus in CORPORA:
        qs = [q for q in load_questions([set_path(corpus, "dev")]) if q.answerable]
        gold, _ = locate_gold(qs, texts)
        out[corpus] = [
            (query_text({"question": q.question, "history": list(q.history)}), gold[q.id]) for q in qs if gold.get(q.id)
        ]
    return out


def probe(
    model: Any, chunks: Sequence[Any], titles: dict[str, str], asked: dict[str, list[tuple[str, list[Span]]]]
) -> dict[str, tuple[float, float, float]]:
    """corpus -> (hit@5, hit@20, MRR) of dense search over all `chunks` with `model`, each embedded as ingest embeds it
    (its document's title and its section first: ingest.split.embedding_text)."""
    import numpy as np

    from ingest.split import embedding_text

    texts = [embedding_text(c.text, c.section, titles[c.doc_id]) for c in chunks]
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    places = [Span(c.doc_id, c.start, c.end) for c in chunks]  # a chunk's doc_id is its document's source
    out = {}
    for corpus, items in asked.items():
        q = model.encode([text for text, _ in items], batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        sims = q @ vectors.T
        rows = [
            rank_scores([places[j] for j in np.argsort(-row)[:RANKS]], gold) for row, (_, gold) in zip(sims, items, strict=True)
        ]
        out[corpus] = tuple(mean(column) or 0.0 for column in zip(*rows, strict=True))
    return out


def self_pairs(chunks: Sequence[Any], kind: str, n: int, seed: int = 0, keep: float = KEEP_SENTENCE) -> list[tuple[str, str]]:
    """Up to n (query, passage) pairs from the chunks' own text, the chunks taken in a shuffled order:
    - `ict`: in a chunk with at least 3 sentences of at least 8 words (as `split_sentences` splits the chunk alone,
      headings and merged-column text included), one of them, and the chunk with that sentence cut out (kept in a
      `keep` share of pairs);
    - `heading`: the last part of a chunk's section path (3 to 15 words, mostly letters, not the chunk's own first
      words), and the chunk.
    The passage is the chunk's text alone, without the title and section the index embeds with it."""
    from assistant.cite import split_sentences

    rng = random.Random(seed)
    order = list(chunks)
    rng.shuffle(order)
    out: list[tuple[str, str]] = []
    for c in order:
        if len(out) >= n:
            break
        if kind == "ict":
            sentences = [s for s in split_sentences(c.doc_id, c.text) if len(s.text.split()) >= 8]
            if len(sentences) >= 3:
                chosen = rng.choice(sentences)
                cut = c.text[: chosen.start] + " " + c.text[chosen.end :]
                out.append((chosen.text, c.text if rng.random() < keep else cut))
        else:
            head = (c.section or "").split(">")[-1].strip()
            letters = head.replace(" ", "")
            if (
                3 <= len(head.split()) <= 15
                and sum(ch.isalpha() for ch in letters) > 0.8 * len(letters)
                and not c.text.lstrip().startswith(head[:20])
            ):
                out.append((head, c.text))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.dense_probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help="packaged model names or model folders to probe")
    parser.add_argument(
        "--data-dir", required=True, type=Path, help="an index of both corpora (any model: only its chunks are read)"
    )
    parser.add_argument("--base", help="tune this model on pairs from documents alone, then probe the result")
    parser.add_argument("--self-pairs", choices=("ict", "heading"), default="ict")
    parser.add_argument("--corpus", choices=CORPORA, default="devcorpus", help="whose documents the pairs come from")
    parser.add_argument("--pairs", type=int, help="at most this many pairs (with --base; 2000 if not given)")
    parser.add_argument("--epochs", type=int, help="passes over the pairs (with --base; 1 if not given)")
    parser.add_argument("--out", type=Path, help="where the tuned model is written (with --base)")
    args = parser.parse_args(argv)
    if not args.models and not args.base:
        parser.error("name a model to probe, or --base to tune one first")
    if args.base and not args.out:
        parser.error("--base needs --out, the folder the tuned model is written to")
    if not args.base and (args.out or args.pairs is not None or args.epochs is not None):
        parser.error("--out, --pairs and --epochs tune a model: give --base too")
    args.pairs = 2000 if args.pairs is None else args.pairs
    args.epochs = 1 if args.epochs is None else args.epochs
    if args.pairs < 1 or args.epochs < 1:
        parser.error("--pairs and --epochs must be at least 1")
    if args.out and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} exists and is not empty; choose a new --out (a model folder is never overwritten)")

    from assistant.docstore import DocStore
    from assistant.embed import model_path
    from assistant.errors import AssistantError

    try:
        paths = {name: model_path(name) for name in [*args.models, *([args.base] if args.base else [])]}
    except AssistantError as e:
        parser.error(str(e))
    if not (args.data_dir / "index.sqlite").is_file():
        parser.error(
            f"no index in {args.data_dir}; build one with `ASSISTANT_DATA_DIR={args.data_dir} ingest corpus/ eval/dev-corpus/`"
        )
    store = DocStore(args.data_dir / "index.sqlite", create=False)
    documents = store.documents()
    chunks = list(store.chunks(sorted(store.chunk_ids())).values())  # this order, not all_chunks(): round fifteen's sample
    texts = {d.source: store.text(d.doc_id) for d in documents}
    titles = {d.doc_id: d.title for d in documents}
    asked = questions(texts)
    if missing := [c for c, items in asked.items() if not items]:
        parser.error(
            f"no {' or '.join(missing)} dev question has its gold in {args.data_dir}; ingest corpus/ and eval/dev-corpus/ there"
        )
    pairs: list[tuple[str, str]] = []
    if args.base:
        seeds = {d.doc_id for d in documents if d.path and CORPUS_FOLDERS["seed"] in Path(d.path).resolve().parents}
        own = [c for c in chunks if (c.doc_id in seeds) == (args.corpus == "seed")]
        pairs = self_pairs(own, args.self_pairs, args.pairs)
        if not pairs:
            parser.error(f"no {args.self_pairs} pair could be made from the {args.corpus} documents in {args.data_dir}")

    from sentence_transformers import SentenceTransformer

    from ingest.tune import train

    print(f"{len(chunks)} chunks; " + ", ".join(f"{c}: {len(v)} questions" for c, v in asked.items()), file=sys.stderr)
    models = [(name, SentenceTransformer(str(paths[name]), device="cpu", local_files_only=True)) for name in args.models]
    if args.base:
        print(f"tuning {args.base} on {len(pairs)} {args.self_pairs} pairs from the {args.corpus} documents", file=sys.stderr)
        models.append((str(args.out), train(args.base, pairs, args.out, epochs=args.epochs, progress=True)))
    print("| model | " + " | ".join(f"{c} hit@5 / hit@20 / MRR" for c in asked) + " |")
    print("|---|" + "---|" * len(asked))
    for name, model in models:
        found = probe(model, chunks, titles, asked)
        print(f"| {name} | " + " | ".join(" / ".join(f"{x:.3f}" for x in found[c]) for c in asked) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
