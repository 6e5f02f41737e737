"""Question analysis: what a question asks for, read from its words once.

The kind of answer wanted (a count, a date, other figures, a comparison), the specific terms the evidence must
cover (named things, places, years, figures), and what a how-many question counts. A Question wraps retrieval's Query (terms, publishers and documents named: Retriever.analyse), which
retrieval reads; scoring and declining read the rest rather than work it out again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cite import figure_core, figures, quantities
from assistant.glossary import MONTH_NAMES, NAME_CONNECTORS, Glossary, normalise
from assistant.retrieve import STOPWORDS, Query, content_terms, stem, words
from assistant.rewrite import split_context

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
# "What infant mortality rate does ...?", "What was LYPFT's capital allocation for ...?": a figure asked for by the noun
# naming it, the head of a noun phrase of at most seven words after "what" ("Which target ...?" asks which one). The
# words before it modify it: no determiner, preposition or auxiliary among them. Without a copula ("What X rate
# does/has/did ...?") an auxiliary must follow the noun, so "What drove growth ...?" or "What services lost funding?"
# (a verb before the noun) ask for no figure; after one ("What was the trust's deficit ...?") the phrase ends at a
# preposition, an auxiliary, "and", a time, a figure or the question's end, but not at "for?" (what it was for).
# "Gap" needs a word before it ("pay gap"): "What gap did the review find?" asks what.
FIGURE_NOUNS = "rate budget allocation target growth gap ratio spend spending cost deficit surplus income saving funding turnover".split()
_AUXILIARY = r"(?:has|have|had|do|does|did|is|are|was|were|will|would|can|could|should|might|must)\b"
_NOT_IN_NAME = (
    r"(?:the|a|an|this|that|these|those|their|its|his|her|our|of|for|from|on|in|to|with|by|about|as|at|when|where|while|who|"
    rf"which|if|whether|because|or|but|{_AUXILIARY})\b"
)
_NOUN_PHRASE = (
    rf"(?P<counted>(?:(?:(?!{_NOT_IN_NAME})[\w'’/-]+\s+){{0,6}}(?:{'|'.join(w for w in FIGURE_NOUNS if w != 'gap')})"
    rf"|(?:(?!{_NOT_IN_NAME})[\w'’/-]+\s+){{1,6}}gap)s?)"
)
_FIGURE_NOUN_Q = re.compile(
    rf"^\s*what\s+{_NOUN_PHRASE}(?=\s+{_AUXILIARY})"
    rf"|^\s*what(?:['’]s|\s+(?:was|is|were|are))\s+(?:(?:the|its|their|this|our|a)\s+)?{_NOUN_PHRASE.replace('counted', 'after_copula')}"
    rf"(?!\s+for\s*\?)(?=\s+(?:{_NOT_IN_NAME}|and\b|according\b|between\b|over\b|per\b|last\b|next\b|now\b|currently\b|\d)|\s*[?.,;:)]|\s*$)",
    re.IGNORECASE,
)
_COUNT_COPULA = re.compile(r"^(?:were|are|was|is) (?!there\b)", re.IGNORECASE)
_PART_OF = re.compile(r"^.*?\b(?:are|were|is|was)\s+(?!there\b)(.+)$", re.IGNORECASE)  # "of the 25 leaders were ICP chairs"
_COUNT_STOP = frozenset("did do does go goes went work works have has had were was are is will would could can get got".split())
MAX_TARGET_WORDS = 3
_UNCOUNTED = frozenset(("the", "of", "and", "a", "an", "their", "its", "nhs"))  # words of a counted phrase that name nothing
_MONEY_VERB = re.compile(r"\b(cost|costs|spend|spent|save|saved|pay|paid|worth|invest|invested)\b", re.IGNORECASE)
# What a money question counts: its figure must be an amount ("£4.2m"), unless the question asks for a share or a change
MONEY_WORDS = frozenset("funding money cost costs budget budgets allocation allocations spend spending saving savings income revenue".split())
MONEY_STEMS = frozenset(stem(w) for w in MONEY_WORDS) | {"money"}
# "How much must ICBs cut their running costs?", "By how much did agency spending fall?": a change of the money, which
# a share ("by 50%", "by half") gives as well as an amount; not "How much funding was allocated to reduce waiting lists?"
_CHANGE_WORDS = frozenset(
    """cut cuts reduce reduces reduced reducing reduction fall falls fallen fell rise rises risen rose increase increases
    increased increasing grow grows grown grew lower lowered decrease decreases decreased decreasing drop drops dropped
    shrink shrunk shrank""".split()
)
CHANGE_NEAR = 3  # words between the money and the change of it
SHARE_TOO = "%"  # in a money question's counted stems: a share answers it as well as an amount (a change of the money)
# Words naming what kind of answer is wanted, not what it is about.
ANSWER_TYPE_STEMS = frozenset(
    stem(w) for w in "percentage percent proportion share number amount figure figures sum fraction money total date year month day".split()
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
# Capitalised words that name no specific thing (domain staples and sentence furniture).
GENERIC_NAME_WORDS = frozenset(
    """nhs england english uk government parliament act trust trusts board boards system systems partnership partnerships
    integrated care health social the a an and of for in on to is are was were do does did what which who whom how why
    when where according would could should can may will has have compare both their its i""".split()
) | {m.lower() for m in MONTH_NAMES}  # a month dates, the year names
_CODED_NAME = re.compile(r"\b[A-Za-z]+[-–]?\d[\w-]*")  # "COVID-19", "Core20PLUS5", "ICS0034"
EARLIER_TERM_WEIGHT = 0.5  # a resolved follow-up's words from the earlier question weigh this much (dev follow-ups: 0.3/0.5/0.7 -> evidence +1/+3/+2)
# A question asking something itself: a question word or an auxiliary first ("What about ...?" asks nothing itself).
_ASKS = re.compile(
    r"^\W*(?:(?:and|but|so|also|then)\W+)?(?:(?:what|how)(?!\s+about\b)|which|who|whom|whose|when|where|why|is|are|was|were|do|does|did|"
    r"can|could|will|would|should|shall|has|have|had|may|might)\b",
    re.IGNORECASE,
)
# "What percentage/share of ...?" wants a proportion (declining._PROPORTION), not any number
_PROPORTION_Q = re.compile(r"\bwhat\s+(?:percentage|proportion|share|fraction)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question analysed once, at the start of Assistant.ask: what retrieval, scoring and declining read."""

    asked: str  # as the user wrote it
    text: str  # standalone: a follow-up resolved against the history
    query: Query  # for retrieval: content terms, glossary expansions, organisations, publishers and documents named
    numeric: str  # "" | "count" (how many/much, shares) | "time" (when) | "any" (other figures)
    comparison: bool
    specific: list[str]  # named things, places, years and figures the evidence must cover
    counted: list[str]  # what a how-many question counts (stems, see count_target); empty for other questions
    proportion: bool  # a what-percentage question: only a proportion answers it
    given: frozenset[str]  # figures the question states itself (they are no answer)
    weights: dict[str, float]  # content stems -> weight in a sentence's word overlap (IDF; earlier-question words less)
    figure_weights: dict[str, float]  # content stems a figure's context must cover (see term_weights)


