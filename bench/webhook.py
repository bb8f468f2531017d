"""Benchmark: webhook calls accepted per second, and the trigger-to-finished latency of a one-step
workflow started by its webhook, each against the manual trigger (Run workflow, by the API).

    .venv/bin/python -m bench.webhook [--calls 1000] [--clients 20] [--latency-runs 100]
                                      [--database-url URL]

The app is served by Django's threaded WSGI server in a thread of this process (as the live
server of the tests), on a throwaway SQLite file or the PostgreSQL database given.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.walkthrough import configure_django, describe_database, rebuild_tables

HTTP_TIMEOUT = 60.0


# --- The app, served ----------------------------------------------------------------------------


class LiveServer:
    """Django's threaded WSGI server (one thread per connection) in a thread of this process."""

    def __init__(self) -> None:
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadedWSGIServer):
            # Every client connects at once: a backlog of 10 (Django's) would drop SYNs.
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        self.server.set_app(get_wsgi_application())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


# --- The workflows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    token: str  # the API token of the person pressing Run workflow
    webhook_id: str
    webhook_path: str
    manual_id: str


def one_step_definition(trigger: dict[str, Any], text: str) -> dict[str, Any]:
    """The trigger, then Text helpers' Change case of the payload's name."""
    return {
        "trigger": trigger,
        "steps_structure": [{"name": "text-1", "type": "normal"}],
        "steps": {
            "text-1": {
                "connector": "text_helpers",
                "operation": "change_case",
                "properties": {
                    "text": {"type": "string", "value": text},
                    "case": {"type": "string", "value": "upper"},
                },
            }
        },
    }


def create_fixture() -> Fixture:
    from accounts.services import organisation_setup, token_for
    from builder.services.workflows import workflow_create, workflow_set_enabled

    user = organisation_setup(username="bench", password="bench-password")
    webhook = workflow_create(
        user=user,
        name="Webhook benchmark",
        definition=one_step_definition(
            {"connector": "webhook", "operation": "webhook", "properties": {}},
            "{$.steps.trigger.body.name}",
        ),
    )
    webhook = workflow_set_enabled(workflow=webhook, enabled=True)
    manual = workflow_create(
        user=user,
        name="Manual benchmark",
        definition=one_step_definition(
            {"connector": "manual", "operation": "manual", "properties": {}},
            "{$.steps.trigger.name}",
        ),
    )
    return Fixture(
        token=token_for(user=user).key,
        webhook_id=str(webhook.id),
        webhook_path=f"/hooks/{webhook.webhook_token}/",
        manual_id=str(manual.id),
    )


@dataclass(frozen=True)
class Trigger:
    """How one side starts a run: its URL, headers and the body for a number."""

    name: str
    workflow_id: str
    server_url: str
    url: str
    headers: dict[str, str]
    body: Callable[[int], dict[str, Any]]
    # The run id in the answer.
    run_id: Callable[[httpx.Response], str]


def triggers(server: LiveServer, fixture: Fixture) -> tuple[Trigger, Trigger]:
    webhook = Trigger(
        name="webhook",
        workflow_id=fixture.webhook_id,
        server_url=server.url,
        url=server.url + fixture.webhook_path,
        headers={},
        body=lambda number: {"n": number, "name": f"caller {number}"},
        run_id=lambda response: response.json()["run_id"],
    )
    manual = Trigger(
        name="manual",
        workflow_id=fixture.manual_id,
        server_url=server.url,
        url=f"{server.url}/api/workflows/{fixture.manual_id}/runs/",
        headers={"Authorization": f"Token {fixture.token}"},
        body=lambda number: {"payload": {"n": number, "name": f"caller {number}"}},
        run_id=lambda response: response.json()["id"],
    )
    return webhook, manual


# --- Accepted calls per second ------------------------------------------------------------------


def accept(trigger: Trigger, *, calls: int, clients: int, first: int) -> float:
    """Calls per second accepted (202) with `clients` threads, each on a keep-alive connection.
    Every call must be accepted and have stored a run of its own body."""
    answers: dict[int, httpx.Response] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def client(offset: int) -> None:
        try:
            with httpx.Client(timeout=HTTP_TIMEOUT, headers=trigger.headers) as http:
                http.get(trigger.server_url + "/api/health/")  # connected before the clock
                start.wait()
                for number in range(first + offset, first + calls, clients):
                    answers[number] = http.post(trigger.url, json=trigger.body(number))
        except BaseException as error:  # reported after the others are done
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=client, args=(offset,)) for offset in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()  # every client connected: time the calls alone
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise AssertionError(f"{trigger.name}: {len(failures)} clients failed: {failures[0]!r}")
    check_accepted(trigger, answers, calls=calls, first=first)
    return calls / elapsed


def check_accepted(
    trigger: Trigger, answers: dict[int, httpx.Response], *, calls: int, first: int
) -> None:
    from builder.models import Run

    refused = [answer for answer in answers.values() if answer.status_code != 202]
    if len(answers) != calls or refused:
        raise AssertionError(
            f"{trigger.name}: {len(answers)} answers, {len(refused)} not 202 "
            f"({refused[0].status_code if refused else ''} {refused[0].text if refused else ''})"
        )
    run_ids = {trigger.run_id(answer): number for number, answer in answers.items()}
    payloads = Run.objects.filter(id__in=list(run_ids)).values_list("id", "trigger_payload")
    bodies = {
        str(run_id): (payload["body"] if trigger.name == "webhook" else payload)["n"]
        for run_id, payload in payloads
    }
    if (
        len(run_ids) != calls
        or bodies != run_ids
        or set(bodies.values()) != set(range(first, first + calls))
    ):
        raise AssertionError(f"{trigger.name}: the runs stored are not one per call, each its own")


