#!/usr/bin/env python3
"""Scale benchmark: ingest, sentence vectors, warm and cold ask, memory and concurrency at ~1k, 10k and 100k chunks.

    .venv/bin/python eval/bench_scale.py                      # sizes 1000,10000 (about 45 minutes on 2 cores)
    .venv/bin/python eval/bench_scale.py --sizes 1000          # a quick run
    .venv/bin/python eval/bench_scale.py --sizes 100000        # long: progress is printed

Each index is built from the real corpora (corpus/ and eval/dev-corpus/) and, past their ~7k chunks, from
variants of the real documents (sentences shuffled within each paragraph, place names swapped per copy).
At every size it times, each step in a fresh process:

- ingest (the real `Ingestor`, model loaded before the clock starts) against the raw model: the same
  SentenceTransformer `encode` of the same chunk texts and sentence texts, same batch size, same process;
- sentence vectors: `Assistant.warm_up()` after the ingest (a second whole-corpus pass if ingest did not make them);
- warm `Assistant.ask` over the question strings of the eval sets: p50 / p95 / max, and the process's peak RSS;
- cold start to the first answer (a fresh interpreter: imports, index and model load, first ask), COLD_RUNS times:
  the median from the start of the process to the answer, and to the end of the process (exit included);
- ten threads asking on one Assistant at once against one asker: p95 ratio, and every concurrent answer
  (text, abstained, citations, passages) compared with the single-thread answer to the same question; and the
  floor two cores put under that ratio: a question's CPU time (one asker) x 10 askers / the cores, at the 95th
  percentile, over the one asker's p95 (ten questions always in flight share the cores, whatever the code does).

At 100k the filler documents (not the real ones) are embedded by a hashed bag-of-words stand-in of the model's
size and name, so the build takes minutes, not hours; retrieval still runs through the real code (Chroma, SQLite
FTS5, Assistant.ask with the real model embedding the questions). The printed table says where that applies.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.dataset import CORPUS_FOLDERS  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)

DEFAULT_SIZES = "1000,10000"
DEFAULT_WORK = Path("/tmp/bench-scale")
STANDIN_FROM = 50_000  # sizes from here embed their filler with the stand-in embedder
QUESTIONS_ASKED = 120
CONCURRENT_ASKERS = 10
COLD_RUNS = 3
WARM_UP_ASKS = 3
SIZE_SLACK = 0.05  # a size is "about" right within this share
REAL_ROOTS = tuple(CORPUS_FOLDERS.values())
QUESTION_FILES = ("eval/sets/seed-heldout.jsonl", "eval/sets/seed-dev.jsonl", "eval/questions.jsonl", "eval/dev_questions.jsonl")
# Place names swapped in each variant, so copies are not near-duplicates of each other.
PLACES = (
    "Leeds Lincolnshire Somerset Devon Cheshire Merseyside Birmingham Solihull Leicester Surrey Norfolk Cornwall Kent "
    "Cumbria Dorset Suffolk Essex Bristol York Sheffield Bradford Wakefield Derby Nottingham Durham Sussex Hampshire"
).split()
# Publishers of the dev-corpus files, by a word of the file name (the files have no catalogue).
DEV_PUBLISHERS = {
    "LTHT": "Leeds Teaching Hospitals NHS Trust", "LYPFT": "Leeds and York Partnership NHS Foundation Trust",
    "LCH": "Leeds Community Healthcare NHS Trust", "Leeds Community": "Leeds Community Healthcare NHS Trust",
    "Leeds City Council": "Leeds City Council", "NHS England": "NHS England", "NHS england": "NHS England",
    "GOV UK": "Department for Education", "Healthy-Leeds": "Leeds Health and Care Partnership",
    "leeds health": "Leeds Health and Wellbeing Board", "Workforce": "Leeds Health and Care Partnership",
}
_SENTENCE_CUT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def log(message: str) -> None:
    """Progress on stderr, flushed (the long builds must show they are moving)."""
    print(f"[bench_scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: with a hundred samples it reports a real observation."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# the corpus ------------------------------------------------------------------------------
def real_documents(work: Path) -> list[dict]:
    """The real documents with their catalogue entry and chunk count (split once, remembered in the work folder)."""
    cache = work / "real_documents.json"
    if cache.exists():
        return json.loads(cache.read_text())
    from assistant.config import Settings
    from ingest.catalog import load_catalog
    from ingest.pipeline import prepare_all

    log("splitting the real corpora once to count their chunks")
    settings = Settings.from_env()
    out = []
    for root in REAL_ROOTS:
        catalog = load_catalog(root)
        for prep in prepare_all([root], settings):
            rel = prep.source.rel
            if is_folder_note(Path(rel).name):
                continue
            entry = dict(catalog.entry(rel) or {"title": prep.info.title, "publisher": _dev_publisher(rel)})
            entry.pop("date_note", None)
            out.append({"path": str(prep.source.path), "group": root.name, "rel": rel, "entry": entry, "chunks": len(prep.chunks)})
    work.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out, indent=1))
    return out


def _dev_publisher(rel: str) -> str:
    return next((p for key, p in DEV_PUBLISHERS.items() if key in rel), "")


def variant_text(text: str, copy: int, keep: float = 1.0) -> str:
    """A real text with sentences shuffled within each line and place names swapped (the first `keep` of its lines)."""
    rng = random.Random(copy)
    swap = PLACES[copy % len(PLACES):] + PLACES[: copy % len(PLACES)]
    names = dict(zip(PLACES, swap, strict=True))
    pattern = re.compile(r"\b(" + "|".join(PLACES) + r")\b")
    lines = text.splitlines()
    lines = lines[: max(1, int(len(lines) * keep))]
    out = []
    for line in lines:
        parts = _SENTENCE_CUT.split(line)
        if len(parts) > 2:
            first, rest = parts[0], parts[1:]
            rng.shuffle(rest)
            line = " ".join([first, *rest])
        out.append(pattern.sub(lambda m: names[m.group(1)], line))
    return "\n".join(out) + "\n"


def build_corpus(size: int, work: Path) -> tuple[Path, Path | None, int]:
    """Folders real/ and filler/ under work/corpus-SIZE holding about `size` chunks; returns them and the estimate."""
    import yaml

    docs = real_documents(work)
    folder = work / f"corpus-{size}"
    real_dir, filler_dir = folder / "real", folder / "filler"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    real_dir.mkdir(parents=True)
    total, catalog = 0, {}
    ordered = [d for d in docs if d["group"] == "corpus"] + sorted((d for d in docs if d["group"] != "corpus"), key=lambda d: d["chunks"])
    for d in ordered:  # the seed documents first, then the others while they fit
        if total + d["chunks"] > size * (1 + SIZE_SLACK):
            continue
        rel = f"{d['group']}/{Path(d['rel']).name}"
        (real_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (real_dir / rel).write_bytes(Path(d["path"]).read_bytes())
        catalog[rel] = d["entry"]
        total += d["chunks"]
    (real_dir / "catalog.yaml").write_text(yaml.safe_dump({"documents": catalog}, allow_unicode=True, sort_keys=True))
    copy, filler = 0, {}
    sources = sorted(docs, key=lambda d: -d["chunks"])
    while total < size * (1 - SIZE_SLACK):
        d = sources[copy % len(sources)]
        copy += 1
        keep = min(1.0, (size - total) / d["chunks"])
        rel = f"v{copy:05d}_{Path(d['rel']).name}"
        filler_dir.mkdir(parents=True, exist_ok=True)
        text = Path(d["path"]).read_text(encoding="utf-8", errors="replace")
        (filler_dir / rel).write_text(variant_text(text, copy, keep), encoding="utf-8")
        entry = dict(d["entry"])
        entry["title"] = f"{entry.get('title') or Path(d['rel']).stem} (variant {copy})"
        filler[rel] = entry
        total += max(1, round(d["chunks"] * keep))
    if filler:
        (filler_dir / "catalog.yaml").write_text(yaml.safe_dump({"documents": filler}, allow_unicode=True, sort_keys=True))
    return real_dir, (filler_dir if filler else None), total


# the stand-in embedder --------------------------------------------------------------------
class HashedBagOfWords:
    """A cheap stand-in for the model (filler of the 100k index only): hashed word counts projected to the same
    dimension, unit length, under the real model's name so the index accepts it."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim, self.tuned = name, dim, False

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = zlib.crc32(word.encode())
                out[i, h % self.dim] += 1.0 if h & 0x10000 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-9)).tolist()


