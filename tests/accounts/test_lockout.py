"""Sign-in lockout (django-axes) and the sign-up throttle."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.throttles import client_ip
from tests.factories import PASSWORD


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def sign_up(client, username: str, address: str = "10.0.0.1", **headers):
    data = {"username": username, "email": "", "password1": PASSWORD, "password2": PASSWORD,
            "face_analysis_consent": "on"}
    return client.post(reverse("signup"), data, REMOTE_ADDR=address, **headers)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_wrong_password_shows_the_form_again(client, alice):
    response = log_in(client, "alice", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, alice):
    codes = [log_in(client, "alice", f"wrong {i}").status_code for i in range(6)]
    assert codes[:4] == [200] * 4
    assert codes[4:] == [429, 429]

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "Sign-in paused" in response.text and "15 minutes" in response.text
    assert not is_signed_in(client)


def test_a_lockout_leaves_other_accounts_and_other_addresses_alone(client, alice, bob):
    for i in range(6):
        log_in(client, "alice", f"wrong {i}")

    assert log_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "alice", PASSWORD, address="10.0.0.2").status_code == 302


def test_a_success_forgets_earlier_failures(client, alice):
    for i in range(4):
        log_in(client, "alice", f"wrong {i}")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    codes = [log_in(client, "alice", f"wrong again {i}").status_code for i in range(4)]

    assert codes == [200] * 4  # counting starts again: four more are not yet a lockout


def test_the_lockout_ends_after_its_cool_off(client, alice, settings):
    from axes.models import AccessAttempt

    for i in range(5):
        log_in(client, "alice", f"wrong {i}")
    assert log_in(client, "alice", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")  # as if 15 minutes went by

    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_api_token_still_works_for_a_locked_account(client, alice):
    for i in range(6):
        log_in(client, "alice", f"wrong {i}")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")

    assert api.get("/api/moods/").status_code == 200


def test_the_admin_sign_in_is_locked_too(client, alice):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    for i in range(5):
        client.post("/admin/login/", {"username": "alice", "password": f"wrong {i}"}, REMOTE_ADDR="10.0.0.1")

    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429


def test_the_test_clients_login_without_a_request_still_works(client, alice):
    assert client.login(username="alice", password=PASSWORD)


# --- sign-up throttle ----------------------------------------------------------------------


@pytest.mark.django_db
def test_five_sign_ups_an_hour_from_one_address_then_a_friendly_429(client):
    for i in range(5):
        assert sign_up(client, f"person{i}").status_code == 302
        client.logout()

    response = sign_up(client, "person5")

    assert response.status_code == 429
    assert "Too many new accounts" in response.text
    assert not get_user_model().objects.filter(username="person5").exists()
    assert sign_up(client, "elsewhere", address="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_a_form_with_errors_does_not_count_as_a_sign_up(client):
    for _ in range(8):
        client.post(reverse("signup"), {"username": "x", "password1": "a", "password2": "b"}, REMOTE_ADDR="10.0.0.1")

    assert sign_up(client, "carol").status_code == 302


@pytest.mark.django_db
def test_sign_ups_go_on_when_the_cache_is_down(client, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    settings.SIGNUP_RATE_LIMIT = 1

    with caplog.at_level(logging.WARNING, logger="accounts.throttles"):
        first = sign_up(client, "person1")
        client.logout()
        second = sign_up(client, "person2")

    assert (first.status_code, second.status_code) == (302, 302)
    assert "cache is unreachable" in caplog.text


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNUP_RATE_LIMIT = 1
    proxy = "10.0.0.254"

    assert sign_up(client, "one", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    client.logout()
    assert sign_up(client, "two", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
    client.logout()
    # A client cannot pick its address by sending its own X-Forwarded-For: the proxy appends the real one.
    spoofed = sign_up(client, "three", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7")
    assert spoofed.status_code == 429


def test_client_ip_trusts_x_forwarded_for_only_behind_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.254"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.1"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.254"  # fewer forwarded addresses than proxies: not forwarded


def test_cache_is_fresh_in_each_test():
    assert cache.get("signup-throttle:10.0.0.1") is None
