"""The Streamlit app, driven with streamlit.testing.v1.AppTest on the real index of the seed corpus.

Also the pure helpers of assistant/ui.py (escaping, highlighting, Markdown export).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant import ui
from assistant.types import Answer, AnswerSentence, Citation, Filters

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SOURCES = "assistant/pages/sources.py"
RUN_TIMEOUT = 180  # first run loads the embedding model
HOSTILE = (
    'Intro <script>window.__xss=1</script> and <img src=x onerror="window.__xss=2"> then '
    "[click](javascript:window.__xss=3) and ![tracker](http://198.51.100.1/pixel.png) `code` *em* _u_ # h :red[x] $x$"
)


# --- pure helpers -----------------------------------------------------------------------------
def test_escape_markdown_neutralises_markup() -> None:
    out = ui.escape_markdown(HOSTILE)
    for raw in ("<script>", "![", "](", "`code`", "*em*", "_u_", ":red[", "$x$"):
        assert raw not in out
    assert "\\<script\\>" in out and "\\!\\[tracker\\]\\(http\\:" in out
    assert ui.escape_markdown("a\nb") == "a  \nb"
    assert ui.escape_markdown_keep_code("run `ingest corpus/` in my_dir") == "run `ingest corpus/` in my\\_dir"
    assert ui.escape_markdown_keep_code("odd ` tick <b>") == "odd \\` tick \\<b\\>"


def test_highlight_html_escapes_then_marks() -> None:
    text = "x" * 1000 + " before " + HOSTILE + " after " + "y " * 600
    start = text.index("Intro")
    end = start + len(HOSTILE)
    out = ui.highlight_html(text, start, end)
    assert "<script>" not in out and "<img" not in out
    assert f'<mark class="cited-span">{html.escape(HOSTILE)}</mark>' in out
    assert out.count("<mark") == 1 and "…" in out  # context cut on both sides
    win = ui.context_window(text, start, end, 600)
    assert len(win.before) <= 600 and len(win.after) <= 600 and win.span == HOSTILE
    full = ui.highlight_html(text, start, end, radius=None, max_height=500)
    assert "overflow-y: auto" in full and "…" not in full


def _answer(abstained: bool = False) -> Answer:
    c1 = Citation(1, "a.txt", "Doc A", "NHS Providers", "2022-09", 3, "Oversight", 10, 40, "ICBs are accountable.\nTo NHSE.", "a.txt")
    c2 = Citation(2, "b.txt", "Doc B", "The King's Fund", "2022-11", None, "", 5, 9, "*Quoted*", "b.txt")
    sents = [AnswerSentence("ICBs are accountable.", [1]), AnswerSentence("Boards are *big*.", [2], supported=False)]
    if abstained:
        return Answer("Q?", "The documents don't say.", True, [], [], [], {}, closest=[c1])
    text = "NHS Providers (Sep 2022): ICBs are accountable. [1]\nThe King's Fund (Nov 2022): Boards are *big*. [2]"
    return Answer("Q?", text, False, sents, [c1, c2], [], {"total": 12.0})


def test_answer_markdown_markers_and_unsupported() -> None:
    body, unsupported = ui.answer_markdown(_answer())
    assert unsupported and "**\\[1\\]**" in body and "\\*big\\*" in body
    assert body.startswith("**NHS Providers \\(Sep 2022\\):** ICBs")  # who said it, in bold
    assert body.count(ui.UNSUPPORTED_MARK) == 1 and body.index(ui.UNSUPPORTED_MARK) > body.index("\n\n")
    assert body.endswith("**\\[2\\]** :orange-badge[not supported by the cited passage]")
    plain = "NHS Providers (Sep 2022): ICBs are accountable. [1]\nThe King's Fund (Nov 2022): ⚠ Boards are *big*. [2]"
    assert ui.answer_plain(_answer()) == plain
    odd = _answer()
    odd.answer = "Something else entirely."  # sentences not found in the text: sentence by sentence
    body, _ = ui.answer_markdown(odd)
    assert body.splitlines()[0] == "ICBs are accountable\\. **\\[1\\]**" and ui.UNSUPPORTED_MARK in body


def test_conversation_markdown_has_numbered_sources_and_quotes() -> None:
    md = ui.conversation_markdown(
        [("Who holds ICBs to account?", _answer(), Filters(publishers=("NHS Providers",))), ("Other?", _answer(True), None)]
    )
    assert md.startswith("# ICS accountability")
    assert "## 1. Who holds ICBs to account?" in md and "_Searched publishers: NHS Providers._" in md
    assert "ICBs are accountable. [1]" in md
    assert "**[1]** Doc A — NHS Providers (2022-09). section “Oversight”; p. 3; a.txt, characters 10–40." in md
    assert "> ICBs are accountable.\n> To NHSE." in md and "> *Quoted*" in md
    assert "## 2. Other?" in md and "**No answer in the documents.**" in md and "Closest evidence" in md


def test_filters_and_years() -> None:
    f = ui.build_filters(["a.txt"], ["NHS Providers"], [], "2021", "")
    assert f == Filters(documents=("a.txt",), publishers=("NHS Providers",), since="2021") and bool(f)
    assert not ui.build_filters()
    assert "dated 2021 to …" in ui.describe_filters(f)


# --- AppTest fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app_data(seed_index, tmp_path_factory) -> Path:
    """A private copy of the seed index (the app writes feedback.sqlite into its data folder)."""
    dest = tmp_path_factory.mktemp("app") / "data"
    shutil.copytree(seed_index.data_dir, dest, ignore=shutil.ignore_patterns("*.lock"))
    return dest


def _clear_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch):
    """Point the app at a data folder via the environment; caches cleared before and after."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_") and name != "ASSISTANT_TUNED_MODEL":  # that one keeps tests on the packaged model
            monkeypatch.delenv(name)

    def use(data_dir: Path, **extra: str) -> None:
        monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
        for k, v in extra.items():
            monkeypatch.setenv(k, v)

    _clear_caches()
    yield use
    _clear_caches()


