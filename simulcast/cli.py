"""The ``simulcast`` command: ``serve`` (the main one), ``rooms check``, ``session …``.

Start-up and input errors print one line and exit 1 (2 for a wrong flag), never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any, get_args
from urllib import error as urlerror
from urllib import request as urlrequest
from urllib.parse import urlsplit

import click

from simulcast.config import load_settings
from simulcast.errors import StartupError
from simulcast.models.session import Niveau, Thematique

_THEMATIQUES = list(get_args(Thematique))
_NIVEAUX = list(get_args(Niveau))


@click.group()
@click.version_option(package_name="simulcast")
def main() -> None:
    """simulcast: one mediator, many rooms, live."""


# --- serve ------------------------------------------------------------------------------------


@main.command()
@click.option("--rooms", type=click.Path(path_type=Path), help="rooms.yaml [SIMULCAST_ROOMS]")
@click.option("--db", type=click.Path(path_type=Path), help="SQLite file [SIMULCAST_DB]")
@click.option("--host", help="address to listen on [SIMULCAST_HOST, 127.0.0.1]")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="0 = a free port [SIMULCAST_PORT, 8080]"
)
@click.option(
    "--public-url", help="base URL of links for residents and screens [SIMULCAST_PUBLIC_URL]"
)
@click.option(
    "--admin-token", help="admin token (else generated once and kept) [SIMULCAST_ADMIN_TOKEN]"
)
@click.option(
    "--timezone", help="zone for times given without an offset [SIMULCAST_TIMEZONE, Europe/Paris]"
)
@click.option(
    "--console-hz", type=float, help="console updates per second, at most [SIMULCAST_CONSOLE_HZ, 4]"
)
@click.option(
    "--join-guess-limit",
    type=int,
    help="wrong join codes tolerated per address per 10 min [SIMULCAST_JOIN_GUESS_LIMIT, 20]",
)
@click.option(
    "--max-connections-per-address",
    type=int,
    help="open socket.io connections allowed per client address "
    "[SIMULCAST_MAX_CONNECTIONS_PER_ADDRESS, 2000]",
)
@click.option(
    "--trusted-proxy",
    multiple=True,
    help="a reverse proxy whose X-Forwarded-For is believed (address or CIDR; repeatable) "
    "[SIMULCAST_TRUSTED_PROXY]",
)
@click.option(
    "--gc-policy/--no-gc-policy",
    default=None,
    help="keep GC pauses short by freezing long-lived objects [on]",
)
@click.option(
    "--retention-days",
    type=int,
    help="days after a session before first names and texts are erased [30]",
)
@click.option(
    "--access-expiry-hours",
    type=float,
    help="hours after a session's end before its codes and tokens stop working [12]",
)
@click.option("--obs-url", help="obs-websocket v5 URL [SIMULCAST_OBS_URL, ws://127.0.0.1:4455]")
@click.option("--obs-password", help="obs-websocket password (prefer SIMULCAST_OBS_PASSWORD)")
@click.option("--ingest-rtmp-url", help="where OBS publishes [SIMULCAST_INGEST_RTMP_URL]")
@click.option("--ingest-hls-url", help="HLS URL pattern with {key} [SIMULCAST_INGEST_HLS_URL]")
@click.option(
    "--jitsi-domain", help="Jitsi Meet host screens may load scripts from [SIMULCAST_JITSI_DOMAIN]"
)
@click.option("--jitsi-app-id", help="Jitsi JWT app id [SIMULCAST_JITSI_APP_ID]")
@click.option("--jitsi-app-secret", help="Jitsi JWT secret (prefer SIMULCAST_JITSI_APP_SECRET)")
@click.option(
    "--jitsi-room-size-url", help="Prosody base URL of /room-size [SIMULCAST_JITSI_ROOM_SIZE_URL]"
)
@click.option(
    "--screen-timeout", type=float, help="seconds without heartbeat → screen offline [15]"
)
@click.option("--dispatch-retry", type=float, help="seconds before play is sent again [8]")
@click.option("--broadcast-live-timeout", type=float, help="seconds to wait for the ingest [30]")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(log_level: str, **flags: Any) -> None:
    """Run the controller. The first line printed is its URL."""
    logging.basicConfig(
        level=log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        flags["trusted_proxy"] = flags["trusted_proxy"] or None  # none given: the environment's
        settings = load_settings(**flags)
        _run(_serve(settings))
    except StartupError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"cannot listen: {error}") from None


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _run(main: Any) -> None:
    """Run the controller on uvloop (a faster event loop) where it is installed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        asyncio.run(main)
    else:
        uvloop.run(main)


