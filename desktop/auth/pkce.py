"""PKCE (RFC 7636) with the S256 method: a fresh verifier per sign-in, and its challenge.

Authlib's implementation (the same code its OAuth clients and servers use), so the challenge
is computed exactly as authorization servers check it.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

VERIFIER_LENGTH = 64  # RFC 7636: 43..128 unreserved characters


@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"


def new_pkce() -> Pkce:
    verifier = generate_token(VERIFIER_LENGTH)
    return Pkce(verifier=verifier, challenge=create_s256_code_challenge(verifier))


def new_state() -> str:
    """An unguessable `state` binding the redirect to this sign-in (RFC 6749 10.12)."""
    return str(generate_token(32))
