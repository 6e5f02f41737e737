"""Metadata inference scored against eval/metadata_truth.yaml: title, publisher, date and kind, per file and overall.

Run: .venv/bin/python eval/score_metadata.py [--truth eval/metadata_truth.yaml] [--json]

Each document is loaded and cleaned as `ingest` does and its metadata inferred with no catalogue (the seeds'
catalog.yaml is ignored); documents of one folder are inferred together, as `ingest catalog --draft` does, so a
publisher named only by acronym can take its full name from the others. Matching rules:

- title: equal after lower-casing and dropping punctuation, or the word set of one contains the other's and the
  smaller holds at least 80% of the larger's words;
- publisher: equal after lower-casing, dropping punctuation and a leading "The", "&" read as "and", and "NHS"
  dropped before "Trust"/"Foundation Trust" ("Leeds Teaching Hospitals Trust" = "The Leeds Teaching Hospitals NHS Trust");
- date: equal at the truth's precision (truth "2024" matches any 2024 date; truth "2021-10" needs October 2021);
- kind: equal after lower-casing.

Rows with `holdout: true` were written after the rules were frozen, from documents not read while writing them;
their figure is reported separately. Figures are also given per form of document, as issue 17 asks: PDF-derived
Markdown (.md), transcripts (truth kind "transcript", whatever the extension) and plain text (.txt).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from ingest.infer import FIELDS, Inferred, infer_file, resolve_publishers  # noqa: E402

TRUTH = ROOT / "eval" / "metadata_truth.yaml"
TITLE_OVERLAP = 0.8


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def title_matches(truth: str, got: str) -> bool:
    """Equal ignoring case and punctuation, or one's words contain the other's with >= 80% overlap."""
    a, b = _tokens(truth), _tokens(got)
    if a == b:
        return True
    small, large = sorted((set(a), set(b)), key=len)
    return bool(small) and small <= large and len(small) / len(large) >= TITLE_OVERLAP


def publisher_key(name: str) -> str:
    """"The King’s Fund" -> "kings fund"; "Leeds Teaching Hospitals NHS Trust" -> "leeds teaching hospitals trust"."""
    words = _tokens(name.replace("&", " and "))
    if words[:1] == ["the"]:
        words = words[1:]
    text = " ".join(words)
    return re.sub(r"\bnhs (?=(?:foundation )?trust\b)", "", text)


def date_matches(truth: str, got: str) -> bool:
    """Equal at the truth's precision: the inferred date must be at least as precise."""
    return len(got) >= len(truth) and got[: len(truth)] == truth


MATCHERS = {
    "title": title_matches,
    "publisher": lambda t, g: bool(g) and publisher_key(t) == publisher_key(g),
    "date": date_matches,
    "kind": lambda t, g: t.strip().lower() == g.strip().lower(),
}


FORMS = ("PDF-derived markdown", "transcript", "plain text")


def form_of(path: str, truth_kind: str) -> str:
    """Which of FORMS a document is: a transcript by its truth kind, else by its extension."""
    if truth_kind == "transcript":
        return "transcript"
    return FORMS[0] if path.lower().endswith(".md") else "plain text"


@dataclass
class Row:
    file: str
    truth: dict[str, str]
    got: dict[str, str]
    holdout: bool
    right: dict[str, bool] = field(default_factory=dict)


def infer_files(paths: list[Path], settings: Settings) -> dict[Path, Inferred]:
    """Inference as `ingest` runs it (load, clean, infer), no catalogue; folder by folder for acronym resolution."""
    from ingest.clean import clean
    from ingest.load import load

    out: dict[Path, Inferred] = {}
    for folder in sorted({p.parent for p in paths}):
        found: dict[str, Inferred] = {}
        for path in (p for p in paths if p.parent == folder):
            loaded = load(path, max_bytes=settings.max_file_bytes)
            found[path.name] = infer_file(path, loaded.meta, clean(loaded.text, loaded.caption, loaded.not_printed).text)
        out.update({folder / name: inferred for name, inferred in resolve_publishers(found).items()})
    return out


def score(truth_rows: list[Mapping], settings: Settings) -> list[Row]:
    paths = [ROOT / r["path"] for r in truth_rows]
    inferred = infer_files(paths, settings)
    rows = []
    for spec, path in zip(truth_rows, paths, strict=True):
        got = inferred[path]
        truth = {f: str(spec.get(f) or "") for f in FIELDS}
        row = Row(spec["path"], truth, {f: getattr(got, f) for f in FIELDS}, bool(spec.get("holdout")))
        row.right = {f: MATCHERS[f](truth[f], row.got[f]) for f in FIELDS}
        rows.append(row)
    return rows


def accuracy(rows: list[Row]) -> dict[str, float]:
    return {f: sum(r.right[f] for r in rows) / len(rows) for f in FIELDS} if rows else {}


def report(rows: list[Row]) -> str:
    """Per-file marks (misses show what was inferred), then accuracy overall, on the development rows and held out."""
    out = [f"{'file':<46} {'title':^5} {'pub':^5} {'date':^5} {'kind':^5}"]
    for r in rows:
        marks = " ".join(f"{'ok' if r.right[f] else 'MISS':^5}" for f in FIELDS)
        out.append(f"{Path(r.file).name[:45]:<46} {marks}{'  (held out)' if r.holdout else ''}")
        for f in FIELDS:
            if not r.right[f]:
                out.append(f"    {f}: got {r.got[f]!r}, truth {r.truth[f]!r}")
    out.append("")
    groups = (("all", rows), ("development", [r for r in rows if not r.holdout]), ("held out", [r for r in rows if r.holdout]))
    groups += tuple((form, [r for r in rows if form_of(r.file, r.truth["kind"]) == form]) for form in FORMS)
    for name, group in groups:
        if group:
            acc = accuracy(group)
            figures = "  ".join(f"{f} {acc[f]:.0%} ({sum(r.right[f] for r in group)}/{len(group)})" for f in FIELDS)
            out.append(f"{name:<20} ({len(group):>2} files): {figures}")
    return "\n".join(out)


def main() -> int:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", type=Path, default=TRUTH)
    parser.add_argument("--json", action="store_true", help="print per-file results and accuracies as JSON")
    args = parser.parse_args()
    spec = yaml.safe_load(args.truth.read_text(encoding="utf-8"))
    rows = score(spec["documents"], Settings.from_env())
    if args.json:
        print(json.dumps({
            "files": [r.__dict__ for r in rows], "all": accuracy(rows),
            "development": accuracy([r for r in rows if not r.holdout]), "held_out": accuracy([r for r in rows if r.holdout]),
            "by_form": {form: accuracy([r for r in rows if form_of(r.file, r.truth["kind"]) == form]) for form in FORMS},
        }, indent=2))
    else:
        print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
