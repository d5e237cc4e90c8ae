"""The REST API, ``/api/v1`` on the bot's own aiohttp server.

- :mod:`bot.api.endpoints` — the endpoints, declared with :func:`bot.api.routes.endpoint`.
- :mod:`bot.api.models` — request and answer documents (pydantic), hence the OpenAPI schemas.
- :mod:`bot.api.auth` — bearer tokens (``claimbot token create``) and per-token rate limits.
- :mod:`bot.api.errors` — JSON errors with stable codes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api import endpoints as _endpoints  # noqa: F401  (declares the routes)
from bot.api.auth import RateLimiter, authenticate
from bot.api.errors import ApiError, Code
from bot.api.models import FieldProblem
from bot.api.openapi import PREFIX, document
from bot.api.routes import ROUTES, Call, Route
from bot.i18n import Lang, language_of_locale
from store.api_tokens import READ_WRITE
from store.db import DatabaseUnavailable

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

__all__ = ["PREFIX", "build_api"]

OPENAPI_PATH = "/openapi.json"


def build_api(rt: Runtime) -> web.Application:
    """The API as an aiohttp sub-application, to mount at :data:`PREFIX`."""
    limiter = RateLimiter(rt.rules.api)
    api = web.Application(middlewares=[_json_errors])
    try:
        app_version = version("claimbot")
    except PackageNotFoundError:
        app_version = "0"
    openapi = document(ROUTES, version=app_version)

    async def serve_openapi(_request: web.Request) -> web.Response:
        return web.json_response(openapi)

    api.router.add_get(OPENAPI_PATH, serve_openapi)
    for route in ROUTES:
        api.router.add_route(route.method, route.path, _handler(rt, limiter, route))
    return api


def request_lang(request: web.Request) -> Lang:
    """English unless the client prefers Chinese (``Accept-Language: zh…``)."""
    first = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return language_of_locale(first, "en")


def _handler(rt: Runtime, limiter: RateLimiter, route: Route) -> Any:
    async def handle(request: web.Request) -> web.Response:
        caller = await authenticate(rt.db, request, rt.clock.now())
        _limit, remaining = limiter.take(caller.token_id)
        headers = limiter.headers(remaining)
        try:
            if route.scope == READ_WRITE and not caller.may_write:
                raise ApiError(Code.INSUFFICIENT_SCOPE)
            call = Call(
                rt=rt,
                caller=caller,
                request=request,
                lang=request_lang(request),
                query=_parse(route.query, dict(request.query)) if route.query else None,
                body=_parse(route.body, await _json_body(request)) if route.body else None,
            )
            result = await route.handler(call)
        except ApiError as error:
            error.headers = headers | error.headers
            raise
        return web.Response(
            body=result.model_dump_json(),
            content_type="application/json",
            headers=headers,
        )

    handle.__name__ = route.operation_id
    return handle


def _parse(model: type[BaseModel], raw: object) -> BaseModel:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ApiError(
            Code.INVALID_REQUEST,
            fields=[
                FieldProblem(
                    field=".".join(str(p) for p in error["loc"]) or "(body)", message=error["msg"]
                )
                for error in exc.errors(include_url=False)
            ],
        ) from None


async def _json_body(request: web.Request) -> object:
    try:
        body = json.loads(await request.read())
    except ValueError:  # not JSON, or not UTF-8
        body = None
    if not isinstance(body, dict):
        raise ApiError(Code.INVALID_REQUEST, message_key="api.error.bad_json")
    return body


@web.middleware
async def _json_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every failure under ``/api/v1`` as a JSON error document, never a stack trace."""
    lang = request_lang(request)
    try:
        return await handler(request)
    except ApiError as error:
        return error.response(lang)
    except web.HTTPNotFound:
        return ApiError(Code.NOT_FOUND).response(lang)
    except web.HTTPMethodNotAllowed:
        return ApiError(Code.METHOD_NOT_ALLOWED).response(lang)
    except web.HTTPRequestEntityTooLarge:
        return ApiError(Code.INVALID_REQUEST).response(lang)
    except DatabaseUnavailable as exc:
        log.warning("API %s %s: database unavailable (%s)", request.method, request.path, exc)
        return ApiError(Code.UNAVAILABLE, headers={"Retry-After": "30"}).response(lang)
    except Exception:
        log.exception("API %s %s failed", request.method, request.path)
        return ApiError(Code.INTERNAL_ERROR).response(lang)
