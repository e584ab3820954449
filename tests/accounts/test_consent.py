"""Consent to face analysis: recorded at sign-up (test_auth.py), asked before the camera from anyone without it."""

from django.utils import timezone

from tests.factories import UserFactory


def test_someone_without_recorded_consent_is_asked_before_the_camera(client, db):
    old = UserFactory(username="old", face_analysis_consent_at=None)
    client.force_login(old)

    response = client.get("/capture/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/consent/?next=/capture/"
    page = client.get(response["Location"]).content.decode()
    assert "deleted right after" in page and 'name="next" value="/capture/"' in page


def test_agreeing_records_the_time_and_opens_the_camera(client, db):
    old = UserFactory(username="old", face_analysis_consent_at=None)
    client.force_login(old)
    before = timezone.now()

    response = client.post("/accounts/consent/", {"next": "/capture/"})

    assert response.status_code == 302 and response["Location"] == "/capture/"
    old.refresh_from_db()
    assert before <= old.face_analysis_consent_at <= timezone.now()
    assert client.get("/capture/").status_code == 200


def test_agreeing_again_keeps_the_first_time(client, alice):
    first = alice.face_analysis_consent_at
    client.force_login(alice)

    client.post("/accounts/consent/")

    alice.refresh_from_db()
    assert alice.face_analysis_consent_at == first


def test_consent_never_sends_anyone_to_another_site(client, db):
    client.force_login(UserFactory(username="old", face_analysis_consent_at=None))

    response = client.post("/accounts/consent/", {"next": "https://evil.example/"})

    assert response["Location"] == "/capture/"


def test_consent_of_one_person_is_no_one_elses(client, alice, bob):
    bob.face_analysis_consent_at = None
    bob.save(update_fields=["face_analysis_consent_at"])
    client.force_login(alice)

    client.post("/accounts/consent/")

    bob.refresh_from_db()
    assert bob.face_analysis_consent_at is None


def test_a_stranger_is_sent_to_log_in(client, db):
    response = client.post("/accounts/consent/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_profile_says_when_consent_was_given(client, alice):
    client.force_login(alice)

    html = client.get("/accounts/profile/").content.decode()

    assert "You agreed to face analysis on" in html


def test_a_superuser_made_by_createsuperuser_is_sent_to_consent_and_the_api_names_the_page(client, db, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from accounts.models import User
    from tests.images import fixture_bytes

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough admin password")
    call_command("createsuperuser", "--noinput", username="root", email="root@example.com")
    root = User.objects.get(username="root")
    assert root.face_analysis_consent_at is None
    api = APIClient()
    api.force_authenticate(root)
    photo = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")

    refused = api.post("/api/captures/", {"image": photo}, format="multipart")

    assert refused.status_code == 403 and "http://testserver/accounts/consent/" in refused.json()["detail"]
    signed_in = client.post("/accounts/login/", {"username": "root", "password": "a long enough admin password"})
    assert client.get(signed_in["Location"])["Location"] == "/accounts/consent/?next=/capture/"
    client.post("/accounts/consent/", {"next": "/capture/"})
    root.refresh_from_db()
    api.force_authenticate(root)
    photo.seek(0)
    assert api.post("/api/captures/", {"image": photo}, format="multipart").status_code == 202
