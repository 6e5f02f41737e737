"""Hybrid retrieval: dense (Chroma), lexical (BM25) and best-sentence candidates, weighted reciprocal rank fusion.
No document is capped among the passages shown (a cap of 3 in 5 lost on both corpora: eval/README.md, round five).

The question is analysed once (content terms, glossary expansions, organisations named); each
organisation that publishes indexed documents also gets its own scoped dense + lexical lists, so a
question naming two publishers retrieves from both even when one document dominates the others.
The weight of each list is data (assistant/data/fusion.json), written by eval/train_fusion.py, which keeps a fitted
weighting only if it holds across corpora (none has yet, end to end: round one's hand-set weights stay).
An optional cross-encoder (settings.reranker) re-orders the fused head.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Protocol

import lemminflect

from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError
from assistant.glossary import INITIALS, Glossary, abbreviates, get_glossary, normalise
from assistant.index import Index
from assistant.types import Chunk, DocumentInfo, Filters, Passage

RRF_K = 60  # the usual reciprocal-rank-fusion constant: flattens the head so no single list dominates
# How much each candidate list counts in the fusion is data: eval/train_fusion.py fits it on each corpus's dev
# questions, and writes a fit here only if it holds on the other corpus (with what it was measured on).
FUSION_PATH = Path(__file__).resolve().parent / "data" / "fusion.json"
CANDIDATE_LISTS = ("dense", "lexical", "sentence", "scoped")  # scoped: dense + lexical within a named publisher/document
MIN_EMBED_TERMS = 3  # content words a question's topic needs to be embedded without its source descriptors
MIN_PASSAGES_SHOWN = 10  # passages reported in the answer (the contract asks for at least the top 10)
RERANK_DEPTH = 20  # fused candidates the cross-encoder re-scores
RERANK_BLEND = 0.5  # weight of the reranker's rank vs the fused rank when re-ordering
FOOTNOTES_SECTION = "Footnotes"  # cleaning moves footnotes under this final heading: references, rarely answers
FOOTNOTE_WEIGHT = 0.5  # fused score kept by a footnote chunk
NAMING_WINDOW = 3  # content words before a source noun ("the 2020 member survey") that may name a document
# Nouns that mark a reference to a document: "the Hewitt submission", "the first-days study".
SOURCE_NOUNS = frozenset(
    "evidence submission report study analysis paper review interviews interview survey response inquiry "
    "strategy plan guidance guideline guidelines framework briefing".split()
)

STOPWORDS = frozenset(
    """a about above according across after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing don't down during each either else ever few
    for from further had has have having he her here hers him his how however i if in into is isn't it its itself
    just may me might more most much must my no nor not now of off on once only or other ought our ours out over own
    per please same say says said she should so some such than that the their theirs them then there these they this
    those through to too under until up upon us very via was we were what when where whether which while who whom
    whose why will with within without would you your yours tell show describe explain give list mean think view views
    see seen saw find found according many documents document evidence source sources report reports regarding""".split()
)
# Words that frame a question rather than name its topic ("compare what X told Y about ...").
FRAMING_WORDS = frozenset(
    """compare comparison contrast agree agrees disagree differ differs difference differences similar both each
    suggest suggests suggested told tell tells argue argues argued claim claims think thinks believe believes
    feel feels raise raised make made put puts organisation organisations body bodies side sides want wants""".split()
)

# "written evidence to the Health and Social Care Committee": where something was said, not what.
_SOURCE_DESCRIPTOR = re.compile(
    r"(?:^|\s)['’]s?\s*(?:\d{4}\s+)?(?:written\s+)?(?:evidence|submission|report|response|paper|analysis|survey|interviews?)\b"
    r"(?:\s+(?:submitted\s+)?(?:to|for)\s+the(?:\s+(?:[A-Z][\w'’-]*|and|of|for|on))+)?"
    r"|\b(?:written\s+)?(?:evidence|submission)\s+(?:submitted\s+)?(?:to|for)\s+the(?:\s+(?:[A-Z][\w'’-]*|and|of|for|on))+"
)
_NAME_TOKEN = re.compile(r"[A-Za-z0-9]+")  # hyphens split: "first-days" names "The first days of ..."
_NOT_NAMING = STOPWORDS | SOURCE_NOUNS | FRAMING_WORDS
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'’.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")


class FilterError(AssistantError):
    """A retrieval filter is malformed or matches no indexed document."""


def words(text: str) -> list[str]:
    """Word tokens as written (keeps "2023/24"-style figures apart: "/" splits, "." inside numbers stays)."""
    return [w.replace("’", "'").rstrip(".") for w in _WORD.findall(text)]


_LEMMA_POS = ("VERB", "NOUN", "ADJ", "ADV")  # "spoke" is a verb form first ("speak"), a noun second


def lemma(word: str) -> str:
    """The dictionary form of a lower-cased word ("spoke" -> "speak", "services" -> "service"); the word if unknown."""
    found = lemminflect.getAllLemmas(word)
    for pos in _LEMMA_POS:
        if pos in found:
            return found[pos][0]
    return word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Lemma, then a light suffix strip ("boards" -> "board", "inspected" -> "inspect", "spoke" -> "speak")."""
    w = word.lower().replace("’", "'")
    if re.fullmatch(r"[a-z]*[^aeiou\W]ss", w):  # an acronym's plural ("ICSs" -> "ics"); English words have a vowel before "ss"
        return w[:-1]
    if w.endswith("'s"):
        w = w[:-2]
    w = lemma(w)
    for suffix in _SUFFIXES:
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    if len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]  # short plurals, acronyms above all: "icps" -> "icp"
    return w


