"""A .docx's list numbers as ingest reads them, against LibreOffice's (eval/README round twenty-six).

    .venv/bin/python -m eval.bench_numbering               # 200 documents, as .docx, .odt and .doc
    .venv/bin/python -m eval.bench_numbering --documents 50 --seed 7 --format odt

Word draws a list's numbers ("1.", "2.3", "(b)", "iv.") from counters it keeps while laying a document out; they are
in no paragraph's text. ingest.numbering keeps those counters. This writes random documents with python-docx: one to
three list definitions of one to three levels (figures, letters, roman numerals, bullets; level texts such as "%1.",
"(%2)", "%1.%2"; starts 0-3), further lists drawing on the same definitions (half of them restarting it), and 10-30
paragraphs, each plain or an item of a random list at a random level. LibreOffice (`soffice`, which no project step
installs) saves each as text, numbers included; each paragraph's label there is compared with ingest's. Word draws
a legal-style level (w:isLgl) in figures and LibreOffice 7.4 does not, so none is written. `odt`: LibreOffice saves
each document as an OpenDocument text first (its lists written as ODF lists: list styles, continued lists, restarts),
and that file is read by both; `doc`: as a Word 97-2003 document (its lists in the binary format's list tables).

Printed: documents, list paragraphs, and how many labels agree (a bullet is a bullet, whatever its glyph).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ("decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "bullet", "decimalZero")
BULLET_GLYPHS = ("•", "◦", "▪", "-")  # LibreOffice draws a bullet level's glyph; ingest writes "- "
LIBREOFFICE_SECONDS = 600  # one batch conversion
FILE_FORMATS = ("docx", "odt", "doc")


def add_list(document: Any, levels: Sequence[tuple[str, str, int]], legal_from: int | None = None,
             styles: dict[int, str] | None = None) -> tuple[int, int]:  # fmt: skip
    """A list definition (format, level text, start per level) in a python-docx document's numbering part, and a
    list drawing on it: (numId, abstractNumId)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    abstract_id = 100 + len(numbering.findall(qn("w:abstractNum")))
    xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        + (f'<w:pStyle w:val="{styles[i]}"/>' if styles and i in styles else "")
        + ("<w:isLgl/>" if legal_from is not None and i >= legal_from else "")
        + f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text, start) in enumerate(levels)
    )
    definition = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{xml}</w:abstractNum>')
    first = numbering.find(qn("w:num"))
    if first is None:
        numbering.append(definition)
    else:
        first.addprevious(definition)  # the schema puts every abstractNum before the nums
    return another_list(document, abstract_id), abstract_id


def another_list(document: Any, abstract_id: int, starts: dict[int, int] | None = None) -> int:
    """A further list drawing on a definition; `starts` restarts levels (w:startOverride, Word's "Restart at 1")."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    num_id = 200 + len(numbering.findall(qn("w:num")))
    overrides = "".join(f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{v}"/></w:lvlOverride>' for i, v in (starts or {}).items())
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))
    return num_id


def number(paragraph: Any, num_id: int, ilvl: int | None = 0) -> None:
    """Put a python-docx paragraph in a list, at a level (None: the level its style gives)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    level = "" if ilvl is None else f'<w:ilvl w:val="{ilvl}"/>'
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}>{level}<w:numId w:val="{num_id}"/></w:numPr>'))


