"""Benchmark: a run of 10,000 step runs opened in the debug panel, against a run of 10, in headless Chromium.

    .venv/bin/python -m bench.debug_open [--step-runs 10000] [--baseline 10] [--repeat 3]
                                         [--database-url URL] [--chromium /usr/bin/chromium]

Each run is stored directly in the database (a Run and its StepRun rows by bulk_create, shaped
as the walkthrough's: trigger, totango-1, loop-1, then loop-1[i].slack-1), on its own workflow.
The builder of that workflow is opened; the time measured in the page is from the click on
Debug to the first page of step runs shown in the panel. Then the list is scrolled down a few
screens, and the step-run requests and the rows in the DOM are counted: the panel must page in
what is scrolled to (a row past the first page is shown), never the whole run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.builder_open import signed_in_page, start_server
from bench.walkthrough import configure_django, rebuild_tables

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 1000.0
PASSWORD = "correct horse battery staple"
QUERY = '{"terms": [], "fields": [], "count": 1000}'
SCROLL_SCREENS = 60

# Runs in the page: opens the debug panel, waits for the first page of step runs.
OPEN = """
async ({ total }) => {
  const until = (test) => new Promise((resolve, reject) => {
    const started = performance.now();
    const tick = () => {
      if (test()) return resolve(performance.now());
      if (performance.now() - started > 30000) return reject(new Error('timed out'));
      requestAnimationFrame(tick);
    };
    tick();
  });
  await until(() => document.body.dataset.builderReady === 'true');
  const debug = [...document.querySelectorAll('header button')].find((b) => b.textContent.trim() === 'Debug');
  const clicked = performance.now();
  debug.click();
  const list = () => document.querySelector('[aria-label="Debug panel"] [role="list"][aria-label="Step runs"]');
  const shown = await until(() => {
    const rows = list();
    return rows !== null &&
      rows.querySelector('[data-path="trigger"]') !== null &&
      rows.querySelector('[data-path="totango-1"]') !== null &&
      document.querySelector('[aria-label="Debug panel"]').textContent.includes(`${total.toLocaleString()} step runs`);
  });
  return { ms: shown - clicked };
}
"""

# Scrolls the step-run list down `screens` screens, waiting for each page asked for.
SCROLL = """
async ({ screens }) => {
  const list = document.querySelector('[aria-label="Debug panel"] [role="list"][aria-label="Step runs"]');
  const idle = () => new Promise((resolve, reject) => {
    const started = performance.now();
    let quiet = 0;
    const tick = () => {
      quiet = list.getAttribute('aria-busy') === 'true' ? 0 : quiet + 1;
      if (quiet > 6) return resolve();
      if (performance.now() - started > 30000) {
        return reject(new Error(`the list was still loading 30 s after scrolling to ${list.scrollTop} px`));
      }
      requestAnimationFrame(tick);
    };
    tick();
  });
  const frames = [];
  for (let screen = 0; screen < screens; screen += 1) {
    const started = performance.now();
    list.scrollTop += list.clientHeight;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    frames.push(performance.now() - started);
    await idle();
  }
  const requests = performance.getEntriesByType('resource').filter((entry) => /\\/api\\/runs\\/[^/]+\\/steps\\/\\?/.test(entry.name));
  const pages = requests
    .map((entry) => new URL(entry.name))
    .filter((url) => url.searchParams.get('step') === null);
  const fetched = pages.reduce((sum, url) => sum + Number(url.searchParams.get('limit')), 0);
  // The furthest loop iteration shown, from the rows' data-path (`loop-1[i]`, `loop-1[i].slack-1`).
  const iterations = [...list.querySelectorAll('[data-path]')]
    .map((row) => /^loop-1\\[(\\d+)\\]/.exec(row.dataset.path))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]));
  return {
    requests: requests.length,
    fetched,
    firstPage: pages.length === 0 ? 0 : Number(pages[0].searchParams.get('limit')),
    deepestIteration: iterations.length === 0 ? -1 : Math.max(...iterations),
    rowsInDom: list.querySelectorAll('[role="listitem"]').length,
    scrollTop: list.scrollTop,
    scrollHeight: list.scrollHeight,
    worstFrameMs: Math.max(...frames),
  };
}
"""


@dataclass
class Case:
    label: str
    workflow_id: str
    step_runs: int
    open_ms: list[float] = field(default_factory=list)
    scroll: dict[str, Any] = field(default_factory=dict)


def definition() -> dict[str, Any]:
    """The walkthrough's shape, without authentications: nothing is executed."""
    from tests.helpers import walkthrough_definition

    return walkthrough_definition(
        totango_auth=None,
        slack_auth=None,
        query=QUERY,
        text={"type": "jsonpath", "value": "$.steps.loop-1.value.display_name"},
    )


