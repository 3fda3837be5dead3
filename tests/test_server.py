"""gunicorn as the Procfile runs it behind nginx (or alone where there is none), fed raw bytes.

These requests never reach the app through a test client: a request line that is not UTF-8, too
long or malformed, too many or too large headers, odd methods and versions, smuggling attempts. The
answer is never a 5xx (but the 501 that RFC 9112 requires for an unknown transfer coding), never a
stack trace, always with the safety headers; the error log names no reader's IP address. A broken
content or data file stops gunicorn before it listens, naming the file and line.
"""

import shutil
import socket
import time

import pytest

from bench.server import APP, GUNICORN, free_port, start_server
from safernights import prebuilt, security

from .conftest import ROOT

CRLF = b"\r\n"
# Bytes that are not an HTTP/1 request at all: gunicorn may close the connection without a word.
NOT_HTTP = [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello on the plain port
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",  # HTTP/2 preface
    b"\r\n\r\n\r\n",
]


def raw(lines, body=b""):
    return CRLF.join(lines) + CRLF + CRLF + body


GET = b"GET /en/ HTTP/1.1"
HOST = b"Host: 127.0.0.1"
BAD_BYTES = [
    raw([b"GET /en/\xff\xfe HTTP/1.1", HOST]),
    raw([b"GET /\xc0\xae\xc0\xae/app.py HTTP/1.1", HOST]),
    raw([b"GET /en/%ff%fe HTTP/1.1", HOST]),
    raw([b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", HOST]),
    raw([b"GET /static/%2e%2e/%2e%2e/app.py HTTP/1.1", HOST]),
    raw([b"GET /static/..%252f..%252fapp.py HTTP/1.1", HOST]),
    raw([b"GET /" + b"a" * 3000 + b" HTTP/1.1", HOST]),  # over limit_request_line
    raw([b"GET /en/?" + b"q=" * 2000 + b" HTTP/1.1", HOST]),
    raw([GET, HOST, b"X-Long: " + b"x" * 9000]),  # over limit_request_field_size
    raw([GET, HOST, *(b"X-%d: y" % n for n in range(60))]),  # over limit_request_fields
    raw([GET, HOST, b"Accept-Language: " + b"en;q=0.5," * 900]),
    raw([GET, HOST, b"X-Nul: a\x00b"]),
    raw([GET, HOST, b"No colon here"]),
    raw([GET, HOST, b"X-Folded: a", b" folded"]),  # obsolete line folding
    raw([GET, HOST, b"Bad Name: x"]),
    raw([b"GET /en/ HTTP/9.9", HOST]),
    raw([b"GET /en/ FTP/1.1", HOST]),
    raw([b"GET /en/", HOST]),
    raw([b"GET", HOST]),
    raw([b"G\x00T /en/ HTTP/1.1", HOST]),
    raw([b"get /en/ HTTP/1.1", HOST]),
    raw([b"A" * 100 + b" /en/ HTTP/1.1", HOST]),
    raw([b"BREW /en/ HTTP/1.1", HOST]),
    raw([b"TRACE /en/ HTTP/1.1", HOST]),
    raw([b"CONNECT evil.example:443 HTTP/1.1", HOST]),
    raw([b"OPTIONS * HTTP/1.1", HOST]),
    raw([b"GET http://evil.example/en/ HTTP/1.1", HOST]),
    raw([b"GET /en HTTP/1.1", b"Host: evil.example"]),  # a slash redirect with a forged Host
    raw([b"GET //evil.example/ HTTP/1.1", b"Host: evil.example"]),
    raw([GET, HOST, b"Host: evil.example"]),  # two Hosts
    raw([GET]),  # HTTP/1.1 without a Host
    raw([GET, b"Host: " + b"a" * 300]),
    raw([GET, HOST, b"X-Forwarded-Proto: https", b"X-Forwarded-Host: evil.example"]),
    raw([b"POST /en/ HTTP/1.1", HOST, b"Content-Length: 5", b"Content-Length: 6"], b"hello!"),
    raw([b"POST /en/ HTTP/1.1", HOST, b"Content-Length: -1"]),
    raw([b"POST /en/ HTTP/1.1", HOST, b"Transfer-Encoding: chunked", b"Content-Length: 3"], b"0\r\n\r\n"),
    raw([b"POST /en/ HTTP/1.1", HOST, b"Transfer-Encoding: chunked"], b"zz\r\nhello\r\n0\r\n\r\n"),
    raw([b"POST /en/ HTTP/1.1", HOST, b"Transfer-Encoding: gzip"]),
    raw([GET, HOST, b"Range: bytes=99999999-"]),
    raw([b"GET /static/css/x.css HTTP/1.1", HOST, b"Range: bytes=5-1,-0"]),
    raw([GET, HOST, b'If-None-Match: W/"'], b""),
    raw([b"GET /admin/scans HTTP/1.1", HOST, b"Authorization: Basic \xff\xfe"]),
    raw([b"GET /admin/scans HTTP/1.1", HOST, b"Authorization: Basic " + b"QQ==" * 1500]),
    *NOT_HTTP,
]
UNKNOWN_TRANSFER_CODING = raw([b"POST /en/ HTTP/1.1", HOST, b"Transfer-Encoding: gzip"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with gunicorn.conf.py on a free port, with no nginx in front, its error log kept."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "error.log"
    port = free_port()
    with log_path.open("w") as log:
        # As deployed: a public BASE_URL, so the log holds nothing but what gunicorn and the app say
        # about requests (the readers' address, 127.0.0.1 here, must never appear in it).
        process = start_server(
            port,
            log=log,
            command=[*GUNICORN, APP],
            ADMIN_TOKEN="campaign-team-token-0123",
            BASE_URL="https://safer.example",
        )
    yield port, log_path
    process.terminate()
    process.wait()


def exchange(port, data):
    """Send raw bytes, read the answer until gunicorn closes the connection (None: no answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    if not answer:
        return None, {}, b""
    head, _, body = answer.partition(CRLF + CRLF)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("data", BAD_BYTES, ids=range(len(BAD_BYTES)))
def test_raw_bad_requests(server, data):
    port, _ = server
    status, headers, body = exchange(port, data)
    if status is None:
        assert data in NOT_HTTP, "no answer to an HTTP request"
        return
    assert status < 500 or (status == 501 and data == UNKNOWN_TRANSFER_CODING), status
    assert b"Traceback" not in body
    assert b'File "' not in body
    assert b"evil.example" not in body
    for name, value in security.HEADERS.items():
        assert headers.get(name.lower()) == value, f"{name} missing on a {status}"
    assert "gunicorn" not in headers.get("server", "").lower()
    if status >= 400:
        assert headers.get("cache-control") == "no-store", f"an error answer ({status}) may be kept"
    location = headers.get("location", "")
    assert location.startswith("/") and not location.startswith(("//", "/\\")) if location else True


def test_gunicorn_refuses_what_is_not_http_in_plain_text(server):
    status, headers, body = exchange(server[0], raw([b"GET /" + b"a" * 3000 + b" HTTP/1.1", HOST]))
    assert status == 414
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body == b"414 URI Too Long\n"  # nothing of the request is repeated back


def test_the_server_header_does_not_name_the_software(server):
    for path in (b"/en/", b"/no/such/page", b"/static/css/none.css"):
        status, headers, _ = exchange(server[0], raw([b"GET " + path + b" HTTP/1.1", HOST]))
        assert headers["server"] == "Safer Nights", path
        assert status == 200 or headers["cache-control"] == "no-store"


def test_a_forged_host_redirect_stays_on_this_site(server):
    status, headers, _ = exchange(server[0], raw([b"GET /en HTTP/1.1", b"Host: evil.example"]))
    assert status == 308
    assert headers["location"] == "/en/"


def test_forwarded_headers_are_not_trusted_by_default(server):
    forged = raw([b"GET /admin/scans HTTP/1.1", HOST, b"X-Forwarded-Proto: https"])
    status, _, body = exchange(server[0], forged)
    assert (status, body) == (403, b"The dashboard is only served over https.")


def test_the_error_log_names_no_ip_address(server):
    port, log_path = server
    exchange(port, raw([b"GET /en/ HTTP/9.9", HOST]))
    time.sleep(0.2)  # s: gunicorn writes the line after answering
    log = log_path.read_text()
    assert "Invalid request from ip=(not logged)" in log
    assert "127.0.0.1" not in log


def test_every_page_is_built_before_gunicorn_listens(server, app):
    """The first phone after a deploy: its page and its pack are ready, not built while it waits."""
    log = server[1].read_text()
    built = f"Built {len(prebuilt.paths(app))} pages in "
    assert built in log
    assert log.index(built) < log.index("Listening at: ")


def break_file(folder, name, old, new):
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "where"),
    [
        ("en/consent.md", "order: 1\n", "order: one\n", "consent.md:3: bad 'order'"),
        ("services.toml", "[[service]]", "[[service]", "services.toml:"),
    ],
)
def test_a_broken_file_stops_gunicorn_before_it_listens(tmp_path, name, old, new, where):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    break_file(folder, name, old, new)
    port = free_port()
    with pytest.raises(SystemExit):
        start_server(port, log=(tmp_path / "error.log").open("w"), CONTENT_DIR=str(folder))
    log = (tmp_path / "error.log").read_text()
    assert where in log
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "something answers on the port"
