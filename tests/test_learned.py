"""The learned passage ranker and decline model: their features, their stored-data contract (a bad file is one
clear line), the switch back to the hand-set blend and checks, and the real ask running through a stored model.
The cross-corpus fits themselves are eval/train_ranker.py and eval/train_decline.py (figures in eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.cite import Sentence
from assistant.declining import DOUBT_FEATURES, DeclineModel, decline_model_for
from assistant.errors import ConfigError
from assistant.question import Question
from assistant.ranking import PASSAGE_FEATURES, PassageRanker, passage_features, rank_passages, ranker_for
from assistant.retrieve import Query
from assistant.scoring import SCORER_FEATURES, Evidence
from assistant.types import Chunk, DocumentInfo, Passage


def _question(weights: dict[str, float]) -> Question:
    query = Query("how are icbs held to account", "how are icbs held to account", list(weights))
    return Question(query.text, query.text, query, "", False, [], [], False, frozenset(), weights, weights)


def _passage(rank: int, doc: str, start: int, end: int, section: str = "", dense: int | None = None) -> Passage:
    info = DocumentInfo(doc_id=doc, source=f"{doc}.md", title=f"{doc} title", publisher=f"{doc} body")
    chunk = Chunk(f"{doc}:{start}", doc, 0, start, end, "x" * (end - start), section)
    return Passage(rank, chunk, info, 1.0 / rank, dense, None)


def _evidence(p: Passage, start: int, end: int, score: float, semantic: float, stems: set[str]) -> Evidence:
    sentence = Sentence(p.chunk.doc_id, start, end, "y" * (end - start), 0)
    features = tuple(0.0 for _ in SCORER_FEATURES)
    return Evidence(sentence, p, semantic, 0.5, score, np.zeros(3, dtype=np.float32), features, frozenset(stems))


def test_passage_features_count_a_sentence_for_every_passage_it_lies_in() -> None:
    first = _passage(1, "a", 0, 100, dense=1)
    overlapping = _passage(2, "a", 50, 150)
    other = _passage(3, "b", 0, 100, section="account")
    question = _question({"account": 2.0, "icb": 1.0})
    evidence = [
        _evidence(first, 60, 90, 0.9, 0.8, {"account", "icb"}),  # in both of a's passages
        _evidence(other, 0, 40, 0.3, 0.2, set()),
    ]
    rows = passage_features(question, [first, overlapping, other], evidence)
    col = {name: rows[:, i] for i, name in enumerate(PASSAGE_FEATURES)}
    assert rows.shape == (3, len(PASSAGE_FEATURES))
    assert list(col["best_score"]) == [0.9, 0.9, 0.3]  # the overlapping passage holds the sentence too
    assert list(col["coverage"]) == [1.0, 1.0, 0.0]
    assert list(col["best_score_gap"]) == pytest.approx([0.0, 0.0, -0.6])
    assert list(col["dense"]) == [1.0, 0.0, 0.0]
    assert col["doc_share"][0] == pytest.approx(2 / 3)
    assert col["heading"][2] == pytest.approx(2 / 3)  # "account" in its section heading, by IDF weight
    assert col["best_score_place"][2] == 0.0 and col["fused"][0] == 1.0


def _write_ranker(path: Path, weights: list[float]) -> Path:
    n = len(PASSAGE_FEATURES)
    path.write_text(json.dumps({"features": list(PASSAGE_FEATURES), "weights": weights, "bias": 0.0, "mean": [0.0] * n, "scale": [1.0] * n}))
    return path


def test_a_stored_ranker_orders_the_pool_by_its_score(tmp_path: Path) -> None:
    weights = [0.0] * len(PASSAGE_FEATURES)
    weights[PASSAGE_FEATURES.index("best_score")] = 1.0
    ranker = PassageRanker.load(_write_ranker(tmp_path / "r.json", weights))
    pool = [_passage(1, "a", 0, 100), _passage(2, "b", 0, 100)]
    evidence = [_evidence(pool[0], 0, 50, 0.2, 0.2, set()), _evidence(pool[1], 0, 50, 0.7, 0.2, set())]
    ordered = rank_passages(_question({"account": 1.0}), pool, evidence, ranker)
    assert [p.chunk.doc_id for p in ordered] == ["b", "a"] and [p.rank for p in ordered] == [1, 2]


@pytest.mark.parametrize(
    "content, said",
    [
        ("not json", "Expecting value"),
        ('{"features": ["fused"], "weights": [1], "bias": 0, "mean": [0], "scale": [1]}', "fitted on features"),
        (None, "every scale must be positive"),
    ],
)
def test_a_bad_ranker_file_is_one_clear_line(tmp_path: Path, content: str | None, said: str) -> None:
    path = tmp_path / "r.json"
    if content is None:
        _write_ranker(path, [1.0] * len(PASSAGE_FEATURES))
        data = json.loads(path.read_text())
        data["scale"][0] = 0.0
        content = json.dumps(data)
    path.write_text(content)
    with pytest.raises(ConfigError) as err:
        PassageRanker.load(path)
    assert said in str(err.value) and "\n" not in str(err.value) and "train_ranker" in str(err.value)


def test_hand_and_missing_settings() -> None:
    assert ranker_for("hand") is None and decline_model_for("checks") is None
    with pytest.raises(ConfigError, match="no such file"):
        ranker_for("/nonexistent/ranker.json")
    with pytest.raises(ConfigError, match="no such file"):
        decline_model_for("/nonexistent/decline.json")


def _decline_file(path: Path, threshold: float = 0.5) -> Path:
    n = len(DOUBT_FEATURES)
    weights = [0.0] * n
    weights[DOUBT_FEATURES.index("missing_shown")] = 4.0
    data = {"features": list(DOUBT_FEATURES), "weights": weights, "bias": -2.0, "mean": [0.0] * n, "scale": [1.0] * n, "threshold": threshold}
    path.write_text(json.dumps(data))
    return path


def test_the_decline_model_doubts_what_the_evidence_lacks(tmp_path: Path) -> None:
    model = DeclineModel.load(_decline_file(tmp_path / "d.json"))
    lacking = [0.0] * len(DOUBT_FEATURES)
    lacking[DOUBT_FEATURES.index("missing_shown")] = 1.0
    assert model.doubt(lacking) > 0.8 > 0.2 > model.doubt([0.0] * len(DOUBT_FEATURES))
    with pytest.raises(ConfigError, match="threshold must be between 0 and 1"):
        DeclineModel.load(_decline_file(tmp_path / "bad.json", threshold=1.5))


@pytest.mark.slow
def test_ask_runs_through_stored_models(seed_index, embedder, tmp_path: Path) -> None:
    """The real ask with a stored ranker and decline model: the model alone decides declining (its one check), and
    a model that doubts everything declines, naming the closest passages instead."""
    from assistant.engine import Assistant
    from assistant.index import Index

    weights = [0.0] * len(PASSAGE_FEATURES)
    weights[PASSAGE_FEATURES.index("best_score")] = 1.0
    ranker = _write_ranker(tmp_path / "r.json", weights)
    settings = replace(seed_index, ranker=str(ranker), decliner=str(_decline_file(tmp_path / "d.json", threshold=0.5)))
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    answer = bot.ask("What did NHS Providers say about the role of ICSs?")
    assert set(answer.checks) == {"doubt"} and len(answer.doubt) == len(DOUBT_FEATURES)
    assert answer.citations and not answer.abstained
    doubting = replace(settings, decliner=str(_decline_file(tmp_path / "all.json", threshold=0.01)))
    declined = Assistant(doubting, index=bot.index).ask("What did NHS Providers say about the role of ICSs?")
    assert declined.abstained and declined.checks == {"doubt": True} and not declined.citations


def test_the_ranker_trainer_judges_orders_as_ask_shows_them() -> None:
    """hit@k on the first k passages of the order, as `ask` shows them (no document is capped)."""
    from eval.train_ranker import Pool, fit, judge, ranked

    features = np.array([[1.0 - i / 10] + [0.0] * (len(PASSAGE_FEATURES) - 1) for i in range(6)])
    pool = Pool("seed", "single", features, np.array([0, 0, 0, 0, 0, 1], dtype=bool), ["a", "a", "a", "a", "b", "c"], list(range(6)))
    assert judge([pool], [list(range(6))], 5) == (0.0, pytest.approx(1 / 6))  # shown 6th: a's 4th passage keeps its place
    assert judge([pool], [list(range(6))], 6) == (1.0, pytest.approx(1 / 6))
    learned = fit([pool, pool], "test")  # the gold passage has the lowest feature 0: the fit learns to put it first
    assert ranked([pool], learned)[0][0] == 5


def test_the_decline_trainer_keeps_answerable_questions_answered() -> None:
    """The threshold is the best on the set fitted that declines at most 5% of its answerable questions."""
    from eval.train_decline import Asked, fit, outcome

    n = len(DOUBT_FEATURES)
    answerable = [Asked("seed", "single", False, tuple([i / 80] + [0.0] * (n - 1)), False, True) for i in range(40)]
    decoys = [Asked("seed", "unanswerable", True, tuple([0.8 + i / 100] + [0.0] * (n - 1)), False, False) for i in range(10)]
    model = fit(answerable + decoys, "test")
    declined = [model.doubt(a.features) >= model.threshold for a in answerable + decoys]
    result = outcome(answerable + decoys, declined)
    assert result["answerable declined"] <= 0.05 and result["decoys declined"] == 1.0 and result["correct"] >= 0.96


def test_train_fusion_takes_write() -> None:
    from eval.train_fusion import _parser

    assert _parser().parse_args(["--write"]).write and not _parser().parse_args([]).write


def test_the_listwise_scorer_learns_which_feature_finds_gold_and_scores_a_chance() -> None:
    """Gold candidates have the higher "lexical" and a random "semantic": the fit weighs lexical up, and its scores
    are on the hand-set scale (one straight line: the same mean), so the answer's relative floors keep their meaning."""
    from assistant.scoring import SEMANTIC_WEIGHT, SentenceScorer
    from eval.train_scorer import fit_listwise, top_hits

    rng = np.random.default_rng(0)
    groups = []
    for _ in range(60):
        x = rng.random((12, len(SCORER_FEATURES)))
        y = np.zeros(12, dtype=np.int64)
        y[rng.integers(12)] = 1
        x[y == 1, SCORER_FEATURES.index("lexical")] += 1.0
        groups.append((x, y))
    scorer = fit_listwise(groups)
    lexical, semantic = scorer.weights[SCORER_FEATURES.index("lexical")], scorer.weights[SCORER_FEATURES.index("semantic")]
    assert lexical > 0 and lexical > 5 * abs(semantic)
    assert top_hits(groups, scorer)[0] == 1.0
    hand = SentenceScorer.hand(SEMANTIC_WEIGHT)
    rows = [row for x, _ in groups for row in x]
    assert not scorer.logistic and np.mean([scorer(r) for r in rows]) == pytest.approx(np.mean([hand(r) for r in rows]))


