"""Render an EvalResult: stdout tables, a Markdown report, a JSON dump and matplotlib plots (Agg)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eval.dataset import KINDS
from eval.metrics import RETRIEVAL_KS, Score
from eval.run import SYSTEM_ORDER, EvalResult

MAIN_METRICS = (
    "hit@5", "recall@5", "mrr", "ndcg@10", "evidence_hit", "citation_precision", "citation_recall",
    "citation_validity", "key_fact", "correct",
)
ALL_METRICS = (
    *(f"recall@{k}" for k in RETRIEVAL_KS), *(f"hit@{k}" for k in RETRIEVAL_KS), "mrr", "ndcg@10",
    "evidence_hit", "citation_precision", "citation_on_gold", "citation_recall", "citation_validity",
    "answer_f1", "fact_recall", "key_fact",
    "abstention_precision", "abstention_recall", "abstention_accuracy", "answerable_declined", "correct",
    "latency_p50_ms", "latency_p95_ms", "n", "errors",
)
KIND_METRICS = ("recall@5", "hit@5", "evidence_hit", "key_fact", "correct")
BASELINES = ("bm25", "dense", "lc")
# The targets, per corpus (answerable_declined is a ceiling, the rest floors).
TARGETS = {"hit@5": 0.90, "evidence_hit": 0.85, "correct": 0.90, "answerable_declined": 0.05, "citation_validity": 1.0}
CORPUS_METRICS = (*TARGETS, "abstention_recall", "latency_p95_ms", "n")


def fmt(value: Score, metric: str = "") -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{value:.1f}" if value < 10 else f"{value:.0f}"
    if metric in ("n", "errors"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def ratio(a: Score, b: Score) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def ordered_systems(result: EvalResult) -> list[str]:
    return [s for s in SYSTEM_ORDER if s in result.systems] + [s for s in result.systems if s not in SYSTEM_ORDER]


def summary_rows(result: EvalResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the overall table: metrics as rows, systems as columns, full/baseline ratios."""
    systems = ordered_systems(result)
    ratios = [b for b in BASELINES if "full" in result.systems and b in result.systems]
    header = ["metric", *systems, *(f"full/{b}" for b in ratios)]
    rows = []
    for metric in ALL_METRICS:
        values = [result.systems[s].overall.get(metric) for s in systems]
        cells = [metric, *(fmt(v, metric) for v in values)]
        for b in ratios:
            main = metric in MAIN_METRICS
            cells.append(ratio(result.systems["full"].overall.get(metric), result.systems[b].overall.get(metric)) if main else "")
        rows.append(cells)
    return header, rows


