"""Reading a user's YAML file (config, site rules, crawl sources) with one clear error for every way it fails, and
the package's own tables (data/*.yaml)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cleaners import cachefile


def _parse_table(text: str) -> Any:
    """libyaml's parser where PyYAML has it (the rule, tuning and catalogue tables, which every worker process
    loads, parse ten times faster), with the same safe constructors and resolvers as yaml.safe_load. PyYAML is
    imported here, not with the module: a start whose tables are all cached does without it (~20 ms)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


_TABLE_MAGIC = b"newsclean-table-1\n"


def load_table_text(text: str) -> Any:
    """A table of the package (data/*.yaml) parsed as yaml.safe_load parses it.

    The parsed table is kept in the cache directory (cleaners.cachefile), under the digest of its text: building
    the objects of the five tables is Python work even with libyaml's parser (~15 ms at every start), reading
    them back with marshal a fiftieth of it. A table marshal cannot hold (a YAML date) is parsed every time."""
    base = cachefile.cache_dir()
    if base is None:
        return _parse_table(text)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    # keyed by the text (and Python's marshal format), not by PyYAML's release, which would need PyYAML imported:
    # safe loading of the plain scalars, lists and mappings the tables are written in has not changed in years
    path = base / f"table-{digest[:32]}-{cachefile.PY_TAG}.bin"
    found = cachefile.read(path, _TABLE_MAGIC)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == digest:  # noqa: PLR2004 - (digest, table)
        return found[1]
    table = _parse_table(text)
    cachefile.write(path, _TABLE_MAGIC, (digest, table))  # False (not written) for a table marshal cannot hold
    return table


def read_yaml(path: str | Path, error: type[Exception]) -> Any:
    """The parsed file; `error` (the caller's own error class) for an unreadable file or invalid YAML, so that
    the command prints one line naming the file instead of a traceback."""
    import yaml

    try:
        return yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8: {exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
