"""The chat page: ask, read the answer with its [n] citations, open each in its document, rate it."""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import datetime
from typing import Any

import streamlit as st

from assistant import ui
from assistant.errors import AssistantError
from assistant.feedback import FeedbackRecord, FeedbackStore
from assistant.pages import common
from assistant.types import Answer, Filters

log = logging.getLogger("assistant.app")


# --- session state ----------------------------------------------------------------------------
def turns() -> list[dict[str, Any]]:
    return st.session_state.setdefault("turns", [])


def new_conversation() -> None:
    st.session_state["turns"] = []
    st.session_state.pop("pending_question", None)


def ask_example(question: str) -> None:
    st.session_state["pending_question"] = question


# --- sidebar: conversation, answer mode, filters ----------------------------------------------
def sidebar(settings, index) -> tuple[Filters, bool, Any]:
    with st.sidebar:
        st.button(
            "New conversation", on_click=new_conversation, type="primary", icon=":material/add_comment:",
            width="stretch", key="new_conversation",
        )
        if settings.llm != "none":
            mode = st.radio(
                "Answer mode", ["llm", "extractive"], key="mode",
                format_func=lambda m: "Language model (written answer)" if m == "llm" else "Extractive (quotes only)",
            )
            use_llm = mode == "llm"
            st.caption(
                f"Model in use: {ui.escape_markdown(settings.llm_model or settings.llm)} ({settings.llm})" if use_llm
                else "Answers are sentences quoted from the documents."
            )
        else:
            use_llm = False
            st.caption("Answer mode: extractive — sentences quoted from the documents (no language model configured).")

        docs = index.documents()
        st.subheader("Search only in", divider="gray")
        by_id = {d.doc_id: d for d in docs}
        chosen_docs = st.multiselect(
            "Documents", list(by_id), key="f_docs", format_func=lambda i: by_id[i].title or i, placeholder="All documents",
        )
        publishers = sorted({d.publisher for d in docs if d.publisher})
        chosen_pubs = st.multiselect("Publishers", publishers, key="f_pubs", placeholder="All publishers")
        kinds = sorted({d.kind for d in docs if d.kind})
        chosen_kinds = st.multiselect("Kinds", kinds, key="f_kinds", placeholder="All kinds")
        since = until = ""
        years = ui.years_of(docs)
        if len(years) > 1:
            lo, hi = st.select_slider("Published", options=years, value=(years[0], years[-1]), key="f_years")
            if (lo, hi) != (years[0], years[-1]):
                since, until = str(lo), str(hi)
        filters = ui.build_filters(
            [by_id[i].source for i in chosen_docs if i in by_id], chosen_pubs, chosen_kinds, since, until
        )
        export_slot = st.empty()  # filled at the end of the run, once this run's answer is in
        st.caption(
            f"{len(docs)} document{'s' if len(docs) != 1 else ''} indexed · embeddings: {ui.escape_markdown(settings.embed_model)}"
        )
    return filters, use_llm, export_slot


def render_export(slot) -> None:
    if not turns():
        return
    md = ui.conversation_markdown([(t["question"], t["answer"], t["filters"]) for t in turns()])
    st.session_state["export_markdown"] = md
    with slot.container():
        st.subheader("Export", divider="gray")
        st.download_button(
            "Conversation as Markdown", data=md, file_name=f"ics-evidence-{datetime.now():%Y%m%d-%H%M}.md",
            mime="text/markdown", key="export_md", on_click="ignore", icon=":material/download:",
            width="stretch", help="Questions, answers with [n] markers, and each source with its quote.",
        )


# --- one turn ---------------------------------------------------------------------------------
def save_rating(turn: dict[str, Any], store: FeedbackStore) -> None:
    value = st.session_state.get(f"fb_{turn['id']}")
    try:
        if value is None:
            store.remove(turn["id"])
            return
        answer: Answer = turn["answer"]
        store.record(FeedbackRecord(
            answer_id=turn["id"], rating=1 if value == 1 else -1, question=turn["question"],
            answer=ui.answer_plain(answer), comment=st.session_state.get(f"fbc_{turn['id']}", ""),
            abstained=answer.abstained, citations=[c.to_json() for c in (answer.citations or answer.closest)],
            filters=turn["filters"].to_json(), mode=answer.mode or turn["mode"], model=turn.get("model", ""),
        ))
        st.toast("Thanks — your rating was saved.", icon=":material/check:")
    except AssistantError as exc:
        st.session_state[f"fb_err_{turn['id']}"] = str(exc)


def save_comment(turn: dict[str, Any], store: FeedbackStore) -> None:
    comment = st.session_state.get(f"fbc_{turn['id']}", "")
    try:
        if store.set_comment(turn["id"], comment):
            st.toast("Comment saved.", icon=":material/check:")
    except AssistantError as exc:
        st.session_state[f"fb_err_{turn['id']}"] = str(exc)


