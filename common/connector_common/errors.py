"""The one typed error hierarchy every connector raises and every entrypoint maps to Airbyte failure types."""

from __future__ import annotations

from datetime import datetime

MAX_QUOTED = 60  # characters of a shop text (title, name) quoted in an error message


def quoted(text: str, limit: int = MAX_QUOTED) -> str:
    """A shop text as error messages quote it: at most `limit` characters, so a 100k-character title never floods
    the log, the skip report or the final error."""
    return repr(text if len(text) <= limit else f"{text[:limit]}…")


class ConnectorError(Exception):
    """Base of every error we raise on purpose. Messages never contain secrets, headers or whole bodies."""


class ConfigError(ConnectorError):
    """The user's configuration is wrong (bad credentials, unknown shop, missing scope, bad option): fix the config."""


class RecordError(ConnectorError):
    """One record cannot be processed. Names the stream, the record's key and the field path."""

    def __init__(self, stream: str, key: str | None, field: str | None, message: str) -> None:
        self.stream = stream
        self.key = key
        self.field = field
        self.reason = message
        where = f"{stream}/{key}" if key else stream
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class InputError(ConnectorError):
    """A line on a destination's stdin is not an Airbyte message (cut off, not JSON, not UTF-8, wrong shape)."""

    def __init__(self, line_number: int, reason: str) -> None:
        self.line_number = line_number
        super().__init__(f"stdin line {line_number} is not an Airbyte message: {reason}. Stopped there: every record "
                         f"before it is booked and its states echoed, nothing after it is read; the next run starts "
                         f"from the last echoed state")


class ApiError(ConnectorError):
    """A vendor API answered with an error we do not retry (or retries are exhausted)."""

    def __init__(self, message: str, *, status: int | None = None, method: str = "", url: str = "") -> None:
        self.status = status
        self.method = method
        self.url = url
        super().__init__(message)


class AuthFailed(ApiError, ConfigError):
    """401/403 or a rejected refresh token: the credentials in the config no longer work."""


class NotFound(ApiError):
    """404 from the vendor."""


class TransientApiError(ApiError):
    """429, 5xx, timeouts and dropped connections: worth retrying later."""


class RateLimited(TransientApiError):
    """The vendor's rate limit was hit; `retry_after` is in seconds when the vendor said so."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class QuotaExhausted(TransientApiError):
    """A daily (or other long-window) quota is used up: stop cleanly and resume after `resets_at`."""

    def __init__(self, message: str, *, resets_at: datetime | None = None, **kwargs: object) -> None:
        self.resets_at = resets_at
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class AmbiguousWrite(TransientApiError):
    """A non-idempotent write (POST) failed in a way that leaves it unknown whether the server committed it.

    The caller must look the object up by its external reference before trying again (`exactly_once.CreateOnce`).
    `elapsed` is how long the request was in flight before it failed (seconds): a request that failed after a long
    wait (read timeout, a gateway's 504) may still be running on the server and commit later, one that failed at
    once almost certainly will not.
    """

    def __init__(self, message: str, *, elapsed: float = 0.0, **kwargs: object) -> None:
        self.elapsed = elapsed
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


NOT_A_REFUSAL = frozenset({401, 403, 404, 429})  # auth, not found and rate limits keep their own handling


def is_refusal(exc: ApiError) -> bool:
    """A ledger's validation error: it processed the request and refused this one record (a 4xx other than auth,
    not found and rate limits). A destination skips that record; everything else stays fatal or transient."""
    return (exc.status is not None and 400 <= exc.status < 500 and exc.status not in NOT_A_REFUSAL
            and not isinstance(exc, TransientApiError | AuthFailed))  # a rejected token is never one record's fault
