"""`witgen fmt`: a WIT formatter that keeps comments.

In: `.wit` files (or standard input).  Out: the same files laid out the way
wasm-tools' printer lays WIT out, with every comment, blank-line group and item
where the author put it (`layout.format_text`), written in place or checked
(`cli.py`).  Raises what the modules say.

The formatter reads the syntax tree and the tokens of the source, not the
resolved model: it keeps what the model forgets (comments, the order of items
and files, `use` statements as written) and never needs a file's dependencies.
`witgen.cli` calls `fmt.cli.add_fmt_command`; this file imports nothing, so
that registering the command costs `witgen --help` nothing.
"""
