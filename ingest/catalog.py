"""The corpus catalogue: `catalog.yaml` beside the documents gives each file its title, publisher, date, kind, url."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, LoadError, UnsupportedFile

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.docstore import DocStore
    from assistant.types import DocumentInfo
    from ingest.infer import Inferred

CATALOG_NAME = "catalog.yaml"
FIELDS = ("title", "publisher", "date", "kind", "url", "description")
INFERRED_KEY = "inferred:"  # index meta key prefix: which of a document's fields were inferred, not catalogued
# A folder's own notes ("README.md", "SOURCES.md"): about the evidence, not evidence. In a folder given to ingest they
# are left out, unless the catalogue lists them. (A licence is not among them: an NHS provider's licence is evidence.)
FOLDER_NOTES = frozenset({"readme", "sources", "changelog", "contributing"})


class CatalogError(AssistantError):
    """The catalogue file cannot be read."""


@dataclass(frozen=True)
class Catalog:
    """Entries keyed by path relative to the catalogue's folder, plus file names to leave out."""

    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    path: Path | None = None

    def entry(self, relpath: str) -> dict[str, str] | None:
        return self.entries.get(relpath)


def is_folder_note(name: str) -> bool:
    """A folder's notes by its file name ("README.md", "SOURCES.txt", "CHANGELOG"), or the catalogue itself."""
    return name == CATALOG_NAME or name.split(".", 1)[0].lower() in FOLDER_NOTES


def load_catalog(folder: Path) -> Catalog:
    """Read folder/catalog.yaml if present; an invalid file is an error (nothing is ingested from it)."""
    import yaml

    path = folder / CATALOG_NAME
    if not path.is_file():
        return Catalog()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise CatalogError(f"{path}: not valid YAML{line}; fix it (see corpus/README.md) and run again.") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents", {}), dict):
        raise CatalogError(f"{path}: expected a mapping with a 'documents:' mapping of file name -> fields; see corpus/README.md.")
    entries: dict[str, dict[str, str]] = {}
    for name, fields in (data.get("documents") or {}).items():
        if not isinstance(fields, dict):
            raise CatalogError(f"{path}: entry {name!r} must be a mapping of fields ({', '.join(FIELDS)}).")
        unknown = set(fields) - set(FIELDS) - {"date_note"}
        if unknown:
            raise CatalogError(f"{path}: entry {name!r} has unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(FIELDS)}, date_note.")
        entries[str(name)] = {k: "" if v is None else str(v) for k, v in fields.items()}
    ignore = frozenset(str(x) for x in (data.get("ignore") or [])) | {CATALOG_NAME}
    return Catalog(entries=entries, ignore=ignore, path=path)


def render_draft(found: Mapping[str, Inferred], folder: Path) -> str:
    """Draft entries in catalog.yaml's format, each under a comment saying where its values came from."""
    import yaml

    from ingest.infer import FIELDS as INFERRED_FIELDS
    from ingest.infer import describe

    lines = [
        f"# Draft catalogue for {folder}: what each document says about itself, inferred by `ingest catalog --draft`.",
        "# Check every value against the document and correct it, then merge the entries into catalog.yaml",
        "# (format: corpus/README.md). Dates are ISO: YYYY, YYYY-MM or YYYY-MM-DD; an empty field was not found.",
    ]
    if not found:
        return "\n".join([*lines, "# Every readable file in the folder already has a catalogue entry.", "documents: {}", ""])
    lines.append("documents:")
    for rel in sorted(found):
        inferred = found[rel]
        fields = {f: getattr(inferred, f) for f in INFERRED_FIELDS}
        if why := describe(inferred):
            lines.append(f"  # {why}")
        body = yaml.safe_dump({rel: fields}, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
        lines += [f"  {line}" for line in body.splitlines()]
        lines.append("")
    return "\n".join(lines)


def draft_catalog(folder: Path, settings: Settings) -> tuple[dict[str, Inferred], list[str]]:
    """What every file in `folder` without a catalogue entry says about itself (load, clean, infer: no model, no
    index), and one line for each file that could not be read."""
    from ingest.clean import clean
    from ingest.infer import infer_file, resolve_publishers
    from ingest.load import load
    from ingest.pipeline import IngestReport, discover

    report = IngestReport()
    sources, _ = discover([folder], report)
    problems = [r.message for r in report.results]
    found: dict[str, Inferred] = {}
    known: list[str] = []
    for src in sources:
        if entry := src.catalog.entry(src.rel):
            known.append(entry.get("publisher", ""))
            continue
        try:
            loaded = load(src.path, max_bytes=settings.max_file_bytes)
        except UnsupportedFile:
            continue
        except LoadError as exc:
            problems.append(str(exc))
            continue
        found[src.rel] = infer_file(src.path, loaded.meta, clean(loaded.text, loaded.caption, loaded.not_printed).text)
    return resolve_publishers(found, known), problems


def save_inferred(docs: DocStore, info: DocumentInfo, fields: Sequence[str]) -> None:
    """Record which fields of this version of a document were inferred rather than catalogued (keyed by its content
    hash, so a crash before the document itself is swapped in leaves no wrong marks)."""
    docs.set_meta(INFERRED_KEY + info.doc_id, json.dumps({"hash": info.content_hash, "fields": list(fields)}) if fields else "")


def forget_inferred(docs: DocStore, doc_id: str) -> None:
    """A removed document keeps no record."""
    docs.set_meta(INFERRED_KEY + doc_id, "")


def inferred_fields(docs: DocStore, info: DocumentInfo) -> tuple[str, ...]:
    """The fields of a stored document that were inferred from it rather than given by the catalogue."""
    raw = docs.get_meta(INFERRED_KEY + info.doc_id)
    record = json.loads(raw) if raw else {}
    return tuple(record.get("fields", ())) if record.get("hash") == info.content_hash else ()
