"""The Totango connector guide built in the browser, with the mouse and with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import (
    QUERY,
    add_authentication,
    choose,
    create_workflow,
    first_run_setup,
    key_add_authentication,
    key_add_step,
    key_choose,
    key_choose_value_type,
    key_focus,
    key_type,
    properties_panel,
    step_card,
    value_type,
    wait_saved,
)
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import (
    debug_panel,
    header,
    open_step_run,
    reveal,
    run_workflow,
    tree_text,
    wait_run_status,
)
from tests.helpers import walkthrough_definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expected_definition(totango_auth: str, slack_auth: str) -> dict:
    """What the guide's steps produce: the message mapped by the snake to the display name."""
    return walkthrough_definition(
        totango_auth=totango_auth,
        slack_auth=slack_auth,
        query=QUERY,
        text={"type": "jsonpath", "value": "$.steps.loop-1.value.display_name"},
    )


def drag_connector(page: Page, title: str, drop_zone: str) -> None:
    """Searches the connectors panel and drags the connector onto a drop zone with the mouse."""
    panel = page.get_by_role("complementary", name="Connectors panel")
    panel.get_by_role("textbox", name="Search connectors").fill(title)
    item = panel.get_by_role("button", name=title, exact=True)
    item.drag_to(page.get_by_role("button", name=drop_zone, exact=True))


