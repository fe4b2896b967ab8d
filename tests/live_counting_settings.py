"""`tests.live_settings` with a hasher that counts each password check (tests/counting_hasher.py)."""

from tests.live_settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.counting_hasher.CountingMD5PasswordHasher"]
