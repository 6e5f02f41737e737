"""What speech recognition does to names, and how a question's names are found in a transcript all the same.

An automatic transcript hears a place or a person's name as a common word that sounds alike ("leads" for Leeds) or
as two words ("harrow gate" for Harrogate), in lower case. A question writes names as people write them. In a
transcript's text (only), a word one letter from a question's name with the same Metaphone code, or two words that
make it, counts as the name, for the decline checks (declining.as_written). The text quoted is never
changed. (Counting such names among the words a sentence shares with the question, in scoring and in no_figure's
coverage, changed no measured answer of eval/sets/devcorpus-transcript.jsonl and was left out: eval/README.md, round
seventeen.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from wordfreq import zipf_frequency

MIN_SPOKEN_NAME = 5  # letters of a name heard as another word: shorter ones sound like too many ("Hull": hall, hill)
COMMON_WORD_ZIPF = 4.5  # a capitalised word this common in English ("Care", "Home", "Council") is no name to hear
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # a word of letters, any alphabet ("Zoë", "O'Neill")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class _Name:
    written: str
    lower: str
    code: str  # Metaphone


def spoken_names(text: str) -> list[str]:
    """The names of a question (or of a term) that a transcript may have heard as other words: its capitalised words
    of MIN_SPOKEN_NAME letters or more that are no common English word ("Leeds", "Kirklees", "SkILs"; not "Care", nor
    a question's opening "Which"), without a possessive."""
    out = []
    for m in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", m.group(0))
        if word[0].isupper() and not word.isupper() and len(word) >= MIN_SPOKEN_NAME and not _common(word.lower()):
            out.append(word)
    return list(dict.fromkeys(out))


def sounds_like(heard: str, name: str) -> bool:
    """A word as speech recognition wrote it is the name: a different spelling one letter from it that sounds the same
    (the same Metaphone code): "leads" is Leeds, "harrowgate" Harrogate; "needs" and "lead" are not Leeds."""
    return _sounds_like(heard.lower(), _name(name))


def _sounds_like(heard: str, name: _Name) -> bool:
    return (
        heard != name.lower and abs(len(heard) - len(name.lower)) <= 1
        and jellyfish.levenshtein_distance(heard, name.lower) <= 1 and jellyfish.metaphone(heard) == name.code
    )  # fmt: skip


@lru_cache(maxsize=1024)
def _name(written: str) -> _Name:
    return _Name(written, written.lower(), jellyfish.metaphone(written.lower()))


@lru_cache(maxsize=65536)
def _common(word: str) -> bool:  # spoken_names: a capitalised word this common names nothing to hear
    return zipf_frequency(word, "en") >= COMMON_WORD_ZIPF


def names_as_asked(text: str, names: Sequence[str]) -> str:
    """The text with each word in lower case (or opening the text, a line or a sentence with a capital: a caption unit
    opens "Leads home share ..."), or two written together, that sounds like one of the names, written as the name
    ("leads home share" -> "Leeds home share", "harrow gate" -> "Harrogate"). A capitalised word elsewhere is written
    as a name already ("Welton" is not Walton). Only words opening with a letter that may sound like a name's first
    or second (`_SOUND_CLASSES`: "rexham" for Wrexham) are read one by one: a long transcript is scanned by the regex
    engine."""
    wanted = [_name(n) for n in names]
    if not wanted:
        return text
    spans: list[tuple[int, int, str]] = []
    for m in _candidates("".join(sorted({c for n in wanted for c in _initials(n.lower)}))).finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue  # the second word of a pair already taken
        if m.group(0)[0].isupper() and not _OPENING.search(text, max(0, m.start() - OPENING_REACH), m.start()):
            continue
        word = m.group(0).lower()
        after = _NEXT_WORD.match(text, m.end())
        joined = word + after.group(1) if after else ""
        name = next((n for n in wanted if joined and (joined == n.lower or _sounds_like(joined, n))), None)
        if name is not None:
            spans.append((m.start(), after.end(), name.written))  # type: ignore[union-attr]
        elif name := next((n for n in wanted if _sounds_like(word, n)), None):
            spans.append((m.start(), m.end(), name.written))
    out, at = [], 0
    for start, end, written in spans:
        out.append(text[at:start] + written)
        at = end
    return "".join(out) + text[at:]


_SOUND_CLASSES = ("ckqsxz", "fpv", "gj", "aeiouyhw")  # first letters that may sound alike ("cirencester": s)
_NEXT_WORD = re.compile(r"[^\S\n]+([^\W\d_A-Z]+)\b")  # the lower-case word after a word, on its line
_OPENING = re.compile(r"(?:^|\n|[.?!:]\s+)\s*$")  # what comes before a word opening the text, a line or a sentence
OPENING_REACH = 8  # characters looked back for it


def _initials(name: str) -> set[str]:
    """The first letters a word heard for the name may open with: those that sound like its first, or its second
    (a silent first letter: "nowsley" for Knowsley)."""
    return {c for letter in name[:2] for cls in _SOUND_CLASSES if letter in cls for c in cls} | set(name[:2])


@lru_cache(maxsize=256)
def _candidates(initials: str) -> re.Pattern[str]:
    """Words in lower case (the first letter may be a capital) opening with one of `initials`."""
    return re.compile(rf"(?<![^\W\d_])[{re.escape(initials + initials.upper())}][^\W\d_A-Z]*(?:'[^\W\d_A-Z]+)?(?![^\W\d_])")
