"""Hand-made WebAssembly binaries: the encoders, and binaries the reader must reject.

`MALFORMED` holds binaries that `witgen.wasm` rejects while reading them
(truncated, garbled, foreign, over a limit); `tests/wasm/test_reader.py`
checks the reader's message against wasm-tools', and
`tests/resolve/test_decode.py` the diagnostic a run prints for them.
`REAL_COMPONENT` is a component in the text format with what only real
components have (core modules and instances, canonical functions, a resource
with a representation, a nested component instantiated).  `mutants` garbles
binaries at random, for the tests that no input crashes the reader or the
decoder.
"""

from __future__ import annotations

import random


def leb(value: int) -> bytes:
    """Unsigned LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def sleb(value: int) -> bytes:
    """A type index as a value type encodes it: signed LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def component(*sections: tuple[int, bytes]) -> bytes:
    """A component binary: the header, then each `(section id, body)`."""
    return b"\0asm\x0d\x00\x01\x00" + b"".join(
        bytes([section]) + leb(len(body)) + body for section, body in sections
    )


def items(*encoded: bytes) -> bytes:
    """A section body: the count, then the items."""
    return leb(len(encoded)) + b"".join(encoded)


def custom(name: bytes, data: bytes) -> tuple[int, bytes]:
    """A custom section, for `component`."""
    return (0, leb(len(name)) + name + data)


def list_chain(length: int) -> list[bytes]:
    """`list<u32>`, then lists of the type before, `length` types in all."""
    return [b"\x70\x79", *(b"\x70" + sleb(i) for i in range(length - 1))]


def nested_instances(depth: int) -> bytes:
    """An instance type nested `depth` times in instance types."""
    ty = b"\x42\x00"
    for _ in range(depth):
        ty = b"\x42\x01\x01" + ty
    return ty


EMPTY_COMPONENT = b"\0asm\x0d\x00\x01\x00"
EMPTY_MODULE = b"\0asm\x01\x00\x00\x00"

# `(component (type (component (export "a:b/x" (instance)))) (export "x" (type 0)))`:
# a WIT package `a:b` with one empty interface `x`.
PACKAGE = component(
    (7, items(b"\x41\x02\x01\x42\x00\x04\x00\x05a:b/x\x05\x00")),
    (11, items(b"\x00\x01x\x03\x00\x00")),
)

# A real component, in the text format: imports, a core module and core
# instances, a resource with a representation and a destructor, `canon
# lower`/`lift`/`resource.new`, a nested component instantiated and exported.
REAL_COMPONENT = """
(component
  (import "host" (instance $host
    (export "r" (type $r (sub resource)))
    (export "f" (func (param "x" (borrow $r)) (result u32)))
  ))
  (alias export $host "f" (func $f))
  (core module $m
    (import "host" "f" (func (param i32) (result i32)))
    (func (export "run") (param i32) (result i32) local.get 0)
    (func (export "dtor") (param i32))
    (memory (export "mem") 1)
  )
  (core func $lf (canon lower (func $f)))
  (core instance $hi (export "f" (func $lf)))
  (core instance $i (instantiate $m (with "host" (instance $hi))))
  (type $own (resource (rep i32) (dtor (core func $i "dtor"))))
  (core func $new (canon resource.new $own))
  (type $ft (func (param "x" u32) (result u32)))
  (func $run (type $ft) (canon lift (core func $i "run")))
  (component $inner
    (import "g" (func $g (param "x" u32) (result u32)))
    (export "g2" (func $g))
  )
  (instance $ii (instantiate $inner (with "g" (func $run))))
  (export "api" (instance $ii))
)
"""

MALFORMED: dict[str, bytes] = {
    "truncated": PACKAGE[:20],
    "magic-only": b"\0asm",
    "garbage-after-header": b"\0asm\x0d\x00\x01\x00garbage",
    "unknown-version": b"\0asm\x0c\x00\x01\x00",
    "unknown-section": component((13, b"")),
    "trailing-bytes": component((7, items() + b"\x00")),
    # (wasm-tools buffers the size it is told, so keep the size moderate.)
    "huge-section-size": b"\0asm\x0d\x00\x01\x00\x07\xff\xff\x3f",
    "overlong-leb": b"\0asm\x0d\x00\x01\x00\x07\xff\xff\xff\xff\x7f",
    "huge-count": component((7, b"\xff\xff\xff\xff\x0f")),
    "huge-string": b"\0asm\x0d\x00\x01\x00\x00\x06\xff\xff\xff\xff\x0f\x00",
    "negative-type-index": component((7, items(b"\x70\x40"))),
    "deep-list": component((7, items(*list_chain(100)))),
    # An instance type is one deeper than the deepest type it exports.
    "deep-instance": component(
        (
            7,
            items(
                b"\x42"
                + items(
                    *(b"\x01" + t for t in list_chain(99)),
                    b"\x04\x00\x01t\x03\x00" + leb(98),
                )
            ),
        )
    ),
    "deep-instances": component((7, items(nested_instances(150)))),
    "very-deep-instances": component((7, items(nested_instances(5000)))),
    # What only real components have: core instances, instances, canonical
    # functions and nested modules and components, with counts past their limits.
    "unknown-component-section": component((12, b"\x00")),
    "huge-core-instance-count": component((2, leb(0xFFFFFFFF))),
    "huge-instance-count": component((5, leb(0xFFFFFFFF))),
    "huge-canonical-count": component((8, leb(0xFFFFFFFF))),
    "huge-core-type-count": component((3, leb(0xFFFFFFFF))),
    "huge-instantiation-args": component((5, items(b"\x00\x00" + leb(0xFFFFFFFF)))),
    "huge-instantiation-exports": component((5, items(b"\x01" + leb(0xFFFFFFFF)))),
    "huge-canonical-options": component((8, items(b"\x00\x00\x00" + leb(0xFFFFFFFF)))),
    "long-import-name": component((10, items(b"\x00" + leb(200_000) + b"a" * 200_000))),
    "too-many-instances": component((5, items(*[b"\x01\x00"] * 4097))),
    "too-many-components": component(*[(4, EMPTY_COMPONENT)] * 1001),
    "too-many-modules-and-components": component(
        *[(1, EMPTY_MODULE)] * 600, *[(4, EMPTY_COMPONENT)] * 600
    ),
    "truncated-nested-component": component((4, EMPTY_COMPONENT + b"\x07\x05")),
    "core-instance-of-no-module": component((2, items(b"\x00\x00\x00"))),
    "lift-of-no-function": component((8, items(b"\x00\x00\x00\x00\x00"))),
}


def mutants(seeds: list[bytes], count: int, seed: int) -> list[bytes]:
    """Binaries with bytes cut, changed, inserted or removed."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(seeds))
        at = rng.randrange(8, len(data))
        operation = rng.randrange(4)
        if operation == 0:
            del data[at:]
        elif operation == 1:
            data[at] = rng.randrange(256)
        elif operation == 2:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
        else:
            del data[at : at + rng.randrange(1, 4)]
        out.append(bytes(data))
    return out
