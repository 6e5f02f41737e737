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
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 not supported")
    data = tmp_path / "data"
    result = run_cli("ingest", str(folder), str(tmp_path / "missing-folder"), data_dir=data)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    for name in ("empty.txt", "binary.txt", "broken.pdf", "missing-folder"):
        assert sum(name in line for line in errors) == 1, (name, result.stderr)
    assert any(line.startswith("skipped:") and "slides.pptx" in line for line in result.stderr.splitlines())
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
