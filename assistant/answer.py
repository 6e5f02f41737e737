"""Answer composition: score evidence sentences, compose an extractive brief (or call the LLM seam), verify, abstain.

Extractive mode (the default, offline): candidate sentences of the retrieved passages are scored by
the cosine of their (cached) embeddings with the question plus their coverage of the question's
content terms; the best 3-6 non-duplicate sentences become the answer, each citing its own span.
An answer is only given when the evidence covers the question's specific terms (named bodies,
places, years, figures); otherwise the assistant says the documents don't say, and offers the
closest evidence separately.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cite import (
    CitationList,
    Sentence,
    figure_core,
    figures,
    has_figure,
    names_month,
    page_of,
    quantities,
    quantity_spans,
    split_marked_text,
    verify,
)
from assistant.config import Settings
from assistant.glossary import NAME_CONNECTORS, Glossary, normalise
from assistant.index import Index
from assistant.retrieve import SOURCE_NOUNS, STOPWORDS, Query, content_stems, content_terms, stem, words
from assistant.rewrite import split_context
from assistant.sentences import SentenceBank
from assistant.types import AnswerSentence, Citation, DocumentInfo, Passage

# sentence scoring
SEMANTIC_WEIGHT = 0.3  # sentence score = this share of cosine to the question + the rest of (IDF-weighted) word overlap
# A model fine-tuned on questions about the corpus (`ingest tune`) ranks sentences well enough to be trusted more
# (held-out correct 0.841 at 0.3 -> 0.866 at 0.5); with the packaged model 0.5 costs (dev correct 0.755 -> 0.744).
TUNED_SEMANTIC_WEIGHT = 0.5
RANK_PRIOR_WEIGHT = 0.08  # a little trust in the retriever's order of passages
NUMERIC_BONUS = 0.12  # numeric questions favour sentences carrying figures/dates
PUBLISHER_BONUS = 0.15  # a question naming who said it ("according to NHS Providers") wants that publisher's words
# passage re-ranking by their best sentence
CONTEXT_SHARE = 0.7  # a sentence gets this share of the word overlap of it and its neighbours ("The programme aims to ...")
EARLIER_TERM_WEIGHT = 0.5  # a resolved follow-up's words from the earlier question weigh this much (dev follow-ups: 0.3/0.5/0.7 -> evidence +1/+3/+2)
# A follow-up leaning on the previous answer ("Why did that happen?") usually wants what lies next to what that
# answer cited: its sentences within ANCHOR_REACH characters either side of a cited span, other than those cited,
# score ANCHOR_BONUS more (dev, 84 follow-ups: correct 0.548 -> 0.619; lifting the cited ones too gave 0.571).
ANCHOR_BONUS = 0.1
ANCHOR_REACH = 1000
EVIDENCE_POOL = 20  # fused passages whose sentences are scored
PASSAGE_EVIDENCE_WEIGHT = 0.9  # vs the fused rank, when re-ordering passages (tuned on dev: 0.8 gave hit@5 0.878, 0.9 gives 0.902)
# selection
MIN_SENTENCES, MAX_SENTENCES = 3, 6
RELATIVE_FLOOR = 0.75  # after the minimum, keep sentences scoring at least this share of the best
DUPLICATE_COSINE = 0.88  # near-duplicates (the same point made twice) are dropped
DUPLICATE_JACCARD = 0.6
COMPARISON_FLOOR = 0.75  # a document's best sentence joins a comparison if within this share of the best
COMPARISON_EACH = 2  # sentences each side of a comparison gets (when strong enough) before the rest are filled by score
COMPARISON_NEXT_FLOOR = 0.7  # ... its second one joining when within this share of the best (RELATIVE_FLOOR before)
# abstention
MIN_BEST_SEMANTIC = 0.3  # best sentence this far from the question: the documents don't address it
MIN_BEST_LEXICAL = 0.25
CLOSEST_SHOWN = 3
NEIGHBOUR_SHARE = 0.9  # score a figure-bearing sentence takes from the adjacent sentence that matches the question
FIGURE_RELATIVE = 0.7  # a figure answering a how-many question must come from a sentence this close to the best
MIN_FIGURE_LEXICAL = 0.2  # ... and sharing this (IDF-weighted) share of the question's words
SPEAKER_RELATIVE = 0.8  # the asked publisher's best sentence, against the best of all (dev: same figures from 0.8 to 0.9)
FOCUS_RELATIVE = 0.65  # a sentence scoring this share of the best is strongly relevant (who speaks in it, whom it names)
MAX_RUN = 3  # sentences a run adds after its sentence (the items a lead-in announces)
_ANNOUNCES = re.compile(r"(:|\b(the following|principles|as follows|include|including|these include))\W*$", re.IGNORECASE)
_CONTINUES = re.compile(
    r"^(this|these|they|it|its|such|that|those|as a result|in turn|therefore|thus|so|in particular)\b|\bas a result\b",
    re.IGNORECASE,
)
MAX_LIST_WALK = 8  # lines walked back from a list item to find the line introducing the list

_NUMERIC_Q = re.compile(
    r"\b(how (many|much|long|big|large|often)|what (percentage|proportion|share|number|figure|amount|size|sum|budget|"
    r"allocation|fraction)|per ?cent|range of|number of|figures?|amount of)\b|[%£]",
    re.IGNORECASE,
)
# "When did ...?" asks for a time; "When a trust is struggling, should ...?" sets a condition.
_TIME_Q = re.compile(r"^\s*when\s+(?:did|do|does|is|was|were|will|would|are|has|have|had|can|could|should|shall|might|must)\b|\b(what|which) (year|date|month)\b|\bby when\b|\bsince when\b", re.IGNORECASE)
_COUNT_TARGET = re.compile(
    r"\b(?:how (?:many|much)|what (?:number|amount|sum))(?P<of>\s+of)?\s+(?P<counted>.+)$", re.IGNORECASE
)
_COUNT_COPULA = re.compile(r"^(?:were|are|was|is) (?!there\b)", re.IGNORECASE)
_PART_OF = re.compile(r"^.*?\b(?:are|were|is|was)\s+(?!there\b)(.+)$", re.IGNORECASE)  # "of the 25 leaders were ICP chairs"
_OF_THEM = re.compile(r"\s+of\s+(?:them|these|those)\b", re.IGNORECASE)  # "There are 42 of them": counts what came before
# "What percentage/share of ...?" wants a proportion: "63%", "14 per cent", "8 out of 10", "three quarters", "more than half"
_PROPORTION_Q = re.compile(r"\bwhat\s+(?:percentage|proportion|share|fraction)\b", re.IGNORECASE)
_PROPORTION = re.compile(
    r"%|\bper ?cent\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out of)\s+(?:\d+|ten|every)\b"
    r"|\b(?:half|thirds?|quarters?|fifths?|majority|minority)\b",
    re.IGNORECASE,
)
_COUNT_STOP = frozenset("did do does go goes went work works have has had were was are is will would could can get got".split())
MAX_TARGET_WORDS = 3
_MONEY_VERB = re.compile(r"\b(cost|costs|spend|spent|save|saved|pay|paid|worth|invest|invested)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"£\s?\d|\d\s?(bn|billion|m|million)\b", re.IGNORECASE)
MONEY_WORDS = frozenset("funding money cost costs budget budgets allocation allocations spend spending saving savings income revenue".split())
_YEAR = re.compile(r"\b(19|20)\d\d(/\d\d)?\b")
# Words naming what kind of answer is wanted, not what it is about.
ANSWER_TYPE_STEMS = frozenset(
    stem(w) for w in "percentage percent proportion share number amount figure figures sum fraction money total date year month day".split()
)
COUNTED_BEFORE, COUNTED_AFTER = 4, 6  # words either side of a figure that may name what it counts
MIN_FIGURE_COVERAGE = 0.5  # IDF-weighted share of the question's words a figure's sentence and its neighbours hold
# Questions whose answer is a name: a person in a role, or what a named person leads.
_NAME_Q = re.compile(
    r"^\s*who\s+(?:chairs|chaired|leads|led|heads|headed|runs|ran|(?:is|was)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}(?:chair|chief executive|head|leader|director)\b)"
    r"|\bwhat (?:is|was) the name of\b|^\s*which\s+(?:\w+\s+){1,3}(?:does|did)\s+[A-Z]\w+\s+[A-Z]\w+\s+(?:chair|lead|head|run)\b"
    # which named system, body or place: "Which ICB has the biggest budget?", "Which software supplier ...?", "Where are the hubs based?"
    r"|^\s*(?:which|what)\s+(?:software\s+)?(?:(?:integrated\s+care\s+)?systems?|ICSs?|ICBs?|ICPs?|PCNs?|trusts?|hospitals?|"
    r"cit(?:y|ies)|towns?|count(?:y|ies)|suppliers?|compan(?:y|ies)|firms?)\b(?!\s+(?:leaders?|chairs?|boards?|level|working)\b)"
    r"|^\s*where\s+(?:is|are|was|were)\s+(?:the\s+)?(?:[\w'’-]+\s+){1,3}(?:based|located|sited)\b",
    re.IGNORECASE,
)
_YES_NO_Q = re.compile(r"\s*(do|does|did|is|are|was|were|has|have|had|can|could|will|would|should)\b", re.IGNORECASE)
# "How much do behaviours matter ...?" asks to what degree, not for a figure.
_DEGREE_Q = re.compile(
    r"\bhow much\s+(?:do|does|did|can|could|will|would|should)\b[^?]{0,80}?\b(?:matters?|depends?|depended|rely|relies|relied|"
    r"count|counts|influences?|influenced|helps?|helped|hinder(?:s|ed)?|agrees?|agreed|differs?|differed|value|values|care|cares|weigh|weighs)\b"
    r"|\bhow much\s+(?:say|influence|control|freedom|autonomy|power|weight|importance|emphasis|attention|priority|scope|flexibility|support)\b",
    re.IGNORECASE,
)
_STRICT_NUMERIC_Q = re.compile(r"\b(how (many|much)|what (percentage|proportion|share|number|amount|sum|fraction))\b", re.IGNORECASE)
_COMPARISON_Q = re.compile(
    r"\b(compare[sd]?|comparison|contrast|differ(s|ent|ence|ences)?|agree|disagree|both|each of|versus|vs\.?|"
    r"same view|similar(ly)?|in common|between .+ and |across (the |all )?(documents|organisations|sources|reports|publishers))\b",
    re.IGNORECASE,
)
_CONNECTORS = NAME_CONNECTORS
# Capitalised words that name no specific thing (domain staples and sentence furniture).
GENERIC_NAME_WORDS = frozenset(
    """nhs england english uk government parliament act trust trusts board boards system systems partnership partnerships
    integrated care health social the a an and of for in on to is are was were do does did what which who whom how why
    when where according would could should can may will has have compare both their its i
    january february march april june july august september october november december""".split()  # a month dates, the year names
)
_CODED_NAME = re.compile(r"\b[A-Za-z]+[-–]?\d[\w-]*")  # "COVID-19", "Core20PLUS5", "ICS0034"
# "What did the CQC say ...", "in its own evidence": the question wants the words of the body it names.
_SPEAKER_Q = re.compile(
    # the verb in lower case ("Secretary of State" is no verb), and "call for" no noun ("the review call for evidence")
    r"\b(?:did|does|do|has|have)\s+(?P<who>[^?]+?)\s+(?-i:say|said|argue|think|tell|recommend|propose|state|write|submit|want|(?<!['’]s\s)call for(?!\s+evidence)|conclude|find|found|report)\b"
    r"|\b(?:according to|in the view of)\s+(?P<who2>[^,?]+)"
    r"|^\s*(?:what|how)\s+(?:is|are|was|were)\s+(?P<who3>[^?]+?)['’]s?\s+(?:views?|position|stance|take)\b",  # "What is X's view on ...?"
    re.IGNORECASE,
)
# Where it was said, not who said it: "X's 2020 report", "X's evidence to the Committee".
_SPOKEN_TO = re.compile(
    rf"['’]s?\s+(?:\d{{4}}\s+)?(?:(?-i:[A-Z][\w&'’-]*)\s+){{0,3}}(?:written\s+)?(?:{'|'.join(sorted(SOURCE_NOUNS))})\b"  # "X's PAC evidence"
    r"|\s(?:written\s+)?(?:evidence|submission|response|report)\s+(?:submitted\s+)?(?:to|for)\s",
    re.IGNORECASE,
)
_SAID = "said|stated|set out|argued|recommended|proposed|suggested|published|noted|found|told|called for"  # past forms
_REPORTED_BY = rf"\b(?:{_SAID})\s+by\s+(?:the\s+)?"  # passive: "proposed by NHSEI"
_REPORTED_SPEECH = rf"(?:\W+\w+){{0,3}}?\W+(?:says|states|sets out|argues|recommends|notes|finds|proposes|suggests|{_SAID})\b"
_SOURCE_WORDS = re.compile(
    r"\b(evidence|submission|submitted|report|inquiry|review|paper|interviews?|told|survey|analysis|response)\b[^.?]{0,40}$",
    re.IGNORECASE,
)
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# question profile ----------------------------------------------------------------
@dataclass
class Profile:
    """What kind of answer a question wants."""

    numeric: str  # "" | "count" (how many/much, shares) | "time" (when) | "any" (other figures)
    comparison: bool
    specific: list[str]  # named things, places, years and figures the evidence must cover


def profile(question: str, query: Query, glossary: Glossary) -> Profile:
    """Classify a question (numeric, comparison) and list its specific terms."""
    comparison = bool(_COMPARISON_Q.search(question)) or len(query.publishers) >= 2
    return Profile(
        numeric=_numeric_kind(question),
        comparison=comparison,
        specific=specific_terms(question, glossary, query.publishers),
    )


def _numeric_kind(question: str) -> str:
    if _YES_NO_Q.match(question):  # "Did they change how much the centre intervened?" asks no figure
        return "any" if _NUMERIC_Q.search(question) else ""
    if _DEGREE_Q.search(question):
        return ""
    if _STRICT_NUMERIC_Q.search(question):
        return "count"
    if _TIME_Q.search(question):
        return "time"
    return "any" if _NUMERIC_Q.search(question) else ""  # figures help, but none is required


def specific_terms(question: str, glossary: Glossary, publishers: Sequence[str] = ()) -> list[str]:
    """Figures/years, quoted phrases and capitalised names in the question that are not generic domain words."""
    terms = sorted(_term_figures(question))  # "COVID-19" is a name, not the figure 19
    terms += [m.group(1) for m in re.finditer(r"[\"“]([^\"”]{3,60})[\"”]", question)]
    generic = _generic_words(glossary)
    known = {normalise(n) for p in publishers for n in (p, p.removeprefix("The "))}
    known |= {normalise(n) for name, aliases in glossary.organisations.items() for n in (name, *aliases)}
    known |= {normalise(e) for es in glossary.acronyms.values() for e in es}
    def weak(w: str) -> bool:
        return w.lower() in _CONNECTORS or _singular(_possessive_stripped(w)).lower() in generic

    for run in _capitalised_runs(_without_bodies(question, glossary, publishers)):
        if normalise(run) in known or normalise(run).removeprefix("the ") in known:
            continue  # an organisation or domain term: judged by relevance, not by name
        # generic words at either end go ("NHS Oversight Framework", "Cheshire and Merseyside ICB"); inside a name
        # they stay ("Better Care Fund")
        run_words = run.split()
        while run_words and weak(run_words[0]):
            run_words.pop(0)
        while run_words and weak(run_words[-1]):
            run_words.pop()
        if run_words:
            terms.append(" ".join(run_words))
    return list(dict.fromkeys(terms))


def _term_figures(term: str) -> set[str]:
    """The figures of a text; those inside coded names ("Core20PLUS5", "COVID-19") don't count."""
    return figures(_CODED_NAME.sub(" ", term))


