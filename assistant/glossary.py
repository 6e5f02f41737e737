"""Domain vocabulary (assistant/data/glossary.yaml): acronym <-> expansion, synonyms, organisation names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.errors import ConfigError

GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.yaml"


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces: the form phrases are compared in."""
    return re.sub(r"\s+", " ", text.replace("’", "'").lower()).strip()


def _bare(text: str) -> str:
    """Normalised text without punctuation, for "is this phrase already in the query" checks."""
    return " ".join(re.sub(r"[^\w\s]", " ", normalise(text)).split())


@lru_cache(maxsize=4096)
def _key(phrase: str, case_sensitive: bool = False) -> str:
    """What a text must hold for _phrase_pattern(phrase) to match it: the phrase's first run of letters and digits,
    as written for a case-sensitive pattern (look in the text), else case-folded (look in _folded(text)). A
    substring test, it spares most regex searches and never one that could match."""
    run = re.search(r"[^\W_]+", phrase)
    return "" if run is None else run.group(0) if case_sensitive else _folded(run.group(0))


def _folded(text: str) -> str:
    """The text as _key's case-folded keys are looked for in it: what re.IGNORECASE matches to "i" ("İ", "ı") is "i"."""
    return text.casefold().replace("\u0307", "").replace("ı", "i")


