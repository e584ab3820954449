from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory


def test_admin_lists_searches_and_filters_users(client, alice, bob):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get(reverse("admin:accounts_user_changelist"), {"q": "alice", "keep_captures__exact": "0"})
    change = client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    add = client.get(reverse("admin:accounts_user_add"))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert change.status_code == 200
    assert b"keep_captures" in change.content
    assert add.status_code == 200


def test_admin_is_closed_to_people_who_are_not_staff(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302


def test_admin_adds_a_user_with_an_email(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "dave",
            "email": "dave@example.com",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 302
    dave = get_user_model().objects.get(username="dave")
    assert dave.email == "dave@example.com"
    assert dave.check_password("a long enough passphrase")
