"""Run systems over the question set, score them, write the report, and gate CI on thresholds.

    python -m eval run [--split dev|heldout] [--questions SET...] [--quick] [--systems full,bm25,dense,lc]
                       [--out eval/reports] [--gate] [--batch-cli]
    python -m eval quotes          # check every gold quote against the stored (cleaned) text
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.dataset import KINDS, SPLITS, Question, QuoteProblem, load_questions, locate_gold, split_sets
from eval.metrics import Score, Span, aggregate, latency_ms, score_answer

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "reports"
THRESHOLDS_PATH = HERE / "thresholds.json"
SYSTEM_ORDER = ("full", "bm25", "dense", "lc")
GATE_SYSTEM = "full"
TRAINED_ON = (  # a report's note when some questions were used to fine-tune the embedding model
    "were used to fine-tune the embedding model (`ingest tune`): their figures are training-set figures; "
    "judge the system on questions it was not tuned on."
)


@dataclass
class SystemRun:
    """One system's answers and scores over the question set."""

    name: str
    rows: list[dict[str, Any]]
    overall: dict[str, Score]
    per_kind: dict[str, dict[str, Score]]
    wall_s: float
    per_corpus: dict[str, dict[str, Score]] = field(default_factory=dict)
    per_corpus_kind: dict[str, dict[str, dict[str, Score]]] = field(default_factory=dict)


@dataclass
class EvalResult:
    stamp: str
    quick: bool
    n_questions: int
    index: dict[str, Any]
    quote_problems: list[QuoteProblem]
    systems: dict[str, SystemRun] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ablation: dict[str, Any] = field(default_factory=dict)  # eval.ablation.ablate of the full system


def stored_texts(index: Any) -> dict[str, str]:
    """source -> stored (cleaned) text of every indexed document."""
    return {d.source: index.text(d.doc_id) for d in index.documents()}


def trimmed(answer: Mapping[str, Any]) -> dict[str, Any]:
    """What the JSON report keeps of an answer: everything but passage texts."""
    keep = {k: v for k, v in answer.items() if k != "passages"}
    keep["passages"] = [{k: p.get(k) for k in ("rank", "source", "start", "end", "score")} for p in answer.get("passages") or []]
    return keep


def score_system(
    name: str, questions: Sequence[Question], answers: Sequence[Mapping[str, Any]], gold: Mapping[str, list[Span]],
    texts: Mapping[str, str], wall_s: float = 0.0,
) -> SystemRun:
    """Score one system's answers (same order as `questions`) overall and per kind."""
    rows = []
    for q, a in zip(questions, answers, strict=True):
        rows.append(
            {
                "id": q.id,
                "corpus": q.corpus,
                "kind": q.kind,
                "answerable": q.answerable,
                "abstained": bool(a.get("abstained")),
                "error": a.get("error"),
                "latency_ms": latency_ms(a),
                "scores": score_answer(a, gold[q.id], kind=q.kind, reference=q.reference, facts=q.facts, texts=texts),
                "answer": trimmed(a),
            }
        )
    per_kind = _by_kind(rows)
    corpora = list(dict.fromkeys(r["corpus"] for r in rows))
    per_corpus = {c: aggregate([r for r in rows if r["corpus"] == c]) for c in corpora}
    per_corpus_kind = {c: _by_kind([r for r in rows if r["corpus"] == c]) for c in corpora}
    return SystemRun(name, rows, aggregate(rows), per_kind, wall_s, per_corpus, per_corpus_kind)


def _by_kind(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Score]]:
    return {k: aggregate([r for r in rows if r["kind"] == k]) for k in KINDS if any(r["kind"] == k for r in rows)}


def make_systems(
    names: Sequence[str], settings: Any, index: Any, assistant: Any = None, batch_cli: bool = False,
    texts: Mapping[str, str] | None = None,
) -> list[Any]:
    """The requested systems, sharing one loaded index (and model)."""
    from eval.baselines import BatchCliSystem, BM25Baseline, DenseBaseline, FullSystem, LangChainBaseline

    systems: list[Any] = []
    for name in names:
        if name == "bm25":
            systems.append(BM25Baseline(index))
        elif name == "dense":
            systems.append(DenseBaseline(index, settings))
        elif name == "lc":
            systems.append(LangChainBaseline(index, dict(texts if texts is not None else stored_texts(index))))
        elif name == "full" and batch_cli:
            systems.append(BatchCliSystem(settings))
        elif name == "full":
            if assistant is None:
                from assistant.engine import Assistant

                assistant = Assistant(settings, index=index, explain=True)
            systems.append(FullSystem(assistant))
        else:
            raise ValueError(f"unknown system {name!r}; choose from {', '.join(SYSTEM_ORDER)}")
    return systems


