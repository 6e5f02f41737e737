"""Fine-tune the packaged embedding model on annotated questions about the corpus: `ingest tune`.

The questions (JSONL, the eval format: `question`, optional `history`, `gold: [{doc, quote}]`) are paired
with what answers them: each gold quote, as the document's stored text holds it. A plain in-batch-negatives
loop (multiple-negatives ranking loss) nudges all-MiniLM-L6-v2 towards how questions about ICS
accountability are phrased and which passages answer them. Everything is local: the starting weights come
from the pip package, the documents from the corpus folders (loaded, cleaned and split exactly as ingest
does), and nothing is downloaded.

`make model` tunes it on both corpora's dev questions, and that model is the default (assistant/config.py).
Measured both ways (eval/README.md, "Which embedder"): tuned on the dev corpus's questions alone, the whole
system quotes the seeds' gold more often (evidence hit 0.789 -> 0.813), and tuned on the seeds' alone, the
dev corpus's (0.508 -> 0.524). The output folder holds the model and `tuning.json` (what it was trained on);
its fingerprint becomes part of the model's name in the index, so a retrained model is never mixed with
vectors from the old one.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.embed import TUNING_FILE, model_path, tuning_manifest
from assistant.errors import AssistantError, ConfigError
from assistant.rewrite import history_questions
from ingest.quotes import locate_quote

TUNE_VERSION = 2  # bump when the pairs or the loop change: the fingerprint changes and indexes re-embed
EPOCHS = 2  # tuned on one corpus, measured on the other: 2 epochs beat 1 both ways (gold-sentence MRR 0.306 vs 0.296, 0.441 vs 0.415)
BATCH = 16  # in-batch negatives per step
LEARNING_RATE = 2e-5
SCALE = 20.0  # cosine -> logit scale of the ranking loss (the sentence-transformers default)
SEED = 0


class TuneError(AssistantError):
    """The questions or documents cannot be turned into training pairs."""


@dataclass(frozen=True)
class TuneReport:
    out: Path
    questions: int
    pairs: int
    skipped: int  # gold quotes not found in their document's stored text
    seconds: float
    reused: bool  # an up-to-date model was already there


def query_text(item: dict) -> str:
    """What is embedded for a question: a follow-up carries its previous question, as the retriever's rewrite does."""
    history = history_questions(item.get("history"))
    return f"{history[-1]} {item['question']}" if history else item["question"]


def read_questions(paths: Sequence[Path]) -> list[dict]:
    """Questions with gold quotes from JSONL files; a malformed line is an error naming file and line."""
    items: list[dict] = []
    for path in paths:
        if not path.is_file():
            raise TuneError(f"{path}: no such questions file; pass --questions FILE.jsonl (e.g. eval/sets/seed-dev.jsonl).")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TuneError(f"{path}:{n}: not JSON ({exc.msg}); fix or remove that line.") from None
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise TuneError(f"{path}:{n}: each line needs a \"question\" string; fix or remove that line.")
            if item.get("gold"):
                items.append(item)
    if not items:
        raise TuneError(f"No question in {', '.join(map(str, paths))} has gold quotes to learn from; add \"gold\": [{{\"doc\", \"quote\"}}].")
    return items


def training_pairs(items: Sequence[dict], corpus: Sequence[Path], settings: Settings) -> tuple[list[tuple[str, str]], int]:
    """(query, passage) pairs: each gold quote as the document's stored text holds it (found as eval finds it:
    exactly, across any whitespace, or on its letters and digits alone); plus the quotes not found.

    Only the quotes, not the chunks holding them: trained on both, a model tuned on the seed questions
    found the dev corpus's gold sentences no better (sentence-level dense, MRR 0.301 against 0.296 with
    quotes alone), at six times the cost (10 minutes against 1.5 on 2 cores; eval/README.md, round six)."""
    from ingest.pipeline import prepare_all

    prepared = {p.source.rel: p for p in prepare_all(corpus, settings)}
    if not prepared:
        raise TuneError(f"No readable documents in {', '.join(map(str, corpus))}; pass the corpus folder the questions are about.")
    pairs: list[tuple[str, str]] = []
    skipped = 0
    for item in items:
        query = query_text(item)
        for gold in item["gold"]:
            doc = prepared.get(str(gold.get("doc", "")))
            found = locate_quote(doc.text, gold["quote"]) if doc and gold.get("quote") else None
            if doc is None or found is None:
                skipped += 1
                continue
            pairs.append((query, doc.text[found[0] : found[1]]))
    if not pairs:
        raise TuneError("None of the gold quotes is in the corpus documents; check that --questions matches the corpus folder.")
    return pairs, skipped


