"""What a person does to run a workflow and read its debug panel, as Playwright steps."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect


def header(page: Page) -> Locator:
    return page.locator("header")


def debug_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Debug panel")


def run_workflow(page: Page) -> None:
    """Run workflow in the builder header; the debug panel opens on the new run."""
    header(page).get_by_role("button", name="Run workflow").click()
    expect(debug_panel(page)).to_be_visible()


def wait_run_status(page: Page, status: str, timeout: float = 30_000) -> None:
    expect(debug_panel(page).get_by_test_id("run-status")).to_have_text(status, timeout=timeout)


def step_runs(page: Page) -> Locator:
    return debug_panel(page).get_by_role("list", name="Step runs")


# True once the rows the virtualised list renders cover what it shows at its scroll position
# (rows are placed after a scroll, on the next render) and no page of rows is being fetched.
ROWS_IN_PLACE = """element => {
    if (element.getAttribute("aria-busy") === "true") return false;
    const box = element.getBoundingClientRect();
    const rows = [...element.querySelectorAll('[role="listitem"]')].map(
        (row) => row.getBoundingClientRect()
    );
    if (rows.length === 0) return true;
    const shownBottom = Math.min(box.bottom, box.top + element.scrollHeight - element.scrollTop);
    return Math.min(...rows.map((row) => row.top)) <= box.top + 1
        && Math.max(...rows.map((row) => row.bottom)) >= shownBottom - 1;
}"""


def rows_in_place(page: Page, listing: Locator) -> None:
    page.wait_for_function(ROWS_IN_PLACE, arg=listing.element_handle())


def reveal(page: Page, selector: str, attempts: int = 60) -> Locator:
    """Scrolls the virtualised step-run list until a row matching `selector` is rendered."""
    listing = step_runs(page)
    target = listing.locator(selector)
    listing.evaluate("element => { element.scrollTop = 0 }")
    rows_in_place(page, listing)
    for _ in range(attempts):
        if target.count() > 0:
            # Rows come and go as the list scrolls: centre this one, then check it stayed.
            try:
                target.first.evaluate(
                    "element => element.scrollIntoView({block: 'center'})", timeout=1000
                )
            except PlaywrightError:
                continue
            rows_in_place(page, listing)
            if target.count() > 0:
                return target.first
            continue
        at_end = listing.evaluate(
            "element => { const before = element.scrollTop;"
            " element.scrollTop += element.clientHeight * 0.8;"
            " return element.scrollTop === before }"
        )
        rows_in_place(page, listing)
        if at_end and target.count() == 0:
            break
    raise AssertionError(f"No step-run row {selector} in the debug panel")


def step_line(page: Page, path: str) -> Locator:
    """The row of one step run (its line and, once opened, its Input and Output)."""
    return reveal(page, f'[data-path="{path}"]')


def open_step_run(page: Page, path: str) -> Locator:
    row = step_line(page, path)
    button = row.get_by_role("button", name=f"{path}:")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    expect(row.get_by_role("button", name="Input", exact=True)).to_be_visible()
    return row


def tree_text(row: Locator, section: str) -> str:
    """The text of a step run's Input or Output tree."""
    return row.get_by_role("tree", name=f"{section} of").inner_text()


def show_step_tab(page: Page, tab: str) -> None:
    """Picks "Step data" or "Properties" of the step inspected in the debug panel."""
    debug_panel(page).locator("label").filter(has_text=re.compile(f"^{tab}$")).click()
    expect(debug_panel(page).get_by_role("radio", name=tab)).to_be_checked()


def api_post(page: Page, path: str, body: dict[str, Any]) -> Any:
    """POST JSON to an API path with the page's session and CSRF token."""
    origin = "/".join(page.url.split("/")[:3])
    token = next(
        cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken"
    )
    response = page.request.post(
        origin + path,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return json.loads(response.text())
