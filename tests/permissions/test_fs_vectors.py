"""Filesystem vectors of design/permissions.md that the path check alone decides.

The vectors about opening files (symbolic links, TOCTOU, create, truncate,
rename, links) are in test_fs_open.py, against a real folder tree.
"""

from __future__ import annotations

import pytest

from witgen.permissions import ManifestError, PermissionValidator
from witgen.permissions.paths import normalize_path

from .helpers import denied, fs, manifest

DATA = fs(read=["/data/**"])
TMP_JSON = fs(read=["/tmp/*.json"])
BRACES = fs(read=["/dir/*.{txt,json}"])
CONFIG = fs(read=["/dir/**/config.toml"])


def test_fs_vector_1_baseline() -> None:
    assert DATA.check_filesystem("/data/a/b.txt", "read") == "/data/a/b.txt"


def test_fs_vector_2_dotdot_escape() -> None:
    denial = denied(lambda: DATA.check_filesystem("/data/../etc/passwd", "read"))
    assert '"/etc/passwd"' in denial.reason


def test_fs_vector_3_deeper_dotdot_escape() -> None:
    denied(lambda: DATA.check_filesystem("/data/x/../../etc/passwd", "read"))


def test_fs_vector_4_dot_segment_is_normalized_first() -> None:
    assert DATA.check_filesystem("/data/./x", "read") == "/data/x"


def test_fs_vector_5_segment_boundary() -> None:
    denied(lambda: DATA.check_filesystem("/database/secret", "read"))


def test_fs_vector_6_globstar_covers_the_folder_itself_d1() -> None:
    validator = fs(list_=["/data/**"])
    assert validator.check_filesystem("/data", "list") == "/data"
    assert validator.check_filesystem("/data/", "list") == "/data"


def test_fs_vector_7_dotdot_above_root_is_invalid() -> None:
    denial = denied(lambda: DATA.check_filesystem("/../data/x", "read"))
    assert denial.reason.startswith("invalid path") and denial.grant is None


def test_fs_vector_9_nul_is_invalid() -> None:
    denial = denied(lambda: DATA.check_filesystem("/data/x\x00/../../etc/passwd", "read"))
    assert "NUL" in denial.reason and denial.grant is None


def test_fs_vector_10_backslash_is_invalid() -> None:
    denial = denied(lambda: DATA.check_filesystem("/data/..\\..\\etc\\passwd", "read"))
    assert "backslash" in denial.reason


def test_fs_vector_11_relative_is_invalid() -> None:
    denial = denied(lambda: DATA.check_filesystem("data/x", "read"))
    assert "absolute" in denial.reason


def test_fs_vector_19_star_baseline() -> None:
    assert TMP_JSON.check_filesystem("/tmp/a.json", "read") == "/tmp/a.json"


def test_fs_vector_20_star_does_not_cross_slash() -> None:
    denied(lambda: TMP_JSON.check_filesystem("/tmp/sub/a.json", "read"))


def test_fs_vector_21_wildcards_match_dotfiles_d2() -> None:
    assert TMP_JSON.check_filesystem("/tmp/.secret.json", "read") == "/tmp/.secret.json"
    assert DATA.check_filesystem("/data/.git/config", "read") == "/data/.git/config"


def test_fs_vector_22_case_sensitive() -> None:
    denied(lambda: TMP_JSON.check_filesystem("/tmp/a.JSON", "read"))


def test_fs_vector_23_dotdot_out_of_star() -> None:
    denied(lambda: TMP_JSON.check_filesystem("/tmp/../etc/x.json", "read"))


def test_fs_vector_24_braces() -> None:
    assert BRACES.check_filesystem("/dir/a.txt", "read") == "/dir/a.txt"
    assert BRACES.check_filesystem("/dir/a.json", "read") == "/dir/a.json"


def test_fs_vector_26_braces_deny_others() -> None:
    denied(lambda: BRACES.check_filesystem("/dir/a.md", "read"))
    denied(lambda: BRACES.check_filesystem("/dir/s/a.txt", "read"))


def test_fs_vector_27_globstar_matches_zero_segments() -> None:
    assert CONFIG.check_filesystem("/dir/config.toml", "read") == "/dir/config.toml"


