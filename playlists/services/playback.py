"""Playback: play/pause on the person's active Spotify device, and the short-lived token for the Web Playback SDK."""

from playlists.client import PremiumRequired, SpotifyClient, refresh_access_token
from playlists.models import DefaultPlaylist, EmotionPlaylist, SpotifyLink
from playlists.services.link import usable_link


class NoPlaylistYet(Exception):
    """There is nothing to play for this emotion yet: no synced playlist of the person's, no starter playlist."""


def playback_context(user, emotion: str) -> str | None:
    playlist = EmotionPlaylist.objects.filter(owner=user, emotion=emotion).exclude(spotify_playlist_id="").first()
    default = DefaultPlaylist.objects.filter(emotion=emotion).exclude(spotify_playlist_id="").first()
    playlist_id = (playlist or default).spotify_playlist_id if (playlist or default) else None
    return f"spotify:playlist:{playlist_id}" if playlist_id else None


def player_play(*, user, emotion: str, device_id: str = "") -> None:
    """Play the emotion's playlist (the person's, else the starter) on their active device or on ``device_id``."""
    link = usable_link(user)
    context = playback_context(user, emotion)
    if not context:
        raise NoPlaylistYet(emotion)
    _player(link, lambda client: client.play(context_uri=context, device_id=device_id))


def player_pause(*, user) -> None:
    _player(usable_link(user), lambda client: client.pause())


def _player(link: SpotifyLink, command) -> None:
    try:
        command(SpotifyClient(link))
    except PremiumRequired:
        SpotifyLink.objects.filter(pk=link.pk).update(premium=False)
        raise
    SpotifyLink.objects.filter(pk=link.pk).update(premium=True)


def player_token(*, user) -> dict:
    """A short-lived access token for the page's Web Playback SDK player, refreshed here on the server.

    Only the access token and its expiry leave the server; the refresh token never does.
    """
    link = usable_link(user)
    if link.token_expired(leeway=300):
        link = refresh_access_token(link)
    return {"access_token": link.access_token, "expires_at": link.expires_at.isoformat()}
