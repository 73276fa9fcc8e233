"""The ingest's nginx.conf: the lines that matter, in order, and `nginx -t` on the real thing."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from simulcast.integrations.ingest.nginx_conf import (
    PushTarget,
    install_nginx_conf,
    render_nginx_conf,
    render_stunnel_conf,
)

PEERTUBE = PushTarget(kind="peertube", key="4e1f-uuid-key", url="rtmp://127.0.0.1:1936/live")
FACEBOOK = PushTarget(kind="facebook", key="FB-1234567890-0-AbCd?s_bl=1&a=Abx")
YOUTUBE = PushTarget(kind="youtube", key="abcd-efgh-ijkl-mnop-qrst")
RELAY = PushTarget(kind="rtmp", key="backup", url="rtmp://10.0.0.9/live", stream="cours")


def assert_lines_in_order(text: str, expected: list[str]) -> None:
    """Every expected line appears, whole (ignoring indentation), in this order."""
    lines = [line.strip() for line in text.splitlines()]
    position = 0
    for line in expected:
        assert line in lines[position:], f"missing, or out of order: {line!r}"
        position = lines.index(line, position) + 1


def nginx_t(prefix: Path, text: str) -> subprocess.CompletedProcess[str]:
    conf = install_nginx_conf(prefix, text)
    return subprocess.run(
        ["nginx", "-t", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "logs/error.log")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_nginx_conf_rtmp_block_has_hls_access_and_pushes_in_order() -> None:
    text = render_nginx_conf(
        "mediatheque-nord",
        hls_dir="/var/lib/simulcast/hls",
        pushes=[YOUTUBE, FACEBOOK, PEERTUBE, RELAY],
        allow_publish=["192.168.10.0/24", "10.1.2.3"],
    )
    assert_lines_in_order(
        text,
        [
            "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;",
            "worker_processes 1;",
            "rtmp {",
            "listen 1935;",
            "application live {",
            "live on;",
            "allow publish 127.0.0.1;",
            "allow publish 192.168.10.0/24;",
            "allow publish 10.1.2.3;",
            "deny publish all;",
            "allow play 127.0.0.1;",
            "deny play all;",
            "wait_key on;",
            "hls on;",
            "hls_path /var/lib/simulcast/hls;",
            "hls_fragment 1s;",
            "hls_playlist_length 6s;",
            "hls_cleanup on;",
            "push_reconnect 3s;",
            "push rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop-qrst;",
            "push rtmp://127.0.0.1:19350/rtmp/FB-1234567890-0-AbCd?s_bl=1&a=Abx;",
            "push rtmp://127.0.0.1:1936/live/4e1f-uuid-key;",
            "push rtmp://10.0.0.9/live/backup name=cours;",
        ],
    )
    assert text.count("deny publish all;") == 1


def test_nginx_conf_http_block_serves_hls_with_cors_and_stat_locally() -> None:
    text = render_nginx_conf(
        "mediatheque-nord", hls_dir="/var/lib/simulcast/hls/", allow_stat=["10.0.0.5"]
    )
    assert_lines_in_order(
        text,
        [
            "http {",
            "application/vnd.apple.mpegurl m3u8;",
            "video/mp2t ts;",
            "map $uri $hls_cache_control {",
            "~\\.m3u8$ no-cache;",
            'default "";',
            "listen 8089;",
            "location /hls/ {",
            "alias /var/lib/simulcast/hls/;",
            "add_header Cache-Control $hls_cache_control always;",
            "add_header Access-Control-Allow-Origin * always;",
            "if ($request_method = OPTIONS) {",
            "return 204;",
            "location = /stat {",
            "rtmp_stat all;",
            "allow 127.0.0.1;",
            "allow 10.0.0.5;",
            "deny all;",
        ],
    )


def test_nginx_conf_explains_why_one_push_failing_spares_the_others() -> None:
    text = render_nginx_conf("site-a", hls_dir="/srv/hls", pushes=[PEERTUBE])
    assert "# Pushes. Each one is its own outgoing RTMP session (a relay): when a" in text
    assert "# target every push_reconnect, while the publisher, the HLS output and" in text


def test_nginx_conf_without_pushes_has_no_push_lines() -> None:
    text = render_nginx_conf("site-a", hls_dir="/srv/hls")
    assert [line for line in text.splitlines() if "push" in line] == []


def test_nginx_conf_passes_nginx_t(tmp_path: Path) -> None:
    text = render_nginx_conf(
        "mediatheque-nord",
        rtmp_port=19355,
        http_port=18089,
        hls_dir=tmp_path / "hls",
        pushes=[FACEBOOK, PEERTUBE, RELAY],
        allow_publish=["192.168.10.0/24", "2001:db8::/32"],
        allow_stat=["10.0.0.5"],
        bind="127.0.0.1",
    )
    result = nginx_t(tmp_path / "prefix", text)
    conf = tmp_path / "prefix" / "nginx.conf"
    assert (result.returncode, result.stderr.splitlines()) == (
        0,
        [
            f"nginx: the configuration file {conf} syntax is ok",
            f"nginx: configuration file {conf} test is successful",
        ],
    )


def test_nginx_conf_nginx_t_rejects_a_broken_file(tmp_path: Path) -> None:
    text = render_nginx_conf("site-a", hls_dir=tmp_path / "hls").replace("hls on;", "hls maybe;")
    result = nginx_t(tmp_path / "prefix", text)
    conf = tmp_path / "prefix" / "nginx.conf"
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(
        'nginx: [emerg] invalid value "maybe" in "hls" directive, it must be "on" or "off" '
        f"in {conf}:"
    )


def test_stunnel_conf_relays_each_rtmps_host_once() -> None:
    other_page = PushTarget(kind="facebook", key="FB-2")
    text = render_stunnel_conf("site-a", [PEERTUBE, FACEBOOK, other_page])
    assert text == (
        "; TLS relays of site site-a's ingest: generated by simulcast, do not edit.\n"
        "; nginx-rtmp pushes plain RTMP to 127.0.0.1:<port>; stunnel wraps it in TLS.\n"
        "foreground = yes\n"
        "\n"
        "[rtmps-1]\n"
        "client = yes\n"
        "accept = 127.0.0.1:19350\n"
        "connect = live-api-s.facebook.com:443\n"
        "verifyChain = yes\n"
        "CAfile = /etc/ssl/certs/ca-certificates.crt\n"
        "checkHost = live-api-s.facebook.com\n"
        "sni = live-api-s.facebook.com\n"
    )
    assert render_stunnel_conf("site-a", [PEERTUBE]) is None


def test_nginx_conf_routes_every_rtmps_target_through_its_own_relay_port() -> None:
    secure = PushTarget(kind="rtmp", key="k", url="rtmps://live.example.org/app")
    text = render_nginx_conf("site-a", hls_dir="/srv/hls", pushes=[FACEBOOK, secure])
    assert_lines_in_order(
        text,
        [
            "push rtmp://127.0.0.1:19350/rtmp/FB-1234567890-0-AbCd?s_bl=1&a=Abx;",
            "push rtmp://127.0.0.1:19351/app/k;",
        ],
    )
    stunnel = render_stunnel_conf("site-a", [FACEBOOK, secure]) or ""
    assert_lines_in_order(stunnel, ["accept = 127.0.0.1:19351", "connect = live.example.org:443"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "peertube", "key": "k"}, "a peertube push needs its url"),
        ({"kind": "youtube", "key": "a;b"}, "expected a stream key of letters"),
        ({"kind": "youtube", "key": "a b"}, "expected a stream key of letters"),
        ({"kind": "youtube", "key": "${x}"}, "expected a stream key of letters"),
        ({"kind": "rtmp", "key": "k", "url": "https://x.org/live"}, "expected url like rtmp://"),
        ({"kind": "rtmp", "key": "k", "url": "rtmp://x.org"}, "expected url like rtmp://"),
        ({"kind": "twitch", "key": "k"}, "Input should be 'youtube'"),
    ],
)
def test_push_target_rejects(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("$", r"\$")):
        PushTarget.model_validate(fields)


def test_push_target_repr_hides_the_key() -> None:
    assert repr(YOUTUBE) == (
        "PushTarget(kind='youtube', url='rtmp://a.rtmp.youtube.com/live2', stream=None)"
    )
    assert "abcd-efgh" not in str(YOUTUBE.model_dump())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"allow_publish": ["0.0.0.0/0"]}, "would allow everyone"),
        ({"allow_publish": ["example.org"]}, "is not an IP address or CIDR range"),
        ({"hls_dir": "relative/hls"}, "is not a valid hls_dir"),
        ({"hls_dir": "/srv/hls; evil"}, "is not a valid hls_dir"),
        ({"app": "live app"}, "is not a valid application name"),
        ({"rtmp_port": 0}, "port 0 is not between 1 and 65535"),
    ],
)
def test_nginx_conf_rejects_unsafe_arguments(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"hls_dir": "/srv/hls", **kwargs}
    with pytest.raises(ValueError, match=message):
        render_nginx_conf("site-a", **arguments)  # type: ignore[arg-type]


def test_install_nginx_conf_writes_a_private_file(tmp_path: Path) -> None:
    path = install_nginx_conf(tmp_path / "prefix", "events {}\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "prefix").iterdir()) == [
        "logs",
        "nginx.conf",
        "temp",
    ]
