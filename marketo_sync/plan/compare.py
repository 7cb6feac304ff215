"""Two instances side by side: what differs between them for the objects the files manage.

Pure (no I/O), like the planner. The same campaign files are loaded once per environment (with
that environment's variables, so paths may differ, e.g. ``Webinars`` below ``Events`` in
production) and each instance is read as plan reads it. Declarations are paired by where they
are written (file, line), and for each pair the two remote objects are compared:

* campaigns: present in one instance only; ``name`` (a pin or ``previous_names`` may match
  different names), description, active, type and the read-only attributes; the smart-list
  and flow fingerprints when the campaign declares ``expect: {rules: …}`` (only then are they
  read);
* tokens: present in one only, type, value;
* in a ``managed: exclusive`` container, campaigns no file declares (apply would delete them),
  paired by name: present in one only, or their attributes.

Ids are reported, never compared: every id differs between two instances. A campaign missing
from both is "the same" here (plan reports it for each instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from marketo_sync.desired.model import DesiredCampaign, DesiredState, DesiredToken, ManagedFolder, ParentSpec
from marketo_sync.plan.narrow import Segments, path_of, segments
from marketo_sync.plan.rules import Fingerprint, flow_compared
from marketo_sync.plan.rules import compare as compare_rules
from marketo_sync.remote.state import RemoteCampaign, RemoteState, find_declared, join_path, split_path

Declared = TypeVar("Declared", DesiredCampaign, DesiredToken, ManagedFolder)

#: The campaign attributes compared, in the order they are reported (Marketo's names).
CAMPAIGN_FIELDS = ("name", "description", "isActive", "type", "isRequestable", "qualificationRuleType",
                   "isCommunicationLimitEnabled", "isSystem")


@dataclass(frozen=True, kw_only=True)
class Side:
    """One environment: its name, its instance, what its files declare and what was read."""

    environment: str
    instance: str
    desired: DesiredState
    remote: RemoteState


@dataclass(frozen=True)
class Difference:
    """One field that differs; ``left``/``right`` are the two instances' values."""

    field: str
    left: Any
    right: Any
    details: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Compared:
    """One declared campaign or token, as found in both instances."""

    kind: str                          # "campaign" | "token"
    name: str
    left_path: str                     # its container's path in each environment
    right_path: str
    location: str
    left_id: int | None = None         # campaigns: the id in each instance (None: absent)
    right_id: int | None = None
    differences: tuple[Difference, ...] = ()

    @property
    def same(self) -> bool:
        return not self.differences


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Everything ``compare`` reports."""

    left: str
    right: str
    left_instance: str
    right_instance: str
    campaigns: tuple[Compared, ...] = ()
    tokens: tuple[Compared, ...] = ()
    read_calls: tuple[int, int] = (0, 0)

    @property
    def same(self) -> bool:
        return all(item.same for item in (*self.campaigns, *self.tokens))


def compare(left: Side, right: Side, *, targets: Sequence[str] = ()) -> Comparison:
    """Pair the declarations of both sides and list what differs between the two instances.

    ``targets`` (paths ``Folder/…/Name`` or container paths, as ``--target`` of plan) keep only
    the declarations they name, in either environment's paths.
    """
    wanted = [segments(t) for t in targets]
    campaigns = [_compare_campaign(left, right, a, b)
                 for a, b in _pairs(left.desired.campaigns, right.desired.campaigns)]
    campaigns += _compare_undeclared(left, right)
    tokens = [_compare_token(left, right, a, b) for a, b in _pairs(left.desired.tokens, right.desired.tokens)]
    return Comparison(
        left=left.environment, right=right.environment,
        left_instance=left.instance, right_instance=right.instance,
        campaigns=tuple(c for c in campaigns if _targeted(c, wanted)),
        tokens=tuple(t for t in tokens if _targeted(t, wanted)),
        read_calls=(left.remote.read_calls, right.remote.read_calls))


def _pairs(left: Sequence[Declared], right: Sequence[Declared]) -> list[tuple[Declared, Declared]]:
    """The same declaration on both sides, by where it is written (the files are the same)."""
    by_location = {str(item.location): item for item in right}
    return [(item, by_location[str(item.location)]) for item in left if str(item.location) in by_location]


def _targeted(item: Compared, targets: Sequence[Segments]) -> bool:
    """A target is the campaign's path or one of its folders (a token's: one of its folders)."""
    if not targets:
        return True
    if item.kind == "campaign":
        paths = {path_of(item.left_path, item.name), path_of(item.right_path, item.name)}
    else:
        paths = {segments(item.left_path), segments(item.right_path)}
    return any(path[: len(t)] == t for path in paths for t in targets)


def declared_paths(desired: DesiredState) -> list[Segments]:
    """Every declared campaign's path and container, as written (for unknown ``--target``s)."""
    found = [path_of(c.folder, c.name) for c in desired.campaigns if isinstance(c.folder, str)]
    found += [segments(t.folder) for t in desired.tokens if isinstance(t.folder, str)]
    return found


