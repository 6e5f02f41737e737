"""Numbered paragraphs as locators (ingest/paragraphs.py): "p. 4, para 12" beside a quote. A wrong "para N" is worse
than none, so most of these tests are about what is not located, and where a span must end."""

from __future__ import annotations

import time

from assistant.types import Citation, PageSpan, place
from ingest.paragraphs import MAX_GAP, paragraph_locators

WORDS = "integrated care boards differ widely in how they are held to account by NHS England."

SUBMISSION = """# Written evidence from NHS Providers

Contents

1.1 Summary .................... 2

1. Trust leaders support the permissive national policy framework that underpins integrated care systems.
2. However, the Act has arguably created a more complex landscape across health and social care services.

12 NHS Providers, Regulation survey 2022, p. 4.

3. Trust leaders are also concerned that national bodies keep the flexibility of the operating framework.
  - Firstly, the national bodies need to be comfortable with subsidiarity.

- Secondly, there needs to be a balance between short- and longer-term priorities.

Such flexibility matters, they told us, because local systems differ widely in their maturity.

# Oversight

4.2 What does NHS England say about rising productivity since 2022?

31 March 2025 is the date by which every ICB must publish its joint forward plan for the next five years.

4. In a taxpayer funded health system, trust leaders recognise the role of national priorities in oversight.

1. Yes

LTHT | 120,000 | 98,500 | 82% of the total for the year
"""


def labels(text: str, pages: tuple[PageSpan, ...] = ()) -> dict[str, str]:
    return {x.label: text[x.start : x.end] for x in paragraph_locators(text, pages)}


def test_numbered_paragraphs_become_locators_and_nothing_else_does() -> None:
    """Paragraphs 1-4 are located, each to the end of its own paragraph: paragraph 3 keeps its bullets, not the
    unnumbered paragraph after them. A contents line, a footnote's "12", a numbered question heading, a date, a short
    "1. Yes" and a table's row are not paragraphs."""
    spans = labels(SUBMISSION)
    assert list(spans) == ["para 1", "para 2", "para 3", "para 4"]
    assert spans["para 1"] == "1. Trust leaders support the permissive national policy framework that underpins integrated care systems."
    assert spans["para 3"].startswith("3. Trust leaders are also") and spans["para 3"].endswith("short- and longer-term priorities.")
    assert "Such flexibility" not in spans["para 3"]
    assert spans["para 4"].endswith("national priorities in oversight.")


def test_a_rejected_numbered_line_ends_the_paragraph_before_it_and_keeps_the_numbering() -> None:
    """A numbered heading ("5. What next?") is not located, but it ends paragraph 4 and the numbering goes on past
    it; a Commons recommendation ending "(Paragraph 23)" is a paragraph."""
    text = "\n\n".join(
        [f"{n}. The committee heard that {WORDS}" for n in (1, 2, 3, 4)]
        + ["5. What next?", "The committee then heard from the regulators about the joint forward plans."]
        + [f"6. We recommend that {WORDS} (Paragraph 23)"]
    )
    spans = labels(text)
    assert list(spans) == ["para 1", "para 2", "para 3", "para 4", "para 6"]
    assert spans["para 4"] == f"4. The committee heard that {WORDS}"
    assert spans["para 6"].endswith("(Paragraph 23)")


def test_a_paragraph_without_headings_ends_at_its_own_end_and_crosses_a_page_only_mid_sentence() -> None:
    """A PDF's last numbered paragraph does not run over the annex after it; a paragraph carried over a page's end in
    lower case keeps its second half, and one of a line of a merged column (lower case after a blank line) does not."""
    page1 = f"1. The committee heard that {WORDS}\n\n2. The committee heard that {WORDS}\n\n3. The committee heard that the boards"
    page2 = f"are held to account by NHS England.\n\n4. The committee heard that {WORDS}\n\nAnnex A: list of witnesses.\n\nNHS England, NHS Providers."
    text = f"{page1}\n\n{page2}"
    pages = (PageSpan(0, len(page1) + 2, 1), PageSpan(len(page1) + 2, len(text), 2))
    spans = labels(text, pages)
    assert spans["para 3"].endswith("the boards\n\nare held to account by NHS England.")
    assert spans["para 4"] == f"4. The committee heard that {WORDS}"
    merged = text.replace("3. The committee heard that the boards\n\nare held", "3. The committee heard that the boards\n\nis carried by the Deputy Chair and held")
    assert "para 3" not in labels(merged) and "para 4" in labels(merged)  # not carried over: a fragment, not located


