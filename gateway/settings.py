"""Gateway configuration, read from environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator

from persistence.settings import DEFAULT_DATABASE_URL, REPO_ROOT, StoreSettings

__all__ = ["DEFAULT_DATABASE_URL", "REPO_ROOT", "Settings", "get_settings"]


class Settings(StoreSettings):
    """All settings have working local defaults; override them with environment variables.
    The database and its stores' limits are inherited from persistence/settings.py."""

    rasa_url: str = Field(default="http://127.0.0.1:5005", description="Rasa server base URL (env RASA_URL)")
    action_server_url: str = Field(
        default="http://127.0.0.1:5055", description="Rasa action server base URL (env ACTION_SERVER_URL)"
    )
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    max_message_chars: int = Field(default=2000, ge=1)
    max_request_bytes: int = Field(default=1_048_576, ge=1024, description="largest request body (env MAX_REQUEST_BYTES)")
    rasa_timeout_seconds: float = Field(default=30.0, gt=0)
    health_timeout_seconds: float = Field(default=2.0, gt=0)
    preload_knowledge: bool = Field(
        default=True, description="load the knowledge base at startup (env PRELOAD_KNOWLEDGE)"
    )
    log_level: str = "INFO"
    # Helpdesk (gateway/helpdesk): when staff answer live, e.g. "mon-fri 09:00-12:00,13:30-17:30"
    # ("always": any time); outside them, or with nobody online, applicants leave a message.
    helpdesk_office_hours: str = Field(default="mon-fri 09:00-12:00,13:30-17:30", description="人工客服工作时间")
    helpdesk_timezone: str = "Asia/Shanghai"
    staff_session_hours: float = Field(default=12.0, gt=0, description="staff console login lifetime")
    staff_cookie_secure: bool = Field(default=False, description="Secure flag on the staff cookie (HTTPS)")
    rasa_tracker_db: str = Field(default="", description="Rasa's SQLite tracker file: intents and form progress for staff")
    retention_days: int = Field(
        default=180, ge=1, description="conversations, drafts and Rasa's tracker older than this are purged (env RETENTION_DAYS)"
    )
    # WeChat Official Account (connectors/wechat.py): /wechat answers only when wechat_token is set;
    # replies beyond the passive-reply budget go through the customer-service API (app id + secret).
    wechat_token: str = Field(default="", description="公众号服务器配置的Token (env WECHAT_TOKEN)")
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_encoding_aes_key: str = Field(
        default="", pattern=r"^([A-Za-z0-9+/]{43})?$", description="43 characters; empty: plain mode only"
    )
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    wechat_reply_budget_seconds: float = Field(default=4.0, gt=0, lt=5)
    wechat_timestamp_window_seconds: int = Field(
        default=300, ge=30, le=86400, description="accepted age of a /wechat request's timestamp, either way (replay protection)"
    )
    wechat_public_base_url: str = Field(default="", description="prefix for relative document links sent to WeChat")
    # Pages (gateway/security_headers.py): origins of the portals that embed the chat with
    # widget.js (CSP frame-ancestors of /chat), e.g. "https://www.example.gov.cn https://b.example.cn".
    portal_origins: str = Field(default="", description="comma or space separated; empty: the gateway's own pages only")
    # Scale-out (README "Scale-out / cluster"): a POST /api/chat with an Idempotency-Key holds its
    # key for this long, renewed while it works; a gateway killed mid-request lets a retry take over after it.
    idempotency_lease_seconds: float = Field(default=10.0, gt=0, le=300, description="env IDEMPOTENCY_LEASE_SECONDS")
    client_key_secret: str = Field(default="", description="key of the client-address hash (env CLIENT_KEY_SECRET); empty: random per process")

    @field_validator("portal_origins")
    @classmethod
    def _valid_origins(cls, value: str) -> str:
        """Space separated origins; scheme://host[:port] only (host may start with "*.", port may
        be "*"), so that nothing can end the CSP directive or widen it ('unsafe-inline', *, ;)."""
        import re  # noqa: PLC0415

        host = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
        origins = [item.rstrip("/") for item in re.split(r"[,\s]+", value.strip()) if item]
        for origin in origins:
            if not re.fullmatch(rf"https?://(\*\.)?{host}(\.{host})*(:(\d{{1,5}}|\*))?", origin):
                raise ValueError(f"PORTAL_ORIGINS: not an origin (scheme://host[:port]): {origin!r}")
        return " ".join(origins)

    @field_validator("rasa_url", "action_server_url", "wechat_api_base_url", "wechat_public_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
