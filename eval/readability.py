"""Does the stored text read as sentences? A before/after table per kind of document.

    .venv/bin/python eval/readability.py corpus eval/dev-corpus                      # today's load+clean
    .venv/bin/python eval/readability.py --before /tmp/h5-before corpus eval/dev-corpus   # ... beside an older index
    .venv/bin/python eval/readability.py --index $ASSISTANT_DATA_DIR                  # a built index instead of files
    .venv/bin/python eval/readability.py corpus eval/dev-corpus --sample 30           # units with verdicts, to check by hand

A unit is what the answer layer quotes: a sentence of assistant.cite.split_sentences (the one segmenter).
It READS AS A SENTENCE when all hold:
  - 5 to 60 words (shorter: headings, cells, fragments; longer: run-on text glued from several places);
  - it starts with a capital letter or a digit (after any opening quote or bracket);
  - it ends in terminal punctuation (. ! ? …, then any closing quote or bracket);
  - at least 80% of its alphabetic tokens are known words: wordfreq zipf >= 2 (one in 10 million words),
    or an all-capitals abbreviation (NHS, ICB), or a token joined to digits ("2024/25");
  - no markup survives (**, __, backslash escapes, "](", HTML tags, " | " table cells, backticks);
  - it does not overlap two columns merged line by line (ingest.columns.merged_column_spans): those
    sentences look grammatical at the edges but join halves of two different sentences (a line of one column
    there is quoted only as a fragment, marked as one: no sentence either).
These are the checks a reader makes before quoting a sentence: whole, well begun and ended, in words,
without markup. The share of units passing is reported; repairs and furniture lines come from
ingest.clean.clean_with_counts (files only: an index keeps no such counts).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cite import split_sentences  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)
from ingest.columns import merged_column_spans  # noqa: E402
from ingest.repair import zipf  # noqa: E402

MIN_WORDS, MAX_WORDS = 5, 60
KNOWN_SHARE = 0.8
KNOWN_ZIPF = 2.0
SAMPLE_SEED = 17
KINDS = ("PDF-derived markdown", "transcript .txt", "plain text seeds", "other")
_START = re.compile(r"^[\"“‘(\[]*[A-Z0-9£]")
_END = re.compile(r"[.!?…][\"”’')\]]*$")
_MARKUP = re.compile(r"\*\*|__|\\[()\[\]*_#.]|\]\(|</?[A-Za-z][^>]*>|\s\|\s|`")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z’'-]*")


@dataclass
class Tally:
    """Totals for one kind of document."""

    docs: int = 0
    units: int = 0
    readable: int = 0
    repairs: int | None = 0
    furniture: int | None = 0
    names: list[str] = field(default_factory=list)

    def add(self, name: str, units: int, readable: int, counts: dict[str, int] | None) -> None:
        self.docs += 1
        self.units += units
        self.readable += readable
        self.names.append(name)
        if counts is None:
            self.repairs = self.furniture = None
        elif self.repairs is not None and self.furniture is not None:
            self.repairs += counts.get("ligatures", 0)
            self.furniture += counts.get("furniture", 0)

    @property
    def share(self) -> float:
        return self.readable / self.units if self.units else 0.0


def reasons(text: str) -> list[str]:
    """Why a unit does not read as a sentence (empty: it does). Merged columns are checked by the caller."""
    why = []
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        why.append(f"{len(words)} words")
    if not _START.search(text):
        why.append("start")
    if not _END.search(text):
        why.append("end")
    if _MARKUP.search(text):
        why.append("markup")
    tokens = [t.strip("’'-") for t in _TOKEN.findall(text)]
    tokens = [t for t in tokens if t]
    known = sum(1 for t in tokens if _known(t))
    if tokens and known < KNOWN_SHARE * len(tokens):
        why.append(f"known {known}/{len(tokens)}")
    return why


def _known(token: str) -> bool:
    return (token.isupper() and len(token) > 1) or zipf(token.lower()) >= KNOWN_ZIPF


def kind_of(path: str) -> str:
    """PDF-derived markdown (.md of the dev corpus), the transcript (.txt of the dev corpus), or a seed (corpus/)."""
    parts = Path(path).parts
    if "dev-corpus" in parts:
        return KINDS[0] if path.endswith(".md") else KINDS[1]
    return KINDS[2] if "corpus" in parts else KINDS[3]


def judge(name: str, text: str) -> list[tuple[str, list[str]]]:
    """Every unit of a stored text with the reasons it fails (empty list: reads as a sentence)."""
    merged = merged_column_spans(text)
    out = []
    for sentence in split_sentences(name, text):
        why = reasons(sentence.text)
        if any(start < sentence.end and sentence.start < end for start, end in merged):
            why.append("merged columns")
        out.append((sentence.text, why))
    return out


def from_index(data_dir: Path) -> Iterable[tuple[str, str, str, dict[str, int] | None]]:
    """(name, kind, stored text, None) for every document of a built index."""
    from assistant.docstore import DocStore

    store = DocStore(data_dir / "index.sqlite", create=False)
    try:
        for doc in store.documents():
            if is_folder_note(Path(doc.source).name):
                continue
            yield doc.source, kind_of(doc.path), store.text(doc.doc_id), None
    finally:
        store.close()


def from_files(paths: Sequence[Path]) -> Iterable[tuple[str, str, str, dict[str, int] | None]]:
    """(name, kind, cleaned text, clean's counts) for every supported file, through today's load + clean."""
    from assistant.errors import LoadError
    from ingest.clean import clean_with_counts
    from ingest.load import SUPPORTED_EXTENSIONS, load

    files = [p for root in paths for p in (sorted(root.rglob("*")) if root.is_dir() else [root])]
    for path in files:
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS or is_folder_note(path.name):
            continue
        try:
            loaded = load(path, max_bytes=100_000_000)
        except LoadError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        cleaned, counts = clean_with_counts(loaded.text, loaded.caption, loaded.not_printed)  # as ingest cleans it
        yield path.name, kind_of(str(path.resolve())), cleaned.text, dict(counts)


def tally(
    documents: Iterable[tuple[str, str, str, dict[str, int] | None]], per_doc: bool, units_out: list | None = None
) -> dict[str, Tally]:
    """Per kind: documents, units, readable units, repairs and furniture lines."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for name, kind, text, counts in documents:
        judged = judge(name, text)
        readable = sum(1 for _, why in judged if not why)
        tallies[kind].add(name, len(judged), readable, counts)
        if per_doc:
            extra = "" if counts is None else f"  repairs {counts.get('ligatures', 0)}, furniture {counts.get('furniture', 0)}"
            print(f"  {readable / max(1, len(judged)):6.1%} of {len(judged):5d}  {name[:60]}{extra}")
        if units_out is not None:
            units_out.extend((name, unit, why) for unit, why in judged)
    return tallies


def table(after: dict[str, Tally], before: dict[str, Tally] | None) -> str:
    """The before/after table, one row per kind of document."""
    head = "| kind | docs | units before | readable before | units after | readable after | repairs | furniture lines dropped |"
    rows = [head, "|" + " --- |" * 8]
    for kind in KINDS:
        a = after.get(kind)
        if a is None:
            continue
        b = (before or {}).get(kind)
        before_cells = f"{b.units} | {b.share:.1%}" if b else "- | -"
        rows.append(
            f"| {kind} | {a.docs} | {before_cells} | {a.units} | {a.share:.1%} | "
            f"{'-' if a.repairs is None else a.repairs} | {'-' if a.furniture is None else a.furniture} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders read through today's load + clean")
    parser.add_argument("--index", type=Path, help="read a built index's stored text instead (an ASSISTANT_DATA_DIR)")
    parser.add_argument("--before", type=Path, help="an index built earlier (e.g. with the old code): its figures beside")
    parser.add_argument("--per-doc", action="store_true", help="one line per document")
    parser.add_argument("--sample", type=int, default=0, help="print N random units (seeded) with their verdict")
    args = parser.parse_args(argv)
    if not args.paths and not args.index:
        parser.error("give files/folders or --index DIR")
    units: list = []
    before = tally(from_index(args.before), args.per_doc) if args.before else None
    after = tally(from_index(args.index) if args.index else from_files(args.paths), args.per_doc, units)
    print(table(after, before))
    if args.sample:
        rng = random.Random(SAMPLE_SEED)
        for name, unit, why in rng.sample(units, min(args.sample, len(units))):
            verdict = "READS" if not why else "fails: " + ", ".join(why)
            print(f"\n[{verdict}] {name[:40]}\n    {unit[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
