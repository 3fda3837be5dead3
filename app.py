"""Safer Nights: the application factory. It wires the parts together and holds no logic."""

from flask import Flask
from flask_babel import Babel

from safernights import (
    admin_door,
    assets,
    catalogs,
    config,
    content,
    directory,
    fact_check,
    header_limits,
    http_cache,
    languages,
    migrations,
    offline_pack,
    placements,
    prebuilt,
    qr_codes,
    scan_counts,
    scan_guard,
    security,
    sources,
)
from safernights.views import (
    admin,
    directory_api,
    directory_pages,
    errors,
    offline,
    pages,
    partners,
    printing,
    qr_links,
)


def create_app(overrides=None):
    """Build the site from its content folder and the environment."""
    # No Flask static route: every static file is served fingerprinted by WhiteNoise (assets.py).
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(config.from_environment())
    app.config.update(overrides or {})
    catalogs.init_app(app)
    Babel(app, locale_selector=languages.locale)
    languages.init_app(app)
    content.init_app(app)
    directory.init_app(app)
    sources.init_app(app)
    fact_check.init_app(app)
    qr_codes.init_app(app)
    migrations.init_app(app)
    placements.init_app(app)
    scan_guard.init_app(app)
    scan_counts.init_app(app)
    admin_door.init_app(app)
    security.init_app(app)
    http_cache.init_app(app)
    assets.init_app(app)
    offline_pack.init_app(app)
    for views in (pages, offline, directory_pages, directory_api, qr_links, printing, admin, partners):
        app.register_blueprint(views.bp)
    errors.init_app(app)
    prebuilt.init_app(app)
    security.behind_proxies(app)
    header_limits.init_app(app)
    return app
