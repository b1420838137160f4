"""Time in one place: UTC, ISO-8601 strings that sort as they read.

Deployed, this is the system clock. The local stack's virtual time (tests that run SLA timers "with
time scaled to zero") moves it forward with :func:`advance_to`; nothing else may.
"""

import threading
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_lock = threading.Lock()


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC) + _offset


def iso(dt: datetime) -> str:
    """An ISO-8601 UTC timestamp with milliseconds and a Z, sortable as a string."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """`iso(utcnow())`."""
    return iso(utcnow())


def advance_to(instant: datetime) -> None:
    """Local virtual time only: move the clock forward to `instant` (never backwards)."""
    global _offset
    with _lock:
        gap = instant - (datetime.now(UTC) + _offset)
        if gap > timedelta(0):
            _offset += gap


def reset() -> None:
    """Local virtual time only: back to the system clock."""
    global _offset
    with _lock:
        _offset = timedelta(0)
