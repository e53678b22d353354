"""earful.toml: brands, sources, SLA targets, alert routes, storage.

Validated at load with pydantic. Every problem becomes a ConfigError naming the key path
(``brands[0].sla.first_response_minutes``) and the fix. Secrets are references, never literals:
``{ env = "REDDIT_CLIENT_SECRET" }`` or ``{ file = "/run/secrets/reddit" }``, resolved at load into
SecretStr values that print as ``**********``.
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime, time
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from earful.errors import ConfigError
from earful.model import PLATFORMS
from earful.sla import DAYS, BusinessHours, deadline

COLLECTED_PLATFORMS = tuple(p for p in PLATFORMS if p != "file")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class SecretRef(Strict):
    """A reference to a secret: exactly one of env or file."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one(self) -> SecretRef:
        if bool(self.env) == bool(self.file):
            raise ValueError('give exactly one of env = "NAME" or file = "PATH"')
        return self

    def resolve(self, key: str) -> SecretStr:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(key, f"environment variable {self.env} is not set or empty",
                                  f"export {self.env}=... before starting earful, or disable this source")
            return SecretStr(value)
        path = Path(os.path.expanduser(self.file or ""))
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(key, f"cannot read secret file {path}: {exc.strerror}",
                              "create the file with the secret in it, readable by earful") from None
        if not value:
            raise ConfigError(key, f"secret file {path} is empty", "put the secret in the file")
        return SecretStr(value)


Secret = SecretRef | None


class BusinessHoursConfig(Strict):
    timezone: str = "UTC"
    days: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    start: str = "09:00"
    end: str = "17:00"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as \"Europe/Warsaw\"") from None
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if d.lower()[:3] not in DAYS]
        if bad or not value:
            raise ValueError(f"days must be a non-empty list of {', '.join(DAYS)}")
        return value

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day; write it as \"09:00\"") from None
        return value

    @model_validator(mode="after")
    def _order(self) -> BusinessHoursConfig:
        if time.fromisoformat(self.end) <= time.fromisoformat(self.start):
            raise ValueError("end must be later than start")
        return self

    def hours(self) -> BusinessHours:
        return BusinessHours(ZoneInfo(self.timezone), frozenset(DAYS.index(d.lower()[:3]) for d in self.days),
                             time.fromisoformat(self.start), time.fromisoformat(self.end))


class Sla(Strict):
    first_response_minutes: float = Field(60, gt=0)
    warn_fraction: float = Field(0.75, gt=0, lt=1)
    escalate_multiple: float = Field(3.0, gt=1)
    per_platform: dict[str, float] = Field(default_factory=dict)
    business_hours: BusinessHoursConfig | None = None

    @field_validator("per_platform")
    @classmethod
    def _platforms(cls, value: dict[str, float]) -> dict[str, float]:
        for name, minutes in value.items():
            if name not in PLATFORMS:
                raise ValueError(f"unknown platform {name!r}; use one of {', '.join(PLATFORMS)}")
            if minutes <= 0:
                raise ValueError(f"{name}: minutes must be > 0")
        return value

    def target_minutes(self, platform: str) -> float:
        return self.per_platform.get(platform, self.first_response_minutes)

    def deadline(self, start: datetime, platform: str, fraction: float = 1.0) -> datetime:
        """When `fraction` of the platform's target has passed after `start` (in business time if set)."""
        hours = self.business_hours.hours() if self.business_hours else None
        return deadline(start, self.target_minutes(platform) * fraction, hours)


