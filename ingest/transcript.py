"""Meeting transcripts: recognised from the text, shaped into readable, attributable text with locators.

Two kinds:
- CAPTION files (tactiq.io / YouTube exports; .vtt and .srt files, or SRT or WebVTT pasted into text): most lines start with a timestamp
  ("00:04:46.800 will be leaving at 3", "[0:04:46] ...", "0:04" on a line of its own, "00:00:01,000 --> ...").
  The lines are joined into running text, fillers ("um", "uh"; "you know", "so" opening a unit) and sound notes
  ("[Music]") dropped, and the run cut into units of about MIN_UNIT_WORDS-MAX_UNIT_WORDS words: at a pause (the
  gap to the next timestamp beyond the time the words take to say), at a sentence end the captions already have,
  at a speaker change. Each unit is a line of its own, capitalised, ending with a full stop. Meeting software's and
  transcription services' documents are captions too: a line naming the speaker and the time over each turn's words
  (TURN_LAYOUTS: Teams' and Otter.ai's "Jane Smith   0:03", Rev's "Jane Smith (00:03):", Zoom's "[Jane Smith]
  10:01:15" by the clock, Descript's "[00:00:03] Jane Smith", Happy Scribe's "[00:00:03.80] - Jane Smith", Sonix's
  "Jane Smith: [00:00:03] ..."), or "00:00:03 - Jane Smith: ..." on one line.
- ORAL_EVIDENCE (Hansard style): turns opening "Q103 Chair:" or "Amanda Pritchard:"; the question number leaves
  the text.

Timestamps and question numbers become locators: [start, end) of the shaped text -> "at 00:41:07" (the caption
line the words came from) or "Q112" (the question being answered), a transcript's counterpart of a PDF page.

Speakers: each turn opens with a heading line "## Amanda Pritchard (Chief Executive, NHS England)" (the role from the
"Witnesses:" list where it gives one). split.py makes a "#" line the section of the chunks under it, so every
sentence of the turn is cited with its speaker, and the speaker's name is embedded with the turn's text. Writing
"Amanda Pritchard: ..." inline instead would name the speaker in the turn's first sentence only.

The shaping is a list of edits of the cleaned text (repair.Edit), so clean.py keeps its page map exact; `shape`
returns the shaped text with them, and the locators' offsets are offsets of that text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from assistant.types import Locator
from ingest.repair import Edit

CAPTION, ORAL_EVIDENCE = "caption", "oral evidence"
SPEECH = "speech"  # the third kind: speech written down without punctuation or times (ingest/runs.py)
KIND = "transcript"  # the document kind a recognised transcript is given

CAPTION_MIN_LINES = 5  # fewer timestamped lines are times in a document ("10:30 Coffee"), not captions
CAPTION_LINE_SHARE = 0.3  # timestamped lines among the non-blank ones (SRT: index, time, text = one in three)
CLOCK_ONLY_MIN_LINES = 20  # "10:30 text" could be a clock time: that many lines before they count as captions
IN_ORDER_SHARE = 0.8  # captions run forwards in time
MIN_QUESTION_TURNS = 3  # "Q103 Chair:" this often makes oral evidence
MIN_SPEAKER_TURNS = 6  # without question numbers: this many speaker turns ...
SPEAKER_TURN_SHARE = 0.25  # ... making up this share of the non-blank lines ...
MIN_TURNS_EACH = 2  # ... by at least two speakers with this many turns each
MAX_SPEAKER_WORDS = 6  # "Professor Sir Stephen Powis": longer runs of capitalised words before a colon are not a name

FIRST_TURN_S = 300  # meeting software times each turn from the recording's start: the first one is near it
MIN_UNIT_WORDS, MAX_UNIT_WORDS = 15, 40  # a caption unit: a readable sentence-sized stretch of speech
SHORT_UNIT_WORDS = 5  # a sentence end or a long pause closes a unit this long (shorter ones are not evidence)
PAUSE_S = 1.5  # a silence this long between caption lines is a pause
LONG_PAUSE_S = 3.0  # ... and this long, a new paragraph
SPEAKING_RATE_QUANTILE = 0.75  # a line without an end time takes its words at the pace of the transcript's brisk lines
WORDS_PER_SECOND = (2.0, 5.0)  # ... within these bounds (150 words a minute is 2.5)
SHOWN_UNTIL_NEXT_MS = 50  # a cue ending this near the next one's start was shown until then (YouTube's rolling captions)
ROLLING_SHARE = 0.3  # ... and this share of its cues shown no longer than that: the line before, shown once more
SPOKEN_SIGNS = frozenset("& + = / % < > £ € $".split())  # a caption's one-sign words ("A & E")
GUEST_WORDS_READ = 200  # characters after a name opening one turn read for its case (_with_guests)
COMMA_SCORE = 0.01  # with no pause to cut at, a comma is the better place

# A unit cut by length does not end on these ("... gives details of."): the words after them belong to them.
UNENDING = frozenset(
    "a an and are as at be because but by for from has have i if in into is it's its my of on or our so than that the their "
    "these this those to was we were which who will with would your".split()
)
UNSTARTING = frozenset("million billion thousand hundred per percent pounds pence %".split())  # "4.2 / million pounds"
FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "mm", "mmm", "ah"})  # dropped anywhere
OPENING_FILLERS = (("you", "know"), ("i", "mean"), ("so",), ("well",), ("okay",), ("ok",), ("right",))  # dropped opening a unit
CHAIR_TITLES = frozenset({"chair", "the chair", "chairman", "chairwoman", "chairperson", "convenor"})
NOT_SPEAKERS = frozenset(
    "action actions agenda aim aims answer apologies appendix attendance author background case chapter contact date "
    "decision email example figure item key lead location meeting minutes next note notes objective outcome owner page "
    "paper part phase points present priority purpose question questions recommendation recommendations report response "
    "risk section source sources stage status step steps study subject summary table tel time title total update venue "
    "version website witness witnesses".split()
)
_TACTIQ_BANNER = re.compile(r"^#[ ]*tactiq\.io\b.*$|^#[ ]*No title found[ ]*$", re.IGNORECASE | re.MULTILINE)
_HEADER_URL = re.compile(r"^#[ ]+(?=https?://\S+[ ]*$)", re.MULTILINE)
_VTT_HEADER = re.compile(  # and SRT's first index
    r"^(?:WEBVTT\b.*|Kind:[ ]*captions|Language:[ ]*[\w-]+|X-TIMESTAMP-MAP=.*|[ ]*\d{1,6}[ ]*)$", re.MULTILINE
)
# A WebVTT comment, style sheet or region: a block after a blank line, up to the next one, never spoken (WebVTT only:
# in an SRT or inside a cue, "NOTE THAT THE DEFICIT ..." is speech in capitals)
_VTT_BLOCK = re.compile(r"(?:(?<=\n\n)|\A)(?:NOTE(?=[ \t\n]|\Z)|STYLE[ \t]*$|REGION[ \t]*$).*(?:\n.*\S.*)*", re.MULTILINE)

# The next cue's identifier at the end of a cue's text: in WebVTT a line after a blank line; in SRT also its number
_VTT_IDENTIFIER = re.compile(r"\n[ \t]*\r?\n(?=[^\n]*\S[^\n]*\s*\Z)")
_SRT_IDENTIFIER = re.compile(rf"(?m)^[ ]*\d{{1,6}}\s*\Z|{_VTT_IDENTIFIER.pattern}")

# seconds in two figures, or in one after hours and minutes and before a fraction: older Teams transcripts write
# "0:0:4.370 --> 0:0:8.740" ("1:1.5" is a ratio)
_STAMP = r"\[?(?:(\d{1,2}):)?(\d{1,2}):([0-5]\d|(?:(?<=\d:\d:)|(?<=\d:\d\d:))\d(?=[.,]\d))(?:[.,](\d{1,3}))?\]?"
_CUE = re.compile(rf"^[ ]*{_STAMP}(?:[ ]*-->[ ]*{_STAMP}.*$|(?=\s|$))", re.MULTILINE)
_STAMP_DASH = re.compile(r"[ \t]*[-–—][ \t]+")  # a dash between a time and what follows it
_NOT_SPOKEN = re.compile(  # sound notes, WebVTT's tags, SubRip's position marks ("{\\an8}")
    r"\[[^\]\n]*\]|\((?:music|applause|laughter|laughs|inaudible|crosstalk|silence)\)|<(?:/?[a-z]|\d\d?:)[^<>\n]*>|\{\\[^}\n]*\}",
    re.IGNORECASE,  # a tag opens with a letter, "/" or a time: "<2% of turnover" is words
)
_CHANGE_MARK = re.compile(r">>[ \t]*")  # captioners' mark of a new speaker
UNNAMED_SPEAKER = "Unnamed speaker"  # the heading of a turn a ">>" opens without a name, after a named speaker's
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ ]+([^>\n]{1,60})>")  # WebVTT "<v Amanda Pritchard>"
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_NOT_A_SENTENCE_END = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Prof|St|No|vs|etc|e\.g|i\.e)\.$", re.IGNORECASE)
TRAILING = re.compile(r"[,;:–—-]+$")
PRONOUN_I = re.compile(r"i(?:['’](?:m|ve|d|ll))?")  # "i", "i'm" ...: ASR's lower-case pronoun (written "I")

_HONORIFIC = r"(?:The|Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Lord|Lady|Baroness|Baron|Professor|Prof|Rt Hon|Cllr|Councillor)\.?"
_TITLED = re.compile(rf"(?!The\b){_HONORIFIC}[ ]+[A-Z]")  # "Dr Amy Lee", "Cllr Jo Bloggs"; not "The Primary Care Team"
_NAME_WORD = r"[A-Z][\w'’.-]*"  # "Siobhán", "Zoë": letters after the capital in any alphabet
NAME_PARTICLES = frozenset("de van von da du le la del bin al".split())
_NAME = rf"(?:{_HONORIFIC}[ ]+)*{_NAME_WORD}(?:[ ]+(?:{_NAME_WORD}|{'|'.join(sorted(NAME_PARTICLES))})){{0,{MAX_SPEAKER_WORDS - 1}}}"
_SAYS = rf"(?:\*\*)?(?P<speaker>{_NAME})(?:[ ]*\([^()\n]{{1,60}}\))?(?:\*\*)?:(?:\*\*)?(?:[ ]+|$)"
_QUESTION_TURN = re.compile(rf"^[ ]*(?:\*\*)?Q[ ]?(?P<q>\d{{1,4}})(?:[-–]\d{{1,4}})?\.?(?:\*\*)?[ ]+{_SAYS}", re.MULTILINE)
_SPEAKER_TURN = re.compile(rf"^[ ]*{_SAYS}", re.MULTILINE)
_SAYS_RX = re.compile(_SAYS, re.MULTILINE)
# A turn of a meeting software's or transcription service's document: the speaker and the time on a line, the words
# below or after it ("Jane Smith   0:03", "Speaker 2  1:04:15", "Jane Smith (00:03):"; TURN_LAYOUTS).
# The name as the software shows it: any letters ("Siobhán O'Neill"), "Surname, First", a "(Guest)" or an organisation
# in brackets ("DOE, John (NHS WEST YORKSHIRE ICB - X24)"). Ordinary lines of that shape are told apart by
# _speaker_stamped, not here.
_WHO = rf"(?P<who>[^\W\d_][\w'’.,-]*(?:[ ]+[\w'’.,-]+){{0,{MAX_SPEAKER_WORDS - 1}}}(?:[ ]*\([^()\n]{{1,60}}\))?)"
_EMPHASIS = r"(?:\*{1,2}|_)?"
# The layouts transcription services write a turn's line in, each with the number of its first stamp group (_seconds)
# and whether its times may be the clock's (Zoom, Webex), not only the recording's (Descript, Happy Scribe, Sonix):
TURN_LAYOUTS = (
    (re.compile(rf"^[ ]*{_WHO}[ \t]+{_STAMP}[ \t]*\r?$", re.MULTILINE), 2, True),  # Teams, Otter.ai: "Jane Smith   0:03"
    # Rev, Sonix: "Jane Smith (00:03):", "**Speaker 1 (1:02:43):**", "*Joe (00:00)*", the words below or after it
    (re.compile(rf"^[ ]*{_EMPHASIS}{_WHO}[ ]*\({_STAMP}\){_EMPHASIS}[ ]*:?{_EMPHASIS}(?:[ \t]*\r?$|[ \t]+(?=\S))", re.MULTILINE), 2, True),
    (re.compile(rf"^[ ]*\[{_WHO}\][ \t]+{_STAMP}[ \t]*\r?$", re.MULTILINE), 2, True),  # Zoom: "[Jane Smith] 10:01:15"
    (re.compile(rf"^[ ]*{_STAMP}[ \t]+{_WHO}[ \t]*\r?$", re.MULTILINE), 1, False),  # Descript: "[00:00:03] Jane Smith"
    # Happy Scribe: "[00:00:03.80] - Jane Smith", in brackets and to the hundredth: "14:03:22 - Call Handler" over
    # what happened is an incident timeline, "02:15 - Workforce Plan" a video's chapters
    (re.compile(rf"^[ ]*(?=\[[\d:]+[.,]\d{{1,3}}\]){_STAMP}[ \t]+[-–—][ \t]+{_WHO}[ \t]*\r?$", re.MULTILINE), 1, False),
    # Sonix: "Jane Smith: [00:00:03] Thank you, chair.", the words after it or below (the time in brackets: in "Jane
    # Smith 00:00:03 ..." the name would run to "00")
    (re.compile(rf"^[ ]*{_EMPHASIS}{_WHO}{_EMPHASIS}:{_EMPHASIS}[ \t]*(?=\[){_STAMP}(?:[ \t]*\r?$|[ \t]+(?=\S))", re.MULTILINE), 2, False),
)
# A speaker's name alone on the line above the words of a cue ("John Doe" / "Thank you."), after any sound note, not
# ending as a sentence or a clause does ("Yes," / "THANK YOU." are speech)
_NAME_LINE = re.compile(rf"\s*(?:\[[^\]\n]*\]\s*)*{_WHO}(?<![.,;:!?])[ \t]*\r?\n(?=[ \t]*\S)")
_WITNESSES = re.compile(r"^[ ]*(?:\*\*)?Witness(?:es)?:?(?:\*\*)?:?[ ]+(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Shaped:
    """The shaped text, the edits of the cleaned text that make it, its locators, and its units (caption units or turns)."""

    text: str
    edits: list[Edit]
    locators: tuple[Locator, ...]
    units: int


# --- recognising ---------------------------------------------------------------------------------------------


def recognise(text: str, caption_file: bool = False) -> str:
    """CAPTION, ORAL_EVIDENCE or "" (not a transcript), from the text alone; a caption file (.vtt, .srt) with a
    single "-->" cue is a caption, however short."""
    nonblank = _nonblank(text)
    if (caption_file and any("-->" in m.group(0) for m in _CUE.finditer(text))) or _is_caption(text, nonblank):
        return CAPTION
    if _is_oral_evidence(text, nonblank):
        return ORAL_EVIDENCE
    return ""


def _nonblank(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def _is_caption(text: str, nonblank: int) -> bool:
    """Most lines timed, forwards in time; bare "10:30" stamps (clock times?) only in numbers no agenda has. Or
    a meeting software's turns: a speaker and a time over each turn's words (_speaker_stamped)."""
    if _speaker_stamped(text, nonblank):
        return True
    cues = [m for m in _CUE.finditer(text) if not _agenda_item(text, m)]
    if len(cues) < CAPTION_MIN_LINES or len(cues) < CAPTION_LINE_SHARE * nonblank:
        return False
    if not _forwards([_seconds(m) for m in cues]):
        return False
    clock_like = all(m.group(1) is None and m.group(4) is None and "[" not in m.group(0) and "-->" not in m.group(0) for m in cues)
    return not clock_like or len(cues) >= CLOCK_ONLY_MIN_LINES


@dataclass(frozen=True)
class _Turn:
    """A turn's line in a meeting software's or transcription service's document: where it is, who speaks, when."""

    start: int
    end: int  # where the words may start: the next line, or after the label on its own line
    who: str
    at: float  # seconds: from the recording's start, or a clock time


