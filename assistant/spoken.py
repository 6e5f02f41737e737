"""What speech recognition does to names, and how a question's names are found in a transcript all the same.

An automatic transcript hears a place or a person's name as a common word that sounds alike ("leads" for Leeds) or
as two words ("harrow gate" for Harrogate), always in lower case. A question writes names as people write them. In a
transcript's text (only), a lower-case word one letter from a question's name with the same Metaphone code, or two
words that make it, counts as the name, for the decline checks (declining.as_written). The text quoted is never
changed. (Counting such names among the words a sentence shares with the question, in scoring and in no_figure's
coverage, changed no measured answer of eval/sets/devcorpus-transcript.jsonl and was left out: eval/README.md, round
seventeen.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jellyfish

MIN_SPOKEN_NAME = 4  # letters of a name heard as another word: shorter names sound like too many words
_CAPITALISED = re.compile(r"(?<=\s)(?<![.?!]\s)[A-Z](?=[A-Za-z]*[a-z])[A-Za-z]+(?:['’][a-z]+)?\b")  # "Leeds", "SkILs"; not "NHS" (INITIALS)
_POSSESSIVE = re.compile(r"['’]s?$")
_HEARD = re.compile(r"\b[a-z][a-z']*\b")  # a lower-case word, as speech recognition writes words


def spoken_names(question: str) -> list[str]:
    """The question's capitalised words of MIN_SPOKEN_NAME letters or more, after its first word (names: "Leeds",
    "Kirklees"), without a possessive."""
    names = (_POSSESSIVE.sub("", w) for w in _CAPITALISED.findall(question))
    return list(dict.fromkeys(n for n in names if len(n) >= MIN_SPOKEN_NAME))


def sounds_like(heard: str, name: str) -> bool:
    """A word as speech recognition wrote it is the name: a different spelling one letter from it that sounds the same
    (the same Metaphone code): "leads" is Leeds, "harrowgate" Harrogate; "needs" and "lead" are not Leeds."""
    heard, lower = heard.lower(), name.lower()
    return heard != lower and jellyfish.levenshtein_distance(heard, lower) <= 1 and jellyfish.metaphone(heard) == jellyfish.metaphone(lower)


def names_as_asked(text: str, names: Sequence[str]) -> str:
    """The text with each lower-case word, or two written together, that sounds like one of the names written as the
    name ("leads home share" -> "Leeds home share", "harrow gate" -> "Harrogate")."""
    heard = list(_HEARD.finditer(text))
    out, at, i = [], 0, 0
    while i < len(heard):
        word, span = heard[i].group(0), 1
        after = heard[i + 1] if i + 1 < len(heard) and not text[heard[i].end() : heard[i + 1].start()].strip() else None
        joined = word + after.group(0) if after else ""
        name = next((n for n in names if joined and (joined == n.lower() or sounds_like(joined, n))), None)
        if name is not None:
            span = 2
        else:
            name = next((n for n in names if sounds_like(word, n)), None)
        if name is not None:
            out.append(text[at : heard[i].start()] + name)
            at = heard[i + span - 1].end()
        i += span
    return "".join(out) + text[at:] if out else text

