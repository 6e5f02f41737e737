"""What each decline check earns: the full system's figures with one check switched off, per corpus.

The assistant computes every check on every question (Answer.checks) and, when `explain` is on, also the
answer a decline withheld (Answer.withheld). Switching a check off is then exact, not a re-run: a question
declined by that check alone gets its withheld answer instead. A check that does not pay on a corpus it
was not written for is deleted (eval/README.md, "Declining").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.declining import CAVEATS
from eval.dataset import Question
from eval.metrics import Span, evidence_hit


def fired(answer: Mapping[str, Any]) -> set[str]:
    """Names of the checks that found a reason to decline."""
    return {name for name, found in (answer.get("checks") or {}).items() if found}


def correct(q: Question, answer: Mapping[str, Any], gold: Sequence[Span], off: set[str]) -> tuple[float, float | None]:
    """(answered-or-declined correctly, evidence hit) with the checks in `off` switched off."""
    kept = answer
    if answer.get("abstained") and not _declined(answer, off):
        kept = {**answer, **(answer.get("withheld") or {"citations": []}), "abstained": False}
    abstained = bool(kept.get("abstained"))
    if not q.answerable:
        return float(abstained), None
    hit = evidence_hit(kept, gold) or 0.0
    return float(not abstained and hit == 1.0), hit


def ablate(
    questions: Sequence[Question], answers: Sequence[Mapping[str, Any]], gold: Mapping[str, list[Span]]
) -> dict[str, dict[str, dict[str, float]]]:
    """corpus -> check ("none" = as shipped) -> {correct, evidence_hit, answerable_declined, unanswerable_declined, fires}."""
    names = sorted({n for a in answers for n in (a.get("checks") or {})})
    corpora = list(dict.fromkeys(q.corpus for q in questions))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for corpus in corpora:
        pairs = [(q, a) for q, a in zip(questions, answers, strict=True) if q.corpus == corpus]
        out[corpus] = {}
        for off in ["none", *names]:
            switched = set() if off == "none" else {off}
            rows = [(q, *correct(q, a, gold[q.id], switched)) for q, a in pairs]
            answerable = [r for r in rows if r[0].answerable]
            out[corpus][off] = {
                "correct": sum(r[1] for r in rows) / len(rows),
                "evidence_hit": sum(r[2] or 0.0 for r in answerable) / len(answerable) if answerable else 0.0,
                "answerable_declined": sum(1 for q, a in pairs if q.answerable and _declined(a, switched)),
                "unanswerable_declined": sum(1 for q, a in pairs if not q.answerable and _declined(a, switched)),
                "fires": 0 if off == "none" else sum(1 for _, a in pairs if off in fired(a)),
                "n": len(rows),
            }
    return out


def _declined(answer: Mapping[str, Any], off: set[str]) -> bool:
    """Still declined with the checks in `off` switched off (some other check, or an unnamed reason, remains); a
    caveat (declining.CAVEATS) declines nothing."""
    reasons = fired(answer) - CAVEATS
    return bool(answer.get("abstained")) and (not reasons or bool(reasons - off))


def table(result: Mapping[str, dict[str, dict[str, float]]]) -> tuple[list[str], list[list[str]]]:
    """Rows: corpus x check switched off; each with its change against as shipped."""
    header = ["corpus", "switched off", "fires", "correct", "Δ correct", "evidence", "answerable declined", "unanswerable declined"]
    rows = []
    for corpus, by_check in result.items():
        base = by_check["none"]
        for off, m in by_check.items():
            rows.append([
                corpus, off, f"{m['fires']:.0f}" if off != "none" else "", f"{m['correct']:.3f}",
                "" if off == "none" else f"{m['correct'] - base['correct']:+.3f}", f"{m['evidence_hit']:.3f}",
                f"{m['answerable_declined']:.0f}", f"{m['unanswerable_declined']:.0f}",
            ])  # fmt: skip
    return header, rows
