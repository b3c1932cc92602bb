"""Stagegate settings.

Every knob is an environment variable with a default that works on a laptop:
SQLite, tasks run eagerly, e-mail printed to the console. Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import json
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envfloat(name: str, default: float) -> float:
    return float(os.getenv(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Stagegate"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Trigram similarity: a new use case is compared with the registry's titles (lifecycle/selectors.py).
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "axes",
    "csp",
    # Sign-in through the organisation's identity provider (OpenID Connect).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_scim",
    # The kernel, used by everything above it.
    "core",
    "audit",
    "accounts",
    "notifications",
    "webhooks",
    # The registry, then sign-off, then the shell and its read-across pages.
    "lifecycle",
    "signoff",
    "governance",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Query strings with control characters are refused before any view reads them.
    "core.middleware.QueryStringMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # An API write sent again with the same Idempotency-Key gets its first answer back, and changes nothing.
    "core.idempotency.IdempotencyMiddleware",
    # Every page needs sign-in unless a view opts out with @login_not_required.
    "portal.middleware.PortalLoginRequiredMiddleware",
    # Someone who must have a second factor and has none is sent to set one up before anything else.
    "accounts.middleware.SecondFactorSetupMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "audit.refusals.ValidationErrorMiddleware",
    # Axes must come last: it turns locked-out sign-ins into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'stagegate.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
    # one failing with "database is locked" halfway through a transaction.
    # WAL lets the demo's worker read while the web process writes, and the other way round.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# Throttle counters (and other short-lived shared state) live in Redis when there is one, so every web
# process counts the same; otherwise in the process, which is enough for the demo and tests.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.getenv("REDIS_URL")}
    if os.getenv("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in through the organisation's identity provider (django-allauth, OpenID Connect). Configured when
# OIDC_ISSUER is set (the provider's issuer URL; its /.well-known/openid-configuration is read), with
# OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; otherwise the sign-in page offers local accounts only.
# OIDC_GROUP_MAP (JSON) says which of the provider's groups (claim OIDC_GROUPS_CLAIM) give which role
# ("role:risk"), review-function membership ("member:risk") or lead flag ("lead:risk"), applied at every
# sign-in: nobody gets what the mapping does not give.
OIDC_GROUPS_CLAIM = os.getenv("OIDC_GROUPS_CLAIM", "groups")
DEFAULT_OIDC_GROUP_MAP = {
    "ai-engineers": ["role:engineer"],
    "risk-reviewers": ["role:risk", "member:risk"],
    "risk-leads": ["role:risk", "lead:risk"],
    "compliance-reviewers": ["role:compliance", "member:compliance"],
    "compliance-leads": ["role:compliance", "lead:compliance"],
    "legal-reviewers": ["role:legal", "member:legal"],
    "legal-leads": ["role:legal", "lead:legal"],
    "auditors": ["role:auditor"],
    "stagegate-admins": ["role:admin"],
}
OIDC_GROUP_MAP = json.loads(os.getenv("OIDC_GROUP_MAP", "") or "null") or DEFAULT_OIDC_GROUP_MAP


def oidc_providers(*, issuer: str, client_id: str, secret: str, name: str) -> dict:
    """allauth's provider settings for one OpenID Connect provider (none when issuer is empty)."""
    apps = [
        {
            "provider_id": "sso",
            "name": name,
            "client_id": client_id,
            "secret": secret,
            "settings": {"server_url": issuer, "token_auth_method": "client_secret_post"},
        }
    ]
    return {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": apps if issuer else []}}


SOCIALACCOUNT_PROVIDERS = oidc_providers(
    issuer=os.getenv("OIDC_ISSUER", "").rstrip("/"),
    client_id=os.getenv("OIDC_CLIENT_ID", ""),
    secret=os.getenv("OIDC_CLIENT_SECRET", ""),
    name=os.getenv("OIDC_PROVIDER_NAME", "your organisation"),
)
ACCOUNT_ADAPTER = "accounts.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
# An account is found by the provider's subject, never by an e-mail address anyone could claim.
ACCOUNT_UNIQUE_EMAIL = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", 10)

# SCIM 2.0 provisioning (django-scim2) at /scim/v2/, behind its own bearer token: the identity provider
# creates, updates and deactivates accounts and manages its groups' members. Without SCIM_TOKEN it refuses all.
SCIM_TOKEN = os.getenv("SCIM_TOKEN", "")
SCIM_SERVICE_PROVIDER = {
    "SCHEME": urlsplit(SITE_URL).scheme,
    "NETLOC": urlsplit(SITE_URL).netloc,
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The provisioning token the portal's operators set in SCIM_TOKEN.",
            "primary": True,
        }
    ],
    "USER_ADAPTER": "accounts.scim.ScimUser",
    "GROUP_MODEL": "accounts.models.IdentityGroup",
    "GROUP_ADAPTER": "accounts.scim.ScimGroup",
    "AUTH_CHECK_MIDDLEWARE": "accounts.scim.ScimBearerCheck",
    "SERVICE_PROVIDER_CONFIG_MODEL": "accounts.scim.ScimServiceProviderConfig",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
}

