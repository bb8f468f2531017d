"""Error handling in the builder: a Slack step set to Continue in the properties panel, a run in
which Slack refuses one message, and the continued failure marked on the canvas and in the
debug panel while the run succeeds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import (
    first_run_setup,
    key_add_step,
    properties_panel,
    select_input,
    step_card,
    wait_saved,
)
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import api_post, debug_panel, run_workflow
from tests.browser.test_run_debugging import walkthrough_workflow
from tests.helpers import walkthrough_definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_step_set_to_continue_marks_its_failure_and_the_run_succeeds(
    page: Page, stages: Stages, live_server, celery_worker, fake_totango, fake_slack
):
    # Given the walkthrough's workflow, and Slack refusing the 3rd message with channel_not_found
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = walkthrough_workflow(page, fake_totango, fake_slack)
    fake_slack.fail_message_number = 3
    page.goto(f"{live_server.url}/workflows/{workflow_id}")

    # When the Slack step is set to Continue in its properties panel's Error handling section
    step_card(page, "slack-1").click()
    section = properties_panel(page).get_by_role("group", name="Error handling")
    section.scroll_into_view_if_needed()
    expect(section.get_by_role("radio", name="Stop")).to_be_checked()
    section.get_by_text("Continue", exact=True).click()
    expect(section.get_by_role("radio", name="Continue")).to_be_checked()
    expect(section.get_by_test_id("error-mode-description")).to_contain_text(
        "$.steps.slack-1.error.message"
    )
    wait_saved(page)
    saved = api_get(page, f"/api/workflows/{workflow_id}/")["definition"]
    assert saved["steps"]["slack-1"]["error_handling"] == {"mode": "continue"}
    stages.shot("slack step set to continue")

    # And the workflow is run
    run_workflow(page)

    # Then the run succeeds, its header counting the continued failure
    expect(debug_panel(page).get_by_test_id("run-status")).to_have_text(
        "Succeeded · 1 failure continued", timeout=30_000
    )
    # And the canvas marks the Slack step continued, with Slack's error beside it
    card = step_card(page, "slack-1")
    expect(card).to_have_attribute("data-run-status", "continued")
    expect(card.get_by_role("img", name="Failed, continued")).to_be_visible()
    expect(page.get_by_role("status", name="slack-1 failed and continued")).to_contain_text(
        "channel_not_found"
    )
    expect(step_card(page, "totango-1")).to_have_attribute("data-run-status", "succeeded")
    stages.shot("continued failure on the canvas")

    # And the debug panel's status filter finds the one continued step run, marked with its error
    panel = debug_panel(page)
    select_input(panel, "Filter step runs by status").click()
    page.get_by_role("option", name="Failed, continued", exact=True).click()
    # (the one step run, under its loop and iteration)
    rows = panel.get_by_role("list", name="Step runs").locator('[data-path$=".slack-1"]')
    expect(rows).to_have_count(1)
    expect(panel).to_contain_text("1 matching")
    path = rows.first.get_attribute("data-path")
    assert re.fullmatch(r"loop-1\[\d+\]\.slack-1", path or ""), path
    # (a short list: no scrolling to find the row)
    row = rows.first
    row.get_by_role("button", name=f"{path}:").click()
    expect(row.get_by_role("img", name="Failed, continued").first).to_be_visible()
    expect(row.get_by_test_id("continued-failure")).to_contain_text("channel_not_found")
    stages.shot("continued step run in the debug panel")

    # And the API agrees: one continued step run carrying Slack's error, the other messages sent
    run_id = panel.get_by_role("option", selected=True).get_attribute("data-run-id")
    run = api_get(page, f"/api/runs/{run_id}/")
    assert run["status"] == "succeeded"
    assert run["continued_failures"] == 1
    continued = api_get(page, f"/api/runs/{run_id}/steps/?status=continued")
    assert continued["count"] == 1
    assert continued["results"][0]["output"]["error"]["message"]
    assert "channel_not_found" in str(continued["results"][0]["output"]["error"])


def test_error_lane_retry_and_alert_workflow_set_in_the_builder(
    page: Page, stages: Stages, live_server
):
    # Given the walkthrough's workflow (not run: no authentications) and a workflow with the
    # Alert trigger
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    alert = api_post(
        page,
        "/api/workflows/",
        {
            "name": "Tell the team",
            "definition": {
                "trigger": {"connector": "alert", "operation": "alert", "properties": {}},
                "steps_structure": [],
                "steps": {},
            },
        },
    )
    workflow = api_post(
        page,
        "/api/workflows/",
        {
            "name": "Totango accounts to Slack",
            "definition": walkthrough_definition(totango_auth=None, slack_auth=None),
        },
    )
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")

    # When the Slack step takes an error lane, with a retry
    step_card(page, "slack-1").click()
    section = properties_panel(page).get_by_role("group", name="Error handling")
    section.scroll_into_view_if_needed()
    section.get_by_text("Error lane", exact=True).click()
    expect(section.get_by_role("radio", name="Error lane")).to_be_checked()
    section.get_by_role("switch", name="Retry before giving up").click()
    expect(section.get_by_role("textbox", name="Attempts")).to_have_value("3")
    expect(section).to_contain_text(
        "Retries up to 2 times, waiting 1 s then doubling (at most 60 s)."
    )
    section.get_by_text("Retries up to 2 times").scroll_into_view_if_needed()
    stages.shot("error lane chosen, with a retry")

    # Then the canvas draws its "On failure" lane, and its + adds a step into it
    lane_start = "Add step at the start of the On failure lane of slack-1"
    expect(page.get_by_role("button", name=lane_start, exact=True)).to_be_visible()
    expect(page.get_by_text("On failure", exact=True)).to_be_visible()
    key_add_step(page, lane_start, "Slack")
    expect(step_card(page, "slack-2")).to_be_visible()
    properties_panel(page).get_by_role("textbox", name="Channel", exact=True).fill("#fallback")
    wait_saved(page)
    saved = api_get(page, f"/api/workflows/{workflow['id']}/")["definition"]
    assert saved["steps"]["slack-1"]["error_handling"] == {
        "mode": "error_lane",
        "retry": {
            "attempts": 3,
            "backoff": "exponential",
            "delay_seconds": 1,
            "max_delay_seconds": 60,
        },
    }
    loop = next(node for node in saved["steps_structure"] if node["name"] == "loop-1")
    assert loop["content"]["_loop"] == [
        {
            "name": "slack-1",
            "type": "normal",
            "content": {"_error": [{"name": "slack-2", "type": "normal"}]},
        }
    ]
    stages.shot("error lane with a step, and a retry")

    # When Continue is chosen instead, the lane's steps go once confirmed
    step_card(page, "slack-1").click()
    section.get_by_text("Continue", exact=True).click()
    confirm = page.get_by_role("dialog", name="Remove the error lane?")
    expect(confirm).to_contain_text("slack-2")
    # (once the dialog has faded in)
    confirm.evaluate(
        "element => Promise.all(element.getAnimations({subtree: true}).map((a) => a.finished))"
    )
    stages.shot("confirm removing the error lane")
    confirm.get_by_role("button", name="Remove lane and steps").click()
    expect(step_card(page, "slack-2")).to_have_count(0)
    expect(section.get_by_role("radio", name="Continue")).to_be_checked()
    wait_saved(page)
    saved = api_get(page, f"/api/workflows/{workflow['id']}/")["definition"]
    assert "slack-2" not in saved["steps"]
    assert saved["steps"]["slack-1"]["error_handling"]["mode"] == "continue"

    # And the workflow's settings name the alert workflow (only Alert-triggered ones offered)
    page.locator("header").get_by_role("button", name="Workflow settings").click()
    settings = page.get_by_role("dialog", name="Workflow settings")
    select_input(settings, "Alert workflow").click()
    expect(page.get_by_role("option")).to_have_count(1)
    page.get_by_role("option", name="Tell the team", exact=True).click()
    stages.shot("alert workflow setting")
    settings.get_by_role("button", name="Save").click()
    expect(settings).to_be_hidden()
    assert api_get(page, f"/api/workflows/{workflow['id']}/")["alert_workflow"] == alert["id"]

    # And Continue loop and Terminate come from the catalogue, without error handling
    step_card(page, "loop-1").click()
    select_input(properties_panel(page), "Operation").click()
    expect(page.get_by_role("option", name="Continue loop", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    key_add_step(page, "Add step after loop-1", "Terminate")
    panel = properties_panel(page)
    expect(panel.get_by_role("textbox", name="Step title")).to_have_value("Terminate")
    expect(panel.get_by_role("group", name="Error handling")).to_have_count(0)
    stages.shot("terminate step")
