"""Every gold quote of eval/questions.jsonl (and of the dev set) is verbatim in its document's STORED (cleaned) text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.docstore import DocStore
from eval.dataset import load_questions, locate_gold

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["questions.jsonl", "dev_questions.jsonl"])
def test_every_gold_quote_is_in_the_stored_text(seed_index, name):
    store = DocStore(seed_index.sqlite_path, create=False)
    try:
        texts = {d.source: store.text(d.doc_id) for d in store.documents()}
    finally:
        store.close()
    questions = load_questions(ROOT / "eval" / name)
    _, problems = locate_gold(questions, texts)
    report = "\n".join(str(p) for p in problems)
    if problems:
        print(report)  # shown by pytest -rA and in the failure message below
    assert not problems, f"{len(problems)} gold quote(s) not verbatim in the stored text:\n{report}"


def test_question_file_schema_and_raw_quotes():
    """The colleague's stdlib checker (schema, quick subset, quotes in the raw files) passes on corpus/."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_quotes", ROOT / "eval" / "check_quotes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check(ROOT / "eval" / "questions.jsonl", ROOT / "corpus") == 0
