"""The guest SDK's payload encodings, against the spec's bytes and the
reference `msgpack` package."""

from __future__ import annotations

import math

import msgpack
import pytest
from airssys_sdk import EncodingError, decode, encode, encode_json, encode_msgpack
from hypothesis import given, settings
from hypothesis import strategies as st

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_msgpack_matches_the_reference(value: object) -> None:
    ours = encode_msgpack(value)
    assert ours[:2] == b"\x02\x01"
    assert ours[2:] == msgpack.packb(value, use_bin_type=True)
    assert decode(ours) == msgpack.unpackb(ours[2:], raw=False, strict_map_key=False)


@settings(max_examples=200, deadline=None)
@given(VALUES.filter(lambda v: "bytes" not in repr(type(v))))
def test_decoding_what_the_reference_encodes(value: object) -> None:
    packed = b"\x02\x01" + msgpack.packb(value, use_bin_type=True)
    assert decode(packed) == value or (isinstance(value, float) and math.isnan(value))


@pytest.mark.parametrize(
    ("value", "packed"),
    [
        (None, "c0"),
        (False, "c2"),
        (True, "c3"),
        (0, "00"),
        (127, "7f"),
        (128, "cc80"),
        (-1, "ff"),
        (-32, "e0"),
        (-33, "d0df"),
        (65536, "ce00010000"),
        (2**64 - 1, "cfffffffffffffffff"),
        (-(2**63), "d38000000000000000"),
        (1.5, "cb3ff8000000000000"),
        ("", "a0"),
        ("a" * 32, "d920" + "61" * 32),
        (b"\x01", "c40101"),
        ([1, [2]], "92019102"),
        ({"a": 1}, "81a16101"),
    ],
)
def test_msgpack_bytes_from_the_spec(value: object, packed: str) -> None:
    assert encode_msgpack(value) == b"\x02\x01" + bytes.fromhex(packed)
    assert decode(b"\x02\x01" + bytes.fromhex(packed)) == value


def test_json() -> None:
    assert encode_json({"a": [1, "é"]}) == b'\x02\x00{"a":[1,"\xc3\xa9"]}'
    assert decode(b'\x02\x00{"a":[1,"\xc3\xa9"]}') == {"a": [1, "é"]}
    assert encode({"x": 1}, "json") == encode_json({"x": 1})
    assert encode({"x": 1}, "msgpack") == encode_msgpack({"x": 1})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "a payload starts with a 2-byte prefix; got 0 bytes"),
        (b"{", "a payload starts with a 2-byte prefix; got 1 bytes"),
        (b'{"a": 1}', "unknown payload prefix 0x7b 0x22 (known: 0x02 0x00 JSON, 0x02 0x01"),
        (b"\x02\x02xx", "unknown payload prefix 0x02 0x02"),
        (b"\x02\x00{", "malformed JSON payload"),
        (b"\x02\x00\xff", "malformed JSON payload"),
        (b"\x02\x01", "it ends too early"),
        (b"\x02\x01\xda\x00\x05ab", "it ends too early"),
        (b"\x02\x01\xdd\xff\xff\xff\xff", "it ends too early"),
        (b"\x02\x01\xc1", "type 0xc1"),
        (b"\x02\x01\xd4\x01\x00", "extension types are not supported"),
        (b"\x02\x01\x01\x02", "1 bytes after the value"),
        (b"\x02\x01\xa1\xff", "a str is not UTF-8"),
        (b"\x02\x01\x81\x91\x01\x01", "a map key is a list or map"),
        (b"\x02\x01" + b"\x91" * 300 + b"\x00", "nested deeper than 256"),
    ],
)
def test_bad_payloads(payload: bytes, message: str) -> None:
    with pytest.raises(EncodingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode(payload)


@pytest.mark.parametrize(
    ("value", "encoding", "message"),
    [
        (b"bytes", "json", "cannot encode as JSON"),
        (math.nan, "json", "cannot encode as JSON"),
        (object(), "msgpack", "cannot encode a object as MessagePack"),
        (2**64, "msgpack", "outside -2\\*\\*63 to 2\\*\\*64-1"),
        ({1}, "msgpack", "cannot encode a set"),
        (1, "yaml", "unknown encoding 'yaml'"),
    ],
)
def test_values_an_encoding_cannot_carry(value: object, encoding: str, message: str) -> None:
    with pytest.raises(EncodingError, match=message):
        encode(value, encoding)  # type: ignore[arg-type]
