"""Lost-ligature repair: the damage of real PDF extractions is undone, clean text is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean, clean_with_counts
from ingest.repair import ligature_edits, repair_ligatures

ROOT = Path(__file__).resolve().parent.parent
# Sentences as the dev corpus has them (eval/dev-corpus/*.md): enough two-piece damage to show the text is hit.
DAMAGED = (
    "Funding was al ocated to skil s programmes. This wil fol ow the plan, clinical y led. "
    "People with il -health need the ful vision, and this is ef ective. Prices re ect in ation. "
    "The Accountable Of cer said so. The staf office is open, and the of ice opens at nine."
)
REPAIRED = (
    "Funding was allocated to skills programmes. This will follow the plan, clinically led. "
    "People with ill-health need the full vision, and this is effective. Prices reflect inflation. "
    "The Accountable Officer said so. The staff office is open, and the office opens at nine."
)


def test_damaged_text_is_repaired() -> None:
    assert repair_ligatures(DAMAGED) == REPAIRED


def test_repairs_go_through_clean_with_counts() -> None:
    cleaned, counts = clean_with_counts(DAMAGED)
    assert cleaned.text == REPAIRED
    assert counts["ligatures"] == len(ligature_edits(DAMAGED)) == 13


def test_space_the_ligature_left_before_punctuation_goes() -> None:
    text = "Skil s and al ocated and fol owed, and it went wel ."
    assert repair_ligatures(text) == "Skills and allocated and followed, and it went well."


@pytest.mark.parametrize(
    "text",
    [
        "This wil be done.",  # one ambiguous single word and no other damage: left alone
        "Tel: 0113 85 55000. Cal Smith will call. Hal and Al met.",
        "As Smith et al. show, et al reports differ.",
        "Will the staff office tell all of us? Offer a reflective, effective office.",
        "See https://www.gov.uk/skil s-england and mail wil@nhs.net.",
    ],
)
def test_clean_or_ambiguous_text_is_unchanged(text: str) -> None:
    assert ligature_edits(text) == []


def test_single_words_need_evidence_and_running_text() -> None:
    evidence = "The skil s and al ocated funds fol owed. "
    assert repair_ligatures(evidence + "This wil be so.") == "The skills and allocated funds followed. This will be so."
    assert repair_ligatures(evidence + "Tel: 0113.") == "The skills and allocated funds followed. Tel: 0113."
    shredded = "ful irm"  # not a sentence with a damaged word in it
    assert repair_ligatures(evidence + shredded) == "The skills and allocated funds followed. " + shredded


def test_page_map_follows_a_repair() -> None:
    result = clean("Skil s and al ocated funds fol owed.\fPage two wil be here and wel being.")
    two = result.text.index("Page two")
    assert result.text[two:] == "Page two will be here and wellbeing."
    assert next(p.page for p in result.pages if p.start <= two < p.end) == 2


@pytest.mark.parametrize("path", sorted((ROOT / "corpus").glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_documents_need_no_repair(path: Path) -> None:
    assert ligature_edits(path.read_text(encoding="utf-8")) == []
