"""Settings for the test suite: production settings with three test-only switches.

Tests talk plain HTTP, read static files from the apps (no collectstatic manifest), and run
background jobs inline unless a test drives the database worker itself.
"""

import os

os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("MOWAKABA_PLAIN_STATIC", "1")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from mowakaba.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
