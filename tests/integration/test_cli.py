"""The ``simulcast`` command as a person runs it: a subprocess, its exit code and output."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import sysconfig
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import simulcast
from tests.helpers import ADMIN, ROOT, SAMPLE_ROOMS, Api, cid
from tests.process import Ran, Served, Servers, run_cli

SAMPLE_SUMMARY = """\
Territoire : Métropole Européenne de Lille (Hauts-de-France)
11 sites : 1 studio, 3 cyberespaces, 3 centres sociaux, 2 tiers-lieux, 2 médiathèques
Capacité totale : 161 places

studio-lille-sud             Studio numérique du Faubourg        Lille              studio          12
cs-lille-sud                 Centre social des Glycines          Lille              centre social   16
cyber-faches-thumesnil       Cyberespace du Parc                 Faches-Thumesnil   cyberespace     10
mediatheque-ronchin          Médiathèque des Tilleuls            Ronchin            médiathèque     14
tiers-lieu-lesquin           La Fabrique des Champs              Lesquin            tiers-lieu      20
cs-wattignies                Centre socioculturel Les Peupliers  Wattignies         centre social   12
cyber-loos                   Espace numérique de la Gare         Loos               cyberespace      8
mediatheque-haubourdin       Médiathèque du Canal                Haubourdin         médiathèque     15
tiers-lieu-villeneuve-dascq  Tiers-lieu La Passerelle            Villeneuve-d'Ascq  tiers-lieu      24
cs-roubaix                   Centre social des Filatures         Roubaix            centre social   18
cyber-tourcoing              Cyberespace des Tisserands          Tourcoing          cyberespace     12
"""  # noqa: E501

ROOMS_WITH_A_BAD_KIND = """\
sites:
  - id: studio-test
    pivot: "99900000100012"
    nom: Studio du Faubourg
    commune: Lille
    code_postal: "59000"
    adresse: 18 rue des Verriers
    date_maj: 2025-01-06
    services: [Aide aux démarches administratives]
    x_kind: studio
  - id: cyber-test
    pivot: "99900000200018"
    nom: Espace numérique de la Gare
    commune: Loos
    code_postal: "59120"
    adresse: 1 place de la Gare
    date_maj: 2025-01-06
    services: [Aide aux démarches administratives]
    x_kind: cyber-espace
