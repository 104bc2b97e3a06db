"""Where the examples are: the folder, their names, and the world each targets."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SDK = ROOT / "sdk"
NAMES = (
    "hello_world",
    "echo_service",
    "counter_service",
    "message_processor",
    "request_response",
    "http_client",
    "file_processor",
    "kv_store",
)


def world_of(name: str) -> str:
    """The world an example targets: its folder name in kebab case."""
    return name.replace("_", "-")
