"""Connector tests: the `exercises` marker, checked after each test that carries it.

`@pytest.mark.exercises("totango", "get_account")` says the test runs that operation
successfully; once the test passes, a step run of it must have succeeded (through the worker)
or `run_operation` must have run it, else the test errors. test_catalogue.py then requires
every operation of the registry to be declared by some test, so coverage cannot be claimed
without being true.
"""

from __future__ import annotations

import pytest

from tests.connectors import harness

CALL_PASSED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "exercises(connector, operation): the test runs this operation successfully "
        "(checked once it passes)",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[CALL_PASSED] = report.passed


def operations_run_by_the_worker() -> set[tuple[str, str]]:
    from builder.models import StepRun

    return set(
        StepRun.objects.filter(status="succeeded").values_list("connector", "operation").distinct()
    )


@pytest.fixture(autouse=True)
def declared_operations_ran(request: pytest.FixtureRequest):
    declared = {tuple(mark.args) for mark in request.node.iter_markers("exercises")}
    harness.ran_in_process.clear()
    yield
    if not declared or not request.node.stash.get(CALL_PASSED, False):
        return
    ran = set(harness.ran_in_process)
    if request.node.get_closest_marker("django_db") is not None:
        ran |= operations_run_by_the_worker()
    missing = sorted(declared - ran)
    if missing:
        pytest.fail(
            f"{request.node.name} declares it exercises {missing}, "
            "but no successful step of them ran."
        )
