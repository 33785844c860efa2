"""Local development and the demo: DEBUG, console e-mail, embedded defaults."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-secret-key-change-me")
CHAMYEO_VOTER_KEY_SECRET = env(
    "CHAMYEO_VOTER_KEY_SECRET", default="local-only-insecure-voter-key-secret"
)
CHAMYEO_DEMO_MODE = env.bool("CHAMYEO_DEMO_MODE", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