# steps, each run in a fresh process ------------------------------------------------------------
def _settings(data: Path):  # noqa: ANN202 - Settings imported lazily
    from assistant.config import Settings

    return Settings.from_env().with_(data_dir=data, chroma_url="")


def step_ingest(args: argparse.Namespace) -> dict:
    """Ingest real/ (real model) and filler/ (real model, or the stand-in), then the raw model on the same texts."""
    from assistant.embed import get_embedder
    from ingest.pipeline import Ingestor

    settings = _settings(args.data)
    embedder = get_embedder(settings.embed_model, settings.embed_batch)
    embedder.embed(["warm-up sentence about integrated care boards"] * 8)
    roots = [Path(p) for p in args.roots]
    phases = {"store_s": 0.0}
    store = Ingestor._store

    def timed_store(self, prepared, report) -> None:  # noqa: ANN001 - the embedding and storing phase, timed apart from reading
        t = time.perf_counter()
        store(self, prepared, report)
        phases["store_s"] += time.perf_counter() - t

    Ingestor._store = timed_store
    standin = HashedBagOfWords(embedder.name, embedder.dim) if args.standin else None
    started = time.perf_counter()
    reports = []
    if standin is None:
        reports.append(Ingestor(settings, embedder=embedder).run(roots))
    elif args.standin_all:
        reports.append(Ingestor(settings, embedder=standin).run(roots))
        real_s = 0.0
    else:
        reports.append(Ingestor(settings, embedder=embedder).run(roots[:1]))
        real_s = time.perf_counter() - started
        reports.append(Ingestor(settings, embedder=standin).run(roots[1:]))
    ingest_s = time.perf_counter() - started
    rss = peak_rss_mb()
    failed = [r.message for rep in reports for r in rep.results if r.status == "failed"]
    chunk_texts, sentence_texts = _embedded_texts(settings)
    out = {"ingest_s": ingest_s, "store_s": phases["store_s"], "ingest_rss_mb": rss, "chunks": len(chunk_texts), "sentences": len(sentence_texts), "failed": failed}
    if standin is not None:
        out["real_part_s"] = real_s
        return out  # the raw model on 100k chunks would take hours: no ratio at this size
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(embedder.path), device="cpu", local_files_only=True)  # the library, as shipped
    for name, texts in (("raw_chunks_s", chunk_texts), ("raw_sentences_s", sentence_texts)):
        t = time.perf_counter()
        model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        out[name] = time.perf_counter() - t
    return out


