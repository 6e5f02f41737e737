"""Sentences kept whole when a document arrives as a Word file, a slide deck, a web page or an email (eval/README rounds
23, 25 and 27).

    .venv/bin/python -m eval.bench_formats                    # both corpora, every format
    .venv/bin/python -m eval.bench_formats --format pptx --corpus FOLDER

The corpora reach the index as text and Markdown. Evidence also arrives as .docx, .pptx, .html, .eml and Outlook's
.msg (the document as an email's body, "eml" and "msg", or attached to one as a Word file, "eml-docx" and
"msg-docx"), and as the 97-2003 binary .doc
and .ppt (the .docx and .pptx saved again by LibreOffice, measured where `soffice` is on the PATH), read by loaders
nobody tuned on the corpora. This writes each document's stored text (ingest.load + ingest.clean, as indexed) in each
format with the library a publisher's tools would use (python-docx, python-pptx; HTML as a CMS writes it): headings
as headings (in a deck, each heading opens a slide titled with it), list items as bulleted paragraphs, table rows as a
table's rows, paragraphs as paragraphs. Each file is read back through load + clean, as ingest reads it, and cut into
units (assistant.cite.split_sentences).

Printed per corpus and format: the source's units that read as sentences (eval/readability.py's checks) and the share
of them found whole as a unit of the round-tripped text (whitespace aside). A loader that drops, glues or splits text
loses sentences, so the one share counts every kind of loss.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.bench_pdf_wrap import MAX_CHARS, blocks, kept  # noqa: E402
from eval.dataset import CORPUS_FOLDERS  # noqa: E402
from eval.readability import from_files  # noqa: E402

MAX_SLIDE_BLOCKS = 12  # a section longer than this goes on over more slides, its heading repeated, as decks do


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split(" | ")]


def _tables(text: str) -> Iterator[tuple[str, list[str]]]:
    """The blocks of a stored text with consecutive table rows gathered: (kind, [text]) where a "row" block holds every
    row of one table."""
    rows: list[str] = []
    for kind, words in blocks(text[:MAX_CHARS]):
        if kind == "row":
            rows.append(words)
            continue
        if rows:
            yield "row", rows
            rows = []
        yield kind, [words]
    if rows:
        yield "row", rows


def _table_size(rows: list[str]) -> tuple[int, int]:
    return len(rows), max(len(_cells(r)) for r in rows)


def write_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, lines in _tables(text):
        if kind == "heading":
            document.add_heading(lines[0], level=2)
        elif kind == "item":
            document.add_paragraph(lines[0], style="List Bullet")
        elif kind == "row":
            n, m = _table_size(lines)
            table = document.add_table(rows=n, cols=m)
            for i, row in enumerate(lines):
                for j, cell in enumerate(_cells(row)):
                    table.cell(i, j).text = cell
        else:
            document.add_paragraph(lines[0])
    document.save(path)


def write_pptx(text: str, path: Path) -> None:
    """A deck: each heading opens a slide titled with it; its paragraphs and items fill the body placeholder (items
    bulleted, paragraphs not), a table is a table shape below it."""
    from lxml import etree
    from pptx import Presentation
    from pptx.util import Emu, Inches

    deck = Presentation()
    slides: list[tuple[str, list[tuple[str, list[str]]]]] = [("", [])]
    for kind, lines in _tables(text):
        if kind == "heading":
            slides.append((lines[0], []))
        elif len(slides[-1][1]) >= MAX_SLIDE_BLOCKS:
            slides.append((slides[-1][0], [(kind, lines)]))
        else:
            slides[-1][1].append((kind, lines))
    for title, content in slides:
        if not title and not content:
            continue
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title or " "
        body = slide.placeholders[1]
        frame, first, top = body.text_frame, True, Emu(body.top + body.height)
        for kind, lines in content:
            if kind == "row":
                n, m = _table_size(lines)
                table = slide.shapes.add_table(n, m, Inches(0.5), top, Inches(9), Inches(0.3) * n).table
                top = Emu(top + Inches(0.3) * n)
                for i, row in enumerate(lines):
                    for j, cell in enumerate(_cells(row)):
                        table.cell(i, j).text = cell
                continue
            paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
            first = False
            paragraph.text = lines[0]
            if kind != "item":
                etree.SubElement(paragraph._p.get_or_add_pPr(), "{http://schemas.openxmlformats.org/drawingml/2006/main}buNone")
    deck.save(path)


def write_html(text: str, path: Path) -> None:
    """A page as a CMS writes one: the text in <main>, headings, paragraphs, lists and tables, a nav and footer."""
    parts = ["<html><head><title>Page</title></head><body><nav><a href='/'>Home</a></nav><main>"]
    for kind, lines in _tables(text):
        if kind == "heading":
            parts.append(f"<h2>{html.escape(lines[0])}</h2>")
        elif kind == "item":
            parts.append(f"<ul><li>{html.escape(lines[0])}</li></ul>")
        elif kind == "row":
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(r)) + "</tr>" for r in lines)
            parts.append(f"<table>{rows}</table>")
        else:
            parts.append(f"<p>{html.escape(lines[0])}</p>")
    parts.append("</main><footer>Contact us</footer></body></html>")
    path.write_text("".join(parts), encoding="utf-8")


def _email(body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jo Bloggs, Policy Team <jo.bloggs@example.org>"
    message["To"] = "Inquiry Clerk <clerk@example.org>"
    message["Subject"] = "RE: Written evidence"
    message["Date"] = "Tue, 04 Mar 2025 10:30:00 +0000"
    message.set_content(body)
    return message


def write_eml(text: str, path: Path) -> None:
    """An email whose body is the document, as a mail program sends one: a plain part and an HTML part (read first)
    holding the web page's headings, paragraphs, lists and tables."""
    page = path.with_suffix(".page")
    write_html(text, page)
    message = _email(text)
    message.add_alternative(page.read_text(encoding="utf-8"), subtype="html")
    path.write_bytes(bytes(message))


