"""The exceptions of marketo-sync, as one hierarchy.

Everything the tool raises on purpose derives from :class:`MarketoSyncError`, so the CLI
can catch it in one place, print the message and choose the exit code. Nothing below the
CLI prints.

::

    MarketoSyncError
    ├── ConfigError              settings, environments, credentials (before any call)
    ├── ValidationError          campaign files: every reason, each with file, line, column
    ├── PlanError                the plan cannot be made or must not be applied
    │   ├── PlanErrors           every plan-time refusal at once (plan/planner.py)
    │   ├── UnsafePlan           a safety threshold or rule refuses it (override named)
    │   └── StalePlan            the instance changed since the plan was saved
    ├── ImportRefused            import would overwrite files (workflows/importer.py)
    ├── ImportConflict           import cannot express what it read (workflows/importer.py)
    ├── OperationError           trigger/schedule refused before sending (operations/errors.py)
    ├── PayloadError             an AJO payload is invalid before sending (client/ajo_payloads.py)
    ├── Refused                  the ajo command refuses to send (commands/ajo.py)
    ├── Declined                 the conformance kit's plan was not approved (conformance/kit.py)
    ├── LockHeld                 another apply/trigger/schedule holds the instance's lock
    └── ApiError                 Marketo answered with an error code (code, message, requestId)
        ├── AuthError            601 / 602 that survived one re-authentication, bad credentials
        │   └── AjoAuthError     Adobe IMS refused the credentials (client/ajo.py)
        ├── RateLimited          606 / 615 that survived the retry budget
        ├── QuotaExhausted       607 (daily quota): never retried
        ├── NotFound             702, or an asset that does not exist
        ├── BusinessRuleError    709 (duplicate name, activation preconditions, ...)
        ├── BadLocation          710 / 711 (parent folder missing or of the wrong kind)
        ├── TransportError       HTTP failures, timeouts, non-JSON bodies
        │   └── Unreachable      no connection at all (refused, DNS, TLS): stops an apply
        ├── RunHalted            not sent: an earlier stop class (607, auth, unreachable) halted the client
        ├── AjoError             Journey Optimizer answered with an error (client/ajo.py)
        └── OutcomeUnknown       a non-idempotent write may or may not have happened
            └── AjoOutcomeUnknown    the same for an AJO execution (client/ajo.py)

Exceptions that never leave their module (internal signals, not errors the user sees):
``NotSent`` / ``MaybeSent`` (client/transport.py: was a request sent?) and ``NotAnEnvelope``
(client/envelope.py), turned into the classes above by the client; ``FileRefused`` and
``_Refused`` (desired/yaml_loader.py: a file or construct the loader will not read), reported as
located :class:`ValidationError` reasons; ``Unsupported`` and ``Undecided``
(desired/schema_fast.py: the quick schema check cannot answer, so jsonschema does); ``Skip`` (conformance/steps.py: a step that cannot run
here), recorded as a skipped step; ``Unbound`` (apply/programs.py: a change in a folder or
program that an earlier change of the plan did not create), recorded as a failed change.
``Terminated`` and ``ApplyInterrupted`` are subclasses of ``KeyboardInterrupt`` (SIGTERM; an
interrupted apply carrying its receipt), not errors. The emulator is a separate
program with its own: ``MarketoApiError`` and ``HttpFailure`` (emulator/exceptions.py), ``RouteError``
(emulator/urls.py), ``SeedError`` (emulator/seed.py), ``RuleSpecError`` (emulator/rules.py) and
the AJO emulator's ``_Refusal`` (emulator/ajo.py); they become Marketo-shaped answers on the wire.

Secrets never enter these messages: they are built from codes, paths and Marketo's own
error text only.
"""

from __future__ import annotations

from collections.abc import Iterable


class MarketoSyncError(Exception):
    """Base class of every error the tool raises on purpose."""


class ConfigError(MarketoSyncError):
    """Bad or missing settings (project file, environment variables)."""


