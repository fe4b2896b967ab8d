"""A password hasher for live servers started by tests: counts every password check.

It verifies the MD5 hashes the test settings make, counts each check in Redis
(`PASSWORD_CHECKS_REDIS_URL`, key `PASSWORD_CHECKS_KEY`) so a test can tell how many
passwords a server really compared, and takes `PASSWORD_CHECK_SECONDS` like a real,
slow hash would: the window in which parallel guesses overlap.
"""

import os
import time

import redis
from django.contrib.auth.hashers import MD5PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    def verify(self, password, encoded):
        client = redis.Redis.from_url(os.environ["PASSWORD_CHECKS_REDIS_URL"])
        try:
            client.incr(os.environ["PASSWORD_CHECKS_KEY"])
        finally:
            client.close()
        time.sleep(float(os.environ.get("PASSWORD_CHECK_SECONDS", "0.3")))
        return super().verify(password, encoded)
