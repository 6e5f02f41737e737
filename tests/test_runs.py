"""Speech written down without punctuation: runs cut into sentence-sized units by the learned boundary model."""

from __future__ import annotations

import json
import re

import pytest

from assistant.cite import split_sentences
from assistant.docstore import DocStore
from ingest import runs
from ingest.clean import clean, clean_with_counts
from tests.conftest import make_settings, run_cli

# A council scrutiny board as an automatic transcript gives it when pasted without its timings: no punctuation, no
# capitals, one turn a paragraph.
SPOKEN = (
    "good morning everyone and welcome to the adults health and active lifestyles scrutiny board march 2025 "
    "we have received apologies from councillor smith and councillor patel and the meeting is quorate "
    "the first item on the agenda is the integrated care board's report on winter pressures which sets out how "
    "the five places in west yorkshire will work together to reduce waits in emergency departments "
    "the board is asked to note that the number of patients waiting more than twelve hours fell by a third "
    "between december and february compared with the year before "
    "members will recall that we asked the integrated care board in october to explain how it holds its partner "
    "trusts to account for these waits and the chief executive has written to us with a full answer "
    "i would now like to invite the director of strategy to introduce the report and then we will take questions "
    "thank you chair the report covers three areas the first is discharge from hospital where we have funded "
    "additional care packages with the council the second is the virtual ward programme which now has more than "
    "four hundred beds across the system and the third is the way we share data between organisations so that "
    "clinicians can see a patient's record wherever they are treated"
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


# --- segmenting ------------------------------------------------------------------------------------------------


def test_segment_takes_confident_ends_within_the_length_limits():
    n = 100
    odds = [-5.0] * (n - 1)
    odds[19] = odds[44] = odds[46] = 4.0  # sentence ends after words 20, 45 and 47 (47 is too close to 45)
    cuts = runs.segment(odds, n, min_words=5, max_words=40)
    assert 19 in cuts and 44 in cuts and 46 not in cuts
    bounds = [-1, *cuts, n - 1]
    assert all(5 <= b - a <= 40 for a, b in zip(bounds, bounds[1:-1], strict=False))
    assert bounds[-1] - bounds[-2] <= 40


def test_with_no_confident_end_a_run_is_still_cut_within_the_limit():
    cuts = runs.segment([-3.0] * 199, 200, min_words=5, max_words=40)
    bounds = [-1, *cuts, 199]
    assert all(5 <= b - a <= 40 for a, b in zip(bounds, bounds[1:], strict=False))
    assert runs.segment([1.0] * 29, 30) == []  # a stretch within the limit is never cut


def test_the_shipped_model_says_where_sentences_end():
    model = runs.shipped_model()
    data = json.loads(runs.MODEL_PATH.read_text(encoding="utf-8"))
    assert data["trained_on"] and data["command"] == "python -m eval.train_boundaries --write" and data["table"]
    tokens = "the meeting is quorate the first item on the agenda is the report".split()
    odds = model.log_odds(tokens)
    assert odds[3] > 0 > odds[0]  # after "quorate", not after "the"
    assert odds[3] == max(odds)


def test_an_unreadable_model_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "boundaries.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boundaries.json"):
        runs.BoundaryModel.load(broken)


# --- cleaning --------------------------------------------------------------------------------------------------


def test_a_transcript_without_punctuation_becomes_readable_units_of_its_own_words():
    cleaned, counts = clean_with_counts("Scrutiny board, 14 March\n\n" + SPOKEN + "\n")
    assert counts["run cuts"] >= 4
    units = [s for s in split_sentences("t", cleaned.text) if not s.heading]
    assert len(units) >= 5
    for s in units:
        assert 5 <= len(s.text.split()) <= runs.MAX_WORDS, s.text
        assert s.text[0].isupper() and s.text.endswith("."), s.text
        assert cleaned.text[s.start : s.end] == s.text
    assert _words(cleaned.text) == _words("Scrutiny board, 14 March " + SPOKEN)  # the words, in order, untouched
    assert not any(s.text.lower().endswith((" the.", " of.", " and.", " to.")) for s in units)


