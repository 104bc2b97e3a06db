"""Interface evolution: what changed between two versions of WIT packages, and what it means.

In: resolved trees (`ir.Resolve`).  Out: `diff_resolves()`, every change of each
package classified breaking, compatible or patch with the version bump it needs
(`diff.py`), rendered for people or as JSON (`report.py`) by `witgen diff`
(`cli.py`); and `deprecated_items()`, the `@deprecated` items a world uses
(`deprecation.py`).  Raises `DiffError` for a package that is not on both sides,
`WorldNotFound` (`witgen.resolve.select`) for an unknown world.

The modules import the compiler, not the other way round: `witgen.cli` calls
`evolution.cli.add_diff_command`, and no other stage imports this package (the
doc-comment conventions they share with it are `witgen.conventions`).  Import
the submodules themselves (`witgen.evolution.diff`); this file imports nothing,
so that registering the command costs `witgen --help` nothing.
"""