def test_a_list_inside_a_paragraph_is_part_of_it_and_not_located() -> None:
    """'14. We recommend:' followed by its list 1-3 is one paragraph, and the list's items are not paragraphs 1-3;
    a list introduced by a colon with no numbering around it is not located at all."""
    text = "\n\n".join(
        [f"{n}. The committee heard that {WORDS}" for n in (12, 13)]
        + ["14. We recommend that NHS England, within six months, does the following things:"]
        + [f"{n}. It should publish how {WORDS}" for n in (1, 2, 3)]
        + [f"15. The committee heard that {WORDS}"]
    )
    spans = labels(text)
    assert list(spans) == ["para 12", "para 13", "para 14", "para 15"]
    assert spans["para 14"].startswith("14. We recommend") and spans["para 14"].endswith(f"3. It should publish how {WORDS}")
    listed = "\n\n".join(["Trust leaders made the following points:"] + [f"{n}. They said that {WORDS}" for n in (1, 2, 3, 4)])
    assert paragraph_locators(listed) == ()


def test_numbering_must_count_on_nearby_and_multi_level_numbers_follow_each_other() -> None:
    text = "\n\n".join(
        f"{n} The committee heard that {WORDS}" for n in ("1.1", "1.2", "2.", "2.1", "2.1.1", "3", "3.1", "17.", "5.")
    )  # fmt: skip  ("3" with no full stop: a footnote's number as often, never a paragraph's; the run goes on to 3.1)
    assert list(labels(text)) == ["para 1.1", "para 1.2", "para 2", "para 2.1", "para 2.1.1", "para 3.1"]
    two = f"1. Trust leaders support {WORDS}\n\n2. Trust leaders worry that {WORDS}"
    assert paragraph_locators(two) == ()  # two numbered paragraphs are a list, not how the document is cited
    far = "\n\n".join([f"1. They said {WORDS}", f"2. They said {WORDS}", "x" * MAX_GAP, f"3. They said {WORDS}"])
    assert paragraph_locators(far) == ()  # a run does not chain across numbers far apart
    late = "\n\n".join(f"{n}. The committee heard that {WORDS}" for n in (998, 999, 1000, 1001))
    assert list(labels(late)) == ["para 998", "para 999", "para 1000", "para 1001"]
    years = "\n\n".join(f"{n}. The committee heard that {WORDS}" for n in (2023, 2024, 2025))
    assert paragraph_locators(years) == ()  # four digits continue a numbering and open none


def test_numbers_seen_twice_and_reference_lists_are_not_located() -> None:
    """A board pack whose papers each number from 1.1 leaves "para 1.1" ambiguous: such numbers are not located. A
    numbered reference list is not paragraphs."""
    paper = "\n\n".join(f"1.{n} The paper tells the Board that {WORDS}" for n in (1, 2, 3))
    extra = "\n\n".join(f"2.{n} The second section tells the Board that {WORDS}" for n in (1, 2, 3))
    assert list(labels(f"{paper}\n\n{extra}\n\n# Second paper\n\n{paper}")) == ["para 2.1", "para 2.2", "para 2.3"]
    references = "\n\n".join(
        [
            "23. South J, Southby K, Freeman C. Community-centred approaches for health. London: PHE; 2018.",
            "24. Local Government Association. A glass half-full: 10 years on review. 2020. https://www.local.gov.uk/",
            "25. Goddard M, Smith P. Integrated care systems and equity: prospects and plans. J Integr Care. 2023.",
        ]
    )
    assert paragraph_locators(references) == ()


