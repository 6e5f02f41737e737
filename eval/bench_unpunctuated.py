"""How answers hold on speech written down without punctuation: the seeds as an automatic transcript would give them.

    .venv/bin/python -m eval.bench_unpunctuated                       # the seed dev set's answerable questions
    .venv/bin/python -m eval.bench_unpunctuated --limit 200 --keep /tmp/unp   # fewer, and keep the indexes
    .venv/bin/python -m eval.bench_unpunctuated --corpus eval/dev-corpus --questions eval/sets/devcorpus-dev.jsonl

No dev set has a transcript without punctuation, and the hidden ones do. So a corpus's documents (by default the
five seeds) are made into such transcripts: every word lower-cased and stripped of punctuation, and TURN paragraphs
at a time joined into one (a speaker's turn), as an ASR export pasted without its timings reads. An index of each
form is built in a temporary folder, with the corpus's catalogue (if any) beside the files (same names, so the same
titles and publishers):

- published: the documents as they are (the ceiling);
- unpunctuated, runs kept: the transcript-like text stored as it comes (ingest/runs.py switched off);
- unpunctuated, runs cut: as ingest stores it (ingest/runs.py cuts each run where its model puts sentence ends);
- captions: the same words as a caption file, CAPTION_WORDS words a line at an even pace, so that transcript.py has
  no pause to cut at and cuts by length (at the last word that leaves no sense hanging). Choosing among those
  length cuts by the boundary model instead was measured and not kept: evidence hit 0.774 -> 0.763 on the 636 seed
  questions, units 31.9 -> 30.2 words (eval/README.md).

Each index answers the set's answerable questions, scored on words so the three are scored alike: a citation hits
when its quote shares EVIDENCE_WORDS consecutive words (lower case, no punctuation) with a gold quote, or holds all
of a shorter one. Also: questions declined, the words in each quoted sentence (mean and 90th percentile), and the
share of quotes of 5 to 60 words (eval/readability.py's length test).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from eval.dataset import load_questions  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)

MAX_BYTES = 50_000_000
TURN = 6  # paragraphs joined into one turn of speech
CAPTION_WORDS, CAPTION_SECONDS = 7, 2.8  # a caption line's words, and the time between lines (2.5 words a second)
EVIDENCE_WORDS = 6
READABLE = (5, 60)
_PUNCT = "\"'“”‘’()[]{}*_,.;:!?…#"


def words(text: str) -> list[str]:
    return [w for w in (w.strip(_PUNCT).lower() for w in text.split()) if w]


def unpunctuate(text: str) -> str:
    """Lower case, no punctuation at the words' edges, TURN paragraphs to a line."""
    paragraphs = [" ".join(words(line)) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    return "\n\n".join(" ".join(paragraphs[i : i + TURN]) for i in range(0, len(paragraphs), TURN)) + "\n"


def captions(text: str) -> str:
    """The unpunctuated text as a caption file: CAPTION_WORDS words a line, a line every CAPTION_SECONDS (no pauses)."""
    said = unpunctuate(text).split()
    lines = [" ".join(said[i : i + CAPTION_WORDS]) for i in range(0, len(said), CAPTION_WORDS)]
    return "".join(f"{_clock(k * CAPTION_SECONDS)} {line}\n" for k, line in enumerate(lines))


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}.{int(seconds * 1000) % 1000:03d}"


def make_folder(corpus: Path, into: Path, form: str) -> Path:
    """The corpus's documents in `form` (as text files of the same names), with its catalogue if it has one."""
    from ingest.load import load

    into.mkdir(parents=True, exist_ok=True)
    if (corpus / "catalog.yaml").exists():
        shutil.copy(corpus / "catalog.yaml", into / "catalog.yaml")
    make = {"published": lambda t: t, "unpunctuated": unpunctuate, "captions": captions}[form]
    for path in sorted(p for p in corpus.iterdir() if p.is_file() and not is_folder_note(p.name)):
        if form == "published":
            shutil.copy(path, into / path.name)
        else:  # the words as extracted (a PDF's text layer), then made speech-like
            (into / path.name).write_text(make(load(path, max_bytes=MAX_BYTES).text), encoding="utf-8")
    return into


def hit(quote: str, gold: str) -> bool:
    a, b = words(quote), words(gold)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    n = min(EVIDENCE_WORDS, len(short))
    grams = {tuple(long_[i : i + n]) for i in range(len(long_) - n + 1)}
    return any(tuple(short[i : i + n]) in grams for i in range(len(short) - n + 1))


def build(folder: Path, data: Path, cut_runs: bool = True) -> None:
    """Ingest `folder` into `data`, with runs cut (as ingest does) or not (ingest/runs.py switched off)."""
    from ingest import cli, runs

    os.environ["ASSISTANT_DATA_DIR"] = str(data)
    saved = runs.WORDS_PER_END
    runs.WORDS_PER_END = saved if cut_runs else float("inf")
    try:
        if cli.main([str(folder)]) != 0:
            raise SystemExit(f"ingest of {folder} failed")
    finally:
        runs.WORDS_PER_END = saved


def measure(data: Path, questions) -> dict[str, float]:
    from assistant.config import Settings
    from assistant.engine import Assistant

    os.environ["ASSISTANT_DATA_DIR"] = str(data)
    bot = Assistant(Settings.from_env())
    bot.warm_up()
    hits = declined = 0
    lengths: list[int] = []
    started = time.perf_counter()
    for i, q in enumerate(questions, 1):
        answer = bot.ask(q.question)
        declined += answer.abstained
        quotes = [c.quote for c in answer.citations]
        lengths += [len(c.split()) for c in quotes]
        hits += any(hit(c, g.quote) for c in quotes for g in q.gold)
        if i % 100 == 0:
            print(f"    {i}/{len(questions)} asked ({time.perf_counter() - started:.0f} s)", flush=True)
    n = max(1, len(questions))
    ordered = sorted(lengths) or [0]
    return {
        "evidence hit": hits / n,
        "declined": declined / n,
        "words a quote": statistics.mean(ordered),
        "p90 words": ordered[int(0.9 * (len(ordered) - 1))],
        "readable length": sum(READABLE[0] <= x <= READABLE[1] for x in ordered) / len(ordered),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="the documents (default: the seeds)")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "sets" / "seed-dev.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N answerable questions")
    parser.add_argument("--keep", type=Path, help="build the indexes here and keep them (default: a temporary folder)")
    args = parser.parse_args(argv)
    questions = [q for q in load_questions([args.questions]) if q.answerable and q.gold]
    questions = questions[: args.limit] if args.limit else questions
    work = args.keep or Path(tempfile.mkdtemp(prefix="unpunctuated-"))
    rows = {}
    variants = (
        ("published", "published", True),
        ("unpunctuated, runs kept", "unpunctuated", False),
        ("unpunctuated, runs cut", "unpunctuated", True),
        ("captions", "captions", True),
    )
    for name, form, cut in variants:
        slug = re.sub(r"\W+", "-", name)
        print(f"{name}: building the index ...", flush=True)
        build(make_folder(args.corpus, work / slug / "docs", form), work / slug / "data", cut)
        print(f"{name}: asking {len(questions)} questions ...", flush=True)
        rows[name] = measure(work / slug / "data", questions)
    print(f"\n{len(questions)} answerable questions of {args.questions.name}")
    print(f"{'':<26} evidence hit  declined  words a quote  p90 words  5-60 words")
    for name, r in rows.items():
        print(f"{name:<26} {r['evidence hit']:.3f}         {r['declined']:.3f}     {r['words a quote']:.1f}           {r['p90 words']:<10} {r['readable length']:.3f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
