"""Everything a command works on that needs no network: project, environment, campaign files.

``load_inputs`` reads the project, picks the environment, and loads and validates every
campaign file with that environment's variables. Commands call it before they open any
connection, so invalid files cost zero API calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from marketo_sync.config import Environment, Project, load_project
from marketo_sync.desired.load import load_desired
from marketo_sync.desired.model import DesiredState


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """What a command works on, all validated offline."""

    project: Project
    environment: Environment
    desired: DesiredState
    #: ``--campaigns`` replaced the project's campaign paths: other files may declare more.
    narrowed: bool = False


def load_project_and_environment(project_file: Path | None = None,
                                 environment: str | None = None) -> tuple[Project, Environment]:
    """The project (``--project``, default ``./marketo-sync.yaml``) and the chosen environment."""
    project = load_project(project_file)
    return project, project.environment(environment)


def campaign_paths(project: Project, given: Sequence[Path] | None = None) -> tuple[Path, ...]:
    """``--campaigns`` paths (relative to the current directory), else the project's own."""
    if given:
        return tuple(p if p.is_absolute() else Path.cwd() / p for p in given)
    return project.campaign_paths


def load_inputs(project_file: Path | None = None, environment: str | None = None,
                campaigns: Sequence[Path] | None = None) -> Inputs:
    """Project, environment and desired state; raises ConfigError / ValidationError."""
    project, chosen = load_project_and_environment(project_file, environment)
    desired = load_desired(campaign_paths(project, campaigns), root=project.root,
                           variables=chosen.variables, environment=chosen.name,
                           environments=project.environments,
                           max_file_bytes=project.limits.max_file_bytes)
    narrowed = bool(campaigns) and campaign_paths(project, campaigns) != tuple(project.campaign_paths)
    return Inputs(project=project, environment=chosen, desired=desired, narrowed=narrowed)
