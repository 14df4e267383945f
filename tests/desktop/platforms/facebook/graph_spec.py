"""Checks Graph API JSON against Meta's codegen node field lists (../shared/specs).

Used by the Facebook and Instagram contract tests. The codegen specs list each node's fields
with their types and its edges with the node type they return; they say nothing about
envelopes, paging or errors, which are checked against the shapes documented in
../shared/specs/README.md ("cursor paging", "error envelope").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[4]
SPECS = PROJECT.parent / "shared" / "specs" / "meta-graph-codegen"
GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")

# Nodes the codegen specs do not include, with their documented fields (Meta's "Message"
# reference for the Conversations API; the Send API answer; the token exchange answer).
DOCUMENTED: dict[str, dict[str, str]] = {
    "UnifiedMessage": {"id": "string", "message": "string", "created_time": "datetime",
                       "from": "Object", "to": "Object", "attachments": "Object"},
    "SendResult": {"recipient_id": "string", "message_id": "string"},
    "AccessToken": {"access_token": "string", "token_type": "string",
                    "expires_in": "unsigned int"},
}


@dataclass
class GraphSpec:
    folder: Path = SPECS
    _cache: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def node(self, name: str) -> dict[str, Any] | None:
        if name not in self._cache:
            path = self.folder / f"{name}.json"
            self._cache[name] = json.loads(path.read_text()) if path.exists() else None
        return self._cache[name]

    def fields(self, name: str) -> dict[str, str] | None:
        if name in DOCUMENTED:
            return DOCUMENTED[name]
        spec = self.node(name)
        return None if spec is None else {f["name"]: f["type"] for f in spec["fields"]}

    def edges(self, name: str) -> dict[str, str]:
        spec = self.node(name)
        if spec is None:
            return {}
        return {a["endpoint"]: a["return"] for a in spec["apis"]
                if a.get("method") == "GET" and a.get("endpoint")}

    def check_node(self, value: Any, node: str, where: str = "$") -> list[str]:
        """Every key must be a field (with a compatible type) or an edge of `node`."""
        if not isinstance(value, dict):
            return [f"{where}: {node} must be an object, got {type(value).__name__}"]
        fields = self.fields(node)
        if fields is None:
            return [f"{where}: no spec for node {node}"]
        edges = self.edges(node)
        problems: list[str] = []
        for key, item in value.items():
            if key in fields:
                problems += self.check_type(item, fields[key], f"{where}.{key}")
            elif key in edges:
                problems += self.check_edge(item, edges[key], f"{where}.{key}")
            else:
                problems.append(f"{where}.{key}: not a field or edge of {node}")
        return problems

    def check_type(self, value: Any, kind: str, where: str) -> list[str]:
        ok: bool
        if kind == "string":
            ok = isinstance(value, str)
        elif kind in ("int", "unsigned int"):
            ok = isinstance(value, int) and not isinstance(value, bool) and (
                kind == "int" or value >= 0)
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif kind == "datetime":
            ok = isinstance(value, str) and bool(GRAPH_TIME.match(value))
        elif kind == "Object":
            ok = isinstance(value, dict)
        elif kind == "list" or kind.startswith("list<"):
            ok = isinstance(value, list)
        elif self.fields(kind) is not None:
            return self.check_node(value, kind, where)
        else:  # a node type without a spec (Application, Place...): at least an object
            ok = isinstance(value, dict)
        return [] if ok else [f"{where}: {value!r} is not a {kind}"]

    def check_edge(self, value: Any, node: str, where: str = "$") -> list[str]:
        """An edge answer: `{"data": [node...], "paging"?: {...}, "summary"?: {...}}`."""
        if not isinstance(value, dict) or not isinstance(value.get("data"), list):
            return [f"{where}: an edge answer needs a data list"]
        problems = check_paging(value.get("paging"), where) if "paging" in value else []
        summary = value.get("summary")
        if summary is not None and not (isinstance(summary, dict) and isinstance(
                summary.get("total_count"), int)):
            problems.append(f"{where}.summary: needs an integer total_count")
        extra = set(value) - {"data", "paging", "summary"}
        if extra:
            problems.append(f"{where}: unexpected keys {sorted(extra)} beside data")
        for index, item in enumerate(value["data"]):
            problems += self.check_node(item, node, f"{where}.data[{index}]")
        return problems


def check_paging(paging: Any, where: str) -> list[str]:
    """`paging.cursors.before/after` (strings) and an optional absolute `paging.next` URL."""
    if not isinstance(paging, dict):
        return [f"{where}.paging: not an object"]
    problems = []
    cursors = paging.get("cursors")
    if not isinstance(cursors, dict) or not all(
            isinstance(cursors.get(k), str) for k in ("before", "after")):
        problems.append(f"{where}.paging.cursors: needs string before and after")
    if "next" in paging and not str(paging["next"]).startswith("http"):
        problems.append(f"{where}.paging.next: not an absolute URL")
    if set(paging) - {"cursors", "next", "previous"}:
        problems.append(f"{where}.paging: unexpected keys")
    return problems


def check_error(body: Any) -> list[str]:
    """`{"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}`."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ["error answer without an error object"]
    problems = [f"error.{k}: missing or not a string" for k in ("message", "type", "fbtrace_id")
                if not isinstance(error.get(k), str)]
    if not isinstance(error.get("code"), int):
        problems.append("error.code: missing or not an integer")
    if "error_subcode" in error and not isinstance(error["error_subcode"], int):
        problems.append("error.error_subcode: not an integer")
    if set(error) - {"message", "type", "code", "error_subcode", "fbtrace_id", "is_transient",
                     "error_user_title", "error_user_msg"}:
        problems.append(f"error: unexpected keys {sorted(error)}")
    return problems


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to `inner` and keeps every (request, JSON answer) for checking."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[httpx.Request, int, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        self.seen.append((request, response.status_code, json.loads(content)))
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request)

    def answers(self) -> Iterator[tuple[str, str, int, Any]]:
        for request, status, body in self.seen:
            yield request.method, request.url.path, status, body
