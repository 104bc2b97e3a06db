"""Small hand-written airssys components that attack the host, from component WAT.

Each component is component WAT text with embedded core modules, assembled by
`wasm-tools parse` (no componentize-py build), and cached by the hash of its
text and the tool's version.  Every one exports the airssys lifecycle and
imports `send-message` and `sleep-millis` of host-services, so the host loads
it as it loads any component; what it does is chosen by the first byte of
`execute`'s operation (`Op`), and a message's first byte chooses what
`handle-message` does.

Public
------
`HostileShape(extra_memories=0, extra_memory_pages=1, extra_instances=0,
extra_tables=0, initial_pages=1, start_loop=False)`
    The component's structure: memories besides the main one (each grown by
    `Op.MEMORY`) and their initial size in 64 KiB pages, core instances
    besides the main ones (each with a memory of its own, grown by `Op.MEMORY`
    too), tables besides the main funcref table, the main memory's initial
    size, and a start function that never returns.
`hostile_wat(shape) -> str`
    The component WAT.
`build_hostile(shape, cache_dir) -> Path`
    The assembled component (`hostile-<hash>.wasm` in `cache_dir`).
`Op`: the operations (bytes), `operation(op, *args) -> bytes` and
`send_operation(target, message) -> bytes`.

Operations (`execute`'s first byte; the rest is the argument):

* `e` echo: the result is the operation itself.
* `l` loop: never returns.
* `f` fill: grows the main memory until refused, then `memory.fill`s all of it,
  forever; `c` copy: the same with `memory.copy` of one half onto the other;
  `F` fill once: grows, fills it all once and answers its size (an i32).
* `t` table: `table.grow` by 10^9 elements, then by 10,000 until refused; the
  result is two little-endian i32: the first grow's answer (-1: refused) and
  the elements gained.
* `T` table fill: grows the main table until refused, then `table.fill`s all
  of it, forever.
* `m` memory: grows every memory (the main one, the extra ones and those of
  the extra instances) by 16 pages until each is refused, and writes to every
  page it gained (so that the host really holds it); the result is the pages
  gained in all, as a little-endian i32.
* `b` big: the result is N zero bytes, N the little-endian u32 after `b`.
* `s` send: `send-message(target, message)`: after `s`, the message's length
  (one byte), the message, and the rest is the target (`send_operation`); the
  result is `ok`, or `err` and the messaging-error's case index.
* `n` received: the result is the first byte of every message received, in
  order.
* `w` wait: `sleep-millis(N)` (N the little-endian u32 after `w`), then `ok`.

`handle-message`: a message starting with `L` loops forever, one starting with
`W` sleeps (host `sleep-millis`) for the little-endian u32 after `W`, and any
other is logged (its first byte, for `n`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from support.components import ComponentBuildError, find_wasm_tools, wasm_tools_version

LIFECYCLE = "airssys:component-core/component-lifecycle@1.0.0"
HOST_SERVICES = "airssys:host-core/host-services@1.0.0"
_SCHEMA = 1


class Op:
    ECHO = b"e"
    LOOP = b"l"
    FILL = b"f"
    FILL_ONCE = b"F"
    COPY = b"c"
    TABLE = b"t"
    TABLE_FILL = b"T"
    MEMORY = b"m"
    BIG = b"b"
    SEND = b"s"
    RECEIVED = b"n"
    WAIT = b"w"


def operation(op: bytes, *args: bytes | int) -> bytes:
    """`op` followed by each argument (an int as a little-endian u32)."""
    parts = [op]
    for arg in args:
        parts.append(arg.to_bytes(4, "little") if isinstance(arg, int) else arg)
    return b"".join(parts)


def send_operation(target: str, message: bytes) -> bytes:
    """`Op.SEND` of `message` (at most 255 bytes) to `target`."""
    return Op.SEND + bytes([len(message)]) + message + target.encode()


@dataclass(frozen=True, slots=True)
class HostileShape:
    extra_memories: int = 0
    extra_memory_pages: int = 1
    extra_instances: int = 0
    extra_tables: int = 0
    initial_pages: int = 1
    start_loop: bool = False


# The types the lifecycle and host-services use, imported as wit-component
# writes them (the host provides the `types` and `capabilities` instances).
_TYPES = """
  (type $capabilities-type
    (instance
      (type (;0;) (enum "read" "write" "delete" "list"))
      (export (;1;) "filesystem-action" (type (eq 0)))
      (type (;2;) (record (field "action" 1) (field "path-pattern" string)))
      (export (;3;) "filesystem-permission" (type (eq 2)))
      (type (;4;) (enum "outbound" "inbound"))
      (export (;5;) "network-action" (type (eq 4)))
      (type (;6;) (option u16))
      (type (;7;) (record (field "action" 5) (field "host-pattern" string) (field "port" 6)))
      (export (;8;) "network-permission" (type (eq 7)))
      (type (;9;) (enum "read" "write" "delete" "list"))
      (export (;10;) "storage-action" (type (eq 9)))
      (type (;11;) (record (field "namespace-pattern" string) (field "action" 10)))
      (export (;12;) "storage-permission" (type (eq 11)))))
  (import "airssys:host-core/capabilities@1.0.0"
    (instance $capabilities (type $capabilities-type)))
  (alias export $capabilities "filesystem-permission" (type $filesystem-permission))
  (alias export $capabilities "network-permission" (type $network-permission))
  (alias export $capabilities "storage-permission" (type $storage-permission))
  (type $types-type
    (instance
      (type (;0;) (tuple string string))
      (type (;1;) (list 0))
      (type (;2;) (list u8))
      (type (;3;) (option 2))
      (type (;4;) (record (field "env" 1) (field "config-data" 3)))
      (export (;5;) "component-config" (type (eq 4)))
      (type (;6;) (variant (case "initialization-failed" string)
        (case "invalid-configuration" string) (case "resource-exhausted" string)
        (case "internal-error" string)))
      (export (;7;) "component-error" (type (eq 6)))
      (type (;8;) string)
      (export (;9;) "request-id" (type (eq 8)))
      (type (;10;) (record (field "request-id" 9) (field "timeout-ms" u64)))
      (export (;11;) "execution-context" (type (eq 10)))
      (type (;12;) (variant (case "invalid-input" string) (case "timeout-exceeded")
        (case "capability-denied" string) (case "internal-error" string)))
      (export (;13;) "execution-error" (type (eq 12)))
      (type (;14;) string)
      (export (;15;) "component-id" (type (eq 14)))
      (type (;16;) (variant (case "component-not-found" 15) (case "message-too-large")
        (case "timeout-exceeded") (case "delivery-failed" string)))
      (export (;17;) "messaging-error" (type (eq 16)))
      (alias outer 1 $filesystem-permission (type (;18;)))
      (export (;19;) "filesystem-permission" (type (eq 18)))
      (alias outer 1 $network-permission (type (;20;)))
      (export (;21;) "network-permission" (type (eq 20)))
      (alias outer 1 $storage-permission (type (;22;)))
      (export (;23;) "storage-permission" (type (eq 22)))
      (type (;24;) (list 19))
      (type (;25;) (list 21))
      (type (;26;) (list 23))
      (type (;27;) (record (field "filesystem" 24) (field "network" 25) (field "storage" 26)))
      (export (;28;) "requested-permissions" (type (eq 27)))
      (type (;29;) (record (field "min-memory-bytes" u64) (field "max-memory-bytes" u64)
        (field "preferred-memory-bytes" u64)))
      (export (;30;) "memory-requirements" (type (eq 29)))
      (type (;31;) (list string))
      (type (;32;) (option u64))
      (type (;33;) (option string))
      (type (;34;) (record (field "name" string) (field "version" string)
        (field "description" string) (field "author" string) (field "license" string)
        (field "requested-permissions" 28) (field "supported-operations" 31)
        (field "language" string) (field "memory-requirements" 30) (field "timeout-ms" 32)
        (field "stateful" bool) (field "api-version" string) (field "homepage" 33)
        (field "repository" 33) (field "tags" 31)))
      (export (;35;) "component-metadata" (type (eq 34)))
      (type (;36;) (record (field "healthy" bool) (field "reason" 33)))
      (export (;37;) "health-status" (type (eq 36)))))
  (import "airssys:host-core/types@1.0.0" (instance $types (type $types-type)))
  (alias export $types "component-config" (type $component-config))
  (alias export $types "component-error" (type $component-error))
  (alias export $types "execution-context" (type $execution-context))
  (alias export $types "execution-error" (type $execution-error))
  (alias export $types "messaging-error" (type $messaging-error))
  (alias export $types "component-metadata" (type $component-metadata))
  (alias export $types "health-status" (type $health-status))
  (alias export $types "component-id" (type $component-id))
  (import "airssys:host-core/host-services@1.0.0" (instance $host
    (alias outer 1 $messaging-error (type (;0;)))
    (export (;1;) "messaging-error" (type (eq 0)))
    (type (;2;) (result (error 1)))
    (type (;3;) (list u8))
    (type (;4;) (func (param "target" string) (param "message" 3) (result 2)))
    (export "send-message" (func (type 4)))
    (type (;5;) (func (param "duration" u64)))
    (export "sleep-millis" (func (type 5)))))