def irregular_forms(term: str) -> list[str]:
    """Inflections of a word that a suffix-stripping index cannot match to it ("speak" -> "spoke", "spoken")."""
    if " " in term or not term.isalpha():
        return []
    base = lemma(term.lower())
    forms = {f for fs in lemminflect.getAllInflections(base).values() for f in fs} | {base}
    root = base[: max(3, len(base) - 2)]
    return sorted(f for f in forms if not f.startswith(root) and f != term.lower())


def lexical_terms(terms: Sequence[str]) -> list[str]:
    """The terms plus their irregular inflections, for the BM25 index (porter stemming misses "spoke" for "speak")."""
    return list(dict.fromkeys([*terms, *(f for t in terms for f in irregular_forms(t))]))


def content_terms(text: str) -> list[str]:
    """Lower-cased content words of a text (stopwords and one-letter words dropped), in order, unique."""
    out = [w.lower() for w in words(text) if w.lower() not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    out = [w for w in out if w not in FRAMING_WORDS]
    return list(dict.fromkeys(out))


def content_stems(text: str) -> set[str]:
    """Stems of the content words of a text."""
    return {stem(w) for w in content_terms(text)}


def _naming_stems(doc: DocumentInfo, generic: frozenset[str]) -> set[str]:
    """Stems of the words naming a document (title, kind, year), without stopwords, source nouns and generic words."""
    text = f"{doc.title} {doc.kind} {doc.date[:4]}"
    return {stem(w) for w in _NAME_TOKEN.findall(text) if len(w) > 1 and w.lower() not in _NOT_NAMING} - generic


@lru_cache(maxsize=64)
def _distinctive(docs: tuple[DocumentInfo, ...], generic: frozenset[str]) -> dict[str, set[str]]:
    """doc_id -> naming stems no other of the documents shares (worked out once per set of documents, not per question)."""
    stems = {d.doc_id: _naming_stems(d, generic) for d in docs}
    return {i: s - set().union(*(o for j, o in stems.items() if j != i)) for i, s in stems.items()}


def documents_named(
    question: str, docs: Sequence[DocumentInfo], publishers: Sequence[str] = (), generic: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """Doc ids the question names ("the Hewitt submission", "the Confed's 2020 report") and the words naming them.

    A naming word is distinctive among all documents, or among the named publishers' documents; it counts when
    at most NAMING_WINDOW content words before a source noun, or when capitalised mid-question (a proper name)."""
    tokens = [(m.group(0), m.start()) for m in _NAME_TOKEN.finditer(question)]
    content = [
        (w, at) for w, at in tokens
        if len(w) > 1 and (w.lower() not in STOPWORDS or w.lower() in SOURCE_NOUNS)
        and not any(abbreviates(w, p) for p in publishers)  # "LCH" names the trust, not its "LCH Workforce Strategy"
    ]  # fmt: skip
    pools = [tuple(docs)] + [tuple(d for d in docs if d.publisher == p) for p in publishers]
    named: dict[str, None] = {}
    naming: dict[str, None] = {}
    for pool in pools:
        for doc_id, distinctive in _distinctive(pool, generic).items():
            for i, (w, at) in enumerate(content):
                if stem(w) not in distinctive:
                    continue
                near = [v for v, _ in content[i + 1 : i + 1 + NAMING_WINDOW] if v.lower() in SOURCE_NOUNS]
                if near or (w[0].isupper() and at > 0):
                    named[doc_id] = None
                    naming.update(dict.fromkeys([w, *near]))
    return list(named), list(naming)


@dataclass
class Query:
    """A question analysed for retrieval."""

    text: str
    embed_text: str  # the question with acronyms spelt out (the embedder knows words better than acronyms)
    terms: list[str]  # lexical terms: content words + glossary expansions (phrases searched as phrases)
    expansions: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # canonical names named in the question
    publishers: list[str] = field(default_factory=list)  # indexed publishers named in the question
    documents: list[str] = field(default_factory=list)  # doc ids the question names by title, kind or year


def _without_words(text: str, remove: Sequence[str]) -> str:
    """The text without the given words (the whole text if no content would be left)."""
    out = text
    for w in remove:
        out = re.sub(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])", " ", out)
    out = re.sub(r"\s+", " ", out).strip()
    return out if content_terms(out) else text


class SentenceSearch(Protocol):
    """Sentence-level dense search that answers with the chunks holding the best sentences."""

    def search_chunks(self, vector: Sequence[float], k: int, documents: Sequence[DocumentInfo]) -> list[tuple[Chunk, float]]: ...


@dataclass(frozen=True)
class FusionWeights:
    """The weight of each candidate list in reciprocal rank fusion (CANDIDATE_LISTS order), and what fitted it."""

    weights: tuple[float, ...]
    trained_on: str = ""

    def of(self, name: str) -> float:
        return self.weights[CANDIDATE_LISTS.index(name)]

    @classmethod
    def load(cls, path: Path = FUSION_PATH) -> FusionWeights:
        """The fitted weights stored at `path`; ConfigError (one line) if the file is missing or malformed."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            missing = [key for key in ("lists", "weights") if key not in data]
            if missing:
                raise ValueError(f"missing key {missing[0]!r}")
            if tuple(data["lists"]) != CANDIDATE_LISTS:
                raise ValueError(f"fitted for lists {data['lists']}, this code has {list(CANDIDATE_LISTS)}")
            weights = tuple(float(w) for w in data["weights"])
            if len(weights) != len(CANDIDATE_LISTS) or not all(math.isfinite(w) and w >= 0 for w in weights) or not any(weights):
                raise ValueError("needs one finite, non-negative weight per list, not all zero")
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(
                f"Cannot read the fusion weights {path} ({exc}); restore the shipped file (git checkout -- assistant/data/fusion.json) "
                "or refit it with `python -m eval.train_fusion --write`."
            ) from None
        return cls(weights, str(data.get("trained_on", "")))


@cache
def fusion_weights() -> FusionWeights:
    """The shipped fitted weights (read once)."""
    return FusionWeights.load()


@dataclass
class Candidates:
    """Each candidate list of one question, best first: name -> ranked chunk lists (scoped has one list per scope)."""

    lists: dict[str, list[list[Chunk]]] = field(default_factory=dict)
    dense_rank: dict[str, int] = field(default_factory=dict)
    lexical_rank: dict[str, int] = field(default_factory=dict)

    @cached_property
    def chunks(self) -> dict[str, Chunk]:
        """Chunk id -> chunk over every list (worked out once, when first read: after the lists are complete)."""
        return {c.id: c for ranked in self.lists.values() for lst in ranked for c in lst}


def fuse(candidates: Candidates, weights: FusionWeights, k: int = RRF_K) -> dict[str, float]:
    """Chunk id -> weighted reciprocal-rank-fusion score over the candidate lists; footnote chunks count less."""
    scores = rrf([([c.id for c in lst], weights.of(name)) for name, ranked in candidates.lists.items() for lst in ranked], k)
    chunks = candidates.chunks
    return {cid: s * (FOOTNOTE_WEIGHT if chunks[cid].section == FOOTNOTES_SECTION else 1.0) for cid, s in scores.items()}


class Reranker(Protocol):
    """Scores (query, passage text) pairs; higher is more relevant."""

    def score(self, query: str, texts: Sequence[str]) -> list[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers cross-encoder loaded from a model name or local folder (never a hub download)."""

    def __init__(self, name: str) -> None:
        try:
            from sentence_transformers import CrossEncoder

            self.model = CrossEncoder(name, device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure means the same thing to the user
            raise ConfigError(
                f"Cannot load the reranker {name!r} ({type(exc).__name__}); set ASSISTANT_RERANKER to a local "
                "cross-encoder folder or leave it empty."
            ) from None
        self._lock = threading.Lock()

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        with self._lock:
            return [float(s) for s in self.model.predict([(query, t) for t in texts], show_progress_bar=False)]


def make_reranker(settings: Settings) -> Reranker | None:
    """The configured cross-encoder, or None when settings.reranker is empty (the default)."""
    return CrossEncoderReranker(settings.reranker) if settings.reranker else None


def rrf(ranked_lists: Sequence[tuple[Sequence[str], float]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion: id -> sum of weight / (k + rank) over the lists (rank 1-based)."""
    scores: dict[str, float] = {}
    for ids, weight in ranked_lists:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def rerank_order(fused: Sequence[str], scores: Sequence[float], blend: float = RERANK_BLEND) -> list[str]:
    """Blend the fused order with a reranker's order (by rank, so score scales never matter)."""
    by_score = sorted(range(len(fused)), key=lambda i: -scores[i])
    rerank_pos = {fused[i]: pos for pos, i in enumerate(by_score)}
    return sorted(fused, key=lambda cid: (1 - blend) * fused.index(cid) + blend * rerank_pos[cid])


def validate_date(value: str, name: str) -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or a FilterError naming the option."""
    if value and not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
        raise FilterError(f"{name} {value!r} is not a date like 2022, 2022-10 or 2022-10-31.")
    return value


class Retriever:
    """Hybrid retrieval over an Index. Thread-safe: holds no per-query state."""

    def __init__(
        self,
        index: Index,
        glossary: Glossary | None = None,
        reranker: Reranker | None = None,
        sentences: SentenceSearch | None = None,
    ) -> None:
        self.index = index
        self.glossary = glossary or get_glossary()
        self.reranker = reranker
        self.sentences = sentences
        self._docs: dict[str, DocumentInfo] = {}
        self._docs_lock = threading.Lock()
        self._publishers: list[str] | None = None  # worked out once per set of documents (refresh() forgets them)
        self._generic: frozenset[str] | None = None

    # documents --------------------------------------------------------------
    def documents(self) -> dict[str, DocumentInfo]:
        """doc_id -> DocumentInfo, cached (refresh() after an ingest)."""
        with self._docs_lock:
            if not self._docs:
                self._docs = {d.doc_id: d for d in self.index.documents()}
            return self._docs

    def refresh(self) -> None:
        with self._docs_lock:
            self._docs = {}
            self._publishers = None
            self._generic = None

    def publishers(self) -> list[str]:
        if self._publishers is None:
            self._publishers = sorted({d.publisher for d in self.documents().values() if d.publisher})
        return list(self._publishers)

    def allowed(self, filters: Filters | None) -> list[str] | None:
        """Doc ids passing the filters (None = all); FilterError when the filters match nothing."""
        if not filters:
            return None
        validate_date(filters.since, "--since")
        validate_date(filters.until, "--until")
        ids = self.index.allowed_doc_ids(filters)
        if ids is not None and not ids:
            known = "; ".join(f"{d.source} ({d.publisher}, {d.date}, {d.kind})" for d in self.documents().values())
            raise FilterError(f"No indexed document matches the filters {filters.to_json()}; indexed: {known}.")
        return ids

    # analysis ---------------------------------------------------------------
    def analyse(self, question: str) -> Query:
        """Content terms, glossary expansions, organisations, and indexed publishers and documents named in the question."""
        organisations = self.glossary.organisations_in(question)
        publishers = self._publishers_named(question, organisations)
        documents, naming = documents_named(question, list(self.documents().values()), publishers, self._generic_words())
        # Who said it, and where, is handled by scoped retrieval; the topic is what the text must match.
        unattributed = self._without_publishers(question, publishers)
        topic = _without_words(unattributed, naming)
        expansions = self.glossary.expansions(topic)
        topic_terms = content_terms(topic)
        terms = list(dict.fromkeys(topic_terms + expansions))
        # A topic of one word ("On what date did [NHS Providers] send its [evidence to the Hewitt Review]?") is too thin
        # to embed: the embedder then gets the whole question.
        embed = topic if len(topic_terms) >= MIN_EMBED_TERMS else question
        return Query(question, self.glossary.expand_for_embedding(embed), terms, expansions, organisations, publishers, documents)

    def _generic_words(self) -> frozenset[str]:
        """Stems of domain words (glossary terms, publisher names) that name no particular document."""
        if self._generic is None:
            self._generic = self._domain_stems()
        return self._generic

    def _domain_stems(self) -> frozenset[str]:
        """The stems of every glossary phrase and publisher name."""
        g = self.glossary
        phrases = [*g.acronyms, *(e for es in g.acronyms.values() for e in es), *(s for group in g.synonyms for s in group)]
        phrases += [n for name, aliases in g.organisations.items() for n in (name, *aliases)] + self.publishers()
        return frozenset(stem(w) for p in phrases for w in _NAME_TOKEN.findall(p))

    def _without_publishers(self, question: str, publishers: Sequence[str]) -> str:
        """The question with mentions of the named publishers removed (the whole question if nothing is left)."""
        if not publishers:
            return question
        topic = question
        for name, start, end in reversed(self.glossary.organisation_spans(question)):
            if name in publishers:
                topic = topic[:start] + topic[end:]
        for publisher in publishers:  # publishers missing from the glossary: drop their name as written, or short
            topic = re.sub(re.escape(publisher).replace("'", "['’]"), " ", topic, flags=re.IGNORECASE)
            for start, end in reversed(self.glossary.names_short(topic, publisher)):
                topic = topic[:start] + " " + topic[end:]
        topic = _SOURCE_DESCRIPTOR.sub(" ", topic)
        topic = re.sub(r"\s+", " ", topic).strip()
        return topic if content_terms(topic) else question

    def _publishers_named(self, question: str, organisations: Sequence[str]) -> list[str]:
        """Publishers the question names: by name, as a glossary organisation, by their name without its legal form
        ("Leeds Teaching Hospitals": Glossary.short_name), or by an acronym of their name that the glossary does not
        define otherwise ("LTHT": Leeds Teaching Hospitals NHS Trust; see glossary.abbreviates)."""
        text = normalise(question)
        acronyms = [a for a in dict.fromkeys(INITIALS.findall(question)) if a not in self.glossary.acronyms]
        named = []
        for publisher in self.publishers():
            p = normalise(publisher)
            short = p[4:] if p.startswith("the ") else p
            if short in text or any(normalise(o) in (p, short, "the " + short) for o in organisations):
                named.append(publisher)
            elif self.glossary.names_short(question, publisher):  # "Leeds Teaching Hospitals", without "NHS Trust"
                named.append(publisher)
            elif any(abbreviates(a, publisher) for a in acronyms):
                named.append(publisher)
        return named

    # search -----------------------------------------------------------------
    def search(
        self,
        query: Query,
        filters: Filters | None = None,
        top_k: int = 5,
        candidates: int = 30,
        vector: Sequence[float] | None = None,
        weights: FusionWeights | None = None,
    ) -> list[Passage]:
        """Ranked passages: fused with the learned list weights, optionally reranked; at least MIN_PASSAGES_SHOWN
        when available. No document is capped: capping one at 3 of the first 5 (and then of the first 10) kept the
        answer out of sight when a question is about one long document (eval/README.md, round five)."""
        allowed = self.allowed(filters)
        if vector is None:
            vector = self.index.embed_query(query.embed_text)
        found = self.candidates(query, allowed, vector, candidates, top_k)
        chunks = found.chunks
        fused = fuse(found, weights or fusion_weights())
        order = sorted(fused, key=lambda cid: -fused[cid])
        scores = dict(fused)
        if self.reranker is not None and order:
            head = order[:RERANK_DEPTH]
            rerank_scores = self.reranker.score(query.text, [chunks[c].text for c in head])
            order = rerank_order(head, rerank_scores) + order[RERANK_DEPTH:]
            scores.update({cid: s for cid, s in zip(head, rerank_scores, strict=True)})
        docs = self.documents()
        shown = order[: max(MIN_PASSAGES_SHOWN, top_k)]
        return [
            Passage(rank, chunks[cid], docs.get(chunks[cid].doc_id) or self._doc(chunks[cid].doc_id), scores[cid],
                    found.dense_rank.get(cid), found.lexical_rank.get(cid))
            for rank, cid in enumerate(shown, start=1)
        ]

    def candidates(
        self, query: Query, allowed: Sequence[str] | None, vector: Sequence[float], n: int = 30, scoped_n: int = 5
    ) -> Candidates:
        """The candidate lists fusion combines: dense, lexical (BM25) and best-sentence search over the allowed
        documents, n each; and dense + lexical within each publisher or document the question names, scoped_n each."""
        dense = [c for c, _ in self.index.dense(vector, n, allowed)]
        terms = lexical_terms(query.terms)
        lexical = [c for c, _ in self.index.lexical(terms, n, allowed)] if terms else []
        out = Candidates({"dense": [dense], "lexical": [lexical]})
        if self.sentences is not None:
            docs = [d for d in self.documents().values() if allowed is None or d.doc_id in allowed]
            out.lists["sentence"] = [[c for c, _ in self.sentences.search_chunks(vector, n, docs)]]
        out.lists["scoped"] = []
        for ids in self._scoped_doc_ids(query, allowed):
            out.lists["scoped"].append([c for c, _ in self.index.dense(vector, scoped_n, ids)])
            out.lists["scoped"].append([c for c, _ in self.index.lexical(terms, scoped_n, ids)] if terms else [])
        out.dense_rank = {c.id: i for i, c in enumerate(dense, start=1)}
        out.lexical_rank = {c.id: i for i, c in enumerate(lexical, start=1)}
        return out

    def _scoped_doc_ids(self, query: Query, allowed: Sequence[str] | None) -> list[list[str]]:
        """For each publisher the question names, its documents (only those named, if any); each other document named."""
        docs = self.documents()
        scopes = []
        for publisher in query.publishers:
            ids = [i for i, d in docs.items() if d.publisher == publisher and (allowed is None or i in allowed)]
            scopes.append([i for i in ids if i in query.documents] or ids)
        scopes += [[i] for i in query.documents if i in docs and docs[i].publisher not in query.publishers and (allowed is None or i in allowed)]
        return [ids for ids in scopes if ids]

    def _doc(self, doc_id: str) -> DocumentInfo:
        """A document ingested after the cache was filled."""
        self.refresh()
        return self.documents().get(doc_id) or DocumentInfo(doc_id=doc_id, source=doc_id, title=doc_id)
