"""Numbered paragraphs as locators (ingest/paragraphs.py): "p. 4, para 12" beside a quote."""

from __future__ import annotations

from assistant.types import Citation, place
from ingest.paragraphs import paragraph_locators

SUBMISSION = """# Written evidence from NHS Providers

Contents

1.1 Summary .................... 2

1. Trust leaders support the permissive national policy framework that underpins integrated care systems.

2. However, the Act has arguably created a more complex landscape across health and social care services.

12 NHS Providers, Regulation survey 2022, p. 4.

3. Trust leaders are also concerned that national bodies keep the flexibility of the operating framework.

Such flexibility matters, they told us, because local systems differ widely in their maturity.

# Oversight

4.2 What does NHS England say about rising productivity since 2022?

31 March 2025 is the date by which every ICB must publish its joint forward plan for the next five years.

4. In a taxpayer funded health system, trust leaders recognise the role of national priorities in oversight.

1. Yes

LTHT | 120,000 | 98,500 | 82% of the total for the year
"""


def test_numbered_paragraphs_become_locators_and_nothing_else_does() -> None:
    """Paragraphs 1-4 of one numbering are located, each to the next numbered paragraph or heading (paragraph 3
    keeps its unnumbered follow-on paragraph); a contents line, a footnote's "12", a numbered question heading, a
    date, a short list's "1. Yes" and a table's row are not paragraphs."""
    locators = paragraph_locators(SUBMISSION)
    assert [x.label for x in locators] == ["para 1", "para 2", "para 3", "para 4"]
    spans = {x.label: SUBMISSION[x.start : x.end] for x in locators}
    assert spans["para 1"].startswith("1. Trust leaders support") and spans["para 1"].rstrip().endswith("care systems.")
    assert spans["para 3"].startswith("3. Trust leaders are also") and "differ widely in their maturity." in spans["para 3"]
    assert "# Oversight" not in spans["para 3"]
    assert spans["para 4"].startswith("4. In a taxpayer") and "1. Yes" in spans["para 4"]


def test_numbering_must_count_on_and_multi_level_numbers_follow_each_other() -> None:
    text = "\n\n".join(
        f"{n} The committee heard that integrated care boards differ widely in how they are held to account."
        for n in ("1.1", "1.2", "2.", "2.1", "2.1.1", "3", "3.1", "17.", "5.")
    )  # fmt: skip  ("3" with no full stop: a footnote's number as often, never a paragraph's; the run goes on to 3.1)
    assert [x.label for x in paragraph_locators(text)] == ["para 1.1", "para 1.2", "para 2", "para 2.1", "para 2.1.1", "para 3.1"]
    two = "1. Trust leaders support the permissive framework for integrated care.\n\n2. Trust leaders worry about the extra tier of oversight."
    assert paragraph_locators(two) == ()  # two numbered paragraphs are a list, not how the document is cited


def test_a_paragraphs_place_is_its_page_and_its_number() -> None:
    base = dict(n=1, source="s.pdf", title="t", publisher="p", date="", section="", start=0, end=1, quote="q")
    assert Citation(**base, page=4, locator="para 12").place == "p. 4, para 12"
    assert Citation(**base, page=None, locator="para 3.2").to_json()["locator"] == "para 3.2"
    assert Citation(**base, page=4, locator="Q112").place == "Q112"  # a transcript's question number, as before
    assert place("para 12", 4, "Page") == "Page 4, para 12" and place("", 4, "Page") == "Page 4" and place("slide 3", 3) == "slide 3"
