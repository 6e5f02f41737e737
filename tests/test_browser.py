"""End to end in a real headless Chromium (Debian's /usr/bin/chromium) against `streamlit run app.py`.

Screenshots go to tests/artifacts/ (git-ignored). Every wait is bounded in count and time.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import env_for, free_port, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-default-apps", "--disable-extensions",
    "--metrics-recording-only", "--no-default-browser-check",
]
SERVER_START_S, SERVER_POLLS = 120, 400
ANSWER_TIMEOUT_MS = 180_000  # the first question loads the embedding model in the app process
QUESTION = "Who are integrated care boards accountable to?"
HOSTILE_DOC = """# Zebrafish oversight notes

The zebrafish accountability framework requires quarterly assurance reports from every integrated care board.
<script>window.__xss=1</script>
<img src=x onerror="window.__xss=2">
[click](javascript:window.__xss=3)
![tracker](http://198.51.100.1/pixel.png)
The zebrafish framework also requires an annual review of each board's performance.
"""

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (`make system-deps` installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Server:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port",
             str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env_for(data_dir), stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + SERVER_START_S
        for _ in range(SERVER_POLLS):
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"streamlit did not start on {self.url}: {log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def seed_server(seed_index, tmp_path_factory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("browser-seed") / "data"
    shutil.copytree(seed_index.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    server = Server(data, data.parent / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser-xss")
    folder = root / "docs"
    folder.mkdir()
    (folder / "zebrafish.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    done = run_cli("ingest", str(folder), data_dir=root / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    server = Server(root / "data", root / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000}, accept_downloads=False,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    yield page
    page.close()


def ask(page, url: str, question: str) -> None:
    page.goto(url)
    box = page.locator('[data-testid="stChatInput"] textarea')
    box.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    box.fill(question)
    box.press("Enter")
    page.locator('[data-testid="stChatMessage"]').nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator('[data-testid="stExpander"]').first.wait_for(timeout=ANSWER_TIMEOUT_MS)


def open_first_citation(page):
    page.locator('[data-testid="stExpander"] summary').first.click()
    mark = page.locator("mark.cited-span").first
    mark.wait_for(state="visible", timeout=30_000)
    return mark


def rerun_safe(action, tries: int = 5, pause_s: float = 0.5):
    """Run a browser action again if a Streamlit rerun replaced its element meanwhile (bounded)."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(tries):
        try:
            return action()
        except PlaywrightError as exc:
            if "not attached" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(pause_s)
    return None


def poll(check, seconds: float = 20, tries: int = 100):
    """Call check() until it returns something truthy, at most `tries` times within `seconds`."""
    deadline = time.monotonic() + seconds
    for _ in range(tries):
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(seconds / tries)
    return check()


def test_ask_cite_open_and_rate(seed_server: Server, page, shots: Path) -> None:
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
    page.goto(seed_server.url)
    page.get_by_role("button", name=QUESTION).wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.screenshot(path=str(shots / "01-first-load.png"))

    ask(page, seed_server.url, QUESTION)
    answer = page.locator('[data-testid="stChatMessage"]').nth(1)
    assert "[1]" in answer.inner_text()
    first = page.locator('[data-testid="stExpander"] summary').first
    assert "[1] " in first.inner_text()  # label after the icon ligature
    page.screenshot(path=str(shots / "02-answer.png"))

    mark = open_first_citation(page)
    quote = rerun_safe(lambda: mark.inner_text().strip())
    assert len(quote) > 20
    context = rerun_safe(lambda: page.locator(".cited-context").first.inner_text())
    assert len(context) > len(quote) + 100  # shown inside its surrounding text
    rerun_safe(lambda: mark.scroll_into_view_if_needed(timeout=10_000))
    page.screenshot(path=str(shots / "03-citation-open.png"))

    page.get_by_role("radio", name="Thumbs up").first.click()
    comment = page.get_by_placeholder("What was good or wrong about this answer?")
    comment.wait_for(timeout=30_000)
    comment.fill("Exactly the passage I needed")
    comment.press("Enter")

    def stored():
        path = seed_server.data_dir / "feedback.sqlite"
        if not path.exists():
            return None
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT rating, question, comment FROM feedback").fetchall()
        except sqlite3.Error:
            return None
        finally:
            conn.close()

    rows = poll(lambda: [r for r in (stored() or []) if r[2]], seconds=30)
    assert rows and rows[0][0] == 1 and rows[0][1] == QUESTION and rows[0][2] == "Exactly the passage I needed"
    page.screenshot(path=str(shots / "04-feedback.png"))

    # the citation's deep link opens the Sources page at the highlighted passage
    page.get_by_role("link", name="Open in Sources").first.click()
    page.locator('[data-testid="stDataFrame"]').wait_for(timeout=60_000)
    page.get_by_text("5 documents in the index").wait_for(timeout=30_000)
    sources_mark = page.locator("mark.cited-span").first
    sources_mark.wait_for(state="visible", timeout=30_000)
    assert sources_mark.inner_text().strip() == quote
    assert "start=" in page.url and "doc=" in page.url
    page.screenshot(path=str(shots / "05-sources-deep-link.png"))
    assert not external, external


def test_hostile_document_is_inert_in_the_browser(hostile_server: Server, page, shots: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    ask(page, hostile_server.url, "What does the zebrafish accountability framework require?")
    open_first_citation(page)
    page.screenshot(path=str(shots / "06-xss-citation.png"))

    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('img[src*="198.51.100.1"]').count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator(".cited-context").get_by_text("<script>window.__xss=1</script>").first.is_visible()
    assert page.get_by_text("![tracker](http://198.51.100.1/pixel.png)").first.is_visible()

    # and on the Sources page (table, full text)
    page.goto(f"{hostile_server.url}/sources")
    page.locator('[data-testid="stDataFrame"]').wait_for(timeout=60_000)
    page.locator(".cited-context").first.wait_for(timeout=30_000)
    page.get_by_text("Full text of the document").click()
    page.locator(".cited-context").get_by_text("<script>window.__xss=1</script>").first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "07-xss-sources.png"))
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator('img[src="x"], img[src*="198.51.100.1"]').count() == 0

    off_host = [u for u in requests if urlparse(u).hostname != "127.0.0.1"]
    assert not off_host, off_host


