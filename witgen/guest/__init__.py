"""Python guest components: typed stubs (`witgen generate --guest`) and `witgen build`.

In: a WIT world and an app folder.  Out: the app's starting point
(`generate.py`, from the views of `views.py`), and the component built with
componentize-py with its manifest checked against the world's imports
(`build.py`); `cli.py` registers `witgen build`.  Raises: see each module.

Nothing here runs inside a component, and the runtime never imports it.
"""
