"""What a teacher or operator sets through the environment, read once at start-up.

| variable | default | meaning |
|---|---|---|
| GATELAB_CACHE_DIR | ~/.cache/gatelab | where background jobs keep progress and results (diskcache) |
| GATELAB_MAX_EPOCHS | 500 | the most epochs one run may ask for |
| GATELAB_MAX_HIDDEN | 256 | the largest hidden size |
| GATELAB_MAX_LENGTH | 5000 | the longest synthetic series |
| GATELAB_POLL_MS | 250 | how often a page asks for a running job's progress |
| GATELAB_MAX_JOBS | number of cores | training jobs that run at once; the rest wait in a queue |
| GATELAB_MAX_JOB_SECONDS | 600 | a run that takes longer is stopped, and says so |
| GATELAB_CACHE_MB | 512 | the cache folder's size bound; the oldest entries go first |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int, low: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gatelab: environment variable {name} must be an integer, got {raw!r}")
    if value < low:
        raise SystemExit(f"gatelab: environment variable {name} must be >= {low}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    cache_dir: Path
    max_epochs: int
    max_hidden: int
    max_length: int
    poll_ms: int
    max_jobs: int
    max_job_seconds: int
    cache_mb: int

    @classmethod
    def from_env(cls) -> "Settings":
        default_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gatelab"
        return cls(
            cache_dir=Path(os.environ.get("GATELAB_CACHE_DIR") or default_cache),
            max_epochs=_int("GATELAB_MAX_EPOCHS", 500),
            max_hidden=_int("GATELAB_MAX_HIDDEN", 256),
            max_length=_int("GATELAB_MAX_LENGTH", 5000, low=50),
            poll_ms=_int("GATELAB_POLL_MS", 250, low=50),
            max_jobs=_int("GATELAB_MAX_JOBS", os.cpu_count() or 1),
            max_job_seconds=_int("GATELAB_MAX_JOB_SECONDS", 600),
            cache_mb=_int("GATELAB_CACHE_MB", 512, low=16),
        )


SETTINGS = Settings.from_env()
