"""The compiler: every way a definition is refused, with its path, and the plan of a good one."""

from __future__ import annotations

from typing import Any

import pytest

from builder.engine.definition import DefinitionLimits, check_definition, compile_definition
from builder.engine.errors import DefinitionError
from connectors.sdk import OperationKind
from tests.engine.doubles import (
    ANY_INPUT,
    CONNECTORS,
    FLOW,
    STEPS,
    branch_node,
    definition,
    loop_node,
    node,
    operation,
    run_echo,
    step,
)
from tests.engine.doubles import connector as make_connector
from tests.helpers import jsonpath, string, typed


def errors(workflow: Any, limits: DefinitionLimits | None = None) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as raised:
        compile_definition(workflow, limits or DefinitionLimits(), connectors=CONNECTORS)
    return [(error.path, error.message) for error in raised.value.errors]


def echo(value: Any = "hi") -> dict[str, Any]:
    return step("steps", "echo", value=typed(value))


def each(path: str = "$.steps.trigger.items") -> dict[str, Any]:
    return step("flow", "each", items=jsonpath(path))


# --- The plan of a good definition ---


def test_a_definition_compiles_into_a_plan_of_its_steps_in_order():
    plan = compile_definition(
        definition(
            [node("echo-1"), loop_node("loop-1", node("echo-2")), node("echo-3")],
            {"echo-1": echo(), "loop-1": each(), "echo-2": echo(), "echo-3": echo()},
        ),
        connectors=CONNECTORS,
    )

    assert plan.trigger.name == "trigger"
    assert [step.name for step in plan.steps] == ["echo-1", "loop-1", "echo-3"]
    assert [step.name for step in plan.steps[1].body] == ["echo-2"]
    assert plan.steps[0].connector is STEPS
    assert plan.steps[0].operation is STEPS.operation("echo")


def test_a_steps_title_defaults_to_its_operations():
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {"echo-1": echo(), "echo-2": {**echo(), "title": "Say hello"}},
    )

    plan = compile_definition(workflow, connectors=CONNECTORS)

    assert [step.title for step in plan.steps] == ["Echo", "Say hello"]


def test_the_plan_lists_every_authentication_its_steps_use_once():
    vault = step("vault", "whoami")
    workflow = definition(
        [node("a"), loop_node("loop-1", node("b")), branch_node("if-1", yes=[node("c")])],
        {
            "a": {**vault, "authentication": "auth-ada"},
            "loop-1": each(),
            "b": {**vault, "authentication": "auth-bob"},
            "if-1": step("flow", "if", condition=typed(True)),
            "c": {**vault, "authentication": "auth-ada"},
        },
    )

    plan = compile_definition(workflow, connectors=CONNECTORS)

    assert plan.authentication_ids == frozenset({"auth-ada", "auth-bob"})


def test_the_connectors_default_to_the_registrys():
    workflow = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [node("text-1")],
        "steps": {
            "text-1": step("text_helpers", "change_case", text=string("hi"), case=string("upper"))
        },
    }

    assert compile_definition(workflow).steps[0].connector.title == "Text helpers"
    assert errors(workflow) == [
        ("trigger.connector", "'manual' is not a trigger"),
        ("steps.text-1.connector", "unknown connector 'text_helpers'"),
    ]


# --- The definition's top level ---


@pytest.mark.parametrize("workflow", [None, [], "definition", 3])
def test_a_definition_that_is_not_an_object_is_refused(workflow):
    assert errors(workflow) == [("", "the definition must be a JSON object")]


def test_an_unknown_top_level_key_is_refused():
    workflow = {**definition([], {}), "version": 2, "author": "ada"}

    assert errors(workflow) == [
        ("author", "unknown key 'author'"),
        ("version", "unknown key 'version'"),
    ]


