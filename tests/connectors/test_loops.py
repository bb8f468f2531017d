"""Loop list, Loop object and Break loop through the worker: each level its own value and index."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import all_step_runs, jsonpath, run_workflow

pytestmark = pytest.mark.django_db(transaction=True)

MANUAL = {"connector": "manual", "operation": "manual", "properties": {}}


def concatenate(*values: dict[str, Any]) -> dict[str, Any]:
    """A Text helpers step joining its values with spaces: what each iteration saw."""
    return {
        "connector": "text_helpers",
        "operation": "concatenate",
        "properties": {
            "values": {"type": "array", "value": list(values)},
            "separator": {"type": "string", "value": " "},
        },
    }


def loop_list(path: str) -> dict[str, Any]:
    return {"connector": "loop", "operation": "loop_list", "properties": {"list": jsonpath(path)}}


def break_loop(loop: dict[str, Any]) -> dict[str, Any]:
    return {"connector": "loop", "operation": "break_loop", "properties": {"loop": loop}}


def results_of(api, run, step_name: str) -> list[tuple[str, str]]:
    return [
        (step["path"], step["output"]["result"])
        for step in all_step_runs(api, run["id"])
        if step["step_name"] == step_name
    ]


@pytest.mark.exercises("loop", "loop_object")
@pytest.mark.exercises("text_helpers", "concatenate")
def test_loop_object_runs_once_per_pair_with_key_value_and_index(api, celery_worker):
    definition = {
        "trigger": MANUAL,
        "steps_structure": [
            {"name": "loop-1", "type": "loop", "content": {"_loop": [{"name": "text-1"}]}}
        ],
        "steps": {
            "loop-1": {
                "connector": "loop",
                "operation": "loop_object",
                "properties": {"object": jsonpath("$.steps.trigger.health")},
            },
            "text-1": concatenate(
                jsonpath("$.steps.loop-1.key"),
                jsonpath("$.steps.loop-1.value"),
                jsonpath("$.steps.loop-1.index"),
                jsonpath("$.steps.loop-1.is_last"),
            ),
        },
    }

    run = run_workflow(api, definition, payload={"health": {"acme": "red", "globex": "green"}})

    assert run["status"] == "succeeded", run
    assert results_of(api, run, "text-1") == [
        ("loop-1[0].text-1", "acme red 0 false"),
        ("loop-1[1].text-1", "globex green 1 true"),
    ]
    [loop] = [step for step in all_step_runs(api, run["id"]) if step["path"] == "loop-1"]
    assert loop["output"] == {"count": 2, "iterations": 2, "continued_failures": 0}


def nested_definition(*, inner_break: dict[str, Any] | None) -> dict[str, Any]:
    """Outer loop over teams, inner loop over numbers; a Break loop when the number is 2."""
    inner_lane: list[dict[str, Any]] = [{"name": "text-1"}]
    steps: dict[str, Any] = {
        "outer": loop_list("$.steps.trigger.teams"),
        "inner": loop_list("$.steps.trigger.numbers"),
        "text-1": concatenate(
            jsonpath("$.steps.outer.value"),
            jsonpath("$.steps.outer.index"),
            jsonpath("$.steps.inner.value"),
            jsonpath("$.steps.inner.index"),
        ),
    }
    if inner_break is not None:
        inner_lane.append(
            {"name": "is-two", "type": "branch", "content": {"true": [{"name": "break-1"}]}}
        )
        steps["is-two"] = {
            "connector": "boolean",
            "operation": "boolean_condition",
            "properties": {
                "conditions": {
                    "type": "array",
                    "value": [
                        {
                            "type": "object",
                            "value": {
                                "value1": jsonpath("$.steps.inner.value"),
                                "comparison": {"type": "string", "value": "==="},
                                "value2": {"type": "integer", "value": 2},
                            },
                        }
                    ],
                }
            },
        }
        steps["break-1"] = break_loop(inner_break)
    return {
        "trigger": MANUAL,
        "steps_structure": [
            {
                "name": "outer",
                "type": "loop",
                "content": {
                    "_loop": [{"name": "inner", "type": "loop", "content": {"_loop": inner_lane}}]
                },
            }
        ],
        "steps": steps,
    }


PAYLOAD = {"teams": ["red", "blue"], "numbers": [1, 2, 3]}


def test_nested_loops_each_have_their_own_value_and_index(api, celery_worker):
    run = run_workflow(api, nested_definition(inner_break=None), payload=PAYLOAD)

    assert run["status"] == "succeeded", run
    assert results_of(api, run, "text-1") == [
        (f"outer[{o}].inner[{i}].text-1", f"{team} {o} {number} {i}")
        for o, team in enumerate(PAYLOAD["teams"])
        for i, number in enumerate(PAYLOAD["numbers"])
    ]


@pytest.mark.exercises("loop", "break_loop")
@pytest.mark.exercises("loop", "loop_list")
def test_break_of_the_inner_loop_ends_only_its_current_run(api, celery_worker):
    run = run_workflow(
        api, nested_definition(inner_break={"type": "string", "value": "inner"}), payload=PAYLOAD
    )

    assert run["status"] == "succeeded", run
    assert results_of(api, run, "text-1") == [
        ("outer[0].inner[0].text-1", "red 0 1 0"),
        ("outer[0].inner[1].text-1", "red 0 2 1"),
        ("outer[1].inner[0].text-1", "blue 1 1 0"),
        ("outer[1].inner[1].text-1", "blue 1 2 1"),
    ]
    loops = {
        step["path"]: step["output"]
        for step in all_step_runs(api, run["id"])
        if step["operation"] == "loop_list"
    }
    assert loops == {
        "outer[0].inner": {"count": 3, "iterations": 2, "continued_failures": 0},
        "outer[1].inner": {"count": 3, "iterations": 2, "continued_failures": 0},
        "outer": {"count": 2, "iterations": 2, "continued_failures": 0},
    }


@pytest.mark.exercises("loop", "break_loop")
def test_break_of_the_outer_loop_from_the_inner_one_ends_both(api, celery_worker):
    run = run_workflow(
        api, nested_definition(inner_break={"type": "string", "value": "outer"}), payload=PAYLOAD
    )

    assert run["status"] == "succeeded", run
    assert results_of(api, run, "text-1") == [
        ("outer[0].inner[0].text-1", "red 0 1 0"),
        ("outer[0].inner[1].text-1", "red 0 2 1"),
    ]
    [break_step] = [s for s in all_step_runs(api, run["id"]) if s["step_name"] == "break-1"]
    assert (break_step["path"], break_step["output"]) == (
        "outer[0].inner[1].break-1",
        {"loop": "outer"},
    )


def test_break_naming_a_loop_it_is_not_inside_fails_the_step(api, celery_worker):
    # The loop's name comes from the trigger, so only the run can check it.
    definition = nested_definition(inner_break=jsonpath("$.steps.trigger.loop_to_break"))

    run = run_workflow(api, definition, payload={**PAYLOAD, "loop_to_break": "loop-9"})

    assert run["status"] == "failed"
    assert run["error"] == "'loop-9' is not a loop this step is inside (it is inside outer, inner)."
    assert run["failed_step"] == "outer[0].inner[1].break-1"
