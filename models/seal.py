"""The one keyed hash the server signs with: tab ids (``components.server.signing``) and run records'
seals (``models.run``) are HMAC-SHA256 under the server's key, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def mac(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key``, as hex."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Whether two MACs agree, in constant time."""
    return hmac.compare_digest(a, b)
