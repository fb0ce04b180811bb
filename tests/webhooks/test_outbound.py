"""docs/security.md case 16: the guarded outbound client (webhooks/outbound.py), piece by piece.

No test here sends a packet outside 127.0.0.0/8: names resolve through the test's own resolver and every
``socket.connect`` to another address is refused and recorded by the spy (tests/webhooks/conftest.py).
"""

import ipaddress
import socket
import threading
import time

import pytest

from webhooks import outbound
from webhooks.outbound import RefusedURL, address_refusal, url_check, url_target

pytestmark = pytest.mark.security

PUBLIC = "93.184.215.14"

FORBIDDEN = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not to bind
    ("::", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("100.100.100.200", "metadata"),
    ("192.0.2.1", "private"),  # documentation range: never a real endpoint
    # IPv6 addresses that lead to a forbidden IPv4 one.
    ("::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback"),
    ("::ffff:169.254.169.254", "embedding 169.254.169.254, a cloud metadata"),
    ("::127.0.0.1", "embedding 127.0.0.1"),  # IPv4-compatible
    ("64:ff9b::7f00:1", "embedding 127.0.0.1"),  # NAT64
    ("64:ff9b::a00:1", "embedding 10.0.0.1, a private"),
    ("2002:7f00:1::", "embedding 127.0.0.1"),  # 6to4
    ("2002:a9fe:a9fe::1", "embedding 169.254.169.254"),
]


@pytest.mark.parametrize(("address", "rule"), FORBIDDEN)
def test_every_forbidden_range_is_refused(address, rule):
    assert rule in address_refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14", "64:ff9b::5db8:d70e"],
)
def test_a_public_address_is_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) == ""


def test_allowed_networks_let_loopback_through_and_nothing_else(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert address_refusal(ipaddress.ip_address("127.0.0.1")) == ""
    assert "loopback" in address_refusal(ipaddress.ip_address("::1"))
    assert "private" in address_refusal(ipaddress.ip_address("10.0.0.1"))


@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/",
        "https://0177.0.0.1/",
        "https://0x7f.1/",
        "https://0x7f000001/",
        "https://127.1/",
    ],
)
def test_ipv4_spellings_are_read_as_the_address_they_are(url):
    with pytest.raises(RefusedURL, match=r"127\.0\.0\.1, a loopback address"):
        url_check(url)


def test_a_name_that_resolves_to_loopback_is_refused_at_registration(fake_dns):
    fake_dns.set("evil.test", ["127.0.0.1"])
    with pytest.raises(RefusedURL, match=r"evil\.test is 127\.0\.0\.1, a loopback address"):
        url_check("https://evil.test/hook")
    with pytest.raises(RefusedURL, match="loopback"):
        url_check("https://localhost/hook")


def test_a_name_with_one_bad_address_among_good_ones_is_refused(fake_dns):
    fake_dns.set("mixed.test", [PUBLIC, "10.1.2.3"])
    with pytest.raises(RefusedURL, match=r"10\.1\.2\.3, a private address"):
        url_check("https://mixed.test/hook")


def test_a_public_name_passes_registration(fake_dns):
    fake_dns.set("hooks.example.com", [PUBLIC])
    assert url_check("https://hooks.example.com:8443/in?x=1").path == "/in?x=1"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "must start with https://"),
        ("ftp://hooks.example.com/", "must start with https://"),
        ("https:///path", "no host"),
        ("https://user:pass@hooks.example.com/", "user name or password"),
        ("https://user@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/#frag", "fragment"),
        ("https://hooks.example.com:0/", "between 1 and 65535"),
        ("https://hooks.example.com:70000/", "cannot be parsed"),
        ("https://hooks.example.com/" + "a" * 2000, "longer than 2000"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://exa%6dple.com/", "must not contain %"),
    ],
)
def test_url_rules(url, reason):
    with pytest.raises(RefusedURL, match=reason):
        url_target(url)


# IPv6 literals with a zone id (RFC 6874): an interface of the sending machine. getaddrinfo cannot read
# "%25lo", and a name that does not resolve was accepted at registration.
ZONED_HOSTS = ["[::1%25lo]", "[::1%lo]", "[fe80::1%25eth0]", "[fd00:ec2::254%25lo]", "[2606:2800::1%251]"]


@pytest.mark.parametrize("host", ZONED_HOSTS)
def test_an_ipv6_literal_with_a_zone_id_is_refused_at_registration(host):
    with pytest.raises(RefusedURL, match=r"is an IPv6 address with a zone id \(%\.\.\.\)"):
        url_check(f"https://{host}/hook")


@pytest.mark.parametrize("host", ZONED_HOSTS)
def test_an_ipv6_literal_with_a_zone_id_is_refused_at_delivery(settings, host, blocked_connects, listener):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["::1/128"]  # not even the allowance lets a zone through
    port, received = listener

    result = outbound.post(f"http://{host}:{port}/hook", b"{}", {})

    assert result.status_code is None
    assert result.error.startswith("Refused: ")
    assert "zone id" in result.error
    assert blocked_connects == []
    time.sleep(0.3)
    assert received == []


def test_an_ipv6_literal_is_read_as_the_address_it_is_without_a_lookup(fake_dns):
    with pytest.raises(RefusedURL, match=r"fd00:ec2::254 is fd00:ec2::254, a cloud metadata address"):
        url_check("https://[fd00:ec2::254]/hook")
    assert fake_dns.calls == []


