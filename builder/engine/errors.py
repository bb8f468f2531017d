"""Errors of the engine: a definition refused at save, a step that fails at run time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    path: str  # e.g. steps.slack-1.properties.channel
    message: str


class DefinitionError(Exception):
    """A workflow definition that cannot be saved; `errors` name each bad field by its path."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{error.path}: {error.message}" for error in errors))
        self.errors = errors
