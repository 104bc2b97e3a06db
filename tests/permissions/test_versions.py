"""Version vectors of design/permissions.md, the plan's compatibility matrix,
and the interface validator's three kinds of error."""

from __future__ import annotations

import re

import pytest
import semantic_version  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from witgen.permissions import (
    InterfaceError,
    InterfaceProblemKind,
    InterfaceValidator,
    MalformedVersion,
    ManifestError,
    ProvidedPackage,
    UnsupportedInterface,
    VersionMismatch,
    parse_manifest,
    parse_requirement,
    parse_version,
)

from .helpers import manifest


def matches(requirement: str, version: str) -> bool:
    return parse_requirement(requirement).matches(parse_version(version))


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.5.0", True), ("2.0.0", False), ("1.5.0-beta.1", False), ("0.9.9", False)],
)
def test_version_vector_87_caret(version: str, expected: bool) -> None:
    assert matches("^1.0.0", version) is expected


def test_version_vector_87_simple_spec_would_allow_the_pre_release() -> None:
    """Why semantic_version's SimpleSpec is not used: it allows 1.5.0-beta.1."""
    assert semantic_version.SimpleSpec("^1.0.0").match(semantic_version.Version("1.5.0-beta.1"))
    assert not matches("^1.0.0", "1.5.0-beta.1")


@pytest.mark.parametrize(("version", "expected"), [("1.2.9", True), ("1.3.0", False)])
def test_version_vector_88_tilde(version: str, expected: bool) -> None:
    assert matches("~1.2.0", version) is expected


def test_version_vector_89_caret_on_zero_major() -> None:
    assert matches("^0.2.3", "0.2.9")
    assert not matches("^0.2.3", "0.3.0")
    assert not matches("^0.0.3", "0.0.4")
    assert matches("^0.0.3", "0.0.3")


@pytest.mark.parametrize("requirement", ["", " ", ",", "^1.0.0,"])
def test_version_vector_92_empty_requirement_is_an_error(requirement: str) -> None:
    with pytest.raises(ValueError):
        parse_requirement(requirement)
    with pytest.raises(ManifestError) as caught:
        manifest(f'[dependencies]\n"airssys:host-core" = "{requirement}"\n')
    assert caught.value.problems[0].key == 'dependencies."airssys:host-core"'


def test_version_vector_93_bare_means_caret_d8() -> None:
    assert matches("1.2.3", "1.2.4")
    assert matches("1.2.3", "1.9.0")
    assert not matches("1.2.3", "2.0.0")
    assert not matches("1.2.3", "1.2.2")


@pytest.mark.parametrize("version", ["1.2", "1", "v1.2.3", "01.2.3", "1.2.3.4", " 1.2.3", ""])
def test_version_vector_96_strict_versions(version: str) -> None:
    with pytest.raises(ValueError):
        parse_version(version)
    problems = InterfaceValidator().check([f"airssys:host-core/host-services@{version}"])
    assert [problem.kind for problem in problems] == [InterfaceProblemKind.MALFORMED]


# -- Cargo's requirement semantics, beyond the vectors ---------------------------