def test_http_only_when_the_setting_allows_it(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    assert url_target("http://hooks.example.com/").port == 80


def test_dns_changing_between_check_and_connect_cannot_redirect_the_request(fake_dns, blocked_connects):
    # First answer public, every later one loopback: a second resolution would connect to loopback.
    fake_dns.set("rebind.test", [PUBLIC], ["127.0.0.1"])
    result = outbound.post("https://rebind.test/hook", b"{}", {})
    assert fake_dns.calls.count("rebind.test") == 1  # resolved once
    assert blocked_connects == [(PUBLIC, 443)]  # the connection went to the checked address
    blocked_connects.clear()  # expected: the spy refused it, nothing was sent
    assert result.status_code is None
    assert "Could not connect to rebind.test" in result.error


def test_one_forbidden_address_among_the_answers_refuses_the_request(fake_dns, blocked_connects, listener):
    port, received = listener
    fake_dns.set("mixed.test", [PUBLIC, "127.0.0.1"])
    result = outbound.post(f"https://mixed.test:{port}/hook", b"{}", {})
    assert result.status_code is None
    assert result.error == (
        "Refused: mixed.test resolves to 127.0.0.1, a loopback address; nothing was sent."
    )
    assert blocked_connects == []  # no connection attempted at all
    time.sleep(0.3)  # let the listener's accept loop see a connection, were there one
    assert received == []


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "[::1]", "169.254.169.254", "10.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "localhost"],
)
def test_forbidden_targets_are_refused_before_any_connection(settings, host, blocked_connects, listener):
    settings.WEBHOOK_ALLOW_HTTP = True
    port, received = listener
    result = outbound.post(f"http://{host}:{port}/hook", b"{}", {})
    assert result.status_code is None
    assert result.error.startswith("Refused:")
    assert "nothing was sent" in result.error
    assert blocked_connects == []
    time.sleep(0.3)
    assert received == []


def test_the_allowance_is_the_control_a_loopback_listener_is_reached(settings, listener):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1
    port, received = listener
    result = outbound.post(f"http://127.0.0.1:{port}/hook", b'{"a":1}', {"Content-Type": "application/json"})
    assert result.address == "127.0.0.1"
    assert received
    assert received[0].startswith(b"POST /hook HTTP/1.1")


@pytest.fixture
def tls_settings(settings, receiver_ca):
    settings.WEBHOOK_CA_BUNDLE = str(receiver_ca[1])
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1
    return settings


def test_https_to_the_receiver_answers(tls_settings, make_receiver):
    from tests.webhooks.receiver import Answer

    receiver = make_receiver()
    receiver.answer_next(Answer(status=200, body=b"thanks"))
    result = outbound.post(receiver.url, b'{"type":"x"}', {"Content-Type": "application/json"})
    assert (result.status_code, result.body, result.error) == (200, "thanks", "")
    assert receiver.received[0].body == b'{"type":"x"}'


def test_the_certificate_is_checked_against_the_name_in_the_url(tls_settings, make_receiver, fake_dns):
    # The receiver's certificate names localhost and 127.0.0.1, not other.test, whatever it resolves to.
    fake_dns.set("other.test", ["127.0.0.1"])
    receiver = make_receiver()
    result = outbound.post(f"https://other.test:{receiver.port}/hooks", b"{}", {})
    assert result.status_code is None
    assert "certificate" in result.error.lower()
    assert receiver.received == []


def test_an_untrusted_certificate_is_refused(tls_settings, make_receiver, tmp_path):
    import trustme

    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    tls_settings.WEBHOOK_CA_BUNDLE = str(other)
    receiver = make_receiver()
    result = outbound.post(receiver.url, b"{}", {})
    assert result.status_code is None
    assert "CERTIFICATE_VERIFY_FAILED" in result.error


def test_a_redirect_is_recorded_never_followed(tls_settings, make_receiver, listener):
    from tests.webhooks.receiver import Answer

    port, received = listener
    receiver = make_receiver()
    receiver.answer_next(Answer(status=302, location=f"http://127.0.0.1:{port}/internal"))
    result = outbound.post(receiver.url, b"{}", {})
    assert result.status_code == 302
    assert result.location == f"http://127.0.0.1:{port}/internal"
    time.sleep(0.3)
    assert received == []


def test_a_huge_body_is_read_only_up_to_the_limit(tls_settings, make_receiver):
    from tests.webhooks.receiver import Answer

    tls_settings.WEBHOOK_MAX_RESPONSE_BYTES = 100
    receiver = make_receiver()
    receiver.answer_next(Answer(status=200, body=b"x" * 5_000_000))
    result = outbound.post(receiver.url, b"{}", {})
    assert result.status_code == 200
    assert result.body == "x" * 100


def test_an_answer_slower_than_the_read_timeout_is_cut_off(tls_settings, make_receiver):
    from tests.webhooks.receiver import Answer

    receiver = make_receiver()
    receiver.answer_next(Answer(sleep=3))
    result = outbound.post(receiver.url, b"{}", {})
    assert result.status_code is None
    assert "timed out" in result.error


def test_a_trickling_answer_is_cut_off_at_the_deadline(settings):
    """A server sending one header byte every 0.2 s never lets a per-read timeout expire; the deadline
    for the whole answer still ends the request."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        result = outbound.post(f"http://127.0.0.1:{server.getsockname()[1]}/", b"{}", {})
    finally:
        stop.set()
        thread.join(5)
        server.close()
    assert result.status_code is None
    assert "timed out" in result.error
