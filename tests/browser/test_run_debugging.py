"""Running the walkthrough's workflow from the builder: a failing Slack message, the debug panel, retry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import first_run_setup, properties_panel, step_card, wait_saved
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import (
    api_post,
    debug_panel,
    header,
    open_step_run,
    reveal,
    run_workflow,
    show_step_tab,
    tree_text,
    wait_run_status,
)
from tests.helpers import SLACK_TOKEN, TOTANGO_TOKEN, walkthrough_definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def walkthrough_workflow(page: Page, fake_totango, fake_slack) -> str:
    """The guide's workflow and its two authentications, saved through the API; returns its id."""
    totango = api_post(
        page,
        "/api/authentications/",
        {
            "name": "Totango (Ada)",
            "connector": "totango",
            "scope": "personal",
            "fields": {
                "api_token": TOTANGO_TOKEN,
                "data_center": "custom",
                "base_url": fake_totango.base_url,
            },
        },
    )
    slack = api_post(
        page,
        "/api/authentications/",
        {
            "name": "Slack (Ada)",
            "connector": "slack",
            "scope": "personal",
            "fields": {"bot_token": SLACK_TOKEN, "base_url": fake_slack.base_url + "/api/"},
        },
    )
    definition = walkthrough_definition(totango_auth=totango["id"], slack_auth=slack["id"])
    workflow = api_post(
        page, "/api/workflows/", {"name": "Totango accounts to Slack", "definition": definition}
    )
    return workflow["id"]


def test_failed_run_shown_then_retried_from_the_failed_step(
    page: Page, stages: Stages, live_server, celery_worker, fake_totango, fake_slack
):
    # Given the walkthrough's workflow, and Slack refusing the 3rd message with channel_not_found
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = walkthrough_workflow(page, fake_totango, fake_slack)
    fake_slack.fail_message_number = 3
    page.goto(f"{live_server.url}/workflows/{workflow_id}")
    expect(step_card(page, "slack-1")).to_be_visible()
    header(page).get_by_role("button", name="Debug").click()
    expect(debug_panel(page)).to_contain_text("No runs yet")
    stages.shot("debug panel before the first run")
    debug_panel(page).get_by_role("button", name="Close the debug panel").click()
    expect(debug_panel(page)).to_have_count(0)

    # When it is run with a payload kept for the workflow: Trigger payload → JSON → Keep and run
    header(page).get_by_role("button", name="Trigger payload").click()
    editor = page.get_by_role("group", name="Trigger payload")
    editor.get_by_role("textbox", name="Trigger payload JSON").fill('{"source": "browser test"')
    expect(editor).to_contain_text("Not valid JSON")
    editor.get_by_role("textbox", name="Trigger payload JSON").fill('{"source": "browser test"}')
    stages.shot("trigger payload")
    editor.get_by_role("button", name="Keep and run").click()
    expect(debug_panel(page)).to_be_visible()
    wait_run_status(page, "Failed")

    # Then the canvas marks the Slack step (and its loop) failed, with the Slack error beside it
    expect(step_card(page, "slack-1")).to_have_attribute("data-run-status", "failed")
    expect(step_card(page, "loop-1")).to_have_attribute("data-run-status", "failed")
    expect(step_card(page, "totango-1")).to_have_attribute("data-run-status", "succeeded")
    expect(step_card(page, "slack-1").get_by_role("alert")).to_contain_text("channel_not_found")
    expect(step_card(page, "loop-1").get_by_label("Loop progress 2 of 25")).to_be_visible()
    panel = debug_panel(page)
    expect(panel.get_by_role("alert").first).to_contain_text("loop-1[2].slack-1")
    expect(panel.get_by_role("alert").first).to_contain_text("channel_not_found")
    stages.shot("failed run")

    # And the debug panel shows iterations 1 and 2 succeeded and 3 failed with the Slack error
    for index, status in ((0, "succeeded"), (1, "succeeded"), (2, "failed")):
        iteration = reveal(page, f'[data-key="loop-1[{index}]"]')
        expect(iteration).to_have_attribute("data-status", status)
        expect(iteration.get_by_role("img", name=status.capitalize())).to_be_visible()
    failed = open_step_run(page, "loop-1[2].slack-1")
    expect(failed.get_by_role("alert")).to_contain_text("channel_not_found")
    assert '"New paying account: Account 0003"' in tree_text(failed, "Input")
    assert panel.locator('[data-key="loop-1[3]"]').count() == 0
    stages.shot("failed iteration in the debug panel")
    assert [message["text"] for message in fake_slack.messages] == [
        "New paying account: Account 0001",
        "New paying account: Account 0002",
    ]
    failed_run = api_get(page, f"/api/runs/?workflow={workflow_id}")["results"][0]
    assert failed_run["trigger_payload"] == {"source": "browser test"}

    # Searching the run's step runs asks the server, and groups what it finds: the search's
    # output, the loop's input (the list) and the second message
    panel.get_by_role("textbox", name="Search step runs").fill("Account 0002")
    expect(panel).to_contain_text("3 matching")
    expect(panel.locator('[data-path="loop-1"]')).to_be_visible()
    expect(panel.locator('[data-path="loop-1[1].slack-1"]')).to_be_visible()
    expect(panel.locator('[data-path="totango-1"]')).to_be_visible()
    expect(panel.locator('[data-path="loop-1[0].slack-1"]')).to_have_count(0)
    stages.shot("search")
    panel.get_by_role("button", name="Clear the search").click()

    # When the channel is fixed (its id in place of its name): the step clicked on the canvas shows
    # its data in the run, its properties one click away
    step_card(page, "slack-1").click()
    expect(panel.get_by_role("group", name="Step run loop-1[0].slack-1")).to_be_visible()
    show_step_tab(page, "Properties")
    channel = properties_panel(page).get_by_role("textbox", name="Channel", exact=True)
    channel.fill("C0000000001")
    wait_saved(page)
    # And the run retried from the failed step
    panel.get_by_role("button", name="Whole run").click()
    panel.get_by_role("button", name="Retry from failed step").click()
    wait_run_status(page, "Succeeded")

    # Then only the remaining messages were sent: 25 in all, each account once, in order
    assert [message["text"] for message in fake_slack.messages] == [
        f"New paying account: Account {number:04d}" for number in range(1, 26)
    ]
    runs = panel.get_by_role("listbox", name="Runs of this workflow").get_by_role("option")
    expect(runs).to_have_count(2)
    expect(runs.first).to_contain_text(re.compile("Succeeded.*retry", re.S))
    expect(step_card(page, "slack-1")).to_have_attribute("data-run-status", "succeeded")
    expect(step_card(page, "loop-1").get_by_label("Loop progress 25 of 25")).to_be_visible()
    # The steps before the failure were reused, not executed again
    reused = open_step_run(page, "loop-1[0].slack-1")
    expect(reused.get_by_text("reused", exact=True)).to_be_visible()
    retried = api_get(page, f"/api/runs/?workflow={workflow_id}")["results"][0]
    assert retried["retry_of"] == failed_run["id"]
    stages.shot("retried from the failed step")


