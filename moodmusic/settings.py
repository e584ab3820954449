"""MoodMusic settings: one file, every value from the environment with a safe local default.

With nothing set: DEBUG, SQLite and Celery tasks run in-process, so `make run` needs no services.
With DATABASE_URL and REDIS_URL: PostgreSQL, Redis and separate worker processes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty (as in a copied .env.example) both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "insecure: local development only, never in production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "social_django",
    "axes",
    "health_check",
    "accounts",
    "emotion",
    "playlists",
    "worker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "moodmusic.api_errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.timezones.BrowserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "playlists.middleware.SpotifyLinkErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "moodmusic.urls"
WSGI_APPLICATION = "moodmusic.wsgi.application"
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
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection is checked before a request or task reuses it: one the server dropped (restart,
        # failover, pg_terminate_backend) is replaced instead of failing that request.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "playlists.auth.SpotifyOAuth2",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "emotion:capture"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The served models are static files too (private mode reads them in the browser): one copy, fingerprinted.
STATICFILES_DIRS = [BASE_DIR / "static", ("models", BASE_DIR / "emotion" / "vision" / "models")]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "moodmusic.static_storage.StaticFilesStorage"
    },
}
# Captures' pictures: under MEDIA_ROOT on this machine by default; in an S3-compatible bucket (AWS S3, MinIO,
# SeaweedFS, ...) when AWS_STORAGE_BUCKET_NAME is set, so web and workers on different machines share no disk.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotoConfig

    AWS_S3_TIMEOUT = env_float("AWS_S3_TIMEOUT", 5)
    STORAGES["default"] = {
        "BACKEND": "moodmusic.storage.PictureStorage",  # S3Storage, one request per picture read or write
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Unset: AWS itself; or the S3 API of MinIO, SeaweedFS, Ceph, ...
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            # Unset: boto3 looks further (instance role, ~/.aws).
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            # Objects stay private: the admin's link to a kept picture is signed and expires.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # A POST must not hang on a storage that is down: short timeouts, two retries.
            "client_config": BotoConfig(connect_timeout=AWS_S3_TIMEOUT, read_timeout=AWS_S3_TIMEOUT,
                                        retries={"mode": "standard", "max_attempts": 3}),
        },
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MoodMusic <noreply@moodmusic.local>")

# Uploads: the capture API checks its own limits; this only caps what Django buffers.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header is what makes DRF answer 401 (not 403) without credentials.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "moodmusic.api_errors.AutoSchema",
    "EXCEPTION_HANDLER": "moodmusic.api_errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"captures": env_str("CAPTURE_RATE_LIMIT", "30/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MoodMusic API",
    "DESCRIPTION": "Face captures, mood history and per-emotion playlists.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (axe: nested-interactive); the page works without them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # Separate request components, so that an upload is a binary file rather than a URI.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaptureSourceEnum": "emotion.models.Capture.Source",
        "MoodSourceEnum": "emotion.models.MoodEntry.Source",
        "EmotionEnum": "emotion.models.EMOTION_CHOICES",
    },
}

# --- Cache (rate limits, locks) ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
# Tests set this on, so an error inside an in-process task fails the test instead of vanishing.
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A POST must not hang on a broker that is down: fail fast, keep the capture queued, and let the sweeper send it.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}

# --- Vision -----------------------------------------------------------------------------
SHIPPED_MODEL = BASE_DIR / "emotion" / "vision" / "models" / "emotion.tflite"
EMOTION_MODEL_PATH = Path(env_str("EMOTION_MODEL_PATH", str(SHIPPED_MODEL)))
# Also classify each face mirrored and average (model-card.md has the measured gain and cost).
EMOTION_FLIP_TTA = env_bool("EMOTION_FLIP_TTA", False)
# Face detector: "auto" takes YuNet (cv2.FaceDetectorYN: finds small and turned faces, about 4x faster
# than Haar) when its ONNX model file exists, and OpenCV's bundled Haar cascade otherwise; "yunet" or
# "haar" insist. The YuNet model (libfacedetection.train, Apache-2.0) ships in emotion/vision/models/yunet/.
FACE_DETECTOR = env_str("FACE_DETECTOR", "auto")
SHIPPED_FACE_DETECTOR_MODEL = BASE_DIR / "emotion" / "vision" / "models" / "yunet" / "yunet_n_320_320.onnx"
FACE_DETECTOR_MODEL_PATH = env_str("FACE_DETECTOR_MODEL_PATH", str(SHIPPED_FACE_DETECTOR_MODEL))
if FACE_DETECTOR not in ("auto", "yunet", "haar"):
    raise ImproperlyConfigured(f"FACE_DETECTOR must be auto, yunet or haar, not {FACE_DETECTOR!r}")
if FACE_DETECTOR == "yunet" and not Path(FACE_DETECTOR_MODEL_PATH).is_file():
    raise ImproperlyConfigured(
        f"FACE_DETECTOR is yunet but FACE_DETECTOR_MODEL_PATH ({FACE_DETECTOR_MODEL_PATH}) is no file"
    )
CAPTURE_MAX_BYTES = env_int("CAPTURE_MAX_BYTES", 10 * 1024 * 1024)
# About what a 24 MP camera saves; the worker decodes big JPEGs reduced to about 2 MP for analysis.
CAPTURE_MAX_PIXELS = env_int("CAPTURE_MAX_PIXELS", 25_000_000)
# Longest side over shortest side: a panorama strip (4000x200) gives the detector nothing it can read.
CAPTURE_MAX_ASPECT_RATIO = env_float("CAPTURE_MAX_ASPECT_RATIO", 4)
CAPTURE_TIME_LIMIT = env_int("CAPTURE_TIME_LIMIT", 60)
CAPTURE_HARD_TIME_LIMIT = CAPTURE_TIME_LIMIT + max(5, CAPTURE_TIME_LIMIT // 4)
# The sweeper (Celery beat, every CAPTURE_SWEEP_INTERVAL s) sends again captures queued and unsent for
# CAPTURE_REQUEUE_AFTER s, and re-queues processing ones whose worker died; CAPTURE_MAX_ATTEMPTS tries at most.
CAPTURE_SWEEP_INTERVAL = env_float("CAPTURE_SWEEP_INTERVAL", 15)
CAPTURE_REQUEUE_AFTER = env_int("CAPTURE_REQUEUE_AFTER", 30)
CAPTURE_MAX_ATTEMPTS = env_int("CAPTURE_MAX_ATTEMPTS", 3)
CAPTURE_SWEEP_BATCH = env_int("CAPTURE_SWEEP_BATCH", 500)
# An analysis a dropped database connection interrupted is retried (1, 2, 4 ... 30 s apart) this many times.
CAPTURE_DATABASE_RETRIES = env_int("CAPTURE_DATABASE_RETRIES", 8)
# A live session (the capture page's "Keep reading my mood") writes a history entry when its held mood
# changes, and while it holds, at most one every LIVE_SESSION_ENTRY_MINUTES minutes: not one per picture.
LIVE_SESSION_ENTRY_MINUTES = env_float("LIVE_SESSION_ENTRY_MINUTES", 10)
CELERY_BEAT_SCHEDULE = {
    "sweep-captures": {"task": "emotion.tasks.sweep_captures", "schedule": CAPTURE_SWEEP_INTERVAL},
    # Pictures no capture owns (a crash between the file and its row, a failed delete), older than an hour.
    "sweep-capture-files": {"task": "emotion.tasks.sweep_capture_files", "schedule": 3600},
}
# Redis redelivers an unacknowledged message after this long: sized to the analysis' hard limit (the
# sweeper recovers captures sooner). Spotify tasks are safe to run twice if one outlives it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * CAPTURE_HARD_TIME_LIMIT),
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}

# --- Sign-in lockout (django-axes) and sign-up throttle ---------------------------------
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the Nth address from
# the right; 0 (the default) takes REMOTE_ADDR. Never more than the proxies that really set it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.throttles.client_ip"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Failed attempts only: a log of every successful sign-in and its address is not ours to keep.
AXES_DISABLE_ACCESS_LOG = True
# Sign-ups per hour from one client address (0: no limit); counted in the cache, open if it is down.
SIGNUP_RATE_LIMIT = env_int("SIGNUP_RATE_LIMIT", 5)

# --- Spotify (social-auth + Web API client) ---------------------------------------------
SOCIAL_AUTH_SPOTIFY_KEY = env_str("SPOTIFY_CLIENT_ID")
SOCIAL_AUTH_SPOTIFY_SECRET = env_str("SPOTIFY_CLIENT_SECRET")
SOCIAL_AUTH_SPOTIFY_SCOPE = [
    "user-library-read",
    "user-top-read",
    "playlist-read-private",
    "playlist-modify-private",
    "user-read-playback-state",
    "user-modify-playback-state",
    "streaming",  # the page itself plays, through Spotify's Web Playback SDK (Premium)
]
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_LOGIN_ERROR_URL = "/accounts/profile/"
# A cancelled or failed Spotify sign-in redirects to LOGIN_ERROR_URL with a message, under DEBUG too.
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_NEW_ASSOCIATION_REDIRECT_URL = "/accounts/profile/"
SOCIAL_AUTH_REDIRECT_IS_HTTPS = env_bool("SOCIAL_AUTH_REDIRECT_IS_HTTPS", False)
SPOTIFY_ACCOUNTS_URL = env_str("SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com")
SPOTIFY_API_URL = env_str("SPOTIFY_API_URL", "https://api.spotify.com/v1")
# Spotify's iFrame API, which lets the page's own Play button start the embed player in one tap; empty turns it
# off (the plain embed player, with its own play button, is shown instead).
SPOTIFY_EMBED_API_URL = env_str("SPOTIFY_EMBED_API_URL", "https://open.spotify.com/embed/iframe-api/v1")
SPOTIFY_TIMEOUT = env_float("SPOTIFY_TIMEOUT", 10)
# Fernet key (urlsafe base64, 32 bytes) for tokens at rest; derived from SECRET_KEY when unset.
TOKEN_ENCRYPTION_KEY = env_str("TOKEN_ENCRYPTION_KEY")
SPOTIFY_MAX_RETRIES = env_int("SPOTIFY_MAX_RETRIES", 4)
SPOTIFY_RETRY_BACKOFF = env_float("SPOTIFY_RETRY_BACKOFF", 0.5)
# A Retry-After longer than this reschedules the Celery task instead of sleeping in it.
SPOTIFY_MAX_INLINE_WAIT = env_int("SPOTIFY_MAX_INLINE_WAIT", 5)
SPOTIFY_PLAYLIST_SIZE = env_int("SPOTIFY_PLAYLIST_SIZE", 50)
SPOTIFY_SYNC_DEBOUNCE = env_int("SPOTIFY_SYNC_DEBOUNCE", 30)
# Open audio-features service looked up by Spotify track id (ReccoBeats' API shape).
AUDIO_FEATURES_URL = env_str("AUDIO_FEATURES_URL", "https://api.reccobeats.com")
# Mood features by artist and title: MusicBrainz tags (one request a second per address; empty turns it off).
MUSICBRAINZ_URL = env_str("MUSICBRAINZ_URL", "https://musicbrainz.org")
MUSICBRAINZ_MIN_INTERVAL = env_float("MUSICBRAINZ_MIN_INTERVAL", 1.0)
# Open services want to know who is asking (MusicBrainz blocks anonymous clients).
FEATURES_USER_AGENT = env_str("FEATURES_USER_AGENT", "MoodMusic/1.0 (self-hosted; https://github.com/moodmusic)")
# Spotify links an existing MoodMusic account; tokens go encrypted into playlists.SpotifyLink, not extra_data.
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "playlists.pipeline.require_signed_in_user",
    "social_core.pipeline.social_auth.social_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "playlists.pipeline.save_spotify_link",
)

# --- Content-Security-Policy (django-csp) ----------------------------------------------
# Pages load only their own scripts and styles (no inline code unless nonced); the Spotify embed
# player and Spotify's Web Playback SDK are the only outside parts a page may use.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://sdk.scdn.co"],  # + the iFrame API on pages with the player (playlists.csp)
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", "https://i.scdn.co", "https://*.scdn.co", "https://*.spotifycdn.com"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", "https://api.spotify.com"],
        "frame-src": ["https://open.spotify.com", "https://sdk.scdn.co"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Production hardening (off under DEBUG so http://127.0.0.1 works) -------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers and probes ask for /health/ over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Browsers' preload lists take a site only with a max-age of a year or more: asking with less is a lie.
    # Raise SECURE_HSTS_SECONDS to 31536000 once HTTPS is settled for good, and preload follows; until then
    # Django's deploy check would warn (W021) about what is a deliberate choice.
    SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 365
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# /health/ waits this long for a Celery worker to answer its ping.
HEALTH_WORKER_TIMEOUT = env_float("HEALTH_WORKER_TIMEOUT", 2)

# Logs: time, level, logger and message on stderr; LOG_FORMAT=json writes one JSON object a line.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
