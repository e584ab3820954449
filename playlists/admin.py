from django.contrib import admin, messages

from playlists import services
from playlists.checks import spotify_settings_missing
from playlists.models import (
    DefaultPlaylist,
    EmotionPlaylist,
    EmotionPlaylistItem,
    LibraryItem,
    SpotifyLink,
    Track,
    TrackVote,
)


class SpotifyNoticeMixin:
    """Tells administrators, on the Spotify pages of the admin, that linking is not configured."""

    def changelist_view(self, request, extra_context=None):
        missing = spotify_settings_missing()
        if missing:
            messages.warning(request, f"Linking Spotify is off: set {' and '.join(missing)} (see docs/spotify.md). "
                                      "Starter playlists still play for everyone.")
        return super().changelist_view(request, extra_context)


@admin.register(SpotifyLink)
class SpotifyLinkAdmin(SpotifyNoticeMixin, admin.ModelAdmin):
    list_display = ["user", "display_name", "spotify_id", "state", "token_state", "premium", "import_status",
                    "coverage", "imported_at", "refused_at"]
    # "refused" lists the people a development-mode app turned away: add them to its allow-list at Spotify.
    list_filter = ["state", "import_status", "premium"]
    search_fields = ["user__username", "spotify_id", "account_id", "display_name"]
    # Tokens are never shown: only whether they exist and when the access token expires.
    exclude = ["access_token", "refresh_token"]
    readonly_fields = ["social", "spotify_id", "account_id", "expires_at", "token_state", "state_changed_at",
                       "import_done", "import_total", "import_error", "import_coverage", "imported_at",
                       "own_playlists", "refused_at", "refused_reason", "linked_at"]
    actions = ["reimport", "resync"]

    @admin.display(description="token")
    def token_state(self, link: SpotifyLink) -> str:
        if not link.refresh_token:
            return "none"
        return "expired (refreshes on use)" if link.token_expired(leeway=0) else "valid"

    @admin.display(description="placed by open / tags / unknown")
    def coverage(self, link: SpotifyLink) -> str:
        c = link.import_coverage or {}
        return f"{c.get('open', 0)} / {c.get('tags', 0)} / {c.get('unknown', 0)}" if c else "–"

    @admin.action(description="Re-import the library of the selected people")
    def reimport(self, request, queryset):
        queued = sum(services.library_import_request(user=link.user) for link in queryset.select_related("user"))
        messages.success(request, f"Import queued for {queued} people.")

    @admin.action(description="Rebuild and resync every playlist of the selected people")
    def resync(self, request, queryset):
        usable = queryset.filter(state=SpotifyLink.State.OK).select_related("user")
        for link in usable:
            services.playlists_rebuild(user=link.user)
        messages.success(request, f"Resync queued for {usable.count()} people.")


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "spotify_id", "valence", "energy", "tempo", "features_source", "features_at"]
    list_filter = ["features_source"]
    search_fields = ["title", "spotify_id", "album"]


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    list_display = ["user", "track", "source", "source_ref", "added_at"]
    list_filter = ["source"]
    raw_id_fields = ["user", "track"]
    search_fields = ["user__username", "track__title"]


@admin.register(TrackVote)
class TrackVoteAdmin(admin.ModelAdmin):
    list_display = ["user", "track", "emotion", "fits", "created_at"]
    list_filter = ["emotion", "fits"]
    raw_id_fields = ["user", "track"]


class EmotionPlaylistItemInline(admin.TabularInline):
    model = EmotionPlaylistItem
    raw_id_fields = ["track"]
    extra = 0


@admin.register(EmotionPlaylist)
class EmotionPlaylistAdmin(admin.ModelAdmin):
    list_display = ["owner", "emotion", "strategy", "spotify_playlist_id", "sync_status", "synced_at", "sync_error"]
    list_filter = ["emotion", "sync_status", "strategy"]
    search_fields = ["owner__username", "spotify_playlist_id"]
    raw_id_fields = ["owner"]
    inlines = [EmotionPlaylistItemInline]
    actions = ["resync"]

    @admin.action(description="Resync the selected playlists to Spotify")
    def resync(self, request, queryset):
        for playlist in queryset:
            services.playlist_resync(playlist=playlist)
        messages.success(request, f"Sync queued for {queryset.count()} playlists.")


@admin.register(DefaultPlaylist)
class DefaultPlaylistAdmin(SpotifyNoticeMixin, admin.ModelAdmin):
    """Starter playlists: played in the Spotify embed for everyone, linked or not."""

    list_display = ["emotion", "name", "spotify_playlist_id", "source_note"]
    fields = ["emotion", "name", "spotify_playlist_id", "source_note", "tracks"]
