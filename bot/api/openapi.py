"""The OpenAPI 3.1 document of ``/api/v1``, made from the route table and its pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.errors import STATUS, Code
from bot.api.models import ErrorBody
from bot.api.routes import Route
from store.api_tokens import READ_WRITE

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
# Every authenticated endpoint may answer these.
COMMON_ERRORS = (Code.UNAUTHORIZED, Code.RATE_LIMITED, Code.UNAVAILABLE, Code.INTERNAL_ERROR)


def document(routes: list[Route], *, version: str) -> dict[str, Any]:
    """The whole document; the schemas are pydantic's own JSON Schemas of the models."""
    # Answers as they are written (serialization), bodies as they are read (validation).
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for route in routes:
        keyed.append((route.response, "serialization"))
        if route.body is not None:
            keyed.append((route.body, "validation"))
    refs, schemas = models_json_schema(list(dict.fromkeys(keyed)), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Claimbot API",
            "version": version,
            "description": "Customer claims for CRM, ERP and BI tools. Authenticate "
            "with 'Authorization: Bearer <token>' (claimbot token create). Errors are JSON "
            "with a stable code.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(route: Route, refs: dict[Any, Any]) -> dict[str, Any]:
    def ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
        return dict(refs[(model, mode)])

    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
        for name in route.path_params
    ]
    if route.query is not None:
        schema = route.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameter = {"name": name, "in": "query", "required": name in required}
            if "description" in prop:
                parameter["description"] = prop.pop("description")
            prop.pop("title", None)
            parameters.append(parameter | {"schema": prop})
    if route.scope == READ_WRITE:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 80},
            }
        )
    error = {"content": {"application/json": {"schema": ref(ErrorBody)}}}
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": ref(route.response)}},
        }
    }
    for code in (*route.errors, *COMMON_ERRORS):
        responses.setdefault(str(STATUS[code]), {"description": code.value, **error})
    if route.query is not None or route.body is not None:
        responses.setdefault("422", {"description": Code.INVALID_REQUEST.value, **error})
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(route.body, "validation")}},
        }
    if route.scope == READ_WRITE:
        operation["description"] = "Needs a read-write token."
    return operation