def _embedded_texts(settings) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """The chunk texts the pipeline embeds (title, section, chunk) and the evidence sentences of every document."""
    from assistant.cite import split_sentences
    from assistant.docstore import DocStore
    from ingest.split import embedding_text

    docs = DocStore(settings.sqlite_path)
    titles = {d.doc_id: d.title for d in docs.documents()}
    chunks = [embedding_text(c.text, c.section, titles[c.doc_id]) for c in docs.all_chunks()]
    sentences = [s.text for doc_id in titles for s in split_sentences(doc_id, docs.text(doc_id)) if not s.heading]
    docs.close()
    return chunks, sentences


def step_warm(args: argparse.Namespace) -> dict:
    """Time the sentence-vector pass (`assistant warm`) after the models are loaded."""
    from assistant.engine import Assistant

    assistant = Assistant(_settings(args.data))
    assistant.index.embed_query("load the model")
    started = time.perf_counter()
    sentences = assistant.warm_up()
    return {"warm_s": time.perf_counter() - started, "warm_sentences": sentences, "warm_rss_mb": peak_rss_mb()}


def signature(answer) -> str:  # noqa: ANN001
    """What must not change between runs: answer, abstention, citations, passages (timings aside)."""
    data = answer.to_json()
    keep = {k: data.get(k) for k in ("answer", "abstained", "citations", "passages", "closest")}
    for p in keep["passages"] or []:
        p.pop("score", None)
    return json.dumps(keep, sort_keys=True)


