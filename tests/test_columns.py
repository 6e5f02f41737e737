"""Two-column pages: real PDFs come out column by column; text merged line by line is recognised."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.columns import merged_column_spans, merged_columns, reading_order
from ingest.load import load
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
LEFT = (
    "The board agreed a new plan for community nursing in the autumn. Waiting times for district nurses fell by a "
    "fifth over the year. Staff reported that the new rota made shifts easier to manage."
)
RIGHT = (
    "Capital spending on the hospital estate rose to twelve million pounds. The new ward opened in March after two "
    "years of building work. Patients rated the new facilities highly in the annual survey."
)


def two_column_pdf(left: str, right: str, *, title: str = "", width: int = 40) -> bytes:
    """One A4 page: a full-width title, then two columns written line by line across the page (as layout
    programs do), so the content stream alternates between the columns."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    y = 20
    if title:
        pdf.text(15, y, title)
        y += 12
    lefts, rights = textwrap.wrap(left, width), textwrap.wrap(right, width)
    for i in range(max(len(lefts), len(rights))):
        if i < len(lefts):
            pdf.text(15, y, lefts[i])
        if i < len(rights):
            pdf.text(110, y, rights[i])
        y += 6
    return bytes(pdf.output())


def table_pdf(rows: list[tuple[str, str, str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for i, row in enumerate(rows):
        for x, cell in zip((15, 80, 150), row, strict=True):
            pdf.text(x, 20 + 6 * i, cell)
    return bytes(pdf.output())


def sentences(text: str) -> list[str]:
    return [s.strip() + "." for s in text.split(".") if s.strip()]


def test_two_column_pdf_stores_each_columns_sentences_whole(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(two_column_pdf(LEFT, RIGHT))
    stored = clean(load(path, max_bytes=MB).text).text
    for sentence in sentences(LEFT) + sentences(RIGHT):
        assert sentence in stored, sentence
    assert stored.index("manage.") < stored.index("Capital spending")


def test_plain_extraction_would_have_merged_the_columns() -> None:
    """The fixture is a real two-column page: pypdf's plain mode reads across it, line by line."""
    from pypdf import PdfReader

    plain = PdfReader(io.BytesIO(two_column_pdf(LEFT, RIGHT))).pages[0].extract_text()
    assert "The board agreed a new plan for Capital spending" in plain
    assert "Waiting times for district nurses fell by a fifth over the year." not in " ".join(plain.split())


def test_full_width_title_stays_above_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "titled.pdf"
    path.write_bytes(two_column_pdf(LEFT, RIGHT, title="Annual report of the community trust for the year 2024 to 2025 in Leeds"))
    stored = clean(load(path, max_bytes=MB).text).text
    assert stored.startswith("Annual report of the community trust")
    assert "Staff reported that the new rota made shifts easier to manage." in stored


def test_table_page_keeps_its_rows(tmp_path: Path) -> None:
    rows = [("Trust", "Beds", "Staff"), ("LTHT", "2,000", "20,000"), ("LCH", "0", "3,000"), ("LYPFT", "400", "3,500")] * 2
    path = tmp_path / "table.pdf"
    path.write_bytes(table_pdf(rows))
    lines = [" ".join(line.split()) for line in load(path, max_bytes=MB).text.splitlines() if line.strip()]
    assert "LTHT 2,000 20,000" in lines


def test_a_proportional_fonts_ragged_or_justified_column_running_into_the_gutter_is_still_split(tmp_path: Path) -> None:
    """Two 87 mm columns 6 mm apart in Helvetica, written as a layout program fills them: layout mode puts some left
    lines' last letters inside the gutter, and such a line was kept whole across both columns (5 of 14 paragraphs
    were whole before). Every paragraph is now stored whole, ragged or justified."""
    from fpdf import FPDF

    said = ["Trust leaders face sustained pressure on elective recovery and urgent care.",
            "The workforce plan has not yet been matched by funding for training places.",
            "Integrated care boards would be given more autonomy over their allocations.",
            "Social care had been left out of the planning round in most systems.",
            "Capital budgets were cut to fund day-to-day spending in several systems.",
            "The oversight framework was complex and would be simplified next year."]  # fmt: skip
    paragraphs = [f"{n}. " + " ".join(said[(n + k) % 6] for k in range(2 + n % 4)) for n in range(1, 15)]
    for align in ("L", "J"):
        pdf = FPDF(format="A4")
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        column, y = 0, 20
        for paragraph in paragraphs:
            for line in pdf.multi_cell(87, 5, paragraph, dry_run=True, output="LINES"):
                if y > 275:
                    column, y = column + 1, 20
                pdf.set_xy(10 + column * 93, y)
                pdf.multi_cell(87, 5, line, align=align)
                y += 5
            y += 4
        path = tmp_path / f"columns-{align}.pdf"
        path.write_bytes(bytes(pdf.output()))
        stored = " ".join(clean(load(path, max_bytes=MB).text).text.split())
        assert [p for p in paragraphs if p not in stored] == [], align


def test_a_heading_between_two_stretches_of_columns_stays_between_them() -> None:
    """A full-width heading set apart by blank lines, ending inside the gutter, is not taken for a left column's
    line: the upper stretch's right column is read before it, the lower stretch after."""
    upper = [f"{f'Left upper line {i} of the first column':<44}Right upper {i} of column two" for i in range(5)]
    lower = [f"{f'Left lower line {i} of the first column':<44}Right lower {i} of column two" for i in range(5)]
    read = reading_order("\n".join([*upper, "", "3. Findings on elective and urgent care", "", *lower])).split("\n")
    heading = read.index("3. Findings on elective and urgent care")
    assert all("upper" in line for line in read[:heading] if line) and all("lower" in line for line in read[heading + 1 :] if line)


def test_single_column_layout_text_is_unchanged() -> None:
    page = "\n".join(textwrap.wrap(LEFT + " " + RIGHT, 90))
    assert reading_order(page) == page


# --- text merged line by line (eval/dev-corpus) ---------------------------------------------------

# LTHT-Annual-Report-2024-25-FINAL.md, the Chair and Chief Executive's statement
LTHT = """Welcome to the Annual Report for Leeds
We have commissioned an independent
Teaching Hospitals NHS Trust, looking back at
external review to complement NHS England’s
our financial year 2024/25.
Peer Quality Review of our neonatal services,
so that we can better understand the data
This past year has been one of remarkable
on neonatal outcomes. The Maternity and
innovation and resilience for our teams as
Neonatal Improvement Programme Board, led
we have navigated financial and operational
by an independent chair, has been established
challenges while continuing to deliver
to bring together input from families and staff,
exceptional care to our patients and the
and will build upon the CQC’s recommended
communities we serve.
changes, with the aim that every patient
We are immensely proud of the hard work""".splitlines()

# leeds health wellbeing strategy 2023-2030.md, the foreword
WELLBEING = """carers, housing, employment and mental health.
improvements immediately, but we believe that by
education, academia, and organisations
People also want to see care that is communicated
working together, we can deliver stronger, more
championing the voices of our communities, such
well, coordinated and compassionate. We will
equal services.
as Healthwatch Leeds.
do this through collaborative working and bold
leadership, learning from the experiences of the
We remain absolutely committed to achieving our""".splitlines()

# Leeds Community Annual-report-2024-2025.md: one narrow column, in order
ONE_COLUMN = """The annual NHS Staff Survey invites
everyone working in the NHS to give their
views on working life. It is completely
independent, and we encourage colleagues
to use this important feedback tool.
We are proud to say we achieved another
high response rate of 60%. We have
consistently achieved high response
rates over the last four years. Comparing
response rates over the last few years""".splitlines()

# LCH-Trust-Board-Meeting-Public-Papers-4-09-2025-AMENDED _1_.md: one column, in order
BOARD = """This year NHS England requires all Boards to understand
their organisation’s Winter Plan and submit a Board
Assurance Statement by 30 September 2025. The timing of
the Board meeting means that not all aspects of the Board
Assurance checklist can be assured and further sign off will
be required towards the end of the month.""".splitlines()


@pytest.mark.parametrize("lines", [LTHT, WELLBEING], ids=["LTHT", "wellbeing"])
def test_real_merged_columns_are_recognised(lines: list[str]) -> None:
    assert merged_columns(lines)
    assert merged_columns([line for pair in zip(lines, [""] * len(lines), strict=True) for line in pair])  # blank lines between


@pytest.mark.parametrize("lines", [ONE_COLUMN, BOARD, LTHT[:4]], ids=["one-column", "board", "too-short"])
def test_text_in_reading_order_is_not_flagged(lines: list[str]) -> None:
    assert not merged_columns(lines)


def test_spans_cover_the_merged_lines_only() -> None:
    text = (
        "# Statement\n\n"
        + "\n\n".join(LTHT)
        + "\n\n"
        + "A long single-column paragraph follows here, " * 4
        + "\n\n"
        + "\n\n".join(ONE_COLUMN)
    )
    spans = merged_column_spans(text)
    assert spans == [(text.index(LTHT[0]), text.index(LTHT[-1]) + len(LTHT[-1]))]


def test_clean_does_not_glue_merged_column_lines_into_sentences() -> None:
    stored = clean("\n\n".join(LTHT)).text
    assert "looking back at external review" not in stored  # rejoining would make one sentence of two columns
    assert "Teaching Hospitals NHS Trust, looking back at\n\nexternal review" in stored
    assert "fell by\n\na fifth" not in clean("Waiting times fell by\n\na fifth this year.").text  # elsewhere lines still join


def test_dev_corpus_annual_report_has_merged_spans_and_seeds_have_none() -> None:
    path = ROOT / "eval" / "dev-corpus" / "LTHT-Annual-Report-2024-25-FINAL.md"
    if not path.exists():
        pytest.skip("dev corpus not available")
    stored = clean(load(path, max_bytes=10 * MB).text).text
    start = stored.index("Welcome to the Annual Report for Leeds")
    assert any(s <= start < e for s, e in merged_column_spans(stored))
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        assert merged_column_spans(seed.read_text(encoding="utf-8")) == [], seed.name


def test_merged_column_lines_are_quoted_only_as_fragments_of_one_column() -> None:
    """The answer layer's one segmenter makes each line of a merged run that holds one column's text a fragment: it
    is evidence if long enough, whether or not it ends a sentence. A sentence that crosses lines, or a line glued from
    both columns (longer than half a page's line), is never evidence; prose is evidence as before."""
    from assistant.cite import MIN_SENTENCE_WORDS, split_sentences
    from ingest.columns import column_lines

    prose = (  # a full-width paragraph: longer than any column's line
        "The board approved the plan in March after a long discussion of the risks. "
        "It will report to the ICB every quarter on the progress made against each of the milestones."
    )
    glued = "We have commissioned an independent Teaching Hospitals NHS Trust, looking back at"  # both columns on one line
    lines = [*LTHT[:6], glued, *LTHT[6:]]
    text = prose + "\n\n" + clean("\n\n".join(lines)).text + "\n\n" + prose
    sentences = split_sentences("d", text)
    merged = merged_column_spans(text)
    inside = [s for s in sentences if any(a < s.end and s.start < b for a, b in merged)]
    one_column = column_lines(text)
    assert len(one_column) == len(LTHT) and all(text[a:b] in LTHT for a, b in one_column)  # not the glued line
    fragments = [s for s in inside if s.fragment]
    assert all(any(a <= s.start and s.end <= b for a, b in one_column) for s in fragments)
    assert {s.text for s in fragments} >= {"Welcome to the Annual Report for Leeds", "Peer Quality Review of our neonatal services,"}
    assert next(s for s in inside if s.text == glued).heading
    assert next(s for s in inside if s.text == "our financial year 2024/25.").heading  # fewer than MIN_SENTENCE_WORDS
    assert all(len(s.text.split()) >= MIN_SENTENCE_WORDS for s in fragments)
    evidence = [s.text for s in sentences if not s.heading and not s.fragment]
    assert evidence == [
        "The board approved the plan in March after a long discussion of the risks.",
        "It will report to the ICB every quarter on the progress made against each of the milestones.",
    ] * 2
    assert not any(s.fragment for s in split_sentences("d", prose + "\n\n" + "\n\n".join(ONE_COLUMN)))


# Defining the integrated neighbourhood.md (BMC Public Health): two columns merged into long lines; "commis-" is
# finished eight words later ("sioning"), after the other column's half-line
BMC_LONG_LINES = (
    "For Policymakers, Commissioners, and Integrated Care The framework may provide a benchmark for evaluating "
    "Boards (ICBs)—the framework gives clarity in commis-INs, informing both future research and the develop-\n\n"
    "sioning INs in a way that is understood by all providers ment of national and international healthcare strategies."
)
# one column, hyphens as one column has them: compounds, a suspended hyphen ("short- and long-term"), breaks
# finished at once, as raw text has them before lines are rejoined, two of them within a few words
ONE_COLUMN_HYPHENS = [
    "The framework gives clarity in commissioning INs in a way that is understood by all providers. "
    "Its short- and long-term aims need well-being measures and the develop- ment of national strategies. "
    "Person-centred care is com- munity care.",
    "The com-\nmunity nurses and the com-\nmunity matrons work together.",
    "The com-\nmunity team reported to the com-\nmittee in March.",
    "The inter-\nvention reduced falls; the pre-\nvention work continues next year.",
    "Our long-term plan is agreed by the board. The long-term board met on Tuesday and agreed the plan in full itude.",
    "Our long\u2010term plan is agreed by the board. The long\u2010term board met on Tuesday and agreed the plan in full itude.",
]


def test_broken_words_mark_columns_merged_into_long_lines() -> None:
    from assistant.cite import split_sentences
    from ingest.columns import broken_word_spans

    assert broken_word_spans(BMC_LONG_LINES) == [(0, len(BMC_LONG_LINES))]  # from "commis-" to "sioning"'s line end
    assert merged_column_spans(BMC_LONG_LINES) == [(0, len(BMC_LONG_LINES))]
    assert all(s.heading for s in split_sentences("d", BMC_LONG_LINES))  # never quoted
    second = BMC_LONG_LINES.index("\n\nsioning")
    assert broken_word_spans(BMC_LONG_LINES[:second]) == []  # its second half gone, nothing marks it
    glued = "Across the models there was an emphasis on com-identifying the needs of the munity and its resources."
    assert broken_word_spans(glued) == [(0, len(glued))]  # first half glued to the next word, second half 7 words on
    unicode = "Work of the com\u2010\nteam and (munity groups."
    assert broken_word_spans(unicode) == [(0, len(unicode))]  # a Unicode hyphen; "(munity"


@pytest.mark.parametrize("text", ONE_COLUMN_HYPHENS, ids=["compounds", "two-breaks", "two-words", "two-prefixes", "compound-twice", "unicode-compound-twice"])
def test_one_columns_hyphens_mark_nothing(text: str) -> None:
    from assistant.cite import split_sentences
    from ingest.columns import broken_word_spans

    assert broken_word_spans(text) == []
    assert merged_column_spans(text) == []
    if "\n" in text:
        assert "com-\nmunity" not in clean(text).text  # cleaning rejoins the break
    else:
        assert not any(s.heading for s in split_sentences("d", text))


def test_broken_words_mark_the_dev_corpus_papers_only() -> None:
    """The rule fires in the two journal papers printed in two columns, and nowhere in the other 16 documents or the
    seeds; what it marks in the papers is merged (a sample read by hand: eval/README round eleven)."""
    from ingest.columns import broken_word_spans

    folder = ROOT / "eval" / "dev-corpus"
    if not folder.exists():
        pytest.skip("dev corpus not available")
    papers = {"Defining the integrated neighbourhood.md", "Improving equitable healthcare resource use.md"}
    for path in [*sorted(folder.glob("*.md")), *sorted(folder.glob("*.txt")), *sorted((ROOT / "corpus").glob("*.txt"))]:
        found = broken_word_spans(clean(load(path, max_bytes=10 * MB).text).text)
        assert bool(found) == (path.name in papers), path.name
    stored = clean(load(folder / "Defining the integrated neighbourhood.md", max_bytes=10 * MB).text).text
    at = stored.index("gives clarity in commis-INs")
    assert any(s <= at < e for s, e in merged_column_spans(stored))


def test_a_line_ending_in_a_colon_inside_merged_columns_introduces_no_list() -> None:
    """LTHT: "Last year we had too many visitors to" / "new Innovation Village in Leeds." / "mention individually, but
    they included:" - the colon line is half of a merged run, so an answer quoting the list below must not quote it
    as the list's lead-in (it may be quoted as a fragment of its column)."""
    from assistant.cite import split_sentences

    text = "\n\n".join(LTHT) + "\n\nmention individually, but they included:\n\n- Wes Streeting MP, Secretary of State."
    sentences = split_sentences("d", text)
    colon = next(s for s in sentences if s.text.endswith("included:"))
    assert merged_column_spans(text) and colon.fragment and not colon.lead_in  # a fragment of one column, no lead-in
    assert not split_sentences("d", "Our survey of the boards found three things:\n\n- boards are accountable.")[0].heading
    assert split_sentences("d", "Our survey of the boards found three things:\n\n- boards are accountable.")[0].lead_in


# LTHT-Annual-Report-2024-25-FINAL.md, Operating and Financial Review, as found: two columns merged line by line (too
# few lines to be judged merged alone: 2 of 14 junctions are impossible; after LTHT's lines, as one run, it is)
LTHT_ECS = """The 2024/25 Priorities and Operational
ranked 96th of 119 Trusts.
Planning Guidance required ECS to be
delivered at 78% by March 2025. ECS delivery
Eliminating long waits is extremely challenging,
for March 2025 was 79.3% at LTHT. For the
particularly recognising the difficulties with
same time last year ECS delivery was at 76.8%.
dating all patients breaching each month
The Trust was also able to demonstrate an
in our most challenged specialties. This has
improving position when compared to the
been noted at LTHT prior to the pandemic
England national average for March 2025
in areas such as neurosciences when trying""".splitlines()


def test_an_answer_quotes_one_columns_line_as_a_fragment(tmp_path: Path, embedder) -> None:
    """A real index (the packaged model) of a report whose columns were merged line by line: the figure asked for is
    on a line of one column, quoted as a fragment ("…" before it) whose span is the stored text, and nothing quoted
    joins two lines. (Where a column goes on is not shown: the lines alternate between the columns only until one
    column has a paragraph break, as in this very excerpt, where "to be" goes on at the next line, not two down.)"""
    from assistant.cite import split_sentences
    from assistant.engine import Assistant
    from assistant.index import Index
    from ingest.pipeline import Ingestor

    folder = tmp_path / "docs"
    folder.mkdir()
    prose = (
        "The Trust serves the people of Leeds from seven hospitals on five sites. Our staff delivered more elective "
        "operations this year than last, and waiting lists for planned care fell for the second year in a row."
    )
    (folder / "report.md").write_text(
        "# Annual report\n\n" + prose + "\n\n## Statements\n\n" + "\n\n".join(LTHT + LTHT_ECS) + "\n", encoding="utf-8"
    )
    settings = make_settings(tmp_path / "data")
    assert Ingestor(settings, embedder=embedder, progress=False).run([folder]).ok
    assistant = Assistant(settings, index=Index(settings, embedder=embedder))
    answer = assistant.ask("What was ECS delivery at LTHT for March 2025?")
    assert not answer.abstained
    stored = assistant.index.text(answer.citations[0].source)
    assert all(stored[c.start : c.end] == c.quote for c in answer.citations)
    assert "…for March 2025 was 79.3% at LTHT." in answer.answer
    marked = {(s.start, s.end) for s in split_sentences(answer.citations[0].doc_id, stored) if s.fragment}
    assert all(c.fragment == ((c.start, c.end) in marked) for c in answer.citations)
    fragments = [c for c in answer.citations if c.fragment]
    assert fragments and all(c.shown.startswith("…") and c.shown in answer.answer for c in fragments)
    assert any(c.quote == "for March 2025 was 79.3% at LTHT." for c in fragments)
    assert all(c.to_json()["fragment"] for c in fragments)
    retriever, bank = assistant._ready()
    doc = next(iter(retriever.documents().values()))
    figure = next(s for s in bank.sentences(doc) if s.text == "for March 2025 was 79.3% at LTHT.")
    assert {s.block for s in bank.neighbours(figure, doc)} == {figure.block}  # the lines beside it are the other column's


def test_nothing_is_added_after_a_fragment_though_it_announces_a_list() -> None:
    """What follows a fragment is the other column's line, or a list whose lead-in may be the other column's."""
    from assistant.cite import split_sentences
    from assistant.composing import _run_after

    text = "\n\n".join(LTHT) + "\n\nmention individually, but they included:\n\n- Wes Streeting MP, Secretary of State.\n\n- Two more visitors came."
    sentences = split_sentences("d", text)
    colon = next(i for i, s in enumerate(sentences) if s.text.endswith("included:"))
    assert sentences[colon].fragment and _run_after(sentences, colon) == []
    items = ["boards are accountable to the regional team.", "trusts agree with the new approach to oversight."]
    plain = split_sentences("d", "Our survey of the boards found two things:\n\n- " + "\n\n- ".join(items))
    assert [s.text for s in _run_after(plain, 0)] == items  # a lead-in that is no fragment announces its list


def test_a_fragment_reads_as_one() -> None:
    from assistant.types import as_fragment

    assert as_fragment("was placed in tier one escalation by NHS") == "…was placed in tier one escalation by NHS…"
    assert as_fragment("England for elective activity in November") == "…England for elective activity in November…"
    assert as_fragment("for March 2025 was 79.3% at LTHT.") == "…for March 2025 was 79.3% at LTHT."
    assert as_fragment("we said it was “done.”") == "…we said it was “done.”"


def test_a_run_with_one_impossible_junction_is_merged_where_the_document_merges_columns_elsewhere() -> None:
    """LTHT's ECS lines show 2 impossible junctions in 14, too few to be judged merged on their own; in a document
    where another run is judged merged (its extractor merges columns), one is enough. A run with none (one narrow
    column, in order) stays unmarked there, and nothing changes in a document with no merged run."""
    prose = "A long single-column paragraph follows here, and it is wider than any column of a two-column page. " * 2
    alone = prose + "\n\n" + "\n\n".join(LTHT_ECS) + "\n\n" + prose
    assert not merged_columns(LTHT_ECS) and merged_columns(LTHT_ECS, merges_elsewhere=True)
    assert merged_column_spans(alone) == []
    text = "\n\n".join(LTHT) + "\n\n" + alone + "\n\n" + "\n\n".join(ONE_COLUMN)
    ecs = (text.index(LTHT_ECS[0]), text.index(LTHT_ECS[-1]) + len(LTHT_ECS[-1]))
    assert merged_column_spans(text) == [(0, text.index(LTHT[-1]) + len(LTHT[-1])), ecs]  # not ONE_COLUMN
    assert not merged_columns(ONE_COLUMN, merges_elsewhere=True)


@pytest.mark.parametrize(
    ("line", "following", "impossible"),
    [
        ("Waiting lists fell this year.", "the board noted the fall", True),
        ("teams such as district nursing, e.g.", "community matrons and therapists", False),  # an abbreviation's stop
        ("see the full report online at", "www.leedsth.nhs.uk/report", False),
        ("The report is online.", "www.leedsth.nhs.uk/report", False),  # an address may start in lower case
        ("and was reported to the", "We have commissioned an independent", True),
    ],
)
def test_impossible_junctions(line: str, following: str, impossible: bool) -> None:
    from ingest.columns import impossible_junction

    assert impossible_junction(line, following) is impossible


def test_a_heading_or_list_items_junction_marks_no_run_even_where_columns_merge() -> None:
    """With merges_elsewhere, one junction counts only after a line of the column's width: "Our values:" and "Be kind"
    are short lines of one column, and a lower-case or common-word start after them is no mark of merged columns.
    The merged run may come last: what marks a document is any run of it."""
    values = [
        "Our values guide how we work with patients, carers and",
        "each other across every one of our services in Leeds.",
        "Be kind",
        "We listen to the people who use our services and act on",
        "what they tell us, working with partners across the city",
        "to improve health and reduce inequalities for everyone.",
    ]
    assert [impossible_junction_at(values, i) for i in range(len(values) - 1)] == [False, False, True, False, False]
    assert not merged_columns(values, merges_elsewhere=True)
    prose = "A long single-column paragraph follows here, and it is wider than any column of a two-column page. " * 2
    text = "\n\n".join(values) + "\n\n" + prose + "\n\n" + "\n\n".join(LTHT_ECS) + "\n\n" + prose + "\n\n" + "\n\n".join(LTHT)
    ecs = (text.index(LTHT_ECS[0]), text.index(LTHT_ECS[-1]) + len(LTHT_ECS[-1]))
    assert merged_column_spans(text) == [ecs, (text.index(LTHT[0]), len(text))]  # the merged run last; values unmarked


def impossible_junction_at(lines: list[str], i: int) -> bool:
    from ingest.columns import impossible_junction

    return impossible_junction(lines[i], lines[i + 1])


def test_clean_joins_no_line_to_a_merged_runs_last_line() -> None:
    """A run's edge is protected too: the full-width line after its last line may start in lower case (a page's next
    line, or the other column's) and would otherwise be glued to the run's last line ("... the hard work setting")."""
    after = (
        "setting out our plans for the coming year in full, with the priorities agreed by the board and the council "
        "of governors after a long consultation."
    )
    raw = "\n\n".join(LTHT) + "\n\n" + after
    assert merged_column_spans(raw) == [(0, len(raw) - len(after) - 2)]
    assert LTHT[-1] + "\n\n" + after in clean(raw).text
    assert "hard work\n\nsetting" not in clean("We thank staff for all their hard work\n\n" + after).text  # elsewhere lines join
