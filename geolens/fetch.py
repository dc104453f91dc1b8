"""Fetch an article by URL: http/https only, under a hard time limit and a size cap, with one-line errors."""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from geolens import settings

DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "geolens/0.1 (article fetcher)"
_CHUNK = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}

# Content type -> the file extension geolens.ingest dispatches on.
_EXT_BY_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/csv": ".csv",
    "application/jsonl": ".jsonl",
    "application/x-ndjson": ".jsonl",
    "application/jsonlines": ".jsonl",
}
_KNOWN_EXT = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".jsonl"}
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/download"}


ALLOW_PRIVATE_ENV = settings.FETCH_ALLOW_PRIVATE_ENV


class FetchError(Exception):
    """A URL that could not be fetched; the message is one line meant for the user."""


@dataclass(frozen=True)
class Fetched:
    """The body of a fetched URL plus what is needed to read it."""

    url: str  # the final URL, after redirects
    name: str  # a safe file name whose extension tells geolens.ingest the format
    data: bytes
    content_type: str
    charset: str | None


def check_url(url: str) -> str:
    """Return the URL stripped of surrounding blanks, or raise FetchError if it is not a fetchable http(s) URL."""
    url = (url or "").strip()
    if not url:
        raise FetchError("no URL given")
    if any(ord(c) < 32 or ord(c) == 127 for c in url) or " " in url:
        raise FetchError("the URL contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or url[:40]
        raise FetchError(f"only http:// and https:// URLs can be fetched (not {shown!r})")
    if not parts.hostname:
        raise FetchError(f"the URL has no host name: {url[:200]}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise FetchError(f"the URL has an invalid port: {url[:200]}") from None
    return url


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """Download `url` (following up to `max_redirects` http(s) redirects) within `timeout` seconds in all."""
    url = check_url(url)
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        status, reason, headers, body = _get(url, deadline=deadline, timeout=timeout, max_bytes=max_bytes)
        if status in _REDIRECTS:
            location = headers.get("Location")
            if not location:
                raise FetchError(f"{_host(url)} answered a redirect (HTTP {status}) without a target")
            url = check_url(urljoin(url, location.strip()))
            continue
        if status >= 400 or status < 200:
            raise FetchError(f"{_host(url)} answered HTTP {status} {reason}".rstrip())
        ctype, charset = _content_type(headers)
        return Fetched(url=url, name=_file_name(url, ctype), data=body, content_type=ctype, charset=charset)
    raise FetchError(f"too many redirects (more than {max_redirects})")


def check_public(url: str) -> list[str]:
    """Resolve the URL's host once and return its addresses, refusing any that is not a public one.

    The dashboard fetches on its server's behalf, so without this a pasted URL could read the server's own
    services or a cloud metadata endpoint. Only globally routable addresses pass (``is_global``: not loopback,
    private, link-local, shared 100.64.0.0/10, reserved, multicast), and addresses that embed an IPv4 one (6to4,
    Teredo, NAT64, IPv4-mapped or -compatible) pass only when that one does too. The request then connects to
    exactly these addresses, so a second DNS answer (rebinding) cannot send it elsewhere.
    Set GEOLENS_FETCH_ALLOW_PRIVATE=1 to fetch from such hosts (the addresses are still pinned).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"cannot find the host {host} (name does not resolve)") from None
    addresses = list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))
    if not addresses:
        raise FetchError(f"cannot find the host {host} (name does not resolve)")
    if _allow_private():
        return addresses
    for a in addresses:
        if not is_public_address(ipaddress.ip_address(a)):
            raise FetchError(
                f"{host} is a local or private address ({a}); geolens fetches public web pages only "
                f"(set {ALLOW_PRIVATE_ENV}=1 to allow it)"
            )
    return addresses


def _allow_private() -> bool:
    return settings.fetch_allow_private()


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (and would reach through a relay or translator)."""
    if addr.version != 6:
        return []
    out = []
    if addr.ipv4_mapped is not None:
        out.append(addr.ipv4_mapped)
    if addr.sixtofour is not None:
        out.append(addr.sixtofour)
    if addr.teredo is not None:
        out.extend(addr.teredo)  # (server, client), the client already de-obfuscated
    if any(addr in net for net in (*_NAT64, _IPV4_COMPATIBLE)):
        out.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return out


def is_public_address(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet that does not lead, once unwrapped, to a non-public one."""
    if addr.is_multicast or not addr.is_global:
        return False
    if addr.version == 6 and addr in _IPV4_COMPATIBLE:
        return False  # deprecated ::a.b.c.d: nothing public lives there
    return all(is_public_address(inner) for inner in _embedded_ipv4(addr))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the addresses that were checked; the Host header keeps the name."""

    def __init__(self, host: str, port: int, *, addresses: list[str], **kwargs):
        super().__init__(host, port, **kwargs)
        self._addresses = addresses

    def _open(self) -> socket.socket:
        last: OSError | None = None
        for a in self._addresses:
            try:
                sock = socket.create_connection((a, self.port), self.timeout, self.source_address)
            except OSError as exc:
                last = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        raise last or OSError(f"no address to connect to for {self.host}")

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the addresses that were checked; SNI, certificate check and Host header keep the name."""

    def __init__(self, host: str, port: int, *, addresses: list[str], **kwargs):
        super().__init__(host, port, **kwargs)
        self._addresses = addresses

    _open = _PinnedHTTPConnection._open

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _content_type(headers: Message) -> tuple[str, str | None]:
    ctype = (headers.get_content_type() if headers.get("Content-Type") else "").lower()
    charset = headers.get_content_charset() if headers.get("Content-Type") else None
    return ctype, charset


def _file_name(url: str, ctype: str) -> str:
    """A file name for the body: the URL's last path segment, made safe, with an extension from the content type."""
    segment = PurePosixPath(unquote(urlsplit(url).path)).name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", segment).strip("._")[:80] or _host(url)
    url_ext = PurePosixPath(stem).suffix.lower()
    if ctype in _EXT_BY_TYPE:
        ext = _EXT_BY_TYPE[ctype]
    elif ctype in _GENERIC_TYPES and url_ext in _KNOWN_EXT:
        ext = url_ext
    elif ctype.startswith("text/"):
        ext = ".txt"
    else:
        shown = ctype or "none given"
        raise FetchError(f"{_host(url)} sent a {shown} document, which is not an article format geolens reads")
    if ext == ".html" and url_ext == ".htm":
        ext = ".htm"
    base = stem[: -len(url_ext)] if url_ext and url_ext in _KNOWN_EXT else stem
    return (base or "page") + ext


def _proxy(url: str) -> str | None:
    """The environment's proxy for this URL, if one applies."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme.lower())
    if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def _connection(url: str, timeout: float, addresses: list[str]) -> tuple[http.client.HTTPConnection, str]:
    """A connection for `url` (through the environment's proxy when one applies, else to `addresses`, the ones
    checked for it) and the request target."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    proxy = _proxy(url)
    if proxy:
        p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                p.hostname, p.port or 8080, timeout=timeout, context=ssl.create_default_context()
            )
            conn.set_tunnel(host, port)
            return conn, target
        conn = http.client.HTTPConnection(p.hostname, p.port or 8080, timeout=timeout)
        return conn, url.split("#", 1)[0]
    if scheme == "https":
        context = ssl.create_default_context()
        return _PinnedHTTPSConnection(host, port, addresses=addresses, timeout=timeout, context=context), target
    return _PinnedHTTPConnection(host, port, addresses=addresses, timeout=timeout), target


def _get(url: str, *, deadline: float, timeout: float, max_bytes: int) -> tuple[int, str, Message, bytes]:
    """One GET request; a watchdog cuts the socket at `deadline` so a slow server cannot hold us longer."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"{_host(url)} did not answer within {timeout:g} s")
    # Through a proxy, the proxy connects (and resolves); otherwise we connect to exactly what was checked.
    if _proxy(url) and _allow_private():
        addresses = []
    else:
        addresses = check_public(url)
    conn, target = _connection(url, timeout=min(timeout, remaining), addresses=addresses)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(remaining, cut)
    watchdog.daemon = True
    watchdog.start()
    answered = False
    try:
        conn.request(
            "GET",
            target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain,application/pdf,*/*;q=0.5",
                "Accept-Encoding": "identity",
            },
        )
        resp = conn.getresponse()
        answered = True
        if resp.status in _REDIRECTS:
            return resp.status, resp.reason, resp.headers, b""
        if resp.status >= 400:
            return resp.status, resp.reason, resp.headers, b""
        body = _read_body(resp, url=url, max_bytes=max_bytes, expired=expired)
        if expired.is_set():
            raise FetchError(f"{_host(url)} did not send the whole page within {timeout:g} s")
        return resp.status, resp.reason, resp.headers, body
    except FetchError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise FetchError(f"{_host(url)}: TLS certificate problem ({exc.verify_message or exc})") from None
    except ssl.SSLError as exc:
        raise FetchError(f"{_host(url)}: TLS error ({exc.reason or exc})") from None
    except socket.gaierror:
        raise FetchError(f"cannot find the host {_host(url)} (name does not resolve)") from None
    except TimeoutError:
        raise FetchError(f"{_host(url)} did not answer within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise FetchError(f"{_host(url)} refused the connection") from None
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            stage = "send the whole page" if answered else "answer"
            raise FetchError(f"{_host(url)} did not {stage} within {timeout:g} s") from None
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise FetchError(f"fetching from {_host(url)} failed: {detail}") from None
    finally:
        watchdog.cancel()
        conn.close()


def _read_body(resp: http.client.HTTPResponse, *, url: str, max_bytes: int, expired: threading.Event) -> bytes:
    """The response body, decoded from gzip/deflate if the server insisted, refused beyond `max_bytes`."""
    too_big = FetchError(f"the page at {_host(url)} is larger than {_mb(max_bytes)}; refused")
    length = resp.headers.get("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise too_big
    encoding = (resp.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    elif encoding == "identity":
        inflater = None
    else:
        raise FetchError(f"{_host(url)} sent the page in an unsupported encoding ({encoding})")
    out = bytearray()
    while not expired.is_set():
        chunk = resp.read1(_CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                # max_length bounds the output of each step, so a compression bomb never expands in memory.
                chunk = inflater.decompress(chunk, max_bytes + 1 - len(out))
            except zlib.error as exc:
                raise FetchError(f"{_host(url)} sent a corrupt compressed page ({exc})") from None
            if inflater.unconsumed_tail:
                raise too_big
        out += chunk
        if len(out) > max_bytes:
            raise too_big
    return bytes(out)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"