def step_ask(args: argparse.Namespace) -> dict:
    """Warm asks one at a time, then the same questions shared among ten threads on the same Assistant."""
    from assistant.engine import Assistant

    questions = load_questions(args.n)
    assistant = Assistant(_settings(args.data))
    assistant.warm_up()
    for q in questions[:WARM_UP_ASKS]:
        assistant.ask(q)
    embedding = _time_embedding(assistant.index.embedder)
    single: list[float] = []
    without_model: list[float] = []
    expected: list[str] = []
    for q in questions:  # first time each question is asked: the figures reported as warm ask
        embedding.ms = 0.0
        t = time.perf_counter()
        answer = assistant.ask(q)
        single.append((time.perf_counter() - t) * 1000)
        without_model.append(single[-1] - embedding.ms)
        expected.append(signature(answer))
    again: list[float] = []
    cpu: list[float] = []  # the process's CPU time per question (one asker: that question's, its BLAS threads' included)
    for q in questions:  # asked again, so that one asker and ten are compared with the same caches
        c, t = time.process_time(), time.perf_counter()
        assistant.ask(q)
        again.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    single_rss = peak_rss_mb()  # before the threads: ten at once add the allocator's per-thread slack
    concurrent: list[float] = [0.0] * len(questions)
    got: list[str] = [""] * len(questions)
    start = threading.Barrier(CONCURRENT_ASKERS)

    def asker(worker: int) -> None:
        start.wait()
        for i in range(worker, len(questions), CONCURRENT_ASKERS):
            t = time.perf_counter()
            answer = assistant.ask(questions[i])
            concurrent[i] = (time.perf_counter() - t) * 1000
            got[i] = signature(answer)

    t = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_ASKERS) as pool:
        list(pool.map(asker, range(CONCURRENT_ASKERS)))
    concurrent_wall = time.perf_counter() - t
    return {
        "questions": len(questions),
        "ask_p50_ms": statistics.median(single), "ask_p95_ms": percentile(single, 95), "ask_max_ms": max(single),
        "nomodel_p50_ms": statistics.median(without_model), "nomodel_p95_ms": percentile(without_model, 95),
        "again_p95_ms": percentile(again, 95), "single_wall_s": sum(again) / 1000,
        "cpu_p50_ms": statistics.median(cpu), "cpu_p95_ms": percentile(cpu, 95), "cores": os.cpu_count(),
        "concurrent_p95_ms": percentile(concurrent, 95), "concurrent_wall_s": concurrent_wall,
        "concurrent_mismatches": sum(a != b for a, b in zip(expected, got, strict=True)),
        "ask_rss_mb": peak_rss_mb(), "ask_rss_single_mb": single_rss,
    }


def _time_embedding(embedder):  # noqa: ANN001, ANN202 - wraps whichever embedder the index holds
    """Count the milliseconds the question's embedding takes (the model's share of an ask, apart from the code's)."""
    inner = embedder.embed
    local = threading.local()

    def timed(texts):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        try:
            return inner(texts)
        finally:
            local.ms = getattr(local, "ms", 0.0) + (time.perf_counter() - t) * 1000

    embedder.embed = timed

    class Reading:
        @property
        def ms(self) -> float:
            return getattr(local, "ms", 0.0)

        @ms.setter
        def ms(self, value: float) -> None:
            local.ms = value

    return Reading()


def step_cold(args: argparse.Namespace) -> dict:
    """Import, open the index, load the model and answer one question; says when the answer was there (wall clock),
    so the parent can time the process to its first answer apart from its exit."""
    from assistant import Assistant

    answer = Assistant(_settings(args.data)).ask(load_questions(1)[0])
    return {"cold_answer_chars": len(answer.answer), "cold_rss_mb": peak_rss_mb(), "answered_at": time.time()}


def load_questions(n: int) -> list[str]:
    """Question strings only (no gold), from the eval sets, alternating between the files, first n unique ones."""
    lists = []
    for name in QUESTION_FILES:
        path = ROOT / name
        if path.exists():
            lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            lists.append([row["question"] for row in lines if row.get("question")])
    out: dict[str, None] = {}
    for i in range(max((len(x) for x in lists), default=0)):
        for lst in lists:
            if i < len(lst) and len(out) < n:
                out[lst[i]] = None
    return list(out)


STEPS = {"ingest": step_ingest, "warm": step_warm, "ask": step_ask, "cold": step_cold}


