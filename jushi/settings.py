"""Jushi settings: one module, driven by environment variables.

DATABASE_URL   default: the SQLite file jushi.sqlite3 in JUSHI_VAR_DIR; relative sqlite paths are under the
               project folder; or
               or postgres://user:password@host:5432/name
SECRET_KEY     required in production; without it a key is generated once into var/secret_key
DEBUG          1 to turn on debug pages (never in production)
ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1)
JUSHI_HTTPS    1 when served over HTTPS behind a proxy: secure cookies, HSTS, SSL redirect
JUSHI_VAR_DIR  where the SQLite file, uploads and the generated secret key live (default: ./var)
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JUSHI_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES = Path(os.environ.get("JUSHI_NODE_MODULES", BASE_DIR / "node_modules"))


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    # A zero-set-up install still gets a strong, stable key, kept beside the database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _database(url: str) -> dict:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{BASE_DIR / url.removeprefix('sqlite:///')}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"].endswith("sqlite3"):
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # Concurrent writers wait instead of failing: WAL lets readers run beside one writer, the busy
        # timeout makes a second writer wait its turn, and IMMEDIATE transactions take the write lock at
        # BEGIN, so a read-then-write transaction never dies upgrading its lock ("database is locked").
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": int(os.environ.get("JUSHI_SQLITE_BUSY_SECONDS", 20)),
            "transaction_mode": "IMMEDIATE",
        }
    return config


DEBUG = _flag("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # Ours, in dependency order: each app imports only apps above it in this list.
    "jushi.core",
    "jushi.accounts",
    "jushi.registry",
    "jushi.reporting",
    "jushi.indicators",
    "jushi.projects",
    "jushi.chains",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "jushi.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jushi.core.middleware.RequestSizeLimitMiddleware",  # 413 for a body over JUSHI_REQUEST_MAX_BYTES, unread
    "jushi.core.middleware.DatabaseUnavailableMiddleware",  # 503 when the database cannot be reached
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jushi.core.audit.AuditMiddleware",  # who exported or changed permissions, for the audit chain
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, then the gate: password expiry, two-factor, 三员 boundaries.
    "jushi.accounts.middleware.SessionTimeoutMiddleware",
    "jushi.accounts.middleware.SecurityGateMiddleware",
    "jushi.core.middleware.ReporterBoundaryMiddleware",  # enterprise reporters: 403 on the staff's pages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "jushi.urls"
WSGI_APPLICATION = "jushi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jushi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jushi.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {"default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jushi.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username or IP before the password is even checked (django-axes).
    "jushi.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# 等保2.0 level 3: length >= 10 with at least three of upper, lower, digit, symbol.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Length and classes in one, with Chinese messages (replaces Django's MinimumLengthValidator).
    {
        "NAME": "jushi.accounts.validators.ComplexityValidator",
        "OPTIONS": {"min_length": 10, "min_classes": 3},
    },
]

# Login and sessions (等保2.0 level 3). All security timers run on the real clock, never JUSHI_TODAY.
# Lockout (django-axes): this many failures for a username, or from an IP, lock it for this many minutes.
# Unlock: `jushi unlock <username>` (or axes_reset_username / axes_reset_ip), or delete the row under
# 访问尝试 in the Django admin (安全管理员). The API's token authentication does not pass through axes.
JUSHI_LOCKOUT_FAILURES = int(os.environ.get("JUSHI_LOCKOUT_FAILURES", 5))
JUSHI_LOCKOUT_MINUTES = int(os.environ.get("JUSHI_LOCKOUT_MINUTES", 15))
AXES_FAILURE_LIMIT = JUSHI_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=JUSHI_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # two separate counters: per user and per IP
AXES_LOCKOUT_CALLABLE = "jushi.accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # "此后失败登录 N 次" after the next login
AXES_RESET_ON_SUCCESS = False  # a correct password must not wipe the IP's count of guesses
AXES_VERBOSE = False
# Reverse proxies in front of Jushi that append to X-Forwarded-For (nginx of docs/GUIDE.md: 1). Without
# it every attempt would count against the proxy's address. Default: 1 behind HTTPS (JUSHI_HTTPS=1), else 0.
JUSHI_PROXY_COUNT = int(os.environ.get("JUSHI_PROXY_COUNT", "1" if _flag("JUSHI_HTTPS") else "0"))
AXES_CLIENT_IP_CALLABLE = "jushi.accounts.backends.client_ip"
# Passwords of staff-type roles (and superusers) expire after this many days; 0 turns expiry off.
JUSHI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("JUSHI_PASSWORD_MAX_AGE_DAYS", 180))
# A session unused this long is logged out; any session ends this long after login.
JUSHI_SESSION_IDLE_MINUTES = int(os.environ.get("JUSHI_SESSION_IDLE_MINUTES", 30))
JUSHI_SESSION_MAX_HOURS = int(os.environ.get("JUSHI_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = JUSHI_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # shared office computers: closing the browser ends the session
# TOTP two-factor login (django-otp) for zone admins, the three administrators and superusers.
JUSHI_2FA_REQUIRED = _flag("JUSHI_2FA_REQUIRED", "1")
OTP_TOTP_ISSUER = "聚势 Jushi"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
UPLOAD_DIR = VAR_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
JUSHI_IMPORT_MAX_BYTES = int(os.environ.get("JUSHI_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
# Import caps checked before a file is read (jushi.lib.tabular): a file beyond them is refused whole, in
# well under a second, whatever its size on disk (dimension and zip bombs). Stated on every import page.
JUSHI_IMPORT_MAX_ROWS = int(os.environ.get("JUSHI_IMPORT_MAX_ROWS", 50000))  # header row included
JUSHI_IMPORT_MAX_COLUMNS = int(os.environ.get("JUSHI_IMPORT_MAX_COLUMNS", 200))
JUSHI_IMPORT_MAX_CELL_CHARS = int(os.environ.get("JUSHI_IMPORT_MAX_CELL_CHARS", 32767))  # Excel's own limit
JUSHI_IMPORT_MAX_LINE_CHARS = int(os.environ.get("JUSHI_IMPORT_MAX_LINE_CHARS", 100000))  # one CSV line
JUSHI_IMPORT_MAX_EXPANDED_BYTES = int(os.environ.get("JUSHI_IMPORT_MAX_EXPANDED_BYTES", 256 * 1024 * 1024))
JUSHI_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("JUSHI_IMPORT_MAX_ZIP_RATIO", 100))  # parts over 1 MB
# Project attachments (contracts, receipts, photos): the largest file accepted.
JUSHI_ATTACHMENT_MAX_BYTES = int(os.environ.get("JUSHI_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# The largest request body accepted (413 beyond it, before it is read): the largest upload plus 1 MB of form.
# nginx's client_max_body_size must be at least this (docs/OPERATIONS.md).
JUSHI_REQUEST_MAX_BYTES = int(
    os.environ.get(
        "JUSHI_REQUEST_MAX_BYTES", max(JUSHI_ATTACHMENT_MAX_BYTES, JUSHI_IMPORT_MAX_BYTES) + 1024 * 1024
    )
)
# The duplicate guard: the same investor with a similar project inside this many days is flagged.
JUSHI_DUPLICATE_WINDOW_DAYS = int(os.environ.get("JUSHI_DUPLICATE_WINDOW_DAYS", 365))
# The application clock (jushi.core.clock): YYYY-MM-DD pins "today" (the demo runs as of 2024-07-20);
# empty in production, where the real calendar rules.
JUSHI_TODAY = os.environ.get("JUSHI_TODAY", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # AccountGate: token users meet the page gate's rules too (expired password, 三员 without business data).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "jushi.accounts.permissions.AccountGate",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rates read at request time (jushi.core.throttling), so tests and deployments can change them.
    "DEFAULT_THROTTLE_CLASSES": [
        "jushi.core.throttling.AnonThrottle",
        "jushi.core.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "jushi.core.errors.api_exception_handler",
}
# API throttles (DRF's format: N/second|minute|hour|day); empty turns one off.
JUSHI_API_RATE_ANON = os.environ.get("JUSHI_API_RATE_ANON", "30/minute")
JUSHI_API_RATE_USER = os.environ.get("JUSHI_API_RATE_USER", "1200/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "聚势 Jushi 开发区运营平台接口(API)",
    "DESCRIPTION": """聚势的 REST 接口:开发区、园区、行业与企业名录,企业报表的填报与审核,经济指标,
