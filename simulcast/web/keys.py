"""Typed keys of everything the aiohttp app holds."""

from __future__ import annotations

from aiohttp import web

from simulcast.config import Settings
from simulcast.engine.services import Links, Services
from simulcast.realtime.server import Realtime

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
"""Set when the app starts (the store is open): see create_app."""
LINKS = web.AppKey("links", Links)
REALTIME = web.AppKey("realtime", Realtime)