async def _serve(settings: Any) -> None:
    from aiohttp import web

    from simulcast.web.app import bound_to, create_app
    from simulcast.web.keys import SERVICES

    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        # A deep accept queue: at a session start every screen and phone connects at once.
        site = web.TCPSite(runner, settings.host, settings.port, backlog=4096)
        await site.start()
        port = runner.addresses[0][1]
        url = bound_to(app, port)
        services = app[SERVICES]
        click.echo(url)
        click.echo(f"console:     {url}/console")
        if settings.admin_token is None:  # generated at the first start, kept in the database
            click.echo(f"admin token: {services.admin_token}")
        else:  # whoever gave it knows it: no copy in a terminal's scrollback or a journal
            click.echo("admin token: the one given (--admin-token or SIMULCAST_ADMIN_TOKEN)")
        click.echo(
            f"rooms:       {len(services.registry)} sites from {settings.rooms}; "
            f"database {settings.db}; {len(services.hub.sessions)} sessions"
        )
        sys.stdout.flush()
        if settings.public_url is None and _loopback(urlsplit(url).hostname or ""):
            # Also when listening on every address (0.0.0.0): links cannot name the address
            # the rooms will use, so they fall back to this machine's loopback.
            click.echo(
                f"warning: the links given to rooms and residents point to {url}, which only "
                "this computer can open: for rooms on other machines, set --public-url to the "
                "address they reach this controller at (and --host 0.0.0.0 to listen there)",
                err=True,
            )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


# --- rooms ------------------------------------------------------------------------------------


@main.group()
def rooms() -> None:
    """The territory's sites (rooms.yaml)."""


@rooms.command("check")
@click.argument("file", type=click.Path(path_type=Path), default=Path("rooms.yaml"), required=False)
def rooms_check(file: Path) -> None:
    """Validate FILE (default rooms.yaml) and summarise it."""
    from simulcast.registry import load_registry, summarise

    try:
        registry = load_registry(file)
    except StartupError as error:
        raise click.ClickException(error.message) from None
    click.echo(summarise(registry))


# --- bench ------------------------------------------------------------------------------------


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def bench(ctx: click.Context) -> None:
    """Load benchmark, run from a source checkout.

    The load generator (``benchmarks.load``, whose own command defines the options that
    ``simulcast bench --help`` lists) ships in the checkout, not in the package. With
    the editable install the checkout is the folder above ``simulcast/``; it is put on
    ``sys.path`` if it is not there yet, and the arguments go to the generator's own command.
    """
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "benchmarks" / "load").is_dir() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        from benchmarks.load.command import bench as command
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "benchmarks":
            raise
        raise click.ClickException(
            "simulcast bench runs from a source checkout of simulcast (its load generator, "
            "benchmarks/load/, is not in the installed package): clone the repository and run "
            "`uv run simulcast bench …` there"
        ) from None
    with command.make_context(ctx.info_name, ctx.args, parent=ctx.parent) as own:
        command.invoke(own)


# --- ingest -----------------------------------------------------------------------------------


@main.group()
def ingest() -> None:
    """The RTMP → HLS ingest a centre runs for its studio (nginx-rtmp)."""


def _pushes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Any]:
    return [_push(value) for value in values]


