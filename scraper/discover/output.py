"""The discovery's outputs: OUTDIR/sources.yaml (the on-topic hosts, ranked, in the schema `newsclean crawl
--sources` reads), OUTDIR/hosts.jsonl (every host probed, with its verdict and reason), and the summary.
Each file is written to a temporary name and renamed."""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex

from cleaners import regexcache

from .judge import HostState, Verdict

PATTERN_MIN_URLS = 3  # article URLs needed before their shared shape is called a pattern
_TOKENS = regexcache.compile(r"\d+|\D+")


@dataclass
class Judged:
    state: HostState
    verdict: Verdict


def _shape(path: str) -> list[str]:
    return _TOKENS.findall(path)


def article_pattern(article_urls: Iterable[str], list_urls: Iterable[str] = ()) -> str:
    """A regular expression on URLs that every article URL matches, each run of digits generalised to `\\d+`, when
    their paths share one shape (same literal parts, digits in the same places) and none of the host's list pages
    matches it; "" else (the crawl then lets each page decide)."""
    paths = [urlsplit(u).path or "/" for u in article_urls]
    if len(paths) < PATTERN_MIN_URLS:
        return ""
    shapes = [_shape(p) for p in paths]
    if len({len(s) for s in shapes}) != 1:
        return ""
    parts = []
    for tokens in zip(*shapes, strict=True):
        if all(t.isdigit() for t in tokens):  # any number of digits: ids grow, dates are written 5 or 05
            parts.append(r"\d+")
        elif len(set(tokens)) == 1:
            parts.append(regex.escape(tokens[0]))
        else:
            return ""
    if not any(r"\d" in p for p in parts):  # every article at one literal path: no shape to speak of
        return ""
    pattern = "".join(parts) + "$"
    compiled = regexcache.compile(pattern)
    if any(compiled.search(urlsplit(u).path or "/") for u in list_urls):
        return ""
    return pattern


def source_name(host: str, taken: set[str]) -> str:
    """A source name from a host (`www.example.cn` -> `example.cn`, `127.0.0.5:8080` -> `127.0.0.5-8080`)."""
    name = host.removeprefix("www.").replace(":", "-")
    out, i = name, 2
    while out in taken:
        out, i = f"{name}-{i}", i + 1
    taken.add(out)
    return out


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML string


def rank(judged: list[Judged]) -> list[Judged]:
    """On-topic hosts, best first: by share of on-topic articles, then mean score, then name."""
    def key(j: Judged) -> tuple:
        samples = j.state.samples
        share = sum(s.on_topic for s in samples) / len(samples) if samples else 0.0
        return (-share, -j.verdict.score, j.state.host)
    return sorted((j for j in judged if j.verdict.verdict == "on_topic"), key=key)


def source_entry(j: Judged, name: str) -> tuple[str, dict[str, Any]]:
    """The comment line and the entry of one on-topic host."""
    st = j.state
    scheme = st.facts.get("scheme", "http")
    host_name = (urlsplit(f"{scheme}://{st.host}/").hostname or st.host)
    entry: dict[str, Any] = {"name": name, "start_urls": [f"{scheme}://{st.host}/"], "allowed_domains": [host_name]}
    if st.facts.get("sitemap"):
        entry["sitemaps"] = [st.facts["sitemap"]]
    if st.facts.get("feed"):
        entry["feeds"] = [st.facts["feed"]]
    pattern = article_pattern([s.url for s in st.samples], st.urls.get("list", []))
    if pattern:
        entry["article_pattern"] = pattern
    terms = Counter(t for s in st.samples if s.on_topic for t in s.terms[:5])
    found = [w for w in ("sitemap", "feed") if st.facts.get(w)]
    origin = "a source given with --sources" if st.facts.get("seed") else f"linked from {st.facts.get('via', '?')}"
    comment = (f"score {j.verdict.score:.3f}: {j.verdict.reason}; top terms "
               f"{' '.join(t for t, _ in terms.most_common(6))}" + (f"; {' and '.join(found)} found" if found else "")
               + f"; {origin}")
    return comment, entry


