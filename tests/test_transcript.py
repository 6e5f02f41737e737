"""Meeting transcripts: recognised from the text, shaped into readable units and speaker turns, cited by locator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest

from assistant.docstore import DocStore
from assistant.types import Chunk, Citation, DocumentInfo, Locator
from ingest import transcript
from ingest.clean import clean
from ingest.infer import infer_file
from ingest.load import load
from ingest.split import split
from tests.conftest import make_settings, run_cli

MB = 1_000_000
TIMESTAMP = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?")

# An ICB board meeting as tactiq.io exports YouTube's captions: no punctuation, fillers, a pause, a sound note.
CAPTIONS = """# tactiq.io free youtube transcript
# West Yorkshire ICB Board meeting in public
# https://www.youtube.com/watch/abc123

00:00:01.200 good afternoon everyone and welcome to
00:00:03.100 the meeting in public of the west
00:00:05.000 yorkshire integrated care board
00:00:10.800 um we have apologies from two members
00:00:12.900 today and the meeting is quorate
00:00:19.400 so you know the first item is the
00:00:21.200 chief executive's report uh which sets
00:00:23.300 out our financial position at month 11
00:00:25.400 we are forecasting a deficit of 4.2
00:00:27.500 million pounds against the plan and the
00:00:29.600 board is asked to note the recovery
00:00:31.700 actions agreed with nhs england for
00:00:33.800 the final quarter of the year
00:00:39.900 [Music]
00:00:41.070 the second item is the urgent and
00:00:43.100 emergency care plan which brings
00:00:45.200 together our five places to reduce
00:00:47.300 waits in emergency departments this
00:00:49.400 winter
"""

# Select committee oral evidence as Hansard prints it.
HANSARD = """Health and Social Care Committee
Oral evidence: Integrated care systems: autonomy and accountability, HC 587
Tuesday 14 March 2023

Members present: Steve Brine (Chair); Paulette Hamilton; Sarah Owen; Rachael Maskell.

Questions 103 - 106

Witnesses: Amanda Pritchard, Chief Executive, NHS England; and Julian Kelly, Chief Financial Officer, NHS England.

Examination of witnesses
Q103 Chair: Good morning and welcome. How will NHS England hold integrated care boards to account under the new oversight framework?
Amanda Pritchard: Thank you, Chair. The oversight framework sets out how we will work with integrated care boards, and it is deliberately proportionate.
We expect most of the day-to-day assurance of providers to sit with the boards themselves rather than with our regional teams.
Q104 Sarah Owen: What does that mean for the money? Are the boards able to move funding between budgets?
Julian Kelly: Yes. Each board receives a single allocation and can move money across its system, within the financial framework we publish every year.
Amanda Pritchard: I would add that the boards are accountable to us for living within that allocation.
Q105 Chair: Thank you. Turning to workforce, how many vacancies are there in community nursing?
Amanda Pritchard: Community nursing vacancies stand at around eight per cent, and the long-term workforce plan sets out how we will train more district nurses.
Q106 Chair: Thank you both.
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _located(cleaned, phrase: str) -> str:
    """The locator of the stored text where `phrase` starts."""
    at = cleaned.text.index(phrase)
    return next(x.label for x in cleaned.locators if x.start <= at < x.end)


# --- recognising -----------------------------------------------------------------------------------------------


def test_caption_formats_are_recognised():
    youtube_copy = "".join(f"{m}:{s:02d}\nwords said at this point of the meeting\n" for m in range(10) for s in (0, 20, 40))
    srt = "".join(f"{i}\n00:00:{i:02d},000 --> 00:00:{i + 1:02d},000\nthe board agreed the plan\n\n" for i in range(1, 8))
    bracketed = "".join(f"[00:0{i}:10] the committee heard evidence\n" for i in range(6))
    assert transcript.recognise(CAPTIONS) == transcript.CAPTION
    assert transcript.recognise(youtube_copy) == transcript.CAPTION
    assert transcript.recognise(srt) == transcript.CAPTION
    assert transcript.recognise(bracketed) == transcript.CAPTION
    for text in (youtube_copy, srt, bracketed):
        cleaned = clean(text)
        assert not TIMESTAMP.search(cleaned.text) and "-->" not in cleaned.text and cleaned.text[0].isupper()
        assert cleaned.locators[0].start == 0 and cleaned.locators[-1].end == len(cleaned.text)
    assert clean(srt).text.lower().count("the board agreed the plan") == 7  # said seven times, in seven cues: all kept


def test_oral_evidence_is_recognised_with_or_without_question_numbers():
    assert transcript.recognise(HANSARD) == transcript.ORAL_EVIDENCE
    dialogue = "".join(
        f"Jane Smith: Question {i} about the board's plan for the year ahead.\n"
        f"Dr Ahmed Khan: Answer {i}: the plan is agreed with the places.\n" for i in range(4)
    )
    assert transcript.recognise(dialogue) == transcript.ORAL_EVIDENCE
    cleaned = clean(dialogue)
    assert cleaned.text.startswith("## Jane Smith\nQuestion 0 about") and "\n\n## Dr Ahmed Khan\nAnswer 0: the plan" in cleaned.text
    assert cleaned.locators == ()  # no question numbers, nothing to locate by
    on_own_line = "".join(f"CHAIR:\nItem {i} of the meeting in public.\n\nAMANDA PRITCHARD:\nWe agreed plan {i}.\n\n" for i in range(3))
    assert "## AMANDA PRITCHARD\nWe agreed plan 0." in clean(on_own_line).text


@pytest.mark.parametrize(
    "text",
    [
        # a board paper naming a few times
        "Board meeting\n\nThe meeting opened at 10:30 and closed at 12:45.\n\n10:30 Welcome from the chair\n\n"
        "The board discussed the financial plan in detail and agreed the recovery actions.\n\n"
        "11:15 Finance report\n\n12:00 Any other business\n\nMinutes will be circulated by 13:00.\n",
        # an agenda: times followed by a dash
        "".join(f"{9 + i}:00 - Item {i}: the report of the committee\n" for i in range(8)),
        # clock times on most lines, but too few to be captions
        "".join(f"{9 + i}:30 Session {i} with the integrated care board\n" for i in range(8)),
        # labels with colons, not speakers
        "".join(f"Note: item {i} was discussed.\nAction: the chair to follow up.\nKey Points: agreed.\n" for i in range(5)),
        # a report quoting a question number once
        "The chief executive told the committee (Q103) that the framework is proportionate.\n",
        # a conference programme: sessions named once each, with a line under them
        "".join(f"{item} {9 + i}:{15 * (i % 4):02d}\nIn the main hall with the board.\n" for i, item in enumerate(
            ["Keynote Address", "Coffee Break", "Panel Discussion", "Lunch Break", "Closing Remarks", "Drinks Reception"])),
        # a list of response times, nothing under them
        "".join(f"{service} {7 + i}:{12 + 9 * i}\n" for i, service in enumerate(
            ["North East Ambulance Service", "Yorkshire Ambulance Service", "North West Ambulance Service",
             "East Midlands Ambulance Service", "West Midlands Ambulance Service", "London Ambulance Service"])),
        # ratios at the start of lines: "1:1.5" is no time
        "Mix ratios for the site\n\n" + "".join(f"1:{i}.5 mortar for course {i}, by volume\n" for i in range(1, 8)) + "End.\n",
        # an agenda naming who leads each item, and a rota: clock times, far from a recording's start
        "".join(f"{item}\n{who} {10 + i // 2}:{30 * (i % 2):02d}\n" for i, (item, who) in enumerate(
            [("Welcome", "Chair"), ("Minutes", "Rob Webster"), ("Finance", "Jo Bloggs"), ("Quality", "Rob Webster"),
             ("Risk", "Jo Bloggs"), ("Close", "Chair")])),
        "".join(f"{who} {7 + 2 * i:02d}:00\nWard {i} early shift\n" for i, who in enumerate(
            ["Jane Smith", "Amy Lee", "Jane Smith", "Amy Lee", "Jane Smith", "Amy Lee"])),
        # a serious incident's timeline, to the second, with a dash or with the event before the time
        "2. Timeline\n" + "".join(f"14:{3 + 5 * i:02d}:{(22 + 7 * i) % 60:02d} – {event}.\n" for i, event in enumerate(
            ["999 call received from the patient's wife", "Call triaged as Category 2", "Crew allocated from the hub",
             "Crew stood down for a Category 1 call", "Welfare call made to the patient", "Crew arrived on scene"])) + "3. Findings\nSo the delay arose from the stand-down.\n",
        "".join(f"{event} 14:{3 + 5 * i:02d}:{(22 + 7 * i) % 60:02d}\nRecorded by the control room.\n" for i, event in enumerate(
            ["Call received", "Call triaged", "Crew allocated", "Call received", "Crew arrived", "Call triaged"])),
        # an agenda of items, each with its time on its line: not a speaker among them
        "".join(f"{item} {9 + i}:{15 * (i % 4):02d}\nPapers attached.\n" for i, item in enumerate(
            ["Apologies", "Finance Report", "Quality Update", "Risk Register", "Chief Executive Update", "Any Other Business"])),
    ],
)
def test_documents_with_times_or_labels_are_not_transcripts(text):
    assert transcript.recognise(text) == ""
    assert clean(text).locators == ()