PROSE = "The committee took evidence from trusts, integrated care boards and national bodies over six months. " * 3


def test_a_numbered_list_in_a_document_that_does_not_number_its_paragraphs_is_not_located() -> None:
    """A report's three numbered recommendations under a heading, with no colon before them, in a document whose
    paragraphs are not numbered: they hold too little of its text (MIN_SHARE) to be how it is cited."""
    text = "\n\n".join(
        [f"# Summary\n\n{PROSE}", PROSE, PROSE, "# Our recommendations"]
        + [f"{n}. The Government should set out how {WORDS}" for n in (1, 2, 3)]
        + [f"# Conclusion\n\n{PROSE}", PROSE, PROSE]
    )
    assert paragraph_locators(text) == ()


def test_notes_and_references_under_their_heading_are_not_paragraphs() -> None:
    """A .docx's footnotes stored after "Footnotes" (ingest.load), and a reference list of organisations as authors
    under "# References", are not located, and the paragraphs keep their numbers (not used twice)."""
    paragraphs = [f"{n}. Trust leaders told us that {WORDS}" for n in range(1, 5)]
    notes = [f"{k}. NHS Providers, Regulation survey 2022, published in March with the results for every trust." for k in range(1, 7)]
    text = "\n\n".join([*paragraphs, "Footnotes", *notes])
    assert list(labels(text)) == ["para 1", "para 2", "para 3", "para 4"]
    references = [
        "1. NHS England. Integrated care boards: operating framework for 2022/23. London: NHS England; 2022.",
        "2. Department of Health and Social Care. Health and Care Act 2022: explanatory notes. London: DHSC; 2022.",
        "3. The King's Fund. Integrated care systems explained: making sense of systems, places and neighbourhoods. 2022.",
    ]
    assert list(labels("\n\n".join([*paragraphs, "## References", *references]))) == ["para 1", "para 2", "para 3", "para 4"]


def test_a_list_inside_an_early_paragraph_or_ending_a_section_does_not_take_the_paragraphs_numbers() -> None:
    """A list 1-3 inside paragraph 2 does not break the paragraphs' numbering (paragraph 3 after it is the
    paragraphs', not the list's); a board paper's section 1.3 ending with a list, then "# 2. Background", keeps the
    list in 1.3."""
    text = "\n\n".join(
        [f"{n}. Trust leaders told us that {WORDS}" for n in (1,)]
        + ["2. We recommend that NHS England does the following within six months."]
        + [f"{n}. It should publish how {WORDS}" for n in (1, 2, 3)]
        + [f"{n}. Trust leaders told us that {WORDS}" for n in (3, 4, 5)]
    )
    spans = labels(text)
    assert list(spans) == ["para 1", "para 2", "para 3", "para 4", "para 5"]
    assert spans["para 2"].endswith(f"3. It should publish how {WORDS}")
    assert spans["para 3"] == f"3. Trust leaders told us that {WORDS}"
    paper = "\n\n".join(
        ["# 1. Introduction"]
        + [f"1.{n} The paper tells the Board that {WORDS}" for n in (1, 2)]
        + ["1.3 The Board is asked to note three things."]
        + [f"{n}. That the {WORDS}" for n in (1, 2, 3)]
        + ["# 2. Background"]
        + [f"2.{n} The paper tells the Board that {WORDS}" for n in (1, 2, 3)]
    )
    spans = labels(paper)
    assert list(spans) == ["para 1.1", "para 1.2", "para 1.3", "para 2.1", "para 2.2", "para 2.3"]
    assert spans["para 1.3"].endswith(f"3. That the {WORDS}")


