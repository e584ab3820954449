from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from social_django.models import UserSocialAuth

from emotion.models import EMOTION_CHOICES
from playlists.crypto import EncryptedTextField


class SpotifyLink(models.Model):
    """A person's link to their Spotify account: tokens (encrypted), state, music choices and import progress."""

    class State(models.TextChoices):
        OK = "ok"
        NEEDS_RELINK = "needs_relink"
        REFUSED = "refused", "refused: not on the app's allow-list"

    class Strategy(models.TextChoices):
        MATCH = "match", "Match my mood"
        LIFT = "lift", "Lift my mood gradually"

    class ImportStatus(models.TextChoices):
        IDLE = "idle"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spotify_link")
    social = models.OneToOneField(UserSocialAuth, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    spotify_id = models.CharField(max_length=128, help_text="Spotify user id: owner of the playlists we write.")
    account_id = models.CharField(max_length=128, blank=True,
                                  help_text="Spotify's immutable account id (/me account_id): what links are keyed by.")
    display_name = models.CharField(max_length=200, blank=True)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OK)
    state_changed_at = models.DateTimeField(default=timezone.now)
    premium = models.BooleanField(null=True, blank=True, help_text="Learned from the player: unknown until tried.")
    strategy = models.CharField(max_length=8, choices=Strategy.choices, default=Strategy.MATCH)
    use_liked = models.BooleanField(default=True)
    use_top = models.BooleanField(default=True)
    source_playlists = models.JSONField(default=list, blank=True, help_text="Spotify ids of chosen playlists.")
    import_status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.IDLE)
    import_done = models.PositiveIntegerField(default=0)
    import_total = models.PositiveIntegerField(default=0)
    import_error = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    import_coverage = models.JSONField(default=dict, blank=True,
                                       help_text="Tracks placed per feature source in the last import.")
    own_playlists = models.JSONField(default=list, blank=True,
                                     help_text="The person's own playlists, read at import: [{id, name}].")
    refused_at = models.DateTimeField(null=True, blank=True)
    refused_reason = models.CharField(max_length=300, blank=True)
    linked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} as {self.display_name or self.spotify_id} ({self.state})"

    @property
    def is_ok(self) -> bool:
        return self.state == self.State.OK

    def token_expired(self, leeway: int = 60) -> bool:
        return not self.expires_at or self.expires_at <= timezone.now() + timedelta(seconds=leeway)

    def mark_refused(self, reason: str) -> None:
        """Spotify refuses the person: the app is in development mode and they are not on its allow-list."""
        self.state, self.state_changed_at = self.State.REFUSED, timezone.now()
        self.refused_at, self.refused_reason = timezone.now(), reason[:300]
        self.save(update_fields=["state", "state_changed_at", "refused_at", "refused_reason"])

    def mark_needs_relink(self) -> None:
        self.state, self.state_changed_at = self.State.NEEDS_RELINK, timezone.now()
        self.access_token = self.refresh_token = ""
        self.save(update_fields=["state", "state_changed_at", "access_token", "refresh_token"])


class Track(models.Model):
    """A Spotify track and its mood features, with the provider they came from."""

    class FeatureSource(models.TextChoices):
        NONE = "", "none yet"
        OPEN = "open", "open audio-features service"
        TAGS = "tags", "MusicBrainz tags"
        UNKNOWN = "unknown", "no source knew it"

    spotify_id = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=500)
    artists = models.JSONField(default=list, help_text="Artist names, in order.")
    artist_ids = models.JSONField(default=list)
    album = models.CharField(max_length=500, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    valence = models.FloatField(null=True, blank=True)
    energy = models.FloatField(null=True, blank=True)
    tempo = models.FloatField(null=True, blank=True)
    features_source = models.CharField(max_length=8, choices=FeatureSource.choices, default="", blank=True)
    features_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.title} — {', '.join(self.artists)}"

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.spotify_id}"


class LibraryItem(models.Model):
    class Source(models.TextChoices):
        LIKED = "liked", "Liked Songs"
        TOP = "top", "Top tracks"
        PLAYLIST = "playlist", "Playlist"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices)
    source_ref = models.CharField(max_length=64, blank=True, help_text="The playlist id for playlist sources.")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "track", "source", "source_ref"], name="library_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.track_id} from {self.source}"


class TrackVote(models.Model):
    """A person's word on whether a track fits an emotion; it overrides every computed score."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="track_votes")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="votes")
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    fits = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "track", "emotion"], name="track_vote_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.track_id} {'fits' if self.fits else 'does not fit'} {self.emotion}"


class EmotionPlaylist(models.Model):
    class SyncStatus(models.TextChoices):
        PENDING = "pending"
        SYNCING = "syncing"
        SYNCED = "synced"
        FAILED = "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emotion_playlists")
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    strategy = models.CharField(max_length=8, choices=SpotifyLink.Strategy.choices, default="match")
    spotify_playlist_id = models.CharField(max_length=64, blank=True)
    snapshot_id = models.CharField(max_length=128, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_status = models.CharField(max_length=8, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    sync_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["owner", "emotion"]
        constraints = [models.UniqueConstraint(fields=["owner", "emotion"], name="emotion_playlist_unique")]

    def __str__(self) -> str:
        return f"{self.owner}: {self.emotion}"

    @property
    def name(self) -> str:
        return f"MoodMusic · {self.emotion.capitalize()}"

    @property
    def spotify_url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.spotify_playlist_id}" if self.spotify_playlist_id else ""

    @property
    def uris(self) -> list[str]:
        return [item.track.uri for item in self.items.select_related("track")]


class EmotionPlaylistItem(models.Model):
    playlist = models.ForeignKey(EmotionPlaylist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="playlist_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.playlist} #{self.position}"


class DefaultPlaylist(models.Model):
    """A starter playlist for an emotion, played in the Spotify embed for anyone: no link, no API access needed.

    A fresh install ships one per emotion (migration 0003); administrators edit them in the admin.
    """

    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, unique=True)
    name = models.CharField(max_length=200)
    spotify_playlist_id = models.CharField(max_length=64)
    source_note = models.CharField(max_length=300, blank=True, help_text="Where this playlist id came from.")
    tracks = models.JSONField(default=list, blank=True, help_text='[{"title": ..., "artists": [...], "uri": ...}]')

    def __str__(self) -> str:
        return f"{self.emotion}: {self.name}"

    @property
    def spotify_url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.spotify_playlist_id}"

    @property
    def embed_url(self) -> str:
        return f"https://open.spotify.com/embed/playlist/{self.spotify_playlist_id}"
