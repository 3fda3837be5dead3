"""Requests with 360 KB of Accept-Language, as an abuser sends them, for tests/test_faults.py:
    python bench/huge_headers.py <port> <seconds> [connections]
45 lines of 8 KB, which gunicorn joins into one value. (wrk cannot send them: it checks each
request with a parser that refuses over 80 KB of headers.) Prints "sent N answered M p50 X ms".
Its own process, so the abuse costs the test that measures the reader nothing."""

import socket
import statistics
import sys
import threading
import time

LINE = b"Accept-Language: pl-PL,pl;q=0.9," + b"en;q=0.1," * 900 + b"\r\n"
REQUEST = b"GET /en/consent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + LINE * 45 + b"\r\n"


def abuse(port, until, latencies):
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


def main(port, seconds, connections=6):
    until, latencies = time.monotonic() + seconds, []
    threads = [threading.Thread(target=abuse, args=(port, until, latencies)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = [ms for ms in latencies if ms is not None]
    p50 = statistics.median(answered) if answered else float("nan")
    print(f"sent {len(latencies)} answered {len(answered)} p50 {p50:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), *map(int, sys.argv[3:]))
