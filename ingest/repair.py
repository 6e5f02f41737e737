"""Repair words split by lost PDF ligatures ("wil" -> "will", "al ocated" -> "allocated", "re ect" -> "reflect").

The damage: a ligature glyph (ll, ff, fi, fl, ffi, ffl) came out of the PDF as its first letter and
a space, or as a space alone: "skil s", "Of cer" (officer), "O er" (offer), "in uence". At a word's
end the space merges with the following one: "wil be", "wel .".

The rule, a unigram language model over wordfreq's English word frequencies (zipf = log10 of
occurrences per billion words): a candidate is repaired when
  1. the joined word J is a known word: zipf(J) >= KNOWN_WORD_ZIPF (about one in a million words), and
  2. J is at least 10**REPAIR_ODDS_ZIPF times likelier than the text as it stands, read as separate
     words: for two pieces A B, zipf(J) - 9 >= (zipf(A) - 9) + (zipf(B) - 9) + REPAIR_ODDS_ZIPF (the
     phrase's frequency estimated as its words' frequencies multiplied); for one word W, zipf(J) >=
     zipf(W) + REPAIR_ODDS_ZIPF.
So "al ocated" (a non-word piece) and "clinical y" are repaired, "of ice" too ("office" is 10**2 more
frequent than the phrase), while "will be" or "of all" never change: no joined form is a word.
Candidates: A B with one space between, B in lower case, J = A + lost letters + B, where the letters
are "l" or "f" only after an A ending in that letter (ll -> "l ", ff -> "f "), or any of fi, fl, ff,
ffi, ffl; a word W ending in l or f, J = W doubled at its end. A single word is ambiguous ("Tel",
"Cal", the "tal" of a shredded "men tal"), so it is repaired only in running text (followed by a known
lower-case word, or by the stray space before punctuation: "wel .") and only in a text that shows the
damage in at least DAMAGE_EVIDENCE_MIN two-piece repairs. "et al" (the Latin abbreviation) is left
alone. Words inside URLs, e-mail addresses and identifiers are not touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KNOWN_WORD_ZIPF = 3.0  # a word seen about once per million words of English
REPAIR_ODDS_ZIPF = 1.0  # the repaired reading must be ten times likelier than the damaged one
LIGATURE_TAILS = ("fi", "fl", "ff", "ffi", "ffl")  # letters a ligature lost entirely (it became a space)
DOUBLED = ("l", "f")  # ll and ff that kept their first letter ("skil s", "staf")
LATIN_ABBREVIATION = ("et", "al")  # "et al." is not "et all."
DAMAGE_EVIDENCE_MIN = 3  # single-word repairs ("wil") only in a text showing at least this many two-piece ones

# A word: letters, not glued to a URL, path, address or number on either side.
_WORD = re.compile(r"(?<![\w@/\\.&=%#+-])[A-Za-z]+(?![\w@/\\&=%#+]|\.[A-Za-z])")
# Running text after "wil": " be", or " ." (the space the ligature left before punctuation).
_AFTER_SINGLE = re.compile(r" (?:([a-z]{2,})\b|(?=[.,;:)]))")
_HYPHENED = re.compile(r"-([a-z]+)(?![\w@/\\&=%#+])")  # "il -health": the second piece starts with a hyphen


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `new`."""

    start: int
    end: int
    new: str


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's English zipf frequency of a word or hyphenated compound (0 for unknown)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def _listed() -> dict[str, float]:
    """wordfreq's English word list (loaded once by wordfreq itself; here for membership tests only)."""
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", "best")  # as zipf_frequency asks for it, so wordfreq's cache holds one copy


def _may_be_word(joined: str) -> bool:
    """False only where zipf(joined) is 0: a lower-case run of letters missing from the list (wordfreq looks such a
    word up as itself). Most candidate joins ("ofthe") are not words, so this spares a full look-up for each."""
    return "-" in joined or joined in _listed()


