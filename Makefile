# Two entry points for a fresh machine with only python3: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# the stock pip (23.2) cannot resolve lxml[html-clean]: upgrade it first
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/newsclean clean seeds -o out/seeds.jsonl

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check cleaners scraper tests

lint: $(STAMP)
	$(BIN)/ruff check cleaners scraper tests

clean:
	rm -rf out .pytest_cache
