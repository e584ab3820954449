"""Spotify's published Web API reference (OpenAPI 3.0, tests/contracts/spotify/) as a checker.

``check_request`` holds a request to the operation it names: the path and method exist, the operation is
not deprecated, query parameters are known and within their schemas (``limit`` ≤ 50 …), the JSON body
matches the request schema. ``check_response`` holds an answer to the response schema of its status and
reports every deprecated field it carries. The fake Spotify runs both on every call, so a renamed endpoint,
a wrong limit or a deprecated field fails a test instead of a user.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

SPEC_PATH = Path(__file__).parent / "spotify" / "spotify-openapi.yml"
METHODS = ("get", "put", "post", "delete", "patch")


class ContractError(Exception):
    """A request that the reference does not allow; ``status`` is what Spotify would answer."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict

    @property
    def operation_id(self) -> str:
        return self.spec.get("operationId", "")

    @property
    def deprecated(self) -> bool:
        return bool(self.spec.get("deprecated"))

    @property
    def scopes(self) -> frozenset[str]:
        """Scopes of which the token needs at least one (the reference lists alternatives, e.g. public/private)."""
        return frozenset(s for block in self.spec.get("security", []) for s in block.get("oauth_2_0", []))


@functools.cache
def document() -> dict:
    with SPEC_PATH.open() as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return _nullable_to_jsonschema(doc)


def _nullable_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` is not JSON Schema: spell it as a type that admits null.

    Also drops deprecated fields from ``required`` lists (the reference marks some both)."""
    if isinstance(node, list):
        return [_nullable_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
    if isinstance(node.get("required"), list) and isinstance(node.get("properties"), dict):
        # A field on its way out cannot be required: today's Spotify may leave it out (album available_markets).
        node["required"] = [n for n in node["required"] if not node["properties"].get(n, {}).get("deprecated")]
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in document()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    # Literal paths before templated ones: /me/playlists is not /users/{user_id}/playlists.
    return sorted(routes, key=lambda r: r[1].count("{"))


def _resolve(node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = _pointer(node["$ref"])
    return node


def _pointer(ref: str) -> Any:
    node: Any = document()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def operation(method: str, path: str) -> Operation:
    """The operation for ``method path`` (path relative to /v1); ContractError 404/405 when there is none."""
    for pattern, template in _routes():
        if pattern.match(path):
            spec = document()["paths"][template].get(method.lower())
            if spec is None:
                raise ContractError(f"{method} is not allowed on {template}", status=405)
            return Operation(method.upper(), template, spec)
    raise ContractError(f"no such endpoint: {path}", status=404)


def _validator(schema: dict) -> Draft7Validator:
    # The reference's "#/components/..." pointers resolve against the schema's root, so the root carries them.
    return Draft7Validator({**schema, "components": document()["components"]})


def _coerce(value: str, schema: dict) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def check_request(method: str, path: str, query: dict[str, list[str]], body: Any) -> Operation:
    """Raise ContractError for a request the reference refuses; answer the operation otherwise."""
    op = operation(method, path)
    params = [_resolve(p) for p in op.spec.get("parameters", []) + document()["paths"][op.template].get(
        "parameters", [])]
    known = {p["name"]: p for p in params if p["in"] == "query"}
    for name in query:
        if name not in known:
            raise ContractError(f"{op.operation_id}: unknown query parameter {name!r}")
    for name, param in known.items():
        if name not in query:
            if param.get("required"):
                raise ContractError(f"{op.operation_id}: missing required query parameter {name!r}")
            continue
        schema = param.get("schema", {})
        errors = [e.message for e in _validator(schema).iter_errors(_coerce(query[name][0], schema))]
        if errors:
            raise ContractError(f"{op.operation_id}: query parameter {name!r}: {errors[0]}")
    request_schema = ((op.spec.get("requestBody") or {}).get("content") or {}).get("application/json", {})
    if body is not None and request_schema.get("schema"):
        errors = [e.message for e in _validator(request_schema["schema"]).iter_errors(body)]
        if errors:
            raise ContractError(f"{op.operation_id}: request body: {errors[0]}")
    elif body is not None and not request_schema and method.upper() != "GET":
        raise ContractError(f"{op.operation_id}: takes no JSON body")
    return op


def _response_schema(op: Operation, status: int) -> dict | None:
    responses = op.spec.get("responses", {})
    answer = responses.get(str(status))
    if answer is None and status >= 400:
        answer = {"$ref": "#/components/responses/BadRequest"}  # every error carries the same ErrorObject
    if answer is None:
        return None
    answer = _resolve(answer)
    return ((answer.get("content") or {}).get("application/json") or {}).get("schema")


def check_response(method: str, path: str, status: int, body: Any) -> list[str]:
    """Problems with an answer: the status is not documented, the body breaks the schema, deprecated fields."""
    op = operation(method, path)
    if str(status) not in op.spec.get("responses", {}) and status < 400:
        return [f"{op.operation_id}: status {status} is not documented"]
    schema = _response_schema(op, status)
    if schema is None:
        return [] if body is None else [f"{op.operation_id}: {status} documents no body"]
    if body is None:
        return [f"{op.operation_id}: {status} needs a body"]
    problems = [f"{op.operation_id}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in _validator(schema).iter_errors(body)]
    return problems + [f"{op.operation_id}: deprecated field {p}" for p in deprecated_fields(schema, body)]


def deprecated_fields(schema: dict, instance: Any, where: str = "") -> list[str]:
    """Paths of the fields in ``instance`` that the reference marks deprecated."""
    schema = _resolve(schema)
    found = []
    for branch in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        found += deprecated_fields(branch, instance, where)
    if isinstance(instance, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if name in instance:
                if prop.get("deprecated") or _resolve(prop).get("deprecated"):
                    found.append(f"{where}{name}")
                found += deprecated_fields(prop, instance[name], f"{where}{name}.")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for n, item in enumerate(instance):
            found += deprecated_fields(schema["items"], item, f"{where}{n}.")
    return sorted(set(found))
