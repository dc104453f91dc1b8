"""geolens.fetch against a real HTTP server the test runs on 127.0.0.1."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geolens.fetch import FetchError, check_url, fetch_url

ARTICLE_HTML = (
    b"<html><head><title>Talks in Tokyo</title></head>"
    b"<body><article><p>Japan and Australia signed a defence pact.</p></article></body></html>"
)
PLAIN_1252 = "Caf\u00e9 talks in Paris \u2014 a \u201cdeal\u201d.".encode("cp1252")
PROXIED: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path
        if path.startswith("http://"):  # we are being used as a proxy
            PROXIED.append(path)
            path = "/" + path.split("/", 3)[3]
        routes = {
            "/news/tokyo-talks": lambda: self._send(200, ARTICLE_HTML),
            "/plain": lambda: self._send(200, PLAIN_1252, "text/plain; charset=windows-1252"),
            "/paper.pdf": lambda: self._send(200, b"%PDF-1.4 ...", "application/octet-stream"),
            "/noext": lambda: self._send(200, b"\x00\x01", "application/octet-stream"),
            "/image.png": lambda: self._send(200, b"\x89PNG\r\n", "image/png"),
            "/missing": lambda: self._send(404, b"not here"),
            "/boom": lambda: self._send(500, b"oops"),
            "/redirect": lambda: self._send(302, ctype=None, Location="/news/tokyo-talks"),
            "/redirect-abs": lambda: self._send(
                301, ctype=None, Location=f"http://127.0.0.1:{self.server.server_port}/news/tokyo-talks"
            ),
            "/redirect-file": lambda: self._send(302, ctype=None, Location="file:///etc/passwd"),
            "/loop": lambda: self._send(302, ctype=None, Location="/loop"),
            "/redirect-empty": lambda: self._send(302, ctype=None),
            "/big-declared": lambda: self._send(200, b"x" * 2048, "text/plain"),
            "/big-undeclared": self._big_chunked,
            "/gzip-bomb": self._gzip_bomb,
            "/gzip-ok": lambda: self._send(200, gzip.compress(ARTICLE_HTML), Content_Encoding="gzip"),
            "/slow": self._slow,
            "/drip": self._drip,
        }
        route = routes.get(path)
        if route is None:
            self._send(404, b"")
        else:
            route()

    def _big_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(64):
            chunk = b"y" * 1024
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _gzip_bomb(self):
        body = gzip.compress(b"\0" * (8 * 1024 * 1024))
        self._send(200, body, "text/plain", Content_Encoding="gzip")

    def _slow(self):
        time.sleep(3)
        self._send(200, ARTICLE_HTML)

    def _drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(200):  # one byte every 50 ms: each read is fast, the whole is slow
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients that hang up early are part of the tests
        pass


@pytest.fixture(scope="module")
def server():
    """A throw-away HTTP server on 127.0.0.1 with routes for every case."""
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)


def test_fetch_url_returns_html_body_with_html_name(server):
    got = fetch_url(server + "/news/tokyo-talks")
    assert got.data == ARTICLE_HTML
    assert got.name == "tokyo-talks.html"
    assert got.content_type == "text/html"
    assert got.charset == "utf-8"


def test_fetch_url_reports_declared_charset(server):
    got = fetch_url(server + "/plain")
    assert got.charset == "windows-1252"
    assert got.data.decode(got.charset) == "Caf\u00e9 talks in Paris \u2014 a \u201cdeal\u201d."
    assert got.name.endswith(".txt")


@pytest.mark.parametrize("path", ["/redirect", "/redirect-abs"])
def test_fetch_url_follows_http_redirects(server, path):
    got = fetch_url(server + path)
    assert got.url == server + "/news/tokyo-talks"
    assert got.data == ARTICLE_HTML


def test_fetch_url_takes_format_from_url_when_type_is_generic(server):
    assert fetch_url(server + "/paper.pdf").name == "paper.pdf"


def test_fetch_url_decodes_gzip_when_server_insists(server):
    assert fetch_url(server + "/gzip-ok").data == ARTICLE_HTML


@pytest.mark.parametrize(
    ("path", "kwargs", "message"),
    [
        ("/missing", {}, "HTTP 404"),
        ("/boom", {}, "HTTP 500"),
        ("/image.png", {}, "image/png"),
        ("/noext", {}, "application/octet-stream"),
        ("/redirect-file", {}, "only http:// and https://"),
        ("/loop", {}, "too many redirects"),
        ("/redirect-empty", {}, "without a target"),
        ("/big-declared", {"max_bytes": 1024}, "larger than"),
        ("/big-undeclared", {"max_bytes": 10 * 1024}, "larger than"),
        ("/gzip-bomb", {"max_bytes": 1024 * 1024}, "larger than"),
        ("/slow", {"timeout": 0.5}, "did not answer within 0.5 s"),
        ("/drip", {"timeout": 1.0}, "within 1 s"),
    ],
)
def test_fetch_url_refuses_with_one_line_message(server, path, kwargs, message):
    with pytest.raises(FetchError) as err:
        fetch_url(server + path, **kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_fetch_url_reports_refused_connection():
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nobody listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="refused the connection"):
        fetch_url(f"http://127.0.0.1:{port}/x", timeout=2)


def test_fetch_url_reports_unknown_host():
    with pytest.raises(FetchError, match="cannot find the host|failed"):
        fetch_url("http://no-such-host.invalid/article", timeout=2)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "no URL"),
        ("   ", "no URL"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("ftp://example.com/a.txt", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("example.com/article", "only http:// and https://"),
        ("http:///path-only", "no host name"),
        ("http://exa mple.com/", "spaces or control"),
        ("http://example.com/\r\nX-Injected: 1", "spaces or control"),
        ("http://example.com:99999/", "invalid port"),
    ],
)
def test_check_url_rejects_what_cannot_be_fetched(url, message):
    with pytest.raises(FetchError, match=message):
        check_url(url)


def test_fetch_url_goes_through_environment_proxy(server, monkeypatch):
    monkeypatch.setenv("http_proxy", server)
    PROXIED.clear()
    got = fetch_url("http://articles.example/news/tokyo-talks")
    assert got.data == ARTICLE_HTML
    assert PROXIED == ["http://articles.example/news/tokyo-talks"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]", "0.0.0.0"])
def test_fetch_url_refuses_local_and_private_hosts_by_default(monkeypatch, host):
    monkeypatch.delenv("GEOLENS_FETCH_ALLOW_PRIVATE", raising=False)
    with pytest.raises(FetchError, match="local or private address"):
        fetch_url(f"http://{host}:9/article.html", timeout=2)


def test_fetch_url_refuses_redirect_to_a_private_host(server, monkeypatch):
    # The first hop is allowed here only because the test server itself is on loopback; the check runs per hop.
    import geolens.fetch as fetch

    calls = []
    real = fetch.check_public

    def checking(url):
        calls.append(url)
        if len(calls) > 1:
            monkeypatch.delenv("GEOLENS_FETCH_ALLOW_PRIVATE", raising=False)
        return real(url)

    monkeypatch.setattr(fetch, "check_public", checking)
    with pytest.raises(FetchError, match="local or private address"):
        fetch_url(f"{server}/redirect")
    assert len(calls) == 2


# -- DNS rebinding and addresses that are not public ------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with the server's own name, and records the Host header it was sent."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        self.server.seen.append(self.headers.get("Host"))
        body = f"<html><body><p>{self.server.label} server</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(address: str, port: int, label: str, tls: ssl.SSLContext | None = None):
    httpd = _QuietServer((address, port), _Recorder)
    httpd.seen, httpd.label = [], label
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _fake_resolver(monkeypatch, name: str, answers: list[str]) -> list[str]:
    """Resolve `name` to answers[0] on the first lookup, answers[1] on the next, and so on (the last one repeats);
    every other name goes to the real resolver. Returns the log of lookups of `name`."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        addr = answers[min(len(asked), len(answers) - 1)]
        asked.append(addr)
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        sockaddr = (addr, port or 80, 0, 0) if family == socket.AF_INET6 else (addr, port or 80)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_fetch_url_connects_to_the_address_it_checked_not_a_rebound_one(monkeypatch):
    # 127.0.0.2 stands for a public web server and 127.0.0.1 for the server's own internal service. The name
    # answers the public address first and the internal one on every later lookup (DNS rebinding).
    import geolens.fetch as fetch

    monkeypatch.delenv("GEOLENS_FETCH_ALLOW_PRIVATE", raising=False)
    monkeypatch.setattr(fetch, "is_public_address", lambda a: str(a) == "127.0.0.2")
    internal = _serve("127.0.0.1", 0, "internal")
    port = internal.server_port
    public = _serve("127.0.0.2", port, "public")
    try:
        asked = _fake_resolver(monkeypatch, "news.rebind.test", ["127.0.0.2", "127.0.0.1"])
        got = fetch_url(f"http://news.rebind.test:{port}/story", timeout=5)
    finally:
        internal.shutdown()
        public.shutdown()
        internal.server_close()
        public.server_close()
    assert b"public server" in got.data
    assert internal.seen == []
    assert public.seen == [f"news.rebind.test:{port}"]  # the Host header keeps the name
    assert asked == ["127.0.0.2"]  # resolved once: the address checked is the address used


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # shared address space 100.64.0.0/10: the cloud metadata address of some providers
        "100.64.0.1",
        "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 wrapping 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "224.0.1.1",
        "192.0.0.171",
        "fd00::1",
    ],
)
def test_fetch_url_refuses_addresses_that_are_not_public_even_when_wrapped(monkeypatch, address):
    monkeypatch.delenv("GEOLENS_FETCH_ALLOW_PRIVATE", raising=False)
    _fake_resolver(monkeypatch, "sneaky.test", [address])
    with pytest.raises(FetchError, match=r"sneaky\.test is a local or private address"):
        fetch_url("http://sneaky.test/article.html", timeout=2)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1", "2002:5db8:d70e::1", "::ffff:93.184.215.14"])
def test_public_addresses_pass_the_check(address):
    from geolens.fetch import is_public_address

    assert is_public_address(ipaddress.ip_address(address))


def test_fetch_url_over_https_to_a_pinned_address_keeps_the_name_for_sni_and_certificate(tmp_path, monkeypatch):
    cert, key = _self_signed(tmp_path, "secure.news.test")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    names: list[str] = []
    tls.sni_callback = lambda sslsock, name, ctx: names.append(name)
    server = _serve("127.0.0.1", 0, "secure", tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our test certificate, and only it
    asked = _fake_resolver(monkeypatch, "secure.news.test", ["127.0.0.1"])
    try:
        got = fetch_url(f"https://secure.news.test:{server.server_port}/story", timeout=5)
        with pytest.raises(FetchError, match="TLS certificate problem"):  # same server, a name its certificate lacks
            _fake_resolver(monkeypatch, "other.news.test", ["127.0.0.1"])
            fetch_url(f"https://other.news.test:{server.server_port}/story", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert b"secure server" in got.data
    assert names[0] == "secure.news.test" and server.seen == [f"secure.news.test:{server.server_port}"]
    assert asked == ["127.0.0.1"]


def _self_signed(folder, name: str):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path