def _possessive_stripped(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _singular(word: str) -> str:
    """"ICSs" -> "ICS" (acronym plurals)."""
    return word[:-1] if len(word) > 2 and word[-1] == "s" and word[:-1].isupper() else word


def _generic_words(glossary: Glossary) -> set[str]:
    """Lower-cased words that name nothing specific: the glossary's acronyms and GENERIC_NAME_WORDS."""
    return {w.lower() for w in glossary.acronyms} | GENERIC_NAME_WORDS


def _without_bodies(text: str, glossary: Glossary, publishers: Sequence[str]) -> str:
    """The text with organisations and publishers replaced by " , " (a body ends a run of capitalised words)."""
    for _, start, end in reversed(glossary.organisation_spans(text)):
        text = text[:start] + " , " + text[end:]
    for publisher in publishers:
        text = re.sub(re.escape(publisher).replace("'", "['’]"), " , ", text, flags=re.IGNORECASE)
    return text


def _capitalised_runs(text: str, skip_first: bool = True) -> list[str]:
    """Runs of capitalised words ("Cheshire and Merseyside ICB"); the text's first word, capitalised by its place
    in a question or sentence, is skipped unless `skip_first` is False."""
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9'’&-]*[A-Za-z0-9]|[A-Za-z]|\S", text)
    runs, current = [], []
    for i, token in enumerate(tokens):
        # "... oversight? Contrast ...", and a resolved follow-up's earlier question: "... (regarding: Besides ...)"
        opens = (i == 0 and skip_first) or (i > 0 and tokens[i - 1] in ("?", "!", ".", ":", "("))
        capital = token[:1].isupper() and not opens and token.lower() not in STOPWORDS - {"i"}
        if capital or (current and token.lower() in _CONNECTORS):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return [" ".join(r).replace(" ’", "’") for r in runs]


# evidence scoring --------------------------------------------------------------
@dataclass
class Evidence:
    """A candidate sentence with its scores and the best-ranked passage it was found in."""

    sentence: Sentence
    passage: Passage
    semantic: float
    lexical: float
    score: float
    vector: np.ndarray = field(repr=False)
    features: tuple[float, ...] = ()  # SCORER_FEATURES, what `score` was computed from


# What a sentence's score is computed from (see SentenceScorer). lexical is the IDF-weighted share of the
# question's words the sentence holds, or CONTEXT_SHARE of what it and its neighbours hold if more.
SCORER_FEATURES = (
    "semantic",  # cosine of sentence and question
    "lexical",  # max(own, CONTEXT_SHARE * context)
    "own_lexical",  # IDF-weighted share of the question's words in the sentence alone
    "context_lexical",  # ... in the sentence and its neighbours
    "coverage",  # unweighted share of the question's distinct words in the sentence
    "prior",  # 1 for the best-ranked passage, falling to 0 for the last
    "named",  # the sentence's document is from a source the question names
    "figure",  # a figure/date question and the sentence holds a new one
    "anchor",  # near what the previous answer cited (a follow-up leaning on it)
    "short",  # 1 / words: headings and fragments are short
)
SCORER_PATH = Path(__file__).resolve().parent / "data" / "sentence_scorer.json"


@dataclass(frozen=True)
class SentenceScorer:
    """A sentence's score from its features: a weighted sum, through the logistic function when learned.

    The learned weights live in assistant/data/sentence_scorer.json with what they were trained on
    (`eval/train_scorer.py` writes it); without that file the hand-set weights below apply."""

    weights: tuple[float, ...]
    bias: float = 0.0
    logistic: bool = False
    about: str = "hand-set weights"

    def __call__(self, features: Sequence[float]) -> float:
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if self.logistic else z

    @classmethod
    def hand(cls, semantic_weight: float) -> SentenceScorer:
        return cls((semantic_weight, 1 - semantic_weight, 0, 0, 0, RANK_PRIOR_WEIGHT, PUBLISHER_BONUS, NUMERIC_BONUS, ANCHOR_BONUS, 0))

    @classmethod
    def load(cls, path: Path = SCORER_PATH) -> SentenceScorer | None:
        """The learned scorer stored at `path` (None if there is none)."""
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != SCORER_FEATURES:
            raise ValueError(f"{path}: trained on features {data['features']}, this code has {list(SCORER_FEATURES)}; retrain it")
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]), True, data.get("trained_on", ""))


