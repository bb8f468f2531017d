"""Benchmark: the walkthrough workflow run by the engine, against the same HTTP calls in bare httpx.

    .venv/bin/python -m bench.walkthrough [--accounts 1000] [--repeat 3] [--database-url URL]

Both sides talk to the loopback fakes (tests/fakes) served from threads of this process, so
the ratio engine/baseline is what the engine adds on top of the vendor calls themselves.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.slack import FakeSlack
from tests.fakes.totango import FakeTotango

# Totango serves at most 1,000 records a page and 10,000 records of one search.
PAGE_SIZE = 1000
MAX_ACCOUNTS = 10_000
HTTP_TIMEOUT = 30.0
PROFILE_TOP = 30
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timings:
    """Wall times of each repetition, in seconds; the best one is the figure reported."""

    engine: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return min(self.engine) / min(self.baseline)


@dataclass(frozen=True)
class Memory:
    rss_peak_mib: float  # the process's peak RSS after the timed runs
    rss_growth_mib: float  # how much the timed runs raised it
    # Peak Python allocations of one run per side: the fakes' allocations are in both.
    traced_engine_mib: float
    traced_baseline_mib: float


# --- Set-up ------------------------------------------------------------------------------------


def configure_django(*, database_url: str | None, var_dir: Path) -> str:
    """Points settings at the benchmark's database and a throwaway var/, then sets Django up.

    Everything settings read is decided here, before django.setup(): the secrets and the
    embedded broker land in the temporary var/, never in the project's own.
    """
    url = database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "VAR_DIR": str(var_dir),
            "DJANGO_ENV": "local",
            # DEBUG keeps every query in memory, which would bill the engine for the benchmark.
            "DJANGO_DEBUG": "false",
            # Nothing is enqueued, but a stray task must not reach a shared Redis either.
            "CELERY_BROKER_URL": "filesystem://",
        }
    )
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(database_url)

    import django

    django.setup()
    return url


def create_postgres_database(database_url: str) -> None:
    """Creates the benchmark's database if it is missing; its tables are rebuilt later."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    database = dj_database_url.parse(database_url)
    name = database["NAME"]
    # The tables of this database are dropped: refuse one that is plainly not the benchmark's,
    # such as the `test` database other engineers' test runs share.
    if "bench" not in name:
        raise SystemExit(
            f"--database-url names the database {name!r}: its tables are dropped, so its "
            "name must contain 'bench' (e.g. postgres://postgres@127.0.0.1:5432/bench)."
        )
    with psycopg.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def rebuild_tables() -> None:
    """Drops every table of the database, then migrates: each benchmark starts from empty."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
    call_command("migrate", verbosity=0, interactive=False)


@dataclass(frozen=True)
class Scenario:
    """What both sides do: one search (paged past 1,000 accounts), one message per account."""

    accounts: int
    totango: FakeTotango
    slack: FakeSlack
    totango_token: str
    slack_token: str
    query: str
    channel: str

    @property
    def pages(self) -> int:
        return -(-self.accounts // PAGE_SIZE)

    def expected_texts(self) -> list[str]:
        return [
            f"New paying account: Account {number:04d}" for number in range(1, self.accounts + 1)
        ]

    def reset_fakes(self) -> None:
        self.totango.reset()
        self.slack.reset()

    def check_fakes(self, side: str) -> None:
        """Raises unless the vendors saw exactly the calls of one correct run."""
        searches = self.totango.requests_to("/api/v1/search/accounts")
        if len(searches) != self.pages:
            raise AssertionError(f"{side}: {len(searches)} Totango searches, not {self.pages}")
        messages = self.slack.messages
        texts = [message["text"] for message in messages]
        if texts != self.expected_texts():
            raise AssertionError(
                f"{side}: Slack received {len(texts)} messages, not the {self.accounts} expected "
                f"in order (first differences: {diff_head(texts, self.expected_texts())})"
            )
        if {message["channel"] for message in messages} - {"C0000000001"}:
            raise AssertionError(
                f"{side}: a message went to another channel than #customer-success"
            )


def diff_head(got: list[str], expected: list[str]) -> list[tuple[int, str | None, str | None]]:
    differences = []
    for index in range(max(len(got), len(expected))):
        left = got[index] if index < len(got) else None
        right = expected[index] if index < len(expected) else None
        if left != right:
            differences.append((index, left, right))
        if len(differences) == 3:
            break
    return differences


# --- The engine side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineFixture:
    user: Any
    workflow: Any


def create_engine_fixture(scenario: Scenario) -> EngineFixture:
    """The user, both authentications and the saved workflow, through the services."""
    from accounts.services import organisation_setup
    from auth_store.services import authentication_create
    from builder.services.workflows import workflow_create
    from tests.helpers import walkthrough_definition

    user = organisation_setup(username="bench", password="bench-password")
    totango_auth = authentication_create(
        owner=user,
        name="Totango (fake)",
        connector="totango",
        scope="personal",
        fields={
            "api_token": scenario.totango_token,
            "data_center": "custom",
            "base_url": scenario.totango.base_url,
        },
    )
    slack_auth = authentication_create(
        owner=user,
        name="Slack (fake)",
        connector="slack",
        scope="personal",
        fields={"bot_token": scenario.slack_token, "base_url": scenario.slack.base_url + "/api/"},
    )
    definition = walkthrough_definition(
        totango_auth=str(totango_auth.id),
        slack_auth=str(slack_auth.id),
        query=scenario.query,
        channel=scenario.channel,
        # Past one page the engine must follow the pages, as the baseline does.
        fetch_all_pages=True if scenario.accounts > PAGE_SIZE else None,
    )
    workflow = workflow_create(user=user, name="Walkthrough benchmark", definition=definition)
    return EngineFixture(user=user, workflow=workflow)


def queued_run(fixture: EngineFixture) -> str:
    """A Run as run_start stores it, without the Celery task run_start would enqueue."""
    from builder.models import Run, WorkflowVersion

    version = WorkflowVersion.objects.get(
        workflow=fixture.workflow, version=fixture.workflow.version
    )
    run = Run.objects.create(
        workflow=fixture.workflow,
        workflow_version=version,
        trigger_payload={},
        started_by=fixture.user,
    )
    return str(run.id)


def run_engine(
    scenario: Scenario, fixture: EngineFixture, *, around: Callable[[Callable[[], Any]], Any]
) -> tuple[float, str]:
    """Executes one run the way the Celery task does; returns its wall time and the run id."""
    from builder.services.execution import run_execute

    scenario.reset_fakes()
    run_id = queued_run(fixture)
    gc.collect()
    started = time.perf_counter()
    around(lambda: run_execute(run_id=run_id))
    elapsed = time.perf_counter() - started
    check_engine_run(scenario, run_id)
    return elapsed, run_id


def check_engine_run(scenario: Scenario, run_id: str) -> None:
    from builder.models import Run, StepRun

    run = Run.objects.get(id=run_id)
    if run.status != "succeeded" or run.error:
        raise AssertionError(
            f"engine: the run {run.status} at {run.failed_step!r}: {run.error or 'no error'}"
        )
    expected_steps = 3 + scenario.accounts  # trigger, totango-1, loop-1, one slack-1 per item
    written = StepRun.objects.filter(run_id=run_id).count()
    failed = StepRun.objects.filter(run_id=run_id).exclude(status="succeeded").count()
    if written != expected_steps or failed:
        raise AssertionError(
            f"engine: {written} step runs written ({failed} not succeeded), not {expected_steps}"
        )
    scenario.check_fakes("engine")


def step_runs_written(run_id: str) -> int:
    from builder.models import StepRun

    return StepRun.objects.filter(run_id=run_id).count()


# --- The baseline side ---------------------------------------------------------------------------


def run_baseline(scenario: Scenario) -> float:
    """The same HTTP calls in a bare loop on one keep-alive client: the floor the engine is held to."""
    scenario.reset_fakes()
    gc.collect()
    started = time.perf_counter()
    with httpx.Client(timeout=HTTP_TIMEOUT) as client:
        hits = baseline_search(client, scenario)
        post_url = f"{scenario.slack.base_url}/api/chat.postMessage"
        headers = {"Authorization": f"Bearer {scenario.slack_token}"}
        for hit in hits:
            response = client.post(
                post_url,
                json={
                    "channel": scenario.channel,
                    "text": f"New paying account: {hit['display_name']}",
                },
                headers=headers,
            )
            response.raise_for_status()
            if not response.json()["ok"]:
                raise AssertionError(f"baseline: Slack answered {response.text}")
    elapsed = time.perf_counter() - started
    scenario.check_fakes("baseline")
    return elapsed


def baseline_search(client: httpx.Client, scenario: Scenario) -> list[dict[str, Any]]:
    """The accounts, one page at a time, with the engine's form body and app-token header."""
    url = f"{scenario.totango.base_url}/api/v1/search/accounts"
    headers = {"app-token": scenario.totango_token, "accept": "application/json"}
    query = json.loads(scenario.query)
    hits: list[dict[str, Any]] = []
    for page in range(scenario.pages):
        body = query if page == 0 else {**query, "offset": page * PAGE_SIZE, "count": PAGE_SIZE}
        response = client.post(url, data={"query": json.dumps(body)}, headers=headers)
        response.raise_for_status()
        hits.extend(response.json()["response"]["accounts"]["hits"])
    return hits


