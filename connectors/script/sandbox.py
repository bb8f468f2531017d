"""Runs a user's JavaScript in a V8 isolate of its own (mini-racer), with time and heap limits.

Every execution gets a fresh isolate, closed when it ends: nothing a script sets (a global, a
patched prototype, a mutated `_`) can reach the next one, and an isolate stopped at a limit is
thrown away with whatever state it was in. The isolate has only ECMAScript itself: mini-racer
gives it no network, file system or process (its own setTimeout is replaced), and the names a
Node or browser script reaches for (`require`, `fetch`, `process`, `setTimeout`…) throw a
ReferenceError saying so.

V8 starts on the first script of a process, never on import: the Celery worker's prefork pool
forks its children from a parent that must not have started V8's threads.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from connectors.errors import InputError, TerminalError
from connectors.sdk import ScriptLimits

# Where a script's frames are, in V8's stack traces and syntax errors.
SCRIPT_URL = "script.js"
UNAVAILABLE = (
    "require",
    "module",
    "fetch",
    "process",
    "XMLHttpRequest",
    "WebSocket",
    "setTimeout",
    "setInterval",
    "setImmediate",
    "clearTimeout",
    "clearInterval",
    "clearImmediate",
    "queueMicrotask",
)


@dataclass(frozen=True)
class ScriptOutcome:
    result: Any
    log: list[str]


_loop: tuple[int, asyncio.AbstractEventLoop] | None = None
_loop_lock = threading.Lock()


def event_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop every isolate of this process reports to, in a thread of its own.

    mini-racer would start and close one per isolate; V8 may still answer a cancelled task
    (a script stopped at its time limit) while its isolate is freed, after such a loop is
    closed, which printed "Event loop is closed" tracebacks. A loop that outlives isolates
    drops those late answers quietly, and costs no thread a script. Made again in a forked
    child, whose copy of the parent's loop has no thread running it.
    """
    global _loop
    with _loop_lock:
        if _loop is None or _loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="script-sandbox", daemon=True).start()
            _loop = (os.getpid(), loop)
        return _loop[1]


@cache
def lodash_source() -> str:
    return resources.files("connectors.script").joinpath("vendor/lodash.min.js").read_text()


@cache
def bootstrap(max_log_lines: int, max_log_line_chars: int) -> str:
    """The script run in each new isolate before the user's: console, `_`, `exports`, and a
    clear ReferenceError for what is not there."""
    unavailable = json.dumps(UNAVAILABLE)
    # lodash is compiled lazily (V8 only pre-parses a function body until it is called) and
    # run on the first read of `_`: scripts that do not use it do not pay for it. Its UMD
    # header sees no exports, module, define, global or self, so it sets `_` on globalThis.
    return f"""
(function () {{
  "use strict";
  const unavailable = {unavailable};
  for (const name of unavailable) {{
    const refuse = function () {{
      throw new ReferenceError(name + " is not available in a Script step: scripts cannot " +
        "reach modules, the network, files, timers or the process; work with input only.");
    }};
    const own = Object.getOwnPropertyDescriptor(globalThis, name);
    if (own && !own.configurable) {{
      // mini-racer declares its timers with `var`, which cannot be removed: they throw when
      // called instead.
      globalThis[name] = refuse;
    }} else {{
      Object.defineProperty(globalThis, name, {{ configurable: false, get: refuse }});
    }}
  }}
  globalThis.__timer_manager = undefined;
  const lines = [];
  let dropped = 0;
  function show(value) {{
    if (typeof value === "string") return value;
    try {{
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    }} catch (error) {{
      return String(value);
    }}
  }}
  function write(level) {{
    return function (...values) {{
      if (lines.length >= {max_log_lines}) {{ dropped += 1; return; }}
      let line = values.map(show).join(" ");
      if (line.length > {max_log_line_chars}) line = line.slice(0, {max_log_line_chars}) + "…";
      lines.push(level === "log" ? line : level + ": " + line);
    }};
  }}
  const console = {{ log: write("log"), info: write("info"), warn: write("warn"),
    error: write("error"), debug: write("debug") }};
  Object.defineProperty(globalThis, "console", {{ value: Object.freeze(console) }});
  Object.defineProperty(globalThis, "__consoleLines", {{
    value: function () {{
      const all = lines.slice();
      if (dropped) all.push(dropped + " more console lines not kept (SCRIPT_MAX_LOG_LINES)");
      return all;
    }},
  }});
  let lodash;
  Object.defineProperty(globalThis, "_", {{
    configurable: true,
    get() {{
      if (lodash === undefined) {{
        if (typeof globalThis.__loadLodash !== "function") return undefined;
        let assigned;
        Object.defineProperty(globalThis, "_", {{
          configurable: true, set(value) {{ assigned = value; }}, get() {{ return assigned; }},
        }});
        globalThis.__loadLodash();
        lodash = assigned;
        Object.defineProperty(globalThis, "_", {{ value: lodash, writable: true, configurable: true }});
      }}
      return lodash;
    }},
    set(value) {{
      Object.defineProperty(globalThis, "_", {{ value, writable: true, configurable: true }});
    }},
  }});
  globalThis.exports = {{}};
}})();
"""