def _push(value: str) -> Any:
    from pydantic import ValidationError

    from simulcast.integrations.ingest.nginx_conf import PushTarget

    kind, sep, rest = value.partition("=")
    key, _, url = rest.partition("@")
    if not sep or not key:
        raise click.BadParameter(
            f"{value!r}: expected KIND=KEY or KIND=KEY@URL, e.g. youtube=abcd-1234 or "
            "peertube=KEY@rtmp://peertube.example.org:1935/live"
        )
    try:
        return PushTarget.model_validate({"kind": kind, "key": key, "url": url or None})
    except ValidationError as error:
        problems = "; ".join(item["msg"].removeprefix("Value error, ") for item in error.errors())
        raise click.BadParameter(f"{kind}=…: {problems}") from None


@ingest.command("nginx-conf")
@click.argument("site")
@click.option(
    "--rooms",
    "rooms_file",
    type=click.Path(path_type=Path),
    default=Path("rooms.yaml"),
    show_default=True,
    help="the territory's sites",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="folder to write nginx.conf (and stunnel.conf) in; default: print",
)
@click.option(
    "--hls-dir",
    type=click.Path(path_type=Path),
    default=Path("/var/lib/simulcast/hls"),
    show_default=True,
    help="where nginx writes HLS segments",
)
@click.option("--rtmp-port", type=click.IntRange(1, 65535), default=1935, show_default=True)
@click.option("--http-port", type=click.IntRange(1, 65535), default=8089, show_default=True)
@click.option("--bind", help="address to listen on (default: all)")
@click.option(
    "--allow-publish", multiple=True, help="address allowed to publish (repeat); 127.0.0.1 always"
)
@click.option(
    "--push",
    "pushes",
    multiple=True,
    callback=_pushes,
    help="relay to a platform: youtube=KEY, facebook=KEY, peertube=KEY@rtmp://host/live, "
    "rtmp=KEY@rtmp://host/app (repeat)",
)
def ingest_nginx_conf(
    site: str,
    rooms_file: Path,
    out: Path | None,
    hls_dir: Path,
    rtmp_port: int,
    http_port: int,
    bind: str | None,
    allow_publish: tuple[str, ...],
    pushes: list[Any],
) -> None:
    """Write the nginx-rtmp configuration of SITE's ingest (1 s HLS fragments)."""
    from simulcast.integrations.ingest.nginx_conf import (
        install_nginx_conf,
        render_nginx_conf,
        render_stunnel_conf,
    )
    from simulcast.registry import load_registry

    try:
        registry = load_registry(rooms_file)
    except StartupError as error:
        raise click.ClickException(error.message) from None
    if site not in registry:
        raise click.ClickException(
            f'site "{site}" is not in {rooms_file} (known: {", ".join(registry.sites)})'
        )
    targets = pushes
    nginx = render_nginx_conf(
        site,
        rtmp_port=rtmp_port,
        http_port=http_port,
        hls_dir=hls_dir,
        pushes=targets,
        allow_publish=allow_publish,
        bind=bind,
    )
    stunnel = render_stunnel_conf(site, targets)
    if out is None:
        click.echo(nginx, nl=False)
        if stunnel:
            click.echo("\n# --- stunnel.conf (for the rtmps relays) ---\n" + stunnel, nl=False)
        return
    try:
        hls_dir.mkdir(parents=True, exist_ok=True)
        path = install_nginx_conf(out, nginx)
    except OSError as error:
        raise click.ClickException(f"cannot write {error.filename}: {error.strerror}") from None
    click.echo(f"wrote {path}")
    if stunnel:
        stunnel_path = out / "stunnel.conf"
        stunnel_path.write_text(stunnel)
        stunnel_path.chmod(0o600)
        click.echo(f"wrote {stunnel_path}")
    click.echo(f"test it: nginx -t -p {out}/ -c {path}")


# --- session (talks to a running controller) --------------------------------------------------


def _client_options(func: Any) -> Any:
    func = click.option(
        "--url",
        envvar="SIMULCAST_URL",
        default="http://127.0.0.1:8080",
        show_default=True,
        help="the controller [SIMULCAST_URL]",
    )(func)
    return click.option(
        "--token",
        envvar="SIMULCAST_ADMIN_TOKEN",
        required=True,
        help="admin token [SIMULCAST_ADMIN_TOKEN]",
    )(func)


