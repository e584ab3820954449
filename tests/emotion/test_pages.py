"""The capture and history pages: login required, and they hand the API URLs to their scripts."""

import pytest


@pytest.mark.parametrize("url", ["/capture/", "/history/"])
def test_pages_send_anonymous_visitors_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/capture/", "/history/"])
def test_pages_render_for_a_signed_in_person(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"/api/" in response.content
    assert "csrftoken" in response.cookies
