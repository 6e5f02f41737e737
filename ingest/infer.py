"""Metadata a document states about itself (title, publisher, date, kind), for files the catalogue is silent on.

Documents say who they are: a cover heading, a "Date published:" line, a letterhead, an evidence header
("Written evidence submitted by NHS Providers (ICS0034)"), a journal's citation line, a GOV.UK organisation
line, a trust named again and again on its first pages. Each rule below is a general pattern of how published
documents present themselves; none names a document of this corpus. File properties (PDF/DOCX) and the file
name are the last resort. Everything here reads text only: no model, no store.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from ingest.load import MAIL, SHEETS, SLIDES  # a slide deck's, a spreadsheet's and an email's format, as the loader marks them
from ingest.transcript import _TITLED, CAPTION, SPEECH  # _TITLED: "Dr Amy Lee", "Cllr Jo Bloggs", a titled person's name

VERSION = "5"  # part of the content hash of documents that use inference: bump when the rules change (4: a transcript's title is above its first speaker's heading, or in the first turn's opening words; a speaker is never its subtitle; 5: a recording's heading is its title before its opening words; a dash is no word)
FIELDS = ("title", "publisher", "date", "kind")
FILE_PROPERTY_FORMATS = (".pdf", ".docx", ".doc", ".odt", ".odp", ".pptx", ".ppt", ".xlsx", ".xls", ".ods", ".csv", ".html", ".htm", ".eml", ".msg", ".rtf")  # formats whose loader reads the file's own title/author/date
OPENING_CHARS = 6000  # the cover and first page: where titles, dates and letterheads are
FIRST_PAGES_CHARS = 20000  # where the publisher is named again and again
CLOSING_CHARS = 600  # a back cover naming who published it
CLOSING_DATE_CHARS = 4000  # where a letter or a submission is dated at its end (before its notes)
TITLE_MAX_WORDS = 16  # a longer line is running text, not a title
TITLE_JOIN_SHORT = 2  # a following capitalised line this short continues the title ("People Priorities" / "Strategy")
SUBTITLE_MIN_WORDS = 2  # a following capitalised line this long, saying something new, is a subtitle (joined with ": ")
BODY_MIN_WORDS = 15  # a line this long is running text: the title, if any, came before it
MIN_MENTIONS = 2  # an organisation named only once, and nowhere prominent, is not taken as the publisher
MIN_SELF_REFERENCES = 10  # "the Trust" this often: the document is the trust's own
SELF_REFERENCE_WEIGHT = 7  # as strong as a title naming the body, weaker than a letterhead
MIN_ACRONYM_USES = 5  # an acronym used this often in the opening may stand for the publisher
CAPTION_LINES = 5  # this many timestamped lines at the top make a transcript
OPENING_LINES_OF_EVIDENCE = 15  # oral evidence names its committee and session in its first non-blank lines
EARLIEST_YEAR = 1950
KNOWN_BODIES_REMEMBERED = 4096  # short texts (names, lines) whose glossary bodies are remembered ...
REMEMBERED_TEXT_CHARS = 200  # ... up to this long

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_DAY}\s+{_MONTH}\.?,?\s+(?:19|20)\d\d|{_MONTH}\.?\s+{_DAY},\s+(?:19|20)\d\d|{_MONTH}\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-[01]\d-[0-3]\d)"
)
_DATE_RX = re.compile(rf"\b{_DATE}\b", re.IGNORECASE)
_DATED_PERIOD_RX = re.compile(rf"({_DATE})\s*(?:to|-|–)\s*({_DATE})", re.IGNORECASE)
_DATE_PART_RX = re.compile(rf"(?:(?:to|-|–)\s+)?{_DATE}(?:\s+(?:to|-|–))?|to|-|–", re.IGNORECASE)
_YEAR_RX = re.compile(r"(?<![\d/£$-])((?:19|20)\d\d)(?![\d%])")
# "2023-2024", "2024/25", "2021-25", "2024 2025": a period a report covers or a plan runs over
_PERIOD_RX = re.compile(r"(?<![\d£$])((?:19|20)\d\d)\s*(?:[-–/]|\s|to)\s*((?:19|20)?\d\d)(?![\d%])")
_HORIZON_RX = re.compile(r"\b(?:by|to|until|till|through|towards?|beyond)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
# "00:01:23.560 words" or "[01:02:03] words" start a caption; "09:00 - Item" starts an agenda line
_CAPTION_RX = re.compile(r"^\[?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+|:\d{2})\]?\s+[^\s-]")

# Lines that are page furniture or labels, never a title.
_JUNK_RX = re.compile(
    r"^(?:(?:table of )?contents?|publication|foreword|agenda|overview|abstract|introduction|executive summary|summary"
    r"|open access|key points|background|hello|welcome|home|menu|skip to (?:main )?content|print|share|download|back to top"
    r"|n|page \d+(?: of \d+)?|\d+|[ivxlc]+|©.*|crown copyright.*|all rights reserved.*|issn.*|isbn.*|doi.*"
    r"|.*\btactiq\.io\b.*|no title found|.*(?:https?://|www\.)\S*|.*\bet al\b.*|.*\.{5,}.*|.*…{3,}.*"
    r"|publication(?: \(.*\))?|.*\(/[\w/.-]*\).*|(?:date )?(?:first )?published\b.*|(?:date )?last updated\b.*"
    r"|applies to .*|paper type:.*|agenda item:.*|report by:.*)$",
    re.IGNORECASE,
)
# GOV.UK pages open with the organisation, then the content type, then the title.
GOVUK_FORMATS = {
    "research and analysis": "research report", "guidance": "guidance", "statutory guidance": "guidance",
    "policy paper": "policy paper", "corporate report": "report", "independent report": "report",
    "official statistics": "statistics", "national statistics": "statistics", "consultation outcome": "consultation",
    "open consultation": "consultation", "closed consultation": "consultation", "impact assessment": "impact assessment",
    "transparency data": "data", "press release": "press release", "speech": "speech", "case study": "case study",
    "news story": "news", "notice": "notice", "form": "form", "collection": "collection",
}  # fmt: skip

# Lines naming only what sort of document follows: a label above the title, never the title.
DOCUMENT_LABELS = frozenset({
    *GOVUK_FORMATS, "research briefing", "briefing paper", "briefing", "debate pack", "postnote", "long read", "explainer",
    "discussion paper", "working paper", "policy briefing", "consultation response", "report", "board paper", "summary report",
})  # fmt: skip

# Organisation names by their shape: the suffix says what kind of body it is.
_NAME = r"(?:[A-Z][\w'’.-]*|St\.?)"
_JOIN = r"(?:,? +(?:and|&|upon) +| +)"  # spaces only: a name does not run over a line break
_LOCAL_SUFFIX = (
    r"NHS Foundation Trust|NHS Trust|Integrated Care Board|Integrated Care System|City Council|County Council"
    r"|Borough Council|District Council|Metropolitan Borough Council|Council|Combined Authority|Health and Wellbeing Board"
)
_BODY_SUFFIX = (
    r"Fund|Foundation|Institute|Confederation|Association|Commission|Agency|Federation|Network|Alliance|Library"
    r"|Health and Care Partnership|Care Partnership"
)
_ORG_PATTERNS = (
    rf"(?:\bThe\s+)?(?:{_NAME}{_JOIN}){{1,6}}(?:{_LOCAL_SUFFIX})\b",
    rf"(?:\bThe\s+)?(?:{_NAME}{_JOIN}){{1,4}}(?:{_BODY_SUFFIX})\b",
    r"\bNHS England(?: and NHS Improvement)?\b|\bNHS Improvement\b|\bNHS(?: [A-Z][\w'-]*){1,4} ICB\b",
    r"\bDepartment (?:of|for) [A-Z][\w-]*(?:(?:,\s+|\s+and\s+|\s+)[A-Z][\w-]*){0,5}",
    r"\bHouse of (?:Commons|Lords)(?: Library)?\b|\bParliamentary Office of Science and Technology\b",
    r"\bOffice for [A-Z][\w]*(?:\s+(?:and\s+)?[A-Z][\w]*){0,3}",
)
_ORG_RX = re.compile("|".join(f"(?:{p})" for p in _ORG_PATTERNS))
# Capitalised words that start a sentence or precede a name in running text, not part of it.
_LEADING_NOISE = frozenset(
    "In At For By To From With Within Across Our This These Their Welcome And Both Signed Dear Between Where When While "
    "Whilst As On Of Also All Each Every Working Partners Partner Chair Report Annual Meeting Item Appendix Minutes".split()
)
# How an organisation's own papers refer to it -> how its name ends.
SELF_NOUNS = {
    "Trust": ("NHS Trust", "NHS Foundation Trust"), "Council": ("Council",), "ICB": ("Integrated Care Board", "ICB"),
    "Fund": ("Fund",), "Confederation": ("Confederation",), "Commission": ("Commission",), "Institute": ("Institute",),
    "Foundation": ("Foundation",), "Association": ("Association",),
}  # fmt: skip
_GENERIC_ORG = re.compile(r"^(?:the )?(?:nhs |foundation |the )*(?:trust|board|council|fund|foundation|network|library)$", re.I)

_EVIDENCE_RX = re.compile(
    r"^(?:written |oral |supplementary )*evidence submitted by (?:the )?(.+?)\s*(?:\(([A-Z]{2,}\d+)\))?\s*$", re.I
)
# Select committee oral evidence as Hansard prints it: "Oral evidence: Integrated care systems, HC 587" under the
# committee's name ("Health and Social Care Committee", "Select Committee on ..."), or the older "ORAL EVIDENCE TAKEN
# BEFORE THE HEALTH COMMITTEE" over the inquiry's name; the meeting's date ("Tuesday 14 March 2023") follows.
_ORAL_EVIDENCE_RX = re.compile(
    r"^(?:uncorrected |corrected )?oral evidence(?: taken before (?:the )?(?P<before>.+?committee\b.*?))?(?::\s*(?P<inquiry>\S.*))?$",
    re.I,
)
_COMMITTEE_RX = re.compile(
    r"^(?:The |House of (?:Commons|Lords) )?(?:[A-Z][\w'’-]*,? (?:(?:and|of|on|for|the|&) )*){0,10}Committee"
    r"(?: on (?:the )?[A-Z].{0,100})?$"
)
_ABOUT_RX = re.compile(r"^about (?:the )?([A-Z].{2,80})$")
_SELF_RX = (
    r"\s+(?:is|are) (?:the|an?) (?:[\w-]+ ){0,2}(?:membership|independent|national|leading|charity|organisation|body|voice)\b"
)
_CITATION_RX = re.compile(r"\bet al\.?\s+([A-Z][A-Za-z&:\- ]{2,60}?)\s*\(((?:19|20)\d\d)\)")
_JOURNAL_RX = re.compile(
    r"^(?:BMC|BMJ|The Lancet|Lancet|PLOS|JAMA|Journal of|International Journal|Health Policy|[A-Z][\w ]+ Journal)\b.{0,60}$"
)

_TRANSCRIPT_WELCOME = re.compile(r"\bwelcome to (?:the |our )?(.{5,120}?(?:(?:19|20)\d\d(?:\s*[-–/ ]\s*(?:19|20)?\d\d)?))", re.I)
_RETROSPECTIVE = re.compile(
    r"\bannual (?:report|review)|\baccounts\b|\bquality account|\breview of the year|\byear in review", re.I
)

# Kind from the title's own words, first match wins.
_TITLE_KINDS = (
    (re.compile(r"\bannual report|\breport and accounts|\bannual review\b", re.I), "annual report"),
    (re.compile(r"\bsurvey\b", re.I), "survey report"),
    (re.compile(r"\b(?:board|committee) (?:meeting|papers?)\b|\bboard bundle\b|\bmeeting held in public\b", re.I),
     "board papers"),
    (re.compile(r"\bstrateg(?:y|ies)\b", re.I), "strategy"),
    (re.compile(r"\bplan\b", re.I), "plan"),
    (re.compile(r"\bguidance\b|\bguidelines?\b|\bguide\b|\bframework\b", re.I), "guidance"),
    (re.compile(r"\bevidence submission\b|\bsubmission\b|\bresponse to\b.*\bconsultation\b", re.I), "written evidence"),
    (re.compile(r"\bbriefing\b", re.I), "briefing"),
)


@dataclass(frozen=True)
class Inferred:
    """What the document says about itself; empty where it says nothing. `notes` says where each value came from."""

    title: str = ""
    publisher: str = ""
    date: str = ""  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    kind: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    acronyms: tuple[str, ...] = ()  # how the document abbreviates its publisher, when it never names it in full

    def fields(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS if getattr(self, f)}


@dataclass(frozen=True)
class _Opening:
    """The document's opening as plain lines ("" for a blank line), plus the wider text the rules look at."""

    lines: list[str]
    first_pages: str
    closing: list[str]
    whole: str


