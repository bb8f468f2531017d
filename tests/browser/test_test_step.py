"""Test step in the properties panel: a step inside the loop after a run, and a new step on sample
data whose output the connector-snake then maps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import first_run_setup, properties_panel, step_card, wait_saved
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import (
    api_post,
    debug_panel,
    run_workflow,
    show_step_tab,
    wait_run_status,
)
from tests.browser.test_builder_walkthrough import snake
from tests.browser.test_run_debugging import walkthrough_workflow
from tests.helpers import jsonpath, string, typed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_section(page: Page):
    return properties_panel(page).get_by_role("group", name="Test step")


test_section.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def test_the_slack_step_inside_the_loop_tested_after_a_run(
    page: Page, stages: Stages, live_server, celery_worker, fake_totango, fake_slack
):
    # Given the connector guide's workflow, run once from the builder
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = walkthrough_workflow(page, fake_totango, fake_slack)
    page.goto(f"{live_server.url}/workflows/{workflow_id}")
    expect(step_card(page, "slack-1")).to_be_visible()
    run_workflow(page)
    wait_run_status(page, "Succeeded")
    sent = len(fake_slack.messages)

    # When the Slack step inside the loop is opened and tested, confirming the question
    step_card(page, "slack-1").click()
    show_step_tab(page, "Properties")
    section = test_section(page)
    expect(section.get_by_role("textbox", name="Sample data")).to_have_value(
        re.compile('"totango-1": ')
    )
    expect(section.get_by_role("textbox", name="Loop iteration")).to_have_value("0")
    stages.shot("test step section after a run")
    section.get_by_role("button", name="Test step").click()
    question = page.get_by_role("dialog", name="Test this step?")
    expect(question).to_contain_text(
        "Testing slack-1 runs Slack: Send message for real, which changes things in Slack."
    )
    stages.shot("confirmation")
    question.get_by_role("button", name="Test anyway").click()

    # Then its resolved input (the first iteration's text and channel) and its output show inline
    result = section.get_by_test_id("test-step-result")
    tested_input = result.get_by_role("tree", name="Test input for slack-1")
    expect(tested_input).to_contain_text('"New paying account: Account 0001"')
    expect(tested_input).to_contain_text('"#customer-success"')
    expect(result.get_by_role("tree", name="Test output for slack-1")).to_contain_text("message")
    expect(result).to_contain_text("loop-1 iteration 0")
    result.scroll_into_view_if_needed()
    stages.shot("tested slack step")
    assert [message["text"] for message in fake_slack.messages[sent:]] == [
        "New paying account: Account 0001"
    ]
    # And nothing was recorded as a run
    assert len(api_get(page, f"/api/runs/?workflow={workflow_id}")["results"]) == 1
    expect(debug_panel(page)).to_be_visible()


def mapper_then_change_case() -> dict:
    """A Data mapper reading the trigger's account, then a step that will read the mapper."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "data_mapper-1", "type": "normal"},
            {"name": "text_helpers-1", "type": "normal"},
        ],
        "steps": {
            "data_mapper-1": {
                "connector": "data_mapper",
                "operation": "map_fields",
                "properties": {
                    "data": jsonpath("$.steps.trigger.account"),
                    "mappings": typed(
                        [
                            {"from": "display_name", "to": "company"},
                            {"from": "health", "to": "health"},
                        ]
                    ),
                },
            },
            "text_helpers-1": {
                "connector": "text_helpers",
                "operation": "change_case",
                "properties": {"text": string("placeholder"), "case": string("upper")},
            },
        },
    }


def test_a_new_step_tested_on_sample_data_then_its_output_mapped_by_the_snake(
    page: Page, stages: Stages, live_server
):
    # Given a workflow never run: a Data mapper, then a Change case step
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow = api_post(
        page, "/api/workflows/", {"name": "Mapper", "definition": mapper_then_change_case()}
    )
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")
    step_card(page, "data_mapper-1").click()
    section = test_section(page)
    sample = section.get_by_role("textbox", name="Sample data")
    expect(sample).to_have_value("{}")
    expect(section).to_contain_text("No run yet")
    stages.shot("test step section before any run")

    # When it is tested on no data, it fails as a run would, naming the path
    section.get_by_role("button", name="Test step").click()
    expect(section.get_by_test_id("test-step-result").get_by_role("alert")).to_contain_text(
        "$.steps.trigger.account in property 'data' did not resolve"
    )
    stages.shot("tested without data")

    # When sample data is edited and the step tested
    sample.fill('{"trigger": {"account": {"display_name": "Acme Corp", "health": "good"}}}')
    section.get_by_role("button", name="Test step").click()

    # Then its input and output show inline
    result = section.get_by_test_id("test-step-result")
    expect(result.get_by_role("tree", name="Test output for data_mapper-1")).to_contain_text(
        '"Acme Corp"'
    )
    expect(result).to_contain_text("Read the sample data")
    result.scroll_into_view_if_needed()
    stages.shot("tested on sample data")

    # When its output is used, and the later step's Text is snaked onto it
    section.get_by_role("button", name="Use output").click()
    expect(page.get_by_text("Output of data_mapper-1 in use")).to_be_visible()
    step_card(page, "text_helpers-1").click()
    # (its own Test step starts from that output)
    expect(test_section(page).get_by_role("textbox", name="Sample data")).to_have_value(
        re.compile('"company": "Acme Corp"')
    )
    snake(page, "Text", "data_mapper-1")
    picker = page.get_by_role("dialog", name="Output properties of data_mapper-1")
    picker.get_by_role("button", name="Show the properties of result").click()
    stages.shot("snake offers the tested output")
    picker.get_by_role("button", name="company", exact=True).click()

    # Then the field is mapped to the tested output's field, and saved so
    expect(properties_panel(page).get_by_role("combobox", name="Text", exact=True)).to_have_value(
        "$.steps.data_mapper-1.result.company"
    )
    wait_saved(page)
    saved = api_get(page, f"/api/workflows/{workflow['id']}/")
    assert saved["definition"]["steps"]["text_helpers-1"]["properties"]["text"] == {
        "type": "jsonpath",
        "value": "$.steps.data_mapper-1.result.company",
    }
    assert api_get(page, f"/api/runs/?workflow={workflow['id']}")["results"] == []
