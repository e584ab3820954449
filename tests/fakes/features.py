"""Fakes of the two open mood-feature sources, each a real local HTTP server holding to its documented shape.

- ``FakeReccoBeats``: ``GET /v1/audio-features?ids=<Spotify ids, at most 40>`` → ``{"content": [...]}``, each row
  with ReccoBeats' own ``id`` and the Spotify track in ``href``; tracks it has not analysed are left out.
- ``FakeMusicBrainz``: ``GET /ws/2/recording?query=…&fmt=json`` → ``{"recordings": [...]}`` with tags; it refuses
  requests without a real User-Agent (403) and answers 503 to a client that asks faster than ``min_interval``.

Both can be told to fail (``fail(status, times=, retry_after=)``) and log every request in ``requests``.
"""

import re
import time
import uuid

from tests.contracts import feature_contracts
from tests.fakes.server import FakeServer

TAGS = ["dance pop", "sad indie", "death metal", "ambient", "acoustic folk", "hip hop", "jazz", "classical"]


class _FaultsMixin:
    def fail(self, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        with self.lock:
            self.faults.append([status, times, retry_after])

    def _fault(self):
        with self.lock:
            for fault in self.faults:
                if fault[1] > 0:
                    fault[1] -= 1
                    headers = {"Retry-After": str(fault[2])} if fault[2] is not None else {}
                    return fault[0], headers, {"error": f"injected {fault[0]}"}
        return None


class FakeReccoBeats(_FaultsMixin, FakeServer):
    max_ids = 40

    def reset(self) -> None:
        with self.lock:
            self.features: dict[str, dict] = {}
            self.requests: list[str] = []
            self.faults: list[list] = []
            self.violations: list[str] = []

    def learn(self, spotify_id: str, n: int) -> None:
        """Analyse a track: valence, energy and tempo spread over the plane by ``n``."""
        with self.lock:
            self.features[spotify_id] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, spotify_id)),
                "href": f"https://open.spotify.com/track/{spotify_id}",
                "acousticness": 0.3, "danceability": 0.5, "energy": ((n * 61) % 100) / 100,
                "instrumentalness": 0.0, "key": n % 12, "liveness": 0.1, "loudness": -7.5, "mode": n % 2,
                "speechiness": 0.05, "tempo": float(60 + (n * 7) % 120), "valence": ((n * 37) % 100) / 100}

    def handle(self, method, path, query, body, headers):
        with self.lock:
            self.requests.append(path)
        if method != "GET" or path != "/v1/audio-features":
            return 404, {}, {"error": "Not found"}
        fault = self._fault()
        if fault:
            return fault
        ids = [i for i in query.get("ids", [""])[0].split(",") if i]
        if not ids or len(ids) > self.max_ids:
            return 400, {}, {"error": f"ids: between 1 and {self.max_ids}"}
        with self.lock:
            answer = {"content": [self.features[i] for i in ids if i in self.features]}
        self.violations += feature_contracts.check("reccobeats", answer)
        return 200, {}, answer


class FakeMusicBrainz(_FaultsMixin, FakeServer):
    def reset(self) -> None:
        with self.lock:
            self.recordings: dict[tuple[str, str], dict] = {}
            self.requests: list[str] = []
            self.faults: list[list] = []
            self.violations: list[str] = []
            self.min_interval = 0.0
            self.last_request = 0.0
            self.throttled = 0

    def learn(self, artist: str, title: str, tags: list[str]) -> None:
        with self.lock:
            self.recordings[(artist.lower(), title.lower())] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{artist}/{title}")), "score": 100, "title": title,
                "length": 200000, "artist-credit": [{"name": artist, "artist": {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, artist)), "name": artist}}],
                "tags": [{"count": 3, "name": tag} for tag in tags]}

    def handle(self, method, path, query, body, headers):
        now = time.monotonic()
        with self.lock:
            self.requests.append(path)
            too_soon = now - self.last_request < self.min_interval
            self.last_request = now
        if method != "GET" or path != "/ws/2/recording" or query.get("fmt") != ["json"]:
            return 404, {}, {"error": "Not found"}
        if "python-requests" in headers.get("User-Agent", "python-requests"):
            return 403, {}, {"error": "Please identify your application with a meaningful User-Agent."}
        if too_soon:
            with self.lock:
                self.throttled += 1
            return 503, {"Retry-After": "1"}, {"error": "Your requests are exceeding the allowable rate limit."}
        fault = self._fault()
        if fault:
            return fault
        wanted = dict(re.findall(r'(recording|artist):"((?:[^"\\]|\\.)*)"', query.get("query", [""])[0]))
        key = tuple(wanted.get(k, "").replace('\\"', '"').lower() for k in ("artist", "recording"))
        with self.lock:
            found = [self.recordings[key]] if key in self.recordings else []
        answer = {"created": "2026-01-01T00:00:00.000Z", "count": len(found), "offset": 0, "recordings": found}
        self.violations += feature_contracts.check("musicbrainz", answer)
        return 200, {}, answer
