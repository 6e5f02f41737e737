"""Sentences made at ingest: stored with their document, read by id at question time, repaired when missing;
progress lines off a terminal; concurrent askers on one Assistant."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.cite import Sentence, split_sentences
from assistant.docstore import DocStore, SentenceRecord
from assistant.sentences import FINGERPRINT, _holding_chunk, evidence_texts
from assistant.types import Chunk, DocumentInfo
from tests.conftest import CORPUS, make_settings

QUESTIONS = [
    "Who is an integrated care board accountable to?",
    "How many ICSs are there in England?",
    "Do NHS Providers and the NHS Confederation agree that ICBs risk becoming another layer of bureaucracy?",
    "What did NHS Providers' regulation survey find about the CQC?",
    "What is the acid test for ICPs?",
    "By how much did One Northern Devon reduce A&E visits?",
    "What was Cheshire and Merseyside ICB's 2023/24 allocation?",
    "What do system leaders interviewed by The King's Fund say about NHS England's regional teams?",
]


class HashEmbedder:
    """A fast, deterministic stand-in: hashed words, unit length (readable enough for plumbing tests)."""

    name, dim, tuned = "hash-test", 32, False

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out.tolist()


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.tuned, self.texts = inner, inner.name, inner.dim, False, 0

    def embed(self, texts):
        self.texts += len(texts)
        return self.inner.embed(texts)


def signature(answer) -> str:
    data = answer.to_json()
    return json.dumps({k: data[k] for k in ("answer", "abstained", "citations", "passages")}, sort_keys=True)


# the store ----------------------------------------------------------------------------
def _doc(doc_id: str, content_hash: str = "h1") -> DocumentInfo:
    return DocumentInfo(doc_id=doc_id, source=doc_id, title=doc_id, content_hash=content_hash)


def test_sentence_rows_go_in_and_out_with_their_document_and_keep_the_stem_counts(tmp_path: Path) -> None:
    store = DocStore(tmp_path / "index.sqlite")
    vector = np.ones(4, dtype=np.float32).tobytes()
    a = SentenceRecord("fp", "m", [(0, 5, 0, 1, None, None), (6, 20, 1, 0, 0, vector)], {"board": 1, "trust": 1})
    b = SentenceRecord("fp", "m", [(0, 9, 0, 0, 0, vector), (10, 19, 0, 0, 0, vector)], {"board": 2})
    chunk = Chunk("c-a", "a", 0, 0, 20, "x" * 20, "", None, None)
    store.replace_document(_doc("a"), "/r", "x" * 20, [], [chunk], a)
    store.replace_document(_doc("b"), "/r", "y" * 19, [], [Chunk("c-b", "b", 0, 0, 19, "y" * 19, "", None, None)], b)
    assert store.stem_counts() == ({"board": 3, "trust": 1}, 3)
    assert store.sentence_state("a") == ("h1", "fp", "m", 1)
    assert store.sentence_rows("a") == [(0, 5, 0, 1, None), (6, 20, 1, 0, 0)]
    assert store.sentence_vectors("a", [0, 1]) == {1: vector}  # a heading has no vector
    store.replace_document(_doc("a", "h2"), "/r", "x" * 20, [], [chunk], None)  # replaced without sentences: its old ones go
    assert store.sentence_state("a") is None and store.stem_counts() == ({"board": 2}, 2)
    assert not store.put_sentences("a", "h1", a)  # the document changed since these were made
    assert store.put_sentences("a", "h2", a) and store.stem_counts() == ({"board": 3, "trust": 1}, 3)
    store.delete_document("b")
    assert store.stem_counts() == ({"board": 1, "trust": 1}, 1) and store.sentence_rows("b") == []


def test_the_fingerprint_changes_with_the_splitters_version_as_well_as_with_its_output(monkeypatch) -> None:
    import assistant.sentences as sentences

    assert sentences._fingerprint() == FINGERPRINT
    monkeypatch.setattr(sentences, "SPLIT_VERSION", "a rule the probe does not show")
    assert sentences._fingerprint() != FINGERPRINT  # stored sentence banks are split again


def test_the_holding_chunk_is_the_one_with_most_of_the_sentence_earliest_on_ties() -> None:
    text = "".join(f"Sentence number {i} says something about boards. " for i in range(200))
    chunks = [Chunk(f"c{i}", "d", i, start, min(len(text), start + 700), "", "", None, None) for i, start in enumerate(range(0, len(text), 500))]
    sentences = split_sentences("d", text)

    def brute(s):
        best, best_overlap = None, 0
        for c in chunks:
            overlap = min(s.end, c.end) - max(s.start, c.start)
            if overlap > best_overlap:
                best, best_overlap = c.index, overlap
        return best

    starts = [c.start for c in chunks]
    assert [_holding_chunk(s, chunks, starts) for s in sentences] == [brute(s) for s in sentences]


# ingest stores them; asking reads them ------------------------------------------------------
def test_ingest_stores_every_documents_sentences_and_asking_embeds_only_the_question(tmp_path: Path) -> None:
    from assistant.engine import Assistant
    from assistant.index import Index
    from ingest.pipeline import Ingestor

    settings = make_settings(tmp_path / "data")
    embedder = HashEmbedder()
    report = Ingestor(settings, embedder=embedder, progress=False).run([CORPUS])
    docs = DocStore(settings.sqlite_path, create=False)
    split = {d.doc_id: split_sentences(d.doc_id, docs.text(d.doc_id)) for d in docs.documents()}
    sentences = sum(len(evidence_texts(s)) for s in split.values())
    assert embedder.texts == report.chunks_embedded + sentences  # one pass: chunks and sentences
    states = docs.sentence_states()
    assert {doc_id: s[1:] for doc_id, s in states.items()} == {d: (FINGERPRINT, "hash-test", len(evidence_texts(s))) for d, s in split.items()}

    embedder.texts = 0
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    answer = bot.ask(QUESTIONS[0])
    assert answer.passages and embedder.texts == 1  # the question: no sentence embedded at question time
    assert not (settings.data_dir / "sentences").exists()
    text = docs.text(answer.passages[0].doc.doc_id)
    assert all(text[c.start : c.end] == c.quote for c in answer.citations if c.doc_id == answer.passages[0].doc.doc_id)


def test_sentences_missing_from_an_older_index_are_made_once_and_answers_do_not_change(tmp_path: Path) -> None:
    from assistant.engine import Assistant
    from assistant.index import Index
    from ingest.pipeline import Ingestor

    settings = make_settings(tmp_path / "data")
    embedder = HashEmbedder()
    Ingestor(settings, embedder=embedder, progress=False).run([CORPUS])
    expected = [signature(Assistant(settings, index=Index(settings, embedder=embedder)).ask(q)) for q in QUESTIONS[:3]]

    old = make_settings(tmp_path / "old")
    shutil.copytree(settings.data_dir, old.data_dir)
    with sqlite3.connect(old.sqlite_path) as conn:  # as an index made before sentences were stored
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM sentence_docs")
        assert conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == 0
    bot = Assistant(old, index=Index(old, embedder=embedder))
    assert [signature(bot.ask(q)) for q in QUESTIONS[:3]] == expected
    embedder.texts = 0
    assert bot.warm_up() > 0 and embedder.texts == 1  # made and stored once: warm only embeds its probe
    assert len(DocStore(old.sqlite_path, create=False).sentence_states()) == 5


def _hashed_index(tmp_path: Path):
    """The seed corpus ingested into tmp_path/data with the hashing embedder: the embedder and the Index."""
    from assistant.index import Index
    from ingest.pipeline import Ingestor

    settings = make_settings(tmp_path / "data")
    embedder = HashEmbedder()
    Ingestor(settings, embedder=embedder, progress=False).run([CORPUS])
    return embedder, Index(settings, embedder=embedder)


def test_sentence_search_equals_an_exact_float32_search(tmp_path: Path) -> None:
    from assistant.sentences import SentenceBank

    embedder, index = _hashed_index(tmp_path)
    bank = SentenceBank(index, embedder)
    documents = index.documents()
    rows = [(d.doc_id, r[0], np.frombuffer(r[6], dtype=np.float32)) for d in documents for r in index.docs.sentence_table(d.doc_id) if r[6]]
    matrix = np.vstack([v for _, _, v in rows])
    for question in QUESTIONS:
        q = np.asarray(embedder.embed([question])[0], dtype=np.float32)
        exact = matrix @ q
        best = np.argsort(-exact, kind="stable")[:40]
        assert [(d, at) for d, at, _ in bank._search_rows(q, 40, documents)] == [rows[i][:2] for i in best]
        one = [d for d in documents if d.publisher == "NHS Providers"]
        assert {d for d, _, _ in bank._search_rows(q, 40, one)} <= {d.doc_id for d in one}


def test_a_search_within_documents_finds_what_chromas_filtered_query_finds(tmp_path: Path, monkeypatch) -> None:
    from assistant import index as index_module

    embedder, index = _hashed_index(tmp_path)
    documents = index.documents()
    scopes = [[d.doc_id for d in documents if d.publisher == "NHS Providers"], [documents[0].doc_id], [d.doc_id for d in documents[1:]]]
    for question in QUESTIONS:
        q = embedder.embed([question])[0]
        for ids in scopes:
            exact = [(c.id, score) for c, score in index.dense(q, 8, ids)]
            assert exact and {c for c, _ in exact} <= {c.id for d in ids for c in index.docs.document_chunks(d)}
            monkeypatch.setattr(index_module, "EXACT_WITHIN", -1)  # through Chroma's `where` filter
            chroma = [(c.id, score) for c, score in index.dense(q, 8, ids)]
            monkeypatch.setattr(index_module, "EXACT_WITHIN", 20_000)
            assert np.allclose([score for _, score in chroma], [score for _, score in exact], atol=1e-5)
            last = exact[-1][1] + 1e-5  # chunks tied with the last may be either
            assert {c for c, score in chroma if score > last} == {c for c, score in exact if score > last}
    assert index._within.used == sum(d.n_chunks for d in documents) * embedder.dim * 4 + len(documents)  # each read once


def test_a_search_of_a_small_index_is_exact_and_the_same_every_time(tmp_path: Path, monkeypatch) -> None:
    """Up to EXACT_WITHIN chunks, an unfiltered search scores every kept vector (Chroma's HNSW walk is approximate and
    was seen to answer one question differently in two processes); the best chunks agree with Chroma's."""
    from assistant import index as index_module

    embedder, index = _hashed_index(tmp_path)
    every = [c for d in index.documents() for c in index.docs.document_chunks(d.doc_id)]
    vectors = index.vectors.vectors([c.id for c in every])
    matrix = np.asarray([vectors[c.id] for c in every], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    for question in QUESTIONS:
        q = np.asarray(embedder.embed([question])[0], dtype=np.float32)
        exact = [(c.id, score) for c, score in index.dense(q.tolist(), 8)]
        brute = np.argsort(-(matrix @ q), kind="stable")[:8]
        assert np.allclose([score for _, score in exact], (matrix @ q)[brute], atol=1e-5)
        assert exact == [(c.id, score) for c, score in index.dense(q.tolist(), 8)]  # the same again
        monkeypatch.setattr(index_module, "EXACT_WITHIN", -1)  # through Chroma's graph
        chroma = [(c.id, score) for c, score in index.dense(q.tolist(), 8)]
        monkeypatch.setattr(index_module, "EXACT_WITHIN", 20_000)
        last = exact[-1][1] + 1e-5
        assert {c for c, score in chroma if score > last} == {c for c, score in exact if score > last}


def test_a_documents_sentences_are_read_back_as_the_splitter_made_them(tmp_path: Path) -> None:
    from assistant.sentences import SentenceBank

    embedder, index = _hashed_index(tmp_path)
    bank = SentenceBank(index, embedder)
    for doc in index.documents():
        split = split_sentences(doc.doc_id, index.text(doc.doc_id))
        stored = bank.sentences(doc)
        assert list(stored) == split and stored[-1] == split[-1] and stored[3:7] == split[3:7]
        assert [bank.position(s, doc) for s in split[::50]] == list(range(len(split)))[::50]
        moved = Sentence(doc.doc_id, split[1].start + 1, split[1].end, split[1].text[1:], split[1].block)
        assert bank.neighbours(moved, doc) == [moved]  # not one of the document's sentences
        evidence = [s for s in split if not s.heading][:20]
        rows = dict(index.docs.sentence_vectors(doc.doc_id, [split.index(s) for s in evidence]))
        expected = np.vstack([np.frombuffer(rows[split.index(s)], dtype=np.float32) for s in evidence])
        assert np.array_equal(bank.vectors(evidence, {doc.doc_id: doc}), expected)  # from the search matrix, or stored
        bank.warm([doc])
        assert np.array_equal(bank.vectors(evidence, {doc.doc_id: doc}), expected)


def test_vectors_come_back_when_documents_are_read_again_within_one_call(tmp_path: Path, monkeypatch) -> None:
    from assistant import sentences as sentences_module
    from assistant.sentences import SentenceBank

    embedder, index = _hashed_index(tmp_path)
    monkeypatch.setattr(sentences_module, "CACHED_SPAN_BYTES", 1)  # every document read is dropped at once
    bank = SentenceBank(index, embedder)  # no search matrix yet: vectors are read from the index
    a, b = index.documents()[:2]
    ev = {d.doc_id: [s for s in split_sentences(d.doc_id, index.text(d.doc_id)) if not s.heading][:3] for d in (a, b)}
    mixed = [s for pair in zip(ev[a.doc_id], ev[b.doc_id], strict=True) for s in pair]
    docs = {a.doc_id: a, b.doc_id: b}
    got = bank.vectors(mixed, docs)  # a's first entry is dropped before its second sentence is placed
    for s, vector in zip(mixed, got, strict=True):
        at = bank.position(s, docs[s.doc_id])
        assert np.array_equal(vector, np.frombuffer(index.docs.sentence_vectors(s.doc_id, [at])[at], dtype=np.float32))


# progress off a terminal --------------------------------------------------------------------
def test_ingest_prints_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path, capsys, monkeypatch) -> None:
    from ingest import pipeline

    monkeypatch.setattr(pipeline, "PROGRESS_EVERY_S", 0.0)  # a line after every wave
    monkeypatch.setattr(pipeline, "EMBED_WAVE", 64)
    pipeline.Ingestor(make_settings(tmp_path / "data"), embedder=HashEmbedder(), progress=True).run([CORPUS])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("embedding: ")]
    assert len(lines) > 5
    last = lines[-1]  # "embedding: 266/266 chunks, 1,234/1,234 sentences, 3 s"
    chunks, sentences = last.split(": ", 1)[1].split(", ")[:2]
    assert chunks.split()[0].split("/")[0] == chunks.split()[0].split("/")[1] and chunks.endswith("chunks")
    assert sentences.split()[0].split("/")[0] == sentences.split()[0].split("/")[1] and sentences.endswith("sentences")


