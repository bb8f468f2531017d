"""Reading a run from the canvas: a clicked step's data in the selected run, and the view it opens at."""

from __future__ import annotations

import pytest
from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.browser.builder_steps import first_run_setup, properties_panel, step_card
from tests.browser.conftest import OWNER, Stages
from tests.browser.debug_steps import (
    api_post,
    debug_panel,
    run_workflow,
    show_step_tab,
    tree_text,
    wait_run_status,
)
from tests.browser.test_run_debugging import walkthrough_workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def overlaps(one: FloatRect, other: FloatRect) -> bool:
    return not (
        one["x"] + one["width"] <= other["x"]
        or other["x"] + other["width"] <= one["x"]
        or one["y"] + one["height"] <= other["y"]
        or other["y"] + other["height"] <= one["y"]
    )


def test_clicked_step_shows_its_data_in_the_selected_run_iteration_by_iteration(
    page: Page, stages: Stages, live_server, celery_worker, fake_totango, fake_slack
):
    # Given the connector guide's workflow: 25 accounts found, each posted to Slack in the loop
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow_id = walkthrough_workflow(page, fake_totango, fake_slack)

    # When it is opened, the whole workflow shows: the trigger near the top, the loop's end and
    # the + after it on screen, and the minimap over no step
    page.goto(f"{live_server.url}/workflows/{workflow_id}")
    expect(page.locator("body")).to_have_attribute("data-builder-ready", "true")
    canvas = box(page.locator(".react-flow"))
    minimap = box(page.locator(".react-flow__minimap"))
    trigger = box(step_card(page, "trigger"))
    last = box(page.locator('.react-flow__node[data-id="loop-1"]'))
    assert inside(trigger, canvas)
    assert inside(last, canvas)
    assert inside(box(page.get_by_role("button", name="Add step after loop-1", exact=True)), canvas)
    assert 0 < trigger["y"] - canvas["y"] <= 40, "the trigger sits a small margin below the top"
    for node in page.locator(".react-flow__node-step, .react-flow__node-container").all():
        assert not overlaps(box(node), minimap), (
            f"the minimap covers {node.get_attribute('data-id')}"
        )
    stages.shot("workflow opened")

    # And run
    run_workflow(page)
    wait_run_status(page, "Succeeded", timeout=60_000)
    assert len(fake_slack.messages) == 25
    panel = debug_panel(page)

    # When the Slack step inside the loop is clicked on the canvas
    step_card(page, "slack-1").click()

    # Then its Input and Output for that run show, the first iteration's
    picker = panel.get_by_role("group", name="Iteration of the step")
    expect(picker.get_by_role("textbox", name="Iteration")).to_have_value("1")
    expect(picker.get_by_test_id("iteration-count")).to_have_text("of 25")
    data = panel.get_by_role("group", name="Step run loop-1[0].slack-1")
    expect(data).to_be_visible()
    assert '"New paying account: Account 0001"' in tree_text(data, "Input")
    assert f'"{fake_slack.messages[0]["ts"]}"' in tree_text(data, "Output")
    expect(panel.get_by_role("button", name="Previous iteration")).to_be_disabled()
    # The canvas keeps the run: every step still marked with its status
    expect(step_card(page, "totango-1")).to_have_attribute("data-run-status", "succeeded")
    stages.shot("slack step data first iteration")

    # When iteration 5 is chosen
    picker.get_by_role("textbox", name="Iteration").fill("5")

    # Then the fifth message shows: its text from the 5th account, and Slack's answer to it
    data = panel.get_by_role("group", name="Step run loop-1[4].slack-1")
    expect(data).to_be_visible()
    fifth = fake_slack.messages[4]
    assert fifth["text"] == "New paying account: Account 0005"
    assert '"New paying account: Account 0005"' in tree_text(data, "Input")
    assert f'"{fifth["channel"]}"' in tree_text(data, "Output")
    assert f'"{fifth["ts"]}"' in tree_text(data, "Output")
    stages.shot("slack step data iteration 5")
    # Next and previous step through the iterations
    panel.get_by_role("button", name="Next iteration").click()
    expect(panel.get_by_role("group", name="Step run loop-1[5].slack-1")).to_be_visible()
    assert '"New paying account: Account 0006"' in tree_text(
        panel.get_by_role("group", name="Step run loop-1[5].slack-1"), "Input"
    )
    panel.get_by_role("button", name="Previous iteration").click()
    expect(panel.get_by_role("group", name="Step run loop-1[4].slack-1")).to_be_visible()

    # When its properties are asked for: they are one click away, the run still selected
    show_step_tab(page, "Properties")
    expect(panel.get_by_role("complementary", name="Properties panel")).to_be_visible()
    expect(properties_panel(page).get_by_role("textbox", name="Channel", exact=True)).to_have_value(
        "#customer-success"
    )
    stages.shot("slack step properties in the debug panel")

    # When another step is clicked it shows on the tab last chosen (its properties), and
    # Step data brings its data back
    step_card(page, "totango-1").click()
    expect(properties_panel(page).get_by_role("combobox", name="Operation")).to_be_visible()
    show_step_tab(page, "Step data")
    data = panel.get_by_role("group", name="Step run totango-1")
    expect(data).to_be_visible()
    # A step outside a loop runs once: no iteration to pick
    expect(panel.get_by_role("group", name="Iteration of the step")).to_have_count(0)
    # Totango's query is JSON text: shown escaped, or parsed on demand
    query = data.get_by_role("tree", name="Input of totango-1")
    expect(query).to_contain_text('"{\\"terms\\": [], \\"fields\\": [], \\"count\\": 1000}"')
    stages.shot("totango query as text")
    query.get_by_role("button", name="Show query as parsed JSON").click()
    expect(query).to_contain_text("JSON text: {3 keys}")
    expect(query.get_by_role("treeitem", name="count")).to_contain_text("1000")
    stages.shot("totango query parsed")

    # When the workflow runs again and fails at Totango (its token refused), the Slack step,
    # clicked, says it did not run in that run
    fake_totango.tokens = set()
    step_card(page, "slack-1").click()
    run_workflow(page)
    did_not_run = panel.get_by_test_id("step-did-not-run")
    expect(did_not_run).to_contain_text("slack-1 did not run in this run", timeout=30_000)
    expect(did_not_run).to_contain_text("The run failed at totango-1 before reaching it.")
    expect(panel.get_by_test_id("inspected-run")).to_contain_text("Failed run")
    expect(panel.get_by_role("group", name="Iteration of the step")).to_have_count(0)
    stages.shot("slack step did not run")

    # When "Whole run" is pressed: the run's step runs are back
    panel.get_by_role("button", name="Whole run").click()
    expect(panel.get_by_role("list", name="Step runs")).to_be_visible()
    expect(panel.get_by_test_id("run-status")).to_have_text("Failed")
    expect(panel.get_by_role("button", name="totango-1: failed")).to_be_visible()

    # When the debug panel is closed, a click on a step edits its properties as before
    panel.get_by_role("button", name="Close the debug panel").click()
    step_card(page, "slack-1").click()
    expect(properties_panel(page)).to_be_visible()
    expect(debug_panel(page)).to_have_count(0)
    expect(properties_panel(page).get_by_role("textbox", name="Channel", exact=True)).to_have_value(
        "#customer-success"
    )


