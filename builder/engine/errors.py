"""Errors of the engine: a definition refused at save, a step that fails at run time."""

from __future__ import annotations

from accounts.errors import DomainError, FieldError

__all__ = ["DefinitionError", "FieldError"]


class DefinitionError(DomainError):
    """A workflow definition that cannot be saved; `errors` name each bad field by its path."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("The workflow definition is invalid.", errors=errors)
