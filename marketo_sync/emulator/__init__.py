"""A stateful Marketo Engage lookalike for tests, demos and benchmarks.

``backend`` holds the instance (folders, programs, campaigns, tokens, leads) and its rules;
``server`` speaks Marketo's HTTP; ``limits`` and ``faults`` make it behave like a busy,
flaky production instance on demand; ``seed`` loads an instance from YAML.
"""

from marketo_sync.emulator.config import EmulatorConfig
from marketo_sync.emulator.server import EmulatorServer

__all__ = ["EmulatorConfig", "EmulatorServer"]
