"""The airssys host: load, check, isolate and run untrusted components.

In: components (`.wasm`) with their `Component.toml` manifests.  Out:
`witgen.host.airssys.AirssysHost` and its configuration; the modules below
do one part each:

- `loader`: the checks made before a component is instantiated (manifest,
  imports and their versions, types against the bindings, lifecycle export);
- `typecheck`: a component's function types against the bindings' signatures;
- `isolation`: engines and stores with limits and deadlines;
- `memory`: linear memories created by the host, counted against one budget
  per component;
- `cache`: compiled components on disk, sealed by content hash;
- `services/`: the host services (filesystem, network, storage, process,
  messaging), each call checked against the component's grants;
- `cli`: the `witgen inspect` and `witgen run` commands (`inspect` reads the
  component's type with the compiler and prints it with `witgen.printer`).

This package sits above `witgen.runtime` (what generated bindings import),
`witgen.permissions` and the checked-in bindings `airssys_bindings`; it never
imports the compiler, but for the `inspect` command, which joins the two
inside its function.  Nothing is imported here, so that importing
`witgen.host.cli` for `witgen --help` stays fast.
"""
