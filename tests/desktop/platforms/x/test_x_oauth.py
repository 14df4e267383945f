"""X OAuth helpers: where the consent page lives, token answers, token-endpoint errors."""

from __future__ import annotations

import time

import httpx

from desktop.domain.errors import SyncErrorKind
from desktop.platforms.base import Credentials
from desktop.platforms.x.oauth import (
    authorize_endpoint,
    classify_token_error,
    credentials_from_token,
)


def test_consent_page_is_on_x_com_for_the_public_api_and_local_otherwise() -> None:
    assert authorize_endpoint("https://api.x.com") == "https://x.com/i/oauth2/authorize"
    assert authorize_endpoint("http://127.0.0.1:5/x/") == "http://127.0.0.1:5/x/i/oauth2/authorize"


def test_token_answer_becomes_credentials_with_expiry_and_client() -> None:
    answer = {"token_type": "bearer", "expires_in": 7200, "access_token": "a2",
              "scope": "tweet.read offline.access", "refresh_token": "r2"}
    before = time.time()
    credentials = credentials_from_token(answer, "client-1")
    assert (credentials.access_token, credentials.refresh_token) == ("a2", "r2")
    assert credentials.client_id == "client-1"
    assert credentials.expires_at is not None
    assert before + 7199 <= credentials.expires_at <= time.time() + 7200


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one() -> None:
    previous = Credentials(access_token="a1", refresh_token="r1", client_id="c",
                           extra={"k": "v"})
    credentials = credentials_from_token({"access_token": "a2", "expires_in": 60}, "c",
                                         previous)
    assert credentials.refresh_token == "r1" and credentials.extra == {"k": "v"}


def test_token_endpoint_errors_are_auth_failures() -> None:
    request = httpx.Request("POST", "https://api.x.com/2/oauth2/token")
    refused = classify_token_error(httpx.Response(
        400, json={"error": "invalid_request",
                   "error_description": "Value passed for the token was invalid."},
        request=request))
    assert refused.kind is SyncErrorKind.AUTH and refused.platform_code == "invalid_request"
    down = classify_token_error(httpx.Response(503, text="busy", request=request))
    assert down.kind is SyncErrorKind.TRANSIENT