def infer(text: str, *, file_meta: Mapping[str, str] | None = None, filename: str = "") -> Inferred:
    """Title, publisher, date and kind as the document states them (see the module docstring).

    >>> infer("Written evidence submitted by NHS Providers (ICS0034)\\n\\nDate published: 3 May 2023\\n").publisher
    'NHS Providers'
    """
    meta = dict(file_meta or {})
    doc = _read(text)
    notes: dict[str, str] = {}
    # the loader's mark: a caption file (ingest/transcript.py) or speech without punctuation (ingest/runs.py)
    spoken = _is_transcript(doc.lines) or meta.get("transcript") in (CAPTION, SPEECH)
    turns = re.search(r"(?m)^## .*\n", text) if meta.get("transcript") == CAPTION else None
    if turns:  # shaped captions name each turn's speaker in a heading ("## Jane Smith"), never the title's subtitle:
        title, org_lines = _title(_read(text[: turns.start()]), spoken, notes)  # the lines above the first turn,
        if not title:  # ... or the opening words of the first turn ("welcome to the meeting of ...")
            first_turn = text[turns.end() :].split("\n## ", 1)[0]
            title = _welcome_title(_read(first_turn).lines, notes)
    else:
        title, org_lines = _title(doc, spoken, notes)
    # a deck's own title, or its first slide's (not its subtitle too); a sheet's first line is its name or a column's
    # heading, seldom the workbook's title: the file's title, else its name
    if meta.get("format") in (SLIDES, SHEETS, MAIL):  # an email's is its subject, less "Re:" and "Fwd:"
        title = ""
    if not title and meta.get("title"):
        title, notes["title"] = meta["title"], "file properties"
    if not title and filename:
        title, notes["title"] = _stem(filename), "file name"
    publisher = _publisher(doc, title, org_lines, meta, filename, notes)
    kind = _kind(doc, title, spoken or bool(meta.get("transcript")), notes, meta.get("format", ""))
    when = _date(doc, title, kind, meta, notes)
    hints = () if publisher else _acronyms(title, doc.first_pages)
    return Inferred(title, publisher, when, kind, notes, hints)