def fingerprint(base: str, pairs: Sequence[tuple[str, str]], epochs: int, seed: int) -> str:
    h = hashlib.sha256(json.dumps([TUNE_VERSION, base, epochs, seed, BATCH, LEARNING_RATE, SCALE]).encode())
    for query, passage in pairs:
        h.update(f"{query}\0{passage}\1".encode())
    return h.hexdigest()


def train(base: str, pairs: Sequence[tuple[str, str]], out: Path, epochs: int = EPOCHS, seed: int = SEED, progress: bool = False):  # noqa: ANN201
    """Fine-tune `base` on the pairs with in-batch negatives and save it to `out`; returns the model."""
    import torch
    from huggingface_hub.utils import disable_progress_bars
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" / "Writing model shards" bars
    disable_progress_bars()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(model_path(base)), device="cpu", local_files_only=True)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    order = list(pairs)
    steps = epochs * ((len(order) + BATCH - 1) // BATCH)
    from ingest.pipeline import Progress  # a bar on a terminal, else a line every PROGRESS_EVERY_S (make, CI logs)

    bar = Progress("tuning", {"steps": steps}, enabled=progress)
    for _ in range(epochs):
        rng.shuffle(order)
        for b in range(0, len(order), BATCH):
            batch = order[b : b + BATCH]
            queries = model.preprocess([q for q, _ in batch])
            passages = model.preprocess([p for _, p in batch])
            qv = torch.nn.functional.normalize(model(queries)["sentence_embedding"], dim=-1)
            pv = torch.nn.functional.normalize(model(passages)["sentence_embedding"], dim=-1)
            loss = torch.nn.functional.cross_entropy(qv @ pv.T * SCALE, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            bar.update(steps=1)
    bar.close()
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return model


def tune(
    questions: Sequence[Path],
    corpus: Sequence[Path],
    out: Path,
    settings: Settings,
    *,
    base: str = "",
    epochs: int = EPOCHS,
    seed: int = SEED,
    force: bool = False,
    progress: bool = False,
) -> TuneReport:
    """Build (or reuse, when its fingerprint matches) the tuned model in `out`."""
    started = time.perf_counter()
    base = base or (settings.embed_model if settings.embed_model_explicit else DEFAULT_EMBED_MODEL)
    if (model_path(base) / TUNING_FILE).is_file():
        raise TuneError(f"{base} is already a tuned model; tune from the packaged one (unset ASSISTANT_EMBED_MODEL or pass --base).")
    items = read_questions(questions)
    pairs, skipped = training_pairs(items, corpus, settings)
    key = fingerprint(base, pairs, epochs, seed)
    manifest_path = out / TUNING_FILE
    if not force:
        try:
            if (tuning_manifest(out) or {}).get("fingerprint") == key:
                return TuneReport(out, len(items), len(pairs), skipped, time.perf_counter() - started, reused=True)
        except ConfigError:
            pass  # unreadable manifest: train again
    if out.exists() and any(out.iterdir()) and not manifest_path.is_file():
        raise TuneError(f"{out} exists and is not a tuned model folder; choose another --out or remove it.")
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    train(base, pairs, tmp, epochs=epochs, seed=seed, progress=progress)
    manifest = {
        "fingerprint": key, "base": base, "version": TUNE_VERSION, "epochs": epochs, "seed": seed,
        "batch": BATCH, "learning_rate": LEARNING_RATE, "questions": len(items), "pairs": len(pairs),
        "question_files": [str(p) for p in questions], "question_ids": sorted(str(i.get("id")) for i in items if i.get("id")),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (tmp / TUNING_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if out.exists():  # replace the old model only once the new one is complete
        shutil.rmtree(out)
    tmp.rename(out)
    return TuneReport(out, len(items), len(pairs), skipped, time.perf_counter() - started, reused=False)
