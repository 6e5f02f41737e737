"""Composing: the chosen sentences quoted as an extractive brief with [n] citations (grouped by publisher when
several), or the answer written by the optional LLM and each sentence verified against the passages it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.cite import CitationList, Sentence, header_row, page_of, split_marked_text, verify
from assistant.config import Settings
from assistant.index import Index
from assistant.llm import NO_ANSWER  # the module's top is light: its optional dependencies load when it generates
from assistant.retrieve import content_stems
from assistant.scoring import MAX_SENTENCES, Evidence
from assistant.sentences import SentenceBank
from assistant.types import AnswerSentence, Citation, DocumentInfo, Passage, as_fragment

CLOSEST_SHOWN = 3  # sentences offered as the closest evidence when declining
MAX_RUN = 3  # sentences a run adds after its sentence (the items a lead-in announces)
_ANNOUNCES = re.compile(r"(:|\b(the following|principles|as follows|include|including|these include))\W*$", re.IGNORECASE)
_CONTINUES = re.compile(
    r"^(this|these|they|it|its|such|that|those|as a result|in turn|therefore|thus|so|in particular)\b|\bas a result\b",
    re.IGNORECASE,
)
MAX_LIST_WALK = 8  # lines walked back from a list item to find the line introducing the list
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def with_context(chosen: Sequence[Evidence], bank: SentenceBank) -> list[tuple[Sentence, Passage]]:
    """Short runs: each chosen sentence with the line introducing it (if a list item) and what it announces or
    what continues it ("... virtual wards. Death rates fell by 42% as a result."); at most MAX_SENTENCES in all,
    the best sentence's run first."""
    out: list[tuple[Sentence, Passage]] = []
    have: set[Sentence] = set()

    def add(sentence: Sentence, passage: Passage) -> None:
        if sentence not in have and len(out) < MAX_SENTENCES:
            have.add(sentence)
            out.append((sentence, passage))

    for e in chosen:
        if len(out) >= MAX_SENTENCES:
            break
        doc_sentences = bank.sentences(e.passage.doc)
        i = bank.position(e.sentence, e.passage.doc)
        if e.sentence.item and (lead := _lead_in_before(doc_sentences, i)) is not None:
            add(lead, e.passage)
        if (header := header_row(doc_sentences, i)) is not None:
            add(doc_sentences[header], e.passage)
        add(e.sentence, e.passage)
        for follower in _run_after(doc_sentences, i):
            add(follower, e.passage)
    return out


def _lead_in_before(doc_sentences: Sequence[Sentence], i: int) -> Sentence | None:
    """The line introducing the list that sentence i is an item of ("Our survey found:")."""
    j = i - 1
    while j >= 0 and doc_sentences[j].item and doc_sentences[i].block - doc_sentences[j].block <= MAX_LIST_WALK:
        j -= 1  # walk back over sibling items
    return doc_sentences[j] if j >= 0 and doc_sentences[j].lead_in and not doc_sentences[i].lead_in else None


def _run_after(doc_sentences: Sequence[Sentence], i: int) -> list[Sentence]:
    """What sentence i announces (the items after a lead-in) or the next sentence when it continues this one."""
    s = doc_sentences[i]
    run: list[Sentence] = []
    if s.fragment or s.row:  # the next line is the other column's, or the table's next row
        return run
    j = i + 1
    announces = s.lead_in or bool(_ANNOUNCES.search(s.text))
    while j < len(doc_sentences) and len(run) < MAX_RUN:
        nxt = doc_sentences[j]
        if nxt.heading and not nxt.lead_in:
            break
        if announces and (nxt.lead_in or nxt.item) and nxt.block - s.block <= MAX_RUN + 1:
            run.append(nxt)
            announces = True
        elif not run and nxt.block == s.block and _CONTINUES.search(nxt.text):
            run.append(nxt)
            break
        else:
            break
        j += 1
    return run


def date_label(date: str) -> str:
    """"2023-01-09" -> "Jan 2023", "2022-10" -> "Oct 2022", "2020" -> "2020"."""
    parts = date.split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{_MONTH_ABBR[int(parts[1]) - 1]} {parts[0]}"
    return parts[0] if parts and parts[0] else ""


def source_label(doc: DocumentInfo) -> str:
    """"NHS Providers (Jan 2023)"."""
    when = date_label(doc.date)
    who = doc.publisher or doc.title
    return f"{who} ({when})" if when else who


@dataclass
class Draft:
    """A composed answer before timing: text, sentences, citations."""

    answer: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    abstained: bool = False
    closest: list[Citation] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)  # each decline check's finding (see declining.decline_checks)
    withheld: Draft | None = None  # when declining with explain on: the answer that would have been given
    doubt: tuple[float, ...] = ()  # declining.DOUBT_FEATURES of the question and its evidence