# --- Measuring -----------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS, where this figure reads 1,024 times high).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def direct(call: Callable[[], Any]) -> Any:
    return call()


def measure(
    scenario: Scenario, fixture: EngineFixture, *, repeat: int
) -> tuple[Timings, str, float]:
    """Alternates baseline and engine runs (which goes first alternates too); all are checked."""
    timings = Timings()
    rss_before = peak_rss_mib()
    last_run_id = ""
    for index in range(repeat):
        if index % 2 == 0:
            timings.baseline.append(run_baseline(scenario))
        engine_seconds, last_run_id = run_engine(scenario, fixture, around=direct)
        timings.engine.append(engine_seconds)
        if index % 2 == 1:
            timings.baseline.append(run_baseline(scenario))
    return timings, last_run_id, peak_rss_mib() - rss_before


def traced_peak_mib(run: Callable[[], Any]) -> float:
    """Peak of Python allocations over one more run (tracemalloc slows it: never timed)."""
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


def profile_engine(scenario: Scenario, fixture: EngineFixture, *, top: int) -> str:
    """One more engine run under cProfile: its hottest functions by own time, with file:line."""
    profiler = cProfile.Profile()

    def profiled(call: Callable[[], Any]) -> Any:
        return profiler.runcall(call)

    run_engine(scenario, fixture, around=profiled)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    # Paths relative to the project, so they read as file:line of our code or of .venv.
    return stream.getvalue().replace(str(PROJECT_ROOT) + os.sep, "")


