"""A draft saved on the server: half-finished in one browser, finished and run in another."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.builder_steps import (
    QUERY,
    add_authentication,
    choose,
    create_workflow,
    first_run_setup,
    key_add_step,
    properties_panel,
    step_card,
    wait_saved,
)
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import api_post, header, run_workflow, wait_run_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEAGUE = {"username": "bob", "password": "another correct horse battery"}
QUERY_REQUIRED = "Search query string is required"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/sign-in")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()


def settled(locator: Locator) -> None:
    """Waits for the element's transitions (a notification sliding in) to end, for a screenshot."""
    locator.evaluate(
        "element => Promise.all(element.getAnimations({subtree: true}).map((a) => a.finished))"
    )


def save_status(page: Page, name: str) -> Locator:
    return page.get_by_role("status", name=f"Save status: {name}", exact=True)


def test_a_draft_left_half_done_by_one_person_is_finished_and_run_by_a_colleague(
    browser: Browser, page: Page, stages: Stages, live_server, patient_worker, fake_totango
):
    base = live_server.url
    # Given Ada, the owner, and Bob, a member of her organisation
    ada_context = browser.new_context(viewport={"width": 1440, "height": 900})
    ada_context.set_default_timeout(10_000)
    ada = ada_context.new_page()
    ada_errors: list[str] = []
    ada.on("pageerror", lambda error: ada_errors.append(str(error)))
    first_run_setup(ada, base, OWNER["username"], OWNER["password"])
    api_post(ada, "/api/organisation/members/", {**COLLEAGUE, "role": "member"})

    # When Ada adds a Totango step (Search accounts) with an organisational authentication but
    # no query yet, and closes her browser
    workflow_id = create_workflow(ada, "Paying accounts")
    key_add_step(ada, "Add step after trigger", "Totango")
    expect(step_card(ada, "totango-1")).to_be_visible()
    add_authentication(
        ada,
        "Totango (team)",
        "Organisational",
        {"API token": "totango-token", "Custom base URL": fake_totango.base_url},
        selects={"Data center": "Custom base URL"},
    )
    panel = properties_panel(ada)
    panel.get_by_role("tab", name="Properties").click()
    choose(ada, panel, "Operation", "Search data raw")
    choose(ada, panel, "Data to search", "Accounts")
    panel.get_by_role("textbox", name="Step title").fill("Search accounts")
    expect(save_status(ada, "Saved as a draft")).to_be_visible()
    expect(header(ada).get_by_role("button", name="Draft: 1 problem")).to_be_visible()
    ada_context.close()
    assert ada_errors == []

    # Then the server has the draft, with its problem
    sign_in(page, base, COLLEAGUE["username"], COLLEAGUE["password"])
    saved = api_get(page, f"/api/workflows/{workflow_id}/")
    assert saved["definition"]["steps"]["totango-1"]["title"] == "Search accounts"
    assert "query" not in saved["definition"]["steps"]["totango-1"]["properties"]
    assert saved["problems"] == [
        {"path": "steps.totango-1.properties.query", "message": QUERY_REQUIRED}
    ]

    # And the dashboard lists it as a draft
    expect(page.get_by_role("link", name="Paying accounts")).to_be_visible()
    expect(page.get_by_text("Draft: 1 problem")).to_be_visible()
    stages.shot("dashboard lists the draft")

    # When Bob opens it, the step is marked with its problem and the header says it is a draft
    page.goto(f"{base}/workflows/{workflow_id}")
    card = step_card(page, "totango-1")
    expect(card).to_contain_text("Search accounts")
    expect(card).to_have_attribute("data-problems", "1")
    expect(card.get_by_role("img", name=f"Needs attention: {QUERY_REQUIRED}")).to_be_visible()
    draft = header(page).get_by_role("button", name="Draft: 1 problem")
    expect(draft).to_be_visible()
    stages.shot("draft opened by a colleague")

    # And presses Run workflow: refused, the problem named, a link to its field
    header(page).get_by_role("button", name="Run workflow").click()
    notice = page.get_by_role("alert").filter(
        has_text="The workflow did not start: 1 problem to fix"
    )
    expect(notice).to_be_visible()
    expect(notice.get_by_test_id("problem-list")).to_have_text(f"totango-1: {QUERY_REQUIRED}")
    settled(notice)
    stages.shot("run refused listing the problem")
    notice.get_by_role("button", name=re.compile(QUERY_REQUIRED)).click()
    expect(notice).to_be_hidden()
    query = properties_panel(page).get_by_role("textbox", name="Search query string", exact=True)
    expect(query).to_be_focused()

    # And picks the problem in the header's list: the step is selected, the field focused
    step_card(page, "trigger").click()
    expect(query).to_be_hidden()
    draft.click()
    problems = page.get_by_role("dialog").get_by_test_id("problem-list")
    expect(problems).to_have_text(f"totango-1: {QUERY_REQUIRED}")
    settled(page.get_by_role("dialog"))
    stages.shot("problems listed in the header")
    problems.get_by_role("button", name=re.compile(QUERY_REQUIRED)).click()
    expect(query).to_be_focused()
    stages.shot("problem field focused")

    # And completes the query: the problem is gone once saved
    query.fill(QUERY)
    wait_saved(page)
    expect(save_status(page, "Saved")).to_be_visible()
    expect(card).to_have_attribute("data-problems", "0")
    expect(card.get_by_role("img", name=re.compile("^Needs attention"))).to_have_count(0)
    assert api_get(page, f"/api/workflows/{workflow_id}/")["problems"] == []
    stages.shot("draft completed")

    # Then Bob runs it, and it succeeds with the Totango step's accounts
    run_workflow(page)
    wait_run_status(page, "Succeeded")
    expect(card).to_have_attribute("data-run-status", "succeeded")
    runs = api_get(page, f"/api/runs/?workflow={workflow_id}")["results"]
    assert [run["status"] for run in runs] == ["succeeded"]
    steps = api_get(page, f"/api/runs/{runs[0]['id']}/steps/")["results"]
    assert [step["path"] for step in steps] == ["trigger", "totango-1"]
    assert steps[1]["input"]["query"] == QUERY
    assert len(steps[1]["output"]["hits"]) == 25
    stages.shot("run succeeded")


