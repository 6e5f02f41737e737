#!/usr/bin/env python3
"""Validate eval/questions.jsonl (stdlib only).

Checks:
  * every line is a JSON object with the required fields for its kind;
  * ids are unique; minimum counts per kind; quick subset composition;
  * every gold quote is found verbatim in the RAW seed file, lies within one
    line, is 8-60 words long, and contains none of the characters/markers that
    the cleaning step alters (footnote markers, NBSP, tabs, '---', markdown
    '**' / '#', stray glyphs, leading bullets, markdown links, <u> tags, ...).

Usage: python eval/check_quotes.py [questions.jsonl] [--corpus DIR]
Exits non-zero if any problem is found.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "questions.jsonl"
DEFAULT_CORPUS = Path("/work/shared/seed-corpus")

KINDS = {"single": 20, "comparison": 12, "numeric": 12, "unanswerable": 10, "followup": 6}
MIN_TOTAL = 64
QUICK_RANGE = (20, 30)
QUICK_MIN = {"unanswerable": 4, "followup": 2, "single": 1, "comparison": 1, "numeric": 1}

# publisher of each seed document (for comparison questions)
PUBLISHER = {
    "000_8f9566ec79a9e3e1.txt": "NHS Providers",
    "001_3e05d02a99c80a5a.txt": "NHS Confederation",
    "002_9bc02a9fc43d5da7.txt": "NHS Providers",
    "003_e890ab627d4e122a.txt": "NHS Confederation",
    "004_7b6c360d6e8d50e0.txt": "The King's Fund",
}

# (regex, description) of things a quote must not contain
FORBIDDEN = [
    (re.compile(r"</?sup>", re.I), "<sup> footnote tag"),
    (re.compile(r"</?u>", re.I), "<u> tag"),
    (re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u209f]"), "unicode superscript/subscript"),
    (re.compile(r"\[\d+\]"), "[n] footnote marker"),
    (re.compile(r"\]\(|\(#\)"), "markdown link"),
    (re.compile(r"\u00a0"), "non-breaking space"),
    (re.compile(r"\t"), "tab"),
    (re.compile(r"---"), "'---' rule"),
    (re.compile(r"\*"), "markdown '*' / '**'"),
    (re.compile(r"#"), "markdown '#'"),
    (re.compile(r"[\r\n]"), "line break"),
    (re.compile(r"[\u2022\u25aa\u25cf\u25a0\uf0b7\uf0a7\ufffd\u2013]\s*$"), "trailing glyph"),
    (re.compile(r"[\ue000-\uf8ff]"), "private-use glyph"),
    (re.compile(r"[\U0001F000-\U0001FFFF]"), "emoji/stray symbol"),
    (re.compile(r"\s{2,}"), "double whitespace"),
    # footnote digits glued to a word: 'ICSs1', 'place.1', 'oversight.4'
    (re.compile(r"[a-z]{3,}[.,;:)]?\d{1,2}(?=[\s.,;:)]|$)"), "footnote digit glued to word"),
]
LEADING_BULLET = re.compile(r"^\s*(?:[-\u2022\u25aa\u25cf\u25a0\uf0b7\uf0a7\u2013*+>]|\d+[.)]\s|[a-z][.)]\s)")
# words whose hyphen was lost in extraction; cleaning may repair them
LOST_HYPHEN = re.compile(r"\b(decisionmaking|performancedriven|topdown)\b", re.I)


def word_count(s: str) -> int:
    return len(s.split())


def check(questions_path: Path, corpus: Path) -> int:
    problems: list[str] = []
    docs: dict[str, str] = {}
    doc_lines: dict[str, list[str]] = {}
    for name in PUBLISHER:
        p = corpus / name
        if not p.exists():
            problems.append(f"missing seed file {p}")
            continue
        docs[name] = p.read_text(encoding="utf-8")
        doc_lines[name] = docs[name].split("\n")

    items = []
    for n, raw in enumerate(questions_path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            problems.append(f"line {n}: blank line")
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: invalid JSON ({e})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {n}: not an object")
            continue
        items.append((n, obj))

    ids = Counter(o.get("id") for _, o in items)
    for i, c in ids.items():
        if c > 1:
            problems.append(f"duplicate id {i!r} ({c} times)")

    kinds = Counter()
    quick = Counter()
    n_quotes = 0
    for n, o in items:
        qid = o.get("id", f"<line {n}>")
        where = f"{qid}"
        for field, typ in (("id", str), ("kind", str), ("question", str), ("reference", str),
                           ("gold", list), ("facts", list), ("quick", bool)):
            if field not in o:
                problems.append(f"{where}: missing field {field!r}")
            elif not isinstance(o[field], typ):
                problems.append(f"{where}: field {field!r} should be {typ.__name__}")
        kind = o.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}")
            continue
        kinds[kind] += 1
        if o.get("quick") is True:
            quick[kind] += 1
        if isinstance(o.get("id"), str) and not o["id"].startswith(kind + "-"):
            problems.append(f"{where}: id should start with '{kind}-'")
        if not str(o.get("question", "")).strip():
            problems.append(f"{where}: empty question")
        if not str(o.get("reference", "")).strip():
            problems.append(f"{where}: empty reference")
        facts = o.get("facts", [])
        if isinstance(facts, list) and not all(isinstance(f, str) and f.strip() for f in facts):
            problems.append(f"{where}: facts must be non-empty strings")
        gold = o.get("gold", [])
        if not isinstance(gold, list):
            continue

        # kind-specific rules
        if kind == "unanswerable":
            if gold:
                problems.append(f"{where}: unanswerable must have empty gold")
            if "don't say" not in o.get("reference", "") and "do not say" not in o.get("reference", ""):
                problems.append(f"{where}: unanswerable reference should say the documents don't say")
        else:
            if not gold:
                problems.append(f"{where}: gold must not be empty for kind {kind}")
        if kind == "numeric" and not facts:
            problems.append(f"{where}: numeric question needs facts")
        if kind == "followup":
            h = o.get("history")
            if not (isinstance(h, list) and h and all(isinstance(x, str) and x.strip() for x in h)):
                problems.append(f"{where}: followup needs non-empty 'history' list of strings")
            if not (isinstance(o.get("resolved"), str) and o["resolved"].strip()):
                problems.append(f"{where}: followup needs 'resolved' string")
        if kind == "comparison":
            gd = {g.get("doc") for g in gold if isinstance(g, dict)}
            if len(gd) < 2:
                problems.append(f"{where}: comparison gold must come from >= 2 documents")
            elif len({PUBLISHER.get(d) for d in gd}) < 2:
                print(f"note: {where}: comparison gold from a single publisher")

        # quotes
        for k, g in enumerate(gold):
            gw = f"{where} gold[{k}]"
            if not isinstance(g, dict) or set(g) != {"doc", "quote"}:
                problems.append(f"{gw}: gold entries must be {{doc, quote}}")
                continue
            doc, quote = g["doc"], g["quote"]
            n_quotes += 1
            if doc not in docs:
                problems.append(f"{gw}: unknown doc {doc!r}")
                continue
            if not isinstance(quote, str) or not quote:
                problems.append(f"{gw}: empty quote")
                continue
            if quote != quote.strip():
                problems.append(f"{gw}: quote has leading/trailing whitespace")
            wc = word_count(quote)
            if not 8 <= wc <= 60:
                problems.append(f"{gw}: quote has {wc} words (need 8-60)")
            for rx, desc in FORBIDDEN:
                if rx.search(quote):
                    problems.append(f"{gw}: quote contains {desc}: {quote[:60]!r}")
            if LEADING_BULLET.match(quote):
                problems.append(f"{gw}: quote starts with a bullet/number marker")
            if LOST_HYPHEN.search(quote):
                problems.append(f"{gw}: quote contains a lost-hyphen word (cleaning may alter it)")
            if quote not in docs[doc]:
                problems.append(f"{gw}: quote NOT found verbatim in {doc}: {quote[:70]!r}")
            elif not any(quote in line for line in doc_lines[doc]):
                problems.append(f"{gw}: quote spans a line break in {doc}")

    total = sum(kinds.values())
    for kind, mn in KINDS.items():
        if kinds[kind] < mn:
            problems.append(f"kind {kind}: {kinds[kind]} questions, need >= {mn}")
    if total < MIN_TOTAL:
        problems.append(f"total {total} questions, need >= {MIN_TOTAL}")
    nq = sum(quick.values())
    if not QUICK_RANGE[0] <= nq <= QUICK_RANGE[1]:
        problems.append(f"quick subset has {nq} questions, want {QUICK_RANGE[0]}-{QUICK_RANGE[1]}")
    for kind, mn in QUICK_MIN.items():
        if quick[kind] < mn:
            problems.append(f"quick subset has {quick[kind]} {kind}, need >= {mn}")

    print(f"questions: {total}   gold quotes: {n_quotes}   quick: {nq}")
    print(f"{'kind':<14}{'count':>6}{'quick':>7}")
    for kind in KINDS:
        print(f"{kind:<14}{kinds[kind]:>6}{quick[kind]:>7}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        return 1
    print("\nOK: no problems found")
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", nargs="?", default=str(DEFAULT_QUESTIONS))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    a = ap.parse_args()
    sys.exit(check(Path(a.questions), Path(a.corpus)))


if __name__ == "__main__":
    main()
