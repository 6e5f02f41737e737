"""Declining: each reason not to answer, checked on every question, and the message that says why.

An answer is only given when the evidence can answer: the question's named things are in some document
(uncovered), a figure question naming one publisher has a figure from it or from a passage naming it
(other_source), and the best sentence is near the question at all (weak). A how-many or when question whose
figures are about something else (no_figure) is answered, after a sentence saying so (CAVEATS, caveat): as a
decline it lost more answerable questions than it caught decoys on a fresh held-out set. decline_checks gives
every check's finding, so eval can measure what
each one earns; a check that does not pay on the corpus it was not written for is deleted (eval/README.md,
"Declining"): "unattributed", "silent" and "unheard" (what a named publisher's passages say) and "no_name" went
that way. A learned DeclineModel over DOUBT_FEATURES (the checks' findings among them) decides instead where
one is stored (eval/train_decline.py); none is shipped, as no fit has yet beaten the checks across corpora.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.cite import Sentence, figure_core, figures, quantity_spans
from assistant.fitted import Kind, named_fit, positive, read_fit
from assistant.glossary import INITIALS, NAME_CONNECTORS, Glossary, abbreviates, normalise
from assistant.question import SHARE_TOO, Question, possessive_stripped, term_figures, wants_money
from assistant.retrieve import Retriever, content_terms, lexical_terms, stem, words
from assistant.scoring import YEAR, Evidence, answers_numeric
from assistant.sentences import SentenceBank
from assistant.spoken import names_as_asked, spoken_names
from assistant.types import DocumentInfo, Passage
from ingest.transcript import KIND as TRANSCRIPT

ELSEWHERE_DEPTH = 10  # passages searched (BM25) for a term the retrieved ones lack: found there, it is no reason to decline
MIN_BEST_SEMANTIC = 0.3  # best sentence this far from the question: the documents don't address it
MIN_BEST_LEXICAL = 0.25
FIGURE_RELATIVE = 0.7  # a figure answering a how-many question must come from a sentence this close to the best
MIN_FIGURE_LEXICAL = 0.2  # ... and sharing this (IDF-weighted) share of the question's words
_OF_THEM = re.compile(r"\s+of\s+(?:them|these|those)\b", re.IGNORECASE)  # "There are 42 of them": counts what came before
# a proportion, as a what-percentage question wants: "63%", "14 per cent", "8 out of 10", "three quarters", "more than half"
_PROPORTION = re.compile(
    r"%|\bper ?cent\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out of)\s+(?:\d+|ten|every)\b"
    r"|\b(?:half|thirds?|quarters?|fifths?|majority|minority)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"£\s?\d|\d\s?(bn|billion|m|million)\b", re.IGNORECASE)
COUNTED_BEFORE, COUNTED_AFTER = 4, 6  # words either side of a figure that may name what it counts
MIN_FIGURE_COVERAGE = 0.5  # IDF-weighted share of the question's words a figure's sentence and its neighbours hold
_SOURCE_WORDS = re.compile(
    r"\b(evidence|submission|submitted|report|inquiry|review|paper|interviews?|told|survey|analysis|response)\b[^.?]{0,40}$",
    re.IGNORECASE,
)


def _counts_target(
    text_stems: frozenset[str], text: str, target: Sequence[str], given: frozenset[str] = frozenset(), context: frozenset[str] = frozenset()
) -> bool:
    """The sentence counts what is asked: a figure with a word of the target next to it ("1.2 million staff" counts
    staff, not trusts), or "42 of them" with the target in the neighbouring sentences (`context`); and a figure that
    answers (not a year, not "one ICB chair says", not one the question gives). Money questions want a £ amount."""
    if not target:
        return True
    if wants_money(target):  # the word "fund" is not an amount; "by 50%" is how much costs were cut
        return bool(_AMOUNT.search(text)) or (SHARE_TOO in target and bool(_PROPORTION.search(text)))
    wanted = set(target)
    named_here = bool(wanted & text_stems)  # the sentence itself names what is counted
    for start, end in quantity_spans(text):
        if not answers_numeric("count", text[start:end], given):
            continue
        near = words(text[:start])[-COUNTED_BEFORE:] + words(text[end:])[:COUNTED_AFTER]
        if named_here and any(stem(w) in wanted for w in near):
            return True
        if _OF_THEM.match(text[end:]) and any(t in context for t in target):
            return True
    return False


def _counts_in_column(row: str, header: str | None, target: Sequence[str], given: frozenset[str]) -> bool:
    """A table's row counts what is asked when a cell holding a figure that answers sits under a header cell naming
    it: "LYPFT | 8.2% | 312" under "Trust | Vacancy rate | Vacancies" gives a vacancy rate (cells "|" apart, an
    empty one keeping its column, as tables are stored). A money question is left to _counts_target: any £ amount."""
    if header is None or not target or wants_money(target):
        return False
    wanted = set(target)
    cells, names = row.strip().split("|"), header.strip().split("|")  # an empty first cell is stored as a leading "|"
    return any(wanted & {stem(w) for w in words(name)} and answers_numeric("count", cell, given) for cell, name in zip(cells, names, strict=False))


def coverage(weights: dict[str, float], have: frozenset[str]) -> float:
    """IDF-weighted share of the question's words present (1.0 when the question has none)."""
    total = math.fsum(weights.values())
    return math.fsum(v for w, v in weights.items() if w in have) / total if total else 1.0


