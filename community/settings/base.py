"""Settings shared by every environment, read from environment variables.

With no variables set the platform runs embedded: SQLite, an in-process channel
layer, Celery tasks executed in process and e-mail printed to the console.
Setting DATABASE_URL and REDIS_URL switches to the full stack.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env("SITE_NAME", default="Open Source AI Community")
# Absolute links in e-mails sent by workers, which have no request to build them from.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.forms",  # Django's form templates, found by FORM_RENDERER below
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # OpClass in index expressions (hub name search); harmless on SQLite
    "rest_framework",
    "rest_framework.authtoken",  # only as the source of accounts' migration of old keys to ApiToken
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "apps.core",
    "apps.accounts",
    "apps.notifications",
    "apps.hub",
    "apps.compute",
    "apps.profiles",
    "apps.hackathons",
    "apps.chat",
    "apps.transparency",
    "apps.meetups",
]

MIDDLEWARE = [
    "apps.core.metrics.RequestMetricsMiddleware",  # first: times everything below it
    "apps.core.request_id.RequestIdMiddleware",  # the id on every log line of the request
    "apps.core.summaries.StampsPerRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.sessions.MemberAuthenticationMiddleware",  # Django's, member read with the session
    "apps.accounts.middleware.MemberLanguageMiddleware",
    "apps.core.middleware.LinkLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.core.middleware.ApplicationErrorMiddleware",
    "apps.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "community.urls"
WSGI_APPLICATION = "community.wsgi.application"
ASGI_APPLICATION = "community.asgi.application"

# Forms render through the site's templates, so frontend/templates/django/forms/div.html can
# summarise a form's errors at the top with links to their fields.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.site",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------
# DATABASE_URL unset means the embedded SQLite database under var/.
if not env("DATABASE_URL", default=""):
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'community.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request runs in a new thread, so persistent per-thread connections
    # (CONN_MAX_AGE > 0) pile up until PostgreSQL refuses clients. Web processes share a
    # bounded pool instead; a process with DB_POOL=false (Celery's single-threaded prefork
    # children) opens one connection at a time. Sizing: docs/operations.md.
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = env("DB_APPLICATION_NAME", default="community")
    if env.bool("DB_POOL", default=True):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10),  # wait for a free connection
            "max_idle": env.float("DB_POOL_MAX_IDLE", default=300),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DB_PGBOUNCER", default=False):
        # Behind PgBouncer in transaction mode each transaction may land on another server
        # connection: nothing may outlive one. No named server-side cursors (.iterator()
        # outside a transaction) and no prepared statements (psycopg 3 prepares a query
        # after 5 runs unless told not to; Django's default, made explicit here).
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL unset means the embedded stack: in-process cache, channel layer and tasks.
REDIS_URL = env("REDIS_URL", default="")
EMBEDDED_STACK = not REDIS_URL
# Redis with Sentinel (`host:port,host:port,...`): the cache, chat presence, the channel layer
# and the broker ask these sentinels which server is the primary of REDIS_SENTINEL_MASTER and
# follow a failover. REDIS_URL still switches the full stack on and gives the database number
# and password; its host is then not used (docs/operations.md, "Several nodes").
REDIS_SENTINELS = [
    (host, int(port)) for host, port in (entry.rsplit(":", 1) for entry in env.list("REDIS_SENTINELS", default=[]))
]
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="community")

if REDIS_URL:
    # Cache, API throttles and log-in rate limits share one pool per process.
    CACHES = {
        "default": {
            # Answers from a per-process cache while Redis is down (apps/core/cache.py).
            "BACKEND": "apps.core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="community"),
            "OPTIONS": {
                "pool_class": "apps.core.redis_pool.ProcessConnectionPool",
                "max_connections": env.int("REDIS_POOL_MAX_SIZE", default=20),
                "timeout": env.float("REDIS_POOL_TIMEOUT", default=5),  # wait for a free connection
                # Short socket timeouts: a stalled Redis must not hold a request for long
                # (the cache then answers from process memory, apps/core/cache.py).
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "health_check_interval": 30,
            },
        }
    }
    # The layer blocks 5 s per BRPOP while it waits for messages to the process's
    # sockets: the client's socket timeout must be longer, or every idle socket dies
    # with 1011. All sockets of a process share one channel key, so its capacity
    # bounds a burst of connects or a group message to every socket of the process.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "apps.core.channel_layer.CommunityRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,  # through REDIS_SENTINELS when set (apps/core/redis_pool.py)
                        "socket_timeout": env.float("CHANNEL_LAYER_SOCKET_TIMEOUT", default=15),
                        "socket_connect_timeout": 5,
                        "max_connections": env.int("CHANNEL_LAYER_POOL_MAX_SIZE", default=100),
                    }
                ],
                "pool_timeout": env.float("CHANNEL_LAYER_POOL_TIMEOUT", default=10),
                "prefix": env("CHANNEL_LAYER_PREFIX", default="community"),
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=5000),
                "expiry": 60,
                "group_expiry": env.int("CHANNEL_LAYER_GROUP_EXPIRY", default=86400),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# How long the cache keeps answering locally after Redis failed before it tries Redis again.
CACHE_OUTAGE_RETRY_SECONDS = env.int("CACHE_OUTAGE_RETRY_SECONDS", default=5)

# --- Celery ----------------------------------------------------------------
_redis_db = urlsplit(REDIS_URL).path.strip("/") or "0"
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL",
    default=";".join(f"sentinel://{host}:{port}/{_redis_db}" for host, port in REDIS_SENTINELS)
    or REDIS_URL
    or "memory://",
)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# kombu's Redis transports with the fix that keeps thread-pool workers alive when Redis
# restarts or fails over (community/broker.py).
if CELERY_BROKER_URL.startswith("redis://"):
    CELERY_BROKER_TRANSPORT = "community.broker:Transport"
elif CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT = "community.broker:SentinelTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = EMBEDDED_STACK
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# E-mail jobs wait on the mail server and the database most of the time: they have a queue
# of their own, served by thread-pool workers (the Procfile's `mailer`), so they neither
# wait behind nor hold up the rest. A worker started without --queues serves both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("email")]
CELERY_TASK_ROUTES = {"workers.notifications.send_deliveries": {"queue": "email"}}
CELERY_IMPORTS = [
    "workers.accounts",
    "workers.notifications",
    "workers.hub",
    "workers.compute",
    "workers.hackathons",
    "workers.transparency",
    "workers.meetups",
]

# --- Auth and accounts -----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "apps.accounts.login_budget.LoginBudgetBackend",  # first: refuses once the budget is spent
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
# The handle is chosen at sign-up: it is the member's public name until they set a display
# name, so nothing shown to others is ever derived from their e-mail address.
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_USERNAME_VALIDATORS = "apps.accounts.handles.validators"
ACCOUNT_USERNAME_MIN_LENGTH = 3
# "Signed in as …" and allauth's pages name people as everyone else does (User.__str__).
ACCOUNT_USER_DISPLAY = str
ACCOUNT_FORMS = {"signup": "apps.accounts.forms.SignupForm"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
# One login budget per client address and per account, taken by every password attempt
# before it is checked and given back when it was right (pages, POST /api/auth/token/,
# /admin/login/): see apps/accounts/login_budget.py. "login_link" bounds the sign-in
# links sent by e-mail (per address, and per address typed), apps/accounts/login_links.py.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "login_link": env("RATE_LIMIT_LOGIN_LINK", default="5/m/ip,3/15m/key"),
    "signup": env("RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    # Verification e-mails, sign-up's and "send it again": one per address every three minutes.
    "confirm_email": "1/3m/key,10/h/ip",
}
# How long a sign-in link sent by e-mail works (it works once).
LOGIN_LINK_MAX_AGE = env.int("LOGIN_LINK_MAX_AGE", default=15 * 60)
UNVERIFIED_ACCOUNT_RETENTION_DAYS = env.int("UNVERIFIED_ACCOUNT_RETENTION_DAYS", default=7)

# Optional OAuth logins, switched on when their credentials are present.
SOCIALACCOUNT_PROVIDERS = {}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
if env("GITHUB_CLIENT_ID", default=""):
    INSTALLED_APPS.append("allauth.socialaccount.providers.github")
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [
            {
                "client_id": env("GITHUB_CLIENT_ID"),
                "secret": env("GITHUB_CLIENT_SECRET"),
            }
        ],
        "SCOPE": ["read:user", "user:email"],
        "OAUTH_PKCE_ENABLED": True,
    }
if env("HF_OAUTH_CLIENT_ID", default=""):
    # The Hugging Face Hub is an OpenID Connect provider.
    INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "huggingface",
                "name": "Hugging Face",
                "client_id": env("HF_OAUTH_CLIENT_ID"),
                "secret": env("HF_OAUTH_CLIENT_SECRET"),
                "settings": {
                    "server_url": env("HF_OAUTH_SERVER_URL", default="https://huggingface.co"),
                    "scope": ["openid", "profile", "email"],
                    "oauth_pkce_enabled": True,
                },
            }
        ]
    }

# --- Client addresses behind proxies ---------------------------------------------
# How many reverse proxies in front of the web process append to X-Forwarded-For. The
# client address is the entry that many places from the right; 0 (the default) ignores
# the header and uses the connection's address, so a client cannot choose its own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- E-mail ------------------------------------------------------------------
# EMAIL_URL unset prints messages to the console (smtp+tls://user:pass@host:587 for real).
_email = env.email_url("EMAIL_URL", default="consolemail://")
# django-environ files `?timeout=` under OPTIONS, which Django's SMTP backend never reads, and
# with no EMAIL_TIMEOUT a mail server that stops answering holds a mailer thread for ever.
EMAIL_TIMEOUT = int(_email.pop("OPTIONS", {}).get("TIMEOUT", env.int("EMAIL_TIMEOUT", default=30)))
vars().update(_email)
# How long a mailer job holds the e-mails it claimed without news from it (it renews the
# lease before each message's data); after that the sweep gives them to another job. Keep it
# above EMAIL_TIMEOUT, which bounds each wait for the server.
NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=60)
# A notification e-mail the server refused is tried again after this many seconds, doubling
# each time (capped at an hour), and given up after this many attempts.
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", default=5)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Open Source AI Community <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people write when something does not work (shown on the e-mail verification page).
CONTACT_EMAIL = env("CONTACT_EMAIL", default="hola@comunidad-ia.es")

# --- REST API ----------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its challenge makes a bad or expired token a 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttles.MemberOrVisitorRateThrottle"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
        "token_obtain": env("API_THROTTLE_TOKEN", default="10/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "apps.core.api_schema.CommunityAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api_errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` is a filter (hackathons: online/in person), not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
}
# API tokens (apps.accounts.models.ApiToken): default and longest lifetime, most per member.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
API_TOKEN_MAX_LIFETIME_DAYS = env.int("API_TOKEN_MAX_LIFETIME_DAYS", default=365)
API_TOKENS_PER_MEMBER = env.int("API_TOKENS_PER_MEMBER", default=20)
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Source AI Community API",
    "DESCRIPTION": "Talent, hackathons, meetups, public compute and the Hub catalogue.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets come from a pip package, so the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "HubOwnerKindEnum": "apps.hub.models.HubOwner.Kind",
        "HubRepositoryKindEnum": "apps.hub.models.HubRepository.Kind",
        "AllocationRequestStatusEnum": "apps.compute.models.AllocationRequest.Status",
        "ReviewerAssignmentStatusEnum": "apps.compute.models.ReviewerAssignment.Status",
        "ChangeRequestStatusEnum": "apps.compute.models.ChangeRequest.Status",
        "ContactRequestStatusEnum": "apps.profiles.models.ContactRequest.Status",
        "HackathonStateEnum": "apps.hackathons.models.Hackathon.State",
        "HackathonJoinPolicyEnum": "apps.hackathons.models.Hackathon.JoinPolicy",
        "MeetupEventStateEnum": "apps.meetups.models.Event.State",
        "MeetupJoinPolicyEnum": "apps.meetups.models.Event.JoinPolicy",
        "MeetupRsvpStatusEnum": "apps.meetups.models.Rsvp.Status",
        "MeetupTalkStatusEnum": "apps.meetups.models.Talk.Status",
        # Every figure of the public-money register: a number, 0, or not measured.
        "FigureStatusEnum": "apps.transparency.figures.STATUSES",
    },
}

# --- Hugging Face Hub ---------------------------------------------------------
HF_ENDPOINT = env("HF_ENDPOINT", default="https://huggingface.co")
HF_TOKEN = env("HF_TOKEN", default="")
# Client-side budget under the Hub's published limits (500 calls / 5 min anonymous,
# 1,000 with a token), shared by every worker through the cache.
HUB_CALL_BUDGET_ANONYMOUS = env.int("HUB_CALL_BUDGET_ANONYMOUS", default=450)
HUB_CALL_BUDGET_TOKEN = env.int("HUB_CALL_BUDGET_TOKEN", default=900)
HUB_CALL_BUDGET_WINDOW = env.int("HUB_CALL_BUDGET_WINDOW", default=300)
# Longest rate-limit pause a sync waits inline; longer ones end the run and the task retries
# later. Well under the deadline, or no pause could ever be waited.
HUB_MAX_RATE_LIMIT_WAIT = env.int("HUB_MAX_RATE_LIMIT_WAIT", default=60)
# A sync lock expires after this, so a crashed worker never blocks an owner for good.
HUB_SYNC_LOCK_SECONDS = env.int("HUB_SYNC_LOCK_SECONDS", default=900)
# Overall time a sync run may take, enforced in the HTTP transport (every read and every
# wait counts); kept under the lock so no second run can join a slow one. A healthy owner
# takes seconds; a Hub dripping bytes holds a worker this long.
HUB_SYNC_DEADLINE_SECONDS = env.int("HUB_SYNC_DEADLINE_SECONDS", default=120)
# Longest pause before a retry the Hub may ask for (Retry-After far ahead or an HTTP date);
# kept under the broker's visibility timeout, or the broker would deliver the task twice.
HUB_MAX_RETRY_AFTER = env.int("HUB_MAX_RETRY_AFTER", default=1800)

# --- Cached summaries (apps/core/summaries.py) -------------------------------
# Facets, home numbers and ledgers are recomputed after every write to what they count;
# this bounds how stale one can be if an invalidation is missed (seconds).
SUMMARY_MAX_AGE = env.int("SUMMARY_MAX_AGE", default=300)
# A summary computed before is recomputed in a thread of the process while readers get the
# last value, instead of inside the request that found it expired (apps/core/summaries.py).
SUMMARY_REFRESH_IN_BACKGROUND = env.bool("SUMMARY_REFRESH_IN_BACKGROUND", default=True)
# Public pages and API lists rendered once for every visitor who is not signed in
# (apps/core/visitor_cache.py): also recomputed after writes to what they show; this bounds
# how stale the rest of such a page can be (seconds).
VISITOR_CACHE_MAX_AGE = env.int("VISITOR_CACHE_MAX_AGE", default=60)
# A server process moves what it built while warming up out of the garbage collector's full
# passes after this many finished requests (apps/core/heap.py); empty to turn off.
GC_FREEZE_AFTER_REQUESTS = env.list("GC_FREEZE_AFTER_REQUESTS", cast=int, default=[1000, 10000, 100000])
# Threads a web process keeps for requests between them (community/asgi.py); more requests at
# once get a thread of their own, which ends with them.
WEB_REQUEST_THREADS_KEPT = env.int("WEB_REQUEST_THREADS_KEPT", default=64)

# --- Live chat ------------------------------------------------------------------
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=4000)
CHAT_EDIT_WINDOW_SECONDS = env.int("CHAT_EDIT_WINDOW_SECONDS", default=15 * 60)
CHAT_RATE_LIMIT_MESSAGES = env.int("CHAT_RATE_LIMIT_MESSAGES", default=5)
CHAT_RATE_LIMIT_SECONDS = env.int("CHAT_RATE_LIMIT_SECONDS", default=5)
# Presence entries expire unless a socket refreshes them (clients ping every 25 s).
CHAT_PRESENCE_TTL_SECONDS = env.int("CHAT_PRESENCE_TTL_SECONDS", default=60)
# Joins and leaves are pushed live only while a room has at most this many people online.
CHAT_PRESENCE_BROADCAST_MAX = env.int("CHAT_PRESENCE_BROADCAST_MAX", default=50)

# --- Frames clients send on any socket (apps/core/frames.py) -------------------
# A chat message of CHAT_MESSAGE_MAX_LENGTH characters, each escaped as a surrogate pair,
# fits with room to spare.
WEBSOCKET_FRAME_MAX_CHARACTERS = env.int("WEBSOCKET_FRAME_MAX_CHARACTERS", default=64 * 1024)
WEBSOCKET_FRAME_MAX_DEPTH = env.int("WEBSOCKET_FRAME_MAX_DEPTH", default=4)
# Frames of any kind per socket, "<burst>/<seconds>"; each kind has its own rate besides.
WEBSOCKET_FRAME_RATE = env("WEBSOCKET_FRAME_RATE", default="60/10")
# Models whose derivatives and Spaces the daily adoption read checks (2+ Hub calls each).
HUB_ADOPTION_MAX_REPOSITORIES = env.int("HUB_ADOPTION_MAX_REPOSITORIES", default=100)

# --- What operators see (docs/operations.md, "Metrics and logs") ---------------------
# Networks whose clients may read /metrics (everyone else gets a 404). Multi-process metrics
# need PROMETHEUS_MULTIPROC_DIR in the environment of every process, emptied at each start.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "es"
# Spanish, English and the co-official languages of Spain, as public portals there offer them.
LANGUAGES = [
    ("es", _("Spanish")), ("en", _("English")), ("ca", _("Catalan")), ("eu", _("Basque")), ("gl", _("Galician")),
]
# The switcher names each language in itself; Django's table calls Basque "Basque" there.
LANG_INFO["eu"] = {**LANG_INFO["eu"], "name_local": "Euskara"}
# locale/overrides/ re-words third-party catalogues (allauth) in the "tú" the platform uses, and
# fills what they lack (allauth has no Galician; Basque dates need months in the genitive).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
# "27 feb 2027" and "1 200" in Spanish (community/formats/); templates use |date:"DATE_FORMAT".
FORMAT_MODULE_PATH = ["community.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Compute request attachments: outside MEDIA_ROOT, served only through a permission check.
COMPUTE_PRIVATE_ROOT = env.path("COMPUTE_PRIVATE_ROOT", default=str(BASE_DIR / "var" / "private"))
# Uploads of a formation of several nodes live in an S3-compatible object store, so a file
# uploaded through one node is served by every other (docs/operations.md, "Object storage").
# With no bucket named, files stay on this machine's disk (MEDIA_ROOT, COMPUTE_PRIVATE_ROOT).
S3_PUBLIC_BUCKET = env("S3_PUBLIC_BUCKET", default="")  # avatars, covers: readable by anyone
S3_PRIVATE_BUCKET = env("S3_PRIVATE_BUCKET", default="")  # compute attachments: never public
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="")  # empty: AWS itself
S3_ACCESS_KEY_ID = env("S3_ACCESS_KEY_ID", default="")
S3_SECRET_ACCESS_KEY = env("S3_SECRET_ACCESS_KEY", default="")
S3_REGION_NAME = env("S3_REGION_NAME", default="us-east-1")
# "path" (endpoint/bucket/key) is what SeaweedFS and MinIO answer; "virtual" for bucket hosts.
S3_ADDRESSING_STYLE = env("S3_ADDRESSING_STYLE", default="path")
# A CDN in front of the public bucket (https://media.example.org): public links point there.
MEDIA_CDN_URL = env("MEDIA_CDN_URL", default="").rstrip("/")
MEDIA_IN_OBJECT_STORE = bool(S3_PUBLIC_BUCKET or S3_PRIVATE_BUCKET)
if MEDIA_IN_OBJECT_STORE and not (S3_PUBLIC_BUCKET and S3_PRIVATE_BUCKET):
    raise ImproperlyConfigured("S3_PUBLIC_BUCKET and S3_PRIVATE_BUCKET are set together.")
# The web process serves public uploads itself unless the proxy in front does (then: false).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not MEDIA_IN_OBJECT_STORE)
COMPUTE_ATTACHMENT_MAX_BYTES = env.int("COMPUTE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Usage may be reported for periods up to this many days outside a grant's start..end (late accounting).
COMPUTE_USAGE_GRACE_DAYS = env.int("COMPUTE_USAGE_GRACE_DAYS", default=7)
# Resources bound to a Slurm cluster (docs/operations.md, "Connecting a Slurm cluster"): the
# slurm.conf the command-line tools read (empty: their default), how long one command may take,
# how often a transient failure is retried (waiting BACKOFF, 2×BACKOFF… seconds), the prefix of
# every account the platform creates, and how many past days each usage import reads again.
COMPUTE_SLURM_CONF = env("COMPUTE_SLURM_CONF", default="")
COMPUTE_SLURM_TIMEOUT_SECONDS = env.int("COMPUTE_SLURM_TIMEOUT_SECONDS", default=30)
COMPUTE_SLURM_ATTEMPTS = env.int("COMPUTE_SLURM_ATTEMPTS", default=3)
COMPUTE_SLURM_BACKOFF_SECONDS = env.float("COMPUTE_SLURM_BACKOFF_SECONDS", default=2.0)
COMPUTE_SLURM_ACCOUNT_PREFIX = env("COMPUTE_SLURM_ACCOUNT_PREFIX", default="community_")
COMPUTE_SLURM_IMPORT_DAYS = env.int("COMPUTE_SLURM_IMPORT_DAYS", default=3)
# Largest image (in pixels) the server decodes: a 5 KB file can declare 6,300 × 6,300.
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=4096 * 4096)
# "default" is the public store (ImageFields without a storage of their own use it);
# "private" holds what only a permission-checked view may hand out (apps/compute/models.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": COMPUTE_PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ORIGIN = ""  # where browsers fetch public uploads from, when not this site (CSP img-src)
if MEDIA_IN_OBJECT_STORE:
    _object_store = {
        "endpoint_url": S3_ENDPOINT_URL or None,
        "access_key": S3_ACCESS_KEY_ID or None,
        "secret_key": S3_SECRET_ACCESS_KEY or None,
        "region_name": S3_REGION_NAME,
        "addressing_style": S3_ADDRESSING_STYLE,
        "signature_version": "s3v4",
        "file_overwrite": False,
        # Who may read is the bucket's policy (public bucket readable, private one not);
        # no per-object ACL, which many S3-compatible stores ignore or refuse.
        "default_acl": None,
    }
    _public_cdn = urlsplit(MEDIA_CDN_URL)
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_object_store,
            "bucket_name": S3_PUBLIC_BUCKET,
            "querystring_auth": False,  # plain, cacheable links
            "custom_domain": (_public_cdn.netloc + _public_cdn.path) or False,
            "url_protocol": f"{_public_cdn.scheme or 'https'}:",
            # Names are random and files replaced, never edited (apps/core/views.public_media).
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_object_store,
            "bucket_name": S3_PRIVATE_BUCKET,
            # Files are streamed through the permission-checked view; should a link ever be
            # made, it is signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
    _media_origin = urlsplit(MEDIA_CDN_URL or S3_ENDPOINT_URL or f"https://{S3_PUBLIC_BUCKET}.s3.amazonaws.com")
    MEDIA_ORIGIN = f"{_media_origin.scheme}://{_media_origin.netloc}"
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- Security defaults shared by every environment ----------------------------
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (tests/core/test_security_headers.py checks the templates). Inline style attributes are
# still allowed: templates size meters and form widths with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# Sessions stay in the database alone, never in the cache: a log-out during a Redis
# outage deletes the row, and a session still cached in Redis would come back to life
# when Redis did (cached_db reads the cache first). One indexed read per signed-in request,
# which also reads the member and their unread count (apps/accounts/sessions.py).
SESSION_ENGINE = "apps.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per line for the log collector (LOG_FORMAT=json, the default without
# DEBUG), or plain lines for a person at a terminal. Every line carries the request id
# (apps/core/request_id.py), also in the Celery tasks a request enqueued.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# Workers log through the configuration above rather than Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors reported to Sentry (or a compatible service) when a DSN is set; never personal data.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