@functools.cache
def scorer_for(setting: str, tuned: bool) -> SentenceScorer:
    """The scorer Settings.scorer names: a weights file, "hand", or (empty) the shipped learned one if there is one."""
    if setting != "hand":
        learned = SentenceScorer.load(Path(setting) if setting else SCORER_PATH)
        if learned is not None:
            return learned
        if setting:
            raise ValueError(f"ASSISTANT_SCORER={setting}: no such file; train one with eval/train_scorer.py or unset it")
    return SentenceScorer.hand(TUNED_SEMANTIC_WEIGHT if tuned else SEMANTIC_WEIGHT)


def score_evidence(
    query: Query,
    question_vector: np.ndarray,
    passages: Sequence[Passage],
    bank: SentenceBank,
    glossary: Glossary,
    numeric: str,
    idf: dict[str, float] | None = None,
    anchors: Sequence[tuple[str, int, int]] = (),
    scorer: SentenceScorer | None = None,
) -> list[Evidence]:
    """Score every evidence sentence of the passages against the question, best first.

    `anchors` are the spans (doc id, start, end) the previous answer cited, for a follow-up that leans on it:
    sentences near one (not that one) score higher. `scorer` turns the features into the score (default: the
    learned one where it exists, else the hand-set weights)."""
    seen: dict[tuple[str, int, int], tuple[Sentence, Passage]] = {}
    for passage in passages:
        for s in bank.in_passage(passage):
            if not s.heading:
                seen.setdefault((s.doc_id, s.start, s.end), (s, passage))
    if not seen:
        return []
    items = list(seen.values())
    vectors = bank.vectors([s for s, _ in items], {p.doc.doc_id: p.doc for p in passages})
    semantic = vectors @ question_vector
    wanted = {stem(w) for w in query.terms if " " not in w and w.lower() not in STOPWORDS}
    idf = idf or {}
    default_idf = max(idf.values(), default=1.0)  # a word no sentence has is as rare as it gets
    earlier = _earlier_only(wanted, query.text, glossary)
    weight = {w: idf.get(w, default_idf) * (EARLIER_TERM_WEIGHT if w in earlier else 1.0) for w in wanted}
    total = math.fsum(weight.values())  # exact sums: a set's order (hash seed) never breaks a tie
    n_passages = max(len(passages), 1)
    scorer = scorer or scorer_for("", bool(getattr(bank.embedder, "tuned", False)))
    given = _given(query.text)
    named = named_sources(query, passages)
    out = []
    for (sentence, passage), vector, sem in zip(items, vectors, semantic, strict=True):
        have = bank.stems(sentence, glossary)
        own = math.fsum(weight[w] for w in wanted & have) / total if total else 0.0
        context = own
        if total:  # what a sentence is about is often named in the one before it ("QUIT ... The programme aims to ...")
            around = frozenset().union(*(bank.stems(s, glossary) for s in bank.neighbours(sentence, passage.doc)))
            context = math.fsum(weight[w] for w in wanted & around) / total
        lexical = max(own, CONTEXT_SHARE * context)
        features = (
            float(sem), lexical, own, context, len(wanted & have) / len(wanted) if wanted else 0.0,
            1.0 - (passage.rank - 1) / n_passages, float(_is_named(passage.doc, named)),
            float(bool(numeric) and _answers_numeric(numeric, sentence.text, given)), float(_near_anchor(sentence, anchors)),
            1.0 / max(len(sentence.text.split()), 1),
        )  # fmt: skip
        out.append(Evidence(sentence, passage, float(sem), lexical, scorer(features), vector, features))
    if numeric in ("count", "time"):
        _neighbour_lift(out, numeric, given)
    out.sort(key=lambda e: -e.score)
    return out


