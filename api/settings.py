from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of the service, read once from GOVGRAPH_* environment variables (and DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="GOVGRAPH_", frozen=True, extra="ignore")

    mode: Mode = Mode.DEVELOPMENT
    database_url: str | None = Field(None, validation_alias=AliasChoices("DATABASE_URL", "GOVGRAPH_DATABASE_URL"))
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("govgraph")))
    host: str = "127.0.0.1"
    port: int = 8000
    # Load balancers whose X-Forwarded-For is believed: the client address decides an anonymous caller's budget.
    trusted_proxies: str = "127.0.0.1"
    db_pool_size: int = 20
    # Worker processes of `govgraph serve`; each is an instance like another machine's, coordinated only through
    # PostgreSQL, so one machine's cores all serve (see the README's "Scaling").
    workers: int = Field(1, ge=1, le=64)

    jwks_url: str | None = None
    jwks_file: Path | None = None
    jwt_issuer: str = "govgraph-dev"
    jwt_audience: str = "govgraph"
    jwt_leeway_s: int = 30
    jwks_cache_s: int = 300
    jwks_min_refresh_s: int = 30  # an unknown `kid` refetches the JWKS at most this often

    # The secrets behind AI 92, `id:base64,id:base64`, and the id that signs new codes; every id keeps verifying.
    code_keys: str | None = None
    code_key_id: str | None = None

    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 12 * 1024 * 1024  # a phone photo of a pack
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_cost: int = 10_000
    execution_timeout_s: float = 10.0
    document_cache_size: int = 2_000
    # Each caller's bucket of cost points and how fast it refills (per instance); generous, because thousands
    # of citizens can share one mobile carrier's address.
    rate_limit_points: int = 50_000
    rate_limit_restore_per_s: float = 5_000.0

    sweep_interval_s: float = 60.0  # the kindergarten deadlines' sweep in each instance; 0 turns it off
    clock_start: datetime | None = None  # development and test only: the clock starts at this instant
    log_level: str = "INFO"
    log_json: bool = False

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def dev_keys_dir(self) -> Path:
        return self.data_dir / "dev-keys"

    @model_validator(mode="after")
    def _production_is_explicit(self) -> Settings:
        if self.is_production:
            missing = [name for name, value in (("DATABASE_URL", self.database_url),) if not value]
            if not (self.jwks_url or self.jwks_file):
                missing.append("GOVGRAPH_JWKS_URL or GOVGRAPH_JWKS_FILE")
            if not (self.code_keys and self.code_key_id):
                missing.append("GOVGRAPH_CODE_KEYS and GOVGRAPH_CODE_KEY_ID")
            if missing:
                raise ValueError(f"production mode needs {', '.join(missing)}")
            if self.clock_start is not None:
                raise ValueError("GOVGRAPH_CLOCK_START is refused in production mode")
        if self.clock_start is not None and self.clock_start.tzinfo is None:
            raise ValueError("GOVGRAPH_CLOCK_START needs a UTC offset, e.g. 2026-01-05T09:00:00+05:00")
        return self
