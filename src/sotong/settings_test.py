"""Settings for the test suite: the production module, narrowed.

The database comes from DATABASE_URL like everywhere else (SQLite when unset; CI also runs PostgreSQL).
"""

import os

os.environ.setdefault("SOTONG_DEMO", "1")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SOTONG_MANIFEST_STATIC", "0")

from sotong.settings import *  # noqa: E402,F403
from sotong.settings import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "sotong.core.db.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

SOTONG_EMAIL_BACKEND = "locmem"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SOTONG_SMS_BACKEND = "locmem"
# Argon2 stays the hasher (its cost is part of what is tested); a lighter parameter set keeps tests quick.
PASSWORD_HASHERS = ["sotong.accounts.hashers.TestArgon2PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Live-server threads would otherwise keep connections open past the test database's teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0
