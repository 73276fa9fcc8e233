"""A real OBS Studio (under Xvfb) and a real nginx-rtmp ingest for tests: scripts/real-obs.sh.

``RealObs.start()`` picks free ports and its own state dir, runs the script and reads the
KEY=VALUE lines it prints. It can then crash OBS (``kill_obs``: SIGKILL), relaunch it with the
same config and ports (``start_obs_again``), stop and restart the ingest, and stop everything
by pid. The ``real_obs`` fixture shares one instance per test session; if OBS cannot start
the fixture fails with the script's output: it never skips.

By hand: ``scripts/real-obs.sh`` (then ``scripts/stop-real-obs.sh``); see its header.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "scripts" / "real-obs.sh"
STOP = ROOT / "scripts" / "stop-real-obs.sh"
SCRIPT_WITHIN = 240.0
"""Seconds the script may take: apt-get on a new machine takes about 20 s, a start about 1 s."""
READY_WITHIN = 30
"""Seconds OBS may take to open its websocket."""


class RealObsFailed(AssertionError):
    """The script failed; the message holds everything it printed and the logs' tails."""


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (held open together, so they are distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("0.0.0.0", 0))  # obs-websocket listens on every interface
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _text(output: str | bytes | None) -> str:
    """What a timed-out subprocess printed (bytes despite ``text=True``)."""
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class RealObs:
    """One running instance; ``env`` is what the script printed (OBS_WS_URL, RTMP_SERVER, …)."""

    dir: Path
    env: dict[str, str]
    keep: bool = False
    """Keep ``dir`` (logs, config, HLS) after ``stop()``: REALOBS_KEEP=1."""

    @classmethod
    def start(
        cls,
        *,
        password: str | None = None,
        video_size: str = "640x360",
        hls_playlist_seconds: int = 3,
    ) -> RealObs:
        """Start nginx, Xvfb and OBS on free ports, with a random websocket password unless
        one is given ("" disables authentication). Small video and short HLS playlists keep
        tests fast on two cores."""
        ws_port, rtmp_port, http_port = free_ports(3)
        # /tmp, not pytest's tmp_path: nginx workers (user nobody) must reach the HLS dir
        folder = Path(tempfile.mkdtemp(prefix="simulcast-obs-"))
        settings = {
            "REALOBS_DIR": str(folder),
            "REALOBS_WS_PORT": str(ws_port),
            "REALOBS_WS_PASSWORD": secrets.token_urlsafe(12) if password is None else password,
            "REALOBS_RTMP_PORT": str(rtmp_port),
            "REALOBS_HTTP_PORT": str(http_port),
            "REALOBS_VIDEO_SIZE": video_size,
            "REALOBS_HLS_PLAYLIST": str(hls_playlist_seconds),
            "REALOBS_READY_TIMEOUT": str(READY_WITHIN),
        }
        instance = cls(folder, {}, keep=os.environ.get("REALOBS_KEEP") == "1")
        try:
            instance.env = instance._script(RUN, "start", settings=settings)
        except RealObsFailed:
            instance.stop()
            raise
        return instance

    # ------------------------------------------------------------------ what tests use

    @property
    def ws_url(self) -> str:
        return self.env["OBS_WS_URL"]

    @property
    def password(self) -> str:
        return self.env["OBS_WS_PASSWORD"]

    @property
    def rtmp_server(self) -> str:
        """Where OBS must publish: rtmp://127.0.0.1:<port>/live."""
        return self.env["RTMP_SERVER"]

    @property
    def profile_stream_server(self) -> str:
        """The deliberately wrong server saved in OBS's profile."""
        return self.env["OBS_STREAM_SERVER"]

    def hls_url(self, key: str) -> str:
        """The playlist the ingest serves for stream ``key``."""
        return f"{self.env['HLS_BASE_URL']}{key}.m3u8"

    @property
    def obs_pid(self) -> int:
        return int(self.env["OBS_PID"])

    @property
    def obs_ready_ms(self) -> int:
        """Launch of OBS to its websocket's Hello, for the latest (re)start."""
        return int(self.env["OBS_READY_MS"])

    @property
    def obs_version(self) -> str:
        """Upstream version of the obs-studio package (29.0.2 for ``29.0.2+dfsg-1+b1``)."""
        return self.env["OBS_VERSION"].split(":")[-1].split("+")[0].split("-")[0]

    def obs_alive(self) -> bool:
        return _alive(self.obs_pid)

    def nginx_alive(self) -> bool:
        pid = self.env.get("NGINX_PID", "")
        return pid.isdigit() and _alive(int(pid))

    def kill_obs(self, within: float = 5.0) -> None:
        """SIGKILL OBS, as a crash would; return once it is gone and its port refuses.

        (Its main thread turns zombie before its other threads let go of the listening socket:
        for a moment the kernel still completes connections to a dead OBS.)
        """
        os.kill(self.obs_pid, signal.SIGKILL)
        deadline = time.monotonic() + within
        while self.obs_alive() or _listening(int(self.env["OBS_WS_PORT"])):
            if time.monotonic() > deadline:
                raise RealObsFailed(f"OBS (pid {self.obs_pid}) still runs {within} s after SIGKILL")
            time.sleep(0.02)

    def start_obs_again(self) -> int:
        """Relaunch OBS with the same config and ports; return ms until its websocket answered."""
        self.env = self._script(RUN, "start-obs")
        return self.obs_ready_ms

    def stop_nginx(self) -> None:
        """Stop the ingest (OBS, streaming, starts reconnecting)."""
        self._script(STOP, "nginx")
        self.env["NGINX_PID"] = ""

    def start_nginx(self) -> None:
        """Start the ingest again on the same ports."""
        self.env = self._script(RUN, "start-nginx")

    def ensure_running(self) -> None:
        """Restart OBS or nginx if an earlier test left it stopped."""
        if not self.obs_alive():
            self.start_obs_again()
        if not self.nginx_alive():
            self.start_nginx()

    def stop(self) -> None:
        """Stop OBS, nginx and Xvfb by pid; remove the state dir unless ``keep``."""
        if (self.dir / "settings.sh").exists():
            self._script(STOP, "all", check=False)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self, lines: int = 40) -> str:
        """The tails of OBS's and nginx's logs, to explain a failure."""
        out = []
        for name in ("obs.log", "nginx-error.log"):
            path = self.dir / "logs" / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {path}\n" + "\n".join(tail))
        return "\n".join(out)

    # ------------------------------------------------------------------ internals

    def _script(
        self,
        script: Path,
        command: str,
        *,
        settings: dict[str, str] | None = None,
        check: bool = True,
    ) -> dict[str, str]:
        env = {**os.environ, "REALOBS_DIR": str(self.dir), **(settings or {})}
        try:
            ran = subprocess.run(
                [str(script), command],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=SCRIPT_WITHIN,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            out, err = (_text(stream) for stream in (error.stdout, error.stderr))
            raise RealObsFailed(
                f"{script.name} {command} still ran after {SCRIPT_WITHIN} s:\n"
                f"--- stdout\n{out}\n--- stderr\n{err}\n{self.logs()}"
            ) from None
        if check and ran.returncode != 0:
            raise RealObsFailed(
                f"{script.name} {command} failed (exit {ran.returncode}); it printed:\n"
                f"--- stdout\n{ran.stdout}--- stderr\n{ran.stderr}{self.logs()}"
            )
        return dict(line.split("=", 1) for line in ran.stdout.splitlines() if "=" in line)


@pytest.fixture(scope="session")
def real_obs() -> Iterator[RealObs]:
    """One real OBS and ingest for the session. A test that crashes OBS or stops the ingest
    restores it (``ensure_running``) before it ends. Fails, never skips, if OBS cannot start."""
    try:
        instance = RealObs.start()
    except RealObsFailed as error:
        failure = str(error)
    else:
        failure = ""
    if failure:
        pytest.fail(f"could not start a real OBS for the tests:\n{failure}", pytrace=False)
    try:
        yield instance
    finally:
        instance.stop()
