"""`assistant ask "QUESTION"`, `assistant ask --batch IN.jsonl --out OUT.jsonl`, `assistant show SOURCE [--start S --end E]`,
`assistant warm`, `assistant feedback export [--format csv|jsonl] [--out FILE]`.

Exit codes: 0 done, 1 some batch lines failed, 2 the command could not run (no index, bad filter or
option, unreadable file) -- with one line on stderr saying what to do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, TextIO

from assistant.config import Settings
from assistant.edge import run_command
from assistant.errors import AssistantError
from assistant.types import Answer, Filters

SHOW_CONTEXT = 300  # characters shown either side of a cited span
SPAN_OPEN, SPAN_CLOSE = "»", "«"
WRAP = 100


class _Parser(argparse.ArgumentParser):
    """argparse that fails with exit code 2 and one line (its default prints the whole usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assistant", description="Answer questions from the indexed evidence, with exact citations.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ask = sub.add_parser("ask", help="answer a question (or a batch of them)")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--top-k", type=int, default=None, metavar="N", help="passages the answer draws on (default 5)")
    ask.add_argument("--publisher", action="append", default=[], metavar="P", help="only documents by this publisher (repeatable)")
    ask.add_argument("--document", action="append", default=[], metavar="D", help="only this document: path, file name or title part")
    ask.add_argument("--kind", action="append", default=[], metavar="K", help="only documents of this kind, e.g. 'written evidence'")
    ask.add_argument("--since", default="", metavar="DATE", help="only documents dated on/after DATE (YYYY, YYYY-MM, YYYY-MM-DD)")
    ask.add_argument("--until", default="", metavar="DATE", help="only documents dated on/before DATE")
    ask.add_argument("--history", action="append", default=[], metavar="Q", help="an earlier question (repeatable, oldest first)")
    ask.add_argument("--batch", type=Path, metavar="IN.jsonl", help="answer every {id, question, history?} line of a file")
    ask.add_argument("--out", type=Path, metavar="OUT.jsonl", help="where --batch writes one JSON answer per input line")
    show = sub.add_parser("show", help="print a stored document, or a cited span with its surroundings")
    show.add_argument("source", help="the citation's source (path relative to the ingest folder), file name or title part")
    show.add_argument("--start", type=int, default=None)
    show.add_argument("--end", type=int, default=None)
    sub.add_parser("warm", help="load the models and make any sentence vectors the index lacks (ingest makes them; an older index needs this once)")
    sub.add_parser("feedback", help="export the feedback given in the app: `assistant feedback export --help`", add_help=False)
    return parser


# ask -----------------------------------------------------------------------------
def _filters(args: argparse.Namespace) -> Filters | None:
    filters = Filters(
        documents=tuple(args.document), publishers=tuple(args.publisher), kinds=tuple(args.kind), since=args.since, until=args.until
    )
    return filters or None


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.top_k is not None and args.top_k < 1:
        raise AssistantError("--top-k must be 1 or more.")
    if args.batch:
        if args.question:
            raise AssistantError("Give either a question or --batch IN.jsonl, not both.")
        if not args.out:
            raise AssistantError("--batch needs --out OUT.jsonl.")
        return _batch(args, settings)
    if not args.question:
        raise AssistantError('Give a question: assistant ask "Who are ICBs accountable to?"')
    from assistant.engine import Assistant
    from assistant.retrieve import validate_date

    validate_date(args.since, "--since")
    validate_date(args.until, "--until")
    answer = Assistant(settings).ask(args.question, history=args.history or None, filters=_filters(args), top_k=args.top_k)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 0


def render(answer: Answer) -> str:
    """A readable answer: the text, then the numbered sources with their exact quotes."""
    lines = []
    if answer.resolved_question:
        lines.append(f"(read as: {answer.resolved_question})\n")
    lines += [textwrap.fill(line, WRAP) for line in answer.answer.splitlines()]
    flagged = [s for s in answer.sentences if not s.supported]
    if flagged:
        lines.append(f"\nNote: {len(flagged)} sentence(s) could not be verified against their sources.")
    if answer.citations:
        lines.append("\nSources:")
        lines += _sources(answer.citations)
    if answer.closest:
        lines.append("\nClosest evidence (does not answer the question):")
        lines += _sources(answer.closest)
    return "\n".join(lines)


def _sources(citations: list) -> list[str]:
    out = []
    for c in citations:
        where = ", ".join(x for x in (c.section and f"section “{c.section}”", c.place) if x)
        out.append(f"[{c.n}] {c.publisher or c.title} ({c.date}) — {c.title}")
        out.append(f"    {c.source} chars {c.start}-{c.end}" + (f", {where}" if where else ""))
        out.append(textwrap.indent(textwrap.fill(f"“{c.shown}”", WRAP - 4), "    "))
        out.append(f"    check: assistant show {c.source} --start {c.start} --end {c.end}")
    return out


def _batch(args: argparse.Namespace, settings: Settings) -> int:
    """One output line per input line, same order; a bad line gets an `error` field instead of stopping the batch."""
    from assistant.engine import Assistant

    try:
        lines = args.batch.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"Cannot read {args.batch}: {exc.strerror}.") from None
    assistant = Assistant(settings)  # models load once for the whole batch
    assistant.index  # noqa: B018 - open the index now: no index is an error for the whole command (exit 2)
    filters = _filters(args)
    if filters:
        assistant._ready()[0].allowed(filters)  # a bad filter is also the whole command's error
    failed = 0
    try:
        out = args.out.open("w", encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"Cannot write {args.out}: {exc.strerror}.") from None
    with out:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _batch_line(assistant, line, number, filters, args.top_k)
            failed += "error" in record
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    print(f"{len(lines) - failed} answered, {failed} failed -> {args.out}", file=sys.stderr)
    return 1 if failed else 0


