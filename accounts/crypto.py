"""Encryption at rest for provider keys.

Fernet keys are derived from CREDENTIALS_KEY (default: SECRET_KEY). Older keys listed in
CREDENTIALS_KEY_FALLBACKS still decrypt, so a key can be rotated: set the new CREDENTIALS_KEY
and list the old one as a fallback. A provider key is written with the new key when a team
admin saves it again; `reencrypt` turns one stored token over to the new key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"promptbrush-credentials:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keyring() -> MultiFernet:
    secrets = [settings.CREDENTIALS_KEY, *settings.CREDENTIALS_KEY_FALLBACKS]
    return MultiFernet([_fernet(s) for s in secrets if s])


def encrypt(plaintext: str) -> str:
    return _keyring().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        # A key that can no longer be read acts as "not set" rather than crashing a job.
        return ""


def reencrypt(token: str) -> str:
    return _keyring().rotate(token.encode()).decode()
