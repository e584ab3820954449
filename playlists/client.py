"""The one Spotify Web API client: tokens, retries, rate limits and typed errors live here and nowhere else.

Base URLs, the timeout and the retry policy come from settings, so tests point them at the fake server.
"""

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from playlists.models import SpotifyLink

log = logging.getLogger(__name__)


class SpotifyError(Exception):
    """Anything that went wrong talking to Spotify."""

    status: int = 0

    def __init__(self, message: str = "", *, status: int = 0, reason: str = ""):
        super().__init__(message or self.__class__.__name__)
        self.status, self.reason = status or self.status, reason


class SpotifyRelinkRequired(SpotifyError):
    """The refresh token expired or was revoked (``invalid_grant``): the person must link again."""


class SpotifyRateLimited(SpotifyError):
    status = 429

    def __init__(self, message: str = "", *, retry_after: int = 1, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SpotifyServerError(SpotifyError):
    """5xx (or no answer at all) after the retries ran out."""


class SpotifyForbidden(SpotifyError):
    status = 403


class SpotifyNotAllowListed(SpotifyForbidden):
    """The app runs in development mode and the person is not on its allow-list (Spotify's dashboard)."""


class PremiumRequired(SpotifyForbidden):
    """Player commands answer 403 for accounts without Premium."""


class NoActiveDevice(SpotifyError):
    status = 404


class SpotifyNotFound(SpotifyError):
    status = 404


NOT_ALLOW_LISTED_HINT = "may not be registered"  # in Spotify's 403 message for people off the allow-list


def _error_details(response: requests.Response) -> tuple[str, str]:
    """(message, reason) from either error shape: the Web API's ``{"error": {"status", "message", "reason"}}``
    or the accounts service's ``{"error": "invalid_grant", "error_description": "..."}``."""
    body = _error_body(response)
    if not body:
        return response.text[:200], ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message", "")), str(error.get("reason", ""))
    return str(body.get("error_description") or error or ""), str(error or "")


def token_request(data: dict[str, str]) -> dict[str, Any]:
    """POST to the accounts service's token endpoint with the app's client credentials."""
    response = requests.post(
        f"{settings.SPOTIFY_ACCOUNTS_URL}/api/token",
        data=data,
        auth=(settings.SOCIAL_AUTH_SPOTIFY_KEY, settings.SOCIAL_AUTH_SPOTIFY_SECRET),
        timeout=settings.SPOTIFY_TIMEOUT,
    )
    message, error = _error_details(response)
    status = response.status_code
    if status == 400 and error == "invalid_grant":
        raise SpotifyRelinkRequired(message or "invalid_grant", status=400, reason=error)
    if status == 429:
        raise SpotifyRateLimited("the token endpoint is rate limiting us", retry_after=_retry_after(response))
    if status >= 500:
        raise SpotifyServerError(f"token endpoint answered {status}: {message}", status=status, reason=error)
    if status != 200:
        raise SpotifyError(f"token endpoint answered {status}: {message}", status=status, reason=error)
    return response.json()


def _error_body(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: requests.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1


def refresh_access_token(link: SpotifyLink, *, stale_token: str = "") -> SpotifyLink:
    """Refresh the link's access token under a row lock, so concurrent workers refresh it only once.

    ``stale_token`` is the token the caller saw rejected: when the locked row already holds another one,
    a concurrent worker refreshed it first and that token is used as is.
    """
    with transaction.atomic():
        locked = SpotifyLink.objects.select_for_update().get(pk=link.pk)
        if locked.state != SpotifyLink.State.OK or not locked.refresh_token:
            raise SpotifyRelinkRequired("the Spotify link needs to be renewed")
        if locked.access_token and locked.access_token != stale_token and not locked.token_expired():
            return locked
        try:
            payload = token_request({"grant_type": "refresh_token", "refresh_token": locked.refresh_token})
        except SpotifyRelinkRequired as exc:
            revoked = exc
        else:
            locked.access_token = payload["access_token"]
            locked.refresh_token = payload.get("refresh_token") or locked.refresh_token
            locked.expires_at = timezone.now() + timedelta(seconds=int(payload.get("expires_in", 3600)))
            locked.save(update_fields=["access_token", "refresh_token", "expires_at"])
            return locked
    # Outside the atomic block, so raising does not roll the new state back.
    locked.mark_needs_relink()
    raise revoked


class SpotifyClient:
    """Calls the Web API on behalf of one linked person.

    429 waits inline only up to ``SPOTIFY_MAX_INLINE_WAIT`` seconds; a longer Retry-After raises
    SpotifyRateLimited so the Celery task reschedules itself instead of sleeping. 5xx is retried with
    exponential backoff for idempotent methods only: a POST that failed may still have been applied,
    so callers re-read the state instead (see ``services.playlist_sync``).
    """

    idempotent_methods = frozenset({"GET", "PUT", "DELETE"})
    sleep = staticmethod(time.sleep)  # a hook, so tests can see every wait without timing anything

    def __init__(self, link: SpotifyLink, *, session: requests.Session | None = None):
        self.link = link
        self.session = session or requests.Session()

    # --- transport --------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None) -> Any:
        """Send one API call, handling tokens, rate limits and retries; return the decoded JSON (or None)."""
        url = path if path.startswith("http") else f"{settings.SPOTIFY_API_URL}{path}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            response = self._send(method, url, params, json, attempt)
            if response is None:
                continue
            if response.status_code == 401 and not refreshed:
                self.link = refresh_access_token(self.link, stale_token=self.link.access_token)
                refreshed = True
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait > settings.SPOTIFY_MAX_INLINE_WAIT or attempt >= settings.SPOTIFY_MAX_RETRIES:
                    raise SpotifyRateLimited(f"rate limited for {wait}s", retry_after=wait)
                self.sleep(wait)
                continue
            if response.status_code >= 500:
                if method in self.idempotent_methods and attempt < settings.SPOTIFY_MAX_RETRIES:
                    self.sleep(settings.SPOTIFY_RETRY_BACKOFF * 2 ** (attempt - 1))
                    continue
                status = response.status_code
                raise SpotifyServerError(f"{method} {path} answered {status}", status=status)
            return self._decode(method, path, response)

    def _send(self, method: str, url: str, params, json, attempt: int) -> requests.Response | None:
        if not self.link.is_ok:
            raise SpotifyRelinkRequired("the Spotify link needs to be renewed")
        if self.link.token_expired():
            self.link = refresh_access_token(self.link)
        try:
            return self.session.request(
                method, url, params=params, json=json, timeout=settings.SPOTIFY_TIMEOUT,
                headers={"Authorization": f"Bearer {self.link.access_token}"},
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            if method not in self.idempotent_methods or attempt >= settings.SPOTIFY_MAX_RETRIES:
                raise SpotifyServerError(f"{method} {url}: {exc}") from exc
            self.sleep(settings.SPOTIFY_RETRY_BACKOFF * 2 ** (attempt - 1))
            return None

    def _decode(self, method: str, path: str, response: requests.Response) -> Any:
        status = response.status_code
        if status in (200, 201):
            return response.json() if response.content else None
        if status in (202, 204):
            return None
        message, reason = _error_details(response)
        if status == 401:
            raise SpotifyRelinkRequired(message or "access token rejected after a refresh", status=401)
        if status == 403 and NOT_ALLOW_LISTED_HINT in message:
            raise SpotifyNotAllowListed(message, status=403)
        if status == 403 and path.startswith("/me/player") and (
                reason == "PREMIUM_REQUIRED" or "premium" in message.lower()):
            raise PremiumRequired(message, status=403, reason="PREMIUM_REQUIRED")
        if status == 403:
            raise SpotifyForbidden(message, status=403, reason=reason)
        if status == 404 and (reason == "NO_ACTIVE_DEVICE" or path.startswith("/me/player")):
            raise NoActiveDevice(message, status=404, reason=reason)
        if status == 404:
            raise SpotifyNotFound(message, status=404)
        raise SpotifyError(f"{method} {path} answered {status}: {message}", status=status, reason=reason)

    def pages(self, path: str, *, params: dict | None = None) -> Iterator[dict]:
        """Yield each paging object, following ``next`` links."""
        page = self.request("GET", path, params=params)
        while page:
            yield page
            page = self.request("GET", page["next"]) if page.get("next") else None

    # --- endpoints --------------------------------------------------------------------------------

    def me(self) -> dict:
        return self.request("GET", "/me")

    def saved_tracks(self) -> Iterator[dict]:
        return self.pages("/me/tracks", params={"limit": 50})

    def top_tracks(self, time_range: str = "medium_term") -> Iterator[dict]:
        return self.pages("/me/top/tracks", params={"limit": 50, "time_range": time_range})

    def my_playlists(self) -> Iterator[dict]:
        return self.pages("/me/playlists", params={"limit": 50})

    def playlist_items(self, playlist_id: str) -> Iterator[dict]:
        return self.pages(f"/playlists/{playlist_id}/items", params={"limit": 50})  # the reference's maximum

    def create_playlist(self, *, name: str, description: str) -> dict:
        return self.request("POST", "/me/playlists", json={"name": name, "description": description, "public": False})

    def replace_playlist_items(self, playlist_id: str, uris: list[str]) -> dict:
        assert len(uris) <= 100, "Spotify takes at most 100 URIs per call"
        return self.request("PUT", f"/playlists/{playlist_id}/items", json={"uris": uris})

    def add_playlist_items(self, playlist_id: str, uris: list[str]) -> dict:
        assert len(uris) <= 100, "Spotify takes at most 100 URIs per call"
        return self.request("POST", f"/playlists/{playlist_id}/items", json={"uris": uris})

    def player_state(self) -> dict | None:
        return self.request("GET", "/me/player")

    def play(self, *, context_uri: str, device_id: str = "") -> None:
        """Play ``context_uri`` on the active device, or on ``device_id`` (the page's Web Playback SDK player)."""
        self.request("PUT", "/me/player/play", params={"device_id": device_id} if device_id else None,
                     json={"context_uri": context_uri})

    def pause(self) -> None:
        self.request("PUT", "/me/player/pause")