def ligature_edits(text: str) -> list[Edit]:
    """Every repair the rule above makes in `text`, in order and not overlapping."""
    words = list(_WORD.finditer(text))
    pairs: list[Edit] = []
    for i, match in enumerate(words):
        if pairs and match.start() < pairs[-1].end:
            continue
        edit = _pair_edit(text, match, words[i + 1] if i + 1 < len(words) else None)
        if edit is not None:
            pairs.append(edit)
    if len(pairs) < DAMAGE_EVIDENCE_MIN:
        return pairs
    covered = {edit.start for edit in pairs}
    singles = [
        edit
        for i, match in enumerate(words)
        if match.start() not in covered
        and (words[i - 1].group(0).lower() if i else "", match.group(0).lower()) != LATIN_ABBREVIATION
        and (edit := _single_edit(text, match)) is not None
        and not any(p.start <= edit.start < p.end for p in pairs)
    ]
    return sorted(pairs + singles, key=lambda edit: edit.start)


def repair_ligatures(text: str) -> str:
    """`text` with every ligature repair applied."""
    parts: list[str] = []
    last = 0
    for edit in ligature_edits(text):
        parts += [text[last : edit.start], edit.new]
        last = edit.end
    return "".join(parts) + text[last:]


def _pair_edit(text: str, first: re.Match[str], second: re.Match[str] | None) -> Edit | None:
    """Two pieces read as one word: "skil s" -> "skills", "re ect" -> "reflect", "il -health" -> "ill-health"."""
    a = first.group(0)
    if text[first.end() : first.end() + 1] != " ":
        return None
    hyphened = _HYPHENED.match(text, first.end() + 1)
    if hyphened:
        b, end, joiner = hyphened.group(1), hyphened.end(), "-"
    elif second is not None and second.start() == first.end() + 1 and second.group(0).islower():
        b, end, joiner = second.group(0), second.end(), ""
    else:
        return None
    best = _best_join(a, joiner, b)
    return Edit(first.start(), end, best) if best else None


@lru_cache(maxsize=200_000)
def _best_join(a: str, joiner: str, b: str) -> str:
    """The likeliest word `a` + lost letters + `joiner` + `b`, if rules 1 and 2 prefer it to the pieces; else ""
    (remembered: most pairs of words recur, "of the" hundreds of times in a long report)."""
    best, best_zipf = "", 0.0
    for letters in _lost_letters(a):
        joined = (a + letters + joiner + b).lower()
        score = zipf(joined) if _may_be_word(joined) else 0.0
        if score > best_zipf:
            best, best_zipf = a + letters + joiner + b, score
    if best and _likelier(best_zipf, zipf(a.lower()) + zipf(b) - 9):  # the pieces' odds only where a join is a word
        return best
    return ""


def _single_edit(text: str, word: re.Match[str]) -> Edit | None:
    """A word-final ll or ff that kept one letter (the space merged with the next): "wil" -> "will", "staf" -> "staff"."""
    w = word.group(0)
    if len(w) < 2 or w[-1] not in DOUBLED or not (w.islower() or w[1:].islower()):
        return None
    joined = w + w[-1]
    if not _may_be_word(joined.lower()):
        return None
    end = word.end()
    after = _AFTER_SINGLE.match(text, end)
    if after is None or not _likelier(zipf(joined.lower()), zipf(w.lower())):
        return None
    if after.group(1) is None:
        end += 1  # "wel ." -> "well.": the ligature's space stood before the punctuation
    elif zipf(after.group(1)) < KNOWN_WORD_ZIPF:
        return None  # "ful irm": shredded text, not a sentence with a damaged word in it
    return Edit(word.start(), end, joined)


def _lost_letters(a: str) -> tuple[str, ...]:
    """The letters a ligature may have lost after piece `a`."""
    return tuple(letter for letter in DOUBLED if a.lower().endswith(letter)) + LIGATURE_TAILS


def _likelier(joined_zipf: float, damaged_zipf: float) -> bool:
    """Rules 1 and 2 of the module docstring."""
    return joined_zipf >= KNOWN_WORD_ZIPF and joined_zipf >= damaged_zipf + REPAIR_ODDS_ZIPF
