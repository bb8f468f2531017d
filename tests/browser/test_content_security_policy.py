"""The built app works under its Content-Security-Policy: no violation while it is used."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.builder_steps import create_workflow, first_run_setup, step_card
from tests.browser.conftest import OWNER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Every violation the browser reports, from before the app's first script runs.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watch(page: Page) -> list[str]:
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    return console


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.cspViolations") + [
        text for text in console if "Content Security Policy" in text
    ]


def test_the_app_signs_in_and_builds_under_its_policy_without_violations(
    page: Page, browser: Browser, live_server
):
    # Given the app's pages served with the policy
    console = watch(page)
    first = page.goto(live_server.url + "/")
    assert first is not None
    directives = first.headers["content-security-policy"].split("; ")
    assert sorted(directives) == sorted(POLICY.split("; "))

    # When the owner is set up, creates a workflow and opens a step on the canvas
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    create_workflow(page, "Under the policy")
    step_card(page, "trigger").click()

    # And signs in from another browser through the sign-in page (its CSRF token included)
    other = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        sign_in_page = other.new_page()
        other_console = watch(sign_in_page)
        sign_in_page.goto(live_server.url + "/sign-in")
        sign_in_page.get_by_role("textbox", name="Username").fill(OWNER["username"])
        sign_in_page.get_by_role("textbox", name="Password").fill(OWNER["password"])
        sign_in_page.get_by_role("button", name="Sign in").click()
        expect(sign_in_page.get_by_role("heading", name="Workflows")).to_be_visible()
        other_violations = violations(sign_in_page, other_console)
    finally:
        other.close()

    # Then the browser blocked nothing
    assert violations(page, console) == []
    assert other_violations == []