def test_two_sessions_keep_their_own_conversations(seed_server: Server, browser_context, shots: Path) -> None:
    questions = ["What risks do trust leaders see in central targets?", "How should NHS England's oversight of ICSs change?"]
    pages = [browser_context.new_page() for _ in questions]
    try:
        for page in pages:
            page.goto(seed_server.url)
            page.locator('[data-testid="stChatInput"] textarea').wait_for(timeout=ANSWER_TIMEOUT_MS)
        for page, q in zip(pages, questions, strict=True):  # both asked before either answer is awaited
            box = page.locator('[data-testid="stChatInput"] textarea')
            box.fill(q)
            box.press("Enter")
        for page, q in zip(pages, questions, strict=True):
            page.locator('[data-testid="stExpander"]').first.wait_for(timeout=ANSWER_TIMEOUT_MS)
            messages = page.locator('[data-testid="stChatMessage"]')
            assert messages.count() == 2 and q in messages.first.inner_text()
            other = questions[1 - questions.index(q)]
            assert not any(other in t for t in messages.all_inner_texts())
        pages[1].screenshot(path=str(shots / "08-second-session.png"))
    finally:
        for page in pages:
            page.close()


def test_abstention_looks_different(seed_server: Server, page, shots: Path) -> None:
    page.goto(seed_server.url)
    box = page.locator('[data-testid="stChatInput"] textarea')
    box.wait_for(timeout=ANSWER_TIMEOUT_MS)
    box.fill("How many penguins live in Antarctica?")
    box.press("Enter")
    alert = page.locator('[data-testid="stChatMessage"] [data-testid="stAlert"]').first
    alert.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "don't say" in alert.inner_text()
    page.get_by_text("Closest evidence").first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "09-abstention.png"))


def test_no_index_shows_what_to_run(tmp_path: Path, page, shots: Path) -> None:
    server = Server(tmp_path / "empty-data", tmp_path / "streamlit.log")
    try:
        page.goto(server.url)
        alert = page.locator('[data-testid="stAlert"]').first
        alert.wait_for(timeout=60_000)
        assert "No index yet" in alert.inner_text() and "Traceback" not in page.content()
        page.screenshot(path=str(shots / "10-no-index.png"))
    finally:
        server.stop()
