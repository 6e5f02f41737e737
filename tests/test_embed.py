"""The embedder runs the packaged model without sentence-transformers, and must give that library's vectors bit for bit:
an index built by one and asked by the other, or built before this loader existed, must not drift."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import BertEncoder, _plain_mean_pooled, model_path

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    """Real corpus text cut at varied lengths (one far past 256 word pieces), a question, a one-letter text, and
    length ties, so that batching order, padding and truncation are all exercised."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))).split()
    cuts = [3, 9, 17, 17, 40, 80, 160, 400, 1200]
    texts = [" ".join(words[i * 50 : i * 50 + n]) for i, n in enumerate(cuts * 4)]
    return texts + ["How are integrated care boards held to account?", "x", "ICB", "NHS"]


@pytest.fixture(scope="module")
def library():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)


@pytest.mark.parametrize("batch_size", [1, 5, 64])
def test_vectors_equal_sentence_transformers_bit_for_bit(library, embedder, batch_size):
    texts = _texts()
    expected = library.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    got = np.array(BertEncoder(embedder.path, embedder.max_tokens).encode(texts, batch_size), dtype=np.float32)
    assert got.shape == expected.shape == (len(texts), 384)
    assert np.array_equal(got, expected), f"largest difference {np.abs(got - expected).max()}"


def test_the_packaged_model_is_loaded_without_sentence_transformers(embedder):
    assert embedder.bert is not None and embedder.max_tokens == 256 and embedder.dim == 384
    code = (
        "import sys; from assistant.embed import get_embedder; e = get_embedder(); e.embed(['a question']); "
        "print('sentence_transformers' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_folder_saved_by_sentence_transformers_5_is_read_too(library, tmp_path: Path):
    folder = tmp_path / "saved"
    library.save(str(folder))  # the layout `ingest tune` writes
    assert _plain_mean_pooled(folder) == 256
    texts = _texts()[:12]
    expected = library.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    assert np.array_equal(np.array(BertEncoder(folder, 256).encode(texts, 4), dtype=np.float32), expected)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _edit(d / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False, pooling_mode_cls_token=True),
        lambda d: _edit(d / "sentence_bert_config.json", do_lower_case=True),
        lambda d: (d / "modules.json").write_text(json.dumps(json.loads((d / "modules.json").read_text())[:2])),
        lambda d: (d / "tokenizer.json").unlink(),
    ],
    ids=["cls-pooling", "lower-case", "no-normalize", "no-fast-tokenizer"],
)
def test_any_other_folder_goes_through_sentence_transformers(tmp_path: Path, change):
    folder = tmp_path / "model"
    shutil.copytree(model_path(), folder)
    assert _plain_mean_pooled(folder) == 256
    change(folder)
    assert _plain_mean_pooled(folder) is None


def _edit(path: Path, **changes: object) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **changes}), encoding="utf-8")
