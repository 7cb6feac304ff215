"""The access token: fetched once, shared by all threads, renewed without loops.

Marketo's identity endpoint hands back the *same* token until it expires, with its
remaining lifetime in ``expires_in``. So "renew a little early" can only be tried once per
token: if identity returns the token we already hold (or a token that was already short
of life when it arrived), we keep using it until it has surely expired, and a 601/602 in
between gets a new token and the request is resent once. That gives one identity call per
token lifetime, never a storm.

The token travels only in the ``Authorization: Bearer`` header (never a query parameter)
and is registered with the log redactor so it cannot leak through the HTTP stack's logs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from marketo_sync.client.transport import SECRETS

#: Renew this many seconds before the announced expiry (once per token; see module doc).
EARLY_RENEWAL = 60.0
#: ``expires_in`` is whole seconds, rounded down: the token may live up to 1 s longer.
ROUNDING = 1.0


class TokenCache:
    """The current token of one client id; ``fetch()`` returns ``(token, expires_in)``."""

    def __init__(self, fetch: Callable[[], tuple[str, float]], *, clock: Callable[[], float],
                 early: float = EARLY_RENEWAL, on_renewal: Callable[[], None] | None = None) -> None:
        self._fetch = fetch
        self._clock = clock
        self._early = early
        self._on_renewal = on_renewal
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self._stale = False
        self.fetches = 0
        self.renewals = 0

    def __repr__(self) -> str:
        return f"<TokenCache {'with a token' if self._token else 'empty'}>"

    def token(self) -> str:
        """A token believed valid; calls identity when there is none or it is due."""
        with self._lock:
            if self._token is not None and not self._stale and self._clock() < self._renew_at:
                return self._token
            previous = self._token
            sent = self._clock()
            token, expires_in = self._fetch()
            received = self._clock()
            self.fetches += 1
            if previous is not None:
                self.renewals += 1
                if self._on_renewal is not None:
                    self._on_renewal()
            SECRETS.add(token)
            if expires_in > self._early and token != previous:
                self._renew_at = sent + expires_in - self._early
            else:
                # The same token again, or one already near its end: use it until it has
                # surely expired (601/602 before that is handled by invalidate()).
                self._renew_at = received + expires_in + ROUNDING
            self._token = token
            self._stale = False
            return token

    def invalidate(self, token: str) -> None:
        """Marketo rejected ``token`` (601/602): the next ``token()`` fetches a new one.

        A no-op when another thread has already replaced that token, so N threads hitting
        the same expiry cause one identity call, not N.
        """
        with self._lock:
            if token == self._token:
                self._stale = True

    def clear(self) -> None:
        with self._lock:
            self._token = None