def write_eml_docx(text: str, path: Path) -> None:
    """A short covering email with the document attached as a Word file."""
    attached = path.with_suffix(".attached.docx")
    write_docx(text, attached)
    message = _email("Dear Clerk,\n\nPlease find our evidence attached.\n\nJo")
    kind = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
    message.add_attachment(attached.read_bytes(), maintype=kind[0], subtype=kind[1], filename="evidence.docx")
    path.write_bytes(bytes(message))


def _outlook(body: str) -> Any:
    """An Outlook message (aspose-email-foss, a dev dependency: a writer of Outlook's format that ingest does not
    read with), sent by a named person to two, as Outlook saves one."""
    from datetime import UTC, datetime

    from aspose.email_foss import msg

    message = msg.MapiMessage.create("Written evidence", body)
    message.set_property(msg.PropertyId.SENDER_NAME, "Jo Bloggs")
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, "jo@example.org")
    message.set_property(msg.PropertyId.MESSAGE_DELIVERY_TIME, datetime(2025, 3, 6, 10, 30, tzinfo=UTC))
    message.add_recipient("clerk@example.org", display_name="Committee Clerk")
    return message


def write_msg(text: str, path: Path) -> None:
    """An Outlook message whose body is the document: its plain text and its HTML (read first), as Outlook keeps an
    HTML message."""
    page = path.with_suffix(".page")
    write_html(text, page)
    message = _outlook(text)
    message.body_html = page.read_text(encoding="utf-8")
    path.write_bytes(message.to_bytes())


def write_msg_docx(text: str, path: Path) -> None:
    """A short covering Outlook message with the document attached as a Word file."""
    attached = path.with_suffix(".attached.docx")
    write_docx(text, attached)
    message = _outlook("Dear Clerk,\r\n\r\nPlease find our evidence attached.\r\n\r\nJo")
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    message.add_attachment("evidence.docx", attached.read_bytes(), mime_type=kind)
    path.write_bytes(message.to_bytes())


