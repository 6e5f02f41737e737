"""The question sets (eval/sets/<corpus>-<split>.jsonl) and their gold quotes located in the stored (cleaned) text.

Each corpus has a dev set (look at it question by question, fit on it) and a held-out set (run only at
checkpoints, read only as aggregate figures). A set's corpus is the part of its file name before the
last "-": `seed-dev.jsonl` is the seed corpus's dev set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import Span
from ingest.quotes import locate_quote

SETS_DIR = Path(__file__).resolve().parent / "sets"
CORPORA = ("seed", "devcorpus")  # corpus/ and eval/dev-corpus/
_ROOT = SETS_DIR.parent.parent
CORPUS_FOLDERS = {"seed": _ROOT / "corpus", "devcorpus": _ROOT / "eval" / "dev-corpus"}  # each corpus's documents
SPLITS = ("dev", "heldout")
KINDS = ("single", "comparison", "numeric", "unanswerable", "followup")
CONTEXT_CHARS = 30  # characters shown either side of where a quote stops matching


@dataclass(frozen=True)
class Gold:
    doc: str
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    question: str
    reference: str
    gold: tuple[Gold, ...]
    facts: tuple[str, ...]
    quick: bool
    history: tuple[str, ...] = ()
    resolved: str = ""
    corpus: str = ""  # which corpus's set it came from (see set_corpus)

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    @classmethod
    def from_json(cls, obj: Mapping, corpus: str = "") -> Question:
        return cls(
            id=obj["id"],
            kind=obj["kind"],
            question=obj["question"],
            reference=obj.get("reference", ""),
            gold=tuple(Gold(g["doc"], g["quote"]) for g in obj.get("gold", [])),
            facts=tuple(obj.get("facts", [])),
            quick=bool(obj.get("quick")),
            history=tuple(obj.get("history") or ()),
            resolved=obj.get("resolved", ""),
            corpus=corpus,
        )


def set_path(corpus: str, split: str) -> Path:
    """eval/sets/<corpus>-<split>.jsonl"""
    return SETS_DIR / f"{corpus}-{split}.jsonl"


def split_sets(split: str) -> list[Path]:
    """Every corpus's set for one split ("dev" or "heldout") that exists."""
    return [p for corpus in CORPORA if (p := set_path(corpus, split)).exists()]


def set_corpus(path: Path) -> str:
    """The corpus a set file belongs to: its name before the last "-" ("seed-dev.jsonl" -> "seed")."""
    stem = Path(path).stem
    return stem.rsplit("-", 1)[0] if "-" in stem else stem


def load_questions(paths: Path | Sequence[Path] | None = None, *, quick: bool = False) -> list[Question]:
    """All questions of the given set files (default: the dev sets), only the `quick` ones when asked."""
    if paths is None:
        paths = split_sets("dev")
    elif isinstance(paths, (str, Path)):
        paths = [Path(paths)]
    questions: list[Question] = []
    for path in paths:
        corpus = set_corpus(path)
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        questions += [Question.from_json(json.loads(line), corpus) for line in lines if line.strip()]
    return [q for q in questions if q.quick] if quick else questions


@dataclass(frozen=True)
class QuoteProblem:
    """A gold quote that is not verbatim in its document's stored text, and why."""

    qid: str
    index: int
    doc: str
    quote: str
    reason: str

    def __str__(self) -> str:
        return f"{self.qid} gold[{self.index}] ({self.doc}): {self.reason}\n    quote: {self.quote!r}"


def diagnose(quote: str, stored: str | None) -> str:
    """Why `quote` is not verbatim in `stored`: missing document, whitespace only, or where it diverges."""
    if stored is None:
        return "document not in the index"
    if locate_quote(stored, quote):
        return "found only when whitespace, markup or repaired words are normalised (cleaning changed them)"
    lo, hi = 0, len(quote)  # longest prefix of the quote present in the stored text (monotone)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in stored:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return "not found at all (not even its first character)"
    at = stored.find(quote[:lo])
    want = quote[max(0, lo - CONTEXT_CHARS) : lo + CONTEXT_CHARS]
    have = stored[max(0, at + lo - CONTEXT_CHARS) : at + lo + CONTEXT_CHARS]
    return f"matches up to char {lo} of {len(quote)}; quote has {want!r}, stored text has {have!r}"


def locate_gold(questions: Sequence[Question], texts: Mapping[str, str]) -> tuple[dict[str, list[Span]], list[QuoteProblem]]:
    """Each question's gold quotes as stored-text spans, plus the quotes that are not verbatim there.

    A quote found only with normalised whitespace still gets its span (so scoring works) but is
    reported as a problem; a quote not found at all is left out of that question's gold.
    """
    spans: dict[str, list[Span]] = {}
    problems: list[QuoteProblem] = []
    for q in questions:
        spans[q.id] = []
        for i, g in enumerate(q.gold):
            stored = texts.get(g.doc)
            if stored is None or g.quote not in stored:
                problems.append(QuoteProblem(q.id, i, g.doc, g.quote, diagnose(g.quote, stored)))
            found = locate_quote(stored, g.quote) if stored is not None else None
            if found:
                spans[q.id].append(Span(g.doc, *found))
    return spans, problems
