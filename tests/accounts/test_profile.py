import pytest
from django.urls import reverse
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

PROFILE_URL = "/accounts/profile/"


def test_profile_needs_a_login(client, db):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_profile_shows_the_persons_own_details(client, alice, bob):
    client.force_login(alice)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert b"alice@example.com" in response.content
    assert b"bob@example.com" not in response.content


def test_profile_edit_saves_display_name_email_and_keep_captures(client, alice):
    client.force_login(alice)

    response = client.post(
        PROFILE_URL, {"display_name": "Alice L.", "email": "alice@new.example", "keep_captures": "on"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.email, alice.keep_captures) == ("Alice L.", "alice@new.example", True)


def test_profile_edit_rejects_a_bad_email(client, alice):
    client.force_login(alice)

    response = client.post(PROFILE_URL, {"display_name": "", "email": "not-an-address"})

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_profile_edit_only_touches_the_logged_in_person(client, alice, bob):
    client.force_login(bob)

    client.post(PROFILE_URL, {"display_name": "Mallory", "email": "", "keep_captures": "on"})

    alice.refresh_from_db()
    assert alice.display_name == ""
    assert not alice.keep_captures


def test_profile_includes_the_spotify_panel(client, alice):
    client.force_login(alice)

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert b'id="spotify-link"' in response.content


def test_token_create_gives_a_key_that_authenticates_the_api(client, alice):
    client.force_login(alice)

    response = client.post(reverse("token-rotate"))

    assert response.status_code == 302
    token = Token.objects.get(user=alice)
    assert token.key.encode() in client.get(PROFILE_URL).content
    user, _ = TokenAuthentication().authenticate_credentials(token.key)
    assert user == alice


def test_token_rotate_replaces_the_old_key(client, alice):
    old = Token.objects.create(user=alice)
    client.force_login(alice)

    client.post(reverse("token-rotate"))

    new = Token.objects.get(user=alice)
    assert new.key != old.key


def test_token_revoke_deletes_the_key(client, alice):
    Token.objects.create(user=alice)
    client.force_login(alice)

    client.post(reverse("token-revoke"))

    assert not Token.objects.filter(user=alice).exists()


def test_token_views_refuse_a_get(client, alice):
    client.force_login(alice)

    assert client.get(reverse("token-rotate")).status_code == 405
    assert not Token.objects.filter(user=alice).exists()


@pytest.mark.parametrize("name", ["token-rotate", "token-revoke"])
def test_a_stranger_cannot_touch_tokens(client, alice, name):
    token = Token.objects.create(user=alice)

    response = client.post(reverse(name))

    assert response.status_code == 302
    assert Token.objects.get(user=alice).key == token.key


def test_bob_rotating_his_token_leaves_alices_alone(client, alice, bob):
    token = Token.objects.create(user=alice)
    client.force_login(bob)

    client.post(reverse("token-rotate"))

    assert Token.objects.get(user=alice).key == token.key
    assert Token.objects.filter(user=bob).exists()


def test_private_mode_is_a_profile_default_the_capture_page_starts_with(client, alice):
    client.force_login(alice)
    assert b'name="private_mode"' in client.get(PROFILE_URL).content

    client.post(PROFILE_URL, {"display_name": "", "email": "alice@example.com", "private_mode": "on"})

    alice.refresh_from_db()
    assert alice.private_mode and not alice.keep_captures
    page = client.get("/capture/")
    assert page.context["private"]["default_on"] is True
