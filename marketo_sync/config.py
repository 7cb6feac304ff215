"""The project: where the campaign files are, and the environments they are applied to.

A project file (``marketo-sync.yaml``) is optional. Without one, the project is the current
directory: ``campaigns/`` and a single environment ``default`` whose connection comes from
``MARKETO_BASE_URL`` / ``MARKETO_CLIENT_ID`` / ``MARKETO_CLIENT_SECRET``.

Credentials are never read from files: an environment names an ``env_prefix`` and the
connection is read from ``<PREFIX>CLIENT_SECRET`` etc. by ``connect.py``. A credential key
in the project file is an error whose message names the variable to use instead, and never
repeats the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from marketo_sync.desired import schema
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.yaml_loader import Problem
from marketo_sync.errors import ConfigError

PROJECT_FILE = "marketo-sync.yaml"
SCHEMA = "project.schema.json"
DEFAULT_PREFIX = "MARKETO_"
DEFAULT_CAMPAIGNS = "campaigns"
DEFAULT_SEED = "examples/instance.yaml"
DEFAULT_EMULATOR_STATE = ".marketo-sync/emulator-state.json"
STATE_DIR = ".marketo-sync"

#: Keys that hold (or locate) credentials, matched at the end of any key: they belong in
#: environment variables, never in a file that is committed.
CREDENTIAL_KEYS: Mapping[str, str] = MappingProxyType({
    "client_secret": "CLIENT_SECRET", "client_id": "CLIENT_ID", "base_url": "BASE_URL",
    "identity_url": "IDENTITY_URL", "access_token": "CLIENT_SECRET", "password": "CLIENT_SECRET",
    "secret": "CLIENT_SECRET", "api_key": "CLIENT_SECRET", "munchkin_id": "BASE_URL",
})


@dataclass(frozen=True)
class EmbeddedEmulator:
    """Run the emulator in-process for this environment. Paths are relative to the project root."""

    seed: str = DEFAULT_SEED
    state: str = DEFAULT_EMULATOR_STATE


@dataclass(frozen=True)
class Environment:
    """One instance the files are applied to: how to connect, and its ``${variables}``."""

    name: str
    env_prefix: str = DEFAULT_PREFIX
    variables: Mapping[str, str] = field(default_factory=dict)
    embedded_emulator: EmbeddedEmulator | None = None
    #: The Marketo workspace whose "Marketing Activities" the paths resolve in; None: not
    #: named ("Default", or the only workspace that has the path).
    workspace: str | None = None


@dataclass(frozen=True)
class Limits:
    """The client's share of the instance's API budget (100 calls / 20 s, 10 concurrent)."""

    rate_limit: int = 50
    window: float = 20.0
    concurrency: int = 5
    #: Calls per day the instance allows, shared by every integration (Marketo's default).
    daily_quota: int = 50_000
    #: Largest campaign or project file read (a bigger file is refused before it is parsed).
    max_file_mb: float = 5.0

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(frozen=True)
class Safety:
    """Apply's blast-radius thresholds."""

    max_destructive_share: float = 0.25
    min_managed: int = 10
    #: Largest share of the day's quota (``limits.daily_quota``) one apply may use.
    max_daily_share: float = 0.5


@dataclass(frozen=True)
class Project:
    """Everything a command needs to know before it reads a campaign file."""

    root: Path
    file: Path | None
    campaign_paths: tuple[Path, ...]
    environments: Mapping[str, Environment]
    default_environment: str
    limits: Limits = Limits()
    safety: Safety = Safety()
    #: Apply journals kept in ``.marketo-sync/journal/`` after a successful apply (``journals.keep``).
    keep_journals: int = 50

    @property
    def state_dir(self) -> Path:
        """``<root>/.marketo-sync``: journals and the embedded emulator's state."""
        return self.root / STATE_DIR

    def environment(self, name: str | None = None) -> Environment:
        """The environment called ``name`` (default: the project's default)."""
        wanted = name or self.default_environment
        known = ", ".join(sorted(self.environments)) or "none"
        where = f" in {self.file}" if self.file else ""
        if not wanted:
            raise ConfigError(f"choose an environment with --env (defined{where}: {known})")
        try:
            return self.environments[wanted]
        except KeyError:
            raise ConfigError(f"unknown environment {wanted!r} (defined{where}: {known})") from None


def default_project(cwd: Path) -> Project:
    """The project of a directory without a project file."""
    return Project(root=cwd, file=None, campaign_paths=(cwd / DEFAULT_CAMPAIGNS,),
                   environments={"default": Environment("default")}, default_environment="default")


def load_project(path: Path | None = None, *, cwd: Path | None = None) -> Project:
    """Read the project file ``path`` (or ``./marketo-sync.yaml`` when present).

    Raises :class:`ConfigError` listing every problem, each with file, line, column and field.
    """
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    if path is None:
        candidate = cwd / PROJECT_FILE
        if not candidate.is_file():
            return default_project(cwd)
        path = candidate
    path = Path(path)
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        path = path / PROJECT_FILE
    if not path.is_file():
        raise ConfigError(f"project file {path} does not exist")
    try:
        text = _yaml.read_text(path)
    except _yaml.FileRefused as error:
        raise ConfigError(f"cannot read the project file {path}: {error}") from None
    return parse_project(text, path)


