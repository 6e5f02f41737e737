"""Lost-ligature repairs (ingest/repair.py) per document, and a seeded random sample to read in context.

    .venv/bin/python eval/repairs.py                          # the dev corpus: counts + 50 repairs in context
    .venv/bin/python eval/repairs.py corpus --sample 0        # the seeds: counts only (they should be 0)
    .venv/bin/python eval/repairs.py --sample 50 --seed 7     # another sample

"found" counts the repairs in the loaded text (after Markdown parsing); "in clean" is what
ingest.clean.clean_with_counts made, after the earlier cleaning rules (the two differ by a handful
where those rules moved text). Each sampled repair prints as  ...before [damaged -> repaired] after...
so a reader can judge it; the figures in the report come from reading that output.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.errors import LoadError  # noqa: E402
from ingest.catalog import is_folder_note  # noqa: E402  (a folder's README, SOURCES, catalogue: not evidence)
from ingest.clean import clean_with_counts  # noqa: E402
from ingest.load import SUPPORTED_EXTENSIONS, load  # noqa: E402
from ingest.repair import Edit, ligature_edits  # noqa: E402

DEFAULT_CORPUS = ROOT / "eval" / "dev-corpus"
DEFAULT_SAMPLE = 50
DEFAULT_SEED = 20250917
CONTEXT_CHARS = 60

def documents(paths: Sequence[Path]) -> list[Path]:
    """Supported files under the given folders (or the files themselves), notes left out."""
    files = [p for root in paths for p in (sorted(root.rglob("*")) if root.is_dir() else [root])]
    return [p for p in files if p.suffix.lower() in SUPPORTED_EXTENSIONS and not is_folder_note(p.name)]


def in_context(text: str, edit: Edit) -> str:
    """One line: the repair marked inside the text around it."""
    before = text[max(0, edit.start - CONTEXT_CHARS) : edit.start]
    after = text[edit.end : edit.end + CONTEXT_CHARS]
    return " ".join(f"...{before}[{text[edit.start : edit.end]} -> {edit.new}]{after}...".split())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    found: list[tuple[str, str, Edit]] = []
    print(f"{'found':>6} {'in clean':>8}  document")
    total = 0
    for path in documents(args.paths):
        try:
            text = load(path, max_bytes=100_000_000).text
        except LoadError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        edits = ligature_edits(text)
        in_clean = clean_with_counts(text)[1]["ligatures"]
        total += in_clean
        print(f"{len(edits):6d} {in_clean:8d}  {path.name}")
        found.extend((path.name, text, edit) for edit in edits)
    print(f"{len(found):6d} {total:8d}  in all")
    if args.sample and found:
        print(f"\nA random sample of {min(args.sample, len(found))} (seed {args.seed}):")
        for i, (name, text, edit) in enumerate(random.Random(args.seed).sample(found, min(args.sample, len(found))), 1):
            print(f"{i:3d}. {name[:32]}: {in_context(text, edit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