def test_steps_and_structure_of_the_wrong_kind_are_refused():
    workflow = {**definition([], {}), "steps": [], "steps_structure": {}}

    assert errors(workflow) == [
        ("steps", "must be an object of steps by name"),
        ("steps_structure", "must be a list"),
    ]


def test_an_empty_definition_has_no_steps_but_needs_a_trigger():
    assert errors({}) == [
        ("trigger", 'is required, e.g. {"connector": "manual", "operation": "manual"}')
    ]


@pytest.mark.parametrize("connector", ["steps", "nope", None, {"key": "start"}])
def test_a_trigger_that_is_not_a_trigger_connector_is_refused(connector):
    workflow = {**definition([], {}), "trigger": {"connector": connector, "operation": "start"}}

    assert errors(workflow) == [("trigger.connector", f"{connector!r} is not a trigger")]


def test_a_bad_trigger_step_is_refused_at_its_own_path():
    workflow = {
        **definition([], {}),
        "trigger": {"connector": "start", "operation": "start", "properties": {"when": typed(1)}},
    }

    assert errors(workflow) == [
        ("trigger.properties.when", "Start does not take a property 'when'")
    ]


# --- The structure ---


@pytest.mark.parametrize("entry", ["echo-1", None, ["echo-1"]])
def test_a_structure_entry_that_is_not_an_object_is_refused(entry):
    assert errors(definition([entry], {})) == [
        ("steps_structure.0", 'must be an object such as {"name": "slack-1", "type": "normal"}')
    ]


@pytest.mark.parametrize("name", ["bad name", "", "-dash-first", "x" * 101, 7, None, "trigger"])
def test_an_invalid_step_name_is_refused(name):
    assert errors(definition([node(name)], {})) == [
        (
            "steps_structure.0.name",
            f"{name!r} is not a valid step name (up to 100 letters, digits, _ and -, e.g. slack-1)",
        )
    ]


def test_a_duplicate_step_name_is_refused_where_it_is_placed_again():
    workflow = definition(
        [node("echo-1"), loop_node("loop-1", node("echo-1"))], {"echo-1": echo(), "loop-1": each()}
    )

    assert errors(workflow) == [
        ("steps_structure.1.content._loop.0.name", "duplicate step name 'echo-1'")
    ]


def test_an_unknown_structure_type_is_refused():
    assert errors(definition([node("echo-1", "parallel")], {"echo-1": echo()})) == [
        ("steps_structure.0.type", "'parallel' is not one of normal, loop, branch")
    ]


def test_a_structure_type_that_does_not_fit_the_operation_is_refused():
    workflow = definition(
        [node("loop-1"), node("echo-1", "loop", {"_loop": []})],
        {"loop-1": each(), "echo-1": echo()},
    )

    assert errors(workflow) == [
        ("steps_structure.0.type", "Each is a 'loop' step, not 'normal'"),
        ("steps_structure.1.type", "Echo is a 'normal' step, not 'loop'"),
    ]


def test_a_placed_step_missing_from_steps_is_refused():
    assert errors(definition([node("echo-9")], {})) == [
        ("steps_structure.0.name", "there is no step 'echo-9' in steps")
    ]


def test_a_step_that_is_not_placed_is_refused():
    workflow = definition([node("echo-1")], {"echo-1": echo(), "echo-2": echo(), "echo-3": echo()})

    assert errors(workflow) == [
        ("steps.echo-2", "step 'echo-2' is not placed in steps_structure"),
        ("steps.echo-3", "step 'echo-3' is not placed in steps_structure"),
    ]


def test_only_loop_and_branch_steps_have_content():
    workflow = definition([node("echo-1", "normal", {"_loop": []})], {"echo-1": echo()})

    assert errors(workflow) == [
        ("steps_structure.0.content", "only loop and branch steps have content")
    ]


@pytest.mark.parametrize("content", [None, [], {"body": []}])
def test_a_loop_without_its_lane_is_refused(content):
    workflow = definition([node("loop-1", "loop", content)], {"loop-1": each()})

    assert errors(workflow) == [
        ("steps_structure.0.content", 'a loop needs content {"_loop": [...]}')
    ]


