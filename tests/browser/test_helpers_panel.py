"""A helper connector in the builder: its step's properties come from its schema, and a run shows
its output."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.builder_steps import first_run_setup, properties_panel, select_input, step_card
from tests.browser.conftest import OWNER, Stages
from tests.browser.debug_steps import (
    api_post,
    debug_panel,
    run_workflow,
    show_step_tab,
    wait_run_status,
)
from tests.helpers import jsonpath, typed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def renewal_definition() -> dict:
    """A review date a month after a renewal, then the red accounts' ARR summed."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": name, "type": "normal"} for name in ("date-1", "list-1", "math-1", "filter-1")
        ],
        "steps": {
            "date-1": {
                "connector": "date_time_helpers",
                "operation": "add",
                "properties": {
                    "date": typed("2026-03-28T12:00:00"),
                    "amount": typed(1),
                    "unit": typed("days"),
                    "timezone": typed("Europe/Berlin"),
                },
            },
            "list-1": {
                "connector": "list_helpers",
                "operation": "pluck",
                "properties": {
                    "list": typed([{"arr": 1200}, {"arr": 0.5}]),
                    "path": typed("arr"),
                },
            },
            "math-1": {
                "connector": "math_helpers",
                "operation": "sum",
                "properties": {"values": jsonpath("$.steps.list-1.result")},
            },
            "filter-1": {
                "connector": "list_helpers",
                "operation": "filter",
                "properties": {
                    "list": jsonpath("$.steps.list-1.result"),
                    "comparison": typed(">"),
                    "value": typed(1000),
                },
            },
        },
    }


def output_of(page: Page, path: str) -> Locator:
    """The Output tree of a step run of the short run shown (every row is on screen)."""
    row = debug_panel(page).locator(f'[data-path="{path}"]')
    row.get_by_role("button", name=f"{path}:").click()
    return row.get_by_role("tree", name="Output of")


def test_a_date_helper_step_shows_its_properties_and_its_output(
    page: Page, stages: Stages, live_server, celery_worker
):
    # Given a workflow of helper steps
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow = api_post(
        page, "/api/workflows/", {"name": "Renewal review", "definition": renewal_definition()}
    )

    # When its date step is opened in the builder
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")
    step_card(page, "date-1").click()

    # Then the properties panel shows the operation's properties, with its choices and defaults
    panel = properties_panel(page)
    expect(panel.get_by_role("textbox", name="Date", exact=True)).to_have_value(
        "2026-03-28T12:00:00"
    )
    expect(select_input(panel, "Unit")).to_have_value("Days")
    expect(select_input(panel, "Time zone")).to_have_value("Europe/Berlin")
    stages.shot("date helper properties")

    # And a run shows each helper's output, the date a calendar day later across the change
    run_workflow(page)
    wait_run_status(page, "Succeeded")
    expect(output_of(page, "date-1")).to_contain_text('"2026-03-29T12:00:00+02:00"')
    expect(output_of(page, "math-1")).to_contain_text("1200.5")
    expect(output_of(page, "filter-1")).to_contain_text("count: 1result: [1 item]0: 1200")
    stages.shot("helper outputs in the debug panel")

    # And a list filter's condition reads as Boolean condition's does
    step_card(page, "filter-1").click()
    show_step_tab(page, "Properties")
    expect(select_input(panel, "Comparison")).to_have_value("is greater than")
    expect(panel.get_by_role("combobox", name="List")).to_have_value("$.steps.list-1.result")
    stages.shot("list filter properties")
