"""The one error of the operations: a refusal before anything was sent, with every reason."""

from __future__ import annotations

from collections.abc import Iterable

from marketo_sync.errors import MarketoSyncError


class OperationError(MarketoSyncError):
    """A request or schedule refused before anything was sent; lists every reason."""

    def __init__(self, reasons: str | Iterable[str]) -> None:
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        if len(self.reasons) == 1:
            text = self.reasons[0]
        else:
            text = f"{len(self.reasons)} problems:\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(text + "\nNothing was sent.")
