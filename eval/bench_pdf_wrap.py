"""Sentences kept whole when a document arrives as a PDF whose lines the typesetter wrapped (eval/README round 22).

    .venv/bin/python eval/bench_pdf_wrap.py                       # both corpora: no line joined before a capital, and
                                                                  # the shipped WRAPPED_LINE_SHARE
    .venv/bin/python eval/bench_pdf_wrap.py --sweep               # ... and the share of units kept at other values

The corpora reach the index as text (the seeds) and as Markdown converted from PDFs (the dev corpus), their paragraphs
already one line each. A PDF read by pypdf gives every line the typesetter wrapped as a line of its own, and a line
break ends a unit: cleaning joins a line to the next where the next starts in lower case, which leaves every sentence
wrapped before "NHS England", "Programme" or a figure cut in two. This measures that on text nobody wrote for it:
each document's cleaned text (ingest.load + ingest.clean, as indexed) is typeset into a one-column A4 PDF with
fpdf2 (DejaVu Sans when the machine has it, so every character survives; headings in bold, close above their text,
list items after a bullet, table rows a line each, so pypdf writes a blank line only between paragraphs), read back
through load + clean, and cut into units (assistant.cite.split_sentences).

Printed per corpus, for each value (none: the rule off): the source's units that read as sentences (eval/readability.py's checks) and the share of them
found whole, as a unit of the PDF's text (whitespace aside). A join that glues a heading or a table row to a sentence
loses that sentence too, so the one share counts both kinds of error.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cite import split_sentences  # noqa: E402
from eval.dataset import CORPUS_FOLDERS  # noqa: E402
from eval.readability import from_files, reasons  # noqa: E402
from ingest import clean as cleaning  # noqa: E402
from ingest.load import load  # noqa: E402

FONTS = Path("/usr/share/fonts/truetype/dejavu")
MAX_CHARS = 60_000  # of each document's text typeset: the long annual reports take minutes otherwise
SWEEP = (None, 0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)  # None: no line joined before a capital
_LATIN1 = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-", "\u00a0": " "})


def blocks(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each block of a stored text: "heading", "item", "row" (a table's row) or "para"."""
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            yield "heading", lines[0].lstrip("#").strip()
            lines = lines[1:]
        for line in lines:
            if " | " in line:
                yield "row", line
            elif re.match(r"[-*•]\s", line):
                yield "item", line[2:].strip()
            else:
                yield "para", line


def typeset(text: str, path: Path) -> None:
    """A one-column A4 PDF of the stored text, its lines wrapped by fpdf2."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    unicode = (FONTS / "DejaVuSans.ttf").exists()
    if unicode:
        pdf.add_font("body", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    family = "body" if unicode else "Helvetica"
    pdf.add_page()
    for kind, words in blocks(text[:MAX_CHARS]):
        if not unicode:
            words = words.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")
        pdf.set_font(family, "B" if kind == "heading" else "", 12 if kind == "heading" else 10)
        if kind == "item":
            words = ("• " if unicode else "- ") + words
        elif kind == "row":  # a table's cells as a PDF shows them: spaced apart on the line, no rule between
            words = "   ".join(cell.strip() for cell in words.split(" | "))
        pdf.multi_cell(0, 5, words)
        pdf.ln(1 if kind in ("heading", "row", "item") else 3)  # a heading close above its text: no blank line between
    pdf.output(str(path))


def _norm(text: str) -> str:
    return " ".join(text.replace("•", " ").split())


def kept(source: str, path: Path) -> tuple[int, int]:
    """(sentences of the source, how many of them are units of the PDF's cleaned text)."""
    wanted = {_norm(s.text) for s in split_sentences("s", source[:MAX_CHARS]) if not reasons(s.text)}
    loaded = load(path, max_bytes=100_000_000)
    got = {_norm(s.text) for s in split_sentences("p", cleaning.clean(loaded.text, loaded.caption, loaded.not_printed).text)}  # as ingest cleans it
    return len(wanted), len(wanted & got)


def measure(corpora: Sequence[Path], share: float | None, pdfs: Path) -> dict[str, tuple[int, int]]:
    """Per corpus folder: (sentences, kept) with cleaning's WRAPPED_LINE_SHARE set to `share`; each document's PDF
    is typeset into the folder `pdfs` once (the text typeset is cleaned with the shipped value)."""
    shipped = cleaning.WRAPPED_LINE_SHARE
    out = {}
    for folder in corpora:
        total = found = 0
        for i, (_name, kind, text, _counts) in enumerate(from_files([folder])):
            if "transcript" in kind:
                continue
            pdf = pdfs / f"{folder.name}-{i}.pdf"
            if not pdf.exists():
                typeset(text, pdf)
            cleaning.WRAPPED_LINE_SHARE = share
            try:
                n, k = kept(text, pdf)
            finally:
                cleaning.WRAPPED_LINE_SHARE = shipped
            total, found = total + n, found + k
        out[folder.name] = (total, found)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help=f"also at WRAPPED_LINE_SHARE in {SWEEP}")
    parser.add_argument("--corpus", type=Path, action="append", help="a folder of documents instead of both corpora (repeatable)")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPUS_FOLDERS.values())
    values = SWEEP if args.sweep else (None, cleaning.WRAPPED_LINE_SHARE)
    print(f"source sentences found whole after a PDF round trip (first {MAX_CHARS:,} characters of each document)")
    print("| WRAPPED_LINE_SHARE | " + " | ".join(c.name for c in corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    with tempfile.TemporaryDirectory() as tmp:
        for share in values:
            result = measure(corpora, share, Path(tmp))
            cells = [f"{k / n:.3f} ({k} of {n})" if n else "-" for n, k in result.values()]
            shipped = " (shipped)" if share == cleaning.WRAPPED_LINE_SHARE else ""
            print(f"| {share if share is not None else 'none'}{shipped} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
