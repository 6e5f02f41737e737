"""The sentence search matrix kept as .npy files next to the index: made once for an index that lacks them (an older
one, or after an ingest), mapped by later processes with the same answers, ignored when damaged; the shared LRU cache."""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.caches import SizedCache, return_large_blocks
from assistant.cite import split_sentences
from tests.conftest import CORPUS, make_settings
from tests.test_sentences import QUESTIONS, HashEmbedder, signature

BUILDING = "building the sentence search matrix"


def _ingest(data: Path, corpus: Path = CORPUS) -> tuple[HashEmbedder, object]:
    """The corpus ingested with the hashing embedder; the embedder and the settings."""
    from ingest.pipeline import Ingestor

    settings = make_settings(data, embed_model=HashEmbedder.name)  # so that an ingest again finds the model it recorded
    embedder = HashEmbedder()
    Ingestor(settings, embedder=embedder, progress=False).run([corpus])
    return embedder, settings


def _assistant(settings, embedder):  # noqa: ANN001, ANN202
    """A new Assistant on its own Index, as a new process would open it."""
    from assistant.engine import Assistant
    from assistant.index import Index

    return Assistant(settings, index=Index(settings, embedder=embedder))


def _folders(settings) -> list[Path]:  # noqa: ANN001
    from assistant.sentences import MATRIX_FOLDER

    root = settings.data_dir / MATRIX_FOLDER
    return sorted(root.iterdir()) if root.is_dir() else []


def test_an_index_without_the_files_gets_them_once_and_answers_do_not_change(tmp_path: Path, caplog) -> None:
    embedder, settings = _ingest(tmp_path / "data")
    assert _folders(settings) == []  # as an index made before the files were
    caplog.set_level(logging.WARNING, logger="assistant.sentences")
    built = _assistant(settings, embedder)
    expected = [signature(built.ask(q)) for q in QUESTIONS]  # the first ask builds the matrix in memory and saves it
    assert sum(BUILDING in r.getMessage() for r in caplog.records) == 1
    (folder,) = _folders(settings)
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "vectors.npy", "doc_of.npy", "ord_of.npy", "chunk_of.npy",
                                                  "starts.npy", "ends.npy", "blocks.npy", "flags.npy"}

    caplog.clear()
    mapped = _assistant(settings, embedder)
    assert [signature(mapped.ask(q)) for q in QUESTIONS] == expected
    assert not any(BUILDING in r.getMessage() for r in caplog.records)
    matrix = mapped._ready()[1]._matrix
    assert isinstance(matrix.vectors.base, np.memmap) and not matrix.vectors.flags.writeable  # mapped, not read into memory
    assert np.array_equal(matrix.vectors, built._ready()[1]._matrix.vectors)


def test_mapped_sentences_and_vectors_are_the_ones_stored_in_the_index(tmp_path: Path) -> None:
    embedder, settings = _ingest(tmp_path / "data")
    _assistant(settings, embedder).warm_up()  # writes the files
    bank = _assistant(settings, embedder)._ready()[1]
    index = bank.index
    documents = index.documents()
    bank.warm(documents)
    for doc in documents:
        split = split_sentences(doc.doc_id, index.text(doc.doc_id))
        stored = bank.sentences(doc)
        assert stored.starts.base is not None and list(stored) == split  # a view of the mapped spans
        evidence = [s for s in split if not s.heading]
        rows = index.docs.sentence_vectors(doc.doc_id, [split.index(s) for s in evidence])
        expected = np.vstack([np.frombuffer(rows[split.index(s)], dtype=np.float32) for s in evidence])
        assert np.array_equal(bank.vectors(evidence, {doc.doc_id: doc}), expected)
        chunks = index.docs.document_chunks(doc.doc_id)
        for start, end in ((0, 1), (500, 2600), (len(index.text(doc.doc_id)) - 10, 10**9)):
            assert bank.chunks_near(doc, start, end, 100) == [c for c in chunks if c.start < end + 100 and start - 100 < c.end]


