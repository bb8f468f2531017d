"""Who uses an authentication: the apps above auth_store tell it through registered finders.

auth_store may not import builder (builder imports auth_store), yet deleting an authentication
that workflows use must be refused: builder registers a finder in its AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auth_store.models import Authentication

# Each finder names the workflows that use an authentication.
UsageFinder = Callable[["Authentication"], Iterable[str]]

usage_finders: list[UsageFinder] = []


def register_usage_finder(finder: UsageFinder) -> None:
    if finder not in usage_finders:  # ready() may run more than once (tests, management)
        usage_finders.append(finder)


def workflows_using(authentication: Authentication) -> list[str]:
    """Names of the workflows that use the authentication, sorted."""
    return sorted(name for finder in usage_finders for name in finder(authentication))