def _speaker_stamped(text: str, nonblank: int) -> list[_Turn]:
    """The turns' lines ("Jane Smith   0:03", "Jane Smith (00:03):", "[Jane Smith] 10:01:15", "[00:00:03] Jane
    Smith"; TURN_LAYOUTS) when the text is made of them, else []: CAPTION_MIN_LINES of them or more,
    SPEAKER_TURN_SHARE of the lines, forwards in time, words under nearly every one, two people or more, one of them
    speaking MIN_TURNS_EACH times or more; the layout giving the most such turns. The first is within FIRST_TURN_S of
    the recording's start, or, in a layout meeting software writes by the clock, every time is a clock time to the
    second (_clocked): "14:03:22 Call Handler" over what happened is an incident timeline. A programme, an agenda or a rota
    reads clock times to the minute ("Keynote Address 9:30", "Jane Smith 07:00"); a list of times ("Yorkshire
    Ambulance Service 7:45") names each thing once, nothing under it."""
    best: list[_Turn] = []
    for layout, first, by_clock in TURN_LAYOUTS:
        found = [m for m in layout.finditer(text) if _capitalised(m.group("who"))]  # "2:30 works for me." is speech
        if len(found) < max(CAPTION_MIN_LINES, len(best) + 1) or len(found) < SPEAKER_TURN_SHARE * nonblank:
            continue
        turns = [_Turn(m.start(), m.end(), m.group("who"), _seconds(m, first)) for m in found]
        times = [t.at for t in turns]
        if (times[0] > FIRST_TURN_S and not (by_clock and _clocked(found, first))) or not _forwards(times):
            continue
        said = [bool(re.search(r"\w", text[t.end : b.start if b else len(text)])) for t, b in zip(turns, [*turns[1:], None], strict=True)]
        counts = Counter(t.who for t in turns)
        people = [n for n in counts if _names_a_person(n)]
        if sum(said) >= IN_ORDER_SHARE * len(turns) and len(people) >= 2 and max(counts[n] for n in people) >= MIN_TURNS_EACH:
            best = turns
    return best


