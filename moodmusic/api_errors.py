"""The API's one error shape, ``{"code", "detail"}`` (plus ``fields`` for invalid input).

Three parts make every /api/ failure take it: ``exception_handler`` for what DRF views raise,
``ApiErrorMiddleware`` for Django's own error pages under /api/ (unknown URLs, crashes), and
``AutoSchema`` so the OpenAPI schema documents it on every operation.
"""

import logging
import sys
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, BrokerUnavailable)
# A dropped or refused database connection (server restart, failover, pg_terminate_backend): the next
# request gets a new one (CONN_HEALTH_CHECKS), so this one is told to try again, never given a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 2


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable: invalid, not_found, throttled, ...")
    detail = serializers.CharField(help_text="A sentence for the person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Only when code is 'invalid': the messages for each field of the request.",
    )


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The request body is too large."


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "unavailable"
    default_detail = "MoodMusic cannot reach one of its services right now. Please try again in a moment."
    wait = RETRY_AFTER_SECONDS  # DRF's handler turns it into Retry-After


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (status, WWW-Authenticate, Retry-After) with every body in the one shape.

    Anything else is left to raise: Django logs it and ``ApiErrorMiddleware`` answers a JSON 500.
    """
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _body(exc)
    return response


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return exceptions.ParseError(str(exc))
    if isinstance(exc, UNAVAILABLE):
        log.warning("answering 503: %s", exc, exc_info=exc)
        return ServiceUnavailable()
    if isinstance(exc, DATABASE_UNAVAILABLE):
        _database_fault(exc)
        return ServiceUnavailable()
    return exc


def _database_fault(exc: Exception) -> None:
    log.warning("answering 503, the database connection failed: %s", exc, exc_info=exc)
    # Drop what broke now rather than at the end of the request, so nothing else in it reuses the connection.
    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        return _validation_body(exc.detail)
    code = getattr(exc.detail, "code", None) or exc.default_code
    return {"code": code, "detail": str(exc.detail)}


def _validation_body(detail) -> dict:
    if not isinstance(detail, dict):
        return {"code": "invalid", "detail": " ".join(_messages(detail)) or "The request is not valid."}
    fields = {name: _messages(value) for name, value in detail.items()}
    sentences = [message if name == api_settings.NON_FIELD_ERRORS_KEY else f"{name}: {message}"
                 for name, messages in fields.items() for message in messages]
    return {"code": "invalid", "detail": " ".join(sentences) or "The request is not valid.", "fields": fields}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


FALLBACK = {
    400: ("bad_request", "The request could not be read."),
    404: ("not_found", "Not found."),
    413: ("too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side. It has been logged; please try again later."),
}


class ApiErrorMiddleware:
    """Under /api/, turns Django's HTML error pages (unknown URL or id, unreadable body, crash) into JSON."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.path.startswith(API_PREFIX) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            return error_response(response.status_code)
        return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database fault outside a DRF view (sessions, sign-in middleware) is a 503 saying to
    try again, JSON under /api/; anything else is Django's 500 page (the middleware makes it JSON for /api/)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_UNAVAILABLE):
        _database_fault(exc)
        if request.path.startswith(API_PREFIX):
            response = JsonResponse({"code": ServiceUnavailable.default_code,
                                     "detail": ServiceUnavailable.default_detail}, status=503)
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def error_response(status: int) -> JsonResponse:
    phrase = HTTPStatus(status).phrase
    code, detail = FALLBACK.get(status, (phrase.lower().replace(" ", "_"), f"{phrase}."))
    return JsonResponse({"code": code, "detail": detail}, status=status)


class AutoSchema(openapi.AutoSchema):
    """Documents, on every operation, the errors it can answer in the one error shape."""

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_codes().items():
            if str(code) not in responses:
                error = OpenApiResponse(ErrorSerializer, description=description)
                responses[str(code)] = self._get_response_for_code(error, str(code), direction=direction)
        for code in ("429", "503"):
            if code in responses:
                responses[code].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
        return responses

    def _get_request_body(self, direction: str = "request") -> dict | None:
        """A request serializer with ``min_properties`` (a PATCH whose every field is optional, yet that must
        change something) makes its body required and says how many fields it needs at least."""
        body = super()._get_request_body(direction)
        minimum = getattr(self.get_request_serializer(), "min_properties", 0) if body else 0
        if minimum:
            body["required"] = True
            for media in body.get("content", {}).values():
                media["schema"] = {"allOf": [media["schema"]], "minProperties": minimum}
        return body

    def _error_codes(self) -> dict[int, str]:
        codes = {}
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        if has_body or self._has_query_parameters():
            codes[400] = "The request is not valid (code 'invalid', with 'fields') or could not be read."
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes[401] = "No credentials, or credentials that are not valid."
        if "{" in self.path:
            codes[404] = "No such object, or it belongs to someone else."
        if has_body:
            codes[413] = "The request body is too large."
            codes[415] = "The request body is not in a media type this operation reads."
        if self.view.get_throttles():
            codes[429] = "Too many requests; see Retry-After."
        codes[503] = "A service MoodMusic needs (database, cache, queue, picture store) is down; see Retry-After."
        return codes

    def _has_query_parameters(self) -> bool:
        return any(isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
                   for p in self.get_override_parameters())
