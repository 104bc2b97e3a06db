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
"""

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
    InterfaceError,
    InterfaceProblem,
    InterfaceProblemKind,
    MalformedVersion,
    ManifestError,
    PermissionDenied,
    Problem,
    UnsupportedInterface,
    VersionMismatch,
)
from witgen.permissions.fs import HostRoot
from witgen.permissions.interfaces import AIRSSYS_PACKAGES, InterfaceValidator, ProvidedPackage
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

__all__ = [
    "AIRSSYS_PACKAGES",
    "CAPABILITIES",
    "FS_ACTIONS",
    "NETWORK_ACTIONS",
    "NO_CAPABILITY",
    "STORAGE_ACTIONS",
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
    "NetworkAction",
    "PermissionDenied",
    "PermissionValidator",
    "Problem",
    "ProvidedPackage",
    "Query",
    "Requirement",
    "StorageAction",
    "StorageQuota",
    "UnsupportedInterface",
    "VersionMismatch",
    "answer",
    "interface_problems",
    "load_manifest",
    "parse_manifest",
    "parse_query",
    "parse_requirement",
    "parse_size",
    "parse_version",
    "summarize",
]