class ValidationError(MarketoSyncError):
    """Campaign files are invalid. Carries every reason, each already located.

    Each reason is a string that ends with ``file, line N, column M`` (or names the file
    alone when no position is known), so that the user can fix all of them in one pass.
    """

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons: list[str] = list(reasons)
        count = len(self.reasons)
        head = f"{count} error{'s' if count != 1 else ''} in campaign files"
        super().__init__(head + ":\n" + "\n".join(f"  - {r}" for r in self.reasons))


class Terminated(KeyboardInterrupt):
    """SIGTERM (what CI runners and ``timeout`` send first), handled like Ctrl-C; exit 143."""


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during apply, after the journal footer was written: carries the
    receipt (``receipt``) so that the command prints it before exiting 130 / 143."""

    def __init__(self, receipt: object, cause: KeyboardInterrupt) -> None:
        super().__init__(str(cause))
        self.receipt = receipt
        self.cause = cause


class LockHeld(MarketoSyncError):
    """Another apply, trigger or schedule holds the project's lock for this instance."""


class PlanError(MarketoSyncError):
    """The plan cannot be computed, or must not be applied as it is."""


class UnsafePlan(PlanError):
    """A safety rule refuses the plan; the message names the rule and its override."""


class StalePlan(PlanError):
    """A saved plan no longer matches the instance (or was made for another one)."""


class ApiError(MarketoSyncError):
    """Marketo answered with an error. ``code`` is Marketo's string code (e.g. ``"709"``)."""

    def __init__(self, code: str, message: str, request_id: str | None = None, *,
                 method: str | None = None, path: str | None = None) -> None:
        self.code = str(code)
        self.message = message
        self.request_id = request_id
        self.method = method
        self.path = path
        where = f" ({method} {path})" if method and path else ""
        rid = f" [requestId {request_id}]" if request_id else ""
        super().__init__(f"Marketo error {self.code}: {message}{where}{rid}")


class AuthError(ApiError):
    """Authentication failed: bad credentials, or 601/602 after one fresh token."""


class RateLimited(ApiError):
    """606 / 615 that did not clear within the retry budget."""


class QuotaExhausted(ApiError):
    """607: the instance's daily API quota is used up. Retrying cannot help today."""


class NotFound(ApiError):
    """702, or an asset that does not exist."""


class BusinessRuleError(ApiError):
    """709: Marketo refuses the change (duplicate name, activation rules, ...)."""


class BadLocation(ApiError):
    """710 / 711: the parent folder does not exist or cannot hold this asset."""


class TransportError(ApiError):
    """No usable Marketo answer: connection failure, timeout, HTTP error, non-JSON body."""


class Unreachable(TransportError):
    """The connection never opened (refused, DNS, TLS, connect timeout): nothing was sent."""


class OutcomeUnknown(ApiError):
    """A non-idempotent write was sent but its answer was lost.

    The change may or may not have happened: the caller must look before it retries
    (for a create or clone: search the parent folder for the name).
    """


class RunHalted(ApiError):
    """Not sent: an earlier call of this client stopped the run (607, authentication refused,
    instance unreachable), and every later call would meet the same fate."""


def halts_the_run(error: ApiError) -> bool:
    """The stop classes: a spent quota (607), refused credentials, an unreachable instance
    (no connection after the bounded retries of one call). No later call can succeed."""
    return isinstance(error, QuotaExhausted | AuthError | RunHalted | Unreachable)


#: Marketo error codes mapped to the exception class that represents them.
CODE_CLASSES: dict[str, type[ApiError]] = {
    "601": AuthError,
    "602": AuthError,
    "606": RateLimited,
    "615": RateLimited,
    "607": QuotaExhausted,
    "702": NotFound,
    "709": BusinessRuleError,
    "710": BadLocation,
    "711": BadLocation,
}


def api_error(code: str, message: str, request_id: str | None = None, **where: str) -> ApiError:
    """Build the most specific :class:`ApiError` subclass for a Marketo error code."""
    cls = CODE_CLASSES.get(str(code), ApiError)
    return cls(str(code), message, request_id, **where)
