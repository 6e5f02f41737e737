"""The feedback store (real SQLite files) and `assistant feedback export`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from assistant import feedback
from assistant.feedback import SCHEMA_VERSION, FeedbackError, FeedbackRecord, FeedbackStore, feedback_cli

CITES = [{"n": 1, "source": "a.txt", "title": "A", "quote": "ICBs are accountable to NHS England, \"quoted\"."}]


def rec(answer_id: str = "a1", rating: int = 1, **kw) -> FeedbackRecord:
    base = dict(
        answer_id=answer_id, rating=rating, question="Who holds ICBs to account?",
        answer="ICBs are accountable to NHS England. [1]", citations=CITES,
        filters={"publishers": ["NHS Providers"]}, mode="extractive",
    )
    base.update(kw)
    return FeedbackRecord(**base)


def test_new_file_gets_schema_and_version(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite")
    assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(store.path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"schema_version", "feedback"} <= tables
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
    conn.close()
    FeedbackStore(store.path)  # reopening is a no-op migration
    assert store.schema_version() == SCHEMA_VERSION


def test_record_update_comment_remove(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record(rec())
    row = store.get("a1")
    assert row["rating"] == 1 and row["citations"] == CITES and row["filters"] == {"publishers": ["NHS Providers"]}
    assert row["mode"] == "extractive" and row["question"].startswith("Who holds")
    store.record(rec(rating=-1))  # same answer rated again: one row, updated
    assert store.set_comment("a1", "  missing the 2023 guidance ")
    rows = store.rows()
    assert len(rows) == 1 and rows[0]["rating"] == -1 and rows[0]["comment"] == "missing the 2023 guidance"
    assert not store.set_comment("unknown", "x")
    store.remove("a1")
    assert store.rows() == []
    with pytest.raises(ValueError):
        store.record(rec(rating=0))


def test_export_csv_and_jsonl(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record(rec("a1", 1, comment="good, \"exact\" quote"))
    store.record(rec("a2", -1, abstained=True, question="Line one\nline two"))
    buf = io.StringIO()
    assert store.export(buf, "csv") == 2
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [r["rating"] for r in rows] == ["1", "-1"]
    assert rows[0]["comment"] == 'good, "exact" quote' and rows[1]["question"] == "Line one\nline two"
    assert json.loads(rows[0]["citations"]) == CITES and rows[1]["abstained"] == "True"
    out = tmp_path / "fb.jsonl"
    assert store.export(out, "jsonl") == 2
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[1]["answer_id"] == "a2" and lines[1]["abstained"] is True and lines[0]["citations"] == CITES
    with pytest.raises(ValueError):
        store.export(buf, "xml")


def test_migrates_an_unversioned_file_and_refuses_a_newer_one(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    sqlite3.connect(path).close()  # an empty file from nowhere: version 0
    assert FeedbackStore(path).schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version=?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(FeedbackError, match="newer"):
        FeedbackStore(path)


def test_cli_export_to_file_and_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    assert feedback_cli(["export"]) == 0  # nothing rated yet: header only, no file created
    assert capsys.readouterr().out.startswith("id,answer_id,")
    assert not (tmp_path / "data" / "feedback.sqlite").exists()
    FeedbackStore(tmp_path / "data" / "feedback.sqlite").record(rec())
    out = tmp_path / "out.csv"
    assert feedback_cli(["export", "--out", str(out)]) == 0
    assert "1 feedback row" in capsys.readouterr().err
    assert list(csv.DictReader(out.open(encoding="utf-8")))[0]["answer_id"] == "a1"
    assert feedback_cli(["export", "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["rating"] == 1
    assert feedback_cli(["export", "--format", "xml"]) == 2
    assert feedback_cli([]) == 2
    assert feedback.export(io.StringIO(), "csv", store_path=tmp_path / "data" / "feedback.sqlite") == 1


def test_cli_reports_unwritable_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    FeedbackStore(tmp_path / "data" / "feedback.sqlite").record(rec())
    assert feedback_cli(["export", "--out", str(tmp_path / "missing" / "dir" / "x.csv")]) == 1
    assert capsys.readouterr().err.startswith("error:")


def test_assistant_console_script_exports_feedback(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    FeedbackStore(tmp_path / "data" / "feedback.sqlite").record(rec(comment="useful for the briefing"))
    result = run_cli("assistant", "feedback", "export", "--format", "jsonl", data_dir=tmp_path / "data", timeout=60)
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout.splitlines()[0])
    assert row["comment"] == "useful for the briefing" and row["citations"][0]["source"] == "a.txt"
