"""The one settings module. Everything that differs between machines comes from the environment.

A plain clone works with no environment at all: SQLite under ``var/``, a secret key generated
into ``var/secret_key`` on first run, US phone numbers, UTC.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from everytouch.env import (
    env_bool,
    env_choice,
    env_float,
    env_hours,
    env_int,
    env_list,
    env_proxy_header,
    env_str,
    env_timezone,
    env_url,
    env_weekdays,
)
from everytouch.ops.filemodes import private_dir, private_file, private_file_once

# Every environment variable read here is documented in docs/deploy.md and .env.example;
# everytouch/tests/test_settings_docs.py fails when one is missing from either.

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("EVERYTOUCH_VAR_DIR", str(BASE_DIR / "var")))
# The database, the secret key and the demo's mail live here: only the app's user may enter it
# (docs/security.md, "Production"). Made here, first, so nothing below creates it with the umask.
private_dir(VAR_DIR)


def _secret_key() -> str:
    # A key in the environment wins; otherwise one is generated once and kept, so sessions
    # survive restarts without anyone committing a secret.
    if key := env_str("SECRET_KEY", ""):
        return key
    # Created 600 before the key is written, so it is never readable by others; written once
    # even when several processes start together, so they all sign with the same key.
    return private_file_once(VAR_DIR / "secret_key", secrets.token_urlsafe(50)).strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Links in e-mails and calendar feeds start with it, and it is the one trusted CSRF origin.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
CSRF_TRUSTED_ORIGINS = [SITE_URL]

# Production over HTTPS (docs/deploy.md, "Production"): one switch turns on the redirect, Secure
# cookies and HSTS; each may be set on its own too. Off by default, so a plain clone, the demo
# and CI work over plain http.
EVERYTOUCH_HTTPS = env_bool("EVERYTOUCH_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", EVERYTOUCH_HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", EVERYTOUCH_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", EVERYTOUCH_HTTPS)
# A year, the length HSTS preload lists ask for; lower it while first trying HTTPS out.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if EVERYTOUCH_HTTPS else 0, low=0)
# Both reach beyond this app (every subdomain; browsers' built-in lists), so they stay the
# operator's explicit choice rather than riding on EVERYTOUCH_HTTPS.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS proxy the app sees plain http; the proxy's header says the browser used https.
SECURE_PROXY_SSL_HEADER = env_proxy_header("EVERYTOUCH_PROXY_SSL_HEADER")
# Django's defaults, stated so that a change shows in review.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "everytouch.ops",
    "everytouch.outbox",
    "everytouch.accounts",
    "everytouch.customers",
    "everytouch.interactions",
    "everytouch.staff",
    "everytouch.leads",
    "everytouch.followups",
    "everytouch.quality",
    "everytouch.search",
    "everytouch.privacy",
]

MIDDLEWARE = [
    # First: an /api/ call with a token and no cookie takes API_TOKEN_MIDDLEWARE below instead
    # of the rest of this list (everytouch/middleware.py says why that is safe).
    "everytouch.middleware.ApiTokenLane",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTP: notes the session's last sighting and sends a session that still owes its
    # second factor (or must enrol one) where it can give it.
    "everytouch.accounts.middleware.LoginSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's policy on pages, and a fixed stricter one on JSON answers.
    "everytouch.middleware.ContentSecurityPolicy",
    "django_htmx.middleware.HtmxMiddleware",
    "everytouch.middleware.JsonApiErrors",
    # Last, as axes asks: it turns a login refused for too many failures into the 429 page.
    "axes.middleware.AxesMiddleware",
]
# The chain a cookieless token call to /api/ takes (the screen pop on every ring): what guards
# every response, in MIDDLEWARE's order. Sessions, CSRF, authentication, OTP, login sessions,
# messages, htmx and axes act only on cookies or the login form, which such a call never has.
# everytouch/tests/test_middleware.py keeps this an ordered part of MIDDLEWARE.
API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "everytouch.middleware.ContentSecurityPolicy",
    "everytouch.middleware.JsonApiErrors",
]

# The app has no inline script, style or event handler (templates and static files are checked
# in a browser: tests/browser/test_csp_browser.py), so the policy allows only its own files.
# Images may be data: URLs (Swagger UI's icons). Reports go to the browser console.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

ROOT_URLCONF = "everytouch.urls"
WSGI_APPLICATION = "everytouch.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "everytouch" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["everytouch.customers.templatetags.formats"],
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    try:
        return dict(dj_database_url.parse(url))
    except ValueError as exc:
        # dj_database_url's own message names the scheme but not the variable.
        raise ImproperlyConfigured(f"DATABASE_URL is not valid: {exc}") from None


_default_db = f"sqlite:///{VAR_DIR / 'everytouch.sqlite3'}"
DATABASES = {"default": _database(env_str("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # SQLite creates its -wal and -shm files with the database file's mode: a database
        # file made 600 here, before Django opens it, keeps all three private.
        private_dir(Path(DATABASES["default"]["NAME"]).parent)
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets the worker write while the web process reads; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare a statement the connection runs again and again
    # (the screen pop's two queries), so PostgreSQL skips parsing and planning it.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["server_side_binding"] = env_bool("EVERYTOUCH_PG_SERVER_SIDE_BINDING", False)
    # No parallel workers by default: a page's queries take milliseconds, and starting workers
    # for one took about 10 ms on two cores, more than the query (the early warning's five
    # queries: 132 ms with them, 73 ms without; docs/benchmarks.md). Added to any libpq
    # "options" given in DATABASE_URL.
    _parallel = env_int("EVERYTOUCH_PG_PARALLEL_WORKERS", 0, low=0, high=64)
    _parallel_option = f"-c max_parallel_workers_per_gather={_parallel}"
    _pg_options["options"] = f"{_pg_options.get('options', '')} {_parallel_option}".strip()
# Reusing connections saves a connect (and SQLite's PRAGMAs) per request: about a fifth of the
# identify endpoint's CPU time (benchmarks/identify.py).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, low=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "everytouch.accounts.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # which sends each role to its own first screen
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The business time zone: business hours, due dates and "tomorrow" are read in it.
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "everytouch" / "static"]
# Served by the app itself (whitenoise) so a plain `everytouch serve` needs no web server.
WHITENOISE_USE_FINDERS = True

# Parsed where they are used (everytouch/business_time.py), in the business time zone.
EVERYTOUCH_BUSINESS_HOURS = env_hours("EVERYTOUCH_BUSINESS_HOURS", "09:00-17:00")
EVERYTOUCH_BUSINESS_DAYS = env_weekdays("EVERYTOUCH_BUSINESS_DAYS", "0,1,2,3,4")
# An unacknowledged taken message escalates after this many business hours.
EVERYTOUCH_MESSAGE_ESCALATION_HOURS = env_float("EVERYTOUCH_MESSAGE_ESCALATION_HOURS", 4.0, low=0)
# Who gets a new lead when the customer has no active owner (a username; else a manager).
EVERYTOUCH_DEFAULT_SALES_OWNER = env_str("EVERYTOUCH_DEFAULT_SALES_OWNER", "")
# Reminders go out this many minutes before a promise is due.
EVERYTOUCH_REMINDER_MINUTES = env_float("EVERYTOUCH_REMINDER_MINUTES", 60.0, low=0)
# A rep below any floor for this many complete weeks is flagged on the early-warning page.
# An override may give only some floors; followups/warnings.py fills in the rest.
EVERYTOUCH_EARLY_WARNING: dict[str, Any] = {
    "weeks": env_int("EVERYTOUCH_EARLY_WARNING_WEEKS", 4, low=1),
    "floors": {"contacts": 10, "leads": 1, "meetings": 1, "kept_pct": 80},
}
EVERYTOUCH_PHONE_REGION = env_str("EVERYTOUCH_PHONE_REGION", "US").upper()
EVERYTOUCH_MAX_PAYLOAD_BYTES = env_int("EVERYTOUCH_MAX_PAYLOAD_BYTES", 1_000_000, low=1)
# How long a stored answer to an Idempotency-Key is replayed; then it is deleted (docs/security.md).
EVERYTOUCH_IDEMPOTENCY_TTL_HOURS = env_int("EVERYTOUCH_IDEMPOTENCY_TTL_HOURS", 24, low=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = EVERYTOUCH_MAX_PAYLOAD_BYTES

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, low=1, high=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where the file backend (used by `everytouch demo` unless EMAIL_BACKEND is set) writes mail.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "everytouch@localhost")

# Login throttling (django-axes); why these numbers: docs/security.md, "Logging in".
# Failures are counted per username and address together, so nobody can lock a colleague out
# from elsewhere, and one address cannot guess one password more than this many times.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("EVERYTOUCH_LOGIN_FAILURE_LIMIT", 5, low=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("EVERYTOUCH_LOGIN_COOLOFF_MINUTES", 15, low=1))
# The cool-off runs from the failure that locked the door, so the page can say when it opens.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "everytouch.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "everytouch.accounts.throttle.client_ip"
# Successful logins are listed per session (accounts.LoginSession); a second, ever-growing log
# of addresses would be personal data nobody reads.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 trusts no header.
EVERYTOUCH_PROXY_COUNT = env_int("EVERYTOUCH_PROXY_COUNT", 0, low=0)
# Owners and managers must set up a second factor before they can use the app.
EVERYTOUCH_REQUIRE_2FA_FOR_MANAGERS = env_bool("EVERYTOUCH_REQUIRE_2FA_FOR_MANAGERS", False)
OTP_TOTP_ISSUER = "Everytouch"
# Webhooks to private, loopback, link-local and other non-public addresses are refused (a
# manager could otherwise make the server call its own network) unless the operator allows them.
EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = env_bool("EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE", False)

RQ_TASK_BACKEND = "django_tasks_rq.RQBackend"
TASKS = {
    "default": {
        # A dotted path: django_tasks reports one it cannot import, naming the path.
        "BACKEND": env_str("EVERYTOUCH_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Read only by the RQ backend; its workers run `manage.py rqworker --with-scheduler
# --job-class django_tasks_rq.Job` (the scheduler is what runs deferred escalations).
RQ_QUEUES = {
    "default": {
        "URL": env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss", "unix"))
    }
}
if TASKS["default"]["BACKEND"] == RQ_TASK_BACKEND:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # Card numbers never reach a log line (docs/security.md): every record passes the filter.
    "filters": {"redact_cards": {"()": "everytouch.redaction.CardNumberFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_cards"]}},
    "loggers": {
        "everytouch": {"handlers": ["console"], "level": LOG_LEVEL},
        # Access to customer records (personal data) is logged here; see docs/security.md.
        "everytouch.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
