"""Shared API schemas: the error body every endpoint may answer."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None


ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
