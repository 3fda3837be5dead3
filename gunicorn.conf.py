"""gunicorn settings, used by the Procfile and by `make run`."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers: every request is short and CPU-bound (a lookup and a template), nothing waits on I/O.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Build the app once before forking: content is read and checked, static files built, one time only.
preload_app = True
# No access log: it would hold readers' IP addresses. Errors still go to stderr.
accesslog = None
errorlog = "-"