# --- captions ----------------------------------------------------------------------------------------------------


def test_captions_become_punctuated_units_without_timestamps_or_fillers(tmp_path):
    loaded = load(_write(tmp_path, "board.txt", CAPTIONS), max_bytes=MB)
    assert loaded.meta["kind"] == "transcript" and loaded.meta["transcript"] == transcript.CAPTION
    cleaned = clean(loaded.text)
    text = cleaned.text
    assert not TIMESTAMP.search(text) and "tactiq" not in text and "[Music]" not in text
    assert text.startswith("# West Yorkshire ICB Board meeting in public\nhttps://www.youtube.com/watch/abc123\n\n")
    units = text.split("\n\n", 1)[1].split("\n")
    units = [u for u in units if u]
    assert units[0] == "Good afternoon everyone and welcome to the meeting in public of the west yorkshire integrated care board."
    assert units[1] == "We have apologies from two members today and the meeting is quorate."  # "um" gone
    assert units[2].startswith("The first item is the chief executive's report which sets out")  # "so you know", "uh" gone
    assert units[-1] == "The second item is the urgent and emergency care plan which brings together our five places to reduce waits in emergency departments this winter."
    for unit in units:
        assert unit[0].isupper() and unit.endswith(".")
        assert transcript.SHORT_UNIT_WORDS <= len(unit.split()) <= transcript.MAX_UNIT_WORDS
        assert not re.search(r"\b(?:um|uh)\b", unit, re.IGNORECASE)
    assert "4.2 million pounds" in text


def test_each_stored_offset_maps_back_to_its_timestamp():
    cleaned = clean(CAPTIONS)
    locators = cleaned.locators
    assert all(a.end == b.start for a, b in zip(locators, locators[1:], strict=False))  # contiguous from the first word
    assert locators[-1].end == len(cleaned.text)
    assert _located(cleaned, "Good afternoon") == "at 00:00:01"
    assert _located(cleaned, "We have apologies") == "at 00:00:10"
    assert _located(cleaned, "The first item") == "at 00:00:19"  # the fillers it opened with are gone, the time stays
    assert _located(cleaned, "million pounds") == "at 00:00:27"
    assert _located(cleaned, "The second item") == "at 00:00:41"
    for loc in locators:  # each locator starts on the words of its caption line
        stamp = loc.label.removeprefix("at ")
        line = next(line for line in CAPTIONS.splitlines() if line.startswith(stamp))
        said = [w for w in line.split()[1:] if w.lower() not in transcript.FILLERS | {"so", "you", "know"}]
        assert cleaned.text[loc.start :].lower().startswith(said[0].lower())


def _rolling_webvtt(captions: str) -> str:
    """CAPTIONS as YouTube's own WebVTT download gives them: each cue shows the line before again above its new
    words (timed word by word), and a cue of 10 ms shows the finished line once more."""
    lines = [line.split(" ", 1) for line in captions.splitlines() if re.match(r"\d\d:", line)]
    out, before = ["WEBVTT", "Kind: captions", "Language: en", ""], ""
    for (stamp, words), (following, _) in zip(lines, [*lines[1:], ("00:00:59.000", "")], strict=True):
        first, *rest = words.split()
        timed = first + "".join(f"<{stamp}><c> {w}</c>" for w in rest)
        out += [f"{stamp} --> {following} align:start position:0%", before or " ", timed, ""]
        out += [f"{following} --> {following[:-1]}9 align:start position:0%", words, " ", ""]
        before = words
    return "\n".join(out) + "\n"


def test_youtube_rolling_webvtt_gives_each_line_once_at_its_own_time(tmp_path):
    rolling = _write(tmp_path, "board.vtt", _rolling_webvtt(CAPTIONS))
    as_tactiq = clean(CAPTIONS.split("\n\n", 1)[1])  # the same captions, one line each
    loaded = load(rolling, max_bytes=MB)
    assert loaded.meta["kind"] == "transcript" and loaded.caption
    cleaned = clean(loaded.text, loaded.caption)
    assert cleaned.text == as_tactiq.text  # no line twice or three times
    assert cleaned.text.count("we are forecasting a deficit") == 1
    assert _located(cleaned, "The first item") == "at 00:00:19" and _located(cleaned, "million pounds") == "at 00:00:27"
    assert "WEBVTT" not in cleaned.text and "<c>" not in cleaned.text and "align:" not in cleaned.text


def _rolling_vtt(lines: list[str]) -> str:
    """YouTube's rolling WebVTT captions of these lines: each line arrives under the one before, then is shown alone
    for 10 ms."""
    cues, before, at = ["WEBVTT", ""], "", 1.0
    for line in lines:
        cues += [f"00:00:{at:06.3f} --> 00:00:{at + 2:06.3f}", before or " ", line, ""]
        cues += [f"00:00:{at + 2:06.3f} --> 00:00:{at + 2.01:06.3f}", line, ""]
        before, at = line, at + 2.01
    return "\n".join(cues)


def test_rolling_captions_naming_their_speakers_give_each_line_once_under_its_speaker():
    """A rolling file whose lines name who speaks ("JULIAN KELLY: ..." arriving on a cue's bottom line): the line is
    taken once, under its speaker, not first under the speaker before and again under its own."""
    lines = ["RICHARD MEDDINGS: Good morning everyone.", "We have apologies from two members.", "JULIAN KELLY: Thank you chair,",
             "the deficit is 1.2 billion pounds.", "RICHARD MEDDINGS: Thank you Julian.", "Any questions?", "JULIAN KELLY: None from me."]  # fmt: skip
    for mark in (">> ", ""):
        cleaned = clean(_rolling_vtt([mark + line if ":" in line else line for line in lines]), caption=True)
        assert cleaned.text == (
            "## RICHARD MEDDINGS\nGood morning everyone. We have apologies from two members.\n\n"
            "## JULIAN KELLY\nThank you chair, the deficit is 1.2 billion pounds.\n\n"
            "## RICHARD MEDDINGS\nThank you Julian. Any questions?\n\n## JULIAN KELLY\nNone from me."
        ), cleaned.text
        assert _located(cleaned, "Thank you chair") == "at 00:00:05"