def render_answer(turn: dict[str, Any], index, store: FeedbackStore) -> None:
    answer: Answer = turn["answer"]
    tid = turn["id"]
    if answer.resolved_question and answer.resolved_question.strip() != turn["question"].strip():
        st.caption(f"Searched for: {ui.escape_markdown(answer.resolved_question)}")
    if answer.abstained:
        with st.container(border=True, key=f"abstain_{tid}"):
            st.warning(ui.escape_markdown(answer.answer.strip() or "The documents don't say."), icon=":material/search_off:")
            st.caption("No passage in the indexed documents answers this, so no answer is given.")
            if answer.closest:
                st.markdown("**Closest evidence** — related passages, not an answer:")
                for c in answer.closest:
                    common.render_citation(c, index, key=f"{tid}_closest_{c.n}")
    else:
        body, unsupported = ui.answer_markdown(answer)
        with st.container(key=f"answer_{tid}"):
            st.markdown(body)
        if unsupported:
            st.caption(f"{ui.UNSUPPORTED_MARK} marks a sentence the checker could not match to its cited passage: verify it before quoting.")
        if answer.citations:
            st.markdown("**Sources** — open one to see the passage in its document:")
            for c in answer.citations:
                common.render_citation(c, index, key=f"{tid}_cite_{c.n}")
    took = sum(answer.timings_ms.values()) if answer.timings_ms else 0
    mode = "language model" if answer.mode not in ("", "extractive") else "extractive"
    extra = f" · {ui.escape_markdown(ui.describe_filters(turn['filters']))}" if turn["filters"] else ""
    st.caption(f"{mode} answer{extra}" + (f" · {took / 1000:.1f} s" if took else ""))

    cols = st.columns([1, 5], vertical_alignment="center")
    with cols[0]:
        st.feedback("thumbs", key=f"fb_{tid}", on_change=save_rating, args=(turn, store))
    rating = st.session_state.get(f"fb_{tid}")
    if rating is not None:
        with cols[1]:
            c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
            c1.text_input(
                "Comment (optional)", key=f"fbc_{tid}", placeholder="What was good or wrong about this answer?",
                on_change=save_comment, args=(turn, store), label_visibility="collapsed",
            )
            c2.button("Save comment", key=f"fbc_btn_{tid}", on_click=save_comment, args=(turn, store))
    if err := st.session_state.pop(f"fb_err_{tid}", None):
        st.error(f"Feedback was not saved: {ui.escape_markdown(err)}")


def render_question(text: str) -> None:
    with st.chat_message("user"):
        st.markdown(ui.escape_markdown(text))


# --- the page ---------------------------------------------------------------------------------
settings = common.load_settings()
index = common.get_index(settings)
filters, use_llm, export_slot = sidebar(settings, index)
assistant = common.get_assistant(settings, use_llm=use_llm)
store = common.feedback_store(settings)

st.html(ui.mark_css())
st.title("ICS accountability evidence", anchor=False)
st.caption(
    "Ask how integrated care systems in England are held to account. Every sentence cites the passage it comes "
    "from: open a source to see it highlighted in its document."
)
if filters:
    st.info(f"Searching only {ui.escape_markdown(ui.describe_filters(filters))}.", icon=":material/filter_alt:")

for turn in turns():
    render_question(turn["question"])
    with st.chat_message("assistant"):
        render_answer(turn, index, store)

examples = st.empty()
if not turns():
    with examples.container():
        st.markdown("**Try one of these:**")
        cols = st.columns(2)
        for i, q in enumerate(ui.EXAMPLE_QUESTIONS):
            cols[i % 2].button(q, key=f"example_{i}", on_click=ask_example, args=(q,), width="stretch")

question = st.chat_input("Ask about ICS accountability, oversight or governance…", key="question", max_chars=2000)
question = question or st.session_state.pop("pending_question", None)
if question and question.strip():
    question = question.strip()
    examples.empty()
    render_question(question)
    history = [t["question"] for t in turns()]
    with st.chat_message("assistant"):
        live = st.empty()
        streamed: list[str] = []

        def on_token(token: str) -> None:
            streamed.append(token)
            live.markdown(ui.escape_markdown("".join(streamed)) + " ▌")

        try:
            # a local model serves one request at a time; extractive answers run concurrently across sessions
            lock = common.ask_lock() if use_llm else contextlib.nullcontext()
            with st.spinner("Searching the documents… (the first question after indexing can take a minute)"), lock:
                answer = assistant.ask(question, history=history, filters=filters or None, on_token=on_token if use_llm else None)
        except AssistantError as exc:
            live.empty()
            common.show_error(exc, stop=False)
            st.stop()
        except Exception as exc:  # never show a traceback to the officer
            log.exception("ask failed")
            live.empty()
            st.error(f"Something went wrong while answering ({type(exc).__name__}); please try again or rephrase.")
            st.stop()
        live.empty()
        turn = {
            "id": uuid.uuid4().hex, "question": question, "answer": answer, "filters": filters,
            "mode": "llm" if use_llm else "extractive", "model": settings.llm_model if use_llm else "",
        }
        turns().append(turn)
        render_answer(turn, index, store)

render_export(export_slot)
