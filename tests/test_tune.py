"""`ingest tune`: fine-tuning the packaged model on annotated questions, and indexes that follow their model.

Real components: the packaged all-MiniLM-L6-v2 is trained (one short epoch) and saved, a real Chroma
directory and SQLite index are built with it, and the CLI runs as a process.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import TUNING_FILE, get_embedder, model_id, model_name
from assistant.errors import EmbeddingMismatch
from assistant.index import Index
from ingest.pipeline import Ingestor
from ingest.tune import TuneError, query_text, read_questions, training_pairs, tune
from tests.conftest import make_settings, run_cli

DOCS = {
    "oversight.txt": (
        "Oversight of systems\n\n"
        "The regional team meets each integrated care board every quarter to review delivery against the plan. "
        "Escalation happens only when a board misses its agreed milestones twice in a row.\n\n"
        "Local accountability\n\n"
        "Councillors on the health and wellbeing board question the integrated care board in public twice a year.\n"
    ),
    "workforce.txt": (
        "Workforce planning\n\n"
        "Training places for nurses are commissioned regionally, with systems setting out their local needs each spring. "
        "Retention schemes are funded for three years so that trusts can plan ahead.\n"
    ),
}
QUESTIONS = [
    {"id": "t1", "question": "How often does the region review an ICB?",
     "gold": [{"doc": "oversight.txt", "quote": "The regional team meets each integrated care board every quarter to review delivery against the plan."}]},
    {"id": "t2", "question": "When is a board escalated?", "history": ["How often does the region review an ICB?"],
     "gold": [{"doc": "oversight.txt", "quote": "Escalation happens only when a board misses its agreed milestones twice in a row."}]},
    {"id": "t3", "question": "Who scrutinises the ICB locally?",
     "gold": [{"doc": "oversight.txt", "quote": "Councillors on the health and wellbeing board question the integrated care board in public twice a year."}]},
    {"id": "t4", "question": "How long do retention schemes last?",
     # copied from the file as found, line break and all: found in the stored text across the whitespace
     "gold": [{"doc": "workforce.txt", "quote": "Retention schemes are funded for three\nyears so that trusts can plan ahead."}]},
    {"id": "t5", "question": "A quote that is not there",
     "gold": [{"doc": "workforce.txt", "quote": "This sentence appears in no document."}]},
    {"id": "t6", "question": "Unanswerable questions carry no gold", "gold": []},
]


def _write(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    return corpus, questions


def test_query_text_carries_the_previous_question():
    assert query_text({"question": "Why?", "history": ["What is an ICB?"]}) == "What is an ICB? Why?"
    assert query_text({"question": "Why?", "history": [{"question": "What is an ICB?"}]}) == "What is an ICB? Why?"
    assert query_text({"question": "What is an ICB?"}) == "What is an ICB?"


def test_bad_question_files_get_one_line_errors(tmp_path: Path):
    with pytest.raises(TuneError, match="no such questions file"):
        read_questions([tmp_path / "missing.jsonl"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok", "gold": [{"doc": "a", "quote": "b"}]}\n{not json\n', encoding="utf-8")
    with pytest.raises(TuneError, match=r"bad.jsonl:2: not JSON"):
        read_questions([bad])
    no_gold = tmp_path / "nogold.jsonl"
    no_gold.write_text('{"question": "What?"}\n', encoding="utf-8")
    with pytest.raises(TuneError, match="has gold quotes"):
        read_questions([no_gold])


def test_pairs_are_each_gold_quote_as_the_stored_text_holds_it(tmp_path: Path):
    corpus, questions = _write(tmp_path)
    items = read_questions([questions])
    assert [i["id"] for i in items] == ["t1", "t2", "t3", "t4", "t5"]  # t6 has no gold
    pairs, skipped = training_pairs(items, [corpus], make_settings(tmp_path / "data"))
    assert skipped == 1  # t5's quote is in no document
    follow_up = "How often does the region review an ICB? When is a board escalated?"
    assert pairs == [
        (QUESTIONS[0]["question"], QUESTIONS[0]["gold"][0]["quote"]),
        (follow_up, QUESTIONS[1]["gold"][0]["quote"]),
        (QUESTIONS[2]["question"], QUESTIONS[2]["gold"][0]["quote"]),
        (QUESTIONS[3]["question"], "Retention schemes are funded for three years so that trusts can plan ahead."),  # the stored text's
    ]
    with pytest.raises(TuneError, match="No readable documents"):
        training_pairs(items, [tmp_path / "empty"], make_settings(tmp_path / "data"))


def test_the_tuned_folder_is_the_default_model_once_it_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.config import DEFAULT_EMBED_MODEL, Settings, default_embed_model

    folder = tmp_path / "ics-minilm"
    monkeypatch.setenv("ASSISTANT_TUNED_MODEL", str(folder))
    monkeypatch.delenv("ASSISTANT_EMBED_MODEL", raising=False)
    assert default_embed_model() == DEFAULT_EMBED_MODEL  # not written yet: the packaged model
    folder.mkdir()
    (folder / TUNING_FILE).write_text('{"fingerprint": "abc"}')
    assert default_embed_model() == str(folder.resolve())
    settings = Settings.from_env()
    assert settings.embed_model == str(folder.resolve()) and not settings.embed_model_explicit  # an index's own model still wins
    monkeypatch.setenv("ASSISTANT_EMBED_MODEL", "all-MiniLM-L6-v2")
    assert Settings.from_env().embed_model == DEFAULT_EMBED_MODEL  # chosen by name: that one
    monkeypatch.delenv("ASSISTANT_EMBED_MODEL")
    monkeypatch.setenv("ASSISTANT_TUNED_MODEL", "none")
    assert Settings.from_env().embed_model == DEFAULT_EMBED_MODEL


def test_tune_trains_saves_reuses_and_indexes_follow_their_model(tmp_path: Path):
    corpus, questions = _write(tmp_path)
    out = tmp_path / "model"
    settings = make_settings(tmp_path / "data")
    report = tune([questions], [corpus], out, settings, epochs=1)
    assert not report.reused and report.questions == 5 and report.pairs == 4 and report.skipped == 1
    manifest = json.loads((out / TUNING_FILE).read_text())
    assert manifest["question_ids"] == ["t1", "t2", "t3", "t4", "t5"] and manifest["base"] == "all-MiniLM-L6-v2"
    assert not (tmp_path / "model.partial").exists()

    # the saved folder is a working model whose vectors differ from the packaged one's, and whose name carries its fingerprint
    tuned, base = get_embedder(str(out)), get_embedder()
    assert tuned.tuned and not base.tuned
    assert tuned.name == model_id(str(out)) == f"{out.resolve()}@tuned-{manifest['fingerprint'][:12]}"
    assert model_name(tuned.name) == str(out.resolve())
    text = ["Councillors question the integrated care board in public."]
    assert not np.allclose(tuned.embed(text), base.embed(text))

    # the same pairs again: nothing is trained; nor when the tuned folder is the default model (it starts from the packaged one)
    assert tune([questions], [corpus], out, settings, epochs=1).reused
    assert tune([questions], [corpus], out, settings.with_(embed_model=str(out)), epochs=1).reused

    # an index built with it is used with it, without ASSISTANT_EMBED_MODEL (the index knows its model)
    Ingestor(settings.with_(embed_model=str(out), embed_model_explicit=True), progress=False).run([corpus])
    index = Index(settings)
    assert index.embedder.name == tuned.name
    assert index.dense(index.embed_query("Who questions the ICB in public?"), 1)[0][0].text.startswith("Local accountability")
    # and further ingests keep using it
    (corpus / "extra.txt").write_text("Extra evidence\n\nPrimary care networks share data with the board every month.\n", encoding="utf-8")
    assert Ingestor(settings, progress=False).run([corpus]).ok
    assert Index(settings).docs.count_chunks() == 4

    # retrained on other pairs: a new fingerprint, so the old vectors are refused until re-embedded (nothing dropped)
    tune([questions], [corpus], out, settings, epochs=1, seed=1)
    get_embedder.cache_clear()
    retrained = settings.with_(embed_model=str(out), embed_model_explicit=True)
    with pytest.raises(EmbeddingMismatch):
        Index(retrained)
    assert Ingestor(retrained, progress=False).run([corpus], reembed=True).ok
    index = Index(retrained)
    assert index.embedder.name == model_id(str(out)) != tuned.name
    assert index.docs.count_chunks() == index.vectors.count() == 4


def test_tune_cli_errors_and_refuses_to_tune_a_tuned_model(tmp_path: Path):
    corpus, questions = _write(tmp_path)
    done = run_cli("ingest", "tune", str(corpus), "--questions", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "m"), data_dir=tmp_path / "d")
    assert done.returncode == 2 and "no such questions file" in done.stderr and "Traceback" not in done.stderr
    not_a_model = tmp_path / "occupied"
    not_a_model.mkdir()
    (not_a_model / "notes.txt").write_text("mine")
    done = run_cli("ingest", "tune", str(corpus), "--questions", str(questions), "--out", str(not_a_model), "--quiet", data_dir=tmp_path / "d")
    assert done.returncode == 2 and "is not a tuned model folder" in done.stderr
    assert (not_a_model / "notes.txt").read_text() == "mine"  # never overwritten
    fake_tuned = tmp_path / "fake"
    fake_tuned.mkdir()
    (fake_tuned / TUNING_FILE).write_text('{"fingerprint": "abc"}')
    done = run_cli("ingest", "tune", str(corpus), "--questions", str(questions), "--out", str(tmp_path / "m2"), "--base", str(fake_tuned),
                   data_dir=tmp_path / "d")
    assert done.returncode == 2 and "already a tuned model" in done.stderr


def test_the_learned_scorer_scores_a_tuned_models_sentences_too(seed_assistant, monkeypatch, tmp_path: Path):
    """The shipped learned scorer scores every model's sentences (with a tuned model it quotes gold more often than the
    hand-set weights chosen for one: eval/README.md, "Which embedder"). With no learned scorer shipped, a tuned model's
    sentences get the hand-set sum w * cosine + (1 - w) * word overlap (+ bonuses) with w 0.5, the packaged model's 0.3."""
    from assistant import scoring
    from assistant.question import read_question

    retriever, bank = seed_assistant._ready()
    text = "How are integrated care boards held to account?"
    query = retriever.analyse(text)
    vector = np.asarray(retriever.index.embed_query(query.embed_text), dtype=np.float32)
    passages = retriever.search(query, None, 20, seed_assistant.settings.candidates, vector.tolist())

    def scores() -> dict:
        found = scoring.score_evidence(read_question(text, text, query, seed_assistant.glossary, {}), vector, passages, bank, seed_assistant.glossary)
        return {(e.sentence.doc_id, e.sentence.start): e for e in found}

    plain = scores()
    monkeypatch.setattr(bank.embedder, "tuned", True)
    tuned = scores()
    assert plain.keys() == tuned.keys() and len(plain) > 10
    learned = scoring.SentenceScorer.load()
    assert learned is not None
    for key, e in plain.items():
        assert e.score == pytest.approx(learned(e.features), abs=1e-9) == pytest.approx(tuned[key].score, abs=1e-9)
    monkeypatch.setattr(scoring, "SCORER_PATH", tmp_path / "none.json")  # nothing shipped
    hand = scoring.SentenceScorer.hand(scoring.TUNED_SEMANTIC_WEIGHT)
    assert scoring.TUNED_SEMANTIC_WEIGHT > scoring.SEMANTIC_WEIGHT
    scoring.scorer_for.cache_clear()
    try:
        for e in scores().values():
            assert e.score == pytest.approx(hand(e.features), abs=1e-9)
    finally:
        scoring.scorer_for.cache_clear()  # the other tests get the shipped scorer again


@pytest.mark.slow
def test_make_models_recipe_finds_the_gold_of_both_real_question_sets(tmp_path: Path):
    """`make model`'s own command line, on the real corpora and dev sets, up to training: every file it names exists,
    and nearly every gold quote is found in its document's stored text, so the default model learns from them all."""
    import argparse
    import re
    import shlex

    root = Path(__file__).resolve().parent.parent
    recipe = re.search(r"^\t\$\(BIN\)/ingest tune (.+) --out \$\(MODEL\)$", (root / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile's model target no longer runs `ingest tune ... --out $(MODEL)`"
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--questions", action="append")
    args = parser.parse_args(shlex.split(recipe.group(1)))
    sets = [root / q for q in args.questions]
    items = read_questions(sets)
    pairs, skipped = training_pairs(items, [root / c for c in args.corpus], make_settings(tmp_path / "data"))
    quotes = sum(len(i["gold"]) for i in items)
    assert {p.name for p in sets} == {"seed-dev.jsonl", "devcorpus-dev.jsonl"} and len(items) > 800
    assert len(pairs) == quotes - skipped and skipped <= 0.02 * quotes, (skipped, quotes)
