import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new tune 4 me"


@pytest.mark.django_db
def test_signup_logs_the_person_in_and_opens_the_camera(client):
    response = client.post(
        reverse("signup"),
        {"username": "carol", "email": "", "password1": PASSWORD, "password2": PASSWORD,
         "face_analysis_consent": "on"},
    )

    assert response.status_code == 302
    assert response.url == reverse("emotion:capture")
    carol = get_user_model().objects.get(username="carol")
    assert carol.email == ""
    assert client.session["_auth_user_id"] == str(carol.pk)


@pytest.mark.django_db
def test_signup_records_when_consent_to_face_analysis_was_given(client):
    before = timezone.now()

    client.post(reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD,
                                    "face_analysis_consent": "on"})

    carol = get_user_model().objects.get(username="carol")
    assert before <= carol.face_analysis_consent_at <= timezone.now()


@pytest.mark.django_db
def test_signup_without_consent_to_face_analysis_creates_nobody(client):
    response = client.post(reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 200
    assert "cannot read your mood" in str(response.context["form"].errors["face_analysis_consent"])
    assert not get_user_model().objects.filter(username="carol").exists()


@pytest.mark.django_db
def test_signup_form_helps_password_managers_and_reads_plainly(client):
    html = client.get(reverse("signup")).content.decode()

    assert 'autocomplete="username"' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert "At least 8 characters" in html
    assert "<ul>" not in html.split("At least 8 characters")[1].split("</div>")[0]  # one sentence, not a list
    assert 'aria-describedby="id_password1_helptext"' in html
    assert "Password:" not in html and "Username:" not in html  # no colons after labels
    assert 'href="/privacy/"' in html


@pytest.mark.django_db
def test_signup_rejects_mismatched_passwords(client):
    response = client.post(
        reverse("signup"),
        {"username": "carol", "password1": PASSWORD, "password2": PASSWORD + "!"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not get_user_model().objects.filter(username="carol").exists()


def test_signup_rejects_a_taken_username_whatever_its_case(client, alice):
    response = client.post(reverse("signup"), {"username": "Alice", "password1": PASSWORD, "password2": PASSWORD,
                                               "face_analysis_consent": "on"})

    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_signup_page_renders(client, db):
    response = client.get(reverse("signup"))

    assert response.status_code == 200
    assert b"Create your account" in response.content


def test_login_with_the_right_password_opens_the_camera(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("emotion:capture")
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_login_with_the_wrong_password_is_refused(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_logout_needs_a_post(client, alice):
    client.force_login(alice)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_password_change_replaces_the_password(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(reverse("profile")).status_code == 200  # still logged in


def test_password_change_requires_the_old_password(client, alice):
    client.force_login(alice)

    client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_prints_an_email_whose_link_sets_a_new_password(client, alice, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})

    assert response.url == reverse("password_reset_done")
    email = capsys.readouterr().out
    assert "To: alice@example.com" in email
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker first
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(link).context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, alice, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete", "login", "home", "privacy"]
)
def test_public_pages_render_for_a_stranger(client, db, name):
    assert client.get(reverse(name)).status_code == 200


def test_home_offers_the_camera_once_logged_in(client, alice):
    client.force_login(alice)

    response = client.get(reverse("home"))

    assert b"Open the camera" in response.content
    assert reverse("emotion:capture").encode() in response.content
