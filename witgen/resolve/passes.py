"""The resolver's passes, in order, and the one entry point that runs them.

In: a path (a `.wit` file, a WebAssembly-encoded package, a compiled component,
or a package folder with its `deps/`), and the enabled `@unstable` features.
Out: the resolved `ir.Resolve`, whose `main` is the package at the path (for a
component, `root:component`, whose world `root` is the component's type).
Raises `WitError`.

The passes, in the order wasm-tools runs them:

1. `load`       read files; parse WIT text (`witgen.syntax`)
2. `unresolved` resolve each package source on its own: the main package's
                folder first, then each entry of `deps/` in name order
3. `decode`     a WebAssembly-encoded package in `deps/` (or a package or a
                component given as the path) is read (`witgen.wasm`),
                decoded and added to the arena as soon as it is reached
4. `ordering`   every package from text, checked for duplicates and cycles and
                put in dependency order
5. `link`       each package in that order added to the arena, with
                `includes` and `elaborate` run on each of its worlds
6. `freeze`     the arena becomes the immutable `ir.Resolve`

Each stage stops at the first error it finds, as wit-parser does, so the
diagnostic is the one wasm-tools prints, with the same context in front.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from witgen import ir
from witgen.diagnostics import SourceMap, WitError
from witgen.resolve import load
from witgen.resolve.arena import Arena
from witgen.resolve.link import Remap
from witgen.resolve.problems import Problem
from witgen.resolve.unresolved import UnresolvedPackage, resolve_package_source

_T = TypeVar("_T")


def resolve_path(
    path: str,
    features: Iterable[str] = (),
    all_features: bool = False,
    sources: SourceMap | None = None,
) -> ir.Resolve:
    """Resolve the WIT at `path` (see the module docstring).

    The cyclic garbage collector is paused meanwhile: parsing and resolving
    allocate objects that outlive the call and make no cycles, so it would only
    walk them again and again (a third of the time on a large package)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _resolve_path(path, features, all_features, sources)
    finally:
        if paused:
            gc.enable()


def _resolve_path(
    path: str, features: Iterable[str], all_features: bool, sources: SourceMap | None
) -> ir.Resolve:
    sources = sources if sources is not None else SourceMap()
    arena = Arena(features=frozenset(features), all_features=all_features)
    run = functools.partial(_run, sources)

    if not os.path.isdir(path):
        source = load.load_file(path, sources)
        if isinstance(source, load.EncodedPackage):
            main = run((), functools.partial(_decode_input, arena, source))
            return arena.freeze(main)
        packages = run((), functools.partial(resolve_package_source, source.files))
        return arena.freeze(_link_all(arena, sources, [packages]))

    context = load.package_context(path)
    main_source = run(context, functools.partial(load.load_dir, path, sources))
    groups = [run(context, functools.partial(resolve_package_source, main_source.files))]
    deps_dir = os.path.join(path, "deps")
    for entry in run(
        _deps_dir_context(deps_dir), functools.partial(load.dep_entries, deps_dir, sources)
    ):
        context = load.deps_context(deps_dir, entry)
        source = run(context, functools.partial(load.load_dep, entry, sources))
        if isinstance(source, load.EncodedPackage):
            run(context, functools.partial(_decode, arena, source))
        else:
            groups.append(run(context, functools.partial(resolve_package_source, source.files)))
    return arena.freeze(_link_all(arena, sources, groups))


def _deps_dir_context(deps_dir: str) -> tuple[str, ...]:
    return (f"failed to parse dependency directory: {deps_dir}",)


def _run(sources: SourceMap, context: tuple[str, ...], stage: Callable[[], _T]) -> _T:
    """Run one stage, turning its problems into a `WitError` with `context`."""
    try:
        return stage()
    except Problem as problem:
        raise WitError([problem.diagnostic.within(*context)], sources) from None
    except WitError as error:
        raise WitError([d.within(*context) for d in error.diagnostics], error.sources) from None


def _decode(arena: Arena, source: load.EncodedPackage) -> ir.PackageId:
    from witgen.resolve.decode import decode_package

    package: ir.PackageId = decode_package(arena, source.path, source.data, source.is_text)
    return package


def _decode_input(arena: Arena, source: load.EncodedPackage) -> ir.PackageId:
    from witgen.resolve.decode import decode_input

    package: ir.PackageId = decode_input(arena, source.path, source.data, source.is_text)
    return package


def _link_all(
    arena: Arena, sources: SourceMap, groups: Sequence[list[UnresolvedPackage]]
) -> ir.PackageId:
    """Check, order and link every package from text; return the main package's id.

    `groups[0]` is the main package source; each group's last package is its
    main package, after its nested ones (wit-parser's `sort_unresolved_packages`).
    """
    from witgen.resolve.ordering import dependency_order

    main_name = groups[0][-1].name
    ordered = _run(sources, (), functools.partial(dependency_order, groups, sources))
    main: ir.PackageId | None = None
    for package in ordered:
        package_id = _run(sources, (), functools.partial(Remap(arena).append, package))
        if package.name == main_name:
            main = package_id
    assert main is not None
    return main