def _earlier_only(wanted: set[str], question: str, glossary: Glossary) -> set[str]:
    """The stems only the earlier question of a resolved follow-up has, proper names apart: "What difference would
    patients notice (regarding: How ... will ICSs redesign care pathways)?" is about patients first, pathways second;
    but in "When was it set up (regarding: What was One Northern Devon ...)?" the name is what "it" stands for.
    Acronyms and generic name words ("ICB", "NHS England") are no such name."""
    own, earlier = split_context(question)
    if earlier is None:
        return set()
    names = {stem(w) for w in words(earlier)[1:] if w[:1].isupper()} - {stem(w) for w in _generic_words(glossary)}
    return wanted - {stem(w) for w in words(own)} - names


def _is_named(doc: DocumentInfo, named: Collection[str]) -> bool:
    """The document, or its publisher, is one the question names (see named_sources)."""
    return doc.publisher in named or doc.doc_id in named


def _near_anchor(sentence: Sentence, anchors: Sequence[tuple[str, int, int]]) -> bool:
    """Within ANCHOR_REACH of a span the previous answer cited, but not one of those spans (that was said already)."""
    near = [(start, end) for doc, start, end in anchors if doc == sentence.doc_id and start - ANCHOR_REACH < sentence.end and sentence.start < end + ANCHOR_REACH]
    return bool(near) and not any(start < sentence.end and sentence.start < end for start, end in near)


