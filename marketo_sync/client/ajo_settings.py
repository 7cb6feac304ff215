"""AJO connection settings from the environment, checked before any call.

Errors name the variable at fault, never its value (a pasted secret must not be echoed), and
the client secret stays out of ``repr``/``str``. Plain http is allowed only for loopback
addresses (the emulator), through the same URL check as the Marketo client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from marketo_sync.client.settings import normalise_url
from marketo_sync.errors import ConfigError

DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com"
DEFAULT_BASE_URL = "https://platform.adobe.io"
DEFAULT_SCOPES = ("openid", "AdobeID", "read_organizations")
IMS_TOKEN_PATH = "/ims/token/v3"
API_PREFIX = "/ajo"

_ORG = re.compile(r"^[A-Za-z0-9]+@AdobeOrg$")
_SANDBOX = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_SCOPE = re.compile(r"^[A-Za-z0-9_.:/-]+$")


def _url(value: str, name: str, example: str, strip: str | None = None) -> str:
    """The project's URL check (https except loopback, no credentials), with an AJO example."""
    if not str(value or "").strip().lower().startswith(("https://", "http://")):
        raise ConfigError(f"{name} must look like {example}")
    return normalise_url(value, name, strip_suffix=strip)


@dataclass(frozen=True)
class AjoSettings:
    """Credentials and addresses for one AJO org and sandbox."""

    #: Left out of ``str`` (what messages use): swapped, the "id" would be the secret.
    client_id: str
    client_secret: str = field(repr=False)
    org_id: str = ""
    sandbox: str = ""
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    ims_url: str = DEFAULT_IMS_URL
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 10.0
    #: AJO's call timeout is 60 s; wait a little longer for its answer.
    read_timeout: float = 65.0

    def __post_init__(self) -> None:
        if not str(self.client_id or "").strip():
            raise ConfigError("AJO_CLIENT_ID is not set")
        if not str(self.client_secret or "").strip():
            raise ConfigError("AJO_CLIENT_SECRET is not set")
        if not _ORG.match(str(self.org_id or "")):
            raise ConfigError("AJO_ORG_ID must look like 0123456789ABCDEF@AdobeOrg")
        if not _SANDBOX.match(str(self.sandbox or "")):
            raise ConfigError("AJO_SANDBOX must be a sandbox name such as prod (lowercase letters, digits, -)")
        if not self.scopes or not all(_SCOPE.match(s) for s in self.scopes):
            raise ConfigError("AJO_SCOPES must be a comma-separated list of scopes")
        object.__setattr__(self, "ims_url", _url(self.ims_url, "AJO_IMS_URL", DEFAULT_IMS_URL))
        # users paste the documented base with its /ajo suffix: accept both forms
        object.__setattr__(self, "base_url", _url(self.base_url, "AJO_BASE_URL", DEFAULT_BASE_URL, strip="ajo"))
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"{name} must be a positive number of seconds")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AjoSettings:
        """Read ``AJO_CLIENT_ID``, ``AJO_CLIENT_SECRET``, ``AJO_ORG_ID``, ``AJO_SANDBOX`` and the
        optional ``AJO_SCOPES``, ``AJO_IMS_URL``, ``AJO_BASE_URL``."""
        required = ("AJO_CLIENT_ID", "AJO_CLIENT_SECRET", "AJO_ORG_ID", "AJO_SANDBOX")
        missing = [name for name in required if not str(environ.get(name, "")).strip()]
        if missing:
            raise ConfigError("missing environment variable" + ("s" if len(missing) > 1 else "")
                              + ": " + ", ".join(missing))
        scopes_raw = str(environ.get("AJO_SCOPES", "")).strip()
        scopes = tuple(s.strip() for s in scopes_raw.split(",") if s.strip()) if scopes_raw else DEFAULT_SCOPES
        return cls(client_id=environ["AJO_CLIENT_ID"].strip(),
                   client_secret=environ["AJO_CLIENT_SECRET"].strip(),
                   org_id=environ["AJO_ORG_ID"].strip(), sandbox=environ["AJO_SANDBOX"].strip(),
                   scopes=scopes,
                   ims_url=str(environ.get("AJO_IMS_URL", "")).strip() or DEFAULT_IMS_URL,
                   base_url=str(environ.get("AJO_BASE_URL", "")).strip() or DEFAULT_BASE_URL)

    @property
    def token_url(self) -> str:
        return self.ims_url + IMS_TOKEN_PATH

    def url(self, path: str) -> str:
        """``https://platform.adobe.io/ajo`` + ``/im/...``."""
        return f"{self.base_url}{API_PREFIX}/{path.lstrip('/')}"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc.lower()

    def __str__(self) -> str:
        return f"AJO {self.host} org {self.org_id} sandbox {self.sandbox}"
