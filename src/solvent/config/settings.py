"""Settings, twelve-factor style: everything that differs between machines comes from the environment.

With no environment at all Solvent runs embedded: SQLite (WAL) under ./var/, the database task backend,
console e-mail and a fake SMS provider. Production sets DATABASE_URL (PostgreSQL), SECRET_KEY,
SOLVENT_FIELD_KEY and the provider settings documented in the README.

Secrets fail closed: with DEBUG off, a missing or published SECRET_KEY or SOLVENT_FIELD_KEY stops the
process here, before it serves anything. Only `solvent demo` (keys generated once and kept in its var
dir) and the test suite (fixed test keys) run without them; see ADR 0017.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _var_dir() -> Path:
    """Where the embedded database, keys and files live (issue 11: `solvent` from any folder).

    SOLVENT_VAR_DIR when set; else the nearest ``var/`` holding Solvent's files, in the current
    folder or one above it (so a command run from a subfolder of the checkout finds the demo's
    data); else the checkout's own ``var/`` when Solvent runs from its source tree; else ./var.
    """
    configured = os.environ.get("SOLVENT_VAR_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    markers = ("solvent.sqlite3", "development-keys.json")
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "var"
        if any((candidate / marker).exists() for marker in markers):
            return candidate
    checkout = BASE_DIR.parent.parent
    if (checkout / "pyproject.toml").exists() and (checkout / "var").is_dir():
        return checkout / "var"
    return here / "var"


VAR_DIR = _var_dir()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("SOLVENT_DEBUG", default=False)

# Keys that were published (in this source or in Django's templates) are as good as none.
PUBLISHED_SECRET_KEYS = frozenset(
    {"solvent-insecure-development-key-change-me", "change-me", "changeme", "secret"}
)
# The test suite's keys: accepted only while pytest runs (it sets PYTEST_VERSION), so the processes a
# test starts share them; anywhere else they are published keys like the others.
TEST_SECRET_KEY = "solvent-test-suite-secret-key-not-for-production-0123456789"  # noqa: S105
TEST_FIELD_KEY = base64.urlsafe_b64encode(b"solvent-test-suite-field-key-32b").decode()
# The field key earlier versions derived from the published SECRET_KEY: readable by anyone.
PUBLISHED_FIELD_KEYS = frozenset(
    {
        base64.urlsafe_b64encode(
            hashlib.sha256(b"solvent-field-key:solvent-insecure-development-key-change-me").digest()
        ).decode()
    }
)
# Commands that neither serve nor read personal data may run without keys (`make lint` runs them on a
# fresh machine); settings.SECRET_KEY is then empty, so anything that tries to use it still fails.
COMMANDS_WITHOUT_SECRETS = frozenset({"check", "makemigrations", "help", "version", "--help"})


def _field_keys_valid(value: str) -> bool:
    """Each comma-separated key must be a Fernet key: urlsafe base64 of 32 bytes."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    try:
        return bool(keys) and all(len(base64.urlsafe_b64decode(k.encode())) == 32 for k in keys)
    except (binascii.Error, ValueError):
        return False


def _development_keys(var_dir: Path) -> tuple[str, str]:
    """The demo's keys: generated once per var dir and kept there (0600), so its data stays readable."""
    path = var_dir / "development-keys.json"
    if path.exists():
        stored = json.loads(path.read_text())
        return str(stored["SECRET_KEY"]), str(stored["SOLVENT_FIELD_KEY"])
    var_dir.mkdir(parents=True, exist_ok=True)
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SOLVENT_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    if (var_dir / "solvent.sqlite3").exists():
        # A demo made before generated keys: keep reading it with the keys it was written with.
        keys = {
            "SECRET_KEY": "solvent-insecure-development-key-change-me",
            "SOLVENT_FIELD_KEY": next(iter(PUBLISHED_FIELD_KEYS)),
        }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(keys, handle)
    return keys["SECRET_KEY"], keys["SOLVENT_FIELD_KEY"]


def _command(argv: list[str]) -> str:
    return argv[1] if len(argv) > 1 else ""


_COMMAND = _command(sys.argv)
_UNDER_PYTEST = "PYTEST_VERSION" in os.environ
# Which keys this process runs on: "environment", "tests", "demo" (generated), or "none".
if _UNDER_PYTEST and not os.environ.get("SECRET_KEY"):
    SOLVENT_KEY_SOURCE = "tests"
    SECRET_KEY = TEST_SECRET_KEY
    SOLVENT_FIELD_KEY = os.environ.get("SOLVENT_FIELD_KEY") or TEST_FIELD_KEY
