"""HTTP on the wire: the only module of marketo-sync that imports ``requests``.

One ``requests.Session`` (connection reuse), explicit connect and read timeouts, a
User-Agent naming marketo-sync, gzip. Failures are sorted into two kinds that matter for
writes: :class:`NotSent` (the connection never opened, so nothing reached Marketo) and
:class:`MaybeSent` (the request may have been processed, its answer was lost).

``requests`` puts the full URL, query string included, into its exception texts and
urllib3 logs it at DEBUG; the identity call carries the client secret in its query (as
Adobe's spec requires). So no ``requests`` exception text ever leaves this module, and
:class:`RedactingFilter` scrubs registered secrets from the HTTP libraries' log records.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from marketo_sync import __version__

USER_AGENT = f"marketo-sync/{__version__} (+python-requests)"


class NotSent(Exception):
    """The request did not reach the server (refused, DNS, connect timeout): safe to resend."""


class MaybeSent(Exception):
    """The request may have been processed but no answer arrived (read timeout, dropped)."""


@dataclass
class Response:
    """What the client needs of an HTTP answer."""

    status: int
    body: bytes
    content_type: str
    #: Seconds the server asked us to wait (``Retry-After``: seconds or an HTTP date), if any.
    retry_after: float | None = None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: ``"120"`` or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


class _SecretRegistry:
    """Strings that must never be logged: client secrets and access tokens in use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plain: set[str] = set()

    def add(self, value: str) -> None:
        if value and len(value) >= 4:
            with self._lock:
                self._plain.add(value)

    def discard(self, value: str) -> None:
        with self._lock:
            self._plain.discard(value)

    def redact(self, text: str) -> str:
        with self._lock:
            values = sorted(self._plain, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, "[REDACTED]")
        return _redact_params(text)


def _redact_params(text: str) -> str:
    """Mask ``client_secret=...``, ``access_token=...`` and ``client_id=...`` wherever they appear
    (a client id too: with the two variables swapped, an easy CI mistake, it is the secret)."""
    for key in ("client_secret=", "access_token=", "client_id="):
        start = text.find(key)
        while start != -1:
            end = start + len(key)
            stop = end
            while stop < len(text) and text[stop] not in "& \"'\n)":
                stop += 1
            text = text[:end] + "[REDACTED]" + text[stop:]
            start = text.find(key, end + len("[REDACTED]"))
    return text


SECRETS = _SecretRegistry()


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked (installed on urllib3/requests loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        clean = SECRETS.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_HTTP_LOGGERS = ("urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests")


def install_log_filter() -> None:
    """Attach the redacting filter to the loggers of the HTTP stack (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class Transport:
    """Sends one request and returns a :class:`Response`, or raises NotSent / MaybeSent."""

    def __init__(self, *, connect_timeout: float, read_timeout: float,
                 session: requests.Session | None = None) -> None:
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = (connect_timeout, read_timeout)
        install_log_filter()

    def send(self, method: str, url: str, *, query: Mapping[str, Any] | None = None,
             form: Mapping[str, Any] | None = None, json: Any = None,
             headers: Mapping[str, str] | None = None) -> Response:
        all_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", "Accept": "application/json"}
        all_headers.update(headers or {})
        try:
            answer = self.session.request(method, url, params=query, data=form, json=json,
                                          headers=all_headers, timeout=self.timeout, allow_redirects=False)
            body = answer.content  # read (and un-gzip) inside the try: a drop can happen here
        except requests.exceptions.ConnectTimeout:
            raise NotSent("connect timeout") from None
        except requests.exceptions.ReadTimeout:
            raise MaybeSent("read timeout") from None
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise NotSent("connection refused or host unreachable") from None
            raise MaybeSent("connection dropped") from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise MaybeSent("answer cut off") from None
        except requests.exceptions.RequestException as exc:
            raise MaybeSent(type(exc).__name__) from None
        return Response(answer.status_code, body, answer.headers.get("Content-Type", ""),
                        parse_retry_after(answer.headers.get("Retry-After")))

    def close(self) -> None:
        if self._own_session:
            self.session.close()


def _never_connected(exc: BaseException) -> bool:
    """Whether a ConnectionError happened while opening the connection (nothing was sent)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        name = type(item).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError",
                    "ConnectionRefusedError", "gaierror"):
            return True
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
    return False


#: What :class:`AnswerRecorder` keeps for an answer that is not JSON (an HTML error page).
NOT_JSON = "(not JSON)"


class AnswerRecorder:
    """The decoded body of the last REST answer, for checks that look past the client's parsing
    (the conformance kit compares envelopes and warnings). Identity answers are never kept:
    they hold the access token. Pass :meth:`session` to ``MarketoClient(session=...)``."""

    def __init__(self) -> None:
        self.last: Any = None

    def session(self) -> requests.Session:
        """A new session whose answers are recorded; the caller closes it."""
        session = requests.Session()
        session.hooks["response"].append(self._keep)
        return session

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if "/identity/" in urlsplit(response.url).path:
            return
        try:
            self.last = response.json()
        except ValueError:
            self.last = NOT_JSON
