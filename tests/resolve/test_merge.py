"""Unit tests of `witgen.resolve.merge`: one decoded package merged into an arena.

tests/resolve/test_decode.py compares whole trees with wasm-tools
(`test_merge_matches_wasm_tools`); these run without wasm-tools and pin each
rule on its own: what a shared package and interface gain, which ids `Merged`
reports, that merging twice changes nothing, and wit-parser's message for each
way two copies of a function can disagree.  The expected messages were taken
from `wasm-tools component wit` 1.262 on a `deps/` folder holding the two
packages (a.wasm merged first, so the second package is the `source`).
"""

from __future__ import annotations

import pytest
from wasmtime import wat2wasm

from witgen import ir
from witgen.resolve.arena import Arena
from witgen.resolve.decode import decode_wasm
from witgen.resolve.merge import merge, update_stability
from witgen.resolve.problems import Problem
from witgen.version import Version


def package(functions: dict[str, str], *, types: tuple[str, ...] = ()) -> Arena:
    """The package `p:q` with one interface `i`: `functions` maps each function's
    name to its WAT type, `types` names `u8` aliases; decoded into a fresh arena."""
    body = []
    index = 0
    for name in types:
        body.append(f'(type u8) (export "{name}" (type (eq {index})))')
        index += 2
    for name, signature in functions.items():
        body.append(f'(type {signature}) (export "{name}" (func (type {index})))')
        index += 1
    wat = (
        "(component (type (component (type (instance "
        + " ".join(body)
        + ')) (export "p:q/i" (instance (type 0))))) (export "i" (type 0)))'
    )
    arena, _ = decode_wasm(wat2wasm(wat))
    return arena


def interface(arena: Arena) -> ir.Interface:
    resolve = arena.freeze(ir.PackageId(0))
    (package_,) = resolve.packages
    ((name, interface_id),) = package_.interfaces
    assert (str(package_.name), name) == ("p:q", "i")
    return resolve.interfaces[interface_id]


def message(problem: Problem) -> str:
    return ": ".join((*problem.diagnostic.context, problem.diagnostic.message))


F = '(func (param "a" u32))'


def test_into_an_empty_arena_everything_moves() -> None:
    into = Arena(features=frozenset(), all_features=False)
    merged = merge(into, package({"f": F, "g": "(func (result string))"}, types=("t",)))
    assert merged.packages == (ir.PackageId(0),)
    moved = interface(into)
    assert [name for name, _ in moved.functions] == ["f", "g"]
    assert [name for name, _ in moved.types] == ["t"]


def test_a_shared_interface_gains_what_it_lacks() -> None:
    into = package({"f": F})
    merged = merge(into, package({"f": F, "g": "(func (result string))"}, types=("t",)))
    assert merged.packages == (ir.PackageId(0),)  # the package `into` already had
    grown = interface(into)
    assert [name for name, _ in grown.functions] == ["f", "g"]
    assert [name for name, _ in grown.types] == ["t"]
    assert len(into.packages) == 1


def test_a_shared_interface_keeps_what_only_it_has() -> None:
    into = package({"f": F, "h": "(func)"})
    merge(into, package({"f": F}))
    assert [name for name, _ in interface(into).functions] == ["f", "h"]


def test_merging_the_same_package_twice_changes_nothing() -> None:
    once = package({"f": F}, types=("t",))
    merge(once, package({"f": F}, types=("t",)))
    twice = package({"f": F}, types=("t",))
    merge(twice, package({"f": F}, types=("t",)))
    merge(twice, package({"f": F}, types=("t",)))
    assert twice.freeze(ir.PackageId(0)) == once.freeze(ir.PackageId(0))


PREFIX = "failed to merge package `p:q` into existing copy: failed to merge interface `i`"

MISMATCHES = {
    "parameter-names": (
        F,
        '(func (param "b" u32))',
        "mismatch in function `f`: different function parameter names: b != a",
    ),
    "parameter-count": (
        F,
        "(func)",
        "mismatch in function `f`: different number of function parameters",
    ),
    "parameter-types": (
        F,
        '(func (param "a" string))',
        "mismatch in function `f`: different function parameter types for `a`:"
        " different kinds of types",
    ),
    "result-count": (
        '(func (param "a" u32) (result u8))',
        F,
        "mismatch in function `f`: different number of function results",
    ),
    "result-types": (
        '(func (param "a" u32) (result u8))',
        '(func (param "a" u32) (result u16))',
        "mismatch in function `f`: different function result types: different kinds of types",
    ),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_two_copies_of_a_function_must_agree(case: str) -> None:
    first, second, expected = MISMATCHES[case]
    into = package({"f": first})
    with pytest.raises(Problem) as raised:
        merge(into, package({"f": second}))
    assert message(raised.value) == f"{PREFIX}: {expected}"


V1 = ir.Stable(Version(1, 0, 0))
V09 = ir.Stable(Version(0, 9, 0))
GATED = ir.Unstable("x")


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (None, None, None),
        (V1, V1, V1),
        (None, V1, V1),  # the gate fills in where one side has none
        (V1, None, V1),
        (GATED, None, GATED),
    ],
)
def test_gates_fill_in(source: ir.Stability, target: ir.Stability, expected: ir.Stability) -> None:
    assert update_stability(source, target) == expected


def test_two_different_gates_are_an_error() -> None:
    with pytest.raises(Problem) as raised:
        update_stability(V09, V1)
    assert message(raised.value) == (
        "mismatch in stability from"
        " 'Stable { since: Version { major: 0, minor: 9, patch: 0 }, deprecated: None }'"
        " to 'Stable { since: Version { major: 1, minor: 0, patch: 0 }, deprecated: None }'"
    )
