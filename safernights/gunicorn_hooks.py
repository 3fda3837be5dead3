"""What gunicorn sends and logs by itself, outside the app: its answer to a request it cannot parse,
and its error log. Used only by gunicorn.conf.py."""

import logging
import re

from gunicorn import util
from gunicorn.http import wsgi

from safernights import config, security

PEER = re.compile(r"\bip=\S+")
HEADERS_OF_ERRORS = dict(security.HEADERS)  # with HSTS too once use() has read BASE_URL
SERVER = "Safer Nights"  # not "gunicorn": the Server header need not tell anyone what to attack


def write_error(sock, status_int, reason, mesg):
    """Answer a request gunicorn could not parse: plain text with the site's safety headers.

    gunicorn's own answer is an HTML page without them that repeats part of the request back.
    """
    body = f"{status_int} {reason}\n".encode()
    headers = {
        **HEADERS_OF_ERRORS,
        "Connection": "close",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    util.write_nonblock(sock, f"HTTP/1.1 {status_int} {reason}\r\n{head}\r\n".encode("latin-1") + body)


class WithoutAddresses(logging.Filter):
    """gunicorn logs the reader's IP address with every request it cannot parse; keep the rest."""

    def filter(self, record):
        record.msg = PEER.sub("ip=(not logged)", record.getMessage())
        record.args = ()
        return True


def use(server):
    """gunicorn's on_starting hook: put these in place before any worker starts."""
    # gunicorn has no setting for any of them; its workers look write_error up on the module each
    # time, and each response reads its Server header from gunicorn.http.wsgi.SERVER.
    util.write_error = write_error
    if security.https_only(config.from_environment()["BASE_URL"]):
        HEADERS_OF_ERRORS["Strict-Transport-Security"] = security.HSTS
    wsgi.SERVER = SERVER
    server.log.error_log.addFilter(WithoutAddresses())
