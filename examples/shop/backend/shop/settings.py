"""Runtime settings, read once from the environment (twelve-factor style)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional


def _flag(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every knob the service reads at start-up."""

    database_url: str = "sqlite:///shop.db"
    secret_key: str = "dev-only-not-secret"
    debug: bool = False
    currency: str = "EUR"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    mail_sender: str = "orders@shop.example"
    feature_flags: Dict[str, bool] = field(default_factory=dict)

    def as_flask_config(self) -> Dict[str, object]:
        """The subset Flask itself understands, with Flask's key names."""
        return {"SECRET_KEY": self.secret_key, "DEBUG": self.debug, "JSON_SORT_KEYS": False}

    def enabled(self, flag: str) -> bool:
        return self.feature_flags.get(flag, False)


def load_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Read :class:`Settings` from ``environ`` (default: ``os.environ``), ``SHOP_``-prefixed."""
    env = os.environ if environ is None else environ
    flags = {
        key[len("SHOP_FEATURE_"):].lower(): _flag(value)
        for key, value in env.items()
        if key.startswith("SHOP_FEATURE_")
    }
    return Settings(
        database_url=env.get("SHOP_DATABASE_URL", Settings.database_url),
        secret_key=env.get("SHOP_SECRET_KEY", Settings.secret_key),
        debug=_flag(env.get("SHOP_DEBUG")),
        currency=env.get("SHOP_CURRENCY", Settings.currency),
        smtp_host=env.get("SHOP_SMTP_HOST", Settings.smtp_host),
        smtp_port=int(env.get("SHOP_SMTP_PORT", Settings.smtp_port)),
        mail_sender=env.get("SHOP_MAIL_SENDER", Settings.mail_sender),
        feature_flags=flags,
    )
