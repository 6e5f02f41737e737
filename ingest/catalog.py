"""The corpus catalogue: `catalog.yaml` beside the documents gives each file its title, publisher, date, kind, url."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import AssistantError

CATALOG_NAME = "catalog.yaml"
FIELDS = ("title", "publisher", "date", "kind", "url", "description")


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