def test_a_one_corpus_fit_is_stored_as_a_file_the_assistant_can_be_told_to_use(tmp_path: Path) -> None:
    """train_scorer --write-each stores each corpus's fit alone; ASSISTANT_SCORER=FILE answers with it (cross-corpus runs)."""
    from assistant.scoring import SentenceScorer, scorer_for
    from eval.train_scorer import _store

    fit = SentenceScorer(tuple(float(i) for i in range(len(SCORER_FEATURES))), 0.5, False)
    path = tmp_path / "sentence_scorer-seed.json"
    _store(path, fit, "the seed dev set alone", "python -m eval.train_scorer --write-each DIR", [])
    loaded = scorer_for(str(path), True)
    assert loaded.weights == fit.weights and loaded.bias == fit.bias
    assert "the seed dev set alone" in json.loads(path.read_text(encoding="utf-8"))["trained_on"]


def test_the_shipped_scorer_is_learned_for_every_model() -> None:
    """The shipped fit answers by default, for a tuned model (whose cosines it was fitted on: eval/README.md, round
    seven) and for the packaged one; "hand" forces the hand-set weights;
    the file says what it was trained on and that it held across corpora."""
    from assistant.scoring import SCORER_PATH, TUNED_SEMANTIC_WEIGHT, SentenceScorer, scorer_for

    shipped = json.loads(SCORER_PATH.read_text(encoding="utf-8"))
    assert "seed-dev" in shipped["trained_on"] and "devcorpus-dev" in shipped["trained_on"] and "on the other corpus" in shipped["trained_on"]
    assert scorer_for("", False) == SentenceScorer.load(SCORER_PATH)
    assert scorer_for("", True) == SentenceScorer.load(SCORER_PATH)
    assert scorer_for("hand", True) == SentenceScorer.hand(TUNED_SEMANTIC_WEIGHT)
    assert scorer_for("hand", False).about == "hand-set weights"