LODASH_LOADER = (
    "globalThis.__loadLodash = function () { var exports, module, define, global, self;\n"
    "{source}\n};"
)

RUNNER = """
(function (inputJson) {
  "use strict";
  function fail(error) {
    let line = null;
    const stack = error && typeof error.stack === "string" ? error.stack : "";
    const frame = /script\\.js:(\\d+):\\d+/.exec(stack);
    if (frame) line = Number(frame[1]);
    let message;
    if (error instanceof Error) message = error.name + ": " + error.message;
    else {
      try { message = "Uncaught " + JSON.stringify(error); } catch (e) { message = "Uncaught " + String(error); }
    }
    return JSON.stringify({ error: message, line, log: __consoleLines() });
  }
  function finish(value) {
    let problem = null;
    if (value === undefined) problem = "undefined";
    else if (typeof value === "function") problem = "a function";
    else if (typeof value === "symbol") problem = "a symbol";
    else if (typeof value === "bigint") problem = "a BigInt";
    if (problem) {
      return JSON.stringify({ refused: problem, log: __consoleLines() });
    }
    let text;
    try {
      text = JSON.stringify({ result: value, log: __consoleLines() });
    } catch (error) {
      const what = /circular/i.test(String(error.message)) ? "a cyclic structure"
        : "a value JSON cannot hold (" + String(error.message).split("\\n")[0] + ")";
      return JSON.stringify({ refused: what, log: __consoleLines() });
    }
    return text;
  }
  const step = globalThis.exports && globalThis.exports.step;
  if (typeof step !== "function") {
    return JSON.stringify({ missing: true, log: __consoleLines() });
  }
  let value;
  try {
    value = step(JSON.parse(inputJson));
  } catch (error) {
    return fail(error);
  }
  if (value !== null && typeof value === "object" && typeof value.then === "function") {
    // Settled by promise jobs once this call returns; read by a later (cancellable) eval.
    Promise.resolve(value).then(
      (settled) => { globalThis.__settled = finish(settled); },
      (error) => { globalThis.__settled = fail(error); },
    );
    return null;
  }
  return finish(value);
})
"""

# Any mention of `_` as a name (`_.map`, `_(x)`, `globalThis._`, `"_"`): lodash's 73 kB are
# handed to the isolate only then, saving ~2.5 ms a step for the scripts that never use it.
USES_LODASH = re.compile(r"(?<![\w$])_(?![\w$])")
# Isolates left running a promise job past the deadline (see run_script): never freed.
_stuck_isolates: list[ExitStack] = []


class StuckIsolate(Exception):
    pass


def answers(racer: Any, timeout_error: type[Exception], seconds: float) -> bool:
    """Whether the isolate is idle: a no-op evaluates within `seconds`."""
    try:
        racer.eval("0", timeout_sec=seconds)
    except timeout_error:
        return False
    except Exception:  # terminated or out of memory: idle, and freed as usual
        return True
    return True


_PARSE_ERROR = re.compile(r"^[^\n]*?:(\d+): (.*)$", re.MULTILINE)