def named_sources(query: Query, passages: Sequence[Passage]) -> set[str]:
    """Doc ids the question names, and the named publishers none of whose documents it names by title, kind or year."""
    narrowed = {p.doc.publisher for p in passages if p.doc.doc_id in query.documents}
    return set(query.documents) | {p for p in query.publishers if p not in narrowed}


def _answers_numeric(kind: str, text: str, given: frozenset[str] = frozenset()) -> bool:
    """A "how many" question wants a count or amount (not a year), a "when" question a date; figures the question gives don't count."""
    new = {f for f in quantities(text) if (figure_core(f) or f) not in given}
    if kind == "time":
        return any(_YEAR.fullmatch(f) for f in new) or names_month(text)
    if kind == "count":  # "one ICB chair says": "one" alone is a determiner, not a count
        return any(not _YEAR.fullmatch(f) and f != "one" for f in new)
    return bool(new) or has_figure(text)


def _given(question: str) -> frozenset[str]:
    """The quantities a question states itself (they are not answers)."""
    return frozenset(figure_core(f) or f for f in quantities(question))


def _neighbour_lift(evidence: list[Evidence], kind: str, given: frozenset[str]) -> None:
    """A figure often sits in the sentence next to the one matching the question ("We ran a survey. We received 252
    responses."): such a sentence takes a share of its neighbour's score."""
    by_pos = {(e.sentence.doc_id, e.sentence.block, e.sentence.start): e for e in evidence}
    ordered = sorted(by_pos)
    for i, key in enumerate(ordered):
        e = by_pos[key]
        if not _answers_numeric(kind, e.sentence.text, given):
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(ordered) and ordered[j][0] == key[0] and abs(ordered[j][1] - key[1]) <= 1:
                lifted = NEIGHBOUR_SHARE * by_pos[ordered[j]].score + NUMERIC_BONUS
                if lifted > e.score:
                    e.score = lifted
                    e.lexical = max(e.lexical, by_pos[ordered[j]].lexical)


def count_target(question: str) -> list[str]:
    """What a how-many question counts: "How many ICB board seats go to..." -> ["icb", "board", "seat"] (stems);
    "How many of the 25 leaders were ICP chairs?" -> ["icp", "chair"] (a part of a whole: what follows the copula)."""
    m = _COUNT_TARGET.search(question)
    if not m:
        return []
    if _MONEY_VERB.search(question):  # "how much did it cost/save": an amount of money
        return ["money"]
    counted = _COUNT_COPULA.sub("", m.group("counted"))  # "how many were ICP chairs" counts ICP chairs
    part = _PART_OF.match(counted) if m.group("of") else None
    return (_target_words(part.group(1)) if part else []) or _target_words(counted)


def _target_words(text: str) -> list[str]:
    """Stems of the first content words of a counted phrase, up to MAX_TARGET_WORDS (figures and articles skipped)."""
    out: list[str] = []
    for word in words(text):
        low = word.lower()
        if low in ("the", "of", "and", "a", "an", "their", "its", "nhs") or any(ch.isdigit() for ch in low):
            continue
        if low in STOPWORDS or low in _COUNT_STOP or len(out) == MAX_TARGET_WORDS:
            break
        out.append(stem(low))
    return out


def _counts_target(
    text_stems: frozenset[str], text: str, target: Sequence[str], given: frozenset[str] = frozenset(), context: frozenset[str] = frozenset()
) -> bool:
    """The sentence counts what is asked: a figure with a word of the target next to it ("1.2 million staff" counts
    staff, not trusts), or "42 of them" with the target in the neighbouring sentences (`context`); and a figure that
    answers (not a year, not "one ICB chair says", not one the question gives). Money questions want a £ amount."""
    if not target:
        return True
    money = {stem(w) for w in MONEY_WORDS}
    if any(t in money for t in target):
        return bool(_AMOUNT.search(text))  # the word "fund" is not an amount
    wanted = set(target)
    named_here = bool(wanted & text_stems)  # the sentence itself names what is counted
    for start, end in quantity_spans(text):
        if not _answers_numeric("count", text[start:end], given):
            continue
        near = words(text[:start])[-COUNTED_BEFORE:] + words(text[end:])[:COUNTED_AFTER]
        if named_here and any(stem(w) in wanted for w in near):
            return True
        if _OF_THEM.match(text[end:]) and any(t in context for t in target):
            return True
    return False


def term_weights(query: Query, idf: dict[str, float]) -> dict[str, float]:
    """The question's content stems weighted by sentence IDF (a word the documents never use weighs most); words
    naming the answer's type ("percentage", "amount") are left out: they say what is wanted, not what about."""
    terms = query.terms
    own, earlier = split_context(query.text)
    if earlier is not None:  # a follow-up with the earlier question as context: the figure is about what it asks itself
        terms = [t for t in terms if t.lower() in own.lower()]
    alternates = set(query.expansions) - set(content_terms(query.text))  # "HSCC" for "Health and Social Care Committee"
    stems = {stem(w) for w in terms if " " not in w and w.lower() not in STOPWORDS and w not in alternates} - ANSWER_TYPE_STEMS
    unseen = max(idf.values(), default=1.0) + 1.0
    return {w: idf.get(w, unseen) for w in stems}


