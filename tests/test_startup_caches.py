"""The start-up caches. The regex cache (cleaners.regexcache): a pattern compiled in one process is rebuilt from
the cache file in the next and behaves as regex.compile's; a damaged, foreign or oversized file is ignored; caching
can be turned off; the file stays bounded. The parsed tables (cleaners.io.yamlfile) read back equal to a fresh
parse. Each test runs with NEWSCLEAN_CACHE_DIR set to a directory of its own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from cleaners import regexcache

ROOT = Path(__file__).resolve().parent.parent

# Patterns of the kinds the cleaner compiles: properties, case-insensitive alternations, named groups, V0 rules,
# lookarounds, reverse search.
PATTERNS = [
    (r"\p{Han}+", 0),
    (r"(?i)(related|recommended) (articles?|posts?)|read more", 0),
    (r"(?P<year>\d{4})[-/年](?P<month>\d{1,2})", 0),
    (r"[\[【]?(相关|推荐)(新闻|阅读)[\]】]?\s*[:：]?", int(regex.V0)),
    (r"(?<=[a-z])(?=[A-Z])", 0),
    (r"(?r)(\s*\[\d{1,3}\])+\s*$", 0),
    (r"责任编辑\s*[:：]\s*(?P<editor>\S{2,4})", int(regex.IGNORECASE | regex.V0)),
]
SAMPLES = ["相关新闻：职业教育 Read more", "Related Articles about camelCase", "2024年5月 发布 2024-05-01",
           "see [1] [23] ", "责任编辑：张三 (完)", "RECOMMENDED POSTS"]

# What a process reports: how each pattern behaves, and whether it came from the cache file.
PROBE = """
import json, sys
from cleaners import regexcache
patterns = json.loads(sys.argv[1]); samples = json.loads(sys.argv[2])
before = dict(regexcache._cached() or {})
out = []
for pattern, flags in patterns:
    p = regexcache.compile(pattern, flags)
    out.append({"cached": (pattern, flags) in before, "flags": p.flags, "groups": p.groupindex,
                "found": [[m.span() for m in p.finditer(s)] for s in samples],
                "full": [bool(p.fullmatch(s)) for s in samples]})
print(json.dumps(out))
"""


def _probe(cache_dir: str) -> list[dict]:
    env = {**os.environ, regexcache.CACHE_ENV: cache_dir}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(PATTERNS), json.dumps(SAMPLES, ensure_ascii=False)],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def _expected() -> list[dict]:
    out = []
    for pattern, flags in PATTERNS:
        p = regex.compile(pattern, flags)
        out.append({"flags": p.flags, "groups": p.groupindex,
                    "found": [[list(m.span()) for m in p.finditer(s)] for s in SAMPLES],
                    "full": [bool(p.fullmatch(s)) for s in SAMPLES]})
    return out


def _without_cached(results: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "cached"} for r in results]


def _cache_file(directory: Path) -> Path:
    files = list(directory.glob("regex-*.bin"))
    assert len(files) == 1, files
    return files[0]


def test_a_pattern_compiled_once_is_rebuilt_from_the_cache_and_behaves_the_same(tmp_path: Path) -> None:
    first = _probe(str(tmp_path))
    assert not any(r["cached"] for r in first)
    path = _cache_file(tmp_path)  # written at exit
    second = _probe(str(tmp_path))
    assert all(r["cached"] for r in second)
    assert _without_cached(first) == _without_cached(second) == _expected()
    assert path.name == f"regex-{regex.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.bin"


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "empty"])
def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    _probe(str(tmp_path))
    path = _cache_file(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-10] ^= 0xFF  # inside the opcodes: the digest no longer agrees
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "foreign":
        data = bytearray(b"not a cache file at all\n" + bytes(data[30:]))
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    again = _probe(str(tmp_path))
    assert not any(r["cached"] for r in again)
    assert _without_cached(again) == _expected()
    assert all(r["cached"] for r in _probe(str(tmp_path)))  # the next run wrote a good file again


def test_an_empty_cache_dir_setting_turns_caching_off(tmp_path: Path) -> None:
    env = {**os.environ, regexcache.CACHE_ENV: "", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(PATTERNS), json.dumps(SAMPLES, ensure_ascii=False)],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert _without_cached(json.loads(proc.stdout)) == _expected()
    assert not list(tmp_path.rglob("regex-*.bin"))


def test_an_unwritable_cache_dir_costs_nothing_but_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would be")
    assert _without_cached(_probe(str(blocker / "cache"))) == _expected()


def test_the_file_is_bounded_in_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(regexcache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(regexcache, "MAX_ENTRIES", 3)
    monkeypatch.setattr(regexcache, "_entries", None)
    monkeypatch.setattr(regexcache, "_off", False)
    monkeypatch.setattr(regexcache, "_new", {})
    for k in range(6):
        assert regexcache.compile(rf"bounded-{k}\d+").fullmatch(f"bounded-{k}42")
    regexcache.save()
    kept = regexcache._read(_cache_file(tmp_path))
    assert len(kept) == 3
    assert all(pattern.startswith("bounded-") for pattern, _flags in kept)


# ---- the parsed tables (cleaners.io.yamlfile.load_table_text), kept in the same directory ------------------------

TABLE = """version: 3
rules:
  - name: a_rule
    pattern: '(相关|推荐)新闻'
    max_chars: 40
    share: 0.25
    ends_article: true
    meta: [site, date]
    note: null
