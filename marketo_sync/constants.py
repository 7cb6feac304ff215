"""Exit codes and other constants shared by the commands."""

from typing import Final

#: Success, and (for plan with --detailed-exitcode) nothing to change.
EXIT_OK: Final = 0
#: Any error: invalid files, refused plan, failed change, unreachable instance.
EXIT_ERROR: Final = 1
#: ``plan --detailed-exitcode``: changes or drift present (Terraform's convention).
EXIT_CHANGES: Final = 2
#: Interrupted by the user (SIGINT).
EXIT_INTERRUPTED: Final = 130
#: Terminated (SIGTERM, what CI runners and ``timeout`` send first): 128 + 15.
EXIT_TERMINATED: Final = 143
