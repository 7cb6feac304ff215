"""AJO fixtures: a real IMS + AJO emulator on 127.0.0.1, a client on it, and the spec's validator.

The contract is ``messaging.yaml`` (Adobe's OpenAPI 3.0 spec): the maintained copy in
``/work/shared`` when present, else the byte-identical copy vendored in ``tests/ajo/data``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from marketo_sync.client.ajo import AjoClient
from marketo_sync.client.ajo_settings import AjoSettings
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.emulator.ajo import AjoEmulator

SHARED_SPEC = Path("/work/shared/marketo-api/ajo/messaging.yaml")
VENDORED_SPEC = Path(__file__).parent / "data" / "messaging.yaml"


class Sleeps:
    """An injected ``sleep``: records the waits instead of waiting (no test sleeps)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def make_ajo() -> Iterator[Callable[..., AjoEmulator]]:
    started: list[AjoEmulator] = []

    def make(*args: Any, **kwargs: Any) -> AjoEmulator:
        server = AjoEmulator(*args, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def ajo(make_ajo: Callable[..., AjoEmulator]) -> AjoEmulator:
    return make_ajo()


@pytest.fixture
def make_client() -> Iterator[Callable[..., tuple[AjoClient, Sleeps]]]:
    clients: list[AjoClient] = []

    def make(server: AjoEmulator, **kwargs: Any) -> tuple[AjoClient, Sleeps]:
        sleeps = Sleeps()
        kwargs.setdefault("retry", RetryPolicy(attempts=5, deadline=60, initial=0.5, jitter=0.1))
        client = AjoClient(AjoSettings.from_env(server.env()), sleep=sleeps, **kwargs)
        clients.append(client)
        return client, sleeps

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(ajo: AjoEmulator, make_client: Callable[..., tuple[AjoClient, Sleeps]]) -> AjoClient:
    return make_client(ajo)[0]


# -- the OpenAPI contract ---------------------------------------------------------------------------
def _honour_discriminators(node: Any) -> Any:
    """jsonschema ignores OpenAPI's ``discriminator``; AEPRecipient and ExternalRecipient both match
    ``{type, userId, namespace}``, so a plain ``oneOf`` would fail. Select the branch by ``type``."""
    if isinstance(node, dict):
        node = {k: _honour_discriminators(v) for k, v in node.items()}
        if "discriminator" in node and "oneOf" in node:
            prop = node["discriminator"]["propertyName"]
            mapping = node["discriminator"]["mapping"]
            return {"type": "object", "required": [prop], "properties": {prop: {"enum": list(mapping)}},
                    "allOf": [{"if": {"properties": {prop: {"const": key}}}, "then": {"$ref": ref}}
                              for key, ref in mapping.items()]}
        refs = [b.get("$ref", "") for b in node.get("oneOf", []) if isinstance(b, dict)]
        if sorted(r.rsplit("/", 1)[-1] for r in refs) == ["ScheduledExecutionResponse", "imExecutionResponse"]:
            # imExecutionResponse requires nothing, so every scheduled answer matches both branches and a
            # literal oneOf can never pass: pick the branch the way a reader would, by scheduleId.
            scheduled = next(r for r in refs if r.endswith("ScheduledExecutionResponse"))
            plain = next(r for r in refs if r.endswith("imExecutionResponse"))
            return {"if": {"required": ["scheduleId"]}, "then": {"$ref": scheduled}, "else": {"$ref": plain}}
        return node
    if isinstance(node, list):
        return [_honour_discriminators(v) for v in node]
    return node


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        raise ValueError("not a date-time")
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


class Contract:
    """Validates recorded requests and answers against messaging.yaml."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = _honour_discriminators(spec["components"])
        self._paths = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in spec["paths"]]

    def operation(self, path: str) -> tuple[str, dict[str, Any]]:
        local = path.removeprefix("/ajo")
        for regex, template in self._paths:
            if regex.match(local):
                return template, self.spec["paths"][template]
        raise AssertionError(f"{path} is not in messaging.yaml")

    def _validate(self, schema: dict[str, Any], document: Any) -> None:
        root = {**_honour_discriminators(copy.deepcopy(schema)), "components": self.components}
        jsonschema.Draft202012Validator(root, format_checker=_FORMATS).validate(document)

    def check_request(self, call: dict[str, Any]) -> None:
        template, item = self.operation(call["path"])
        op = item[call["method"].lower()]
        params = [p for p in item.get("parameters", []) + op.get("parameters", [])]
        for ref in params:
            param = self.spec["components"]["parameters"][ref["$ref"].rsplit("/", 1)[1]] if "$ref" in ref else ref
            if param["in"] == "header" and param.get("required"):
                assert param["name"].lower() in call["headers"], f"{template}: header {param['name']} missing"
        assert "x-request-id" not in call["headers"], "x-request-id must not be sent"
        assert "authorization" in call["headers"]
        body = op.get("requestBody")
        if body is not None:
            self._validate(body["content"]["application/json"]["schema"], call["request"])

    def check_answer(self, call: dict[str, Any]) -> None:
        template, item = self.operation(call["path"])
        responses = item[call["method"].lower()]["responses"]
        assert str(call["status"]) in responses, f"{template}: status {call['status']} is not in the spec"
        content = responses[str(call["status"])].get("content")
        if content is not None:
            self._validate(content["application/json"]["schema"], call["answer"])


@pytest.fixture(scope="session")
def contract() -> Contract:
    path = SHARED_SPEC if SHARED_SPEC.exists() else VENDORED_SPEC
    return Contract(yaml.safe_load(path.read_text(encoding="utf-8")))
