"""kill -9 in the middle of a real ingest, then a re-run, equals a clean ingest; two ingests never interleave."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from filelock import FileLock

from tests.conftest import CORPUS, VENV_BIN, env_for, make_settings, run_cli
from tests.test_pipeline import state

pytestmark = pytest.mark.slow
COPIES = 3  # 15 documents: long enough an ingest to be killed in the middle of it
KILL_DEADLINE_S = 240


def big_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(COPIES):
        for f in sorted(CORPUS.glob("0*.txt")):
            text = f.read_text(encoding="utf-8")
            (folder / f"copy{i}_{f.name}").write_text(f"Copy {i}.\n\n{text}", encoding="utf-8")
    return folder


def committed_documents(data_dir: Path) -> int:
    path = data_dir / "index.sqlite"
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def assert_consistent(data_dir: Path) -> None:
    """What a query can see is whole: every stored document has all its chunks, every chunk its vector."""
    s = state(make_settings(data_dir))
    for doc_id, (_, _, n_chunks) in s["documents"].items():
        assert sum(1 for c in s["chunks"].values() if c[0] == doc_id) == n_chunks
    assert set(s["chunks"]) <= s["vectors"]


@pytest.mark.parametrize("kill_after_docs", [0, 6])
def test_kill_9_mid_ingest_then_rerun_equals_clean_ingest(tmp_path, kill_after_docs):
    folder = big_corpus(tmp_path)
    clean_dir, crashed_dir = tmp_path / "clean", tmp_path / "crashed"
    assert run_cli("ingest", "--quiet", str(folder), data_dir=clean_dir).returncode == 0

    proc = subprocess.Popen(
        [str(VENV_BIN / "ingest"), "--quiet", str(folder)], env=env_for(crashed_dir),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + KILL_DEADLINE_S
    if kill_after_docs:
        while committed_documents(crashed_dir) < kill_after_docs and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    else:  # kill while the first wave is being embedded / written to Chroma
        while not (crashed_dir / "chroma").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus bigger"
    proc.kill()  # SIGKILL
    proc.wait(timeout=30)
    done = committed_documents(crashed_dir)
    assert done < COPIES * 5
    if done:
        assert_consistent(crashed_dir)

    rerun = run_cli("ingest", "--quiet", str(folder), data_dir=crashed_dir)
    assert rerun.returncode == 0, rerun.stderr
    clean, recovered = state(make_settings(clean_dir)), state(make_settings(crashed_dir))
    assert recovered["documents"] == clean["documents"]
    assert recovered["chunks"] == clean["chunks"]
    assert recovered["vectors"] == set(recovered["chunks"]) == clean["vectors"]


def test_second_ingest_fails_fast_while_lock_held(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with FileLock(str(data_dir / "ingest.lock"), timeout=0):
        started = time.monotonic()
        result = run_cli("ingest", str(CORPUS), data_dir=data_dir)
        assert result.returncode == 2
        assert "Another ingest is already running" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 60
    assert not (data_dir / "index.sqlite").exists()


def test_two_real_ingests_at_once_serialise_or_fail_fast(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(CORPUS, folder)
    data_dir = tmp_path / "data"
    procs = [
        subprocess.Popen([str(VENV_BIN / "ingest"), "--quiet", str(folder)], env=env_for(data_dir),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, 2]), outputs
    if codes == [0, 2]:
        assert any("Another ingest is already running" in err for _, err in outputs)
    s = state(make_settings(data_dir))
    assert len(s["documents"]) == 5 and s["vectors"] == set(s["chunks"])
