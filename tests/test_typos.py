"""eval.typos: the question sets typed in a hurry that round twenty-three's and twenty-four's figures come from."""

from __future__ import annotations

import json
import random

from eval.typos import in_lower_case, main, with_common_misspellings, with_slips

ITEM = {"id": "q1", "kind": "followup", "question": "What did NHS Providers tell the Hewitt Review?",
        "history": ["Who wrote the Hewitt Review?"], "gold": [{"doc": "a.md", "quote": "The Hewitt Review"}]}  # fmt: skip


def test_a_slip_changes_one_word_of_the_question_alone() -> None:
    (line,) = with_slips([json.dumps(ITEM)], random.Random(1))
    item = json.loads(line)
    assert item["question"] != ITEM["question"] and {k: v for k, v in item.items() if k != "question"} == {k: v for k, v in ITEM.items() if k != "question"}
    changed = [(a, b) for a, b in zip(ITEM["question"].split(), item["question"].split(), strict=True) if a != b]
    assert len(item["question"].split()) == len(ITEM["question"].split()) and len(changed) == 1


def test_lower_case_types_the_question_and_the_earlier_questions_alone_in_lower_case(tmp_path) -> None:
    (line,) = in_lower_case([json.dumps(ITEM), ""])
    item = json.loads(line)
    assert item["question"] == "what did nhs providers tell the hewitt review?"
    assert item["history"] == ["who wrote the hewitt review?"] and item["gold"] == ITEM["gold"]
    source = tmp_path / "seed-dev.jsonl"
    source.write_text(json.dumps(ITEM) + "\n", encoding="utf-8")
    assert main([str(source), "--out", str(tmp_path / "out"), "--lower"]) == 0
    assert json.loads((tmp_path / "out" / "seed-dev.jsonl").read_text(encoding="utf-8")) == item
    assert main([str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "out")]) == 1


def test_a_common_misspelling_is_one_codespell_lists_for_a_word_of_the_question() -> None:
    from assistant.spelling import misspellings

    lines, changed = with_common_misspellings([json.dumps(ITEM), json.dumps({**ITEM, "question": "Why?"})], random.Random(3))
    assert changed == 1 and json.loads(lines[1])["question"] == "Why?"
    (slipped, meant) = [(b, a) for a, b in zip(ITEM["question"].split(), json.loads(lines[0])["question"].split(), strict=True) if a != b][0]
    assert misspellings()[slipped.lower().strip("?")] == meant.lower().strip("?") and slipped.isascii()
