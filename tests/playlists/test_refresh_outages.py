"""A recorded mood asks for a playlist refresh; an outage of the cache or the broker skips the refresh,
never the capture that recorded the mood."""

from django.core.files.base import ContentFile
from kombu.exceptions import OperationalError

from emotion import services as emotion_services
from emotion.models import Capture, MoodEntry
from tests.images import fixture_bytes


def analysed_capture(owner) -> Capture:
    capture = Capture(owner=owner)
    capture.image.save("frame.jpg", ContentFile(fixture_bytes("astronaut.png")), save=False)
    capture.save()
    emotion_services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    return capture


def test_a_linked_persons_capture_is_analysed_while_the_cache_is_down(alice_link, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there

    capture = analysed_capture(alice_link.user)

    assert capture.status == "done", capture.error_message
    assert MoodEntry.objects.filter(capture=capture).count() == 1


def test_a_linked_persons_capture_is_analysed_while_the_broker_is_down(alice_link, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from playlists.tasks import build_playlist

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(build_playlist, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # runs them, as a commit would
        capture = analysed_capture(alice_link.user)

    assert any(getattr(c, "__qualname__", "").startswith("playlist_refresh_for_mood") for c in callbacks)
    capture.refresh_from_db()
    assert capture.status == "done", capture.error_message
