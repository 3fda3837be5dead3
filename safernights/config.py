"""Settings from environment variables, each with a safe default so zero configuration works."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

# name -> (default, meaning); the README lists the same table for people deploying the site.
SETTINGS = {
    "SITE_NAME": ("Safer Nights", "the name shown in titles and the header"),
    "BASE_URL": ("http://127.0.0.1:8000", "public address of the site, used for absolute links"),
    "EXIT_URL": ("https://www.bbc.co.uk/weather", "neutral page the Exit button goes to"),
    "CONTENT_DIR": (str(ROOT / "content"), "folder holding the campaign's words"),
    "PROXY_COUNT": ("0", "how many trusted proxies sit in front of the app (0 trusts none)"),
    "DATABASE_URL": ("", "where scan counts go: empty for SQLite in the instance folder, or postgresql://…"),
    "ADMIN_TOKEN": ("", "password for /admin/scans; empty: the dashboard does not exist"),
    "LOGO_DIR": ("", "folder of partners' logos (.svg, .png) for the foot of every poster; empty: none"),
}


def is_public(base_url):
    """Whether an address can reach this site from a phone on the street: not this machine, not a
    private network, not a .local or localhost name. QR codes printed for any other are dead."""
    host = (urlsplit(base_url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host  # a name in the public DNS; a bare name is a machine on this network


def from_environment(environ=os.environ):
    """Return the settings as a dict, taking each from the environment when it is set."""
    values = {name: environ.get(name, default) for name, (default, _) in SETTINGS.items()}
    values["BASE_URL"] = values["BASE_URL"].rstrip("/")
    values["PROXY_COUNT"] = int(values["PROXY_COUNT"])
    # Opening hours, "open now" and dates are all in UK time, wherever the server runs.
    values["BABEL_DEFAULT_TIMEZONE"] = "Europe/London"
    return values
