"""Time in one place: UTC, ISO-8601 strings that sort as they read."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """An ISO-8601 UTC timestamp with milliseconds and a Z, sortable as a string."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """`iso(utcnow())`."""
    return iso(utcnow())