@pytest.mark.slow
def test_the_central_feature_is_the_cosine_to_the_documents_mean_sentence(seed_assistant) -> None:
    """"central" reads the search matrix's rows of the sentence's document; the same centroid comes from the sentences'
    own vectors when the matrix does not hold the document (a document changed since it was built)."""
    import numpy as np

    from assistant.scoring import SCORER_FEATURES

    _, passages, evidence = seed_assistant.pool("How will ICBs be held to account for their performance?", [])
    bank = seed_assistant._ready()[1]
    e = evidence[0]
    doc = e.passage.doc
    own = [s for s in bank.sentences(doc) if not s.heading]
    mean = bank.vectors(own, {doc.doc_id: doc}).astype(np.float64).mean(axis=0)
    expected = float(e.vector @ (mean / np.linalg.norm(mean)))
    assert e.features[SCORER_FEATURES.index("central")] == pytest.approx(expected, abs=1e-5)
    matrix, bank._matrix = bank._matrix, None  # as if the matrix did not hold it
    bank._centroids.clear()
    try:
        assert float(e.vector @ bank.centroid(doc)) == pytest.approx(expected, abs=1e-5)
    finally:
        bank._matrix = matrix
        bank._centroids.clear()
    # cosines, and they tell sentences apart
    values = [x.features[SCORER_FEATURES.index("central")] for x in evidence]
    assert all(-1.0 <= v <= 1.0 for v in values) and len(set(values)) > 1


