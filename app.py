"""Safer Nights: the application factory. It wires the parts together and holds no logic."""

from flask import Flask
from flask_babel import Babel

from safernights import assets, catalogs, config, content, delivery, languages, pwa, security, services
from safernights.views import admin, api, directory, errors, pages, partners, printing, scan
from safernights.views import pwa as pwa_views


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
    services.init_app(app)
    security.init_app(app)
    delivery.init_app(app)
    assets.init_app(app)
    pwa.init_app(app)
    scan.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(pwa_views.bp)
    app.register_blueprint(directory.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(scan.bp)
    app.register_blueprint(printing.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(partners.bp)
    errors.init_app(app)
    return app
