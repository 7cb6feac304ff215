"""Project options shared by the commands that read campaign files (validate, plan, apply).

``load_inputs`` does everything that needs no network: read the project, pick the
environment, load and validate every campaign file with that environment's variables. A
command calls it before it opens any connection, so invalid files cost zero API calls.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from marketo_sync.config import Environment, Project, load_project
from marketo_sync.desired import DesiredState, load_desired


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """``--project FILE``, ``--env NAME`` and ``--campaigns PATH`` (repeatable)."""
    group = parser.add_argument_group("project options")
    group.add_argument("--project", metavar="FILE", type=Path,
                       help="project file (default: ./marketo-sync.yaml when present)")
    group.add_argument("--env", metavar="NAME",
                       help="environment of the project file (default: its default_environment)")
    group.add_argument("--campaigns", metavar="PATH", action="append", type=Path,
                       help="campaign file, directory or glob; repeatable; replaces the project's "
                       "campaign paths (default: campaigns/)")


@dataclass
class Inputs:
    """What a command works on, all validated offline."""

    project: Project
    environment: Environment
    desired: DesiredState


def load_project_and_environment(args: argparse.Namespace) -> tuple[Project, Environment]:
    """The project (``--project``) and the chosen environment (``--env``)."""
    project = load_project(getattr(args, "project", None))
    return project, project.environment(getattr(args, "env", None))


def campaign_paths(args: argparse.Namespace, project: Project) -> tuple[Path, ...]:
    """``--campaigns`` (relative to the current directory) or the project's paths."""
    given = getattr(args, "campaigns", None)
    if given:
        return tuple(p if p.is_absolute() else Path.cwd() / p for p in given)
    return project.campaign_paths


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Project, environment and desired state; raises ConfigError / ValidationError."""
    project, environment = load_project_and_environment(args)
    desired = load_desired(campaign_paths(args, project), root=project.root,
                           variables=environment.variables, environment=environment.name)
    return Inputs(project=project, environment=environment, desired=desired)