def test_a_short_srt_or_vtt_file_is_a_caption_transcript_and_a_txt_needs_more_lines(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:04,000\nThe board approved the winter plan.\n\n2\n00:00:04,500 --> 00:00:08,000\nThe chief nurse presented the quality report.\n"
    for name in ("minutes.srt", "minutes.SRT", "minutes.vtt"):
        body = srt if "srt" in name.lower() else "WEBVTT\n\n" + srt.replace(",", ".")
        loaded = load(_write(tmp_path, name, body), max_bytes=MB)
        assert loaded.caption, name
        cleaned = clean(loaded.text, loaded.caption)
        assert "-->" not in cleaned.text and "The board approved the winter plan" in cleaned.text, cleaned.text
        assert _located(cleaned, "The chief nurse") == "at 00:00:04"
    assert not load(_write(tmp_path, "minutes.txt", srt), max_bytes=MB).caption  # two timed lines in a text file: not enough


# A meeting as Microsoft Teams, Otter.ai or Zoom export it as a document: each turn's speaker and time over its words.
TEAMS = """ICB Board meeting in public, 12 March 2026

Jane Smith   0:03
Good afternoon everyone and welcome to the meeting of the integrated care board held in public.

John Doe   0:48
Thank you chair. The finance report shows a deficit of 4.2 million pounds at month eleven. The recovery plan was agreed with NHS England last week.

Jane Smith   1:33
Thank you John. Are there questions from members on the finance report?

Speaker 3   2:18
Yes. The board would like to see the recovery plan at its next meeting.

John Doe   3:03
At the April meeting, with the risks set out in the board assurance framework.

Jane Smith   1:04:15
Thank you. The board notes the finance report.
"""


def test_meeting_software_turns_become_speaker_headings_with_times(tmp_path):
    loaded = load(_write(tmp_path, "board.txt", TEAMS), max_bytes=MB)
    assert loaded.caption
    cleaned = clean(loaded.text, loaded.caption)
    text = cleaned.text
    assert text.startswith("ICB Board meeting in public, 12 March 2026\n\n## Jane Smith\nGood afternoon everyone")
    assert "\n## John Doe\nThank you chair. The finance report shows a deficit of 4.2 million pounds at month eleven.\n" in text
    assert "\n## Speaker 3\nYes. The board would like to see the recovery plan at its next meeting." in text
    assert not TIMESTAMP.search(text) and "Jane Smith   0:03" not in text
    assert _located(cleaned, "The recovery plan was agreed") == "at 00:00:48"
    assert _located(cleaned, "The board notes") == "at 01:04:15"
    sections = {s.section for s in split(text, max_tokens=60, overlap_tokens=0, count_tokens=lambda t: len(t.split()))}
    assert {section.rsplit(" > ", 1)[-1] for section in sections} == {"Jane Smith", "John Doe", "Speaker 3"}  # under the title
    found = infer_file(tmp_path / "board.txt", loaded.meta, text)
    assert found.kind == "transcript" and found.title == "ICB Board meeting in public, 12 March 2026"  # no speaker in it
    welcome = TEAMS.replace("Thank you chair. The finance", "Good evening and welcome to the finance item for 2025. The finance")
    found = infer_file(tmp_path / "board.txt", loaded.meta, clean(welcome, caption=True).text)
    assert found.title == "ICB Board meeting in public, 12 March 2026"  # the title above the turns comes first


def test_meeting_software_names_as_the_software_writes_them_and_windows_line_ends():
    names = {"Jane Smith": "Siobhán O'Neill", "John Doe": "DOE, John (NHS WEST YORKSHIRE ICB - X24)", "Speaker 3": "Amy Lee (Guest)"}
    text = TEAMS
    for old, new in names.items():
        text = text.replace(f"\n{old}   ", f"\n{new}   ")
    for raw in (text, text.replace("\n", "\r\n")):
        assert transcript.recognise(raw) == transcript.CAPTION
        cleaned = clean(raw)
        assert [line for line in cleaned.text.split("\n") if line.startswith("## ")] == [
            f"## {name}" for name in ["Siobhán O'Neill", names["John Doe"], "Siobhán O'Neill", "Amy Lee (Guest)", names["John Doe"], "Siobhán O'Neill"]
        ]
        assert not TIMESTAMP.search(cleaned.text) and _located(cleaned, "The board notes") == "at 01:04:15"


def test_a_meeting_where_the_chair_alone_speaks_twice_is_still_a_transcript():
    turns = [("Jane Smith", "Welcome. I will ask each of our guests to speak in turn."), ("Amy Lee", "Thank you. Waits fell."),
             ("Jane Smith", "Thank you Amy. Next, John."), ("John Doe", "Our deficit is 4.2 million pounds."),
             ("Jane Smith", "Thank you John. Finally, Sam."), ("Sam", "Staff survey results improved this year.")]  # fmt: skip
    text = "".join(f"{name}   0:{10 * i:02d}\n{words}\n\n" for i, (name, words) in enumerate(turns))
    assert transcript.recognise(text) == transcript.CAPTION
    assert "\n## Sam\nStaff survey results improved this year." in clean(text).text


# The same meeting as transcription services and meeting software write it: (name, seconds from the start, words)
MEETING = [
    ("Jane Smith", 3, "Good afternoon everyone and welcome to the meeting of the integrated care board held in public."),
    ("John Doe", 48, "Thank you chair. The finance report shows a deficit of 4.2 million pounds at month eleven."),
    ("Jane Smith", 93, "Thank you John. Are there questions from members on the finance report?"),
    ("Amy Lee", 138, "Yes. The board would like to see the recovery plan at its next meeting."),
    ("John Doe", 183, "At the April meeting, with the risks set out in the board assurance framework."),
    ("Jane Smith", 3855, "Thank you. The board notes the finance report."),
]


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@pytest.mark.parametrize(
    ("layout", "clock"),
    [
        ("{name} ({ms}):\n{words}\n", 0),  # Rev
        ("{name} ({hms}): {words}\n", 0),  # Rev, the words after the label
        ("**{name} ({ms}):**\n{words}\n", 0),  # Sonix, in Markdown
        ("*{name} ({ms})*\n{words}\n", 0),
        ("[{name}] {hms}\n{words}\n", 36000),  # Zoom, by the clock
        ("{name}   {hms}\n{words}\n", 36000),  # Webex, by the clock
        ("[{hms}] {name}\n{words}\n", 0),  # Descript
        ("[{hms}.37] - {name}\n{words}\n", 0),  # Happy Scribe
        ("{name}: [{hms}] {words}\n", 0),  # Sonix
        ("{name}: [{hms}]\n{words}\n", 0),
        ("{hms} - {name}: {words}", 0),
    ],
)
def test_turns_as_transcription_services_write_them(layout, clock):
    """Each layout's turns become the speaker's heading over the words, cited at the time the document gives."""
    body = "\n".join(
        layout.format(name=name, words=words, ms=f"{(clock + at) // 60}:{(clock + at) % 60:02d}", hms=_hms(clock + at))
        for name, at, words in MEETING
    )
    raw = "ICB Board meeting in public, 12 March 2026\n\n" + body
    assert transcript.recognise(raw) == transcript.CAPTION, layout
    cleaned = clean(raw)
    headings = [line for line in cleaned.text.split("\n") if line.startswith("## ")]
    assert headings == [f"## {name}" for name, _, _ in MEETING], cleaned.text
    assert "\n## John Doe\nThank you chair. The finance report shows a deficit of 4.2 million pounds at month eleven.\n" in cleaned.text
    assert not TIMESTAMP.search(cleaned.text) and "(" not in cleaned.text and "[" not in cleaned.text and " - " not in cleaned.text
    assert _located(cleaned, "The finance report shows") == f"at {_hms(clock + 48)}"
    assert _located(cleaned, "The board notes") == f"at {_hms(clock + 3855)}"


@pytest.mark.parametrize(
    "text",
    [
        # a rota and an agenda by the clock, to the minute
        "".join(f"[{who}] {7 + 2 * i:02d}:00:00\nWard {i} early shift\n" for i, who in enumerate(["Jane Smith", "Amy Lee"] * 3)),
        "".join(f"{who} ({10 + i}:00)\nItem {i}: papers attached\n" for i, who in enumerate(["Jane Smith", "Amy Lee"] * 3)),
        "".join(f"{10 + i}:00:00 - Item {i}: the report of the committee\n" for i in range(8)),
        # a programme: the time first, each session named once
        "".join(f"[{9 + i}:{15 * (i % 4):02d}] {item}\nIn the main hall with the board.\n" for i, item in enumerate(
            ["Keynote Address", "Coffee Break", "Panel Discussion", "Lunch Break", "Closing Remarks", "Drinks Reception"])),
        # a caption file's lines: every line timed, words on the stamp's line
        "".join(f"[00:00:{10 + 3 * i:02d}] Good Afternoon Everyone\n" for i in range(8)),
        # an incident timeline to the second, each event once, its account below
        "".join(f"[14:{3 + i:02d}:{(7 * i + 11) % 60:02d}] - {event}\nThe control room logged it and told the duty manager.\n"
                for i, event in enumerate(["Call Received", "Ambulance Dispatched", "Crew On Scene", "Patient Conveyed", "Handover Complete", "Crew Clear"])),
        # an incident timeline, the time before a recurring role, bare or in brackets: by the clock, which Descript never
        # writes (its times are the recording's)
        "".join(f"14:{3 + 9 * i:02d}:{(17 * i + 22) % 60:02d} {who}\nThe control room logged the call and told the duty manager.\n"
                for i, who in enumerate(["Call Handler", "Dispatcher", "Call Handler", "Clinical Navigator", "Call Handler", "Dispatcher"])),
        "".join(f"[14:{3 + 9 * i:02d}:{(17 * i + 22) % 60:02d}] {who}\nThe control room logged the call and told the duty manager.\n"
                for i, who in enumerate(["Call Handler", "Dispatcher", "Call Handler", "Clinical Navigator", "Call Handler", "Dispatcher"])),
        # "Name 00:00:03 words" on one line: no Sonix label (its time is in brackets), the name would run into the time
        "".join(f"{who} 00:00:{10 + 9 * i:02d} On item {i} the board agreed the report.\n" for i, who in enumerate(["Jane Smith", "Amy Lee"] * 4)),
    ],
)
def test_times_by_names_that_are_no_meeting(text):
    assert not transcript._speaker_stamped(text, len([line for line in text.splitlines() if line.strip()]))


@pytest.mark.parametrize(
    "text",
    [
        # an incident timeline whose roles recur, a time and a dash over each entry
        "Timeline of events\n\n" + "".join(f"14:{3 + 9 * i:02d}:{(17 * i + 22) % 60:02d} - {who}\n{what}\n" for i, (who, what) in enumerate([
            ("Call Handler", "999 call received from the patient's daughter."), ("Clinical Navigator", "Category upgraded to 2."),
            ("Call Handler", "Welfare call made to the caller."), ("Dispatcher", "Ambulance allocated from Leeds station."),
            ("Call Handler", "Second welfare call; patient now unresponsive.")])),
        # ... in brackets, one event twice
        "".join(f"[14:{3 + i:02d}:{(7 * i + 11) % 60:02d}] - {event}\nThe control room logged it.\n"
                for i, event in enumerate(["Call Received", "Ambulance Dispatched", "Call Received", "Crew On Scene", "Handover Complete"])),
        # a video's chapters with what each covers, one chapter returned to
        "".join(f"{m:02d}:{s:02d} - {chapter}\nThe board discusses it.\n" for m, s, chapter in
                [(0, 0, "Welcome"), (2, 15, "Workforce Plan"), (9, 40, "Finance Report"), (17, 5, "Workforce Plan"), (25, 30, "Any Other Business")]),
    ],
)
def test_timelines_and_chapters_with_a_dash_are_no_transcript(text):
    assert transcript.recognise(text) == ""
    assert "## " not in clean(text).text


def test_a_speakers_label_on_its_own_line_is_never_page_furniture():
    """A label recurring on a line of its own looks like a running header; dropping it gave the turn to the speaker before."""
    turns = "".join(
        f"{who}:\nOn item {i} the board agreed that the oversight framework applies to every care board.\n\n"
        for i, who in enumerate(["CHAIR", "AMANDA PRITCHARD", "JULIAN KELLY"] * 14)
    )
    cleaned = clean(turns)
    headings = [line for line in cleaned.text.split("\n") if line.startswith("## ")]
    assert headings == [f"## {who}" for who in ["CHAIR", "AMANDA PRITCHARD", "JULIAN KELLY"] * 14]
    assert "## AMANDA PRITCHARD\nOn item 40 the board agreed" in cleaned.text


BOARD_CAPTIONS = [  # a captioner's lines: ">>" and the name in capitals where the speaker changes
    ">> RICHARD MEDDINGS: Good morning everyone and welcome to the",
    "board meeting of NHS England held in public.",
    "We have apologies from two members.",
    ">> AMANDA PRITCHARD: Thank you, chair. I want to start with",
    "the elective recovery position, where waits",
    "over 65 weeks have fallen by half.",
    ">> RICHARD MEDDINGS: Thank you, Amanda. Questions?",
    ">> JULIAN KELLY: The financial position is",
    "a deficit of 1.2 billion pounds at month six.",
    ">> RICHARD MEDDINGS: Thank you.",
    "We move to the next item.",
]


@pytest.mark.parametrize("mark", [">> ", ""])
def test_a_guest_speaking_once_is_named_not_given_to_the_speaker_before(mark):
    """Captions naming who speaks ("RICHARD MEDDINGS: ..."), with a captioner's ">>" or without: the members who
    speak once are named as the chair is, and their words are not the chair's."""
    raw = "# tactiq.io free youtube transcript\n# NHS England board meeting\n\n" + "".join(
        f"00:00:{3 + 4 * i:02d}.120 {line.replace('>> ', mark)}\n" for i, line in enumerate(BOARD_CAPTIONS)
    )
    cleaned = clean(raw)
    headings = [line for line in cleaned.text.split("\n") if line.startswith("## ")]
    assert headings == [f"## {name}" for name in ["RICHARD MEDDINGS", "AMANDA PRITCHARD", "RICHARD MEDDINGS", "JULIAN KELLY", "RICHARD MEDDINGS"]]
    assert "## AMANDA PRITCHARD\nThank you, chair. I want to start with the elective recovery position" in cleaned.text
    assert ">>" not in cleaned.text and "KELLY:" not in cleaned.text
    assert _located(cleaned, "The financial position") == "at 00:00:31"


UNNAMED_TURNS = [  # a captioner marks every change of speaker with ">>", naming only some of them
    ">> RICHARD MEDDINGS: Good morning everyone and welcome to the",
    "board meeting held in public. Julian, over to you.",
    ">> JULIAN KELLY: Thank you, chair. The deficit is",
    "1.2 billion pounds at month six.",
    ">> thank you can i ask when the recovery plan",
    "will come back to the board",
    ">> in March, after the region has seen it.",
    ">> RICHARD MEDDINGS: Thank you. The next item",
    "is the quality report. >> a point of order chair",
    "is the paper late >> JULIAN KELLY: no it came out",
    "on Friday with the rest of the papers.",
]


def test_a_captioners_mark_without_a_name_ends_the_named_speakers_turn():
    """ ">>" alone marks a new speaker the captioner does not name: the words after it are no longer the named
    speaker's (they were, under his heading, to the next name), and each such turn has its own heading, here and where
    a mark comes within a caption line; a name after a ">>" within a line is who speaks, and is no word said."""
    raw = "".join(f"00:00:{3 + 4 * i:02d}.120 {line}\n" for i, line in enumerate(UNNAMED_TURNS))
    cleaned = clean(raw)
    assert cleaned.text == (
        "## RICHARD MEDDINGS\nGood morning everyone and welcome to the board meeting held in public.\nJulian, over to you.\n\n"
        "## JULIAN KELLY\nThank you, chair. The deficit is 1.2 billion pounds at month six.\n\n"
        "## Unnamed speaker\nThank you can I ask when the recovery plan will come back to the board.\n\n"
        "## Unnamed speaker\nIn March, after the region has seen it.\n\n"
        "## RICHARD MEDDINGS\nThank you. The next item is the quality report.\n\n"
        "## Unnamed speaker\nA point of order chair is the paper late.\n\n"
        "## JULIAN KELLY\nNo it came out on Friday with the rest of the papers."
    ), cleaned.text
    assert _located(cleaned, "In March") == "at 00:00:27"
    unnamed = "".join(f"00:00:{3 + 4 * i:02d}.120 {line}\n" for i, line in enumerate(
        ["good morning and welcome to the", "board meeting held in public", ">> thank you chair the deficit",
         "is 1.2 billion pounds", ">>", "can i ask about the plan", "for the recovery"]))  # fmt: skip
    cleaned = clean(unnamed)
    assert "##" not in cleaned.text and ">>" not in cleaned.text  # no one is named: paragraphs, no headings
    assert cleaned.text.split("\n\n") == [
        "Good morning and welcome to the board meeting held in public.",
        "Thank you chair the deficit is 1.2 billion pounds.",
        "Can I ask about the plan for the recovery.",
    ], cleaned.text
    glued = unnamed.replace(">> thank you", ">>thank you").replace("1.2 billion pounds", "1.2 billion pounds>>")
    glued = glued.replace("\n00:00:19.120 >>\n", "\n")  # the mark glued to the line before instead: "chair>>", ">>thank"
    assert clean(glued).text == cleaned.text, clean(glued).text


def test_rolling_captions_with_an_unnamed_mark_take_the_mark_once():
    """YouTube's rolling captions show each line twice (as the new line, then above the next one): a ">>" in the
    repeated line opens no second turn, and the unnamed turn ends the named speaker's."""
    lines = [">> RICHARD MEDDINGS: Good morning everyone.", "We have apologies from two members.",
             ">> thank you chair can i ask", "about the deficit please", ">> RICHARD MEDDINGS: Julian will answer that."]  # fmt: skip
    cleaned = clean(_rolling_vtt(lines), caption=True)
    assert cleaned.text == (
        "## RICHARD MEDDINGS\nGood morning everyone. We have apologies from two members.\n\n"
        "## Unnamed speaker\nThank you chair can I ask about the deficit please.\n\n"
        "## RICHARD MEDDINGS\nJulian will answer that."
    ), cleaned.text


def test_names_with_accents_are_speakers():
    """ "Siobhán O'Neill:" and "Zoë Ball:" were no labels at all (letters after the capital were ASCII only), so the
    dialogue was no transcript and their words were nobody's."""
    turns = [("Jane Smith", "Welcome to the committee."), ("Siobhán O'Neill", "Thank you for having me."),
             ("Jane Smith", "What does the framework change?"), ("Siobhán O'Neill", "It sets out how boards are assessed."),
             ("Zoë Ball", "May I add that the regions agree?"), ("Jane Smith", "Please do."), ("Zoë Ball", "They were consulted.")]  # fmt: skip
    text = "".join(f"{name}: {words}\n\n" for name, words in turns)
    assert transcript.recognise(text) == transcript.ORAL_EVIDENCE
    assert [line for line in clean(text).text.split("\n") if line.startswith("## ")] == [f"## {name}" for name, _ in turns]
    captions = "".join(f"00:00:{3 + 4 * i:02d}.120 {name}: {words}\n" for i, (name, words) in enumerate(turns))
    assert "## Zoë Ball\nMay I add that the regions agree?" in clean(captions).text


def test_a_witness_speaking_once_in_oral_evidence_is_named():
    turns = [("Jane Smith", "Welcome to the committee."), ("Dr Ahmed Khan", "Thank you for having me."),
             ("Jane Smith", "What does the framework change?"), ("Dr Ahmed Khan", "It sets out how boards are assessed."),
             ("Jane Smith", "Thank you."), ("Cllr Amy Lee", "May I add that the regions agree?"),
             ("Jane Smith", "Please do."), ("Dr Ahmed Khan", "They were consulted.")]  # fmt: skip
    text = "".join(f"{name}: {words}\n\n" for name, words in turns)
    assert transcript.recognise(text) == transcript.ORAL_EVIDENCE
    assert "\n\n## Cllr Amy Lee\nMay I add that the regions agree?" in clean(text).text
    # a topic opening a paragraph is no speaker, however it is capitalised; nor is a name without a title, once
    for label in ("NHS England", "Key Points", "Public health", "Mental Health", "Primary Care", "The Primary Care Team", "Amy Lee"):
        plain = text.replace("Cllr Amy Lee:", f"{label}:")
        assert f"## {label}" not in clean(plain).text and f"{label}: May I add" in clean(plain).text


def test_turns_to_the_minute_labels_in_capitals_and_running_headers():
    """A turn at a whole minute is a turn; a caption in capitals, a captioner's ">> NOTE:" and a running header naming
    the committee are no speakers; a line of speech opening with a time stays speech."""
    dashed = "".join(f"00:0{i}:{'00' if i % 2 else '25'} - {who}: {words}\n" for i, (who, words) in enumerate(
        [("Bob Jones", "We expect to break even."), ("Jane Smith", "Thank you, Bob."), ("Bob Jones", "The plan is agreed."),
         ("Jane Smith", "Questions?"), ("Bob Jones", "None from me."), ("Jane Smith", "Thank you.")]))  # fmt: skip
    cleaned = clean(dashed)
    assert [line for line in cleaned.text.split("\n") if line.startswith("## ")] == ["## Bob Jones", "## Jane Smith"] * 3
    assert "00:0" not in cleaned.text and _located(cleaned, "Questions") == "at 00:03:00"
    shouted = "".join(f"00:00:{3 + 4 * i:02d}.120 {line}\n" for i, line in enumerate(
        ["RICHARD MEDDINGS: GOOD MORNING.", "THE THREE PRIORITIES ARE: ELECTIVE RECOVERY, URGENT CARE AND FINANCE.",
         "RICHARD MEDDINGS: THANK YOU.", "JULIAN KELLY: THE DEFICIT IS 1.2 BILLION POUNDS.", "JULIAN KELLY: THANK YOU.",
         ">> NOTE: THE CAPTIONS ARE LIVE."]))  # fmt: skip
    headings = [line for line in clean(shouted).text.split("\n") if line.startswith("## ")]
    assert headings == ["## RICHARD MEDDINGS", "## JULIAN KELLY", "## Unnamed speaker"], headings  # ">>": not Kelly's words
    pages = "\f".join(
        f"Public Accounts Committee: Oral evidence, HC 1234\nAMANDA PRITCHARD:\nOn item {i} the board agreed the framework.\n\n"
        f"CHAIR:\nThank you for item {i}.\n" for i in range(12)
    )
    cleaned = clean(pages).text
    assert cleaned.count("Public Accounts Committee") == 1 and "## Public Accounts Committee" not in cleaned
    assert cleaned.count("## AMANDA PRITCHARD") == 12
    descript = "".join(f"[00:00:{10 * i:02d}] {who}\n{words}\n\n" for i, (who, words) in enumerate(
        [("Jane Smith", "Can we meet this afternoon?"), ("Bob Jones", "Yes."), ("Jane Smith", "At what time?"),
         ("Bob Jones", "2:30 works for me."), ("Jane Smith", "Then 2:30 it is."), ("Bob Jones", "Thank you.")]))  # fmt: skip
    assert "## Bob Jones\n2:30 works for me." in clean(descript).text


def test_lines_said_twice_and_capitals_are_kept_outside_a_rolling_file():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nNo.\n\n2\n00:00:02,500 --> 00:00:04,000\nNo.\nI will not accept that.\n\n"
        "3\n00:00:04,500 --> 00:00:07,000\nYes.\nYes.\nWe agree.\n\n"
        "4\n00:00:07,500 --> 00:00:09,000\nNOTE THAT THE DEFICIT\nIS 4.2 MILLION POUNDS.\n\n"
        "5\n00:00:09,500 --> 00:00:11,000\nREGION BY REGION, WAITS FELL.\n"
    )
    assert clean(srt, caption=True).text.replace("\n", " ") == (  # units cut at pauses: the words are what counts
        "No. No. I will not accept that. Yes. Yes. We agree. NOTE THAT THE DEFICIT IS 4.2 MILLION POUNDS. REGION BY REGION, WAITS FELL."
    )
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nThe plan runs until March\n2027\n\n00:00:04.500 --> 00:00:06.000\nand then it is reviewed.\n"
    assert clean(vtt, caption=True).text == "The plan runs until March 2027 and then it is reviewed."  # "2027" is no identifier
    header = "NOTE: DRAFT TRANSCRIPT\nREGION 5 PARTNERSHIP BOARD, 3 MARCH 2026\n\n" + CAPTIONS.split("\n\n", 1)[1]
    assert clean(header).text.startswith("NOTE: DRAFT TRANSCRIPT\nREGION 5 PARTNERSHIP BOARD, 3 MARCH 2026\n\nGood afternoon")


