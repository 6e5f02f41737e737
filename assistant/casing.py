"""A question typed in lower case, written with the capitals the documents give its words.

A policy officer typing fast in a chat box often leaves out capitals: "what did lch say about skills england?".
Asking reads capitals in several places: a body named in the question ("Skills England"), initials ("LCH"), the
capitalised names the decline checks look for in the passages. Typed in lower case, the dev corpus's dev questions
lost hit@5 0.866 -> 0.829, evidence 0.765 -> 0.727, and 7 of the 12 decoys they declined (eval/README.md, round
twenty-four).

A question is recased only when it is typed in lower case: no capital but the ones its place gives a word (opening
the question or a sentence, or the word "I"). A question that writes a name with capitals anywhere is taken as
written. Then, stopwords always left as typed ("who" is not "WHO", "the" not "The"):
- a body's name that the glossary or the documents' publishers know, in any case, is written as it is written there
  ("nhs providers" -> "NHS Providers");
- each other word typed in lower case is written as the documents most often write it in running text, if that form
  is not lower case, is seen in at least MIN_SEEN places and is SHARE of the places counted ("lch" -> "LCH", "leeds"
  -> "Leeds"; "trust" stays "trust" unless the documents nearly always write "Trust"); a word opening a sentence
  only when that form has capitals inside ("Lch" -> "LCH");
- each run of two to MAX_WORDS words that opens and ends with a word that is not a stopword is written as the
  documents most often write the run, on the same terms, the longest first, so that a name's words that are common
  words alone take their capitals inside the name ("skills england" -> "Skills England", where "skills" alone is
  lower case); a word once capitalised keeps its capital. A possessive is looked up without its "'s".
A form is counted where its case says something: not opening a sentence, line, cell or list item, nor in a heading's
line, where any word may be capitalised, unless its first word has a capital inside ("NHS"). Other forms of the last
word ("rules" for "rule") are counted by the case of the word they hold, and each place in a document once, though
overlapping passages hold it twice. Places are counted in at most SAMPLE passages holding the word or run, taken from
stretches across the lexical index (not only its first documents: assistant.lexical.phrase_texts), so a question
costs a bounded number of index lookups whatever the index's size.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

from assistant.retrieve import STOPWORDS

SAMPLE = 50  # passages read for one word's or run's forms, from stretches across the index (lexical.phrase_texts)
SHARE = 0.9  # a form written in fewer than this share of the places whose case says something does not recase a word
MIN_SEEN = 2  # ... nor does a form seen in fewer places (a title, a slip of the document's own)
MAX_WORDS = 5  # the longest name looked up as a whole ("health and social care committee")
KEPT = 10_000  # words and runs looked up, and their forms, kept for the next question that has them
# a word ("king's" is one, as a name writes it); letters joined to figures ("24hr", "2024a") are no word to recase
_WORD = re.compile(r"(?<![^\W_])[^\W\d_]++(?:['’][^\W\d_]++)*+(?!\d)")
_POSSESSIVE = re.compile(r"['’]s$")
_OPENS = frozenset(".!?:;|•*#>\"“‘(-–—")  # a word after one of these (or a line's start) is capitalised by its place
_SENTENCE_OPENS = re.compile(r"(?:^\s*|[.!?]\s+)[\"“‘(]*")  # where a question's own sentence opens
_SUFFIXES = r"(?:s|es|ed|d|ing)?"  # other forms of a run's last word, counted by the case of the word they hold
Passages = Callable[[str, int], Sequence[tuple[str, int, str]]]  # phrase, limit -> (document, offset, text)


def _place_capitals(text: str) -> set[int]:
    """Where a capital is the place's, not the word's: opening the text or a sentence, and the word "I"."""
    places = {m.end() for m in _SENTENCE_OPENS.finditer(text)}
    return places | {m.start() for m in re.finditer(r"(?<![^\W_])I(?=['’]|[^\w]|$)", text)}


def typed_in_lower_case(text: str) -> bool:
    """No capital but those of a sentence's first letter and of "I", and words to recase."""
    return _places_if_lower_case(text) is not None


def _places_if_lower_case(text: str) -> set[int] | None:
    """_place_capitals of a text typed in lower case (typed_in_lower_case), else None."""
    places = _place_capitals(text)
    lower = bool(_WORD.search(text)) and not any(c.isupper() and i not in places for i, c in enumerate(text))
    return places if lower else None


def _phrase_pattern(phrase: str) -> str:
    """A regex for the phrase's words in order, any spacing between them, either apostrophe inside them."""
    return r"\s+".join(re.sub("['’]", "['’]", re.escape(w)) for w in phrase.split())