# --- Report --------------------------------------------------------------------------------------


def describe_database(url: str) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return "SQLite (temporary file)" if "bench.sqlite3" in url else f"SQLite {url}"
    connection.ensure_connection()
    version = connection.connection.info.server_version
    return f"PostgreSQL {version // 10000}.{version % 10000} ({connection.settings_dict['NAME']})"


def report(
    *,
    scenario: Scenario,
    repeat: int,
    database: str,
    timings: Timings,
    step_runs: int,
    memory: Memory | None,
) -> str:
    accounts = scenario.accounts
    engine, baseline = min(timings.engine), min(timings.baseline)
    per_item = 1000 / accounts

    def runs(values: list[float]) -> str:
        return " ".join(f"{value:.3f}" for value in values)

    lines = [
        f"walkthrough: {accounts:,} accounts, best of {repeat}, {database}",
        f"{'':24}{'best s':>9}{'ms/item':>9}   all runs (s)",
        f"{'engine (run_execute)':24}{engine:9.3f}{engine * per_item:9.3f}   "
        f"{runs(timings.engine)}",
        f"{'baseline (bare httpx)':24}{baseline:9.3f}{baseline * per_item:9.3f}   "
        f"{runs(timings.baseline)}",
        f"{'ratio engine/baseline':24}{timings.ratio:8.2f}x",
        f"{'added by the engine':24}{engine - baseline:9.3f}{(engine - baseline) * per_item:9.3f}",
        f"{'step runs written':24}{step_runs:9,}",
    ]
    if memory is not None:
        lines += [
            f"{'peak RSS (process)':24}{memory.rss_peak_mib:9.1f} MiB, "
            f"+{memory.rss_growth_mib:.1f} MiB over the timed runs",
            f"{'tracemalloc peak':24}{memory.traced_engine_mib:9.1f} MiB engine, "
            f"{memory.traced_baseline_mib:.1f} MiB baseline",
        ]
    return "\n".join(lines)


# --- Command line --------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.walkthrough",
        description="Times the walkthrough workflow (manual trigger → Totango search → loop → "
        "Slack message per account) in the engine and in a bare httpx loop.",
    )
    parser.add_argument(
        "--accounts", type=int, default=1000, help=f"accounts to seed, 1 to {MAX_ACCOUNTS:,}"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best counts")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use instead of a temporary SQLite file; it is created "
        "if missing and its tables are dropped and migrated afresh (its name must contain "
        "'bench')",
    )
    parser.add_argument(
        "--memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="report peak RSS and, from one extra untimed run, the tracemalloc peak",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"profile one extra engine run with cProfile and print its top {PROFILE_TOP}",
    )
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.accounts <= MAX_ACCOUNTS:
        parser.error(f"--accounts must be from 1 to {MAX_ACCOUNTS:,} (Totango's search limit)")
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory(prefix="flowbuilder-bench-") as var_dir:
        url = configure_django(database_url=arguments.database_url, var_dir=Path(var_dir))
        rebuild_tables()
        from tests.helpers import SLACK_TOKEN, TOTANGO_TOKEN

        with FakeTotango(accounts=arguments.accounts) as totango, FakeSlack() as slack:
            scenario = Scenario(
                accounts=arguments.accounts,
                totango=totango,
                slack=slack,
                totango_token=TOTANGO_TOKEN,
                slack_token=SLACK_TOKEN,
                query=json.dumps({"terms": [], "fields": [], "count": PAGE_SIZE}),
                channel="#customer-success",
            )
            fixture = create_engine_fixture(scenario)
            timings, run_id, rss_growth = measure(scenario, fixture, repeat=arguments.repeat)
            memory = None
            if arguments.memory:
                memory = Memory(
                    rss_peak_mib=peak_rss_mib(),
                    rss_growth_mib=rss_growth,
                    traced_engine_mib=traced_peak_mib(
                        lambda: run_engine(scenario, fixture, around=direct)
                    ),
                    traced_baseline_mib=traced_peak_mib(lambda: run_baseline(scenario)),
                )
            print(
                report(
                    scenario=scenario,
                    repeat=arguments.repeat,
                    database=describe_database(url),
                    timings=timings,
                    step_runs=step_runs_written(run_id),
                    memory=memory,
                )
            )
            if arguments.profile:
                print()
                print(profile_engine(scenario, fixture, top=PROFILE_TOP))
        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