def corpus_rows(result: EvalResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-corpus table: each corpus's target metrics, systems as columns."""
    systems = ordered_systems(result)
    corpora = list(dict.fromkeys(c for s in systems for c in result.systems[s].per_corpus))
    rows = []
    for corpus in corpora:
        for metric in CORPUS_METRICS:
            target = TARGETS.get(metric)
            shown = "" if target is None else ("≤ " if metric == "answerable_declined" else "≥ ") + fmt(target)
            cells = [corpus or "-", metric, shown]
            cells += [fmt(result.systems[s].per_corpus.get(corpus, {}).get(metric), metric) for s in systems]
            rows.append(cells)
    return ["corpus", "metric", "target", *systems], rows


def corpus_kind_rows(result: EvalResult, metric: str, system: str = "full") -> tuple[list[str], list[list[str]]]:
    """One metric of one system per corpus (columns) and kind (rows)."""
    run = result.systems.get(system)
    if run is None:
        return [metric], []
    corpora = list(run.per_corpus)
    rows = []
    for kind in [*KINDS, "overall"]:
        cells = [kind]
        for corpus in corpora:
            scores = run.per_corpus[corpus] if kind == "overall" else run.per_corpus_kind[corpus].get(kind, {})
            n = scores.get("n")
            cells.append(f"{fmt(scores.get(metric), metric)} ({n:.0f})" if n else "–")
        rows.append(cells)
    return [f"{system} {metric}", *corpora], rows


def kind_rows(result: EvalResult, metric: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a per-kind table for one metric: kinds as rows, systems as columns."""
    systems = ordered_systems(result)
    rows = []
    first = result.systems[systems[0]] if systems else None
    for kind in [*KINDS, "overall"]:
        n = (first.overall if kind == "overall" else first.per_kind.get(kind, {})).get("n") if first else None
        cells = [f"{kind} ({n:.0f})" if n else kind]
        for s in systems:
            run = result.systems[s]
            scores = run.overall if kind == "overall" else run.per_kind.get(kind, {})
            cells.append(fmt(scores.get(metric), metric))
        rows.append(cells)
    return [metric, *systems], rows


def weakest_kinds(result: EvalResult, system: str = "full", n: int = 2) -> list[tuple[str, Score]]:
    """The kinds where `system` is least often answered-or-declined correctly."""
    run = result.systems.get(system)
    if run is None:
        return []
    ranked = sorted(run.per_kind.items(), key=lambda kv: (kv[1].get("correct") or 0.0, kv[1].get("recall@5") or 0.0))
    return [(kind, scores.get("correct")) for kind, scores in ranked[:n]]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])


def print_summary(result: EvalResult) -> None:
    print(f"\n{'quick' if result.quick else 'full'} eval, {result.n_questions} questions, {result.index['documents']} documents")
    print(text_table(*corpus_rows(result)))
    for metric in ("evidence_hit", "correct"):
        print()
        print(text_table(*corpus_kind_rows(result, metric)))
    print()
    print(text_table(*summary_rows(result)))
    for metric in KIND_METRICS:
        print()
        print(text_table(*kind_rows(result, metric)))
    if result.ablation:
        from eval.ablation import table

        print("\nwhat each decline check earns (full system, one check switched off):")
        print(text_table(*table(result.ablation)))
    if result.quote_problems:
        print(f"\n{len(result.quote_problems)} gold quote(s) not verbatim in the stored text (see report)")
    weak = weakest_kinds(result)
    if weak:
        print("weakest kinds (full, answered-or-declined correctly): " + ", ".join(f"{k} {fmt(v)}" for k, v in weak))


# files -----------------------------------------------------------------------------------------------
def write_report(result: EvalResult, out_dir: Path, *, plots: bool = True) -> list[Path]:
    """Write <stamp>-<quick|full>.md/.json (and .png plots) to out_dir; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"{result.stamp}-{'quick' if result.quick else 'full'}"
    images = write_plots(result, out_dir, base) if plots else []
    md, js = out_dir / f"{base}.md", out_dir / f"{base}.json"
    md.write_text(markdown(result, [p.name for p in images]), encoding="utf-8")
    js.write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False), encoding="utf-8")
    return [md, js, *images]


def to_json(result: EvalResult) -> dict[str, Any]:
    return {
        "stamp": result.stamp, "quick": result.quick, "n_questions": result.n_questions, "index": result.index,
        "notes": result.notes, "quote_problems": [asdict(p) for p in result.quote_problems], "ablation": result.ablation,
        "systems": {
            name: {"overall": run.overall, "per_kind": run.per_kind, "per_corpus": run.per_corpus,
                   "per_corpus_kind": run.per_corpus_kind, "wall_s": run.wall_s, "questions": run.rows}
            for name, run in result.systems.items()
        },
    }