def read_question(asked: str, text: str, query: Query, glossary: Glossary, idf: dict[str, float]) -> Question:
    """Analyse the standalone `text` (with its retrieval `query`) once; `idf` weighs its words by rarity in the documents."""
    asking = figure_asked(text)
    numeric = numeric_kind(asking)
    counted = count_target(asking) if numeric == "count" else []
    proportion = numeric == "count" and bool(_PROPORTION_Q.search(asking))
    return Question(
        asked=asked,
        text=text,
        query=query,
        numeric=numeric,
        comparison=bool(_COMPARISON_Q.search(text)) or len(query.publishers) >= 2,
        specific=specific_terms(text, glossary, query.publishers),
        counted=[] if proportion and wants_money(counted) else counted + [SHARE_TOO] * _changes_money(asking, counted),
        proportion=proportion,
        given=given_figures(text),
        weights=overlap_weights(query, glossary, idf),
        figure_weights=term_weights(query, idf, figure_clause(asking) if numeric in ("count", "time") else ""),
    )


def wants_money(counted: Sequence[str]) -> bool:
    """A how-much question counting money (count_target's stems): only an amount answers it, or a share too when the
    question asks how much the money changes (SHARE_TOO; declining._counts_target)."""
    return any(t in MONEY_STEMS for t in counted)


def _changes_money(question: str, counted: Sequence[str]) -> bool:
    """A money question asking by how much the money changes: a change word within CHANGE_NEAR words of a money word,
    not after "to" ("... allocated to reduce waiting lists" asks for an amount spent on a change, not the change)."""
    if not wants_money(counted):
        return False
    said = [w.lower() for w in words(question)]
    money = [i for i, w in enumerate(said) if w in MONEY_WORDS or _MONEY_VERB.fullmatch(w)]
    changes = [i for i, w in enumerate(said) if w in _CHANGE_WORDS and (i == 0 or said[i - 1] != "to")]
    return any(abs(i - j) <= CHANGE_NEAR + 1 for i in money for j in changes)


