"""A password hasher that counts its work (the tests' MD5 hasher, which stays compatible).

Every hash computed goes through ``encode`` (``verify`` hashes the typed password with the stored
salt by calling it), so ``CALLS`` holds one "encode" per password hash computed."""

from django.contrib.auth.hashers import MD5PasswordHasher

CALLS: list[str] = []


class CountingMD5PasswordHasher(MD5PasswordHasher):
    def encode(self, password, salt):
        CALLS.append("encode")
        return super().encode(password, salt)
