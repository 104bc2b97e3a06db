"""Host names, IP literals, ports and URLs, in one canonical form.

In: a host from a grant (`api.example.com`, `*.example.com`, `10.0.0.1`,
`[fe80::1]`, optionally with `:port`) or from a request (a host or a URL).
Out: `parse_host_pattern()` gives a `HostPattern`; `canonical_host()` gives
the `Host` a request is matched (and connected) as; `parse_url()` gives the
host and port of an `http`/`https` URL; `is_restricted_address()` says whether
an address is private, loopback, link-local or otherwise not global (D4, by
the rule below).
Raises: `InvalidHost` for a request no grant can allow, `ValueError` (with the
load-error message) for a bad pattern.

The rules (design/permissions.md, "Hosts"): lower case, Unicode names
mapped by UTS 46 (so an ideographic full stop `。` is a dot), then one
trailing dot stripped, then the IDNA A-label (so `faß.de` is `xn--fa-hia.de`
and never `fass.de`; plain ASCII takes a fast path), IP literals through
`ipaddress` with IPv4-mapped IPv6 folded to IPv4.  Only canonical IP literals
are accepted, written in ASCII: `127.1`, `0x7f.1`, `2130706433`, `010.0.0.1`
and `１２７．０．０．１` (full-width digits, ideographic dots) are invalid, as is
any name whose last label is a number, and an IPv6 zone (`%eth0`).  A
wildcard is only a whole leftmost label: `*.example.com` matches proper
subdomains at any depth, never `example.com` itself (D3) and
never `evilexample.com`.  A lone `*` grants every host (with a warning).
Ports are strict digits 1-65535, no leading zeros.  URLs with user
information, backslashes, whitespace or control characters are invalid.

Restricted addresses (D4), written out here rather than taken from the
`ipaddress` tables of the running Python (which change between versions):

* IPv4: every block of the IANA IPv4 special-purpose registry, whether it is
  marked globally reachable or not (`0.0.0.0/8`, `10.0.0.0/8`,
  `100.64.0.0/10`, `127.0.0.0/8`, `169.254.0.0/16`, `172.16.0.0/12`, the
  whole of `192.0.0.0/24`, `192.0.2.0/24`, `192.31.196.0/24`,
  `192.52.193.0/24`, `192.88.99.0/24`, `192.168.0.0/16`, `192.175.48.0/24`,
  `198.18.0.0/15`, `198.51.100.0/24`, `203.0.113.0/24`), multicast
  (`224.0.0.0/4`) and the reserved `240.0.0.0/4` (with `255.255.255.255`).
* IPv6 that embeds an IPv4 address in a form that reaches it is checked as
  that IPv4 address: IPv4-mapped `::ffff:0:0/96` (folded to IPv4 anyway), the
  well-known NAT64 prefix `64:ff9b::/96` and 6to4 `2002::/16`.
* Any other IPv6 address is global only inside `2000::/3`, the global
  unicast space, and not in `2001::/23` (IETF protocol assignments: Teredo,
  benchmarking, ORCHID, ...), `2001:db8::/32` and `3fff::/20`
  (documentation) or `2620:4f:8000::/48` (AS112).  So the unspecified and
  loopback addresses, the deprecated IPv4-compatible (`::a.b.c.d`) and
  IPv4-translated (`::ffff:0:a.b.c.d`) forms, the local-use NAT64 prefix
  `64:ff9b:1::/48`, discard-only `100::/64`, unique-local `fc00::/7`,
  link-local `fe80::/10`, site-local `fec0::/10` and multicast `ff00::/8` are
  all restricted, whatever they embed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
HostKind = Literal["name", "ip"]
PatternKind = Literal["name", "ip", "wildcard", "any"]

MAX_HOST = 253
DEFAULT_PORTS = {"http": 80, "https": 443}

# The fast path: plain lower-case LDH labels whose last label starts with a
# letter (so it is not a number) and no `xn--` label to verify.
_PLAIN_NAME = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}+(?<!-))?\.)*+[a-z](?:[a-z0-9-]{0,61}+(?<!-))?"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([/?#].*)?", re.DOTALL)

_RESTRICTED_V4 = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_RESTRICTED_V6 = tuple(
    ipaddress.IPv6Network(block)
    for block in ("2001::/23", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20")
)


class InvalidHost(ValueError):
    """A request host or URL that no grant can allow; the message says why."""


@dataclass(frozen=True, slots=True)
class Host:
    """A request host in canonical form: an A-label name, or an IP literal."""

    kind: HostKind
    text: str

    @property
    def address(self) -> IPAddress | None:
        return ipaddress.ip_address(self.text) if self.kind == "ip" else None


@dataclass(frozen=True, slots=True)
class HostPattern:
    """A grant's host: `host` is canonical (the suffix, for a wildcard; `""` for `*`)."""

    text: str
    kind: PatternKind
    host: str
    port: int | None

    def display(self) -> str:
        host = {"wildcard": f"*.{self.host}", "any": "*"}.get(self.kind, self.host)
        if ":" in host:
            host = f"[{host}]"
        return host if self.port is None else f"{host}:{self.port}"


