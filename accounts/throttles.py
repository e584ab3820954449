"""Who is asking, by address, and how often they may sign up."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the address the
    outermost one saw (proxies append to X-Forwarded-For, so anything further left is the client's say)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class SignupThrottle:
    """At most ``SIGNUP_RATE_LIMIT`` new accounts an hour from one address, counted in the cache.

    If the cache is unreachable, sign-ups are let through (and logged): refusing everyone would be
    worse than a flood while it is down.
    """

    window_s = 60 * 60
    key_prefix = "signup-throttle"

    def __init__(self, limit: int | None = None) -> None:
        self.limit = settings.SIGNUP_RATE_LIMIT if limit is None else limit

    def allow(self, request: HttpRequest) -> bool:
        """Count one sign-up from the request's address; False once the address is over its limit."""
        if self.limit <= 0:
            return True
        try:
            count = self._count(f"{self.key_prefix}:{client_ip(request)}")
        except Exception:
            log.warning("sign-up throttle skipped: the cache is unreachable", exc_info=True)
            return True
        return count <= self.limit

    def _count(self, key: str) -> int:
        cache.add(key, 0, timeout=self.window_s)
        try:
            return cache.incr(key)
        except ValueError:  # the key expired between add and incr: a new window starts
            cache.set(key, 1, timeout=self.window_s)
            return 1