def test_running_workflow_cancelled_from_the_header(
    page: Page, stages: Stages, live_server, patient_worker, fake_totango, fake_slack
):
    # Given the walkthrough's workflow, Slack holding its 3rd message
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = walkthrough_workflow(page, fake_totango, fake_slack)
    fake_slack.hold()
    fake_slack.let_through(2)
    page.goto(f"{live_server.url}/workflows/{workflow_id}")

    # When it is run, then cancelled while the loop waits on Slack
    run_workflow(page)
    fake_slack.wait_until_held(1)
    expect(step_card(page, "loop-1")).to_have_attribute("data-run-status", "running")
    expect(step_card(page, "loop-1").get_by_label(re.compile("^Loop progress"))).to_have_text(
        "2 / 25"
    )
    header(page).get_by_role("button", name="Cancel").click()
    wait_run_status(page, "Cancelled")
    # (Slack then answers the held message, and serves the run's connections to their end)
    fake_slack.release()
    fake_slack.wait_until_idle()

    # Then the run stopped part-way: the loop is marked cancelled, nothing sent after the
    # message in flight
    expect(step_card(page, "loop-1")).to_have_attribute("data-run-status", "cancelled")
    expect(step_card(page, "totango-1")).to_have_attribute("data-run-status", "succeeded")
    expect(header(page).get_by_role("button", name="Cancel")).to_have_count(0)
    run = api_get(page, f"/api/runs/?workflow={workflow_id}")["results"][0]
    assert run["status"] == "cancelled"
    assert [message["text"] for message in fake_slack.messages] == [
        f"New paying account: Account {number:04d}" for number in range(1, 4)
    ]
    stages.shot("cancelled run")