def figure_sentences(
    question: Question,
    evidence: Sequence[Evidence],
    stems: Callable[[Sentence], frozenset[str]],
    *,
    context: Callable[[Evidence], frozenset[str]],
    header: Callable[[Evidence], str | None] = lambda _: None,
) -> list[Evidence]:
    """The strongly relevant sentences that carry a new figure about the thing a how-many/when question counts and
    which, with their neighbouring sentences (`context`) and their document's year, hold MIN_FIGURE_COVERAGE of the
    question's IDF-weighted words (its figure_weights). A what-percentage question wants a proportion ("63%",
    "8 out of 10", "more than half"), not any number. A table's row names what it counts in its `header` row."""
    kind, given, target = question.numeric, question.given, question.counted
    if kind not in ("count", "time") or not evidence:
        return []
    top = evidence[0].score
    return [
        e for e in evidence
        if e.score >= FIGURE_RELATIVE * top
        and e.lexical >= MIN_FIGURE_LEXICAL
        and answers_numeric(kind, e.sentence.text, given)
        and (not question.proportion or bool(_PROPORTION.search(e.sentence.text)))
        and (_counts_target(stems(e.sentence), e.sentence.text, target, given, context(e))
             or _counts_in_column(e.sentence.text, header(e), target, given))
        and coverage(question.figure_weights, context(e) | _publication_year(e.passage.doc)) >= MIN_FIGURE_COVERAGE
    ]  # fmt: skip


def lacks_figure(question: Question, evidence: Sequence[Evidence], figured: Sequence[Evidence]) -> bool:
    """A how-many/when question with evidence but none of it among its figure_sentences (`figured`): "When will the
    review publish its final report?" is not answered by the date the review's call for evidence was published.
    (Requiring every figure to come from a source the question names cost more answerable questions than decoys on
    both corpora and was dropped in round three; other_source, a figure only from publishers other than the one
    named, is the narrower check that pays.)"""
    return question.numeric in ("count", "time") and bool(evidence) and not figured


def _publication_year(doc: DocumentInfo) -> frozenset[str]:
    """A document's year, which a question may give to say which document it means ("... set out in 2020")."""
    return frozenset([doc.date[:4]]) if doc.date and YEAR.fullmatch(doc.date[:4]) else frozenset()


