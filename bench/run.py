"""The benchmark: start the site exactly as the Procfile does, load it with wrk, weigh its pages and
offline packs, and time how long one visit on a weak signal takes to save a language for offline.

Writes bench/results.md. Run it with `make bench` (see bench/README.md).
"""

import gzip
import http.client
import re
import shutil
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import lighthouse  # noqa: E402
from bench.postgres import TemporaryPostgres  # noqa: E402
from bench.server import BENCH_TOKEN, free_port, machine, start_server, stored, stored_scans  # noqa: E402
from bench.weak_signal import WEAK_SIGNAL, offline_packs, time_to_save_pack, weak_signal_limits  # noqa: E402
from bench.wrk import CONNECTIONS, DURATION, ROUNDS, THREADS, load_in_rounds  # noqa: E402
from safernights import config, content, qr_codes  # noqa: E402

# Issue 16's targets: a topic page (built once, served like a static file) at least 85% of the static
# file's rate, the directory 70%; what Flask still answers (a filtered directory, the API, scans) at
# least half, from issues 8 and 14; p99 under 50 ms with no errors. Lighthouse: 100 in all four
# categories, as issue 16 asks to keep (issue 8 had asked 95 for performance).
TOPIC_SHARE, DIRECTORY_SHARE, SHARE_TARGET, P99_TARGET = 0.85, 0.70, 0.5, 50
LIGHTHOUSE_TARGETS = {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100}
HTML_BUDGET, FIRST_VISIT_BUDGET = 14 * 1024, 30 * 1024  # bytes gzipped, from issue 2
PACK_BUDGET = 40 * 1024  # bytes on the wire: one language's whole pack in one answer, issue 16
# Issue 16, on the weak signal: the first page shown within 1.5 s, the whole pack saved within 2.5 s
# of it.
SHOWN_TARGET, SAVED_TARGET = 1.5, 2.5
EXACT_SCANS = 1000  # sent after the timed run, 64 at a time, each a new phone, each of which must be stored


def fetch(url, encodings="gzip"):
    """The body as sent (compressed when the server compresses), and the headers."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encodings})
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers


def fetch_text(url):
    body, headers = fetch(url)
    return (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode()


def page_weights(base):
    """Gzipped HTML size of every page, and the page with its CSS and JS on a first visit."""
    rows = []
    pages, _ = content.read_all(ROOT / "content")
    for page in pages:
        path = f"/{page.lang}/" if page.slug == content.HOME else f"/{page.lang}/{page.slug}"
        body, _ = fetch(base + path)
        html = gzip.decompress(body).decode()
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        first_visit = len(body) + sum(len(fetch(base + asset)[0]) for asset in assets)
        rows.append((path, len(body), first_visit))
    return rows


def qr_versions():
    """(short address, QR version, modules per side) of every code at the configured BASE_URL."""
    settings = config.from_environment()
    codes = qr_codes.load(settings["CONTENT_DIR"], content.load(settings["CONTENT_DIR"]))
    return [
        (qr_codes.short_url(settings["BASE_URL"], name), *qr_codes.version(settings["BASE_URL"], name))
        for name in sorted(codes)
    ]


def scan_once(port, phone):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/q/card", headers={"User-Agent": f"Mozilla/5.0 Bench-Exact-Phone/{phone}"})
    connection.getresponse().read()
    connection.close()


def send_exact_scans(port):
    """EXACT_SCANS scans of /q/card, each from another phone, CONNECTIONS at a time, each waiting for
    its redirect (wrk stops mid-flight, so it cannot be checked this way)."""
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(scan_once, [port] * EXACT_SCANS, range(EXACT_SCANS)))


def postgres_scans():
    """The QR redirect counting into a throwaway PostgreSQL instead: load, the exact scans, and what
    the database holds once the server has stopped."""
    postgres = TemporaryPostgres()
    port = free_port()
    try:
        server = start_server(port, DATABASE_URL=postgres.url, ADMIN_TOKEN=BENCH_TOKEN)
        try:
            result = load_in_rounds([("scan", f"http://127.0.0.1:{port}/q/consent")])["scan"]
            send_exact_scans(port)
        finally:
            server.terminate()
            server.wait()
        totals = stored_scans(postgres.url)
    finally:
        postgres.stop()
    return result, totals


def figures(r):
    """The cells every load row starts with: the median run, every run's rate, its latencies, errors."""
    runs = " / ".join(f"{run['rps']:.0f}" for run in r["runs"])
    return f"{r['rps']:.0f} | {runs} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']}"


