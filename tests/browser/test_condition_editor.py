"""Boolean condition's row editor in the builder: a condition built with the connector-snake and
a comparison in words, rows added and removed, and the definition saved in the engine's shape."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import (
    QUERY,
    choose,
    create_workflow,
    first_run_setup,
    properties_panel,
    step_card,
    value_type,
    wait_saved,
)
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.test_builder_walkthrough import drag_connector, snake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED_HEALTH = {
    "type": "object",
    "value": {
        "value1": {"type": "jsonpath", "value": "$.steps.loop-1.value.health"},
        "comparison": {"type": "string", "value": "==="},
        "value2": {"type": "string", "value": "red"},
    },
}


def test_boolean_condition_built_with_the_row_editor_and_the_snake(
    page: Page, stages: Stages, live_server
):
    # Given a workflow searching Totango's accounts and looping over the hits
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = create_workflow(page, "Red accounts")
    panel = properties_panel(page)
    drag_connector(page, "Totango", "Add step after trigger")
    expect(step_card(page, "totango-1")).to_be_visible()
    choose(page, panel, "Operation", "Search data raw")
    choose(page, panel, "Data to search", "Accounts")
    panel.get_by_role("textbox", name="Search query string", exact=True).fill(QUERY)
    drag_connector(page, "Loop collection", "Add step after totango-1")
    expect(step_card(page, "loop-1")).to_be_visible()
    choose(page, panel, "Operation", "Loop list")
    snake(page, "List", "totango-1")
    page.get_by_role("dialog", name="Output properties of totango-1").get_by_role(
        "button", name="hits", exact=True
    ).click()
    expect(value_type(panel, "List")).to_have_attribute("data-value-type", "jsonpath")

    # When a Boolean condition is dropped into the loop
    drag_connector(page, "Boolean condition", "Add step at the start of loop-1")
    expect(step_card(page, "boolean-1")).to_be_visible()
    # Then its conditions are rows (none yet), under an All/Any toggle, with no type menu
    conditions = panel.get_by_role("group", name="Conditions")
    expect(conditions).to_contain_text("No conditions yet")
    expect(panel.get_by_role("radio", name="All conditions")).to_be_checked()
    expect(value_type(panel, "Conditions")).to_have_count(0)
    stages.shot("boolean condition without conditions")

    # When a condition is added, its value mapped by the snake onto the loop's value, .health
    # typed after it, "equals" picked and red typed
    conditions.get_by_role("button", name="Add condition").click()
    snake(page, "Condition 1 value", "loop-1")
    picker = page.get_by_role("dialog", name="Output properties of loop-1")
    expect(picker).to_be_visible()
    stages.shot("snake onto the loop")
    picker.get_by_role("button", name="value", exact=True).click()
    left = panel.get_by_role("combobox", name="Condition 1 value", exact=True)
    expect(left).to_have_value("$.steps.loop-1.value")
    expect(value_type(panel, "Condition 1 value")).to_have_attribute("data-value-type", "jsonpath")
    left.click()
    page.keyboard.press("End")
    page.keyboard.type(".health")
    page.keyboard.press("Escape")
    expect(left).to_have_value("$.steps.loop-1.value.health")
    choose(page, panel, "Condition 1 comparison", "does not equal")
    choose(page, panel, "Condition 1 comparison", "equals")
    panel.get_by_role("textbox", name="Condition 1 compared with", exact=True).fill("red")
    wait_saved(page)
    stages.shot("condition health equals red")

    # Then the saved definition holds the condition in the shape the engine reads
    saved = api_get(page, f"/api/workflows/{workflow_id}/")["definition"]
    assert saved["steps"]["boolean-1"] == {
        "connector": "boolean",
        "operation": "boolean_condition",
        "properties": {"conditions": {"type": "array", "value": [RED_HEALTH]}},
    }
    assert saved["steps_structure"][1]["content"]["_loop"] == [
        {
            "name": "boolean-1",
            "type": "branch",
            "content": {"true": [], "false": []},
        }
    ]

    # When a second row is added, set to "is empty" and the conditions to Any
    conditions.get_by_role("button", name="Add condition").click()
    expect(
        panel.get_by_role("textbox", name="Condition 2 compared with", exact=True)
    ).to_be_visible()
    choose(page, panel, "Condition 2 comparison", "is empty")
    panel.get_by_text("Any condition", exact=True).click()
    # Then "is empty" has no value to compare with, and the rows read "or"
    expect(
        panel.get_by_role("textbox", name="Condition 2 compared with", exact=True)
    ).to_have_count(0)
    expect(
        panel.get_by_role("textbox", name="Condition 1 compared with", exact=True)
    ).to_have_value("red")
    expect(conditions.get_by_text("or", exact=True)).to_be_visible()
    stages.shot("second condition is empty")

    # When the second row is removed
    conditions.get_by_role("button", name="Remove condition 2").click()
    expect(conditions.locator("[data-condition]")).to_have_count(1)
    wait_saved(page)

    # Then the definition is back to the one condition, matched with Any
    saved = api_get(page, f"/api/workflows/{workflow_id}/")["definition"]
    assert saved["steps"]["boolean-1"] == {
        "connector": "boolean",
        "operation": "boolean_condition",
        "properties": {
            "strictness": {"type": "string", "value": "Any"},
            "conditions": {"type": "array", "value": [RED_HEALTH]},
        },
    }
    # And after a reload the rows show it again
    page.reload()
    step_card(page, "boolean-1").click()
    expect(panel.get_by_role("combobox", name="Condition 1 value", exact=True)).to_have_value(
        "$.steps.loop-1.value.health"
    )
    expect(panel.get_by_role("combobox", name="Condition 1 comparison", exact=True)).to_have_value(
        "equals"
    )
    expect(panel.get_by_role("radio", name="Any condition")).to_be_checked()
    stages.shot("condition after reload")


def test_branch_cases_are_rows_and_a_field_decides_its_type(
    page: Page, stages: Stages, live_server
):
    # Given a workflow with a Branch after its trigger
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = create_workflow(page, "Health lanes")
    panel = properties_panel(page)
    drag_connector(page, "Branch", "Add step after trigger")
    expect(step_card(page, "branch-1")).to_be_visible()
    expect(panel.get_by_role("group", name="Cases")).to_contain_text("No cases yet")

    # When `$.` is typed at the start of the value to test, the field becomes a jsonpath
    value = panel.get_by_role("textbox", name="Value to test", exact=True)
    expect(value_type(panel, "Value to test")).to_have_attribute("data-value-type", "string")
    value.click()
    page.keyboard.type("$.steps.trigger.health")
    page.keyboard.press("Escape")
    expect(value_type(panel, "Value to test")).to_have_attribute("data-value-type", "jsonpath")
    expect(panel.get_by_role("combobox", name="Value to test", exact=True)).to_have_value(
        "$.steps.trigger.health"
    )
    # (the explicit type is one click away)
    value_type(panel, "Value to test").click()
    expect(page.get_by_role("menuitem", name="Jsonpath", exact=True)).to_be_visible()
    stages.shot("value type menu")
    page.keyboard.press("Escape")
    expect(page.get_by_role("menuitem", name="Jsonpath", exact=True)).to_be_hidden()

    # And a case is added: run lane red when the value equals red
    cases = panel.get_by_role("group", name="Cases")
    cases.get_by_role("button", name="Add case").click()
    cases.get_by_role("textbox", name="Case 1 lane", exact=True).fill("red")
    cases.get_by_role("textbox", name="Case 1 value", exact=True).fill("red")
    wait_saved(page)
    stages.shot("branch case red")

    # Then the canvas shows the red lane, and the definition holds the case in the engine's shape
    expect(page.locator('[data-lane="red"]')).to_be_visible()
    expect(page.locator('[data-lane="default"]')).to_be_visible()
    saved = api_get(page, f"/api/workflows/{workflow_id}/")["definition"]
    assert saved["steps"]["branch-1"] == {
        "connector": "branch",
        "operation": "branch",
        "properties": {
            "value": {"type": "jsonpath", "value": "$.steps.trigger.health"},
            "cases": {
                "type": "array",
                "value": [
                    {
                        "type": "object",
                        "value": {
                            "lane": {"type": "string", "value": "red"},
                            "value": {"type": "string", "value": "red"},
                        },
                    }
                ],
            },
        },
    }
    assert sorted(saved["steps_structure"][0]["content"]) == ["default", "red"]
