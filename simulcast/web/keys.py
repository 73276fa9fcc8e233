"""Typed keys of everything the aiohttp app holds."""

from __future__ import annotations

from aiohttp import web

from simulcast.config import Settings
from simulcast.realtime.context import Services
from simulcast.realtime.server import Realtime
from simulcast.store.base import EventStore

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
STORE = web.AppKey("store", EventStore)
REALTIME = web.AppKey("realtime", Realtime)
STARTED_AT = web.AppKey("started_at", float)
