"""Connecting accounts: sign-in flows, and what connecting, pausing and removing one does.

Qt-free, shared by the CLI (`python -m desktop accounts ...`) and the accounts dialog:
- `loopback`: the one-shot redirect receiver on 127.0.0.1 (RFC 8252) that checks `state`;
- `oauth`: the authorization-code flow with PKCE S256 (RFC 6749 / RFC 7636), built on
  Authlib's RFC primitives and sent through the platforms' shared httpx client;
- `flows`: each platform's way in (Mastodon app registration + OAuth, X OAuth 2.0 public or
  confidential client, Bluesky app password, Meta bring-your-own app), and the sandbox;
- `lifecycle`: store row + keyring entry + sync engine kept in step (add, re-authenticate,
  pause, resume, remove with or without history).
"""

from __future__ import annotations

from desktop.auth.errors import SignInError

__all__ = ["SignInError"]
