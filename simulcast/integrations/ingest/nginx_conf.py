"""A centre's ingest as an nginx.conf: RTMP in from OBS, HLS out to the rooms, pushes out.

The text is complete (``nginx -p <prefix> -c <prefix>/nginx.conf``): relative paths (pid,
logs, temp files) live under the prefix, so one nginx per centre runs without root. It holds
stream keys, so write it with :func:`install_nginx_conf` (mode 0600) and never log it.

nginx-rtmp cannot push over TLS (``rtmps://`` is "invalid port in url", arut/nginx-rtmp-module
issues #1397, #1605). The documented workaround is stunnel as a TLS client: nginx pushes plain
RTMP to a local port and stunnel forwards it over TLS. Every ``rtmps://`` target (Facebook's
only ingest is one) is rendered that way, and :func:`render_stunnel_conf` writes the
matching stunnel.conf.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, StringConstraints, model_validator

PushKind = Literal["youtube", "facebook", "peertube", "rtmp"]

DEFAULT_URLS: dict[PushKind, str] = {
    "youtube": "rtmp://a.rtmp.youtube.com/live2",
    "facebook": "rtmps://live-api-s.facebook.com:443/rtmp",
}
"""Ingest URLs of the platforms that have one; PeerTube and plain RTMP need theirs."""

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
"""Where Debian's libnginx-mod-rtmp installs the module."""

_KEY = re.compile(r"[A-Za-z0-9._~=?&%:+-]{1,512}")
_URL = re.compile(r"rtmps?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~%+-]+)+/?")
_SITE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PATH = re.compile(r"/[A-Za-z0-9._/-]*")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_HOST = re.compile(r"[A-Za-z0-9.:-]{1,253}")


class PushTarget(BaseModel):
    """One platform the ingest relays the stream to.

    ``url`` is the server URL without the key (``rtmp://host[:port]/app``); YouTube and
    Facebook have defaults. ``stream`` limits the push to one published stream name (by
    default every stream published to the application is pushed). The key is a secret: it
    only appears in the rendered file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: PushKind
    key: SecretStr
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    stream: Annotated[str, StringConstraints(pattern=_NAME.pattern)] | None = None

    @model_validator(mode="after")
    def _check(self) -> PushTarget:
        if not _KEY.fullmatch(self.key.get_secret_value()):
            raise ValueError(
                "expected a stream key of letters, digits and . _ ~ = ? & % : + - "
                "(no spaces, quotes, ';', '{', '}' or '$')"
            )
        if self.url is None and self.kind not in DEFAULT_URLS:
            raise ValueError(f"a {self.kind} push needs its url (rtmp://host:1935/live)")
        if self.url is not None and not _URL.fullmatch(self.url):
            raise ValueError(
                f"expected url like rtmp://host[:port]/app (or rtmps://), without the key; "
                f"got {self.url!r}"
            )
        return self

    @property
    def server_url(self) -> str:
        return (self.url or DEFAULT_URLS[self.kind]).rstrip("/")

    @property
    def tls(self) -> bool:
        return self.server_url.startswith("rtmps://")

    def __repr__(self) -> str:
        return f"PushTarget(kind={self.kind!r}, url={self.server_url!r}, stream={self.stream!r})"


def tls_relays(pushes: Sequence[PushTarget], first_port: int = 19350) -> dict[str, int]:
    """The local stunnel port of each distinct ``rtmps://`` host:port, in order of first use."""
    relays: dict[str, int] = {}
    for push in pushes:
        if push.tls:
            relays.setdefault(_host_port(push.server_url, 443), first_port + len(relays))
    return relays