def with_caveat(draft: Draft, caveat: str) -> Draft:
    """The draft with `caveat` (declining.caveat) as its first sentence, citing nothing (an LLM's answer citing
    nothing too); the draft itself when there is no caveat, it declined, or it says nothing (an LLM's empty reply or
    its "The documents don't say.")."""
    if not caveat or draft.abstained or draft.answer.strip() in ("", NO_ANSWER):
        return draft
    draft.answer = f"{caveat}\n{draft.answer}"
    draft.sentences = [AnswerSentence(caveat, [], True), *draft.sentences]
    return draft


def _cite(citations: CitationList, index: Index, sentence: Sentence, passage: Passage) -> int:
    pages = index.docs.pages(sentence.doc_id) if passage.doc.has_pages else []
    locator = index.docs.locator_at(sentence.doc_id, sentence.start)  # a transcript's "at 00:41:07" or "Q112"
    return citations.add(
        passage.doc, sentence.start, sentence.end, sentence.text, passage.chunk.section, page_of(pages, sentence.start), locator,
        sentence.fragment,
    )  # fmt: skip


def compose_extractive(chosen: Sequence[tuple[Sentence, Passage]], index: Index) -> Draft:
    """Quote the sentences with [n] markers, grouped by document ("NHS Providers (Jan 2023): ...") when several."""
    by_doc: dict[str, list[Sentence]] = {}
    passage_of = {s: p for s, p in chosen}
    for s, _ in chosen:
        by_doc.setdefault(s.doc_id, []).append(s)
    grouped = len(by_doc) > 1
    citations = CitationList()
    answer_sentences: list[AnswerSentence] = []
    lines = []
    for group in by_doc.values():
        group.sort(key=lambda s: s.start)
        parts = []
        for s in group:
            passage = passage_of[s]
            n = _cite(citations, index, s, passage)
            answer_sentences.append(AnswerSentence(s.text, [n], True))
            parts.append(f"{as_fragment(s.text) if s.fragment else s.text if s.row else _as_sentence(s.text)} [{n}]")
        doc = passage_of[group[0]].doc
        lines.append((f"{source_label(doc)}: " if grouped else "") + " ".join(parts))
    return Draft("\n".join(lines), answer_sentences, citations.citations())


def _as_sentence(text: str) -> str:
    """A quoted line reads as a sentence in running text (bullets often lack the full stop)."""
    return text if re.search(r"[.!?:;]$", text) else text + "."


def closest_citations(evidence: Sequence[Evidence], index: Index) -> list[Citation]:
    """The best few sentences, as citations, offered when abstaining."""
    citations = CitationList()
    for e in evidence[:CLOSEST_SHOWN]:
        _cite(citations, index, e.sentence, e.passage)
    return citations.citations()


def compose_llm(
    question: str,
    passages: Sequence[Passage],
    settings: Settings,
    index: Index,
    bank: SentenceBank,
    similarity: Callable[[str, Sequence[str]], float],
    on_token: Callable[[str], None] | None = None,
) -> Draft:
    """Generate with assistant.llm, keep valid [n] markers, cite the best-matching sentence of each cited passage, verify."""
    from assistant import llm  # lazy: optional dependencies, and most runs are extractive

    text = llm.generate(question, list(passages), settings, on_token=on_token)
    citations = CitationList()
    out: list[AnswerSentence] = []
    rendered = []
    for sentence_text, numbers in split_marked_text(text, len(passages)):
        cited = [passages[n - 1] for n in numbers]
        spans = [_best_sentence(sentence_text, p, bank) for p in cited]
        support = verify(sentence_text, [s.text for s in spans] or [p.chunk.text for p in cited], similarity)
        ns = [_cite(citations, index, s, p) for s, p in zip(spans, cited, strict=True)]
        out.append(AnswerSentence(sentence_text, ns, support.supported))
        rendered.append(sentence_text + "".join(f" [{n}]" for n in ns))
    return Draft(" ".join(rendered), out, citations.citations())


def _best_sentence(text: str, passage: Passage, bank: SentenceBank) -> Sentence:
    """The sentence of the passage sharing most content words with the generated sentence."""
    wanted = content_stems(text)
    candidates = [s for s in bank.in_passage(passage) if not s.heading] or bank.in_passage(passage)
    if not candidates:
        chunk = passage.chunk
        return Sentence(chunk.doc_id, chunk.start, chunk.end, chunk.text, 0)
    return max(candidates, key=lambda s: len(wanted & content_stems(s.text)))
