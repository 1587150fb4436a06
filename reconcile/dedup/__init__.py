"""Streaming deduplication of feeds against a shared index (SQLite or Redis)."""