def run_script(source: str, variables: dict[str, Any], limits: ScriptLimits) -> ScriptOutcome:
    """Runs `exports.step(variables)` of `source` in a fresh isolate; returns what it returned
    (JSON) and its console lines, or raises TerminalError in words for the person who wrote it."""
    if len(source.encode()) > limits.max_source_bytes:
        raise InputError(
            f"script: the script is {len(source.encode()):,} bytes, more than "
            f"SCRIPT_MAX_SOURCE_BYTES ({limits.max_source_bytes:,})."
        )
    # Imported here, not at the top: importing starts nothing, but keeps V8 visibly out of
    # every process that never runs a script (the worker's parent, the web server).
    from py_mini_racer import (
        JSEvalException,
        JSFunction,
        JSOOMException,
        JSTimeoutException,
        mini_racer,
    )

    deadline = time.monotonic() + limits.timeout_seconds
    memory_limit = limits.memory_limit_mb * 1024 * 1024

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise JSTimeoutException
        return left

    isolate = ExitStack()
    racer = isolate.enter_context(mini_racer(event_loop()))
    answer: Any = None
    try:
        try:
            racer.set_hard_memory_limit(memory_limit)
            racer.eval(bootstrap(limits.max_log_lines, limits.max_log_line_chars))
            if USES_LODASH.search(source):
                racer.eval(LODASH_LOADER.replace("{source}", lodash_source()))
            try:
                racer.eval(f"{source}\n//# sourceURL={SCRIPT_URL}", timeout_sec=remaining())
            except JSEvalException as error:
                if isinstance(error, JSTimeoutException | JSOOMException):
                    raise
                if racer.was_hard_memory_limit_reached():
                    raise JSOOMException from None
                raise TerminalError(describe_script_error(str(error))) from None
            runner = racer.eval(RUNNER)
            assert isinstance(runner, JSFunction)
            answer = runner(json.dumps(variables), timeout_sec=remaining())
            if answer is None:  # an async step: its promise jobs run before this eval
                answer = racer.eval("globalThis.__settled", timeout_sec=remaining())
                if not isinstance(answer, str):
                    raise TerminalError(
                        "The promise exports.step returned never settled: there are no timers "
                        "or I/O to wait for in a Script step."
                    )
        except JSTimeoutException:
            raise TerminalError(
                f"The script ran longer than SCRIPT_TIMEOUT_SECONDS "
                f"({limits.timeout_seconds:g} s) and was stopped."
            ) from None
        except JSEvalException as error:
            if isinstance(error, JSOOMException) or racer.was_hard_memory_limit_reached():
                raise TerminalError(
                    f"The script used more memory than SCRIPT_MEMORY_LIMIT_MB "
                    f"({limits.memory_limit_mb} MB) and was stopped."
                ) from None
            raise TerminalError(describe_script_error(str(error))) from None
        if not answers(racer, JSTimeoutException, max(deadline - time.monotonic(), 0.2)):
            raise StuckIsolate
    except StuckIsolate:
        # A promise job (`.then`, `await`) still runs after exports.step answered: V8 runs
        # those outside the call mini-racer can cancel, and freeing the isolate would wait
        # for it forever. It is kept, not freed (its thread spins until the worker process
        # is recycled), and the step fails as any script over its time.
        _stuck_isolates.append(isolate)
        raise TerminalError(
            f"The script ran longer than SCRIPT_TIMEOUT_SECONDS ({limits.timeout_seconds:g} s) "
            "and was stopped."
        ) from None
    except BaseException:
        if not answers(racer, JSTimeoutException, 0.2):
            _stuck_isolates.append(isolate)
            raise
        isolate.close()
        raise
    isolate.close()
    if not isinstance(answer, str):
        raise TerminalError("The script's step function answered something other than JSON.")
    return outcome(json.loads(answer))


def outcome(answer: dict[str, Any]) -> ScriptOutcome:
    log = [f"console: {line}" for line in answer["log"]]
    if "result" in answer:
        return ScriptOutcome(result=answer["result"], log=log)
    if answer.get("missing"):
        message = (
            "The script does not set exports.step: write "
            "`exports.step = function(input) { return ...; }`."
        )
    elif "refused" in answer:
        message = (
            f"The script returned {answer['refused']}: return a JSON value from exports.step "
            "(an object, a list, a string, a number, true, false or null)."
        )
    else:
        message = answer["error"] + (f" (line {answer['line']})" if answer["line"] else "")
    raise ScriptFailed(message, log)


class ScriptFailed(TerminalError):
    """The script threw, or returned what JSON cannot hold; its console lines so far kept."""

    def __init__(self, message: str, log: list[str]) -> None:
        super().__init__(message)
        self.log = log


def describe_script_error(text: str) -> str:
    """`SyntaxError: Unexpected token '}' (line 3)` from mini-racer's report of an error raised
    while the script itself was evaluated (`script.js:3: SyntaxError: ...` then the source)."""
    match = _PARSE_ERROR.search(text)
    if match is None:
        return text.strip().splitlines()[0] if text.strip() else "The script failed."
    return f"{match.group(2)} (line {match.group(1)})"