def row(name, r, ceiling, share_target):
    share = r["rps"] / ceiling
    met = share >= share_target and r["p99"] < P99_TARGET and not r["errors"]
    return f"| {name} | {figures(r)} | {share:.0%} | {share_target:.0%} | {verdict(met)} |"


def verdict(met):
    return "met" if met else "**missed**"


def main():
    folder = tempfile.mkdtemp()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sqlite = f"sqlite:///{folder}/scans.sqlite3"
    server = start_server(port, DATABASE_URL=sqlite, ADMIN_TOKEN=BENCH_TOKEN)
    try:
        css = re.search(r'href="(/static/css/[^"]+)"', fetch_text(base + "/en/")).group(1)
        # Each row: what is loaded, its address, and the share of the static file's rate it must reach.
        targets = [
            ("static file (the ceiling)", css, 1.0),
            *(("topic page", f"/{lang}/consent", TOPIC_SHARE) for lang in ("en", "pl", "ar")),
            ("directory", "/en/services", DIRECTORY_SHARE),
            ("directory filtered", "/en/services?need=sexual-violence", SHARE_TARGET),
            ("HSDS API list", "/api/services", SHARE_TARGET),
            ("QR scan, SQLite", "/q/consent", SHARE_TARGET),
        ]
        shares = {f"{what} {path}": share for what, path, share in targets}
        results = load_in_rounds([(f"{what} {path}", base + path) for what, path, _ in targets])
        send_exact_scans(port)
        weights = page_weights(base)
        packs = offline_packs(port)
        shown, saved, caches = time_to_save_pack(port)
        shown_limit, saved_limit = weak_signal_limits(port, "/pl/consent", packs["pl"])
        audits = lighthouse.audit(base, lighthouse.PATHS)
    finally:
        server.terminate()
        server.wait()
    sqlite_totals = stored_scans(sqlite)  # each worker wrote what it held as it stopped
    shutil.rmtree(folder, ignore_errors=True)
    postgres, postgres_totals = postgres_scans()
    codes = qr_versions()
    static_rate = results[f"static file (the ceiling) {css}"]["rps"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        "Server: the Procfile's command (nginx in front of gunicorn + WhiteNoise, gunicorn.conf.py). "
        f"Load: wrk, {CONNECTIONS} connections, {THREADS} threads, {DURATION} a run, on the same "
        f"machine, gzip accepted. Each target was run {ROUNDS} times, in turn with the others; the "
        "tables show the median run (errors: all runs).",
        "bench/README.md explains the figures and any target missed.",
        "",
        "## Requests per second and latency at 64 connections",
        "",
        f"Targets: a topic page at least {TOPIC_SHARE:.0%} of the static file's rate, the directory "
        f"{DIRECTORY_SHARE:.0%}, what Flask answers (a filtered directory, the API, scans) "
        f"{SHARE_TARGET:.0%}; p99 under {P99_TARGET} ms with no errors.",
        "",
        "| target | requests/s | each run | p50 ms | p99 ms | errors | share of static rate | target share "
        f"| targets met (share, p99 < {P99_TARGET} ms, no errors) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *(row(name, r, static_rate, shares[name]) for name, r in results.items()),
        "",
        "## QR scans: every scan stored once, counted or suspect",
        "",
        f"Every scan wrk sends comes from another phone (bench/scans.lua), so each one is judged and "
        "written as a real scan is. Thousands a second of one code are a flood (scan_guard.py): they are "
        "stored as suspect, apart from the counts, so the check is that counted + suspect = sent. After "
        f"the timed runs, exactly {EXACT_SCANS} more scans of /q/card, {CONNECTIONS} at a time, each from "
        "another phone and waiting for its redirect, must all be stored. wrk reports only the requests "
        f"that finished before it stopped, so up to {CONNECTIONS} more /q/consent scans per run (those in "
        "flight at the cut-off) may be stored than wrk completed. The figures are read from the database "
        "once the server has stopped (each worker writes the scans it holds as it stops).",
        "",
        f"Target: the scan redirect at least {SHARE_TARGET:.0%} of the static file's rate.",
        "",
        "| database | requests/s | each run | p50 ms | p99 ms | errors | share of static rate "
        "| /q/consent: wrk completed | stored: counted + suspect | /q/card: sent | stored | checks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r, totals in [
        ("SQLite", results["QR scan, SQLite /q/consent"], sqlite_totals),
        ("PostgreSQL", postgres, postgres_totals),
    ]:
        completed = sum(run["requests"] for run in r["runs"])
        counted, suspect = totals.get("consent", (0, 0))
        consent, card = stored(totals, "consent"), stored(totals, "card")
        met = (
            r["rps"] >= SHARE_TARGET * static_rate
            and completed <= consent <= completed + CONNECTIONS * ROUNDS
            and card == EXACT_SCANS
        )
        lines.append(
            f"| {name} | {figures(r)} | {r['rps'] / static_rate:.0%} | {completed} "
            f"| {counted} + {suspect} = {consent} | {EXACT_SCANS} | {card} | {verdict(met)} |"
        )
    lines += [
        "",
        "## Lighthouse 12, mobile (simulated slow 4G, mid-range phone)",
        "",
        "Targets: " + ", ".join(f"{name} {score}" for name, score in LIGHTHOUSE_TARGETS.items()) + ". "
        f"Each page {lighthouse.RUNS} times; the scores are the median run's by performance, with every "
        "run's performance score beside them.",
        "",
        "| page | " + " | ".join(LIGHTHOUSE_TARGETS) + " | performance, each run | targets |",
        "|---|" + "---:|" * len(LIGHTHOUSE_TARGETS) + "---:|---|",
    ]
    for path, result in audits.items():
        scores = result["scores"]
        met = all((scores[name] or 0) >= target for name, target in LIGHTHOUSE_TARGETS.items())
        cells = " | ".join(str(scores[name]) for name in LIGHTHOUSE_TARGETS)
        runs = " / ".join(str(score) for score in result["performance_runs"])
        lines.append(f"| {path} | {cells} | {runs} | {verdict(met)} |")
    failing = [
        f"- {path}, {category}: {title} (`{audit_id}`)"
        for path, result in audits.items()
        for category, found in result["failing"].items()
        for audit_id, title in found
    ]
    lines += ["", "Audits below full marks:" if failing else "No audit below full marks.", *failing]
    lines += [
        "",
        "## QR codes (error correction Q, 4-module quiet zone)",
        "",
        "| address | version | modules |",
        "|---|---:|---:|",
        *(f"| {address} | {version} | {modules}×{modules} |" for address, version, modules in codes),
    ]
    lines += [
        "",
        f"## Page weight, gzipped (budgets: {HTML_BUDGET // 1024} KB HTML, "
        f"{FIRST_VISIT_BUDGET // 1024} KB with CSS and JS on a first visit)",
        "",
        "| page | HTML bytes | with CSS and JS | within budget |",
        "|---|---:|---:|---|",
    ]
    for path, html, first in weights:
        ok = "yes" if html <= HTML_BUDGET and first <= FIRST_VISIT_BUDGET else "**no**"
        lines.append(f"| {path} | {html} | {first} | {ok} |")
    rate = WEAK_SIGNAL["bits_per_second"] / 8 / 1024  # KB a second
    lines += [
        "",
        f"## Offline pack per language, in one answer (budget {PACK_BUDGET // 1024} KB on the wire)",
        "",
        "Every page of the language and the shell (CSS, JS, icon), one JSON body as the service worker "
        "gets it (brotli), status line and headers included. The limit is what those bytes take on the "
        f"weak signal below: one round trip and the bytes at {rate:.0f} KB/s.",
        "",
        "| language | KB on the wire | within budget | limit on the weak signal, s |",
        "|---|---:|---|---:|",
    ]
    for lang, size in packs.items():
        limit = WEAK_SIGNAL["round_trip"] + size * 8 / WEAK_SIGNAL["bits_per_second"]
        lines.append(
            f"| {lang} | {size / 1024:.1f} | {'yes' if size <= PACK_BUDGET else '**no**'} | {limit:.2f} |"
        )
    lines += [
        "",
        "## First visit on a weak signal",
        "",
        f"Chromium through a throttling proxy ({WEAK_SIGNAL['bits_per_second'] // 1000} kbit/s each way, "
        f"{WEAK_SIGNAL['round_trip'] * 1000:.0f} ms round trip) opens /pl/consent with an empty profile. "
        "Times in the page's own clock: its first contentful paint, and when the service worker is "
        "active, which it is only once its install step has saved the whole Polish pack. The limit is "
        "what the link alone allows as the proxy models it (a round trip and the bytes for each "
        "request, no TCP handshake): for the page, its HTML then its CSS and script; for the pack, "
        "the worker's script then the pack.",
        "",
        "| moment | seconds | target | limit | met |",
        "|---|---:|---:|---:|---|",
        f"| first page shown (first contentful paint) | {shown:.2f} | {SHOWN_TARGET} | {shown_limit:.2f} "
        f"| {verdict(shown <= SHOWN_TARGET)} |",
        f"| whole pack saved, after the first paint | {saved:.2f} | {SAVED_TARGET} | {saved_limit:.2f} "
        f"| {verdict(saved <= SAVED_TARGET)} |",
        "",
        f"Caches then: {', '.join(caches)}.",
    ]
    report = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
