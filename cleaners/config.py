"""One configuration object for the cleaner, shared by the CLI, the Python API and the adapters."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from cleaners.io.yamlfile import read_yaml
from cleaners.record import REMOVED_MODES
from cleaners.tuning import TuningError, checked_overrides


class ConfigError(ValueError):
    """A configuration key or value is not recognised."""


@dataclass(frozen=True)
class CleanerConfig:
    to_simplified: bool = False  # convert Traditional to Simplified with OpenCC after cleaning
    opencc_config: str = "t2s"  # the OpenCC conversion used by to_simplified
    fix_mojibake: bool = True  # repair UTF-8/Latin-1 mix-ups with ftfy
    detect_language: bool = True  # run langdetect on the body
    timeout: float = 10.0  # seconds per document before it is recorded as an error (timeout)
    extra_rules: tuple[dict, ...] = ()  # extra text rules, same fields as data/text_rules.yaml
    site_rules: str | None = None  # path of a per-site rules YAML file (see cleaners.text.siterules)
    # what provenance keeps of the removed spans: full ({rule, text} for every span, and the per-rule counts),
    # counts (spans and characters per rule, no texts) or none
    removed: str = "full"
    # thresholds by name, replacing those of data/tuning.yaml for the documents this config cleans (left out of the
    # hash, which a mapping cannot take part in: configs differing only here are equal-hashed, not equal)
    tuning: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.removed not in REMOVED_MODES:
            raise ConfigError(f"removed must be one of {', '.join(REMOVED_MODES)}, not {self.removed!r}")
        try:
            object.__setattr__(self, "tuning", checked_overrides(self.tuning))
        except TuningError as exc:
            raise ConfigError(f"{exc} (the entries are listed in cleaners/data/tuning.yaml)") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CleanerConfig:
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown config keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        if "tuning" in data and data["tuning"] is None:
            data["tuning"] = {}
        if "extra_rules" in data:
            data["extra_rules"] = tuple(data["extra_rules"] or ())
        if "timeout" in data and (not isinstance(data["timeout"], int | float) or data["timeout"] <= 0):
            raise ConfigError("timeout must be a positive number of seconds")
        return cls(**data)

    @classmethod
    def from_yaml(cls, path: str | Path) -> CleanerConfig:
        data = read_yaml(path, ConfigError)
        if data is not None and not isinstance(data, dict):
            raise ConfigError(f"{path}: a config file must be a mapping")
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