def test_older_teams_cues_name_the_speaker_on_a_line_above_the_words():
    """ "0:0:4.370 --> 0:0:8.740" / "John Doe" / "Thank you.": seconds in one figure, the name on its own line."""
    turns = [("Jane Smith", "Good afternoon everyone and welcome to the board."), ("John Doe", "Thank you. The deficit is 4.2 million pounds."),
             ("Jane Smith", "Thank you John. Any questions?"), ("Amy Lee", "When will the recovery plan come to the board?"),
             ("John Doe", "In April, with the risks."), ("Jane Smith", "Thank you. The board notes the report.")]  # fmt: skip
    cues = []
    for i, (name, words) in enumerate(turns):
        start, end = 4.37 * i, 4.37 * (i + 1)
        cues.append(f"0:0:{start:.3f} --> 0:0:{end:.3f}\n{name}\n{words}\n")
    cleaned = clean("\n".join(cues), caption=True)
    assert cleaned.text.startswith("## Jane Smith\nGood afternoon everyone and welcome to the board.\n\n## John Doe\nThank you.")
    assert "\n## Amy Lee\nWhen will the recovery plan come to the board?\n" in cleaned.text and "-->" not in cleaned.text
    assert _located(cleaned, "In April") == "at 00:00:17"
    # a sound note before a name, and a name with its organisation in brackets, as Teams shows guests
    guest = "DOE, John (NHS WEST YORKSHIRE ICB - X24)"
    noted = [c.replace("\nAmy Lee\n", "\n[Music]\nAmy Lee\n").replace("\nJohn Doe\n", f"\n{guest}\n") for c in cues]
    cleaned = clean("\n".join(noted), caption=True)
    assert f"\n## {guest}\nIn April, with the risks." in cleaned.text and "\n## Amy Lee\nWhen will" in cleaned.text
    # captions whose cues open with a capitalised line of speech name nobody
    speech = "".join(f"{i}\n00:00:{2 * i:02d},000 --> 00:00:{2 * i + 2:02d},000\nThe Board Agreed\nthe plan for winter {i}.\n\n" for i in range(1, 7))
    assert "## " not in clean(speech, caption=True).text  # one "name" only: no people talking to each other
    news = [("GOOD EVENING AND WELCOME", "TO THE SIX O'CLOCK NEWS."), ("THANK YOU", "THE GOVERNMENT HAS ANNOUNCED"),
            ("A NEW PLAN", "FOR THE NHS TODAY."), ("THANK YOU", "AND NOW THE WEATHER."), ("IT WILL BE COLD", "ACROSS THE NORTH."),
            ("RAIN LATER", "IN THE WEST.")]  # fmt: skip
    srt = "".join(f"{i}\n00:00:{2 * i:02d},000 --> 00:00:{2 * i + 2:02d},000\n{a}\n{b}\n\n" for i, (a, b) in enumerate(news, 1))
    assert clean(srt, caption=True).text.startswith("GOOD EVENING AND WELCOME TO THE SIX O'CLOCK NEWS.") and "## " not in clean(srt, caption=True).text