"""

# Memory 0 (the `$mem` instance's): 0-63 return areas, 256-767 zeros for
# `metadata`, 768 health (healthy, no reason), 1024 the count of messages
# logged and 1028-2047 their first bytes, 2048 "ok"/"err", 4096 on the heap
# (a bump allocator, reset after each call).
_MEM = """
  (core module $mem
    (memory (export "memory") {pages})
    (global (export "bump") (mut i32) (i32.const 4096))
    (data (i32.const 768) "\\01")
    (data (i32.const 2048) "okerr")
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (i32.and (i32.add (global.get 0) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (local.set $end (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
        (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)
                    (i32.shl (memory.size) (i32.const 16))) (i32.const 16)) (i32.const 1)))
                  (i32.const -1)) (then unreachable))))
      (global.set 0 (local.get $end))
      (local.get $p)))
  (core instance $mem (instantiate $mem))
"""

_EXTRA = """
  (core module $extra
    (memory 1)
    (func (export "grow") (result i32) (local $n i32)
      (block $done (loop $again
        (br_if $done (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 16)))
        (br $again)))
      (memory.fill (i32.const 0) (i32.const 1) (i32.shl (memory.size) (i32.const 16)))
      (local.get $n)))
"""

_SPIN = """
  (core module $spinner
    (func $spin (loop $forever (br $forever)))
    (start $spin))
  (core instance $spinner (instantiate $spinner))
