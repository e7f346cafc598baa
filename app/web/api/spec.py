"""The OpenAPI 3.1 document, built by apispec from the API's own routes and schemas.

Each API view carries its operation (:func:`operation`): a summary, the schema of its query
string or body and the schema of each answer. The document walks the app's URL map, so every
route of the API is described, and its schemas are the classes the API writes with.
"""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema
from marshmallow import fields

from app.web.api.fields import register_types

#: Where each answer status is described once.
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: the job runs; follow its status address",
    304: "Not modified since the ETag or date sent (no body)",
    400: "A parameter or the body cannot be read",
    401: "No token, or a token that is unknown, revoked or expired",
    403: "The token's scope or its owner's role does not allow this",
    404: "No such record",
    409: "The record changed since the version sent",
    413: "The file is too large",
    415: "The body is not JSON (or not multipart for an upload)",
    422: "Refused: a value breaks a rule, or an Idempotency-Key was used for another request",
    429: "Too many requests from this address; retry after Retry-After seconds",
}


class ProblemError(Schema):
    field = fields.String(required=True)
    pointer = fields.String()
    detail = fields.String(required=True)


class ProblemSchema(Schema):
    """An error (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(ProblemError))
    saved_by = fields.String(metadata={"description": "409: who saved the record last"})
    saved_at = fields.String(metadata={"description": "409: when, ISO 8601"})
    current_version = fields.Integer(metadata={"description": "409: the record's version now"})
    existing = fields.String(metadata={"description": "a duplicate: the record that exists"})

    class Meta:
        # Problem types may add members (RFC 9457, section 3.2).
        unknown = "include"


def operation(
    summary: str,
    *,
    tag: str,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    multipart: dict | None = None,
    responses: dict[int, type[Schema] | None],
    write: bool = False,
    description: str | None = None,
    media: str = "application/json",
):
    """Describe the decorated API view. ``responses`` maps each status to the schema of its
    body (``None``: a problem for 4xx, no body otherwise)."""

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "tag": tag,
            "query": query,
            "body": body,
            "multipart": multipart,
            "responses": responses,
            "write": write,
            "description": description,
            "media": media,
        }
        return view

    return decorator


_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
#: Ids are 32-bit integers in the database; a larger one in an address is a 404.
MAX_ID = 2**31 - 1


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        kind = "integer" if converter in ("int", "id") else "string"
        schema = {"type": kind}
        if kind == "integer":
            schema |= {"minimum": 0, "maximum": MAX_ID}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\2}", rule), params


def _responses(described: dict, method: str, has_query: bool, has_path: bool, media: str):
    statuses = dict(described)
    if method == "get":
        statuses.setdefault(304, None)
        if has_query:
            statuses.setdefault(400, None)
    statuses.setdefault(401, None)
    statuses.setdefault(429, None)
    if has_path:
        statuses.setdefault(404, None)
    answers = {}
    for status, schema in sorted(statuses.items()):
        answer: dict = {"description": STATUS_TEXT.get(status, "")}
        if status >= 400:
            answer["content"] = {"application/problem+json": {"schema": "Problem"}}
        elif schema is not None:
            answer["content"] = {media: {"schema": schema}}
        if status == 429:
            answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        answers[str(status)] = answer
    return answers


def _operation(doc: dict, method: str, path_params: list[dict]) -> dict:
    op: dict = {
        "summary": doc["summary"],
        "tags": [doc["tag"]],
        "operationId": None,
        "responses": _responses(
            doc["responses"], method, doc["query"] is not None, bool(path_params), doc["media"]
        ),
    }
    if doc["description"]:
        op["description"] = doc["description"]
    parameters = list(path_params)
    if doc["query"] is not None:
        parameters.append({"in": "query", "schema": doc["query"]})
    if doc["write"]:
        op["security"] = [{"token": []}]
        parameters.append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "a create sent again with the same key returns the first answer",
            }
        )
    else:
        op["security"] = [{}, {"token": []}]
    if parameters:
        op["parameters"] = parameters
    if doc["body"] is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": doc["body"]}},
        }
    if doc["multipart"] is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": doc["multipart"]}},
        }
    return op


def build(app: Flask) -> dict:
    """The document for ``app``'s API routes."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Insyn API",
        version="1",
        openapi_version="3.1.0",
        plugins=[plugin],
        info={
            "description": (
                "What a public body spends on consultants and earns back: suppliers, "
                "contracts, invoices, fee income and their totals. Amounts are decimal "
                "strings beside their currency; dates are ISO 8601."
            ),
            "license": {"name": app.config["DATA_LICENCE"]},
        },
    )
    register_types(plugin)
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "insyn_… (a personal token)"}
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    paths: dict[str, tuple[list, dict]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        doc = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if doc is None:
            continue
        path, params = _path(rule.rule)
        _params, operations = paths.setdefault(path, (params, {}))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = _operation(doc, method.lower(), params)
            op["operationId"] = rule.endpoint.removeprefix("api.") + (
                "" if method in ("GET", "POST") else f"_{method.lower()}"
            )
            operations[method.lower()] = op
    for path, (_params, operations) in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def document(app: Flask) -> dict:
    """The document, built once per app."""
    cached = app.extensions.get("insyn_openapi")
    if cached is None:
        cached = app.extensions["insyn_openapi"] = build(app)
    return cached