"""
TITLE = "Atelier : envoyer un e-mail"
SESSION_ID = re.compile(r"s[a-z2-7]{13}")


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    async with Servers(tmp_path) as servers:
        yield servers


@pytest.fixture
async def served(servers: Servers, tmp_path: Path) -> Served:
    return await servers.start(tmp_path / "s.db")


async def test_rooms_check_sample_prints_the_summary(tmp_path: Path) -> None:
    ran = await run_cli("rooms", "check", str(SAMPLE_ROOMS), cwd=tmp_path)
    assert ran == Ran(0, SAMPLE_SUMMARY, "")


async def test_rooms_check_bad_kind_exits_1_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "rooms.yaml").write_text(ROOMS_WITH_A_BAD_KIND, encoding="utf-8")
    ran = await run_cli("rooms", "check", cwd=tmp_path)  # rooms.yaml is the default
    assert ran == Ran(
        1,
        "",
        'Error: rooms.yaml:19: site "cyber-test", key "x_kind": got "cyber-espace", '
        "expected one of studio, cyberespace, centre_social, tiers_lieu, mediatheque\n",
    )


async def test_serve_port_out_of_range_exits_2_with_click_message(tmp_path: Path) -> None:
    ran = await run_cli("serve", "--port", "70000", cwd=tmp_path)
    assert ran == Ran(
        2,
        "",
        "Usage: python -m simulcast serve [OPTIONS]\n"
        "Try 'python -m simulcast serve --help' for help.\n"
        "\n"
        "Error: Invalid value for '--port': 70000 is not in the range 0<=x<=65535.\n",
    )


async def test_serve_missing_rooms_file_exits_1_with_one_line(tmp_path: Path) -> None:
    rooms = tmp_path / "missing.yaml"
    ran = await run_cli(
        "serve", "--port", "0", "--rooms", str(rooms), "--db", str(tmp_path / "s.db"), cwd=tmp_path
    )
    assert ran == Ran(
        1, "", f"Error: {rooms}: no such file; expected the sites registry (rooms.yaml)\n"
    )


async def test_serve_db_in_missing_folder_exits_1_naming_the_path(tmp_path: Path) -> None:
    db = tmp_path / "no-such-folder" / "s.db"
    ran = await run_cli(
        "serve", "--port", "0", "--rooms", str(SAMPLE_ROOMS), "--db", str(db), cwd=tmp_path
    )
    # One line; the cause in the middle is the operating system's wording.
    assert (ran.code, ran.stdout) == (1, "")
    assert re.fullmatch(
        f"Error: cannot open the database {re.escape(str(db))}: [^\n]+ "
        r"\(check that its folder exists and is writable, or pass --db\)\n",
        ran.stderr,
    ), ran.stderr


async def session_cli(served: Served, *args: str, token: str = ADMIN) -> Ran:
    return await run_cli(
        "session", *args, "--url", served.url, "--token", token, cwd=served.log.parent
    )


async def test_session_create_list_start_end_on_a_running_controller(served: Served) -> None:
    assert await session_cli(served, "list") == Ran(0, "no session yet\n", "")

    created = await session_cli(
        served,
        "create",
        "--title",
        TITLE,
        "--origin",
        "studio-lille-sud",
        "--room",
        "cs-lille-sud",
        "--room",
        "cyber-loos",
        "--starts-at",
        "2026-12-01T14:00",
    )
    found = SESSION_ID.match(created.stdout)
    assert found is not None, created
    session_id = found.group()
    assert created == Ran(0, f"{session_id}  scheduled  {TITLE}  (2 rooms)\n", "")

    listed = await session_cli(served, "list")
    assert listed == Ran(
        0,
        f"{session_id}  scheduled  2026-12-01T14:00  present   0  help  0  {TITLE}\n",
        "",
    )

    started = await session_cli(served, "start", session_id)
    async with aiohttp.ClientSession() as http:
        api = Api(served.url, http)
        access = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"]
        assert list(access) == ["cs-lille-sud", "cyber-loos"]
        links = "".join(
            f"{site}: code {room['join_code_display']}  join {room['join_url']}\n"
            f"    facilitator {room['facilitator_url']}\n"
            f"    screen      {room['screen_url']}\n"
            for site, room in access.items()
        )
        assert started == Ran(0, f"{session_id}  live\n{links}", "")

        assert await session_cli(served, "end", session_id) == Ran(0, f"{session_id}  ended\n", "")
        session = (await api.get(f"/api/sessions/{session_id}")).body
    assert (session["state"], session["title"], session["starts_at"]) == (
        "ended",
        TITLE,
        "2026-12-01T14:00:00+01:00",
    )


async def _live_session(served: Served) -> tuple[str, dict[str, Any]]:
    """A live session made over REST (quicker than two more CLI runs), and its rooms' links."""
    async with aiohttp.ClientSession() as http:
        return await Api(served.url, http).live_session(["cs-lille-sud", "cyber-loos"])


async def test_announce_and_checks_run_from_the_commands_made_from_the_action_table(
    served: Served,
) -> None:
    session_id, _ = await _live_session(served)
    announced = await session_cli(served, "announce", session_id, "--text", "123 : pause")
    assert announced.code == 0, announced
    assert json.loads(announced.stdout)["text"] == "123 : pause"  # a number stays text

    launched = await session_cli(
        served, "launch-check", session_id, "--question", "Ça va ?", "--options", "Oui",
        "--options", "Non", "--options", "Je ne sais pas",
    )  # fmt: skip
    assert launched.code == 0, launched
    check = json.loads(launched.stdout)
    assert (check["question"], check["options"]) == ("Ça va ?", ["Oui", "Non", "Je ne sais pas"])
    closed = await session_cli(served, "close-check", check["id"])
    assert (closed.code, json.loads(closed.stdout)["open"]) == (0, False)


async def test_an_escalation_is_answered_and_the_preflight_read_from_the_cli(
    served: Served,
) -> None:
    session_id, access = await _live_session(served)
    room = access["cs-lille-sud"]
    async with aiohttp.ClientSession() as http:
        api = Api(served.url, http)
        help_request = await api.post(
            f"/api/join/{room['join_code']}/help",
            {"client_id": cid(), "kind": "question"},
            token=None,
        )
        request_id = help_request.body["id"]
        escalated = await api.post(
            f"/api/help/{request_id}/escalate", token=room["facilitator_token"]
        )
        assert escalated.status == 200
    answered = await session_cli(served, "answer-escalation", request_id, "--answer", "Oui")
    assert (answered.code, json.loads(answered.stdout)["state"]) == (0, "answered")
    preflight = await session_cli(served, "preflight", session_id)
    assert preflight.code == 0, preflight
    assert set(json.loads(preflight.stdout)) >= {"screens"}