def store_run(owner: Any, label: str, step_runs: int) -> Case:
    """A workflow and one succeeded run of `step_runs` step runs (3 + one Slack message per account)."""
    import json

    from builder.models import Run, RunStatus, StepRun, WorkflowVersion
    from builder.services.workflows import workflow_create

    accounts = step_runs - 3
    workflow = workflow_create(user=owner, name=label, definition=definition())
    version = WorkflowVersion.objects.get(workflow=workflow, version=workflow.version)
    started = datetime.now(UTC) - timedelta(minutes=5)
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=version,
        status=RunStatus.SUCCEEDED,
        started_by=owner,
        started_at=started,
        finished_at=started + timedelta(milliseconds=step_runs * 1.1),
        progress={"current_step": "", "loops": {"loop-1": {"done": accounts, "count": accounts}}},
    )
    # The search's output is capped at 200 hits here: the full list of 10,000 would be a
    # truncated payload, which the benchmark does not mean to time.
    hits = [
        {"name": f"acc-{n:05d}", "display_name": f"Account {n:05d}", "selected_fields": []}
        for n in range(1, min(accounts, 200) + 1)
    ]

    def row(
        sequence: int, path: str, connector: str, operation: str, io: tuple[Any, Any]
    ) -> StepRun:
        step_input, step_output = io
        return StepRun(
            run=run,
            sequence=sequence,
            path=path,
            step_name=path.rsplit(".", 1)[-1],
            connector=connector,
            operation=operation,
            status="succeeded",
            input=step_input,
            output=step_output,
            input_size=len(json.dumps(step_input)),
            output_size=len(json.dumps(step_output)),
            started_at=started + timedelta(milliseconds=sequence),
            duration_ms=1.0,
        )

    rows = [
        row(1, "trigger", "manual", "manual", ({"payload": {}}, {})),
        row(
            2,
            "totango-1",
            "totango",
            "search_data_raw",
            ({"data_type": "accounts", "query": QUERY}, {"total_hits": accounts, "hits": hits}),
        ),
        row(
            3,
            "loop-1",
            "loop",
            "loop_list",
            ({"list": "[…]"}, {"count": accounts, "iterations": accounts}),
        ),
    ]
    for index in range(accounts):
        text = f"Account {index + 1:05d}"
        rows.append(
            row(
                4 + index,
                f"loop-1[{index}].slack-1",
                "slack",
                "send_message",
                (
                    {"channel": "#customer-success", "text": text},
                    {
                        "ok": True,
                        "channel": "C0000000001",
                        "ts": f"1700000000.{index + 1:06d}",
                        "message": {"text": text, "type": "message"},
                    },
                ),
            )
        )
    StepRun.objects.bulk_create(rows, batch_size=2000)
    assert StepRun.objects.filter(run=run).count() == step_runs
    return Case(label, str(workflow.id), step_runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step-runs", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=10, help="step runs of the baseline run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    parser.add_argument(
        "--screenshot", type=Path, default=None, help="save the large run's panel, after scrolling"
    )
    args = parser.parse_args(argv)
    if min(args.step_runs, args.baseline) < 4:
        parser.error("a run needs at least 4 step runs (trigger, search, loop, one message)")
    if not (PROJECT_ROOT / "frontend" / "dist" / "index.html").exists():
        print("Build the frontend first: cd frontend && npm run build", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="debug-open-") as var_dir:
        url = configure_django(database_url=args.database_url, var_dir=Path(var_dir))
        rebuild_tables()
        from accounts.services import organisation_setup

        owner = organisation_setup(username="bench", password=PASSWORD)
        cases = [
            store_run(owner, f"{args.baseline} step runs (baseline)", args.baseline),
            store_run(owner, f"{args.step_runs:,} step runs", args.step_runs),
        ]
        base_url = start_server()
        measure(base_url, cases, args.repeat, args.chromium, args.screenshot)
        database = "SQLite (temporary file)" if url.startswith("sqlite") else "PostgreSQL"
    report(cases, args.repeat, database)
    return 0


def measure(
    base_url: str, cases: list[Case], repeat: int, chromium: str, screenshot: Path | None
) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page = signed_in_page(playwright, chromium, base_url)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Alternate the two sides so that a busy machine slows both alike.
        for attempt in range(repeat):
            for case in cases:
                page.goto(f"{base_url}/workflows/{case.workflow_id}", wait_until="commit")
                result = page.evaluate(OPEN, {"total": case.step_runs})
                case.open_ms.append(result["ms"])
                if attempt == repeat - 1:
                    try:
                        case.scroll = page.evaluate(SCROLL, {"screens": SCROLL_SCREENS})
                    except PlaywrightError as error:
                        raise SystemExit(
                            f"{case.label}: scrolling failed: {error.message}"
                        ) from None
                    if screenshot is not None and case is cases[-1]:
                        page.screenshot(path=screenshot)
                page.goto(base_url + "/")
        browser.close()
        if errors:
            raise SystemExit(f"JavaScript errors in the page: {errors}")


def report(cases: list[Case], repeat: int, database: str) -> None:
    baseline, large = cases
    print(
        f"debug_open: a run of {large.step_runs:,} step runs against {baseline.step_runs}, "
        f"best of {repeat}, headless Chromium, {database}"
    )
    print(f"{'':28}{'first page ms':>14}   all (ms)")
    for case in cases:
        runs = " ".join(f"{value:.0f}" for value in case.open_ms)
        print(f"{case.label:28}{min(case.open_ms):14.0f}   {runs}")
    ratio = min(large.open_ms) / min(baseline.open_ms)
    print(f"{'ratio large/baseline':28}{ratio:13.2f}x")
    print(f"{'median, large':28}{statistics.median(large.open_ms):14.0f}")
    scroll = large.scroll
    print(
        f"after scrolling {SCROLL_SCREENS} screens: {scroll['requests']} step-run requests, "
        f"{scroll['fetched']:,} of {large.step_runs:,} step runs asked for, "
        f"{scroll['rowsInDom']} rows in the DOM, worst frame {scroll['worstFrameMs']:.0f} ms"
    )
    # Sequences as store_run writes them: trigger, totango-1, loop-1, then loop-1[i].slack-1 is 4 + i.
    deepest = scroll["deepestIteration"] + 4
    print(
        f"furthest step run shown: {deepest:,} of {large.step_runs:,} "
        f"(first page: {scroll['firstPage']:,})"
    )
    if scroll["fetched"] >= large.step_runs:
        raise SystemExit("Scrolling loaded the whole run: the list is not paged.")
    if scroll["firstPage"] == 0 or deepest <= scroll["firstPage"]:
        raise SystemExit(
            f"Scrolling {SCROLL_SCREENS} screens showed no step run past the first page of "
            f"{scroll['firstPage']}: the list does not page in what is scrolled to."
        )
    verdict = "yes" if min(large.open_ms) < BUDGET_MS else "NO"
    print(f"first page shown in under {BUDGET_MS / 1000:.0f} s: {verdict}")


if __name__ == "__main__":
    sys.exit(main())