def test_webvtt_identifiers_comments_styles_entities_and_marks_are_not_spoken():
    vtt = (
        "\ufeffWEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:0\n\nNOTE made by a tool\nover two lines\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "a1b2c3/15-0\n00:00:01.000 --> 00:00:04.000\n<v Jane Smith>The A&amp;E four hour standard was met in March.</v>\n\n"
        "NOTE a comment between cues\n\n"
        "a1b2c3/16-0\n00:00:04.500 --> 00:00:08.000\n<v John Doe>{\\an8}Thank you. The deficit is &lt;2% of turnover.</v>\n\n"
        "c3/17-0\n00:00:08.500 --> 00:00:09.000\n<v Jane Smith>Thank you &amp; goodbye.</v>\n\n"
        "c3/18-0\n00:00:09.500 --> 00:00:10.000\n<v John Doe>Thank you.</v>\n"
    )
    cleaned = clean(vtt, caption=True)
    assert cleaned.text == (
        "## Jane Smith\nThe A&E four hour standard was met in March.\n\n## John Doe\nThank you. The deficit is <2% of turnover."
        "\n\n## Jane Smith\nThank you & goodbye.\n\n## John Doe\nThank you."
    )
    assert _located(cleaned, "The deficit") == "at 00:00:04" and _located(cleaned, "Thank you & goodbye") == "at 00:00:08"


