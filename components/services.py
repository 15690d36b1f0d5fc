"""The objects a web process and its jobs share: the disk cache and the job board."""

from __future__ import annotations

import diskcache

from components.jobs import JobBoard
from components.settings import SETTINGS

SETTINGS.cache_dir.mkdir(parents=True, exist_ok=True)
# Bounded: past the limit the least recently stored entries go (results nobody read, old progress).
CACHE = diskcache.Cache(str(SETTINGS.cache_dir), size_limit=SETTINGS.cache_mb * 2**20,
                        eviction_policy="least-recently-stored")
BOARD = JobBoard(CACHE, slots=SETTINGS.max_jobs)
