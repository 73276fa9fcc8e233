"""The caller's address behind a reverse proxy (``--trusted-proxy``).

Only a peer that is a trusted proxy is believed: its ``X-Forwarded-For`` is read from the
right (each proxy appends the address it received from), skipping trusted proxies, and the
first address that is not one is the client's. Anyone else's header is ignored, so a client
cannot choose the address its misses are counted against.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web
from aiohttp.typedefs import Middleware

Network = IPv4Network | IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ip(text: str) -> IPv4Address | IPv6Address | None:
    try:
        ip = ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_address(peer: str | None, forwarded: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address, from the peer's and the ``X-Forwarded-For`` headers."""
    hops = [hop for header in forwarded for hop in header.split(",")]
    address = peer or "unknown"
    ip = _ip(address)
    while ip is not None and any(ip in network for network in trusted) and hops:
        ip = _ip(hops.pop())
        if ip is None:  # a broken hop: the last proxy we trust is all we know
            break
        address = str(ip)
    return address


def forwarded_middleware(trusted: Sequence[Network]) -> Middleware:
    """Requests from a trusted proxy carry the client's address as ``request.remote``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        if forwarded:
            remote = client_address(request.remote, forwarded, trusted)
            if remote != request.remote:
                request = request.clone(remote=remote)
        return await handler(request)

    return middleware