# Second factors for local accounts (allauth.mfa: an authenticator app, and recovery codes). MFA_REQUIRED:
# "admins" must set one up before they do anything else (production's default), "everyone", or "none"
# (the demo's default, DEBUG=1: its accounts sign in with their password alone).
SECOND_FACTOR_REQUIRED = os.getenv("MFA_REQUIRED", "none" if DEBUG else "admins")
if SECOND_FACTOR_REQUIRED not in ("none", "admins", "everyone"):
    raise ImproperlyConfigured("MFA_REQUIRED must be none, admins or everyone.")
MFA_TOTP_ISSUER = SITE_NAME
# A code typed as the app turns over to the next one still counts: one 30-second step either side (RFC 6238,
# section 5.2, allows for this delay). A code is accepted once only either way.
MFA_TOTP_TOLERANCE = 1
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Evidence uploads. Larger files are refused with a message, not truncated.
MAX_UPLOAD_MB = envint("MAX_UPLOAD_MB", 25)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_MB", 5) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Guardian: no anonymous user row; every page needs sign-in anyway.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: failures are counted per address and per account, each on its own, so one address
# cannot try a few passwords on every account (spraying), nor many addresses many on one.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = envlist("AXES_LOCKOUT_PARAMETERS", "ip_address,username")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", "1")

# Content Security Policy: nothing from elsewhere, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only where TLS ends in front of a loopback-only server that is never reached over plain http
    # from outside: the one-machine production run of the load test (Procfile, make serve-prod).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")

