from __future__ import annotations

from shop.settings import load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.currency == "EUR"
    assert not settings.debug


def test_feature_flags_from_env() -> None:
    settings = load_settings({"SHOP_FEATURE_NEW_CHECKOUT": "yes", "SHOP_DEBUG": "1"})
    assert settings.enabled("new_checkout")
    assert settings.debug
