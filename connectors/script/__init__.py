"""Script: a transformation no form expresses, written in JavaScript and run in a V8 sandbox."""

from __future__ import annotations

import re
from typing import Any

from connectors.errors import InputError
from connectors.schema import any_value, array, input_object, output_object, string
from connectors.script.sandbox import ScriptFailed, run_script
from connectors.sdk import Connector, Operation, OperationContext

# A name the script reads as input.<name>: a JavaScript identifier (ASCII, as most write them).
VARIABLE_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
EXAMPLE = """exports.step = function(input) {
  return input.accounts.map((account) => `${account.name}: ${account.health}`);
};
"""


def variables_by_name(variables: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for index, variable in enumerate(variables):
        name = variable["name"]
        if not VARIABLE_NAME.fullmatch(name):
            raise InputError(
                f"variables.{index}.name: '{name}' is not a JavaScript name: use letters, "
                "digits, _ and $, not starting with a digit."
            )
        if name in found:
            raise InputError(
                f"variables.{index}.name: '{name}' is the name of another variable; "
                "each variable needs its own name."
            )
        found[name] = variable.get("value")
    return found


def run_execute_script(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    variables = variables_by_name(inputs.get("variables", []))
    try:
        outcome = run_script(inputs["script"], variables, context.settings.script)
    except ScriptFailed as failure:
        context.log.extend(failure.log)
        raise
    context.log.extend(outcome.log)
    return {"result": outcome.result}


EXECUTE_SCRIPT = Operation(
    key="execute_script",
    title="Execute script",
    description="Run JavaScript on values from earlier steps and use what it returns.",
    input_schema=input_object(
        {
            "variables": array(
                "Variables",
                "The values the script reads as input.<name>, e.g. accounts = "
                "$.steps.totango-1.hits.",
                items=input_object(
                    {
                        "name": string(
                            "Name",
                            "A JavaScript name: letters, digits, _ and $, not starting with "
                            "a digit.",
                            min_length=1,
                        ),
                        "value": any_value("Value"),
                    },
                    required=["name"],
                ),
                default=[],
            ),
            "script": string(
                "Script",
                "JavaScript that sets exports.step = function(input) { return ...; }. lodash "
                "is there as _; console.log writes to the step's log. No network, files or "
                "timers.",
                min_length=1,
                examples=[EXAMPLE],
            )
            # The properties panel edits it in a JavaScript code editor (builder/CodeField.tsx).
            | {"format": "code"},
        },
        required=["script"],
    ),
    output_schema=output_object(
        {"result": any_value("Result", "What exports.step returned, as JSON.")}
    ),
    run=run_execute_script,
    # Computes from its inputs only (a script reaches nothing outside): safe to run again.
    repeatable=True,
)

CONNECTOR = Connector(
    key="script",
    title="Script",
    description="Transform data with a short JavaScript function when no helper fits.",
    icon="icon.svg",
    version="1.0",
    operations=(EXECUTE_SCRIPT,),
)