def render_nginx_conf(
    site_id: str,
    *,
    rtmp_port: int = 1935,
    http_port: int = 8089,
    hls_dir: str | Path,
    app: str = "live",
    pushes: Sequence[PushTarget] = (),
    allow_publish: Sequence[str] = (),
    allow_stat: Sequence[str] = (),
    bind: str | None = None,
    user: str | None = None,
    tls_relay_port: int = 19350,
    rtmp_module: str | None = RTMP_MODULE,
) -> str:
    """The nginx.conf of ``site_id``'s ingest.

    OBS publishes to ``rtmp://<host>:<rtmp_port>/<app>/<stream key>``; rooms play
    ``http://<host>:<http_port>/hls/<stream key>.m3u8``; ``/stat`` is nginx-rtmp's XML
    statistics. Publishing is allowed from 127.0.0.1 and ``allow_publish`` (addresses or
    CIDRs), RTMP playback only from 127.0.0.1 (rooms use HLS), ``/stat`` from 127.0.0.1 and
    ``allow_stat``. ``bind`` restricts both listeners to one address; ``user`` is the
    account worker processes run as when nginx starts as root (it must own ``hls_dir``).
    ``rtmps://`` pushes go through local stunnel ports from ``tls_relay_port`` on.
    ``rtmp_module`` is the dynamic module to load (``None`` when nginx has it built in).
    """
    hls = str(hls_dir)
    _check(_SITE, site_id, "site id (lowercase letters, digits, '-')")
    _check(_NAME, app, "application name (letters, digits, '_', '-')")
    _check(_PATH, hls, "hls_dir (an absolute path of letters, digits, '.', '_', '-', '/')")
    if rtmp_module is not None:
        _check(_PATH, rtmp_module, "rtmp_module path")
    if user is not None:
        _check(_USER, user, "user (a system account name)")
    if bind is not None:
        _check(_HOST, bind, "bind address")
    for port in (rtmp_port, http_port, tls_relay_port):
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is not between 1 and 65535")
    publishers = ["127.0.0.1", *(_cidr(item) for item in allow_publish)]
    stat_readers = ["127.0.0.1", *(_cidr(item) for item in allow_stat)]
    relays = tls_relays(pushes, tls_relay_port)
    listen = f"{bind}:" if bind else ""

    lines = [
        f"# nginx ingest of site {site_id}: generated by simulcast, do not edit by hand.",
        "# It contains stream keys: keep it mode 0600 and out of any repository.",
        "",
        *([f"load_module {rtmp_module};", ""] if rtmp_module else []),
        *([f"user {user};"] if user else []),
        "# One worker: nginx-rtmp keeps a live stream in the worker that accepted the",
        "# publisher, so /stat and RTMP playback are only complete with a single worker.",
        "worker_processes 1;",
        "pid nginx.pid;",
        "error_log logs/error.log warn;",
        "",
        "events {",
        "    worker_connections 1024;",
        "}",
        "",
        "rtmp {",
        "    server {",
        f"        listen {listen}{rtmp_port};",
        "        chunk_size 4096;",
        "        # Who published or played what, when: short, and useful after a session.",
        "        access_log logs/rtmp-access.log;",
        "        # A publisher that sends nothing for 10 s is dropped, so OBS can reconnect",
        "        # under the same stream key instead of meeting 'already publishing'.",
        "        drop_idle_publisher 10s;",
        "",
        f"        application {app} {{",
        "            live on;",
        "            record off;",
        "",
        *(f"            allow publish {address};" for address in publishers),
        "            deny publish all;",
        "            allow play 127.0.0.1;",
        "            deny play all;",
        "",
        "            # HLS for the rooms: 1 s fragments (cut at the next keyframe) and a",
        "            # short playlist keep the rooms a few seconds behind the mediator.",
        "            wait_key on;",
        "            wait_video on;",
        "            hls on;",
        f"            hls_path {hls};",
        "            hls_fragment 1s;",
        "            hls_playlist_length 6s;",
        "            hls_cleanup on;",
        *_push_lines(pushes, relays),
        "        }",
        "    }",
        "}",
        "",
        "http {",
        "    server_tokens off;",
        "    default_type application/octet-stream;",
        "    types {",
        "        application/vnd.apple.mpegurl m3u8;",
        "        video/mp2t ts;",
        "    }",
        "    access_log off;",
        "    client_body_temp_path temp/body;",
        "    proxy_temp_path temp/proxy;",
        "    fastcgi_temp_path temp/fastcgi;",
        "    uwsgi_temp_path temp/uwsgi;",
        "    scgi_temp_path temp/scgi;",
        "",
        "    # Playlists change every fragment: never cache them. Segments never change.",
        "    map $uri $hls_cache_control {",
        "        ~\\.m3u8$ no-cache;",
        '        default "";',
        "    }",
        "",
        "    server {",
        f"        listen {listen}{http_port};",
        "",
        "        location /hls/ {",
        f"            alias {hls.rstrip('/')}/;",
        "            add_header Cache-Control $hls_cache_control always;",
        "            # Room screens load the stream from the controller's page (another",
        "            # origin): hls.js needs CORS.",
        "            add_header Access-Control-Allow-Origin * always;",
        "            add_header Access-Control-Allow-Methods 'GET, HEAD, OPTIONS' always;",
        "            add_header Access-Control-Expose-Headers Content-Length always;",
        "            add_header Access-Control-Max-Age 86400 always;",
        "            if ($request_method = OPTIONS) {",
        "                return 204;",
        "            }",
        "        }",
        "",
        "        # nginx-rtmp statistics (streams, bandwidth, clients): it shows client",
        "        # addresses, so only the controller may read it.",
        "        location = /stat {",
        "            rtmp_stat all;",
        *(f"            allow {address};" for address in stat_readers),
        "            deny all;",
        "        }",
        "",
        "        location / {",
        "            return 404;",
        "        }",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)