def test_a_transcript_opening_with_its_first_speaker_is_titled_by_its_opening_words(tmp_path):
    turns = [("Jane Smith", "Good evening and welcome to the meeting of the Leeds Health and Wellbeing Board 2026."),
             ("John Doe", "Thank you chair."), ("Jane Smith", "The first item is the strategy.")]  # fmt: skip
    vtt = "WEBVTT\n\n" + "".join(f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 2:02d}.000\n<v {n}>{t}\n\n" for i, (n, t) in enumerate(turns))
    path = _write(tmp_path, "hwb.vtt", vtt)
    loaded = load(path, max_bytes=MB)
    found = infer_file(path, loaded.meta, clean(loaded.text, loaded.caption).text)
    assert found.title == "Meeting of the Leeds Health and Wellbeing Board 2026"


def test_a_long_run_without_pauses_is_cut_within_the_word_limit():
    lines = "".join(f"00:{i // 60:02d}:{i % 60:02d}.000 the integrated care board will publish its joint forward plan\n" for i in range(0, 120, 3))
    cleaned = clean(lines)
    units = cleaned.text.split("\n")
    assert len(units) > 1
    assert all(len(u.split()) <= transcript.MAX_UNIT_WORDS and u.endswith(".") for u in units)
    assert all(not u.lower().rstrip(".").endswith((" the", " its", " will")) for u in units[:-1])  # never left hanging


