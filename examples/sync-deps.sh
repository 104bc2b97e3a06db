#!/bin/sh
# Refresh every example's copy of the airssys WIT packages from their sources in wit/.
#
#     sh examples/sync-deps.sh
#
# Each example's wit/ folder is a package folder of its own (its world, and the
# airssys packages in wit/deps/), as a component author's project would be: it
# validates alone with `wasm-tools component wit` and `witgen check`.  The copies
# are files, not links; tests/examples/test_layout.py fails while one differs.
set -eu
cd "$(dirname "$0")"

copy() { # copy SOURCE-FOLDER DESTINATION-FOLDER: the source's *.wit files only
    rm -rf "$2"
    mkdir -p "$2"
    cp "$1"/*.wit "$2"/
}

for example in */wit; do
    copy ../wit "$example/deps/component-core"
    copy ../wit/deps/host-core "$example/deps/host-core"
    copy ../wit/deps/host-extensions "$example/deps/host-extensions"
done