@pytest.mark.parametrize(
    ("requirement", "yes", "no"),
    [
        ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0"]),
        ("^1", ["1.0.0", "1.9.9"], ["0.9.0", "2.0.0"]),
        ("^0.2", ["0.2.0", "0.2.9"], ["0.3.0", "0.1.9"]),
        ("^0", ["0.0.1", "0.9.9"], ["1.0.0"]),
        ("~1.2.3", ["1.2.3", "1.2.9"], ["1.2.2", "1.3.0"]),
        ("~1.2", ["1.2.0", "1.2.9"], ["1.3.0"]),
        ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
        ("=1.2.3", ["1.2.3", "1.2.3+build"], ["1.2.4"]),
        ("=1.2", ["1.2.0", "1.2.7"], ["1.3.0"]),
        (">1.2.3", ["1.2.4", "2.0.0"], ["1.2.3"]),
        (">1.2", ["1.3.0"], ["1.2.9"]),
        (">=1.2.3, <1.5.0", ["1.2.3", "1.4.9"], ["1.5.0", "1.2.2"]),
        ("<=1.2", ["1.2.9", "0.1.0"], ["1.3.0"]),
        ("< 2", ["1.9.9"], ["2.0.0"]),
        (">=1.0.0-rc.1", ["1.0.0-rc.1", "1.0.0-rc.2", "1.0.0", "1.1.0"], ["1.1.0-rc.1"]),
        ("^1.2.3-beta.2", ["1.2.3-beta.2", "1.2.3-beta.11", "1.2.3", "1.3.0"], ["1.2.3-alpha"]),
        ("=1.2.3-rc.1+build.5", ["1.2.3-rc.1"], ["1.2.3"]),
    ],
)
def test_cargo_requirements(requirement: str, yes: list[str], no: list[str]) -> None:
    for version in yes:
        assert matches(requirement, version), version
    for version in no:
        assert not matches(requirement, version), version


@pytest.mark.parametrize(
    "requirement", ["*", "1.*", "1.x", "^1.0.0 || ^2.0.0", "1.0.0 - 2.0.0", "^v1", "^1.02", "=>1"]
)
def test_unsupported_requirement_syntax(requirement: str) -> None:
    with pytest.raises(ValueError):
        parse_requirement(requirement)


_NUMBER = st.integers(min_value=0, max_value=4)


@given(
    st.sampled_from(["^", "~", "=", ">", ">=", "<", "<="]),
    st.tuples(_NUMBER, st.none() | _NUMBER, st.none() | _NUMBER),
    st.tuples(_NUMBER, _NUMBER, _NUMBER),
)
def test_release_versions_agree_with_npm_spec(
    op: str, required: tuple[int, int | None, int | None], version: tuple[int, int, int]
) -> None:
    """For releases and explicit operators, Cargo and npm mean the same thing."""
    major, minor, patch = required
    text = f"{major}" + (f".{minor}" if minor is not None else "")
    if minor is not None and patch is not None:
        text += f".{patch}"
    shown = ".".join(map(str, version))
    npm = semantic_version.NpmSpec(f"{op}{text}").match(semantic_version.Version(shown))
    assert matches(f"{op}{text}", shown) is npm


# -- the interface validator -----------------------------------------------------


def test_compatibility_matrix() -> None:
    """The plan's matrix: a component built with A runs on a runtime providing B?"""

    def runs(built: str, runtime: str) -> bool:
        host = InterfaceValidator(
            [ProvidedPackage("airssys:host-core", runtime, frozenset({"host-services"}))]
        )
        return not host.check([f"airssys:host-core/host-services@{built}"])

    assert runs("1.0.0", "1.0.0")
    assert runs("1.0.0", "1.5.0")
    assert not runs("1.5.0", "1.0.0")
    assert not runs("1.0.0", "2.0.0")
    assert not runs("2.0.0", "1.5.0")
    assert not runs("1.0.0", "1.5.0-rc.1")


def test_airssys_host_accepts_its_own_imports() -> None:
    InterfaceValidator().validate(
        [
            "airssys:host-core/host-services@1.0.0",
            "airssys:host-core/types@1.0.0",
            "airssys:host-extensions/filesystem@1.0.0",
            "airssys:host-extensions/storage@1.0.0",
        ],
        [("airssys:component-core", "^1.0.0"), ("airssys:host-core/host-services", "~1.0")],
        api_version="1.0.0",
    )


def test_unsupported_interface() -> None:
    with pytest.raises(UnsupportedInterface) as caught:
        InterfaceValidator().validate(["airssys:unknown-interface/x@1.0.0"])
    assert "provides no package airssys:unknown-interface" in str(caught.value)
    with pytest.raises(UnsupportedInterface, match="has no interface nope"):
        InterfaceValidator().validate(["airssys:host-core/nope@1.0.0"])
    with pytest.raises(UnsupportedInterface, match="not an interface name"):
        InterfaceValidator().validate(["log"])