def test_in_a_transcript_every_stretch_longer_than_a_unit_is_cut_and_a_closing_stop_is_kept():
    turns = SPOKEN + ".\n\n" + "i'm grateful for that answer chair and i think the board will want to come back to the question of how the" \
        " partner trusts are held to account for waits in the spring once the new oversight framework is published later this year.\n"
    cleaned = clean(turns).text
    second = cleaned.split("\n\n")[1]
    assert second.startswith("I'm grateful") and " I think" in second  # the pronoun, capitalised
    assert second.endswith("this year.") and not second.endswith("..")
    assert second.count(".") >= 2  # 43 words: cut once at least
    assert clean(second.lower()).text == second.lower()  # alone (no speech around it), a 43-word stretch is a sentence


def test_a_file_of_unpunctuated_speech_is_loaded_as_a_transcript_and_a_report_is_not(tmp_path):
    from ingest.load import load

    spoken = tmp_path / "board.txt"  # an ASR export: a line every few words, as cleaning will join them
    spoken.write_text("\n".join(" ".join(SPOKEN.split()[i : i + 7]) for i in range(0, len(SPOKEN.split()), 7)) + "\n")
    assert load(spoken, max_bytes=10**6).meta.get("kind") == "transcript"
    report = tmp_path / "report.txt"
    report.write_text("Annual report\n\nThe board met in March. It agreed the plan for the year ahead.\n")
    assert "transcript" not in load(report, max_bytes=10**6).meta


def test_speaker_turns_without_punctuation_open_with_a_capital_after_the_speaker():
    said = SPOKEN.split()
    turns = "\n".join(f"{who}: " + " ".join(said[i : i + 35]) for who, i in zip(["Chair", "Sarah Jones"] * 4, range(0, len(said), 35), strict=False))
    cleaned = clean("Health scrutiny board\n\n" + turns + "\n").text
    assert "## Chair\nGood morning everyone" in cleaned  # oral evidence: the speaker heads the turn
    assert all(m.group(1).isupper() for m in re.finditer(r"## Sarah Jones\n(.)", cleaned))
    assert all(s.text[0].isupper() and s.text.endswith(".") for s in split_sentences("t", cleaned) if not s.heading)


def test_a_captioners_mark_in_speech_without_times_ends_a_turn_and_leaves_the_text():
    """Captions pasted without their times keep the captioner's ">>" at each change of speaker: it ends a unit,
    however short the turn, starts a paragraph and is no word of the quote (it was quoted, "... in public >>.")."""
    said = SPOKEN.split()
    pasted = " ".join(said[:40]) + " >> thank you chair can i ask about the plan >> yes >> " + " ".join(said[40:]) + " >>"
    cleaned = clean("Scrutiny board, 14 March\n\n" + pasted + "\n").text
    assert ">>" not in cleaned
    paragraphs = cleaned.split("\n\n")
    assert "Thank you chair can I ask about the plan." in paragraphs and "Yes." in paragraphs, paragraphs
    assert paragraphs[1].endswith(".") and paragraphs[-1].endswith(".") and not paragraphs[-1].endswith(" .")
    assert _words(cleaned) == _words("Scrutiny board, 14 March " + pasted.replace(">>", ""))  # the words, in order
    for s in split_sentences("t", cleaned):
        assert cleaned[s.start : s.end] == s.text and ">" not in s.text
    glued = " ".join(said[:40]) + " >>thank you chair can i ask about the plan>> yes>> " + " ".join(said[40:]) + ">>"
    assert clean("Scrutiny board, 14 March\n\n" + glued + "\n").text == cleaned  # a mark glued to a word: the same


def test_written_text_with_a_long_run_on_list_is_left_alone():
    listed = " ".join(f"ensure that item {i} is reviewed by the committee and reported to the board" for i in range(12))
    prose = " ".join(f"The board met on {d} March and agreed the plan for the year ahead." for d in range(1, 30))
    text = f"{prose}\n\n{listed}\n\n{prose}\n"
    assert len(next(runs.runs(text, 100))) >= 100  # the list is a long run of words with no sentence end ...
    cleaned, counts = clean_with_counts(text)
    assert not runs.is_speech(text) and counts["run cuts"] == 0 and "reviewed by the committee." not in cleaned.text  # ... not cut
    bullets = "Our priorities\n\n" + "\n".join(f"- improve access to {w} services across the city for people who need them" for w in "abcdefghij")
    assert not runs.is_speech(bullets) and clean(bullets).text == clean_with_counts(bullets)[0].text
    assert clean_with_counts(bullets)[1]["run cuts"] == 0  # a list of unended items is no speech