def overlap_weights(query: Query, glossary: Glossary, idf: dict[str, float]) -> dict[str, float]:
    """The question's content stems weighted by sentence IDF (a word no sentence has is as rare as it gets); a
    resolved follow-up's words from the earlier question only weigh EARLIER_TERM_WEIGHT as much."""
    wanted = {stem(w) for w in query.terms if " " not in w and w.lower() not in STOPWORDS}
    default_idf = max(idf.values(), default=1.0)
    earlier = _earlier_only(wanted, query.text, glossary)
    return {w: idf.get(w, default_idf) * (EARLIER_TERM_WEIGHT if w in earlier else 1.0) for w in wanted}


def figure_asked(text: str) -> str:
    """The part of a question that says what figure it wants: a resolved follow-up asking something of its own
    ("What did the regulator do about them (regarding: How many data breaches ...)?") wants what it asks, not what
    the earlier question asked; one that asks nothing itself ("The year before (regarding: What surplus ...)?")
    wants what the earlier one did."""
    own, earlier = split_context(text)
    return own if earlier is not None and _ASKS.match(own) else text


def numeric_kind(question: str) -> str:
    """The figure a question asks for: "count" (how many/much, shares), "time" (when), "any" (figures help) or ""."""
    if _YES_NO_Q.match(question):  # "Did they change how much the centre intervened?" asks no figure
        return "any" if _NUMERIC_Q.search(question) else ""
    if _DEGREE_Q.search(question):
        return ""
    if _STRICT_NUMERIC_Q.search(question) or _FIGURE_NOUN_Q.search(question):
        return "count"
    if _TIME_Q.search(question):
        return "time"
    return "any" if _NUMERIC_Q.search(question) else ""  # figures help, but none is required


def specific_terms(question: str, glossary: Glossary, publishers: Sequence[str] = ()) -> list[str]:
    """Figures/years, quoted phrases and capitalised names in the question that are not generic domain words."""
    terms = sorted(term_figures(question))  # "COVID-19" is a name, not the figure 19
    terms += [m.group(1) for m in re.finditer(r"[\"“]([^\"”]{3,60})[\"”]", question)]
    generic = generic_words(glossary)
    known = {normalise(n) for p in publishers for n in (p, p.removeprefix("The "))}
    known |= {normalise(n) for name, aliases in glossary.organisations.items() for n in (name, *aliases)}
    known |= {normalise(e) for es in glossary.acronyms.values() for e in es}
    def weak(w: str) -> bool:
        return w.lower() in NAME_CONNECTORS or _singular(possessive_stripped(w)).lower() in generic

    for run in capitalised_runs(_without_bodies(question, glossary, publishers)):
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


def term_figures(term: str) -> set[str]:
    """The figures of a text; those inside coded names ("Core20PLUS5", "COVID-19") don't count."""
    return figures(_CODED_NAME.sub(" ", term))


