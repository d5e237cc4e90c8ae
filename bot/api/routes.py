"""The route table: each endpoint declares its method, path, scope and documents once, and both
the aiohttp routes and the OpenAPI document are made from these declarations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel

from bot.api.auth import Caller
from bot.api.errors import ApiError, Code
from bot.i18n import Lang
from store.api_tokens import READ

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class Call:
    """One authenticated request, its parsed query and body."""

    rt: Runtime
    caller: Caller
    request: web.Request
    lang: Lang
    query: Any = None
    body: Any = None

    def path_id(self, name: str) -> int:
        """A numeric path parameter; anything else is simply not found."""
        raw = self.request.match_info.get(name, "")
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise ApiError(Code.NOT_FOUND)
        return int(raw)


Handler = Callable[[Call], Awaitable[BaseModel]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    response: type[BaseModel]
    scope: str = READ
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[Code, ...] = ()

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


ROUTES: list[Route] = []


def endpoint(
    method: str,
    path: str,
    *,
    summary: str,
    response: type[BaseModel],
    scope: str = READ,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    errors: tuple[Code, ...] = (),
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the endpoint ``method path`` (relative to ``/api/v1``)."""

    def register(handler: Handler) -> Handler:
        if any(r.method == method and r.path == path for r in ROUTES):
            raise ValueError(f"{method} {path} is declared twice")
        ROUTES.append(Route(method, path, handler, summary, response, scope, query, body, errors))
        return handler

    return register
