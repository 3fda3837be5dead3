"""The benchmark: start the site exactly as the Procfile does, load it with wrk, weigh its pages and
offline packs, and time how long one visit on a weak signal takes to save a language for offline.

Writes bench/results.md. Run it with `make bench` (see bench/README.md).
"""

import csv
import gzip
import http.client
import io
import json
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.postgres import TemporaryPostgres  # noqa: E402
from bench.throttle import ThrottlingProxy  # noqa: E402
from safernights import config, content, qr  # noqa: E402

CONNECTIONS = 64
DURATION = "10s"
THREADS = 2
HTML_BUDGET, FIRST_VISIT_BUDGET = 14 * 1024, 30 * 1024  # bytes gzipped, from issue 2
PACK_BUDGET = 150 * 1024  # bytes transferred: one language's pages and the shell, from issue 4
EXACT_SCANS = 1000  # sent after the timed run, 64 at a time, each of which must be counted
BENCH_AUTH = "YmVuY2g6YmVuY2g="  # base64 of "bench:bench", the ADMIN_TOKEN of the benchmark's servers
WEAK_SIGNAL = {"bits_per_second": 400_000, "round_trip": 0.4}  # issue 4: 400 kbit/s, 400 ms


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port, **settings):
    """Run the Procfile's web command with PORT (and any settings) set, and wait until it answers."""
    command = re.search(r"^web:\s*(.+)$", (ROOT / "Procfile").read_text(), re.M).group(1)
    env = {
        **os.environ,
        **settings,
        "PORT": str(port),
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    server = subprocess.Popen(shlex.split(command), cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def fetch(url, encodings="gzip"):
    """The body as sent (compressed when the server compresses), and the headers."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encodings})
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers


def fetch_text(url):
    body, headers = fetch(url)
    return (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode()


def percentile(output, share):
    """A latency percentile from wrk's --latency table, in milliseconds."""
    match = re.search(rf"^\s*{share}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    if not match:
        raise SystemExit(f"no {share}% latency in wrk's output:\n{output}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[match.group(2)]


def load(url):
    """requests/s, p50 and p99 in ms, and errors, for one URL at CONNECTIONS connections."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "--latency",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: \w+) (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": percentile(output, 50),
        "p99": percentile(output, 99),
        "errors": errors,
    }


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


def offline_packs(base):
    """Bytes transferred for each language's offline pack, compressed as a browser gets it."""
    script = fetch_text(base + "/sw.js")
    packs = json.loads(re.search(r"const PACKS = (.*);", script).group(1))
    shell = json.loads(re.search(r"const SHELL = (.*);", script).group(1))
    shell_bytes = sum(len(fetch(base + url, "gzip, br")[0]) for url in shell)
    return {
        lang: (len(urls), shell_bytes + sum(len(fetch(base + url, "gzip, br")[0]) for url in urls))
        for lang, urls in packs.items()
    }


def time_to_save_pack(port, first_page="/pl/consent"):
    """Seconds from a first visit on a weak signal until the page shows and until its pack is saved."""
    proxy = ThrottlingProxy(port, **WEAK_SIGNAL)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--disable-background-networking", "--disable-component-update", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 360, "height": 740})
            started = time.monotonic()
            page.goto(f"http://127.0.0.1:{proxy.port}{first_page}")
            shown = time.monotonic() - started
            # The worker activates only after its install step has saved the whole pack.
            page.evaluate("navigator.serviceWorker.ready")
            saved = time.monotonic() - started
            names = page.evaluate("caches.keys()")
            browser.close()
    finally:
        proxy.stop()
    return shown, saved, names


def qr_versions():
    """(short address, QR version, modules per side) of every code at the configured BASE_URL."""
    settings = config.from_environment()
    codes = qr.load(settings["CONTENT_DIR"], content.load(settings["CONTENT_DIR"]))
    return [
        (qr.short_url(settings["BASE_URL"], name), *qr.version(settings["BASE_URL"], name))
        for name in sorted(codes)
    ]


def scan_once(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/q/card")
    connection.getresponse().read()
    connection.close()


def scan_counts(port):
    """Scans counted per code, read from the dashboard's CSV."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/admin/scans.csv", headers={"Authorization": "Basic " + BENCH_AUTH}
    )
    with urllib.request.urlopen(request) as response:
        counts = Counter()
        for row in csv.DictReader(io.StringIO(response.read().decode())):
            counts[row["code"]] += int(row["scans"])
        return counts


def scan_rates():
    """The QR redirect on SQLite and on PostgreSQL: load, and whether every scan was counted."""
    postgres = TemporaryPostgres()
    folder = tempfile.mkdtemp()
    results = []
    try:
        for name, url in [("SQLite", f"sqlite:///{folder}/scans.sqlite3"), ("PostgreSQL", postgres.url)]:
            port = free_port()
            server = start_server(port, DATABASE_URL=url, ADMIN_TOKEN="bench")
            try:
                result = load(f"http://127.0.0.1:{port}/q/consent")
                # wrk stops mid-flight, so also send an exact number and check that many are counted.
                with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
                    list(pool.map(scan_once, [port] * EXACT_SCANS))
                time.sleep(1)  # s: each scan is counted just after its redirect is sent
                counted = scan_counts(port)
            finally:
                server.terminate()
                server.wait()
            results.append((f"QR scan /q/consent, {name}", result, counted))
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {system}"


def main():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        css = re.search(r'href="(/static/css/[^"]+)"', fetch_text(base + "/en/")).group(1)
        targets = [
            ("static file (the ceiling): " + css, base + css),
            ("topic page /en/consent", base + "/en/consent"),
        ]
        results = [(name, load(url)) for name, url in targets]
        weights = page_weights(base)
        packs = offline_packs(base)
        shown, saved, caches = time_to_save_pack(port)
    finally:
        server.terminate()
        server.wait()
    scanned = scan_rates()
    codes = qr_versions()
    ceiling = results[0][1]["rps"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Server: the Procfile's command (gunicorn + WhiteNoise). Load: wrk, {CONNECTIONS} connections, "
        f"{THREADS} threads, {DURATION} each, on the same machine, gzip accepted.",
        "",
        "| target | requests/s | p50 ms | p99 ms | errors | share of static rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results:
        share = r["rps"] / ceiling
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} | {share:.0%} |"
        )
    lines += [
        "",
        "## QR scans: the redirect, counting each scan in the database",
        "",
        "wrk's timed run, then exactly 1000 more scans of /q/card, 64 at a time. wrk reports only the",
        "requests that finished before it stopped, so the server counts up to 64 more /q/consent scans",
        "(those in flight at the cut-off); the 1000 must be counted exactly.",
        "",
        "| target | requests/s | p50 ms | p99 ms | errors | share of static rate | wrk completed "
        "| /q/consent counted | /q/card: 1000 sent, counted |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r, counted in scanned:
        share = r["rps"] / ceiling
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} | {share:.0%} "
            f"| {r['requests']} | {counted['consent']} | {counted['card']} |"
        )
    lines += [
        "",
        "## QR codes (error correction Q, 4-module quiet zone)",
        "",
        "| address | version | modules |",
    ]
    lines += [
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
    lines += [
        "",
        f"## Offline pack per language (budget {PACK_BUDGET // 1024} KB transferred)",
        "",
        "Every page of the language plus the shell (CSS, JS, icons), as sent with gzip/brotli.",
        "",
        "| language | pages | KB transferred | within budget |",
        "|---|---:|---:|---|",
    ]
    for lang, (count, size) in packs.items():
        lines.append(
            f"| {lang} | {count} | {size / 1024:.1f} | {'yes' if size <= PACK_BUDGET else '**no**'} |"
        )
    lines += [
        "",
        "## First visit on a weak signal",
        "",
        f"Chromium through a throttling proxy ({WEAK_SIGNAL['bits_per_second'] // 1000} kbit/s each way, "
        f"{WEAK_SIGNAL['round_trip'] * 1000:.0f} ms round trip) opens /pl/consent with an empty profile:",
        f"the page is shown after {shown:.1f} s; the whole Polish pack is saved (service worker active)",
        f"after {saved:.1f} s. Caches then: {', '.join(caches)}.",
    ]
    report = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
