"""Errors services raise for a person to read: an English message id, translated where shown."""

from __future__ import annotations

from typing import Any


class ServiceError(ValueError):
    """A request a service refuses, with a message for the user.

    Attributes:
        message: English message id, marked with ``N_`` and translated by the caller.
        params: values interpolated into the translated message.
        field: the form field the message belongs to, when there is one.
        existing: the record the request collided with, when there is one (for a link).
    """

    def __init__(
        self, message: str, *, field: str | None = None, existing: Any = None, **params: Any
    ) -> None:
        self.message = message
        self.params = params
        self.field = field
        self.existing = existing
        super().__init__(message % params if params else message)


class DuplicateError(ServiceError):
    """The record would repeat one that exists (same natural key); ``existing`` is that one."""
