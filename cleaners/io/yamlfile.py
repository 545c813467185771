"""Reading a user's YAML file (config, site rules, crawl sources) with one clear error for every way it fails, and
the package's own tables (data/*.yaml)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser where PyYAML has it (the rule, tuning and catalogue tables, which every worker process loads,
# parse ten times faster), with the same safe constructors and resolvers as yaml.safe_load.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_table_text(text: str) -> Any:
    """A table of the package (data/*.yaml) parsed as yaml.safe_load parses it."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def read_yaml(path: str | Path, error: type[Exception]) -> Any:
    """The parsed file; `error` (the caller's own error class) for an unreadable file or invalid YAML, so that
    the command prints one line naming the file instead of a traceback."""
    try:
        return yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8: {exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
