"""Host and network vectors of design/permissions.md, and more of our own."""

from __future__ import annotations

import ipaddress

import pytest

from witgen.permissions import AddressDenied, ManifestError
from witgen.permissions.hosts import canonical_host, is_restricted_address, parse_url

from .helpers import denied, manifest, net

WILD = net({"action": "outbound", "host": "*.example.com"})


def load_error(host: str, **extra: object) -> str:
    body = f'[[capabilities.network]]\naction = "outbound"\nhost = "{host}"\n'
    body += "".join(f"{key} = {value}\n" for key, value in extra.items())
    with pytest.raises(ManifestError) as caught:
        manifest(body)
    (problem,) = caught.value.problems
    return str(problem)


def test_host_vector_44_wildcard_subdomain() -> None:
    assert WILD.check_network("api.example.com", 443) == "api.example.com"


def test_host_vector_45_wildcard_any_depth() -> None:
    assert WILD.check_network("a.b.example.com", 443) == "a.b.example.com"


def test_host_vector_46_wildcard_never_matches_the_apex_d3() -> None:
    denied(lambda: WILD.check_network("example.com", 443))
    both = net(
        {"action": "outbound", "host": "*.example.com"},
        {"action": "outbound", "host": "example.com"},
    )
    assert both.check_network("example.com", 443) == "example.com"


def test_host_vector_46_wildcard_is_a_label_boundary() -> None:
    denied(lambda: WILD.check_network("evilexample.com", 443))
    denied(lambda: WILD.check_network("example.com.evil.net", 443))


def test_host_vector_49_case_folded_on_both_sides() -> None:
    validator = net({"action": "outbound", "host": "*.Example.COM"})
    assert validator.check_network("API.EXAMPLE.COM", 443) == "api.example.com"


@pytest.mark.parametrize("host", ["", ".", "*."])
def test_host_vector_51_empty_dot_and_star_dot_are_load_errors(host: str) -> None:
    assert "capabilities.network[0].host" in load_error(host)


def test_host_vector_51_lone_star_grants_all_hosts_with_a_warning() -> None:
    loaded = manifest('[[capabilities.network]]\naction = "outbound"\nhost = "*"\n')
    (warning,) = loaded.warnings
    assert warning.key == "capabilities.network[0].host" and "every host" in warning.message
    validator = net({"action": "outbound", "host": "*"})
    assert validator.check_network("anything.example.org", 1) == "anything.example.org"
    assert validator.check_network("93.184.216.34", 443) == "93.184.216.34"
    # Even an all-hosts grant does not reach private addresses (D4).
    denied(lambda: validator.check_network("127.0.0.1", 80))


@pytest.mark.parametrize("host", ["a.*.example.com", "*example.com", "ex*.com", "*.127.0.0.1"])
def test_host_vector_52_wildcards_only_as_whole_leftmost_label(host: str) -> None:
    assert "host" in load_error(host)


def test_host_vector_54_idna_never_folds_sharp_s() -> None:
    validator = net({"action": "outbound", "host": "fass.de"})
    denied(lambda: validator.check_network("faß.de", 443))
    unicode_grant = net({"action": "outbound", "host": "faß.de"})
    # The connector gets the A-label, never the Unicode host.
    assert unicode_grant.check_network("faß.de", 443) == "xn--fa-hia.de"
    assert unicode_grant.check_network("xn--fa-hia.de", 443) == "xn--fa-hia.de"
    denied(lambda: unicode_grant.check_network("fass.de", 443))


def test_host_vector_56_backslash_in_url_is_invalid() -> None:
    validator = net({"action": "outbound", "host": "good.com"})
    denial = denied(lambda: validator.check_url("http://evil.com\\@good.com/"))
    assert "backslash" in denial.reason


def test_host_vector_57_userinfo_in_url_is_denied() -> None:
    validator = net({"action": "outbound", "host": "good.com"})
    denial = denied(lambda: validator.check_url("http://good.com@evil.com/"))
    assert "user information" in denial.reason
    assert validator.check_url("https://good.com/path?q=1#f") == ("good.com", 443)
    assert validator.check_url("http://GOOD.com:8080") == ("good.com", 8080)


@pytest.mark.parametrize("host", ["%2a.example.com", "*.example.com", "*", "a%2eexample.com"])
def test_host_vector_59_star_or_percent_in_request_is_invalid(host: str) -> None:
    denial = denied(lambda: WILD.check_network(host, 443))
    assert denial.reason.startswith("invalid request") and denial.grant is None


