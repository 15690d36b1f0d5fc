"""The objects a web process and its jobs share: the background-callback manager,
the cache behind it, and the job board.

Without REDIS_URL (the default, one machine): Dash's ``DiskcacheManager`` with a
sharded disk cache (every poll of every page deletes a progress key, a write, and
shards spread those over several SQLite files), and the job board in files under
``flock``. Seen here: with everything in one SQLite file, 30 students at once
starved jobs of the write lock until diskcache gave up (``diskcache.core.Timeout``).

With REDIS_URL: Dash's ``CeleryManager``; training runs in Celery workers, which
may live on other machines (``celery -A app:celery_app worker``), and the job
board lives in Redis.
"""

from __future__ import annotations

import os

from components.jobs import JobBoard, RedisStore
from components.settings import SETTINGS

REDIS_URL = os.environ.get("REDIS_URL", "")
SETTINGS.cache_dir.mkdir(parents=True, exist_ok=True)

if REDIS_URL:
    import redis
    from celery import Celery
    from dash import CeleryManager

    celery_app = Celery("gatelab", broker=REDIS_URL, backend=REDIS_URL)
    celery_app.conf.update(result_expires=3600, worker_prefetch_multiplier=1, task_acks_late=False,
                           broker_connection_retry_on_startup=True)
    MANAGER = CeleryManager(celery_app, expire=3600)
    # Leases are renewed every second by running jobs; a worker machine that vanishes
    # frees its slots after 30 s (its processes cannot be checked from here).
    BOARD = JobBoard(RedisStore(redis.Redis.from_url(REDIS_URL)), slots=SETTINGS.max_jobs, lease_s=30.0)
else:
    import diskcache
    from dash import DiskcacheManager

    celery_app = None
    # Bounded: past the limit the least recently stored entries go (results nobody read, old progress).
    CACHE = diskcache.FanoutCache(str(SETTINGS.cache_dir / "jobs"), shards=8, timeout=10,
                                  size_limit=SETTINGS.cache_mb * 2**20, eviction_policy="least-recently-stored")
    MANAGER = DiskcacheManager(CACHE)
    BOARD = JobBoard(SETTINGS.cache_dir / "board", slots=SETTINGS.max_jobs)