招商项目台账,产业链。页面能做的事,接口按同样的规则做:每个用户只看到、只能改自己范围内的数据
(开发区工作人员是本开发区,企业填报员是本企业),写操作经过与页面相同的检查并记入变更日志。

**认证**(两种任选):

- 浏览器会话:已在网页登录时直接调用;写操作(POST、PUT、PATCH、DELETE)须带请求头 `X-CSRFToken`。
- 令牌:请管理员用 `jushi drf_create_token 用户名` 生成,请求头写 `Authorization: Token <令牌>`。

令牌与网页登录守同样的规则:密码过期的账号和三员(系统、安全、审计管理员)调用业务接口返回 403,
原因写在错误里。

**错误**:一律返回 JSON。一般错误是 `{"detail": "一句话原因"}`;校验错误以字段名为键、错误信息列表为值,
如 `{"entered_on": ["日期不能晚于今天(2024-07-20)"]}`。常见状态:400 请求有误,401 未登录,403 无权,
404 不存在或不在您的范围内,409 与现有数据冲突(如报表刚被他人处理,须带上读取时的 `version`),
422 报表未通过审核(返回审核结果),429 请求过于频繁。

**约定**:列表一般分页(`page`,每页 50 条,返回 `count`、`next`、`previous`、`results`);
金额、数值以十进制字符串返回;时间为带时区的 ISO 8601,报告期代码如 `2024-06`(月)、`2024Q2`(季)、`2024`(年)。""",
    "TAGS": [
        {"name": "zones", "description": "开发区:名称、级别、类型和所在地区"},
        {"name": "parks", "description": "园区:开发区内的产业园区"},
        {"name": "industries", "description": "行业:国民经济行业分类(GB/T 4754-2017),人人相同"},
        {"name": "enterprises", "description": "企业名录:查询、登记、修改和删除企业"},
        {"name": "reporting", "description": "企业报表:表式、报告期、应报名单,填报、报送、审核与退回"},
        {"name": "indicators", "description": "经济指标:指标目录、指标数值和年度目标"},
        {"name": "projects", "description": "招商项目:项目台账、阶段推进、到位资金、问题清单和签约活动"},
        {"name": "chains", "description": "产业链:链条图谱、节点挂接、缺口清单和目标企业库"},
    ],
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from our own static files (npm swagger-ui-dist), never a CDN.
    "SWAGGER_UI_DIST": f"/{STATIC_URL}vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"/{STATIC_URL}vendor/swagger-ui/favicon-32x32.png",
    # Every operation documents its error bodies (400/401/403/404/409/429) with one Error schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jushi.core.errors.document_error_responses",
    ],
}

# The audit chain (jushi.core.audit): rows younger than this many days cannot be deleted (never below 180).
JUSHI_AUDIT_RETENTION_DAYS = int(os.environ.get("JUSHI_AUDIT_RETENTION_DAYS", 180))

# Production hardening; `jushi check --deploy` with DEBUG=0 and JUSHI_HTTPS=1 reports nothing serious.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "jushi.core.errors.csrf_failure"
# Content-Security-Policy (django-csp): scripts only from our own origin, never inline; inline style
# attributes stay allowed (charts and templates set widths), which is not a script-injection path.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features Jushi never uses are switched off for every page (jushi.core.middleware).
JUSHI_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
if _flag("JUSHI_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a monitor on the local port asks over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JUSHI_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("JUSHI_HSTS_PRELOAD")
# Submitting a domain to the browsers' HSTS preload list binds every subdomain for years: the domain's
# owner opts in with JUSHI_HSTS_PRELOAD=1, so the check that nags about it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Mail (reminders to report). The console backend prints mail, which is what the demo wants; production
# sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST etc.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jushi@localhost")
# The address people open the site at, for links in mail.
JUSHI_SITE_URL = os.environ.get("JUSHI_SITE_URL", "http://127.0.0.1:8000")

# Background jobs (django-tasks with its database backend): the page or command enqueues a row, `jushi worker`
# runs it. jushi.core.jobs keeps each job's own record (who, what, progress, the error in words).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Imports and exports over this many rows run as background jobs (smaller ones answer at once).
JUSHI_JOB_ROWS = int(os.environ.get("JUSHI_JOB_ROWS", 2000))
# What the web processes and the worker share outside the database: live progress of running jobs and the
# workers' heartbeats, as files under JUSHI_VAR_DIR/runtime (a long import holds SQLite's write lock, so
# neither can wait for the database). Web and worker therefore share JUSHI_VAR_DIR, as they do for uploads.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "runtime": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "runtime"),
        "OPTIONS": {"MAX_ENTRIES": 100000},
    },
}
# A worker that has not beaten for this many seconds is taken for dead: /healthz says so, and its running
# job is marked failed (everything it wrote was one transaction, rolled back when the process died).
JUSHI_WORKER_STALE_SECONDS = int(os.environ.get("JUSHI_WORKER_STALE_SECONDS", 30))
# Idempotency keys of 报送 and 审核 (jushi.core.idempotency) are kept this many days, then pruned nightly.
JUSHI_IDEMPOTENCY_DAYS = int(os.environ.get("JUSHI_IDEMPOTENCY_DAYS", 7))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
