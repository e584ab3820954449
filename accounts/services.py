from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User


def api_token_rotate(*, user: User) -> Token:
    """Replace the user's API token (or create the first one); the old key stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()


def user_delete(*, user: User) -> None:
    """Delete the user's capture images from storage, then the user and everything that cascades from it.

    Files go first: should the database delete fail, the rows still point at what is left and a
    retry finishes the job. The other order could leave images on disk that no row refers to.
    """
    for capture in user.captures.exclude(image="").only("id", "image"):
        capture.image.delete(save=False)
    user.delete()
