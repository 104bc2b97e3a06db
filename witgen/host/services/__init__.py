"""The host services an airssys host gives its components.

In: a component's identity, its `PermissionValidator` and the host's
configuration.  Out: one object per airssys interface, each implementing the
generated `Host` protocol of that interface (`airssys_bindings`), which
`add_to_linker` links into the component's linker.  Every call is checked
against the component's grants first; a denial reaches the component as the
interface's error case, never as a trap, and no host exception escapes into
wasmtime (an unexpected failure becomes the interface's I/O or internal
error case).
"""