def test_a_lane_that_is_not_a_list_is_refused():
    workflow = definition(
        [node("loop-1", "loop", {"_loop": {"name": "echo-1"}})], {"loop-1": each()}
    )

    assert errors(workflow) == [("steps_structure.0.content._loop", "must be a list of steps")]


@pytest.mark.parametrize("content", [None, [], "yes"])
def test_a_branch_without_lanes_is_refused(content):
    workflow = definition(
        [node("if-1", "branch", content)], {"if-1": step("flow", "if", condition=typed(True))}
    )

    assert errors(workflow) == [
        (
            "steps_structure.0.content",
            'a branch needs content such as {"true": [...], "false": [...]}',
        )
    ]


def test_a_lane_the_branch_never_takes_is_refused():
    workflow = definition(
        [branch_node("if-1", yes=[], maybe=[node("echo-1")])],
        {"if-1": step("flow", "if", condition=typed(True)), "echo-1": echo()},
    )

    assert errors(workflow) == [
        (
            "steps_structure.0.content.maybe",
            "If has the lanes yes, no, not 'maybe': its steps would never run",
        )
    ]


def test_a_branch_of_cases_takes_the_lanes_its_cases_name_and_its_fixed_ones():
    cases = [{"lane": lane, "value": lane} for lane in ("red", "green")]
    switch = step("flow", "switch", value=string("red"), cases=typed(cases))
    workflow = definition(
        [branch_node("switch-1", red=[], green=[], other=[], blue=[])], {"switch-1": switch}
    )

    assert errors(workflow) == [
        (
            "steps_structure.0.content.blue",
            "Switch has the lanes red, green, other, not 'blue': its steps would never run",
        )
    ]


def test_a_branch_whose_cases_come_from_the_run_may_name_any_lane():
    switch = step("flow", "switch", value=string("red"), cases=jsonpath("$.steps.trigger.cases"))

    plan = compile_definition(
        definition([branch_node("switch-1", blue=[], red=[])], {"switch-1": switch}),
        connectors=CONNECTORS,
    )

    assert [name for name, _ in plan.steps[0].lanes] == ["blue", "red"]


def test_a_branch_with_a_case_that_names_no_lane_may_name_any_lane():
    cases = typed([{"lane": "red", "value": "red"}, {"value": "blue"}])
    switch = step("flow", "switch", value=string("red"), cases=cases)

    plan = compile_definition(
        definition([branch_node("switch-1", red=[], blue=[])], {"switch-1": switch}),
        connectors=CONNECTORS,
    )

    assert [name for name, _ in plan.steps[0].lanes] == ["red", "blue"]


# --- Limits ---


def test_a_step_nested_deeper_than_the_limit_is_refused_and_not_walked_further():
    workflow = definition(
        [loop_node("outer", loop_node("middle", loop_node("inner", node("echo-1"))))],
        {"outer": each(), "middle": each(), "inner": each(), "echo-1": echo()},
    )

    # The steps below the refused one are not reported as unplaced.
    assert errors(workflow, DefinitionLimits(max_nesting=1)) == [
        (
            "steps_structure.0.content._loop.0.content._loop.0",
            "this step is inside 2 loops and branches; at most 1 may be nested "
            "(DEFINITION_MAX_NESTING)",
        )
    ]


def test_branches_count_towards_the_nesting_limit():
    workflow = definition(
        [branch_node("if-1", yes=[branch_node("if-2", no=[node("echo-1")])])],
        {
            "if-1": step("flow", "if", condition=typed(True)),
            "if-2": step("flow", "if", condition=typed(True)),
            "echo-1": echo(),
        },
    )

    assert errors(workflow, DefinitionLimits(max_nesting=1)) == [
        (
            "steps_structure.0.content.yes.0.content.no.0",
            "this step is inside 2 loops and branches; at most 1 may be nested "
            "(DEFINITION_MAX_NESTING)",
        )
    ]
    assert compile_definition(workflow, DefinitionLimits(max_nesting=2), connectors=CONNECTORS)


