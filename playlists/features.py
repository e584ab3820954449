"""Mood features from the sources that work for an app registered today, cached on the Track for everyone.

Order: the open audio-features service by Spotify id (ReccoBeats: valence, energy, tempo), then MusicBrainz
tags by artist and title, mapped onto the valence–arousal plane (``mood.genre_point``). Spotify's own audio
features and artist genres are deprecated in its reference and not used. Features live on ``Track``, which
every person shares, so a track placed for one person is never looked up again for another. The person's
votes override all of this at scoring time (see ``mood.rank``).
"""

import logging
from collections.abc import Iterable

from django.utils import timezone

from playlists import mood
from playlists.feature_sources import MusicBrainzClient, ReccoBeatsClient, SourceUnavailable
from playlists.models import Track

log = logging.getLogger(__name__)

Features = dict[str, float | None]


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class FeatureProvider:
    """One source of mood features. ``fetch`` answers for the tracks it knows and leaves out the rest;
    it raises SourceUnavailable when it could not ask."""

    source: str = ""
    batch_size: int = 40

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        raise NotImplementedError


class OpenAudioFeatures(FeatureProvider):
    source = Track.FeatureSource.OPEN
    batch_size = ReccoBeatsClient.max_ids

    def __init__(self, client: ReccoBeatsClient | None = None):
        self.client = client or ReccoBeatsClient()

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        if not self.client.base_url:
            return {}
        return self.client.audio_features([t.spotify_id for t in tracks])


class MusicBrainzTags(FeatureProvider):
    """Places a track by its MusicBrainz tags (genre words → a point of the plane); no tempo."""

    source = Track.FeatureSource.TAGS
    batch_size = 10

    def __init__(self, client: MusicBrainzClient | None = None):
        self.client = client or MusicBrainzClient()

    def fetch(self, tracks: list[Track]) -> dict[str, Features]:
        if not self.client.base_url:
            return {}
        found = {}
        for track in tracks:
            if not track.artists:
                continue
            point = mood.genre_point(self.client.recording_tags(artist=track.artists[0], title=track.title))
            if point:
                found[track.spotify_id] = {"valence": point[0], "energy": point[1], "tempo": None}
        return found


def default_chain() -> list[FeatureProvider]:
    return [OpenAudioFeatures(), MusicBrainzTags()]


def features_fill(tracks: list[Track], providers: list[FeatureProvider]) -> dict[str, int]:
    """Fill features for the ``tracks`` that have none, asking each provider in turn for what is still missing.

    Answers how many tracks each source placed now and how many no source knows (``unknown``). A track a source
    could not be asked about (``unavailable``) stays unfilled, so the next import asks again.
    """
    counts: dict[str, int] = {p.source: 0 for p in providers}
    missing = [t for t in tracks if not t.features_source]
    unasked: set[int] = set()
    for provider in providers:
        for batch in _chunks(missing, provider.batch_size):
            try:
                found = provider.fetch(batch)
            except SourceUnavailable as exc:
                log.warning("%s unavailable: %s", provider.source, exc)
                unasked.update(t.pk for t in batch)
                continue
            for track in batch:
                if found.get(track.spotify_id, {}).get("valence") is not None:
                    _store(track, found[track.spotify_id], provider.source)
                    counts[provider.source] += 1
        missing = [t for t in missing if not t.features_source]
    unknown = [t for t in missing if t.pk not in unasked]
    for track in unknown:
        _store(track, {"valence": None, "energy": None, "tempo": None}, Track.FeatureSource.UNKNOWN)
    counts[Track.FeatureSource.UNKNOWN] = len(unknown)
    counts["unavailable"] = len(missing) - len(unknown)
    return counts


def _store(track: Track, features: Features, source: str) -> None:
    track.valence, track.energy, track.tempo = features["valence"], features.get("energy"), features.get("tempo")
    track.features_source, track.features_at = source, timezone.now()
    track.save(update_fields=["valence", "energy", "tempo", "features_source", "features_at"])
