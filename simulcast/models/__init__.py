"""Pydantic models: sites, sessions, events and wire payloads."""
