# The README's commands. Each sets up .venv itself, so they work on a fresh clone.
PY ?= python3
VENV := .venv
# pages of the memory benchmark's crawl: `make bench MEMORY_PAGES=5000` for a shorter run
MEMORY_PAGES ?= 100000
BIN := $(VENV)/bin

.PHONY: test demo bench lint train evaluate setup clean
.DEFAULT_GOAL := test

$(BIN)/organwatch: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/organwatch

test: setup
	$(BIN)/ruff check crawler nlp tests benchmarks
	$(BIN)/pytest -q

demo: setup
	$(BIN)/organwatch demo

bench: setup
	$(BIN)/python benchmarks/classifier.py
	$(BIN)/python benchmarks/language.py
	$(BIN)/python benchmarks/sampleweb_quality.py
	$(BIN)/python benchmarks/dilution.py
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/throughput.py --pages 10000 --rounds 1
	$(BIN)/python benchmarks/memory.py --pages $(MEMORY_PAGES)
	$(BIN)/python benchmarks/focus.py

train: setup
	$(BIN)/organwatch train

evaluate: setup
	$(BIN)/organwatch evaluate nlp/corpus/dev.jsonl

# ruff's checks only: the code is not ruff-formatted (its compact lines would become 2,700 more)
lint: setup
	$(BIN)/ruff check crawler nlp tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