def test_paragraphs_a_single_line_apart_end_at_their_own_end() -> None:
    """Text with no blank lines (a PDF without paragraph spacing): a numbered line the pattern does not take as a
    paragraph ("4. 42 ICBs ...", "4. eRS ...") still ends the one before it, and neither an annex nor an unnumbered
    paragraph after a finished sentence falls into the last paragraph; a wrapped line and an indented list do."""
    for fourth in ("4. 42 ICBs were established on 1 July 2022 and each is accountable to NHS England.", "4. eRS, the e-Referral Service, is run nationally."):
        text = "\n".join([f"{n}. Trust leaders told us that {WORDS}" for n in (1, 2)] + [f"3. Trust leaders told us that {WORDS}", fourth, f"5. Trust leaders told us that {WORDS}"])
        assert labels(text)["para 3"] == f"3. Trust leaders told us that {WORDS}"
    wrapped = "3. Trust leaders told us that integrated care boards differ widely in how\nthey are held to account by NHS England.\n  - by quarterly reviews;\n  - by annual assessments."
    text = "\n".join([f"{n}. Trust leaders told us that {WORDS}" for n in (1, 2)] + [wrapped, "Annex A: Witnesses", "Sir Jim Mackey, Chief Executive, NHS England."])
    assert labels(text)["para 3"] == wrapped


def test_a_list_as_long_as_its_paragraphs_number_does_not_take_the_next_paragraph() -> None:
    """The second review's case: a list 1-4 inside paragraph 4, then paragraph 5. Nobody can tell from the numbers
    whose "5." it is, so the list ends there, inside paragraph 4, and the paragraphs are located; with the list
    introduced by ":", and in a board paper whose section 2.4 ends with a list of two before 3.1, too."""
    for intro in ("4. We recommend that NHS England does four things within six months.", "4. We recommend that NHS England does four things:"):
        text = "\n\n".join(
            [f"{n}. Trust leaders told us that {WORDS}" for n in (1, 2, 3)]
            + [intro]
            + [f"{n}. It should publish how {WORDS}" for n in (1, 2, 3, 4)]
            + [f"{n}. Trust leaders told us that {WORDS}" for n in range(5, 41)]
        )
        spans = labels(text)
        assert list(spans) == [f"para {n}" for n in range(1, 41)]
        assert spans["para 4"].startswith(intro) and spans["para 4"].endswith(f"4. It should publish how {WORDS}")
    paper = "\n\n".join(
        [f"{s}.{n} The paper tells the Board that {WORDS}" for s in (1, 2) for n in (1, 2, 3)]
        + ["2.4 The Board is asked to note the following points."]
        + [f"{n}. That the {WORDS}" for n in (1, 2)]
        + [f"3.{n} The paper tells the Board that {WORDS}" for n in (1, 2, 3)]
    )
    spans = labels(paper)
    assert list(spans) == ["para 1.1", "para 1.2", "para 1.3", "para 2.1", "para 2.2", "para 2.3", "para 2.4", "para 3.1", "para 3.2", "para 3.3"]
    assert spans["para 2.4"].endswith(f"2. That the {WORDS}")


def test_notes_and_references_run_to_the_next_heading_whatever_their_first_entry() -> None:
    """Everything after "Footnotes" (or "9. References", "Annex B – References", "Notes and references") up to the
    next heading is notes, however its first entry opens ("1. https://...", "All web pages accessed ...")."""
    paragraphs = [f"{n}. Trust leaders told us that {WORDS}" for n in range(1, 9)]
    notes = [f"{k}. NHS Providers, Regulation survey 2022, published in March with the results for every trust." for k in range(2, 13)]
    for heading, first in (("Footnotes", "1. https://www.nhsproviders.org/regulation-survey"), ("9. References", "1. ibid."),
                           ("Annex B – References", "All web pages accessed in January 2025."), ("## Notes and references", "1. www.england.nhs.uk")):
        text = "\n\n".join([*paragraphs, heading, first, *notes])
        assert list(labels(text)) == [f"para {n}" for n in range(1, 9)], heading