def markdown(result: EvalResult, images: Sequence[str]) -> str:
    parts = [
        f"# Evaluation {result.stamp} ({'quick' if result.quick else 'full'} set, {result.n_questions} questions)",
        "",
        (
            f"Index: {result.index['documents']} documents in `{result.index['data_dir']}`, embedding model "
            f"`{result.index['embed_model']}`, chunks {result.index['chunk_tokens']} tokens / overlap {result.index['chunk_overlap']}."
        ),
        "Metric definitions: eval/README.md. Every figure is recomputed from the stored text and offsets.",
        "",
        *(f"- {note}" for note in result.notes),
        "",
        "## Per corpus, against the targets",
        "",
        md_table(*corpus_rows(result)),
        "",
        md_table(*corpus_kind_rows(result, "evidence_hit")),
        "",
        md_table(*corpus_kind_rows(result, "correct")),
        "",
        "## Summary",
        "",
        md_table(*summary_rows(result)),
    ]
    weak = weakest_kinds(result)
    if weak:
        parts += ["", "Weakest kinds for the full system: " + ", ".join(f"**{k}** ({fmt(v)} correct)" for k, v in weak) + "."]
    parts += ["", "## Per kind", ""]
    for metric in KIND_METRICS:
        parts += [md_table(*kind_rows(result, metric)), ""]
    parts += [f"![{name}]({name})" for name in images]
    if result.ablation:
        from eval.ablation import table

        parts += ["", "## What each decline check earns (one switched off)", "", md_table(*table(result.ablation))]
    if result.quote_problems:
        parts += ["", "## Gold quotes not verbatim in the stored text", ""]
        parts += [f"- {p.qid} gold[{p.index}] `{p.doc}`: {p.reason}" for p in result.quote_problems]
    for name in ordered_systems(result):
        parts += ["", f"## Per question: {name}", "", question_table(result, name)]
    return "\n".join(parts) + "\n"


def question_table(result: EvalResult, system: str) -> str:
    header = ["id", "corpus", "kind", "r@5", "MRR", "evidence", "cit.valid", "key fact", "abstained", "correct", "ms", "error"]
    rows = []
    for r in result.systems[system].rows:
        s = r["scores"]
        rows.append([
            r["id"], r.get("corpus", ""), r["kind"], fmt(s["recall@5"]), fmt(s["mrr"]), fmt(s["evidence_hit"]), fmt(s["citation_validity"]),
            fmt(s["key_fact"]), "yes" if r["abstained"] else "", fmt(s["correct"]), fmt(r["latency_ms"], "_ms"),
            (r["error"] or "")[:80].replace("|", "/"),
        ])
    return md_table(header, rows)


def write_plots(result: EvalResult, out_dir: Path, base: str) -> list[Path]:
    """Per-kind recall@5, main metrics side by side, and latency; one PNG each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = ordered_systems(result)
    paths = []

    def bars(groups: Sequence[str], values: dict[str, list[float]], title: str, ylabel: str, name: str) -> None:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(groups) * max(1, len(values)) / 2), 4.2))
        width = 0.8 / max(1, len(values))
        for i, (label, ys) in enumerate(values.items()):
            xs = [g + (i - (len(values) - 1) / 2) * width for g in range(len(groups))]
            ax.bar(xs, ys, width, label=label)
        ax.set_xticks(range(len(groups)), groups, rotation=20, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.set_ylim(0, 1.15)  # room for the legend above bars at 1.0
        ax.legend(loc="upper center", ncol=len(values), frameon=False)
        fig.tight_layout()
        path = out_dir / f"{base}-{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)

    kinds = [k for k in KINDS if any(k in result.systems[s].per_kind for s in systems)]
    kinds = [k for k in kinds if k != "unanswerable"]  # no gold: recall undefined
    bars(kinds, {s: [result.systems[s].per_kind.get(k, {}).get("recall@5") or 0.0 for k in kinds] for s in systems},
         "recall@5 per question kind", "recall@5", "recall5-by-kind")
    bars(list(MAIN_METRICS), {s: [result.systems[s].overall.get(m) or 0.0 for m in MAIN_METRICS] for s in systems},
         "main metrics, full system vs baselines", "score", "comparison")

    fig, ax = plt.subplots(figsize=(6, 4))
    data = [[r["latency_ms"] for r in result.systems[s].rows if r["latency_ms"] is not None] or [0.0] for s in systems]
    labels = [
        f"{s}\np50 {fmt(result.systems[s].overall.get('latency_p50_ms'), '_ms')} / "
        f"p95 {fmt(result.systems[s].overall.get('latency_p95_ms'), '_ms')} ms"
        for s in systems
    ]
    ax.boxplot(data, tick_labels=labels, showfliers=True)
    ax.set_yscale("log")
    ax.set_ylabel("latency per question (ms, log)")
    ax.set_title("latency (full: timings_ms.total; baselines: wall time)")
    fig.tight_layout()
    path = out_dir / f"{base}-latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths.append(path)
    return paths