def test_host_vector_61_leading_zeros_are_not_an_ip() -> None:
    validator = net({"action": "outbound", "host": "10.0.0.1"})
    denied(lambda: validator.check_network("010.0.0.1", 443))
    assert "host" in load_error("010.0.0.1")


@pytest.mark.parametrize("host", ["127.1", "0x7f.1", "2130706433", "0x7f000001", "1.2.3.4.5"])
def test_host_vector_61_only_canonical_ip_literals(host: str) -> None:
    denial = denied(lambda: net({"action": "outbound", "host": "*"}).check_network(host, 80))
    assert "canonical IP" in denial.reason


def test_host_vector_62_private_addresses_blocked_by_default_d4() -> None:
    for address in ("127.0.0.1", "169.254.169.254", "10.1.2.3", "::1", "::ffff:127.0.0.1"):
        denial = denied(lambda a=address: WILD.check_addresses("x.example.com", 443, [a]))  # type: ignore[misc]
        assert "D4" in denial.reason
    # One restricted address among public ones denies the whole answer.
    denied(lambda: WILD.check_addresses("x.example.com", 443, ["93.184.216.34", "10.0.0.1"]))
    # Connect to the addresses that were checked, IPv4-mapped folded.
    checked = WILD.check_addresses("x.example.com", 443, ["93.184.216.34", "::ffff:1.1.1.1"])
    assert checked == ("93.184.216.34", "1.1.1.1")


def test_host_vector_62_opt_ins_for_private_addresses() -> None:
    private = net({"action": "outbound", "host": "*.internal.test", "allow-private": True})
    assert private.check_addresses("db.internal.test", 5432, ["10.0.0.5"]) == ("10.0.0.5",)
    named = net({"action": "outbound", "host": "10.0.0.1"})
    assert named.check_network("10.0.0.1", 443) == "10.0.0.1"
    assert named.check_addresses("10.0.0.1", 443, ["10.0.0.1"]) == ("10.0.0.1",)
    denied(lambda: named.check_network("10.0.0.2", 443))


def test_d4_refusals_are_address_denied_and_no_other_denial_is() -> None:
    """`AddressDenied` tells a host a D4 refusal apart (wasi:http reports it as
    `destination-IP-prohibited`, not `HTTP-request-denied`)."""
    resolved = denied(lambda: WILD.check_addresses("x.example.com", 443, ["10.0.0.1"]))
    literal = denied(lambda: net({"action": "outbound", "host": "*"}).check_network("10.0.0.1", 80))
    assert isinstance(resolved, AddressDenied) and isinstance(literal, AddressDenied)
    for other in (
        denied(lambda: WILD.check_network("example.org", 443)),
        denied(lambda: WILD.check_url("http://x.example.com:99999/")),
        denied(
            lambda: net({"action": "outbound", "host": "x.example.com:80"}).check_url(
                "http://x.example.com:81/"
            )
        ),
    ):
        assert not isinstance(other, AddressDenied)


def test_host_vector_65_ipv6_zone_is_invalid() -> None:
    validator = net({"action": "outbound", "host": "[fe80::1]"})
    denied(lambda: validator.check_network("[fe80::1%eth0]", 443))
    denied(lambda: validator.check_network("fe80::1%eth0", 443))
    assert validator.check_network("[fe80::1]", 443) == "fe80::1"
    assert validator.check_network("FE80:0::1", 443) == "fe80::1"
    assert "zone" in load_error("[fe80::1%eth0]")


def test_host_vector_66_port_must_match() -> None:
    validator = net({"action": "outbound", "host": "api.example.com", "port": 443})
    assert validator.check_network("api.example.com", 443)
    denial = denied(lambda: validator.check_network("api.example.com", 8443))
    assert "only on port 443" in denial.reason
    in_host = net({"action": "outbound", "host": "api.example.com:443"})
    assert in_host.check_network("api.example.com", 443)
    denied(lambda: in_host.check_network("api.example.com", 8443))


@pytest.mark.parametrize("port", [0, 65536, -1, True, "443", 443.0])
def test_host_vector_68_invalid_request_ports(port: object) -> None:
    validator = net({"action": "outbound", "host": "api.example.com"})
    denial = denied(lambda: validator.check_network("api.example.com", port))  # type: ignore[arg-type]
    assert "port" in denial.reason and denial.grant is None