def infer_file(path: Path, file_meta: Mapping[str, str], text: str) -> Inferred:
    """`infer` for a loaded file: its cleaned text, plus the title/author/date of its own properties where its format
    has them (the loader's fallback title, the file name, is no property)."""
    properties = {}
    if path.suffix.lower() in FILE_PROPERTY_FORMATS:
        properties = {k: v for k, v in file_meta.items() if k != "title" or v != path.stem}
    if file_meta.get("transcript"):  # the loader recognised a meeting transcript, whose cleaned text has lost its timestamps
        properties["transcript"] = file_meta["transcript"]
    return infer(text, file_meta=properties, filename=path.name)


def resolve_publishers(found: Mapping[str, Inferred], known: Iterable[str] = ()) -> dict[str, Inferred]:
    """Publishers across the documents of one folder: one spelling per body (the catalogue's or stored one in `known`
    first, else the most used: "The Leeds Teaching Hospitals NHS Trust" and "Leeds Teaching Hospitals NHS Trust" become
    one); and a document naming its publisher only by acronym ("LCH Workforce Strategy") takes the full name of the
    one publisher whose initials those are."""
    spellings: dict[str, Counter[str]] = {}
    for name in [*(n for n in known if n), *(i.publisher for i in found.values() if i.publisher)]:
        spellings.setdefault(org_key(name), Counter())[name] += 1
    given = {org_key(n): n for n in known if n}
    names = {key: given.get(key) or min(c, key=lambda n: (-c[n], len(n), n)) for key, c in spellings.items()}
    out: dict[str, Inferred] = {}
    for rel, inferred in found.items():
        if inferred.publisher:
            out[rel] = replace(inferred, publisher=names[org_key(inferred.publisher)])
            continue
        out[rel] = inferred
        for acronym in inferred.acronyms:
            fits = {n for n in names.values() if acronym in _initials(n)}
            if len(fits) == 1:
                name = fits.pop()
                why = f"{acronym!r} in the text, the initials of {name}, named by other documents"
                notes = {**inferred.notes, "publisher": why}
                out[rel] = replace(inferred, publisher=name, notes=notes, acronyms=())
                break
    return out


def _initials(name: str) -> set[str]:
    """"Leeds Community Healthcare NHS Trust" -> {"LCHNT", "LCHT", "LCH"}: with and without the body-type words."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in ("the", "and", "of", "for", "&")]
    kinds = ("NHS", "Foundation", "Trust", "Council", "Board")
    variants = [words, [w for w in words if w != "NHS"], [w for w in words if w not in kinds]]
    return {"".join(w[0].upper() for w in v) for v in variants if len(v) >= 2}


def _acronyms(title: str, text: str) -> tuple[str, ...]:
    """Acronyms leading the title, then the ones the opening uses most: candidates for the publisher's initials."""
    lead = re.findall(r"^([A-Z]{2,6})\b", title)
    counts = Counter(re.findall(r"\b([A-Z]{2,6})\b", text[:OPENING_CHARS]))
    frequent = [a for a, n in counts.most_common(3) if n >= MIN_ACRONYM_USES]
    return tuple(dict.fromkeys(lead + frequent))


def merge(entry: Mapping[str, str] | None, inferred: Inferred) -> tuple[dict[str, str], tuple[str, ...]]:
    """The catalogue wins field by field; returns the fields and which of them were inferred."""
    given = {k: v for k, v in (entry or {}).items() if v}
    out = dict(given)
    filled = []
    for name, value in inferred.fields().items():
        if name not in given:
            out[name] = value
            filled.append(name)
    return out, tuple(filled)