def uncovered_terms(question: Question, passages: Sequence[Passage], glossary: Glossary) -> list[str]:
    """Specific terms of the question that none of the retrieved passages (text or document details) mentions."""
    owned = as_written([(p.chunk.text, p.doc) for p in passages], question.text)
    texts = [text for text, _ in owned]
    meta = [_details(p.doc) for p in passages]
    years = {p.doc.date[:4] for p in passages if p.doc.date}
    available_figures = {figure_core(f) for t in texts for f in figures(t)} | years
    missing = []
    for term in question.specific:
        if term_figures(term) and all(not term.strip("£%") or figure_core(f) in available_figures for f in term_figures(term)):
            continue
        if term_figures(term):
            missing.append(term)
            continue
        parts = [part for part in _JOINED_NAMES.split(term) if part.strip()]  # "LTHT and LYPFT": two names, two checks
        if all(_named_term_covered(part, texts + meta, glossary) for part in parts) or _describes_source(question.text, term, passages):
            continue
        if owned_term_covered(term, owned, glossary):
            continue
        missing.append(term)
    return missing


def as_written(passages: Sequence[tuple[str, DocumentInfo]], question: str) -> list[tuple[str, DocumentInfo]]:
    """The passages' texts, a transcript's with the question's names written as the question writes them. Speech
    recognition writes initials in lower case ("the cqc", "lch"), and an acronym is otherwise matched in capitals only
    ("NICE" is not "nice"); it hears a place or a person's name as a word that sounds alike ("leads home share" for
    Leeds Home Share; spoken.sounds_like) or as two ("harrow gate"). Written documents are as they are."""
    if not any(doc.kind == TRANSCRIPT for _, doc in passages):  # most pools: nothing to read, nothing worked out
        return list(passages)
    initials = sorted(set(INITIALS.findall(question)), key=len, reverse=True)
    names = spoken_names(question)
    if not initials and not names:
        return list(passages)
    rx = re.compile(rf"\b({'|'.join(map(re.escape, initials))})(?=s?\b)", re.IGNORECASE) if initials else None

    def written(text: str) -> str:
        return names_as_asked(rx.sub(lambda m: m.group(1).upper(), text) if rx else text, names)

    return [(written(text) if doc.kind == TRANSCRIPT else text, doc) for text, doc in passages]


_JOINED_NAMES = re.compile(r"\s+(?:and|&)\s+")
_OWNED = re.compile(r"^(?P<owner>[^'’]+?)['’]s?\s+(?P<thing>\S.*)$")  # "LYPFT's Lead Governor", "the trusts' boards"
_OWNED_AFTER = re.compile(r"^(?P<thing>\S.*?)\s+(?:for|of)\s+(?P<owner>[A-Z]{3,})$")  # "Head of Internal Audit Opinion for LCH"


def _details(doc: DocumentInfo) -> str:
    """What a document says of itself: title, publisher, kind and file name."""
    return f"{doc.title} {doc.publisher} {doc.kind} {Path(doc.source).stem}"


def owned_term_covered(term: str, passages: Sequence[tuple[str, DocumentInfo]], glossary: Glossary) -> bool:
    """An owned name, "X's Y" (or "Y for X", X in initials), is covered by a passage that mentions Y in a document of
    X: X is in the passage or the document's details, or X is an acronym of its publisher's or title's words ("LCH":
    Leeds Community Healthcare NHS Trust). A trust's annual report calls the trust "the Trust": the passage on its
    Lead Governor need not say "LYPFT". Another body's Y does not count."""
    owned = _OWNED.match(term) or _OWNED_AFTER.match(term)
    if not owned:
        return False
    owner, thing = owned["owner"].strip(), owned["thing"]
    for text, doc in passages:
        if not _named_term_covered(thing, [text], glossary):
            continue
        if _named_term_covered(owner, [text, _details(doc)], glossary) or any(abbreviates(owner, n) for n in (doc.publisher, doc.title)):
            return True
    return False


def _is_publisher(name: str, publishers: Sequence[str]) -> bool:
    """The organisation is one of the publishers ("the King's Fund" in "The King's Fund")."""
    return name in publishers or any(normalise(name).removeprefix("the ") in normalise(p) for p in publishers)