def test_no_progress_lines_when_asked_for_none(tmp_path: Path, capsys) -> None:
    from ingest import pipeline

    pipeline.Ingestor(make_settings(tmp_path / "data"), embedder=HashEmbedder(), progress=False).run([CORPUS])
    assert "embedding:" not in capsys.readouterr().err


# the real model ---------------------------------------------------------------------------
@pytest.mark.slow
def test_the_seed_index_has_its_sentences_and_ten_concurrent_askers_get_the_single_askers_answers(seed_index, embedder) -> None:
    from assistant.engine import Assistant
    from assistant.index import Index

    states = DocStore(seed_index.sqlite_path, create=False).sentence_states()
    assert len(states) == 5 and {s[1:3] for s in states.values()} == {(FINGERPRINT, embedder.name)}
    counting = CountingEmbedder(embedder)
    bot = Assistant(seed_index, index=Index(seed_index, embedder=counting))
    single = [signature(bot.ask(q)) for q in QUESTIONS]
    assert counting.texts == len(QUESTIONS)  # no warm pass: only the questions were embedded
    asks = QUESTIONS * 3
    with ThreadPoolExecutor(10) as pool:
        concurrent = list(pool.map(lambda q: signature(bot.ask(q)), asks))
    assert concurrent == single * 3


@pytest.mark.slow
def test_a_question_is_embedded_on_one_thread_and_the_thread_count_is_restored(embedder) -> None:
    import torch

    before = torch.get_num_threads()
    one = np.asarray(embedder.embed(["Who holds integrated care boards to account?"])[0])
    many = np.asarray(embedder.embed(["Who holds integrated care boards to account?"] + ["filler text"] * 16)[0])
    assert torch.get_num_threads() == before
    assert np.allclose(one, many, atol=1e-5)  # the same vector, whichever number of threads made it
