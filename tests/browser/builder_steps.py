"""What a person does in the builder, as Playwright steps shared by the browser tests."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

Shot = Callable[[str], object]


def no_shot(stage: str) -> None:
    """Takes no screenshot (the default of the steps below)."""


QUERY = '{"terms": [], "fields": [], "count": 1000}'


def first_run_setup(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_text("Welcome: create the owner account")).to_be_visible()
    page.get_by_role("textbox", name="Organisation name").fill("Acme")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()


def create_workflow(page: Page, name: str, shot: Shot = no_shot) -> str:
    """Create new workflow → name → Manual trigger → Create; returns the workflow id."""
    page.get_by_role("button", name="Create new workflow").first.click()
    dialog = page.get_by_role("dialog", name="Create new workflow")
    dialog.get_by_role("textbox", name="Workflow name").fill(name)
    dialog.get_by_role("radio", name="Manual").click()
    shot("create new workflow dialog")
    dialog.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/workflows/[0-9a-f-]+$"))
    expect(
        page.get_by_role("button", name=re.compile(r"^Manual trigger \(trigger\)"))
    ).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


def step_card(page: Page, name: str) -> Locator:
    return page.locator(f'[data-step-name="{name}"]')


def select_input(scope: Page | Locator, label: str) -> Locator:
    """The input of a Mantine Select (a combobox) named `label`."""
    return scope.get_by_role("combobox", name=label, exact=True)


def choose(page: Page, scope: Page | Locator, label: str, option: str) -> None:
    """Picks an option of a Mantine Select named `label` with the mouse."""
    select_input(scope, label).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(select_input(scope, label)).to_have_value(option)


# The value type menu's items, by the type they give a field's typed value.
VALUE_TYPE_ITEMS = {
    "string": "Text",
    "number": "Number",
    "integer": "Whole number",
    "boolean": "True or false",
    "object": "Object",
    "array": "List",
    "null": "Null",
    "jsonpath": "Jsonpath",
}


def value_type(scope: Page | Locator, label: str) -> Locator:
    """The small control beside a field that shows its value type (data-value-type) and opens
    the value type menu."""
    return scope.get_by_role("button", name=f"Value type of {label}", exact=True)


def properties_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Properties panel")


def wait_saved(page: Page) -> None:
    expect(page.get_by_role("status", name="Save status: Saved")).to_be_visible(timeout=10_000)


def add_authentication(
    page: Page,
    name: str,
    scope: str,
    fields: dict[str, str],
    selects: dict[str, str] | None = None,
    shot: Shot = no_shot,
) -> None:
    """Authenticate tab → Add new authentication → name and type → Next → fields → Create authentication."""
    panel = properties_panel(page)
    panel.get_by_role("tab", name="Authenticate").click()
    panel.get_by_role("button", name="Add new authentication").click()
    dialog = page.get_by_role("dialog", name="Add new authentication")
    dialog.get_by_role("textbox", name="Name").fill(name)
    dialog.get_by_role("radio", name=scope).check()
    shot("authentication name and type")
    dialog.get_by_role("button", name="Next").click()
    for label, option in (selects or {}).items():
        choose(page, dialog, label, option)
    for label, value in fields.items():
        dialog.get_by_role("textbox", name=label, exact=True).fill(value)
    shot("authentication fields")
    dialog.get_by_role("button", name="Create authentication").click()
    expect(dialog).to_be_hidden()
    expect(select_input(panel, "Authentication")).to_have_value(name)


# --- The keyboard only --------------------------------------------------------------------------


def key_focus(locator: Locator) -> None:
    """Moves the keyboard focus to a control, as Tab would (no pointer event)."""
    locator.focus()
    expect(locator).to_be_focused()


def key_type(page: Page, locator: Locator, text: str, replace: bool = True) -> None:
    key_focus(locator)
    if replace:
        page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def key_choose(page: Page, scope: Page | Locator, label: str, option: str) -> None:
    """Types into a searchable Select and takes the first match with Enter."""
    field = select_input(scope, label)
    key_type(page, field, option)
    page.keyboard.press("Enter")
    expect(field).to_have_value(option)


def key_choose_value_type(page: Page, scope: Page | Locator, label: str, type_: str) -> None:
    """Opens a field's value type menu with Enter and picks `type_` (e.g. jsonpath) with Enter."""
    key_focus(value_type(scope, label))
    page.keyboard.press("Enter")
    item = page.get_by_role("menuitem", name=VALUE_TYPE_ITEMS[type_], exact=True)
    key_focus(item)
    page.keyboard.press("Enter")
    expect(value_type(scope, label)).to_have_attribute("data-value-type", type_)


def key_add_step(page: Page, drop_zone: str, connector: str) -> None:
    """The "+" of a drop zone → the connector picker → Search connectors → Enter."""
    key_focus(page.get_by_role("button", name=drop_zone, exact=True))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add a step")
    expect(dialog.get_by_role("textbox", name="Search connectors")).to_be_focused()
    page.keyboard.type(connector)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()


def key_add_authentication(
    page: Page, name: str, scope: str, fields: dict[str, str], selects: dict[str, str] | None = None
) -> None:
    panel = properties_panel(page)
    key_focus(panel.get_by_role("tab", name="Authenticate"))
    page.keyboard.press("Enter")
    key_focus(panel.get_by_role("button", name="Add new authentication"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add new authentication")
    name_field = dialog.get_by_role("textbox", name="Name")
    expect(name_field).to_be_focused()
    page.keyboard.type(name)
    key_focus(dialog.get_by_role("radio", name=scope))
    page.keyboard.press("Space")
    expect(dialog.get_by_role("radio", name=scope)).to_be_checked()
    key_focus(dialog.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    for label, option in (selects or {}).items():
        key_choose(page, dialog, label, option)
    for label, value in fields.items():
        key_type(page, dialog.get_by_role("textbox", name=label, exact=True), value)
    key_focus(dialog.get_by_role("button", name="Create authentication"))
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(select_input(panel, "Authentication")).to_have_value(name)
