"""One exception root for the domain, with stable machine-readable codes.

Services raise ApplicationError (or a subclass); views and the API render it the same way: the
message is for people (Korean first), the code is for programs and tests.
"""

from __future__ import annotations


class ApplicationError(Exception):
    code = "application_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, extra=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.extra:
            body["details"] = self.extra
        return body


class ValidationFailed(ApplicationError):
    """Bad input; `errors` maps a field or row label to its messages."""

    code = "validation_failed"
    status = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.errors = errors or {}

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403


class NotFoundError(ApplicationError):
    """Missing or not visible to the user: the two are never told apart."""

    code = "not_found"
    status = 404


class ConflictError(ApplicationError):
    """The request is well formed but the state forbids it (deadline passed, stale copy, quota full)."""

    code = "conflict"
    status = 409