def test_a_commons_paragraph_ends_at_its_reference_and_a_finished_page_carries_nothing_over() -> None:
    """A paragraph ending in its evidence's question number, "(Q25)", ends at it in text with no blank lines; a
    page opening in lower case after a finished paragraph is not carried into it."""
    text = "\n".join([f"{n}. Witnesses told us that {WORDS[:-1]} (Q{n + 20})" for n in range(1, 6)]
                     + ["Formal minutes", "Tuesday 14 January 2025", "Members present", "Paul Bristow, in the Chair"])
    assert labels(text)["para 5"].endswith("(Q25)")
    page1 = "\n\n".join(f"{n}. The committee heard that {WORDS}" for n in (1, 2, 3))
    page2 = "eRS performance data, published monthly, shows referrals rising."
    text = f"{page1}\n\n{page2}"
    pages = (PageSpan(0, len(page1) + 2, 1), PageSpan(len(page1) + 2, len(text), 2))
    assert labels(text, pages)["para 3"] == f"3. The committee heard that {WORDS}"


def test_a_commons_reports_conclusions_numbered_again_leave_its_paragraphs_their_numbers() -> None:
    """A committee report's "Conclusions and recommendations" number 1, 2, 3 again, each ending with the paragraph it
    comes from: they are not located, and paragraphs 1-3 keep their numbers (not used twice)."""
    paragraphs = [f"{n}. Witnesses told us that {WORDS}" for n in range(1, 9)]
    conclusions = [f"{n}. We recommend that {WORDS[:-1]}. (Paragraph {n + 2})" for n in (1, 2, 3)]
    text = "\n\n".join([*paragraphs, "# Conclusions and recommendations", *conclusions])
    assert list(labels(text)) == [f"para {n}" for n in range(1, 9)]


def test_wrapped_lines_stay_in_their_paragraph_where_blank_lines_part_paragraphs() -> None:
    """A PDF's paragraph wrapped at a sentence's end keeps its next line where the document parts paragraphs with
    blank lines; a board paper's sections and an appendix numbering 1-3 again leave "para 1" to nobody."""
    wrapped = (  # a PDF's lines, wrapped at the page's width: one of them ends at a sentence's end
        "The Trust delivered its elective activity plan for the quarter, at\n"
        "104% of the 2019/20 baseline, and its cancer plan at 98% of target.\n"
        "Agency spend remains above the cap set by the ICB and is the main\n"
        "driver of the deficit, which the Board is asked to note for now."
    )
    text = "\n\n".join(
        ["1. Introduction"]
        + [f"1.{n} {wrapped}" for n in (1, 2, 3)]
        + ["2. Finance"]
        + [f"2.{n} {wrapped}" for n in (1, 2, 3, 4)]
        + ["# Appendix A"]
        + [f"{n}. The cost improvement programme has identified schemes worth £14.2m against a target." for n in (1, 2, 3)]
    )
    spans = labels(text)
    assert list(spans) == ["para 1.1", "para 1.2", "para 1.3", "para 2.1", "para 2.2", "para 2.3", "para 2.4"]
    assert spans["para 1.2"] == f"1.2 {wrapped}"
    short = text.replace("2.4 The Trust", "2.4 The Board noted all nine parts of it.\nThe Trust")  # a short line: a paragraph's last
    assert labels(short)["para 2.4"] == "2.4 The Board noted all nine parts of it."


def test_a_number_glued_to_its_paragraph_and_a_contents_page_without_leaders() -> None:
    """A PDF's "10.Capital ..." (no space after the number) is paragraph 10 and ends paragraph 9; contents entries
    ending in page numbers without dot leaders are no paragraphs, and do not break the paragraphs' numbering."""
    contents = ["Contents", "1. Summary 3", "2. The role of NHS England 5", "3. Oversight 7", "4. Conclusions 9"]
    body = [f"{n}. Trust leaders told us that {WORDS}" for n in range(1, 10)]
    glued = "10.Capital constraints remain the single biggest barrier to improving productivity in trusts."
    text = "\n".join(contents) + "\n\n" + "\n\n".join([*body, glued, f"11. Trust leaders told us that {WORDS}"])
    spans = labels(text)
    assert list(spans) == [f"para {n}" for n in range(1, 12)]
    assert spans["para 9"] == f"9. Trust leaders told us that {WORDS}" and spans["para 10"] == glued