def test_a_step_whose_run_path_would_not_fit_is_refused():
    workflow = definition(
        [loop_node("loop-1", loop_node("loop-2", node("echo-1")))],
        {"loop-1": each(), "loop-2": each(), "echo-1": echo()},
    )

    # loop-1[<10 digits>].loop-2[<10 digits>].echo-1: 2 * (6 + 3 + 10) + 6 = 44 characters.
    assert compile_definition(workflow, DefinitionLimits(max_path_length=44), connectors=CONNECTORS)
    assert errors(workflow, DefinitionLimits(max_path_length=43)) == [
        (
            "steps_structure.0.content._loop.0.content._loop.0.name",
            "step 'echo-1' inside 2 loops runs at paths of up to 44 characters (each loop adds "
            "its name and an iteration number of up to 10 digits), more than the 43 a step "
            "run's path can hold: shorten the names of the step and its loops, or nest fewer "
            "loops",
        )
    ]


# --- Steps ---


def test_a_step_that_is_not_an_object_is_refused():
    assert errors(definition([node("echo-1")], {"echo-1": "echo"})) == [
        ("steps.echo-1", "must be an object with connector, operation and properties")
    ]


@pytest.mark.parametrize("connector", ["slack", None, ["steps"]])
def test_an_unknown_connector_as_a_step_is_refused(connector):
    workflow = definition([node("x")], {"x": {**echo(), "connector": connector}})

    assert errors(workflow) == [("steps.x.connector", f"unknown connector {connector!r}")]


# A trigger connector with a step of its own, as Webhook has Webhook response.
HOOK = make_connector(
    "hook",
    operation("hook", run_echo, {"type": "object"}, kind=OperationKind.TRIGGER),
    operation("reply", run_echo, ANY_INPUT),
)


def test_a_trigger_connectors_step_may_be_a_step_but_its_trigger_may_not():
    hooked = {**CONNECTORS, "hook": HOOK}
    workflow = {
        **definition(
            [node("reply-1"), node("hook-1")],
            {"reply-1": step("hook", "reply", value=typed(1)), "hook-1": step("hook", "hook")},
        ),
        "trigger": {"connector": "hook", "operation": "hook", "properties": {}},
    }

    with pytest.raises(DefinitionError) as raised:
        compile_definition(workflow, connectors=hooked)

    assert [(error.path, error.message) for error in raised.value.errors] == [
        ("steps.hook-1.operation", "Hook is a trigger, not a step")
    ]
    del workflow["steps"]["hook-1"]
    workflow["steps_structure"].pop()
    assert [
        step.operation.key for step in compile_definition(workflow, connectors=hooked).steps
    ] == ["reply"]


def test_a_trigger_connectors_step_is_refused_as_the_trigger():
    workflow = {**definition([], {}), "trigger": {"connector": "hook", "operation": "reply"}}

    with pytest.raises(DefinitionError) as raised:
        compile_definition(workflow, connectors={**CONNECTORS, "hook": HOOK})

    assert [(error.path, error.message) for error in raised.value.errors] == [
        ("trigger.operation", "Reply is a step, not a trigger")
    ]


def test_an_unknown_step_key_is_refused():
    workflow = definition([node("echo-1")], {"echo-1": {**echo(), "colour": "red", "icon": "x"}})

    assert errors(workflow) == [
        ("steps.echo-1.colour", "unknown key 'colour'"),
        ("steps.echo-1.icon", "unknown key 'icon'"),
    ]


