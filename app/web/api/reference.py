"""The OpenAPI document, and a reference page made from it by Insyn itself (a template of
its own: no script, style or font from elsewhere)."""

from __future__ import annotations

from flask import current_app
from flask import jsonify
from flask import render_template

from app.web.api import bp
from app.web.api.spec import document
from app.web.api.spec import operation


@bp.get("/openapi.json")
@operation("This document: OpenAPI 3.1", tag="API", responses={200: {"type": "object"}})
def openapi():
    return jsonify(document(current_app))


def _type(schema: dict) -> str:
    """A property's type as a reader wants it: ``string (date) or null``, ``Invoice``, …"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(part) for part in schema["anyOf"])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    shown = []
    for kind in kinds:
        if kind == "array":
            shown.append(f"array of {_type(schema.get('items', {}))}")
        elif (
            kind == "object"
            and "additionalProperties" in schema
            and isinstance(schema["additionalProperties"], dict)
        ):
            shown.append(f"object of {_type(schema['additionalProperties'])}")
        else:
            shown.append(f"{kind} ({schema['format']})" if "format" in schema else kind)
    return " | ".join(shown)


@bp.get("/reference")
@operation("This API's reference, as a page", tag="API", responses={200: None}, media="text/html")
def reference():
    spec = document(current_app)
    return render_template("api/reference.html", spec=spec, type_of=_type)