def start(app_env, data_dir: Path, **extra: str):
    from streamlit.testing.v1 import AppTest

    app_env(data_dir, **extra)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at, question: str):
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, at.exception
    return at


def last_turn(at) -> dict:
    return at.session_state["turns"][-1]


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


# --- flows ------------------------------------------------------------------------------------
def test_first_load_shows_examples_then_seed_question_gets_cited_answer(app_env, app_data: Path) -> None:
    at = start(app_env, app_data)
    assert not at.error
    labels = [b.label for b in at.button]
    assert all(q in labels for q in ui.EXAMPLE_QUESTIONS) and "New conversation" in labels
    at.button(key="example_0").click().run()
    assert not at.exception and not at.error
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = last_turn(at)["answer"]
    assert not answer.abstained and answer.citations
    body = "\n".join(m.value for m in at.chat_message[1].markdown)
    assert "**\\[1\\]**" in body
    # one expander per citation, labelled [n] title — publisher
    heads = [e.label for e in at.expander]
    assert heads[0].startswith("\\[1\\]") and ui.escape_markdown(answer.citations[0].title) in heads[0]
    assert not [b.label for b in at.button if b.label in ui.EXAMPLE_QUESTIONS]  # examples gone once asked


def test_citation_shows_highlighted_span_in_context(app_env, app_data: Path) -> None:
    at = ask(start(app_env, app_data), ui.EXAMPLE_QUESTIONS[1])
    answer = last_turn(at)["answer"]
    c = answer.citations[0]
    bodies = [b for b in html_bodies(at) if "cited-span" in b and "<mark" in b]
    assert len(bodies) >= len(answer.citations)
    first = bodies[0]
    assert f'<mark class="cited-span">{html.escape(c.quote)}</mark>' in first
    before = first.split("<mark")[0]
    assert len(before) > 100  # the passage is shown inside its surrounding text
    captions = " ".join(x.value for x in at.caption)
    assert ui.escape_markdown(c.publisher) in captions
    links = [p for p in at.get("page_link")]
    assert links and "doc=" in links[0].proto.query_string and f"start={c.start}" in links[0].proto.query_string


def test_abstaining_question_looks_different(app_env, app_data: Path) -> None:
    at = ask(start(app_env, app_data), "How many penguins live in Antarctica?")
    answer = last_turn(at)["answer"]
    assert answer.abstained
    assert at.warning, "abstentions are shown in a warning box"
    assert not any("**\\[1\\]**" in m.value for m in at.chat_message[1].markdown)
    if answer.closest:
        assert any("Closest evidence" in m.value for m in at.markdown)