def test_long_workflow_opens_at_its_top_readable_and_clear_of_the_minimap(
    page: Page, stages: Stages, live_server
):
    # Given a workflow of 14 steps, far taller than the canvas
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    names = [f"delay-{number}" for number in range(1, 15)]
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": name, "type": "normal"} for name in names],
        "steps": {
            name: {
                "connector": "delay",
                "operation": "delay",
                "properties": {"wait_for": {"type": "number", "value": 0}},
            }
            for name in names
        },
    }
    workflow = api_post(page, "/api/workflows/", {"name": "Many waits", "definition": definition})

    # When it is opened
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")
    expect(page.locator("body")).to_have_attribute("data-builder-ready", "true")

    # Then it shows from its top: the trigger a small margin below the canvas's top, at a zoom
    # where a step is still readable, and the minimap beside the steps rather than over them
    canvas = box(page.locator(".react-flow"))
    trigger = box(step_card(page, "trigger"))
    assert inside(trigger, canvas)
    assert 0 < trigger["y"] - canvas["y"] <= 40
    assert trigger["width"] >= 264 * 0.75
    minimap = box(page.locator(".react-flow__minimap"))
    for name in ["trigger", *names]:
        assert not overlaps(box(step_card(page, name)), minimap), f"the minimap covers {name}"
    assert not inside(box(step_card(page, "delay-14")), canvas)
    stages.shot("long workflow opened")
    # And it stays put: nothing moves once shown
    page.wait_for_timeout(600)
    assert box(step_card(page, "trigger")) == trigger

    # When the canvas is scrolled down, the last step comes into view
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    for _ in range(30):
        if inside(box(step_card(page, "delay-14")), canvas):
            break
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(50)
    assert inside(box(step_card(page, "delay-14")), canvas)

    # And the minimap can be hidden from the canvas controls, and shown again
    page.get_by_role("button", name="Hide the overview").click()
    expect(page.locator(".react-flow__minimap")).to_have_count(0)
    stages.shot("minimap hidden")
    page.get_by_role("button", name="Show the overview").click()
    expect(page.locator(".react-flow__minimap")).to_be_visible()
