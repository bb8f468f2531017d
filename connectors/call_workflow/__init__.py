"""Call workflow: start a run of another workflow of the organisation (one with the Callable
trigger) with a payload, and either go on at once or wait for its answer.

The platform does the calling (RunServices.call_workflow, builder/services/calls.py): it checks
the workflow, starts its run once per calling step (a step run again finds the same run), and,
waiting, parks this run without holding a worker until the called run ends.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import TerminalError
from connectors.schema import any_value, choice, input_object, obj, output_object, string
from connectors.sdk import Connector, Operation, OperationContext

FIRE_AND_FORGET = "fire_and_forget"
WAIT = "wait"
MODES = {FIRE_AND_FORGET: "Fire and forget", WAIT: "Wait for the answer"}


def run_call_workflow(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    if context.services is None:
        raise TerminalError("Call workflow calls from a run of a workflow; there is no run here.")
    wait = inputs.get("mode", FIRE_AND_FORGET) == WAIT
    result = context.services.call_workflow(
        step_path=context.step_path,
        workflow_id=inputs["workflow"],
        payload=inputs.get("payload") or {},
        wait=wait,
    )
    context.log.append(
        f"Run {result['run_id']} answered." if wait else f"Started run {result['run_id']}."
    )
    return result


CALL_WORKFLOW = Operation(
    key="call_workflow",
    title="Call workflow",
    description="Run another workflow of your organisation (one with the Callable trigger) "
    "with a payload: go on at once, or wait for its Callable response.",
    input_schema=input_object(
        {
            "workflow": string(
                "Workflow",
                "The workflow to run: one of this organisation's with the Callable trigger.",
                min_length=1,
                format="workflow-id",
            ),
            "payload": obj(
                "Payload", description="What the called workflow gets as $.steps.trigger."
            ),
            "mode": choice(
                "Mode",
                MODES,
                "Fire and forget: the step outputs the new run's id at once. Wait for the "
                "answer: this run waits (holding no worker) until the called run ends, and "
                "outputs its Callable response; a failed called run fails this step.",
                default=FIRE_AND_FORGET,
            ),
        },
        required=["workflow"],
    ),
    output_schema=output_object(
        {
            "run_id": string("Run ID", "The called workflow's run."),
            "response": any_value(
                "Response",
                "Waiting for the answer: the value its Callable response step set (null if "
                "none did).",
            ),
        },
        required=["run_id"],
    ),
    run=run_call_workflow,
    # Not repeatable: it starts a run. (Asked again for the same step of the same run, the
    # platform answers with the run it started the first time.)
)

CONNECTOR = Connector(
    key="call_workflow",
    title="Call workflow",
    description="Run another workflow of your organisation and, if you like, use its answer.",
    icon="icon.svg",
    version="1.0",
    operations=(CALL_WORKFLOW,),
)
