"""What the live tests need: the sandbox's variables, and a plan/apply round trip in a scratch
folder that runs the same way against a sandbox (``-m live``) and the emulator (every run)."""

from __future__ import annotations

import os
import secrets
from typing import Any

import pytest

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient
from marketo_sync.conformance.kit import resolve_folder
from marketo_sync.refs import FolderRef

LIVE_PREFIX = "MARKETO_LIVE_"
LIVE_VARIABLES = tuple(f"{LIVE_PREFIX}{name}" for name in ("BASE_URL", "CLIENT_ID", "CLIENT_SECRET"))
MISSING = [name for name in LIVE_VARIABLES if not os.environ.get(name)]
#: Skips a live test, saying which variables are missing.
needs_sandbox = pytest.mark.skipif(bool(MISSING), reason="a live test needs a Marketo sandbox: set "
                                   + ", ".join(MISSING or LIVE_VARIABLES))


def project_file(root: Any, *, prefix: str) -> None:
    """One environment reading ``<prefix>BASE_URL`` etc.; the client may use the instance's window."""
    (root / "marketo-sync.yaml").write_text(
        "campaigns: campaigns\nlimits: {rate_limit: 100, window: 20, concurrency: 5}\n"
        f"environments:\n  target: {{env_prefix: {prefix}}}\n", encoding="utf-8")


def round_trip(project: Any, environ: dict[str, str], *, prefix: str, parent: str) -> None:
    """plan shows one create, apply makes it, plan shows nothing; inside a scratch folder that is
    removed afterwards whatever happened."""
    settings = ClientSettings.from_env(environ, prefix=prefix)
    suffix = secrets.token_hex(3)
    with MarketoClient(settings) as client:
        api = MarketoApi(client)
        scratch = api.create_folder(name=f"marketo-sync-round-trip-{suffix}",
                                    parent=resolve_folder(api, parent, what="the parent"))
        folder = FolderRef(int(scratch["id"]), "Folder")
        try:
            project_file(project.root, prefix=prefix)
            (project.root / "campaigns").mkdir()
            (project.root / "campaigns" / "round-trip.yaml").write_text(
                f"folder: {parent}/{scratch['name']}\ncampaigns:\n"
                f"  - name: Round trip {suffix}\n    description: made by the live round-trip test\n",
                encoding="utf-8")
            code, out, err = project.run("plan", "--detailed-exitcode")
            assert code == 2 and f"Round trip {suffix}" in out, err
            code, out, err = project.run("apply", "--auto-approve")
            assert code == 0, out + err
            code, out, err = project.run("plan", "--detailed-exitcode")
            assert code == 0, out + err
            names = [c["name"] for c in api.browse_campaigns(folder)]
            assert names == [f"Round trip {suffix}"]
        finally:
            for campaign in api.browse_campaigns(folder):
                api.delete_campaign(int(campaign["id"]))
            api.delete_folder(folder)