def unmentioned_bodies(question: str, publishers: Sequence[str], passages: Sequence[Passage], glossary: Glossary) -> list[str]:
    """Organisations the question names, other than the publishers, that no retrieved passage mentions by any of
    their names ("What did ICS leaders say about Healthwatch's role?" when no passage mentions Healthwatch); each as
    the question writes it."""
    texts = [f"{p.chunk.section} {p.chunk.text} {p.doc.title}" for p in passages]
    out = []
    for name, start, end in glossary.organisation_spans(question):
        if _is_publisher(name, publishers):
            continue
        written = question[start:end]
        if _describes_source(question, written, passages):  # "evidence to the Health and Social Care Committee": where it was said
            continue
        if not any(_named_term_covered(n, texts, glossary) for n in (name, *glossary.organisations.get(name, []))):
            out.append(possessive_stripped(written))
    return list(dict.fromkeys(out))


def found_in(terms: Sequence[str], texts: Sequence[str], glossary: Glossary) -> list[str]:
    """The terms some text mentions (figures written as they are, names as _named_term_covered finds them)."""
    return [
        t for t in terms
        if (any(t in text for text in texts) if term_figures(t) else _named_term_covered(t, texts, glossary))
    ]


def _named_term_covered(term: str, texts: Sequence[str], glossary: Glossary) -> bool:
    """All significant words of the term (or of an acronym form of it) appear in one text."""
    variants = [term] + [e for a in glossary.acronyms_in(term) for e in [a, *glossary.acronyms[a]]]
    have = [_name_stems(t) for t in texts]
    sequences: dict[int, list[str]] = {}

    def sequence(i: int, text: str) -> list[str]:  # a text's word order, worked out once, only when a run needs it
        if i not in sequences:
            sequences[i] = _name_sequence(text)
        return sequences[i]

    for variant in variants:
        if variant.isupper() and variant.isalpha():  # an acronym is written in capitals: "NICE" is not "nice"
            if any(re.search(rf"\b{re.escape(variant)}s?\b", t) for t in texts):
                return True
            continue
        wanted = _name_stems(variant) - {stem(w) for w in NAME_CONNECTORS}
        if not wanted:
            continue
        # a name of several words must be written as one ("Better Care Fund", not "better ... care ... fund"); an owner
        # may stand apart ("Lincolnshire's Connected Health Network": "In Lincolnshire ICS ... the Connected Health
        # Network"), and so may names joined by "and" ("Surrey Heartlands and Birmingham and Solihull")
        runs = [r for r in (_name_sequence(part) for part in _NAME_PARTS.split(variant)) if len(r) >= 2]
        for i, (t, h) in enumerate(zip(texts, have, strict=True)):
            if wanted <= h and (not runs or all(_holds_run(sequence(i, t), r) for r in runs)):
                return True
    return False


_NAME_PARTS = re.compile(r"['’]s?\s|\s(?:and|&)\s")  # where a run of capitalised words may join two names


def _name_words(text: str) -> list[str]:
    """A text's words, letters and digits apart ("Core20" and "Core 20" name the same thing), a word hyphenated
    between letters written as one ("Community Wellbeing Hub" is the "Community well-being Hub")."""
    return words(_LETTER_DIGIT.sub(" ", _HYPHENATED.sub("", text)))


def _name_sequence(text: str) -> list[str]:
    """The stems of a text's words in order, connectors ("and", "of") left out."""
    return [stem(w) for w in _name_words(text) if w.lower() not in NAME_CONNECTORS]


def _holds_run(seq: list[str], run: list[str]) -> bool:
    """`run` occurs in `seq` as consecutive items."""
    n = len(run)
    return any(seq[i : i + n] == run for i in range(len(seq) - n + 1))


_HYPHENATED = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


@functools.lru_cache(maxsize=4096)
def _name_stems(text: str) -> frozenset[str]:
    """Stems of a text's words (connectors included); a passage's are worked out once for every term looked for in it."""
    return frozenset(stem(w) for w in _name_words(text))


