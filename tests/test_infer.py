"""Metadata inferred from a document's own text (ingest.infer): each cue on a small text, and what it must not take."""

from __future__ import annotations

import pytest

from ingest.infer import Inferred, infer, infer_file, merge, needs_inference, parse_date, resolve_publishers


def test_evidence_header_gives_title_publisher_kind_and_the_submission_date():
    text = (
        "## Written evidence submitted by NHS Providers (ICS0034)\n\n"
        "NHS Providers is the membership organisation for NHS trusts. NHS England oversees them.\n\n"
        "We submitted the following evidence on behalf of our members on 9 January 2023.\n"
    )
    got = infer(text, filename="000_8f9566ec79a9e3e1.txt")
    assert got.title == "Written evidence submitted by NHS Providers (ICS0034)"
    assert (got.publisher, got.kind, got.date) == ("NHS Providers", "written evidence", "2023-01-09")
    assert "evidence header" in got.notes["publisher"]


def test_published_line_beats_last_updated_and_junk_lines_are_not_titles():
    text = (
        "# tactiq.io free youtube transcript\n\nContents\n\nDate last updated: 25 March, 2025\n\n"
        "Date published: 29 January, 2025\n\n**Neighbourhood health guidelines 2025/26**\n\nPublication (/publication)\n\n"
        "1. There is an urgent need to transform the health and care system, NHS England says, and NHS England will act.\n"
    )
    got = infer(text)
    assert got.title == "Neighbourhood health guidelines 2025/26"
    assert got.date == "2025-01-29"
    assert got.kind == "guidance"
    assert got.publisher == "NHS England"


def test_letterhead_lines_become_the_publisher_and_an_annual_report_is_dated_after_its_year():
    text = (
        "n\n\n**The Leeds **\n\n**Teaching Hospitals**\n\n**NHS Trust**\n\n"
        "Annual Report\n\nand Accounts\n\n**2024-2025**\n\nContents\n"
    )
    got = infer(text)
    assert got.title == "Annual Report and Accounts 2024-2025"
    assert got.publisher == "The Leeds Teaching Hospitals NHS Trust"
    assert (got.kind, got.date) == ("annual report", "2025")


def test_signed_date_of_the_accounts_dates_an_annual_report():
    body = "The Trust delivered its plan. " * 30
    signed = "Signed ........ **Sam Prince**, Chief Executive 19 June 2024"
    text = f"**Annual Report**\n\n**and Accounts 2023-2024**\n\n{body}\n\n{signed}\n"
    assert infer(text).date == "2024-06-19"


def test_a_strategy_is_dated_by_the_start_of_its_period_and_targets_are_not_dates():
    strategy = "**The Leeds Health **\n\n**and Wellbeing Strategy **\n\n**2023-2030**\n\n‘Leeds will be healthy’\n"
    assert infer(strategy).date == "2023"
    skills = infer("Research and analysis\n\n**Assessment of priority skills to 2030**\n\nIt looks ahead.\n")
    assert skills.title == "Assessment of priority skills to 2030" and skills.date == ""


def test_govuk_organisation_line_and_content_type():
    text = (
        "Skills England\n\nResearch and analysis\n\n**Assessment of priority skills to 2030**\n\n"
        "Published 12 August 2025\n\n© Crown copyright 2025\n"
    )
    got = infer(text)
    assert got.publisher == "Skills England"
    assert (got.title, got.date, got.kind) == ("Assessment of priority skills to 2030", "2025-08-12", "research report")


def test_the_trust_that_calls_itself_the_trust_beats_the_national_bodies_it_mentions():
    text = "**Annual Report**\n\n" + "NHS England asked and NHS England agreed. The Trust met the target.\n" * 20
    text += "Leeds Community Healthcare NHS Trust runs services. Leeds City Council is a partner.\n" * 3
    assert infer(text).publisher == "Leeds Community Healthcare NHS Trust"


def test_research_briefing_label_is_not_the_title_and_the_library_gets_its_full_name():
    text = (
        "**Research Briefing **\n\n23 July 2025\n\n**NHS productivity **\n\nBy Dr Nick Moody,\n\nTom Powell\n\n"
        "The Commons Library does not intend the information in our research to address particular circumstances. "
        "We have published it to support the work of MPs.\n"
    )
    got = infer(text)
    assert (got.title, got.date, got.kind) == ("NHS productivity", "2025-07-23", "research briefing")
    assert got.notes["date"] == "the line '23 July 2025'"
    assert got.publisher == "House of Commons Library"


