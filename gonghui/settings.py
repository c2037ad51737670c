"""Gonghui settings: one module, everything read from the environment.

With nothing set, the platform runs on an SQLite file under var/ with keys generated there on
first start, which is what `make run` wants. Production sets DEBUG=false and the variables
listed in .env.example; bad values fail at start-up with the variable's name.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_env_file(path: Path) -> None:
    """KEY=VALUE lines of .env, for variables the environment does not already set."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_load_env_file(Path(os.environ.get("GONGHUI_ENV_FILE", BASE_DIR / ".env")))
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))


# --- helpers that fail loudly -------------------------------------------------------------


def env(name: str, default: str | None = None) -> str | None:
    """A string from NAME, or from the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret(file_name: str, make) -> str:
    """A secret kept in var/ for a set-up that configured none (development and demo only)."""
    path = VAR_DIR / file_name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# --- core --------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or local_secret("secret_key", lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.audit",
    "gonghui.organizations",
    "gonghui.members",
    "gonghui.notifications",
    "gonghui.api",
    "gonghui.portal",
    "gonghui.rights",
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
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.RequestContextMiddleware",
    # Axes last: it reads the outcome of authentication on the way out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gonghui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gonghui.core.context_processors.shell",
            ],
            "builtins": ["gonghui.core.templatetags.gonghui"],
        },
    },
]

# --- database ------------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web app read while the task worker writes; IMMEDIATE transactions take the
    # write lock up front so two writers queue on the busy timeout instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_NAME") or None}
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env("POSTGRES_TEST_NAME") or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ---------------------------------------------------------------------------------
# Rate limits and login lockouts must be shared by every app instance, so the default cache is
# the database; Redis is used when REDIS_URL is set.

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gonghui_cache",
        }
    }

# --- tasks ---------------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "notifications", "imports", "reports"],
    }
}

# --- accounts and security -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock an account (for that address) after repeated failures; an administrator unlocks it with
# `manage.py axes_reset_username NAME`, or it unlocks itself after the cool-off.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gonghui.core.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.locked_out"
# Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

# Sliding idle expiry: a session unused for SESSION_IDLE_MINUTES ends.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # A county intranet's host name cannot go on the browsers' HSTS preload list, so the
    # deploy check's advice to preload (security.W021) does not apply unless it is chosen.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- personal data ---------------------------------------------------------------------------
# FIELD_ENCRYPTION_KEYS: comma-separated "id:base64key" entries; the first encrypts, all decrypt
# (rotation: put the new key first, run `manage.py rotate_keys`, then drop the old one).
# FIELD_HASH_KEY: the key of the keyed hash used for exact search and de-duplication.

FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS") or local_secret(
    "field_encryption_keys", lambda: "k1:" + new_key()
)
FIELD_HASH_KEY = env("FIELD_HASH_KEY") or local_secret("field_hash_key", new_key)
KEYS_FROM_ENVIRONMENT = bool(env("FIELD_ENCRYPTION_KEYS")) and bool(env("FIELD_HASH_KEY"))

# --- language, time ------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "gonghui_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["gonghui.formats"]

# --- static and uploaded files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "gonghui" / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- e-mail and SMS ---------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "gonghui@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env("SMS_BACKEND", "gonghui.notifications.sms.FileSmsBackend")
SMS_FILE_PATH = Path(env("SMS_FILE_PATH") or VAR_DIR / "sms.log")
SMS_SIGNATURE = env("SMS_SIGNATURE", "【工会】")

# --- the platform ------------------------------------------------------------------------------

GONGHUI_DEMO_PASSWORD = env("GONGHUI_DEMO_PASSWORD")
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 50)
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 200_000)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
HEALTHZ_TASK_BACKLOG_LIMIT = env_int("HEALTHZ_TASK_BACKLOG_LIMIT", 10_000)
# Rights protection, the workers' public door (gonghui/rights/ratelimit.py, captcha.py): rate limits
# of complaints and of tracking-code tries (off only for benchmarks; code may set a dict of
# {name: (count, seconds)}), and the least seconds a person takes to fill the complaint form.
RIGHTS_RATE_LIMITS = env_bool("RIGHTS_RATE_LIMITS", True)
RIGHTS_FORM_MIN_SECONDS = env_int("RIGHTS_FORM_MIN_SECONDS", 3)

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
