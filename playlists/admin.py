from django.contrib import admin, messages

from emotion.vision.labels import EMOTIONS
from playlists.models import (
    Artist,
    DefaultPlaylist,
    EmotionPlaylist,
    EmotionPlaylistItem,
    LibraryItem,
    SpotifyLink,
    Track,
    TrackVote,
)
from playlists.tasks import build_playlist, import_library, sync_playlist


@admin.register(SpotifyLink)
class SpotifyLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "spotify_id", "state", "token_state", "premium", "import_status",
                    "imported_at"]
    list_filter = ["state", "import_status", "premium"]
    search_fields = ["user__username", "spotify_id", "display_name"]
    # Tokens are never shown: only whether they exist and when the access token expires.
    exclude = ["access_token", "refresh_token"]
    readonly_fields = ["social", "spotify_id", "expires_at", "token_state", "state_changed_at", "import_done",
                       "import_total", "import_error", "imported_at", "linked_at"]
    actions = ["reimport", "resync"]

    @admin.display(description="token")
    def token_state(self, link: SpotifyLink) -> str:
        if not link.refresh_token:
            return "none"
        return "expired (refreshes on use)" if link.token_expired(leeway=0) else "valid"

    @admin.action(description="Re-import the library of the selected people")
    def reimport(self, request, queryset):
        for link in queryset:
            import_library.delay_on_commit(link.user_id)
        messages.success(request, f"Import queued for {queryset.count()} people.")

    @admin.action(description="Rebuild and resync every playlist of the selected people")
    def resync(self, request, queryset):
        for link in queryset:
            for emotion in EMOTIONS:
                build_playlist.delay_on_commit(link.user_id, emotion)
        messages.success(request, f"Resync queued for {queryset.count()} people.")


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "spotify_id", "valence", "energy", "tempo", "features_source", "features_at"]
    list_filter = ["features_source"]
    search_fields = ["title", "spotify_id", "album"]


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ["name", "spotify_id", "fetched_at"]
    search_fields = ["name", "spotify_id"]


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
            sync_playlist.delay_on_commit(playlist.pk)
        messages.success(request, f"Sync queued for {queryset.count()} playlists.")


@admin.register(DefaultPlaylist)
class DefaultPlaylistAdmin(admin.ModelAdmin):
    list_display = ["emotion", "name", "spotify_playlist_id"]
