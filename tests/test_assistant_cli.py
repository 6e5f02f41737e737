"""The `assistant` console script as a real process: ask (text and --json), --batch, show, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_ask_json_contract(seed_index) -> None:
    proc = run_cli("assistant", "ask", "Who is an ICB accountable to?", "--json", "--top-k", "5", data_dir=seed_index.data_dir)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"id", "question", "answer", "abstained", "sentences", "citations", "passages", "timings_ms"} <= set(data)
    assert data["citations"] and len(data["passages"]) >= 10
    for c in data["citations"]:
        assert {"n", "source", "title", "publisher", "date", "page", "section", "start", "end", "quote"} <= set(c)
        assert not c["source"].startswith("/")  # relative to the ingest folder
    for p in data["passages"]:
        assert {"rank", "source", "start", "end", "score", "text"} <= set(p)
    assert {"retrieve", "answer", "total"} <= set(data["timings_ms"])


def test_ask_text_with_filters_and_show(seed_index) -> None:
    proc = run_cli(
        "assistant", "ask", "What do leaders say about national targets?", "--publisher", "King's Fund", "--since", "2022",
        data_dir=seed_index.data_dir,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Sources:" in proc.stdout and "[1] The King's Fund" in proc.stdout
    assert "NHS Providers (" not in proc.stdout


def test_batch_keeps_order_and_survives_bad_lines(seed_index, tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        "\n".join([
            json.dumps({"id": "q1", "question": "What is the role of an ICP?"}),
            "{not json",
            json.dumps({"id": "q3", "question": "What about the CQC?", "history": ["How are ICBs held to account?"]}),
            json.dumps({"id": "q4", "question": ""}),
            json.dumps({"id": "q5", "question": "What was Cheshire and Merseyside ICB's 2023/24 allocation?"}),
        ])
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    proc = run_cli("assistant", "ask", "--batch", str(batch), "--out", str(out), data_dir=seed_index.data_dir)
    assert proc.returncode == 1, proc.stderr  # some lines failed, the batch finished
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "line-2", "q3", "q4", "q5"]
    assert "error" in rows[1] and "error" in rows[3]
    assert rows[0]["citations"] and "error" not in rows[0]
    assert "CQC" in rows[2]["resolved_question"]
    assert rows[4]["abstained"] is True


def test_show_marks_the_span(seed_index) -> None:
    from assistant.docstore import DocStore

    text = DocStore(seed_index.sqlite_path, create=False).text("000_8f9566ec79a9e3e1.txt")
    start = text.index("The ICB will be accountable")
    end = start + len("The ICB will be accountable")
    proc = run_cli("assistant", "show", "000_8f9566ec79a9e3e1.txt", "--start", str(start), "--end", str(end), data_dir=seed_index.data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "»The ICB will be accountable«" in proc.stdout
    whole = run_cli("assistant", "show", "000_8f9566ec79a9e3e1.txt", data_dir=seed_index.data_dir)
    assert whole.returncode == 0 and whole.stdout.rstrip("\n") == text.rstrip("\n")


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "anything", "--since", "2022-13"),
        ("ask", "anything", "--publisher", "Nobody Publishes This"),
        ("show", "no-such-document.txt"),
        ("show", "000_8f9566ec79a9e3e1.txt", "--start", "10", "--end", "5"),
        ("ask",),
        ("ask", "--batch", "missing.jsonl", "--out", "out.jsonl"),
    ],
)
def test_errors_are_one_line_and_exit_2(seed_index, args) -> None:
    proc = run_cli("assistant", *args, data_dir=seed_index.data_dir)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, proc.stderr


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_cli("assistant", "ask", "Who is an ICB accountable to?", data_dir=tmp_path / "empty")
    assert proc.returncode == 2
    assert "ingest" in proc.stderr and proc.stderr.count("\n") <= 3


@pytest.mark.slow
def test_warm_embeds_every_sentence(seed_index):
    from tests.conftest import run_cli

    result = run_cli("assistant", "warm", data_dir=seed_index.data_dir, timeout=600)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split("ready: ")[1].split()[0]) > 500