def coverage(weights: dict[str, float], have: frozenset[str]) -> float:
    """IDF-weighted share of the question's words present (1.0 when the question has none)."""
    total = math.fsum(weights.values())
    return math.fsum(v for w, v in weights.items() if w in have) / total if total else 1.0


def lacks_figure(
    kind: str,
    question: str,
    evidence: Sequence[Evidence],
    stems: Callable[[Sentence], frozenset[str]],
    *,
    weights: dict[str, float],
    context: Callable[[Evidence], frozenset[str]],
    named: Collection[str] = (),
) -> bool:
    """A how-many/when question none of whose strongly relevant sentences carries a new figure about the thing counted
    and which, with its neighbouring sentences (`context`) and its document's year, holds MIN_FIGURE_COVERAGE of the question's IDF-weighted
    words (`weights`): "When will the review publish its final report?" is not answered by the date the review's call
    for evidence was published. When the question names its sources (`named`: publishers, doc ids), the figure must be
    theirs: "How many chief executives did NHS Providers interview?" is not answered by another publisher's interviews.
    A what-percentage question wants a proportion ("63%", "8 out of 10", "more than half"), not any number."""
    if kind not in ("count", "time") or not evidence:
        return False
    given = _given(question)
    target = count_target(question) if kind == "count" else []
    proportion = kind == "count" and bool(_PROPORTION_Q.search(question))
    top = evidence[0].score
    return not any(
        e.score >= FIGURE_RELATIVE * top
        and e.lexical >= MIN_FIGURE_LEXICAL
        and _answers_numeric(kind, e.sentence.text, given)
        and (not proportion or bool(_PROPORTION.search(e.sentence.text)))
        and _counts_target(stems(e.sentence), e.sentence.text, target, given, context(e))
        and coverage(weights, context(e) | _publication_year(e.passage.doc)) >= MIN_FIGURE_COVERAGE
        and (not named or _is_named(e.passage.doc, named))
        for e in evidence
    )


def _publication_year(doc: DocumentInfo) -> frozenset[str]:
    """A document's year, which a question may give to say which document it means ("... set out in 2020")."""
    return frozenset([doc.date[:4]]) if doc.date and _YEAR.fullmatch(doc.date[:4]) else frozenset()


def rerank_passages(passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Passage]:
    """Re-order passages by their fused rank blended with their best sentence's score (ranks renumbered)."""
    best: dict[str, float] = {}
    for e in evidence:
        best[e.passage.chunk.id] = max(best.get(e.passage.chunk.id, -1.0), e.score)
    # a passage also holds sentences first found in a better-ranked overlapping passage
    by_evidence = sorted(passages, key=lambda p: -best.get(p.chunk.id, -1.0))
    evidence_pos = {p.chunk.id: i for i, p in enumerate(by_evidence)}
    order = sorted(
        passages,
        key=lambda p: (1 - PASSAGE_EVIDENCE_WEIGHT) * (p.rank - 1) + PASSAGE_EVIDENCE_WEIGHT * evidence_pos[p.chunk.id],
    )
    for rank, p in enumerate(order, start=1):
        p.rank = rank
    return list(order)


# selection -----------------------------------------------------------------------
def _near_duplicate(a: Evidence, b: Evidence) -> bool:
    if float(a.vector @ b.vector) >= DUPLICATE_COSINE:
        return True
    sa, sb = content_stems(a.sentence.text), content_stems(b.sentence.text)
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) >= DUPLICATE_JACCARD


def select(evidence: Sequence[Evidence], prof: Profile, publishers_named: Sequence[str], speaker: str | None = None) -> list[Evidence]:
    """The best 3-6 non-duplicate sentences; comparisons first take each relevant publisher's best sentence; a
    question asking one publisher's words (`speaker`) is answered from that publisher's documents."""
    if speaker and not prof.comparison:
        evidence = [e for e in evidence if e.passage.doc.publisher == speaker] or evidence
    if not evidence:
        return []
    chosen: list[Evidence] = []

    def take(e: Evidence) -> bool:
        if e in chosen or any(_near_duplicate(e, c) for c in chosen) or len(chosen) >= MAX_SENTENCES:
            return False
        chosen.append(e)
        return True

    top = evidence[0].score
    if prof.comparison:
        publishers = list(publishers_named) or list(dict.fromkeys(e.passage.doc.publisher for e in evidence))
        for turn in range(COMPARISON_EACH):  # each side's best, then each side's next best, ...
            for publisher in publishers:
                own = [e for e in evidence if e.passage.doc.publisher == publisher and e not in chosen]
                best = next((e for e in own if not any(_near_duplicate(e, c) for c in chosen)), None)
                floor = (COMPARISON_FLOOR if turn == 0 else COMPARISON_NEXT_FLOOR) * top
                if best and ((turn == 0 and publisher in publishers_named) or best.score >= floor):
                    take(best)
    for e in evidence:
        if len(chosen) >= MIN_SENTENCES and e.score < RELATIVE_FLOOR * top:
            break
        take(e)
    return chosen


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


# answer assembly ---------------------------------------------------------------------
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
    checks: dict[str, Any] = field(default_factory=dict)  # each decline check's finding (see Assistant._decline_checks)
    withheld: Draft | None = None  # when declining with explain on: the answer that would have been given


def _cite(citations: CitationList, index: Index, sentence: Sentence, passage: Passage) -> int:
    pages = index.docs.pages(sentence.doc_id) if passage.doc.has_pages else []
    locator = index.docs.locator_at(sentence.doc_id, sentence.start)  # a transcript's "at 00:41:07" or "Q112"
    return citations.add(
        passage.doc, sentence.start, sentence.end, sentence.text, passage.chunk.section, page_of(pages, sentence.start), locator
    )


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
            parts.append(f"{_as_sentence(s.text)} [{n}]")
        doc = passage_of[group[0]].doc
        lines.append((f"{source_label(doc)}: " if grouped else "") + " ".join(parts))
    return Draft("\n".join(lines), answer_sentences, citations.citations())


def _as_sentence(text: str) -> str:
    """A quoted line reads as a sentence in running text (bullets often lack the full stop)."""
    return text if re.search(r"[.!?:;]$", text) else text + "."


