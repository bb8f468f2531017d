"""The base of every error a request can cause, with the answer it gets (one shape, mapped once).

Plain Python, so every layer may raise it: the engine (which imports no Django) as much as the
apps. It lives in `accounts`, the app every other one already sits on, so it adds no import
going upward. `builder/api/exceptions.py` turns any of them into the API's answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    path: str  # e.g. steps.slack-1.properties.channel
    message: str


def field_errors(errors: Mapping[str, str]) -> list[FieldError]:
    return [FieldError(path, message) for path, message in errors.items()]


class DomainError(Exception):
    """What went wrong (`detail`), each bad field by its path (`errors`), and the HTTP status.

    The answer is `{"detail": …, "errors": [{"path", "message"}]}` (`errors` only when fields
    are named); a subclass adds what else its answer says by extending `body()`.
    """

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.errors = list(errors)
        # Logs and run errors show the fields themselves, not only the general sentence.
        super().__init__(
            "; ".join(f"{error.path}: {error.message}" for error in self.errors) or detail
        )
        self.detail = detail
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"detail": self.detail}
        if self.errors:
            answer["errors"] = [
                {"path": error.path, "message": error.message} for error in self.errors
            ]
        return answer


class Conflict(DomainError):
    """The object's state refuses the action (409): it finished, it changed, it is in use."""

    status = 409
