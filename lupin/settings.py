"""Lupin's settings: every value comes from an environment variable read by a strict helper.

A bad value stops start-up with a message that names the variable. `.env.example` lists them all,
and README.md has the table.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lupin import config
from lupin.lib.sealing import MasterKeyError, load_master_key

BASE_DIR = config.BASE_DIR
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_decimal(
    name: str, default: str, *, minimum: str = "0", below: str | None = None
) -> Decimal:
    raw = os.environ.get(name)
    text = default if raw is None or not raw.strip() else raw.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number such as 0.04, not {raw!r}.") from None
    if not value.is_finite() or value < Decimal(minimum):
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    if below is not None and value >= Decimal(below):
        raise ImproperlyConfigured(f"{name} must be below {below}, not {raw!r}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str, value: str | list[str] | None) -> None:
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when LUPIN_DEBUG=0.")


# Secure by default: production settings unless LUPIN_DEBUG=1 says this is a developer's
# machine (`make run` and `make test` set it). A forgotten variable must never start a public
# server with development keys.
DEBUG = env_bool("LUPIN_DEBUG", False)
TESTING = "pytest" in sys.modules

SECRET_KEY = env_str("LUPIN_SECRET_KEY") or ""
ALLOWED_HOSTS = env_list("LUPIN_ALLOWED_HOSTS", [])
if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    env_required("LUPIN_SECRET_KEY", SECRET_KEY)
    env_required("LUPIN_ALLOWED_HOSTS", ALLOWED_HOSTS)
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("LUPIN_SECRET_KEY must be at least 50 characters long.")

# Sealed tenders: the master key that wraps each competition's data key (lupin/lib/sealing.py).
# Losing it makes every sealed tender unreadable: back it up apart from the database.
try:
    SEALING_MASTER_KEY = load_master_key(
        env_str("LUPIN_SEALING_KEY"),
        env_str("LUPIN_SEALING_KEY_FILE"),
        allow_development_key=DEBUG or TESTING,
    )
except MasterKeyError as error:
    raise ImproperlyConfigured(str(error)) from None

VAR_DIR = config.var_dir()
# Unset, it is this machine on the port `lupin serve` listens on (`lupin serve --port` passes its
# own address to the processes it starts), so links in e-mails work on a developer's machine.
_port = (os.environ.get("LUPIN_PORT") or "").strip()
SITE_URL = (
    env_str("LUPIN_SITE_URL") or f"http://127.0.0.1:{_port if _port.isdigit() else 8000}"
).rstrip("/")

INSTALLED_APPS = [
    "lupin.admin_site.LupinAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "lupin",
    "lupin.accounts",
    "lupin.projects",
    "lupin.dialogue",
    "lupin.notifications",
    "lupin.audit",
    "lupin.competitions",
    "lupin.contracts",
    "lupin.benefits",
    "lupin.opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lupin.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "lupin.api.ApiErrorFormatMiddleware",
]

ROOT_URLCONF = "lupin.urls"
WSGI_APPLICATION = "lupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lupin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lupin.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL (postgres://…) switches to PostgreSQL.
try:
    DATABASES = {"default": config.database(testing=TESTING)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# Repeated failed logins lock the username from that address for a while (django-axes).
AXES_FAILURE_LIMIT = env_int("LUPIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LUPIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("LUPIN_PROXY_COUNT", 0)
AXES_VERBOSE = False

LANGUAGE_CODE = config.LANGUAGE_CODE
LANGUAGES = [("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [config.LOCALE_DIR]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
_s3_bucket = env_str("LUPIN_S3_BUCKET")
if _s3_bucket:
    # S3-compatible object storage through django-storages (pip install 'lupin[s3]').
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_str("LUPIN_S3_ENDPOINT_URL") or None,
            "region_name": env_str("LUPIN_S3_REGION") or None,
            "access_key": env_str("LUPIN_S3_ACCESS_KEY") or None,
            "secret_key": env_str("LUPIN_S3_SECRET_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Uploads: a hard cap on the request body, and the per-file limit the forms enforce.
LUPIN_UPLOAD_MAX_BYTES = env_int("LUPIN_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
# Tender files are often large (drawings, videos): they stream to storage encrypted, in chunks.
LUPIN_TENDER_MAX_BYTES = env_int("LUPIN_TENDER_MAX_MB", 500, minimum=1) * 1024 * 1024
# The effect report: the real discount rate (a fraction; R-109/2021's 4 % [verify]), how many
# years an expected benefit is counted, and the cost of an advisor's hour when support is logged.
LUPIN_DISCOUNT_RATE = env_decimal("LUPIN_DISCOUNT_RATE", "0.04", below="1")
LUPIN_BENEFIT_YEARS = env_int("LUPIN_BENEFIT_YEARS", 10, minimum=1)
LUPIN_ADVISOR_HOURLY_RATE = env_decimal("LUPIN_ADVISOR_HOURLY_RATE", "1200")
# Open data: every published project is an OCDS contracting process whose ocid is this prefix
# (registered with the Open Contracting Partnership; "ocds-" and six characters) plus a number.
LUPIN_OCID_PREFIX = env_str("LUPIN_OCID_PREFIX") or "ocds-lupin0"
if not LUPIN_OCID_PREFIX.startswith("ocds-") or len(LUPIN_OCID_PREFIX) != 11:
    raise ImproperlyConfigured(
        f"LUPIN_OCID_PREFIX must be 'ocds-' and six characters, not {LUPIN_OCID_PREFIX!r}."
    )
# The organisation that publishes the OCDS data: the "publisher" of every package.
LUPIN_OCDS_PUBLISHER = env_str("LUPIN_OCDS_PUBLISHER") or "Lupin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: printed to the console in development; SMTP when LUPIN_EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("LUPIN_EMAIL_FROM") or "Lupin <noreply@lupin.localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env_str("LUPIN_EMAIL_HOST")
if _email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_host
    EMAIL_PORT = env_int("LUPIN_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("LUPIN_EMAIL_USER") or ""
    EMAIL_HOST_PASSWORD = env_str("LUPIN_EMAIL_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("LUPIN_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background work: django-tasks with its database backend; `lupin db_worker` runs the jobs.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# Security: HTTPS settings switch on outside debug; LUPIN_HTTPS=0 serves plain HTTP behind a
# proxy that terminates TLS without forwarding the scheme (not recommended).
_https = env_bool("LUPIN_HTTPS", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("LUPIN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("LUPIN_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
# Trust X-Forwarded-Proto only behind a proxy that sets it (LUPIN_PROXY_COUNT ≥ 1): otherwise a
# client could claim HTTPS.
if AXES_IPWARE_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("LUPIN_CSRF_TRUSTED_ORIGINS", [])
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LUPIN_LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