def test_a_cut_never_leaves_a_figure_or_the_sense_hanging_nor_doubles_a_stop():
    cleaned = clean(SPOKEN + " etc.\n").text
    assert "four hundred beds" in cleaned.lower()  # not "more than four. Hundred beds"
    assert not re.search(r"\b(?:the|of|than|a)\.", cleaned)
    assert cleaned.endswith("etc.") and ".." not in cleaned
    assert "I, for one, agree" in clean(SPOKEN.replace("thank you chair", "thank you chair i, for one, agree")).text


def test_in_speech_a_line_opening_with_a_dash_is_cut_too():
    cleaned = clean(SPOKEN + "\n\n- " + SPOKEN.replace("good morning", "good afternoon") + "\n").text
    dashed = cleaned.split("\n\n")[1]
    assert dashed.startswith("- Good afternoon") and dashed.count(".") >= 4  # cut into units like the first turn


def test_turns_and_the_title_stay_apart_in_speech_without_punctuation():
    cleaned = clean("Scrutiny board, 14 March\n\n" + SPOKEN + "\n\n" + SPOKEN.replace("good morning", "good afternoon") + "\n").text
    title, first, second = cleaned.split("\n\n")
    assert title == "Scrutiny board, 14 March"  # not glued to the first words said
    assert first.startswith("Good morning") and first.endswith(".") and second.startswith("Good afternoon")


def test_page_numbers_stay_exact_after_cutting():
    raw = SPOKEN + "\n\f" + SPOKEN.replace("good morning", "good afternoon") + "\n"
    cleaned, counts = clean_with_counts(raw)
    assert counts["run cuts"] >= 8  # both pages were cut
    at = cleaned.text.lower().index("good afternoon")  # the page break may join the two runs: one may run on
    assert next(p.page for p in cleaned.pages if p.start <= at < p.end) == 2
    assert next(p.page for p in cleaned.pages if p.start <= 10 < p.end) == 1


# --- end to end ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_asking_an_unpunctuated_transcript_quotes_a_sentence_not_the_whole_turn(tmp_path, embedder):
    from ingest.pipeline import Ingestor

    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "scrutiny-board.txt").write_text("Adults, health and active lifestyles scrutiny board\n\n" + SPOKEN + "\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    report = Ingestor(settings, embedder=embedder, progress=False).run([folder])
    assert report.ok, report.results
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "virtual", "question": "How many virtual ward beds does the system have?"}) + "\n")
    answers = tmp_path / "a.jsonl"
    proc = run_cli("assistant", "ask", "--batch", str(questions), "--out", str(answers), data_dir=settings.data_dir)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(answers.read_text().splitlines()[0])
    assert not answer["abstained"], answer["answer"]
    docs = DocStore(settings.sqlite_path, create=False)
    assert [(d.kind, d.title) for d in docs.documents()] == [("transcript", "Adults Health and Active Lifestyles Scrutiny Board March 2025")]
    beds = [c for c in answer["citations"] if "four hundred beds" in c["quote"]]
    assert beds, answer["citations"]
    for c in answer["citations"]:
        assert len(c["quote"].split()) <= runs.MAX_WORDS and c["quote"].endswith(".")
        assert docs.text(c["source"])[c["start"] : c["end"]] == c["quote"]


# --- fitting ---------------------------------------------------------------------------------------------------


def test_the_fit_learns_sentence_ends_and_beats_the_length_cut():
    from eval import train_boundaries as tb

    def stream(sentences: list[str]) -> tb.Stream:
        tokens, ends = [], []
        for s in sentences:
            words = [runs.token(w) for w in s.split()]
            tokens += words
            ends += [0] * (len(words) - 1) + [1]
        return tokens, ends

    subjects = ["the board", "the trust", "our committee", "the council", "the system"]
    verbs = ["agreed the plan for the year", "reviewed the risks in detail", "noted the report on waiting times"]
    train = stream([f"{s} {v} and thanked the staff" for s in subjects for v in verbs] * 20)
    model = tb.fit(train, c=1.0)
    unseen = stream([f"{s} {v} and thanked the staff" for s in reversed(subjects) for v in reversed(verbs)] * 4)  # in another order
    got, length_cut = tb.score(unseen, tb.model_cutter(model)), tb.score(unseen, tb.caption_cutter)
    assert got["f1"] > 0.9 and got["f1"] > length_cut["f1"]
    assert set(got) == {"precision", "recall", "f1", "exact units"}
