"""Minzheng settings: everything that differs between machines comes from the
environment (see .env.example).  DJANGO_ENV=production switches on the
production hardening that `manage.py check --deploy` asks for."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="" if PRODUCTION else "dev-only-insecure-key-minzheng-change-me-0123456789abcdef",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "civil_affairs",
    "civil_affairs.service",  # guides, timeline, documents, messages, ratings (issue 12)
    "relief",
    "eldercare",
    "childcare",
    "community",
    "charity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "civil_affairs.admin_apps.KnoxConfig",  # third-party apps under Chinese names in the admin
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "civil_affairs.admin_apps.ImportExportConfig",
    "civil_affairs.admin_apps.CeleryBeatConfig",
    "django_htmx",
    "civil_affairs.admin_apps.AxesConfig",
    "csp",
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
    "django_htmx.middleware.HtmxMiddleware",
    "civil_affairs.middleware.RequestContextMiddleware",
    # axes last: it answers locked-out logins
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civil_affairs.urls"
WSGI_APPLICATION = "civil_affairs.wsgi.application"

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
                "django.template.context_processors.i18n",
                "civil_affairs.context_processors.navigation",
            ],
        },
    },
]

if PRODUCTION:  # no silent fall-back to a local database or broker in production
    from django.core.exceptions import ImproperlyConfigured

    _missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(f"Production settings need {' and '.join(_missing)} (see .env.example).")

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/minzheng")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME", default="test_minzheng")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache (dashboard counts): Redis in production so every gunicorn worker
# sees the same entries; per-process memory in development and tests.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "civil_affairs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "portal:index"

# Lock an account out after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lock by account, not by IP: a street office's whole staff shares one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# API logins get the lockout as JSON; pages keep the template above.
AXES_LOCKOUT_CALLABLE = "civil_affairs.throttling.lockout_response"

FILTERS_EMPTY_CHOICE_LABEL = _("全部")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules/chart.js/dist"),
]
STORAGES = {
    # Uploaded evidence lives outside the web root and is served only by a view
    # that checks permissions (civil_affairs.views.document_download).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("DOCUMENT_ROOT", default=BASE_DIR / "var" / "documents"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production whitenoise serves static files straight from their source
# folders, also with DEBUG off (as `make run` runs, to show the real error pages).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# SMS one-time codes (registration, password reset): the gateway class
# (civil_affairs/sms.py; the console backend logs messages), how long a code
# lives, wrong tries before it is dead, and how often a phone or client
# address may ask for one (counted in the database and the default cache).
SMS_BACKEND = env.str("SMS_BACKEND", default="civil_affairs.sms.ConsoleBackend")
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_RESEND_SECONDS = env.int("OTP_RESEND_SECONDS", default=60)
OTP_MAX_PER_PHONE_HOUR = env.int("OTP_MAX_PER_PHONE_HOUR", default=5)
OTP_MAX_PER_IP_HOUR = env.int("OTP_MAX_PER_IP_HOUR", default=20)

# Celery: Redis broker (and result backend, used by health checks and tests).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
# Redis redelivers an unacknowledged task after the visibility timeout: keep it
# above the time limit, or a long batch (acks_late) would be delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A running batch whose worker has not touched its heartbeat for this long is
# shown as interrupted and may be resumed from its page.
BATCH_HEARTBEAT_STALE_MINUTES = env.int("BATCH_HEARTBEAT_STALE_MINUTES", default=10)
# Searches by ID number (whole, last four, prefix) per user per minute, pages and API
# together (counted in the default cache); over it the page says so and the API answers 429.
SEARCH_RATE_PER_MINUTE = env.int("SEARCH_RATE_PER_MINUTE", default=30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["civil_affairs.permissions.IsRegistryStaff"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "civil_affairs.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "civil_affairs.schema.AutoSchema",
    # A service's DomainError → 400 {"detail": message}, for every area's API (no per-view wrappers).
    "EXCEPTION_HANDLER": "civil_affairs.errors.api_exception_handler",
    # Counted in the default cache: per process in development, Redis (CACHE_URL) in production.
    "DEFAULT_THROTTLE_CLASSES": [
        "civil_affairs.throttling.AnonThrottle",
        "civil_affairs.throttling.ResidentThrottle",
        "civil_affairs.throttling.StaffThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "resident": env.str("API_THROTTLE_RESIDENT", default="120/min"),
        "staff": env.str("API_THROTTLE_STAFF", default="600/min"),
    },
}
# API tokens (knox): stored hashed, valid one working day, one per user —
# a new login revokes the previous token (civil_affairs.api_auth.LoginView).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=8.0)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 1,
}
# django-csp 4: same-origin everything, no inline script or style, no framing.
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
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Minzheng API",
    "DESCRIPTION": "民政业务平台 API: regions, people, households and the policy areas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed package, never a CDN (offline intranets).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name each choice set after its model.  The areas'
    # choice sets are listed here too (dotted paths, nothing imported): drf-spectacular
    # takes them only from this setting, which is read before any area registers.
    "ENUM_NAME_OVERRIDES": {
        "BenefitStatusEnum": "relief.models.Benefit.Status",
        "PayrollRollStatusEnum": "relief.models.PayrollRoll.Status",
        "BatchRunStatusEnum": "civil_affairs.models.BatchRun.Status",
        "ReliefKindEnum": "relief.models.Kind",
        "ReviewTaskKindEnum": "relief.models.ReviewTask.Kind",
        "ReviewTaskStatusEnum": "relief.models.ReviewTask.Status",
        "ApplicationStateEnum": "relief.models.Application.State",
        "ChildRiskEnum": "childcare.models.Risk",
    },
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Formula injection in admin exports is handled by civil_affairs.admin.SafeExportMixin
# (exports.safe_cell: a leading apostrophe, as in every workbench export).  The
# library's own switch (4.4) only deletes a leading "=" (changing the data, leaving
# "+", "-", "@") and turns every cell into text: empty dates become "None".
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = None

# Where the audit log reads the client address: behind nginx, the header it sets.
AUDIT_CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="HTTP_X_REAL_IP" if PRODUCTION else "REMOTE_ADDR")
CSRF_FAILURE_VIEW = "civil_affairs.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # A refused page (403/404) is an answer, not an incident: no traceback in the
    # log for each one (server errors are still logged, with their traceback).
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
}
