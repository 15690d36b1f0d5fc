"""The server's key, and what it signs: tab ids and run records.

    signer = Signer(load_key(settings))
    tab = signer.new_tab()            # "3f2a...c1.9b0e...": an id and its HMAC
    signer.valid_tab(tab)             # True; a made-up or edited id is False

Every page load gets a tab id from the server (``app.make_layout``), so jobs,
heartbeats and the per-client limits count tabs the server issued, never ids a
client invented. Run records the server made carry an HMAC of their digest
(``models.run``): a record's digest proves it was not changed by accident, the
seal proves this server made it.

The key is ``GATELAB_SECRET`` when set; otherwise one is made once and kept where
every process of this server finds it: a file (mode 0600) in the cache folder, or
a Redis key when Celery workers run elsewhere.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from models.seal import mac, same

TAB_BYTES = 16


class Signer:
    def __init__(self, key: bytes) -> None:
        self.key = key

    def sign(self, text: str) -> str:
        return mac(self.key, text)[:32]

    def new_tab(self) -> str:
        tab = secrets.token_hex(TAB_BYTES)
        return f"{tab}.{self.sign('tab:' + tab)}"

    def valid_tab(self, value: Any) -> bool:
        if not isinstance(value, str) or len(value) != 2 * TAB_BYTES + 33:
            return False
        tab, _, signature = value.partition(".")
        return same(signature, self.sign("tab:" + tab))


def load_key(secret: str = "", cache_dir: Path | None = None, redis_client: Any = None) -> bytes:
    """The server's key: ``secret``, else the one kept in Redis or in ``cache_dir``, made on first use."""
    if secret:
        return secret.encode()
    if redis_client is not None:
        redis_client.set("gatelab:secret", secrets.token_hex(32), nx=True)
        return redis_client.get("gatelab:secret")
    path = Path(cache_dir) / "secret"
    if not path.exists():  # made whole under another name, then linked: a reader never sees half a key
        tmp = path.with_name(f"secret.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()