def evaluate(
    settings: Any,
    questions: Sequence[Question],
    systems: Sequence[str] = SYSTEM_ORDER,
    *,
    index: Any = None,
    assistant: Any = None,
    batch_cli: bool = False,
    quick: bool = False,
    log: Any = None,
) -> EvalResult:
    """Run each system over the questions and score it against gold located in the stored text."""
    from assistant.index import Index

    index = index or Index(settings)
    texts = stored_texts(index)
    gold, problems = locate_gold(questions, texts)
    result = EvalResult(
        stamp=datetime.now().strftime("%Y-%m-%dT%H%M"),
        quick=quick,
        n_questions=len(questions),
        index={
            "data_dir": str(settings.data_dir), "documents": len(texts),
            "embed_model": getattr(getattr(index, "embedder", None), "name", settings.embed_model),
            "chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap,
        },
        quote_problems=problems,
    )
    if "dense" in systems:
        result.notes.append("dense = a default LangChain retriever (k=4): it returns only 4 passages, so its @5/@10 equal @4.")
    if batch_cli and "full" in systems:
        result.notes.append("full ran end to end as `assistant ask --batch` (one process, models loaded once).")
    result.notes.append("Baselines never abstain and get follow-up questions without their history; the full system gets the history.")
    trained_on = _tuned_on(index)
    seen = sum(1 for q in questions if q.id in trained_on)
    if seen:
        result.notes.append(f"{seen} of these {len(questions)} questions {TRAINED_ON}")
    if "lc" in systems:
        result.notes.append("lc = a hand-built LangChain script: 1000-character chunks, in-memory Chroma, top 3 chunks quoted.")
    for system in make_systems(systems, settings, index, assistant, batch_cli, texts):
        if log:
            print(f"running {system.name} on {len(questions)} questions...", file=log, flush=True)
        t0 = time.perf_counter()
        answers = system.answer_all(questions)
        if getattr(system, "warm_up_s", 0.0):
            result.notes.append(f"{system.name}: warm-up (models, corpus sentence vectors) took {system.warm_up_s:.1f} s before timing.")
        result.systems[system.name] = score_system(system.name, questions, answers, gold, texts, time.perf_counter() - t0)
        if system.name == "full" and any(a.get("checks") for a in answers):
            from eval.ablation import ablate

            result.ablation = ablate(questions, answers, gold)
    return result


# gate ------------------------------------------------------------------------------------------------
def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["metrics"].items()}


def gate(result: EvalResult, thresholds: Mapping[str, float], system: str = GATE_SYSTEM) -> list[str]:
    """One line per metric of `system` below its threshold (undefined counts as below); empty = pass."""
    run = result.systems.get(system)
    if run is None:
        return [f"system {system!r} was not run"]
    failures = []
    for metric, minimum in thresholds.items():
        value = run.overall.get(metric)
        if value is None or value < minimum:
            shown = "undefined" if value is None else f"{value:.3f}"
            failures.append(f"{metric} = {shown} < {minimum:.3f}")
    return failures


# CLI -------------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluate the evidence assistant and baselines.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run systems over the question set and write a report")
    run.add_argument("--quick", action="store_true", help='only the questions marked "quick" (CI)')
    run.add_argument("--systems", default=",".join(SYSTEM_ORDER), help="comma-separated: " + ",".join(SYSTEM_ORDER))
    run.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default eval/reports)")
    run.add_argument("--gate", action="store_true", help="exit 1 if the full system is below eval/thresholds.json")
    run.add_argument("--thresholds", type=Path, default=THRESHOLDS_PATH)
    run.add_argument("--batch-cli", action="store_true", help="run the full system as `assistant ask --batch`")
    _question_args(run)
    run.add_argument("--no-plots", action="store_true")
    quotes = sub.add_parser("quotes", help="check the gold quotes against the stored text of the index")
    _question_args(quotes)
    return parser


def _question_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--split", choices=SPLITS, default="dev",
        help="which sets of eval/sets/ (default dev; run heldout only at checkpoints and read it only in aggregate)",
    )
    parser.add_argument("--questions", type=Path, nargs="+", help="these set files instead of --split's")


def _question_paths(args: argparse.Namespace) -> list[Path]:
    return list(args.questions) if args.questions else split_sets(args.split)


def _tuned_on(index: Any) -> set[str]:
    """Ids of the questions the index's embedding model was fine-tuned on (empty for the packaged model)."""
    from assistant.embed import tuning_manifest
    from assistant.errors import ConfigError

    path = getattr(getattr(index, "embedder", None), "path", None)
    try:
        manifest = tuning_manifest(path) if path else None
    except ConfigError:
        return set()
    return set((manifest or {}).get("question_ids") or [])


def _settings() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant.config import Settings

    return Settings.from_env()


def cmd_quotes(args: argparse.Namespace) -> int:
    from assistant.docstore import DocStore

    settings = _settings()
    store = DocStore(settings.sqlite_path, create=False)
    texts = {d.source: store.text(d.doc_id) for d in store.documents()}
    questions = load_questions(_question_paths(args))
    _, problems = locate_gold(questions, texts)
    n = sum(len(q.gold) for q in questions)
    for p in problems:
        print(p)
    print(f"{n - len(problems)}/{n} gold quotes found verbatim in the stored text of {settings.data_dir}")
    return 1 if problems else 0


def cmd_run(args: argparse.Namespace) -> int:
    from eval.report import print_summary, write_report

    names = [s.strip() for s in args.systems.split(",") if s.strip()]
    questions = load_questions(_question_paths(args), quick=args.quick)
    result = evaluate(_settings(), questions, names, batch_cli=args.batch_cli, quick=args.quick, log=sys.stderr)
    paths = write_report(result, args.out, plots=not args.no_plots)
    print_summary(result)
    for note in result.notes:
        if note.endswith(TRAINED_ON):  # the one note a reader of the summary must not miss
            print(f"note: {note}", file=sys.stderr)
    print("\nreport: " + ", ".join(str(p) for p in paths))
    if not args.gate:
        return 0
    if not args.quick:
        print("note: thresholds were set on the quick run; gating a full run", file=sys.stderr)
    failures = gate(result, load_thresholds(args.thresholds))
    for line in failures:
        print(f"GATE FAIL: {line}")
    print("gate: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return cmd_quotes(args) if args.command == "quotes" else cmd_run(args)
