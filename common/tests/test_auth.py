"""OAuth2: refresh, single-use rotation persisted through CONTROL + config file, rejected tokens, client credentials."""

import io
import json

import pytest
import requests_mock

from connector_common.auth import HeaderTokenAuth, OAuth2Auth
from connector_common.errors import AuthFailed
from connector_common.http import HttpClient, RetryPolicy
from connector_common.protocol import ConfigPersister, validate_line

BASE = "https://api.example.test"
TOKEN_URL = f"{BASE}/oauth2/token"


def make(refresh_token="rt-0000000001", on_rotate=None, grant="refresh_token", clock=lambda: 1000.0):
    http = HttpClient(BASE, sleep=lambda s: None, retry=RetryPolicy(max_attempts=2))
    auth = OAuth2Auth(token_url=TOKEN_URL, client_id="client-id-1", client_secret="client-secret-xyz", http=http,
                      refresh_token=refresh_token, on_rotate=on_rotate, grant=grant, clock=clock)
    http.auth = auth
    return http, auth


def test_given_rotating_refresh_token_then_new_one_persisted_before_use(tmp_path):
    path = tmp_path / "config.json"
    config = {"credentials": {"refresh_token": "rt-0000000001"}, "division": 1}
    path.write_text(json.dumps(config))
    out = io.StringIO()
    persister = ConfigPersister(config, str(path), emit_message=lambda m: out.write(__import__(
        "connector_common.protocol", fromlist=["serialize"]).serialize(m) + "\n"))
    http, auth = make(on_rotate=lambda t: persister.update(("credentials", "refresh_token"), t.refresh_token))
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, json={"access_token": "at-1111111111", "expires_in": 600, "refresh_token": "rt-0000000002"})
        m.get(f"{BASE}/me", json={})
        http.get("/me")
        assert m.request_history[0].text.count("refresh_token=rt-0000000001") == 1
        assert m.request_history[1].headers["Authorization"] == "Bearer at-1111111111"
    assert json.loads(path.read_text())["credentials"]["refresh_token"] == "rt-0000000002"
    control = validate_line(out.getvalue().strip())
    assert control.control.connectorConfig.config["credentials"]["refresh_token"] == "rt-0000000002"
    assert auth.refresh_token == "rt-0000000002"


def test_given_token_valid_then_no_refresh_until_expiry():
    now = [1000.0]
    http, auth = make(clock=lambda: now[0])
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, json={"access_token": "at-1111111111", "expires_in": 600, "refresh_token": "rt-2"})
        m.get(f"{BASE}/x", json={})
        http.get("/x")
        http.get("/x")
        now[0] += 580  # within the 30 s margin of expiry
        http.get("/x")
        assert [r.url for r in m.request_history].count(TOKEN_URL) == 2
    assert auth.refreshes == 2


def test_given_used_refresh_token_then_auth_failed_says_reauthorise():
    http, _ = make()
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, status_code=400, json={"error": "invalid_grant"})
        with pytest.raises(AuthFailed, match="re-authorise"):
            http.get("/x")
        assert m.call_count == 1  # a token request is never repeated blindly


def test_given_wrong_client_secret_then_auth_failed_names_the_client_credentials_not_the_secret():
    http, _ = make()
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, status_code=400, json={"error": "invalid_client"})
        with pytest.raises(AuthFailed, match="client id or client secret") as caught:
            http.get("/x")
        assert m.call_count == 1
    assert "invalid_client" in str(caught.value) and "client-secret-xyz" not in str(caught.value)


def test_client_credentials_grant_sends_no_refresh_token():
    http, _ = make(refresh_token=None, grant="client_credentials")
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, json={"access_token": "at-cc-123456", "expires_in": 86399})
        m.get(f"{BASE}/x", json={})
        http.get("/x")
        assert "grant_type=client_credentials" in m.request_history[0].text
        assert "refresh_token" not in m.request_history[0].text


def test_secrets_are_redacted_from_errors_after_refresh():
    http, _ = make()
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, json={"access_token": "at-1111111111", "expires_in": 600})
        m.get(f"{BASE}/x", status_code=400, json={"error": "bad"})
        with pytest.raises(Exception) as info:
            http.get("/x?token=at-1111111111")
    assert "at-1111111111" not in str(info.value) + getattr(info.value, "url", "")


def test_header_token_auth():
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", json={})
        HttpClient(BASE, auth=HeaderTokenAuth("shpat_abc", header="X-Shopify-Access-Token", prefix="")).get("/x")
        assert m.last_request.headers["X-Shopify-Access-Token"] == "shpat_abc"


def test_config_file_write_back_is_atomic_and_keeps_mode(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{}")
    path.chmod(0o600)
    ConfigPersister({"a": {}}, str(path), emit_message=lambda m: None).update(("a", "b"), "x")
    assert json.loads(path.read_text()) == {"a": {"b": "x"}}
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [path]


def test_given_burnt_refresh_token_answered_401_then_provider_text_and_reauthorise_hint():
    http, _ = make()
    with requests_mock.Mocker() as m:
        m.post(TOKEN_URL, status_code=401, json={"error": "unauthorized_client", "error_description": "Old refresh token used."})
        with pytest.raises(AuthFailed) as info:
            http.get("/x")
    assert "Old refresh token used." in str(info.value) and "re-authorise" in str(info.value)
    assert "rt-0000000001" not in str(info.value)
