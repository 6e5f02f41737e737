"""Speech written down without punctuation, cut into sentence-sized units where a learned model puts sentence ends.

Speech written down without punctuation (a meeting transcript pasted without its caption times, an automatic
transcript with its timings removed) reaches the index as paragraphs of hundreds of words with no full stop. As
one "sentence" it cannot be quoted: the answer would cite a page of text. Caption files with times are cut at
their pauses (ingest/transcript.py); here there is nothing but the words.

Such a document is told by how rarely its sentences end: WORDS_PER_END words or more per sentence end over its
lines of running text (headings, table rows and list items aside). The 23 written documents of both corpora have 20 to 47; a transcript
without punctuation has hundreds, or none at all. Written documents are never touched: their long run-on passages
(flattened lists, mostly) stay as they are, since a full stop in the middle of a list item would make a quote say
what the document does not.

In speech, every stretch of SPOKEN_WORDS words or more with no sentence end is made units. Where a sentence ends is
learned, not listed: a logistic regression over the words either side of each gap between two words
(assistant/data/boundaries.json, fitted by eval/train_boundaries.py on the punctuated sentences of both corpora,
lower-cased and with the punctuation removed, so it reads speech as ASR writes it). A stretch is cut where the cuts
together are most likely (the sum of their log-odds is largest) with every unit MIN_WORDS to MAX_WORDS words long: a
confident sentence end is taken; with none, the least unlikely place, never one that leaves the sense hanging
(HANGING: "more than four. Hundred beds" would misquote).

A unit ends with a full stop after its last word (a trailing comma or semicolon becomes it) and starts with a
capital ("i" becomes "I" too), as edits (ingest.repair.Edit) of the cleaned text, so the page map stays exact and
every unit is stored text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.cite import LIST_MARKER
from ingest.repair import Edit
from ingest.transcript import MAX_UNIT_WORDS, PRONOUN_I, TOKEN, TRAILING, UNENDING, UNSTARTING, ends_sentence, label_end

MODEL_PATH = Path(__file__).resolve().parent.parent / "assistant" / "data" / "boundaries.json"
WORDS_PER_END = 100  # a document with this many words or more per sentence end is speech without punctuation
MIN_WORDS, MAX_WORDS = 5, MAX_UNIT_WORDS  # a unit's length in words (at most as long as a caption file's units)
SPOKEN_WORDS = 14  # in such speech, a stretch this long is made units (a shorter unended line may be a title: left as is)
PROSE_SHARE = 0.7  # a run is words: at least this share of its tokens alphabetic (not a flattened table of figures)
EDGE = "<s>"  # the token before the first word and after the last
HANGING = 10.0  # log-odds taken off a gap that leaves the sense hanging ("more than | four", "four | hundred")

_CHANGE_MARK = re.compile(r">>+")  # a captioner's mark of a new speaker, kept when the times were taken out
_STRIP = "\"'“”‘’()[]{}<>*_,.;:!?…–—-"


def token(word: str) -> str:
    """A word as the model reads it: lower case, without surrounding punctuation; any word with a digit is "0".
    (Reading number words as "0" too was measured and dropped: mean cross-corpus F1 0.331 -> 0.328.)"""
    bare = word.strip(_STRIP).lower()
    return "0" if any(c.isdigit() for c in bare) else bare


def gap_features(tokens: Sequence[str], i: int) -> list[str]:
    """The features of the gap after tokens[i]: the two words either side, alone and in pairs; the ending of the word
    before and the ending and start of the word after, which carry over to words the corpora never had
    (eval/README.md: mean cross-corpus F1 0.322 without them, 0.332 with)."""

    def at(k: int) -> str:
        return tokens[k] if 0 <= k < len(tokens) else EDGE

    a2, a, b, b2 = at(i - 1), at(i), at(i + 1), at(i + 2)
    return [
        f"a:{a}", f"b:{b}", f"a2:{a2}", f"b2:{b2}", f"ab:{a}|{b}", f"aa:{a2}|{a}", f"bb:{b}|{b2}",
        f"as:{a[-3:]}", f"bs:{b[-3:]}", f"bp:{b[:3]}",
    ]  # fmt: skip


@dataclass(frozen=True)
class BoundaryModel:
    """log-odds that a sentence ends in a gap = bias + the sum of its features' weights (unknown features weigh 0)."""

    weights: dict[str, float]
    bias: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> BoundaryModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(dict(data["weights"]), float(data["bias"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(
                f"Cannot read the sentence-boundary model {path} ({exc}); restore the shipped file "
                "(git checkout -- assistant/data/boundaries.json) or refit it (python -m eval.train_boundaries --write)."
            ) from exc

    def log_odds(self, tokens: Sequence[str]) -> list[float]:
        """For each gap after tokens[0..n-2], the log-odds that a sentence ends there."""
        w = self.weights
        return [self.bias + sum(w.get(f, 0.0) for f in gap_features(tokens, i)) for i in range(len(tokens) - 1)]


@lru_cache(maxsize=1)
def shipped_model() -> BoundaryModel:
    return BoundaryModel.load()


def segment(log_odds: Sequence[float], n: int, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[int]:
    """The words after which units of n words end (n-1 excluded): the cuts with the largest summed log-odds such that
    every unit is min_words..max_words long."""
    if n <= max_words:
        return []
    best = [-math.inf] * (n + 1)  # best[j]: best total for the first j words ending a unit at j
    back = [0] * (n + 1)
    best[0] = 0.0
    for j in range(min_words, n + 1):
        gain = 0.0 if j == n else log_odds[j - 1]
        for k in range(max(0, j - max_words), j - min_words + 1):
            if best[k] > -math.inf and best[k] + gain > best[j]:
                best[j], back[j] = best[k] + gain, k
    cuts, j = [], n
    while j > 0:
        j = back[j]
        if j > 0:
            cuts.append(j - 1)
    return sorted(cuts)


def _prose_lines(text: str, items: bool = True) -> Iterator[tuple[int, list[re.Match[str]]]]:
    """(start, words) of each line of running text: not a heading or a table row, nor a list item unless `items`."""
    for line in re.finditer(r"[^\n]+", text):
        body = line.group(0)
        if body.lstrip().startswith(("#", "|")) or (not items and LIST_MARKER.match(body)):
            continue
        yield line.start(), list(TOKEN.finditer(body))  # a captioner's ">>" a token of its own


def runs(text: str, at_least: int) -> Iterator[list[tuple[int, int]]]:
    """The runs of the text: the (start, end) of each word of a stretch of `at_least` words or more within a line of
    running text (in speech, a line opening "- " is said too), with no sentence end, mostly alphabetic (a table's row
    of figures is not speech). A captioner's ">>" ends a stretch too, and is no word of it: a stretch it bounds is one
    speaker's turn, a run however short (no title)."""
    for at, found in _prose_lines(text):
        stretch: list[tuple[int, int]] = []
        marked = False  # a ">>" came before the stretch
        for m in found:
            if _CHANGE_MARK.fullmatch(m.group(0)):
                yield from _if_run(text, stretch, 1)
                stretch, marked = [], True
                continue
            stretch.append((at + m.start(), at + m.end()))
            if ends_sentence(text, *stretch[-1]):
                yield from _if_run(text, stretch, 1 if marked else at_least)
                stretch, marked = [], False
        yield from _if_run(text, stretch, 1 if marked else at_least)


def mark_edits(text: str) -> list[Edit]:
    """A captioner's ">>" in running text leaves it: between two words, for a paragraph break (the next speaker's
    turn); at a line's start or end, with the spaces beside it."""
    edits = []
    for at, found in _prose_lines(text):
        marked = [_CHANGE_MARK.fullmatch(m.group(0)) is not None for m in found]
        k = 0
        while k < len(found):
            if not marked[k]:
                k += 1
                continue
            first = k  # a run of marks: found[first:k]
            while k < len(found) and marked[k]:
                k += 1
            before = found[first - 1] if first else None
            after = found[k] if k < len(found) else None
            if before is not None and after is not None:
                edits.append(Edit(at + before.end(), at + after.start(), "\n\n"))
            else:
                edits.append(Edit(at + (before.end() if before else found[first].start()), at + (after.start() if after else found[k - 1].end()), ""))
    return edits


def _if_run(text: str, words: list[tuple[int, int]], at_least: int) -> Iterator[list[tuple[int, int]]]:
    if len(words) >= at_least and sum(text[a:b].strip(_STRIP).isalpha() for a, b in words) >= PROSE_SHARE * len(words):
        yield words


def is_speech(text: str) -> bool:
    """Whether a document is speech written down without punctuation: WORDS_PER_END words or more (and at least
    that many words) per sentence end, over its lines of running text (not headings, table rows or list items)."""
    words = ends = 0
    for at, found in _prose_lines(text, items=False):  # a list of unended items is no speech
        words += len(found)
        ends += sum(ends_sentence(text, at + m.start(), at + m.end()) for m in found)
    return words >= WORDS_PER_END and words >= WORDS_PER_END * ends


def gap_scores(model: BoundaryModel, tokens: Sequence[str]) -> list[float]:
    """The model's log-odds of a sentence end in each gap, less HANGING where a cut would leave the sense hanging:
    after a word such as "the", "of" or "than", or before "hundred", "million", "per cent" (transcript.py's lists,
    which caption files' length cuts respect too)."""
    odds = model.log_odds(tokens)
    return [o - HANGING if tokens[i] in UNENDING or tokens[i + 1] in UNSTARTING else o for i, o in enumerate(odds)]


def cut_edits(text: str, model: BoundaryModel | None = None) -> list[Edit]:
    """The edits that make every stretch of SPOKEN_WORDS or more with no sentence end units, in a document that is
    speech written down without punctuation (the caller asks is_speech first: a written document is never cut): a full
    stop after each unit's last word (replacing a trailing comma, semicolon or dash), a capital letter on each unit's
    first, and "I" for ASR's lower-case "i"; a captioner's ">>" leaves the text (mark_edits)."""
    found = list(runs(text, SPOKEN_WORDS))
    model = model or shipped_model()
    edits: list[Edit] = []
    for words in found:
        tokens = [token(text[a:b]) for a, b in words]
        cuts = segment(gap_scores(model, tokens), len(words))
        for i in [*cuts, len(words) - 1]:  # the run's last word ends a unit too
            start, end = words[i]
            if text[end - 1] in ".!?…":  # a sentence end already, or "etc.", "Dr.": no second full stop
                continue
            trailing = TRAILING.search(text, start, end)
            edits.append(Edit(trailing.start() if trailing and trailing.start() > start else end, end, "."))
        said = label_end(text, words[0][0])  # after a speaker's label ("Sarah Jones:"), if one opens the stretch
        first = next((k for k, (a, _) in enumerate(words) if a >= said), 0) if said is not None else 0
        while first < len(words) - 1 and not text[words[first][0]].isalnum():  # past a list marker ("- ")
            first += 1
        for i in [first, *(c + 1 for c in cuts)]:  # a unit starts with a capital
            start = words[i][0]
            if text[start].islower():
                edits.append(Edit(start, start + 1, text[start].upper()))
        edits += [Edit(a, a + 1, "I") for a, b in words if PRONOUN_I.fullmatch(text[a:b].rstrip(",;:.!?…"))]
    return sorted(set(edits + mark_edits(text)), key=lambda e: (e.start, e.end))
