"""Manifest-loading vectors of design/permissions.md (fail closed), and the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen.permissions import (
    ManifestError,
    ManifestProblem,
    PermissionValidator,
    load_manifest,
    parse_manifest,
)

from .helpers import denied, manifest, validator

PLAN_EXAMPLE = """\
# Component manifest with capability declarations
[component]
name = "data-processor"
version = "1.0.0"
api-version = "1.0.0"

[capabilities.filesystem]
read = [
    "/etc/myapp/config.toml",    # Exact file
    "/var/data/input/**",        # Recursive glob
    "/tmp/cache/*.json"          # Wildcard glob
]
write = [
    "/var/data/output/**",
    "/tmp/myapp/cache/*"
]

[[capabilities.network]]
action = "outbound"
host = "api.example.com"
port = 443

[[capabilities.network]]
action = "outbound"
host = "*.cdn.example.com"
port = 443

[capabilities.storage]
namespaces = [
    "myapp:config",
    "myapp:cache",
    "shared:*"
]
max-size = "100MB"

[dependencies]
"airssys:component-core" = "^1.0.0"
"airssys:host-core" = "~1.0.0"
"""


def problems(text: str) -> list[ManifestProblem]:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text, "Component.toml")
    return list(caught.value.problems)


def body_problems(body: str) -> list[str]:
    header = '[component]\nname = "c"\nversion = "1.0.0"\n'
    return [str(problem) for problem in problems(header + body)]


def test_plan_example_loads_and_works() -> None:
    loaded = parse_manifest(PLAN_EXAMPLE)
    assert loaded.warnings == ()
    checker = PermissionValidator(loaded)
    assert checker.check_filesystem("/var/data/input/a/b.csv", "read")
    assert checker.check_filesystem("/tmp/myapp/cache/x", "write")
    denied(lambda: checker.check_filesystem("/tmp/myapp/cache/x", "read"))
    assert checker.check_network("img.cdn.example.com", 443) == "img.cdn.example.com"
    denied(lambda: checker.check_network("cdn.example.com", 443))
    assert checker.check_storage("shared:public", "write") == "shared:public"
    denied(lambda: checker.check_storage("myapp:secrets", "read"))
    denied(lambda: checker.check_process("/usr/bin/echo"))
    denied(lambda: checker.check_messaging("other"))


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[capabilities.filesystem]\nreed = ["/data/**"]\n', "capabilities.filesystem.reed"),
        (
            '[capabilities.storage]\nnamespaces = ["a:b"]\nmax_size = "1MB"\nmax-size = "1MB"\n',
            "capabilities.storage.max_size",
        ),
        ("[capabilities.gpu]\nuse = true\n", "capabilities.gpu"),
        (
            '[[capabilities.network]]\naction = "outbound"\nhost = "a.com"\nprot = 1\n',
            "capabilities.network[0].prot",
        ),
        ("[extra]\n", "extra"),
    ],
)
def test_manifest_vector_97_unknown_keys_are_errors(body: str, key: str) -> None:
    (message,) = body_problems(body)
    assert message.startswith(f"Component.toml: {key} = ")
    assert "unknown key" in message


def test_manifest_vector_98_duplicate_keys_and_tables() -> None:
    (problem,) = problems('[component]\nname = "a"\nname = "b"\nversion = "1.0.0"\n')
    assert problem.key is None and "invalid TOML" in problem.message
    (problem,) = problems(
        '[component]\nname = "a"\nversion = "1.0.0"\n[capabilities.filesystem]\n'
        "[capabilities.filesystem]\n"
    )
    assert problem.line == 5
    assert str(problem).startswith(
        f"Component.toml:5:{problem.column}: invalid TOML: Cannot declare"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[capabilities.filesystem]\nread = "/data/**"\n',
            'capabilities.filesystem.read = "/data/**": expected an array of strings, found a '
            "string",
        ),
        (
            '[capabilities.filesystem]\nread = ["/data/**", 1]\n',
            "capabilities.filesystem.read[1] = 1: expected a string, found an integer",
        ),
        (
            '[[capabilities.network]]\naction = "outbound"\nhost = "a.com"\nport = true\n',
            "capabilities.network[0].port = true: expected an integer, found a boolean",
        ),
        (
            '[capabilities.network]\naction = "outbound"\nhost = "a.com"\n',
            'capabilities.network = {action = "outbound", host = "a.com"}: expected an array '
            "of tables ([[capabilities.network]]), found a table",
        ),
        (
            "[capabilities.filesystem]\nallow-pseudo-filesystems = 1\n",
            "capabilities.filesystem.allow-pseudo-filesystems = 1: expected a boolean, found an "
            "integer",
        ),
        (
            '[capabilities.storage]\nnamespaces = ["a:b"]\nmax-size = 100\n',
            "capabilities.storage.max-size = 100: expected a string, found an integer",
        ),
        (
            '[dependencies]\n"airssys:host-core" = 1979-05-27\n',
            'dependencies."airssys:host-core" = 1979-05-27: expected a string, found a date or '
            "time",
        ),
    ],
)
def test_manifest_vector_99_wrong_types(body: str, expected: str) -> None:
    assert body_problems(body) == [f"Component.toml: {expected}"]


def test_manifest_vector_99_top_level_wrong_type() -> None:
    (problem,) = problems('capabilities = 3\n[component]\nname = "c"\nversion = "1.0.0"\n')
    assert str(problem) == "Component.toml: capabilities = 3: expected a table, found an integer"


def test_manifest_vector_100_no_section_or_empty_list_grants_nothing() -> None:
    for body in (
        "",
        "[capabilities]\n",
        "[capabilities.filesystem]\nread = []\n",
        "[capabilities.process]\nspawn = []\n[capabilities.messaging]\nsend = []\n",
    ):
        checker = validator(body)
        denied(lambda c=checker: c.check_filesystem("/", "read"))  # type: ignore[misc]
        denied(lambda c=checker: c.check_network("a.com", 443))  # type: ignore[misc]
        denied(lambda c=checker: c.check_storage("a:b", "read"))  # type: ignore[misc]
        denied(lambda c=checker: c.check_process("/bin/true"))  # type: ignore[misc]
        denied(lambda c=checker: c.check_messaging("other"))  # type: ignore[misc]


def test_manifest_vector_102_errors_name_file_key_and_value(tmp_path: Path) -> None:
    path = tmp_path / "Component.toml"
    path.write_text(
        '[component]\nname = "c"\nversion = "1.0.0"\n'
        '[[capabilities.network]]\naction = "outbound"\nhost = "a.com"\n'
        '[[capabilities.network]]\naction = "outbound"\nhost = "b.com"\nport = 70000\n'
    )
    with pytest.raises(ManifestError) as caught:
        PermissionValidator.load(path)  # the component is never given a validator
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{path}: capabilities.network[1].port = 70000: a port is from 1 to 65535"
    )
    assert str(caught.value) == str(problem)


def test_every_problem_is_collected() -> None:
    messages = [
        str(problem)
        for problem in problems(
            '[component]\nname = "Bad Name"\nversion = "1.0"\n'
            '[capabilities.filesystem]\nread = ["data/**", "/ok/**", "/x/**.txt"]\n'
            '[capabilities.process]\nspawn = ["echo"]\n'
            '[capabilities.messaging]\nsend = ["Other Component"]\n'
        )
    ]
    keys = [message.split(" = ")[0] for message in messages]
    assert keys == [
        "Component.toml: component.name",
        "Component.toml: component.version",
        "Component.toml: capabilities.filesystem.read[0]",
        "Component.toml: capabilities.filesystem.read[2]",
        "Component.toml: capabilities.process.spawn[0]",
        "Component.toml: capabilities.messaging.send[0]",
    ]


def test_component_table_is_required() -> None:
    (problem,) = problems('[capabilities.filesystem]\nread = ["/data/**"]\n')
    assert str(problem) == (
        "Component.toml: component: missing table [component] (name and version)"
    )
    (problem,) = problems('[component]\nname = "c"\n')
    assert str(problem) == "Component.toml: component.version: missing (a string is required)"


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "data/**",
        "/data//x",
        "/data/",
        "/data/./x",
        "/a/../b",
        "/x/**.txt",
        "/x/a**",
        "!/data/**",
        "/a|/b",
        "/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}",
    ],
)
def test_bad_filesystem_patterns(pattern: str) -> None:
    (message,) = body_problems(f'[capabilities.filesystem]\nwrite = ["{pattern}"]\n')
    assert message.startswith("Component.toml: capabilities.filesystem.write[0] = ")


@pytest.mark.parametrize("command", ["echo", "/usr/bin/../bin/sh", "/usr/bin/*", "/bin//sh", ""])
def test_bad_process_commands(command: str) -> None:
    (message,) = body_problems(f'[capabilities.process]\nspawn = ["{command}"]\n')
    assert "capabilities.process.spawn[0]" in message


def test_process_and_messaging_are_exact() -> None:
    checker = validator(
        '[capabilities.process]\nspawn = ["/usr/bin/echo"]\n'
        '[capabilities.messaging]\nsend = ["other-component"]\n'
    )
    assert checker.check_process("/usr/bin/echo") == "/usr/bin/echo"
    for command in ("/usr/bin/echo ", "/usr/bin//echo", "/usr/bin/./echo", "echo", "/bin/echo"):
        denied(lambda c=command: checker.check_process(c))  # type: ignore[misc]
    assert checker.check_messaging("other-component") == "other-component"
    for target in ("other", "other-component2", "Other-Component", "", "*"):
        denied(lambda t=target: checker.check_messaging(t))  # type: ignore[misc]


@pytest.mark.parametrize("request_value", [None, 7, b"bytes", ("tuple",)])
def test_requests_that_are_not_strings_are_denied(request_value: object) -> None:
    checker = validator(
        '[capabilities.process]\nspawn = ["/bin/x"]\n[capabilities.messaging]\nsend = ["x"]\n'
        '[capabilities.storage]\nnamespaces = ["a:*"]\nmax-size = "1MB"\n'
        '[capabilities.filesystem]\nread = ["/**"]\nallow-pseudo-filesystems = true\n'
        '[[capabilities.network]]\naction = "outbound"\nhost = "*"\n'
    )
    value: str = request_value  # type: ignore[assignment]
    for check in (
        lambda: checker.check_filesystem(value, "read"),
        lambda: checker.check_network(value, 443),
        lambda: checker.check_url(value),
        lambda: checker.check_storage(value, "read"),
        lambda: checker.check_process(value),
        lambda: checker.check_messaging(value),
    ):
        denial = denied(check)
        assert denial.grant is None and denial.resource.startswith(repr(request_value)[:4])


def test_load_errors_of_the_file_itself(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read the manifest"):
        load_manifest(tmp_path / "missing.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[component]\nname = "caf\xe9"\n')
    with pytest.raises(ManifestError, match="not UTF-8"):
        load_manifest(latin1)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (2 << 20))
    with pytest.raises(ManifestError, match="larger than"):
        load_manifest(huge)
    (problem,) = problems('[component]\nname = "c"\nversion = ')
    assert problem.line == 3 and "invalid TOML" in problem.message


def test_keys_are_quoted_when_not_bare() -> None:
    (message,) = body_problems('[dependencies]\n"not a name" = "^1"\n')
    assert message.startswith('Component.toml: dependencies."not a name" = "^1": ')


def test_control_characters_in_values_are_visible() -> None:
    (message,) = body_problems('[capabilities.filesystem]\nread = ["rel\\tative"]\n')
    assert '"rel\\tative"' in message


def test_manifest_is_immutable() -> None:
    loaded = manifest('[capabilities.filesystem]\nread = ["/data/**"]\n')
    with pytest.raises(AttributeError):
        loaded.component = loaded.component  # type: ignore[misc]
    assert [pattern.text for pattern in loaded.filesystem.read] == ["/data/**"]
    assert loaded.filesystem.read[0].expanded == ("/data/**", "/data")


def test_limits_table() -> None:
    header = '[component]\nname = "c"\nversion = "1.0.0"\n'
    loaded = parse_manifest(header + '[limits]\nmemory = "64MiB"\ntimeout-ms = 1500\n')
    assert loaded.limits.memory == 64 * 1024 * 1024
    assert loaded.limits.memory_text == "64MiB"
    assert loaded.limits.timeout_ms == 1500
    assert parse_manifest(header).limits.memory is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[limits]\nmemory = 3\n", "limits.memory = 3: expected a string, found an integer"),
        ('[limits]\nmemory = "lots"\n', 'limits.memory = "lots": '),
        (
            "[limits]\ntimeout-ms = 0\n",
            "limits.timeout-ms = 0: expected 1 to 86400000 milliseconds",
        ),
        ('[limits]\ntimeout-ms = "5s"\n', 'limits.timeout-ms = "5s": expected an integer'),
        (
            "[limits]\ncpu = 1\n",
            "limits.cpu = 1: unknown key (known keys of limits: memory, timeout-ms)",
        ),
    ],
)
def test_bad_limits(body: str, expected: str) -> None:
    (found,) = body_problems(body)
    assert found.startswith(f"Component.toml: {expected}")


# Deep nestings (issue 22, item 5): each is a ManifestError naming the
# problem, never a RecursionError, whatever the interpreter's stack.
BASE = '[component]\nname = "deep"\nversion = "1.0.0"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[capabilities.filesystem]\nread = " + "[" * 500 + "]" * 500, "nest too deeply"),
        ("x = " + "{a = " * 400 + "1" + "}" * 400, "nest too deeply"),
        (
            "[capabilities.filesystem]\nread = " + "[" * 400 + '"/x"' + "]" * 400,
            "read[0] = [[[[[[[[[...]]]]]]]]]: expected a string",
        ),
        (
            '[capabilities.filesystem]\nread = ["/' + "{" * 2000 + "a" + "}" * 2000 + '"]',
            "more than 32 brace groups",
        ),
        (
            '[capabilities.filesystem]\nread = ["/' + "{a}" * 1300 + '"]',
            "more than 32 brace groups",
        ),
    ],
    ids=["toml-arrays", "toml-inline-tables", "a-nested-value", "nested-braces", "many-braces"],
)
def test_deep_nestings_are_manifest_errors(body: str, expected: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(BASE + body + "\n")
    assert expected in str(caught.value)


def test_a_deep_nesting_is_a_manifest_error_on_a_deep_stack() -> None:
    def nested(levels: int) -> ManifestError:
        if levels:
            return nested(levels - 1)
        with pytest.raises(ManifestError) as caught:
            parse_manifest(BASE + "x = " + "[" * 150 + "]" * 150 + "\n")
        return caught.value

    assert "nest too deeply" in str(nested(900))


@pytest.mark.parametrize(
    "pattern", ["/" + "{" * 32 + "a,b" + "}" * 32, "/{a,b}" + "{c}" * 31, "/" + "\\\\{" * 40]
)
def test_brace_groups_up_to_the_limit_are_fine(pattern: str) -> None:
    """32 groups (nested or not) load; escaped braces are no groups."""
    loaded = manifest(f'[capabilities.filesystem]\nread = ["{pattern}"]\n')
    assert loaded.filesystem.read[0].text == pattern.replace("\\\\", "\\")
