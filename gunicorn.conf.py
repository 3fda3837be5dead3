"""gunicorn settings, used by the Procfile and by `make run`. bench/settings.md holds the measurements
behind each choice (`make bench-settings`)."""

import multiprocessing
import os
import time

from safernights import gunicorn_hooks, scan_counts

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers, one per core and one more: every request is CPU work of about a millisecond (a page
# from memory, one small write for a scan), with no I/O to wait on, so gunicorn's 2 × cores + 1 and
# threads only add switching. Measured on 2 cores (bench/settings.md): 3 sync workers served a page
# at 2,619/s, p99 29 ms, in 91 MiB; 5 at 1,739/s, p99 56 ms, in 138 MiB; gthread was slower.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Build the app once before forking: content is read and checked, static files built, one time only,
# and a broken content file stops the master before any worker starts. Measured: the workers share
# that memory (91 MiB against 101 without) and answer 0.6 s after launch instead of 1.4 s.
preload_app = True
# A request that cannot be ours is refused before it reaches the app: our longest address is 90
# characters (tests/public_urls.txt); the app reads Host, Accept-Language, Accept-Encoding,
# If-None-Match, If-Modified-Since and Authorization (and X-Forwarded-* with PROXY_COUNT), so half
# gunicorn's default number of headers is plenty; each keeps its default size.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 8190
# A page takes about a millisecond: a worker silent for 10 s is stuck and is replaced. A sync worker
# also waits on a connection that sends nothing, so 10 s rather than 30 frees it sooner. On the open
# internet nginx takes those instead (tools/serve-behind-nginx): with 50 connections sending headers
# a byte a second and 50 silent ones for 30 s, sync alone answered none of a reader's pages within
# 5 s; behind nginx every one, p99 1.4 ms. gthread (64 threads) lost some and raised the page p99 at
# 64 connections from 19 ms to 136-150 ms; gevent stalled whole workers on a locked database
# (bench/settings.md, "Slow and idle clients").
timeout = 10
graceful_timeout = 10
# gunicorn trusts X-Forwarded-Proto and friends from 127.0.0.1 by default; the app trusts them only
# from PROXY_COUNT proxies (safernights/security.py), so gunicorn trusts none.
forwarded_allow_ips = ""
# gunicorn's C parser (gunicorn_h1c, from gunicorn's author), required: the pure-Python one
# scans the whole header block again for every 8 KB it reads, so 360 KB of headers cost a worker
# 40 ms of CPU; the C parser, 2.6 ms (bench/headers.py). Behind nginx such a request never reaches
# gunicorn (0.2 ms, nginx's refusal).
http_parser = "fast"
# No gunicornc control socket: nothing uses it, and instances on one machine would share its path.
control_socket_disable = True
# No access log: it would hold readers' IP addresses. Errors still go to stderr, without addresses.
accesslog = None
errorlog = "-"


def on_starting(server):
    gunicorn_hooks.use(server)
    # The app is preloaded, and gunicorn listens only after this hook: every page is built here once
    # for all the workers (4.8 s with new content, 2.0 s without), so no reader waits while one is
    # built. Built on first request, the first Polish phone after a start waited 0.6 s for its pack.
    started = time.monotonic()
    built = server.app.wsgi().extensions["static_files"].pages.build_all()
    server.log.info("Built %d pages in %.1f s", built, time.monotonic() - started)


def worker_exit(server, worker):
    # A worker that stops writes the scans it still holds (scan_counts.py); worker.wsgi is the app.
    scan_counts.write_held(worker.wsgi)
