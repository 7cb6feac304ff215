"""The compare workflow: the same files, two environments, each instance read as plan reads it.

Both environments' files are loaded and validated first (their variables differ), so invalid
files or an unknown environment cost no API call; then each instance is read once, frugally
(:func:`marketo_sync.remote.read.read_remote`), and the pure comparison runs
(:mod:`marketo_sync.plan.compare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from marketo_sync.config import Environment, Project, load_project
from marketo_sync.desired.load import load_desired
from marketo_sync.desired.model import DesiredState
from marketo_sync.errors import ConfigError
from marketo_sync.plan.compare import Comparison, Side, compare, declared_paths
from marketo_sync.plan.narrow import unknown_targets
from marketo_sync.remote.read import read_remote
from marketo_sync.workflows.inputs import campaign_paths
from marketo_sync.workflows.session import open_session


@dataclass(frozen=True, kw_only=True)
class CompareInputs:
    """The project and, per environment, the files loaded with its variables (all offline)."""

    project: Project
    environments: tuple[Environment, Environment]
    desired: tuple[DesiredState, DesiredState]


def load_compare_inputs(project_file: Path | None, environments: Sequence[str],
                        campaigns: Sequence[Path] | None = None) -> CompareInputs:
    """Exactly two different environments of the project, and the files loaded for each."""
    if len(environments) != 2 or environments[0] == environments[1]:
        given = ", ".join(environments) or "none"
        raise ConfigError(f"compare needs two different environments: --env A --env B (given: {given})")
    project = load_project(project_file)
    chosen = (project.environment(environments[0]), project.environment(environments[1]))
    paths = campaign_paths(project, campaigns)
    desired = tuple(load_desired(paths, root=project.root, variables=env.variables, environment=env.name,
                                 environments=project.environments) for env in chosen)
    return CompareInputs(project=project, environments=chosen, desired=(desired[0], desired[1]))


def compare_environments(inputs: CompareInputs, *, targets: Sequence[str] = ()) -> Comparison:
    """Read both instances (one after the other) and compare them; a ``--target`` that names
    nothing the files declare is refused first, before any call."""
    declared = [path for desired in inputs.desired for path in declared_paths(desired)]
    unknown = unknown_targets(targets, declared)
    if unknown:
        raise ConfigError("; ".join(f"--target {t!r} names no declared campaign and no folder of the "
                                    "campaign files" for t in unknown))
    sides: list[Side] = []
    for environment, desired in zip(inputs.environments, inputs.desired, strict=True):
        with open_session(inputs.project, environment) as session:
            remote = read_remote(session.api, desired, call_count=session.calls_made,
                                 workspace=session.workspace)
            sides.append(Side(environment=environment.name, instance=session.instance, desired=desired,
                              remote=remote))
    return compare(sides[0], sides[1], targets=targets)
