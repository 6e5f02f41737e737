"""Question sets as people type them in a hurry: one slip in one word of each question (eval/README round 23), or,
with --lower, every question typed in lower case, or with --common, one word misspelt as people commonly do (round 24).

    .venv/bin/python -m eval.typos eval/sets/seed-dev.jsonl eval/sets/devcorpus-dev.jsonl --out /tmp/slips
    .venv/bin/python -m eval.typos eval/sets/seed-dev.jsonl eval/sets/devcorpus-dev.jsonl --out /tmp/lower --lower
    .venv/bin/python -m eval run --systems full,lc --questions /tmp/slips/seed-dev.jsonl /tmp/slips/devcorpus-dev.jsonl

Each question gets one slip in one of its words of MIN_LETTERS letters or more, chosen at random (a fixed seed): two
neighbouring letters swapped, a letter dropped, a letter doubled, or a letter replaced by its neighbour on the
keyboard. The earlier questions of a follow-up, the reference and the gold are kept as they are. With --lower, the
question and the earlier questions of a follow-up are written in lower case, and nothing else changes. The files keep their
names (a set's corpus is read from its name), so `eval run --questions` scores them as the sets they came from.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

MIN_LETTERS = 5  # words this long or longer may slip
SEED = 7
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_WORD = re.compile(rf"[A-Za-z]{{{MIN_LETTERS},}}")


def _neighbour(letter: str, rng: random.Random) -> str:
    """A key beside this one on its row of a QWERTY keyboard, in the letter's case."""
    for row in _ROWS:
        at = row.find(letter.lower())
        if at >= 0:
            beside = rng.choice([row[i] for i in (at - 1, at + 1) if 0 <= i < len(row)])
            return beside.upper() if letter.isupper() else beside
    return letter


def slip(word: str, rng: random.Random) -> str:
    """The word with one slip inside it (never its first or last letter's place alone)."""
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 1:
        return word[:at] + word[at + 1 :]
    if kind == 2:
        return word[:at] + word[at] + word[at:]
    return word[:at] + _neighbour(word[at], rng) + word[at + 1 :]


def with_slips(lines: Sequence[str], rng: random.Random) -> list[str]:
    """The set's JSON lines, each question with one slip (a question with no word long enough is kept as it is)."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        found = list(_WORD.finditer(item["question"]))
        if found:
            m = rng.choice(found)
            item["question"] = item["question"][: m.start()] + slip(m.group(0), rng) + item["question"][m.end() :]
        out.append(json.dumps(item, ensure_ascii=False))
    return out


def with_common_misspellings(lines: Sequence[str], rng: random.Random) -> tuple[list[str], int]:
    """The set's JSON lines, each question with one of its words of MIN_LETTERS letters or more written as one of the
    common misspellings codespell lists for it ("government" -> "goverment"), and how many questions had such a
    word (the others are kept as they are). The assistant mends from the same list, so this checks the path end to
    end; it says nothing about misspellings the list lacks."""
    from assistant.spelling import misspellings

    listed: dict[str, list[str]] = {}
    for wrong, meant in sorted(misspellings().items()):
        if wrong.isascii() and wrong.isalpha():  # not a look-alike letter from another alphabet, nor "co-ordinate"
            listed.setdefault(meant, []).append(wrong)
    out, changed = [], 0
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        found = [m for m in _WORD.finditer(item["question"]) if m.group(0).lower() in listed]
        if found:
            m = rng.choice(found)
            wrong = rng.choice(listed[m.group(0).lower()])
            wrong = wrong[:1].upper() + wrong[1:] if m.group(0)[:1].isupper() else wrong
            item["question"] = item["question"][: m.start()] + wrong + item["question"][m.end() :]
            changed += 1
        out.append(json.dumps(item, ensure_ascii=False))
    return out, changed


def in_lower_case(lines: Sequence[str]) -> list[str]:
    """The set's JSON lines, each question and the earlier questions of a follow-up in lower case."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        item["question"] = item["question"].lower()
        if item.get("history"):
            item["history"] = [h.lower() if isinstance(h, str) else h for h in item["history"]]
        out.append(json.dumps(item, ensure_ascii=False))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.typos", description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="question set files (eval/sets/*.jsonl)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the slipped sets (same file names)")
    parser.add_argument("--seed", type=int, default=SEED)
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--lower", action="store_true", help="type every question in lower case instead of slipping a word")
    how.add_argument("--common", action="store_true", help="misspell one word as codespell's list of common misspellings has it")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.sets:
        if not path.is_file():
            print(f"{path}: no such question set; pass files such as eval/sets/seed-dev.jsonl", file=sys.stderr)
            return 1
        rng = random.Random(f"{args.seed}:{path.name}")
        given = path.read_text(encoding="utf-8").splitlines()
        if args.lower:
            lines, how = in_lower_case(given), "in lower case"
        elif args.common:
            lines, changed = with_common_misspellings(given, rng)
            how = f"{changed} with a common misspelling"
        else:
            lines, how = with_slips(given, rng), "one slip each"
        (args.out / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{args.out / path.name}: {len(lines)} questions, {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
