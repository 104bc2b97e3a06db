"""Capability security for hosting untrusted WebAssembly components.

In: a component's Component.toml (`load_manifest`, `parse_manifest`), the
packages a host provides, and requests made by the component.  Out: a
`PermissionValidator` per component whose `check_*` methods allow a request
(returning its canonical form) or raise `PermissionDenied`; `HostRoot` for
file operations beneath a host folder; `InterfaceValidator` for interface
versions; `StorageQuota` for storage limits.  Raises: `ManifestError` for a
manifest that must not be used, `PermissionDenied`, and `InterfaceError`s.

This package stands apart from the compiler: it imports only the standard
library, wcmatch (and its bracex), idna and semver, so a host application
needs no grammar to run a component.  The rules and decisions it implements
are in design/permissions.md; each module's docstring says which.

The names below are imported when first used (PEP 562), so that registering
`witgen manifest` with the command line does not load the checks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from witgen.permissions.capabilities import (
        CAPABILITIES,
        FS_ACTIONS,
        NETWORK_ACTIONS,
        NO_CAPABILITY,
        STORAGE_ACTIONS,
        FsAction,
        NetworkAction,
        StorageAction,
    )
    from witgen.permissions.errors import (
        AddressDenied,
        InterfaceError,
        InterfaceProblem,
        InterfaceProblemKind,
        MalformedVersion,
        ManifestError,
        ManifestProblem,
        PermissionDenied,
        UnsupportedInterface,
        VersionMismatch,
    )
    from witgen.permissions.fs import HostRoot
    from witgen.permissions.interfaces import (
        AIRSSYS_PACKAGES,
        InterfaceValidator,
        ProvidedPackage,
        is_linked_wasi,
    )
    from witgen.permissions.manifest import Manifest, load_manifest, parse_manifest
    from witgen.permissions.query import (
        Answer,
        Query,
        answer,
        interface_problems,
        parse_query,
        summarize,
    )
    from witgen.permissions.storage import StorageQuota, parse_size
    from witgen.permissions.validator import PermissionValidator
    from witgen.permissions.versions import Requirement, parse_requirement, parse_version

_HOMES = {
    "AddressDenied": "witgen.permissions.errors",
    "AIRSSYS_PACKAGES": "witgen.permissions.interfaces",
    "Answer": "witgen.permissions.query",
    "CAPABILITIES": "witgen.permissions.capabilities",
    "FS_ACTIONS": "witgen.permissions.capabilities",
    "FsAction": "witgen.permissions.capabilities",
    "HostRoot": "witgen.permissions.fs",
    "InterfaceError": "witgen.permissions.errors",
    "InterfaceProblem": "witgen.permissions.errors",
    "InterfaceProblemKind": "witgen.permissions.errors",
    "InterfaceValidator": "witgen.permissions.interfaces",
    "is_linked_wasi": "witgen.permissions.interfaces",
    "MalformedVersion": "witgen.permissions.errors",
    "Manifest": "witgen.permissions.manifest",
    "ManifestError": "witgen.permissions.errors",
    "NETWORK_ACTIONS": "witgen.permissions.capabilities",
    "NO_CAPABILITY": "witgen.permissions.capabilities",
    "NetworkAction": "witgen.permissions.capabilities",
    "PermissionDenied": "witgen.permissions.errors",
    "PermissionValidator": "witgen.permissions.validator",
    "ManifestProblem": "witgen.permissions.errors",
    "ProvidedPackage": "witgen.permissions.interfaces",
    "Query": "witgen.permissions.query",
    "Requirement": "witgen.permissions.versions",
    "STORAGE_ACTIONS": "witgen.permissions.capabilities",
    "StorageAction": "witgen.permissions.capabilities",
    "StorageQuota": "witgen.permissions.storage",
    "UnsupportedInterface": "witgen.permissions.errors",
    "VersionMismatch": "witgen.permissions.errors",
    "answer": "witgen.permissions.query",
    "interface_problems": "witgen.permissions.query",
    "load_manifest": "witgen.permissions.manifest",
    "parse_manifest": "witgen.permissions.manifest",
    "parse_query": "witgen.permissions.query",
    "parse_requirement": "witgen.permissions.versions",
    "parse_size": "witgen.permissions.storage",
    "parse_version": "witgen.permissions.versions",
    "summarize": "witgen.permissions.query",
}

__all__ = [
    "AIRSSYS_PACKAGES",
    "CAPABILITIES",
    "FS_ACTIONS",
    "NETWORK_ACTIONS",
    "NO_CAPABILITY",
    "STORAGE_ACTIONS",
    "AddressDenied",
    "Answer",
    "FsAction",
    "HostRoot",
    "InterfaceError",
    "InterfaceProblem",
    "InterfaceProblemKind",
    "InterfaceValidator",
    "MalformedVersion",
    "Manifest",
    "ManifestError",
    "ManifestProblem",
    "NetworkAction",
    "PermissionDenied",
    "PermissionValidator",
    "ProvidedPackage",
    "Query",
    "Requirement",
    "StorageAction",
    "StorageQuota",
    "UnsupportedInterface",
    "VersionMismatch",
    "answer",
    "interface_problems",
    "is_linked_wasi",
    "load_manifest",
    "parse_manifest",
    "parse_query",
    "parse_requirement",
    "parse_size",
    "parse_version",
    "summarize",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
