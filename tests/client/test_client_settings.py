"""ClientSettings: checked before any call, secrets never shown."""

from __future__ import annotations

import pytest

from marketo_sync.client import ClientSettings
from marketo_sync.errors import ConfigError

SECRET = "s3cr3t-value-never-shown"
ENV = {"MARKETO_BASE_URL": "https://123-ABC-456.mktorest.com/", "MARKETO_CLIENT_ID": "cid",
       "MARKETO_CLIENT_SECRET": SECRET}


def test_from_env_normalises_and_defaults_identity() -> None:
    settings = ClientSettings.from_env(ENV)
    assert settings.base_url == "https://123-abc-456.mktorest.com"
    assert settings.identity_url == "https://123-abc-456.mktorest.com/identity"
    assert settings.token_url == "https://123-abc-456.mktorest.com/identity/oauth/token"
    assert settings.url("/rest/asset/v1/folders.json") == "https://123-abc-456.mktorest.com/rest/asset/v1/folders.json"
    assert settings.instance == "123-abc-456.mktorest.com"


def test_rest_endpoint_as_shown_in_the_ui_is_accepted() -> None:
    settings = ClientSettings.from_env({**ENV, "MARKETO_BASE_URL": "https://123-ABC-456.mktorest.com/rest//"})
    assert settings.base_url == "https://123-abc-456.mktorest.com"
    assert "//" not in settings.url("//rest/v1/leads.json").split("://", 1)[1]


def test_identity_url_override_and_prefix() -> None:
    env = {"STAGE_BASE_URL": "https://x.mktorest.com", "STAGE_CLIENT_ID": "c", "STAGE_CLIENT_SECRET": "s",
           "STAGE_IDENTITY_URL": "https://x.mktorest.com/identity/"}
    settings = ClientSettings.from_env(env, prefix="STAGE_")
    assert settings.identity_url == "https://x.mktorest.com/identity"


@pytest.mark.parametrize("missing", ["MARKETO_BASE_URL", "MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"])
def test_missing_variable_is_named(missing: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        ClientSettings.from_env(env)


@pytest.mark.parametrize("url", ["http://123-abc-456.mktorest.com", "ftp://x.mktorest.com", "not a url",
                                 "https://", "https://user:pw@x.mktorest.com", "https://x.com?a=1",
                                 "https://x.com:notaport"])
def test_malformed_base_url_names_the_variable_not_the_value(url: str) -> None:
    with pytest.raises(ConfigError) as failure:
        ClientSettings.from_env({**ENV, "MARKETO_BASE_URL": url})
    assert "MARKETO_BASE_URL" in str(failure.value)
    assert "pw" not in str(failure.value) and SECRET not in str(failure.value)


@pytest.mark.parametrize("url,instance", [("http://127.0.0.1:8080", "127.0.0.1:8080"),
                                          ("http://127.1.2.3:9", "127.1.2.3:9"),
                                          ("http://localhost:81/", "localhost:81"),
                                          ("http://[::1]:5000", "[::1]:5000")])
def test_plain_http_only_for_loopback(url: str, instance: str) -> None:
    settings = ClientSettings(base_url=url, client_id="c", client_secret="s")
    assert settings.instance == instance
    assert settings.url("rest/v1/x.json") == settings.base_url + "/rest/v1/x.json"


def test_identity_url_http_refused_for_remote_hosts() -> None:
    with pytest.raises(ConfigError, match="MARKETO_IDENTITY_URL"):
        ClientSettings.from_env({**ENV, "MARKETO_IDENTITY_URL": "http://evil.example.com/identity"})


def test_secret_never_in_repr_or_str() -> None:
    settings = ClientSettings.from_env(ENV)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert "cid" in repr(settings)


def test_blank_credentials_and_bad_timeouts() -> None:
    with pytest.raises(ConfigError, match="client_secret"):
        ClientSettings(base_url="https://x.mktorest.com", client_id="c", client_secret=" ")
    with pytest.raises(ConfigError, match="read_timeout"):
        ClientSettings(base_url="https://x.mktorest.com", client_id="c", client_secret="s", read_timeout=0)