def run_step(step: str, data: Path, *extra: str) -> dict:
    """Run one step in a fresh interpreter (this tree first on the path); returns its JSON line and wall seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ASSISTANT_DATA_DIR=str(data))
    env.pop("ASSISTANT_EMBED_MODEL", None)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--data", str(data), *extra]
    started, t = time.time(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"step {step} failed (exit {proc.returncode}); see the lines above.")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result[f"{step}_process_s"] = wall
    if "answered_at" in result:
        result[f"{step}_to_answer_s"] = result.pop("answered_at") - started
    return result


# the parent -------------------------------------------------------------------------------
def measure(size: int, work: Path, n_questions: int, reuse: bool, standin_all: bool = False, build_only: bool = False) -> dict:
    """Build (or reuse) the index of about `size` chunks and run every step on it (only the build with `build_only`)."""
    data = work / f"data-{size}"
    result: dict = {"size": size, "standin": "all" if standin_all else size >= STANDIN_FROM}
    if not (reuse and data.exists()):
        real_dir, filler_dir, estimate = build_corpus(size, work)
        log(f"size {size}: corpus of about {estimate} chunks in {real_dir.parent}; ingesting")
        if data.exists():
            import shutil

            shutil.rmtree(data)
        roots = [str(real_dir)] + ([str(filler_dir)] if filler_dir else [])
        standin = ["--standin", "--standin-all"] if standin_all else ["--standin"] if result["standin"] and filler_dir else []
        result.update(run_step("ingest", data, "--roots", *roots, *standin))
        log(f"size {size}: {result['chunks']} chunks ingested in {result['ingest_s']:.0f}s")
    if build_only:
        return result
    result.update(run_step("warm", data))
    log(f"size {size}: sentence vectors {result['warm_s']:.1f}s; asking")
    result.update(run_step("ask", data, "--n", str(n_questions)))
    log(f"size {size}: ask p95 {result['ask_p95_ms']:.0f} ms; cold start")
    colds = [run_step("cold", data) for _ in range(COLD_RUNS)]
    result["cold_s"] = statistics.median(c["cold_process_s"] for c in colds)
    result["cold_answer_s"] = statistics.median(c["cold_to_answer_s"] for c in colds)
    result["cold_runs_s"] = [round(c["cold_to_answer_s"], 2) for c in colds]
    return result


def _fmt(value: object, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def rows(r: dict) -> dict[str, str]:
    """One size's figures as table cells."""
    raw = (r.get("raw_chunks_s") or 0) + (r.get("raw_sentences_s") or 0)
    build = r.get("ingest_s", 0) + r.get("warm_s", 0)
    return {
        "chunks indexed": _fmt(r.get("chunks")),
        "evidence sentences": _fmt(r.get("sentences")),
        "ingest s": _fmt(r.get("ingest_s"), 1),
        "ingest chunks/s": _fmt(r["chunks"] / r["ingest_s"], 1) if r.get("ingest_s") else "n/a",
        "sentence vectors after ingest s": _fmt(r.get("warm_s"), 1),
        "raw model, chunks + sentences s": _fmt(raw, 1) if raw else "n/a (stand-in)",
        "ingest + sentence vectors vs raw model": f"{raw / build:.2f}x" if raw and build else "n/a (stand-in)",
        "  of which embedding and storing vs raw model": f"{raw / (r['store_s'] + r.get('warm_s', 0)):.2f}x" if raw and r.get("store_s") else "n/a",
        "  reading (load, clean, split) s": _fmt(r["ingest_s"] - r["store_s"], 1) if r.get("store_s") else "n/a",
        "ingest peak RSS MB": _fmt(r.get("ingest_rss_mb")),
        "warm ask p50 ms": _fmt(r["ask_p50_ms"], 1),
        "warm ask p95 ms": _fmt(r["ask_p95_ms"], 1),
        "warm ask max ms": _fmt(r["ask_max_ms"], 1),
        "warm ask without the question's embedding p50 / p95 ms": (
            f"{r['nomodel_p50_ms']:,.1f} / {r['nomodel_p95_ms']:,.1f}" if "nomodel_p50_ms" in r else "n/a"
        ),
        "ask process peak RSS MB: one asker / after ten threads": f"{_fmt(r.get('ask_rss_single_mb'))} / {_fmt(r['ask_rss_mb'])}",
        f"cold start to first answer s (median of {COLD_RUNS})": _fmt(r.get("cold_answer_s"), 1),
        "cold start, whole process (exit included) s": _fmt(r["cold_s"], 1),
        "one asker, same questions again: p95 ms": _fmt(r.get("again_p95_ms"), 1),
        f"{CONCURRENT_ASKERS} threads: p95 ms": _fmt(r["concurrent_p95_ms"], 1),
        f"{CONCURRENT_ASKERS} threads: p95 / one asker's": f"{r['concurrent_p95_ms'] / r.get('again_p95_ms', r['ask_p95_ms']):.1f}x",
        "one asker's CPU per question p50 / p95 ms": f"{_fmt(r.get('cpu_p50_ms'), 1)} / {_fmt(r.get('cpu_p95_ms'), 1)}",
        f"{CONCURRENT_ASKERS} threads: floor of that ratio on these cores (CPU p95 x {CONCURRENT_ASKERS} / cores / p95)": (
            f"{r['cpu_p95_ms'] * CONCURRENT_ASKERS / r['cores'] / r['again_p95_ms']:.1f}x" if "cpu_p95_ms" in r else "n/a"
        ),
        f"{CONCURRENT_ASKERS} threads: questions/s vs one asker": f"{(r['questions'] / r['concurrent_wall_s']) / (r['questions'] / r['single_wall_s']):.2f}x",
        f"{CONCURRENT_ASKERS} threads: answers differing": f"{r['concurrent_mismatches']} of {r['questions']}",
    }