@pytest.mark.parametrize("operation", ["nope", None, 3])
def test_an_unknown_operation_is_refused(operation):
    workflow = definition([node("echo-1")], {"echo-1": {**echo(), "operation": operation}})

    assert errors(workflow) == [("steps.echo-1.operation", f"Steps has no operation {operation!r}")]


def test_an_authentication_must_be_an_id():
    workflow = definition([node("v")], {"v": {**step("vault", "whoami"), "authentication": 3}})

    assert errors(workflow) == [("steps.v.authentication", "must be an authentication id")]


def test_a_connector_without_authentication_takes_none():
    workflow = definition([node("echo-1")], {"echo-1": {**echo(), "authentication": "auth-ada"}})

    assert errors(workflow) == [("steps.echo-1.authentication", "Steps takes no authentication")]


def test_a_title_must_be_a_string():
    workflow = definition([node("echo-1")], {"echo-1": {**echo(), "title": ["Echo"]}})

    assert errors(workflow) == [("steps.echo-1.title", "must be a string")]


# --- Properties ---


def test_properties_must_be_an_object():
    workflow = definition([node("echo-1")], {"echo-1": {**echo(), "properties": [typed(1)]}})

    assert errors(workflow) == [("steps.echo-1.properties", "must be an object of typed values")]


def test_a_property_the_operation_does_not_take_is_refused():
    workflow = definition([node("echo-1")], {"echo-1": step("steps", "echo", colour=string("red"))})

    assert errors(workflow) == [
        ("steps.echo-1.properties.colour", "Echo does not take a property 'colour'")
    ]


def test_a_missing_required_property_is_refused_by_its_title():
    workflow = definition(
        [node("fail-1"), node("wait-1")],
        {"fail-1": step("steps", "fail"), "wait-1": step("steps", "wait")},
    )

    assert errors(workflow) == [
        ("steps.fail-1.properties.reason", "Reason is required"),
        # A property without a title is named by its key.
        ("steps.wait-1.properties.seconds", "seconds is required"),
    ]


def test_a_property_of_a_bad_shape_is_refused_at_the_path_inside_it():
    workflow = definition(
        [node("echo-1")],
        {
            "echo-1": step(
                "steps", "echo", value={"type": "array", "value": [typed(1), {"type": "x"}]}
            )
        },
    )

    assert errors(workflow) == [
        (
            "steps.echo-1.properties.value.value.1.type",
            "type 'x' is not one of string, number, integer, boolean, object, array, null, "
            "jsonpath",
        )
    ]


@pytest.mark.parametrize(
    ("properties", "path", "message"),
    [
        (
            {"value": typed(0)},
            "steps.t.properties.value",
            "'value': 0 is less than the minimum of 1",
        ),
        (
            {"value": typed("1")},
            "steps.t.properties.value",
            "'value': '1' is not of type 'integer'",
        ),
        (
            {"value": typed(2), "mode": string("medium")},
            "steps.t.properties.mode",
            "'mode': 'medium' is not one of ['fast', 'slow']",
        ),
    ],
)
def test_a_literal_the_operations_schema_refuses_is_refused_at_save(properties, path, message):
    workflow = definition([node("t")], {"t": step("steps", "typed", **properties)})

    assert errors(workflow) == [(path, message)]


def test_a_value_read_at_run_time_is_not_checked_against_the_schema_at_save():
    workflow = definition(
        [node("t")], {"t": step("steps", "typed", value=jsonpath("$.steps.trigger.n"))}
    )

    assert compile_definition(workflow, connectors=CONNECTORS).steps[0].name == "t"


# --- References between steps ---


def test_a_path_must_read_from_a_step():
    workflow = definition(
        [node("echo-1")], {"echo-1": step("steps", "echo", value=jsonpath("$.trigger.name"))}
    )

    assert errors(workflow) == [
        (
            "steps.echo-1.properties.value",
            "$.trigger.name must read from a step, as in $.steps.<step name>.…",
        )
    ]


