"""A componentize-py command: prints the host's greeting to standard output."""

from wit_world import exports
from wit_world.imports import names


class Run(exports.Run):
    def run(self) -> None:
        print(names.greeting("witgen"))
