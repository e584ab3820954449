"""Mood features for the person's library from the open sources, and how much of it each source covers."""

from django.db.models import Count

from playlists import features
from playlists.models import SpotifyLink, Track
from playlists.services.library import library_tracks


def features_fill(*, link: SpotifyLink, providers: list[features.FeatureProvider] | None = None) -> dict[str, int]:
    """Look up features for the library's tracks no one has placed yet; store and answer the coverage.

    Coverage: how many of the person's tracks each source placed (whenever that was, for whomever), how many
    no source knows, and ``unavailable`` for tracks a source could not be asked about this time.
    """
    tracks = list(library_tracks(link.user).filter(features_source="").order_by("pk"))
    looked_up = features.features_fill(tracks, providers if providers is not None else features.default_chain())
    coverage = {source: 0 for source in (Track.FeatureSource.OPEN, Track.FeatureSource.TAGS,
                                         Track.FeatureSource.UNKNOWN)}
    for row in library_tracks(link.user).exclude(features_source="").values("features_source").annotate(n=Count("pk")):
        coverage[row["features_source"]] = row["n"]
    coverage["unavailable"] = looked_up.get("unavailable", 0)
    coverage["total"] = library_tracks(link.user).count()
    SpotifyLink.objects.filter(pk=link.pk).update(import_coverage=coverage)
    return coverage