"""


def test_a_table_read_back_from_the_cache_equals_the_parsed_one(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from cleaners.io.yamlfile import load_table_text

    monkeypatch.setenv(regexcache.CACHE_ENV, str(tmp_path))
    expected = yaml.safe_load(TABLE)
    assert load_table_text(TABLE) == expected
    (path,) = tmp_path.glob("table-*.bin")
    path.write_bytes(path.read_bytes().replace(b"version", b"VERSION"))  # as if the cache held another table
    assert load_table_text(TABLE) == expected  # the altered file is not trusted: parsed again, and rewritten
    assert b"VERSION" not in path.read_bytes()
    cached = load_table_text(TABLE)
    assert cached == expected and type(cached["rules"][0]["share"]) is float
    assert load_table_text(TABLE) is not load_table_text(TABLE)  # each caller gets its own copy


def test_a_table_marshal_cannot_hold_is_parsed_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from cleaners.io.yamlfile import load_table_text

    monkeypatch.setenv(regexcache.CACHE_ENV, str(tmp_path))
    assert load_table_text("when: 2024-05-01\n") == {"when": dt.date(2024, 5, 1)}
    assert not list(tmp_path.glob("table-*.bin"))


# ---- what a one-page clean loads -----------------------------------------------------------------------------

LOADED = """
import json, sys
from cleaners.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("page", ["seeds/003_eb5bf98bd8c8b1df.txt", "fixtures/html/en_read_more.html"])
def test_a_warm_one_page_clean_loads_neither_pyyaml_nor_the_other_commands(tmp_path: Path, page: str) -> None:
    """With its caches warm, `newsclean clean PAGE` (flattened text without front matter, HTML) reads no YAML and
    builds no other command's flags."""
    page = str(ROOT / page)
    env = {**os.environ, regexcache.CACHE_ENV: str(tmp_path / "cache")}
    runs = []
    for k in range(2):  # the first run fills the caches
        proc = subprocess.run([sys.executable, "-c", LOADED, "clean", str(page), "-o", str(tmp_path / f"{k}.jsonl"),
                               "-q"], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    cold, warm = (set(r["modules"]) for r in runs)
    assert runs[0]["code"] == runs[1]["code"] == 0
    assert (tmp_path / "0.jsonl").read_bytes().split(b'"cleaned_at"')[0] \
        == (tmp_path / "1.jsonl").read_bytes().split(b'"cleaned_at"')[0]
    assert "yaml" in cold  # the tables were parsed once
    unused = {"yaml", "scraper.limits", "scraper.discover.frontier", "cleaners.commands.crawl",
              "cleaners.commands.dedup"}
    assert not unused & warm, sorted(unused & warm)


# ---- installed versions without importlib.metadata (cleaners.distversion) ----------------------------------------


def test_versions_from_dist_info_names_agree_with_importlib_metadata() -> None:
    from importlib import metadata

    from cleaners import distversion

    names = ["trafilatura", "langdetect", "lxml", "regex", "PyYAML", "readability-lxml", "charset_normalizer"]
    found = {n: distversion.version(n) for n in names}
    assert sum(v is not None for v in found.values()) >= 5  # the core dependencies are wheels
    for name, version in found.items():
        if version is not None:
            assert version == metadata.version(name), name
    assert distversion.version("no-such-distribution") is None
    assert distversion.installed_version("no-such-distribution", "missing") == "missing"


def test_the_first_metadata_on_sys_path_wins_and_eggs_are_left_to_importlib(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaners import distversion

    first, second = tmp_path / "a", tmp_path / "b"
    for d in (first, second):
        d.mkdir()
    (first / "Foo_Bar-1.2.3.dist-info").mkdir()
    (second / "foo.bar-9.9.dist-info").mkdir()
    (first / "baz-0.1-py3.11.egg-info").mkdir()
    (second / "baz-2.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    distversion._listed.cache_clear()
    try:
        assert distversion.version("foo-bar") == distversion.version("FOO.BAR") == "1.2.3"
        assert distversion.version("baz") is None
    finally:
        distversion._listed.cache_clear()
