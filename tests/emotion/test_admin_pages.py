"""The admin shows the model's confidence as a percentage, and the corrections table names every cell for phones."""

import pytest
from django.urls import reverse

from emotion.models import Capture, FaceReading, MoodEntry
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_mood_entries_and_face_readings_show_confidence_as_a_percentage(admin_client, alice):
    capture = Capture.objects.create(owner=alice, status=Capture.Status.DONE)
    FaceReading.objects.create(capture=capture, x=0, y=0, w=10, h=10, emotion="sad", confidence=0.8731,
                               probabilities={"sad": 0.8731}, is_primary=True)
    MoodEntry.objects.create(owner=alice, emotion="sad", confidence=0.8731, source=MoodEntry.Source.CAMERA,
                             capture=capture)

    pages = [reverse("admin:emotion_moodentry_changelist"), reverse("admin:emotion_facereading_changelist"),
             reverse("admin:emotion_capture_change", args=[capture.pk])]
    for url in pages:
        page = admin_client.get(url).content.decode()
        assert "87%" in page and "0.8731" not in page, url


def test_the_corrections_table_labels_each_cell(admin_client, alice):
    entry = MoodEntry.objects.create(owner=alice, emotion="happy", confidence=0.6, source=MoodEntry.Source.CAMERA)
    entry.correct("sad")

    page = admin_client.get(reverse("admin:emotion_moodentry_corrections")).content.decode()

    assert 'data-label="→ sad">1</td>' in page and 'class="zero" data-label="→ angry"' in page
    assert 'data-label="Corrected">1 (100%)</td>' in page
