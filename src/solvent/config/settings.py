"""Settings, twelve-factor style: everything that differs between machines comes from the environment.

With no environment at all Solvent runs embedded: SQLite (WAL) under ./var/, the database task backend,
console e-mail and a fake SMS provider. Production sets DATABASE_URL (PostgreSQL), SECRET_KEY,
SOLVENT_FIELD_KEY and the provider settings documented in the README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SOLVENT_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("SOLVENT_DEBUG", default=False)
# The fallback key exists so `make demo` needs no setup; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "solvent-insecure-development-key-change-me")
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Fernet key (urlsafe base64, 32 bytes) for personal data at rest. Without one, a key is derived
# from SECRET_KEY so the demo works; `manage.py check --deploy` warns about it.
SOLVENT_FIELD_KEY = os.environ.get("SOLVENT_FIELD_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "solvent.core",
    "solvent.audit",
    "solvent.portfolio",
    "solvent.compliance",
    "solvent.contact",
    "solvent.desk",
    "solvent.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "solvent.config.urls"
WSGI_APPLICATION = "solvent.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while a writer imports; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" half-way through a transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'solvent.sqlite3'}"
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

# Background work: the database backend is the embedded default; RQ on Redis is the scale-out path.
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get("SOLVENT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "outbox", "imports"],
    }
}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    # SOLVENT_TASK_BACKEND=django_tasks_rq.RQBackend; workers: `solvent rqworker outbox
    # --job-class django_tasks_rq.Job` (the job class runs Django tasks).
    INSTALLED_APPS.append("django_tasks_rq")
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}
        for name in ("default", "outbox", "imports")
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:account_search"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Solvent <collections@localhost>")

SOLVENT_SMS_PROVIDER = os.environ.get("SOLVENT_SMS_PROVIDER", "console")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_API_BASE = os.environ.get("TWILIO_API_BASE", "https://api.twilio.com")
SOLVENT_SMS_FILE = os.environ.get("SOLVENT_SMS_FILE", "")
# Contact app: links in messages, webhook signatures, the outbox's batch and lease.
SOLVENT_PUBLIC_URL = os.environ.get("SOLVENT_PUBLIC_URL", "http://localhost:8000")
SOLVENT_WEBHOOK_SECRET = os.environ.get("SOLVENT_WEBHOOK_SECRET", "")
SOLVENT_AGENCY_NAME = os.environ.get("SOLVENT_AGENCY_NAME", "Solvent Recovery")
SOLVENT_AGENCY_PHONE = os.environ.get("SOLVENT_AGENCY_PHONE", "+1 800 555 0100")
SOLVENT_OUTBOX_BATCH = int(os.environ.get("SOLVENT_OUTBOX_BATCH", "100"))
SOLVENT_OUTBOX_LEASE_SECONDS = int(os.environ.get("SOLVENT_OUTBOX_LEASE_SECONDS", "120"))
# Sent messages recorded per commit: higher is faster, and is how many a killed worker may resend
# (same Message-ID and idempotency key). 10 reaches 500+/s on PostgreSQL; see ADR 0006.
SOLVENT_OUTBOX_COMMIT_EVERY = int(os.environ.get("SOLVENT_OUTBOX_COMMIT_EVERY", "10"))

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SOLVENT_LOG_LEVEL", "WARNING")},
}
