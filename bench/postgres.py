"""A throwaway PostgreSQL server for the tests and the benchmark: Debian's binaries, a temporary
data folder, a free port on 127.0.0.1, stopped and deleted afterwards.

PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the package creates.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is missing: `make test` installs it as root, or apt-get install postgresql"
        )
    return os.path.dirname(found[-1])


class TemporaryPostgres:
    def __init__(self):
        self.bin = binaries()
        self.folder = tempfile.mkdtemp(prefix="safernights-pg-")
        self.data = os.path.join(self.folder, "data")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        as_root = os.geteuid() == 0
        self.prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        """Start the server (again, after a fault test has stopped it)."""
        self._run(
            "pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
        )  # fmt: skip

    def _run(self, tool, *args):
        subprocess.run([*self.prefix, os.path.join(self.bin, tool), *args], check=True, capture_output=True)

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")