def canonical_host(text: str) -> Host:
    """The canonical form of a request host (bracketed IPv6 is accepted)."""
    if isinstance(text, str) and len(text) <= MAX_HOST and text.isascii():
        lowered = text.lower()
        if _PLAIN_NAME.fullmatch(lowered) is not None and "xn--" not in lowered:
            return Host("name", lowered)
    return _canonical_slowly(text)


def _canonical_slowly(text: str) -> Host:
    if not isinstance(text, str):
        raise InvalidHost("a host must be a string")
    if not text:
        raise InvalidHost("the host is empty")
    if ":" in text and "%" in text:
        raise InvalidHost("an IPv6 zone (`%...`) is not allowed")
    bad = _forbidden_character(text)
    if bad is not None:
        raise InvalidHost(f"the host contains {bad}")
    if text.startswith("["):
        if not text.endswith("]"):
            raise InvalidHost("an IPv6 literal in brackets must end with `]`")
        return Host("ip", _ipv6(text[1:-1]))
    if ":" in text:
        return Host("ip", _ipv6(text))
    host = text.lower()
    written_in_ascii = host.isascii()
    try:
        if not written_in_ascii:
            host = idna.uts46_remap(host, std3_rules=True, transitional=False)
        if host.endswith("."):
            host = host[:-1]
        if not host.isascii():
            host = idna.encode(host).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise InvalidHost(f"not a valid international domain name: {error}") from None
    return _ascii_host(host, written_in_ascii=written_in_ascii)


def _ascii_host(host: str, *, written_in_ascii: bool = True) -> Host:
    if not host:
        raise InvalidHost("the host is empty")
    if len(host) > MAX_HOST:
        raise InvalidHost(f"the host is longer than {MAX_HOST} characters")
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]) is not None:
        if not written_in_ascii:
            raise InvalidHost(
                "not a canonical IP address (write an IP address in ASCII digits and "
                "dots, such as 10.0.0.1)"
            )
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            address = None
        if address is None or str(address) != host:
            raise InvalidHost(
                "not a canonical IP address (write IPv4 as four decimal numbers "
                "without leading zeros, such as 10.0.0.1)"
            )
        return Host("ip", host)
    for label in labels:
        if _LABEL.fullmatch(label) is None:
            raise InvalidHost(
                f"the label {label!r} is not a valid host name label (letters, digits "
                "and inner hyphens, at most 63 characters)"
                if label
                else "the host has an empty label"
            )
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError):
                raise InvalidHost(f"the label {label!r} is not a valid IDNA A-label") from None
    return Host("name", host)


def _ipv6(text: str) -> str:
    if "%" in text:
        raise InvalidHost("an IPv6 zone (`%...`) is not allowed")
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        raise InvalidHost("not a valid IPv6 address") from None
    mapped = address.ipv4_mapped
    return str(mapped) if mapped is not None else str(address)


def _forbidden_character(text: str) -> str | None:
    for char in text:
        if char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F:
            return f"whitespace or a control character ({char!r})"
        if char in "\\/@?#%*,;\"'<>^`{|}":
            return f"the character {char!r}"
    return None


def parse_port(text: str) -> int:
    """A port written as text: digits only, 1-65535, no leading zeros."""
    if _PORT.fullmatch(text) is None or int(text) > 65535:
        raise InvalidHost(f"not a valid port: {text!r} (expected 1-65535)")
    return int(text)