@pytest.mark.parametrize(
    ("host", "extra"),
    [
        ("api.example.com:0", {}),
        ("api.example.com:70000", {}),
        ("api.example.com:0443", {}),
        ("api.example.com", {"port": 0}),
        ("api.example.com", {"port": 70000}),
        ("api.example.com", {"port": "true"}),
        ("api.example.com", {"port": '"443"'}),
        ("api.example.com:443", {"port": 443}),
    ],
)
def test_host_vector_68_invalid_grant_ports_are_load_errors(
    host: str, extra: dict[str, object]
) -> None:
    message = load_error(host, **extra)
    assert "capabilities.network[0]" in message


def test_host_vector_69_no_port_means_any_port_d5() -> None:
    validator = net({"action": "outbound", "host": "api.example.com"})
    assert validator.check_network("api.example.com", 8443) == "api.example.com"
    assert validator.check_network("api.example.com", 1) == "api.example.com"


def test_host_vector_70_outbound_is_not_inbound() -> None:
    validator = net({"action": "outbound", "host": "api.example.com", "port": 443})
    denial = denied(lambda: validator.check_network("api.example.com", 443, "inbound"))
    assert "granted for outbound" in denial.reason


def test_host_vector_71_inbound_is_exact() -> None:
    validator = net({"action": "inbound", "host": "127.0.0.1", "port": 8080})
    assert validator.check_network("127.0.0.1", 8080, "inbound") == "127.0.0.1"
    denied(lambda: validator.check_network("0.0.0.0", 8080, "inbound"))
    denied(lambda: validator.check_network("127.0.0.1", 8081, "inbound"))
    for host in ("*", "*.example.com"):
        body = f'[[capabilities.network]]\naction = "inbound"\nhost = "{host}"\n'
        with pytest.raises(ManifestError):
            manifest(body)


@pytest.mark.parametrize(
    "host", ["exa mple.com", "example.com\r\nX: y", "example.com\t", "exa\x00mple.com", " "]
)
def test_host_vector_72_whitespace_and_control_characters(host: str) -> None:
    validator = net({"action": "outbound", "host": "example.com"})
    denial = denied(lambda: validator.check_network(host, 443))
    assert denial.grant is None
    denied(lambda: validator.check_url(f"http://{host}/"))


# -- more of our own ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Example.COM.", "example.com"),
        ("ＡＰＩ.example.com", "api.example.com"),
        ("example。com", "example.com"),
        ("api.example.com。", "api.example.com"),  # a trailing ideographic full stop
        ("api.example.com．", "api.example.com"),  # full-width
        ("api.example.com｡", "api.example.com"),  # half-width ideographic
        ("bücher.example。", "xn--bcher-kva.example"),
        ("[::ffff:10.0.0.1]", "10.0.0.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("xn--fa-hia.de", "xn--fa-hia.de"),
        ("a-b.c0.example", "a-b.c0.example"),
    ],
)
def test_canonical_hosts(text: str, canonical: str) -> None:
    assert canonical_host(text).text == canonical


@pytest.mark.parametrize(
    "text",
    [
        "example.com..",
        "api.example.com.。",  # two trailing dots, however written
        "１２７．０．０．１",  # full-width digits and dots: not a canonical IP literal
        "127。0。0。1",
        "１２７.0.0.1",
        "8.8.8.８",
        "example.１２３",
        "-a.com",
        "a-.com",
        "a_b.com",
        "a..b",
        "x" * 64 + ".com",
        "xn--zz.com",
        "a.b.c." + "d" * 254,
        "[::1",
        "1.2.3.04",
        "example.123",
    ],
)
def test_invalid_hosts(text: str) -> None:
    with pytest.raises(ValueError):
        canonical_host(text)


