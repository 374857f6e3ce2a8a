"""sotong settings, read from the environment (see docs/settings.md for every variable).

One module for every deployment; `settings_test` only narrows it for the test suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SOTONG_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The demo flag shows demo logins on the login page and loads demo data in `make run`.
SOTONG_DEMO = env_bool("SOTONG_DEMO", DEBUG)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or SOTONG_DEMO):
        raise ImproperlyConfigured("SECRET_KEY must be set when neither DEBUG nor SOTONG_DEMO is on")
    SECRET_KEY = "insecure-demo-key-do-not-use-in-production"  # noqa: S105

# Key for encrypting personal data at rest (phone, e-mail) and for the keyed blind index.
# A urlsafe base64 32-byte key (Fernet); several comma-separated keys rotate, the first one encrypts.
FIELD_ENCRYPTION_KEYS = env_list("SOTONG_FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEYS:
    if not (DEBUG or SOTONG_DEMO):
        raise ImproperlyConfigured("SOTONG_FIELD_ENCRYPTION_KEY must be set in production")
    FIELD_ENCRYPTION_KEYS = ["ZGVtby1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy0hISE="]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if (DEBUG or SOTONG_DEMO) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env("SOTONG_SITE_NAME", "성동구 소통")
SITE_OPERATOR = env("SOTONG_SITE_OPERATOR", "서울특별시 성동구")
SITE_URL = env("SOTONG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# 개인정보 보호책임자 and the date the privacy policy took effect, shown on the portal's 개인정보 처리방침.
SOTONG_PRIVACY_OFFICER = {
    "department": env("SOTONG_PRIVACY_OFFICER_DEPARTMENT", "전산정보과"),
    "title": env("SOTONG_PRIVACY_OFFICER_TITLE", "개인정보 보호책임자"),
    "phone": env("SOTONG_PRIVACY_OFFICER_PHONE"),
    "email": env("SOTONG_PRIVACY_OFFICER_EMAIL"),
}
SOTONG_PRIVACY_POLICY_DATE = env("SOTONG_PRIVACY_POLICY_DATE", "2026-01-01")
# Shows the KRDS official-site masthead ("이 누리집은 대한민국 공식 전자정부 누리집입니다.") only when true.
SOTONG_OFFICIAL_SITE = env_bool("SOTONG_OFFICIAL_SITE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "sotong.core",
    "sotong.accounts",
    "sotong.messaging",
    "sotong.people",
    "sotong.campaigns",
    "sotong.communities",
    "sotong.cases",
    "sotong.insights",
    "sotong.portal",
    "sotong.office",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sotong.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sotong.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sotong.urls"
WSGI_APPLICATION = "sotong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sotong.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL=postgres://...
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sotong.sqlite3'}")
# Persistent connections: the worker checks for stale ones between tasks, so reopening each time is waste.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a flush that respects the append-only triggers (core/db/sqlite3).
    DATABASES["default"]["ENGINE"] = "sotong.core.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "office:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (개인정보의 안전성 확보조치 기준: 5 by default).
AXES_FAILURE_LIMIT = env_int("SOTONG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SOTONG_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Accounts lock by username (the law's "계정 잠금"); locking by IP would shut out a whole office behind one NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Roles that must pass TOTP two-factor before reaching the office.
SOTONG_TWO_FACTOR_ROLES = env_list("SOTONG_TWO_FACTOR_ROLES", "coordinator,sysadmin")
OTP_TOTP_ISSUER = SITE_NAME

# Sessions: staff sessions expire after inactivity; pages warn SESSION_WARNING_SECONDS ahead.
SESSION_COOKIE_AGE = env_int("SOTONG_SESSION_SECONDS", 30 * 60)
SESSION_WARNING_SECONDS = env_int("SOTONG_SESSION_WARNING_SECONDS", 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# The fitted text representation and the similar-case index (files shared by every process on the host).
SOTONG_INSIGHTS_DIR = Path(env("SOTONG_INSIGHTS_DIR", str(VAR_DIR / "insights")))
# A case is flagged as an urgent safety risk when the learned classifier scores it at least this high.
SOTONG_SAFETY_THRESHOLD = float(env("SOTONG_SAFETY_THRESHOLD", "0.7"))
# Production serves hashed, compressed files collected by `collectstatic`; the demo and tests serve the
# source folders directly through WhiteNoise's finders.
MANIFEST_STATIC = env_bool("SOTONG_MANIFEST_STATIC", not (DEBUG or SOTONG_DEMO))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not MANIFEST_STATIC

# Background work: Django Tasks on the database by default, RQ on Redis when one machine is not enough.
TASKS_BACKEND = env("SOTONG_TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "messages"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
else:
    raise ImproperlyConfigured(f"SOTONG_TASKS_BACKEND={TASKS_BACKEND!r}: use 'database' or 'immediate'")
# The worker and scheduler are healthy when their heartbeat is younger than this.
SOTONG_HEARTBEAT_MAX_AGE = env_int("SOTONG_HEARTBEAT_MAX_AGE", 180)

# Cases: the department (code) that receives complaints and proposals submitted on the portal.
SOTONG_CASES_PORTAL_INTAKE = env("SOTONG_CASES_PORTAL_INTAKE", "D102")
SOTONG_CASES_ATTACHMENT_MAX_BYTES = env_int("SOTONG_CASES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
SOTONG_CASES_ATTACHMENTS_PER_CASE = env_int("SOTONG_CASES_ATTACHMENTS_PER_CASE", 5)
# Map tiles for location pins (e.g. a licensed tile server's "{z}/{x}/{y}" URL); empty shows a plain grid.
SOTONG_MAP_TILE_URL = env("SOTONG_MAP_TILE_URL", "")
SOTONG_MAP_CENTER = tuple(float(v) for v in env("SOTONG_MAP_CENTER", "37.5634,127.0369").split(","))

# Business calendar (민원 처리에 관한 법률 §19; 국가공무원 복무규정 §9: 09–18 with lunch 12–13 = 8 hours).
BUSINESS_DAY_START = env_int("SOTONG_WORKDAY_START", 9)
BUSINESS_DAY_END = env_int("SOTONG_WORKDAY_END", 18)
BUSINESS_LUNCH = (env_int("SOTONG_LUNCH_START", 12), env_int("SOTONG_LUNCH_END", 13))

# Outbox delivery. E-mail: console | file | smtp. SMS: console | file | locmem | http (or a dotted path).
SOTONG_EMAIL_BACKEND = env("SOTONG_EMAIL_BACKEND", "console")
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}.get(SOTONG_EMAIL_BACKEND, SOTONG_EMAIL_BACKEND)
EMAIL_FILE_PATH = str(VAR_DIR / "outbox" / "email")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@sotong.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SOTONG_SMS_BACKEND = env("SOTONG_SMS_BACKEND", "console")
SOTONG_SMS_FILE_PATH = str(VAR_DIR / "outbox" / "sms")
SOTONG_SMS_GATEWAY_URL = env("SOTONG_SMS_GATEWAY_URL")
SOTONG_SMS_API_KEY = env("SOTONG_SMS_API_KEY")
SOTONG_SMS_API_SECRET = env("SOTONG_SMS_API_SECRET")
SOTONG_SMS_SENDER = env("SOTONG_SMS_SENDER", "0222860000")
SOTONG_SMS_TIMEOUT = env_int("SOTONG_SMS_TIMEOUT", 10)
SOTONG_OUTBOX_MAX_ATTEMPTS = env_int("SOTONG_OUTBOX_MAX_ATTEMPTS", 6)
SOTONG_OUTBOX_BACKOFF_SECONDS = env_int("SOTONG_OUTBOX_BACKOFF_SECONDS", 60)
# A message `sending` longer than this, or due this long without a worker taking it, is handed back by the sweep.
SOTONG_OUTBOX_STUCK_SECONDS = env_int("SOTONG_OUTBOX_STUCK_SECONDS", 15 * 60)

# Campaigns (mass e-mail and SMS): unsubscribe links, DKIM, inbound bounce and delivery-report webhooks.
SOTONG_UNSUBSCRIBE_SECRET = env("SOTONG_UNSUBSCRIBE_SECRET", "")  # empty: derived from SECRET_KEY
SOTONG_DKIM_DOMAIN = env("SOTONG_DKIM_DOMAIN", "")
SOTONG_DKIM_SELECTOR = env("SOTONG_DKIM_SELECTOR", "sotong")
SOTONG_DKIM_PRIVATE_KEY_FILE = env("SOTONG_DKIM_PRIVATE_KEY_FILE", "")
SOTONG_CAMPAIGN_WEBHOOK_SECRET = env("SOTONG_CAMPAIGN_WEBHOOK_SECRET", "")
SOTONG_CAMPAIGN_BATCH_SIZE = env_int("SOTONG_CAMPAIGN_BATCH_SIZE", 500)
SOTONG_CAMPAIGN_LEASE_SECONDS = env_int("SOTONG_CAMPAIGN_LEASE_SECONDS", 120)
# Recipient rows are deleted this many days after their campaign ended (figures kept), at most N seconds a run.
SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS = env_int("SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS", 183)
SOTONG_CAMPAIGN_PURGE_SECONDS = env_int("SOTONG_CAMPAIGN_PURGE_SECONDS", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
