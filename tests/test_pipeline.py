"""The ingest pipeline end to end on real stores: incremental, idempotent, pruning, catalogue, model checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.cite import split_sentences
from assistant.docstore import DocStore
from assistant.errors import EmbeddingMismatch
from assistant.index import Index
from assistant.sentences import evidence_texts
from assistant.store import VectorStore
from ingest.pipeline import Ingestor, chunk_id

pytestmark = pytest.mark.slow


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed(self, texts):
        self.calls += len(texts)
        return self.inner.embed(texts)


def state(settings) -> dict:
    """Everything a query can see, plus the raw vector ids, for comparing two indexes."""
    docs = DocStore(settings.sqlite_path, create=False)
    vectors = VectorStore(settings, docs.get_meta("embed_model"), int(docs.get_meta("embed_dim")), create=False)
    out = {
        "documents": {d.doc_id: (d.title, d.content_hash, d.n_chunks) for d in docs.documents()},
        "chunks": {c.id: (c.doc_id, c.start, c.end, c.text) for c in docs.all_chunks()},
        "vectors": vectors.ids(),
        "texts": {d.doc_id: docs.text(d.doc_id) for d in docs.documents()},
    }
    docs.close()
    return out


def test_seed_corpus_ingests_with_exact_offsets(seed_index):
    docs = DocStore(seed_index.sqlite_path, create=False)
    documents = docs.documents()
    assert [d.publisher for d in documents] == [
        "NHS Providers", "NHS Confederation", "NHS Providers", "NHS Confederation", "The King's Fund"
    ]
    assert documents[4].title == "The first days of statutory integrated care systems"
    assert documents[2].date == "2023-01-09"
    for d in documents:
        text = docs.text(d.doc_id)
        chunks = docs.document_chunks(d.doc_id)
        assert len(chunks) == d.n_chunks > 3
        for c in chunks:
            assert text[c.start : c.end] == c.text and c.text.strip() == c.text
    s = state(seed_index)
    assert s["vectors"] == set(s["chunks"])


def test_unchanged_reingest_embeds_nothing_and_is_idempotent(seed_index, embedder):
    before = state(seed_index)
    counting = CountingEmbedder(embedder)
    report = Ingestor(seed_index, embedder=counting, progress=False).run([Path(__file__).parent.parent / "corpus"])
    assert report.count("unchanged") == 5 and report.chunks_embedded == 0 and counting.calls == 0
    assert state(seed_index) == before


def test_changed_document_is_replaced_and_gone_document_pruned(settings, corpus_copy, embedder):
    counting = CountingEmbedder(embedder)
    ingestor = Ingestor(settings, embedder=counting, progress=False)
    assert ingestor.run([corpus_copy]).count("added") == 5
    first = state(settings)

    target = corpus_copy / "003_e890ab627d4e122a.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n\nA new closing paragraph about capital allocations.\n", encoding="utf-8")
    counting.calls = 0
    report = ingestor.run([corpus_copy])
    assert report.count("updated") == 1 and report.count("unchanged") == 4
    n_003 = sum(1 for c in state(settings)["chunks"].values() if c[0] == target.name)
    n_sentences = len(evidence_texts(split_sentences(target.name, DocStore(settings.sqlite_path, create=False).text(target.name))))
    assert counting.calls == n_003 + n_sentences  # only the changed document was embedded (its chunks and sentences)
    second = state(settings)
    assert second["vectors"] == set(second["chunks"])  # old vectors of 003 are gone
    assert "capital allocations" in second["texts"][target.name]
    assert {k: v for k, v in second["chunks"].items() if v[0] != target.name} == {
        k: v for k, v in first["chunks"].items() if v[0] != target.name
    }

    (corpus_copy / "001_3e05d02a99c80a5a.txt").unlink()
    dry = ingestor.run([corpus_copy], prune=True, dry_run=True)
    assert [r.source for r in dry.results if r.status == "removed"] == ["001_3e05d02a99c80a5a.txt"]
    assert state(settings) == second  # a dry run changes nothing
    assert ingestor.run([corpus_copy]).count("removed") == 0  # without --prune nothing is removed
    report = ingestor.run([corpus_copy], prune=True)
    assert report.count("removed") == 1
    third = state(settings)
    assert "001_3e05d02a99c80a5a.txt" not in third["documents"]
    assert third["vectors"] == set(third["chunks"])


def test_chunk_ids_are_deterministic_across_fresh_ingests(tmp_path, corpus_copy, embedder, seed_index):
    from tests.conftest import make_settings

    other = make_settings(tmp_path / "other")
    Ingestor(other, embedder=embedder, progress=False).run([corpus_copy])
    assert state(other)["chunks"] == state(seed_index)["chunks"]
    assert chunk_id("a.txt", "h", 0) == chunk_id("a.txt", "h", 0) != chunk_id("a.txt", "h", 1)


def test_file_without_catalogue_entry_takes_its_title_from_the_file(settings, tmp_path, embedder):
    folder = tmp_path / "new-evidence"
    folder.mkdir()
    (folder / "briefing-note.md").write_text("# Oversight of ICBs in 2024\n\nNHS England oversees integrated care boards.\n", encoding="utf-8")
    report = Ingestor(settings, embedder=embedder, progress=False).run([folder])
    assert report.count("added") == 1
    assert any("briefing-note.md" in w and "catalogue" in w for w in report.warnings)
    doc = DocStore(settings.sqlite_path).document("briefing-note.md")
    assert doc is not None and doc.title == "Oversight of ICBs in 2024"


def test_catalogue_edit_reingests_only_that_document(settings, corpus_copy, embedder):
    ingestor = Ingestor(settings, embedder=embedder, progress=False)
    ingestor.run([corpus_copy])
    catalog = corpus_copy / "catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("kind: analysis", "kind: interview analysis"), encoding="utf-8")
    report = ingestor.run([corpus_copy])
    assert [r.source for r in report.results if r.status == "updated"] == ["004_7b6c360d6e8d50e0.txt"]
    assert DocStore(settings.sqlite_path).document("004_7b6c360d6e8d50e0.txt").kind == "interview analysis"


def test_invalid_catalogue_fails_without_touching_the_index(settings, corpus_copy, embedder):
    ingestor = Ingestor(settings, embedder=embedder, progress=False)
    ingestor.run([corpus_copy])
    before = state(settings)
    (corpus_copy / "catalog.yaml").write_text("documents: [unclosed\n", encoding="utf-8")
    report = ingestor.run([corpus_copy], prune=True)
    assert not report.ok and "catalog.yaml: not valid YAML" in report.results[-1].message
    assert state(settings) == before


def test_other_embedding_model_is_a_clear_error(seed_index, tmp_path, embedder):
    from assistant.embed import model_path

    local_copy = tmp_path / "my-model"
    shutil.copytree(model_path(), local_copy)
    with pytest.raises(EmbeddingMismatch, match="ingest --reembed"):  # chosen with ASSISTANT_EMBED_MODEL: refused
        Index(seed_index.with_(embed_model=str(local_copy), embed_model_explicit=True), embedder=embedder)
    # not chosen (the default): the index's own model is used
    assert Index(seed_index.with_(embed_model=str(local_copy)), embedder=embedder).settings.embed_model == seed_index.embed_model


def test_rebuild_switches_model_and_lexical_reindex_gives_same_results(settings, corpus_copy, embedder, tmp_path):
    from assistant.embed import SentenceTransformerEmbedder, model_path

    Ingestor(settings, embedder=embedder, progress=False).run([corpus_copy])
    docs = DocStore(settings.sqlite_path)
    terms = ["provider collaboratives", "oversight"]
    before = docs.lexical_search(terms, 10)
    assert before and docs.rebuild_lexical() == docs.count_chunks()
    assert docs.lexical_search(terms, 10) == before

    local_copy = tmp_path / "my-model"
    shutil.copytree(model_path(), local_copy)
    other_settings = settings.with_(embed_model=str(local_copy))
    other = SentenceTransformerEmbedder(str(local_copy))
    with pytest.raises(EmbeddingMismatch):
        Ingestor(other_settings, embedder=other, progress=False).run([corpus_copy])
    report = Ingestor(other_settings, embedder=other, progress=False).run([corpus_copy], rebuild=True)
    assert report.count("added") == 5
    index = Index(other_settings, embedder=other)
    assert index.dense(other.embed(["oversight of trusts"])[0], 3)


def test_vector_search_is_exact_enough_to_repeat(settings):
    """A new collection searches with EF_SEARCH candidates; one built with Chroma's default (100) is raised on open."""
    import chromadb

    from assistant.store import EF_SEARCH, make_client

    old = make_client(settings).create_collection(
        settings.collection, embedding_function=None, metadata={"embed_model": "m", "embed_dim": 3}, configuration={"hnsw": {"space": "cosine"}}
    )
    assert old.configuration["hnsw"]["ef_search"] < EF_SEARCH
    VectorStore(settings, "m", 3, create=False)
    reopened = chromadb.PersistentClient(path=str(settings.chroma_dir)).get_collection(settings.collection, embedding_function=None)
    assert reopened.configuration["hnsw"]["ef_search"] == EF_SEARCH
    make_client(settings).delete_collection(settings.collection)
    assert VectorStore(settings, "m", 3, create=True).collection.configuration["hnsw"]["ef_search"] == EF_SEARCH
