"""Request bodies for the sims: JSON or application/x-www-form-urlencoded.

Why not `request.form()`: Starlette needs python-multipart for it, and the platform APIs we
simulate only send urlencoded forms (OAuth token endpoints, Mastodon statuses) or JSON.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request


async def read_params(request: Request) -> dict[str, Any]:
    """The body as a flat dict (the last value wins for a repeated form key); {} if unusable."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/json":
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}
