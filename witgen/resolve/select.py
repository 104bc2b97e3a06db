"""Pick a world of a resolved tree by the name a user gives (`--world`).

In: an `ir.Resolve` and a world specifier: a world of the main package
(`proxy`, `%world`) or of any package in the tree by its full name
(`wasi:cli/command`, `wasi:cli/command@0.2.0`).  Out: `select_world` returns
the world's id.  Raises `WorldNotFound`, whose `message` is what wit-parser's
`Resolve::select_world` says for the same specifier (as `wasm-tools component
embed --world` prints it, causes joined by ": "), and whose `worlds` lists the
full name of every world of the tree, the main package's first, for the note
a command prints under it.  With no specifier (`None`), the main package's only
world, as wit-parser picks it when `--world` is left out; a package with none
or several is a `WorldNotFound` in wit-parser's words too.

As in wit-parser, a full name without a version picks the one version of the
package the tree holds, and is ambiguous when it holds two.
"""

from __future__ import annotations

from typing import NoReturn

from witgen import ir
from witgen.syntax import ast


class WorldNotFound(LookupError):
    """`message`: wit-parser's words; `worlds`: every world of the tree, by full name."""

    def __init__(self, message: str, worlds: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.worlds = worlds


def select_world(resolve: ir.Resolve, specifier: str | None) -> ir.WorldId:
    """The world `specifier` names, or with `None` the main package's only world
    (see the module docstring)."""
    if specifier is None:
        main = resolve.packages[resolve.main]
        if len(main.worlds) == 1:
            return main.worlds[0][1]
        if not main.worlds:
            _fail(resolve, f"The main package `{main.name}` contains no worlds")
        _fail(
            resolve,
            f"There are multiple worlds in `{main.name}`; one must be explicitly chosen",
        )
    # Imported here: `witgen check` without `--world` never loads Lark when
    # every file comes from the parse cache.
    from witgen.syntax.parse import PathSpecifierError, parse_use_path

    try:
        path = parse_use_path(specifier)
    except PathSpecifierError as error:
        _fail(resolve, f"failed to parse world specifier `{specifier}`: {error}")
    if isinstance(path, ast.LocalPath):
        package_id, name = resolve.main, path.name.name
    else:
        package_id = _package(resolve, path)
        name = path.name.name
    package = resolve.packages[package_id]
    world = package.world_named(name)
    if world is None:
        _fail(resolve, f"World `{name}` not found in package `{package.name}`")
    return world


def world_names(resolve: ir.Resolve) -> tuple[str, ...]:
    """The full name of every world of `resolve`: the main package's, then the others'."""
    order = [resolve.main] + [
        ir.PackageId(index) for index in range(len(resolve.packages)) if index != resolve.main
    ]
    return tuple(
        resolve.packages[package].name.interface_id(name)
        for package in order
        for name, _ in resolve.packages[package].worlds
    )


def _package(resolve: ir.Resolve, path: ast.PackagePath) -> ir.PackageId:
    written = path.package
    wanted = ir.PackageName(
        written.namespace.name,
        written.name.name,
        written.version.version if written.version is not None else None,
    )
    for index, package in enumerate(resolve.packages):
        if package.name == wanted:
            return ir.PackageId(index)
    if wanted.version is None:
        versions = [
            (index, package.name.version)
            for index, package in enumerate(resolve.packages)
            if (package.name.namespace, package.name.name) == (wanted.namespace, wanted.name)
            and package.name.version is not None
        ]
        if len(versions) > 1:
            _fail(
                resolve,
                f"package name `{wanted}` is available at both versions {versions[0][1]} "
                f"and {versions[1][1]} but which is not specified",
            )
        if versions:
            return ir.PackageId(versions[0][0])
    _fail(resolve, f"unknown package `{wanted}`")


def _fail(resolve: ir.Resolve, message: str) -> NoReturn:
    raise WorldNotFound(message, world_names(resolve))
