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
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages are installed only when missing, with no recommends and no upgrade of what is installed
# (a plain `apt-get install chromium` upgrades systemd and perl on the way).
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade

# Headless Chromium and a CJK font for the explain report's browser test (needs root).
browser:
	command -v chromium >/dev/null || ($(APT_INSTALL) chromium)
	fc-list :lang=zh 2>/dev/null | grep -q . || ($(APT_INSTALL) fonts-wqy-microhei)

# redis-server for the distributed-crawl test (needs root).
redis:
	command -v redis-server >/dev/null || ($(APT_INSTALL) redis-server)

# libmagic for python-magic, which datatrove's WarcReader imports (Debian package; needs root).
libmagic:
	ldconfig -p | grep -q 'libmagic\.so\.1 ' || ($(APT_INSTALL) libmagic1)

run: $(STAMP)
	$(BIN)/newsclean clean seeds -o out/seeds.jsonl

test: $(STAMP) browser redis libmagic
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check cleaners scraper tests bench

lint: $(STAMP)
	$(BIN)/ruff check cleaners scraper tests bench

clean:
	rm -rf out .pytest_cache
