"""The four browser pages and their assets, as built by ``npm run build`` in dashboards/.

Pages are HTML files naming hashed assets: the HTML is revalidated on every load
(``no-cache``), the assets are cached for a year (``immutable``: a new build has new names).
Each file has a ``.gz`` twin made at build time, which aiohttp sends to browsers that accept
gzip, so a weak 3G connection gets compressed bytes at no CPU cost here. See
docs/dashboards.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DIST = Path(__file__).resolve().parents[2] / "dashboards" / "dist"
"""Where ``npm run build`` writes the pages (dashboards/dist, not committed)."""

_STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def screen_policy(jitsi_domain: str | None) -> str:
    """The room screen plays whatever the session's source names: an HLS stream from the
    ingest (fetched by hls.js, decoded from blob: URLs in a worker), a YouTube/PeerTube/
    Facebook embed (frames), or a Jitsi room whose IFrame API script comes from the Jitsi
    server: scripts from the controller and from ``--jitsi-domain`` only (no other)."""
    scripts = "'self'" if jitsi_domain is None else f"'self' https://{jitsi_domain}"
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self'; "
        "img-src 'self' data: https:; connect-src 'self' http: https:; "
        "media-src 'self' blob: http: https:; worker-src 'self' blob:; frame-src http: https:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


_PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}
NOT_BUILT = (
    "The dashboards are not built. Run `make setup` "
    "(or `npm ci && npm run build` in dashboards/), then reload this page.\n"
)


def _page(dist: Path, name: str, policy: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        path = dist / f"{name}.html"
        if not path.is_file():
            return web.Response(status=503, text=NOT_BUILT)
        headers = {**_PAGE_HEADERS, "Content-Security-Policy": policy}
        return web.FileResponse(path, headers=headers)

    return handler


def _assets(dist: Path) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = dist / "assets" / name
        # Names come from the build (letters, digits, dashes, one dot): nothing else is served.
        if "/" in name or name.startswith(".") or name.endswith(".gz") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers=_ASSET_HEADERS)

    return handler


async def _home(request: web.Request) -> web.StreamResponse:
    """Someone who types the controller's address is most likely a resident: ask the code."""
    raise web.HTTPFound("/join")


def add_pages(app: web.Application, dist: Path = DIST, *, jitsi_domain: str | None = None) -> None:
    """``/console``, ``/room/{site}``, ``/screen/{site}``, ``/join[/{code}]`` and ``/assets``."""
    join = _page(dist, "join", _STRICT)
    app.router.add_get("/", _home)
    app.router.add_get("/console", _page(dist, "console", _STRICT))
    app.router.add_get("/room/{site}", _page(dist, "room", _STRICT))
    app.router.add_get("/screen/{site}", _page(dist, "screen", screen_policy(jitsi_domain)))
    app.router.add_get("/join", join)
    app.router.add_get("/join/{code}", join)
    app.router.add_get("/assets/{name}", _assets(dist))
