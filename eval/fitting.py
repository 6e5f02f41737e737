"""What the trainers (train_fusion, train_scorer, train_ranker, train_decline) share: the dev sets they fit on, each
question with its gold spans in the stored text, a cache of what was gathered, and the printed table."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from eval.dataset import CORPORA, Question, load_questions, locate_gold, set_path
from eval.metrics import Span
from eval.run import stored_texts

ROOT = Path(__file__).resolve().parent.parent
PROGRESS_EVERY = 50  # questions between progress lines
T = TypeVar("T")


def dev_sets() -> dict[str, Path]:
    """corpus -> its dev set, for every corpus that has one."""
    return {c: set_path(c, "dev") for c in CORPORA if set_path(c, "dev").exists()}


def with_gold(index: Any, path: Path, corpus: str, answerable_only: bool = True) -> Iterator[tuple[Question, list[Span]]]:
    """Each question of a set (answerable ones only, by default) with its gold spans located in the stored text;
    answerable questions whose gold is not found are left out. Prints a progress line every PROGRESS_EVERY."""
    questions = [q for q in load_questions([path]) if q.answerable or not answerable_only]
    gold, _ = locate_gold([q for q in questions if q.answerable], stored_texts(index))
    for i, q in enumerate(questions, 1):
        if i % PROGRESS_EVERY == 0:
            print(f"  {corpus}: {i}/{len(questions)} questions", file=sys.stderr, flush=True)
        if q.answerable and not gold.get(q.id):
            continue
        yield q, gold.get(q.id, [])


def pooled(bot: Any, path: Path, corpus: str) -> Iterator[tuple[Question, list[Span], Any, list[Any], list[Any]]]:
    """Each answerable question with gold, its gold spans, and what `ask` ranks for it (Assistant.pool: the analysed
    question, the fused passages, their scored sentences); questions with no passage are left out."""
    for q, gold in with_gold(bot.index, path, corpus):
        question, passages, evidence = bot.pool(q.question, list(q.history))
        if passages:
            yield q, gold, question, passages, evidence


def cached(cache: Path | None, gather: Callable[[], T]) -> T:
    """What `gather` returns, read from the pickle `cache` when it exists (a refit without re-asking), else
    gathered and written there."""
    if cache and cache.exists():
        print(f"read from {cache}", file=sys.stderr)
        return pickle.loads(cache.read_bytes())
    out = gather()
    if cache:
        cache.write_bytes(pickle.dumps(out))
    return out


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table on stdout."""
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        print(" | ".join(row))


def about_sets(paths: Mapping[str, Path], counts: Mapping[str, int], what: str = "answerable") -> str:
    """"eval/sets/seed-dev.jsonl (636 answerable), ...": what a stored fit was trained on."""
    return ", ".join(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p} ({counts[c]} {what})" for c, p in paths.items())