def needs_inference(entry: Mapping[str, str] | None) -> bool:
    """True unless the catalogue entry gives every inferable field."""
    return not entry or any(not entry.get(f) for f in FIELDS)


# reading -------------------------------------------------------------------------------------
def _read(text: str) -> _Opening:
    lines = [plain(line) for line in text[:OPENING_CHARS].splitlines()]
    closing = [x for x in (plain(line) for line in text[-CLOSING_CHARS:].splitlines()) if x]
    return _Opening(lines, plain_block(text[:FIRST_PAGES_CHARS]), closing, text)


def plain(line: str) -> str:
    """A line without Markdown/HTML markup and escapes, spaces collapsed: what a reader sees."""
    line = re.sub(r"<[^>]+>", " ", line)
    line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>])", r"\1", line)
    line = re.sub(r"^\s*#{1,6}\s+", "", line)
    line = re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", " ", line)
    return " ".join(line.split()).strip(" |")


def plain_block(text: str) -> str:
    """Plain text of a passage, lines kept."""
    return "\n".join(plain(line) for line in text.splitlines())


def _words(line: str) -> list[str]:
    """The words of a line: a dash or a bar between its parts is none ("Board - Board meeting in public - 25 March")."""
    return [w for w in line.split() if any(c.isalnum() for c in w)]


def _stem(filename: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename.rsplit("/", 1)[-1])


# title -----------------------------------------------------------------------------------------
def _title(doc: _Opening, transcript: bool, notes: dict[str, str]) -> tuple[str, list[str]]:
    """The cover title (heading lines joined) and any organisation named on its own lines above it (a letterhead)."""
    if transcript:
        if title := _recording_title(doc):
            notes["title"] = "the recording's heading"
            return title, []
        if title := _welcome_title(doc.lines, notes):
            return title, []
        if any(_CAPTION_RX.match(line) for line in doc.lines):
            return "", []
        # shaped captions (ingest/transcript.py): a heading above the units is the recording's title; the units are body text
    if session := _oral_evidence(doc):
        notes["title"] = "the oral evidence header"
        return session, []
    masthead = {_govuk_organisation(doc.lines), _journal(doc)} - {""}  # who publishes it, printed above the title
    for i, line in enumerate(doc.lines):
        if not line or _is_junk(line) or line in masthead or _is_label(line) or line.lower() in DOCUMENT_LABELS:
            continue
        evidence = _EVIDENCE_RX.match(line)
        if evidence:
            notes["title"] = "the evidence header"
            return line, []
        if _is_body(line):
            return "", []
        if not _is_title_line(line):
            continue
        block = _block(doc.lines, i)
        org_lines, rest = _split_letterhead(block)
        if not rest:
            continue  # a letterhead alone: the title follows
        title = _join_title(rest)
        if title and not _is_organisation(title):
            notes["title"] = "the first heading" if rest[0] == line else "the heading after the letterhead"
            return title, org_lines
    return "", []


def _recording_title(doc: _Opening) -> str:
    """The heading a caption export opens with, the recording's own title ("# NHS West Yorkshire Integrated Care Board -
    Board meeting in public - 25 March 2025", the line under tactiq.io's banner), or ""."""
    for line in doc.whole[:OPENING_CHARS].splitlines():
        if not line.strip():
            continue
        if not re.match(r"\s*#{1,6}\s", line):
            return ""  # the headings at the top are over
        title = plain(line)
        if not _is_junk(title) and _names_a_recording(title):
            return title
    return ""


def _names_a_recording(title: str) -> bool:
    """A video's title says what was recorded ("ICB Board meeting in public", "Transcript of the Health and Wellbeing
    Board"): three words or more that are not only a date, a label and a number ("# Tuesday 25 March 2025", "# Part 1
    of 3", "# Transcript - 25 March 2025"), a channel's organisation ("# West Yorkshire Health and Care Partnership")
    or a titled person ("# Dr Jane Smith"). Such a heading leaves the title to the opening words."""
    words = _words(title)
    said = [w for w in _words(_DATE_RX.sub(" ", title)) if w.strip(",.:;()").lower() not in _RECORDING_LABELS and not w[0].isdigit()]
    return (
        3 <= len(words) <= 2 * TITLE_MAX_WORDS and bool(said) and not _is_organisation(title)
        and not (_TITLED.match(title) and len(words) <= 5 and all(w[0].isupper() for w in words))
    )  # fmt: skip


