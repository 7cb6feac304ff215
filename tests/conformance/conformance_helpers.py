"""Shared pieces of the conformance-kit tests (a module of its own: ``conftest`` names repeat)."""

from __future__ import annotations

from typing import Any

from marketo_sync.emulator import EmulatorServer

TEMPLATE = "Marketing Activities/Templates/Webinar Reminder Template"


def snapshot(server: EmulatorServer) -> tuple[list[Any], list[Any]]:
    """The campaigns and folders/programs of the instance: (id, name, parent) of each."""
    state = server.backend.export_state()
    campaigns = sorted((c["id"], c["name"], tuple(c["parent"])) for c in state["campaigns"])
    containers = sorted((c["id"], c["kind"], c["name"]) for c in state["containers"])
    return campaigns, containers
