"""Time in one place: UTC, ISO-8601 strings that sort as they read.

Deployed, this is the system clock. Under the local stack's virtual time (workflow tests that run the
SLA timers "with time scaled to zero") the test moves it forward with :func:`advance_to`, and waits
until a timestamp end as soon as the clock reaches it; nothing else may move it.
"""

import threading
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_lock = threading.Lock()
_moved = threading.Condition(_lock)


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC) + _offset


def iso(dt: datetime) -> str:
    """An ISO-8601 UTC timestamp with milliseconds and a Z, sortable as a string."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """`iso(utcnow())`."""
    return iso(utcnow())


def parse_iso(value: str) -> datetime:
    """An ISO-8601 timestamp as an aware datetime (a trailing Z is UTC)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def advance_to(instant: datetime) -> None:
    """Local virtual time only: move the clock forward to `instant` (never backwards)."""
    global _offset
    with _lock:
        gap = instant - (datetime.now(UTC) + _offset)
        if gap > timedelta(0):
            _offset += gap
        _moved.notify_all()


def wait_for_move(timeout: float) -> None:
    """Local virtual time only: block until advance_to is called or `timeout` seconds pass."""
    with _lock:
        _moved.wait(timeout)


def reset() -> None:
    """Local virtual time only: back to the system clock."""
    global _offset
    with _lock:
        _offset = timedelta(0)