def _phrase_pattern(phrase: str, case_sensitive: bool) -> re.Pattern[str]:
    """Whole-word match of a phrase, allowing a plural 's' (ICBs, integrated care boards) and any spacing."""
    words = phrase.split() if case_sensitive else normalise(phrase).split(" ")
    # either apostrophe; a comma in a phrase is optional in the text
    body = r"\s+".join(re.escape(w).replace("'", "['’]").replace(",", ",?") for w in words)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<![\w&])(?:{body})(?:s|'s|’s)?(?![\w&])", flags)


@dataclass
class Glossary:
    """Acronyms, synonym groups and organisation aliases, with both-way expansion of queries."""

    acronyms: dict[str, list[str]] = field(default_factory=dict)
    synonyms: list[list[str]] = field(default_factory=list)
    organisations: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Acronyms match case-sensitively ("LA", "ARM" are ordinary words in lower case).
        self._acronym_rx = {a: _phrase_pattern(a, case_sensitive=True) for a in self.acronyms}
        self._expansion_rx = {(a, e): _phrase_pattern(e, case_sensitive=False) for a, es in self.acronyms.items() for e in es}
        self._synonym_rx = [[(s, _phrase_pattern(s, case_sensitive=False)) for s in group] for group in self.synonyms]
        self._short: dict[str, tuple[re.Pattern[str], frozenset[str]] | None] = {}  # short_name's, made once per name
        self._org_rx = {
            name: [_phrase_pattern(n, case_sensitive=n.isupper()) for n in [name, *aliases]]
            for name, aliases in self.organisations.items()
        }

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        """Read the YAML data file; a malformed file is a ConfigError naming the file."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"Cannot read the glossary {path} ({exc}); fix or restore the file.") from None
        acronyms = {str(k): [str(e) for e in (v or [])] for k, v in (raw.get("acronyms") or {}).items()}
        synonyms = [[str(s) for s in group] for group in raw.get("synonyms") or [] if group]
        organisations = {str(k): [str(a) for a in (v or [])] for k, v in (raw.get("organisations") or {}).items()}
        return cls(acronyms, synonyms, organisations)

    def acronyms_in(self, text: str) -> list[str]:
        """Acronyms named in the text, either directly or through one of their expansions."""
        folded = _folded(text)
        found = [a for a, rx in self._acronym_rx.items() if _key(a, True) in text and rx.search(text)]
        found += [a for (a, e), rx in self._expansion_rx.items() if _key(e) in folded and rx.search(text) and a not in found]
        return found

    def expansions(self, text: str) -> list[str]:
        """Extra query terms for the text: the other side of each acronym found, and synonyms."""
        extra: list[str] = []
        for acronym in self.acronyms_in(text):
            extra += [acronym, *self.acronyms[acronym]]
        folded = _folded(text)
        for group in self._synonym_rx:
            if any(_key(s) in folded and rx.search(text) for s, rx in group):
                extra += [s for s, _ in group]
        mentioned = _bare(text)
        return [t for t in dict.fromkeys(extra) if _bare(t) not in mentioned]

    def expand_for_embedding(self, text: str) -> str:
        """The text with each acronym spelt out once, e.g. "ICB (integrated care board)": the embedder knows words better."""
        out = text
        for acronym, rx in self._acronym_rx.items():
            expansions = self.acronyms[acronym]
            if expansions and not self._expansion_rx[(acronym, expansions[0])].search(out):
                out = rx.sub(lambda m, e=expansions[0]: f"{m.group(0)} ({e})", out, count=1)
        return out

    def short_name(self, name: str) -> tuple[re.Pattern[str], frozenset[str]] | None:
        """How a question names an organisation without its legal form (LEGAL_FORM words before and after the rest):
        "Leeds Teaching Hospitals" for Leeds Teaching Hospitals NHS Trust, "West Yorkshire ICB" for NHS West Yorkshire
        Integrated Care Board (an acronym the glossary defines may stand for its expansion). The pattern, with the
        words left out (lower case). None when nothing is left out, or fewer than two words that are not connectors
        are left: "England" does not name NHS England, nor "Providers" NHS Providers."""
        if name not in self._short:
            words = _NAME_WORD.findall(name)
            first = next((i for i, w in enumerate(words) if w.lower() not in LEGAL_FORM), len(words))
            last = max((i + 1 for i, w in enumerate(words) if w.lower() not in LEGAL_FORM), default=first)
            core = words[first:last]
            named = sum(w.lower() not in NAME_CONNECTORS for w in core)
            left_out = frozenset(w.lower() for w in words[:first] + words[last:])
            self._short[name] = None if not left_out or named < 2 else (self._name_pattern(core), left_out)
        return self._short[name]

    def _name_pattern(self, words: list[str]) -> re.Pattern[str]:
        """Whole-word, any-case pattern of a run of words, where a run spelling a glossary acronym's expansion may be
        written as the acronym. Callers check capitals (names_short)."""
        parts = ["(?:and|&)" if w.lower() in ("and", "&") else re.sub(r"['’]", "['’]", re.escape(w)) for w in words]  # either
        lower = [w.lower() for w in words]
        done: set[int] = set()  # words already given an acronym: two expansions may overlap
        for acronym, expansions in self.acronyms.items():
            for expansion in expansions:
                run = normalise(expansion).split(" ")
                for i in range(len(lower) - len(run) + 1):
                    span = range(i, i + len(run))
                    if lower[i : i + len(run)] == run and not done.intersection(span):
                        parts[i] = "(?:" + _SEP.join(parts[i : i + len(run)]) + "|" + re.escape(acronym) + ")"
                        parts[i + 1 : i + len(run)] = [""] * (len(run) - 1)
                        done.update(span)
        body = _SEP.join(p for p in parts if p)
        return re.compile(rf"(?<![\w&])(?:{body})(?:s|'s|’s)?(?![\w&])", re.IGNORECASE)

    def names_short(self, text: str, name: str) -> list[tuple[int, int]]:
        """Where the text names the organisation by its short name (short_name), as (start, end). In a text that uses
        capitals the words must be written with them, as _org_matches asks ("the leeds teaching hospitals" in a
        sentence is not a name); and a capitalised word next to them makes a longer name, another body's ("Leeds
        Community Healthcare Partnership", "South West Yorkshire ICB"). Not so a word the name left out ("NHS"), a
        glossary acronym ("Kent and Medway ICB"), a word after the name's possessive ("Leeds Community Healthcare's
        Board"), or before it a word no name starts with ("Did", "The", "In", a month)."""
        short = self.short_name(name)
        if short is None:
            return []
        rx, left_out = short
        if text == text.lower():
            return [(m.start(), m.end()) for m in rx.finditer(text)]

        def longer(word: re.Match[str] | None, before: bool) -> bool:
            w = re.sub(r"['’]s?$", "", word.group(1)) if word else ""
            acronym = w[:-1] if len(w) > 2 and w.endswith("s") and w[:-1].isupper() else w  # "ICBs"
            return (
                w[:1].isupper() and w.lower() not in left_out and acronym not in self.acronyms
                and not (before and w.lower() in _NO_NAME_BEFORE)
            )  # fmt: skip

        found = []
        for m in rx.finditer(text):
            owned = m.group(0)[-2:] in ("'s", "’s") or text[m.end() : m.end() + 1] in ("'", "’")
            if (not owned and longer(_NEXT_WORD.match(text, m.end()), False)) or longer(_PREV_WORD.search(text, max(0, m.start() - PREV_WORD_REACH), m.start()), True):
                continue
            if _capitalised(m.group(0)):
                found.append((m.start(), m.end()))
        return found

    def names_written(self, text: str) -> list[tuple[str, int, int]]:
        """(the name or alias as the glossary writes it, start, end) of each organisation mention in any case, longest
        first where they overlap: how a question typed in lower case writes the names it uses (assistant/casing.py)."""
        spans = [
            (written, m.start(), m.end())
            for name, aliases in self.organisations.items()
            for written, rx in zip([name, *aliases], self._org_rx[name], strict=True)
            for m in rx.finditer(text)
        ]
        return _longest_first(spans)

    def organisations_in(self, text: str) -> list[str]:
        """Canonical names of the organisations the text mentions (by name or alias)."""
        return list(dict.fromkeys(name for name, _, _ in self._org_matches(text)))

    def organisation_spans(self, text: str) -> list[tuple[str, int, int]]:
        """(canonical name, start, end) of each organisation mention, in text order."""
        return _longest_first(self._org_matches(text))

    def _org_matches(self, text: str) -> list[tuple[str, int, int]]:
        """Every (name, start, end) match. In a text that uses capitals, a name must be written with them: "a mental
        health foundation trust" is not The Health Foundation, "NHS providers" are not NHS Providers; an all-lower-case
        text may name anything."""
        cased = text != text.lower()
        return [
            (name, m.start(), m.end())
            for name, rxs in self._org_rx.items()
            for rx in rxs
            for m in rx.finditer(text)
            if not cased or _capitalised(m.group(0))
        ]


def _longest_first(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """(name, start, end) spans in text order, the longest of those starting together, none overlapping one kept."""
    spans = sorted(spans, key=lambda s: (s[1], -(s[2] - s[1])))
    kept: list[tuple[str, int, int]] = []
    for span in spans:
        if not kept or span[1] >= kept[-1][2]:
            kept.append(span)
    return kept


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")

# Lower-case words that may sit inside a name ("Department of Health and Social Care", "Public Accounts Committee of ...").
NAME_CONNECTORS = frozenset({"and", "of", "for", "the", "&", "on", "upon", "in"})


def _capitalised(name: str) -> bool:
    """Every word of the name is written with a capital, connectors ("and", "of") apart."""
    return all(w[:1].isupper() or w.lower() in NAME_CONNECTORS for w in _NAME_WORD.findall(name))


_NAME_WORD = re.compile(r"[^\W_][\w'’&-]*")
_NEXT_WORD = re.compile(r"[ \t]+([^\W_][\w'’&-]*)")  # the word after a name, on its line
_PREV_WORD = re.compile(r"([^\W_][\w'’&-]*)[ \t]+$")  # ... and the word before it
PREV_WORD_REACH = 80  # characters before a name searched for that word (not the whole text, once per name found)
# Words that may stand capitalised before a name without being part of it: a question's or sentence's first word, a
# preposition, an article, a month ("Did Leeds Teaching Hospitals ...", "In March Leeds Teaching Hospitals ...").
_NO_NAME_BEFORE = frozenset(
    """what which who whom whose when where why how did does do is are was were has have had will would can could should
    may might must according in on at for from by with to of the a an and but so if as after before since under""".split()
) | {m.lower() for m in MONTH_NAMES}
_SEP = r"[^\w.?!;:]+"  # between the words of a name: spaces, a line break, a comma or hyphen; not a sentence's end
# The words of an organisation's legal form, which people leave out when they name it (Glossary.short_name).
LEGAL_FORM = frozenset({"nhs", "foundation", "trust", "the", "limited", "ltd", "plc"})


@lru_cache(maxsize=1)
def get_glossary() -> Glossary:
    """The packaged glossary, loaded once per process."""
    return Glossary.load()


INITIALS = re.compile(r"\b[A-Z]{3,}\b")  # a body named by its initials ("LTHT", "LYPFT"), which abbreviates may match to a name


def abbreviates(acronym: str, name: str) -> bool:
    """`acronym` (three or more capitals) spells the initials of the name's capitalised words in order, from the first,
    skipping at most two ("LYPFT": Leeds and York Partnership NHS Foundation Trust; "LTHT": Leeds Teaching Hospitals NHS Trust)."""
    if len(acronym) < 3 or not acronym.isalpha() or not acronym.isupper():
        return False
    initials = [w[0] for w in re.findall(r"[A-Za-z][\w'’-]*", name) if w[0].isupper()]
    if not initials or initials[0] != acronym[0] or len(initials) - len(acronym) > 2:
        return False
    rest = iter(initials[1:])
    return all(letter in rest for letter in acronym[1:])