def test_journal_article_from_its_running_head_and_the_author_line_is_not_a_subtitle():
    text = (
        "Filipe *et al. BMC Health Services Research* \\(2024\\) 24:1362\n\nBMC Health Services Research\n\n"
        "https://doi.org/10.1186/s12913-024-11832-0\n\n**RESEARCH**\n\n**Open Access**\n\n"
        "Improving equitable healthcare resource use:\n\ndeveloping a neighbourhood district nurse\n\n"
        "Luís Filipe1\\*, Roberta Piroddi2 and Ben Barr2\n\n**Abstract**\n"
    )
    got = infer(text)
    assert got.title == "Improving equitable healthcare resource use: developing a neighbourhood district nurse"
    assert (got.publisher, got.date, got.kind) == ("BMC Health Services Research", "2024", "journal article")


def test_caption_timestamps_make_a_transcript_titled_by_its_opening_words():
    text = (
        "# tactiq.io free youtube transcript\n# No title found\n# https://www.youtube.com/watch/x\n\n"
        "00:00:00.560 welcome to care delivery services annual\n00:00:02.600 service plan 2024\n"
        "00:00:06.279 2025 the service plan gives details of\n00:00:09.559 all our service across leads as well as\n"
        "00:00:11.679 describing our priorities for the coming\n00:00:13.559 year\n"
    )
    got = infer(text, filename="Leeds City Council Care Delivery Services Plan 2024 2025.txt")
    assert got.kind == "transcript"
    assert got.title == "Care Delivery Services Annual Service Plan 2024 2025"
    assert got.publisher == "Leeds City Council" and got.notes["publisher"] == "file name"
    assert got.date == "2024"


def test_agenda_times_are_not_captions_and_a_meeting_date_in_the_title_dates_the_papers():
    text = "**Bundle Public Board Meeting 4 September 2025**\n\nAgenda\n\n09:00 - Welcome\n\n09:10 - Patient's Story\n\n" * 1
    got = infer(text + "The Trust Board met.\n" * 12 + "Leeds Community Healthcare NHS Trust\n" * 2)
    assert got.kind == "board papers" and got.date == "2025-09-04"
    assert got.title == "Bundle Public Board Meeting 4 September 2025"


def test_a_subtitle_a_date_line_and_the_organisation_the_opening_speaks_as():
    text = (
        "The future of integrated care in England\n\nHealth leaders' views on how to make system working a success\n\n"
        "Julie Das-Thompson Kerry McQuade\n\nNovember 2020\n\nAbout the NHS Confederation\n\n"
        "The NHS Confederation is the membership body for NHS organisations. NHS England and NHS England again.\n"
    )
    got = infer(text)
    assert got.title == "The future of integrated care in England: Health leaders' views on how to make system working a success"
    assert (got.publisher, got.date) == ("NHS Confederation", "2020-11")


def test_sign_off_date_at_the_end_before_the_footnotes():
    text = "ICS0011\n\nWritten evidence submitted by NHS Confederation\n\n" + "ICSs need time. " * 40
    text += "\n\nOctober 2022\n\n6\n\nFootnotes\n\n[1] NHS England, guidance, 24 December 2021.\n"
    got = infer(text)
    assert (got.title, got.date) == ("Written evidence submitted by NHS Confederation", "2022-10")


@pytest.mark.parametrize("period", ["**1 April 2024 **\n\n**to **\n\n**31 March 2025 **", "1 April 2024 to\n\n31 March 2025"])
def test_a_date_range_title_keeps_its_period_and_is_dated_by_the_signed_accounts(period):
    text = (
        f"**ANNUAL REPORT AND ACCOUNTS **\n\n{period}\n\n1\n\n"
        "**Leeds and York Partnership NHS Foundation Trust **\n\n**CONTENTS **\n\n" + "The Trust did well. " * 40
        + "\n\nDate: 19 June 2025\n"
    )
    got = infer(text)
    assert got.title == "Annual Report and Accounts 1 April 2024 to 31 March 2025"
    assert got.publisher == "Leeds and York Partnership NHS Foundation Trust"
    assert (got.date, got.kind) == ("2025-06-19", "annual report")


def test_a_document_that_says_nothing_gets_no_guess():
    got = infer("We met on a Tuesday and talked about the weather at some length, as people do.\n", filename="notes.txt")
    assert (got.title, got.publisher, got.date, got.kind) == ("notes", "", "", "")
    assert got.notes["title"] == "file name"


