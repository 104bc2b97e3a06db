"""`deprecated_items`: the `@deprecated` items a world uses (`--deny-deprecated`, the host)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from witgen.diagnostics import SourceMap, WitError
from witgen.evolution.deprecation import check_deprecated, deprecated_items
from witgen.resolve.passes import resolve_path
from witgen.runtime.wit import Deprecated
from witgen.version import Version

EVOLUTION = Path(__file__).parent / "evolution"

COMPONENT = """package my:component@1.0.0;

world component {{
  import airssys:host-core/host-services@{version};
}}
"""


def component(tmp_path: Path, version: str) -> Path:
    shutil.copytree(EVOLUTION / f"host-core-{version}", tmp_path / "deps" / "host-core")
    (tmp_path / "component.wit").write_text(COMPONENT.format(version=version))
    return tmp_path


def test_a_world_importing_host_core_1_1(tmp_path: Path) -> None:
    resolve = resolve_path(str(component(tmp_path, "1.1.0")))
    (item,) = deprecated_items(resolve)
    assert (item.kind, item.name, item.interface, item.direction) == (
        "function",
        "current-time-millis",
        "airssys:host-core/host-services@1.1.0",
        "import",
    )
    assert (item.since, item.deprecated, item.removed_in) == (
        Version(1, 0, 0),
        Version(1, 1, 0),
        Version(2, 0, 0),
    )
    assert (item.replacement, item.note) == ("now", "use `now` instead.")
    assert item.world == "my:component/component@1.0.0"
    assert item.qualified_name == "airssys:host-core/host-services@1.1.0.current-time-millis"
    # The host warns in the runtime's words, from the table the bindings carry.
    notice = Deprecated(
        item.kind, item.name, str(item.deprecated), item.replacement, str(item.removed_in)
    )
    assert notice.warning("my-component") == (
        "Component 'my-component' uses deprecated function 'current-time-millis' "
        "(deprecated in 1.1.0). Use 'now' instead. Support will be removed in version 2.0.0."
    )


def test_nothing_is_deprecated_in_1_0(tmp_path: Path) -> None:
    assert deprecated_items(resolve_path(str(component(tmp_path, "1.0.0")))) == []


def test_nothing_is_left_to_deprecate_in_2_0(tmp_path: Path) -> None:
    assert deprecated_items(resolve_path(str(component(tmp_path, "2.0.0")))) == []


def test_check_deprecated_reports_each_item_where_it_is(tmp_path: Path) -> None:
    sources = SourceMap()
    resolve = resolve_path(str(component(tmp_path, "1.1.0")), sources=sources)
    with pytest.raises(WitError) as raised:
        check_deprecated(resolve, sources)
    text = raised.value.render()
    assert text.startswith(
        "world `my:component/component@1.0.0` imports deprecated function "
        "`current-time-millis` of `airssys:host-core/host-services@1.1.0` "
        "(deprecated in 1.1.0; use `now`; removed in 2.0.0)\n"
    )
    assert "deps/host-core/host.wit:" in text
    assert "current-time-millis: func() -> u64;" in text


GATED = """package t:p@1.2.0;

/// Deprecated: use `new-api` instead.
@since(version = 1.0.0)
@deprecated(version = 1.1.0)
interface old-api {
  @since(version = 1.0.0)
  f: func();
}

interface api {
  @since(version = 1.0.0)
  @deprecated(version = 1.2.0)
  record point {
    x: u32,
  }

  @since(version = 1.0.0)
  resource counter {
    /// Use `counter.value` instead.
    @since(version = 1.0.0)
    @deprecated(version = 1.2.0)
    get: func() -> u32;
    @since(version = 1.0.0)
    value: func() -> u32;
  }

  @unstable(feature = turbo)
  @deprecated(version = 1.2.0)
  boost: func();
}

interface hooks {
  /// Deprecated.
  @since(version = 1.0.0)
  @deprecated(version = 1.2.0)
  on-start: func();
}

world one {
  import old-api;
  import api;
  export hooks;
  @since(version = 1.0.0)
  @deprecated(version = 1.2.0)
  import legacy: func();
}

world two {
  import api;
}
"""


@pytest.fixture
def gated(tmp_path: Path) -> Path:
    path = tmp_path / "gated.wit"
    path.write_text(GATED)
    return path


def test_interfaces_types_methods_and_world_functions(gated: Path) -> None:
    items = deprecated_items(resolve_path(str(gated)))
    assert [(i.kind, i.name, i.direction, i.replacement, str(i.removed_in)) for i in items] == [
        ("interface", "old-api", "import", "new-api", "2.0.0"),
        ("type", "point", "import", None, "2.0.0"),
        ("function", "counter.get", "import", "counter.value", "2.0.0"),
        ("function", "legacy", "import", None, "2.0.0"),
        ("function", "on-start", "export", None, "2.0.0"),
    ]
    # `two` imports `api` too: each item is listed once, for the first world.
    assert {i.world for i in items} == {"t:p/one@1.2.0"}


def test_one_world(gated: Path) -> None:
    items = deprecated_items(resolve_path(str(gated)), world="two")
    assert [(i.kind, i.name, i.world) for i in items] == [
        ("type", "point", "t:p/two@1.2.0"),
        ("function", "counter.get", "t:p/two@1.2.0"),
    ]


def test_an_unstable_item_when_its_feature_is_on(gated: Path) -> None:
    items = deprecated_items(resolve_path(str(gated), features=["turbo"]), world="two")
    boost = [i for i in items if i.name == "boost"]
    assert [(i.since, i.deprecated) for i in boost] == [(None, Version(1, 2, 0))]


def test_an_unknown_world(gated: Path) -> None:
    with pytest.raises(LookupError, match="World `three` not found in package"):
        deprecated_items(resolve_path(str(gated)), world="three")


def test_a_package_without_worlds_uses_nothing() -> None:
    resolve = resolve_path(str(EVOLUTION / "host-core-1.1.0"))
    assert deprecated_items(resolve) == []


def test_witgen_check_deny_deprecated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from witgen.cli import main

    folder = str(component(tmp_path, "1.1.0"))
    assert main(["check", folder]) == 0  # deprecated items are fine by default
    assert main(["check", "--deny-deprecated", folder]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "error: world `my:component/component@1.0.0` imports deprecated function "
        "`current-time-millis` of `airssys:host-core/host-services@1.1.0` "
        "(deprecated in 1.1.0; use `now`; removed in 2.0.0)\n"
    )
    assert "/deps/host-core/host.wit:" in err
    assert main(["check", "--deny-deprecated", "--world", "component", folder]) == 1
    capsys.readouterr()
    assert main(["check", "--deny-deprecated", "--world", "nope", folder]) == 2
    assert "World `nope` not found in package" in capsys.readouterr().err


def test_witgen_check_deny_deprecated_passes_without_them(tmp_path: Path) -> None:
    from witgen.cli import main

    assert main(["check", "--deny-deprecated", str(component(tmp_path, "1.0.0"))]) == 0
