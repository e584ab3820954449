"""Spotify OAuth backend whose URLs come from settings, so tests can point it at a fake server.

Links are keyed by ``/me``'s ``account_id``, which Spotify's reference names as the immutable id to link by;
the user ``id`` (still needed as the owner of the playlists we write) is kept on the link beside it.
"""

import requests
from django.conf import settings
from social_core.backends.spotify import SpotifyOAuth2 as BaseSpotifyOAuth2
from social_core.exceptions import AuthPolicyError, AuthProviderError

from playlists.client import NOT_ALLOW_LISTED_HINT


class SpotifyOAuth2(BaseSpotifyOAuth2):
    ID_KEY = "account_id"
    LEGACY_ID_KEYS = ("id",)

    def allow_unverified_legacy_uid_migration(self, old_id_key: str, id_key: str) -> bool:
        """Links made before account ids were keyed by the Spotify user ``id``; the same ``/me`` answer that
        gives the account id names that user id, so the old association moves to the account id."""
        return (old_id_key, id_key) == ("id", "account_id")

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
        """``/me``; a development-mode app answers 403 for people off its allow-list, which is remembered."""
        try:
            response = requests.get(f"{settings.SPOTIFY_API_URL}/me", timeout=settings.SPOTIFY_TIMEOUT,
                                    headers={"Authorization": f"Bearer {access_token}"})
        except requests.RequestException as exc:
            raise AuthProviderError(self, stage="user_info") from exc
        if response.status_code == 403 and NOT_ALLOW_LISTED_HINT in response.text:
            user = getattr(self.strategy.request, "user", None)
            if user is not None and user.is_authenticated:
                from playlists.services import spotify_link_refused

                spotify_link_refused(user=user, reason="Spotify: the user may not be registered for this app")
            raise AuthPolicyError(self)
        if response.status_code != 200:
            raise AuthProviderError(self, stage="user_info", status_code=response.status_code)
        return response.json()
