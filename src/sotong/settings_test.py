"""Settings for the test suite: the production module, narrowed.

The database comes from DATABASE_URL like everywhere else (SQLite when unset; CI also runs PostgreSQL).
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SOTONG_DEMO", "1")
# The insights index and models of a test run live apart from the dev server's var/insights; worker
# processes the tests start inherit the variable, so they share the folder; it goes with the run.
if "SOTONG_INSIGHTS_DIR" not in os.environ:
    os.environ["SOTONG_INSIGHTS_DIR"] = tempfile.mkdtemp(prefix="sotong-test-insights-")
    atexit.register(shutil.rmtree, os.environ["SOTONG_INSIGHTS_DIR"], ignore_errors=True)
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
