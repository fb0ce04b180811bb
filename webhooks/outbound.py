"""The one way this service makes an HTTP request to an address a user chose (docs/security.md case 16).

A webhook URL is the user's: left alone it could point the webhook worker at the database, the broker, a
cloud metadata service or anything else inside our network (server-side request forgery). So:

- the URL must be ``https`` (``http`` only with ``WEBHOOK_ALLOW_HTTP``, for development), with a host, no
  user name or password, no fragment, a port in 1-65535 and at most ``MAX_URL_LENGTH`` characters;
- its host is resolved ONCE, and EVERY address it resolves to is checked (``address_refusal``): loopback,
  private, link-local, multicast, unspecified, reserved, shared (CGNAT), broadcast and cloud metadata
  addresses are refused, as are IPv6 addresses that embed a forbidden IPv4 one (IPv4-mapped, -compatible,
  NAT64, 6to4, Teredo), unless the address is in ``WEBHOOK_ALLOWED_NETWORKS`` (tests, development);
- the connection goes to the checked address itself: no second resolution, so a DNS answer that changes
  between the check and the connection cannot redirect the request; TLS still checks the certificate
  against the host's NAME (SNI);
- redirects are never followed: a 3xx is an answer like any other, its ``Location`` recorded, not fetched;
- connect and TLS within ``WEBHOOK_CONNECT_TIMEOUT_SECONDS``, the whole answer within one deadline of
  ``WEBHOOK_READ_TIMEOUT_SECONDS`` (a server trickling a byte a second is cut off), and at most
  ``WEBHOOK_MAX_RESPONSE_BYTES`` of its body read: a slow or chatty endpoint cannot hold a worker.

``post`` never raises for what the network or the endpoint does: it returns an ``OutboundResult`` whose
``error`` says what went wrong (a refused address names the address and the rule).
"""

import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import certifi
from django.conf import settings

MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services (AWS, GCP and Azure share 169.254.169.254; AWS's IPv6 one; Alibaba's). Named
# before the wider rules that also cover them, so the refusal says what the address really is.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
BROADCAST = ipaddress.ip_address("255.255.255.255")
# IPv6 prefixes whose low 32 bits are an IPv4 address the packet ends up at.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated "IPv4-compatible" addresses
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class RefusedURL(ValueError):
    """A URL this service will not send to; the message says why, for the user."""


@dataclass(frozen=True)
class Target:
    """A checked URL's parts: where to connect and what to ask for."""

    scheme: str
    host: str  # as in the URL, lower case, without IPv6 brackets: the TLS name and the Host header
    port: int
    path: str  # path and query


@dataclass(frozen=True)
class OutboundResult:
    """What one request came to. ``status_code`` None: no HTTP answer (``error`` says why)."""

    status_code: int | None
    error: str
    duration_ms: int
    body: str = ""  # at most WEBHOOK_MAX_RESPONSE_BYTES, decoded leniently
    location: str = ""  # a 3xx answer's Location header, recorded, never fetched
    address: str = ""  # the address connected to, when a connection was made


