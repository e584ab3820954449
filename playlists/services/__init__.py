"""Spotify workflows, one module per concern; keyword-only functions named <noun>_<verb>.

- ``link``: link, unlink, sources, strategy, refusals by a development-mode app
- ``library``: import of liked songs, top tracks and chosen playlists
- ``features``: mood features from the open sources, coverage per source
- ``build``: the ordered list per emotion, votes, rebuilding all seven
- ``sync``: writing the lists to Spotify, the refresh after a mood
- ``playback``: play/pause on the person's device, the Web Playback SDK token

Views, the admin and tasks import from here; tasks are enqueued only by these services.
"""

from playlists.services.build import playlist_build, playlists_rebuild, track_vote
from playlists.services.features import features_fill
from playlists.services.library import library_import, library_import_request, library_tracks
from playlists.services.link import (
    NotLinked,
    sources_update,
    spotify_link_refused,
    spotify_link_save,
    spotify_unlink,
    strategy_set,
    usable_link,
)
from playlists.services.playback import (
    NoPlaylistYet,
    playback_context,
    player_pause,
    player_play,
    player_token,
)
from playlists.services.sync import (
    playlist_refresh_for_mood,
    playlist_resync,
    playlist_sync,
    playlist_sync_failed,
)

__all__ = [
    "NoPlaylistYet", "NotLinked", "features_fill", "library_import", "library_import_request", "library_tracks",
    "playback_context", "player_pause", "player_play", "player_token", "playlist_build", "playlist_refresh_for_mood",
    "playlist_resync", "playlist_sync", "playlist_sync_failed", "playlists_rebuild", "sources_update",
    "spotify_link_refused", "spotify_link_save", "spotify_unlink", "strategy_set", "track_vote", "usable_link",
]