# coverage and abstention -------------------------------------------------------------
def uncovered_terms(question: str, prof: Profile, passages: Sequence[Passage], glossary: Glossary) -> list[str]:
    """Specific terms of the question that none of the retrieved passages (text or document details) mentions."""
    texts = [p.chunk.text for p in passages]
    meta = [f"{p.doc.title} {p.doc.publisher} {p.doc.kind} {Path(p.doc.source).stem}" for p in passages]
    years = {p.doc.date[:4] for p in passages if p.doc.date}
    available_figures = {figure_core(f) for t in texts for f in figures(t)} | years
    missing = []
    for term in prof.specific:
        if _term_figures(term) and all(not term.strip("£%") or figure_core(f) in available_figures for f in _term_figures(term)):
            continue
        if _term_figures(term):
            missing.append(term)
            continue
        parts = [part for part in _JOINED_NAMES.split(term) if part.strip()]  # "LTHT and LYPFT": two names, two checks
        if all(_named_term_covered(part, texts + meta, glossary) for part in parts) or _describes_source(question, term, passages):
            continue
        missing.append(term)
    return missing


_JOINED_NAMES = re.compile(r"\s+(?:and|&)\s+")


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
            out.append(_possessive_stripped(written))
    return list(dict.fromkeys(out))


def _speaker_phrase(question: str) -> str:
    """Who the question wants the words of ("What did the CQC say ...", "according to X"), as written; "" if none."""
    return _SPOKEN_TO.split(_speaker_clause(question), maxsplit=1)[0]  # "X's evidence to the Committee": X speaks


def _speaker_clause(question: str) -> str:
    """The whole clause naming who speaks and where ("the NHS Confederation's evidence to the PAC"); "" if none."""
    m = _SPEAKER_Q.search(question)
    return (m.group("who") or m.group("who2") or m.group("who3") or "") if m else ""


def unheard_speakers(question: str, publishers: Sequence[str], evidence: Sequence[Evidence], glossary: Glossary) -> list[str]:
    """Organisations the question wants the words of ("What did the CQC say ...") that publish none of the documents
    and that no strongly relevant sentence reports as saying anything."""
    who = _speaker_phrase(question)
    if not who or not evidence:
        return []
    top = evidence[0].score
    strong = [e.sentence.text for e in evidence if e.score >= FOCUS_RELATIVE * top]
    unheard = []
    at = question.find(who)  # organisations found in the whole question: how it uses capitals tells names from words
    spoken = [name for name, start, end in glossary.organisation_spans(question) if at <= start < at + len(who)] if at >= 0 else glossary.organisations_in(who)
    for name in dict.fromkeys(spoken):
        if _is_publisher(name, publishers):
            continue
        names = [name, *glossary.organisations.get(name, [])]
        named = "(?:" + "|".join(re.escape(n) for n in names) + ")"
        speech = re.compile(f"{named}{_REPORTED_SPEECH}|{_REPORTED_BY}{named}", re.IGNORECASE)
        if not any(speech.search(text) for text in strong):
            unheard.append(name)
    # a person ("What did Amanda Pritchard tell the Committee?"): the strongly relevant sentences must name them
    for person in _person_names(who, glossary, publishers):
        surname = _possessive_stripped(person.split()[-1])
        if not any(re.search(rf"\b{re.escape(surname)}\b", text) for text in strong):
            unheard.append(person)
    # a review or body the glossary does not know ("What did the Hewitt Review finally recommend?"): the documents
    # written *to* it are not its words, so a strongly relevant sentence must report it as saying something
    for name in _institution_names(who, glossary, publishers):
        said = re.compile(f"{re.escape(name)}{_REPORTED_SPEECH}|{_REPORTED_BY}{re.escape(name)}", re.IGNORECASE)
        if not any(said.search(text) for text in strong):
            unheard.append(name)
    return unheard


# Words that make a capitalised run an institution or a publication, not a person ("Hewitt Review", "Fuller Stocktake").
_INSTITUTION_WORDS = SOURCE_NOUNS | frozenset(
    """reviews committee commission council fund plan programme network service services office agency department
    group alliance institute foundation association federation stocktake framework strategy act bill ics icb icp""".split()
)


def _person_names(text: str, glossary: Glossary, publishers: Sequence[str]) -> list[str]:
    """Runs of two or more capitalised words that name no organisation, publisher or domain term ("Amanda Pritchard")."""
    generic = _generic_words(glossary)
    out = []
    for run in _capitalised_runs(_without_bodies(text, glossary, publishers), skip_first=False):  # "Amanda Pritchard" may lead
        names = [w for w in run.split() if w.lower() not in _CONNECTORS]
        plain = [_singular(_possessive_stripped(w)).lower() for w in names]
        if len(names) >= 2 and not any(w in generic or w in _INSTITUTION_WORDS for w in plain) and not any(w.isupper() for w in names):
            out.append(" ".join(names))
    return out


def _institution_names(text: str, glossary: Glossary, publishers: Sequence[str]) -> list[str]:
    """Runs of two or more capitalised words ending in an institution word ("Hewitt Review", "Fuller Stocktake") that
    name no known organisation or publisher and are not followed by a source noun ("the Hewitt Review submission"
    names a document, whose author speaks)."""
    out = []
    generic = _generic_words(glossary)
    bare = _without_bodies(text, glossary, publishers)
    for run in _capitalised_runs(bare, skip_first=False):
        names = [w for w in run.split() if w.lower() not in _CONNECTORS]
        after = [w.lower() for w in words(bare[bare.find(run) + len(run):])[:1]]
        last = _singular(_possessive_stripped(names[-1])).lower() if names else ""
        proper = [w for w in names[:-1] if _singular(_possessive_stripped(w)).lower() not in generic]  # "ICBs and ICPs": no name
        if proper and last in _INSTITUTION_WORDS and not any(w in SOURCE_NOUNS for w in after):
            out.append(_possessive_stripped(run))
    return out