def possessive_stripped(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _singular(word: str) -> str:
    """"ICSs" -> "ICS" (acronym plurals)."""
    return word[:-1] if len(word) > 2 and word[-1] == "s" and word[:-1].isupper() else word


def generic_words(glossary: Glossary) -> set[str]:
    """Lower-cased words that name nothing specific: the glossary's acronyms and GENERIC_NAME_WORDS."""
    return {w.lower() for w in glossary.acronyms} | GENERIC_NAME_WORDS


def _without_bodies(text: str, glossary: Glossary, publishers: Sequence[str]) -> str:
    """The text with organisations and publishers replaced by " , " (a body ends a run of capitalised words)."""
    for _, start, end in reversed(glossary.organisation_spans(text)):
        text = text[:start] + " , " + text[end:]
    for publisher in publishers:
        text = re.sub(re.escape(publisher).replace("'", "['’]"), " , ", text, flags=re.IGNORECASE)
    return text


def capitalised_runs(text: str) -> list[str]:
    """Runs of capitalised words ("Cheshire and Merseyside ICB"); the text's first word, capitalised by its place
    in a question or sentence, is skipped."""
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9'’&-]*[A-Za-z0-9]|[A-Za-z]|\S", text)
    runs, current = [], []
    for i, token in enumerate(tokens):
        # "... oversight? Contrast ...", and a resolved follow-up's earlier question: "... (regarding: Besides ...)"
        opens = i == 0 or tokens[i - 1] in ("?", "!", ".", ":", "(")
        capital = token[:1].isupper() and not opens and token.lower() not in STOPWORDS - {"i"}
        if capital or (current and token.lower() in NAME_CONNECTORS):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return [" ".join(r).replace(" ’", "’") for r in runs]


def given_figures(question: str) -> frozenset[str]:
    """The quantities a question states itself (they are not answers)."""
    return frozenset(figure_core(f) or f for f in quantities(question))


def count_target(question: str) -> list[str]:
    """What a how-many question counts: "How many ICB board seats go to..." -> ["icb", "board", "seat"] (stems);
    "How many of the 25 leaders were ICP chairs?" -> ["icp", "chair"] (a part of a whole: what follows the copula)."""
    m = _COUNT_TARGET.search(question)
    if not m:
        named = None if _STRICT_NUMERIC_Q.search(question) else _FIGURE_NOUN_Q.search(question)
        return _noun_words(named.group("counted") or named.group("after_copula")) if named else []  # counts that rate
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
        if low in _UNCOUNTED or any(ch.isdigit() for ch in low):
            continue
        if low in STOPWORDS or low in _COUNT_STOP or len(out) == MAX_TARGET_WORDS:
            break
        out.append(stem(low))
    return out


def _noun_words(phrase: str) -> list[str]:
    """Stems of the last MAX_TARGET_WORDS words of a noun phrase ending in its head ("Surrey Heartlands ICB's total
    budget" -> ["total", "budget"]), an owner ("... ICB's", "... Hospitals'"), figures and articles left out."""
    owners = list(_POSSESSIVE.finditer(phrase))
    kept = [w.lower() for w in words(phrase[owners[-1].end() :] if owners else phrase) if not any(ch.isdigit() for ch in w)]
    return [stem(w) for w in kept if w not in _UNCOUNTED][-MAX_TARGET_WORDS:]


_POSSESSIVE = re.compile(r"\S+['’]s?(?=\s)")


def figure_clause(question: str) -> str:
    """The part of a question of several asks that asks for the figure: "When did the programme start" of "When did
    the programme start, and over what period is it meant to run?"; the whole question if it asks one thing."""
    parts = _NEXT_ASK.split(question)
    return next((p for p in parts if numeric_kind(p) in ("count", "time")), question) if len(parts) > 1 else question


_NEXT_ASK = re.compile(r"(?:,\s*|\s+)and\s+(?:(?:in|over|for|from|by|to|at|on|with|of|after|before|since|until)\s+)?(?=(?:what|how|when|who|whom|which|where|why|whether)\b)", re.IGNORECASE)


def term_weights(query: Query, idf: dict[str, float], clause: str = "") -> dict[str, float]:
    """The question's content stems weighted by sentence IDF (a word the documents never use weighs most); words
    naming the answer's type ("percentage", "amount") are left out: they say what is wanted, not what about. Given a
    `clause` (the part asking for a figure), only its words."""
    terms = query.terms
    if clause:
        terms = [t for t in terms if t.lower() in clause.lower()]
    own, earlier = split_context(query.text)
    if earlier is not None:  # a follow-up with the earlier question as context: the figure is about what it asks itself
        terms = [t for t in terms if t.lower() in own.lower()]
    alternates = set(query.expansions) - set(content_terms(query.text))  # "HSCC" for "Health and Social Care Committee"
    stems = {stem(w) for w in terms if " " not in w and w.lower() not in STOPWORDS and w not in alternates} - ANSWER_TYPE_STEMS
    unseen = max(idf.values(), default=1.0) + 1.0
    return {w: idf.get(w, unseen) for w in stems}


def _earlier_only(wanted: set[str], question: str, glossary: Glossary) -> set[str]:
    """The stems only the earlier question of a resolved follow-up has, proper names apart: "What difference would
    patients notice (regarding: How ... will ICSs redesign care pathways)?" is about patients first, pathways second;
    but in "When was it set up (regarding: What was One Northern Devon ...)?" the name is what "it" stands for.
    Acronyms and generic name words ("ICB", "NHS England") are no such name."""
    own, earlier = split_context(question)
    if earlier is None:
        return set()
    names = {stem(w) for w in words(earlier)[1:] if w[:1].isupper()} - {stem(w) for w in generic_words(glossary)}
    return wanted - {stem(w) for w in words(own)} - names
