"""The HTTP status of each domain error, one table for the pages and the API."""

from __future__ import annotations

from collections.abc import Mapping

from keepword.domain.access import Forbidden
from keepword.domain.errors import (
    InvalidFields,
    InvalidPortfolio,
    InvalidTransition,
    InvalidValue,
    KeepwordError,
    NotFound,
)
from keepword.services.accounts import LoginRefused, TooManyAttempts

STATUS_BY_ERROR: Mapping[type[KeepwordError], int] = {
    LoginRefused: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
    NotFound: 404,
    InvalidTransition: 409,
    InvalidFields: 422,
    InvalidValue: 422,
    InvalidPortfolio: 422,
    KeepwordError: 400,
}


def status_of(error: KeepwordError) -> int:
    """The status of ``error``: that of its nearest class in :data:`STATUS_BY_ERROR`."""
    for kind in type(error).__mro__:
        if issubclass(kind, KeepwordError) and kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return STATUS_BY_ERROR[KeepwordError]
