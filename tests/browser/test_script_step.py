"""The Script step in the builder: its JavaScript edited in a code editor, its result in a run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import (
    first_run_setup,
    key_add_step,
    properties_panel,
    step_card,
    wait_saved,
)
from tests.browser.conftest import OWNER, Stages
from tests.browser.debug_steps import (
    api_post,
    debug_panel,
    run_workflow,
    show_step_tab,
    wait_run_status,
)
from tests.helpers import jsonpath, string

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "exports.step = (input) => _.map(input.names, (name) => name.toUpperCase());"


def names_definition() -> dict:
    """Names split from a text, then a Script step reading them as input.names."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "split-1"}, {"name": "script-1"}],
        "steps": {
            "split-1": {
                "connector": "text_helpers",
                "operation": "split",
                "properties": {"text": string("Acme,Globex")},
            },
            "script-1": {
                "connector": "script",
                "operation": "execute_script",
                "properties": {
                    "variables": {
                        "type": "array",
                        "value": [
                            {
                                "type": "object",
                                "value": {
                                    "name": string("names"),
                                    "value": jsonpath("$.steps.split-1.result"),
                                },
                            }
                        ],
                    },
                    "script": string("exports.step = () => null;"),
                },
            },
        },
    }


def test_a_script_typed_in_the_code_editor_runs_and_shows_its_result(
    page: Page, stages: Stages, live_server, celery_worker
):
    # CodeMirror adds style elements: the app's Content-Security-Policy must let them apply.
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    # Given a workflow whose Script step reads the names an earlier step split
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    workflow = api_post(
        page, "/api/workflows/", {"name": "Shout names", "definition": names_definition()}
    )
    page.goto(f"{live_server.url}/workflows/{workflow['id']}")

    # When its script is replaced in the code editor
    step_card(page, "script-1").click()
    panel = properties_panel(page)
    editor = panel.get_by_role("textbox", name="Script")
    expect(editor).to_have_text("exports.step = () => null;")
    expect(panel.locator("[data-script-variables]")).to_have_text("Available:input.names")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(SCRIPT)
    expect(editor).to_have_text(SCRIPT)
    # The editor highlights JavaScript: keywords, names and strings are spans of their own.
    expect(panel.locator(".cm-content span").first).to_be_visible()
    wait_saved(page)
    stages.shot("script in the code editor")

    # Then a run shows the script's result in the debug panel's Output
    run_workflow(page)
    wait_run_status(page, "Succeeded")
    row = debug_panel(page).locator('[data-path="script-1"]')
    row.get_by_role("button", name="script-1:").click()
    output = row.get_by_role("tree", name="Output of")
    expect(output).to_contain_text('"ACME"')
    expect(output).to_contain_text('"GLOBEX"')
    stages.shot("script result in the debug panel")

    # And a new Script step starts with an empty editor showing an example, and no variables
    key_add_step(page, "Add step after script-1", "Script")
    expect(step_card(page, "script-2")).to_be_visible()
    step_card(page, "script-2").click()
    show_step_tab(page, "Properties")
    expect(panel.locator(".cm-placeholder")).to_contain_text("exports.step = function(input)")
    expect(panel.locator("[data-script-variables]")).to_contain_text("No variables yet")
    stages.shot("new script step")
    assert [text for text in console if "Content Security Policy" in text] == []
