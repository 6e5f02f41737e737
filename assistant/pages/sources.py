"""The Sources page: what is indexed, and the full text of any document with a jump to a passage.

Deep links: ?doc=<doc_id>&start=<char>&end=<char> opens that document with the span highlighted
(the chat's "Open in Sources" links use them).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from assistant import ui
from assistant.pages import common
from assistant.types import place
from ingest.catalog import inferred_fields


def _int_param(name: str) -> int | None:
    raw = st.query_params.get(name, "")
    return int(raw) if raw.isdigit() else None


def on_doc_change() -> None:
    st.query_params.clear()
    st.query_params["doc"] = st.session_state["src_doc"]
    st.session_state.pop("src_chunk", None)


settings = common.load_settings()
index = common.get_index(settings)
docs = index.documents()

st.html(ui.mark_css())
st.title("Sources", anchor=False)
st.caption(
    f"{len(docs)} document{'s' if len(docs) != 1 else ''} in the index at {ui.escape_markdown(str(settings.data_dir))}. "
    "Pick one to read it in full; citations in the chat link straight to their passage here."
)
inferred = {d.doc_id: inferred_fields(index.docs, d) for d in docs}  # what no catalogue gave, marked when shown
shown = {d.doc_id: ui.document_fields(d, inferred[d.doc_id]) for d in docs}
st.dataframe(
    [
        {
            **{name.capitalize(): value for name, value in shown[d.doc_id].items()}, "Chunks": d.n_chunks,
            "Characters": d.chars, "Ingested": d.ingested_at.replace("T", " ")[:16], "File": d.source,
        }
        for d in docs
    ],
    hide_index=True, width="stretch", key="sources_table",
)
if any(inferred.values()):
    st.caption(ui.escape_markdown(ui.INFERRED_NOTE))

if not docs:
    st.stop()
by_id = {d.doc_id: d for d in docs}
wanted = st.query_params.get("doc", "")
if wanted and wanted not in by_id:
    found = index.document(wanted)
    wanted = found.doc_id if found else ""
    if not found:
        st.warning(f"No indexed document {ui.escape_markdown(st.query_params.get('doc', ''))}; pick one below.")
link = (wanted, st.query_params.get("start", ""), st.query_params.get("end", ""))
if wanted and st.session_state.get("src_link") != link:  # a new deep link: show what it points at
    st.session_state["src_link"] = link
    st.session_state["src_doc"] = wanted
    st.session_state.pop("src_chunk", None)
doc_id = st.selectbox(
    "Document", list(by_id), key="src_doc", format_func=lambda i: " — ".join(x for x in (by_id[i].title, by_id[i].publisher) if x),
    on_change=on_doc_change,
)
doc = by_id[doc_id]
text = index.text(doc_id)
chunks = index.docs.document_chunks(doc_id)

fields = shown[doc_id]
st.subheader(ui.escape_markdown(fields["title"]), anchor=False)
st.caption(ui.escape_markdown(" · ".join(x for x in (fields["publisher"], fields["date"], fields["kind"], doc.source) if x)))
if doc.url:
    st.caption("Published at: " + ui.escape_markdown(doc.url))
if ui.is_pdf(doc):
    st.download_button(
        "Original PDF", data=Path(doc.path).read_bytes, file_name=Path(doc.path).name,  # bytes read only on click
        mime="application/pdf", key="src_pdf", on_click="ignore", icon=":material/download:",
    )

# the passage to show: from the link (?start=&end=) or a chosen chunk
link_start, link_end = _int_param("start"), _int_param("end")
from_link = (
    st.query_params.get("doc", "") in (doc_id, doc.source)
    and link_start is not None and link_end is not None and 0 <= link_start < link_end <= len(text)
)
LINK = -1
options = ([LINK] if from_link else []) + list(range(len(chunks)))


def chunk_label(i: int) -> str:
    if i == LINK:
        return f"Linked passage (characters {link_start}–{link_end})"
    c = chunks[i]
    place = _place(c)
    head = " ".join(c.text.split())[:70]
    return f"{i + 1}. {c.section or '(no heading)'}{f' · {place}' if place else ''} — {head}…"


def _place(c) -> str:  # noqa: ANN001 - a stored Chunk
    """Where a passage is, as its citations say: "slide 3", "sheet Summary", "at 00:41:07", "Q112", "p. 4, para 12",
    else "p. 12"."""
    return place(index.docs.locator_at(doc_id, c.start), c.page_start)


choice = st.selectbox("Jump to a passage", options, key="src_chunk", format_func=chunk_label)
if choice == LINK:
    start, end = link_start, link_end
    chunk = next((c for c in chunks if c.start <= start < c.end), None)
else:
    chunk = chunks[choice] if chunks else None
    start, end = (chunk.start, chunk.end) if chunk else (0, 0)

if chunk is not None or choice == LINK:
    st.markdown("**Passage in context**")
    where = []
    if chunk is not None and chunk.section:
        where.append(f"Section: {chunk.section}")
    if chunk is not None and (said := place(index.docs.locator_at(doc_id, chunk.start), chunk.page_start, "Page")):
        where.append(said[:1].upper() + said[1:])  # "Slide 3", "Sheet Summary", "At 00:41:07", "Q112", "Page 4, para 12"
    if where:
        st.caption(ui.escape_markdown(" · ".join(where)))
    st.html(ui.highlight_html(text, start, end))
    if ui.is_pdf(doc) and chunk is not None and chunk.page_start:
        st.caption(f"In the original: {ui.escape_markdown(ui.pdf_fragment(doc, chunk.page_start) or '')}")

with st.expander("Full text of the document", expanded=False, icon=":material/article:"):
    st.html(ui.highlight_html(text, start, end, radius=None, max_height=700))
