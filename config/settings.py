"""Django settings, grouped by topic; every value that varies by deployment comes from config.env."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
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
    "csp.middleware.CSPMiddleware",
    # Before anything reads a body: a JSON 413/400 rather than Django's HTML page or a 500.
    "config.middleware.RequestLimitsMiddleware",
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

# The built frontend (`npm run build`): index.html is served at "/", the rest as static files.
FRONTEND_DIST_DIR = Path(
    env_str("FRONTEND_DIST_DIR", str(BASE_DIR / "frontend" / "dist"))
).resolve()
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
        conn_max_age=int(env_float("DATABASE_CONN_MAX_AGE", 60.0)),  # Django takes whole seconds
        # A kept connection is checked before a request reuses it: after a database restart
        # the first query would otherwise fail (a 500) on the dead connection.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # WAL with synchronous=NORMAL (SQLite's advice for WAL): a commit is durable against a
    # crashed or killed process, which is what a run's checkpoints guard against; only a power
    # loss can undo the last commits. FULL would add an fsync to every checkpoint.
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )

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
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG must be false in production (DJANGO_ENV=production): debug pages show "
        "settings, code and data to anyone who makes an error happen."
    )
if PRODUCTION and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    # Django's own criteria (check --deploy, security.W009), enforced rather than warned about.
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, and no "
        f"{SECRET_KEY_INSECURE_PREFIX!r} prefix. Make one with "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
    )
# Plain HTTP is redirected to HTTPS in production (behind a TLS proxy this needs
# BEHIND_HTTPS_PROXY=true). The health check stays on HTTP for probes inside the network.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
# HSTS: browsers that saw the app over HTTPS refuse plain HTTP to it for this many seconds.
SECURE_HSTS_SECONDS = int(env_float("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to build the domain into their HSTS lists cannot be undone for months:
    # the operator opts in with SECURE_HSTS_PRELOAD=true; check --deploy need not nag about it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Content-Security-Policy (django-csp): scripts only from our own files, no inline script. Styles
# allow inline: Mantine writes its CSS variables into a <style> element at run time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Credentials (auth_store) -------------------------------------------------------------------
# Comma-separated "key_id:fernet_key" pairs, newest first. The first encrypts; all decrypt.
CREDENTIAL_KEYS = env_secret(
    "CREDENTIAL_KEYS", local_file=VAR_DIR / "credential_keys", generate=generate_credential_key
)
# Shortest secret an authentication may be saved with: shorter ones cannot be redacted from
# step runs and logs without shredding ordinary text (see auth_store/services.py).
AUTHENTICATION_MIN_SECRET_LENGTH = int(env_float("AUTHENTICATION_MIN_SECRET_LENGTH", 8))

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.CanEditOrReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "builder.api.pagination.DefaultPagination",
    "PAGE_SIZE": 100,
    # How many reverse proxies' X-Forwarded-For to trust for the client's address (the sign-in
    # lockout counts by address): 0 reads the socket's address and ignores the header, which a
    # client could forge; 1 behind the nginx of docker-compose.yml.
    "NUM_PROXIES": int(env_float("TRUSTED_PROXY_COUNT", 0)),
    # Adds the error answers every view shares (401, 403, 404, 413, 429...) to the schema.
    "DEFAULT_SCHEMA_CLASS": "builder.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "builder.api.exceptions.api_exception_handler",
    # DRF's parsers, also refusing NUL characters (PostgreSQL stores none) with the field's path.
    "DEFAULT_PARSER_CLASSES": [
        "builder.api.parsers.JSONParser",
        "builder.api.parsers.FormParser",
        "builder.api.parsers.MultiPartParser",
    ],
}
# Largest request body, in bytes: a larger one is answered 413 unread. The largest real
# definitions are well under 1 MB.
API_MAX_REQUEST_BYTES = int(env_float("API_MAX_REQUEST_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_REQUEST_BYTES
# Deepest nesting of arrays and objects in a JSON body (Python's parser recurses once a level).
# The deepest definition allowed (DEFINITION_MAX_NESTING loops, 3 levels each) needs about 30.
API_MAX_JSON_DEPTH = int(env_float("API_MAX_JSON_DEPTH", 64))
# Webhooks (/hooks/<token>/): the largest body a call may send (413 beyond, naming this), and
# how long a call whose trigger replies with the workflow's answer waits for it (504 beyond,
# with the run id; the run goes on). A waiting call holds one of the web server's threads.
WEBHOOK_MAX_BODY_BYTES = int(env_float("WEBHOOK_MAX_BODY_BYTES", 1024 * 1024))
if not 0 < WEBHOOK_MAX_BODY_BYTES <= API_MAX_REQUEST_BYTES:
    raise ImproperlyConfigured(
        f"WEBHOOK_MAX_BODY_BYTES ({WEBHOOK_MAX_BODY_BYTES}) must be a positive number of bytes "
        f"no larger than API_MAX_REQUEST_BYTES ({API_MAX_REQUEST_BYTES})."
    )
WEBHOOK_RESPONSE_TIMEOUT_SECONDS = env_float("WEBHOOK_RESPONSE_TIMEOUT_SECONDS", 30.0)
# A token lasts this long from when it was issued; then POST /api/token/ issues a new one.
API_TOKEN_TTL_SECONDS = env_float("API_TOKEN_TTL_SECONDS", 30 * 24 * 3600)
# Sign-in lockout (POST /api/token/ and /api/auth/sign-in/): this many failed sign-ins for one
# username, or from one address, within SIGN_IN_LOCKOUT_SECONDS refuse further attempts with
# 429 and Retry-After until the oldest of them is that old. Counted in the cache below.
SIGN_IN_MAX_FAILURES_PER_ACCOUNT = int(env_float("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5))
SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(env_float("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20))
SIGN_IN_LOCKOUT_SECONDS = env_float("SIGN_IN_LOCKOUT_SECONDS", 15 * 60)
# The cache holds the sign-in failure counts, so it must be shared by every gunicorn worker and
# host: the database cache (its table made by a migration, accounts 0002) needs no other
# service and keeps sign-in working through a Redis outage; CACHE_URL=redis://… moves it.
CACHE_URL = env_str("CACHE_URL", "db://django_cache")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://") or "django_cache",
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be db://<table> or redis://host:port/db, not {CACHE_URL!r}."
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "Flowbuilder API",
    "DESCRIPTION": "Workflows, runs, connectors and authentications.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and answer shapes, so the frontend's generated types (frontend/src/api/)
    # do not make answers carry write-only fields such as passwords.
    "COMPONENT_SPLIT_REQUEST": True,
    # Runs and step runs both have a `status`, with different values.
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "builder.models.RunStatus",
        "StepRunStatusEnum": "builder.api.serializers.STEP_RUN_STATUSES",
        # Run events and connector operations both have a `kind`, with different values.
        "RunEventKindEnum": "builder.models.RunEventKind",
        "KindEnum": "builder.api.serializers.OPERATION_KINDS",
    },
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
# A worker rides out a broker outage of any length: it retries the broker forever (Celery's
# default gives up after 100 attempts and exits), and survives the loss itself (see
# config.celery.BrokerOutageRedisChannel). A run in flight is not cancelled: it needs only the
# database, and its claim makes the redelivery of its unacknowledged message harmless.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "config.celery:BrokerOutageRedisTransport"
# How often beat runs the sweep that resumes runs of lost workers and re-sends lost messages.
RUN_RECOVER_INTERVAL_SECONDS = env_float("RUN_RECOVER_INTERVAL_SECONDS", 5.0)
CELERY_BEAT_SCHEDULE = {
    # Resumes runs whose worker died without a redelivery noticing (see docs/architecture.md).
    # A sweep still queued behind a backlog when the next is sent is dropped, not run late.
    "recover-runs": {
        "task": "builder.runs_recover_task",
        "schedule": RUN_RECOVER_INTERVAL_SECONDS,
        "options": {"expires": RUN_RECOVER_INTERVAL_SECONDS},
    },
}
# How often beat looks for schedules due (builder/services/schedules.py): a run starts at most
# this long after its fire time. A look still queued when the next is sent is dropped.
SCHEDULE_TICK_SECONDS = env_float("SCHEDULE_TICK_SECONDS", 15.0)
if SCHEDULE_TICK_SECONDS <= 0:
    raise ImproperlyConfigured("SCHEDULE_TICK_SECONDS must be a positive number of seconds.")
CELERY_BEAT_SCHEDULE["fire-schedules"] = {
    "task": "builder.schedules_fire_task",
    "schedule": SCHEDULE_TICK_SECONDS,
    "options": {"expires": SCHEDULE_TICK_SECONDS},
}

# --- Engine ------------------------------------------------------------------------------------------
# Loops and branches one step may be inside; deeper definitions are refused at save.
DEFINITION_MAX_NESTING = int(env_float("DEFINITION_MAX_NESTING", 8))
# In a saved body, a step k loops deep is at JSON depth 4 + 3k (the body, the definition,
# steps_structure, then a node, its content and its lane for each level), and its own empty lane
# 2 further: nesting the JSON depth cannot carry would be allowed in name only.
if 3 * DEFINITION_MAX_NESTING + 6 > API_MAX_JSON_DEPTH:
    raise ImproperlyConfigured(
        f"DEFINITION_MAX_NESTING={DEFINITION_MAX_NESTING} needs API_MAX_JSON_DEPTH of at least "
        f"{3 * DEFINITION_MAX_NESTING + 6}, not {API_MAX_JSON_DEPTH}."
    )
# Runs started by Call workflow steps may nest this deep (the first caller is depth 0): a call
# from a run at this depth fails its step naming the setting, which ends a workflow that calls
# itself in a cycle.
CALL_WORKFLOW_MAX_DEPTH = int(env_float("CALL_WORKFLOW_MAX_DEPTH", 10))
if CALL_WORKFLOW_MAX_DEPTH < 1:
    raise ImproperlyConfigured("CALL_WORKFLOW_MAX_DEPTH must be 1 or more.")
# Where people open the app: links made outside a request (an alert run's link to the failed
# run) start with it. No trailing slash.
APP_URL = env_str("APP_URL", "http://127.0.0.1:8000").rstrip("/")
# Outbound HTTP of connectors: seconds a vendor call may take in all (connecting, waiting for
# the answer, reading its body; each retry gets as long again).
CONNECTOR_HTTP_TIMEOUT = env_float("CONNECTOR_HTTP_TIMEOUT", 30.0)
# The largest vendor answer read (decoded bytes); a larger one fails its step.
CONNECTOR_MAX_RESPONSE_BYTES = int(env_float("CONNECTOR_MAX_RESPONSE_BYTES", 10 * 1024 * 1024))
if CONNECTOR_MAX_RESPONSE_BYTES < 1:
    raise ImproperlyConfigured("CONNECTOR_MAX_RESPONSE_BYTES must be a positive number of bytes.")
# Vendor calls may not reach loopback, private, link-local (cloud metadata) or other non-public
# addresses, checked on the address connected to. On in production: steps call URLs people type.
CONNECTOR_BLOCK_PRIVATE_NETWORKS = env_bool("CONNECTOR_BLOCK_PRIVATE_NETWORKS", PRODUCTION)
# Bounded retries of retryable vendor failures (connection errors, timeouts, 429, 5xx).
CONNECTOR_MAX_RETRIES = int(env_float("CONNECTOR_MAX_RETRIES", 3))
# Longest Retry-After honoured; a longer one fails the step. A run parks rather than sleep
# for a wait over RUN_PARK_AFTER_SECONDS, so a long one holds no worker; a connection test
# (answering a web request) sleeps, which is why this stays a minute by default.
CONNECTOR_MAX_RETRY_AFTER = env_float("CONNECTOR_MAX_RETRY_AFTER", 60.0)
# Script steps (connectors/script): each runs in a V8 isolate of its own, stopped when it runs
# longer than this many seconds or its heap grows past this many megabytes; the step fails naming
# the setting. A longer source is refused; console lines past the cap are counted, not kept.
SCRIPT_TIMEOUT_SECONDS = env_float("SCRIPT_TIMEOUT_SECONDS", 5.0)
SCRIPT_MEMORY_LIMIT_MB = int(env_float("SCRIPT_MEMORY_LIMIT_MB", 128))
SCRIPT_MAX_SOURCE_BYTES = int(env_float("SCRIPT_MAX_SOURCE_BYTES", 100_000))
SCRIPT_MAX_LOG_LINES = int(env_float("SCRIPT_MAX_LOG_LINES", 100))
if SCRIPT_TIMEOUT_SECONDS <= 0 or SCRIPT_MEMORY_LIMIT_MB < 16 or SCRIPT_MAX_LOG_LINES < 0:
    raise ImproperlyConfigured(
        "SCRIPT_TIMEOUT_SECONDS must be positive, SCRIPT_MEMORY_LIMIT_MB at least 16 (V8's own "
        "heap) and SCRIPT_MAX_LOG_LINES 0 or more."
    )
# A wait longer than this (a Retry-After, a Delay step) parks the run: it goes `waiting`, frees
# its worker and resumes when due. Shorter waits are slept in place.
RUN_PARK_AFTER_SECONDS = env_float("RUN_PARK_AFTER_SECONDS", 5.0)
# Test step runs one step in the web request (builder/services/step_tests.py): it is stopped
# after this many seconds, well inside the proxy's 60 s read timeout (deploy/nginx.conf).
STEP_TEST_TIMEOUT_SECONDS = env_float("STEP_TEST_TIMEOUT_SECONDS", 20.0)
# Step tests one person may run a minute: each holds a web server thread and calls a vendor.
STEP_TEST_MAX_PER_MINUTE = int(env_float("STEP_TEST_MAX_PER_MINUTE", 30))
# How often a running run proves its worker alive (and notices a cancellation request).
RUN_HEARTBEAT_SECONDS = env_float("RUN_HEARTBEAT_SECONDS", 2.0)
# A running run whose heartbeat is older than this has lost its worker: it is resumed.
RUN_STALE_AFTER_SECONDS = env_float("RUN_STALE_AFTER_SECONDS", 10.0)
if RUN_STALE_AFTER_SECONDS <= 2 * RUN_HEARTBEAT_SECONDS:
    # One late beat (a busy database) must not make a live run look lost and run twice.
    raise ImproperlyConfigured(
        f"RUN_STALE_AFTER_SECONDS ({RUN_STALE_AFTER_SECONDS:g}) must be more than twice "
        f"RUN_HEARTBEAT_SECONDS ({RUN_HEARTBEAT_SECONDS:g})."
    )
# A run whose worker is lost this many times while the same step is in flight fails, naming
# the step, rather than take down worker after worker.
RUN_MAX_WORKER_LOSSES_PER_STEP = int(env_float("RUN_MAX_WORKER_LOSSES_PER_STEP", 3))
if RUN_MAX_WORKER_LOSSES_PER_STEP < 1:
    raise ImproperlyConfigured("RUN_MAX_WORKER_LOSSES_PER_STEP must be 1 or more.")
# A run still queued this long after it was sent (or a waiting run this long past due) lost
# its message: it is sent again, unless the broker's queue holds that many messages still.
RUN_REQUEUE_AFTER_SECONDS = env_float("RUN_REQUEUE_AFTER_SECONDS", 30.0)
# A waiting run's resume message is sent at once with a Celery eta when the run is due within
# this long; one due later is sent by the sweep once it is. Redis hands an unacknowledged
# message (one held for its eta) to another worker after its visibility timeout: keep under it.
RUN_RESUME_MESSAGE_AHEAD_SECONDS = env_float("RUN_RESUME_MESSAGE_AHEAD_SECONDS", 3600.0)
_VISIBILITY_TIMEOUT = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if (
    isinstance(_VISIBILITY_TIMEOUT, int | float)
    and RUN_RESUME_MESSAGE_AHEAD_SECONDS >= _VISIBILITY_TIMEOUT
):
    raise ImproperlyConfigured(
        f"RUN_RESUME_MESSAGE_AHEAD_SECONDS ({RUN_RESUME_MESSAGE_AHEAD_SECONDS:g}) must be under "
        f"the broker's visibility timeout ({_VISIBILITY_TIMEOUT} seconds)."
    )

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