def test_publisher_filter_limits_citations(app_env, app_data: Path) -> None:
    at = start(app_env, app_data)
    at.sidebar.multiselect(key="f_pubs").set_value(["The King's Fund"]).run()
    assert any("publishers" in i.value for i in at.info)
    ask(at, "How are integrated care systems held to account?")
    turn = last_turn(at)
    assert turn["filters"].publishers == ("The King's Fund",)
    cited = turn["answer"].citations or turn["answer"].closest
    assert cited and {c.publisher for c in cited} == {"The King's Fund"}
    at.sidebar.multiselect(key="f_pubs").set_value(["NHS Providers"]).run()
    ask(at, "How are integrated care systems held to account?")
    cited = last_turn(at)["answer"].citations or last_turn(at)["answer"].closest
    assert cited and {c.publisher for c in cited} == {"NHS Providers"}


def test_follow_up_passes_history_and_new_conversation_clears(app_env, app_data: Path) -> None:
    at = ask(start(app_env, app_data), "Who are integrated care boards accountable to?")
    ask(at, "And what about trusts?")
    assert [m.name for m in at.chat_message] == ["user", "assistant"] * 2
    assert len(at.session_state["turns"]) == 2
    at.button(key="new_conversation").click().run()
    assert not at.exception
    assert not at.chat_message and at.session_state["turns"] == []
    assert {b.label for b in at.button} >= set(ui.EXAMPLE_QUESTIONS)


def test_feedback_is_stored_in_sqlite(app_env, app_data: Path) -> None:
    at = ask(start(app_env, app_data), "What risks do trust leaders see in central targets?")
    turn_id = last_turn(at)["id"]
    at.feedback(key=f"fb_{turn_id}").set_value(1).run()
    assert not at.exception
    conn = sqlite3.connect(app_data / "feedback.sqlite")
    row = conn.execute("SELECT rating, question, citations, mode FROM feedback WHERE answer_id=?", (turn_id,)).fetchone()
    assert row[0] == 1 and row[1] == "What risks do trust leaders see in central targets?" and row[3] == "extractive"
    assert '"quote"' in row[2]
    at.text_input(key=f"fbc_{turn_id}").set_value("Useful, but missing the NHSE view").run()
    at.button(key=f"fbc_btn_{turn_id}").click().run()
    assert conn.execute("SELECT comment FROM feedback WHERE answer_id=?", (turn_id,)).fetchone()[0] == (
        "Useful, but missing the NHSE view"
    )
    at.feedback(key=f"fb_{turn_id}").set_value(0).run()  # thumbs down replaces the rating
    assert conn.execute("SELECT rating FROM feedback WHERE answer_id=?", (turn_id,)).fetchone()[0] == -1
    conn.close()


def test_markdown_export(app_env, app_data: Path) -> None:
    at = ask(start(app_env, app_data), ui.EXAMPLE_QUESTIONS[0])
    answer = last_turn(at)["answer"]
    assert any(b.label == "Conversation as Markdown" for b in at.sidebar.get("download_button"))
    md = at.session_state["export_markdown"]
    assert f"## 1. {ui.EXAMPLE_QUESTIONS[0]}" in md
    for c in answer.citations:
        assert f"**[{c.n}]** {c.title}" in md
        assert "> " + c.quote.strip().splitlines()[0].strip() in md
    assert "[1]" in md.split("Sources:")[0]


def test_no_index_shows_error_not_traceback(app_env, tmp_path: Path) -> None:
    at = start(app_env, tmp_path / "empty")
    assert at.error and "No index yet" in at.error[0].value
    assert not at.chat_input
    at.switch_page(SOURCES).run()
    assert not at.exception and at.error and "No index yet" in at.error[0].value


def test_bad_setting_shows_error(app_env, app_data: Path) -> None:
    at = start(app_env, app_data, ASSISTANT_LLM="nonsense")
    assert at.error and "ASSISTANT\\_LLM" in at.error[0].value


