"""eval/dense_probe.py: the rank and summary arithmetic, the pairs it makes from documents alone, and its one-line
errors for bad input (no model is loaded for any of these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.types import Chunk
from eval.dense_probe import main, rank_scores, self_pairs
from eval.metrics import Span

TEXT = (
    "The board agreed the plan for the coming year in full. It asked the committee to report back in March. "
    "Members noted the risk to the budget and the workforce. The chair thanked everyone for the work done."
)
CHUNKS = [
    Chunk("c1", "a.md", 0, 0, len(TEXT), TEXT, section="Finance > Annual plan for 2025 agreed"),
    Chunk("c2", "a.md", 1, 0, 20, "Short text only here.", section="Finance > 12 34 56 78"),
]


def test_rank_scores_need_the_same_document_and_overlapping_characters() -> None:
    gold = [Span("a.md", 100, 120)]
    order = [Span("b.md", 100, 120), Span("a.md", 0, 100), Span("a.md", 110, 300)]
    assert rank_scores(order, gold) == (1.0, 1.0, 1 / 3)  # another document at the same offsets, and a chunk ending where gold starts, miss
    assert rank_scores(order[:2], gold) == (0.0, 0.0, 0.0)
    late = [Span("b.md", 0, 1)] * 5 + order[2:]
    assert rank_scores(late, gold) == (0.0, 1.0, 1 / 6)


def test_inverse_cloze_pairs_cut_the_sentence_out_of_its_chunk() -> None:
    cut = self_pairs(CHUNKS, "ict", 10, keep=0.0)
    assert len(cut) == 1  # c2 has too few sentences
    query, passage = cut[0]
    assert query in TEXT and query not in passage
    assert passage == TEXT.replace(query, " ")  # only the chosen sentence goes; the rest stays as it was
    kept = self_pairs(CHUNKS, "ict", 10, keep=1.0)
    assert kept == [(query, TEXT)]  # the same sentence, its chunk whole
    assert self_pairs(CHUNKS, "ict", 1) and not self_pairs(CHUNKS[1:], "ict", 10)


def test_heading_pairs_skip_a_heading_of_figures() -> None:
    assert self_pairs(CHUNKS, "heading", 10) == [("Annual plan for 2025 agreed", TEXT)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "name a model"),
        (["--base", "all-MiniLM-L6-v2"], "--base needs --out"),
        (["all-MiniLM-L6-v2", "--pairs", "5"], "give --base too"),
        (["--base", "all-MiniLM-L6-v2", "--out", "OUT", "--pairs", "0"], "at least 1"),
        (["no-such-model"], "neither a packaged model"),
        (["all-MiniLM-L6-v2"], "no index in"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str) -> None:
    args = [str(tmp_path / "new-model") if a == "OUT" else a for a in args]
    with pytest.raises(SystemExit) as stopped:
        main([*args, "--data-dir", str(tmp_path)])
    assert stopped.value.code == 2
    assert says in capsys.readouterr().err


def test_an_existing_model_folder_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main(["--base", "all-MiniLM-L6-v2", "--out", str(out), "--data-dir", str(tmp_path)])
    assert "is not empty" in capsys.readouterr().err
    assert (out / "config.json").read_text() == "{}"
