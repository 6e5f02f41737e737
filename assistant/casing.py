"""A question typed all in lower case, written with the capitals the documents give its words.

A policy officer typing fast in a chat box often leaves out capitals: "what did lch say about skills england?".
Asking reads capitals in several places: a body named in the question ("Skills England"), initials ("LCH"), the
capitalised names the decline checks look for in the passages. Typed in lower case, the dev corpus's dev questions
lost hit@5 0.866 -> 0.829, evidence 0.765 -> 0.727, and half the decoys they declined (eval/README.md, round
twenty-four).

A question is recased only when no letter after its first is a capital: a question that uses capitals anywhere is
taken as written. Then:
- each word typed in lower case (stopwords apart: "who" is not "WHO") is written as the documents most often write it
  in running text, if that form is not lower case and is seen at least MIN_SEEN times ("lch" -> "LCH", "leeds" ->
  "Leeds"; "trust" stays "trust" unless the documents mostly write "Trust");
- each pair of neighbouring words is written as the documents most often write the pair, on the same terms, so that
  a name's words that are common words alone take their capitals inside the name ("skills england" -> "Skills
  England", where "skills" alone is lower case); a word a pair capitalises keeps its capital.
A form is counted where its case says something: not at a sentence's, line's, cell's or list item's start, nor in a
heading's line, where any word may be capitalised, unless it has a capital after its first letter ("NHS").
Occurrences are counted in at most SAMPLE passages holding the word or pair, from the lexical index, so a question
costs a few bounded index lookups whatever the index's size.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from collections import Counter
from collections.abc import Callable, Sequence

from assistant.retrieve import STOPWORDS

SAMPLE = 50  # passages read for one word's or pair's forms
SHARE = 0.9  # ... nor does a form written in fewer than this share of the places whose case says something
MIN_SEEN = 2  # a form seen once (a title, a slip of the document's own) does not recase a word
MAX_WORDS = 5  # the longest name looked up as a whole ("health and social care committee")
KEPT = 10_000  # words and pairs looked up, and their forms, kept for the next question that has them
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # "king's" is one word, as a name writes it
_POSSESSIVE = re.compile(r"['’]s$")
_OPENS = frozenset(".!?:;|•*#>\"“‘(-–—")  # a word after one of these (or a line's start) is capitalised by its place


def typed_in_lower_case(text: str) -> bool:
    """No letter after the text's first is a capital, and it has words to recase."""
    stripped = text.strip()
    return bool(_WORD.search(stripped)) and not any(c.isupper() for c in stripped[1:])


class Recaser:
    """Recases questions typed in lower case (see the module docstring). `passages(phrase, limit)` gives the text of
    at most `limit` passages that hold the phrase's words in order (the lexical index's phrase search); `names(text)`
    gives (name as written, start, end) for each body the text names in any case (the glossary's and the publishers'
    names), which are written as they are written there."""

    def __init__(
        self,
        passages: Callable[[str, int], Sequence[str]],
        names: Callable[[str], Sequence[tuple[str, int, int]]] = lambda _: (),
    ) -> None:
        self._passages = passages
        self._names = names
        self._forms: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def recase(self, text: str) -> str:
        """The text with its words cased as the documents case them, or the text unchanged if it uses capitals."""
        if not typed_in_lower_case(text):
            return text
        found = [m for m in _WORD.finditer(text) if len(m.group(0)) > 1]
        typed = [m.group(0) for m in found]
        cased = list(typed)
        named = set()
        for written, start, end in self._names(text):
            inside = [i for i, m in enumerate(found) if start <= m.start() < end]
            for i, word in zip(inside, _WORD.findall(written)) if len(inside) == len(_WORD.findall(written)) else ():
                if typed[i].lower().startswith(word.lower()):  # "providers'" for "Providers"
                    cased[i] = word + typed[i][len(word) :]
                    named.add(i)
        for i, word in enumerate(typed):
            key = word.lower()
            if key in STOPWORDS or i in named or not (word.islower() or i == 0):
                continue
            base = _POSSESSIVE.sub("", key)  # "lypft's" is cased as "lypft" is, which the documents use more
            form = self.form(base)
            if form and (word.islower() or any(c.isupper() for c in form[1:])):  # "Lch" opening the text: "LCH"
                cased[i] = form + word[len(base) :]
        for n in range(MAX_WORDS, 1, -1):  # a name's words as the name writes them, the longest name first
            for i in range(len(found) - n + 1):
                span = range(i, i + n)
                keys = [typed[j].lower() for j in span]
                if keys[0] in STOPWORDS or keys[-1] in STOPWORDS or not any(cased[j].islower() for j in span):
                    continue
                if any(not text[found[j].end() : found[j + 1].start()].isspace() for j in span[:-1]):
                    continue
                form = self.form(" ".join(keys))
                for j, written in zip(span, form.split() if form else ()):
                    if cased[j].islower() and not written.islower():
                        cased[j] = written
        out, last = [], 0
        for m, written in zip(found, cased):
            out += [text[last : m.start()], written if "’" not in m.group(0) else written.replace("'", "’")]
            last = m.end()
        return "".join(out) + text[last:]

    def form(self, phrase: str) -> str | None:
        """How the documents most often write this lower-case word or pair, if not in lower case (else None)."""
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
    words = [re.sub("['’]", "['’]", re.escape(w)) for w in name.split()]
    return re.compile(r"(?<![\w&])" + r"\s+".join(words) + r"(?![\w&])", re.IGNORECASE)


def _most_common_form(phrase: str, texts: Sequence[str]) -> str | None:
    words = [re.sub("['’]", "['’]", re.escape(w)) for w in phrase.split()]
    pattern = re.compile(r"(?<![^\W_])" + r"\s+".join(words) + r"(?![^\W_])", re.IGNORECASE)
    forms: Counter[str] = Counter()
    for text in texts:
        for m in pattern.finditer(text):
            written = " ".join(m.group(0).replace("’", "'").split())
            if any(c.isupper() for w in written.split() for c in w[1:]) or _tells_case(text, m.start()):
                forms[written] += 1
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
