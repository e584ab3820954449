"""System checks: ``manage.py check`` warns an operator when linking Spotify is not configured.

End users never see these instructions: their pages just offer the starter playlists.
"""

from django.conf import settings
from django.core import checks


def spotify_settings_missing() -> list[str]:
    """The environment variables that linking Spotify still needs."""
    wanted = {"SPOTIFY_CLIENT_ID": settings.SOCIAL_AUTH_SPOTIFY_KEY,
              "SPOTIFY_CLIENT_SECRET": settings.SOCIAL_AUTH_SPOTIFY_SECRET}
    return [name for name, value in wanted.items() if not value]


@checks.register()
def spotify_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    missing = spotify_settings_missing()
    if not missing:
        return []
    return [checks.Warning(
        f"Linking Spotify is off: {' and '.join(missing)} not set.",
        hint="Create an app at https://developer.spotify.com/dashboard and set both (docs/spotify.md). "
             "Starter playlists still play for everyone without them.",
        id="playlists.W001")]