"""


def _grow_all(memory: str) -> str:
    """Grow `memory` until refused, then write to all of it past the static data."""
    return f"""
      (block $done{memory} (loop $again{memory}
        (br_if $done{memory} (i32.eq (memory.grow {memory} (i32.const 16)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 16)))
        (br $again{memory})))
      (memory.fill {memory} (i32.const 8192) (i32.const 1)
        (i32.sub (i32.shl (memory.size {memory}) (i32.const 16)) (i32.const 8192)))"""


def _main(shape: HostileShape) -> str:
    memories = "".join(
        f"\n    (memory $m{i} {shape.extra_memory_pages})" for i in range(shape.extra_memories)
    )
    tables = "".join(f"\n    (table $t{i} 1 funcref)" for i in range(shape.extra_tables))
    extra_imports = "".join(
        f'\n    (import "extra{i}" "grow" (func $grow{i} (result i32)))'
        for i in range(shape.extra_instances)
    )
    grow_memories = _grow_all("$m") + "".join(
        _grow_all(f"$m{i}") for i in range(shape.extra_memories)
    )
    grow_instances = "".join(
        f"\n      (local.set $n (i32.add (local.get $n) (call $grow{i})))"
        for i in range(shape.extra_instances)
    )
    return f"""
  (core module $main
    (import "mem" "memory" (memory $m 1))
    (import "mem" "bump" (global $bump (mut i32)))
    (import "host" "send-message" (func $send (param i32 i32 i32 i32 i32)))
    (import "host" "sleep-millis" (func $sleep (param i64))){extra_imports}{memories}
    (table $table 1 funcref){tables}
    (global $logged (mut i32) (i32.const 0))

    ;; the result area at 0: ok(list<u8>) of `len` bytes at `ptr`
    (func $ok (param $ptr i32) (param $len i32) (result i32)
      (i32.store8 (i32.const 0) (i32.const 0))
      (i32.store (i32.const 4) (local.get $ptr))
      (i32.store (i32.const 8) (local.get $len))
      (i32.const 0))
    (func $reset (global.set $bump (i32.const 4096)))
    (func $grow-main-to-limit
      (block $done (loop $again
        (br_if $done (i32.eq (memory.grow $m (i32.const 16)) (i32.const -1)))
        (br $again))))
    (func $grow-table-to-limit
      (block $done (loop $again
        (br_if $done (i32.eq (table.grow $table (ref.null func) (i32.const 1000))
                             (i32.const -1)))
        (br $again))))
    (func $u32 (param $at i32) (result i32) (i32.load align=1 (local.get $at)))

    (func (export "execute") (param $op i32) (param $len i32) (param i32 i32 i64) (result i32)
      (local $n i32) (local $first i32) (local $size i32)
      (call $reset)
      (if (i32.eqz (local.get $len)) (then (return (call $ok (i32.const 0) (i32.const 0)))))
      (local.set $first (i32.load8_u (local.get $op)))
      (if (i32.eq (local.get $first) (i32.const 0x65)) ;; e: echo
        (then (return (call $ok (local.get $op) (local.get $len)))))
      (if (i32.eq (local.get $first) (i32.const 0x6c)) ;; l: loop
        (then (loop $forever (br $forever))))
      (if (i32.eq (local.get $first) (i32.const 0x66)) ;; f: fill
        (then
          (call $grow-main-to-limit)
          (local.set $size (i32.shl (memory.size $m) (i32.const 16)))
          (loop $forever
            (memory.fill $m (i32.const 0) (i32.const 0) (local.get $size))
            (br $forever))))
      (if (i32.eq (local.get $first) (i32.const 0x46)) ;; F: fill once
        (then
          (call $grow-main-to-limit)
          (local.set $size (i32.shl (memory.size $m) (i32.const 16)))
          (memory.fill $m
            (i32.const 8192) (i32.const 0) (i32.sub (local.get $size) (i32.const 8192)))
          (i32.store (i32.const 16) (local.get $size))
          (return (call $ok (i32.const 16) (i32.const 4)))))
      (if (i32.eq (local.get $first) (i32.const 0x63)) ;; c: copy
        (then
          (call $grow-main-to-limit)
          (local.set $size (i32.shl (memory.size $m) (i32.const 15)))
          (loop $forever
            (memory.copy $m $m (local.get $size) (i32.const 0) (local.get $size))
            (br $forever))))
      (if (i32.eq (local.get $first) (i32.const 0x74)) ;; t: table
        (then
          (i32.store (i32.const 16) (table.grow $table (ref.null func) (i32.const 1000000000)))
          (block $done (loop $again
            (br_if $done (i32.eq (table.grow $table (ref.null func) (i32.const 10000))
                                 (i32.const -1)))
            (local.set $n (i32.add (local.get $n) (i32.const 10000)))
            (br $again)))
          (i32.store (i32.const 20) (local.get $n))
          (return (call $ok (i32.const 16) (i32.const 8)))))
      (if (i32.eq (local.get $first) (i32.const 0x54)) ;; T: table fill
        (then
          (call $grow-table-to-limit)
          (loop $forever
            (table.fill $table (i32.const 0) (ref.null func) (table.size $table))
            (br $forever))))
      (if (i32.eq (local.get $first) (i32.const 0x6d)) ;; m: memory
        (then{grow_memories}{grow_instances}
          (i32.store (i32.const 16) (local.get $n))
          (return (call $ok (i32.const 16) (i32.const 4)))))
      (if (i32.eq (local.get $first) (i32.const 0x62)) ;; b: big
        (then
          (local.set $size (call $u32 (i32.add (local.get $op) (i32.const 1))))
          (if (i32.eq (memory.grow $m (i32.add (i32.shr_u (local.get $size) (i32.const 16))
                                               (i32.const 1)))
                      (i32.const -1))
            (then unreachable))
          (return (call $ok (i32.const 8192) (local.get $size)))))
      (if (i32.eq (local.get $first) (i32.const 0x73)) ;; s: send
        (then
          (local.set $size (i32.load8_u (i32.add (local.get $op) (i32.const 1))))
          (call $send
            (i32.add (i32.add (local.get $op) (i32.const 2)) (local.get $size))
            (i32.sub (i32.sub (local.get $len) (i32.const 2)) (local.get $size))
            (i32.add (local.get $op) (i32.const 2)) (local.get $size) (i32.const 32))
          (if (i32.eqz (i32.load8_u (i32.const 32)))
            (then (return (call $ok (i32.const 2048) (i32.const 2)))))
          (i32.store8 (i32.const 2053) (i32.add (i32.const 0x30) (i32.load8_u (i32.const 36))))
          (return (call $ok (i32.const 2050) (i32.const 4)))))
      (if (i32.eq (local.get $first) (i32.const 0x6e)) ;; n: received
        (then (return (call $ok (i32.const 1028) (global.get $logged)))))
      (if (i32.eq (local.get $first) (i32.const 0x77)) ;; w: wait
        (then
          (call $sleep (i64.extend_i32_u (call $u32 (i32.add (local.get $op) (i32.const 1)))))
          (return (call $ok (i32.const 2048) (i32.const 2)))))
      ;; anything else: err(invalid-input(""))
      (i32.store8 (i32.const 0) (i32.const 1))
      (i32.store8 (i32.const 4) (i32.const 0))
      (i32.store (i32.const 8) (i32.const 0))
      (i32.store (i32.const 12) (i32.const 0))
      (i32.const 0))

    (func (export "handle-message") (param i32 i32) (param $msg i32) (param $len i32) (result i32)
      (local $first i32)
      (call $reset)
      (i32.store8 (i32.const 0) (i32.const 0))
      (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
      (local.set $first (i32.load8_u (local.get $msg)))
      (if (i32.eq (local.get $first) (i32.const 0x4c)) ;; L: loop
        (then (loop $forever (br $forever))))
      (if (i32.eq (local.get $first) (i32.const 0x57)) ;; W: wait
        (then
          (call $sleep (i64.extend_i32_u (call $u32 (i32.add (local.get $msg) (i32.const 1)))))
          (return (i32.const 0))))
      (if (i32.lt_u (global.get $logged) (i32.const 1020))
        (then
          (i32.store8 (i32.add (i32.const 1028) (global.get $logged)) (local.get $first))
          (global.set $logged (i32.add (global.get $logged) (i32.const 1)))))
      (i32.const 0))
    (func (export "init") (param i32 i32 i32 i32 i32) (result i32)
      (call $reset) (i32.store8 (i32.const 0) (i32.const 0)) (i32.const 0))
    (func (export "handle-callback") (param i32 i32 i32 i32 i32) (result i32)
      (call $reset) (i32.store8 (i32.const 0) (i32.const 0)) (i32.const 0))
    (func (export "metadata") (result i32) (i32.const 256))
    (func (export "health") (result i32) (i32.const 768))
    (func (export "shutdown") (result i32) (i32.store8 (i32.const 0) (i32.const 0)) (i32.const 0)))
"""


def hostile_wat(shape: HostileShape) -> str:
    """The component WAT of a hostile component of `shape`."""
    extras = ""
    withs = ""
    if shape.extra_instances:
        extras = _EXTRA + "".join(
            f"\n  (core instance $extra{i} (instantiate $extra))"
            for i in range(shape.extra_instances)
        )
        withs = "".join(
            f'\n      (with "extra{i}" (instance $extra{i}))' for i in range(shape.extra_instances)
        )
    memory = '(memory (core memory $mem "memory"))'
    realloc = '(realloc (core func $mem "cabi_realloc"))'
    options = f"{memory} {realloc} string-encoding=utf8"
    return f"""(component
{_TYPES}{_SPIN if shape.start_loop else ""}{_MEM.format(pages=shape.initial_pages)}
  (alias export $host "send-message" (func $send-message))
  (alias export $host "sleep-millis" (func $sleep-millis))
  (core func $send (canon lower (func $send-message) {options}))
  (core func $sleep (canon lower (func $sleep-millis))){extras}{_main(shape)}
  (core instance $main (instantiate $main
      (with "mem" (instance $mem))
      (with "host" (instance (export "send-message" (func $send))
                             (export "sleep-millis" (func $sleep)))){withs}))
  (type $unit-result (result (error $component-error)))
  (type $bytes (list u8))
  (type $execute-result (result $bytes (error $execution-error)))
  (type $message-result (result (error $messaging-error)))
  (type $callback-value (result $bytes (error string)))
  (func $init (param "config" $component-config) (result $unit-result)
    (canon lift (core func $main "init") {options}))
  (func $execute (param "operation" $bytes) (param "context" $execution-context)
    (result $execute-result)
    (canon lift (core func $main "execute") {options}))
  (func $handle-message (param "sender" $component-id) (param "message" $bytes)
    (result $message-result)
    (canon lift (core func $main "handle-message") {options}))
  (func $handle-callback (param "request-id" string) (param "result" $callback-value)
    (result $message-result)
    (canon lift (core func $main "handle-callback") {options}))
  (func $metadata (result $component-metadata)
    (canon lift (core func $main "metadata") {memory} string-encoding=utf8))
  (func $health (result $health-status)
    (canon lift (core func $main "health") {memory} string-encoding=utf8))
  (func $shutdown (result $unit-result)
    (canon lift (core func $main "shutdown") {memory} string-encoding=utf8))
  (instance $lifecycle
    (export "init" (func $init))
    (export "execute" (func $execute))
    (export "handle-message" (func $handle-message))
    (export "handle-callback" (func $handle-callback))
    (export "metadata" (func $metadata))
    (export "health" (func $health))
    (export "shutdown" (func $shutdown)))
  (export "{LIFECYCLE}" (instance $lifecycle)))
"""


def build_hostile(shape: HostileShape, cache_dir: Path) -> Path:
    """The component of `shape`, assembled once into `cache_dir`."""
    text = hostile_wat(shape)
    digest = hashlib.sha256(f"{_SCHEMA}\0{wasm_tools_version()}\0{text}".encode()).hexdigest()
    out = cache_dir / f"hostile-{digest[:24]}.wasm"
    if out.is_file():
        return out
    tool = find_wasm_tools()
    if tool is None:
        raise ComponentBuildError("wasm-tools is not installed beside the interpreter or on PATH")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".hostile-") as tmp:
        source = Path(tmp) / "component.wat"
        built = Path(tmp) / "component.wasm"
        source.write_text(text)
        done = subprocess.run(
            [tool, "parse", str(source), "-o", str(built)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ComponentBuildError(f"wasm-tools parse failed:\n{done.stderr}")
        os.replace(built, out)
    return out