def sources_yaml(judged: list[Judged], profile_note: str = "") -> str:
    """The text of OUTDIR/sources.yaml (an empty `sources: []` is never written: see write_sources)."""
    lines = ["# On-topic sources found by `newsclean discover`, best first; `newsclean crawl --sources` reads this."]
    if profile_note:
        lines.append(f"# {profile_note}")
    lines.append("sources:")
    taken: set[str] = set()
    for j in rank(judged):
        comment, entry = source_entry(j, source_name(j.state.host, taken))
        lines.append(f"  # {comment}")
        first = True
        for key, value in entry.items():
            text = _yaml_str(value) if isinstance(value, str) else "[" + ", ".join(map(_yaml_str, value)) + "]"
            if key == "article_pattern":
                text = "'" + value.replace("'", "''") + "'"  # single quotes: backslashes stay as they are
            lines.append(f"  {'- ' if first else '  '}{key}: {text}")
            first = False
    return "\n".join(lines) + "\n"


def host_line(j: Judged) -> dict[str, Any]:
    st = j.state
    return {
        "host": st.host, "verdict": j.verdict.verdict, "score": j.verdict.score, "reason": j.verdict.reason,
        "articles": len(st.samples), "on_topic_articles": sum(s.on_topic for s in st.samples),
        "pages": st.n("pages"), "requests": st.n("requests"), "seed": bool(st.facts.get("seed")),
        "via": st.facts.get("via"), "sitemap": st.facts.get("sitemap"), "feed": st.facts.get("feed"),
        "spam": st.facts.get("spam"), "error": st.facts.get("error"),
        "samples": [s.to_dict() for s in st.samples],
    }


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def write_outputs(outdir: Path, judged: list[Judged], summary: dict[str, Any], profile_note: str = "") -> None:
    """sources.yaml (only when some host is on topic: crawl refuses an empty list), hosts.jsonl, summary.json."""
    outdir.mkdir(parents=True, exist_ok=True)
    if rank(judged):
        write_text(outdir / "sources.yaml", sources_yaml(judged, profile_note))
    else:
        (outdir / "sources.yaml").unlink(missing_ok=True)
    write_text(outdir / "hosts.jsonl",
               "".join(json.dumps(host_line(j), ensure_ascii=False) + "\n" for j in judged))
    write_text(outdir / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1) + "\n")


def run_summary(judged: list[Judged], reason: str, outdir: Path, stats: dict[str, Any], refused: dict[str, int],
                threshold: float, elapsed_s: float) -> dict[str, Any]:
    """The discovery's summary: the verdicts, where the sources went, and what the crawl did."""
    verdicts = dict(Counter(j.verdict.verdict for j in judged))
    on_topic = verdicts.get("on_topic", 0)
    return {
        "finish_reason": reason, "hosts": len(judged), "verdicts": verdicts, "sources": on_topic,
        "sources_file": str(outdir / "sources.yaml") if on_topic else "(none: no on-topic host)",
        "requests": stats.get("newsclean/requests", 0), "pages": sum(j.state.n("pages") for j in judged),
        "articles": stats.get("newsclean/articles", 0), "refused": dict(sorted(refused.items())),
        "dns_lookups": stats.get("newsclean/dns_lookups", 0),
        "threshold": threshold, "elapsed_s": round(elapsed_s, 2),
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    verdicts = ", ".join(f"{k} {v}" for k, v in summary["verdicts"].items())
    return [f"discover {summary['finish_reason']}: {summary['hosts']} hosts probed ({verdicts or 'none'}), "
            f"{summary['sources']} on-topic sources in {summary['sources_file']}",
            f"{summary['requests']} requests, {summary['pages']} pages, {summary['articles']} on-topic articles "
            f"stored, {summary['elapsed_s']} s; refused: {summary['refused'] or 'none'}"]