def _clocked(stamps: list[re.Match[str]], first: int) -> bool:
    """Every stamp a clock time to the second ("10:01:15"), most seconds other than ":00": a meeting recorded by the
    clock (Zoom, Webex). A programme's or a rota's times are to the minute ("09:30", "07:00:00")."""
    return all(m.group(first) is not None for m in stamps) and sum(m.group(first + 2) != "00" for m in stamps) > len(stamps) / 2


def _capitalised(name: str) -> bool:
    """No word of a name opens in lower case ("Siobhán O'Neill", "DOE, John", "张伟"), but its particles ("de",
    "van") and what is in brackets; a rolling caption's line of speech ("good afternoon everyone and") does."""
    words = re.sub(r"\([^()]*\)", "", name).replace(",", " ").split()
    return bool(words) and all(not w[0].islower() or w in NAME_PARTICLES for w in words)


def _names_a_person(label: str) -> bool:
    """ "Jane Smith", "Jane", "Speaker 2", "DOE, John (NHS ... ICB - Quality Lead)": the name, brackets aside."""
    name = re.sub(r"\([^()]*\)", "", label).replace(",", " ").strip()
    return name.startswith("Speaker ") or _looks_like_speaker(name) or (" " not in name and name.lower() not in NOT_SPEAKERS)