def _call(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urlrequest.Request(
        url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urlrequest.urlopen(request, timeout=15) as response:
            return json.loads(response.read() or b"null")
    except urlerror.HTTPError as error:
        try:
            problem = json.loads(error.read())["error"]
            message = f"{problem['message']} ({problem['code']}, HTTP {error.code})"
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {error.code} {error.reason}"
        raise click.ClickException(message) from None
    except (urlerror.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise click.ClickException(
            f"cannot reach the controller at {url}: {reason} (is `simulcast serve` running? "
            "set --url or SIMULCAST_URL)"
        ) from None


def _print(value: Any, as_json: bool, line: str) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False) if as_json else line)


@main.group()
def session() -> None:
    """Create, list, start and end sessions on a running controller."""


@session.command("create")
@_client_options
@click.option("--title", required=True, help='what residents see, e.g. "Envoyer un e-mail"')
@click.option("--origin", required=True, help="site id of the studio the mediator teaches from")
@click.option(
    "--room",
    "room_ids",
    multiple=True,
    help="a participating site id (repeat; default: all but the origin)",
)
@click.option(
    "--starts-at", help="ISO 8601, e.g. 2026-12-01T14:00 (local time unless an offset is given)"
)
@click.option(
    "--duration", "duration_min", type=click.IntRange(5, 720), default=90, show_default=True
)
@click.option("--thematique", "thematiques", multiple=True, type=click.Choice(_THEMATIQUES))
@click.option("--niveau", type=click.Choice(_NIVEAUX))
@click.option("--source-url", help="an external live URL for the room screens")
@click.option("--json", "as_json", is_flag=True, help="print the whole session as JSON")
def session_create(url: str, token: str, as_json: bool, **fields: Any) -> None:
    """Schedule a session."""
    body: dict[str, Any] = {
        "title": fields["title"],
        "origin": fields["origin"],
        "duration_min": fields["duration_min"],
        "thematiques": list(fields["thematiques"]),
        "client_id": str(uuid.uuid4()),
    }
    if fields["room_ids"]:
        body["rooms"] = list(fields["room_ids"])
    if fields["starts_at"]:
        body["starts_at"] = fields["starts_at"]
    if fields["niveau"]:
        body["niveau"] = fields["niveau"]
    if fields["source_url"]:
        body["source"] = {"kind": "external", "url": fields["source_url"]}
    created = _call(url, token, "POST", "/api/sessions", body)
    _print(
        created,
        as_json,
        f"{created['id']}  {created['state']}  {created['title']}  ({len(created['rooms'])} rooms)",
    )


@session.command("list")
@_client_options
@click.option("--json", "as_json", is_flag=True)
def session_list(url: str, token: str, as_json: bool) -> None:
    """List sessions with their attendance and help counts (times in the territory's zone)."""
    sessions = _call(url, token, "GET", "/api/sessions")
    lines = [
        f"{item['id']}  {item['state']:<9}  {item['starts_at'][:16]}  "
        f"present {item['totals']['present']:>3}  help {item['totals']['help_open']:>2}  "
        f"{item['title']}"
        for item in sessions
    ]
    _print(sessions, as_json, "\n".join(lines) or "no session yet")


def _transition(verb: str) -> Any:
    @_client_options
    @click.argument("session_id")
    @click.option("--json", "as_json", is_flag=True)
    def command(url: str, token: str, session_id: str, as_json: bool) -> None:
        result = _call(
            url,
            token,
            "POST",
            f"/api/sessions/{session_id}/{verb}",
            {"client_id": str(uuid.uuid4())},
        )
        _print(result, as_json, f"{result['id']}  {result['state']}")
        if verb == "start" and not as_json:
            _print_access(_call(url, token, "GET", f"/api/sessions/{session_id}/access"))

    command.__doc__ = f"{verb.capitalize()} a session."
    return command


def _print_access(access: dict[str, Any]) -> None:
    for site, links in access["rooms"].items():
        click.echo(f"{site}: code {links['join_code_display']}  join {links['join_url']}")
        click.echo(f"    facilitator {links['facilitator_url']}")
        click.echo(f"    screen      {links['screen_url']}")


session.command("start")(_transition("start"))
session.command("end")(_transition("end"))
session.command("cancel")(_transition("cancel"))


@main.command()
@_client_options
@click.option("--json", "as_json", is_flag=True)
def purge(url: str, token: str, as_json: bool) -> None:
    """Erase now the personal data of sessions past the retention period (also done hourly)."""
    result = _call(url, token, "POST", "/api/purge")
    purged = result["purged"]
    _print(
        result,
        as_json,
        f"{len(purged)} session(s) purged "
        f"(ended more than {result['retention_days']} days ago)"
        + (f": {', '.join(purged)}" if purged else ""),
    )


@session.command("access")
@_client_options
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True)
def session_access(url: str, token: str, session_id: str, as_json: bool) -> None:
    """Join codes, facilitator and screen links of each room."""
    access = _call(url, token, "GET", f"/api/sessions/{session_id}/access")
    if as_json:
        _print(access, True, "")
    else:
        _print_access(access)


