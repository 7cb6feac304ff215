"""Connection settings: where the instance is and which credentials to use.

Settings are checked before any call, so that a typo fails fast with the name of the
variable at fault. The client secret never appears in ``repr``/``str`` or in an error
message: errors name the setting, never its value.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from marketo_sync.errors import ConfigError

_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``: the only hosts allowed over plain http."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_url(value: str, name: str, *, strip_suffix: str | None = None) -> str:
    """``scheme://host[:port][/path]`` without trailing slashes, or :class:`ConfigError`.

    ``name`` is what the error names (the variable or the argument), never the value,
    which could hold credentials if a user pasted ``https://user:pass@host``.
    """
    text = str(value or "").strip()
    if not text:
        raise ConfigError(f"{name} is not set")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise ConfigError(f"{name} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{name} must look like https://123-ABC-456.mktorest.com")
    if parts.username or parts.password:
        raise ConfigError(f"{name} must not contain credentials")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must not contain a query string or fragment")
    host = parts.hostname
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(f"{name} must use https:// (plain http:// is allowed only for loopback addresses)")
    path = "/".join(s for s in parts.path.split("/") if s)
    if strip_suffix and path.split("/")[-1:] == [strip_suffix]:
        path = "/".join(path.split("/")[:-1])  # the UI shows the REST endpoint as <base>/rest
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}" + (f"/{path}" if path else "")


@dataclass(frozen=True)
class ClientSettings:
    """Where the instance is and how to authenticate. ``client_secret`` stays out of reprs.

    ``str`` (what messages use) leaves the client id out too: with the two variables swapped
    it *is* the secret.
    """

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    identity_url: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0

    def __post_init__(self) -> None:
        base = normalise_url(self.base_url, "base_url", strip_suffix="rest")
        object.__setattr__(self, "base_url", base)
        identity = base + "/identity" if not self.identity_url else normalise_url(self.identity_url,
                                                                                  "identity_url")
        object.__setattr__(self, "identity_url", identity)
        if not str(self.client_id or "").strip():
            raise ConfigError("client_id is not set")
        if not str(self.client_secret or "").strip():
            raise ConfigError("client_secret is not set")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"{name} must be a positive number of seconds")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, prefix: str = "MARKETO_") -> ClientSettings:
        """Read ``{prefix}BASE_URL``, ``CLIENT_ID``, ``CLIENT_SECRET`` and optional ``IDENTITY_URL``."""
        names = {key: f"{prefix}{key.upper()}" for key in ("base_url", "client_id", "client_secret",
                                                             "identity_url")}
        missing = [names[k] for k in ("base_url", "client_id", "client_secret")
                   if not str(environ.get(names[k], "")).strip()]
        if missing:
            raise ConfigError("missing environment variable" + ("s" if len(missing) > 1 else "")
                              + ": " + ", ".join(missing))
        base = normalise_url(environ[names["base_url"]], names["base_url"], strip_suffix="rest")
        identity_raw = str(environ.get(names["identity_url"], "")).strip()
        identity = normalise_url(identity_raw, names["identity_url"]) if identity_raw else None
        return cls(base_url=base, client_id=environ[names["client_id"]].strip(),
                   client_secret=environ[names["client_secret"]].strip(), identity_url=identity)

    @property
    def instance(self) -> str:
        """A stable, secret-free identity: the host (and port), lowercased."""
        return urlsplit(self.base_url).netloc.lower()

    @property
    def token_url(self) -> str:
        return f"{self.identity_url}/oauth/token"

    def url(self, path: str) -> str:
        """``base_url`` joined with ``path`` with exactly one slash between them."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def __str__(self) -> str:
        return f"Marketo instance {self.instance}"