def _forwards(times: list[float]) -> bool:
    """Captions and turns run forwards in time (IN_ORDER_SHARE of the steps)."""
    return sum(b >= a for a, b in zip(times, times[1:], strict=False)) >= IN_ORDER_SHARE * (len(times) - 1)


def _agenda_item(text: str, cue: re.Match[str]) -> bool:
    """ "09:00 - Welcome", "14:03:22 – 999 call received": a time followed by a dash is an agenda's or a timeline's
    line, not a caption, unless a speaker's label follows the dash ("00:04:46 - Jane Smith: ...")."""
    dash = _STAMP_DASH.match(text, cue.end())
    return "-->" not in cue.group(0) and bool(dash) and not _SAYS_RX.match(text, dash.end())


def _seconds(cue: re.Match[str], first: int = 1) -> float:
    """The time of a cue's stamp (groups first..first+3: hours, minutes, seconds, fraction) in seconds."""
    hours, minutes, seconds, fraction = (cue.group(first + i) for i in range(4))
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + float(f"0.{fraction}" if fraction else 0)


def _is_oral_evidence(text: str, nonblank: int) -> bool:
    """Question-numbered turns ("Q103 Chair:"), or speaker turns by at least two speakers making up much of the text."""
    questions = [int(m.group("q")) for m in _QUESTION_TURN.finditer(text)]
    forwards = sum(b > a for a, b in zip(questions, questions[1:], strict=False))
    if len(questions) >= MIN_QUESTION_TURNS and forwards >= IN_ORDER_SHARE * (len(questions) - 1):
        return True
    turns = [m.group("speaker") for m in _SPEAKER_TURN.finditer(text)]
    speakers = _speakers(turns, set())
    counts = Counter(t for t in turns if t in speakers)
    regulars = sum(1 for n in counts.values() if n >= MIN_TURNS_EACH)
    total = sum(counts.values())
    return total >= MIN_SPEAKER_TURNS and regulars >= 2 and total >= SPEAKER_TURN_SHARE * nonblank


def _speakers(labels: list[str], known: set[str]) -> set[str]:
    """The labels that name speakers: known ones, and names (two words or more, or the chair) opening two turns or more."""
    counts = Counter(labels)
    return {label for label in counts if label in known or (counts[label] >= MIN_TURNS_EACH and _looks_like_speaker(label))}


def _with_guests(labels: list[tuple[str, str]], known: set[str], all_named: bool = False) -> set[str]:
    """The speakers (_speakers: `known` ones, and names opening two turns or more), and names opening one turn (label,
    the turn's words) that are surely people's: a guest speaks
    once, and left out, their words were the speaker's before them. A name in capitals over words in mixed case,
    where the speakers' names are in capitals ("AMANDA PRITCHARD" where "RICHARD MEDDINGS" speaks again and again;
    not a caption all in capitals), or a name with a title ("Dr Amy Lee", "Cllr Jo Bloggs"). "Mental Health: we
    will ..." or "Primary Care: ..." are topics, as written as "Amy Lee" is. `all_named`: nearly every cue of a
    caption opens with who speaks ("00:02:18 - Amy Lee: ..."), so a name opening one is a speaker too."""
    speakers = _speakers([label for label, _ in labels], known)
    upper = any(s.isupper() for s in speakers)
    guests = set()
    for label, words in labels:
        if label in speakers or not _looks_like_speaker(label):
            continue
        if label.isupper() and not any(c.islower() for c in words):
            continue  # a caption all in capitals: "THE THREE PRIORITIES ARE: ..." is speech
        if (upper and label.isupper()) or _TITLED.match(label) or all_named:  # a label's words are capitalised (_NAME)
            guests.add(label)
    return speakers | guests


def label_end(text: str, at: int) -> int | None:
    """Where the words start after a speaker's label opening the text at `at` ("Sarah Jones: ...", "Q12 Chair: ..."),
    or None when no label opens it there."""
    label = _QUESTION_TURN.match(text, at) or _SPEAKER_TURN.match(text, at)
    return label.end() if label else None


def _looks_like_speaker(label: str) -> bool:
    """ "Amanda Pritchard", "Dr Smith", "Chair"; not a label such as "Note", "Key Points" or "Next Steps"."""
    words = label.lower().split()
    return label.lower() in CHAIR_TITLES or (len(words) >= 2 and not any(w.strip(".") in NOT_SPEAKERS for w in words))


# --- shaping -------------------------------------------------------------------------------------------------