def via_libreoffice(write: Callable[[str, Path], None], source_suffix: str) -> Callable[[str, Path], None]:
    """A writer of an old binary format (.doc, .ppt): the new format's file, saved again by LibreOffice's "MS Word 97"
    or "MS PowerPoint 97" filter (`soffice`, which no project step installs: these formats are measured where it is)."""

    def writer(text: str, path: Path) -> None:
        source = path.with_name(f"{path.stem}-source{source_suffix}")
        write(text, source)
        profile = (path.parent / "libreoffice-profile").as_uri()  # its own: another soffice running must not block it
        done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", path.suffix.lstrip("."),
                               str(source), "--outdir", str(path.parent)], capture_output=True, text=True, timeout=LIBREOFFICE_SECONDS)  # fmt: skip
        if done.returncode or not path.with_name(f"{source.stem}{path.suffix}").exists():
            raise SystemExit(f"soffice could not convert {source.name}: {' '.join((done.stderr or done.stdout).split())[:300]}")
        path.with_name(f"{source.stem}{path.suffix}").rename(path)

    return writer


LIBREOFFICE_SECONDS = 300  # one conversion; LibreOffice's first start on a machine takes the longest
WRITERS: dict[str, Callable[[str, Path], None]] = {
    "docx": write_docx, "pptx": write_pptx, "html": write_html, "eml": write_eml, "eml-docx": write_eml_docx,
    "msg": write_msg, "msg-docx": write_msg_docx, "doc": via_libreoffice(write_docx, ".docx"), "ppt": via_libreoffice(write_pptx, ".pptx"),
}  # fmt: skip
SUFFIX = {"eml-docx": "eml", "msg-docx": "msg"}  # a writer's file type, where it is not the writer's name
NEEDS_LIBREOFFICE = ("doc", "ppt")


def measure(corpora: Sequence[Path], formats: Sequence[str], folder: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(corpus, format) -> (sentences of the source, how many are units of the round-tripped text)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for corpus in corpora:
        documents = [(name, text) for name, kind, text, _ in from_files([corpus]) if "transcript" not in kind]
        for fmt in formats:
            total = found = 0
            for i, (_name, text) in enumerate(documents):
                path = folder / f"{corpus.name}-{i}.{SUFFIX.get(fmt, fmt)}"
                WRITERS[fmt](text, path)
                n, k = kept(text, path)
                total, found = total + n, found + k
            out[(corpus.name, fmt)] = (total, found)
            print(f"  {corpus.name} {fmt}: {found} of {total}", file=sys.stderr, flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_formats", description=__doc__.splitlines()[0])
    parser.add_argument("--format", action="append", choices=sorted(WRITERS), help="one format (repeatable; default all)")
    parser.add_argument("--corpus", type=Path, action="append", help="a folder of documents instead of both corpora (repeatable)")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPUS_FOLDERS.values())
    formats = args.format or [f for f in WRITERS if f not in NEEDS_LIBREOFFICE or shutil.which("soffice")]
    if missing := [f for f in formats if f in NEEDS_LIBREOFFICE and not shutil.which("soffice")]:
        parser.error(f"{', '.join(missing)} need LibreOffice's soffice on the PATH (apt-get install libreoffice-writer-nogui libreoffice-impress-nogui)")
    print(f"source sentences found whole after a round trip through each format (first {MAX_CHARS:,} characters of each document)")
    print("| format | " + " | ".join(c.name for c in corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(corpora, formats, Path(tmp))
    for fmt in formats:
        cells = []
        for corpus in corpora:
            n, k = result[(corpus.name, fmt)]
            cells.append(f"{k / n:.3f} ({k} of {n})" if n else "-")
        print(f"| {fmt} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
