"""Validate what the sandbox serves against the platforms' published OpenAPI documents.

Shared by the contract tests (Mastodon, X). The specs live in ../shared/specs relative to the
project root and are read in place, never copied. Loading is lenient about the known defects
listed in that folder's README, and converts OpenAPI 3.0 `nullable` to JSON Schema, so the
validator checks what the spec means rather than tripping on how it is written:
- duplicate enum values (X) are de-duplicated;
- a `default` whose type does not match its schema (Mastodon's integer "null") is dropped;
- `nullable: true` (OpenAPI 3.0) becomes a `null` alternative.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SPECS_DIR = PROJECT_ROOT.parent / "shared" / "specs"
TYPE_CHECKS = {"integer": int, "string": str, "boolean": bool, "number": (int, float),
               "array": list, "object": dict}


def spec_path(relative: str) -> Path:
    """The spec file, or skip the test with the reason when the specs folder is absent."""
    path = SPECS_DIR / relative
    if not path.is_file():
        pytest.skip(f"platform specs not found at {path} (they live in ../shared/specs)")
    return path


def _lenient(node: Any, openapi_30: bool) -> Any:
    if isinstance(node, list):
        return [_lenient(item, openapi_30) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _lenient(value, openapi_30) for key, value in node.items()}
    if isinstance(node.get("enum"), list):
        unique: list[Any] = []
        for value in node["enum"]:
            if value not in unique:
                unique.append(value)
        node["enum"] = unique
    expected = TYPE_CHECKS.get(node.get("type")) if isinstance(node.get("type"), str) else None
    if "default" in node and expected and not isinstance(node["default"], expected):
        del node["default"]
    if openapi_30 and node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"].append(None)
        if "$ref" in node or "allOf" in node or "oneOf" in node or "anyOf" in node:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@cache
def load_openapi(relative: str) -> dict[str, Any]:
    """The OpenAPI document at ../shared/specs/<relative>, leniently patched (see above)."""
    raw = json.loads(spec_path(relative).read_text(encoding="utf-8"))
    result: dict[str, Any] = _lenient(raw, str(raw.get("openapi", "")).startswith("3.0"))
    return result


class OpenAPIContract:
    """Checks response bodies and headers against one OpenAPI document."""

    def __init__(self, relative: str) -> None:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.doc = load_openapi(relative)
        self._uri = f"urn:spec:{relative}"
        resource = Resource.from_contents(copy.deepcopy(self.doc),
                                          default_specification=DRAFT202012)
        self._registry = Registry().with_resource(self._uri, resource)
        self._validator_cls = Draft202012Validator

    def _validate(self, schema: dict[str, Any], instance: Any, where: str) -> None:
        from jsonschema.exceptions import best_match

        wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                   **_rebase(schema, self._uri)}
        validator = self._validator_cls(wrapped, registry=self._registry)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            location = "/".join(str(p) for p in error.absolute_path)
            raise AssertionError(f"{where}: at /{location}: {error.message}")

    def validate_component(self, name: str, instance: Any) -> None:
        """`instance` against components/schemas/<name>."""
        if name not in self.doc.get("components", {}).get("schemas", {}):
            raise KeyError(f"no component schema {name!r}")
        self._validate({"$ref": f"#/components/schemas/{name}"}, instance, name)

    def operation(self, path: str, method: str) -> dict[str, Any]:
        try:
            op: dict[str, Any] = self.doc["paths"][path][method.lower()]
        except KeyError:
            raise KeyError(f"the spec has no {method.upper()} {path}") from None
        return op

    def _response(self, path: str, method: str, status: int) -> dict[str, Any]:
        responses = self.operation(path, method)["responses"]
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") \
            or responses.get("default")
        if response is None:
            raise AssertionError(f"{method.upper()} {path} declares no {status} response")
        return self._deref(response)

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            target: Any = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def validate_response(self, path: str, method: str, status: int, body: Any,
                          headers: Any = None) -> None:
        """The JSON body (and any declared headers present) of `METHOD path` answering
        `status`; `path` is the spec's template, e.g. /api/v1/statuses/{id}/context."""
        response = self._response(path, method, status)
        content = response.get("content") or {}
        media = next((v for k, v in content.items() if "json" in k), None)
        if media is None:
            raise AssertionError(f"{method.upper()} {path} {status}: no JSON content declared")
        self._validate(media.get("schema", {}), body, f"{method.upper()} {path} {status}")
        for name, declared in (response.get("headers") or {}).items():
            if headers is None or name not in headers:
                continue
            schema = self._deref(declared).get("schema", {})
            self._validate(schema, _header_value(headers[name], schema), f"header {name}")
            if schema.get("format") == "date-time":
                datetime.fromisoformat(headers[name].replace("Z", "+00:00"))

    def declared_headers(self, path: str, method: str, status: int) -> set[str]:
        return set((self._response(path, method, status).get("headers") or {}).keys())


def _header_value(value: str, schema: dict[str, Any]) -> Any:
    if schema.get("type") == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if schema.get("type") == "number":
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _rebase(schema: Any, uri: str) -> Any:
    """Point local refs ("#/components/...") at the registered document."""
    if isinstance(schema, list):
        return [_rebase(item, uri) for item in schema]
    if isinstance(schema, dict):
        return {key: (f"{uri}{value}" if key == "$ref" and isinstance(value, str)
                      and value.startswith("#") else _rebase(value, uri))
                for key, value in schema.items()}
    return schema
