"""HTTP clients for the open mood-feature sources, one small class each, base URLs from settings.

- ``ReccoBeatsClient``: the open audio-features service looked up by Spotify track id (``AUDIO_FEATURES_URL``).
- ``MusicBrainzClient``: tags of a recording found by artist and title (``MUSICBRAINZ_URL``); MusicBrainz
  allows one request a second per address and wants a User-Agent that names the application.

Both honour ``Retry-After`` on 429/503 (waiting inline up to ``SPOTIFY_MAX_INLINE_WAIT``), and a source
that cannot answer raises ``SourceUnavailable`` so its tracks are asked again on the next import rather
than marked unknown.
"""

import logging
import time
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


class SourceUnavailable(Exception):
    """The source did not answer (down, throttling us for long, or answering nonsense)."""


class OpenSourceClient:
    """GET with a shared pace between requests (across workers, through the cache) and Retry-After honoured."""

    name = ""
    attempts = 3
    sleep = staticmethod(time.sleep)  # a hook, so tests can see every wait without timing anything

    def __init__(self, *, session: requests.Session | None = None):
        self.session = session or requests.Session()

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    @property
    def min_interval(self) -> float:
        return 0.0

    def headers(self) -> dict[str, str]:
        return {"User-Agent": settings.FEATURES_USER_AGENT, "Accept": "application/json"}

    def get(self, path: str, params: dict) -> Any:
        for _attempt in range(self.attempts):
            self._pace()
            try:
                response = self.session.get(f"{self.base_url}{path}", params=params, headers=self.headers(),
                                            timeout=settings.SPOTIFY_TIMEOUT)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise SourceUnavailable(f"{self.name}: {exc}") from exc
            if response.status_code in (429, 503):
                wait = _retry_after(response)
                if wait > settings.SPOTIFY_MAX_INLINE_WAIT:
                    raise SourceUnavailable(f"{self.name} asks us to wait {wait}s")
                self.sleep(wait)
                continue
            if response.status_code != 200:
                raise SourceUnavailable(f"{self.name} answered {response.status_code}")
            try:
                return response.json()
            except ValueError as exc:
                raise SourceUnavailable(f"{self.name} answered something that is not JSON") from exc
        raise SourceUnavailable(f"{self.name} kept throttling us")

    def _pace(self) -> None:
        """Wait for this source's next request slot, shared by every process through the cache (bounded)."""
        if self.min_interval <= 0:
            return
        key = f"features:pace:{self.name}"
        deadline = time.monotonic() + 60
        while not cache.add(key, 1, timeout=max(1, round(self.min_interval))):
            if time.monotonic() > deadline:
                raise SourceUnavailable(f"{self.name}: no request slot for a minute")
            self.sleep(self.min_interval / 4)


def _retry_after(response: requests.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1


class ReccoBeatsClient(OpenSourceClient):
    """``GET /v1/audio-features?ids=`` (at most 40 Spotify ids) → ``{"content": [...]}``.

    Rows carry ReccoBeats' own ``id``; the Spotify track is the last part of ``href``. Unknown tracks are left out.
    """

    name = "reccobeats"
    max_ids = 40

    @property
    def base_url(self) -> str:
        return settings.AUDIO_FEATURES_URL.rstrip("/")

    def audio_features(self, spotify_ids: list[str]) -> dict[str, dict]:
        assert len(spotify_ids) <= self.max_ids, "ReccoBeats takes at most 40 ids a call"
        rows = self.get("/v1/audio-features", {"ids": ",".join(spotify_ids)}).get("content") or []
        found = {}
        for row in rows:
            spotify_id = str(row.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
            if spotify_id in spotify_ids and row.get("valence") is not None:
                found[spotify_id] = {"valence": row["valence"], "energy": row.get("energy"),
                                     "tempo": row.get("tempo") or None}
        return found


class MusicBrainzClient(OpenSourceClient):
    """``GET /ws/2/recording?query=recording:"…" AND artist:"…"&fmt=json`` → the best match's tag names."""

    name = "musicbrainz"

    @property
    def base_url(self) -> str:
        return settings.MUSICBRAINZ_URL.rstrip("/")

    @property
    def min_interval(self) -> float:
        return settings.MUSICBRAINZ_MIN_INTERVAL

    def recording_tags(self, *, artist: str, title: str) -> list[str]:
        query = f'recording:"{_quoted(title)}" AND artist:"{_quoted(artist)}"'
        answer = self.get("/ws/2/recording", {"query": query, "fmt": "json", "limit": 1})
        recordings = answer.get("recordings") or []
        if not recordings or (recordings[0].get("score") or 0) < 90:
            return []
        return [t["name"] for t in recordings[0].get("tags") or [] if t.get("name")]


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
