"""Engine tests run the engine alone: no database, broker or worker, and a clock they move."""

from __future__ import annotations

import pytest

from tests.engine.doubles import WORLD, World


@pytest.fixture(autouse=True)
def world() -> World:
    WORLD.reset()
    return WORLD