def test_the_fourth_reviews_cases() -> None:
    """An unnumbered remark a single line after a numbered paragraph, in a document whose paragraphs a blank line
    parts, is not that paragraph's; a year glued to the next sentence by a lost space ("2023.The") is no numbered line
    and does not cut its paragraph short."""
    paragraphs = [f"{n}. Witnesses told us that {WORDS}" for n in range(1, 7)]
    remark = "The Committee adds that it has not seen the underlying figures from the regulator."
    text = "\n\n".join(paragraphs[:4]) + f"\n{remark}\n\n" + "\n\n".join(paragraphs[4:])
    assert labels(text)["para 4"] == paragraphs[3]
    glued = "4. Witnesses told us that waiting lists would rise sharply in\n2023.The regulator expected them to fall again by the spring."
    text = "\n\n".join([*paragraphs[:3], glued, *paragraphs[4:]])
    assert labels(text)["para 4"] == glued


def test_locating_takes_linear_time() -> None:
    """The review's case of a quadratic cost: numbered lines not a blank line apart. Ten times the lines (9,000) may take no
    more than forty times as long (quadratic would be a hundred); best of three, as a ratio in one run."""

    def best(n: int) -> float:
        text = "\n".join(f"{k}. The committee heard that {WORDS}" for k in range(1, n + 1))
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            found = paragraph_locators(text)
            times.append(time.perf_counter() - t0)
        assert len(found) == n
        return min(times)

    assert best(9_000) / best(900) < 40

    def lists(gaps: int) -> float:  # the review's case for lists inside paragraphs: many "1." lines in each gap
        filler = "\n".join(["1. A"] * 190)
        text = "\n\n".join(f"{n}. The committee heard that {WORDS}\n\n{filler}" for n in range(1, gaps + 1))
        t0 = time.perf_counter()
        paragraph_locators(text)
        return time.perf_counter() - t0

    assert min(lists(200) for _ in range(2)) / min(lists(20) for _ in range(2)) < 40


def test_a_paragraphs_place_is_its_page_and_its_number() -> None:
    base = dict(n=1, source="s.pdf", title="t", publisher="p", date="", section="", start=0, end=1, quote="q")
    assert Citation(**base, page=4, locator="para 12").place == "p. 4, para 12"
    assert Citation(**base, page=None, locator="para 3.2").to_json()["locator"] == "para 3.2"
    assert Citation(**base, page=4, locator="Q112").place == "Q112"  # a transcript's question number, as before
    assert place("para 12", 4, "Page") == "Page 4, para 12" and place("", 4, "Page") == "Page 4" and place("slide 3", 3) == "slide 3"


def test_a_real_pdfs_numbered_paragraphs_are_located_across_its_pages(tmp_path) -> None:  # noqa: ANN001
    """A PDF (fpdf2) whose paragraph 3 is carried over to page 2 in mid-sentence: the stored text's paragraph 3 keeps
    its second half, so a quote from it is cited "p. 2, para 3"; paragraph 4 is on page 2."""
    from ingest.clean import clean
    from ingest.load import load
    from tests.test_load import make_pdf

    page1 = "\n\n".join([f"1. The committee heard that {WORDS}", f"2. The committee heard that {WORDS}", "3. The committee heard that the boards"])
    page2 = "\n\n".join(["are held to account by NHS England through quarterly review meetings.", f"4. The committee heard that {WORDS}"])
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf([page1, page2]))
    loaded = load(path, max_bytes=1_000_000)
    cleaned = clean(loaded.text)
    found = {x.label: x for x in paragraph_locators(cleaned.text, cleaned.pages)}
    assert list(found) == ["para 1", "para 2", "para 3", "para 4"]
    second_half = cleaned.text.index("are held to account by NHS England through")
    assert found["para 3"].start < second_half < found["para 3"].end
    page = next(p.page for p in cleaned.pages if p.start <= second_half < p.end)
    assert place(found["para 3"].label, page) == "p. 2, para 3"
    assert cleaned.text[found["para 4"].start : found["para 4"].end] == f"4. The committee heard that {WORDS}"
