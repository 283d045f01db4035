"""The JSON API under /api/v1: the operations of the pages, for programs.

Every error has one body, :class:`ErrorBody`: a status, a machine-readable code, a message
a person can read, and for bad input the fields at fault. That holds for a bug as well: an
unexpected exception is logged and answered 500 ``internal``, never a plain-text page.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from keepword import __version__
from keepword.bootstrap import Keepword
from keepword.domain.access import Forbidden
from keepword.domain.errors import (
    InvalidFields,
    InvalidPortfolio,
    InvalidValue,
    KeepwordError,
    format_path,
)
from keepword.web.api import routes
from keepword.web.errors import status_of
from keepword.web.security import CsrfRefused, csrf_protect, record_denied, refuse_unstorable_text

logger = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str


class Error(BaseModel):
    status: int
    # unauthenticated, forbidden, not_found, invalid, conflict, bad_request,
    # method_not_allowed, too_many_requests, internal
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorBody(BaseModel):
    error: Error


# The code of a domain error's body, by its status (web.errors gives the status).
CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The request cannot be done"),
        (401, "Not logged in: no session, or no valid personal access token"),
        (403, "The caller's role may not do this, or a forged request"),
        (404, "No such object"),
        (409, "The object's state does not allow it"),
        (422, "Fields of the request are invalid"),
        (429, "Too many failed logins"),
        (500, "Keepword failed; the error is logged"),
    )
}


def create_api(keepword: Keepword) -> FastAPI:
    """The API app, mounted at /api/v1; its OpenAPI document is /api/v1/openapi.json."""
    api = FastAPI(
        title="Keepword API",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the document itself is the reference
        redoc_url=None,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(refuse_unstorable_text), Depends(csrf_protect)],
    )
    api.state.keepword = keepword
    for router in routes.routers:
        api.include_router(router)

    @api.exception_handler(KeepwordError)
    def domain_error(request: Request, error: KeepwordError) -> JSONResponse:
        if isinstance(error, Forbidden):
            record_denied(request, error)
        status = status_of(error)
        return error_response(status, CODES[status], *_message_and_fields(error))

    @api.exception_handler(CsrfRefused)
    def forged(request: Request, error: CsrfRefused) -> JSONResponse:
        return error_response(403, "forbidden", str(error))

    @api.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            FieldError(
                field=".".join(str(part) for part in e["loc"] if part != "body"), message=e["msg"]
            )
            for e in error.errors()
        ]
        return error_response(422, "invalid", "fields of the request are invalid", fields)

    @api.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
        return error_response(error.status_code, code, str(error.detail))

    @api.exception_handler(Exception)
    def internal_error(request: Request, error: Exception) -> JSONResponse:
        # Starlette's ServerErrorMiddleware calls this for what no other handler took, sends
        # the body, then re-raises for the server. The log has the traceback; the body
        # says nothing of the internals (the request may carry a client's words, so only
        # its method and path are logged).
        logger.error(
            "unexpected error answering %s %s", request.method, request.url.path, exc_info=error
        )
        return error_response(500, "internal", "Keepword failed to answer; the error is logged")

    return api


def _message_and_fields(error: KeepwordError) -> tuple[str, list[FieldError]]:
    """What a domain error's body says, and the fields at fault it names."""
    if isinstance(error, InvalidFields):
        fields = [FieldError(field=f, message=m) for f, m in error.errors.items()]
        return "fields of the request are invalid", fields
    if isinstance(error, InvalidPortfolio):
        fields = [FieldError(field=format_path(p.path), message=p.message) for p in error.problems]
        return "the change would break the plan", fields
    if isinstance(error, InvalidValue):
        fields = [FieldError(field=error.field, message=error.message)] if error.field else []
        return error.message, fields
    return str(error), []


def error_response(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> JSONResponse:
    """The one error body of the API."""
    body = ErrorBody(error=Error(status=status, code=code, message=message, fields=fields or []))
    return JSONResponse(body.model_dump(), status_code=status)
