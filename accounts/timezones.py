"""Dates and times in the person's own time zone, as their browser reports it (cookie ``tz``, set by site.js)."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

COOKIE = "tz"


def browser_timezone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    """The IANA zone named by the request's ``tz`` cookie; None when absent or unknown."""
    name = request.COOKIES.get(COOKIE, "")
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


class BrowserTimezoneMiddleware:
    """Activate the browser's time zone for the request, so "from"/"to" days and times of day are the person's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = browser_timezone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
