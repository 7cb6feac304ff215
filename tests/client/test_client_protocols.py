"""The API Protocols are views of ``MarketoApi``: every declared method and parameter is the real one."""

from __future__ import annotations

import inspect

import pytest

from marketo_sync.client.api import MarketoApi
from marketo_sync.client.protocols import PROTOCOLS, OperationsApi, ReadApi, WriteApi


def _members(protocol: type) -> set[str]:
    return {name for name in dir(protocol) if not name.startswith("_") and callable(getattr(protocol, name))}


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_every_protocol_method_is_a_view_of_the_clients(protocol: type) -> None:
    members = _members(protocol)
    assert members, protocol
    for name in sorted(members):
        real = inspect.signature(getattr(MarketoApi, name))
        declared = inspect.signature(getattr(protocol, name))
        for parameter in declared.parameters.values():
            assert parameter == real.parameters.get(parameter.name), (protocol.__name__, name, parameter.name)
        left_out = [p for p in real.parameters.values() if p.name not in declared.parameters]
        assert all(p.default is not inspect.Parameter.empty for p in left_out), (protocol.__name__, name)
        assert declared.return_annotation == real.return_annotation, (protocol.__name__, name)


def test_the_protocols_agree_with_each_other() -> None:
    """A method two Protocols both declare has one signature (the old copies disagreed on browse)."""
    for first in PROTOCOLS:
        for second in PROTOCOLS:
            for name in _members(first) & _members(second):
                assert inspect.signature(getattr(first, name)) == inspect.signature(getattr(second, name)), name


def test_the_family_covers_the_stages() -> None:
    assert {"browse_campaigns", "get_campaign", "tokens_of"} <= _members(ReadApi) & _members(WriteApi)
    assert _members(ReadApi) <= _members(OperationsApi)
    assert "create_campaign" in _members(WriteApi) - _members(OperationsApi)
    assert "request_campaign" in _members(OperationsApi) - _members(WriteApi)