def _batch_line(assistant: Any, line: str, number: int, filters: Filters | None, top_k: int | None) -> dict[str, Any]:
    item: Any = None
    try:
        item = json.loads(line)
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            raise ValueError('each line must be a JSON object with a non-empty "question"')
        history = item.get("history")
        if history is not None and not isinstance(history, list):
            raise ValueError('"history" must be a list of earlier questions')
        answer = assistant.ask(item["question"], history=history, filters=filters, top_k=top_k, id=item.get("id"))
        return answer.to_json()
    except Exception as exc:  # noqa: BLE001 - one bad line must not cost the rest of the batch
        ident = item.get("id") if isinstance(item, dict) else None
        question = item.get("question") if isinstance(item, dict) else None
        message = str(exc) if isinstance(exc, (ValueError, AssistantError)) else f"{type(exc).__name__}: {exc}"
        return {"id": ident if ident is not None else f"line-{number}", "question": question, "error": message}


# show ----------------------------------------------------------------------------
def _cmd_show(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout) -> int:
    from assistant.docstore import DocStore
    from assistant.errors import IndexMissing

    if not DocStore.exists_at(settings.sqlite_path):
        raise IndexMissing(f"No index in {settings.data_dir} yet; run `ingest corpus/` first.")
    docs = DocStore(settings.sqlite_path, create=False)
    doc = docs.document(args.source) or docs.find_document(args.source)
    if doc is None:
        known = ", ".join(d.source for d in docs.documents())
        raise AssistantError(f"No stored document {args.source!r}; stored: {known}.")
    text = docs.text(doc.doc_id)
    if args.start is None and args.end is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return 0
    start = args.start if args.start is not None else 0
    end = args.end if args.end is not None else len(text)
    if not 0 <= start < end <= len(text):
        raise AssistantError(f"--start/--end must satisfy 0 <= start < end <= {len(text)} for {doc.source}.")
    out.write(show_span(text, start, end, doc.source, doc.title) + "\n")
    return 0


def _cmd_warm(settings: Settings) -> int:
    """Embed every sentence now, so that the first question in the app is as fast as the rest."""
    import time

    from assistant.engine import Assistant

    started = time.perf_counter()
    sentences = Assistant(settings).warm_up()
    print(f"ready: {sentences} sentence vectors in {time.perf_counter() - started:.1f}s")
    return 0


def show_span(text: str, start: int, end: int, source: str = "", title: str = "") -> str:
    """The span marked »…« with ~SHOW_CONTEXT characters either side, and where it is."""
    before_at = max(0, start - SHOW_CONTEXT)
    after_at = min(len(text), end + SHOW_CONTEXT)
    head = f"{source} — {title}\nchars {start}-{end} of {len(text)}; the cited span is between {SPAN_OPEN} and {SPAN_CLOSE}\n\n"
    return (
        head
        + ("…" if before_at > 0 else "")
        + text[before_at:start]
        + SPAN_OPEN
        + text[start:end]
        + SPAN_CLOSE
        + text[end:after_at]
        + ("…" if after_at < len(text) else "")
    )


def main(argv: list[str] | None = None) -> int:
    # model-loading progress bars would interleave with the answer on the terminal
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TQDM_DISABLE", "1")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["feedback"]:
        from assistant.feedback import feedback_cli

        return feedback_cli(argv[1:])
    args = _parser().parse_args(argv)
    return run_command(lambda: _dispatch(args))


def _dispatch(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.command == "show":
        return _cmd_show(args, settings)
    if args.command == "warm":
        return _cmd_warm(settings)
    return _cmd_ask(args, settings)

if __name__ == "__main__":
    sys.exit(main())
