"""The Organisation page: an owner adds a person, changes their role and removes them; a viewer
reads it; the last owner stays. And the app's not-found states, inside its layout."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organisation, Role
from tests.browser.builder_steps import choose, first_run_setup, select_input
from tests.browser.conftest import OWNER, Stages, api_get
from tests.helpers import create_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# create_member's password
MEMBER_PASSWORD = "correct horse battery"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/sign-in")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()


def open_organisation_page(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()
    expect(page.get_by_role("heading", name="Organisation", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Members")).to_be_visible()


def settle(page: Page) -> None:
    """Lets a dialog or tooltip finish fading in before a screenshot."""
    page.wait_for_timeout(400)


def members_by_role(page: Page) -> dict[str, str]:
    return {
        person["username"]: person["role"] for person in api_get(page, "/api/organisation/members/")
    }


def test_an_owner_adds_a_person_changes_their_role_and_removes_them(
    page: Page, stages: Stages, live_server
):
    # Given first-run setup, which tells the organisation's name without one
    page.goto(live_server.url + "/")
    page.get_by_role("textbox", name="Username").fill("ada")
    expect(page.get_by_role("textbox", name="Organisation name")).to_have_attribute(
        "placeholder", "ada's workspace"
    )
    stages.shot("first-run setup")
    # And the owner set up with the organisation name "Acme", on the Organisation page
    first_run_setup(page, live_server.url, OWNER["username"], OWNER["password"])
    open_organisation_page(page)
    expect(page.get_by_role("textbox", name="Organisation name")).to_have_value("Acme")
    expect(page.get_by_role("link", name="Authentications")).to_have_count(2)  # nav and page

    # Then the owner, the last one, cannot remove themselves, and the page says why
    remove_ada = page.get_by_role("button", name="Remove ada")
    expect(remove_ada).to_have_attribute("aria-disabled", "true")
    remove_ada.hover()
    expect(page.get_by_role("tooltip")).to_have_text(
        "ada is the organisation's last owner: make someone else an owner first."
    )
    expect(select_input(page, "Role of ada")).to_be_disabled()
    settle(page)
    stages.shot("organisation page of the last owner")
    remove_ada.click(force=True)
    expect(page.get_by_role("dialog")).to_have_count(0)

    # When the owner renames the organisation
    name = page.get_by_role("textbox", name="Organisation name")
    name.fill("Acme Customer Success")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("button", name="Save name")).to_be_disabled()
    assert api_get(page, "/api/organisation/")["name"] == "Acme Customer Success"

    # And adds Bob as a viewer
    page.get_by_role("button", name="Add person").click()
    dialog = page.get_by_role("dialog", name="Add a person")
    dialog.get_by_role("textbox", name="Username").fill("bob")
    dialog.get_by_role("textbox", name="Password").fill("bob's long passphrase")
    choose(page, dialog, "Role", "Viewer: read workflows and runs, change nothing")
    settle(page)
    stages.shot("add a person")
    dialog.get_by_role("button", name="Add person").click()

    # Then the owner is told where Bob signs in, to pass on with his password
    added = page.get_by_role("dialog", name="bob is in")
    expect(added.get_by_role("textbox", name="Sign-in address")).to_have_value(
        live_server.url + "/sign-in"
    )
    settle(page)
    stages.shot("bob added")
    added.get_by_role("button", name="Done").click()

    # And Bob is listed as a viewer
    expect(added).to_be_hidden()
    expect(select_input(page, "Role of bob")).to_have_value("Viewer")
    assert members_by_role(page) == {"ada": "owner", "bob": "viewer"}

    # When the owner makes Bob an admin
    choose(page, page.get_by_test_id("member-bob"), "Role of bob", "Admin")
    expect(page.get_by_text("bob is now admin.")).to_be_visible()
    assert members_by_role(page) == {"ada": "owner", "bob": "admin"}
    stages.shot("bob made an admin")

    # And removes him
    page.get_by_role("button", name="Remove bob").click()
    confirm = page.get_by_role("dialog", name="Remove bob?")
    expect(confirm).to_contain_text("will no longer be able to sign in")
    settle(page)
    stages.shot("remove bob")
    confirm.get_by_role("button", name="Remove").click()

    # Then he is gone, and the owner is alone again
    expect(page.get_by_test_id("member-bob")).to_have_count(0)
    assert members_by_role(page) == {"ada": "owner"}


def test_a_viewer_sees_the_organisation_read_only(page: Page, stages: Stages, live_server):
    # Given an organisation of an owner, an admin and a viewer
    organisation = Organisation.objects.create(name="Acme")
    create_member(organisation, "ada", Role.OWNER)
    create_member(organisation, "eve", Role.ADMIN)
    create_member(organisation, "vera", Role.VIEWER)

    # When the viewer opens the Organisation page
    sign_in(page, live_server.url, "vera", MEMBER_PASSWORD)
    open_organisation_page(page)

    # Then they see the name and everyone's role, and nothing to change them with
    expect(page.get_by_test_id("organisation-name")).to_have_text("Acme")
    expect(page.get_by_text("Read-only")).to_be_visible()
    for username, role in (("ada", "Owner"), ("eve", "Admin"), ("vera", "Viewer")):
        expect(page.get_by_test_id(f"member-{username}")).to_contain_text(role)
    expect(page.get_by_role("textbox", name="Organisation name")).to_have_count(0)
    expect(page.get_by_role("button", name="Add person")).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove ada")).to_have_count(0)
    # And the Authentications page is one click away
    expect(page.get_by_role("main").get_by_role("link", name="Authentications")).to_be_visible()
    stages.shot("organisation page of a viewer")


def test_unknown_addresses_show_the_apps_not_found_state(page: Page, stages: Stages, live_server):
    # Given a signed-in owner
    organisation = Organisation.objects.create(name="Acme")
    create_member(organisation, "ada", Role.OWNER)
    sign_in(page, live_server.url, "ada", MEMBER_PASSWORD)
    navigation = page.get_by_role("navigation", name="Main")

    # When they open an address the app has no page for
    page.goto(live_server.url + "/nope")

    # Then the app says so inside its layout, at that address
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_text("There is no page at /nope.")).to_be_visible()
    expect(navigation).to_be_visible()
    assert page.url == live_server.url + "/nope"
    stages.shot("page not found")

    # And an unknown workflow, or an address that is no workflow id at all, is not found either
    for workflow_id in (str(uuid.uuid4()), "garbage"):
        page.goto(f"{live_server.url}/workflows/{workflow_id}")
        expect(page.get_by_text("Workflow not found")).to_be_visible()
        expect(navigation).to_be_visible()
        expect(page.get_by_text("No Workflow matches")).to_have_count(0)
        stages.shot(f"workflow not found {workflow_id[:7]}")

    # And the way back leads to the workflows
    page.get_by_role("link", name="Back to workflows").click()
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()