def test_sources_page_lists_documents_and_deep_links(app_env, app_data: Path) -> None:
    at = start(app_env, app_data)
    at.switch_page(SOURCES).run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert len(table) == 5 and set(table["Publisher"]) == {"NHS Providers", "NHS Confederation", "The King's Fund"}
    assert (table["Chunks"] > 0).all() and table["Ingested"].str.len().gt(0).all()
    # choose a chunk: its text is highlighted
    at.selectbox(key="src_chunk").set_value(3).run()
    assert any("<mark" in b for b in html_bodies(at))
    # deep link ?doc=&start=&end=
    from assistant.config import Settings
    from assistant.docstore import DocStore

    store = DocStore(Settings.from_env().sqlite_path, create=False)
    doc = store.documents()[4]
    text = store.text(doc.doc_id)
    store.close()
    start_, end_ = text.index("accountable"), text.index("accountable") + 60
    at2 = start(app_env, app_data)
    at2.switch_page(SOURCES)
    at2.query_params.update({"doc": doc.doc_id, "start": str(start_), "end": str(end_)})
    at2.run()
    assert not at2.exception
    assert at2.selectbox(key="src_doc").value == doc.doc_id
    assert any(f'<mark class="cited-span">{html.escape(text[start_:end_])}</mark>' in b for b in html_bodies(at2))


def test_sources_page_places_a_decks_passages_by_slide(app_env, tmp_path: Path) -> None:
    """A slide deck's passages are listed and captioned by slide, as its citations are ("slide 3"), not "p. 3"."""
    from tests.conftest import run_cli
    from tests.test_load import make_deck

    folder = tmp_path / "board"
    folder.mkdir()
    make_deck(folder / "oversight.pptx")
    data = tmp_path / "data"
    done = run_cli("ingest", str(folder), data_dir=data)
    assert done.returncode == 0, done.stdout + done.stderr
    at = start(app_env, data)
    at.switch_page(SOURCES)
    at.query_params.update({"doc": "oversight.pptx"})
    at.run()
    assert not at.exception and not at.error
    box = at.selectbox(key="src_chunk")
    assert any(" · slide 2 — " in label for label in box.options) and not any(" · p. " in label for label in box.options), box.options
    at.selectbox(key="src_chunk").set_value(len(box.options) - 1).run()
    assert any(re.search(r"· Slide \d$", x.value) for x in at.caption), [x.value for x in at.caption]  # not "Page 3"


def test_hostile_document_renders_inert(app_env, tmp_path: Path) -> None:
    from tests.conftest import run_cli

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.txt").write_text(
        "# Zebrafish oversight\n\nThe zebrafish accountability framework requires quarterly assurance reports "
        f"from every integrated care board. {HOSTILE}\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    done = run_cli("ingest", str(folder), data_dir=data)
    assert done.returncode == 0, done.stderr
    at = ask(start(app_env, data), "What does the zebrafish accountability framework require?")
    assert not at.exception
    shown = [m.value for m in at.markdown] + [e.label for e in at.expander] + [c.value for c in at.caption]
    assert any("window" in v for v in shown)  # the hostile text is in the answer, escaped
    for value in shown:
        for token in ("<script", "<img", "](javascript", "![", "`code`"):
            assert not re.search(r"(?<!\\)" + re.escape(token), value), (token, value)
    for body in html_bodies(at):
        assert "<script" not in body and "<img" not in body
    assert any("&lt;script&gt;window.__xss=1&lt;/script&gt;" in b for b in html_bodies(at))


def test_llm_endpoint_down_is_a_clear_error(app_env, app_data: Path) -> None:
    from tests.conftest import free_port

    at = start(
        app_env, app_data, ASSISTANT_LLM="openai", ASSISTANT_LLM_MODEL="some-model",
        ASSISTANT_LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1", ASSISTANT_LLM_TIMEOUT_S="5",
    )
    assert at.sidebar.radio(key="mode").value == "llm"
    assert any("some\\-model" in c.value for c in at.sidebar.caption)
    ask(at, ui.EXAMPLE_QUESTIONS[0])
    assert at.error and "language model is not available" in at.error[0].value
    assert not at.exception
    # the officer can fall back to extractive answers without restarting
    at.sidebar.radio(key="mode").set_value("extractive").run()
    ask(at, ui.EXAMPLE_QUESTIONS[0])
    assert not at.error and last_turn(at)["answer"].mode == "extractive" and last_turn(at)["answer"].citations


