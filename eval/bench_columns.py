"""Where text merged across two columns is recognised, and how often answers quote it (eval/README round eleven).

    python -m eval.bench_columns                                  # both corpora: what is marked, and the constants
    python -m eval.bench_columns --report eval/reports/X-full.json --data-dir $ASSISTANT_DATA_DIR
                                                                  # ... and the quotes of a report that fall in it

For every document of the corpora (cleaned as ingest cleans them): the places `columns.broken_word_spans` finds and
the characters `merged_column_spans` marks. Then the count of places at other values of PIECE_ZIPF and BROKEN_GAP,
split into the documents where the shipped values fire and all others (a rule that fires where nobody has seen
merged columns is suspect). With --report: the citations and closest passages of a per-question report whose spans
overlap merged columns in the stored text of the index the report was run on, apart from those that are fragments of
one column's line (columns.column_lines; eval/README round fourteen), counted on their own.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.dataset import CORPUS_FOLDERS  # noqa: E402
from eval.readability import from_files  # noqa: E402
from ingest import columns  # noqa: E402

CORPORA = tuple(CORPUS_FOLDERS.values())
PIECE_ZIPFS = (2.0, 2.5, 3.0, 3.5)
GAPS = ((3, 30), (2, 30), (5, 30), (3, 60))


def texts(folders: Sequence[Path]) -> dict[str, str]:
    """Each document's name and cleaned text, as eval/readability.py reads a folder (load + clean)."""
    return {name: text for name, _, text, _ in from_files(folders)}


def sweep(docs: dict[str, str]) -> list[str]:
    """Markdown rows: places found at each PIECE_ZIPF and BROKEN_GAP, in the documents where the shipped rule fires,
    and the other documents it fires in."""
    shipped = {name for name, text in docs.items() if columns.broken_word_spans(text)}
    saved = columns.PIECE_ZIPF, columns.BROKEN_GAP
    rows = ["| piece zipf below | " + " | ".join(f"word {a}-{b}" for a, b in GAPS) + " | fires elsewhere |", "|---" * (len(GAPS) + 2) + "|"]
    try:
        for piece in PIECE_ZIPFS:
            cells, elsewhere = [], set()
            for gap in GAPS:
                columns.PIECE_ZIPF, columns.BROKEN_GAP = piece, gap
                found = {name: len(columns.broken_word_spans(text)) for name, text in docs.items()}
                cells.append(str(sum(n for name, n in found.items() if name in shipped)))
                elsewhere |= {name for name, n in found.items() if n and name not in shipped}
            rows.append(f"| {piece} | " + " | ".join(cells) + f" | {', '.join(sorted(elsewhere)) or 'never'} |")
    finally:
        columns.PIECE_ZIPF, columns.BROKEN_GAP = saved
    return rows


def quoted(report: Path, data_dir: Path) -> tuple[int, int, set[str], int]:
    """(quotes, quotes mixing merged columns, their questions, quotes that are fragments of one column's line) over a
    report's citations and closest passages. A quote within one line that columns.column_lines gives is a fragment of
    one column (the answer marks it with ellipses), not a mix."""
    from assistant.docstore import DocStore

    store = DocStore(data_dir / "index.sqlite", create=False)
    try:
        texts = {doc.source: store.text(doc.doc_id) for doc in store.documents()}
    finally:
        store.close()
    found = {source: columns.merged_and_column_lines(text) for source, text in texts.items()}  # one pass each
    merged = {source: spans for source, (spans, _) in found.items()}
    lines = {source: one_column for source, (_, one_column) in found.items()}
    data = json.loads(report.read_text(encoding="utf-8"))
    total, inside, questions, fragments = 0, 0, set(), 0
    for system in data["systems"].values():
        for q in system["questions"]:
            for c in [*q["answer"].get("citations", []), *q["answer"].get("closest", [])]:
                total += 1
                if not any(a < c["end"] and c["start"] < b for a, b in merged.get(c["source"], [])):
                    continue
                if any(a <= c["start"] and c["end"] <= b for a, b in lines.get(c["source"], [])):
                    fragments += 1
                else:
                    inside += 1
                    questions.add(q["id"])
    return total, inside, questions, fragments


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=list(CORPORA), help="folders of documents")
    parser.add_argument("--report", type=Path, help="a per-question report (eval run's .json)")
    parser.add_argument("--data-dir", type=Path, help="the index the report was run on (with --report)")
    args = parser.parse_args(argv)
    if args.report and not args.data_dir:
        parser.error("--report needs --data-dir, the index the report was run on")
    print("cleaning the documents ...", flush=True)
    docs = texts(args.corpus)
    print("| document | broken words | marked characters | of |\n|---|---|---|---|")
    for name, text in docs.items():
        marked = sum(end - start for start, end in columns.merged_column_spans(text))
        print(f"| {name} | {len(columns.broken_word_spans(text))} | {marked:,} | {len(text):,} |")
    print()
    print("\n".join(sweep(docs)))
    if args.report:
        total, inside, questions, fragments = quoted(args.report, args.data_dir)
        print(f"\n{args.report.name}: {inside} of {total} quotes (citations and closest passages) mix merged columns, {len(questions)} questions;")
        print(f"{fragments} are fragments of one column's line")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