def test_named_speakers_in_captions_become_headings_and_split_units():
    text = "".join(
        f"[00:00:{10 * i:02d}] {speaker}: {words}\n"
        for i, (speaker, words) in enumerate([
            ("Chair", "we now turn to the quality report from the chief nurse"),
            ("Chair", "who will take us through the main points"),
            ("Jo Bloggs", "thank you chair the report shows falls are down this quarter"),
            ("Jo Bloggs", "and pressure ulcers remain below the national average"),
            ("Chair", "thank you are there any questions from members of the board"),
            ("Chair", "none so the board notes the quality report"),
        ])
    )
    cleaned = clean(text)
    assert cleaned.text.split("\n")[0] == "## Chair"
    assert "\n\n## Jo Bloggs\nThank you chair the report shows falls are down this quarter" in cleaned.text
    assert "Jo Bloggs:" not in cleaned.text and "Chair:" not in cleaned.text
    sections = {s.section for s in split(cleaned.text, max_tokens=200, overlap_tokens=0, count_tokens=lambda t: len(t.split()))}
    assert sections == {"Chair", "Jo Bloggs"}


def test_shaping_edits_reproduce_the_shaped_text():
    cleaned = clean(CAPTIONS)
    shaped = transcript.shape(CAPTIONS.rstrip("\n"), transcript.CAPTION)
    assert shaped.text == cleaned.text and shaped.locators == cleaned.locators
    rebuilt, last = [], 0
    for edit in shaped.edits:
        assert edit.start >= last
        rebuilt += [CAPTIONS[last : edit.start], edit.new]
        last = edit.end
    assert "".join(rebuilt) + CAPTIONS.rstrip("\n")[last:] == shaped.text


def test_a_caption_transcript_is_inferred_as_a_transcript_titled_by_its_opening_words(tmp_path):
    path = _write(tmp_path, "Leeds City Council care services plan.txt", CAPTIONS.replace("# West Yorkshire ICB Board meeting in public\n", "# No title found\n"))
    path.write_text(path.read_text().replace("good afternoon everyone and welcome to", "welcome to our care services plan 2024 2025"))
    loaded = load(path, max_bytes=MB)
    found = infer_file(path, loaded.meta, clean(loaded.text).text)
    assert found.kind == "transcript"
    assert found.title.startswith("Care Services Plan 2024")


# --- oral evidence ---------------------------------------------------------------------------------------------------


def test_oral_evidence_turns_open_with_the_speaker_and_questions_become_locators(tmp_path):
    loaded = load(_write(tmp_path, "evidence.txt", HANSARD), max_bytes=MB)
    assert loaded.meta["kind"] == "transcript" and loaded.meta["transcript"] == transcript.ORAL_EVIDENCE
    cleaned = clean(loaded.text)
    text = cleaned.text
    assert not re.search(r"^Q\d", text, re.MULTILINE)
    assert "\n\n## Amanda Pritchard (Chief Executive, NHS England)\nThank you, Chair. The oversight framework" in text
    assert "\n\n## Julian Kelly (Chief Financial Officer, NHS England)\nYes. Each board" in text
    assert "\n\n## Sarah Owen\nWhat does that mean" in text
    assert text.startswith("Health and Social Care Committee\n")  # the preamble is kept as it is
    assert [x.label for x in cleaned.locators] == ["Q103", "Q104", "Q105", "Q106"]
    assert _located(cleaned, "We expect most of the day-to-day") == "Q103"
    assert _located(cleaned, "Each board receives a single allocation") == "Q104"
    assert _located(cleaned, "I would add that the boards") == "Q104"
    assert _located(cleaned, "Community nursing vacancies") == "Q105"
    with pytest.raises(StopIteration):
        _located(cleaned, "Members present")  # before the first question: no locator


def test_speakers_are_the_section_of_their_turns_chunks():
    cleaned = clean(HANSARD)
    spans = split(cleaned.text, max_tokens=60, overlap_tokens=0, count_tokens=lambda t: len(t.split()))
    where = cleaned.text.index("Each board receives")
    chunk = next(s for s in spans if s.start <= where < s.end)
    assert chunk.section.endswith("Julian Kelly (Chief Financial Officer, NHS England)")
    where = cleaned.text.index("Community nursing vacancies")
    assert next(s for s in spans if s.start <= where < s.end).section.endswith("Amanda Pritchard (Chief Executive, NHS England)")


def test_oral_evidence_in_a_pdf_keeps_pages_and_questions(tmp_path):
    from tests.test_load import make_pdf

    turns = HANSARD.split("Q105 Chair:")
    path = tmp_path / "evidence.pdf"
    path.write_bytes(make_pdf([turns[0], "Q105 Chair:" + turns[1]]))
    cleaned = clean(load(path, max_bytes=MB).text)
    at = cleaned.text.index("Community nursing vacancies")
    assert next(p.page for p in cleaned.pages if p.start <= at < p.end) == 2
    assert _located(cleaned, "Community nursing vacancies") == "Q105"
    assert _located(cleaned, "Each board receives") == "Q104"
    assert cleaned.pages[-1].end == len(cleaned.text)


# --- storage and citations ---------------------------------------------------------------------------------------


def test_locators_are_stored_with_the_document_and_replaced_with_it(tmp_path):
    docs = DocStore(tmp_path / "index.sqlite")
    info = DocumentInfo(doc_id="t.txt", source="t.txt", title="T", content_hash="h")
    chunk = Chunk("c1", "t.txt", 0, 0, 10, "0123456789")
    docs.replace_document(info, str(tmp_path), "0123456789", (), [chunk], None, (Locator(0, 4, "at 00:00:01"), Locator(4, 10, "Q12")))
    assert [docs.locator_at("t.txt", i) for i in (0, 3, 4, 9)] == ["at 00:00:01", "at 00:00:01", "Q12", "Q12"]
    assert docs.locator_at("t.txt", 10) == "" and docs.locator_at("other.txt", 0) == ""
    docs.replace_document(info, str(tmp_path), "0123456789", (), [chunk])  # no longer a transcript
    assert docs.locator_at("t.txt", 0) == ""
    docs.close()