class Recaser:
    """Recases questions typed in lower case (see the module docstring). `passages(phrase, limit)` gives (document,
    offset, text) of at most `limit` passages that hold the phrase's words in order (the lexical index's phrase
    search, assistant.lexical.phrase_texts); `names(text)` gives (name as written, start, end) for each body the text
    names in any case (the glossary's and the publishers' names), which are written as they are written there."""

    def __init__(self, passages: Passages, names: Callable[[str], Sequence[tuple[str, int, int]]] = lambda _: ()) -> None:
        self._passages = passages
        self._names = names
        self._forms: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def recase(self, text: str) -> str:
        """The text with its words cased as the documents case them, or the text unchanged if it uses capitals."""
        places = _places_if_lower_case(text)
        if places is None:
            return text
        found = [m for m in _WORD.finditer(text) if len(m.group(0)) > 1]
        typed = [m.group(0) for m in found]
        cased = list(typed)
        for written, start, end in self._names(text):
            inside = [i for i, m in enumerate(found) if start <= m.start() < end]
            name = _WORD.findall(written)
            for i, word in zip(inside, name, strict=False) if len(inside) == len(name) else ():
                if typed[i].lower() not in STOPWORDS and typed[i].lower().startswith(word.lower()):  # "providers'"
                    cased[i] = word + typed[i][len(word) :]
        for i, word in enumerate(typed):
            base = _POSSESSIVE.sub("", word.lower())  # "lypft's" is cased as "lypft" is, which the documents use more
            opens = found[i].start() in places
            if base in STOPWORDS or cased[i] != word or not (word.islower() or opens):
                continue
            form = self.form(base)
            if form and (word.islower() or any(c.isupper() for c in form[1:])):  # "Lch" opening a sentence: "LCH"
                cased[i] = form + word[len(base) :]
        for n in range(MAX_WORDS, 1, -1):  # a name's words as the name writes them, the longest name first
            for i in range(len(found) - n + 1):
                span = range(i, i + n)
                keys = [typed[j].lower() for j in span]
                keys[-1] = _POSSESSIVE.sub("", keys[-1])
                if keys[0] in STOPWORDS or keys[-1] in STOPWORDS or not any(cased[j].islower() for j in span):
                    continue
                if any(not text[found[j].end() : found[j + 1].start()].isspace() for j in span[:-1]):
                    continue
                form = self.form(" ".join(keys))
                for j, written in zip(span, form.split() if form else (), strict=False):
                    if cased[j].islower() and not written.islower():
                        cased[j] = written + typed[j][len(written) :]
        out, last = [], 0
        for m, written in zip(found, cased, strict=True):
            out += [text[last : m.start()], written if "’" not in m.group(0) else written.replace("'", "’")]
            last = m.end()
        return "".join(out) + text[last:]

    def form(self, phrase: str) -> str | None:
        """How the documents most often write this lower-case word or run of words, if not in lower case (else None)."""
        with self._lock:
            if phrase in self._forms:
                return self._forms[phrase]
        found = _most_common_form(phrase, self._passages(phrase, SAMPLE))
        with self._lock:
            if len(self._forms) >= KEPT:
                self._forms.clear()
            self._forms[phrase] = found
        return found


def names_in(text: str, names: Sequence[str]) -> list[tuple[str, int, int]]:
    """(name, start, end) of each of these names the text uses, in any case ("the king's fund"), a leading "The"
    left as typed."""
    return [(name, m.start(), m.end()) for name in map(_without_the, names) for m in _name_pattern(name).finditer(text)]


def _without_the(name: str) -> str:
    return name[4:] if name.startswith("The ") else name


@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w&])" + _phrase_pattern(name) + r"(?![\w&])", re.IGNORECASE)


def _most_common_form(phrase: str, passages: Sequence[tuple[str, int, str]]) -> str | None:
    pattern = re.compile(r"(?<![^\W_])(" + _phrase_pattern(phrase) + r")" + _SUFFIXES + r"(?![^\W_])", re.IGNORECASE)
    places: dict[tuple[str, int], str] = {}
    for doc, offset, text in passages:
        for m in pattern.finditer(text):
            written = " ".join(m.group(1).replace("’", "'").split())
            if any(c.isupper() for c in written.split()[0][1:]) or _tells_case(text, m.start()):
                places[(doc, offset + m.start())] = written  # a place two overlapping passages hold counts once
    forms = Counter(places.values())
    if not forms:
        return None
    written, seen = forms.most_common(1)[0]
    if written == phrase or seen < MIN_SEEN or seen < SHARE * sum(forms.values()):
        return None
    return written


def _tells_case(text: str, at: int) -> bool:
    """Whether a word's capital at `at` is its own, not its place's: not opening a sentence, line, cell or item, and
    not in a heading's line."""
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].lstrip().startswith("#"):
        return False
    before = text[line_start:at].rstrip()
    return bool(before) and before[-1] not in _OPENS
