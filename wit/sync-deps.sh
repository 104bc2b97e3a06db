#!/bin/sh
# Refresh every copy of a package under a `deps/` folder from its source.
#
#     sh wit/sync-deps.sh
#
# Sources: this folder's *.wit files (airssys:component-core), deps/host-core/
# and deps/host-extensions/. Copies exist so that each package folder
# validates on its own; tests/wit/test_layout.py fails while one differs.
# Each example component's wit/deps/ (../examples/*/wit) holds the three
# packages too, as a component author's project would; tests/examples/
# test_layout.py checks those copies.
set -eu
cd "$(dirname "$0")"

copy() { # copy SOURCE-FOLDER DESTINATION-FOLDER: the source's *.wit files only
    rm -rf "$2"
    mkdir -p "$2"
    cp "$1"/*.wit "$2"/
}

copy deps/host-core deps/host-extensions/deps/host-core
copy . examples/deps/component-core
copy deps/host-core examples/deps/host-core
copy deps/host-extensions examples/deps/host-extensions

for example in ../examples/*/wit; do
    [ -d "$example" ] || continue # no examples beside this folder
    copy . "$example/deps/component-core"
    copy deps/host-core "$example/deps/host-core"
    copy deps/host-extensions "$example/deps/host-extensions"
done