def snake(page: Page, field: str, target_step: str) -> None:
    """Presses the field's mapping icon and drags the connector-snake onto a step."""
    icon = properties_panel(page).get_by_role("button", name=f"{field} mapping icon", exact=True)
    start = icon.bounding_box()
    end = step_card(page, target_step).bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_walkthrough_built_with_the_mouse_then_run_and_debugged(
    page: Page, stages: Stages, live_server, patient_worker, fake_totango, fake_slack
):
    base = live_server.url
    # Given a fresh install: the owner is created on the first-run screen
    first_run_setup(page, base, OWNER["username"], OWNER["password"])
    stages.shot("dashboard")

    # When the guide is followed: create the workflow with the Manual trigger
    workflow_id = create_workflow(page, "Totango accounts to Slack", stages.shot)
    stages.shot("empty builder")

    # Drag Totango on
    drag_connector(page, "Totango", "Add step after trigger")
    expect(step_card(page, "totango-1")).to_be_visible()
    expect(step_card(page, "totango-1").get_by_role("img", name="Needs attention")).to_be_visible()
    stages.shot("totango dropped")

    # Authenticate → Add new authentication → name and Personal → API token → Create authentication
    add_authentication(
        page,
        "Totango (Ada)",
        "Personal",
        {"API token": "totango-token", "Custom base URL": fake_totango.base_url},
        selects={"Data center": "Custom base URL"},
        shot=stages.shot,
    )
    stages.shot("totango authenticated")

    # Search data raw, Accounts, paste the query; rename the step
    panel = properties_panel(page)
    panel.get_by_role("tab", name="Properties").click()
    choose(page, panel, "Operation", "Search data raw")
    choose(page, panel, "Data to search", "Accounts")
    panel.get_by_role("textbox", name="Search query string", exact=True).fill(QUERY)
    panel.get_by_role("textbox", name="Step title").fill("Search accounts")
    expect(step_card(page, "totango-1")).to_contain_text("Search accounts")
    expect(step_card(page, "totango-1").get_by_role("img", name="Needs attention")).to_have_count(0)
    wait_saved(page)
    stages.shot("totango configured")

    # Drag Loop collection as the next step, Loop list, snake from List to the Totango step: hits
    drag_connector(page, "Loop collection", "Add step after totango-1")
    expect(step_card(page, "loop-1")).to_be_visible()
    choose(page, panel, "Operation", "Loop list")
    snake(page, "List", "totango-1")
    picker = page.get_by_role("dialog", name="Output properties of totango-1")
    expect(picker).to_be_visible()
    stages.shot("snake onto totango")
    picker.get_by_role("button", name="hits", exact=True).click()
    expect(value_type(panel, "List")).to_have_attribute("data-value-type", "jsonpath")
    expect(panel.get_by_role("combobox", name="List", exact=True)).to_have_value(
        "$.steps.totango-1.hits"
    )
    stages.shot("loop list mapped")

    # Drag Slack into the loop, authenticate it, Send message
    drag_connector(page, "Slack", "Add step at the start of loop-1")
    expect(step_card(page, "slack-1")).to_be_visible()
    add_authentication(
        page,
        "Slack (Ada)",
        "Personal",
        {"Bot token": "xoxb-test-token", "Base URL": fake_slack.base_url + "/api/"},
    )
    panel.get_by_role("tab", name="Properties").click()
    choose(page, panel, "Operation", "Send message")
    panel.get_by_role("textbox", name="Channel", exact=True).fill("#customer-success")

    # Snake from the message onto the loop and pick value → display_name
    snake(page, "Message", "loop-1")
    picker = page.get_by_role("dialog", name="Output properties of loop-1")
    picker.get_by_role("button", name="Show the properties of value").click()
    stages.shot("snake onto loop")
    picker.get_by_role("button", name="display_name", exact=True).click()
    expect(panel.get_by_role("combobox", name="Message", exact=True)).to_have_value(
        "$.steps.loop-1.value.display_name"
    )
    wait_saved(page)
    expect(page.locator("[data-invalid=true]")).to_have_count(0)
    stages.shot("walkthrough built")

    # Then, after a reload, the saved definition is the one the steps produce
    page.reload()
    expect(step_card(page, "slack-1")).to_be_visible()
    step_card(page, "slack-1").click()
    expect(panel.get_by_role("combobox", name="Message", exact=True)).to_have_value(
        "$.steps.loop-1.value.display_name"
    )
    stages.shot("after reload")
    authentications = {
        item["connector"]: item["id"] for item in api_get(page, "/api/authentications/")["results"]
    }
    saved = api_get(page, f"/api/workflows/{workflow_id}/")
    assert saved["definition"] == expected_definition(
        authentications["totango"], authentications["slack"]
    )

    # When the walkthrough's last step is taken: Run workflow (Slack holding the 4th message
    # until the run has been watched as it goes)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    fake_slack.hold()
    fake_slack.let_through(3)
    run_workflow(page)
    fake_slack.wait_until_held(1)

    # Then, while it runs, the canvas shows the Totango step done, the loop's progress, and the
    # step runs appear in the debug panel without a reload
    expect(step_card(page, "totango-1")).to_have_attribute("data-run-status", "succeeded")
    expect(step_card(page, "loop-1")).to_have_attribute("data-run-status", "running")
    expect(step_card(page, "slack-1")).to_have_attribute("data-run-status", "running")
    expect(step_card(page, "loop-1").get_by_label(re.compile("^Loop progress"))).to_have_text(
        "3 / 25"
    )
    expect(debug_panel(page).locator('[data-path="loop-1[2].slack-1"]')).to_be_visible()
    expect(header(page).get_by_role("button", name="Cancel")).to_be_visible()
    stages.shot("run in progress")
    fake_slack.release()
    wait_run_status(page, "Succeeded")
    expect(header(page).get_by_role("button", name="Cancel")).to_have_count(0)

    # Then the canvas shows the Totango step, the loop (25 / 25) and the Slack step succeeded
    for name in ("trigger", "totango-1", "loop-1", "slack-1"):
        expect(step_card(page, name)).to_have_attribute("data-run-status", "succeeded")
    expect(step_card(page, "loop-1").get_by_label("Loop progress 25 of 25")).to_have_text("25 / 25")
    panel = debug_panel(page)
    runs = panel.get_by_role("listbox", name="Runs of this workflow").get_by_role("option")
    expect(runs).to_have_count(1)
    expect(runs.first).to_have_attribute("aria-selected", "true")
    expect(runs.first).to_contain_text("Succeeded")
    expect(panel).to_contain_text("28 step runs")
    stages.shot("run succeeded")

    # And the debug panel shows the Totango step's Input (the query, no token) and Output (hits)
    totango = open_step_run(page, "totango-1")
    totango_input = tree_text(totango, "Input")
    assert '"accounts"' in totango_input
    assert "query" in totango_input
    assert '\\"terms\\": []' in totango_input
    assert '\\"count\\": 1000' in totango_input
    assert "hits" in tree_text(totango, "Output")
    assert "totango-token" not in panel.inner_text()
    assert "xoxb-test-token" not in panel.inner_text()

    # Clicking a key of the Output copies its jsonpath
    output = totango.get_by_role("tree", name="Output of totango-1")
    output.get_by_role("button", name="Expand 0", exact=True).first.click()
    output.get_by_role("button", name="display_name", exact=True).first.click()
    expect(page.get_by_text("$.steps.totango-1.hits[0].display_name")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "$.steps.totango-1.hits[0].display_name"
    )
    stages.shot("totango input and output")

    # And 25 iterations, each with the Slack step's Input (channel, text) and Output (ok, ts)
    for index in range(25):
        iteration = reveal(page, f'[data-key="loop-1[{index}]"]')
        expect(iteration).to_contain_text(f"Iteration {index + 1}")
        message = open_step_run(page, f"loop-1[{index}].slack-1")
        slack_input = tree_text(message, "Input")
        assert '"#customer-success"' in slack_input
        assert f'"Account {index + 1:04d}"' in slack_input
        slack_output = tree_text(message, "Output")
        assert "ok" in slack_output
        assert "true" in slack_output
        assert "ts" in slack_output
        if index == 2:
            stages.shot("third slack message")
    assert [message["text"] for message in fake_slack.messages] == [
        f"Account {number:04d}" for number in range(1, 26)
    ]