# E-mail: Django's own settings, by name, from the environment.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.getenv("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Stagegate <stagegate@localhost>")
SERVER_EMAIL = os.getenv("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Celery. The broker is Redis when REDIS_URL names one (production). The demo names a folder instead,
# CELERY_BROKER_DIR, and gets a real worker on kombu's filesystem transport with no server to run. With
# neither (the tests on SQLite), tasks run eagerly in the process that enqueues them.
REDIS_URL = os.getenv("REDIS_URL", "")
CELERY_BROKER_DIR = os.getenv("CELERY_BROKER_DIR", "")
CELERY_BROKER_URL = REDIS_URL or ("filesystem://localhost/" if CELERY_BROKER_DIR else "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or CELERY_BROKER_DIR)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object]
if REDIS_URL or not CELERY_BROKER_DIR:
    # A late-acknowledged task is redelivered if unacknowledged for this long; the
    # longest task (a large packet) finishes well within it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
else:
    # One folder the web process writes messages into and the worker reads them from.
    _broker_dir = Path(CELERY_BROKER_DIR).resolve()
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Seconds between looks at the folder: a packet starts rendering a moment after the approval.
        "polling_interval": 0.25,
    }
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
# Nothing reads task results. Storing them would make every enqueue subscribe
# to the result store, which retries for ~20 s when Redis is down: a user's
# click would hang. A task that wants its result stored says so itself.
CELERY_TASK_IGNORE_RESULT = True
# One quick retry, then give up: enqueue() logs it and the next sweep catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# How long an Idempotency-Key's first answer is kept for a retry to get back.
IDEMPOTENCY_KEEP_HOURS = envint("IDEMPOTENCY_KEEP_HOURS", 24)

# Refused writes of unauthenticated clients are counted per address and window, then recorded as one
# audit event each, so nobody can grow the append-only trail at will.
ANONYMOUS_REFUSAL_WINDOW_MINUTES = envint("ANONYMOUS_REFUSAL_WINDOW_MINUTES", 10)

# Reminders and escalation.
REMINDER_SWEEP_MINUTES = envint("REMINDER_SWEEP_MINUTES", 15)
# Worker tasks a sweep's sending is shared between (each claims batches of due reminders; the last to
# finish mails everyone). 1 sends in the sweep's own task.
REMINDER_SWEEP_SHARES = envint("REMINDER_SWEEP_SHARES", 2)
if REMINDER_SWEEP_SHARES < 1:
    raise ImproperlyConfigured("REMINDER_SWEEP_SHARES must be at least 1.")
REMINDER_DAYS_BEFORE_DUE = envint("REMINDER_DAYS_BEFORE_DUE", 1)
ESCALATE_AFTER_DAYS_OVERDUE = envint("ESCALATE_AFTER_DAYS_OVERDUE", 3)
# Local hour (TIME_ZONE) at which the daily e-mail digest goes out.
NOTIFICATION_DIGEST_HOUR = envint("NOTIFICATION_DIGEST_HOUR", 7)
# Local hour at which a new day's reminders start: the sweeps between midnight
# and then still count the day before, so nobody is reminded at 00:15.
REMINDER_DAY_STARTS_AT_HOUR = envint("REMINDER_DAY_STARTS_AT_HOUR", 7)
# Comma-separated ISO dates on which no business-day deadline falls.
HOLIDAYS = [date.fromisoformat(d) for d in envlist("HOLIDAYS", "")]

# Webhooks out (webhooks/): Standard Webhooks signatures, delivered by Celery after commit.
# Each attempt is bounded by this many seconds in all (connect, send, answer).
WEBHOOK_TIMEOUT_SECONDS = envfloat("WEBHOOK_TIMEOUT_SECONDS", 10)
# Attempts per delivery before it is abandoned; the n-th retry waits BASE * 2**(n-1) seconds
# (with the defaults: 30 s, 1, 2, 4 and 8 minutes, about a quarter of an hour in all).
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_BACKOFF_BASE_SECONDS = envfloat("WEBHOOK_BACKOFF_BASE_SECONDS", 30)
# An endpoint whose deliveries were abandoned this many times in a row is disabled until an administrator
# re-enables it.
WEBHOOK_DISABLE_AFTER_FAILURES = envint("WEBHOOK_DISABLE_AFTER_FAILURES", 10)
# Webhooks never go to private, loopback, link-local or otherwise internal addresses (the portal must not be
# a way into the network it runs in), except to these comma-separated networks (CIDR), e.g. 10.20.0.0/16.
WEBHOOK_ALLOWED_NETWORKS = envlist("WEBHOOK_ALLOWED_NETWORKS", "")
# Plain http:// endpoints are refused unless this is set (or DEBUG is on): the payloads are signed, not secret.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", "0")
# How often the catch-up queues deliveries whose time has come but whose task never ran (broker outage).
WEBHOOK_CATCH_UP_MINUTES = envint("WEBHOOK_CATCH_UP_MINUTES", 5)

# Sign-off packets. SOURCE_DATE_EPOCH keeps font subsetting from stamping
# the current time into every PDF.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
# Packets are signed (PAdES) when a key is configured: PEM key and certificate, or a PKCS#12 file, with an
# optional passphrase and intermediate certificates; relative paths are under the project. With a timestamp
# authority's URL the signature carries an RFC 3161 timestamp. PACKET_TRUST_ROOTS (PEM files) are the roots
# verification trusts beyond a self-signed signing certificate: the signer's CA and the timestamp authority's.
PACKET_SIGNING_KEY = os.getenv("PACKET_SIGNING_KEY", "")
PACKET_SIGNING_CERT = os.getenv("PACKET_SIGNING_CERT", "")
PACKET_SIGNING_PKCS12 = os.getenv("PACKET_SIGNING_PKCS12", "")
PACKET_SIGNING_PASSPHRASE = os.getenv("PACKET_SIGNING_PASSPHRASE", "")
PACKET_SIGNING_CHAIN = envlist("PACKET_SIGNING_CHAIN", "")
PACKET_TSA_URL = os.getenv("PACKET_TSA_URL", "")
PACKET_TRUST_ROOTS = envlist("PACKET_TRUST_ROOTS", "")
# The Ed25519 private key (PEM) that signs audit checkpoints; its public key is published at
# /audit/checkpoint-key.pem. Without it, checkpoints cannot be made.
AUDIT_CHECKPOINT_KEY = os.getenv("AUDIT_CHECKPOINT_KEY", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.SignedIn", "accounts.authentication.TokenScopes"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Lists are filtered by the FilterSets their pages use too (core/filters.py); a bad value is a 400.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Unauthenticated clients are slowed down; people and pipelines get room for polling the gate.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.getenv("API_ANON_RATE", "60/minute"),
        "user": os.getenv("API_USER_RATE", "6000/minute"),
        # Anyone may verify a packet, signed in or not: page and API share this limit per client.
        "packet_verify": os.getenv("PACKET_VERIFY_RATE", "30/minute"),
    },
    "EXCEPTION_HANDLER": "audit.refusals.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stagegate API",
    "DESCRIPTION": "Governed promotion of AI use cases: registry, evidence, sign-off and the pipeline gate.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from our own static files: the CSP allows no other origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
    # One name per choice set that several models share.
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "lifecycle.models.Tier",
        "InternalTierEnum": "lifecycle.models.InternalTier",
        "StageEnum": "lifecycle.models.Stage",
        "RequestStateEnum": "signoff.models.RequestState",
        "ReviewStateEnum": "signoff.models.ReviewState",
        "FindingSeverityEnum": "governance.models.Severity",
        "IncidentSeverityEnum": "governance.models.Incident.Severity",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
