"""Script: JavaScript in a V8 sandbox, its limits and errors, in-process and through a real worker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from config.celery import app as celery_app
from connectors.errors import InputError, TerminalError
from connectors.sdk import ClientSettings, OperationContext, ScriptLimits
from tests.connectors.harness import full_step_run, run_operation
from tests.fakes.echo import FakeEcho
from tests.helpers import (
    ROOT,
    all_step_runs,
    create_authentication,
    create_workflow,
    jsonpath,
    run_workflow,
    start_run,
    string,
    wait_for_run,
)
from tests.servers import WorkerProcess

ACCOUNTS = [
    {"name": "acc-0001", "display_name": "Acme", "selected_fields": ["red", 1200]},
    {"name": "acc-0002", "display_name": "Globex", "selected_fields": ["green", 300]},
]
# The Tray-style script of the issue: a list of accounts becomes the messages to send.
ACCOUNT_MESSAGES = """exports.step = function(input) {
  console.log("accounts:", input.accounts.length);
  return input.accounts.map(function (account) {
    return {
      channel: input.channel,
      text: `${account.display_name} is ${account.selected_fields[0]} (ARR ${account.selected_fields[1]})`,
    };
  });
};
"""
INFINITE_LOOP = "exports.step = function(input) { while (true) {} };"
MEMORY_HOG = """exports.step = function(input) {
  const kept = [];
  while (true) kept.push(new Array(100000).fill("x" + kept.length));
};"""
QUICK_LIMITS = ScriptLimits(timeout_seconds=1.0, memory_limit_mb=32)


def execute(script: str, variables: list[dict[str, Any]] | None = None, **limits: Any) -> Any:
    context = OperationContext(
        step_name="script-1", settings=ClientSettings(script=ScriptLimits(**limits))
    )
    inputs = {"script": script, "variables": variables or []}
    output = run_operation("script", "execute_script", inputs, context)
    return output, context.log


def failure(script: str, **limits: Any) -> tuple[str, list[str]]:
    context = OperationContext(
        step_name="script-1", settings=ClientSettings(script=ScriptLimits(**limits))
    )
    with pytest.raises(TerminalError) as raised:
        run_operation("script", "execute_script", {"script": script}, context)
    return raised.value.message, context.log


@pytest.mark.exercises("script", "execute_script")
def test_script_maps_accounts_to_messages_and_logs_its_console_lines():
    output, log = execute(
        ACCOUNT_MESSAGES,
        [{"name": "accounts", "value": ACCOUNTS}, {"name": "channel", "value": "#cs"}],
    )

    assert output == {
        "result": [
            {"channel": "#cs", "text": "Acme is red (ARR 1200)"},
            {"channel": "#cs", "text": "Globex is green (ARR 300)"},
        ]
    }
    assert log == ["console: accounts: 2"]


@pytest.mark.exercises("script", "execute_script")
def test_lodash_is_there_as_underscore():
    output, _ = execute(
        "exports.step = (input) => _.sortBy(_.uniq(input.tags), (tag) => tag.length);",
        [{"name": "tags", "value": ["churn", "vip", "churn", "ok"]}],
    )

    assert output == {"result": ["ok", "vip", "churn"]}


@pytest.mark.exercises("script", "execute_script")
def test_console_levels_objects_and_the_line_cap():
    script = """exports.step = function() {
      console.info("info", 1);
      console.warn({ a: [1, 2] });
      console.error("bad");
      for (let i = 0; i < 5; i++) console.log("line", i);
      return null;
    };"""

    output, log = execute(script, max_log_lines=4)

    assert output == {"result": None}
    assert log == [
        "console: info: info 1",
        'console: warn: {"a":[1,2]}',
        "console: error: bad",
        "console: line 0",
        "console: 4 more console lines not kept (SCRIPT_MAX_LOG_LINES)",
    ]


@pytest.mark.exercises("script", "execute_script")
def test_a_returned_promise_is_awaited():
    output, _ = execute(
        "exports.step = async (input) => (await Promise.resolve(input.n)) * 2;",
        [{"name": "n", "value": 21}],
    )

    assert output == {"result": 42}


@pytest.mark.exercises("script", "execute_script")
def test_globals_set_by_one_execution_are_not_seen_by_the_next():
    execute(
        "globalThis.leaked = 1; Array.prototype.sum = 1; _.VERSION = 'x'; exports.step = () => 1;"
    )

    output, _ = execute(
        "exports.step = () => [typeof leaked, typeof [].sum, _.VERSION, typeof exports.other];"
    )

    assert output == {"result": ["undefined", "undefined", "4.17.21", "undefined"]}


def test_an_infinite_loop_stops_at_the_time_limit_naming_the_setting():
    started = time.monotonic()
    message, _ = failure(INFINITE_LOOP, timeout_seconds=1.0)

    assert message == "The script ran longer than SCRIPT_TIMEOUT_SECONDS (1 s) and was stopped."
    assert time.monotonic() - started < 3


def test_a_memory_hog_stops_at_the_memory_limit_naming_the_setting():
    message, _ = failure(MEMORY_HOG, memory_limit_mb=32)

    assert (
        message
        == "The script used more memory than SCRIPT_MEMORY_LIMIT_MB (32 MB) and was stopped."
    )


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("require('fs')", "require"),
        ("fetch('https://example.com')", "fetch"),
        ("process.env", "process"),
        ("new XMLHttpRequest()", "XMLHttpRequest"),
        ("setTimeout(() => 1, 10)", "setTimeout"),
    ],
)
def test_node_and_browser_globals_are_unavailable(expression, name):
    message, _ = failure(f"exports.step = function(input) {{\n  return {expression};\n}};")

    assert message == (
        f"ReferenceError: {name} is not available in a Script step: scripts cannot reach "
        "modules, the network, files, timers or the process; work with input only. (line 2)"
    )


@pytest.mark.parametrize(
    ("returned", "what"),
    [("undefined", "undefined"), ("function () {}", "a function"), ("Symbol('s')", "a symbol")],
)
def test_returning_what_json_cannot_hold_is_a_clear_error(returned, what):
    message, _ = failure(f"exports.step = function(input) {{ return {returned}; }};")

    assert message == (
        f"The script returned {what}: return a JSON value from exports.step (an object, a "
        "list, a string, a number, true, false or null)."
    )


def test_returning_a_cycle_is_a_clear_error():
    message, _ = failure("exports.step = () => { const a = {}; a.self = a; return a; };")

    assert message.startswith("The script returned a cyclic structure: return a JSON value")


def test_a_runtime_error_shows_its_message_and_line_and_keeps_the_console_lines():
    message, log = failure(
        "exports.step = function(input) {\n  console.log('before');\n  const x = 1;\n  x();\n};"
    )

    assert message == "TypeError: x is not a function (line 4)"
    assert log == ["console: before"]


def test_a_syntax_error_names_its_line():
    message, _ = failure("exports.step = function(input) {\n  return 1 +;\n};")

    assert message == "SyntaxError: Unexpected token ';' (line 2)"


def test_a_script_that_sets_no_step_function_says_how():
    message, _ = failure("const step = () => 1;")

    assert message == (
        "The script does not set exports.step: write "
        "`exports.step = function(input) { return ...; }`."
    )


def test_a_script_longer_than_the_source_limit_names_the_setting():
    with pytest.raises(InputError) as raised:
        execute("exports.step = () => 1; // " + "x" * 100, max_source_bytes=100)

    assert raised.value.message == (
        "script: the script is 127 bytes, more than SCRIPT_MAX_SOURCE_BYTES (100)."
    )


def test_variable_names_must_be_javascript_names_and_unique():
    with pytest.raises(InputError) as invalid:
        execute("exports.step = () => 1;", [{"name": "account name", "value": 1}])
    with pytest.raises(InputError) as twice:
        execute(
            "exports.step = () => 1;",
            [{"name": "accounts", "value": 1}, {"name": "accounts", "value": 2}],
        )

    assert invalid.value.message == (
        "variables.0.name: 'account name' is not a JavaScript name: use letters, digits, _ and "
        "$, not starting with a digit."
    )
    assert twice.value.message == (
        "variables.1.name: 'accounts' is the name of another variable; each variable needs "
        "its own name."
    )


def test_importing_the_connectors_starts_no_v8():
    # The worker's prefork parent imports every connector; V8's threads must not exist before
    # it forks, so the sandbox imports mini-racer only when a script runs.
    check = (
        "import sys, connectors.registry as r; r.all_connectors(); "
        "print('py_mini_racer' in sys.modules)"
    )

    answer = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert answer.stdout.strip() == "False"


# --- Through the worker -----------------------------------------------------------------------

SCRIPT_QUEUE = "scripts"


@pytest.fixture(scope="session")
def script_worker_process(celery_worker, tmp_path_factory) -> Iterator[WorkerProcess]:
    # Its own worker (two pool processes, as in production) with short script limits.
    worker = WorkerProcess(
        tmp_path_factory.mktemp("scripts") / "worker.log",
        queue=SCRIPT_QUEUE,
        SCRIPT_TIMEOUT_SECONDS="2",
        SCRIPT_MEMORY_LIMIT_MB="32",
    )
    yield worker
    worker.stop()


@pytest.fixture
def script_worker(script_worker_process) -> Iterator[WorkerProcess]:
    conf = celery_app.conf
    default_queue = conf.task_default_queue
    conf.task_default_queue = SCRIPT_QUEUE
    try:
        yield script_worker_process
    finally:
        conf.task_default_queue = default_queue


def script_definition(script: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "script-1"}],
        "steps": {
            "script-1": {
                "connector": "script",
                "operation": "execute_script",
                "properties": {
                    "script": string(script),
                    "variables": {
                        "type": "array",
                        "value": [
                            {"type": "object", "value": {"name": string(name), "value": value}}
                            for name, value in (variables or {}).items()
                        ],
                    },
                },
            }
        },
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.exercises("script", "execute_script")
def test_variables_resolve_from_earlier_steps_through_a_run(api, script_worker):
    # Given a script reading the trigger's accounts, and a step reading the script's result
    definition = script_definition(
        ACCOUNT_MESSAGES,
        {"accounts": jsonpath("$.steps.trigger.accounts"), "channel": string("#cs")},
    )
    definition["steps_structure"].append({"name": "split-1"})
    definition["steps"]["split-1"] = {
        "connector": "text_helpers",
        "operation": "split",
        "properties": {
            "text": jsonpath("$.steps.script-1.result[1].text"),
            "separator": string(" "),
        },
    }

    run = run_workflow(api, definition, payload={"accounts": ACCOUNTS})

    assert run["status"] == "succeeded", run
    script = full_step_run(api, run["id"], "script-1")
    assert script["output"] == {
        "result": [
            {"channel": "#cs", "text": "Acme is red (ARR 1200)"},
            {"channel": "#cs", "text": "Globex is green (ARR 300)"},
        ]
    }
    assert script["log"] == ["console: accounts: 2"]
    assert full_step_run(api, run["id"], "split-1")["output"] == {
        "result": ["Globex", "is", "green", "(ARR", "300)"]
    }


@pytest.mark.django_db(transaction=True)
def test_a_stuck_and_a_greedy_script_fail_while_another_run_completes_on_the_worker(
    api, script_worker
):
    # Given a run stuck in an infinite loop and one eating memory on the same worker
    stuck = create_workflow(api, script_definition(INFINITE_LOOP), name="Stuck")
    greedy = create_workflow(api, script_definition(MEMORY_HOG), name="Greedy")
    quick = create_workflow(api, script_definition("exports.step = () => 'done';"), name="Quick")
    stuck_run = start_run(api, stuck)
    started = time.monotonic()

    # When another run is started while the loop spins
    quick_run = wait_for_run(api, start_run(api, quick))
    quick_took = time.monotonic() - started
    greedy_run = wait_for_run(api, start_run(api, greedy))
    stuck_run_done = wait_for_run(api, stuck_run)

    # Then the quick run finished before the stuck one was stopped, and each says why
    assert quick_run["status"] == "succeeded", quick_run
    assert quick_took < 2, quick_took
    assert full_step_run(api, quick_run["id"], "script-1")["output"] == {"result": "done"}
    assert (stuck_run_done["status"], stuck_run_done["error"]) == (
        "failed",
        "The script ran longer than SCRIPT_TIMEOUT_SECONDS (2 s) and was stopped.",
    )
    assert greedy_run["status"] == "failed"
    assert full_step_run(api, greedy_run["id"], "script-1")["error"] == (
        "The script used more memory than SCRIPT_MEMORY_LIMIT_MB (32 MB) and was stopped."
    )
    # And the worker's processes go on: a run after them succeeds
    again = wait_for_run(api, start_run(api, quick))
    assert again["status"] == "succeeded", again
    assert "WorkerLostError" not in script_worker.log_path.read_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.exercises("script", "execute_script")
def test_a_secret_a_script_logs_and_returns_is_redacted(api, script_worker):
    # Given an HTTP step whose echoed answer holds its credential, read by a script that logs
    # it and returns it
    secret = "s3cret-script-key"
    with FakeEcho() as echo:
        authentication = create_authentication(
            api,
            "http",
            {
                "auth_type": "header",
                "header_name": "X-Key",
                "header_value": secret,
                "base_url": echo.base_url,
            },
        )
        definition = script_definition(
            "exports.step = (input) => {\n"
            "  const line = input.body.split('\\n').find((l) => l.startsWith('x-key'));\n"
            "  console.log(line);\n"
            "  return line;\n"
            "};",
            {"body": jsonpath("$.steps.http-1.body")},
        )
        definition["steps_structure"].insert(0, {"name": "http-1"})
        definition["steps"]["http-1"] = {
            "connector": "http",
            "operation": "http_request",
            "authentication": authentication,
            "properties": {"method": string("GET"), "url": string(f"{echo.base_url}/anything")},
        }

        run = run_workflow(api, definition)

    # Then the script's log and output show it redacted, and no step run holds it
    assert run["status"] == "succeeded", run
    script = full_step_run(api, run["id"], "script-1")
    assert script["output"] == {"result": "x-key: [redacted]"}
    assert script["log"] == ["console: x-key: [redacted]"]
    assert secret not in json.dumps(all_step_runs(api, run["id"]))


@pytest.mark.django_db(transaction=True)
def test_a_promise_job_still_running_after_the_step_answered_fails_at_the_time_limit(
    api, script_worker
):
    # Given a script whose step answers at once but leaves a promise job that never ends
    # (V8 runs it outside the call mini-racer can stop)
    dangling = create_workflow(
        api,
        script_definition(
            "exports.step = () => { Promise.resolve().then(() => { while (true) {} }); return 1; };"
        ),
        name="Dangling",
    )
    never = create_workflow(
        api,
        script_definition("exports.step = async () => { await new Promise(() => {}); };"),
        name="Never settles",
    )

    # When both run
    dangling_run = wait_for_run(api, start_run(api, dangling))
    never_run = wait_for_run(api, start_run(api, never))

    # Then the first fails at the time limit, the second says its promise cannot settle,
    # and the worker goes on
    assert (dangling_run["status"], dangling_run["error"]) == (
        "failed",
        "The script ran longer than SCRIPT_TIMEOUT_SECONDS (2 s) and was stopped.",
    )
    assert (never_run["status"], never_run["error"]) == (
        "failed",
        "The promise exports.step returned never settled: there are no timers or I/O to wait "
        "for in a Script step.",
    )
    quick = create_workflow(api, script_definition("exports.step = () => 'done';"), name="Quick")
    assert wait_for_run(api, start_run(api, quick))["status"] == "succeeded"
