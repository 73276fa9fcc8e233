"""The load benchmark's command line: one definition of its options, run as
``python -m benchmarks.load …`` or, from a source checkout, as ``simulcast bench …``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

from benchmarks.load.runner import Plan, run_bench
from benchmarks.load.targets import TargetError


@click.command(name="bench")
@click.option(
    "--residents",
    type=click.IntRange(1, 50_000),
    default=1000,
    show_default=True,
    help="resident connections (each checks in, then asks for help and cancels)",
)
@click.option(
    "--rooms",
    "room_count",
    type=click.IntRange(1, 2000),
    default=100,
    show_default=True,
    help="rooms, one facilitator connection each",
)
@click.option(
    "--duration",
    type=click.FloatRange(1, 600),
    default=5.0,
    show_default=True,
    help="seconds per rate step",
)
@click.option(
    "--start-rate",
    type=click.FloatRange(10, 1e6),
    default=500.0,
    show_default=True,
    help="events per second of the first step",
)
@click.option("--max-rate", type=click.FloatRange(10, 1e6), default=50_000.0, show_default=True)
@click.option(
    "--growth",
    type=click.FloatRange(1.05, 4),
    default=1.4,
    show_default=True,
    help="each step's rate is the previous one times this",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="load-generator processes",
)
@click.option("--consoles", type=click.IntRange(1, 50), default=1, show_default=True)
@click.option("--peers", is_flag=True, help="also run the reference peers (benchmarks/peers)")
@click.option(
    "--capacity",
    type=click.IntRange(0, 50_000),
    default=0,
    help="then connect residents up to this many (1k, 2k, 5k, 10k…): RSS per connection",
)
@click.option(
    "--storm", is_flag=True, help="then kill -9 and restart the controller with everyone connected"
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write the figures there",
)
def bench(json_file: Path | None, room_count: int, **options: Any) -> None:
    """Load benchmark: step the event rate up until p99 > 50 ms or delivery < 99.9 %."""
    if options["start_rate"] > options["max_rate"]:
        raise click.BadParameter("--start-rate is above --max-rate", param_hint="--start-rate")
    if options["residents"] < room_count:
        raise click.BadParameter("at least one resident per room", param_hint="--residents")
    plan = Plan(rooms=room_count, **options)
    try:
        figures = asyncio.run(run_bench(plan))
    except TargetError as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(figures, indent=2)
    if json_file is not None:
        json_file.write_text(text + "\n")
    click.echo(text)
