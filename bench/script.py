"""Benchmark: a loop of Script steps against the same loop of Data mapper steps, in the engine.

    .venv/bin/python -m bench.script [--items 1000] [--repeat 3] [--database-url URL]

Both workflows are Manual trigger → Loop list over the trigger's items → one step per item; only
that step differs. The difference over the items is what a Script step costs beyond a step
that computes in Python: its V8 isolate, the script, JSON in and out.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.walkthrough import configure_django, describe_database, rebuild_tables

MAX_ITEMS = 10_000
SCRIPTS = {
    # A small script, as the issue's: reshape one account.
    "plain": "exports.step = function(input) {\n"
    "  return { name: input.account.display_name, red: input.account.health === 'red' };\n"
    "};",
    # The same with lodash, which each isolate loads on the first read of `_`.
    "lodash": "exports.step = function(input) {\n"
    "  return _.mapKeys(_.pick(input.account, ['display_name', 'health']), (v, k) => "
    "_.camelCase(k));\n"
    "};",
}


@dataclass
class Timings:
    """Wall times of each repetition per workflow, in seconds; the best one is reported."""

    runs: dict[str, list[float]] = field(default_factory=dict)

    def best(self, name: str) -> float:
        return min(self.runs[name])


def items(count: int) -> list[dict[str, Any]]:
    health = ("red", "yellow", "green")
    return [
        {
            "name": f"acc-{index:05d}",
            "display_name": f"Account {index}",
            "health": health[index % 3],
        }
        for index in range(count)
    ]


def loop_definition(step: dict[str, Any]) -> dict[str, Any]:
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "loop-1", "type": "loop", "content": {"_loop": [{"name": "step-1"}]}}
        ],
        "steps": {
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": {"type": "jsonpath", "value": "$.steps.trigger.items"}},
            },
            "step-1": step,
        },
    }


def script_step(source: str) -> dict[str, Any]:
    return {
        "connector": "script",
        "operation": "execute_script",
        "properties": {
            "script": {"type": "string", "value": source},
            "variables": {
                "type": "array",
                "value": [
                    {
                        "type": "object",
                        "value": {
                            "name": {"type": "string", "value": "account"},
                            "value": {"type": "jsonpath", "value": "$.steps.loop-1.value"},
                        },
                    }
                ],
            },
        },
    }


def mapper_step() -> dict[str, Any]:
    def mapping(source: str, target: str) -> dict[str, Any]:
        return {
            "type": "object",
            "value": {
                "from": {"type": "string", "value": source},
                "to": {"type": "string", "value": target},
            },
        }

    return {
        "connector": "data_mapper",
        "operation": "map_fields",
        "properties": {
            "data": {"type": "jsonpath", "value": "$.steps.loop-1.value"},
            "mappings": {
                "type": "array",
                "value": [mapping("display_name", "name"), mapping("health", "health")],
            },
        },
    }


def create_workflows() -> tuple[Any, dict[str, Any]]:
    from accounts.services import organisation_setup
    from builder.services.workflows import workflow_create

    user = organisation_setup(username="bench", password="bench-password")
    steps = {"data mapper": mapper_step()} | {
        f"script ({name})": script_step(source) for name, source in SCRIPTS.items()
    }
    workflows = {
        name: workflow_create(user=user, name=f"Loop of {name}", definition=loop_definition(step))
        for name, step in steps.items()
    }
    return user, workflows


def run_once(user: Any, workflow: Any, payload: dict[str, Any], count: int) -> float:
    """One run the way the Celery task executes it; checked before its time counts."""
    from builder.models import Run, StepRun, WorkflowVersion
    from builder.services.execution import run_execute

    version = WorkflowVersion.objects.get(workflow=workflow, version=workflow.version)
    run = Run.objects.create(
        workflow=workflow, workflow_version=version, trigger_payload=payload, started_by=user
    )
    gc.collect()
    started = time.perf_counter()
    run_execute(run_id=str(run.id))
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != "succeeded":
        raise AssertionError(f"{workflow.name}: the run {run.status}: {run.error}")
    written = StepRun.objects.filter(run_id=run.id, status="succeeded").count()
    if written != count + 2:  # the trigger, the loop, one step per item
        raise AssertionError(f"{workflow.name}: {written} step runs succeeded, not {count + 2}")
    return elapsed


def report(*, count: int, repeat: int, database: str, timings: Timings) -> str:
    baseline = timings.best("data mapper")
    per_item = 1000 / count

    def runs(values: list[float]) -> str:
        return " ".join(f"{value:.3f}" for value in values)

    lines = [
        f"script: a loop of {count:,} items, best of {repeat}, {database}",
        f"{'':26}{'best s':>9}{'ms/item':>9}{'added ms/item':>15}{'ratio':>8}   all runs (s)",
    ]
    for name, values in timings.runs.items():
        best = min(values)
        added = (best - baseline) * per_item
        lines.append(
            f"{name:26}{best:9.3f}{best * per_item:9.3f}{added:15.3f}{best / baseline:7.2f}x   "
            f"{runs(values)}"
        )
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.script",
        description="Times a loop of Script steps against the same loop of Data mapper steps.",
    )
    parser.add_argument("--items", type=int, default=1000, help=f"loop items, 1 to {MAX_ITEMS:,}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per workflow; the best counts")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database instead of a temporary SQLite file; created if missing, its "
        "tables dropped and migrated afresh (its name must contain 'bench')",
    )
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.items <= MAX_ITEMS:
        parser.error(f"--items must be from 1 to {MAX_ITEMS:,}")
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory(prefix="flowbuilder-bench-") as var_dir:
        url = configure_django(database_url=arguments.database_url, var_dir=Path(var_dir))
        rebuild_tables()
        user, workflows = create_workflows()
        payload = {"items": items(arguments.items)}
        timings = Timings({name: [] for name in workflows})
        for index in range(arguments.repeat):
            # Each repetition runs every workflow, in an order that turns, so none is always
            # the one that follows a cold start or another's garbage.
            order = list(workflows)
            order = order[index % len(order) :] + order[: index % len(order)]
            for name in order:
                timings.runs[name].append(run_once(user, workflows[name], payload, arguments.items))
        print(
            report(
                count=arguments.items,
                repeat=arguments.repeat,
                database=describe_database(url),
                timings=timings,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
