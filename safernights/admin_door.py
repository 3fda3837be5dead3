"""The door to the campaign team's dashboard: HTTP Basic with ADMIN_TOKEN, and nothing about who knocks.

- The token is at least MIN_LENGTH characters: start-up refuses a shorter one (the README shows how
  to make one), so `ADMIN_TOKEN=a` cannot open the counts to anyone who guesses.
- Wrong passwords are limited without storing any address: after MAX_FAILURES in a minute a worker
  refuses every sign-in (429, Retry-After) until that minute has passed. No sleep: a sync worker
  held to slow a guesser would be a worker taken from readers.
- Each refusal and each lock is logged with counts only.
- When BASE_URL is https, the password is never taken over plain http.
"""

import hmac
import threading
import time

from flask import abort, current_app, request

MIN_LENGTH = 20  # characters; secrets.token_urlsafe(24) gives 32
MAX_FAILURES = 5  # wrong passwords per worker per minute, then the door shuts for the minute
WINDOW = 60  # seconds
CHALLENGE = {
    "WWW-Authenticate": 'Basic realm="Safer Nights campaign team", charset="UTF-8"',
    "Content-Type": "text/plain; charset=utf-8",
}


class Door:
    """Failures in the current minute, counted for this worker only, and nothing else."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.failures = []  # monotonic times of wrong passwords within WINDOW

    def shut_for(self):
        """Seconds until the door opens again; 0 when it is open."""
        with self.lock:
            now = self.clock()
            self.failures = [at for at in self.failures if now - at < WINDOW]
            if len(self.failures) < MAX_FAILURES:
                return 0
            return int(WINDOW - (now - self.failures[0])) + 1

    def failed(self):
        """Count a wrong password; return how many in the last minute."""
        with self.lock:
            self.failures.append(self.clock())
            return len(self.failures)


def password_given():
    """The password of an HTTP Basic Authorization header; None for anything else."""
    try:
        authorization = request.authorization
    except ValueError:  # werkzeug fails on a header with bytes that are not ASCII
        return None
    return authorization.password if authorization and authorization.type == "basic" else None


def check():
    """Before every dashboard request: 404 without a token, then https, the lock, the password."""
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        abort(404)
    if current_app.config["BASE_URL"].startswith("https://") and not request.is_secure:
        return "The dashboard is only served over https.", 403, {"Content-Type": CHALLENGE["Content-Type"]}
    door = current_app.extensions["admin_door"]
    wait = door.shut_for()
    if wait:
        return (
            "Too many wrong passwords: try again in a minute.",
            429,
            {**CHALLENGE, "Retry-After": str(wait)},
        )
    given = password_given()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        if given:  # a wrong password, not a browser asking before it prompts
            count = door.failed()
            current_app.logger.warning("dashboard: wrong password (%d in the last minute here)", count)
        return "Sign in with the campaign team's password.", 401, CHALLENGE
    return None


def init_app(app):
    token = app.config["ADMIN_TOKEN"]
    if token and len(token) < MIN_LENGTH:
        raise ValueError(
            f"ADMIN_TOKEN is {len(token)} characters: use at least {MIN_LENGTH}, for example "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    app.extensions["admin_door"] = Door()
