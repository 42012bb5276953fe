"""Exact's error envelope and the exception the stand-in's handlers raise to produce it."""

from __future__ import annotations

from sandbox.core import Response, json_response


def exact_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """{"error":{"code":"","message":{"lang":"","value":"…"}}} with the given status (reference §3 Errors)."""
    return json_response({"error": {"code": "", "message": {"lang": "", "value": message}}}, status, headers)


class ExactError(Exception):
    """Raised inside a handler; becomes `exact_error(status, message)`.

    Status 400 is for requests Exact cannot parse (unknown property, bad $filter, bad JSON); business validation
    (mandatory field, unknown reference, duplicate code) comes back as 500, as Exact does (reference §3).
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        return exact_error(self.status, self.message, self.headers)


def bad_request(message: str) -> ExactError:
    return ExactError(400, message)


def business(message: str) -> ExactError:
    return ExactError(500, message)
