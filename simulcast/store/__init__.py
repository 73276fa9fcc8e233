"""Event stores: the durable, append-only log of every session."""

from simulcast.store.base import EventStore

__all__ = ["EventStore"]