def _path(remote: RemoteState, spec: ParentSpec) -> str:
    folder = remote.folder(spec)
    if folder is not None:
        return folder.path
    return join_path(split_path(spec)) if isinstance(spec, str) else str(spec)


def _compare_campaign(left: Side, right: Side, a: DesiredCampaign, b: DesiredCampaign) -> Compared:
    found_a, found_b = find_declared(left.remote, a), find_declared(right.remote, b)
    return Compared(kind="campaign", name=a.name, location=str(a.location),
                    left_path=_path(left.remote, a.folder), right_path=_path(right.remote, b.folder),
                    left_id=found_a.id if found_a else None, right_id=found_b.id if found_b else None,
                    differences=tuple(_campaign_differences(left, right, a, found_a, found_b)))


def _campaign_differences(left: Side, right: Side, declared: DesiredCampaign,
                          a: RemoteCampaign | None, b: RemoteCampaign | None) -> list[Difference]:
    if a is None or b is None:
        return [] if a is b else [Difference("exists", a is not None, b is not None)]
    fields_a, fields_b = a.fields(), b.fields()
    found = [Difference(name, fields_a.get(name), fields_b.get(name))
             for name in CAMPAIGN_FIELDS if fields_a.get(name) != fields_b.get(name)]
    if "rules" in declared.expect:
        rules = _rules_difference(left.environment, left.remote.rules.get(a.id), right.remote.rules.get(b.id))
        if rules is not None:
            found.append(rules)
    return found


def _compare_undeclared(left: Side, right: Side) -> list[Compared]:
    """Campaigns no file declares in a ``managed: exclusive`` container (apply would delete them),
    by name: one only in one instance is a difference. System campaigns are Marketo's: skipped."""
    found: list[Compared] = []
    claimed = [{c.id for c in (find_declared(side.remote, d) for d in side.desired.campaigns) if c is not None}
               for side in (left, right)]
    for a, b in _pairs(left.desired.folders, right.desired.folders):
        if a.mode != "exclusive":
            continue
        here = []
        for side, spec, ids in ((left, a.folder, claimed[0]), (right, b.folder, claimed[1])):
            folder = side.remote.folder(spec)
            campaigns = side.remote.in_folder(folder.ref) if folder is not None else ()
            here.append({c.name: c for c in campaigns if c.id not in ids and not c.is_system})
        for name in sorted(set(here[0]) | set(here[1])):
            one, other = here[0].get(name), here[1].get(name)
            differences = ([Difference("exists", one is not None, other is not None)] if one is None or other is None
                           else [Difference(f, one.fields().get(f), other.fields().get(f)) for f in CAMPAIGN_FIELDS
                                 if one.fields().get(f) != other.fields().get(f)])
            found.append(Compared(kind="campaign", name=name, location=f"{a.location} (undeclared, managed: exclusive)",
                                  left_path=_path(left.remote, a.folder), right_path=_path(right.remote, b.folder),
                                  left_id=one.id if one else None, right_id=other.id if other else None,
                                  differences=tuple(differences)))
    return found


def _rules_difference(left_name: str, a: Fingerprint | None, b: Fingerprint | None) -> Difference | None:
    """Triggers, filters and flow steps, compared as ``expect: {rules: template}`` compares a
    campaign with its template, the left instance's campaign standing for the template."""
    if a is None or b is None:
        return Difference("rules", a.digest() if a else "(not read)", b.digest() if b else "(not read)",
                          ("the smart list could not be read in both instances, so it was not compared",))
    lines = [_reworded(line, left_name) for line in compare_rules(a, b)]
    if not lines:
        return None
    if not flow_compared(a, b):
        lines.append("flow steps not compared: an instance did not return them; smart list only")
    return Difference("rules", a.digest(), b.digest(), tuple(lines))


def _reworded(line: str, left_name: str) -> str:
    return line.replace("not in the template", f"not in {left_name}").replace(
        "differ from the template", f"differ from {left_name}").replace("template has", f"{left_name} has")


def _compare_token(left: Side, right: Side, a: DesiredToken, b: DesiredToken) -> Compared:
    token_a, token_b = _remote_token(left.remote, a), _remote_token(right.remote, b)
    differences: list[Difference] = []
    if token_a is None or token_b is None:
        if token_a is not token_b:
            differences.append(Difference("exists", token_a is not None, token_b is not None))
    else:
        for name, value_a, value_b in (("type", token_a[0], token_b[0]), ("value", token_a[1], token_b[1])):
            if value_a != value_b:
                differences.append(Difference(name, value_a, value_b))
    return Compared(kind="token", name=a.name, location=str(a.location), left_path=_path(left.remote, a.folder),
                    right_path=_path(right.remote, b.folder), differences=tuple(differences))


def _remote_token(remote: RemoteState, token: DesiredToken) -> tuple[str, str] | None:
    folder = remote.folder(token.folder)
    found = remote.tokens.get(folder.ref, {}).get(token.name) if folder is not None else None
    return (found.type.strip().lower(), found.value) if found is not None else None


__all__ = ["CAMPAIGN_FIELDS", "Compared", "Comparison", "Difference", "Side", "compare", "declared_paths"]
