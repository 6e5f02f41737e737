"""`ingest PATH...`, `ingest status`, `ingest reindex`, `ingest catalog --draft`: thin commands over ingest.pipeline.

Exit codes: 0 every file ingested (or unchanged / skipped as unsupported), 1 one or more files
failed, 2 the command could not run (bad option, setting, lock held, store unreachable).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.edge import run_command
from assistant.errors import AssistantError

COMMANDS = ("status", "reindex", "tune", "catalog")
STATUS_COLUMNS = (("title", 40), ("publisher", 38), ("date", 11), ("kind", 18))  # field, width
INFERRED_MARK = "*"
INFERRED_FOOTNOTE = "* inferred from the document; confirm with `ingest catalog --draft {folder}`"


def _ingest(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="ingest",
        description="Add evidence files to the index: new files are added, changed ones replaced, unchanged ones skipped. "
        "Other commands: `ingest status`, `ingest reindex`, `ingest tune`, `ingest catalog --draft FOLDER`.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders (folders are read recursively)")
    parser.add_argument("--prune", action="store_true", help="remove indexed documents whose file is gone from the given folders")
    parser.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")
    parser.add_argument("--rebuild", action="store_true", help="drop the whole index first and ingest from scratch")
    parser.add_argument(
        "--reembed", action="store_true",
        help="if the index was built with another embedding model, re-embed every stored chunk with this one (keeps all documents)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    from ingest.pipeline import run_ingest

    report = run_ingest(
        args.paths, settings, prune=args.prune, dry_run=args.dry_run, rebuild=args.rebuild, reembed=args.reembed,
        progress=not args.quiet
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0 if report.ok else 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for r in report.results:
        if r.status == "failed":
            print(f"error: {r.message}", file=sys.stderr)
        elif r.status == "skipped":
            print(f"skipped: {r.message}", file=sys.stderr)
        elif r.status != "unchanged":
            detail = f" ({r.chunks} chunks)" if r.chunks else ""
            print(f"{'would be ' if report.dry_run else ''}{r.status}: {r.source}{detail}")
    print(report.summary())
    return 0 if report.ok else 1


def _status(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="ingest status", description="List the indexed documents and where the index is.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from assistant.docstore import DocStore
    from ingest.catalog import inferred_fields

    if not DocStore.exists_at(settings.sqlite_path):
        print(f"No index in {settings.data_dir} yet; run `ingest corpus/` (or `make run`).", file=sys.stderr)
        return 1
    docs = DocStore(settings.sqlite_path, create=False)
    documents = docs.documents()
    model = docs.get_meta("embed_model")
    location = settings.chroma_url or str(settings.chroma_dir)
    vectors = _vector_count(settings, model, docs.get_meta("embed_dim"))
    if args.json:
        print(json.dumps({
            "data_dir": str(settings.data_dir), "vectors_at": location, "collection": settings.collection,
            "embed_model": model, "chunks": docs.count_chunks(), "vectors": vectors,
            "interrupted": docs.get_meta("dirty") == "1",
            "documents": [{**d.to_dict(), "inferred": list(inferred_fields(docs, d))} for d in documents],
        }, indent=2))
        return 0
    print(f"{len(documents)} documents, {docs.count_chunks()} chunks, {vectors} vectors")
    print(f"data folder: {settings.data_dir}\nvectors: {location} (collection {settings.collection!r})\nembedding model: {model}")
    if docs.get_meta("dirty") == "1":
        print("note: the last ingest was interrupted; the next `ingest` run repairs the index first")
    print()
    print(" ".join(name.ljust(width) for name, width in (("document", 40), *STATUS_COLUMNS[1:])) + "  chunks  ingested")
    roots = {doc_id: root for doc_id, (_, root) in docs.hashes().items()}
    marked_roots = set()
    for d in documents:
        inferred = inferred_fields(docs, d)
        if inferred:
            marked_roots.add(roots.get(d.doc_id, "FOLDER"))
        cells = [_cell(getattr(d, f), width, f in inferred) for f, width in STATUS_COLUMNS]
        print(f"{' '.join(cells)} {d.n_chunks:>6}  {d.ingested_at}")
        print(f"  {d.source}")
    if marked_roots:
        print("\n" + INFERRED_FOOTNOTE.format(folder=marked_roots.pop() if len(marked_roots) == 1 else "FOLDER"))
    return 0


def _cell(value: str, width: int, inferred: bool) -> str:
    """A column value cut to `width`, marked when it was inferred from the document rather than catalogued."""
    if inferred and value:
        return f"{_cut(value, width - 1)}{INFERRED_MARK}".ljust(width)
    return _cut(value, width).ljust(width)


def _vector_count(settings: Settings, model: str, dim: str) -> int | str:
    from assistant.store import VectorStore

    try:
        return VectorStore(settings, model, int(dim or 0), create=False).count()
    except AssistantError as exc:
        return f"unavailable ({exc})"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _reindex(argv: list[str], settings: Settings) -> int:
    argparse.ArgumentParser(prog="ingest reindex", description="Rebuild the lexical (BM25) index from the stored chunks.").parse_args(argv)
    from ingest.pipeline import reindex_lexical

    print(f"lexical index rebuilt: {reindex_lexical(settings)} chunks")
    return 0


def _tune(argv: list[str], settings: Settings) -> int:
    from ingest import tune

    parser = argparse.ArgumentParser(
        prog="ingest tune",
        description="Fine-tune the packaged embedding model on annotated questions about the corpus (offline, a few minutes "
        "on 2 cores); then ingest with ASSISTANT_EMBED_MODEL=OUT.",
    )
    parser.add_argument("corpus", nargs="+", type=Path, help="the folder(s) of documents the questions' gold quotes come from")
    parser.add_argument("--questions", action="append", type=Path, required=True, help="JSONL with question and gold [{doc, quote}] (repeatable)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the tuned model (replaced only once the new one is complete)")
    parser.add_argument("--base", default="", help="model to start from (default: ASSISTANT_EMBED_MODEL, i.e. the packaged all-MiniLM-L6-v2)")
    parser.add_argument("--epochs", type=int, default=tune.EPOCHS)
    parser.add_argument("--seed", type=int, default=tune.SEED)
    parser.add_argument("--force", action="store_true", help="train even if the model in --out was trained on the same pairs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    report = tune.tune(
        args.questions, args.corpus, args.out, settings, base=args.base, epochs=args.epochs, seed=args.seed,
        force=args.force, progress=not args.quiet,
    )
    if report.skipped:
        print(f"warning: {report.skipped} gold quote(s) not found in the corpus documents were left out", file=sys.stderr)
    verb = "up to date" if report.reused else f"trained in {report.seconds:.0f}s"
    print(f"tuned model {verb}: {report.out} ({report.questions} questions, {report.pairs} pairs)")
    return 0


def _catalog(argv: list[str], settings: Settings) -> int:
    """`ingest catalog --draft FOLDER`: named after the file it drafts (catalog.yaml); `--draft` says a person must check it."""
    from ingest.catalog import CatalogError, draft_catalog, render_draft

    parser = argparse.ArgumentParser(
        prog="ingest catalog",
        description="Draft catalogue entries for the files in FOLDER that catalog.yaml does not list: title, publisher, date "
        "and kind as each document states them (load and clean only: no model, no index). Check and correct them, then "
        "merge them into FOLDER/catalog.yaml (format: corpus/README.md).",
    )
    parser.add_argument("folder", type=Path, help="the folder of documents (read recursively, as `ingest` does)")
    parser.add_argument("--draft", action="store_true", help="draft entries for a person to check (the only mode; the default)")
    parser.add_argument("--out", type=Path, help="write the draft to this file, not stdout (e.g. FOLDER/catalog.draft.yaml)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        raise CatalogError(f"{args.folder}: not a folder; give the folder of documents to draft a catalogue for.")
    if args.out and not args.out.parent.is_dir():
        raise CatalogError(f"{args.out.parent}: no such folder for --out; create it or choose another path.")
    if args.out and args.out.exists() and not args.force:
        raise CatalogError(f"{args.out} exists; not replacing it: choose another --out (e.g. catalog.draft.yaml) or add --force.")
    found, problems = draft_catalog(args.folder, settings)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    text = render_draft(found, args.folder)
    if not args.out:
        sys.stdout.write(text)
        return 0
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.out)
    print(f"draft catalogue for {len(found)} file(s) written to {args.out}; check it, then merge it into catalog.yaml",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_command(lambda: _dispatch(argv), "interrupted; run the same command again to finish (completed documents are kept).")


def _dispatch(argv: list[str]) -> int:
    settings = Settings.from_env()
    if argv and argv[0] in COMMANDS and not Path(argv[0]).exists():
        return {"status": _status, "reindex": _reindex, "tune": _tune, "catalog": _catalog}[argv[0]](argv[1:], settings)
    return _ingest(argv, settings)

if __name__ == "__main__":
    sys.exit(main())
