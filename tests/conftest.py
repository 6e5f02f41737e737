"""Shared fixtures: real model, real Chroma folders, a real `chroma run` server, the seed-corpus index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Tests run on the packaged model as shipped, whether or not `make model` has written the tuned default here (a clean
# clone in CI has none); tests/test_tune.py makes a tuned model of its own and checks it becomes the default.
os.environ["ASSISTANT_TUNED_MODEL"] = "none"

from assistant.config import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
VENV_BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(data_dir: Path, **changes: object) -> Settings:
    """Settings from the environment, pointed at a test data folder (never the project's data/)."""
    base = Settings.from_env().with_(data_dir=data_dir, chroma_url="", llm="none")
    return base.with_(**changes) if changes else base


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess using `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_TUNED_MODEL": "none", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    env.update(extra)
    return env


def run_cli(tool: str, *args: str, data_dir: Path, timeout: float = 300, **extra_env: str) -> subprocess.CompletedProcess:
    """Run `ingest` / `assistant` as a real process."""
    return subprocess.run(
        [str(VENV_BIN / tool), *args], env=env_for(data_dir, **extra_env), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def embedder():
    """The real packaged all-MiniLM-L6-v2, loaded once."""
    from assistant.embed import get_embedder

    return get_embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus with its catalogue."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """The seed corpus ingested once per test session into a temporary data folder; treat as read-only."""
    return _seed(tmp_path_factory, embedder, "seed")


def _seed(tmp_path_factory: pytest.TempPathFactory, embedder, name: str, **changes: object) -> Settings:
    """The seed corpus ingested into a new temporary data folder."""
    from ingest.pipeline import Ingestor

    settings = make_settings(tmp_path_factory.mktemp(name) / "data", **changes)
    report = Ingestor(settings, embedder=embedder, progress=False).run([CORPUS])
    assert report.ok and report.count("added") == 5, report.results
    return settings


# The dev-corpus documents the quick set's dev-corpus questions quote (small ones, so CI ingests them in seconds).
QUICK_DEVCORPUS_DOCS = (
    "NHS England Productivity update.md",
    "NHS England _ Neighbourhood health guidelines 2025_26.md",
    "Healthy-Leeds-Plan-Executive-Summary_plain_text_DRAFT-v4.1.md",
    "LTHT People Priorities.md",
    "Leeds Community Healthcare NHS Trust 2024 NHS Staff Survey Breakdown Report.md",
    "Leeds Community Healthcare NHS Trust NHS Staff Survey Benchmark report 2024.md",
)


def _quick(tmp_path_factory: pytest.TempPathFactory, embedder, name: str, **changes: object) -> Settings:
    """The seed corpus plus the dev-corpus documents of the quick set, in one new index."""
    from ingest.pipeline import Ingestor

    folder = tmp_path_factory.mktemp(f"{name}-devcorpus") / "dev-corpus"
    folder.mkdir()
    for doc in QUICK_DEVCORPUS_DOCS:
        shutil.copy(ROOT / "eval" / "dev-corpus" / doc, folder / doc)
    settings = make_settings(tmp_path_factory.mktemp(name) / "data", **changes)
    report = Ingestor(settings, embedder=embedder, progress=False).run([CORPUS, folder])
    assert report.ok and report.count("added") == 5 + len(QUICK_DEVCORPUS_DOCS), report.results
    return settings


@pytest.fixture(scope="session")
def quick_index(tmp_path_factory: pytest.TempPathFactory, seed_index: Settings, embedder) -> Settings:
    """The seed corpus plus the dev-corpus documents of the quick set, in one index (as eval indexes both corpora)."""
    return _quick(tmp_path_factory, embedder, "quick")


@pytest.fixture(scope="session")
def tuned_embedder():
    """The model the app ships with: the packaged one tuned on both dev sets by `make model` (which `make test` runs).
    Without it the tests that need it fail, saying so: the shipped default must be tested, not skipped."""
    from assistant.config import DEFAULT_TUNED_MODEL, TUNING_FILE
    from assistant.embed import get_embedder

    if not (DEFAULT_TUNED_MODEL / TUNING_FILE).is_file():
        pytest.fail(f"no tuned model in {DEFAULT_TUNED_MODEL}: run `make model` (make test does) before these tests")
    return get_embedder(str(DEFAULT_TUNED_MODEL))


def _tuned() -> dict[str, object]:
    """Settings changes for an index built with the shipped tuned model (chosen, so the tests' "none" does not apply)."""
    from assistant.config import DEFAULT_TUNED_MODEL

    return {"embed_model": str(DEFAULT_TUNED_MODEL), "embed_model_explicit": True}


@pytest.fixture(scope="session")
def quick_index_tuned(tmp_path_factory: pytest.TempPathFactory, tuned_embedder) -> Settings:
    """The quick index again, built with the shipped tuned model."""
    return _quick(tmp_path_factory, tuned_embedder, "quick-tuned", **_tuned())


@pytest.fixture(scope="session")
def seed_assistant_tuned(tmp_path_factory: pytest.TempPathFactory, tuned_embedder):
    """An Assistant over the seed corpus indexed with the shipped tuned model (`make model`), as `make run` serves it."""
    from assistant.engine import Assistant
    from assistant.index import Index

    settings = _seed(tmp_path_factory, tuned_embedder, "seed-tuned", **_tuned())
    return Assistant(settings, index=Index(settings, embedder=tuned_embedder))


@pytest.fixture(scope="session")
def seed_assistant(seed_index: Settings, embedder):
    """One Assistant over the seed index, shared by the tests that only ask."""
    from assistant.engine import Assistant
    from assistant.index import Index

    return Assistant(seed_index, index=Index(seed_index, embedder=embedder))


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server on 127.0.0.1, started once and stopped at the end."""
    chroma = VENV_BIN / "chroma"
    if not chroma.exists():
        pytest.fail("the chroma CLI is missing from the venv; run `make setup`")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma server did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