_RECORDING_LABELS = frozenset(
    "transcript captions caption subtitles recording video part session day of one two three four "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def _welcome_title(lines: list[str], notes: dict[str, str]) -> str:
    """A recording's title from its opening words ("welcome to the care delivery services annual service plan 2024"),
    or ""."""
    captions = [line.split(" ", 1)[-1] for line in lines if _CAPTION_RX.match(line)]
    match = _TRANSCRIPT_WELCOME.search(" ".join(captions or lines)[:1000])
    if not match:
        return ""
    notes["title"] = f"the recording's opening words ({match.group(0)[:60]!r})"
    return _title_case(match.group(1))


def _block(lines: list[str], start: int) -> list[str]:
    """The run of title-like lines from `start`, over single blank lines, up to the first other line. A period
    printed over several lines ("1 April 2024" / "to" / "31 March 2025") belongs to the title."""
    block: list[str] = []
    rest = [line for line in lines[start:] if line]
    for i, line in enumerate(rest):
        if block and (_is_period(line) or _dated_period(rest, i)):
            block.append(line)
            continue
        if _is_junk(line) or _is_label(line) or not _is_title_line(line) or _DATE_RX.fullmatch(line):
            break
        block.append(line)
    return block


def _dated_period(lines: list[str], i: int) -> bool:
    """Line i is part of "DATE to DATE" written over one to three lines."""
    window = " ".join(lines[max(0, i - 2) : i + 3])
    return bool(_DATE_PART_RX.fullmatch(lines[i]) and _DATED_PERIOD_RX.search(window))


def _split_letterhead(block: list[str]) -> tuple[list[str], list[str]]:
    """Leading lines that together are exactly an organisation's name ("The Leeds" / "Teaching Hospitals" / "NHS Trust")."""
    for k in range(len(block), 0, -1):
        joined = " ".join(block[:k])
        if _is_organisation(joined):
            return [joined], block[k:]
    return [], block


def _join_title(lines: list[str]) -> str:
    """Heading lines as one title: continuations joined with a space, one subtitle with ": "."""
    lines = [_uncapitalise(line) for line in lines]
    title = lines[0]
    subtitled = False
    for i, line in enumerate(lines[1:], start=1):
        words = _words(line)
        if not words:  # a dash alone on its line
            continue
        first = words[0]
        if first[0].islower() or first.lower() in ("and", "of", "for", "in", "to", "the") or line[0] in ":–-(&":
            title += " " + line
        elif _is_period(line) or _dated_period(lines, i):
            title += " " + line
        elif len(words) <= TITLE_JOIN_SHORT and not re.search(r"\d", title):
            title += " " + line
        elif not subtitled and _is_subtitle(line, title):
            title += ": " + line
            subtitled = True
        else:
            break
    return title.strip(" :–-")


def _uncapitalise(title: str) -> str:
    """A line in capitals: "ANNUAL REPORT AND ACCOUNTS" -> "Annual Report and Accounts"; acronyms (3 letters or fewer) kept."""
    small = {"AND", "OF", "THE", "FOR", "IN", "TO", "ON", "WITH", "A", "AN"}
    words = title.split()
    lettered = [w for w in words if any(c.isalpha() for c in w)]
    if len(lettered) < 3 or not all(w.isupper() for w in lettered):
        return title
    out = []
    for i, w in enumerate(words):
        if not w.isupper():
            out.append(w)
        elif w in small:
            out.append(w.lower() if i else w.capitalize())
        else:
            out.append(w if len(w) <= 3 else w.capitalize())
    return " ".join(out)


_FUNCTION_WORDS = frozenset("a an and or of to the in for with on by at from that which as is are".split())


def _is_subtitle(line: str, title: str) -> bool:
    """A capitalised line after the title that says something new, is not a name, and does not end mid-sentence
    (a line ending "... held to account and" is wrapped prose)."""
    words = _words(line)
    return (
        len(words) >= SUBTITLE_MIN_WORDS and not _said_already(line, title) and not _is_organisation(line)
        and words[-1].lower() not in _FUNCTION_WORDS
    )


def _said_already(line: str, title: str) -> bool:
    """A running header repeating the title's words is not a subtitle."""
    return set(re.findall(r"\w+", line.lower())) <= set(re.findall(r"\w+", title.lower()))


def _is_period(line: str) -> bool:
    """"2024-2025", "2023/24", "2025": a period or year on its own line."""
    return bool(_PERIOD_RX.fullmatch(line) or re.fullmatch(r"(?:19|20)\d\d", line))


def _is_junk(line: str) -> bool:
    return bool(_JUNK_RX.match(line)) or len(line) < 3 or not re.search(r"[A-Za-z]{2}", line)


def _is_label(line: str) -> bool:
    """"Paper type: For information", "Date: 4 June" and other "Label: value" lines; all-caps article-type labels."""
    if re.match(r"^[A-Z][\w ]{1,25}:\s+\S", line) and not re.match(r"^[A-Z][\w ]{1,25}:\s+[a-z]", line):
        return True
    return line.isupper() and len(_words(line)) <= 3 and not re.search(r"\d", line)


def _is_body(line: str) -> bool:
    n = len(_words(line))
    return n >= BODY_MIN_WORDS or (n >= 6 and line.endswith("."))


def _is_title_line(line: str) -> bool:
    n = len(_words(line))
    return (
        0 < n <= TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";"))
        and line[0] not in "-•▪‘'\"“(|>"
        and not re.match(r"^(?:\d+[.)]|[a-z][.)])\s", line)
        and not _is_author_line(line)
        and sum(c.isalpha() for c in line) >= len(line) / 2
    )


def _is_author_line(line: str) -> bool:
    """"Luís Filipe1*, Roberta Piroddi2 and Ben Barr2", "By Dr Nick Moody,": names with affiliation marks, or a byline."""
    return bool(re.match(r"^by\s+[A-Z]", line, re.I) or re.search(r"[a-z]\d\b|[a-z]\*", line) or line.count(",") >= 2)


def _title_case(text: str) -> str:
    small = {"and", "of", "the", "for", "in", "to", "a", "an", "on", "with"}
    words = text.split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _is_transcript(lines: list[str]) -> bool:
    return sum(bool(_CAPTION_RX.match(line)) for line in lines[:60]) >= CAPTION_LINES


# publisher -------------------------------------------------------------------------------------
@dataclass
class _Candidates:
    """Organisation names with the weight of the evidence for each (same name in different spellings merged)."""

    weight: Counter[str] = field(default_factory=Counter)
    spelling: dict[str, Counter[str]] = field(default_factory=dict)
    why: dict[str, tuple[float, str]] = field(default_factory=dict)  # the strongest single cue for each name

    def add(self, name: str, weight: float, why: str) -> None:
        name = _canonical(_tidy_org(name))
        if not name or _GENERIC_ORG.match(name):
            return
        key = org_key(name)
        self.weight[key] += weight
        self.spelling.setdefault(key, Counter())[name] += 1
        if weight > self.why.get(key, (-1.0, ""))[0]:
            self.why[key] = (weight, why)

    def best(self) -> tuple[str, str]:
        if not self.weight:
            return "", ""
        key, _ = max(self.weight.items(), key=lambda kv: (kv[1], -len(kv[0])))
        return self.spelling[key].most_common(1)[0][0], self.why[key][1]