def test_file_properties_are_the_fallback_for_title_and_date():
    got = infer("Some words here that run on and on without any title at all, just talk about things.\n",
                file_meta={"title": "Board paper", "date": "2023-01-09"}, filename="x.pdf")
    assert (got.title, got.date) == ("Board paper", "2023-01-09")


@pytest.mark.parametrize(("text", "iso"), [
    ("3 December, 2024", "2024-12-03"), ("26th June 2025", "2025-06-26"), ("November 2020", "2020-11"),
    ("Sept 2021", "2021-09"), ("2023-01-09", "2023-01-09"), ("July 4, 2022", "2022-07-04"), ("32 June 2020", ""),
])  # fmt: skip
def test_parse_date_keeps_the_precision_given(text, iso):
    assert parse_date(text) == iso


def test_catalogue_wins_field_by_field():
    found = Inferred(title="Inferred title", publisher="NHS England", date="2024", kind="guidance")
    fields, inferred = merge({"title": "Catalogued title", "publisher": "", "url": "https://x"}, found)
    assert fields == {
        "title": "Catalogued title", "url": "https://x", "publisher": "NHS England", "date": "2024", "kind": "guidance"
    }
    assert inferred == ("publisher", "date", "kind")
    assert needs_inference({"title": "t", "publisher": "p", "date": "2020", "kind": ""})
    assert not needs_inference({"title": "t", "publisher": "p", "date": "2020", "kind": "report"})


def test_acronym_publisher_takes_the_full_name_from_the_folder_and_spellings_are_harmonised():
    found = {
        "strategy.md": Inferred(title="LCH Workforce Strategy 2021-25", acronyms=("LCH",)),
        "report.md": Inferred(title="Annual Report", publisher="Leeds Community Healthcare NHS Trust"),
        "a.md": Inferred(title="A", publisher="The Leeds Teaching Hospitals NHS Trust"),
        "b.md": Inferred(title="B", publisher="Leeds Teaching Hospitals NHS Trust"),
    }
    out = resolve_publishers(found, known=["Leeds Teaching Hospitals NHS Trust"])
    assert out["strategy.md"].publisher == "Leeds Community Healthcare NHS Trust"
    assert out["a.md"].publisher == out["b.md"].publisher == "Leeds Teaching Hospitals NHS Trust"
    ambiguous = resolve_publishers({"s.md": Inferred(acronyms=("LC",)), "x.md": Inferred(publisher="Leeds Council"),
                                  "y.md": Inferred(publisher="Lambeth Council")})
    assert ambiguous["s.md"].publisher == ""  # two bodies fit: no guess


def test_a_real_pdf_falls_back_to_its_properties_where_its_text_says_nothing(tmp_path):
    from ingest.clean import clean
    from ingest.infer import infer_file
    from ingest.load import load
    from tests.test_load import make_pdf

    body = "Integrated care boards have met and discussed the year ahead with their partners at some length. " * 3
    path = tmp_path / "board-paper.pdf"
    path.write_bytes(make_pdf([body, body], title="ICB oversight paper", author="NHS Somerset ICB"))
    loaded = load(path, max_bytes=10**7)
    got = infer_file(path, loaded.meta, clean(loaded.text).text)
    assert (got.title, got.publisher, got.date) == ("ICB oversight paper", "NHS Somerset ICB", "2022-10-03")
    assert {got.notes[f] for f in ("title", "publisher", "date")} == {"file properties"}


def test_select_committee_oral_evidence_is_titled_by_its_session_and_published_by_the_committee(tmp_path):
    """Hansard's layout: committee, "Oral evidence: <inquiry>, HC n", the meeting's day, members, witnesses, "Q12 Chair:"
    turns. The witnesses' organisation, named in every answer, is not the publisher."""
    from ingest.clean import clean
    from ingest.load import load
    from tests.test_transcript import HANSARD

    path = tmp_path / "oral evidence.txt"
    path.write_text(HANSARD + "Amanda Pritchard: NHS England and NHS England's regions will support them.\n" * 5, encoding="utf-8")
    loaded = load(path, max_bytes=10**6)
    got = infer_file(path, loaded.meta, clean(loaded.text).text)
    assert got.title == "Oral evidence: Integrated care systems: autonomy and accountability, HC 587"
    assert (got.publisher, got.date, got.kind) == ("Health and Social Care Committee", "2023-03-14", "transcript")
    assert got.notes["publisher"] == "the committee that took the oral evidence"


