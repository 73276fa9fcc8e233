"""Schemathesis against a real controller (``simulcast serve --port 0``): every operation of
``/api/openapi.json`` with generated inputs, valid and not, under the admin token.

Checked on every answer: no 5xx, every error in the one shape ``{"error": {"code",
"message"}}``, and the response conforms to the schema. Bounded to ``EXAMPLES`` cases per
operation (derandomized), about a minute on two cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckContext, not_a_server_error, response_schema_conformance

from simulcast.web.openapi import build_openapi
from tests.helpers import ADMIN, SAMPLE_ROOMS
from tests.process import clean_env

EXAMPLES = 25
schema = schemathesis.openapi.from_dict(build_openapi())
RAN: list[str] = []


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    log = folder / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulcast",
                "serve",
                "--port",
                "0",
                "--db",
                str(folder / "fuzz.db"),
                "--rooms",
                str(SAMPLE_ROOMS),
                "--admin-token",
                ADMIN,
                "--join-guess-limit",
                "10000",
                "--obs-url",
                "ws://127.0.0.1:9",
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=clean_env(),
            text=True,
        )
        assert process.stdout is not None
        with process.stdout:
            url = process.stdout.readline().strip()
            assert url.startswith("http://"), log.read_text()
            try:
                yield url
            finally:
                process.terminate()
                process.wait(10)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"\nschemathesis: {len(RAN)} cases over {len(set(RAN))} operations, no 5xx"
        )
    errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
    assert errors == []


def one_error_shape(ctx: CheckContext, response: schemathesis.Response, case: object) -> None:
    """Every error answer is {"error": {"code", "message", "details"?}}, code and message
    non-empty strings."""
    if response.status_code < 400:
        return
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}, body
    assert isinstance(error["code"], str), body
    assert error["code"], body
    assert isinstance(error["message"], str), body
    assert error["message"], body


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_in_its_schema_and_never_5xx(
    case: schemathesis.Case, base_url: str
) -> None:
    RAN.append(case.operation.label)
    case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Bearer {ADMIN}"},
        checks=[not_a_server_error, response_schema_conformance, one_error_shape],
    )
