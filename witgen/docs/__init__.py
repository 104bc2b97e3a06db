"""`witgen docs`: a Markdown reference of WIT packages, and the site's helpers.

In: a resolved model (`witgen.ir.Resolve`).  Out: Markdown pages
(`reference.render_reference`), written by `reference.write_pages`; the CLI
reference of `witgen` itself (`cli_reference`).  Raises what the modules say.
"""