def url_target(url: str) -> Target:
    """The URL's parts after the checks that need no network; raise RefusedURL naming the reason."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedURL(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"The URL cannot be parsed: {exc}.") from None
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise RefusedURL(f"The URL must start with {' or '.join(s + '://' for s in allowed)}.")
    if not parts.hostname:
        raise RefusedURL("The URL has no host.")
    if "%" in parts.hostname:
        raise RefusedURL(_percent_in_host(parts))
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("The URL must not carry a user name or password.")
    if parts.fragment or url.endswith("#"):
        raise RefusedURL("The URL must not have a fragment (#...).")
    if port is not None and not 1 <= port <= 65535:
        raise RefusedURL("The URL's port must be between 1 and 65535.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise RefusedURL("The URL must not contain spaces or control characters.")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, _path(parts))


def _percent_in_host(parts: SplitResult) -> str:
    """Why a host with a "%" is refused. In an IPv6 literal it starts a zone id (RFC 6874:
    ``[fe80::1%25eth0]``), which names a network interface of the machine that sends: the address is then
    one of that machine's networks, never a public one. getaddrinfo reads some zones and not others
    (``%25lo``), and registration accepted what did not resolve, so a zone is refused before any lookup,
    at registration and at every attempt (``post`` checks ``url_target`` too). No host name holds a "%"."""
    if parts.netloc.rpartition("@")[2].startswith("["):
        return (
            f"[{parts.hostname}] is an IPv6 address with a zone id (%...), which names a network interface "
            "of this server: webhooks are only sent to public addresses, written without a zone id."
        )
    return "The URL's host must not contain %: a host name is letters, digits, dots and hyphens."


def url_check(url: str) -> Target:
    """Registration's check (``url_target``, then the addresses): an IP literal, IPv4 in any spelling
    (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) or IPv6, is read as the address it is, and a name that
    resolves now is refused if any of its addresses is. A name that does not resolve now is accepted: every
    delivery attempt resolves and checks it again."""
    target = url_target(url)
    literal = ipv4_literal(target.host) or ipv6_literal(target.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            addresses = [address for address, _sockaddr in _resolve(target)]
        except (OSError, UnicodeError):
            addresses = []
    for address in addresses:
        refusal = address_refusal(address)
        if refusal:
            raise RefusedURL(
                f"{target.host} is {address}, {refusal}: webhooks are only sent to public addresses."
            )
    return target


def ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    """``host`` as an IPv4 address if the C library would read it as one, in any spelling (decimal, octal,
    hex, fewer than four parts), as ``socket.inet_aton`` does; None for a name."""
    if not host or not host[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def ipv6_literal(host: str) -> ipaddress.IPv6Address | None:
    """``host`` (an URL's, without its brackets and, by ``url_target``, without a zone) as an IPv6
    address; None for anything else. Read here rather than left to getaddrinfo, as IPv4 literals are."""
    if ":" not in host:
        return None
    try:
        return ipaddress.IPv6Address(host)
    except ValueError:
        return None


def address_refusal(address: IPAddress) -> str:
    """Why a request must not go to ``address`` ("" if it may): the rule it breaks, in words."""
    if any(address in network for network in allowed_networks()):
        return ""
    return _forbidden(address)


def _forbidden(address: IPAddress) -> str:
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = _forbidden(embedded)
            return f"an IPv6 address embedding {embedded}, {reason}" if reason else ""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "the unspecified address"
    if address == BROADCAST:
        return "the broadcast address"
    if address in SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return ""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to (mapped, compatible, NAT64, 6to4, Teredo's client), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in prefix for prefix in NAT64) or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def allowed_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def post(url: str, body: bytes, headers: Mapping[str, str]) -> OutboundResult:
    """POST ``body`` to ``url`` under every rule above; never raises for the network's or endpoint's doing."""
    started = time.monotonic()

    def result(status: int | None, error: str, **rest: Any) -> OutboundResult:
        return OutboundResult(status, error, int((time.monotonic() - started) * 1000), **rest)

    try:
        target = url_target(url)
    except RefusedURL as exc:
        return result(None, f"Refused: {exc}")
    try:
        resolved = _resolve(target)
    except (OSError, UnicodeError) as exc:
        return result(None, f"Could not resolve {target.host}: {exc}")
    for address, _sockaddr in resolved:
        refusal = address_refusal(address)
        if refusal:
            return result(None, f"Refused: {target.host} resolves to {address}, {refusal}; nothing was sent.")
    try:
        sock, connected = _connect(target, resolved)
    except (OSError, ssl.SSLError) as exc:
        return result(None, f"Could not connect to {target.host}: {_describe(exc)}")
    try:
        status, location, answer = _exchange(sock, target, body, headers)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return result(
            None, f"No answer from {target.host} ({connected}): {_describe(exc)}", address=connected
        )
    finally:
        sock.close()
    return result(status, "", body=answer, location=location, address=connected)


def _path(parts: SplitResult) -> str:
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _resolve(target: Target) -> list[tuple[IPAddress, Any]]:
    """Every address ``target.host`` resolves to, resolved once, with the socket address to connect to."""
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    resolved = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        resolved.append((ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]), (family, sockaddr)))
    if not resolved:
        raise OSError(f"{target.host} has no IPv4 or IPv6 address")
    return resolved


def _connect(target: Target, resolved: list[tuple[IPAddress, Any]]) -> tuple[socket.socket, str]:
    """A connection (TLS for https) to the first of the CHECKED addresses that answers."""
    # One deadline for connecting and the TLS handshake, whatever the number of addresses: the delivery's
    # lease (webhooks.delivery) counts on an attempt ending within the connect and read timeouts.
    deadline = time.monotonic() + settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS
    last: OSError = OSError("no address")
    for address, (family, sockaddr) in resolved:
        if time.monotonic() >= deadline:
            last = TimeoutError(f"no connection within {settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS} s")
            break
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.connect(sockaddr)
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            if target.scheme == "https":
                # The certificate is checked against the NAME in the URL, not the address connected to.
                sock = _tls_context(settings.WEBHOOK_CA_BUNDLE).wrap_socket(sock, server_hostname=target.host)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock, str(address)
    raise last


@functools.lru_cache(maxsize=4)
def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_bundle or certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _exchange(
    sock: socket.socket, target: Target, body: bytes, headers: Mapping[str, str]
) -> tuple[int, str, str]:
    """Send the request on the connected socket; the status, Location and body prefix, within the deadline."""
    deadline = time.monotonic() + settings.WEBHOOK_READ_TIMEOUT_SECONDS
    sock.settimeout(settings.WEBHOOK_READ_TIMEOUT_SECONDS)
    connection = _PinnedConnection(target, sock, deadline)
    try:
        connection.request("POST", target.path, body=body, headers=dict(headers))
        response = connection.getresponse()
        answer = response.read(settings.WEBHOOK_MAX_RESPONSE_BYTES)
        location = response.getheader("Location", "") if 300 <= response.status < 400 else ""
        return response.status, location[:MAX_URL_LENGTH], answer.decode("utf-8", errors="replace")
    finally:
        connection.close()


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP/1.1 on a socket already connected to a checked address: ``connect`` never resolves anything."""

    def __init__(self, target: Target, sock: socket.socket, deadline: float) -> None:
        super().__init__(target.host, target.port)
        self._pinned = sock
        self.response_class = functools.partial(_DeadlineResponse, deadline=deadline)  # type: ignore[assignment]

    def connect(self) -> None:
        self.sock = self._pinned


class _DeadlineResponse(http.client.HTTPResponse):
    """A response read through ``_DeadlineReader``: the whole answer shares one deadline."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the plain file http.client made; its socket stays open
        self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


class _DeadlineReader(io.RawIOBase):
    """Reads from the socket with the time left until the deadline as each read's timeout: however slowly
    the answer trickles in, reading it ends at the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the answer took longer than {settings.WEBHOOK_READ_TIMEOUT_SECONDS} s")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out ({exc})" if str(exc) else "timed out"
    return f"{type(exc).__name__}: {exc}"
