"""Jianguan settings, driven by JIANGUAN_* environment variables (see docs/configuration.md).

No variable is needed for local use: the default is an embedded SQLite database under ./var.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from jianguan.config.env import ConfigurationError, env_bool, env_int, env_keys, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JIANGUAN_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEV_SECRET_KEY = "jianguan-development-only-not-secret"  # noqa: S105 - refused in production below

PRODUCTION = env_bool("JIANGUAN_PRODUCTION", False)
DEBUG = env_bool("JIANGUAN_DEBUG", not PRODUCTION)
SECRET_KEY = env_str("JIANGUAN_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("JIANGUAN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JIANGUAN_CSRF_TRUSTED_ORIGINS")
# Three separate keys, each from its variable or from the file NAME_FILE names, never the database:
# - sealing (encryption of personal data): a key ring "id:secret,...", the last key seals, every key
#   unseals; `jianguan keys rotate` re-seals what older keys sealed;
# - matching (keyed hashes of identifiers): changing it orphans stored hashes;
# - the audit chain's HMAC: whoever can write the audit table cannot recompute the chain without it.
# JIANGUAN_PII_KEY, the single key of earlier versions, still unseals (as key id "legacy") and
# remains the default matching key, so that existing data stays readable and matchable.
PII_KEY = env_secret("JIANGUAN_PII_KEY")
SEALING_KEYS = env_keys("JIANGUAN_SEALING_KEYS")
MATCHING_KEY = env_secret("JIANGUAN_MATCHING_KEY")
AUDIT_KEY = env_secret("JIANGUAN_AUDIT_KEY")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("JIANGUAN_DEBUG must be false in production")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("JIANGUAN_SECRET_KEY must be set to a random value of at least 32 characters")
    if not ALLOWED_HOSTS:
        problems.append("JIANGUAN_ALLOWED_HOSTS must list the host names the site is served under")
    if not SEALING_KEYS:
        problems.append("JIANGUAN_SEALING_KEYS must hold at least one id:secret sealing key")
    if len(MATCHING_KEY or PII_KEY) < 32:
        problems.append("JIANGUAN_MATCHING_KEY must be set to a random value of at least 32 characters")
    if len(AUDIT_KEY) < 32:
        problems.append("JIANGUAN_AUDIT_KEY must be set to a random value of at least 32 characters")
    for key_id, secret in SEALING_KEYS:
        if len(secret) < 32:
            problems.append(f"sealing key {key_id} must be a random value of at least 32 characters")
    used = [SECRET_KEY, MATCHING_KEY or PII_KEY, AUDIT_KEY, *(secret for _, secret in SEALING_KEYS)]
    if len(set(used)) != len(used):
        problems.append("the secret, sealing, matching and audit keys must all differ (a key is reused)")
    if problems:
        raise ConfigurationError("Refusing to start in production mode: " + "; ".join(problems))
if not PII_KEY:
    PII_KEY = "pii:" + SECRET_KEY
MATCHING_KEY = MATCHING_KEY or PII_KEY
# Where the audit chain's signed checkpoints are appended (hourly, and by `jianguan audit anchor`):
# a directory the database's users cannot write. Empty: no periodic anchors.
AUDIT_ANCHOR_DIR = env_str("JIANGUAN_AUDIT_ANCHOR_DIR", "")
# Who else keeps copies of the chain's head (`audit verify --national`): a callable returning (seq, hash) pairs.
AUDIT_NATIONAL_HEADS = "jianguan.exchange.transport.national_audit_heads"
AUDIT_KEY = AUDIT_KEY or "audit:" + SECRET_KEY

INSTALLED_APPS = [
    "jianguan.platform.adminconfig.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs page (Swagger UI) from the app, not a CDN
    "django_tables2",
    "django_filters",
    "django_htmx",
    # platform
    "jianguan.core",
    "jianguan.accounts",
    "jianguan.audit",
    "jianguan.platform",
    "jianguan.facts",
    "jianguan.workflow",
    # thematic databases
    "jianguan.catalog",
    "jianguan.subjects",
    "jianguan.officers",
    "jianguan.records",
    "jianguan.exchange",
    "jianguan.credit",
    "jianguan.spotcheck",
    "jianguan.complaints",
    "jianguan.joint",
    "jianguan.rectification",
    "jianguan.monitoring",
    "jianguan.alerts",
    "jianguan.portal",
    # front
    "jianguan.web",
    # the composition root (registers every app's hooks) and the demonstration province
    "jianguan.demo",
    "jianguan.config",
]

MIDDLEWARE = [
    "jianguan.web.ops.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jianguan.web.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jianguan.web.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jianguan.config.urls"
WSGI_APPLICATION = "jianguan.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianguan.web.context.platform",
            ],
        },
    }
]

DATABASE_URL = env_str("JIANGUAN_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("JIANGUAN_DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "jianguan.sqlite3"),
            # Kept open between requests like a PostgreSQL connection: opening the file again reads
            # the whole schema, 5-10 ms of every request that touches the database.
            "CONN_MAX_AGE": env_int("JIANGUAN_DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "jianguan.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AXES_FAILURE_LIMIT = env_int("JIANGUAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("JIANGUAN_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("JIANGUAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Assets are served by the app itself (WhiteNoise): no CDN, nothing to set up on a closed network.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("JIANGUAN_SESSION_MINUTES", 480, minimum=5) * 60
SESSION_COOKIE_SECURE = env_bool("JIANGUAN_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: in production the browser is told to use HTTPS only (HSTS) and plain HTTP is redirected;
# behind a front server that terminates TLS, its X-Forwarded-Proto is believed (see TRUSTED_PROXIES).
SECURE_HSTS_SECONDS = env_int("JIANGUAN_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = env_bool("JIANGUAN_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [
    r"^health$",
    r"^health/live$",
    r"^metrics$",
]  # probes on the internal network speak plain HTTP
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Imports: a file over either limit is refused whole before any row is read.
IMPORT_MAX_BYTES = env_int("JIANGUAN_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("JIANGUAN_IMPORT_MAX_ROWS", 100_000, minimum=1)
# A workbook is checked against these before it is loaded (an .xlsx is a zip: 1 MB can unpack to GBs).
IMPORT_MAX_UNPACKED_BYTES = env_int("JIANGUAN_IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024, minimum=1024)
IMPORT_MAX_CELLS = env_int("JIANGUAN_IMPORT_MAX_CELLS", 2_000_000, minimum=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Exchange gateway: defaults for newly registered source systems (each source can be given its own).
EXCHANGE_MAX_RECORDS_PER_CALL = env_int("JIANGUAN_EXCHANGE_MAX_RECORDS", 10_000, minimum=1)
EXCHANGE_MAX_BYTES = env_int("JIANGUAN_EXCHANGE_MAX_BYTES", 32 * 1024 * 1024, minimum=1024)
EXCHANGE_REQUESTS_PER_MINUTE = env_int("JIANGUAN_EXCHANGE_REQUESTS_PER_MINUTE", 60, minimum=1)
# Each chunk pays some forty statements of its own (batch, outbox, counters, audit, facts) and a
# commit: 5,000 rows keep those to a few percent of the work, and a chunk prepared ahead in memory.
EXCHANGE_CHUNK_SIZE = env_int("JIANGUAN_EXCHANGE_CHUNK_SIZE", 5000, minimum=1)
# A running batch whose last chunk is older than this was interrupted (its process died): it is
# closed as interrupted, with its counts, and the same file or body sent again resumes it.
EXCHANGE_STALE_MINUTES = env_int("JIANGUAN_EXCHANGE_STALE_MINUTES", 10, minimum=1)
# A dropped database connection is retried after each of these pauses (seconds), then given up.
DATABASE_RETRY_DELAYS = (0.5, 2.0, 5.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(DATA_UPLOAD_MAX_MEMORY_SIZE, EXCHANGE_MAX_BYTES + 1024 * 1024)

# The public credit query: queries per client address and minute.
PUBLIC_QUERIES_PER_MINUTE = env_int("JIANGUAN_PUBLIC_QUERIES_PER_MINUTE", 30, minimum=1)
# How long the answer to one public query is reused (0: never); a publication shows within this time.
PUBLIC_QUERY_CACHE_SECONDS = env_int("JIANGUAN_PUBLIC_QUERY_CACHE_SECONDS", 60, minimum=0)

# The national system's receiving end: empty keeps records waiting in the outbox.
NATIONAL_URL = env_str("JIANGUAN_NATIONAL_URL", "")
NATIONAL_TRANSPORT = env_str("JIANGUAN_NATIONAL_TRANSPORT", "jianguan.exchange.transport.HttpTransport")
NATIONAL_TIMEOUT_SECONDS = env_int("JIANGUAN_NATIONAL_TIMEOUT_SECONDS", 30, minimum=1)
NATIONAL_SOURCE_CODE = env_str("JIANGUAN_NATIONAL_SOURCE_CODE", "370000")

# A deployment's own map tile server, e.g. "https://tiles.example.gov.cn/{z}/{x}/{y}.png": drawn behind the
# complaint map's county boundaries, and its host alone added to the CSP. Empty: no tile server is called.
COMPLAINT_MAP_TILES = env_str("JIANGUAN_MAP_TILES", "").strip()
if COMPLAINT_MAP_TILES:
    _tiles = urlsplit(COMPLAINT_MAP_TILES)
    if (
        _tiles.scheme not in ("https", "http")
        or not _tiles.netloc
        or not all(part in COMPLAINT_MAP_TILES for part in ("{z}", "{x}", "{y}"))
    ):
        raise ConfigurationError("JIANGUAN_MAP_TILES must be an http(s) URL template with {z}, {x} and {y}")

HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "jianguan",
    "filename": str(VAR_DIR / "huey.sqlite3"),
    "immediate": env_bool("JIANGUAN_TASKS_IMMEDIATE", DEBUG),
}
REDIS_URL = env_str("JIANGUAN_REDIS_URL", "")
# One cache for every process, a table in the database: it holds the public answers (credit
# queries, result lists), a row per distinct query for a minute; the rate counts are kept apart
# (core.RateCount) so that they never crowd the answers out. Past MAX_ENTRIES a third is dropped.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jianguan_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
# The front servers (reverse proxies) whose X-Forwarded-For is believed: addresses or networks.
# Behind them the client is the last address in the header that is not one of them; otherwise
# REMOTE_ADDR, and the header is ignored (anyone can send it).
TRUSTED_PROXIES = env_list("JIANGUAN_TRUSTED_PROXIES", [])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Operations: who may read /metrics, and when the national outbox's backlog makes /health warn.
METRICS_FROM = env_list("JIANGUAN_METRICS_FROM", ["127.0.0.1/32", "::1/128"])
OUTBOX_WARN_MINUTES = env_int("JIANGUAN_OUTBOX_WARN_MINUTES", 60, minimum=1)
if REDIS_URL:
    # Redis, when there is one, also holds the shared cache (rate limits): one INCR per request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "jianguan",
        "url": REDIS_URL,
        "immediate": env_bool("JIANGUAN_TASKS_IMMEDIATE", False),
    }

# Logs go to standard error; JIANGUAN_LOG_FORMAT=json writes one JSON object per line (for a collector).
LOG_FORMAT = env_str("JIANGUAN_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "jianguan.config.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("JIANGUAN_LOG_LEVEL", "INFO")},
    # Tasks run in the web or command process when they are immediate: a line per task is noise there.
    "loggers": {"huey": {"level": "WARNING" if HUEY["immediate"] else "INFO"}},
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
# Lists render through django-tables2 in Bootstrap 5 markup, scrolling sideways on phones.
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
# The Chinese font of generated PDFs (credit reports): Debian's fonts-noto-cjk, face 2 (Simplified Chinese).
CREDIT_REPORT_FONT = env_str("JIANGUAN_CREDIT_REPORT_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CREDIT_REPORT_FONT_INDEX = env_int("JIANGUAN_CREDIT_REPORT_FONT_INDEX", 2, minimum=0)
# Without a task worker (tasks run inline, as in the demo), a long export still runs beside the request
# in a thread of the web process so its page can show progress; tests run it inline instead.
EXPORTS_INLINE = env_bool("JIANGUAN_EXPORTS_INLINE", False)
# The browser tests' screenshots, which the user guide shows (a checkout's var/screenshots by default).
SCREENSHOTS_DIR = Path(env_str("JIANGUAN_SCREENSHOTS", str(PACKAGE_DIR.parent.parent / "var" / "screenshots")))