class _Rewriter:
    """Builds the shaped text from the cleaned one, left to right, recording each change as an Edit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[str] = []
        self.edits: list[Edit] = []
        self.cursor = 0  # everything of `text` before this is written
        self.length = 0  # length of what is written so far

    def keep_to(self, old: int) -> int:
        """Copy the text up to `old`; returns where that offset lands in the shaped text."""
        if old > self.cursor:
            self.parts.append(self.text[self.cursor : old])
            self.length += old - self.cursor
            self.cursor = old
        return self.length

    def replace(self, start: int, end: int, new: str) -> None:
        self.keep_to(start)
        if new != self.text[start:end]:
            self.edits.append(Edit(start, end, new))
        self.parts.append(new)
        self.length += len(new)
        self.cursor = end

    def finish(self) -> str:
        self.keep_to(len(self.text))
        return "".join(self.parts)


def shape(text: str, kind: str) -> Shaped:
    """The cleaned text of a recognised transcript, shaped (see the module docstring)."""
    return _shape_captions(text) if kind == CAPTION else _shape_oral_evidence(text)


def _heading(speaker: str, roles: dict[str, str]) -> str:
    role = roles.get(speaker)
    return f"## {speaker} ({role})" if role else f"## {speaker}"


# oral evidence ------------------------------------------------------------------------------------------------


def _shape_oral_evidence(text: str) -> Shaped:
    """Each turn opens with its speaker's heading; "Q103" leaves the text for a locator running to the next question.
    Without question numbers, a time on a line of its own between the turns (Google Meet writes one every few
    minutes: "00:05:00") leaves it for a locator running to the next time ("at 00:05:00")."""
    turns = _turns(text)
    roles = _roles(text, {speaker for _, _, speaker, _ in turns})
    out = _Rewriter(text)
    starts: list[tuple[int, str]] = []
    times = [] if any(question for *_, question in turns) else _time_lines(text)
    for line_start, body_start, speaker, question in sorted([*turns, *times]):
        if speaker is None:  # a time line: it leaves the text with the blank lines after it, its label marks what follows
            starts.append((out.keep_to(line_start), question))
            out.replace(line_start, body_start, "")
            continue
        blank_before = line_start == 0 or text[max(0, line_start - 2) : line_start] == "\n\n"
        begin = line_start if blank_before else line_start - 1  # take the line break before: it becomes a blank line
        lead = "" if blank_before else "\n\n"
        own_line = body_start == _line_end(text, body_start)  # "AMANDA PRITCHARD:" alone, the words below
        heading_at = out.keep_to(begin) + len(lead)
        out.replace(begin, body_start, lead + _heading(speaker, roles) + ("" if own_line else "\n"))
        if question:
            starts.append((heading_at, f"Q{question}"))
    shaped = out.finish()
    ends = [start for start, _ in starts[1:]] + [len(shaped)] * bool(starts)
    locators = tuple(Locator(start, end, label) for (start, label), end in zip(starts, ends, strict=True))
    return Shaped(shaped, out.edits, locators, len(turns))


# a time opening a line: alone on it, or before words cleaning joined to it ("00:05:00" / "forecast ..." in one turn)
_TIME_LINE = re.compile(rf"^[ \t]*{_STAMP}(?:[ \t]*(?:\n[ \t]*)*\n|[ \t]+)(?=\S)", re.MULTILINE)
MIN_TIME_LINES = 2  # a transcript's times on lines of their own, forwards: fewer may be a line of the text ("10:30")


def _time_lines(text: str) -> list[tuple[int, int, None, str]]:
    """(line start, where the next line of words starts, None, "at 00:05:00") of each time in hours, minutes and seconds
    on a line of its own, when there are MIN_TIME_LINES or more, running forwards."""
    found = [m for m in _TIME_LINE.finditer(text) if m.group(1) is not None]  # "00:05:00"; "10:30" may be an agenda's
    seconds = [_seconds(m) for m in found]
    if len(found) < MIN_TIME_LINES or not _forwards(seconds):
        return []
    return [(m.start(), m.end(), None, f"at {_clock(t)}") for m, t in zip(found, seconds, strict=True)]


def _turns(text: str) -> list[tuple[int, int, str, str]]:
    """(line start, where the words start, speaker, question number or "") of every turn, in order."""
    found: dict[int, tuple[int, int, str, str]] = {}
    for m in _QUESTION_TURN.finditer(text):
        found[m.start()] = (m.start(), m.end(), m.group("speaker"), m.group("q"))
    known = {speaker for _, _, speaker, _ in found.values()}
    plain = [m for m in _SPEAKER_TURN.finditer(text) if m.start() not in found]
    opening = [(m.group("speaker"), text[m.end() : m.end() + GUEST_WORDS_READ]) for m in plain]  # the words after it
    speakers = _with_guests(opening, known | set(_witness_names(text)))
    for m in plain:
        if m.group("speaker") in speakers:
            found[m.start()] = (m.start(), m.end(), m.group("speaker"), "")
    return [found[k] for k in sorted(found)]


def _witness_names(text: str) -> list[str]:
    """Names listed after "Witnesses:" (each entry's words before its first comma)."""
    names = []
    for m in _WITNESSES.finditer(text):
        for entry in re.split(r";|,?\s+and\s+(?=[A-Z])", m.group(1)):
            name = entry.split(",")[0].strip(" .")
            if re.fullmatch(_NAME, name):
                names.append(name)
    return names


def _roles(text: str, speakers: set[str]) -> dict[str, str]:
    """Speaker -> role as the "Witnesses:" list gives it ("Amanda Pritchard, Chief Executive, NHS England; ...")."""
    roles: dict[str, str] = {}
    others = "|".join(re.escape(s) for s in sorted(speakers, key=len, reverse=True))
    for m in _WITNESSES.finditer(text):
        listed = m.group(1)
        for speaker in speakers:
            found = re.search(rf"\b{re.escape(speaker)},\s*(.+?)\s*(?=;|,?\s+and\s+(?:{others})\b|\.?\s*$)", listed)
            if found:
                roles.setdefault(speaker, found.group(1).removeprefix("and ").strip(" .,"))
    return roles


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


# captions ------------------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    """One timed caption: when it was said, until when (if the file says), who is speaking (if anyone was named), its words."""

    at: float
    until: float | None
    speaker: str  # named by the cue itself ("" when it names no one: the speaker before goes on, see _word_stream)
    words: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of each kept word
    spoken: int = 0  # words said, fillers included: its speaking time
    turns: dict[int, str] = field(default_factory=dict)  # word index -> who speaks from it: a captioner's ">>" ("": unnamed)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    cue: int
    speaker: str = ""  # "" when no one is named for it
    turn: bool = False  # a captioner's ">>" comes before it: another speaker begins


@dataclass(frozen=True)
class _Unit:
    words: list[_Word]
    speaker: str
    paragraph: bool  # a long pause or a new speaker comes before it
    turn: bool = False  # a captioner's ">>" opens it: another speaker's turn


def _shape_captions(text: str) -> Shaped:
    """The header lines kept (tactiq's banner and "No title found" dropped), then the units, one a line."""
    cues, header_end = _cues(text)
    units = _units(text, cues)
    out = _Rewriter(text)
    header_end = _write_header(text, out, header_end)
    starts: list[tuple[int, int]] = []  # (offset in the shaped text, cue) where each cue's words begin
    last: tuple[int, int] | None = None  # the last word written
    speaker = ""
    anyone_named = any(unit.speaker for unit in units)  # then each unnamed turn has a heading: it is no one named
    for unit in units:
        if last is None:
            lead = "\n\n" if header_end else ""
        else:
            lead = ("" if ends_sentence(text, *last) else ".") + ("\n\n" if unit.paragraph else "\n")
        if unit.speaker != speaker or (anyone_named and unit.turn and not unit.speaker):  # a new speaker's heading
            lead += _heading(unit.speaker or UNNAMED_SPEAKER, {}) + "\n"
        speaker = unit.speaker
        last = _write_unit(text, out, unit, lead, last[1] if last else header_end, starts)
    if last is None:
        out.replace(header_end, len(text), "")
    else:
        out.replace(last[1], len(text), "" if ends_sentence(text, *last) else ".")
    shaped = out.finish()
    return Shaped(shaped, out.edits, _time_locators(starts, cues, len(shaped)), len(units))


def _write_header(text: str, out: _Rewriter, header_end: int) -> int:
    """Keep the lines before the first cue but a caption tool's banners; returns where the kept header ends (0: none).

    Banners after the last kept line are left to the gap before the first unit, which is replaced as a whole."""
    header = text[:header_end]
    banners = [(m.start(), m.end()) for rx in (_TACTIQ_BANNER, _VTT_HEADER) for m in rx.finditer(header)]
    if _is_webvtt(text):
        banners += [(m.start(), m.end()) for m in _VTT_BLOCK.finditer(header)]
    kept = [m for m in re.finditer(r"[^\n]*\S[^\n]*", header) if not any(a <= m.start() < b for a, b in banners)]
    if not kept:
        return 0
    header_end = kept[-1].end()
    edits = [(a, b + 1, "") for a, b in banners if b < header_end]  # with its line break
    edits += [(m.start(), m.end(), "") for m in _HEADER_URL.finditer(header, 0, header_end)]  # "# https://..." is a link, not a heading
    for start, end, new in sorted(edits):
        out.replace(start, end, new)
    out.keep_to(header_end)
    return header_end


def _write_unit(text: str, out: _Rewriter, unit: _Unit, lead: str, previous_end: int, starts: list[tuple[int, int]]) -> tuple[int, int]:
    """Write a unit's words after `lead`, single-spaced, capitalised (and ASR's "i" as "I"), without trailing commas;
    returns its last word."""
    for i, word in enumerate(unit.words):
        end = word.end
        if i == len(unit.words) - 1 and (trailing := TRAILING.search(text, word.start, word.end)) and trailing.start() > word.start:
            end = trailing.start()
        out.replace(previous_end, word.start, lead if i == 0 else " ")
        if not starts or starts[-1][1] != word.cue:
            starts.append((out.length, word.cue))
        if (i == 0 and text[word.start].islower()) or PRONOUN_I.fullmatch(text[word.start : end].rstrip(",;:.!?…")):
            out.replace(word.start, word.start + 1, text[word.start].upper())
        out.keep_to(end)
        previous_end = end
    return unit.words[-1].start, previous_end


def _may_end(text: str, words: list[_Word], i: int) -> bool:
    """A unit may end after word i unless that leaves the sense hanging: "... details of." or "... 4.2. Million pounds"."""
    following = words[i + 1] if i + 1 < len(words) else None
    return text[words[i].start : words[i].end].lower() not in UNENDING and (
        following is None or text[following.start : following.end].lower().strip(",.") not in UNSTARTING
    )


def ends_sentence(text: str, start: int, end: int) -> bool:
    token = text[start:end]
    return bool(_SENTENCE_END.search(token)) and not _NOT_A_SENTENCE_END.match(token)


def _time_locators(starts: list[tuple[int, int]], cues: list[_Cue], length: int) -> tuple[Locator, ...]:
    """ "at HH:MM:SS" from where each cue's words begin to where the next cue's do (cues of the same second merged)."""
    locators: list[Locator] = []
    ends = [start for start, _ in starts[1:]] + [length] * bool(starts)
    for (start, cue), end in zip(starts, ends, strict=True):
        label = f"at {_clock(cues[cue].at)}"
        if locators and locators[-1].label == label:
            locators[-1] = Locator(locators[-1].start, end, label)
        else:
            locators.append(Locator(start, end, label))
    return tuple(locators)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _cues(text: str) -> tuple[list[_Cue], int]:
    """The cues in order, each with its speaker and words, and where the header (the lines before the first cue) ends."""
    if turns := _speaker_stamped(text, _nonblank(text)):
        return _turn_cues(text, turns)
    stamps = [m for m in _CUE.finditer(text) if not _agenda_item(text, m)]
    bodies = []
    for i, m in enumerate(stamps):
        start = _line_end(text, m.end()) if "-->" in m.group(0) else m.end()
        if dash := _STAMP_DASH.match(text, start):  # "00:04:46 - Jane Smith: ...": the dash is no word
            start = dash.end()
        bodies.append((start, stamps[i + 1].start() if i + 1 < len(stamps) else len(text)))
    cues = [_Cue(_seconds(m), _seconds(m, 5) if "-->" in m.group(0) else None, "") for m in stamps]
    rolling = _rolling(cues)  # a rolling cue's new words are on its last line: so is the name of who says them
    labels = _named_by_line(text, stamps, bodies) or [
        _speaker_label(text, _last_line(text, start, end) if rolling else start, end) for start, end in bodies
    ]
    voiced = {label for label, _, tagged in labels if tagged}
    said = [(label, text[at:end]) for (label, at, tagged), (_, end) in zip(labels, bodies, strict=True) if label and not tagged]
    all_named = len(said) >= IN_ORDER_SHARE * len(labels)
    named = _with_guests(said, set(), all_named) | voiced
    for cue, (label, _, _) in zip(cues, labels, strict=True):
        cue.speaker = label if label in named else ""
    reading = _Reading(_is_webvtt(text), rolling, frozenset(named))
    for i, (cue, (start, end), (label, said_end, _)) in enumerate(zip(cues, bodies, labels, strict=True)):
        timed_cue_follows = i + 1 < len(stamps) and "-->" in stamps[i + 1].group(0)
        _take_words(text, said_end if label in named and not rolling else start, end, cue, timed_cue_follows, reading)
    first = stamps[0].start() if stamps else len(text)
    if stamps and "-->" in stamps[0].group(0) and (ident := re.search(r"\n[ \t]*\n([^\n]*\S[^\n]*)\n\Z", text[:first])):
        first = ident.start(1)  # the first cue's identifier (a line after a blank one, right above its time) is no header
    return cues, _header_end(text, first)


@dataclass
class _Reading:
    """What reading a caption file's cues needs to know of the whole file (see _take_words)."""

    webvtt: bool  # WebVTT: comment blocks, identifiers after a blank line
    rolling: bool  # YouTube's rolling captions: a cue's top line is the line before, shown again
    named: frozenset[str] = frozenset()  # the speakers: in rolling captions, a line opening with one's name leaves it out
    shown: tuple[str, ...] | None = None  # the words of the last line taken
    turn: str | None = None  # who a captioner's ">>" read since the last word taken names ("": no one), if one was


def _is_webvtt(text: str) -> bool:
    return text.lstrip("\ufeff \n").startswith("WEBVTT")


def _header_end(text: str, first_cue: int) -> int:
    """Where the lines before the first cue end, without the blank lines after them."""
    while first_cue and text[first_cue - 1] in "\n ":
        first_cue -= 1
    return first_cue


def _turn_cues(text: str, turns: list[_Turn]) -> tuple[list[_Cue], int]:
    """_cues for a meeting software's turns: each turn a cue of its speaker, timed by its line, its words after it."""
    cues: list[_Cue] = []
    reading = _Reading(webvtt=False, rolling=False)
    for i, turn in enumerate(turns):
        cue = _Cue(turn.at, None, turn.who)
        _take_words(text, turn.end, turns[i + 1].start if i + 1 < len(turns) else len(text), cue, False, reading)
        cues.append(cue)
    return cues, _header_end(text, turns[0].start)


def _named_by_line(text: str, stamps: list[re.Match[str]], bodies: list[tuple[int, int]]) -> list[tuple[str, int, bool]]:
    """Each cue's (speaker, where its words start, True) when the cues name their speaker on a line of its own above
    the words, as older Teams transcripts do ("0:0:4.370 --> 0:0:8.740" / "John Doe" / "Thank you."); else [].
    That takes most timed cues opening so, two names or more, and nearly all of those cues naming someone named twice
    or more."""
    found = []
    for m, (start, end) in zip(stamps, bodies, strict=True):
        line = _NAME_LINE.match(text, start, end) if "-->" in m.group(0) else None
        named = line and _capitalised(line.group("who")) and _names_a_person(line.group("who"))
        found.append((line.group("who"), line.end(), True) if named else ("", start, False))
    counts = Counter(label for label, _, _ in found if label)
    named = sum(counts.values())
    recurring = sum(n for n in counts.values() if n >= MIN_TURNS_EACH)  # speakers come back; lines of speech rarely do
    if named < IN_ORDER_SHARE * len(found) or len(counts) < 2 or recurring < IN_ORDER_SHARE * named:
        return []
    return found


def _speaker_label(text: str, start: int, end: int) -> tuple[str, int, bool]:
    """(speaker, where the words after the name start, named for sure) of a caption's text, or ("", start, False). Named
    for sure: by a WebVTT voice tag, or after a captioner's ">>" ("NOTE:" or "Next Steps:" after one are labels)."""
    at = start + len(text[start:end]) - len(text[start:end].lstrip())
    if voice := _VOICE.match(text, at, end):
        return voice.group(1).strip(), at, True
    marked = _CHANGE_MARK.match(text, at, end)  # ">> RICHARD MEDDINGS: ...": captioners mark who speaks next
    if said := _SAYS_RX.match(text, marked.end() if marked else at, end):
        name = said.group("speaker")
        return name, said.end(), bool(marked) and not any(w.strip(".") in NOT_SPEAKERS for w in name.lower().split())
    return "", start, False


def _take_words(text: str, start: int, end: int, cue: _Cue, timed_cue_follows: bool, reading: _Reading) -> None:
    """The cue's spoken words in [start, end): sound notes, tags, fillers, WebVTT's comment blocks and the next
    cue's identifier (SRT's number; in WebVTT, a line after a blank line right above a "-->" line) left out.

    YouTube's own WebVTT captions roll (`reading.rolling`): each cue's top line is the line before, shown again above
    the new words, and a cue of a few milliseconds shows the finished line alone. In such a file a cue's top line is
    left out when it repeats the last line taken, whoever the cue's speaker is (the new words below may be the next
    speaker's, named on their line); a speaker's name opening a line is no words. Anywhere else a line said twice is
    kept, and a line said again below the top one, as two people's "Thank you.", is kept too."""
    cut = [(m.start(), m.end()) for m in _NOT_SPOKEN.finditer(text, start, end)]
    if reading.webvtt:
        cut += [(m.start(), m.end()) for m in _VTT_BLOCK.finditer(text, start, end)]
    identifier = _VTT_IDENTIFIER if reading.webvtt else _SRT_IDENTIFIER
    if timed_cue_follows and (index := identifier.search(text[start:end])):
        cut.append((start + index.start(), end))
    body_end = min([a for a, b in cut if b == end and a > start] or [end])  # where a cut reaching the cue's end begins
    spans, at = [], start  # the spoken stretches between the cut ones
    for a, b in [*sorted(cut), (end, end)]:
        if a > at:
            spans.append((at, a))
        at = max(at, b)
    shown_lines = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\n]*\S[^\n]*", text[start:body_end])]
    if reading.rolling:  # each line may open with its speaker's name, shown again on the line above in the next cue
        shown_lines = [(_name_end(text, a, b, reading.named), b) for a, b in shown_lines]
    lines = [_line_words(text, spans, a, b) for a, b in shown_lines]  # "[Music]" shows a line of no words
    for i, (line, (line_start, line_end)) in enumerate(zip(lines, shown_lines, strict=True)):
        marks = _marks(text, line_start, line_end)
        said = tuple(_bare(word) for _, _, word in line)
        if line and reading.rolling and i == 0 and said == reading.shown:
            continue
        k, label_end = 0, line_start
        for (word_start, word_end, _), bare in zip(line, said, strict=True):
            while k < len(marks) and marks[k][0] < word_start:  # a ">>" before this word
                _, label_end, reading.turn = marks[k]
                k += 1
            if word_start < label_end or bare in FILLERS:  # the name after a ">>" is no word said
                continue
            if reading.turn is not None:
                cue.turns[len(cue.words)] = reading.turn
                reading.turn = None
            cue.words.append((word_start, word_end))
        if k < len(marks):  # a ">>" after the line's last word: the next cue's words begin the turn
            reading.turn = marks[-1][2]
        if line:
            reading.shown = said
            cue.spoken += len(line)


