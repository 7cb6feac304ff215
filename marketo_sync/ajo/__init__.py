"""Adobe Journey Optimizer: execute API-triggered campaigns (unitary and audience).

A separate product from Marketo with its own auth (Adobe IMS) and API; it shares the
project's HTTP transport, retry policy and error tree. See docs/ajo.md.
"""

from marketo_sync.ajo.client import AjoAuthError, AjoClient, AjoError, AjoOutcomeUnknown, AjoResult
from marketo_sync.ajo.payloads import PayloadError
from marketo_sync.ajo.settings import AjoSettings

__all__ = ["AjoAuthError", "AjoClient", "AjoError", "AjoOutcomeUnknown", "AjoResult", "AjoSettings",
           "PayloadError"]
