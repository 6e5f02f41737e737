"""Pure helpers for the chat app: safe rendering of untrusted text, highlighting, Markdown export.

Nothing here needs a running Streamlit app, so all of it is tested directly. Document text is
untrusted (a file can contain HTML, script, or Markdown that would fetch a remote image), so:

* text that goes through ``st.markdown`` is passed through :func:`escape_markdown` first;
* HTML built here (the highlighted passage) escapes every piece of document text with
  ``html.escape`` and only then wraps the cited span in ``<mark>``; it is shown with ``st.html``,
  which does no Markdown processing and runs no script.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.types import Answer, Citation, DocumentInfo, Filters

CONTEXT_CHARS = 600  # characters shown before and after a cited span
_MD_SPECIAL = frozenset(string.punctuation)  # CommonMark lets any ASCII punctuation be backslash-escaped
_MARKER = re.compile(r"\s*\[(\d+)\]")
UNSUPPORTED_MARK = "⚠"
INFERRED_MARK = "*"  # a value inferred from the document, not given by the catalogue (as `ingest status` marks it)
INFERRED_NOTE = (
    f"{INFERRED_MARK} inferred from the document itself (no catalogue entry gave it): check it, and confirm it in "
    "catalog.yaml (`ingest catalog --draft FOLDER` drafts the entries)."
)

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Who are integrated care boards accountable to?",
    "What risks do trust leaders see in central targets?",
    "How should NHS England's oversight of ICSs change?",
    "What did ICB leaders say about their first months?",
)


# --- escaping ---------------------------------------------------------------------------------
def escape_markdown(text: str) -> str:
    """Make `text` render literally in st.markdown: every ASCII punctuation character is escaped.

    That turns ``![x](http://...)`` images, ``[x](javascript:...)`` links, ``<script>`` tags,
    emphasis, headings, lists, code spans, Streamlit's ``:color[...]`` directives and ``$`` maths
    into plain characters. Line breaks are kept as hard breaks so the text's lines survive.
    """
    out = []
    for ch in text:
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    return re.sub(r"\r?\n", "  \n", escaped)


def escape_markdown_keep_code(text: str) -> str:
    """Like escape_markdown, but `backticked` parts of our own messages (commands) stay code spans.

    A code span shows its content literally, so this is still inert; an unpaired backtick is escaped.
    """
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unpaired backtick: escape everything
        return escape_markdown(text)
    return "".join(escape_markdown(p) if i % 2 == 0 else f"`{p}`" if p else "" for i, p in enumerate(parts))


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


# --- citations and context --------------------------------------------------------------------
@dataclass(frozen=True)
class ContextWindow:
    """The text around a span: before + span + after, with flags for cut ends."""

    before: str
    span: str
    after: str
    cut_left: bool
    cut_right: bool


def context_window(text: str, start: int, end: int, radius: int = CONTEXT_CHARS) -> ContextWindow:
    """`radius` characters either side of text[start:end], widened to whole words where possible."""
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    left = max(0, start - radius)
    right = min(n, end + radius)
    if left > 0:  # start on a word boundary
        space = text.find(" ", left, start)
        if space != -1:
            left = space + 1
    if right < n:
        space = text.rfind(" ", end, right)
        if space != -1:
            right = space
    return ContextWindow(text[left:start], text[start:end], text[end:right], left > 0, right < n)


def highlight_html(text: str, start: int, end: int, radius: int | None = CONTEXT_CHARS, *, max_height: int = 0) -> str:
    """HTML for text[start:end] highlighted within its context (`radius` chars, or all text if None).

    Every piece of document text is html-escaped before the <mark> is added, so no markup in the
    document can become live.
    """
    if radius is None:
        win = context_window(text, start, end, radius=len(text))
    else:
        win = context_window(text, start, end, radius)
    parts = []
    if win.cut_left:
        parts.append('<span class="ctx-cut">…</span>')
    parts.append(escape_html(win.before))
    parts.append(f'<mark class="cited-span">{escape_html(win.span)}</mark>')
    parts.append(escape_html(win.after))
    if win.cut_right:
        parts.append('<span class="ctx-cut">…</span>')
    style = (
        "white-space: pre-wrap; font-size: 0.92rem; line-height: 1.5; padding: 0.6rem 0.8rem; "
        "border-left: 3px solid #c9a227; background: rgba(127,127,127,0.06); border-radius: 4px;"
    )
    if max_height:
        style += f" max-height: {int(max_height)}px; overflow-y: auto;"
    return f'<div class="cited-context" style="{style}">{"".join(parts)}</div>'


def mark_css() -> str:
    return '<style>mark.cited-span{background:#ffe58a;color:inherit;padding:0 2px;border-radius:2px;}</style>'


def citation_heading(c: Citation) -> str:
    """One plain-text line naming a citation: [n] title — publisher, date · p. N (a transcript's "at 00:41:07" or "Q112") · section."""
    who = ", ".join(x for x in (c.publisher, c.date) if x)
    bits = [f"[{c.n}] {c.title}" + (f" — {who}" if who else "")]
    if c.place:
        bits.append(c.place)
    if c.section:
        bits.append(_short(c.section, 70))
    return " · ".join(bits)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def marked(value: str, inferred: bool) -> str:
    """A metadata value as shown, with INFERRED_MARK after it when it was inferred (an empty value stays empty)."""
    return f"{value} {INFERRED_MARK}" if inferred and value else value


def document_fields(doc: DocumentInfo, inferred: Sequence[str] = ()) -> dict[str, str]:
    """Title, publisher, date and kind of a document as shown, each inferred one marked."""
    return {name: marked(getattr(doc, name), name in inferred) for name in ("title", "publisher", "date", "kind")}


def pdf_fragment(doc: DocumentInfo | None, page: int | None) -> str | None:
    """'file.pdf#page=N' when the original is a PDF that still exists, else None."""
    if not doc or not doc.path or not doc.path.lower().endswith(".pdf") or not Path(doc.path).is_file():
        return None
    name = Path(doc.path).name
    return f"{name}#page={page}" if page else name


def is_pdf(doc: DocumentInfo | None) -> bool:
    return bool(doc and doc.path and doc.path.lower().endswith(".pdf") and Path(doc.path).is_file())


# --- answers ----------------------------------------------------------------------------------
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")  # [n] after escape_markdown
_LEAD_IN = re.compile(r"^([^\n:]{2,90}\(\w{3,9}\.? \d{4}\)):[ \t]")  # "The King's Fund (Nov 2022): "


def strip_markers(text: str) -> str:
    """A sentence without its [n] markers."""
    return _MARKER.sub("", text).strip()


def _unsupported_spans(answer: Answer) -> list[tuple[int, int]] | None:
    """Where each unsupported sentence sits in answer.answer (with its markers); None if one can't be found."""
    spans, pos = [], 0
    for s in answer.sentences:
        body = strip_markers(s.text)
        at = answer.answer.find(body, pos) if body else -1
        if at == -1:
            if not s.supported:
                return None
            continue
        end = at + len(body)
        m = re.compile(r"(\s*\[\d+\])+").match(answer.answer, end)
        end = m.end() if m else end
        if not s.supported:
            spans.append((at, end))
        pos = end
    return spans


def _md_line(text: str) -> str:
    lead = _LEAD_IN.match(text)
    if lead:
        return f"**{escape_markdown(lead.group(1))}:** " + _md_line(text[lead.end():])
    return _ESCAPED_MARKER.sub(lambda m: f"**\\[{m.group(1)}\\]**", escape_markdown(text))


def answer_markdown(answer: Answer) -> tuple[str, bool]:
    """Safe Markdown for an answer with bold [n] markers; unsupported sentences get a ⚠ and a badge.

    Returns (markdown, whether some sentence is unsupported). The answer text (document sentences
    in extractive mode, model output in LLM mode) is escaped, so none of it can become markup.
    """
    unsupported = any(not s.supported for s in answer.sentences)
    spans = _unsupported_spans(answer) if unsupported else []
    if spans is None:  # sentences don't line up with the text: render sentence by sentence
        text = "\n".join(
            (f"{UNSUPPORTED_MARK} " if not s.supported else "") + strip_markers(s.text)
            + "".join(f" [{n}]" for n in s.citations) + ("\x00" if not s.supported else "")
            for s in answer.sentences
        )
    else:
        text, last = "", 0
        for a, b in spans:
            text += answer.answer[last:a] + f"{UNSUPPORTED_MARK} " + answer.answer[a:b] + "\x00"
            last = b
        text += answer.answer[last:]
    badge = " :orange-badge[not supported by the cited passage]"
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return "\n\n".join(_md_line(p).replace("\x00", badge) for p in paragraphs), unsupported


def answer_plain(answer: Answer) -> str:
    """The answer as plain text with [n] markers and ⚠ before unsupported sentences (feedback, export)."""
    spans = _unsupported_spans(answer) if any(not s.supported for s in answer.sentences) else []
    if spans is None:
        return "\n".join(
            (f"{UNSUPPORTED_MARK} " if not s.supported else "") + " ".join(strip_markers(s.text).split())
            + "".join(f" [{n}]" for n in s.citations)
            for s in answer.sentences
        )
    text, last = "", 0
    for a, _ in spans:
        text += answer.answer[last:a] + f"{UNSUPPORTED_MARK} "
        last = a
    return (text + answer.answer[last:]).strip()


# --- filters ----------------------------------------------------------------------------------
def build_filters(
    documents: Sequence[str] = (),
    publishers: Sequence[str] = (),
    kinds: Sequence[str] = (),
    since: str = "",
    until: str = "",
) -> Filters:
    return Filters(tuple(documents), tuple(publishers), tuple(kinds), since or "", until or "")


def years_of(docs: Sequence[DocumentInfo]) -> list[int]:
    years = sorted({int(d.date[:4]) for d in docs if d.date[:4].isdigit()})
    return list(range(years[0], years[-1] + 1)) if years else []


def describe_filters(f: Filters) -> str:
    if not f:
        return "all documents"
    bits = []
    if f.documents:
        bits.append("documents: " + "; ".join(f.documents))
    if f.publishers:
        bits.append("publishers: " + "; ".join(f.publishers))
    if f.kinds:
        bits.append("kinds: " + "; ".join(f.kinds))
    if f.since or f.until:
        bits.append(f"dated {f.since or '…'} to {f.until or '…'}")
    return ", ".join(bits)


# --- export -----------------------------------------------------------------------------------
def _quote_block(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip().splitlines()] or [""]
    return "\n".join(f"> {ln}" if ln else ">" for ln in lines)


def _source_line(c: Citation) -> str:
    bits = [f"**[{c.n}]** {c.title}"]
    if c.publisher:
        bits.append(f"— {c.publisher}")
    if c.date:
        bits.append(f"({c.date})")
    where = []
    if c.section:
        where.append(f"section “{_short(c.section, 120)}”")
    if c.place:
        where.append(c.place)
    where.append(f"{c.source}, characters {c.start}–{c.end}")
    return " ".join(bits) + ". " + "; ".join(where) + "."


def conversation_markdown(
    turns: Sequence[tuple[str, Answer, Filters | None]], *, title: str = "ICS accountability — evidence notes",
    now: datetime | None = None,
) -> str:
    """The conversation as Markdown: each question, its answer with [n] markers, and numbered sources with quotes."""
    when = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    out = [f"# {title}", "", f"_Exported {when}. Every claim is followed by [n]; the quotes below are verbatim._", ""]
    for i, (question, answer, filters) in enumerate(turns, 1):
        out += [f"## {i}. {question.strip()}", ""]
        if filters:
            out += [f"_Searched {describe_filters(filters)}._", ""]
        if answer.abstained:
            out += [f"**No answer in the documents.** {answer.answer.strip()}", ""]
            if answer.closest:
                out += ["Closest evidence (not an answer):", ""]
                for c in answer.closest:
                    out += [_source_line(c), "", _quote_block(c.shown), ""]
            continue
        out += [answer_plain(answer), ""]
        if any(not s.supported for s in answer.sentences):
            out += [f"_{UNSUPPORTED_MARK} marks a sentence that could not be matched to its cited passage; check it._", ""]
        if answer.citations:
            out += ["Sources:", ""]
            for c in answer.citations:
                out += [_source_line(c), "", _quote_block(c.shown), ""]
    return "\n".join(out).rstrip() + "\n"