def test_fs_vector_28_globstar_matches_many_segments() -> None:
    assert CONFIG.check_filesystem("/dir/a/b/c/config.toml", "read")


def test_fs_vector_30_actions_are_independent() -> None:
    denial = denied(lambda: CONFIG.check_filesystem("/dir/config.toml", "write"))
    assert "granted for read" in denial.reason


def test_fs_vector_37_list_is_not_read() -> None:
    validator = fs(list_=["/data/**"])
    denied(lambda: validator.check_filesystem("/data/a.txt", "read"))


def test_fs_vector_39_no_case_folding() -> None:
    validator = fs(read=["/data/public/**"])
    denied(lambda: validator.check_filesystem("/data/PUBLIC/x", "read"))


def test_fs_vector_41_too_many_segments_or_bytes() -> None:
    denial = denied(lambda: DATA.check_filesystem("/data" + "/a" * 10_000, "read"))
    assert "segments" in denial.reason or "bytes" in denial.reason
    denial = denied(lambda: DATA.check_filesystem("/data/" + "x" * 5000, "read"))
    assert "4096 bytes" in denial.reason
    denial = denied(lambda: DATA.check_filesystem("/data" + "/a" * 300, "read"))
    assert "255 segments" in denial.reason
    # Multi-byte characters count as bytes: 1100 characters, 4400 bytes.
    denied(lambda: DATA.check_filesystem("/data/" + "\U0001f600" * 1100, "read"))


@pytest.mark.parametrize(
    "name",
    ["CON", "con", "aux.txt", "NUL.tar.gz", "com1", "LPT9.log", "COM¹", "conin$", "CON .txt"],
)
def test_fs_vector_42_windows_device_names_are_invalid_everywhere(name: str) -> None:
    denial = denied(lambda: DATA.check_filesystem(f"/data/{name}", "read"))
    assert "reserved device name" in denial.reason


@pytest.mark.parametrize("name", ["f.txt::$DATA", "f.txt:stream", "x.", "x..", "x ", "x. "])
def test_fs_vector_42_windows_aliases_are_invalid_everywhere(name: str) -> None:
    denial = denied(lambda: DATA.check_filesystem(f"/data/{name}", "read"))
    assert denial.grant is None


@pytest.mark.parametrize("name", ["console", "con-fig", "nul0", "com10", "auxiliary.txt", ".x"])
def test_fs_vector_42_names_like_device_names_are_fine(name: str) -> None:
    assert DATA.check_filesystem(f"/data/{name}", "read") == f"/data/{name}"