def test_an_ingest_that_changes_a_document_makes_new_files_and_drops_the_old(tmp_path: Path, caplog) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    embedder, settings = _ingest(tmp_path / "data", corpus)
    _assistant(settings, embedder).warm_up()
    (old,) = _folders(settings)
    target = sorted(corpus.glob("*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nThe board met on a Tuesday in the new annex.\n", encoding="utf-8")
    _ingest(tmp_path / "data", corpus)

    caplog.set_level(logging.WARNING, logger="assistant.sentences")
    caplog.clear()
    bot = _assistant(settings, embedder)
    bot.ask(QUESTIONS[0])
    assert sum(BUILDING in r.getMessage() for r in caplog.records) == 1
    (new,) = _folders(settings)
    assert new != old
    bank, index = bot._ready()[1], bot.index
    assert bank._matrix.key == {d: h for d, (h, _) in index.docs.hashes().items()}
    rows = [(d.doc_id, r[0], np.frombuffer(r[6], dtype=np.float32)) for d in index.documents() for r in index.docs.sentence_table(d.doc_id) if r[6]]
    q = np.asarray(embedder.embed(["the board met in the new annex"])[0], dtype=np.float32)
    exact = np.vstack([v for _, _, v in rows]) @ q
    assert [(d, at) for d, at, _ in bank._search_rows(q, 20, index.documents())] == [rows[i][:2] for i in np.argsort(-exact, kind="stable")[:20]]


@pytest.mark.parametrize("damage", ["no manifest", "short vectors", "other format"])
def test_damaged_files_are_made_again(tmp_path: Path, caplog, damage: str) -> None:
    embedder, settings = _ingest(tmp_path / "data")
    expected = signature(_assistant(settings, embedder).ask(QUESTIONS[1]))
    (folder,) = _folders(settings)
    if damage == "no manifest":
        (folder / "manifest.json").unlink()
    elif damage == "short vectors":
        np.save(folder / "vectors.npy", np.load(folder / "vectors.npy")[:-1])
    else:
        (folder / "manifest.json").write_text('{"format": 0, "documents": []}')
    caplog.set_level(logging.WARNING, logger="assistant.sentences")
    caplog.clear()
    assert signature(_assistant(settings, embedder).ask(QUESTIONS[1])) == expected
    assert sum(BUILDING in r.getMessage() for r in caplog.records) == 1
    assert len(_folders(settings)) == 1 and (folder / "manifest.json").is_file()


def test_a_data_folder_where_the_files_cannot_be_written_still_answers(tmp_path: Path, caplog) -> None:
    from assistant.sentences import MATRIX_FOLDER

    embedder, settings = _ingest(tmp_path / "data")
    expected = signature(_assistant(settings, embedder).ask(QUESTIONS[2]))
    shutil.rmtree(settings.data_dir / MATRIX_FOLDER)
    (settings.data_dir / MATRIX_FOLDER).write_text("in the way")  # the folder cannot be made
    caplog.set_level(logging.WARNING, logger="assistant.sentences")
    caplog.clear()
    assert signature(_assistant(settings, embedder).ask(QUESTIONS[2])) == expected
    assert any("not saved" in r.getMessage() for r in caplog.records)


# the shared cache -----------------------------------------------------------------------
def test_the_cache_drops_the_least_recently_used_past_its_budget_and_keeps_nothing_too_large() -> None:
    cache: SizedCache[str] = SizedCache(10, len)
    cache.put("a", "xxxx")
    cache.put("b", "yyyy")
    assert cache.get("a") == "xxxx"  # now the most recently used
    cache.put("c", "zzzz")
    assert cache.get("b") is None and cache.get("a") == "xxxx" and cache.used == 8
    assert cache.put("big", "w" * 11) == "w" * 11 and cache.get("big") is None and len(cache) == 2
    made = []
    assert cache.get_or_make("d", lambda: made.append(1) or "dd") == "dd" and cache.get_or_make("d", lambda: "other") == "dd"
    assert made == [1]
    cache.clear()
    assert len(cache) == 0 and cache.used == 0 and cache.get("a") is None


def test_the_cache_stays_within_its_budget_under_threads() -> None:
    cache: SizedCache[bytes] = SizedCache(1000, len)

    def work(worker: int) -> None:
        for i in range(2000):
            cache.get_or_make((worker, i % 50), lambda i=i: b"x" * (1 + i % 40))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert 0 < cache.used <= 1000


def test_glibc_is_told_to_return_large_blocks() -> None:
    assert return_large_blocks()
