"""The systems the harness runs: three plain baselines and the full assistant (Python API or `assistant ask --batch`).

Every system turns a list of questions into one answer JSON per question, in the `Answer.to_json()`
shape (or `{id, error}`). Baselines never abstain and get the raw follow-up question without history,
as a plain retriever would; the full system gets the history.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.config import Settings
from assistant.index import Index
from assistant.lexical import tokens
from eval.dataset import Question
from eval.metrics import STOPWORDS

BM25_K = 10
BM25_SENTENCES = 3
BATCH_TIMEOUT_S = 1800
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n\s*")

AnswerJson = dict[str, Any]


class System(Protocol):
    """Answers a list of questions; one answer JSON per question, in order."""

    name: str

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]: ...


# helpers ---------------------------------------------------------------------------------------------
def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence or line of `text`, whitespace trimmed."""
    spans, start = [], 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        if match:
            start = match.end()
    return spans


def passage_json(rank: int, source: str, start: int, end: int, score: float, text: str) -> dict[str, Any]:
    return {"rank": rank, "source": source, "start": start, "end": end, "score": score, "text": text}


def extractive_answer(
    q: Question, passages: list[dict[str, Any]], text: str, start: int, end: int, elapsed_ms: float
) -> AnswerJson:
    """An answer whose sentences are `text` (stored[start:end] of the top passage), all cited as [1]."""
    top = passages[0] if passages else None
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    citations = []
    if top:
        citations = [{"n": 1, "source": top["source"], "title": "", "publisher": "", "date": "", "page": None,
                      "section": "", "start": start, "end": end, "quote": text}]
    return {
        "id": q.id,
        "question": q.question,
        "answer": " ".join(f"{s} [1]" for s in sentences),
        "abstained": False,
        "sentences": [{"text": s, "citations": [1] if top else [], "supported": True} for s in sentences],
        "citations": citations,
        "passages": passages,
        "timings_ms": {"retrieve": elapsed_ms, "answer": 0.0, "total": elapsed_ms},
    }


def each(q_fn: Callable[[Question], AnswerJson], questions: Sequence[Question]) -> list[AnswerJson]:
    """Answer questions one by one; an exception becomes an {id, error} line."""
    out = []
    for q in questions:
        try:
            out.append(q_fn(q))
        except Exception as exc:  # noqa: BLE001 - one failing question must not stop the run
            out.append({"id": q.id, "question": q.question, "error": f"{type(exc).__name__}: {exc}"})
    return out


# baselines -------------------------------------------------------------------------------------------
class BM25Baseline:
    """Top-10 chunks from the lexical index for the question's non-stopword tokens; answer = 3 sentences of the top one."""

    name = "bm25"

    def __init__(self, index: Index) -> None:
        self.index = index

    def answer(self, q: Question) -> AnswerJson:
        t0 = time.perf_counter()
        terms = [t for t in tokens(q.question) if t not in STOPWORDS]
        hits = self.index.lexical(terms, BM25_K)
        passages = [passage_json(r, c.doc_id, c.start, c.end, s, c.text) for r, (c, s) in enumerate(hits, 1)]
        text, start, end = "", 0, 0
        if hits:
            chunk = hits[0][0]
            spans = sentence_spans(chunk.text)[:BM25_SENTENCES]
            a, b = spans[0][0], spans[-1][1]
            text, start, end = chunk.text[a:b], chunk.start + a, chunk.start + b
        return extractive_answer(q, passages, text, start, end, (time.perf_counter() - t0) * 1000)

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]:
        return each(self.answer, questions)


class DenseBaseline:
    """A plain LangChain retriever over the same Chroma collection, default settings (k=4); answer = top chunk."""

    name = "dense"

    def __init__(self, index: Index, settings: Settings) -> None:
        from langchain_chroma import Chroma

        from assistant.embed import as_langchain

        store = Chroma(
            client=index.vectors.client,
            collection_name=settings.collection,
            embedding_function=as_langchain(index.embedder),
        )
        self.retriever = store.as_retriever()

    def answer(self, q: Question) -> AnswerJson:
        t0 = time.perf_counter()
        docs = self.retriever.invoke(q.question)
        passages = [
            passage_json(r, d.metadata["source"], int(d.metadata["start"]), int(d.metadata["end"]), 0.0, d.page_content)
            for r, d in enumerate(docs, 1)
        ]
        top = passages[0] if passages else {"text": "", "start": 0, "end": 0}
        return extractive_answer(q, passages, top["text"], top["start"], top["end"], (time.perf_counter() - t0) * 1000)

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]:
        return each(self.answer, questions)