def random_document(seed: int, path: Path) -> None:
    """One random document of lists (module docstring). Each paragraph ends in its own "item N" or "plain N"."""
    import docx

    rng = random.Random(seed)
    document = docx.Document()
    lists: list[tuple[int, int, int]] = []  # (numId, abstractNumId, levels)
    for _ in range(rng.randint(1, 3)):
        levels = []
        for i in range(rng.randint(1, 3)):
            fmt = rng.choice(FORMATS)
            text = "•" if fmt == "bullet" else rng.choice(["%{i}.", "%{i})", "(%{i})", "%1.%{i}" if i else "%1.", "%{i}"]).format(i=i + 1)
            levels.append((fmt, text, rng.randint(0 if fmt == "decimal" else 1, 3)))  # Word starts only figures at 0
        num_id, abstract_id = add_list(document, levels)
        lists.append((num_id, abstract_id, len(levels)))
    drawing = list(lists)
    for k in range(rng.randint(10, 30)):
        roll = rng.random()
        if roll < 0.15:
            document.add_paragraph(f"plain {k}")
        elif roll < 0.25:
            _, abstract_id, depth = rng.choice(lists)
            drawing.append((another_list(document, abstract_id, {0: rng.randint(1, 4)} if rng.random() < 0.5 else {}), abstract_id, depth))
        else:
            num_id, _, depth = rng.choice(drawing)
            number(document.add_paragraph(f"item {k}"), num_id, rng.randrange(depth))
    document.save(str(path))


def _labels(lines: Sequence[str]) -> dict[str, str]:
    """"item N" -> the label before it, from lines of text ("    2.1 item 7", "- item 8"); a bullet glyph is "-"."""
    out: dict[str, str] = {}
    for line in lines:
        said = line.strip().lstrip("\ufeff")
        head, _, tail = said.rpartition(" ")
        head, _, word = head.rpartition(" ")
        if word in ("item", "plain") and tail.isdigit():
            label = head.strip()
            out[f"{word} {tail}"] = "-" if label in BULLET_GLYPHS else label
    return out


def _convert(paths: Sequence[Path], to: str, folder: Path) -> None:
    """Save each file again with LibreOffice, in one run ("txt:Text", "odt"), into `folder`."""
    print(f"converting {len(paths)} files to {to} with LibreOffice ...", file=sys.stderr, flush=True)
    profile = (folder / "libreoffice-profile").as_uri()  # its own: another soffice running must not block it
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", to, "--outdir", str(folder),
                           *map(str, paths)], capture_output=True, text=True, timeout=LIBREOFFICE_SECONDS)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"soffice could not convert the documents: {' '.join((done.stderr or done.stdout).split())[:300]}")


def measure(documents: int, seed: int, fmt: str, folder: Path) -> tuple[int, int, list[str]]:
    """(list paragraphs, labels agreeing, the first disagreements) for the documents as .docx, or as the .odt or .doc
    LibreOffice saves them as."""
    from ingest.load import load

    paths = [folder / f"lists-{seed + i}.docx" for i in range(documents)]
    for i, path in enumerate(paths):
        random_document(seed + i, path)
    if fmt in ("odt", "doc"):
        _convert(paths, fmt, folder)
        paths = [path.with_suffix(f".{fmt}") for path in paths]
    _convert(paths, "txt:Text", folder)
    total = agree = 0
    wrong: list[str] = []
    for path in paths:
        theirs = _labels(path.with_suffix(".txt").read_text(encoding="utf-8-sig").splitlines())
        ours = _labels(load(path, max_bytes=10**8).text.split("\n\n"))
        for key, label in theirs.items():
            if not key.startswith("item"):
                continue
            total += 1
            if ours.get(key) == label:
                agree += 1
            elif len(wrong) < 10:
                wrong.append(f"{path.name} {key}: LibreOffice {label!r}, ingest {ours.get(key)!r}")
    return total, agree, wrong


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_numbering", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200, help="random documents to write (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="the first document's seed (default 0)")
    parser.add_argument("--format", action="append", choices=FILE_FORMATS, help="docx, or odt or doc: the .docx saved again by LibreOffice (default all three)")
    args = parser.parse_args(argv)
    if args.documents < 1:
        parser.error("--documents must be 1 or more")
    if not shutil.which("soffice"):
        parser.error("needs LibreOffice's soffice on the PATH (apt-get install libreoffice-writer-nogui)")
    for fmt in args.format or FILE_FORMATS:
        with tempfile.TemporaryDirectory() as tmp:
            total, agree, wrong = measure(args.documents, args.seed, fmt, Path(tmp))
        print(f"{fmt}: {args.documents} documents, {total} list paragraphs, {agree} labels as LibreOffice draws them ({agree / max(total, 1):.3f})")
        for line in wrong:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
