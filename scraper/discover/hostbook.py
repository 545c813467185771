"""What the discovery knows of each host, in memory or in Redis (shared by every crawler of a distributed run).

The state is kept in forms Redis updates atomically, so that two crawlers probing the same host count its
requests and articles once each: per host, counters (HINCRBY), facts written once (HSETNX), a bounded list of
the articles sampled and of the list-page URLs (RPUSH/LTRIM); the set of hosts admitted and the number of
requests are global. The in-memory book is the same, and is saved to and loaded from a JSON file for
`--jobdir`.
"""
from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .judge import HostState, Sample

MAX_SAMPLES = 50  # articles kept per host (the budget stops far below)
MAX_LIST_URLS = 50  # list-page URLs kept per host (for article_pattern checks)


class HostBook:
    """The in-memory book."""

    def __init__(self) -> None:
        self._counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._facts: defaultdict[str, dict[str, str]] = defaultdict(dict)
        self._samples: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._lists: defaultdict[str, list[str]] = defaultdict(list)
        self._admitted: dict[str, None] = {}  # in order of admission
        self._requests = 0

    # admission and global budget
    def admit(self, host: str, max_sites: int) -> bool:
        """Admit a host for probing unless max_sites hosts are admitted already (0: no limit)."""
        if host in self._admitted:
            return True
        if max_sites and len(self._admitted) >= max_sites:
            return False
        self._admitted[host] = None
        return True

    def admitted(self, host: str) -> bool:
        return host in self._admitted

    def hosts(self) -> list[str]:
        return list(self._admitted)

    def add_requests(self, n: int = 1) -> int:
        """Count n requests; the total so far."""
        self._requests += n
        return self._requests

    # per host
    def incr(self, host: str, name: str, n: int = 1) -> int:
        self._counts[host][name] += n
        return self._counts[host][name]

    def count(self, host: str, name: str) -> int:
        return self._counts[host][name] if host in self._counts else 0

    def put(self, host: str, name: str, value: str) -> bool:
        """Set a fact unless it is set already; True when this call set it."""
        facts = self._facts[host]
        if name in facts:
            return False
        facts[name] = value
        return True

    def get(self, host: str, name: str) -> str | None:
        return self._facts[host].get(name) if host in self._facts else None

    def add_sample(self, host: str, sample: Sample) -> None:
        if len(self._samples[host]) < MAX_SAMPLES:
            self._samples[host].append(sample.to_dict())

    def add_list_url(self, host: str, url: str) -> None:
        if len(self._lists[host]) < MAX_LIST_URLS:
            self._lists[host].append(url)

    def state(self, host: str) -> HostState:
        return HostState(host, dict(self._counts.get(host, {})), dict(self._facts.get(host, {})),
                         [_sample(s) for s in self._samples.get(host, [])], {"list": list(self._lists.get(host, []))})

    # persistence (--jobdir)
    def to_dict(self) -> dict[str, Any]:
        return {"counts": {h: dict(c) for h, c in self._counts.items()}, "facts": dict(self._facts),
                "samples": dict(self._samples), "lists": dict(self._lists), "admitted": list(self._admitted),
                "requests": self._requests}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostBook:
        book = cls()
        for host, counts in data.get("counts", {}).items():
            book._counts[host].update(counts)
        for host, facts in data.get("facts", {}).items():
            book._facts[host].update(facts)
        for host, samples in data.get("samples", {}).items():
            book._samples[host].extend(samples)
        for host, urls in data.get("lists", {}).items():
            book._lists[host].extend(urls)
        book._admitted = dict.fromkeys(data.get("admitted", []))
        book._requests = int(data.get("requests", 0))
        return book

    def close(self) -> None:
        pass


def _sample(data: dict[str, Any]) -> Sample:
    return Sample(data["url"], float(data["score"]), bool(data["on_topic"]), tuple(data.get("terms", ())),
                  data.get("title", ""))


class RedisHostBook(HostBook):
    """The same book in Redis, under `PREFIX:` keys (one hash, sample list and list-URL list per host)."""

    def __init__(self, url: str, prefix: str = "discover:state") -> None:
        import redis

        self.r = redis.Redis.from_url(url)
        self.p = prefix

    def _h(self, host: str) -> str:
        return f"{self.p}:host:{host}"

    def admit(self, host: str, max_sites: int) -> bool:
        if self.r.zscore(f"{self.p}:admitted", host) is not None:
            return True
        order = self.r.incr(f"{self.p}:admissions")
        if not self.r.zadd(f"{self.p}:admitted", {host: order}, nx=True):
            return True  # another crawler admitted it meanwhile
        if max_sites and self.r.zcard(f"{self.p}:admitted") > max_sites:
            # over the limit: undo, unless the host made it in among the first max_sites
            rank = self.r.zrank(f"{self.p}:admitted", host)
            if rank is not None and rank >= max_sites:
                self.r.zrem(f"{self.p}:admitted", host)
                return False
        return True

    def admitted(self, host: str) -> bool:
        return self.r.zscore(f"{self.p}:admitted", host) is not None

    def hosts(self) -> list[str]:
        return [h.decode() for h in self.r.zrange(f"{self.p}:admitted", 0, -1)]

    def add_requests(self, n: int = 1) -> int:
        return int(self.r.incrby(f"{self.p}:requests", n))

    def incr(self, host: str, name: str, n: int = 1) -> int:
        return int(self.r.hincrby(self._h(host), f"c:{name}", n))

    def count(self, host: str, name: str) -> int:
        return int(self.r.hget(self._h(host), f"c:{name}") or 0)

    def put(self, host: str, name: str, value: str) -> bool:
        return bool(self.r.hsetnx(self._h(host), f"f:{name}", value))

    def get(self, host: str, name: str) -> str | None:
        value = self.r.hget(self._h(host), f"f:{name}")
        return value.decode() if value is not None else None

    def add_sample(self, host: str, sample: Sample) -> None:
        key = f"{self._h(host)}:samples"
        self.r.rpush(key, json.dumps(sample.to_dict(), ensure_ascii=False))
        self.r.ltrim(key, 0, MAX_SAMPLES - 1)

    def add_list_url(self, host: str, url: str) -> None:
        key = f"{self._h(host)}:lists"
        self.r.rpush(key, url)
        self.r.ltrim(key, 0, MAX_LIST_URLS - 1)

    def state(self, host: str) -> HostState:
        raw = {k.decode(): v.decode() for k, v in self.r.hgetall(self._h(host)).items()}
        counts = {k[2:]: int(v) for k, v in raw.items() if k.startswith("c:")}
        facts = {k[2:]: v for k, v in raw.items() if k.startswith("f:")}
        samples = [_sample(json.loads(s)) for s in self.r.lrange(f"{self._h(host)}:samples", 0, -1)]
        lists = [u.decode() for u in self.r.lrange(f"{self._h(host)}:lists", 0, -1)]
        return HostState(host, counts, facts, samples, {"list": lists})

    def to_dict(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        self.r.close()


def save_json(path: str | Path, data: Any) -> None:
    """Write JSON atomically (a temporary file renamed over the old one)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