def _marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(where, where the words after it start, who speaks) of each captioner's ">>" in text[start:end]: a name
    after it ("JULIAN KELLY:") is who speaks, and is no word said; a ">>" alone names no one ("")."""
    marks = []
    for mark in _CHANGE_MARK.finditer(text, start, end):
        said = _SAYS_RX.match(text, mark.end(), end)
        named = said is not None and not any(w.strip(".") in NOT_SPEAKERS for w in said.group("speaker").lower().split())
        marks.append((mark.start(), said.end(), said.group("speaker")) if said and named else (mark.start(), mark.end(), ""))
    return marks


def _last_line(text: str, start: int, end: int) -> int:
    """Where the last line holding words of text[start:end] starts (start if none)."""
    lines = [m.start() for m in re.finditer(r"(?m)^[^\n]*\w", text[start:end])]
    return start + lines[-1] if lines else start


def _name_end(text: str, start: int, end: int, named: frozenset[str]) -> int:
    """Where a line's words start after a speaker's name opening it ("JULIAN KELLY: ..."), or start."""
    label, said_end, _ = _speaker_label(text, start, end)
    return said_end if label in named else start


TOKEN = re.compile(r">>+|(?:(?!>>)\S)+")  # a word, or a captioner's ">>" apart from one it is glued to ("chair>>", ">>thank")


def _line_words(text: str, spans: list[tuple[int, int]], line_start: int, line_end: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words of one line within the spoken spans."""
    words = []
    for a, b in spans:
        a, b = max(a, line_start), min(b, line_end)
        if a < b:
            words += [(a + m.start(), a + m.end(), m.group(0)) for m in TOKEN.finditer(text[a:b]) if _is_word(m.group(0))]
    return words


