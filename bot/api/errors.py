"""API errors: a stable code, an HTTP status and a sentence from the catalogue, as JSON
(``{"error": {"code": …, "message": …, "fields": […]}}``), never a stack trace."""

from __future__ import annotations

from enum import StrEnum

from aiohttp import web

from bot.api.models import ErrorBody, ErrorDetail, FieldProblem
from bot.i18n import Lang, t


class Code(StrEnum):
    """The stable error codes clients may branch on."""

    UNAUTHORIZED = "unauthorized"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    NOT_FOUND = "not_found"
    INVALID_REQUEST = "invalid_request"
    UNKNOWN_USER = "unknown_user"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNAVAILABLE = "unavailable"
    INTERNAL_ERROR = "internal_error"


STATUS: dict[Code, int] = {
    Code.UNAUTHORIZED: 401,
    Code.INSUFFICIENT_SCOPE: 403,
    Code.NOT_FOUND: 404,
    Code.INVALID_REQUEST: 422,
    Code.UNKNOWN_USER: 422,
    Code.RATE_LIMITED: 429,
    Code.METHOD_NOT_ALLOWED: 405,
    Code.UNAVAILABLE: 503,
    Code.INTERNAL_ERROR: 500,
}


class ApiError(Exception):
    """Raised by an endpoint to answer with an error document."""

    def __init__(
        self,
        code: Code,
        *,
        message_key: str | None = None,
        fields: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.message_key = message_key or f"api.error.{code.value}"
        self.fields = fields or []
        self.headers = headers or {}
        self.params = params

    def response(self, lang: Lang) -> web.Response:
        body = ErrorBody(
            error=ErrorDetail(
                code=self.code.value,
                message=t(self.message_key, lang, **self.params),
                fields=self.fields,
            )
        )
        headers = dict(self.headers)
        if self.code is Code.UNAUTHORIZED:
            headers["WWW-Authenticate"] = 'Bearer realm="claimbot"'
        return web.Response(
            body=body.model_dump_json(),
            status=STATUS[self.code],
            content_type="application/json",
            headers=headers,
        )
