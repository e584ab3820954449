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
    spotify_id = models.CharField(max_length=128)
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
    linked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} as {self.display_name or self.spotify_id} ({self.state})"

    @property
    def is_ok(self) -> bool:
        return self.state == self.State.OK

    def token_expired(self, leeway: int = 60) -> bool:
        return not self.expires_at or self.expires_at <= timezone.now() + timedelta(seconds=leeway)

    def mark_needs_relink(self) -> None:
        self.state, self.state_changed_at = self.State.NEEDS_RELINK, timezone.now()
        self.access_token = self.refresh_token = ""
        self.save(update_fields=["state", "state_changed_at", "access_token", "refresh_token"])


class Artist(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    genres = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    """A Spotify track and its mood features, with the provider they came from."""

    class FeatureSource(models.TextChoices):
        NONE = "", "none yet"
        SPOTIFY = "spotify", "Spotify audio features"
        OPEN = "open", "open audio-features service"
        GENRE = "genre", "artist genres"
        UNKNOWN = "unknown", "no provider knew it"

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
    """The administrator's playlist for an emotion, offered to people without a Spotify link."""

    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, unique=True)
    name = models.CharField(max_length=200)
    spotify_playlist_id = models.CharField(max_length=64)
    tracks = models.JSONField(default=list, blank=True, help_text='[{"title": ..., "artists": [...], "uri": ...}]')

    def __str__(self) -> str:
        return f"{self.emotion}: {self.name}"

    @property
    def spotify_url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.spotify_playlist_id}"