# --- every other admin action of the table, generated -------------------------------------

_WRITTEN_BY_HAND = frozenset(
    {
        "create_session",
        "list_sessions",
        "start_session",
        "end_session",
        "cancel_session",
        "session_access",
        "purge",
    }
)
"""Admin actions with a command of their own above (their output is a summary line)."""


def _action_commands() -> list[click.Command]:
    """A ``simulcast session <action>`` command for each admin action of the action table
    that has no command of its own: the path's ids are its arguments, the body's fields its
    options; it prints the controller's answer as JSON."""
    from simulcast.engine.actions import ACTIONS

    commands = []
    for action in ACTIONS:
        if action.rest is None or "admin" not in action.roles or action.name in _WRITTEN_BY_HAND:
            continue
        commands.append(_action_command(action))
    return commands


def _action_command(action: Any) -> click.Command:
    import re

    method, path = action.rest
    ids = re.findall(r"{(\w+)}", path)
    params: list[click.Parameter] = [click.Argument([name]) for name in ids]
    fields = {} if action.body is None else dict(action.body.model_fields)
    for name, field in fields.items():
        if name in ids or name == "client_id":
            continue
        params.append(_option(name, field))
    params += _client_params()

    def run(url: str, token: str, **given: Any) -> None:
        target = path.format(**{name: given.pop(name) for name in ids})
        body = None
        if action.body is not None:
            body = {key: _plain(value) for key, value in given.items() if value not in (None, ())}
            if "client_id" in fields:
                body["client_id"] = str(uuid.uuid4())
        _print(_call(url, token, method, target, body), True, "")

    name = action.name.removesuffix("_session").replace("_", "-")
    return click.Command(name, params=params, callback=run, help=f"{action.summary}.")


def _option(name: str, field: Any) -> click.Option:
    import types
    from typing import Annotated, Literal, Union, get_origin

    annotation = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):  # X | None
        (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Annotated:  # constraints are checked by the controller
        annotation = get_args(annotation)[0]
    multiple = get_origin(annotation) is list
    if multiple:
        annotation = get_args(annotation)[0]
    kind: Any = int if annotation is int else str
    convert = None
    if get_origin(annotation) is Literal:
        values = {str(value): value for value in get_args(annotation)}
        kind = click.Choice(list(values))
        convert = lambda ctx, param, given: values.get(given, given)  # noqa: E731 - "1" → 1
    return click.Option(
        [f"--{name.replace('_', '-')}", name],
        type=kind,
        multiple=multiple,
        required=field.is_required(),
        callback=convert,
        help=field.description,
    )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _client_params() -> list[click.Parameter]:
    probe = _client_options(lambda: None)
    return list(reversed(probe.__click_params__))


for _command in _action_commands():
    session.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