def check_port(port: object) -> int:
    """A request port: an int (not a bool) from 1 to 65535."""
    if type(port) is not int or not 1 <= port <= 65535:
        raise InvalidHost(f"not a valid port: {port!r} (expected 1-65535)")
    return port


def parse_host_pattern(text: str, port: int | None = None) -> HostPattern:
    """Check and canonicalise a grant's host; `port` is the grant's `port` key."""
    if not text:
        raise ValueError("empty host; name a host, `*.` and a domain, or an IP address")
    host, written_port = _split_port(text)
    if written_port is not None and port is not None:
        raise ValueError("the port is given twice (in `host` and in `port`)")
    port = written_port if written_port is not None else port
    if host == "*":
        return HostPattern(text, "any", "", port)
    if host.startswith("*."):
        suffix = host[2:]
        if "*" in suffix:
            raise ValueError("wildcards are allowed only as the whole leftmost label")
        if suffix in ("", "."):
            raise ValueError("`*.` needs a domain after it, such as `*.example.com`")
        try:
            canonical = canonical_host(suffix)
        except InvalidHost as error:
            raise ValueError(str(error)) from None
        if canonical.kind == "ip":
            raise ValueError("a wildcard needs a domain name after `*.`, not an IP address")
        return HostPattern(text, "wildcard", canonical.text, port)
    if "*" in host:
        raise ValueError("wildcards are allowed only as the whole leftmost label (`*.example.com`)")
    try:
        canonical = canonical_host(host)
    except InvalidHost as error:
        raise ValueError(str(error)) from None
    return HostPattern(text, canonical.kind, canonical.text, port)


def _split_port(text: str) -> tuple[str, int | None]:
    """Split `host:port`; IPv6 needs brackets to carry a port."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError("an IPv6 literal in brackets must end with `]`")
        rest = text[end + 1 :]
        if not rest:
            return text, None
        if not rest.startswith(":"):
            raise ValueError("only `:port` may follow an IPv6 literal in brackets")
        return text[: end + 1], _grant_port(rest[1:])
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, _grant_port(port)
    return text, None


def _grant_port(text: str) -> int:
    try:
        return parse_port(text)
    except InvalidHost as error:
        raise ValueError(str(error)) from None


def parse_url(url: str) -> tuple[str, Host, int]:
    """The scheme, canonical host and port of an `http` or `https` URL."""
    if not isinstance(url, str):
        raise InvalidHost("a URL must be a string")
    for char in url:
        if char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F:
            raise InvalidHost(f"the URL contains whitespace or a control character ({char!r})")
    if "\\" in url:
        raise InvalidHost("the URL contains a backslash")
    match = _URL.fullmatch(url)
    if match is None:
        raise InvalidHost("not an absolute URL (`scheme://host/...`)")
    scheme, authority = match.group(1).lower(), match.group(2)
    if scheme not in DEFAULT_PORTS:
        raise InvalidHost(f"the scheme {scheme!r} is not supported (use http or https)")
    if "@" in authority:
        raise InvalidHost("the URL has user information (`user@host`)")
    if authority.startswith("["):
        end = authority.find("]")
        host_text, rest = (
            (authority, "") if end < 0 else (authority[: end + 1], authority[end + 1 :])
        )
    elif ":" in authority:
        colon = authority.index(":")
        host_text, rest = authority[:colon], authority[colon:]
    else:
        host_text, rest = authority, ""
    if rest and not rest.startswith(":"):
        raise InvalidHost("only `:port` may follow the host")
    port = parse_port(rest[1:]) if rest else DEFAULT_PORTS[scheme]
    return scheme, canonical_host(host_text), port


def is_restricted_address(address: IPAddress) -> bool:
    """Whether D4 blocks `address` by default: not a global unicast address,
    by the rule of the module docstring (the same on every Python version)."""
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in block for block in _RESTRICTED_V4)
    value = int(address)
    if address in _MAPPED or address in _NAT64:
        return is_restricted_address(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    if address in _SIX_TO_FOUR:
        return is_restricted_address(ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF))
    if address not in _GLOBAL_UNICAST:
        return True
    return any(address in block for block in _RESTRICTED_V6)


def fold_address(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address as IPv4; any other address as it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
