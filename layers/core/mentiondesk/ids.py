"""Identifiers: ULIDs, so ids sort by creation time and need no coordination."""

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(at_ms: int | None = None) -> str:
    """A 26-character ULID (48-bit millisecond time + 80 random bits, Crockford base32)."""
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def is_id(value: str) -> bool:
    """True when the value has the shape of one of our ids (used to refuse junk early)."""
    return len(value) == 26 and all(c in _ALPHABET for c in value)
