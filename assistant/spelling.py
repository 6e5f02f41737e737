"""A question's typing slips, mended against the indexed documents' own words.

A policy officer types fast in a chat box. One slip in one word ("Skills Enfland", "recieve", "fundng") cost the
answers most of what it touched: the word matched nothing, and the decline checks read a word the documents never
use as a sign they cannot answer (one slip a question, `python -m eval.typos`, on the dev sets: answerable questions
declined 0.002 -> 0.140 on the seeds and 0 -> 0.182 on the dev corpus; mended, 0.035 and 0.016; eval/README.md,
round twenty-three).

A word is mended only when all of these hold:
- it has MIN_LETTERS letters or more, no figure, and is not written in capitals (an acronym is its own word);
- no indexed document uses it or another form of it (any case; its stem, as retrieval matches words: "devolving"
  where the documents write "devolved", "Fund's");
- and either it is one of the common misspellings codespell lists with one meaning ("recieve", "goverment",
  "orginisation": `misspellings()`, round twenty-four), the documents use the word it is meant to be, which it is
  mended to, and it is written in lower case in a question that uses capitals past a sentence's first letter, as
  one who writes names with capitals types (the list holds names' spellings too: "Waring", "Humber", "Claus"); or
  all of these hold:
- English has no such word at all (wordfreq has never seen it): a word or name the documents lack but English has
  ("Somerset", "Javid", "statins", "wariness") is what was asked, and stays for the decline checks. So do the
  misspellings English text itself is full of that codespell does not list: they cannot be told from rare words;
- one of the documents' words used at least MIN_USES times, with the same first letter (a slip seldom hits it, and
  "deprescribing" is not "prescribing"), is the nearest within max_edits() typing edits (a swapped pair of letters
  is one; two edits only for long words, and not both in the last letters, where another form of a word differs:
  "legislating" is not "legislation"), the most used of them if several are equally near and it is used DOMINANCE
  times as often as the next.
The mended question is what is searched and answered (the answer reports it as the question searched for); the
question as typed is kept for display.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import lru_cache
from importlib.resources import files
from os.path import commonprefix

import jellyfish

from assistant.casing import typed_in_lower_case
from assistant.retrieve import stem

MIN_LETTERS = 4  # shorter words have too many neighbours one edit away
KNOWN_ZIPF = 0.0  # wordfreq's zipf frequency (log10 per billion words) above which English uses a word: not a slip
MIN_USES = 2  # a document word used once may be a slip of the document's own
SUFFIX_LETTERS = 3  # two edits within a word's last this many letters make another form of it, not a slip
MENDS_KEPT = 10_000  # words looked up and what they were mended to, kept for the next question that has them
DOMINANCE = 3.0  # of two equally near words, the one mended to is used this many times as often as the other
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def max_edits(word: str) -> int:
    """Edits allowed for a word of this length: one up to seven letters, two from eight."""
    return 1 if len(word) < 8 else 2


def words(text: str) -> Iterable[str]:
    """The lower-cased words of a text, as the vocabulary counts them."""
    return (m.group(0).lower().replace("’", "'") for m in _WORD.finditer(text))


class Speller:
    """Mends a question's slips (see the module docstring) against the documents' words. Whether a word is known is
    read from `stems` (the stems of the documents' evidence sentences, which asking has at hand); the words
    themselves and their counts are read from `texts` only when a question first holds a word that is not, so that
    most questions, and a large index's cold start, never pay for it."""

    def __init__(self, stems: Collection[str], texts: Callable[[], Iterable[str]]) -> None:
        self.stems = stems
        self._texts = texts
        self._counts: Counter[str] | None = None
        self._by_start: dict[tuple[str, int], list[str]] = {}  # (first letter, length) -> the words used MIN_USES times
        self._mended: dict[tuple[str, bool], str | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Speller:
        """A speller over these texts alone (every word's stem known)."""
        return cls({stem(word) for word in {w for text in texts for w in words(text)}}, lambda: texts)

    @property
    def counts(self) -> Counter[str]:
        """How often the documents use each word (lower-cased), read once."""
        with self._lock:
            if self._counts is None:
                counts: Counter[str] = Counter()
                for text in self._texts():
                    counts.update(words(text))
                for word, n in counts.items():
                    if n >= MIN_USES and len(word) >= MIN_LETTERS - 1:
                        self._by_start.setdefault((word[0], len(word)), []).append(word)
                self._counts = counts
            return self._counts

    def correct(self, text: str) -> str:
        """The text with each slipped word mended (its case kept: "Enfland" -> "England"); unchanged if none is."""
        out, last = [], 0
        names_capitalised = not typed_in_lower_case(text)  # capitals beyond a sentence's first: a lower-case word is no name
        for match in _WORD.finditer(text):
            written = match.group(0)
            mended = self.mend(written, listed=names_capitalised and written.islower())
            if mended is not None:
                out += [text[last : match.start()], _cased(mended, written)]
                last = match.end()
        return "".join(out) + text[last:] if out else text

    def mend(self, written: str, listed: bool = False) -> str | None:
        """The document word a slipped word was meant to be, or None (not a slip, or no single nearest word). With
        `listed`, a common misspelling codespell lists is mended too: only for a word in lower case in a question
        that uses capitals past a sentence's first letter (one who does writes a name with them; a phone capitalises
        the first letter alone), since the list holds names' spellings too ("waring", "humber", "claus")."""
        word = written.lower().replace("’", "'")
        if len(word) < MIN_LETTERS or written.isupper() or any(c.isupper() for c in written[1:]) or stem(word) in self.stems:
            return None
        with self._lock:
            if (word, listed) in self._mended:
                return self._mended[word, listed]
        mended = self._nearest(word, listed)
        with self._lock:
            if len(self._mended) >= MENDS_KEPT:
                self._mended.clear()
            self._mended[word, listed] = mended
        return mended

    def _nearest(self, word: str, listed: bool) -> str | None:
        from wordfreq import zipf_frequency

        base, owner = (word[:-2], word[-2:]) if word.endswith("'s") else (word, "")  # "goverment's"
        meant = misspellings().get(base) if listed else None
        if meant is not None and stem(meant) in self.stems:  # "recieve", "goverment": a slip people make, listed
            return meant + owner
        if zipf_frequency(word, "en") > KNOWN_ZIPF or word in self.counts:  # English's, or the documents' (a heading's)
            return None
        reach = max_edits(word)
        near: list[tuple[int, int, str]] = []
        for length in range(len(word) - reach, len(word) + reach + 1):
            # the same first letter: a slip seldom hits it, and another word often differs there
            for candidate in self._by_start.get((word[0], length), ()):
                edits = jellyfish.damerau_levenshtein_distance(word, candidate)
                if edits == 1 or (edits == reach == 2 and len(commonprefix((word, candidate))) < len(word) - SUFFIX_LETTERS):
                    near.append((edits, -self.counts[candidate], candidate))
        if not near:
            return None
        near.sort()
        best = near[0]
        rivals = [n for n in near[1:] if n[0] == best[0]]
        if rivals and -best[1] < DOMINANCE * -rivals[0][1]:
            return None
        return best[2]


@lru_cache(maxsize=1)
def misspellings() -> dict[str, str]:
    """Common misspellings and the one word each is meant to be, from codespell's curated list (codespell_lib's
    dictionary.txt: "recieve->receive"); an entry with several candidates, or with a reason, is not one mend."""
    listed = files("codespell_lib").joinpath("data", "dictionary.txt").read_text(encoding="utf-8")
    out = {}
    for line in listed.splitlines():
        wrong, arrow, meant = line.partition("->")
        if arrow and meant and "," not in meant:
            out[wrong.strip().lower()] = meant.strip().lower()
    return out


def _cased(word: str, like: str) -> str:
    """`word` written as `like` is: capitalised if it is."""
    return word[:1].upper() + word[1:] if like[:1].isupper() else word
