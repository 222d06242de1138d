"""Shared API schemas: the error body every endpoint may answer."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def responses(ok, status: int = 200) -> dict:
    """The response map of an endpoint: its success schema and the shared error body."""
    return {status: ok, **ERRORS}
