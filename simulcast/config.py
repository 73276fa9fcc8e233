"""Settings: flags and ``SIMULCAST_*`` environment variables, validated once at start-up.

A wrong value becomes one :class:`~simulcast.errors.StartupError` line with a hint; the
controller never starts half-configured.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from simulcast.errors import StartupError


class Settings(BaseSettings):
    """Everything the controller needs to start. Secrets never come from rooms.yaml."""

    model_config = SettingsConfigDict(env_prefix="SIMULCAST_", extra="forbid", frozen=True)

    rooms: Path = Field(Path("rooms.yaml"), description="the territory's sites (rooms.yaml)")
    db: Path = Field(Path("simulcast.db"), description="SQLite event store file")
    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8080, ge=0, le=65535, description="port to listen on; 0 picks a free one")
    public_url: str | None = Field(
        None, description="base URL residents and screens use (default: http://host:port)"
    )
    admin_token: str | None = Field(
        None, min_length=16, max_length=200, description="console/API admin token"
    )
    timezone: str = Field("Europe/Paris", description="zone for times given without an offset")
    console_hz: float = Field(4.0, gt=0, le=20, description="console updates per second, at most")
    join_guess_limit: int = Field(
        20, ge=1, le=10_000, description="wrong join codes tolerated per address per 10 min"
    )
    max_connections_per_address: int = Field(
        2000,
        ge=1,
        le=1_000_000,
        description="open socket.io (Engine.IO) connections allowed per client address "
        "(IPv6: per /64); a new one over it is refused with 429",
    )
    trusted_proxy: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        (),
        description="reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is "
        "believed: the client's address is then the one they forward",
    )
    gc_policy: bool = Field(
        True, description="freeze long-lived objects so GC pauses stay short (see metrics.py)"
    )
    retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="days after a session ends before first names and free texts are erased",
    )
    access_expiry_hours: float = Field(
        12,
        ge=0,
        le=8760,
        description="hours after a session ends or is cancelled before its join codes and its "
        "room and resident tokens stop working",
    )
    obs_url: str = Field(
        "ws://127.0.0.1:4455", pattern=r"^wss?://\S+$", description="obs-websocket v5 URL"
    )
    obs_password: str | None = Field(None, description="obs-websocket password")
    ingest_rtmp_url: str = Field(
        "rtmp://127.0.0.1:1935/live",
        pattern=r"^rtmps?://\S+$",
        description="where OBS publishes (RTMP application URL, without the key)",
    )
    ingest_hls_url: str = Field(
        "http://127.0.0.1:8089/hls/{key}.m3u8",
        description="the HLS playlist URL screens play, with {key} for the stream key",
    )
    jitsi_domain: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:[0-9]{1,5})?$",
        description="the Jitsi Meet server (host name) whose IFrame API script room screens "
        "may load; none: screens load scripts from the controller only",
    )
    jitsi_app_id: str | None = Field(None, description="Jitsi JWT app id (Prosody app_id)")
    jitsi_app_secret: str | None = Field(None, description="Jitsi JWT app secret (HS256)")
    jitsi_room_size_url: str | None = Field(
        None,
        pattern=r"^https?://\S+$",
        description="Prosody HTTP base URL serving mod_muc_size's /room-size",
    )
    screen_timeout: float = Field(
        15.0, ge=2, le=600, description="seconds without heartbeat before a screen is offline"
    )
    dispatch_retry: float = Field(
        8.0, gt=0, le=300, description="seconds before play is sent again to a silent screen"
    )
    broadcast_live_timeout: float = Field(
        30.0, gt=0, le=600, description="seconds to wait for the ingest to serve the stream"
    )

    @field_validator("ingest_hls_url")
    @classmethod
    def _hls_pattern(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or "{key}" not in value:
            raise ValueError(
                "must be an http(s) URL with {key}, e.g. http://127.0.0.1:8089/hls/{key}.m3u8"
            )
        return value

    @field_validator("trusted_proxy", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> tuple[IPv4Network | IPv6Network, ...]:
        items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
        networks = []
        for item in items:
            if item == "":
                continue
            if isinstance(item, IPv4Network | IPv6Network):
                networks.append(item)
                continue
            try:
                networks.append(ip_network(str(item).strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an address or a network, e.g. 127.0.0.1, ::1 or "
                    "10.0.0.0/8 (several: repeat the flag, or separate them with commas)"
                ) from None
        return tuple(networks)

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                "must start with http:// or https://, e.g. https://simulcast.example.org"
            )
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone, e.g. Europe/Paris") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def base_url(self, bound_port: int | None = None) -> str:
        """The URL links are built on: ``public_url``, or the address actually bound."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{bound_port if bound_port is not None else self.port}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment plus explicit overrides (flags win).

    Raises StartupError with one line per wrong value.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            problems.append(
                f"setting {name} (--{name.replace('_', '-')} or SIMULCAST_{name.upper()}): "
                f"{str(error['msg']).removeprefix('Value error, ')}"
            )
        raise StartupError("; ".join(problems)) from None