@pytest.mark.slow
def test_llm_mode_with_local_gguf_marks_unsupported_sentences(app_env, app_data: Path) -> None:
    pytest.importorskip("xllamacpp")
    from assistant.llm import resolve_gguf_path

    try:
        resolve_gguf_path("smollm2")
    except Exception as exc:  # noqa: BLE001 - the packaged model is optional here
        pytest.skip(f"no packaged GGUF model: {exc}")
    at = start(app_env, app_data, ASSISTANT_LLM="gguf", ASSISTANT_LLM_MODEL="smollm2")
    assert any("smollm2" in c.value for c in at.sidebar.caption)
    ask(at, ui.EXAMPLE_QUESTIONS[0])
    answer = last_turn(at)["answer"]
    assert answer.mode == "gguf" and not at.error
    if any(not s.supported for s in answer.sentences):
        body = "\n".join(m.value for m in at.chat_message[1].markdown)
        assert ui.UNSUPPORTED_MARK in body and "not supported by the cited passage" in body
        assert any("verify it before quoting" in c.value for c in at.caption)


def test_pdf_citation_offers_original_and_page_fragment(app_env, tmp_path: Path) -> None:
    from fpdf import FPDF

    from tests.conftest import run_cli

    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Walrus governance review. This first page is about unrelated budgeting matters of the board.")
    pdf.add_page()
    pdf.multi_cell(0, 8, "The walrus accountability compact obliges every integrated care board to publish its minutes monthly.")
    pdf.output(str(folder / "walrus.pdf"))
    data = tmp_path / "data"
    done = run_cli("ingest", str(folder), data_dir=data)
    assert done.returncode == 0, done.stdout + done.stderr
    at = ask(start(app_env, data), "What does the walrus accountability compact oblige boards to do?")
    cites = last_turn(at)["answer"].citations
    assert cites and all(c.page in (1, 2) for c in cites)
    assert len([b for b in at.get("download_button") if b.label == "Original PDF"]) == len(cites)
    captions = " ".join(x.value for x in at.caption)
    for c in cites:
        assert f"walrus\\.pdf\\#page\\={c.page}" in captions
    at.switch_page(SOURCES).run()
    assert not at.exception and any(b.label == "Original PDF" for b in at.get("download_button"))


def test_inferred_metadata_marked_and_transcript_citation_shows_its_locator(app_env, tmp_path: Path) -> None:
    """Oral evidence with no catalogue: the Sources page marks what was inferred, an answer's citation says "Q104"."""
    from tests.conftest import run_cli
    from tests.test_transcript import HANSARD

    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "hsc-oral-evidence.txt").write_text(HANSARD, encoding="utf-8")
    data = tmp_path / "data"
    done = run_cli("ingest", str(folder), data_dir=data)
    assert done.returncode == 0, done.stdout + done.stderr
    at = ask(start(app_env, data), "Can integrated care boards move funding between budgets?")
    cites = last_turn(at)["answer"].citations
    assert cites and all(re.fullmatch(r"Q10[3-6]", c.locator) for c in cites), [(c.locator, c.quote) for c in cites]
    assert any("single allocation" in c.quote and c.locator == "Q104" for c in cites)
    labels = [e.label for e in at.expander]
    for c in cites:  # the heading of each source names its question, as a PDF's names its page
        assert any(label.startswith(f"\\[{c.n}\\]") and f" · {c.locator}" in label for label in labels), labels
    assert any("Q104" in x.value for x in at.caption)  # and so does the line above the highlighted passage
    at.switch_page(SOURCES).run()
    assert not at.exception and not at.error
    row = at.dataframe[0].value.iloc[0]
    assert row["Title"] == "Oral evidence: Integrated care systems: autonomy and accountability, HC 587 *"
    assert (row["Publisher"], row["Date"], row["Kind"]) == ("Health and Social Care Committee *", "2023-03-14 *", "transcript *")
    assert any("inferred from the document itself" in x.value for x in at.caption)
    assert at.subheader[0].value.endswith(" \\*") and any("Health and Social Care Committee \\*" in x.value for x in at.caption)
