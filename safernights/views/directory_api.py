"""The directory as Open Referral HSDS 3 JSON: readable from any origin, cacheable."""

from flask import Blueprint, abort, current_app, request
from flask_babel import force_locale

from safernights import directory, hsds, http_cache, needs

bp = Blueprint("api", __name__, url_prefix="/api")


def _number(name, default, highest):
    """A whole-number query parameter within 1..highest; a 400 explains anything else."""
    value = request.args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= highest:
        abort(400, description=f"{name} must be a whole number from 1 to {highest}")
    return int(value)


def wanted():
    """(need, page, per_page) from the query, each checked; a 400 explains a bad one."""
    need = request.args.get("need")
    if need is not None and need not in needs.NEEDS:
        abort(400, description=f"need must be one of: {', '.join(needs.NEEDS)}")
    per_page = _number("per_page", hsds.PER_PAGE, hsds.MAX_PER_PAGE)
    return need, _number("page", 1, max(1, -(-len(matching(need)) // per_page))), per_page


def matching(need):
    return [s for s in directory.current().services if need is None or need in s.needs]


def as_json(data):
    """JSON text, so that a kept answer is serialised once, not on every request."""
    return current_app.json.dumps(data), {"Content-Type": "application/json"}


@bp.get("/services")
@http_cache.cached(lambda: (request.path, *wanted()))
def service_list():
    """A page of services, optionally for one need (?need=, ?page=, ?per_page=)."""
    need, number, per_page = wanted()
    return as_json(hsds.page(matching(need), number, per_page))


@bp.get("/services/<service_id>")
@http_cache.cached()
def service_detail(service_id):
    """One service in full, by its HSDS UUID or our own id."""
    services = directory.current()
    found = services.get(service_id) or next(
        (s for s in services.services if hsds.uid(s.id) == service_id), None
    )
    if found is None:
        abort(404, description=f"no service {service_id!r}")
    with force_locale("en"):
        return as_json(
            hsds.full(
                found,
                {k: str(v) for k, v in needs.NEEDS.items()},
                {k: str(v) for k, v in directory.AREAS.items()},
            )
        )