def _publisher(
    doc: _Opening, title: str, org_lines: list[str], meta: Mapping[str, str], filename: str, notes: dict[str, str]
) -> str:
    """The organisation the document speaks for: stated cues first, then how it refers to itself, then the name
    its pages repeat."""
    found = _Candidates()
    for line in doc.lines:
        if match := _EVIDENCE_RX.match(line):
            found.add(match.group(1), 20, f"the evidence header ({line[:60]!r})")
            break
    if committee := _committee(doc):
        found.add(committee, 20, "the committee that took the oral evidence")
    if govuk := _govuk_organisation(doc.lines):
        found.add(govuk, 15, "the GOV.UK organisation line")
    if journal := _journal(doc):
        found.add(journal, 15, "the journal's citation line")
    for name in org_lines:
        found.add(name, 12, "the letterhead")
    if meta.get("format") == MAIL:  # an email speaks for the body its sender signs for ("Jo Bloggs, NHS Providers")
        for name in _organisations(meta.get("author", "")):
            found.add(name, 12, "the sender")
    for line in doc.lines:
        if (about := _ABOUT_RX.match(line)) and _is_named_body(about.group(1)):
            found.add(about.group(1), 10, f"the {line!r} section")
    for name in _organisations(title):
        found.add(name, 8, "the title")
    if back := _back_cover(doc.closing):
        found.add(back, 8, "the back cover")
    for name in _speaking_as(doc.first_pages[:OPENING_CHARS]):
        found.add(name, 6, "the organisation the opening speaks as")
    _add_by_frequency(found, doc)
    if not found.weight:
        for source, text in (("file properties", meta.get("author", "")), ("file name", _stem(filename))):
            for name in _organisations(text):
                found.add(name, 1, source)
    best, why = found.best()
    if best:
        notes["publisher"] = why
    return best


def _add_by_frequency(found: _Candidates, doc: _Opening) -> None:
    """Names repeated on the first pages; and where the document calls itself "the Trust" (or "the Council", ...),
    the name of that kind it uses most: national bodies are named by everyone, a trust's own papers say "the Trust"."""
    first = Counter(_organisations(doc.first_pages))
    for name, n in first.items():
        if n >= MIN_MENTIONS:
            found.add(name, math.log2(1 + n), f"{n} mentions on the first pages")
    noun, uses = _self_reference(doc.whole)
    if not noun:
        return
    whole = Counter(n for n in _organisations(doc.whole) if n.endswith(SELF_NOUNS[noun]))
    if whole:
        name, n = whole.most_common(1)[0]
        found.add(name, SELF_REFERENCE_WEIGHT, f"'the {noun}' used {uses} times, and {n} mentions of this {noun.lower()} by name")


def _self_reference(text: str) -> tuple[str, int]:
    """The generic noun ("Trust", "Council", ...) the document most often uses for an organisation, if often enough."""
    counts = Counter({noun: len(re.findall(rf"\b(?:[Tt]he|[Oo]ur) {noun}\b", text)) for noun in SELF_NOUNS})
    noun, n = counts.most_common(1)[0]
    return (noun, n) if n >= MIN_SELF_REFERENCES else ("", 0)


def _speaking_as(text: str) -> list[str]:
    """Organisations the opening writes as: the name opens a sentence and the next speaks of "we"/"our"
    ("The King's Fund has been following ... Over this time, we have conducted ..."), or the name is defined
    ("The NHS Confederation is the membership body ...")."""
    out = []
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+|\n+", text) if x.strip()]
    for i, sentence in enumerate(sentences):
        for name in _organisations(sentence[:80]):
            if not re.match(r"(?:The )?" + re.escape(name).replace("'", "['’]"), sentence):
                continue
            after = " ".join(sentences[i : i + 2])
            defined = re.search(re.escape(name).replace("'", "['’]") + _SELF_RX, sentence)
            if defined or re.search(r"\b(?:we|our|us)\b", after, re.I):
                out.append(name)
    return out


def _back_cover(closing: list[str]) -> str:
    """An organisation named alone on the last lines (its words may be split over lines)."""
    for k in range(1, min(4, len(closing)) + 1):
        joined = " ".join(closing[-k:])
        if _is_organisation(joined):
            return joined
    return ""


def _tidy_org(name: str) -> str:
    """A name as found in running text, without surrounding punctuation, sentence-opening words or a possessive."""
    name = " ".join(name.replace("’", "'").split()).strip(" ,.;:()")
    words = name.split()
    while len(words) > 1 and words[0] in _LEADING_NOISE:
        words = words[1:]
    return re.sub(r"'s$", "", " ".join(words))  # "NHS England's" -> "NHS England"


def org_key(name: str) -> str:
    """Spelling-insensitive key: "The King’s Fund" == "King's Fund"; "NHS Trust" spacing and case ignored."""
    key = name.lower().replace("’", "'").replace("&", "and")
    key = re.sub(r"^the\s+", "", key)
    return " ".join(re.sub(r"[^\w' ]", " ", key).split())


def _organisations(text: str) -> list[str]:
    """Organisation names in the text, by shape (suffixes) and by the glossary's list of bodies."""
    names = [m.group(0) for m in _ORG_RX.finditer(text)]
    names += [name for name, _, _ in _known_bodies(text)]
    return [n for n in (_tidy_org(x) for x in names) if n and not _GENERIC_ORG.match(n)]


def _known_bodies(text: str) -> tuple[tuple[str, int, int], ...]:
    """National bodies the project's glossary knows (assistant/data/glossary.yaml `organisations`)."""
    return _known_bodies_remembered(text) if len(text) <= REMEMBERED_TEXT_CHARS else _find_known_bodies(text)


@lru_cache(maxsize=KNOWN_BODIES_REMEMBERED)
def _known_bodies_remembered(text: str) -> tuple[tuple[str, int, int], ...]:
    """_find_known_bodies of a short text, remembered: candidate names and lines are looked up again and again, and each
    look-up tries every body's patterns."""
    return _find_known_bodies(text)


def _find_known_bodies(text: str) -> tuple[tuple[str, int, int], ...]:
    glossary = _glossary()
    return tuple(glossary.organisation_spans(text)) if glossary else ()


@cache
def _glossary():  # noqa: ANN202 - assistant.glossary.Glossary, imported lazily
    try:
        from assistant.glossary import get_glossary

        return get_glossary()
    except Exception:  # noqa: BLE001 - inference must work without the glossary
        return None


def _canonical(name: str) -> str:
    """The glossary's own name for a body written another way ("King's Fund" -> "The King's Fund")."""
    bare = re.sub(r"^The ", "", name)
    spans = _known_bodies(bare)
    return spans[0][0] if len(spans) == 1 and spans[0][1] == 0 and spans[0][2] == len(bare) else name


def _is_organisation(text: str) -> bool:
    """The whole text is one organisation's name."""
    text = _tidy_org(plain(text))
    match = _ORG_RX.fullmatch(text)
    if match and not _GENERIC_ORG.match(text):
        return True
    return any(s == 0 and e == len(text) for _, s, e in _known_bodies(text))


