"""Long runs of words with no sentence end, cut into sentence-sized units where a learned model puts sentence ends.

Speech written down without punctuation (a meeting transcript pasted without its caption times, an automatic
transcript with its timings removed) reaches the index as paragraphs of hundreds of words with no full stop. As
one "sentence" it cannot be quoted: the answer would cite a page of text. Caption files with times are cut at
their pauses (ingest/transcript.py); here there is nothing but the words.

Where a sentence ends is learned, not listed: a logistic regression over the words either side of each gap
between two words (assistant/data/boundaries.json, fitted by eval/train_boundaries.py on the punctuated
sentences of both corpora, lower-cased and with the punctuation removed, so it reads speech as ASR writes it).
A run is cut where the cuts together are most likely (the sum of their log-odds is largest) with every unit
MIN_WORDS to MAX_WORDS words long: a confident sentence end is taken; with none, the least unlikely place.

A unit ends with a full stop after its last word (a trailing comma or semicolon becomes it) and starts with a
capital ("i" becomes "I" too), as edits (ingest.repair.Edit) of the cleaned text, so the page map stays exact and every unit is stored text. Text
that already has its sentence ends is never touched: only a stretch of RUN_WORDS words or more without one is a
run (the longest real sentence in the 23 documents of both corpora is 98 words), and only a document whose runs
hold RUN_SHARE of its words is cut at all; in such a document every stretch of SPOKEN_WORDS or more is made units
(a short turn of speech is unpunctuated too). Written documents have a few such stretches, flattened lists mostly
(three of the 23 documents, under 1% of their words): a full stop put in the middle of a list item would make a
quote say what the document does not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.repair import Edit
from ingest.transcript import TRAILING, ends_sentence

MODEL_PATH = Path(__file__).resolve().parent.parent / "assistant" / "data" / "boundaries.json"
RUN_WORDS = 100  # a stretch this long without a sentence end is speech without punctuation, not a long sentence
MIN_WORDS, MAX_WORDS = 5, 40  # a unit's length in words (transcript.py's caption units are at most 40 too)
SPOKEN_WORDS = 14  # in such speech, a stretch this long is a unit too (a shorter unended line may be a title: left as is)
RUN_SHARE = 0.3  # ... and a document is such speech when its runs hold this share of its words at least
PROSE_SHARE = 0.7  # a run is words: at least this share of its tokens alphabetic (not a flattened table of figures)
EDGE = "<s>"  # the token before the first word and after the last
SPEECH = "speech"  # the loader's mark (metadata "transcript") on such a document: its kind is "transcript"

_WORD = re.compile(r"\S+")
_PRONOUN_I = re.compile(r"i(?:['’](?:m|ve|d|ll))?")  # "i", "i'm" ...: ASR's lower-case pronoun
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


def runs(text: str, at_least: int = RUN_WORDS) -> Iterator[list[tuple[int, int]]]:
    """The runs of the text: the (start, end) of each word of a stretch of `at_least` words or more within a line,
    with no sentence end, mostly alphabetic (a table's row of figures is not speech)."""
    for line in re.finditer(r"[^\n]+", text):
        if line.group(0).lstrip().startswith(("#", "|")):
            continue
        stretch: list[tuple[int, int]] = []
        for m in _WORD.finditer(line.group(0)):
            stretch.append((line.start() + m.start(), line.start() + m.end()))
            if ends_sentence(text, line.start() + m.start(), line.start() + m.end()):
                yield from _if_run(text, stretch, at_least)
                stretch = []
        yield from _if_run(text, stretch, at_least)


def _if_run(text: str, words: list[tuple[int, int]], at_least: int) -> Iterator[list[tuple[int, int]]]:
    if len(words) >= at_least and sum(text[a:b].strip(_STRIP).isalpha() for a, b in words) >= PROSE_SHARE * len(words):
        yield words


def _mostly_runs(text: str) -> bool:
    return sum(map(len, runs(text))) >= RUN_SHARE * len(_WORD.findall(text))


def is_speech(raw: str) -> bool:
    """Whether a file as loaded is speech written down without punctuation: its runs, with the lines of each
    paragraph joined as cleaning joins them (an ASR export has a line every few words), hold RUN_SHARE of its words."""
    return _mostly_runs(re.sub(r"(?<=\S)[ \t]*\n(?=[ \t]*\S)", " ", raw))


def cut_edits(text: str, model: BoundaryModel | None = None) -> list[Edit]:
    """The edits that cut every run of the text into units: a full stop after each unit's last word (replacing a
    trailing comma, semicolon or dash), a capital letter on each unit's first, and "I" for ASR's lower-case "i".
    In a document that is such speech, every stretch of SPOKEN_WORDS or more is a unit or cut into units, not only the
    RUN_WORDS ones."""
    if not _mostly_runs(text):
        return []  # written text with a few long run-on passages (flattened lists): cutting would put words in its mouth
    found = list(runs(text, SPOKEN_WORDS))
    model = model or shipped_model()
    edits: list[Edit] = []
    for words in found:
        tokens = [token(text[a:b]) for a, b in words]
        cuts = segment(model.log_odds(tokens), len(words))
        closed = ends_sentence(text, *words[-1])
        for i in [*cuts] if closed else [*cuts, len(words) - 1]:  # the run's last word ends a unit too
            start, end = words[i]
            trailing = TRAILING.search(text, start, end)
            edits.append(Edit(trailing.start() if trailing and trailing.start() > start else end, end, "."))
        for i in [0, *(c + 1 for c in cuts)]:  # a unit starts with a capital
            start = words[i][0]
            if text[start].islower():
                edits.append(Edit(start, start + 1, text[start].upper()))
        edits += [Edit(a, a + 1, "I") for a, b in words if _PRONOUN_I.fullmatch(text, a, b)]
    return sorted(set(edits), key=lambda e: (e.start, e.end))
