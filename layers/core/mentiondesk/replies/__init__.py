"""Replies: the composer's checks, the outbox sender and the platform calls."""