def _is_word(token: str) -> bool:
    """Letters or figures, or a sign said as a word ("A & E", "> 10%"); not a dash or YouTube's ">>" speaker mark."""
    return any(c.isalnum() for c in token) or token in SPOKEN_SIGNS


def _bare(word: str) -> str:
    """A word without the punctuation around it, lower-cased: what fillers and repeated lines are compared by."""
    return word.lower().strip(",.;:!?")


def _units(text: str, cues: list[_Cue]) -> list[_Unit]:
    """The cues' words cut into units at pauses, sentence ends and speaker changes (see _unit_end)."""
    words, pauses, forced = _word_stream(cues)
    units: list[_Unit] = []
    begin = 0
    while begin < len(words):
        end = _unit_end(text, words, pauses, forced, begin)
        kept = _without_opening_fillers(text, words[begin : end + 1])
        paragraph = begin > 0 and (forced[begin - 1] or pauses[begin - 1] >= LONG_PAUSE_S)
        units.append(_Unit(kept, kept[0].speaker, paragraph, words[begin].turn))
        begin = end + 1
    return units


def _word_stream(cues: list[_Cue]) -> tuple[list[_Word], list[float], list[bool]]:
    """Every kept word with its speaker, the silence after it in seconds, and whether another speaker follows it.

    A speaker named by a cue speaks until another is named, or until a captioner's ">>" marks a new speaker (named
    after it, within a caption line too, or not named: then unnamed until the next name)."""
    words: list[_Word] = []
    pauses: list[float] = []
    said = [i for i, cue in enumerate(cues) if cue.words]
    rate = _speaking_rate([cues[i] for i in said])
    shown_until_next = _end_times_shown_until_next(cues)
    speaker = ""
    for i, cue in enumerate(cues):
        speaker = cue.speaker or speaker
        for j, (start, end) in enumerate(cue.words):
            turn = cue.turns.get(j)
            if turn is not None and not (j == 0 and cue.speaker):  # a cue's own name opens its words' turn
                speaker = turn
            words.append(_Word(start, end, i, speaker, turn is not None))
            pauses.append(0.0)
        if cue.words and (k := bisect_right(said, i)) < len(said):  # the silence before the next cue that says words
            known = cue.until is not None and not shown_until_next
            said_until = cue.until if known else cue.at + cue.spoken / rate
            pauses[-1] = max(0.0, cues[said[k]].at - said_until)
    forced = [b.turn or b.speaker != a.speaker for a, b in zip(words, words[1:], strict=False)] + [False] * bool(words)
    return words, pauses, forced


