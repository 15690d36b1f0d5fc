"""The objects a web process and its jobs share: the disk caches and the job board.

Dash's job results and progress go to a sharded cache (every poll of every page
deletes a progress key, a write, and shards spread those over several SQLite
files). The job board keeps its own folder and lock (``components.jobs``). Seen
here: with everything in one SQLite file, 30 students at once starved jobs of
the write lock until diskcache gave up (``diskcache.core.Timeout``).
"""

from __future__ import annotations

import diskcache

from components.jobs import JobBoard
from components.settings import SETTINGS

SETTINGS.cache_dir.mkdir(parents=True, exist_ok=True)
# Bounded: past the limit the least recently stored entries go (results nobody read, old progress).
CACHE = diskcache.FanoutCache(str(SETTINGS.cache_dir / "jobs"), shards=8, timeout=10,
                              size_limit=SETTINGS.cache_mb * 2**20, eviction_policy="least-recently-stored")
BOARD = JobBoard(SETTINGS.cache_dir / "board", slots=SETTINGS.max_jobs)