def test_a_path_to_a_step_that_runs_later_is_refused():
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {"echo-1": step("steps", "echo", value=string("{$.steps.echo-2.value}")), "echo-2": echo()},
    )

    assert errors(workflow) == [
        (
            "steps.echo-1.properties.value",
            "$.steps.echo-2.value in property 'value' refers to step 'echo-2', which does not run "
            "before this step",
        )
    ]


def test_a_path_in_a_fallback_is_checked_like_the_path():
    workflow = definition(
        [node("echo-1")],
        {
            "echo-1": step(
                "steps",
                "echo",
                value=jsonpath("$.steps.trigger.a", fallback=jsonpath("$.steps.nope.b")),
            )
        },
    )

    assert errors(workflow) == [
        (
            "steps.echo-1.properties.value",
            "$.steps.nope.b in property 'value' refers to step 'nope', which does not run before "
            "this step",
        )
    ]


def test_a_step_cannot_read_itself():
    workflow = definition(
        [node("echo-1")], {"echo-1": step("steps", "echo", value=jsonpath("$.steps.echo-1.value"))}
    )

    assert errors(workflow) == [
        (
            "steps.echo-1.properties.value",
            "$.steps.echo-1.value in property 'value' refers to step 'echo-1', which does not "
            "run before this step",
        )
    ]


def test_what_a_loop_makes_is_seen_only_inside_it():
    workflow = definition(
        [loop_node("loop-1", node("echo-1"), node("echo-2")), node("echo-3")],
        {
            "loop-1": each(),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.loop-1.value")),
            "echo-2": step("steps", "echo", value=jsonpath("$.steps.echo-1.value")),
            "echo-3": step(
                "steps", "echo", value=string("{$.steps.loop-1.index} {$.steps.echo-1.value}")
            ),
        },
    )

    assert errors(workflow) == [
        (
            "steps.echo-3.properties.value",
            "$.steps.loop-1.index in property 'value' reads 'index' of loop 'loop-1' after it "
            "ended: there only count, iterations, continued_failures can be read",
        ),
        (
            "steps.echo-3.properties.value",
            "$.steps.echo-1.value in property 'value' refers to step 'echo-1', which does not run "
            "before this step",
        ),
    ]


def test_after_a_loop_its_summary_can_be_read():
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": each(),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.loop-1.value")),
            "echo-2": step(
                "steps",
                "echo",
                value=string(
                    "{$.steps.loop-1.count} {$.steps.loop-1.iterations} "
                    "{$.steps.loop-1.continued_failures}"
                ),
            ),
        },
    )

    plan = compile_definition(workflow, connectors=CONNECTORS)

    assert [compiled.name for compiled in plan.steps] == ["loop-1", "echo-2"]


def test_what_a_branch_lane_makes_is_seen_only_inside_the_lane():
    workflow = definition(
        [
            branch_node("if-1", yes=[node("echo-1"), node("echo-2")], no=[node("echo-3")]),
            node("echo-4"),
        ],
        {
            "if-1": step("flow", "if", condition=typed(True)),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.if-1.lane")),
            "echo-2": step("steps", "echo", value=jsonpath("$.steps.echo-1.value")),
            "echo-3": step("steps", "echo", value=jsonpath("$.steps.echo-1.value")),
            "echo-4": step(
                "steps",
                "echo",
                value=jsonpath("$.steps.if-1.lane", fallback=jsonpath("$.steps.echo-2.value")),
            ),
        },
    )

    assert [path for path, _ in errors(workflow)] == [
        "steps.echo-3.properties.value",
        "steps.echo-4.properties.value",
    ]


# --- Break ---


def test_a_break_must_name_a_loop_it_is_inside():
    workflow = definition(
        [loop_node("loop-1", node("break-1")), node("break-2")],
        {
            "loop-1": each(),
            "break-1": step("flow", "break", loop=string("loop-9")),
            "break-2": step("flow", "break", loop=string("loop-1")),
        },
    )

    assert errors(workflow) == [
        (
            "steps.break-1.properties.loop",
            "'loop-9' is not a loop this step is inside (it is inside loop-1)",
        ),
        ("steps.break-2.properties.loop", "'loop-1' is not a loop this step is inside"),
    ]


