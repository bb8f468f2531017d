"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OWNER = {"username": "ada", "password": "correct horse battery staple"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("Build the frontend first: cd frontend && npm run build")
    # Playwright's sync API runs an event loop in this thread, inside which Django's ORM (the
    # live server's flush, the fixtures) refuses to run unless told the calls are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Stages:
    """Saves a numbered screenshot of each stage of a test under test-artifacts/<test>/."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def shot(self, stage: str) -> Path:
        self.count += 1
        path = (
            self.folder
            / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', stage.lower()).strip('-')}.png"
        )
        self.page.screenshot(path=path)
        return path


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}-failure.png")
    context.close()
    assert errors == [], f"JavaScript errors in the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def stages(page: Page, request: pytest.FixtureRequest) -> Stages:
    return Stages(page, request.node.name)


def api_get(page: Page, path: str) -> Any:
    """GET an API path with the page's session."""
    origin = "/".join(page.url.split("/")[:3])
    response = page.request.get(origin + path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return json.loads(response.text())