# The D4 rule (witgen/permissions/hosts.py), block by block: the first and
# last address of each restricted block, and the global neighbours around it.
RESTRICTED = [
    # IPv4 special-purpose blocks, globally reachable or not
    "0.0.0.0",
    "0.255.255.255",
    "10.0.0.0",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.169.254",
    "169.254.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "192.0.0.0",
    "192.0.0.9",
    "192.0.0.170",
    "192.0.0.255",  # IETF protocol assignments
    "192.0.2.1",
    "192.31.196.1",
    "192.52.193.1",
    "192.88.99.1",
    "192.168.0.0",
    "192.168.255.255",
    "192.175.48.1",
    "198.18.0.0",
    "198.19.255.255",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.255",
    "240.0.0.1",
    "255.255.255.255",
    # IPv6 embedding a restricted IPv4 address, in a form that reaches it
    "::ffff:127.0.0.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::192.0.0.170",
    "2002:7f00:1::1",
    "2002:c000:201::1",
    # deprecated forms, restricted whatever they embed
    "::127.0.0.1",
    "::8.8.8.8",
    "::ffff:0:127.0.0.1",
    "::ffff:0:8.8.8.8",
    # outside 2000::/3
    "::",
    "::1",
    "64:ff9b:1::7f00:1",
    "64:ff9b:1::808:808",
    "100::1",
    "4000::1",
    "5f00::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    # restricted blocks inside 2000::/3
    "2001::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:2::1",
    "2001:1ff::1",
    "2001:db8::1",
    "2620:4f:8000::1",
    "3fff::1",
]
GLOBAL = [
    "1.1.1.1",
    "8.8.8.8",
    "93.184.216.34",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "191.255.255.255",
    "192.0.1.0",
    "192.0.3.0",
    "192.88.98.255",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2001:200::1",
    "2a00:1450::1",
    "2620:4f:7fff::1",
    "3ffe::1",
]


@pytest.mark.parametrize("text", RESTRICTED)
def test_restricted_addresses(text: str) -> None:
    assert is_restricted_address(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", GLOBAL)
def test_global_addresses(text: str) -> None:
    assert not is_restricted_address(ipaddress.ip_address(text))


@pytest.mark.parametrize(
    "address", ["::127.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b:1::7f00:1", "192.0.0.170"]
)
def test_address_forms_that_wildcard_grants_let_through_are_denied_d4(address: str) -> None:
    """Issue 22: each was allowed under a wildcard grant."""
    denial = denied(lambda: WILD.check_addresses("x.example.com", 443, [address]))
    assert "D4" in denial.reason
    everyone = net({"action": "outbound", "host": "*"})
    host = f"[{address}]" if ":" in address else address
    assert "D4" in denied(lambda: everyone.check_network(host, 443)).reason


@pytest.mark.parametrize(
    "url",
    [
        "ftp://good.com/",
        "good.com/x",
        "http:///x",
        "http://good.com:0/",
        "http://good.com:x/",
        "http://[::1/",
        "http://good.com:80:80/",
        "javascript:alert(1)",
    ],
)
def test_invalid_urls(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)


def test_network_grants_are_per_component_and_per_action() -> None:
    validator = net(
        {"action": "outbound", "host": "a.example.com", "port": 443},
        {"action": "inbound", "host": "0.0.0.0", "port": 8080},
    )
    assert validator.check_network("0.0.0.0", 8080, "inbound") == "0.0.0.0"
    denied(lambda: validator.check_network("a.example.com", 8080, "inbound"))
    with pytest.raises(ValueError, match="unknown network action"):
        validator.check_network("a.example.com", 443, "sideways")  # type: ignore[arg-type]


def test_network_denial_suggests_a_grant() -> None:
    denial = denied(lambda: WILD.check_network("other.org", 443))
    assert denial.capability == "network.outbound"
    assert denial.resource == "other.org:443"
    assert denial.grant == (
        '[[capabilities.network]] action = "outbound", host = "other.org", port = 443'
    )


def test_network_cache_does_not_confuse_bool_and_int_ports() -> None:
    validator = net({"action": "outbound", "host": "a.example.com"})
    assert validator.check_network("a.example.com", 1) == "a.example.com"
    denied(lambda: validator.check_network("a.example.com", True))


def test_host_names_written_with_ideographic_dots_and_full_width_digits() -> None:
    """Issue 22, item 6: the trailing `。` was denied as an empty label; full-width
    IP literals were accepted although only canonical ones may be."""
    assert WILD.check_network("api.example.com。", 443) == "api.example.com"
    assert (
        net({"action": "outbound", "host": "api.example.com。"}).check_network(
            "api.example.com", 443
        )
        == "api.example.com"
    )
    literal = net({"action": "outbound", "host": "93.184.216.34"})
    denial = denied(lambda: literal.check_network("９３．１８４．２１６．３４", 443))
    assert "canonical IP" in denial.reason
    assert "host" in load_error("９３．１８４．２１６．３４")