class Brand(Strict):
    name: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)
    accounts: dict[str, list[str]] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=lambda: ["en"])
    competitors: list[str] = Field(default_factory=list)
    case_intents: list[str] = Field(default_factory=lambda: ["complaint"])
    sla: Sla = Field(default_factory=Sla)

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in PLATFORMS:
                raise ValueError(f"unknown platform {name!r}; use one of {', '.join(PLATFORMS)}")
        return value

    @field_validator("case_intents")
    @classmethod
    def _intents(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in ("complaint", "question"):
                raise ValueError(f"{name!r} cannot open cases; use 'complaint' and optionally 'question'")
        return value

    def handles(self, platform: str) -> set[str]:
        """The brand's own account names on a platform, lower-case, without a leading @."""
        return {a.lower().lstrip("@") for a in self.accounts.get(platform, [])}


class Source(Strict):
    enabled: bool = True
    poll_seconds: float = Field(60, gt=0)
    backfill_hours: float = Field(24, ge=0)
    timeout_seconds: float = Field(20, gt=0)


class RedditSource(Source):
    client_id: Secret = None
    client_secret: Secret = None
    username: str | None = None
    password: Secret = None
    user_agent: str = "earful:monitor:0.1 (self-hosted)"
    subreddits: list[str] = Field(default_factory=list)
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    required_secrets: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")


class XSource(Source):
    bearer_token: Secret = None
    api_url: str = "https://api.twitter.com"
    monthly_post_cap: int = Field(2_000_000, gt=0)
    required_secrets: ClassVar[tuple[str, ...]] = ("bearer_token",)


class BlueskySource(Source):
    jetstream_url: str = "wss://jetstream2.us-east.bsky.network/subscribe"
    pds_url: str = "https://bsky.social"
    identifier: str | None = None
    app_password: Secret = None
    required_secrets: ClassVar[tuple[str, ...]] = ()


class MastodonSource(Source):
    instances: list[str] = Field(default_factory=lambda: ["https://mastodon.social"])
    hashtags: list[str] = Field(default_factory=list)
    access_token: Secret = None
    stream: bool = True  # follow the streaming API when access_token is set
    stream_seconds: float = Field(600, gt=0)  # how long one collection call follows the stream
    required_secrets: ClassVar[tuple[str, ...]] = ()


class HackerNewsSource(Source):
    api_url: str = "https://hn.algolia.com/api/v1"
    required_secrets: ClassVar[tuple[str, ...]] = ()


class RssSource(Source):
    feeds: list[str] = Field(default_factory=list)
    required_secrets: ClassVar[tuple[str, ...]] = ()


class Sources(Strict):
    x: XSource | None = None
    reddit: RedditSource | None = None
    bluesky: BlueskySource | None = None
    mastodon: MastodonSource | None = None
    hackernews: HackerNewsSource | None = None
    rss: RssSource | None = None

    def enabled(self) -> dict[str, Source]:
        return {name: src for name in COLLECTED_PLATFORMS
                if (src := getattr(self, name)) is not None and src.enabled}


AlertKind = Literal["new_case", "sla_warning", "sla_breach", "sla_escalation", "source_silent"]


class AlertRoute(Strict):
    name: str = Field(min_length=1)
    webhook: Secret = None
    kinds: list[AlertKind] = Field(default_factory=lambda: ["new_case", "sla_warning", "sla_breach"])
    brands: list[str] = Field(default_factory=list)
    min_priority: int = Field(0, ge=0, le=3)


class Alerts(Strict):
    routes: list[AlertRoute] = Field(default_factory=list)
    max_attempts: int = Field(12, ge=1)


class Storage(Strict):
    db: str = "earful.duckdb"
    export_dir: str = "export"


class Dashboard(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8501, ge=1, le=65535)
    refresh_seconds: float = Field(10, gt=0)


class Config(Strict):
    brands: list[Brand] = Field(default_factory=list)
    sources: Sources = Field(default_factory=Sources)
    alerts: Alerts = Field(default_factory=Alerts)
    storage: Storage = Field(default_factory=Storage)
    dashboard: Dashboard = Field(default_factory=Dashboard)
    # resolved secrets, keyed by dotted path; never printed
    secrets: dict[str, SecretStr] = Field(default_factory=dict, exclude=True)

    def brand(self, name: str | None) -> Brand | None:
        for brand in self.brands:
            if name is not None and brand.name.lower() == name.lower():
                return brand
        return None

    def secret(self, key: str) -> str | None:
        value = self.secrets.get(key)
        return value.get_secret_value() if value is not None else None


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("SecretRef",) or str(part).startswith("function-"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


_FIXES = {
    "extra_forbidden": "remove it or check its spelling; `earful init` writes a commented example",
    "missing": "add it",
    "string_type": "write it as a quoted string",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "bool_parsing": "write true or false",
    "list_type": 'write a list, e.g. ["a", "b"]',
    "dict_type": "write a table",
    "model_type": 'write a table, e.g. { env = "NAME" }',
    "literal_error": "use one of the allowed values",
    "greater_than": "use a larger number",
    "greater_than_equal": "use a larger number",
    "less_than": "use a smaller number",
    "less_than_equal": "use a smaller number",
}


def _from_validation(exc: ValidationError) -> ConfigError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    key = _loc(first["loc"])
    fix = _FIXES.get(first["type"], "see earful.example.toml")
    if key.endswith(("client_id", "client_secret", "password", "bearer_token", "webhook", "access_token",
                     "app_password")) and first["type"] in ("model_type", "dict_type"):
        fix = 'secrets are references: write { env = "VAR_NAME" } or { file = "/path/to/secret" }'
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown key"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return ConfigError(key, problem + more, fix)


def _resolve_secrets(cfg: Config) -> None:
    for name, src in cfg.sources.enabled().items():
        for field_name in type(src).model_fields:
            ref = getattr(src, field_name)
            if isinstance(ref, SecretRef):
                cfg.secrets[f"sources.{name}.{field_name}"] = ref.resolve(f"sources.{name}.{field_name}")
        for field_name in src.required_secrets:  # type: ignore[attr-defined]
            if getattr(src, field_name) is None:
                raise ConfigError(f"sources.{name}.{field_name}", "missing secret",
                                  f'add {field_name} = {{ env = "{name.upper()}_{field_name.upper()}" }} '
                                  f"or set enabled = false")
    for i, route in enumerate(cfg.alerts.routes):
        if route.webhook is not None:
            cfg.secrets[f"alerts.routes[{i}].webhook"] = route.webhook.resolve(f"alerts.routes[{i}].webhook")


def parse(data: dict[str, Any]) -> Config:
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise _from_validation(exc) from None
    names = [b.name.lower() for b in cfg.brands]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise ConfigError(f"brands[{i}].name", f"duplicate brand name {cfg.brands[i].name!r}",
                              "give each brand a unique name")
    for i, route in enumerate(cfg.alerts.routes):
        for brand in route.brands:
            if brand.lower() not in names:
                raise ConfigError(f"alerts.routes[{i}].brands", f"unknown brand {brand!r}",
                                  f"use one of: {', '.join(b.name for b in cfg.brands) or '(no brands)'}")
    _resolve_secrets(cfg)
    return cfg


def load(path: str | os.PathLike[str]) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found", "run `earful init` to write a starter earful.toml") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "not UTF-8 text", "save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}", "fix the syntax at the line shown") from None
    return parse(data)


def default_config() -> Config:
    """The configuration used when none is given (for `earful import` and `classify`)."""
    return parse({})