def _is_named_body(text: str) -> bool:
    return _is_organisation(text) or len(re.findall(r"\b[A-Z][\w'’]+", text)) >= 2 and len(text.split()) <= 8


def _oral_evidence_line(doc: _Opening) -> tuple[int, re.Match[str]] | None:
    """Where the opening says it is oral evidence to a committee, and what it says."""
    lines = [line for line in doc.lines if line][:OPENING_LINES_OF_EVIDENCE]
    for i, line in enumerate(lines):
        if match := _ORAL_EVIDENCE_RX.match(line):
            return i, match
    return None


def _oral_evidence(doc: _Opening) -> str:
    """The session's title: the "Oral evidence: <inquiry>, HC 587" line as printed, or "Oral evidence: <inquiry>" from
    the line after an "ORAL EVIDENCE TAKEN BEFORE THE ... COMMITTEE" header."""
    if not (found := _oral_evidence_line(doc)):
        return ""
    i, match = found
    if match.group("inquiry"):
        return _uncapitalise(match.group(0))
    lines = [line for line in doc.lines if line]
    after = next((line for line in lines[i + 1 : OPENING_LINES_OF_EVIDENCE] if _is_title_line(line) and not _DATE_RX.search(line)), "")
    return f"Oral evidence: {_uncapitalise(after)}" if match.group("before") and after else ""


def _committee(doc: _Opening) -> str:
    """The committee that took the oral evidence: named in its header, or on a line of its own near it."""
    if not (found := _oral_evidence_line(doc)):
        return ""
    if before := found[1].group("before"):
        return _uncapitalise(before.strip(" ,."))
    lines = [line for line in doc.lines if line][:OPENING_LINES_OF_EVIDENCE]
    return next((_uncapitalise(line) for line in lines if _COMMITTEE_RX.match(_uncapitalise(line))), "")


def _govuk_organisation(lines: list[str]) -> str:
    """GOV.UK pages: organisation line, then a content-type line ("Research and analysis"), then the title."""
    seen = [line for line in lines[:30] if line]
    for before, line in zip(seen, seen[1:], strict=False):
        if line.lower() in GOVUK_FORMATS and not _is_junk(before) and len(_words(before)) <= 8:
            return before
    return ""


def _journal(doc: _Opening) -> str:
    """The journal named in an article's running head ("Iqbal et al. BMC Public Health (2025) 25:1374")."""
    if match := _CITATION_RX.search(doc.first_pages[:OPENING_CHARS]):
        return match.group(1).strip()
    for line in doc.lines[:12]:
        if line and _JOURNAL_RX.match(line) and "doi.org" in doc.first_pages[:OPENING_CHARS]:
            return line
    return ""


# kind --------------------------------------------------------------------------------------------
def _kind(doc: _Opening, title: str, transcript: bool, notes: dict[str, str], file_format: str = "") -> str:
    """What sort of document it is, from the strongest cue: its format, its opening, then its title's words."""
    opening = "\n".join(doc.lines)
    cues = (
        (transcript, "transcript", "a transcript's timestamps or speaker turns"),
        (bool(_oral_evidence(doc)), "transcript", "an oral evidence header"),
        (file_format == SLIDES, "presentation", "a slide deck"),
        (file_format == SHEETS, "spreadsheet", "a spreadsheet"),
        (file_format == MAIL, "email", "an email"),
        (bool(re.search(r"^(?:written |oral )?evidence submitted by|submitted the following evidence", opening, re.I | re.M)),
         "written evidence", "an evidence header"),
        (bool(_journal(doc)) and bool(re.search(r"^abstract\b|doi\.org", opening, re.I | re.M)),
         "journal article", "a journal citation line"),
        (bool(re.search(r"^(?:\S+ ){0,3}(?:research briefing|library briefing|POSTnote|debate pack)\b", opening, re.I | re.M)),
         "research briefing", "a briefing label"),
        (bool(re.search(r"^(?:agenda item|paper type|report to|meeting of the board|meeting held in public)\b", opening,
                        re.I | re.M)),
         "board papers", "a board paper's header"),
    )
    for hit, kind, why in cues:
        if hit:
            notes["kind"] = why
            return kind
    for pattern, kind in _TITLE_KINDS:
        if pattern.search(title):
            notes["kind"] = "the title's words"
            return kind
    seen = [line.lower() for line in doc.lines[:30] if line]
    for line in seen:
        if line in GOVUK_FORMATS and _govuk_organisation(doc.lines):
            notes["kind"] = "the GOV.UK content type"
            return GOVUK_FORMATS[line]
    if re.search(r"\bthis (?:report|paper)\b", doc.first_pages[:OPENING_CHARS], re.I):
        notes["kind"] = "the text calls itself a report"
        return "report"
    return ""


# date ----------------------------------------------------------------------------------------------
def _date(doc: _Opening, title: str, kind: str, meta: Mapping[str, str], notes: dict[str, str]) -> str:
    """When it was published, from the strongest cue: a "published" line, the title's date, a submission date, a
    dated line near the top, the date the accounts were signed, a sign-off date at the end, the period the title
    covers, a journal citation or copyright year, the file's properties, the year its opening writes about most. An
    email's is the date it was sent, whatever its subject or text mention."""
    if kind == "email" and meta.get("date"):
        notes["date"] = "the date sent"
        return meta["date"]
    for rule in (_published_line, _title_date, _submitted_on, _dated_line, _signed_date, _closing_date):
        if found := rule(doc, title):
            when, why = found
            notes["date"] = why
            return when
    if when := _period_date(title, kind):
        notes["date"] = "the period in the title"
        return when
    for rule in (_citation_year, _copyright_year):
        if found := rule(doc, title):
            when, why = found
            notes["date"] = why
            return when
    if meta.get("date"):
        notes["date"] = "file properties"
        return meta["date"][:10]
    if when := _dominant_year(doc):
        notes["date"] = "the year the opening writes about most"
        return when
    return ""


