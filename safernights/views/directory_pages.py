"""The support services directory: who to call now, in the reader's language."""

from flask import Blueprint, abort, render_template, request

from safernights import directory, http_cache, needs

bp = Blueprint("directory", __name__)


def filters():
    """(need, open now, whether a value was ignored) from ?need= and ?open=now. An unknown value is
    never echoed back: a link could put any words on a safety page ("call this number instead")."""
    need, open_now = request.args.get("need"), request.args.get("open")
    ignored = bool(need and need not in needs.NEEDS) or bool(open_now and open_now != "now")
    return (need if need in needs.NEEDS else None), open_now == "now", ignored


def this_minute():
    """Open now and opening times change by the minute: a page is kept for the minute it was made."""
    return directory.now().replace(second=0, microsecond=0)


def listing_key():
    return (this_minute(), request.path, *filters())


@bp.get("/<lang:lang>/services")
@http_cache.cached(listing_key, for_the_minute=True)
def listing():
    """Services to call, open now and 24/7 first; ?need= and ?open=now filter, bad values are ignored."""
    need, open_now, ignored = filters()
    at, services = directory.now(), directory.current()
    # Every card is sent, the ones not chosen hidden, so that site.js can filter without a reload.
    shown = services.listing(at, need=need, open_now=open_now)
    return render_template(
        "services.html", every=services.listing(at), shown=shown, need=need, open_now=open_now,
        ignored=ignored, at=at,
    )  # fmt: skip


@bp.get("/<lang:lang>/services/<service_id>")
@http_cache.cached(lambda: (this_minute(), request.path), for_the_minute=True)
def detail(service_id):
    """Everything we know about one service, with all its hours."""
    service = directory.current().get(service_id)
    if service is None:
        abort(404)
    return render_template("service.html", service=service, at=directory.now())
