"""Fixtures of the `witgen.http` tests: `http_guest(name)` builds a test guest of
`tests/guests/http/` (cached) or skips (see `support.http_guests`)."""

from support.http_guests import http_guest

__all__ = ["http_guest"]
