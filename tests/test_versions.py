"""Two versions of one document (a trust's annual report for two years), without a catalogue: each keeps its own
date, date filters pick each, and an answer quoting both introduces each quote with its year (issue 17, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_ingest_cli import _annual_report

TRUST = "Leeds Community Healthcare NHS Trust"
WARDS = {"2023-2024": "The Trust opened 40 virtual ward beds for frail older people in 2023-2024.",
         "2024-2025": "The Trust expanded its virtual ward to 90 beds for frail older people in 2024-2025."}
QUESTION = "How did the virtual ward grow?"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the trust's reports for 2023/24 (signed June 2024) and 2024/25 (signed June 2025)."""
    root = tmp_path_factory.mktemp("versions")
    folder = root / "reports"
    folder.mkdir()
    for name, period, staff, signed in (("report 2324.md", "2023-2024", "3,200", "19 June 2024"),
                                        ("report 2425.md", "2024-2025", "3,400", "25 June 2025")):
        (folder / name).write_text(f"{_annual_report(period, staff, signed)}\n{WARDS[period]}\n", encoding="utf-8")
    done = run_cli("ingest", str(folder), data_dir=root / "data")
    assert done.returncode == 0, done.stderr
    return root / "data"


def _ask(data: Path, question: str, *filters: str) -> dict:
    proc = run_cli("assistant", "ask", question, "--json", *filters, data_dir=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_status_shows_both_versions_with_their_dates(two_years: Path) -> None:
    documents = json.loads(run_cli("ingest", "status", "--json", data_dir=two_years).stdout)["documents"]
    shown = {d["source"]: (d["title"], d["publisher"], d["date"]) for d in documents}
    assert shown == {
        "report 2324.md": ("Annual Report and Accounts 2023-2024", TRUST, "2024-06-19"),
        "report 2425.md": ("Annual Report and Accounts 2024-2025", TRUST, "2025-06-25"),
    }


@pytest.mark.slow
def test_an_answer_quoting_both_years_labels_each_quote_with_its_year(two_years: Path) -> None:
    answer = _ask(two_years, QUESTION)
    lines = answer["answer"].splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{TRUST} (Jun 2024)", f"{TRUST} (Jun 2025)"], lines
    assert WARDS["2023-2024"] in lines[0]
    assert {c["date"] for c in answer["citations"]} == {"2024-06-19", "2025-06-25"}


@pytest.mark.slow
def test_an_answer_quotes_each_years_figure(two_years: Path) -> None:
    answer = _ask(two_years, QUESTION)["answer"]
    assert WARDS["2023-2024"] in answer and WARDS["2024-2025"] in answer


@pytest.mark.slow
@pytest.mark.parametrize(("filters", "source", "figure"), [(("--since", "2025"), "report 2425.md", "90 beds"),
                                                           (("--until", "2024"), "report 2324.md", "40 virtual ward beds")])
def test_a_date_filter_picks_one_version(two_years: Path, filters: tuple[str, ...], source: str, figure: str) -> None:
    answer = _ask(two_years, "How many virtual ward beds did the Trust have?", *filters)
    assert {c["source"] for c in answer["citations"]} == {source}
    assert figure in answer["answer"]
