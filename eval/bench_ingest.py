"""Ingest benchmark: pipeline throughput vs the raw model on the same texts (chunks and sentences), and unchanged re-ingest time.

Run: .venv/bin/python eval/bench_ingest.py [--repeats 4] [--corpus corpus/ [eval/dev-corpus/ ...]]
A folder's own notes (README.md, SOURCES.md, catalog.yaml) are not ingested: a corpus folder is given as its documents,
so `--corpus eval/dev-corpus` times the 18 dev documents. All figures come from one run on one machine, so compare the
ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cite import split_sentences  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.docstore import DocStore  # noqa: E402
from assistant.embed import get_embedder  # noqa: E402
from assistant.sentences import evidence_texts  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.split import embedding_text  # noqa: E402


def documents(paths: list[Path]) -> list[Path]:
    """The files to ingest: each folder's files (recursively, without its notes and hidden files) and each file given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not is_folder_note(p.name)
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)
    return found


def embedded_texts(settings: Settings) -> list[str]:
    """The exact texts the pipeline embedded: each chunk with its title and section, and each evidence sentence."""
    docs = DocStore(settings.sqlite_path)
    titles = {d.doc_id: d.title for d in docs.documents()}
    chunks = [embedding_text(c.text, c.section, titles[c.doc_id]) for c in docs.all_chunks()]
    return chunks + [t for doc_id in titles for t in evidence_texts(split_sentences(doc_id, docs.text(doc_id)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--corpus", type=Path, nargs="+", default=[ROOT / "corpus"], help="folders or files (default: corpus/)")
    args = parser.parse_args()
    files = documents(args.corpus)
    if not files:
        parser.error(f"no documents in {' '.join(map(str, args.corpus))}; give folders or files to ingest.")

    started = time.perf_counter()
    embedder = get_embedder()
    load_s = time.perf_counter() - started
    embedder.embed(["warm-up sentence about integrated care boards"] * 16)

    full, raw, unchanged, chunks = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            settings = Settings.from_env().with_(data_dir=Path(tmp) / f"run{i}", chroma_url="")
            if i == 0:  # the chunk and sentence texts, for the raw-model timing
                Ingestor(settings, embedder=embedder, progress=False).run(files)
                texts = embedded_texts(settings)
                chunks = DocStore(settings.sqlite_path).count_chunks()
                settings = settings.with_(data_dir=Path(tmp) / "run0b")
            # alternate the order so that drift in machine load hits both measurements alike
            order = ("raw", "ingest") if i % 2 else ("ingest", "raw")
            for what in order:
                t = time.perf_counter()
                if what == "raw":
                    embedder.embed(texts)
                    raw.append(time.perf_counter() - t)
                else:
                    report = Ingestor(settings, embedder=embedder, progress=False).run(files)
                    full.append(time.perf_counter() - t)
                    assert report.ok and report.chunks_embedded == chunks, report.results

            t = time.perf_counter()
            again = Ingestor(settings, embedder=embedder, progress=False).run(files)
            unchanged.append(time.perf_counter() - t)
            assert again.count("unchanged") > 0 and again.chunks_embedded == 0

        cli_settings_dir = Path(tmp) / "run0b"
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "ingest"), "--quiet", *map(str, files)], check=True,
                       capture_output=True, env={"ASSISTANT_DATA_DIR": str(cli_settings_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
        cli_unchanged = time.perf_counter() - t

    f, r, u = statistics.median(full), statistics.median(raw), statistics.median(unchanged)
    ingest_rate, raw_rate = chunks / f, chunks / r
    print(f"corpus: {' '.join(map(str, args.corpus))} ({len(files)} documents, {chunks} chunks, {len(texts) - chunks} sentences), repeats: {args.repeats}, model load (cold): {load_s:.2f}s")
    print(f"full ingest (warm model):     {f:7.3f}s  {ingest_rate:7.1f} chunks/s")
    print(f"raw model on the same texts:  {r:7.3f}s  {raw_rate:7.1f} chunks/s")
    print(f"ingest/raw throughput ratio:  {ingest_rate / raw_rate:7.3f}   (target >= 0.9)")
    print(f"unchanged re-ingest:          {u * 1000:7.1f}ms  = {u / f:.1%} of full ingest (target <= 3%)")
    print(f"unchanged re-ingest, whole `ingest` process (Python start + imports): {cli_unchanged:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
