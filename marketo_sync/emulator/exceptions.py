"""Errors raised by the emulator backend, carrying Marketo's code and message.

The backend never sees HTTP: it raises :class:`MarketoApiError` and the response layer
turns it into Marketo's envelope (HTTP 200, ``success: false``, ``errors: [{code, message}]``).
"""

from __future__ import annotations


class MarketoApiError(Exception):
    """A Marketo business or request error, e.g. ``MarketoApiError("709", "...")``."""

    def __init__(self, code: str | int, message: str) -> None:
        self.code = str(code)
        self.message = message
        super().__init__(f"{self.code}: {message}")


class HttpFailure(Exception):
    """An answer that is not Marketo's envelope: a real HTTP status (401, 413, 414, 502)."""

    def __init__(self, status: int, body: dict[str, object] | str) -> None:
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status}")
