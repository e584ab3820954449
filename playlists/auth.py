"""Spotify OAuth backend whose URLs come from settings, so tests can point it at a fake server."""

from django.conf import settings
from social_core.backends.spotify import SpotifyOAuth2 as BaseSpotifyOAuth2


class SpotifyOAuth2(BaseSpotifyOAuth2):
    @property
    def AUTHORIZATION_URL(self) -> str:  # noqa: N802 (social-core's attribute name)
        return f"{settings.SPOTIFY_ACCOUNTS_URL}/authorize"

    @property
    def ACCESS_TOKEN_URL(self) -> str:  # noqa: N802
        return f"{settings.SPOTIFY_ACCOUNTS_URL}/api/token"

    @property
    def REFRESH_TOKEN_URL(self) -> str:  # noqa: N802
        return f"{settings.SPOTIFY_ACCOUNTS_URL}/api/token"

    def extra_data(self, user, uid, response, details=None, *args, **kwargs) -> dict:
        """Keep tokens out of UserSocialAuth.extra_data; playlists.SpotifyLink holds them encrypted."""
        return {"display_name": response.get("display_name") or ""}

    def user_data(self, access_token, *args, **kwargs):
        return self.get_json(f"{settings.SPOTIFY_API_URL}/me", headers={"Authorization": f"Bearer {access_token}"})
