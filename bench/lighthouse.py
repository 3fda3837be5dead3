"""Lighthouse's mobile audits of the site: performance, accessibility, best practices and SEO.

Run it with `.venv/bin/python bench/lighthouse.py` after `make bench/node_modules/.bin/lighthouse`. It
starts the site exactly as the Procfile does (bench/server.py's start_server) and audits a few pages in
English and in Arabic (right to left) with Lighthouse's defaults: a mobile phone, simulated slow 4G.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, start_server  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# Headless, and no requests of Chromium's own (updates, field trials, first-run pages) to the outside:
# the audit should see only the site. Lighthouse's launcher adds more flags of this kind itself.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # the benchmark may run as root, where Chromium's sandbox refuses to start
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--no-first-run",
]
# Audits that carry no pass or fail, so are never "failing".
UNSCORED = {"notApplicable", "informative", "manual"}
ATTEMPTS = 3
RUNS = 5  # per page; the median run is reported
PATHS = ["/en/", "/en/consent", "/en/services", "/ar/", "/ar/consent", "/ar/services"]


def failing_audits(report, category):
    """(id, title) of each audit of a category that scored less than full marks."""
    failing = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["scoreDisplayMode"] not in UNSCORED and audit["score"] is not None and audit["score"] < 1:
            failing.append((audit["id"], audit["title"]))
    return failing


def run_lighthouse(url):
    """Lighthouse's JSON report (the "LHR") of one URL.

    A run that fails for a reason of Lighthouse's own (no trace recorded, a page load cut short)
    is run again: they come and go on a busy machine, and Lighthouse itself says to run it again.
    """
    for attempt in range(1, ATTEMPTS + 1):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "report.json"
            command = [
                str(LIGHTHOUSE),
                url,
                f"--chrome-flags={' '.join(CHROME_FLAGS)}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={output}",
                "--quiet",
            ]
            env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            # On a runtime error Lighthouse still writes its report, then exits with an error.
            report = json.loads(output.read_text()) if output.exists() else None
        if report and "runtimeError" not in report:
            return report
        error = report["runtimeError"]["message"] if report else result.stderr.strip()
        print(f"lighthouse {url}, attempt {attempt} of {ATTEMPTS}: {error}", file=sys.stderr)
    raise SystemExit(f"lighthouse could not audit {url}")


def scores_of(report):
    """The four scores of one report, 0-100 (None when Lighthouse gave none)."""
    return {
        category: None if (score := report["categories"][category]["score"]) is None else round(score * 100)
        for category in CATEGORIES
    }


def audit(base, paths):
    """For each path, the median of RUNS runs by performance (Lighthouse's own advice, as one run's
    performance score swings on a shared machine): its four scores, every run's performance score,
    the failing audits of each category below 100, and Lighthouse's warnings about the run."""
    results = {}
    for path in paths:
        reports = sorted(
            (run_lighthouse(base + path) for _ in range(RUNS)),
            key=lambda report: scores_of(report)["performance"] or 0,
        )
        report = reports[len(reports) // 2]
        scores = scores_of(report)
        failing = {
            category: failing_audits(report, category) for category in CATEGORIES if scores[category] != 100
        }
        results[path] = {
            "scores": scores,
            "performance_runs": [scores_of(each)["performance"] for each in reports],
            "failing": failing,
            "warnings": report.get("runWarnings", []),
        }
    return results


def main():
    port = free_port()
    server = start_server(port)
    try:
        results = audit(f"http://127.0.0.1:{port}", PATHS)
    finally:
        server.terminate()
        server.wait()
    print("| page | " + " | ".join(CATEGORIES) + " |")
    print("|---|" + "---:|" * len(CATEGORIES))
    for path, result in results.items():
        print(f"| {path} | " + " | ".join(str(result["scores"][c]) for c in CATEGORIES) + " |")
    for path, result in results.items():
        for category, audits in result["failing"].items():
            for audit_id, title in audits:
                print(f"{path} {category}: {audit_id}: {title}")
        for warning in result["warnings"]:
            print(f"{path} warning: {warning}")


if __name__ == "__main__":
    main()