def _describes_source(question: str, term: str, passages: Sequence[Passage]) -> bool:
    """The term names where evidence was given, before it ("written evidence to the X Committee") or as the word
    before the source noun ("the Confed's PAC evidence"), and a cited document is such evidence."""
    at = question.find(term)
    if at < 0:
        return False
    context = _SOURCE_WORDS.search(question[:at]) or _SOURCE_AFTER.match(question[at + len(term) :])
    if not context:
        return False
    word = context.group(1).lower()[:6]
    return any(word in f"{p.doc.title} {p.doc.kind}".lower() for p in passages)


_SOURCE_AFTER = re.compile(r"['’]?s?\s+(evidence|submission|report|paper|response)\b", re.IGNORECASE)


def _quoted(terms: Sequence[str]) -> str:
    return ", ".join(f"“{t}”" for t in terms)


def abstention_reasons(uncovered: Sequence[str]) -> list[str]:
    """The plain sentence naming what no document covers, each term once (none when nothing is uncovered)."""
    new = list(dict.fromkeys(uncovered))
    return [f"Nothing in them covers {_quoted(new)}."] if new else []


# Checks whose finding qualifies an answer instead of declining it. no_figure declined, until round eighteen, 23 of
# the 220 answerable questions of a fresh held-out set (devcorpus-heldout2) to catch 4 of its 20 decoys: its
# answer is now given, after a sentence saying that no passage was found that clearly gives the figure (eval/README.md).
CAVEATS = frozenset({"no_figure"})


def declines(checks: dict[str, Any]) -> bool:
    """Some check that declines (not one of CAVEATS) found a reason to."""
    return any(found for name, found in checks.items() if name not in CAVEATS)


def caveat(question: Question, found: dict[str, Any]) -> str:
    """The sentence put before an answer that a CAVEATS check qualifies ("" when none found a reason)."""
    return f"No passage was found that clearly gives that {_wanted(question)}; the closest passages say:" if found.get("no_figure") else ""


def _wanted(question: Question) -> str:
    """What a how-many or when question asks for, in a word: a date, a share or a figure."""
    return "date" if question.numeric == "time" else "share" if question.proportion else "figure"


def decline_reasons(question: Question, found: dict[str, Any]) -> list[str]:
    """Why the answer declines, in plain words, from the checks' findings (decline_checks): what no document covers;
    whose figures were found instead of the publisher asked; that no passage gives the figure or date asked; that
    nothing comes close to the question."""
    reasons = abstention_reasons(found.get("uncovered") or [])
    if found.get("other_source"):
        named = question.query.publishers[0]
        reasons.append(f"The figures found are not {named}{'’' if named.endswith('s') else '’s'}: they come from other publishers' documents.")
    if found.get("weak") and not reasons:
        reasons.append("Nothing in them comes close to the question.")
    if found.get("no_figure") and not reasons:  # said only when a decline model declined: no_figure itself does not
        reasons.append(f"No passage about it gives that {_wanted(question)}.")
    return reasons


def abstention_message(question: str, missing: Sequence[str] = (), reasons: Sequence[str] = ()) -> str:
    """"The documents don't say what X was." — the question turned into a plain statement of absence, then why:
    the `reasons` sentences, or (given only the `missing` terms) "Nothing in them covers ..."."""
    q = question.strip().rstrip("?").strip()
    m = re.match(r"(?i)^(what|who|which|when|where|why|how many|how much|how)\s+(was|were|is|are|will be|has been|have been)\s+(.+)$", q)
    if m:
        statement = f"{m.group(1).lower()} {m.group(3)} {m.group(2).lower()}"
    else:
        statement = "the answer to “" + question.strip() + "”"
    reasons = list(reasons) or abstention_reasons(missing)
    return " ".join([f"The documents don't say {statement}.", *reasons])


def weak_evidence(evidence: Sequence[Evidence]) -> bool:
    """Even the best sentence is far from the question, by meaning and by words."""
    if not evidence:
        return True
    best_semantic = max(e.semantic for e in evidence)
    best_lexical = max(e.lexical for e in evidence)
    return best_semantic < MIN_BEST_SEMANTIC and best_lexical < MIN_BEST_LEXICAL