elif _COMMAND == "demo" and not os.environ.get("SECRET_KEY"):
    SOLVENT_KEY_SOURCE = "demo"
    SECRET_KEY, SOLVENT_FIELD_KEY = _development_keys(VAR_DIR)
else:
    SOLVENT_KEY_SOURCE = "environment"
    SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
    # Fernet keys (urlsafe base64, 32 bytes), comma-separated: the first encrypts, all decrypt.
    SOLVENT_FIELD_KEY = os.environ.get("SOLVENT_FIELD_KEY", "").strip()
    _problems = []
    if not SECRET_KEY:
        _problems.append("SECRET_KEY is not set")
    elif SECRET_KEY in PUBLISHED_SECRET_KEYS | {TEST_SECRET_KEY} or SECRET_KEY.startswith(
        "django-insecure"
    ):
        _problems.append("SECRET_KEY is a published default")
    if not SOLVENT_FIELD_KEY:
        _problems.append("SOLVENT_FIELD_KEY is not set")
    elif TEST_FIELD_KEY in SOLVENT_FIELD_KEY:
        _problems.append("SOLVENT_FIELD_KEY is the test suite's published key")
    elif any(key in SOLVENT_FIELD_KEY for key in PUBLISHED_FIELD_KEYS):
        _problems.append("SOLVENT_FIELD_KEY is the published development key")
    elif not _field_keys_valid(SOLVENT_FIELD_KEY):
        _problems.append("SOLVENT_FIELD_KEY is not a Fernet key (urlsafe base64 of 32 bytes)")
    # mypy's Django plugin reads these settings to type the models: it serves nothing either.
    if _problems and (_COMMAND in COMMANDS_WITHOUT_SECRETS or "mypy" in sys.modules):
        # Leave them empty: `check --deploy` reports them (solvent.E001/E002), nothing can use them.
        SOLVENT_KEY_SOURCE = "none"
        SECRET_KEY = ""
        SOLVENT_FIELD_KEY = ""
    elif _problems and not DEBUG:
        raise ImproperlyConfigured(
            "Solvent refuses to start: "
            + "; ".join(_problems)
            + ". Set SECRET_KEY (50+ random characters) and SOLVENT_FIELD_KEY (generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            " in the environment, or run `solvent demo`, which generates development keys."
        )
    elif _problems:
        # SOLVENT_DEBUG=1 on a developer's machine: the demo's kind of keys, kept in the var dir.
        SOLVENT_KEY_SOURCE = "demo"
        SECRET_KEY, SOLVENT_FIELD_KEY = _development_keys(VAR_DIR)
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# HTTPS everywhere in production. The demo (plain http on loopback) and the tests turn it off;
# SOLVENT_HTTPS=0 does so for a deployment whose proxy serves http to the browser (it should not).
SOLVENT_HTTPS = _env_bool(
    "SOLVENT_HTTPS", default=not DEBUG and SOLVENT_KEY_SOURCE not in {"demo", "tests"}
)
SECURE_SSL_REDIRECT = SOLVENT_HTTPS
SESSION_COOKIE_SECURE = SOLVENT_HTTPS
CSRF_COOKIE_SECURE = SOLVENT_HTTPS
SECURE_HSTS_SECONDS = int(
    os.environ.get("SOLVENT_HSTS_SECONDS", str(365 * 24 * 3600 if SOLVENT_HTTPS else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SOLVENT_HSTS_INCLUDE_SUBDOMAINS", default=SOLVENT_HTTPS)
SECURE_HSTS_PRELOAD = _env_bool("SOLVENT_HSTS_PRELOAD", default=SOLVENT_HTTPS)
if _env_bool("SOLVENT_BEHIND_PROXY", default=False):
    # Only behind a proxy that sets this header itself (and strips the client's): see operations.md.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SOLVENT_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No inline script anywhere (the desk's htmx and the API docs load from static files). Inline style
# attributes remain in a few templates, hence 'unsafe-inline' for styles only.
SOLVENT_CONTENT_SECURITY_POLICY = os.environ.get(
    "SOLVENT_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

# Login throttling (desk and back office): failures counted over a window, per user and per address.
SOLVENT_LOGIN_FAILURES_PER_USER = int(os.environ.get("SOLVENT_LOGIN_FAILURES_PER_USER", "5"))
SOLVENT_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("SOLVENT_LOGIN_FAILURES_PER_ADDRESS", "20"))
SOLVENT_LOGIN_WINDOW_SECONDS = int(os.environ.get("SOLVENT_LOGIN_WINDOW_SECONDS", "900"))
AUTHENTICATION_BACKENDS = ["solvent.core.auth.ThrottledModelBackend"]

# The largest placement file an upload may be (a 413 above it): twice the million-row file of the
# import benchmark (248 MB, ADR 0004); a deployment may lower it.
SOLVENT_PLACEMENT_MAX_BYTES = int(
    os.environ.get("SOLVENT_PLACEMENT_MAX_BYTES", str(512 * 1024 * 1024))
)
# Every paginated API list answers at most this many rows a page; a larger `limit` is a 422.
NINJA_PAGINATION_MAX_LIMIT = int(os.environ.get("SOLVENT_API_MAX_PAGE", "500"))
# A running import with no committed batch for this long is stale: resumable (ADR 0019).
SOLVENT_IMPORT_STALE_SECONDS = int(os.environ.get("SOLVENT_IMPORT_STALE_SECONDS", "600"))

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
    "ninja",  # serves the API docs' scripts from static files, which the CSP allows
    "solvent.core",
    "solvent.audit",
    "solvent.portfolio",
    "solvent.compliance",
    "solvent.contact",
    "solvent.desk",
    "solvent.arrangements",
    "solvent.strategy",
    "solvent.payments",
    "solvent.portal",
    "solvent.dialer",
    "solvent.analytics",
    "solvent.quality",
    "solvent.screen_recording",
    "solvent.training",
    "solvent.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "solvent.core.middleware.ContentSecurityPolicyMiddleware",
    # Outermost but for headers: a database error in any middleware inside it is a 503 too (ADR 0021).
    "solvent.core.middleware.DatabaseUnavailableMiddleware",
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
                "solvent.desk.context.desk_frame",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, Any]:
    # A kept connection is checked before a request or a task uses it, so one that a database
    # restart or failover killed is replaced instead of failing its first query (ADR 0021).
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server (no answer at all, not a refusal) costs a request 10 s, not forever.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
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

# The agent desk records the agent's screen (rrweb, masked) on the dialer and account pages
# (issue 16, ADR 0043). Off: no recorder is loaded.
SOLVENT_SCREEN_RECORDING = _env_bool("SOLVENT_SCREEN_RECORDING", default=True)
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
# The payment gateway the debtor's page pays through: "fake" (the demo's own checkout page, no real
# money) or "stripe" (STRIPE_SECRET_KEY and the endpoint's STRIPE_WEBHOOK_SECRET, whsec_...).
SOLVENT_PAYMENT_GATEWAY = os.environ.get("SOLVENT_PAYMENT_GATEWAY", "fake").strip().lower()
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# Signs the fake gateway's events. Derived from development keys (the demo, the tests); anywhere else
# the fake gateway works only when this is set explicitly (a staging server), never by default.
SOLVENT_FAKE_GATEWAY_SECRET = os.environ.get("SOLVENT_FAKE_GATEWAY_SECRET", "") or (
    hashlib.sha256(f"solvent-fake-gateway:{SECRET_KEY}".encode()).hexdigest()
    if SOLVENT_KEY_SOURCE in {"demo", "tests"} and SECRET_KEY
    else ""
)
if SOLVENT_KEY_SOURCE == "demo" and SOLVENT_FAKE_GATEWAY_SECRET:
    # `solvent demo` starts its web server and worker with its keys in their environment (so they
    # count as "environment" keys): hand them this secret the same way, like its audit key.
    os.environ.setdefault("SOLVENT_FAKE_GATEWAY_SECRET", SOLVENT_FAKE_GATEWAY_SECRET)
if SOLVENT_PAYMENT_GATEWAY == "stripe" and "SOLVENT_CONTENT_SECURITY_POLICY" not in os.environ:
    # The debtor's page posts its payment form and is redirected to Stripe's checkout page: browsers
    # hold a form's redirect to form-action too.
    SOLVENT_CONTENT_SECURITY_POLICY = SOLVENT_CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' https://checkout.stripe.com"
    )
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
