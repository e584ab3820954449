"""The whole Spotify flow on PostgreSQL with Redis and a real Celery worker process, against the fake Spotify."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings as django_settings

from playlists.models import EmotionPlaylist, LibraryItem, Track
from tests.fakes.fixtures import link_user
from tests.integration.conftest import redis_url

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    assert "postgresql" in db["ENGINE"], "run with DATABASE_URL=postgres://…"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(fake_spotify, fake_features, tmp_path):
    reccobeats, musicbrainz = fake_features
    redis.Redis.from_url(redis_url()).flushdb()
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": redis_url(),
           "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
           "TOKEN_ENCRYPTION_KEY": django_settings.TOKEN_ENCRYPTION_KEY,
           "SPOTIFY_ACCOUNTS_URL": fake_spotify.accounts_url, "SPOTIFY_API_URL": fake_spotify.api_url,
           "AUDIO_FEATURES_URL": reccobeats.url, "MUSICBRAINZ_URL": musicbrainz.url, "MUSICBRAINZ_MIN_INTERVAL": "0",
           "SPOTIFY_CLIENT_ID": "client-id",
           "SPOTIFY_CLIENT_SECRET": "client-secret", "SPOTIFY_PLAYLIST_SIZE": "250", "SPOTIFY_MAX_INLINE_WAIT": "1",
           "SPOTIFY_RETRY_BACKOFF": "0.05", "DB_CONN_MAX_AGE": "0"}
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen([str(Path(sys.executable).with_name("celery")), "-A", "moodmusic", "worker",
                                "-P", "solo", "-c", "1", "-l", "info", "--without-heartbeat", "--without-gossip",
                                "--without-mingle"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield Celery(broker=redis_url()), tmp_path / "worker.log"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _wait_for(condition, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.integration
def test_link_import_build_sync_and_play_with_a_real_worker(transactional_db, fake_spotify, fake_features, worker,
                                                            alice, alice_api):
    """Today's Spotify (deprecated calls refused, scopes and limits enforced): 530 tracks, features from the
    open sources, seven playlists synced through a quota 429 and a 500, then played."""
    celery, log = worker
    link = link_user(fake_spotify, alice, "alice-spotify")
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(480, features="open")
    fake_spotify.users["alice-spotify"].top = (fake_spotify.add_tracks(40, features="tags")
                                               + fake_spotify.add_tracks(10, features="none"))
    # Mid-sync: one quota 429 (the task must reschedule, not fail) and one server error on an upload.
    fake_spotify.fail("/items", 429, method="POST", skip=2, retry_after=2, reason="QUOTA_EXCEEDED")
    fake_spotify.fail("/items", 500, method="POST", skip=5)

    celery.send_task("playlists.tasks.import_library", args=[link.user_id])

    def all_synced() -> bool:
        playlists = list(EmotionPlaylist.objects.filter(owner=alice))
        return len(playlists) == 7 and all(p.sync_status == "synced" for p in playlists)

    _wait_for(all_synced, 120, log)
    assert LibraryItem.objects.filter(user=alice).count() == 530
    assert not Track.objects.filter(features_source="").exists()
    link.refresh_from_db()
    assert link.import_coverage == {"open": 480, "tags": 40, "unknown": 10, "unavailable": 0, "total": 530}
    print(f"coverage per feature source: {link.import_coverage}")
    for playlist in EmotionPlaylist.objects.filter(owner=alice):
        assert fake_spotify.playlist_uris(playlist.spotify_playlist_id) == playlist.uris
        assert len(playlist.uris) == 250
    assert len(fake_spotify.playlists_of("alice-spotify")) == 7
    assert "Retry in 2s" in log.read_text()
    assert all(f.times == 0 for f in fake_spotify.faults)

    response = alice_api.post("/api/player/play/", {"emotion": "sad"}, format="json")

    sad = EmotionPlaylist.objects.get(owner=alice, emotion="sad")
    assert response.status_code == 204
    assert fake_spotify.users["alice-spotify"].playing["context_uri"] == f"spotify:playlist:{sad.spotify_playlist_id}"
