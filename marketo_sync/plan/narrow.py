"""``--target PATH``: keep only the part of a plan that the targets name (Terraform's ``-target``).

A target is a campaign path (``Folder/…/Name``) or a container path (``Folder/…``). The whole
plan is made first (so every file is still checked), then narrowed here:

* a change to a **declared** campaign is kept when a target is its path or one of its folders;
* an undeclared campaign (delete, deactivate) or an unmanaged one is kept only when a target
  is one of its *folders*: a campaign target names a declared campaign, never another;
* token changes are kept when a kept change depends on them, or when a target is their
  container; the deactivate and delete of a replaced campaign follow their replace;
* drift follows the campaign; observations follow the kept changes.

Pure functions, no I/O: :mod:`marketo_sync.plan.planner` calls :func:`narrow`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from marketo_sync.plan.changes import CampaignChange, Change, Drift, TokenChange, Unmanaged
from marketo_sync.plan.plan import Observation

Segments = tuple[str, ...]


def segments(path: str) -> Segments:
    """``" A / B/"`` -> ``("a", "b")``: compared without case or surrounding spaces."""
    return tuple(s.strip().casefold() for s in str(path).split("/") if s.strip())


def path_of(folder: str, name: str) -> Segments:
    """A campaign's path: its folder's segments, then its name (which may hold a ``/``)."""
    return segments(folder) + (name.strip().casefold(),)


def _under(path: Segments, targets: Sequence[Segments], *, strictly: bool = False) -> bool:
    """A target equals ``path`` or is one of its folders (only folders when ``strictly``)."""
    return any(len(t) <= len(path) - (1 if strictly else 0) and path[: len(t)] == t for t in targets)


@dataclass(frozen=True)
class Narrowed:
    """What is left of a plan's parts once narrowed to the targets."""

    changes: list[Change]
    drift: list[Drift]
    unmanaged: list[Unmanaged]
    observations: list[Observation]


def _campaign_path(change: CampaignChange) -> Segments:
    return path_of(change.campaign.folder, change.campaign.name)


def _named(change: Change, targets: Sequence[Segments]) -> bool:
    """Kept on its own merit (before dependencies are followed)."""
    if isinstance(change, TokenChange):
        return _under(segments(change.token.folder), targets)
    if isinstance(change, CampaignChange):
        if change.reason == "undeclared":
            return _under(_campaign_path(change), targets, strictly=True)
        if change.reason == "replaced":
            return False  # follows its replace
        return _under(_campaign_path(change), targets)
    return False


def narrow(changes: Iterable[Change], drift: Iterable[Drift], unmanaged: Iterable[Unmanaged],
           observations: Iterable[Observation], targets: Sequence[str]) -> Narrowed:
    """The parts of a plan that ``targets`` name, with the changes those depend on."""
    wanted = [segments(t) for t in targets]
    changes = list(changes)
    by_key = {c.key: c for c in changes}
    kept = {c.key for c in changes if _named(c, wanted)}
    # What kept changes depend on (tokens, the clone an activation waits for), transitively.
    pending = list(kept)
    while pending:
        for dependency in by_key[pending.pop()].depends_on:
            if dependency in by_key and dependency not in kept:
                kept.add(dependency)
                pending.append(dependency)
    # The old half of a kept replace (its deactivate and delete depend on the replace).
    for change in changes:
        if change.reason == "replaced" and any(d in kept for d in change.depends_on):
            kept.add(change.key)
    chosen = [c for c in changes if c.key in kept]
    ids = {c.campaign.id for c in chosen if isinstance(c, CampaignChange) and c.campaign.id is not None}
    absent = {(segments(c.campaign.folder), c.campaign.name) for c in chosen
              if isinstance(c, CampaignChange) and c.campaign.id is None}
    tokens = {(segments(c.token.folder), c.token.name) for c in chosen if isinstance(c, TokenChange)}

    def observed(o: Observation) -> bool:
        if o.kind == "token":
            return (segments(o.folder), o.name) in tokens
        return o.id in ids if o.exists else (segments(o.folder), o.name) in absent

    return Narrowed(
        changes=chosen,
        drift=[d for d in drift
               if _under(path_of(d.campaign.folder, d.campaign.name), wanted)],
        unmanaged=[u for u in unmanaged
                   if _under(path_of(u.campaign.folder, u.campaign.name), wanted, strictly=True)],
        observations=[o for o in observations if observed(o)],
    )


def unknown_targets(targets: Sequence[str], declared: Iterable[Segments]) -> list[str]:
    """Targets that name neither a declared campaign nor a folder above one (or a managed folder)."""
    known = list(declared)
    return [t for t in targets
            if not segments(t) or not any(k[: len(segments(t))] == segments(t) for k in known)]