def decline_checks(
    question: Question,
    pool: list[Passage],
    evidence: list[Evidence],
    retriever: Retriever,
    bank: SentenceBank,
    glossary: Glossary,
) -> dict[str, Any]:
    """Every reason to decline, by name: the terms each check found wanting (or True); empty/False = no reason.

    The answer declines when any is set but a CAVEATS one, which qualifies it instead. All are computed, so eval can
    measure what each one earns."""
    uncovered = uncovered_terms(question, pool, glossary)
    uncovered += unmentioned_bodies(question.text, retriever.publishers(), pool, glossary)
    # a term the retrieved passages lack may still be elsewhere in the documents: retrieval missed it, which is
    # no reason to decline; only a term no document mentions is
    figured = figure_sentences(
        question, evidence, lambda s: bank.stems(s, glossary),
        context=lambda e: bank.context_stems(e.sentence, e.passage.doc, glossary),
        header=lambda e: bank.header_text(e.sentence, e.passage.doc),
    )
    return {
        "uncovered": [t for t in uncovered if not _found_elsewhere(t, retriever, glossary)],
        "weak": weak_evidence(evidence),
        "no_figure": lacks_figure(question, evidence, figured),
        "other_source": _figures_of_others(question, figured, glossary),
    }  # fmt: skip


def _names_publisher(text: str, publisher: str, glossary: Glossary) -> bool:
    """The text names the publisher, by name, without its legal form (Glossary.short_name) or by its initials."""
    return (
        _named_term_covered(publisher, [text], glossary)
        or bool(glossary.names_short(text, publisher))
        or any(abbreviates(a, publisher) for a in INITIALS.findall(text))
    )


def _figures_of_others(question: Question, figured: Sequence[Evidence], glossary: Glossary) -> bool:
    """A figure question naming one publisher, and comparing nothing ("What percentage of LTHT's pay bill went on
    agency staff?"), whose figures all come from other publishers' documents, none of whose passages names it by name
    or by its initials (LYPFT's 4%)."""
    named = question.query.publishers
    if not figured or len(named) != 1 or question.comparison:
        return False
    return not any(e.passage.doc.publisher == named[0] or _names_publisher(e.passage.chunk.text, named[0], glossary) for e in figured)


def _found_elsewhere(term: str, retriever: Retriever, glossary: Glossary) -> bool:
    """One of the term's best ELSEWHERE_DEPTH passages by BM25 mentions it (an owned name as owned_term_covered reads
    it). Two names of several words joined by "and" ("Care Delivery Service and Leeds Community Healthcare") are
    looked for each; single words so joined are one name ("Kent and Medway")."""
    parts = [part for part in _JOINED_NAMES.split(term) if part.strip()]
    if len(parts) > 1 and all(len(part.split()) >= 2 for part in parts):
        return all(_one_found_elsewhere(part, retriever, glossary) for part in parts)
    return _one_found_elsewhere(term, retriever, glossary)


def _one_found_elsewhere(term: str, retriever: Retriever, glossary: Glossary) -> bool:
    docs = retriever.documents()
    found = retriever.index.lexical(lexical_terms([term, *content_terms(term)]), ELSEWHERE_DEPTH, None)
    hits = as_written([(c.text, docs[c.doc_id]) for c, _ in found if c.doc_id in docs], term)
    return bool(found_in([term], [t for t, _ in hits], glossary)) or owned_term_covered(term, hits, glossary)


