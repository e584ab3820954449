"""The person's link to Spotify: save, unlink, choices, and refusals by a development-mode app."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from social_django.models import UserSocialAuth

from playlists.models import EmotionPlaylist, LibraryItem, SpotifyLink, TrackVote


class NotLinked(Exception):
    """The person has no usable Spotify link (none, one that needs relinking, or one Spotify refuses)."""


def usable_link(user) -> SpotifyLink:
    link = SpotifyLink.objects.filter(user=user).first()
    if link is None or not link.is_ok:
        raise NotLinked
    return link


def spotify_link_save(*, user, social: UserSocialAuth | None, spotify_id: str, account_id: str, display_name: str,
                      access_token: str, refresh_token: str, expires_in: int) -> SpotifyLink:
    """Create or renew the person's link with fresh tokens and import their library once committed."""
    link, _ = SpotifyLink.objects.update_or_create(user=user, defaults={
        "social": social, "spotify_id": spotify_id, "account_id": account_id, "display_name": display_name,
        "access_token": access_token, "refresh_token": refresh_token,
        "expires_at": timezone.now() + timedelta(seconds=expires_in),
        "state": SpotifyLink.State.OK, "state_changed_at": timezone.now(), "refused_reason": "",
    })
    from playlists.services.library import library_import_request

    library_import_request(user=user)
    return link


def spotify_link_refused(*, user, reason: str) -> SpotifyLink:
    """Spotify let the person sign in but refuses the app access for them (not on its allow-list).

    Kept as a refused link, without tokens, so the page can say so and the admin can list who asked.
    """
    link, _ = SpotifyLink.objects.get_or_create(user=user, defaults={"spotify_id": ""})
    link.access_token = link.refresh_token = ""
    link.save(update_fields=["access_token", "refresh_token"])
    link.mark_refused(reason)
    return link


@transaction.atomic
def spotify_unlink(*, user) -> None:
    """Forget the link and every piece of Spotify data held for the person (their playlists on Spotify stay)."""
    EmotionPlaylist.objects.filter(owner=user).delete()
    TrackVote.objects.filter(user=user).delete()
    LibraryItem.objects.filter(user=user).delete()
    SpotifyLink.objects.filter(user=user).delete()
    UserSocialAuth.objects.filter(user=user, provider="spotify").delete()


def sources_update(*, user, use_liked: bool, use_top: bool, playlist_ids: list[str]) -> SpotifyLink:
    """Save which sources to import from (only the person's own playlists count) and import them."""
    link = usable_link(user)
    own = {p["id"] for p in link.own_playlists}
    link.use_liked, link.use_top = use_liked, use_top
    link.source_playlists = sorted(set(playlist_ids) & own)
    link.save(update_fields=["use_liked", "use_top", "source_playlists"])
    from playlists.services.library import library_import_request

    library_import_request(user=user)
    return link


def strategy_set(*, user, strategy: str) -> None:
    if strategy not in SpotifyLink.Strategy.values:
        raise ValueError(f"unknown strategy {strategy!r}")
    link = usable_link(user)
    link.strategy = strategy
    link.save(update_fields=["strategy"])
    from playlists.services.build import playlists_rebuild

    playlists_rebuild(user=user)
