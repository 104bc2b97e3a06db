"""Every Python name witgen generates, and nowhere else.

In: WIT names (kebab-case, as the resolved model holds them; for
componentize-py's interface names, the world).  Out: `PythonName` strings:
identifiers that are valid, PEP 8 styled and never a keyword or builtin.
Raises nothing.

These names are a public API (documented in docs/bindings.md): a name
depends only on the WIT name it comes from and on the fixed list of names
witgen itself uses in a module, never on other items, so adding an
interface or a world never renames anything.  A package's name leaves its
version out (so bumping it renames nothing, as wit-bindgen does), unless the
tree holds two versions of the package: then each is named with its version.

* modules: `snake_case`; a package is `<namespace>_<name>`, and
  `<namespace>_<name>_v<major>_<minor>_<patch>[_<pre>][_<build>]` when two
  versions of it are in the tree (`versioned_packages`);
* functions, parameters, fields: `snake_case`;
* types: `PascalCase`; a variant case's class is `<Variant>_<Case>`;
* enum cases and flags: `SHOUT_CASE`;
* a resource's constructor, statics and drop in `Host`, `Exports` and
  `Imports`: `<resource>_new`, `<resource>_<static>`, `<resource>_drop`;
* what a module keeps for itself starts with `_`: another generated module it
  imports is `_<package>_<module>`, a named type's codec `_codec_<name>`, a
  function's signature `_sig_<name>` and its bound call in `Exports`
  `_call_<name>`;
* a name that is a Python keyword, or one of the builtins that annotations
  use (`bool`, `int`, `float`, `str`, `bytes`, `list`, `dict`, `tuple`,
  `object`), gets a trailing `_`; so does a name that witgen itself uses in
  the same scope (`Host`, `Exports`, `Imports`, `INSTANCE`, `drop` in a
  resource class...) or that an earlier item of the scope already has (WIT
  names differing only in case: `foo` and `FOO`).
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence

from witgen import ir

# Names a generated module defines or imports itself.
MODULE_GLOBALS = frozenset(
    {
        "Host",
        "Exports",
        "Imports",
        "INSTANCE",
        "GUEST_RESOURCES",
        "SIGNATURES",
        "IMPORT_SIGNATURES",
        "EXPORT_SIGNATURES",
        "IMPORTED_INTERFACES",
        "EXPORTED_INTERFACES",
        "UNBINDABLE",
        "IMPORT_UNBINDABLE",
        "EXPORT_UNBINDABLE",
        "FROM_WASMTIME",
        "WorldImports",
        "add_to_linker",
        "instantiate",
        "instantiate_with",
        "annotations",
        "dataclasses",
        "enum",
        "typing",
        "typing_extensions",
        "wasmtime",
        "rt_calls",
        "rt_codec",
        "rt_resources",
        "rt_wit",
    }
)
# Members of `Host`, `Exports` and `Imports` that are not the WIT's.
HOST_MEMBERS: frozenset[str] = frozenset()
# Members of the class of a component's resource (`witgen.runtime.resources.GuestResource`).
RESOURCE_MEMBERS = frozenset({"drop"})
# Builtins that generated annotations use: inside a class body a member of the
# same name would hide them (from mypy, and from `typing.get_type_hints`).
_SHADOWING = frozenset({"bool", "int", "float", "str", "bytes", "list", "dict", "tuple", "object"})


class PythonName(str):
    """An identifier safe to use as generated; built only by the functions here."""

    __slots__ = ()


class Namespace:
    """The names taken in one scope (a module, a class): a name asked for twice,
    or one the scope reserves, gets `_` appended until it is free.

    Names are claimed in source order, so the first item keeps its name.
    """

    def __init__(self, reserved: frozenset[str]) -> None:
        self.reserved = reserved
        self.taken: set[str] = set()

    def claim(self, name: PythonName) -> PythonName:
        text = str(name)
        while text in self.taken or text in self.reserved:
            text += "_"
        self.taken.add(text)
        return PythonName(text)


def _escape(text: str) -> PythonName:
    if keyword.iskeyword(text) or text in _SHADOWING:
        text += "_"
    return PythonName(text)


def snake(name: str) -> str:
    """`my-name` -> `my_name`; `HTTP-client` -> `http_client`."""
    return name.replace("-", "_").lower()


def pascal(name: str) -> str:
    """`my-name` -> `MyName`; `HTTP-client` -> `HttpClient`; `a0-1b` -> `A01b`."""
    return "".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def function_name(name: str) -> PythonName:
    """A function, method, parameter or field."""
    return _escape(snake(name))


def parameter_name(name: str) -> PythonName:
    """A parameter: also never `self`, which methods use."""
    text = snake(name)
    return PythonName(text + "_") if text == "self" else _escape(text)


def type_name(name: str) -> PythonName:
    return _escape(pascal(name))


def case_class_name(variant: str, case: str) -> PythonName:
    """The class of one case of a variant (componentize-py's `Variant_Case`)."""
    return _escape(f"{pascal(variant)}_{pascal(case)}")


def constant_name(name: str) -> PythonName:
    """An enum case or a flag."""
    return _escape(name.replace("-", "_").upper())


def module_name(name: str) -> PythonName:
    """The module of an interface or world."""
    return _escape(snake(name))


def versioned_packages(resolve: ir.Resolve) -> frozenset[tuple[str, str]]:
    """The (namespace, name) of every package the tree holds in two versions or more."""
    seen: set[tuple[str, str]] = set()
    twice: set[tuple[str, str]] = set()
    for package in resolve.packages:
        key = (package.name.namespace, package.name.name)
        (twice if key in seen else seen).add(key)
    return frozenset(twice)


def package_module(package: ir.PackageName, versioned: bool = False) -> PythonName:
    """The Python package of a WIT package: `wasi:io@0.2.0` -> `wasi_io`, or with
    `versioned` (two versions of it in the tree) `wasi_io_v0_2_0`."""
    text = f"{snake(package.namespace)}_{snake(package.name)}"
    version = package.version
    if versioned and version is not None:
        text += f"_v{version.major}_{version.minor}_{version.patch}"
        for part in (version.pre, version.build):
            if part:
                text += "_" + "".join(c if c.isalnum() else "_" for c in part.lower())
    return _escape(text)


def inline_module_name(world: str, key: str) -> PythonName:
    """The module of an interface world `world` defines inline as `key`: `<world>_<key>`."""
    return module_name(f"{world}-{key}")


def module_alias(path: Sequence[str]) -> PythonName:
    """The alias under which a generated module imports the module at `path`
    (package parts, then the module): `_wasi_io_v0_2_0_streams`."""
    return PythonName("_" + "_".join(path))


def resource_host_name(resource: str) -> PythonName:
    """The protocol a host implements for a resource it defines: `HostBlob`."""
    return _escape(f"Host{pascal(resource)}")


def constructor_name(resource: str) -> PythonName:
    """A resource's constructor in `Host`, `Imports` and `Exports`: `blob_new`."""
    return function_name(f"{resource}-new")


def static_name(resource: str, function: str) -> PythonName:
    """A resource's static function in `Host`, `Imports` and `Exports`: `blob_merge`."""
    return function_name(f"{resource}-{function}")


def drop_name(resource: str) -> PythonName:
    """What `Host` or `Imports` is told when a component drops a resource: `blob_drop`."""
    return function_name(f"{resource}-drop")


def world_attribute(name: str, package: str | None = None) -> PythonName:
    """The attribute of `Imports`/`Exports` for an interface a world imports or
    exports: the interface's name, or, given `package` (when another item of the
    world has the same name), qualified by its package's module."""
    return function_name(name if package is None else f"{package}-{name}")


def codec_variable(name: str) -> PythonName:
    """The module variable holding the codec of the named type `name`."""
    return PythonName("_codec_" + name.replace("-", "_"))


def signature_variable(function: ir.Function) -> PythonName:
    """The module variable holding a function's `rt_calls.Signature`: `_sig_f`,
    `_sig_r__constructor`, `_sig_r__m`; distinct for distinct functions."""
    return PythonName("_sig_" + _function_key(function))


def call_attribute(function: ir.Function) -> PythonName:
    """The `Exports` attribute holding a function's bound call: `_call_f`."""
    return PythonName("_call_" + _function_key(function))


def _function_key(function: ir.Function) -> str:
    name = function.name
    if function.resource is not None:
        resource = name[name.index("]") + 1 :].split(".")[0]
        name = f"{resource}--{function.item_name}"
    return name.replace("-", "_")


# ---------------------------------------------------------------- componentize-py's names
#
# A Python guest (`witgen generate --guest`) is typed against the bindings that
# componentize-py generates when it builds the component, so its names are
# componentize-py's, not witgen's: the same casing, but only keywords get a
# trailing `_` (a WIT function `set` stays `set`, a field `list` stays `list`).


def _escape_keyword(text: str) -> PythonName:
    return PythonName(text + "_" if keyword.iskeyword(text) else text)


def guest_function_name(name: str) -> PythonName:
    """A function, parameter, field or module as componentize-py names it."""
    return _escape_keyword(snake(name))


def guest_module_name(name: str) -> PythonName:
    """The module of an interface (componentize-py's kebab-case name of it, see
    `guest_interface_names`): `wit_world.imports.<module>`,
    `wit_world.exports.<module>`, and the app's module that holds the classes of
    the interface's exported resources, `<module>.py`."""
    return guest_function_name(name)


def guest_type_name(name: str) -> PythonName:
    """A type, or the protocol class of an exported interface, as componentize-py names it."""
    return _escape_keyword(pascal(name))


def guest_constant_name(name: str) -> PythonName:
    """An enum case or a flag as componentize-py names it."""
    return PythonName(name.replace("-", "_").upper())


def guest_case_class_name(variant: str, case: str) -> PythonName:
    """The class of one case of a variant as componentize-py names it: `Shape_Circle`."""
    return PythonName(f"{guest_type_name(variant)}_{guest_type_name(case)}")


# componentize-py's package of a world's bindings (its default `--world-module`).
GUEST_WORLD_MODULE = PythonName("wit_world")
# The class a component implements for the functions its world exports itself;
# in `wit_imports.py`, the class of the wrappers of the functions it imports itself.
GUEST_WORLD_CLASS = PythonName("WitWorld")
# In `wit_imports.py`, the wrapper of an imported resource's constructor
# (`Types.Fields.new()` calls `types.Fields()`); witgen's name, not componentize-py's.
GUEST_IMPORT_CONSTRUCTOR = PythonName("new")


def guest_interface_names(resolve: ir.Resolve, world: ir.World) -> dict[ir.InterfaceId, str]:
    """componentize-py's (kebab-case) name of each interface `world` imports or
    exports (its `interface_names`): the interface's name; `<ns>-<pkg>-<name>`
    when two packages of the world have an interface of that name, with
    `-<version>` when two versions of one package do; an inline interface's
    key.  Its module is the snake-case form (`guest_function_name`), an
    exported one's protocol the Pascal-case form (`guest_type_name`)."""
    items = (*world.imports, *world.exports)
    interfaces = [item.interface for _, item in items if isinstance(item, ir.InterfaceItem)]
    keys: dict[ir.InterfaceId, str] = {}
    for _, item in items:
        if isinstance(item, ir.InterfaceItem):
            keys.setdefault(item.interface, "")
    for key, item in items:
        if isinstance(item, ir.InterfaceItem) and isinstance(key, str):
            keys[item.interface] = key  # an inline interface goes by its key
    packages: dict[str, set[tuple[str, str]]] = {}
    versions: dict[tuple[str, str, str], set[ir.InterfaceId]] = {}
    for interface_id in interfaces:
        interface = resolve.interfaces[interface_id]
        if interface.package is None or interface.name is None:
            continue
        name = resolve.packages[interface.package].name
        packages.setdefault(interface.name, set()).add((name.namespace, name.name))
        # an interface both imported and exported is one version, not two
        versions.setdefault((interface.name, name.namespace, name.name), set()).add(interface_id)
    result: dict[ir.InterfaceId, str] = {}
    for interface_id in interfaces:
        interface = resolve.interfaces[interface_id]
        if interface.package is None or interface.name is None:
            result[interface_id] = keys[interface_id]
            continue
        package = resolve.packages[interface.package].name
        text = interface.name
        if len(versions[(interface.name, package.namespace, package.name)]) > 1:
            text = f"{package.namespace}-{package.name}-{interface.name}"
            if package.version is not None:
                text += "-" + str(package.version).replace(".", "-")
        elif len(packages[interface.name]) > 1:
            text = f"{package.namespace}-{package.name}-{interface.name}"
        result[interface_id] = text
    return result
