"""wrk's load on one address, and on several in rounds: requests/s, p50/p99 latency and errors.
Used by bench/run.py, bench/settings.py, bench/slow_clients.py and bench/soak.py.
"""

import re
import subprocess
from pathlib import Path

CONNECTIONS = 64
DURATION = "10s"
THREADS = 2
ROUNDS = 3  # each target is loaded this many times, in turn with the others; the median run counts
SCANS_SCRIPT = Path(__file__).resolve().parent / "scans.lua"  # every scan from another phone


def percentile(output, share):
    """A latency percentile from wrk's --latency table, in milliseconds."""
    match = re.search(rf"^\s*{share}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    if not match:
        raise SystemExit(f"no {share}% latency in wrk's output:\n{output}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[match.group(2)]


def load(url):
    """requests/s, p50 and p99 in ms, and errors, for one URL at CONNECTIONS connections; a QR scan
    is sent from another phone each time (SCANS_SCRIPT)."""
    script = [f"--script={SCANS_SCRIPT}"] if "/q/" in url else []
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *script]
    output = subprocess.run(
        [*command, "-H", "Accept-Encoding: gzip", url],
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


def load_in_rounds(targets):
    """Load each (name, url) ROUNDS times, taking turns so a slow spell of this shared machine hits
    every target alike; keep each target's median run by requests/s, and every run's errors."""
    runs = {name: [] for name, _ in targets}
    for _ in range(ROUNDS):
        for name, url in targets:
            runs[name].append(load(url))
    results = {}
    for name, measured in runs.items():
        median = sorted(measured, key=lambda run: run["rps"])[len(measured) // 2]
        results[name] = {**median, "errors": sum(run["errors"] for run in measured), "runs": measured}
    return results