def parse_date(text: str) -> str:
    """An English date as ISO at the precision given: "3 December, 2024" -> "2024-12-03", "November 2020" -> "2020-11"."""
    from dateutil import parser

    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " "))
    try:
        a = parser.parse(text, default=datetime(2000, 1, 1))
        b = parser.parse(text, default=datetime(2000, 2, 2))
    except (ValueError, OverflowError):
        return ""
    if not EARLIEST_YEAR <= a.year <= date.today().year + 1:
        return ""
    if a.month != b.month:
        return f"{a.year:04d}"
    if a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}"
    return a.date().isoformat()


def _first_date(text: str) -> str:
    for match in _DATE_RX.finditer(text):
        if when := parse_date(match.group(0)):
            return when
    return ""


def _published_line(doc: _Opening, title: str) -> tuple[str, str] | None:
    """"Date published: 3 December, 2024", "Published 12 August 2025", "Publication date: ..." near the top;
    a "last updated" date only when no published date is given."""
    published = r"(?:date )?(?:first )?published(?: on)?|publication date|date of publication|issued(?: on)?"
    for label in (published, r"(?:date )?last updated"):
        for line in doc.lines:
            if re.match(rf"^(?:{label})\b:?", line, re.I) and (when := _first_date(line)):
                return when, f"the line {line[:60]!r}"
    return None


def _title_date(doc: _Opening, title: str) -> tuple[str, str] | None:
    """A day or month in the title itself ("Public Board Meeting 4 September 2025"), unless it opens a period."""
    if _DATED_PERIOD_RX.search(title):
        return None
    when = _first_date(title)
    return (when, "the date in the title") if len(when) >= len("YYYY-MM") else None


def _submitted_on(doc: _Opening, title: str) -> tuple[str, str] | None:
    """"... submitted the following evidence ... on 9 January 2023"."""
    match = re.search(rf"\bsubmitted\b[^.]{{0,120}}?\bon\s+({_DATE})", doc.first_pages[:OPENING_CHARS], re.I)
    return (parse_date(match.group(1)), "the submission date") if match and parse_date(match.group(1)) else None


def _dated_line(doc: _Opening, title: str) -> tuple[str, str] | None:
    """A short line near the top that is, or ends with, a date: "November 2020", "Research Briefing 23 July 2025",
    "Jenny Allen, Director of Workforce, October 2021", "Date: 4 September 2025"."""
    lines = [line for line in doc.lines if line]
    for i, line in enumerate(lines):
        if len(_words(line)) > 12 or line.endswith(".") or _dated_period(lines, i):  # "1 April 2024 / to / ..." is a period
            continue
        if re.match(r"^(?:item\b|\d)", line, re.I) and not _DATE_RX.fullmatch(line):  # agenda items, numbered paragraphs
            continue
        match = _DATE_RX.search(line)
        if match and line[match.end() :].strip(" )*") == "" and (when := parse_date(match.group(0))):
            return when, f"the line {line[:60]!r}"
    return None


def _signed_date(doc: _Opening, title: str) -> tuple[str, str] | None:
    """Accounts and annual reports are signed and dated: "Signed ... Chief Executive 19 June 2024", "Date: 26 June 2025"."""
    found: Counter[str] = Counter()
    for match in re.finditer(rf"^\W*(?:signed\b[^\n]{{0,200}}?|date:?\s*)({_DATE})\s*$", doc.whole, re.I | re.M):
        if when := parse_date(match.group(1)):
            found[when] += 1
    if not found:
        return None
    when = max(found, key=lambda w: (found[w], w))
    return when, "the date the report was signed"


def _closing_date(doc: _Opening, title: str) -> tuple[str, str] | None:
    """A date alone on a line near the end, before any notes: how letters and evidence are signed off ("October 2022")."""
    notes_heading = r"^\W*(?:footnotes|references|endnotes|notes|bibliography)\W*$"
    tail = re.split(notes_heading, doc.whole[-CLOSING_DATE_CHARS:], flags=re.I | re.M)[0]
    lines = [plain(line) for line in tail.splitlines()]
    for line in reversed(lines):
        if _DATE_RX.fullmatch(line) and (when := parse_date(line)):
            return when, f"the sign-off line {line!r} near the end"
    return None


def _period_date(title: str, kind: str) -> str:
    """"Annual Report 2023-2024" -> 2024 (a report on a year comes after it); "Strategy 2023-2030" -> 2023."""
    if dated := _DATED_PERIOD_RX.search(title):
        title = f"{parse_date(dated.group(1))[:4]}-{parse_date(dated.group(2))[:4]}"
    if match := _PERIOD_RX.search(title):
        start = int(match.group(1))
        end_text = match.group(2)
        end = int(end_text) if len(end_text) == 4 else start // 100 * 100 + int(end_text)
        if 0 < end - start <= 15:
            return str(end if _RETROSPECTIVE.search(title) or kind == "annual report" else start)
    horizons = {m.group(1) for m in _HORIZON_RX.finditer(title)}
    years = [y for y in _YEAR_RX.findall(title) if y not in horizons]
    return years[0] if years else ""


def _citation_year(doc: _Opening, title: str) -> tuple[str, str] | None:
    match = _CITATION_RX.search(doc.first_pages[:OPENING_CHARS])
    return (match.group(2), "the journal citation line") if match else None


def _copyright_year(doc: _Opening, title: str) -> tuple[str, str] | None:
    match = re.search(r"(?:©|\(c\)|copyright)[^\n]{0,40}?((?:19|20)\d\d)", doc.first_pages[:OPENING_CHARS], re.I)
    return (match.group(1), "the copyright line") if match else None


def _dominant_year(doc: _Opening) -> str:
    """The year the opening mentions most (the latest on a tie), leaving out targets ("by 2030")."""
    text = doc.first_pages[:OPENING_CHARS]
    horizons = Counter(m.group(1) for m in _HORIZON_RX.finditer(text))
    years = Counter(y for y in _YEAR_RX.findall(text) if EARLIEST_YEAR <= int(y) <= date.today().year)
    years.subtract(horizons)
    ranked = [(n, y) for y, n in years.items() if n > 0]
    return max(ranked)[1] if ranked else ""


def describe(inferred: Inferred, fields: Iterable[str] = FIELDS) -> str:
    """One line saying where each inferred value came from, for a draft catalogue's comments."""
    return "; ".join(f"{f} from {inferred.notes[f]}" for f in fields if f in inferred.notes and getattr(inferred, f))
