"""`witgen docs`: a Markdown reference of WIT packages.

In: a resolved model (`witgen.ir.Resolve`).  Out: Markdown pages
(`reference.render_reference`), written by `reference.write_pages`.  Raises
what the modules say.  (The CLI reference of witgen's own site is built by
the site's hook, docs/hooks.py.)
"""
