"""Record keys (TIDs) chosen by the client, so a retried reply is detectable.

A TID is 13 characters of base32-sortable encoding of a 64-bit number: top bit 0, then
53 bits of microseconds since the epoch, then a 10-bit clock id. The outbox stores its
idempotency key before sending; `record_key_for(key)` turns that key into the same rkey
every time, so after an uncertain send `getRecord` on that rkey tells whether it exists.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def encode(value: int) -> str:
    chars = []
    for _ in range(13):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_tid(now_us: int | None = None, clock_id: int | None = None) -> str:
    """A fresh TID for now (what the outbox may use as a Bluesky idempotency key)."""
    micros = now_us if now_us is not None else time.time_ns() // 1000
    clock = clock_id if clock_id is not None else secrets.randbelow(1024)
    return encode(((micros & ((1 << 53) - 1)) << 10) | clock)


def record_key_for(idempotency_key: str) -> str:
    """The rkey for a reply: the key itself when it is a TID, else a TID derived from it.

    A derived TID only has to be valid, stable for the key and unlikely to collide (63 bits
    of a SHA-256); its time part is meaningless, which the PDS does not check.
    """
    if TID_RE.match(idempotency_key):
        return idempotency_key
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    return encode(digest & ((1 << 63) - 1))