def render_stunnel_conf(
    site_id: str, pushes: Sequence[PushTarget], *, tls_relay_port: int = 19350
) -> str | None:
    """stunnel.conf for the ``rtmps://`` pushes of :func:`render_nginx_conf` (same
    ``tls_relay_port``), or ``None`` when no push needs TLS. stunnel listens on 127.0.0.1
    only and verifies the platform's certificate against the system CA bundle."""
    relays = tls_relays(pushes, tls_relay_port)
    if not relays:
        return None
    _check(_SITE, site_id, "site id (lowercase letters, digits, '-')")
    lines = [
        f"; TLS relays of site {site_id}'s ingest: generated by simulcast, do not edit.",
        "; nginx-rtmp pushes plain RTMP to 127.0.0.1:<port>; stunnel wraps it in TLS.",
        "foreground = yes",
        "",
    ]
    for index, (target, port) in enumerate(relays.items(), 1):
        host = target.rsplit(":", 1)[0]
        lines += [
            f"[rtmps-{index}]",
            "client = yes",
            f"accept = 127.0.0.1:{port}",
            f"connect = {target}",
            "verifyChain = yes",
            "CAfile = /etc/ssl/certs/ca-certificates.crt",
            f"checkHost = {host}",
            f"sni = {host}",
            "",
        ]
    return "\n".join(lines)


def install_nginx_conf(prefix: Path, text: str) -> Path:
    """Write ``text`` as ``<prefix>/nginx.conf`` (mode 0600) and create the ``logs/`` and
    ``temp/`` directories the config refers to; return the file's path."""
    for directory in (prefix, prefix / "logs", prefix / "temp"):
        directory.mkdir(parents=True, exist_ok=True)
    path = prefix / "nginx.conf"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    path.chmod(0o600)
    return path


def _push_lines(pushes: Sequence[PushTarget], relays: dict[str, int]) -> list[str]:
    if not pushes:
        return []
    lines = [
        "",
        "            # Pushes. Each one is its own outgoing RTMP session (a relay): when a",
        "            # platform refuses or drops it, nginx-rtmp logs it and retries that",
        "            # target every push_reconnect, while the publisher, the HLS output and",
        "            # the other pushes carry on. Host names are resolved when nginx starts:",
        "            # without DNS then, nginx refuses the whole file (nginx -t says which).",
        "            push_reconnect 3s;",
    ]
    for push in pushes:
        key = push.key.get_secret_value()
        name = f" name={push.stream}" if push.stream else ""
        if push.tls:
            target = _host_port(push.server_url, 443)
            app_path = urlsplit(push.server_url).path
            port = relays[target]
            lines += [
                f"            # {push.kind}: {push.server_url} is RTMPS, which nginx-rtmp cannot",
                f"            # push; stunnel (stunnel.conf) relays 127.0.0.1:{port} to {target}.",
                f"            push rtmp://127.0.0.1:{port}{app_path}/{key}{name};",
            ]
        else:
            lines += [
                f"            # {push.kind}",
                f"            push {push.server_url}/{key}{name};",
            ]
    return lines


def _host_port(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or default_port}"


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or CIDR range") from None
    if network.prefixlen == 0:
        raise ValueError(f"{value!r} would allow everyone: list addresses or ranges")
    text = str(network)
    return text.removesuffix("/32") if network.version == 4 else text.removesuffix("/128")


def _check(pattern: re.Pattern[str], value: str, what: str) -> None:
    if not pattern.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid {what}")
