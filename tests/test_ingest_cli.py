"""The `ingest` command as a user runs it: summary, status, bad input, exit codes, a real Chroma server."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import CORPUS, run_cli

pytestmark = pytest.mark.slow


def test_ingest_status_and_summary(tmp_path):
    data = tmp_path / "data"
    result = run_cli("ingest", str(CORPUS), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout and "chunks/s" in result.stdout
    again = run_cli("ingest", str(CORPUS), data_dir=data)
    assert "5 unchanged" in again.stdout and "0 chunks embedded" in again.stdout
    status = run_cli("ingest", "status", data_dir=data)
    assert status.returncode == 0
    for expected in ("5 documents", "NHS Providers", "The King's Fund", "all-MiniLM-L6-v2", str(data)):
        assert expected in status.stdout
    parsed = json.loads(run_cli("ingest", "status", "--json", data_dir=data).stdout)
    assert parsed["chunks"] == parsed["vectors"] == sum(d["n_chunks"] for d in parsed["documents"])
    reindex = run_cli("ingest", "reindex", data_dir=data)
    assert reindex.returncode == 0 and f"{parsed['chunks']} chunks" in reindex.stdout


def test_bad_files_get_one_line_each_and_the_rest_ingest(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(CORPUS / "003_e890ab627d4e122a.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (folder / "legacy.txt").write_bytes("Trusts spend £104bn; the Act’s café rules.\n".encode("cp1252") * 3)
    (folder / "slides.key").write_bytes(b"PK\x03\x04 not supported")
    (folder / "broken.pptx").write_bytes(b"PK\x03\x04 not really a deck")
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), str(tmp_path / "missing-folder"), data_dir=data)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    for name in ("empty.txt", "binary.txt", "broken.pdf", "broken.pptx", "missing-folder"):
        assert sum(name in line for line in errors) == 1, (name, result.stderr)
    assert any(line.startswith("skipped:") and "slides.key" in line for line in result.stderr.splitlines())
    assert "2 added" in result.stdout
    status = json.loads(run_cli("ingest", "status", "--json", data_dir=data).stdout)
    assert sorted(d["source"] for d in status["documents"]) == ["good.txt", "legacy.txt"]
    from assistant.docstore import DocStore

    assert "£104bn" in DocStore(data / "index.sqlite").text("legacy.txt")


def test_ingest_and_status_against_a_chroma_server(tmp_path, chroma_server):
    data = tmp_path / "data"
    result = run_cli("ingest", str(CORPUS), data_dir=data, ASSISTANT_CHROMA_URL=chroma_server)
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli("ingest", "status", "--json", data_dir=data, ASSISTANT_CHROMA_URL=chroma_server).stdout)
    assert status["vectors_at"] == chroma_server
    assert status["vectors"] == status["chunks"] > 0
    assert not (data / "chroma").exists()  # vectors live on the server, not in the data folder
    again = run_cli("ingest", str(CORPUS), data_dir=data, ASSISTANT_CHROMA_URL=chroma_server)
    assert "5 unchanged" in again.stdout


def test_unreachable_chroma_server_is_one_clear_line(tmp_path):
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("ingest", str(CORPUS), data_dir=tmp_path / "data", ASSISTANT_CHROMA_URL=url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Cannot reach the Chroma server" in result.stderr


def _annual_report(period: str, staff: str, signed: str) -> str:
    """A small trust annual report that names its trust, period and signing date only in its own text."""
    body = "The Trust provides community services across the city. The Trust Board met monthly. " * 6
    return (
        f"**Annual Report**\n\n**and Accounts {period}**\n\n**Contents**\n\n**Foreword**\n\n{body}\n\n"
        f"In {period} Leeds Community Healthcare NHS Trust employed {staff} staff across its services, NHS England reported.\n\n"
        f"Leeds Community Healthcare NHS Trust worked with Leeds City Council on discharge.\n\n"
        f"Signed ........ **Sam Prince**, Chief Executive {signed}\n"
    )


def test_folder_without_catalogue_status_shows_inferred_metadata_and_filters_use_it(tmp_path):
    folder = tmp_path / "trust-reports"
    folder.mkdir()
    (folder / "report 2324.md").write_text(_annual_report("2023-2024", "3,200", "19 June 2024"), encoding="utf-8")
    (folder / "report 2425.md").write_text(_annual_report("2024-2025", "3,400", "25 June 2025"), encoding="utf-8")
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "no catalogue entry; inferred title 'Annual Report and Accounts 2023-2024'" in result.stderr
    status = run_cli("ingest", "status", data_dir=data).stdout
    for shown in ("Annual Report and Accounts 2023-2024*", "Leeds Community Healthcare NHS Trust*", "2024-06-19*", "2025-06-25*",
                  "annual report*", f"* inferred from the document; confirm with `ingest catalog --draft {folder}`"):
        assert shown in status, (shown, status)
    documents = {d["source"]: d for d in json.loads(run_cli("ingest", "status", "--json", data_dir=data).stdout)["documents"]}
    assert documents["report 2425.md"]["date"] == "2025-06-25"
    assert documents["report 2324.md"]["inferred"] == ["title", "publisher", "date", "kind"]

    def sources(*filters: str) -> set[str]:
        proc = run_cli("assistant", "ask", "How many staff did the Trust employ?", "--json", *filters, data_dir=data)
        assert proc.returncode == 0, proc.stderr
        return {p["source"] for p in json.loads(proc.stdout)["passages"]}

    assert sources("--since", "2025") == {"report 2425.md"}
    assert sources("--until", "2024-12") == {"report 2324.md"}
    assert sources("--publisher", "Leeds Community Healthcare") == {"report 2324.md", "report 2425.md"}
    from assistant.composing import source_label  # how an answer introduces each document's quotes
    from assistant.docstore import DocStore

    labels = {d.source: source_label(d) for d in DocStore(data / "index.sqlite", create=False).documents()}
    assert labels == {"report 2324.md": "Leeds Community Healthcare NHS Trust (Jun 2024)",
                      "report 2425.md": "Leeds Community Healthcare NHS Trust (Jun 2025)"}

    (folder / "catalog.yaml").write_text("documents:\n  report 2324.md:\n    publisher: LCH\n", encoding="utf-8")
    assert run_cli("ingest", str(folder), data_dir=data).returncode == 0
    again = json.loads(run_cli("ingest", "status", "--json", data_dir=data).stdout)["documents"]
    catalogued = next(d for d in again if d["source"] == "report 2324.md")
    assert catalogued["publisher"] == "LCH" and catalogued["inferred"] == ["title", "date", "kind"]  # the catalogue wins


def test_catalog_draft_writes_what_the_documents_say_without_a_model(tmp_path):
    import yaml

    from ingest.catalog import load_catalog

    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(CORPUS / "000_8f9566ec79a9e3e1.txt", folder / "submission.txt")
    (folder / "guidelines.md").write_text(
        "Date published: 29 January, 2025\n\n**Neighbourhood health guidelines 2025/26**\n\n"
        "NHS England sets out, and NHS England will support, neighbourhood health.\n", encoding="utf-8")
    (folder / "known.md").write_text("# Known\n\nAlready catalogued.\n", encoding="utf-8")
    (folder / "empty.md").write_bytes(b"")
    (folder / "catalog.yaml").write_text("documents:\n  known.md:\n    title: Known\n", encoding="utf-8")
    env = {"ASSISTANT_EMBED_MODEL": str(tmp_path / "no-such-model")}  # the draft must not need (or load) a model
    data = tmp_path / "data"

    shown = run_cli("ingest", "catalog", "--draft", str(folder), data_dir=data, **env)
    assert shown.returncode == 0, shown.stderr
    assert "empty.md" in shown.stderr and shown.stderr.count("\n") == 1
    draft = yaml.safe_load(shown.stdout)["documents"]
    assert set(draft) == {"submission.txt", "guidelines.md"}
    assert draft["submission.txt"] == {
        "title": "Written evidence submitted by NHS Providers (ICS0034)", "publisher": "NHS Providers", "date": "2022",
        "kind": "written evidence",
    }
    assert draft["guidelines.md"]["date"] == "2025-01-29" and draft["guidelines.md"]["publisher"] == "NHS England"
    assert not data.exists()  # no index was built or opened

    existing = (folder / "catalog.yaml").read_text(encoding="utf-8")
    refused = run_cli("ingest", "catalog", "--draft", str(folder), "--out", str(folder / "catalog.yaml"), data_dir=data, **env)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert (folder / "catalog.yaml").read_text(encoding="utf-8") == existing

    out = folder / "catalog.draft.yaml"
    written = run_cli("ingest", "catalog", str(folder), "--out", str(out), data_dir=data, **env)
    assert written.returncode == 0 and written.stdout == "" and "2 file(s)" in written.stderr
    (tmp_path / "check").mkdir()
    shutil.copy(out, tmp_path / "check" / "catalog.yaml")
    assert load_catalog(tmp_path / "check").entries["guidelines.md"]["title"] == "Neighbourhood health guidelines 2025/26"

    forced = run_cli("ingest", "catalog", "--draft", str(folder), "--out", str(folder / "catalog.yaml"), "--force",
                     data_dir=data, **env)
    assert forced.returncode == 0 and "submission.txt" in (folder / "catalog.yaml").read_text(encoding="utf-8")
    missing = run_cli("ingest", "catalog", "--draft", str(tmp_path / "nowhere"), data_dir=data, **env)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "not a folder" in missing.stderr


def test_a_folders_notes_are_not_evidence_unless_catalogued(tmp_path):
    """A README or SOURCES file describes the folder: indexed, it was cited as evidence under an inferred publisher."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(CORPUS / "003_e890ab627d4e122a.txt", folder / "submission.txt")
    (folder / "SOURCES.md").write_text("# Sources\n\nThe submission came from NHS England's website in 2024.\n", encoding="utf-8")
    (folder / "README.txt").write_text("Evidence for the inquiry, gathered by the policy team.\n", encoding="utf-8")
    (folder / "sources-of-funding.md").write_text("# Sources of funding\n\nICBs are funded by NHS England.\n", encoding="utf-8")
    (folder / "Licence.txt").write_text("The provider licence sets conditions that NHS trusts must meet.\n", encoding="utf-8")
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data)
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 2 and all("a folder's notes" in line and "catalog.yaml" in line for line in skipped), result.stderr
    assert "3 added" in result.stdout and "2 skipped" in result.stdout
    sources = lambda: sorted(d["source"] for d in json.loads(run_cli("ingest", "status", "--json", data_dir=data).stdout)["documents"])  # noqa: E731
    assert sources() == ["Licence.txt", "sources-of-funding.md", "submission.txt"]
    # given by name it is ingested; the folder's next run says it is still indexed, and --prune removes it
    assert run_cli("ingest", str(folder / "README.txt"), data_dir=data).returncode == 0
    again = run_cli("ingest", str(folder), data_dir=data)
    assert "README.txt: a folder's notes, still indexed from an earlier run; `ingest --prune FOLDER` removes it." in again.stderr
    assert run_cli("ingest", "--prune", str(folder), data_dir=data).returncode == 0
    assert "README.txt" not in sources()
    (folder / "catalog.yaml").write_text("documents:\n  SOURCES.md:\n    title: Where the evidence came from\n", encoding="utf-8")
    assert run_cli("ingest", str(folder), data_dir=data).returncode == 0
    assert sources() == ["Licence.txt", "SOURCES.md", "sources-of-funding.md", "submission.txt"]


