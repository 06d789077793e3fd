"""Where a webhook may point: public addresses only, checked when added and again at connect time.

A manager types a URL; the server then makes requests to it. Without a check that is a way to
make the server call its own network (the database, a cloud metadata service at 169.254.169.254,
an admin page on 127.0.0.1). So private, loopback, link-local, multicast, reserved and
unspecified addresses are refused, IPv4 and IPv6, including IPv4 addresses wrapped in IPv6
(``::ffff:127.0.0.1``, 6to4, NAT64). Host names are checked by what they resolve to, when the
endpoint is added (for a clear error on the form) and again on every connection, where the
checked address is the one connected to: a name that resolves to a public address when added and
to 127.0.0.1 later (DNS rebinding) is refused at connect time. An operator whose CRM lives on the
internal network allows it with ``EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.request
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Checked in this order, so 127.0.0.1 is "loopback" rather than merely "private".
KINDS = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
)


class BlockedAddress(OSError):
    """A connection refused because of where it would go; the message says why."""


def private_allowed() -> bool:
    return bool(settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE)


def _unwrapped(ip: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv6 one that carries it, else the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def refusal(address: str) -> str | None:
    """Why no webhook may go to this IP address ("loopback", ...), or None when one may."""
    ip = _unwrapped(ipaddress.ip_address(address.split("%", 1)[0]))
    for test, kind in KINDS:
        if getattr(ip, test):
            return kind
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    return None if ip.is_global else "non-public"


def _refused(host: str, address: str, kind: str) -> BlockedAddress:
    where = f"{address} is" if host == address else f"{host} resolves to {address},"
    return BlockedAddress(
        f"{where} a {kind} address; webhooks go to public addresses only "
        "(the operator can allow private ones with EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE)"
    )


def check_addresses(host: str, addresses: list[str]) -> None:
    """Raise BlockedAddress naming the first refused address, unless private ones are allowed."""
    if private_allowed():
        return
    for address in addresses:
        if kind := refusal(address):
            raise _refused(host, address, kind)


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None


def check_host(host: str, port: int) -> None:
    """For a new endpoint: refuse a host that is, or resolves to, a refused address.

    A name that does not resolve now is let through (DNS may come later, and this machine may
    have none); the connect-time check refuses it if it resolves to a refused address then.
    """
    if (literal := _literal(host)) is not None:
        check_addresses(host, [literal])
        return
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    check_addresses(host, [str(info[4][0]) for info in found])


def connect(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None
) -> socket.socket:
    """``socket.create_connection`` that connects only to addresses it has checked.

    It resolves once, checks every address, and connects to the checked address itself, so
    nothing resolves the name a second time between the check and the connection.
    """
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    check_addresses(host, [str(info[4][0]) for info in found])
    error: OSError = OSError(f"{host} has no address")
    for family, kind, proto, _, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = connect


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # TLS still verifies the certificate against the host name, not the address.
        self._create_connection = connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=ssl.create_default_context())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body (and could point anywhere);
    # treat it as a failure the manager sees in the log rather than a silent loss.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener() -> urllib.request.OpenerDirector:
    """An opener that checks every address, follows no redirect and uses no proxy.

    No proxy: through one, the check would see the proxy's address, not the receiver's.
    """
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _HTTPHandler, _HTTPSHandler, _NoRedirects
    )