def test_citations_show_the_locator_or_the_page():
    from assistant import ui

    base = {"n": 1, "source": "s", "title": "t", "publisher": "p", "date": "", "section": "", "start": 0, "end": 1, "quote": "x"}
    assert ui.citation_heading(Citation(**base, page=None, locator="at 00:41:07")) == "[1] t — p · at 00:41:07"
    assert ui.citation_heading(Citation(**base, page=12)) == "[1] t — p · p. 12"
    assert Citation(**base, page=12).to_json()["locator"] == "p. 12"
    assert Citation(**base, page=None, locator="at 00:41:07").to_json()["locator"] == "at 00:41:07"
    assert Citation(**base, page=3, locator="Q112").to_json() == {**base, "page": 3, "locator": "Q112", "fragment": False}
    assert Citation(**base, page=None).to_json()["locator"] == ""


@pytest.mark.slow
def test_asking_a_transcript_cites_the_time_and_the_question(tmp_path, embedder):
    from ingest.pipeline import Ingestor

    folder = tmp_path / "meetings"
    folder.mkdir()
    _write(folder, "icb-board.txt", CAPTIONS)
    _write(folder, "oral-evidence.txt", HANSARD)
    teams = docx.Document()  # a Teams transcript downloaded as a Word document
    for paragraph in filter(str.strip, TEAMS.splitlines()):
        teams.add_paragraph(paragraph)
    teams.save(folder / "icb-march.docx")
    _write(folder, "scrutiny.vtt", _rolling_webvtt(CAPTIONS.replace("5.000 yorkshire integrated care board", "5.000 leeds scrutiny board").replace("4.2", "1.7")))
    captioned = "".join(f"00:00:{3 + 4 * i:02d}.120 {line}\n" for i, line in enumerate(BOARD_CAPTIONS))
    _write(folder, "nhse-board.txt", "# tactiq.io free youtube transcript\n# NHS England board meeting\n\n" + captioned)
    settings = make_settings(tmp_path / "data")
    report = Ingestor(settings, embedder=embedder, progress=False).run([folder])
    assert report.ok and report.count("added") == 5, report.results
    docs = DocStore(settings.sqlite_path, create=False)
    assert {d.kind for d in docs.documents()} == {"transcript"}
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        json.dumps({"id": "caption", "question": "What deficit is the ICB forecasting at month 11?"}) + "\n"
        + json.dumps({"id": "hansard", "question": "Can integrated care boards move money between budgets?"}) + "\n"
        + json.dumps({"id": "vtt", "question": "What deficit did the Leeds scrutiny board hear about?"}) + "\n"
        + json.dumps({"id": "teams", "question": "When will the board see John Doe's recovery plan?"}) + "\n"
        + json.dumps({"id": "guest", "question": "What did Julian Kelly say about NHS England's deficit at month six?"}) + "\n"
    )
    answers = tmp_path / "answers.jsonl"
    proc = run_cli("assistant", "ask", "--batch", str(questions), "--out", str(answers), data_dir=settings.data_dir)
    assert proc.returncode == 0, proc.stderr
    got = {a["id"]: a for a in map(json.loads, answers.read_text().splitlines())}

    caption = got["caption"]
    assert not caption["abstained"], caption["answer"]
    cited = [c for c in caption["citations"] if c["source"] == "icb-board.txt"]
    deficit = next(c for c in cited if "4.2 million pounds" in c["quote"])
    assert deficit["quote"].startswith("The first item") and deficit["locator"] == "at 00:00:19"  # where the quote starts
    assert deficit["title"] == "West Yorkshire ICB Board meeting in public"
    for c in caption["citations"]:
        assert docs.text(c["source"])[c["start"] : c["end"]] == c["quote"]
        assert not TIMESTAMP.search(c["quote"]) and c["page"] is None

    vtt = got["vtt"]  # a YouTube WebVTT file: each caption line once, cited at its time
    assert not vtt["abstained"], vtt["answer"]
    deficit = next(c for c in vtt["citations"] if "1.7 million pounds" in c["quote"])
    assert deficit["source"] == "scrutiny.vtt" and deficit["locator"] == "at 00:00:19"
    assert docs.text("scrutiny.vtt").count("we are forecasting a deficit") == 1
    assert docs.text(deficit["source"])[deficit["start"] : deficit["end"]] == deficit["quote"]

    teams = got["teams"]  # a turn of a Word transcript: cited with its speaker and its time
    assert not teams["abstained"], teams["answer"]
    april = next(c for c in teams["citations"] if "At the April meeting" in c["quote"])
    assert april["source"] == "icb-march.docx" and april["locator"] == "at 00:03:03" and april["section"].endswith("John Doe")
    assert docs.text(april["source"])[april["start"] : april["end"]] == april["quote"]

    guest = got["guest"]  # a board member speaking once, named by the captioner: the words are his, not the chair's
    assert not guest["abstained"], guest["answer"]
    deficit = next(c for c in guest["citations"] if "1.2 billion pounds" in c["quote"])
    assert deficit["source"] == "nhse-board.txt" and deficit["section"].endswith("JULIAN KELLY") and deficit["locator"] == "at 00:00:31"
    assert docs.text(deficit["source"])[deficit["start"] : deficit["end"]] == deficit["quote"]

    hansard = got["hansard"]
    assert not hansard["abstained"], hansard["answer"]
    money = next(c for c in hansard["citations"] if "single allocation" in c["quote"])
    assert money["locator"] == "Q104" and money["section"].endswith("Julian Kelly (Chief Financial Officer, NHS England)")
    assert docs.text(money["source"])[money["start"] : money["end"]] == money["quote"]
    docs.close()


def test_google_meets_times_between_the_turns_are_locators_not_text():
    """Google Meet's transcript names each turn's speaker ("Jane Smith: ...") and puts the time on a line of its own
    every few minutes. The turns are read as any speaker's turns; the times leave the text (they were stored as lines
    of their own) and locate what follows them. Times to the minute ("10:30") may be an agenda's and stay."""
    meet = (
        "Board meeting - Transcript\n\n00:00:00\n\n"
        "Jane Smith: Good morning everyone, and welcome to the meeting of the integrated care board.\n"
        "John Brown: Thank you, chair. I will take the finance report first.\nJane Smith: Please go ahead.\n\n"
        "00:05:00\n\n"
        "John Brown: The system is forecasting a deficit of 12 million pounds at month six.\n"
        "Amy Lee: Can I ask when the recovery plan will come to the board?\n"
        "John Brown: In March, after the region has reviewed it.\nJane Smith: Thank you. The next item is the quality report.\n"
        "Amy Lee: The quality committee met twice this quarter.\n"
    )
    cleaned = clean(meet)
    assert cleaned.text.startswith("Board meeting - Transcript\n\n## Jane Smith\nGood morning everyone")
    assert "00:0" not in cleaned.text and "\n\n## John Brown\nThe system is forecasting" in cleaned.text
    assert _located(cleaned, "Thank you, chair.") == "at 00:00:00"
    assert _located(cleaned, "In March") == "at 00:05:00"
    within = meet.replace("Please go ahead.\n\n00:05:00\n\n", "Please go ahead, and tell us about the\n\n00:05:00\n\nforecast for the year.\n")
    cleaned = clean(within)  # a time within one speaker's turn: cleaning joins the words after it to its line
    assert "00:0" not in cleaned.text and _located(cleaned, "forecast for the year") == "at 00:05:00", cleaned.text
    agenda = meet.replace("00:00:00", "10:30").replace("00:05:00", "11:00")
    assert "\n\n10:30\n\n" in clean(agenda).text and not clean(agenda).locators
