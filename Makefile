# Two entry points for a fresh machine with only python3: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean browser redis libmagic

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# the stock pip (23.2) cannot resolve lxml[html-clean]: upgrade it first
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Headless Chromium and a CJK font for the explain report's browser test (Debian packages; needs root).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	fc-list :lang=zh 2>/dev/null | grep -q . || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei)

# redis-server for the distributed-crawl test (Debian package; needs root).
redis:
	command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

# libmagic for python-magic, which datatrove's WarcReader imports (Debian package; needs root).
libmagic:
	ldconfig -p | grep -q 'libmagic\.so\.1 ' || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmagic1)

run: $(STAMP)
	$(BIN)/newsclean clean seeds -o out/seeds.jsonl

test: $(STAMP) browser redis libmagic
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check cleaners scraper tests

lint: $(STAMP)
	$(BIN)/ruff check cleaners scraper tests

clean:
	rm -rf out .pytest_cache