def test_version_mismatch() -> None:
    with pytest.raises(VersionMismatch) as caught:
        InterfaceValidator().validate(["airssys:host-core/host-services@2.0.0"])
    assert "built against 2.0.0" in str(caught.value)
    assert "airssys:host-core@1.0.0" in str(caught.value)
    with pytest.raises(VersionMismatch, match=re.escape("requires ^1.1")):
        InterfaceValidator().validate(dependencies=[("airssys:host-core", "^1.1")])
    with pytest.raises(VersionMismatch, match="names no version"):
        InterfaceValidator().validate(["airssys:host-core/host-services"])
    with pytest.raises(VersionMismatch):
        InterfaceValidator().validate(api_version="1.1.0")


def test_malformed_version() -> None:
    with pytest.raises(MalformedVersion) as caught:
        InterfaceValidator().validate(["airssys:host-core/host-services@invalid.version"])
    assert "not a semantic version" in str(caught.value)
    with pytest.raises(MalformedVersion):
        InterfaceValidator().validate(dependencies=[("airssys:host-core", "")])


def test_every_problem_is_reported_and_the_first_picks_the_class() -> None:
    with pytest.raises(InterfaceError) as caught:
        InterfaceValidator().validate(
            ["airssys:host-core/host-services@1.2", "wasi:io/streams@0.2.0"],
            [("airssys:host-core", ">=2")],
        )
    assert isinstance(caught.value, MalformedVersion)
    kinds = [problem.kind for problem in caught.value.problems]
    assert kinds == [
        InterfaceProblemKind.MALFORMED,
        InterfaceProblemKind.UNSUPPORTED,
        InterfaceProblemKind.MISMATCH,
    ]


def test_manifest_dependencies_and_api_version() -> None:
    loaded = manifest(
        '[dependencies]\n"airssys:component-core" = "^1.0.0"\n"airssys:host-core" = "~1.2.0"\n'
    )
    problems = InterfaceValidator().check_manifest(loaded)
    assert [str(problem) for problem in problems] == [
        "version mismatch: airssys:host-core: the component requires ~1.2.0, "
        "but the host provides airssys:host-core@1.0.0"
    ]
    built_later = parse_manifest(
        '[component]\nname = "c"\nversion = "0.1.0"\napi-version = "1.5.0"\n'
    )
    with pytest.raises(VersionMismatch):
        InterfaceValidator().validate_manifest(built_later)
    built_same = parse_manifest(
        '[component]\nname = "c"\nversion = "0.1.0"\napi-version = "1.0.0"\n'
    )
    InterfaceValidator().validate_manifest(built_same)


@pytest.mark.parametrize("key", ["airssys", "airssys:", "Airssys:host-core", "airssys:host-core@1"])
def test_dependency_keys_are_checked_at_load(key: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest(f'[dependencies]\n"{key}" = "^1.0.0"\n')
    assert caught.value.problems[0].key is not None
    assert caught.value.problems[0].key.startswith("dependencies.")


def test_a_host_that_links_wasi_supports_wasi_0_2_imports() -> None:
    """The airssys host links WASI 0.2 from wasmtime at any 0.2.x; other versions
    and other hosts' validators still refuse them."""
    wasi = ["wasi:io/streams@0.2.0", "wasi:cli/stdout@0.2.9"]
    assert InterfaceValidator(links_wasi=True).check(wasi) == ()
    refused = InterfaceValidator(links_wasi=True).check(["wasi:io/streams@0.3.0"])
    assert [problem.kind for problem in refused] == [InterfaceProblemKind.UNSUPPORTED]
    assert len(InterfaceValidator().check(wasi)) == 2