def test_walkthrough_built_with_the_keyboard_only(
    page: Page, stages: Stages, live_server, fake_totango, fake_slack
):
    base = live_server.url
    # Given a fresh install, its owner set up and signed in
    first_run_setup(page, base, OWNER["username"], OWNER["password"])

    # When the walkthrough is built with the keyboard: Create new workflow, name, Enter
    key_focus(page.get_by_role("button", name="Create new workflow").first)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Create new workflow")
    expect(dialog.get_by_role("textbox", name="Workflow name")).to_be_focused()
    page.keyboard.type("Totango accounts to Slack (keyboard)")
    expect(dialog.get_by_role("radio", name="Manual")).to_be_checked()
    page.keyboard.press("Enter")
    expect(step_card(page, "trigger")).to_be_visible()
    workflow_id = page.url.rsplit("/", 1)[-1]

    # The "+" picker adds Totango after the trigger
    key_add_step(page, "Add step after trigger", "Totango")
    expect(step_card(page, "totango-1")).to_be_visible()
    key_add_authentication(
        page,
        "Totango (keyboard)",
        "Personal",
        {"API token": "totango-token", "Custom base URL": fake_totango.base_url},
        selects={"Data center": "Custom base URL"},
    )
    panel = properties_panel(page)
    key_focus(panel.get_by_role("tab", name="Properties"))
    page.keyboard.press("Enter")
    key_choose(page, panel, "Operation", "Search data raw")
    key_choose(page, panel, "Data to search", "Accounts")
    key_type(page, panel.get_by_role("textbox", name="Search query string", exact=True), QUERY)
    key_type(page, panel.get_by_role("textbox", name="Step title"), "Search accounts")
    stages.shot("totango by keyboard")

    # Loop collection after it, its List typed as a jsonpath
    key_add_step(page, "Add step after totango-1", "Loop collection")
    expect(step_card(page, "loop-1")).to_be_visible()
    key_choose(page, panel, "Operation", "Loop list")
    key_choose_value_type(page, panel, "List", "jsonpath")
    key_type(page, panel.get_by_role("combobox", name="List", exact=True), "$.steps.totango-1.hits")
    page.keyboard.press("Escape")
    stages.shot("loop by keyboard")

    # Slack inside the loop, authenticated, its Message typed as a jsonpath
    key_add_step(page, "Add step at the start of loop-1", "Slack")
    expect(step_card(page, "slack-1")).to_be_visible()
    key_add_authentication(
        page,
        "Slack (keyboard)",
        "Personal",
        {"Bot token": "xoxb-test-token", "Base URL": fake_slack.base_url + "/api/"},
    )
    key_focus(panel.get_by_role("tab", name="Properties"))
    page.keyboard.press("Enter")
    key_choose(page, panel, "Operation", "Send message")
    key_type(page, panel.get_by_role("textbox", name="Channel", exact=True), "#customer-success")
    # (typing `$.` makes the Message a jsonpath field, which keeps the focus)
    key_type(
        page,
        panel.get_by_role("textbox", name="Message", exact=True),
        "$.steps.loop-1.value.display_name",
    )
    page.keyboard.press("Escape")
    expect(value_type(panel, "Message")).to_have_attribute("data-value-type", "jsonpath")
    expect(panel.get_by_role("combobox", name="Message", exact=True)).to_have_value(
        "$.steps.loop-1.value.display_name"
    )
    wait_saved(page)
    expect(page.locator("[data-invalid=true]")).to_have_count(0)
    stages.shot("walkthrough built by keyboard")

    # Then the saved definition is the same as the mouse-built one
    page.reload()
    expect(step_card(page, "slack-1")).to_be_visible()
    authentications = {
        item["connector"]: item["id"] for item in api_get(page, "/api/authentications/")["results"]
    }
    saved = api_get(page, f"/api/workflows/{workflow_id}/")
    assert saved["definition"] == expected_definition(
        authentications["totango"], authentications["slack"]
    )
