"""Requests with 360 KB of Accept-Language, as an abuser sends them, for tests/test_faults.py:
    python bench/huge_headers.py <port> <seconds> [connections] [megabits a second, all together]
45 lines of 8 KB, which gunicorn joins into one value. (wrk cannot send them: it checks each
request with a parser that refuses over 80 KB of headers.) Each connection sends one request after
another; with a rate, no faster than that together, as a real link carries them (loopback has no
such limit). Prints "sent N answered M p50 X ms". Its own process, so the abuse costs the test that
measures the reader nothing."""

import socket
import statistics
import sys
import threading
import time

LINE = b"Accept-Language: pl-PL,pl;q=0.9," + b"en;q=0.1," * 900 + b"\r\n"
REQUEST = b"GET /en/consent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + LINE * 45 + b"\r\n"


def abuse(port, until, every, latencies):
    """Requests on new connections until `until`, one every `every` seconds at most."""
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(REQUEST)
                while connection.recv(65536):
                    pass
            latencies.append((time.monotonic() - started) * 1000)
        except OSError:
            latencies.append(None)
        time.sleep(max(0, started + every - time.monotonic()))


def main(port, seconds, connections=6, megabits=0):
    until, latencies = time.monotonic() + seconds, []
    every = connections * len(REQUEST) * 8 / (megabits * 1e6) if megabits else 0
    threads = [
        threading.Thread(target=abuse, args=(port, until, every, latencies)) for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = [ms for ms in latencies if ms is not None]
    p50 = statistics.median(answered) if answered else float("nan")
    print(f"sent {len(latencies)} answered {len(answered)} p50 {p50:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), *map(int, sys.argv[3:]))
