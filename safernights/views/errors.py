"""Error pages in the site's look, with the Exit button and the way back to the topics."""

from flask import g, make_response, redirect, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from safernights import content, languages


def headers_of(error):
    """The error's own headers (Allow on a 405), without its Content-Type."""
    return [(name, value) for name, value in error.get_headers() if name != "Content-Type"]


def render_error(error):
    """Any HTTP error's answer, never kept by a browser or a cache: the page may be back a minute later."""
    response = make_response(error_answer(error))
    response.headers["Cache-Control"] = "no-store"
    return response


def error_answer(error):
    """A friendly page for any HTTP error, in the reader's language, keeping headers such as Allow."""
    if request_ctx.url_adapter is None:  # a Host header werkzeug cannot read: no link can be built
        return f"{error.code} {error.name}\n", error.code, {"Content-Type": "text/plain; charset=utf-8"}
    lowercased = languages.lowercased(request.path) if error.code == 404 else None
    if lowercased:
        return redirect(lowercased, 301)
    if request.path.startswith("/api/"):
        return {"error": error.description, "status": error.code}, error.code, headers_of(error)
    # An address outside /<lang>/ (or with a language we do not have): the browser's language.
    g.setdefault("lang", languages.negotiate())
    headers = headers_of(error)
    topics = content.library().topics(languages.current())
    return render_template("error.html", error=error, topics=topics), error.code, headers


def init_app(app):
    # Unhandled exceptions reach this too, as a 500, after Flask has logged them.
    app.register_error_handler(HTTPException, render_error)