def test_a_follow_up_is_scored_on_its_own_words_and_on_what_was_just_cited(seed_assistant) -> None:
    """"asked_semantic" is the cosine to the question as asked, "semantic" to it resolved: they differ only for a
    resolved follow-up. "repeated" marks the sentences the previous answer cited, "anchor" those near them, never both."""
    import numpy as np

    from assistant.scoring import SCORER_FEATURES

    semantic, asked, repeated, anchor = (SCORER_FEATURES.index(n) for n in ("semantic", "asked_semantic", "repeated", "anchor"))
    history = ["How will ICBs be held to account for their performance?"]
    analysed, _, evidence = seed_assistant.pool("Why does that matter?", history)
    assert analysed.text != analysed.asked  # resolved against the history
    index = seed_assistant._ready()[0].index
    own = np.asarray(index.embed_query("Why does that matter?"), dtype=np.float32)
    for e in evidence[:20]:
        assert e.features[asked] == pytest.approx(float(e.vector @ own), abs=1e-5)
        assert e.features[semantic] == pytest.approx(e.semantic, abs=1e-6)
    assert any(abs(e.features[asked] - e.features[semantic]) > 0.01 for e in evidence)
    cited = seed_assistant._anchors(analysed, history, None, seed_assistant.settings.top_k)
    assert cited
    on = [e for e in evidence if any(d == e.sentence.doc_id and s < e.sentence.end and e.sentence.start < t for d, s, t in cited)]
    assert on and all(e.features[repeated] == 1.0 for e in on)
    on_ids = {id(e) for e in on}
    assert all(e.features[repeated] == 0.0 for e in evidence if id(e) not in on_ids)
    assert not any(e.features[repeated] and e.features[anchor] for e in evidence)
    # a standalone question: the two cosines are one, and nothing was cited before it
    _, _, alone = seed_assistant.pool("How will ICBs be held to account for their performance?", [])
    assert all(e.features[asked] == e.features[semantic] and e.features[repeated] == 0.0 for e in alone)
