"""Shop: the order, catalogue and checkout service behind the storefront."""

from __future__ import annotations

__version__ = "1.4.2"

__all__ = ["__version__", "create_app"]


def create_app(settings=None):
    """Build the Flask application with every blueprint registered.

    ``settings`` defaults to :func:`shop.settings.load_settings`, which reads the environment.
    """
    from flask import Flask

    from shop.api.routes import api
    from shop.repository import init_engine
    from shop.settings import load_settings

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(settings.as_flask_config())
    init_engine(settings.database_url, echo=settings.debug)
    app.register_blueprint(api, url_prefix="/api/v1")
    return app
