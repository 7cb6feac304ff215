"""Allow ``python -m marketo_sync``."""

import sys

from marketo_sync.cli import main

sys.exit(main())