def unattributed_terms(question: str, prof: Profile, publishers: Sequence[str], pool: Sequence[Passage], glossary: Glossary) -> list[str]:
    """Named terms of a question asking what an indexed publisher says ("What does The King's Fund say about
    Core20PLUS5?", "Is NHS Providers positive about X?") that none of that publisher's retrieved passages mentions:
    another publisher's words are no answer. `publishers`: the indexed publishers the question names."""
    speaker = asked_publisher(question, publishers)
    if speaker is None:
        return []
    texts = [f"{p.chunk.section} {p.chunk.text} {p.doc.title}" for p in pool if p.doc.publisher == speaker]
    # bodies named by acronym ("NICE guidance") count too, not only the names the profile lists as specific
    clause = _speaker_clause(question)
    topic = question.replace(clause, " ") if clause else question
    bodies = [
        a for a in glossary.acronyms_in(topic)
        if a.isupper() and re.search(rf"\b{re.escape(a)}s?\b", topic) and not _named_term_covered(a, [speaker], glossary)
    ]
    terms = list(dict.fromkeys([*prof.specific, *bodies]))
    return [term for term in terms if not _term_figures(term) and not _named_term_covered(term, texts, glossary)]


def found_in(terms: Sequence[str], texts: Sequence[str], glossary: Glossary) -> list[str]:
    """The terms some text mentions (figures written as they are, names as _named_term_covered finds them)."""
    return [
        t for t in terms
        if (any(t in text for text in texts) if _term_figures(t) else _named_term_covered(t, texts, glossary))
    ]


def asked_publisher(question: str, publishers: Sequence[str]) -> str | None:
    """The one indexed publisher whose words the question asks for ("What does The King's Fund say ...", "Is NHS
    Providers positive about ...?"); None for comparisons and questions asking no publisher."""
    who = normalise(_speaker_phrase(question))
    if not who and len(publishers) == 1:  # no speech verb, one publisher named: what it thinks is asked
        who = normalise(publishers[0])
    if not who:
        return None
    speakers = [p for p in publishers if normalise(p).removeprefix("the ") in who]
    if len(speakers) != 1 or len(publishers) > 1:  # a comparison is judged side by side, not by one speaker
        return None
    return speakers[0]


def silent_publisher(question: str, publishers: Sequence[str], evidence: Sequence[Evidence]) -> list[str]:
    """[the publisher] when the question asks what one publisher says and its best sentence is far behind the best
    (another publisher's): what others say about the topic is no answer."""
    speaker = asked_publisher(question, publishers)
    if speaker is None or not evidence:
        return []
    own = max((e.score for e in evidence if e.passage.doc.publisher == speaker), default=0.0)
    return [speaker] if own < SPEAKER_RELATIVE * evidence[0].score else []


def lacks_name(question: str, evidence: Sequence[Evidence], glossary: Glossary, publishers: Sequence[str]) -> bool:
    """A question asking for a name ("Who chairs Somerset ICB?", "What is the name of ...") none of whose strongly
    relevant sentences names anyone or anything the question does not already name."""
    if not _NAME_Q.search(question) or not evidence:
        return False
    asked = {stem(w) for w in words(question)}
    known = {stem(w) for p in publishers for w in words(p)} | _generic_words(glossary)
    person = question.lstrip().lower().startswith("who")  # "Who chaired ...?" wants a person, not "the Public Accounts Committee"
    top = evidence[0].score
    for e in evidence:
        if e.score < FOCUS_RELATIVE * top:
            continue
        for run in _capitalised_runs(e.sentence.text):
            if person and (glossary.organisations_in(run) or any(w.lower() in _INSTITUTION_WORDS for w in run.split())):
                continue
            names = [w for w in run.split() if w.lower() not in _CONNECTORS]
            new = [w for w in names if stem(w) not in asked and w.lower() not in known and stem(w) not in known]
            if len(names) >= 2 and new:
                return False
    return True


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
        wanted = _name_stems(variant) - {stem(w) for w in _CONNECTORS}
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
    """A text's words, letters and digits apart ("Core20" and "Core 20" name the same thing)."""
    return words(_LETTER_DIGIT.sub(" ", text))


def _name_sequence(text: str) -> list[str]:
    """The stems of a text's words in order, connectors ("and", "of") left out."""
    return [stem(w) for w in _name_words(text) if w.lower() not in _CONNECTORS]


def _holds_run(seq: list[str], run: list[str]) -> bool:
    """`run` occurs in `seq` as consecutive items."""
    n = len(run)
    return any(seq[i : i + n] == run for i in range(len(seq) - n + 1))


_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


def _name_stems(text: str) -> set[str]:
    """Stems of a text's words (connectors included)."""
    return {stem(w) for w in _name_words(text)}


def _describes_source(question: str, term: str, passages: Sequence[Passage]) -> bool:
    """The term names where evidence was given ("written evidence to the X Committee"), and a cited document is such evidence."""
    at = question.find(term)
    if at < 0:
        return False
    context = _SOURCE_WORDS.search(question[:at])
    if not context:
        return False
    word = context.group(1).lower()[:6]
    return any(word in f"{p.doc.title} {p.doc.kind}".lower() for p in passages)


def _quoted(terms: Sequence[str]) -> str:
    return ", ".join(f"“{t}”" for t in terms)


def abstention_reasons(
    uncovered: Sequence[str],
    unheard: Sequence[str] = (),
    unattributed: Sequence[str] = (),
    silent: Sequence[str] = (),
) -> list[str]:
    """One plain sentence per kind of gap, each term named once, in the order the checks run."""
    seen: set[str] = set()
    reasons = []
    for terms, template in (
        (uncovered, "Nothing in them covers {}."),
        (unheard, "No passage reports what {} said."),
        (unattributed, "Only other publishers' passages mention {}."),
        (silent, "{} says little about it; the passages that do are other publishers'."),
    ):
        new = [t for t in dict.fromkeys(terms) if t not in seen]
        seen.update(new)
        if new:
            reasons.append(template.format(_quoted(new)))
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


def closest_citations(evidence: Sequence[Evidence], index: Index) -> list[Citation]:
    """The best few sentences, as citations, offered when abstaining."""
    citations = CitationList()
    for e in evidence[:CLOSEST_SHOWN]:
        _cite(citations, index, e.sentence, e.passage)
    return citations.citations()


# the LLM seam -------------------------------------------------------------------------
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
