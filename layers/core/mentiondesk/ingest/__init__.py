"""Ingest: turning verified platform deliveries into stored messages and tickets, exactly once."""
