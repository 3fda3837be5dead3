"""The directory as Open Referral HSDS 3 JSON: readable from any origin, cacheable."""

from flask import Blueprint, abort, request
from flask_babel import force_locale

from safernights import hsds, services

bp = Blueprint("api", __name__, url_prefix="/api")


def _number(name, default, highest):
    """A whole-number query parameter within 1..highest; a 400 explains anything else."""
    value = request.args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= highest:
        abort(400, description=f"{name} must be a whole number from 1 to {highest}")
    return int(value)


@bp.get("/services")
def service_list():
    """A page of services, optionally for one need (?need=, ?page=, ?per_page=)."""
    need = request.args.get("need")
    if need is not None and need not in services.NEEDS:
        abort(400, description=f"need must be one of: {', '.join(services.NEEDS)}")
    found = [s for s in services.directory().services if need is None or need in s.needs]
    per_page = _number("per_page", hsds.PER_PAGE, hsds.MAX_PER_PAGE)
    number = _number("page", 1, max(1, -(-len(found) // per_page)))
    return hsds.page(found, number, per_page)


@bp.get("/services/<service_id>")
def service_detail(service_id):
    """One service in full, by its HSDS UUID or our own id."""
    directory = services.directory()
    found = directory.get(service_id) or next(
        (s for s in directory.services if hsds.uid(s.id) == service_id), None
    )
    if found is None:
        abort(404, description=f"no service {service_id!r}")
    with force_locale("en"):
        return hsds.full(
            found,
            {k: str(v) for k, v in services.NEEDS.items()},
            {k: str(v) for k, v in services.AREAS.items()},
        )