def test_a_slide_deck_and_a_workbook_are_ingested_and_quoted_by_slide_and_sheet(tmp_path):
    """A .pptx, an .xlsx and an .ods among the evidence: read as their slides and sheets, marked a presentation and
    a spreadsheet, and an answer's quote cited "slide 3" or "sheet Summary", the quote equal to the stored text."""
    from tests.test_load import make_deck, make_odt, make_workbook

    folder = tmp_path / "board"
    folder.mkdir()
    make_deck(folder / "oversight.pptx")
    make_workbook(folder / "allocations.xlsx")
    rows = "".join(f"<table:table-row>{''.join(f'<table:table-cell><text:p>{c}</text:p></table:table-cell>' for c in cells)}</table:table-row>"
                   for cells in (("Trust", "Vacancy rate", "Vacancies", "Turnover"), ("LYPFT", "8.2%", "312", "11.0%"),
                                 ("LCH", "6.9%", "254", "9.4%"), ("LTHT", "5.1%", "890", "8.7%")))  # fmt: skip
    make_odt(folder / "vacancies.ods", f'<table:table table:name="Workforce">{rows}</table:table>', kind="spreadsheet")
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "inferred title 'System oversight 2025/26'" in result.stderr and "kind 'presentation'" in result.stderr
    proc = run_cli("assistant", "ask", "What was the waiting list at LTHT in 2024/25?", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert not answer["abstained"]
    cited = {c["quote"]: c for c in answer["citations"]}
    assert "LTHT | 120,000 | 98,500" in cited and cited["LTHT | 120,000 | 98,500"]["locator"] == "slide 3"
    from assistant.docstore import DocStore

    store = DocStore(data / "index.sqlite", create=False)
    text = store.text("oversight.pptx")
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])
    notes = run_cli("assistant", "ask", "Who chairs the quality committee?", "--json", data_dir=data)
    hidden = run_cli("assistant", "ask", "What happens if a provider's rating falls?", "--json", data_dir=data)
    assert {c["quote"]: c["locator"] for c in json.loads(notes.stdout)["citations"]}["The ICB chairs the quality committee."] == "slide 2"
    assert {c["quote"]: c["locator"] for c in json.loads(hidden.stdout)["citations"]}[
        "If a rating falls, a second assurance meeting is held."] == "slide 5, hidden"
    assert "kind 'spreadsheet'" in result.stderr
    money = json.loads(run_cli("assistant", "ask", "What is West Yorkshire's running cost allocation?", "--json", data_dir=data).stdout)
    row = "West Yorkshire | £1,234,567.50 | -7.0% | 2025-04-01"
    assert {c["quote"]: c["locator"] for c in money["citations"]}[row] == "sheet Summary"
    assert store.text("allocations.xlsx")[next(c["start"] for c in money["citations"] if c["quote"] == row):].startswith(row)
    vacancies = json.loads(run_cli("assistant", "ask", "What is LYPFT's vacancy rate?", "--json", data_dir=data).stdout)
    assert {c["quote"]: c["locator"] for c in vacancies["citations"]}["LYPFT | 8.2% | 312 | 11.0%"] == "sheet Workforce"