@pytest.mark.parametrize("pattern", ["/proc/**", "/dev/**", "/sys/**", "/**", "/*/self/mem"])
def test_fs_vector_43_pseudo_filesystems_refused_at_load(pattern: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest(f'[capabilities.filesystem]\nread = ["{pattern}"]\n')
    (problem,) = caught.value.problems
    assert problem.key == "capabilities.filesystem.read[0]"
    assert "allow-pseudo-filesystems" in problem.message


def test_fs_vector_43_pseudo_filesystems_with_explicit_opt_in() -> None:
    loaded = manifest(
        "[capabilities.filesystem]\n" 'read = ["/proc/**"]\n' "allow-pseudo-filesystems = true\n"
    )
    assert PermissionValidator(loaded).check_filesystem("/proc/self/mem", "read")
    (warning,) = loaded.warnings
    assert warning.key == "capabilities.filesystem.allow-pseudo-filesystems"


@pytest.mark.parametrize(
    "pattern", ["/{data,proc}/x", "/p?oc/x", "/[pd]*/x", "/{a,b}/../proc", "/**/mem"]
)
def test_fs_vector_43_patterns_that_can_reach_proc_are_refused(pattern: str) -> None:
    with pytest.raises(ManifestError):
        manifest(f'[capabilities.filesystem]\nread = ["{pattern}"]\n')


# -- more of our own ------------------------------------------------------------


def test_fs_root_and_empty_path() -> None:
    denial = denied(lambda: DATA.check_filesystem("", "read"))
    assert "empty" in denial.reason
    denied(lambda: DATA.check_filesystem("/", "read"))
    assert normalize_path("/") == "/"
    assert normalize_path("//data///x/.") == "/data/x"


def test_fs_pattern_without_globstar_is_exact() -> None:
    validator = fs(read=["/etc/myapp/config.toml"])
    assert validator.check_filesystem("/etc/myapp/config.toml", "read")
    denied(lambda: validator.check_filesystem("/etc/myapp/config.toml.bak", "read"))
    denied(lambda: validator.check_filesystem("/etc/myapp", "read"))


def test_fs_globstar_in_the_middle_matches_the_folder_only_at_the_end() -> None:
    validator = fs(read=["/srv/**/*.html"])
    assert validator.check_filesystem("/srv/index.html", "read")
    assert validator.check_filesystem("/srv/a/b/index.html", "read")
    denied(lambda: validator.check_filesystem("/srv", "read"))
    denied(lambda: validator.check_filesystem("/srv/a/b/index.htm", "read"))


def test_fs_globstar_covers_dot_folders_but_never_escapes() -> None:
    validator = fs(write=["/out/**"])
    assert validator.check_filesystem("/out/.cache/.x", "write") == "/out/.cache/.x"
    denied(lambda: validator.check_filesystem("/out/.././etc", "write"))


def test_fs_many_rules_first_segment_groups_and_wildcard_first_segment() -> None:
    validator = fs(
        read=["/data/**", "/etc/app.toml", "/{srv,www}/*.html", "/[a-c]*/public/**", "/home/*/x"]
    )
    for path in ["/data/q", "/etc/app.toml", "/www/i.html", "/cache/public/f", "/home/u/x"]:
        assert validator.check_filesystem(path, "read") == path
    for path in ["/etc/other", "/www/a/i.html", "/dcache/public/f", "/home/u/y", "/srv"]:
        denied(lambda path=path: validator.check_filesystem(path, "read"))  # type: ignore[misc]


def test_fs_no_section_or_empty_list_grants_nothing() -> None:
    for validator in (fs(), fs(read=[])):
        for action in ("read", "write", "delete", "list"):
            denial = denied(lambda v=validator, a=action: v.check_filesystem("/x", a))  # type: ignore[misc]
            assert "grants no filesystem" in denial.reason


@pytest.mark.parametrize("path", [b"/data/x", 7, None])
def test_fs_a_request_that_is_not_a_string_is_denied(path: object) -> None:
    denial = denied(lambda: DATA.check_filesystem(path, "read"))  # type: ignore[arg-type]
    assert denial.reason == "invalid path: a path must be a string"


def test_fs_unknown_action_is_a_bug_not_a_denial() -> None:
    with pytest.raises(ValueError, match="unknown filesystem action"):
        DATA.check_filesystem("/data/x", "execute")  # type: ignore[arg-type]


def test_fs_denial_names_component_action_resource_and_grant() -> None:
    denial = denied(lambda: DATA.check_filesystem("/etc/pass[wd]", "read"))
    assert denial.component == "test-component"
    assert denial.capability == "filesystem.read"
    assert denial.resource == "/etc/pass[wd]"
    # The suggested grant escapes glob characters, so it allows exactly this path.
    assert denial.grant == '[capabilities.filesystem] read = ["/etc/pass\\\\[wd\\\\]"]'
    header, line = denial.grant.split("] ", 1)
    suggested = PermissionValidator(manifest(f"{header}]\n{line}\n"))
    assert suggested.check_filesystem("/etc/pass[wd]", "read") == "/etc/pass[wd]"
    denied(lambda: suggested.check_filesystem("/etc/passw", "read"))
    assert str(denial).startswith('component "test-component": filesystem.read "/etc/pass[wd]"')


def test_fs_cache_answers_the_same_as_a_fresh_check() -> None:
    validator = fs(read=["/data/**"])
    for _ in range(3):
        assert validator.check_filesystem("/data/./x", "read") == "/data/x"
        denied(lambda: validator.check_filesystem("/data/../x", "read"))
    for index in range(3000):  # more than the cache holds
        assert validator.check_filesystem(f"/data/{index}", "read") == f"/data/{index}"
    denied(lambda: validator.check_filesystem("/etc/x", "write"))
