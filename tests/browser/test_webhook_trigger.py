"""A workflow started by a webhook: created from the dashboard, enabled, its URL copied from the
trigger card and called, and the call shown as the trigger's output in the debug panel."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.browser.builder_steps import first_run_setup, step_card
from tests.browser.conftest import OWNER, Stages, api_get
from tests.browser.debug_steps import debug_panel, header, tree_text, wait_run_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_json(url: str, body: object) -> tuple[int, dict]:
    """POSTs JSON as a caller of the webhook would: no session, no CSRF token."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_webhook_workflow_created_enabled_called_and_debugged(
    page: Page, stages: Stages, live_server, celery_worker
):
    # Given a new workflow created from the dashboard with the Webhook trigger
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    page.get_by_role("button", name="Create new workflow").first.click()
    dialog = page.get_by_role("dialog", name="Create new workflow")
    for trigger in ("Manual", "Webhook", "Schedule"):
        expect(dialog.get_by_role("radio", name=trigger)).to_be_visible()
    dialog.get_by_role("textbox", name="Workflow name").fill("Orders from the shop")
    dialog.get_by_role("radio", name="Webhook").click()
    stages.shot("create new workflow with the webhook trigger")
    dialog.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/workflows/[0-9a-f-]+$"))
    workflow_id = page.url.rsplit("/", 1)[-1]
    card = step_card(page, "trigger")
    expect(card).to_contain_text("Disabled: calls answer 404")
    enabled = header(page).get_by_role("switch", name="Enabled")
    expect(enabled).not_to_be_checked()

    # When it is enabled in the builder header
    # (controlled by the server's answer: on once the PATCH has succeeded)
    enabled.click()
    expect(enabled).to_be_checked()
    expect(card).to_contain_text("Enabled · replies 202 at once")
    assert api_get(page, f"/api/workflows/{workflow_id}/")["enabled"] is True

    # And its URL is copied from the trigger card
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    card.get_by_role("button", name="Copy webhook URL").click()
    expect(card.get_by_role("button", name="Webhook URL copied")).to_be_visible()
    url = page.evaluate("navigator.clipboard.readText()")
    assert url == card.get_by_test_id("webhook-url").inner_text()
    assert re.fullmatch(re.escape(live_server.url) + r"/hooks/[A-Za-z0-9_-]{32,}/", url), url
    stages.shot("enabled, webhook URL copied")

    # And a JSON body is posted to it
    body = {"order_id": 4242, "customer": "Grace Hopper", "paid": True}
    status, answer = post_json(url, body)
    assert status == 202

    # Then the debug panel shows the run, started by the webhook, the body as the trigger's output
    header(page).get_by_role("button", name="Debug").click()
    panel = debug_panel(page)
    runs = panel.get_by_role("listbox", name="Runs of this workflow").get_by_role("option")
    expect(runs).to_have_count(1)
    expect(runs.first).to_have_attribute("data-run-id", answer["run_id"])
    wait_run_status(page, "Succeeded")
    expect(runs.first).to_contain_text("Webhook")
    expect(panel.get_by_test_id("run-origin")).to_have_text("Webhook")
    # (one step run: the list is short, no scrolling to find it)
    trigger = panel.get_by_role("list", name="Step runs").locator('[data-path="trigger"]')
    trigger.get_by_role("button", name="trigger:").click()
    expect(trigger.get_by_role("tree", name="Output of")).to_be_visible()
    output = tree_text(trigger, "Output")
    for text in ('"POST"', "4242", '"Grace Hopper"', "true"):
        assert text in output, output
    stages.shot("webhook run in the debug panel")
    run = api_get(page, f"/api/runs/{answer['run_id']}/")
    assert run["trigger_kind"] == "webhook"
    assert run["started_by"] is None
    assert run["trigger_payload"]["body"] == body
