"""casetrail settings: one file, driven by CASETRAIL_* environment variables.

Every helper *rejects* a bad value with a message naming the variable, so a typo stops start-up
instead of silently running with a default (the healthchecks habit).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: choose one of {', '.join(choices)}")
    return value


def env_url(name: str) -> str:
    value = os.environ.get(name, "")
    if value and urlsplit(value).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{name}={value!r} must be an http:// or https:// URL")
    return value


DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def database_config(name: str, default_sqlite: Path) -> dict[str, Any]:
    raw = os.environ.get(name) or f"sqlite:///{default_sqlite}"
    scheme = urlsplit(raw).scheme
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: unknown URL scheme {scheme!r}; use sqlite:///PATH or postgres://USER@HOST:PORT/DB"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two openings never race on the
        # case-number counter and nobody sees "database is locked" mid-transaction.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
        config["TEST"] = {"NAME": str(default_sqlite.with_name("test-casetrail.sqlite3"))}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Parameters travel apart from the SQL (no client-side quoting), and psycopg prepares
        # a statement once it has run it 5 times (Django turns that off by default, for
        # transaction-mode poolers, which casetrail does not use): the ledger append and the
        # integrator's and proofs' queries skip parsing and planning (bench/README.md).
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    return config


def secret_key(data_dir: Path) -> str:
    """The key from CASETRAIL_SECRET_KEY, else one generated once and kept in the data folder.

    A key from the environment must pass Django's own deployment check (security.W009): at
    least 50 characters, at least 5 different ones, and not Django's "django-insecure-" sample.
    """
    from_env = os.environ.get("CASETRAIL_SECRET_KEY")
    if from_env is not None:
        if len(from_env) < 50 or len(set(from_env)) < 5:
            raise ImproperlyConfigured(
                "CASETRAIL_SECRET_KEY must be at least 50 characters long with at least 5 "
                "different characters (e.g. python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(50))')"
            )
        if from_env.startswith("django-insecure-"):
            raise ImproperlyConfigured(
                "CASETRAIL_SECRET_KEY must not be Django's sample key (django-insecure-…)"
            )
        return from_env
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


DATA_DIR = env_path("CASETRAIL_DATA_DIR", BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("CASETRAIL_DEBUG", False)
ALLOWED_HOSTS = env_list("CASETRAIL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CASETRAIL_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {"default": database_config("CASETRAIL_DATABASE_URL", DATA_DIR / "casetrail.sqlite3")}


def migrate_database_config(served: dict[str, Any]) -> dict[str, Any] | None:
    """The owner role `casetrail migrate` connects as (PostgreSQL), or None: one role does both."""
    if not os.environ.get("CASETRAIL_MIGRATE_DATABASE_URL"):
        return None
    owner = database_config("CASETRAIL_MIGRATE_DATABASE_URL", DATA_DIR / "casetrail.sqlite3")
    if owner["ENGINE"] != "django.db.backends.postgresql" or owner["ENGINE"] != served["ENGINE"]:
        raise ImproperlyConfigured(
            "CASETRAIL_MIGRATE_DATABASE_URL：只用于 PostgreSQL，且 CASETRAIL_DATABASE_URL 也须是 "
            "PostgreSQL（SQLite 没有数据库角色）"
        )
    if owner["NAME"] != served["NAME"]:
        raise ImproperlyConfigured(
            f"CASETRAIL_MIGRATE_DATABASE_URL：数据库名 {owner['NAME']!r} 必须与 "
            f"CASETRAIL_DATABASE_URL 的 {served['NAME']!r} 相同（同一数据库的所有者角色）"
        )
    return owner


CASETRAIL_MIGRATE_DATABASE = migrate_database_config(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "casetrail.ledger",
    "casetrail.cases",
    "casetrail.evidence",
    "casetrail.documents",
    "casetrail.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the others (only axes is nearer the view): reads of confidential cases are ledgered.
    "casetrail.web.reads.LedgeredReadMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casetrail.urls"
WSGI_APPLICATION = "casetrail.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casetrail.web.context.navigation",
            ],
        },
    },
]

# Passwords (Django's validators; their messages are translated to zh-Hans by Django).
CASETRAIL_PASSWORD_MIN_LENGTH = env_int("CASETRAIL_PASSWORD_MIN_LENGTH", 12, minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "casetrail.access.passwords.ChineseMinimumLengthValidator",
        "OPTIONS": {"min_length": CASETRAIL_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Guessing passwords (django-axes, see docs/security.md): after CASETRAIL_LOGIN_FAILURE_LIMIT
# failures for one user name from one client address, that pair is refused for
# CASETRAIL_LOGIN_COOLOFF_MINUTES (counted from the last attempt). Attempts live in the
# database, so every app process counts together.
CASETRAIL_LOGIN_FAILURE_LIMIT = env_int("CASETRAIL_LOGIN_FAILURE_LIMIT", 5, minimum=1)
CASETRAIL_LOGIN_COOLOFF_MINUTES = env_int("CASETRAIL_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
# How many reverse proxies append to X-Forwarded-For in front of the app (0: none, the client
# is REMOTE_ADDR); see casetrail/client.py.
CASETRAIL_PROXY_COUNT = env_int("CASETRAIL_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = CASETRAIL_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=CASETRAIL_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "casetrail.client.client_address"
AXES_LOCKOUT_CALLABLE = "casetrail.web.login.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role lands on what it works on (access.landing)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# The ledger (see docs/ledger.md). The hash is chosen once, at installation.
CASETRAIL_LEDGER_HASH = env_choice("CASETRAIL_LEDGER_HASH", "sha256", ("sha256", "sm3"))
CASETRAIL_LOG_ORIGIN = os.environ.get("CASETRAIL_LOG_ORIGIN", "casetrail.local")
if not CASETRAIL_LOG_ORIGIN or any(c.isspace() or c == "+" for c in CASETRAIL_LOG_ORIGIN):
    raise ImproperlyConfigured("CASETRAIL_LOG_ORIGIN must be non-empty, without spaces or '+'")
CASETRAIL_KEY_DIR = env_path("CASETRAIL_KEY_DIR", DATA_DIR / "keys")
# The key that tags every ledger entry (`ledger/entry_tags.py`): held by the app, never in the
# database. Unset: `entry-tag.key` in CASETRAIL_KEY_DIR, created on first use (mode 0600).
CASETRAIL_ENTRY_KEY_FILE = (
    env_path("CASETRAIL_ENTRY_KEY_FILE", Path())
    if os.environ.get("CASETRAIL_ENTRY_KEY_FILE")
    else None
)
CASETRAIL_OFFSITE_DIR = (
    env_path("CASETRAIL_OFFSITE_DIR", Path()) if os.environ.get("CASETRAIL_OFFSITE_DIR") else None
)
CASETRAIL_TSA_URL = env_url("CASETRAIL_TSA_URL")
# Trust anchors for the TSA's certificate chain: a PEM file or a folder of PEM files. Unset,
# `verify` checks what a token states but cannot prove who signed it (docs/ledger.md).
CASETRAIL_TSA_CERTS = (
    env_path("CASETRAIL_TSA_CERTS", Path()) if os.environ.get("CASETRAIL_TSA_CERTS") else None
)
# How far a token's genTime may lie from its checkpoint's publication time.
CASETRAIL_TSA_TOLERANCE_SECONDS = env_int("CASETRAIL_TSA_TOLERANCE_SECONDS", 600, minimum=1)
CASETRAIL_CHECKPOINT_EVERY = env_int("CASETRAIL_CHECKPOINT_EVERY", 100, minimum=1)
CASETRAIL_CHECKPOINT_SECONDS = env_int("CASETRAIL_CHECKPOINT_SECONDS", 300, minimum=1)
# `verify` reports leaves still unsigned after CHECKPOINT_SECONDS plus this grace period.
CASETRAIL_UNSIGNED_GRACE_SECONDS = env_int("CASETRAIL_UNSIGNED_GRACE_SECONDS", 3600, minimum=0)
CASETRAIL_INTEGRATE_ON_COMMIT = env_bool("CASETRAIL_INTEGRATE_ON_COMMIT", True)

# Evidence files (see docs/evidence.md). Stores are a folder path, file:///path or s3://bucket?….
CASETRAIL_BLOB_STORE = os.environ.get("CASETRAIL_BLOB_STORE", "")
CASETRAIL_REPLICA_STORE = os.environ.get("CASETRAIL_REPLICA_STORE", "")
CASETRAIL_MAX_UPLOAD_BYTES = env_int("CASETRAIL_MAX_UPLOAD_BYTES", 64 * 1024**3, minimum=1)
CASETRAIL_UPLOAD_EXPIRY_HOURS = env_int("CASETRAIL_UPLOAD_EXPIRY_HOURS", 48, minimum=1)

# Document PDFs (see docs/documents.md): the address printed in each QR code (/v/<code>).
CASETRAIL_PUBLIC_URL = env_url("CASETRAIL_PUBLIC_URL") or "http://127.0.0.1:8000"
# Requests per client address in any 60 seconds to the public verification pages (/v/).
CASETRAIL_VERIFY_RATE_PER_MINUTE = env_int("CASETRAIL_VERIFY_RATE_PER_MINUTE", 30, minimum=1)

# Sessions end CASETRAIL_SESSION_HOURS after login (default: a working day).
CASETRAIL_SESSION_HOURS = env_int("CASETRAIL_SESSION_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = CASETRAIL_SESSION_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the pages read the token from the form, never from the cookie
CSRF_FAILURE_VIEW = "casetrail.web.errors.csrf_failure"  # zh-Hans, with a way back

# A form's body (not file uploads, which go through /uploads/ in chunks): Django's 2.5 MB
# refused a long pasted 案情摘要 with a bare 400; the forms state their own limits (maxlength).
CASETRAIL_FORM_MAX_MB = env_int("CASETRAIL_FORM_MAX_MB", 10, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = CASETRAIL_FORM_MAX_MB * 1024 * 1024

# HTTPS (production): CASETRAIL_SECURE_COOKIES=on sends cookies over HTTPS only, redirects
# http:// to https:// and turns on HSTS. Behind a TLS-terminating proxy
# (CASETRAIL_PROXY_COUNT > 0) the proxy must set X-Forwarded-Proto, which is then trusted.
CASETRAIL_SECURE_COOKIES = env_bool("CASETRAIL_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CASETRAIL_SECURE_COOKIES
SECURE_SSL_REDIRECT = CASETRAIL_SECURE_COOKIES
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if CASETRAIL_SECURE_COOKIES else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = CASETRAIL_SECURE_COOKIES
if CASETRAIL_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site
# only; no inline script or style, no eval, no plugins, no framing.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