async def test_a_generated_command_refused_or_missing_an_option_says_why(served: Served) -> None:
    session_id, _ = await _live_session(served)
    refused = await session_cli(served, "answer-escalation", "hnosuchrequest", "--answer", "x")
    assert refused == Ran(1, "", "Error: no help request hnosuchrequest (not_found, HTTP 404)\n")
    missing = await session_cli(served, "announce", session_id)
    assert (missing.code, "Missing option '--text'" in missing.stderr) == (2, True)


async def test_session_start_unknown_id_exits_1_with_the_server_message(served: Served) -> None:
    ran = await session_cli(served, "start", "snosuchsession")
    assert ran == Ran(1, "", "Error: no session snosuchsession (not_found, HTTP 404)\n")


async def test_session_list_wrong_token_exits_1(served: Served) -> None:
    ran = await session_cli(served, "list", token="not-the-admin-token")
    assert ran == Ran(1, "", "Error: wrong admin token (bad_token, HTTP 401)\n")


async def test_session_list_unreachable_controller_exits_1(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    ran = await run_cli("session", "list", "--url", url, "--token", ADMIN, cwd=tmp_path)
    assert ran == Ran(
        1,
        "",
        f"Error: cannot reach the controller at {url}: [Errno 111] Connection refused "
        "(is `simulcast serve` running? set --url or SIMULCAST_URL)\n",
    )


async def test_ingest_nginx_conf_writes_a_file_nginx_accepts(tmp_path: Path) -> None:
    out = tmp_path / "ingest"
    ran = await run_cli(
        "ingest",
        "nginx-conf",
        "studio-lille-sud",
        "--rooms",
        str(SAMPLE_ROOMS),
        "--out",
        str(out),
        "--hls-dir",
        str(tmp_path / "hls"),
        "--rtmp-port",
        "19351",
        "--http-port",
        "18091",
        "--push",
        "peertube=K1@rtmp://127.0.0.1:1935/live",
        cwd=tmp_path,
    )
    conf = out / "nginx.conf"
    assert ran == Ran(0, f"wrote {conf}\ntest it: nginx -t -p {out}/ -c {conf}\n", "")
    assert oct(conf.stat().st_mode & 0o777) == "0o600"  # it holds stream keys
    text = conf.read_text()
    assert "    push rtmp://127.0.0.1:1935/live/K1;\n" in text
    assert "            hls_fragment 1s;\n" in text
    checked = await asyncio.create_subprocess_exec(
        "nginx",
        "-t",
        "-p",
        f"{out}/",
        "-c",
        str(conf),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await checked.communicate()
    assert checked.returncode == 0, stderr.decode()


async def test_ingest_nginx_conf_refuses_a_bad_push_and_an_unknown_site(tmp_path: Path) -> None:
    bad_push = await run_cli(
        "ingest",
        "nginx-conf",
        "studio-lille-sud",
        "--rooms",
        str(SAMPLE_ROOMS),
        "--push",
        "youtube",
        cwd=tmp_path,
    )
    assert bad_push.code == 2
    assert bad_push.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--push': 'youtube': expected KIND=KEY or KIND=KEY@URL, "
        "e.g. youtube=abcd-1234 or peertube=KEY@rtmp://peertube.example.org:1935/live"
    )
    unknown = await run_cli(
        "ingest", "nginx-conf", "nowhere", "--rooms", str(SAMPLE_ROOMS), cwd=tmp_path
    )
    assert unknown.code == 1
    assert unknown.stderr.startswith('Error: site "nowhere" is not in ')


async def test_bench_and_python_m_benchmarks_load_are_one_command() -> None:
    bench = await run_cli("bench", "--help", cwd=ROOT)
    load = await run_cli("--help", cwd=ROOT, python=("-m", "benchmarks.load"))
    assert (bench.code, bench.stderr, load.code, load.stderr) == (0, "", 0, "")
    assert bench.stdout.startswith("Usage: python -m simulcast bench [OPTIONS]\n")
    assert (
        bench.stdout.replace("python -m simulcast bench", "python -m benchmarks.load", 1)
        == load.stdout
    )


async def test_bench_with_a_start_rate_above_the_max_rate_exits_2(tmp_path: Path) -> None:
    ran = await run_cli("bench", "--start-rate", "600", "--max-rate", "500", cwd=tmp_path)
    assert ran == Ran(
        2,
        "",
        "Usage: python -m simulcast bench [OPTIONS]\n"
        "Try 'python -m simulcast bench --help' for help.\n"
        "\n"
        "Error: Invalid value for --start-rate: --start-rate is above --max-rate\n",
    )


async def test_bench_outside_a_source_checkout_exits_1_with_one_line(tmp_path: Path) -> None:
    """As from a wheel: the package in a folder of its own, without benchmarks/ beside it,
    and without the editable install's .pth file (``-S``) that puts the checkout on the path;
    the dependencies still come from the environment's site-packages."""
    installed = tmp_path / "site-packages"
    shutil.copytree(
        Path(simulcast.__file__).parent,
        installed / "simulcast",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    ran = await run_cli(
        "bench",
        "--rooms",
        "5",
        cwd=tmp_path,
        python=("-S", "-m", "simulcast"),
        env={"PYTHONPATH": os.pathsep.join([str(installed), *sorted(dependencies)])},
    )
    assert ran == Ran(
        1,
        "",
        "Error: simulcast bench runs from a source checkout of simulcast (its load generator, "
        "benchmarks/load/, is not in the installed package): clone the repository and run "
        "`uv run simulcast bench …` there\n",
    )


async def _logged(served: Served, text: str) -> str:
    """The server's log once it holds ``text`` (it writes its stderr after the URL line that
    ``Servers.start`` waits for), or the log as it is after 10 s."""
    deadline = asyncio.get_running_loop().time() + 10
    while text not in (log := served.log.read_text()):
        if asyncio.get_running_loop().time() > deadline:
            return log
        await asyncio.sleep(0.05)
    return log


async def test_serve_on_loopback_warns_that_other_machines_cannot_open_the_links(
    servers: Servers, tmp_path: Path
) -> None:
    # Started first: by the time the two others have warned, it has written all it writes.
    public = await servers.start(tmp_path / "b.db", "--public-url", "http://simulcast.example.org")
    local = await servers.start(tmp_path / "a.db")
    warning = (
        f"warning: the links given to rooms and residents point to {local.url}, which only "
        "this computer can open: for rooms on other machines, set --public-url to the address "
        "they reach this controller at (and --host 0.0.0.0 to listen there)\n"
    )
    assert warning in await _logged(local, warning)
    # Listening on every address does not tell the links which one the rooms use.
    everywhere = await servers.start(tmp_path / "c.db", "--host", "0.0.0.0")
    told = f"warning: the links given to rooms and residents point to {everywhere.url},"
    assert told in await _logged(everywhere, told)
    assert "warning:" not in public.log.read_text()


async def test_serve_prints_the_admin_token_only_when_it_made_or_stored_it(
    servers: Servers, tmp_path: Path
) -> None:
    given_line = "admin token: the one given (--admin-token or SIMULCAST_ADMIN_TOKEN)"
    by_flag = await servers.start(tmp_path / "flag.db")
    by_variable = await servers.start(
        tmp_path / "variable.db", admin_token=None, env={"SIMULCAST_ADMIN_TOKEN": ADMIN}
    )
    generated = await servers.start(tmp_path / "own.db", admin_token=None)
    printed = {
        "flag": await by_flag.lines(3),
        "variable": await by_variable.lines(3),
        "generated": await generated.lines(3),
    }
    token = printed["generated"][1].removeprefix("admin token: ")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token), printed
    assert printed == {
        name: [
            f"console:     {served.url}/console",
            given_line if name != "generated" else f"admin token: {token}",
            f"rooms:       11 sites from {SAMPLE_ROOMS}; database {tmp_path / db}; 0 sessions",
        ]
        for name, served, db in [
            ("flag", by_flag, "flag.db"),
            ("variable", by_variable, "variable.db"),
            ("generated", generated, "own.db"),
        ]
    }
    async with aiohttp.ClientSession() as http:
        for served, key in [(by_flag, ADMIN), (by_variable, ADMIN), (generated, token)]:
            answer = await Api(served.url, http).get("/api/sessions", token=key)
            assert answer.status == 200, (served.url, answer)
    generated.process.terminate()
    assert await generated.process.wait() == 0
    again = await servers.start(tmp_path / "own.db", admin_token=None)
    assert (await again.lines(2))[1] == f"admin token: {token}"  # the stored one, kept
