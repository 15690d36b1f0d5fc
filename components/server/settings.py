"""What a teacher or operator sets through the environment, read by ``Settings.from_env()``.

| variable | default | meaning |
|---|---|---|
| GATELAB_CACHE_DIR | ~/.cache/gatelab | where background jobs keep progress and results (diskcache) |
| GATELAB_MAX_EPOCHS | 500 | the most epochs one run may ask for |
| GATELAB_MAX_HIDDEN | 256 | the largest hidden size |
| GATELAB_MAX_LENGTH | 5000 | the longest synthetic series |
| GATELAB_POLL_MS | 250 | how often a page asks for a running job's progress |
| GATELAB_MAX_JOBS | number of cores | training jobs that run at once; the rest wait in a queue |
| GATELAB_MAX_JOB_SECONDS | 600 | a run that takes longer is stopped, and says so |
| GATELAB_SUGGEST_SECONDS | 60 | Suggest settings' search budget; it keeps the best candidate found by then |
| GATELAB_CACHE_MB | 512 | the cache folder's size bound; the oldest entries go first |
| GATELAB_MAX_UPLOAD_MB | 5 | the largest CSV file a page may upload |
| GATELAB_MAX_JOB_MB | 2048 | the memory one run may need (estimated before it starts, watched while it runs) |
| GATELAB_MAX_QUEUED_PER_CLIENT | 4 | runs one computer (one address) may have waiting or running at once |
| GATELAB_MAX_REQUEST_MB | 64 | the largest request the server reads (the page sends its runs with some) |
| GATELAB_MAX_RECORD_MB | 16 | the largest run record a page may upload |
| GATELAB_URL_PREFIX | / | the path the page is served under, behind a proxy (``gatelab serve --prefix``) |
| GATELAB_FRAME_ANCESTORS | (none) | other sites that may show the page in a frame, such as http://localhost:8888 |
| GATELAB_SECRET | (made once, kept in the cache folder or in Redis) | the key that signs tab ids and run records |
| REDIS_URL | (none) | train in Celery workers, with the job board in Redis |

Nothing is read at import: ``create_app`` reads the environment once, or takes a
``Settings`` of its own (tests build apps with settings of their own).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from data.windows import max_seq_len
from models.config import ExperimentConfig
from models.cost import Served


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


FRAME_SOURCE = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:(\d{1,5}|\*))?")


def frame_ancestors(text: str, name: str = "GATELAB_FRAME_ANCESTORS") -> tuple[str, ...]:
    """The sites besides its own that may frame the page ("http://localhost:8888 https://*.school.example"):
    scheme, host and port only, separated by spaces; ``ValueError`` naming ``name`` for anything else."""
    sources = tuple((text or "").split())
    bad = [s for s in sources if not FRAME_SOURCE.fullmatch(s)]
    if bad:
        raise ValueError(f"{name} must be sites such as http://localhost:8888 or https://*.school.example, "
                         f"separated by spaces (scheme, host and port only), got {bad[0]!r}")
    return sources


def _frame_ancestors() -> tuple[str, ...]:
    try:
        return frame_ancestors(os.environ.get("GATELAB_FRAME_ANCESTORS", ""))
    except ValueError as e:
        raise SystemExit(f"gatelab: environment variable {e}")


PREFIX_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")


def url_prefix(text: str, name: str = "GATELAB_URL_PREFIX") -> str:
    """The path the page is served under ("/gatelab/"), from what a person typed ("gatelab", "/gatelab",
    "/school/gatelab/"); ``ValueError`` naming ``name`` for anything that is not a plain path."""
    raw = (text or "/").strip()
    if not set(raw) <= PREFIX_CHARS or "//" in raw.strip("/") or ".." in raw.split("/"):
        raise ValueError(f"{name} must be a path such as /gatelab/ (letters, digits, - . _ ~ and /), got {text!r}")
    inner = raw.strip("/")
    return f"/{inner}/" if inner else "/"


def _prefix() -> str:
    try:
        return url_prefix(os.environ.get("GATELAB_URL_PREFIX", "/"))
    except ValueError as e:
        raise SystemExit(f"gatelab: environment variable {e}")


def _default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gatelab"


@dataclass(frozen=True)
class Settings:
    cache_dir: Path = field(default_factory=_default_cache)
    max_epochs: int = 500
    max_hidden: int = 256
    max_length: int = 5000
    poll_ms: int = 250
    max_jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_job_seconds: int = 600
    suggest_seconds: int = 60  # Suggest settings' budget (``models.suggest``), within max_job_seconds
    cache_mb: int = 512
    max_upload_mb: int = 5
    max_job_mb: int = 2048
    max_queued_per_client: int = 4
    max_request_mb: int = 64
    max_record_mb: int = 16
    runs_mb: int = 2048  # the runs of every open page, on the server (``components.server.shelf``)
    view_cache_mb: int = 256  # what a web process keeps of the runs it drew (``components.server.library``)
    secret: str = ""
    redis_url: str = ""
    url_prefix: str = "/"  # the path the page, its callbacks, assets and /healthz are served under
    frame_ancestors: tuple[str, ...] = ()  # sites besides its own that may show the page in a frame

    @classmethod
    def from_env(cls) -> "Settings":
        d = cls()
        return cls(
            cache_dir=Path(os.environ.get("GATELAB_CACHE_DIR") or d.cache_dir),
            max_epochs=_int("GATELAB_MAX_EPOCHS", d.max_epochs),
            max_hidden=_int("GATELAB_MAX_HIDDEN", d.max_hidden),
            max_length=_int("GATELAB_MAX_LENGTH", d.max_length, low=50),
            poll_ms=_int("GATELAB_POLL_MS", d.poll_ms, low=50),
            max_jobs=_int("GATELAB_MAX_JOBS", d.max_jobs),
            max_job_seconds=_int("GATELAB_MAX_JOB_SECONDS", d.max_job_seconds),
            suggest_seconds=_int("GATELAB_SUGGEST_SECONDS", d.suggest_seconds, low=5),
            cache_mb=_int("GATELAB_CACHE_MB", d.cache_mb, low=16),
            max_upload_mb=_int("GATELAB_MAX_UPLOAD_MB", d.max_upload_mb),
            max_job_mb=_int("GATELAB_MAX_JOB_MB", d.max_job_mb, low=256),
            max_queued_per_client=_int("GATELAB_MAX_QUEUED_PER_CLIENT", d.max_queued_per_client),
            max_request_mb=_int("GATELAB_MAX_REQUEST_MB", d.max_request_mb),
            max_record_mb=_int("GATELAB_MAX_RECORD_MB", d.max_record_mb),
            runs_mb=_int("GATELAB_RUNS_MB", d.runs_mb, low=64),
            view_cache_mb=_int("GATELAB_VIEW_CACHE_MB", d.view_cache_mb, low=16),
            secret=os.environ.get("GATELAB_SECRET", ""),
            redis_url=os.environ.get("REDIS_URL", ""),
            url_prefix=_prefix(),
            frame_ancestors=_frame_ancestors(),
        )

    @property
    def served(self) -> Served:
        """The bounds every run is checked against where it runs (``models.cost``)."""
        return Served(self.max_epochs, self.max_hidden, self.max_length, self.max_job_mb)

    def form_limits(self) -> dict[str, float]:
        """This server's caps, as upper bounds of the form's knobs (``models.knobs``)."""
        return {"epochs": self.max_epochs, "hidden-size": self.max_hidden, "series-length": self.max_length,
                "seq-len": max_seq_len(self.max_length, ExperimentConfig().train_fraction)}
