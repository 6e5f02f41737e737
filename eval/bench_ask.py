#!/usr/bin/env python3
"""Latency of a warm extractive `ask` vs a plain LangChain `Chroma.similarity_search` on the same collection.

    ASSISTANT_DATA_DIR=/tmp/ask-data .venv/bin/python eval/bench_ask.py [--rounds 3] [--json] [--lower]

Uses the index in ASSISTANT_DATA_DIR (run `ingest corpus/` first). Models are loaded and the sentence
vectors built before timing ("warm"); every question is then asked `--rounds` times. The baseline is
what a plain LangChain RAG retriever costs per question (embed + top-5 search); the ratio says what the
hybrid retrieval, evidence scoring, composition and verification add on top. With --lower the questions are typed in
lower case, so each is recased from the documents' capitals (assistant/casing.py), which looks its words up in the
lexical index the first time they are asked: the first round's p95 is reported apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

TARGET_P95_MS = 300.0
BASELINE_K = 5

# Written for the seed corpus; a mix of single-passage, comparison, numeric, unanswerable and broad questions.
QUESTIONS = [
    "Who is an integrated care board accountable to?",
    "Who are local authorities accountable to under the new arrangements?",
    "What is the role of an integrated care partnership?",
    "How many ICSs are there in England?",
    "How many clinical commissioning groups did ICSs replace?",
    "When were ICSs put on a statutory footing?",
    "What range do ICB budgets span?",
    "What proportion of health outcomes are determined by NHS care?",
    "How do trust leaders view central targets?",
    "Do NHS Providers and the NHS Confederation agree that ICBs risk becoming another layer of bureaucracy?",
    "What do system leaders interviewed by The King's Fund say about NHS England's regional teams?",
    "What did NHS Providers' regulation survey find about the CQC?",
    "How should the CQC regulate systems, according to the NHS Confederation?",
    "What worries do ICS leaders have about how systems will be inspected and rated?",
    "What is the acid test for ICPs?",
    "Should the same person chair the ICB and the ICP?",
    "What did the NHS Confederation's 2020 member survey find about a shared statutory duty?",
    "What share of members wanted health and social care commissioning merged?",
    "What model of oversight did the NHS Confederation suggest for ICSs?",
    "How can ICSs keep a focus on prevention amid operational pressures?",
    "What did the Leicester, Leicestershire and Rutland frailty scheme achieve?",
    "By how much did One Northern Devon reduce A&E visits?",
    "What examples of innovative data use did NHS Providers give to the Hewitt Review?",
    "What do NHS Providers want from national bodies on data collection?",
    "How do ICB chairs see their role in the first days of statutory ICSs?",
    "What is said across the documents about subsidiarity?",
    "What did the King's Fund interviewees say about foundation trusts?",
    "Why might ICB boards be very large?",
    "What was Cheshire and Merseyside ICB's 2023/24 allocation?",
    "How many ICBs has the CQC rated outstanding?",
    "What did the Hewitt Review recommend about the number of national targets?",
    "How much capital funding will each ICS receive next year?",
]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples it reports a real observation)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--lower", action="store_true", help="ask the questions typed in lower case")
    args = parser.parse_args(argv)
    questions = [q.lower() for q in QUESTIONS] if args.lower else QUESTIONS

    from assistant.config import Settings
    from assistant.embed import as_langchain
    from assistant.engine import Assistant
    from assistant.errors import AssistantError

    settings = Settings.from_env()
    try:
        assistant = Assistant(settings)
        started = time.perf_counter()
        sentences = assistant.warm_up()
        warm_s = time.perf_counter() - started
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from langchain_chroma import Chroma

    index = assistant.index
    baseline = Chroma(
        client=index.vectors.client, collection_name=settings.collection, embedding_function=as_langchain(index.embedder)
    )
    for q in ["A question to warm up with?", "Another one, asked first?", "A third?"]:  # warm both paths (first calls
        assistant.ask(q)  # allocate), on none of the questions timed, whose words are looked up afresh in round one
        baseline.similarity_search(q, k=BASELINE_K)

    ask_ms: list[float] = []
    base_ms: list[float] = []
    abstained = 0
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            answer = assistant.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
            abstained += answer.abstained
            t = time.perf_counter()
            baseline.similarity_search(q, k=BASELINE_K)
            base_ms.append((time.perf_counter() - t) * 1000)

    figures = {
        "questions": len(QUESTIONS),
        "rounds": args.rounds,
        "warm_up_s": round(warm_s, 1),
        "sentences": sentences,
        "ask_p50_ms": round(statistics.median(ask_ms), 1),
        "ask_p95_ms": round(percentile(ask_ms, 95), 1),
        "ask_first_round_p95_ms": round(percentile(ask_ms[: len(questions)], 95), 1),
        "lower_case": args.lower,
        "langchain_p50_ms": round(statistics.median(base_ms), 1),
        "langchain_p95_ms": round(percentile(base_ms, 95), 1),
        "abstained_per_round": abstained // args.rounds,
    }
    figures["ratio_p50"] = round(figures["ask_p50_ms"] / max(figures["langchain_p50_ms"], 1e-6), 2)
    figures["ratio_p95"] = round(figures["ask_p95_ms"] / max(figures["langchain_p95_ms"], 1e-6), 2)
    figures["meets_p95_target"] = figures["ask_p95_ms"] <= TARGET_P95_MS
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{len(QUESTIONS)} questions x {args.rounds} rounds; warm-up {figures['warm_up_s']}s ({sentences} sentences embedded or loaded)")
    print(f"assistant.ask (extractive, warm): p50 {figures['ask_p50_ms']} ms, p95 {figures['ask_p95_ms']} ms "
          f"(target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if figures['meets_p95_target'] else 'NOT met'})")
    print(f"first round (each question asked the first time{', typed in lower case' if args.lower else ''}): p95 {figures['ask_first_round_p95_ms']} ms")
    print(f"LangChain Chroma.similarity_search(k={BASELINE_K}): p50 {figures['langchain_p50_ms']} ms, p95 {figures['langchain_p95_ms']} ms")
    print(f"ratio ask / similarity_search: p50 {figures['ratio_p50']}x, p95 {figures['ratio_p95']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