@pytest.mark.parametrize(
    ("opening", "title", "committee"),
    [  # the older Commons header in capitals, and the Lords' uncorrected evidence to a select committee
        ("HOUSE OF COMMONS\nORAL EVIDENCE TAKEN BEFORE THE PUBLIC ACCOUNTS COMMITTEE\nINTRODUCING INTEGRATED CARE SYSTEMS\n"
         "WEDNESDAY 7 DECEMBER 2022\n", "Oral evidence: Introducing Integrated Care Systems", "Public Accounts Committee"),
        ("Select Committee on the Integration of Primary and Community Care\nUncorrected oral evidence: Integration of primary "
         "and community care\nTuesday 7 December 2022\n10.30 am\n", "Uncorrected oral evidence: Integration of primary and community care",
         "Select Committee on the Integration of Primary and Community Care"),
    ],
)
def test_other_oral_evidence_headers(opening, title, committee):
    turns = "".join(f"Q{n} Chair: Question {n} about NHS England?\nWitness Name: NHS England answers.\n" for n in range(1, 5))
    got = infer(f"{opening}Members present: A Member (Chair).\n{turns}")
    assert (got.title, got.publisher, got.date, got.kind) == (title, committee, "2022-12-07", "transcript")


def test_a_committee_named_in_board_papers_is_not_taken_for_oral_evidence():
    got = infer("Quality and Safety Committee\n\nMinutes of the meeting held on 4 June 2024\n\nThe Trust Board noted the report.\n")
    assert got.publisher != "Quality and Safety Committee" and got.kind != "transcript"


# A board meeting's captions as tactiq.io exports them, under the recording's heading
MEETING_CAPTIONS = (
    "00:00:00.560 good morning and welcome to the integrated care board annual general meeting 2024\n"
    "00:00:04.100 we have received apologies from the director\n00:00:07.300 our first item is the chief\n"
    "00:00:09.900 executive's report and nhs england\n00:00:12.200 has published the oversight framework\n"
)


@pytest.mark.parametrize("banner", ["# tactiq.io free youtube transcript\n", ""])  # as exported, and as stored (banner dropped)
def test_a_caption_exports_heading_is_the_recordings_title_before_its_opening_words(banner):
    text = (
        f"{banner}# NHS West Yorkshire Integrated Care Board - Board meeting in public - 25 March 2025\n"
        "# https://www.youtube.com/watch/x\n\n" + MEETING_CAPTIONS
    )
    got = infer(text, filename="icb.txt")
    assert got.kind == "transcript"
    assert got.title == "NHS West Yorkshire Integrated Care Board - Board meeting in public - 25 March 2025"
    assert got.notes["title"] == "the recording's heading"
    assert (got.publisher, got.date) == ("NHS West Yorkshire Integrated Care Board", "2025-03-25")


def test_dashes_between_a_titles_parts_are_not_words_that_make_it_running_text():
    text = "NHS Oversight Framework - segmentation approach - Annex B - technical guidance - 2025/26 - version 1\n\nIntroduction\n"
    assert infer(text).title == "NHS Oversight Framework - segmentation approach - Annex B - technical guidance - 2025/26 - version 1"


@pytest.mark.parametrize("heading", [
    "# 25 March 2025", "# Tuesday 25 March 2025", "# Transcript", "# Transcript - 25 March 2025", "# Part 1 of 3", "# Jane Smith",
    "# Dr Jane Smith", "# Professor Sir Chris Whitty", "# West Yorkshire Health and Care Partnership",
])  # fmt: skip
def test_a_heading_that_names_no_recording_leaves_the_title_to_its_opening_words(heading):
    text = f"# tactiq.io free youtube transcript\n{heading}\n# https://www.youtube.com/watch/x\n\n" + MEETING_CAPTIONS
    assert infer(text, filename="x.txt").title == "Integrated Care Board Annual General Meeting 2024"


def test_an_ampersand_opening_a_line_continues_the_title():
    assert infer("Health and Wellbeing Strategy 2024 to 2029\n& Social Care Integration Plan\n\nIntro text here.").title == (
        "Health and Wellbeing Strategy 2024 to 2029 & Social Care Integration Plan"
    )


@pytest.mark.parametrize("heading", ["Transcript of the Leeds Health and Wellbeing Board", "Part 1 - Board meeting in public",
                                     "Day 2 of NHS ConfedExpo 2025", "Session 3: workforce planning and retention"])
def test_a_heading_opening_with_a_label_still_names_its_recording(heading):
    assert infer(f"# {heading}\n\n" + MEETING_CAPTIONS, filename="x.txt").title == heading