def table(results: list[dict]) -> str:
    """A Markdown table: one row per figure, one column per size, and how the figures grew from size to size."""
    cells = [rows(r) for r in results]
    labels = {True: " (filler: stand-in embedder)", "all": " (all: stand-in embedder)", False: ""}
    head = [f"~{r['size']:,} chunks{labels[r['standin']]}" for r in results]
    lines = ["| figure | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    lines += ["| " + name + " | " + " | ".join(c[name] for c in cells) + " |" for name in cells[0]]
    growth = []
    for a, b in zip(results, results[1:], strict=False):
        k = b.get("chunks", b["size"]) / a.get("chunks", a["size"])  # a reused index may have no build figures
        growth.append(
            f"{a['size']:,} -> {b['size']:,}: chunks x{k:.1f}, ask p95 x{b['ask_p95_ms'] / a['ask_p95_ms']:.2f}, "
            f"ask p50 x{b['ask_p50_ms'] / a['ask_p50_ms']:.2f}, ask RSS x{b['ask_rss_mb'] / a['ask_rss_mb']:.2f}, "
            f"cold start x{b['cold_s'] / a['cold_s']:.2f}"
        )
    return "\n".join(lines + ([""] + growth if growth else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated chunk counts, e.g. 1000,10000,100000 (or 1k,10k,100k)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where corpora and indexes are built")
    parser.add_argument("--questions", type=int, default=QUESTIONS_ASKED, help="questions asked at each size (at least 100 for p95)")
    parser.add_argument("--reuse", action="store_true", help="keep an index already built in --work (skips the ingest timing)")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument(
        "--build-only", action="store_true",
        help="only build the indexes and record the ingest figures in --out; measure later with --reuse (a shared machine's quiet hour)",
    )
    parser.add_argument("--show", type=Path, default=None, help="print the table of figures saved with --out, and stop")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--roots", nargs="*", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--standin", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--standin-all", action="store_true",
        help="embed every document with the stand-in (a quick build for profiling; no ingest-vs-model figure)",
    )
    parser.add_argument("--n", type=int, default=QUESTIONS_ASKED, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(STEPS[args.step](args)), flush=True)
        return 0
    if args.show:
        print(table(json.loads(args.show.read_text())))
        return 0
    sizes = [int(float(s.lower().replace("k", "")) * (1000 if "k" in s.lower() else 1)) for s in args.sizes.split(",") if s.strip()]
    earlier = {r["size"]: r for r in json.loads(args.out.read_text())} if args.reuse and args.out and args.out.exists() else {}
    results = []
    for size in sizes:
        # a reused index keeps the build figures measured when it was made
        results.append({**earlier.get(size, {}), **measure(size, args.work, args.questions, args.reuse, args.standin_all, args.build_only)})
        log(f"size {size} done")
        if args.out:
            args.out.write_text(json.dumps(results, indent=1))
    if args.build_only:
        return 0
    print(f"$ .venv/bin/python eval/bench_scale.py --sizes {args.sizes}  ({os.cpu_count()} cores)")
    print(table(results))
    if any(r["standin"] for r in results):
        print(f"\nSizes from {STANDIN_FROM:,}: the filler documents were embedded by a hashed bag-of-words stand-in (no raw-model "
              "ratio there); the real documents, the questions and every retrieval step used the real model and code.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