class LangChainBaseline:
    """What a hand-built LangChain script does: its own 1000-character chunks of each stored text
    (RecursiveCharacterTextSplitter, 200 overlap, start index kept), an in-memory Chroma with the same
    embedder, top 3 chunks; the answer quotes all three, cited [1]-[3]. Never abstains."""

    name = "lc"
    CHUNK_CHARS, OVERLAP, K = 1000, 200, 3

    def __init__(self, index: Index, texts: dict[str, str]) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.embed import as_langchain

        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=self.CHUNK_CHARS, chunk_overlap=self.OVERLAP, add_start_index=True)
        docs = splitter.create_documents(list(texts.values()), metadatas=[{"source": s} for s in texts])
        client = chromadb.EphemeralClient(chromadb.config.Settings(anonymized_telemetry=False))
        name = f"lc-baseline-{os.getpid()}"
        if name in [c.name for c in client.list_collections()]:
            client.delete_collection(name)
        self.store = Chroma(client=client, collection_name=name, embedding_function=as_langchain(index.embedder))
        for i in range(0, len(docs), 256):
            self.store.add_documents(docs[i : i + 256])
        self.warm_up_s = time.perf_counter() - t0

    def answer(self, q: Question) -> AnswerJson:
        t0 = time.perf_counter()
        docs = self.store.similarity_search(q.question, k=self.K)
        passages = []
        for r, d in enumerate(docs, 1):
            start = int(d.metadata["start_index"])
            passages.append(passage_json(r, d.metadata["source"], start, start + len(d.page_content), 0.0, d.page_content))
        elapsed = (time.perf_counter() - t0) * 1000
        citations = [
            {"n": p["rank"], "source": p["source"], "title": "", "publisher": "", "date": "", "page": None, "section": "",
             "start": p["start"], "end": p["end"], "quote": p["text"]}
            for p in passages
        ]  # fmt: skip
        sentences = [{"text": p["text"], "citations": [p["rank"]], "supported": True} for p in passages]
        return {
            "id": q.id, "question": q.question, "abstained": False,
            "answer": " ".join(f"{p['text']} [{p['rank']}]" for p in passages),
            "sentences": sentences, "citations": citations, "passages": passages,
            "timings_ms": {"retrieve": elapsed, "answer": 0.0, "total": elapsed},
        }  # fmt: skip

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]:
        return each(self.answer, questions)


# the system under test --------------------------------------------------------------------------------
class FullSystem:
    """The assistant through its Python API (models loaded once); follow-ups get their history."""

    name = "full"

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.warm_up_s = 0.0

    def answer(self, q: Question) -> AnswerJson:
        t0 = time.perf_counter()
        out = self.assistant.ask(q.question, history=list(q.history)).to_json()
        out["id"] = q.id
        out.setdefault("timings_ms", {}).setdefault("total", (time.perf_counter() - t0) * 1000)
        return out

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]:
        """Warm up first (load models, embed the corpus sentences) so per-question latency is steady-state."""
        t0 = time.perf_counter()
        if hasattr(self.assistant, "warm_up"):
            self.assistant.warm_up()
        self.warm_up_s = time.perf_counter() - t0
        return each(self.answer, questions)


class BatchCliSystem:
    """The assistant end to end as a process: `assistant ask --batch IN --out OUT`."""

    name = "full"

    def __init__(self, settings: Settings, executable: Path | None = None) -> None:
        self.settings = settings
        self.executable = executable or Path(sys.executable).parent / "assistant"

    def answer_all(self, questions: Sequence[Question]) -> list[AnswerJson]:
        with tempfile.TemporaryDirectory(prefix="eval-batch-") as tmp:
            src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
            src.write_text(
                "".join(json.dumps({"id": q.id, "question": q.question, "history": list(q.history)}) + "\n" for q in questions),
                encoding="utf-8",
            )
            env = {**os.environ, "ASSISTANT_DATA_DIR": str(self.settings.data_dir)}
            proc = subprocess.run(
                [str(self.executable), "ask", "--batch", str(src), "--out", str(dst)],
                env=env, capture_output=True, text=True, timeout=BATCH_TIMEOUT_S, check=False,
            )
            lines = dst.read_text(encoding="utf-8").splitlines() if dst.exists() else []
        by_id = {obj.get("id"): obj for obj in map(json.loads, filter(str.strip, lines))}
        failure = f"assistant ask --batch exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
        return [by_id.get(q.id) or {"id": q.id, "question": q.question, "error": failure} for q in questions]
