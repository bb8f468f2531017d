"""Django settings, grouped by topic; every value that varies by deployment comes from config.env."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_float,
    env_list,
    env_secret,
    env_str,
    generate_credential_key,
    generate_secret_key,
    is_production,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of an embedded install: SQLite database, broker queue, generated secrets.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()

# --- Core -------------------------------------------------------------------------------------
PRODUCTION = is_production()
DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_secret(
    "SECRET_KEY", local_file=VAR_DIR / "secret_key", generate=generate_secret_key
)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    # Otherwise every request would get a bare 400 with nothing in the logs to say why.
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (the host names served).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts.apps.AccountsConfig",
    "auth_store.apps.AuthStoreConfig",
    "builder.apps.BuilderConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

FRONTEND_DIST_DIR = BASE_DIR / "frontend" / "dist"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [FRONTEND_DIST_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_float("DATABASE_CONN_MAX_AGE", 60.0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"

# --- Static files (the built frontend) ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [FRONTEND_DIST_DIR] if FRONTEND_DIST_DIR.exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the source folders, so a fresh build needs no collectstatic.
WHITENOISE_USE_FINDERS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security -----------------------------------------------------------------------------------
# Behind a proxy that ends TLS, trust its X-Forwarded-Proto to tell HTTPS requests apart.
if env_bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies only over HTTPS in production; SECURE_COOKIES=false to try a deployment on plain HTTP.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Credentials (auth_store) -------------------------------------------------------------------
# Comma-separated "key_id:fernet_key" pairs, newest first. The first encrypts; all decrypt.
CREDENTIAL_KEYS = env_secret(
    "CREDENTIAL_KEYS", local_file=VAR_DIR / "credential_keys", generate=generate_credential_key
)

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.CanEditOrReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "builder.api.pagination.DefaultPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "builder.api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Flowbuilder API",
    "DESCRIPTION": "Workflows, runs, connectors and authentications.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -----------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: a queue in files under var/, so a local install needs no service.
    _BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(_BROKER_DIR / "control"),
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    # Redelivery after a lost worker must come well after the longest run could have finished.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The engine stops a run past this many seconds, between two steps, naming the limit.
RUN_TIME_LIMIT_SECONDS = env_float("RUN_TIME_LIMIT_SECONDS", 3 * 3600)
# Celery's limits are the backstop for a step that never returns.
CELERY_TASK_SOFT_TIME_LIMIT = int(RUN_TIME_LIMIT_SECONDS) + 120
CELERY_TASK_TIME_LIMIT = int(RUN_TIME_LIMIT_SECONDS) + 180
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Fails runs whose worker died without a redelivery noticing (see docs/architecture.md).
    "recover-runs": {"task": "builder.runs_recover_task", "schedule": 60.0},
}

# --- Engine ------------------------------------------------------------------------------------------
# Outbound HTTP of connectors: seconds before a vendor call is given up as timed out.
CONNECTOR_HTTP_TIMEOUT = env_float("CONNECTOR_HTTP_TIMEOUT", 30.0)
# Bounded retries of retryable vendor failures (connection errors, timeouts, 429, 5xx).
CONNECTOR_MAX_RETRIES = int(env_float("CONNECTOR_MAX_RETRIES", 3))
# Longest Retry-After the engine will honour by sleeping; a longer one fails the step.
CONNECTOR_MAX_RETRY_AFTER = env_float("CONNECTOR_MAX_RETRY_AFTER", 60.0)
# How often a running run proves its worker alive (and notices a cancellation request).
RUN_HEARTBEAT_SECONDS = env_float("RUN_HEARTBEAT_SECONDS", 2.0)
# A running run whose heartbeat is older than this is taken to have lost its worker.
RUN_STALE_AFTER_SECONDS = env_float("RUN_STALE_AFTER_SECONDS", 60.0)
# A run still queued this long after it was sent lost its message: it is sent again.
RUN_REQUEUE_AFTER_SECONDS = env_float("RUN_REQUEUE_AFTER_SECONDS", 600.0)

# --- Logging -------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "auth_store.redaction.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
