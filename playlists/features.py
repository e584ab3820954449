"""Mood features from a chain of providers, each result cached on the Track with its source and time.

Order: Spotify audio features (a 403, as new apps get, skips it), an open audio-features service looked up
by Spotify track id (ReccoBeats' API), then artist-genre heuristics. The person's votes override all of these
at scoring time (see ``mood.rank``).
"""

import logging
from collections.abc import Iterable

import requests
from django.conf import settings
from django.utils import timezone

from playlists import mood
from playlists.client import SpotifyClient, SpotifyForbidden
from playlists.models import Artist, Track

log = logging.getLogger(__name__)

Features = dict[str, float | None]


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class FeatureProvider:
    """One source of mood features. ``fetch`` answers for the tracks it knows and leaves out the rest."""

    source: str = ""
    batch_size: int = 100

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        raise NotImplementedError


class SpotifyAudioFeatures(FeatureProvider):
    source = Track.FeatureSource.SPOTIFY
    batch_size = 100

    def __init__(self, client: SpotifyClient):
        self.client, self.forbidden = client, False

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        if self.forbidden:
            return {}
        try:
            rows = self.client.audio_features([t.spotify_id for t in tracks])
        except SpotifyForbidden:
            self.forbidden = True  # the app has no access; don't ask again in this run
            return {}
        return {row["id"]: _audio(row) for row in rows if row}


class OpenAudioFeatures(FeatureProvider):
    """ReccoBeats-style service: ``GET /v1/audio-features?ids=<spotify ids>`` → ``{"content": [...]}``."""

    source = Track.FeatureSource.OPEN
    batch_size = 40

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        if not settings.AUDIO_FEATURES_URL:
            return {}
        try:
            response = requests.get(f"{settings.AUDIO_FEATURES_URL}/v1/audio-features",
                                    params={"ids": ",".join(t.spotify_id for t in tracks)},
                                    timeout=settings.SPOTIFY_TIMEOUT)
            response.raise_for_status()
            rows = response.json().get("content", [])
        except (requests.RequestException, ValueError) as exc:
            log.warning("open audio-features service failed: %s", exc)
            return {}
        # Its ids are its own; the Spotify id is the last part of "href".
        return {row["href"].rstrip("/").rsplit("/", 1)[-1]: _audio(row) for row in rows if row.get("href")}


class ArtistGenres(FeatureProvider):
    """Places a track by its artists' genres (fetched 50 at a time and cached on Artist)."""

    source = Track.FeatureSource.GENRE
    batch_size = 100

    def __init__(self, client: SpotifyClient):
        self.client = client

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        genres = self._genres({a for t in tracks for a in t.artist_ids})
        found = {}
        for track in tracks:
            point = mood.genre_point([g for a in track.artist_ids for g in genres.get(a, [])])
            if point:
                found[track.spotify_id] = {"valence": point[0], "energy": point[1], "tempo": None}
        return found

    def _genres(self, artist_ids: set[str]) -> dict[str, list[str]]:
        cached = Artist.objects.filter(spotify_id__in=artist_ids, fetched_at__isnull=False)
        known = {a.spotify_id: a.genres for a in cached}
        for batch in _chunks(sorted(artist_ids - known.keys()), 50):
            for row in self.client.artists(batch):
                if row:
                    Artist.objects.update_or_create(spotify_id=row["id"], defaults={
                        "name": row.get("name", ""), "genres": row.get("genres") or [], "fetched_at": timezone.now()})
                    known[row["id"]] = row.get("genres") or []
        return known


def _audio(row: dict) -> Features:
    return {"valence": row.get("valence"), "energy": row.get("energy"), "tempo": row.get("tempo")}


def default_chain(client: SpotifyClient) -> list[FeatureProvider]:
    return [SpotifyAudioFeatures(client), OpenAudioFeatures(), ArtistGenres(client)]


def features_fill(tracks: list[Track], providers: list[FeatureProvider]) -> dict[str, int]:
    """Fill features for ``tracks`` that have none, asking each provider in turn for what is still missing."""
    missing = [t for t in tracks if not t.features_source]
    counts: dict[str, int] = {}
    for provider in providers:
        for batch in _chunks(missing, provider.batch_size):
            found = provider.fetch(batch)
            for track in batch:
                if track.spotify_id in found and found[track.spotify_id].get("valence") is not None:
                    _store(track, found[track.spotify_id], provider.source)
                    counts[provider.source] = counts.get(provider.source, 0) + 1
        missing = [t for t in missing if not t.features_source]
    for track in missing:
        _store(track, {"valence": None, "energy": None, "tempo": None}, Track.FeatureSource.UNKNOWN)
    counts[Track.FeatureSource.UNKNOWN] = len(missing)
    return counts


def _store(track: Track, features: Features, source: str) -> None:
    track.valence, track.energy, track.tempo = features["valence"], features.get("energy"), features.get("tempo")
    track.features_source, track.features_at = source, timezone.now()
    track.save(update_fields=["valence", "energy", "tempo", "features_source", "features_at"])
