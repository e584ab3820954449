"""social-auth pipeline steps: Spotify links an existing account, and its tokens are kept encrypted."""

from django.contrib import messages
from django.shortcuts import redirect
from social_django.models import UserSocialAuth

from playlists import services


def require_signed_in_user(backend, uid, user=None, *args, **kwargs):
    """Spotify is linked to a signed-in MoodMusic account, never used to sign in or sign up."""
    request = backend.strategy.request
    if user is None or not user.is_authenticated:
        return redirect("login")
    taken = UserSocialAuth.objects.filter(provider=backend.name, uid=uid).exclude(user=user).exists()
    if taken:
        messages.error(request, "That Spotify account is already linked to another MoodMusic account.")
        return redirect("playlists:index")
    return None


def save_spotify_link(backend, user, response, social, *args, **kwargs):
    """Store the tokens (encrypted) on the person's SpotifyLink and start the first library import."""
    services.spotify_link_save(
        user=user,
        social=social,
        spotify_id=str(response.get("id", "")),
        account_id=str(response.get("account_id", social.uid)),
        display_name=response.get("display_name") or "",
        access_token=response["access_token"],
        refresh_token=response.get("refresh_token", ""),
        expires_in=int(response.get("expires_in") or 3600),
    )
