"""The controller and the CLI as real subprocesses (``python -m simulcast …``).

For tests that must kill the controller (SIGKILL, then restart it on the same database) or
that check what a person sees in a terminal: exit codes, stdout and stderr.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from tests.helpers import ADMIN, SAMPLE_ROOMS

START_WITHIN = 30.0
"""Seconds a controller may take to print its URL."""
RUN_WITHIN = 30.0
"""Seconds a CLI command may take."""


def clean_env() -> dict[str, str]:
    """The test's environment without any ``SIMULCAST_*`` setting, and UTF-8 output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIMULCAST_")}
    env["PYTHONUTF8"] = "1"
    return env


@dataclass
class Ran:
    """A finished command."""

    code: int
    stdout: str
    stderr: str


async def run_cli(
    *args: str,
    cwd: Path,
    within: float = RUN_WITHIN,
    python: tuple[str, ...] = ("-m", "simulcast"),
    env: dict[str, str] | None = None,
) -> Ran:
    """Run ``python -m simulcast ARGS`` in ``cwd`` and return what it printed; ``python``
    replaces the interpreter's arguments before ARGS, ``env`` adds to the environment."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *python,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env={**clean_env(), **(env or {})},
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), within)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(
            f"`python {' '.join([*python, *args])}` still ran after {within} s; it printed:\n"
            f"--- stdout\n{out.decode()}--- stderr\n{err.decode()}"
        ) from None
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


@dataclass
class Served:
    """A running ``simulcast serve``: its process and the URL it printed first."""

    process: asyncio.subprocess.Process
    url: str
    log: Path
    """Where its stderr goes."""
    _read: list[str] = field(default_factory=list, repr=False)
    _rest: str | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def kill(self) -> None:
        """SIGKILL, as from the OOM killer or ``kill -9``: no shutdown code runs (what was
        written to the OS survives). Returns once the process is gone."""
        os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()

    async def lines(self, count: int) -> list[str]:
        """The next ``count`` lines it prints after its URL (without their line ends)."""
        assert self.process.stdout is not None
        read = []
        for _ in range(count):
            line = await asyncio.wait_for(self.process.stdout.readline(), START_WITHIN)
            read.append(line.decode().removesuffix("\n"))
        self._read += read
        return read

    async def output(self) -> str:
        """Everything it printed (call once it has exited)."""
        assert self.process.stdout is not None
        if self._rest is None:
            self._rest = (await self.process.stdout.read()).decode()
        printed = "".join(f"{line}\n" for line in [self.url, *self._read]) + self._rest
        return f"--- stdout\n{printed}--- stderr\n{self.log.read_text()}"


def _log_file(path: Path) -> IO[bytes]:
    return path.open("wb")


@dataclass
class Servers:
    """Starts controllers in ``folder``; on exit kills those still running and prints what
    each one printed (pytest shows it when the test failed)."""

    folder: Path
    started: list[Served] = field(default_factory=list)

    async def start(
        self,
        db: Path,
        *flags: str,
        port: int = 0,
        rooms: Path = SAMPLE_ROOMS,
        admin_token: str | None = ADMIN,
        env: dict[str, str] | None = None,
    ) -> Served:
        """``simulcast serve`` on ``db``; returns once it listens (its first line is its URL).
        ``admin_token`` None: no ``--admin-token`` flag; ``env`` adds to the environment.

        Fails with its stdout and stderr if it exits or stays silent instead.
        """
        log = self.folder / f"serve-{len(self.started) + 1}.log"
        with _log_file(log) as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "simulcast",
                "serve",
                "--port",
                str(port),
                "--db",
                str(db),
                "--rooms",
                str(rooms),
                *([] if admin_token is None else ["--admin-token", admin_token]),
                *flags,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                cwd=self.folder,
                env={**clean_env(), **(env or {})},
            )
        assert process.stdout is not None
        try:
            first = await asyncio.wait_for(process.stdout.readline(), START_WITHIN)
        except TimeoutError:
            first = b""
        served = Served(process, first.decode().strip(), log)
        self.started.append(served)
        if not served.url.startswith("http://"):
            if process.returncode is None:
                process.kill()
            code = await process.wait()
            raise AssertionError(
                f"simulcast serve did not start (exit {code}):\n{await served.output()}"
            )
        return served

    async def __aenter__(self) -> Servers:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for served in self.started:
            if served.process.returncode is None:
                served.process.kill()
                await served.process.wait()
            print(f"=== simulcast serve at {served.url or '?'}\n{await served.output()}")