def _end_times_shown_until_next(cues: list[_Cue]) -> bool:
    """Each cue's end time is the next one's start (YouTube's rolling captions): it says how long the line was shown,
    not when its words were said, so it hides every pause and the speaking rate stands in for it."""
    pairs = [(a.until, b.at) for a, b in zip(cues, cues[1:], strict=False) if a.until is not None]
    near = sum(round(abs(until - at) * 1000) <= SHOWN_UNTIL_NEXT_MS for until, at in pairs)  # whole ms: 1.05 - 1.00 > 0.05
    return len(pairs) >= 2 and near >= IN_ORDER_SHARE * len(pairs)


def _rolling(cues: list[_Cue]) -> bool:
    """YouTube's rolling captions: each cue shown until the next, and a share of them shown only for an instant (the
    finished line once more). An SRT whose cues run end to end has no such instants: its lines are all said."""
    brief = sum(cue.until is not None and round((cue.until - cue.at) * 1000) <= SHOWN_UNTIL_NEXT_MS for cue in cues)
    return _end_times_shown_until_next(cues) and brief >= ROLLING_SHARE * len(cues)


def _speaking_rate(cues: list[_Cue]) -> float:
    """Words a second of the transcript's brisk lines (SPEAKING_RATE_QUANTILE of the lines are slower, so pausing)."""
    rates = sorted(a.spoken / (b.at - a.at) for a, b in zip(cues, cues[1:], strict=False) if b.at > a.at and a.spoken)
    if not rates:
        return WORDS_PER_SECOND[0]
    brisk = rates[min(len(rates) - 1, int(SPEAKING_RATE_QUANTILE * len(rates)))]
    return min(max(brisk, WORDS_PER_SECOND[0]), WORDS_PER_SECOND[1])


def _unit_end(text: str, words: list[_Word], pauses: list[float], forced: list[bool], begin: int) -> int:
    """The last word of the unit from `begin`: at a speaker change; at a sentence end or long pause once SHORT_UNIT_WORDS
    long; at a pause once MIN_UNIT_WORDS long; by MAX_UNIT_WORDS at the longest pause (or comma, or else the last word)
    after MIN_UNIT_WORDS; never by length or a short pause where that leaves the sense hanging (_may_end)."""
    best, best_score, fallback = None, 0.0, None
    for i in range(begin, len(words)):
        n = i - begin + 1
        if forced[i] or i == len(words) - 1:
            return i
        if n >= SHORT_UNIT_WORDS and (ends_sentence(text, words[i].start, words[i].end) or pauses[i] >= LONG_PAUSE_S):
            return i
        if n >= MIN_UNIT_WORDS and _may_end(text, words, i):
            if pauses[i] >= PAUSE_S:
                return i
            fallback = i
            score = pauses[i] + (COMMA_SCORE if text[words[i].end - 1] == "," else 0.0)
            if score > 0 and score >= best_score:
                best, best_score = i, score
        if n >= MAX_UNIT_WORDS:
            return best if best is not None else fallback if fallback is not None else i
    return len(words) - 1


def _without_opening_fillers(text: str, words: list[_Word]) -> list[_Word]:
    """ "you know", "so", "well" ... opening a unit are dropped ("so you know we ..." -> "We ..."); one word always stays."""
    lowered = [_bare(text[w.start : w.end]) for w in words]
    at = 0
    while True:
        filler = next((f for f in OPENING_FILLERS if tuple(lowered[at : at + len(f)]) == f and len(words) - at > len(f)), None)
        if filler is None:
            return words[at:]
        at += len(filler)