def parse_project(text: str, path: Path) -> Project:
    """Build a :class:`Project` from the text of ``path`` (its directory is the root)."""
    name = path.name
    document, problems = _yaml.load(text, name)
    if document is None and not problems:
        document = _yaml.ContextDict(file=name)
    if document is not None:
        credentials = _credential_problems(document, [])
        problems.extend(credentials)
        problems.extend(schema.check(document, SCHEMA, ignore_keys={p.key.rsplit(".", 1)[-1]
                                                                     for p in credentials}))
        problems.extend(_default_problems(document))
    if not problems:
        project = _build(document, path)
    if problems:
        reasons = [schema.format_problem(str(path), p) for p in
                   sorted(dict.fromkeys(problems), key=lambda p: (p.mark.line, p.mark.column))]
        count = len(reasons)
        error = ConfigError(f"{count} error{'s' if count != 1 else ''} in the project file:\n"
                            + "\n".join(f"  - {r}" for r in reasons))
        error.reasons = reasons  # type: ignore[attr-defined]
        raise error
    return project


def _credential_problems(node: Any, path: list[Any], prefix: str = DEFAULT_PREFIX) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, dict):
        if len(path) == 2 and path[0] == "environments" and isinstance(node.get("env_prefix"), str):
            prefix = node["env_prefix"]
        for key, value in node.items():
            normal = str(key).strip().lower().replace("-", "_")
            variable = next((v for k, v in CREDENTIAL_KEYS.items() if normal.endswith(k)), None)
            if variable is not None:
                problems.append(Problem(
                    f"credentials are never read from files: remove {key!r} and set the environment "
                    f"variable {prefix}{variable} instead (with {prefix}BASE_URL, {prefix}CLIENT_ID and "
                    f"{prefix}CLIENT_SECRET)", _yaml.mark_of(node, [key], key=True),
                    _yaml.field_name([*path, key])))
            else:
                problems.extend(_credential_problems(value, [*path, key], prefix))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            problems.extend(_credential_problems(item, [*path, index], prefix))
    return problems


def _default_problems(document: Any) -> list[Problem]:
    """``default_environment`` must name a defined environment (checked even when other keys are wrong)."""
    if not isinstance(document, dict):
        return []
    default = document.get("default_environment")
    environments = document.get("environments")
    names = sorted(environments) if isinstance(environments, dict) else ["default"]
    if not isinstance(default, str) or default in names:
        return []
    return [Problem(f"unknown environment {default!r} (defined: {', '.join(names)})",
                    _yaml.mark_of(document, ["default_environment"]), "default_environment")]


def _build(document: Any, path: Path) -> Project:
    root = path.parent
    raw_paths = document.get("campaigns", DEFAULT_CAMPAIGNS)
    campaign_paths = tuple(root / p for p in ([raw_paths] if isinstance(raw_paths, str) else raw_paths))

    environments: dict[str, Environment] = {}
    for env_name, raw in (document.get("environments") or {}).items():
        raw = raw or {}
        emulator = raw.get("emulator")
        embedded = None if emulator is None else EmbeddedEmulator(
            seed=emulator.get("seed", DEFAULT_SEED), state=emulator.get("state", DEFAULT_EMULATOR_STATE))
        variables = {str(k): _text(v, raw["variables"].scalars.get(k))
                     for k, v in (raw.get("variables") or {}).items()}
        environments[env_name] = Environment(
            name=env_name, env_prefix=raw.get("env_prefix", DEFAULT_PREFIX),
            variables=MappingProxyType(variables), embedded_emulator=embedded,
            workspace=raw.get("workspace"))
    if not environments:
        environments["default"] = Environment("default")

    default = document.get("default_environment")
    if default is None:
        default = next(iter(environments)) if len(environments) == 1 else ""

    limits = Limits(**(document.get("limits") or {}))
    safety = Safety(**(document.get("safety") or {}))
    project = Project(root=root, file=path, campaign_paths=campaign_paths,
                      environments=MappingProxyType(environments), default_environment=default,
                      limits=Limits(limits.rate_limit, float(limits.window), limits.concurrency,
                                    int(limits.daily_quota), float(limits.max_file_mb)),
                      safety=Safety(float(safety.max_destructive_share), safety.min_managed,
                                    float(safety.max_daily_share)),
                      keep_journals=int((document.get("journals") or {}).get("keep", 50)))
    return project


def _text(value: Any, written: _yaml.Scalar | None) -> str:
    """Variables are text; numbers keep the digits as written."""
    if isinstance(value, str):
        return value
    if written is not None and not isinstance(value, bool):
        return written.text
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