# --- Trigger to finished -------------------------------------------------------------------------


def latencies(sides: tuple[Trigger, ...], *, runs: int, first: int) -> dict[str, list[float]]:
    """Milliseconds from sending each call to its run's end, one call at a time, the sides
    alternating. The run is executed here as the worker would on receiving its message
    (run_execute), at once: the broker's delivery, the same for every trigger, is left out."""
    from builder.models import Run, StepRun
    from builder.services.execution import run_execute

    found: dict[str, list[float]] = {side.name: [] for side in sides}
    clients = {
        side.name: httpx.Client(timeout=HTTP_TIMEOUT, headers=side.headers) for side in sides
    }
    try:
        for index in range(runs):
            number = first + index
            for side in sides if index % 2 == 0 else tuple(reversed(sides)):
                began = time.perf_counter()
                answer = clients[side.name].post(side.url, json=side.body(number))
                run_id = side.run_id(answer)
                run_execute(run_id=run_id)
                found[side.name].append((time.perf_counter() - began) * 1000)
                run = Run.objects.get(id=run_id)
                shouted = StepRun.objects.get(run_id=run_id, path="text-1").output
                if run.status != "succeeded" or shouted != {"result": f"CALLER {number}"}:
                    raise AssertionError(f"{side.name}: run {run_id} {run.status}: {run.error}")
    finally:
        for client in clients.values():
            client.close()
    return found


# --- Report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    accepted: dict[str, list[float]]  # calls per second, each repetition
    latency_ms: dict[str, list[float]]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(
    results: Results, *, calls: int, clients: int, runs: int, repeat: int, database: str
) -> str:
    webhook_rate, manual_rate = (max(results.accepted[side]) for side in ("webhook", "manual"))
    webhook_ms = statistics.median(results.latency_ms["webhook"])
    manual_ms = statistics.median(results.latency_ms["manual"])

    def rates(side: str) -> str:
        return " ".join(f"{rate:.0f}" for rate in results.accepted[side])

    lines = [
        f"webhook: {calls:,} calls from {clients} clients, best of {repeat}; "
        f"{runs} runs one at a time; {database}",
        f"{'accepted calls/s':28}{'best':>8}   all",
        f"{'webhook (/hooks/<token>/)':28}{webhook_rate:8.0f}   {rates('webhook')}",
        f"{'manual (POST …/runs/)':28}{manual_rate:8.0f}   {rates('manual')}",
        f"{'ratio webhook/manual':28}{webhook_rate / manual_rate:7.2f}x",
        f"{'trigger to finished, ms':28}{'median':>8}{'p95':>8}{'min':>8}",
    ]
    for side, label in (("webhook", "webhook"), ("manual", "manual")):
        values = results.latency_ms[side]
        lines.append(
            f"{label:28}{statistics.median(values):8.1f}{percentile(values, 0.95):8.1f}"
            f"{min(values):8.1f}"
        )
    lines.append(f"{'ratio webhook/manual':28}{webhook_ms / manual_ms:7.2f}x")
    return "\n".join(lines)


# --- Command line --------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhook",
        description="Webhook calls accepted per second and trigger-to-finished latency of a "
        "one-step workflow, each against the manual trigger's.",
    )
    parser.add_argument("--calls", type=int, default=1000, help="calls per side and repetition")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the best counts")
    parser.add_argument(
        "--latency-runs", type=int, default=100, help="runs per side timed one at a time"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use instead of a temporary SQLite file; it is created "
        "if missing and its tables are dropped and migrated afresh (its name must contain "
        "'bench')",
    )
    arguments = parser.parse_args(argv)
    for name in ("calls", "clients", "repeat", "latency_runs"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory(prefix="flowbuilder-bench-") as var_dir:
        url = configure_django(database_url=arguments.database_url, var_dir=Path(var_dir))
        # Each run is sent to the embedded broker of the throwaway var/, which no worker reads
        # (runs are executed here): its warning that the URL names no host says nothing.
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        rebuild_tables()
        fixture = create_fixture()
        server = LiveServer()
        try:
            webhook, manual = triggers(server, fixture)
            results = Results(accepted={"webhook": [], "manual": []}, latency_ms={})
            number = 0
            for index in range(arguments.repeat):
                # Which side goes first alternates.
                for trigger in (webhook, manual) if index % 2 == 0 else (manual, webhook):
                    results.accepted[trigger.name].append(
                        accept(
                            trigger, calls=arguments.calls, clients=arguments.clients, first=number
                        )
                    )
                    number += arguments.calls
            latencies((webhook, manual), runs=5, first=number)  # warm-up, untimed
            number += 5
            results.latency_ms.update(
                latencies((webhook, manual), runs=arguments.latency_runs, first=number)
            )
            print(
                report(
                    results,
                    calls=arguments.calls,
                    clients=arguments.clients,
                    runs=arguments.latency_runs,
                    repeat=arguments.repeat,
                    database=describe_database(url),
                )
            )
        finally:
            server.stop()
            from django.db import connections

            connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
