"""Encryption at rest for OAuth tokens: Fernet with a key from the environment."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@cache
def _fernet(key: str, secret_key: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    # Without TOKEN_ENCRYPTION_KEY the key is derived from SECRET_KEY, so rotating it makes every link relink.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"tokens:{secret_key}".encode()).digest()))


def fernet() -> Fernet:
    return _fernet(settings.TOKEN_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    """Decrypt a token; a token written under another key reads as empty, which forces a relink."""
    if not ciphertext:
        return ""
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return ""


class EncryptedTextField(models.TextField):
    """A text column that holds only Fernet ciphertext; Python code sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        return encrypt(value) if value else ""
