"""`witgen.codegen.names`, a public API: the names docs/bindings.md promises, one rule at a time.

The generated-code snapshots show the names in context; these pin each rule on its own, with the
examples the documentation gives, so that a change to a rule fails here by name.
"""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from witgen import ir
from witgen.codegen import names
from witgen.resolve.passes import resolve_path
from witgen.version import Version


@pytest.mark.parametrize(
    ("make", "wit", "python"),
    [
        # The table "Names" of docs/bindings.md.
        (names.function_name, "get-value", "get_value"),
        (names.parameter_name, "get-value", "get_value"),
        (names.type_name, "http-request", "HttpRequest"),
        (names.constant_name, "not-found", "NOT_FOUND"),
        (names.resource_host_name, "blob", "HostBlob"),
        (names.constructor_name, "blob", "blob_new"),
        (names.drop_name, "blob", "blob_drop"),
        (names.module_name, "host-services", "host_services"),
        # Casing: acronyms and digits.
        (names.function_name, "HTTP-client", "http_client"),
        (names.type_name, "HTTP-client", "HttpClient"),
        (names.type_name, "a0-1b", "A01b"),
        # Keywords and the builtins that annotations use get a trailing `_`.
        (names.function_name, "class", "class_"),
        (names.function_name, "list", "list_"),
        (names.function_name, "bytes", "bytes_"),
        (names.parameter_name, "self", "self_"),
        (names.parameter_name, "from", "from_"),
        (names.type_name, "none", "None_"),
        (names.constant_name, "true", "TRUE"),
    ],
)
def test_documented_names(make: object, wit: str, python: str) -> None:
    assert make(wit) == python  # type: ignore[operator]


def test_every_keyword_and_builtin_is_escaped() -> None:
    for word in [*keyword.kwlist, "bool", "int", "float", "str", "bytes", "list", "dict"]:
        made = names.function_name(word.lower())
        assert made.isidentifier()
        assert not keyword.iskeyword(made)
        assert made not in {"bool", "int", "float", "str", "bytes", "list", "dict"}


def test_variant_case_classes_are_componentize_py_s() -> None:
    assert names.case_class_name("shape", "circle") == "Shape_Circle"
    assert names.case_class_name("my-error", "not-found") == "MyError_NotFound"


@pytest.mark.parametrize(
    ("package", "module"),
    [
        (ir.PackageName("wasi", "io", Version(0, 2, 0)), "wasi_io_v0_2_0"),
        (ir.PackageName("my-org", "http-api"), "my_org_http_api"),
        (ir.PackageName("a", "b", Version(1, 0, 0, "rc.1")), "a_b_v1_0_0_rc_1"),
        (ir.PackageName("a", "b", Version(1, 0, 0, "", "build-7")), "a_b_v1_0_0_build_7"),
        (ir.PackageName("a", "b", Version(1, 0, 0, "alpha", "x.y")), "a_b_v1_0_0_alpha_x_y"),
    ],
)
def test_package_modules_with_their_versions(package: ir.PackageName, module: str) -> None:
    """When the tree holds two versions of a package, each is named with its own."""
    assert names.package_module(package, versioned=True) == module


def test_a_package_s_module_leaves_its_version_out() -> None:
    """A version bump renames nothing (wit-bindgen names its modules so too)."""
    assert names.package_module(ir.PackageName("wasi", "io", Version(0, 2, 0))) == "wasi_io"
    assert names.package_module(ir.PackageName("wasi", "io", Version(0, 3, 0))) == "wasi_io"
    assert names.package_module(ir.PackageName("my-org", "http-api")) == "my_org_http_api"


def test_inline_interfaces_and_world_attributes() -> None:
    assert names.inline_module_name("editor", "buffer") == "editor_buffer"
    assert names.world_attribute("types") == "types"
    assert names.world_attribute("types", "wasi_http") == "wasi_http_types"
    assert names.static_name("blob", "merge") == "blob_merge"
    assert names.module_alias(["wasi_io_v0_2_0", "streams"]) == "_wasi_io_v0_2_0_streams"


def test_a_namespace_keeps_the_first_and_suffixes_the_rest() -> None:
    scope = names.Namespace(names.MODULE_GLOBALS)
    assert scope.claim(names.function_name("foo")) == "foo"
    assert scope.claim(names.function_name("FOO")) == "foo_"
    assert scope.claim(names.function_name("foo")) == "foo__"
    # Names witgen uses itself are reserved in every module.
    assert scope.claim(names.type_name("host")) == "Host_"
    assert scope.claim(names.type_name("exports")) == "Exports_"
    assert scope.claim(names.function_name("add-to-linker")) == "add_to_linker_"
    members = names.Namespace(names.RESOURCE_MEMBERS)
    assert members.claim(names.function_name("drop")) == "drop_"


def test_private_variables_of_a_module(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "t.wit").write_text(
        "package t:t;\n"
        "interface i {\n"
        "  resource r { constructor(); get-x: func() -> u32; make: static func() -> r; }\n"
        "  do-it: func();\n"
        "}\n"
    )
    resolve = resolve_path(str(folder))
    interface = resolve.interfaces[resolve.packages[resolve.main].interface_named("i") or 0]
    functions = dict(interface.functions)
    assert names.signature_variable(functions["do-it"]) == "_sig_do_it"
    assert names.call_attribute(functions["do-it"]) == "_call_do_it"
    assert names.signature_variable(functions["[constructor]r"]) == "_sig_r__constructor"
    assert names.signature_variable(functions["[method]r.get-x"]) == "_sig_r__get_x"
    assert names.signature_variable(functions["[static]r.make"]) == "_sig_r__make"
    assert names.codec_variable("my-type") == "_codec_my_type"


@pytest.mark.parametrize(
    ("make", "wit", "python"),
    [
        # componentize-py escapes keywords only: a field `list` stays `list`.
        (names.guest_function_name, "list", "list"),
        (names.guest_function_name, "class", "class_"),
        (names.guest_function_name, "get-value", "get_value"),
        (names.guest_type_name, "http-request", "HttpRequest"),
        (names.guest_type_name, "none", "None_"),
        (names.guest_constant_name, "not-found", "NOT_FOUND"),
    ],
)
def test_componentize_py_names(make: object, wit: str, python: str) -> None:
    assert make(wit) == python  # type: ignore[operator]


def test_componentize_py_interface_names(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "deps" / "other").mkdir(parents=True)
    (folder / "deps" / "other" / "o.wit").write_text("package x:other;\ninterface types {}\n")
    (folder / "app.wit").write_text(
        "package x:app;\n"
        "interface types {}\n"
        "interface api {}\n"
        "world w {\n"
        "  import types;\n"
        "  import x:other/types;\n"
        "  import api;\n"
        "  export inline: interface {}\n"
        "}\n"
    )
    resolve = resolve_path(str(folder))
    world = resolve.worlds[resolve.packages[resolve.main].world_named("w") or 0]
    found = {
        resolve.interface_id(interface) or "inline": name
        for interface, name in names.guest_interface_names(resolve, world).items()
    }
    assert found == {
        "x:app/types": "x-app-types",
        "x:other/types": "x-other-types",
        "x:app/api": "api",
        "inline": "inline",
    }
