"""A note per mood entry ("what was going on"): set and cleared by its owner through PATCH, bounded in length,
shown in the list and kept in the data export; a stranger can neither read nor change it."""

import pytest

from accounts.selectors import user_export_data
from emotion.models import NOTE_MAX_LENGTH, MoodEntry


@pytest.fixture
def entry(alice) -> MoodEntry:
    return MoodEntry.objects.create(owner=alice, emotion="sad", source=MoodEntry.Source.MANUAL)


def url(entry: MoodEntry) -> str:
    return f"/api/moods/{entry.pk}/"


def test_the_owner_writes_a_note_and_the_emotion_stays(alice_api, entry):
    response = alice_api.patch(url(entry), {"note": "  Rain all day, missed the bus.  "}, format="json")

    assert response.status_code == 200
    assert response.json()["note"] == "Rain all day, missed the bus."
    entry.refresh_from_db()
    assert (entry.note, entry.emotion, entry.corrected_at) == ("Rain all day, missed the bus.", "sad", None)
    assert alice_api.get("/api/moods/").json()["results"][0]["note"] == "Rain all day, missed the bus."


def test_an_empty_note_clears_it(alice_api, entry):
    entry.note = "old"
    entry.save()

    assert alice_api.patch(url(entry), {"note": ""}, format="json").json()["note"] == ""
    entry.refresh_from_db()
    assert entry.note == ""


def test_a_note_and_a_correction_in_one_patch(alice_api, entry):
    body = alice_api.patch(url(entry), {"emotion": "neutral", "note": "fine after tea"}, format="json").json()

    assert (body["emotion"], body["model_emotion"], body["note"]) == ("neutral", "sad", "fine after tea")


def test_a_note_over_the_limit_is_refused_and_the_old_one_kept(alice_api, entry):
    entry.note = "kept"
    entry.save()

    response = alice_api.patch(url(entry), {"note": "x" * (NOTE_MAX_LENGTH + 1)}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_note",
                               "detail": f"A note is text of at most {NOTE_MAX_LENGTH} characters."}
    entry.refresh_from_db()
    assert entry.note == "kept"
    assert alice_api.patch(url(entry), {"note": "x" * NOTE_MAX_LENGTH}, format="json").status_code == 200


def test_a_note_must_be_text(alice_api, entry):
    response = alice_api.patch(url(entry), {"note": 0}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid_note"


def test_a_patch_with_nothing_to_change_is_refused(alice_api, entry):
    response = alice_api.patch(url(entry), {}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "nothing_to_change"


def test_a_stranger_can_neither_read_nor_write_the_note(bob_api, entry):
    entry.note = "private"
    entry.save()

    assert bob_api.get(url(entry)).status_code == 404
    assert bob_api.patch(url(entry), {"note": "mine now"}, format="json").status_code == 404
    assert "private" not in bob_api.get("/api/moods/").content.decode()
    entry.refresh_from_db()
    assert entry.note == "private"


def test_the_note_is_kept_in_the_data_export(alice, entry):
    entry.note = "exam week"
    entry.save()

    assert user_export_data(user=alice)["moods"][0]["note"] == "exam week"