def test_a_step_with_several_problems_shows_their_count_and_lists_them(
    page: Page, stages: Stages, live_server
):
    # Given a draft whose Slack step has no channel, no authentication, and a message read from
    # a step that does not run before it
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "slack-1", "type": "normal"}],
        "steps": {
            "slack-1": {
                "connector": "slack",
                "operation": "send_message",
                "properties": {"text": {"type": "jsonpath", "value": "$.steps.later.name"}},
            }
        },
    }
    workflow = api_post(page, "/api/workflows/", {"name": "Announce", "definition": definition})
    problems = [problem["message"] for problem in workflow["problems"]]
    assert problems == [
        "$.steps.later.name in property 'text' refers to step 'later', which does not run "
        "before this step",
        "Channel is required",
        "Slack needs an authentication: choose one in the step's Authenticate tab",
    ]

    # When it is opened
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")

    # Then the step's mark counts them, and its tooltip and the header list them
    mark = step_card(page, "slack-1").get_by_role("img", name=re.compile("^Needs attention"))
    expect(mark).to_have_text("3")
    mark.hover()
    tooltip = page.get_by_role("tooltip")
    for message in problems:
        expect(tooltip).to_contain_text(message)
    stages.shot("step with three problems")
    header(page).get_by_role("button", name="Draft: 3 problems").click()
    expect(page.get_by_role("dialog").get_by_test_id("problem-list")).to_contain_text(problems[2])

    # And picking the authentication's problem opens the step's Authenticate tab
    page.get_by_role("dialog").get_by_role(
        "button", name=re.compile("needs an authentication")
    ).click()
    panel = properties_panel(page)
    expect(panel.get_by_role("tab", name="Authenticate")).to_have_attribute("aria-selected", "true")
    expect(panel.get_by_role("combobox", name="Authentication", exact=True)).to_be_focused()
    expect(panel.get_by_text(problems[2])).to_be_visible()
    expect(page.get_by_role("listbox")).to_have_count(0)  # its options not open over it
    stages.shot("authentication problem picked")