def test_a_break_naming_its_loop_from_the_run_is_checked_by_the_run():
    workflow = definition(
        [node("break-1")], {"break-1": step("flow", "break", loop=jsonpath("$.steps.trigger.loop"))}
    )

    assert compile_definition(workflow, connectors=CONNECTORS).steps[0].operation is FLOW.operation(
        "break"
    )


# --- All at once ---


def test_every_error_is_reported_at_once_in_the_order_of_the_definition():
    workflow = {
        "trigger": {"connector": "start", "operation": "start", "properties": {}},
        "steps_structure": [
            node("echo-1"),
            node("bad name"),
            loop_node("loop-1", node("echo-2")),
            node("echo-3", "branch"),
        ],
        "steps": {
            "echo-1": step("steps", "echo", value={"type": "string", "value": 1}),
            "loop-1": each(),
            "echo-2": {**echo(), "operation": "shout"},
            "echo-3": echo(),
            "stray": echo(),
        },
        "extra": True,
    }

    assert errors(workflow) == [
        ("extra", "unknown key 'extra'"),
        ("steps.echo-1.properties.value.value", "must be a string"),
        (
            "steps_structure.1.name",
            "'bad name' is not a valid step name (up to 100 letters, digits, _ and -, e.g. slack-1)",
        ),
        ("steps.echo-2.operation", "Steps has no operation 'shout'"),
        ("steps_structure.3.type", "Echo is a 'normal' step, not 'branch'"),
        (
            "steps_structure.3.content",
            'a branch needs content such as {"true": [...], "false": [...]}',
        ),
        ("steps.stray", "step 'stray' is not placed in steps_structure"),
    ]


def test_a_refused_definitions_error_names_every_field():
    with pytest.raises(DefinitionError) as raised:
        compile_definition(definition([node("echo-9")], {}), connectors=CONNECTORS)

    assert str(raised.value) == "steps_structure.0.name: there is no step 'echo-9' in steps"


# --- Drafts: value problems kept, structural errors refused ---


def test_a_draft_with_value_problems_is_checked_without_a_plan_and_every_problem_listed():
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": {**each(), "operation": "every"},
            "echo-1": echo(),
            "echo-2": step("steps", "echo", value=jsonpath("$.steps.later.value")),
        },
    )

    checked = check_definition(workflow, connectors=CONNECTORS)

    assert checked.plan is None
    assert [(problem.path, problem.message) for problem in checked.problems] == [
        ("steps.loop-1.operation", "Flow has no operation 'every'"),
        (
            "steps.echo-2.properties.value",
            "$.steps.later.value in property 'value' refers to step 'later', which does not "
            "run before this step",
        ),
    ]


def test_a_valid_definition_is_checked_with_its_plan_and_no_problems():
    checked = check_definition(
        definition([node("echo-1")], {"echo-1": echo()}), connectors=CONNECTORS
    )

    assert checked.problems == []
    assert checked.plan is not None
    assert [plan_step.name for plan_step in checked.plan.steps] == ["echo-1"]


def test_a_structural_error_inside_a_step_with_problems_is_still_refused():
    # The loop's operation is unknown, and its lane holds a node of no known type.
    workflow = definition(
        [loop_node("loop-1", node("echo-1", "parallel"))],
        {"loop-1": {**each(), "operation": "every"}, "echo-1": echo()},
    )

    with pytest.raises(DefinitionError) as raised:
        check_definition(workflow, connectors=CONNECTORS)

    assert [(error.path, error.message) for error in raised.value.errors] == [
        ("steps_structure.0.content._loop.0.type", "'parallel' is not one of normal, loop, branch")
    ]
