"""What generated bindings import at run time, and nothing else.

In: Python values and wasmtime-py 50's component values.  Out: the modules
the generated code uses: `wit` (`Some`, `Ok`, `Err`, `Borrow`, `Deprecated`),
`codec` (exact conversion of every WIT value, both ways), `calls` (typed
calls into exports and host functions linked for imports), `resources`
(resource handles both ways) and `context` (per-store state).  It never
imports the compiler, the host or the permissions, so a program that only
uses bindings installs no grammar and gets no host services.
"""
