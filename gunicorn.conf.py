"""gunicorn settings, used by the Procfile and by `make run`. bench/settings.md holds the measurements
behind each choice (`make bench-settings`)."""

import multiprocessing
import os

from safernights import serving

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers: every request is short and CPU-bound (a page from memory, one small write for a scan),
# so threads only add switching.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Build the app once before forking: content is read and checked, static files built, one time only,
# and a broken content file stops the master before any worker starts.
preload_app = True
# A request that cannot be ours is refused before it reaches the app. Our longest address is 90
# characters (tests/public_urls.txt); browsers send about 15 headers.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 8190
# A page takes about a millisecond: a worker silent for 10 s is stuck and is replaced.
timeout = 10
graceful_timeout = 10
# gunicorn trusts X-Forwarded-Proto and friends from 127.0.0.1 by default; the app trusts them only
# from PROXY_COUNT proxies (safernights/security.py), so gunicorn trusts none.
forwarded_allow_ips = ""
# No gunicornc control socket: nothing uses it, and instances on one machine would share its path.
control_socket_disable = True
# No access log: it would hold readers' IP addresses. Errors still go to stderr, without addresses.
accesslog = None
errorlog = "-"


def on_starting(server):
    serving.use(server)