# Learned declining -------------------------------------------------------------------------------------------
# What the decline model reads (eval/train_decline.py fits it; assistant/data/decline.json stores it). No feature
# reads catalogue metadata: a folder of unfamiliar documents has none.
DOUBT_FEATURES = (
    "best_score",  # the best answer sentence's score
    "best_semantic",  # ... its best cosine to the question
    "best_lexical",  # ... its best IDF-weighted word overlap
    "context_coverage",  # the most of the question's words one of the best sentences holds with its neighbours
    "first_context_coverage",  # ... that the best sentence holds with its neighbours
    "figure_coverage",  # a figure/date question: the most of its words a sentence with a new figure holds with its neighbours
    "missing_shown",  # IDF-weighted share of the question's words in none of the answer's candidate sentences
    "rarest_missing",  # the rarest such word's IDF over the corpus's highest (0 when none is missing)
    "missing_corpus",  # IDF-weighted share of the question's words in no document at all
    "uncovered",  # the uncovered check fired
    "weak",  # the weak check fired
    "no_figure",  # the no_figure check fired
    "numeric",  # the question asks for a count or a date
)
DOUBT_TOP = 5  # best sentences whose neighbourhoods are read for context_coverage
DECLINE_PATH = Path(__file__).resolve().parent / "data" / "decline.json"
DECLINER = Kind("the decline model", "eval.train_decline", "ASSISTANT_DECLINER", "checks")


def doubt_features(
    question: Question, evidence: Sequence[Evidence], checks: dict[str, Any], bank: SentenceBank, glossary: Glossary, idf: dict[str, float]
) -> tuple[float, ...]:
    """DOUBT_FEATURES of a question and the sentences its answer would be chosen from (best first)."""
    weights = question.weights
    total = math.fsum(weights.values())
    shown = frozenset().union(*(e.stems for e in evidence)) if evidence else frozenset()
    missing = [w for w in weights if w not in shown]
    top_idf = max(idf.values(), default=1.0) or 1.0
    around = [bank.context_stems(e.sentence, e.passage.doc, glossary) for e in evidence[:DOUBT_TOP]]
    kind = question.numeric if question.numeric in ("count", "time") else ""
    figure = max(
        (coverage(question.figure_weights, c) for e, c in zip(evidence, around, strict=False) if kind and answers_numeric(kind, e.sentence.text, question.given)),
        default=0.0,
    )
    return (
        evidence[0].score if evidence else 0.0,
        max((e.semantic for e in evidence), default=0.0),
        max((e.lexical for e in evidence), default=0.0),
        max((coverage(weights, c) for c in around), default=0.0),
        coverage(weights, around[0]) if around else 0.0,
        figure,
        math.fsum(weights[w] for w in missing) / total if total else 0.0,
        max((idf.get(w, top_idf) for w in missing), default=0.0) / top_idf,
        math.fsum(v for w, v in weights.items() if w not in idf) / total if total else 0.0,
        float(bool(checks.get("uncovered"))),
        float(bool(checks.get("weak"))),
        float(bool(checks.get("no_figure"))),
        float(question.numeric in ("count", "time")),
    )  # fmt: skip


@dataclass(frozen=True)
class DeclineModel:
    """A logistic regression over standardised DOUBT_FEATURES: the chance the documents do not answer the question.
    The answer declines at `threshold` or above."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    trained_on: str = ""

    def doubt(self, features: Sequence[float]) -> float:
        z = self.bias + math.fsum(w * (x - m) / s for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def load(cls, path: Path = DECLINE_PATH) -> DeclineModel:
        """The model stored at `path`; ConfigError (one line) if it is malformed or fitted on other features."""

        def check(fit: dict[str, Any]) -> str:
            return positive("scale")(fit) or ("" if 0 < fit["threshold"] < 1 else "the threshold must be between 0 and 1")

        fit = read_fit(path, DECLINER, DOUBT_FEATURES, ("weights", "mean", "scale"), ("bias", "threshold"), check)
        return cls(fit["weights"], fit["bias"], fit["mean"], fit["scale"], fit["threshold"], str(fit["data"].get("trained_on", "")))


@functools.cache
def decline_model_for(setting: str) -> DeclineModel | None:
    """The model Settings.decliner names: a file, "checks" (None: any check declines), or (empty) the shipped one if any."""
    path = named_fit(setting, DECLINER, DECLINE_PATH)
    return DeclineModel.load(path) if path else None
